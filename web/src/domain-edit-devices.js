// The Details tab's firmware, TPM, sound and serial/console sections
// (domain-edit.js reads, writes and renders them with these): the
// firmware (BIOS, UEFI, UEFI with Secure Boot), changed while the VM is
// shut off as virt-manager's Overview does before creation: <os
// firmware='efi'> with its <firmware> features, the loader dropped so
// the next start picks the one that fits (docs/xml-domain.md, UEFI), the
// NVRAM file kept where it is; a TPM 2.0 emulator added or removed and
// its model; sound cards added, changed or removed; the serial ports,
// consoles and channels listed (type, target, port) and removed. Every
// change goes into the definition of the next start, as the rest of the
// tab does.
import { html } from 'lit';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'ed.fw': 'Firmware', 'ed.fw.kind': 'Firmware', 'ed.fw.bios': 'BIOS (SeaBIOS)', 'ed.fw.uefi': 'UEFI',
    'ed.fw.secure': 'UEFI with Secure Boot', 'ed.fw.loader': 'Loader', 'ed.fw.nvram': 'NVRAM (UEFI variables)',
    'ed.fw.nvram.first': 'made at the first start',
    'ed.fw.loader.first': "picked at the first start from QEMU's firmware descriptors",
    'ed.fw.off': 'Shut the VM off to change its firmware: a running VM keeps the firmware it started with.',
    'ed.fw.q35': 'Secure Boot needs the q35 machine; this VM has {0}.',
    'ed.fw.warn': 'An operating system installed for {0} may not boot with {1}.',
    'ed.fw.nvram.kept': 'The UEFI variables in {0} stay on the host; `vireo start --reset-nvram` makes them anew from the new firmware.',
    'ed.fw.nvram.left': 'The UEFI variables in {0} stay on the host (a later switch back to UEFI uses them again).',
    'ed.tpm': 'TPM', 'ed.tpm.none': 'No TPM.', 'ed.tpm.add': 'Add a TPM 2.0 (emulated by swtpm)',
    'ed.tpm.model': 'TPM model', 'ed.tpm.backend': 'Backend', 'ed.tpm.remove': 'Remove the TPM',
    'ed.tpm.keep': "The TPM's state stays on the host until the VM is deleted.",
    'ed.sound': 'Sound', 'ed.sound.none': 'No sound card.', 'ed.sound.add': 'Add a sound card',
    'ed.sound.model': 'Model of sound card {0}', 'ed.sound.remove': 'Remove sound card {0}',
    'ed.serial': 'Serial ports, consoles and channels', 'ed.serial.none': 'No serial port, console or channel.',
    'ed.serial.col.device': 'Device', 'ed.serial.col.type': 'Type', 'ed.serial.col.target': 'Target',
    'ed.serial.serial': 'serial port {0}', 'ed.serial.console': 'console {0}', 'ed.serial.channel': 'channel',
    'ed.nextboot': 'Takes effect at the next start of the VM.', 'ed.remove': 'Remove',
  },
  es: {
    'ed.fw': 'Firmware', 'ed.fw.kind': 'Firmware', 'ed.fw.bios': 'BIOS (SeaBIOS)', 'ed.fw.uefi': 'UEFI',
    'ed.fw.secure': 'UEFI con arranque seguro (Secure Boot)', 'ed.fw.loader': 'Cargador',
    'ed.fw.nvram': 'NVRAM (variables UEFI)', 'ed.fw.nvram.first': 'se crea en el primer arranque',
    'ed.fw.loader.first': 'se elige en el primer arranque entre los descriptores de firmware de QEMU',
    'ed.fw.off': 'Apague la máquina para cambiar su firmware: en ejecución conserva el firmware con el que arrancó.',
    'ed.fw.q35': 'El arranque seguro necesita la máquina q35; esta máquina tiene {0}.',
    'ed.fw.warn': 'Un sistema operativo instalado para {0} puede no arrancar con {1}.',
    'ed.fw.nvram.kept': 'Las variables UEFI de {0} se quedan en el anfitrión; `vireo start --reset-nvram` las crea de nuevo desde el firmware nuevo.',
    'ed.fw.nvram.left': 'Las variables UEFI de {0} se quedan en el anfitrión (si vuelve a UEFI, las usa de nuevo).',
    'ed.tpm': 'TPM', 'ed.tpm.none': 'Sin TPM.', 'ed.tpm.add': 'Añadir un TPM 2.0 (emulado por swtpm)',
    'ed.tpm.model': 'Modelo de TPM', 'ed.tpm.backend': 'Backend', 'ed.tpm.remove': 'Quitar el TPM',
    'ed.tpm.keep': 'El estado del TPM se queda en el anfitrión hasta que se elimine la máquina.',
    'ed.sound': 'Sonido', 'ed.sound.none': 'Sin tarjeta de sonido.', 'ed.sound.add': 'Añadir una tarjeta de sonido',
    'ed.sound.model': 'Modelo de la tarjeta de sonido {0}', 'ed.sound.remove': 'Quitar la tarjeta de sonido {0}',
    'ed.serial': 'Puertos serie, consolas y canales', 'ed.serial.none': 'Sin puerto serie, consola ni canal.',
    'ed.serial.col.device': 'Dispositivo', 'ed.serial.col.type': 'Tipo', 'ed.serial.col.target': 'Destino',
    'ed.serial.serial': 'puerto serie {0}', 'ed.serial.console': 'consola {0}', 'ed.serial.channel': 'canal',
    'ed.nextboot': 'Se aplica en el próximo arranque de la máquina.', 'ed.remove': 'Quitar',
  },
});

export const tpmModels = ['tpm-crb', 'tpm-tis'];
export const soundModels = ['ich9', 'ich6', 'ac97'];

// The sections' values, read from the definition.
export function readDevices(doc) {
  const os = doc.querySelector('domain > os');
  const loader = os?.querySelector('loader');
  const efi = os?.getAttribute('firmware') === 'efi' || loader?.getAttribute('type') === 'pflash';
  const tpm = doc.querySelector('devices > tpm');
  const backend = tpm?.querySelector('backend');
  const firmware = !efi ? 'bios' : loader?.getAttribute('secure') === 'yes'
    || [...(os?.querySelectorAll('firmware > feature') ?? [])].some((f) =>
      f.getAttribute('name') === 'secure-boot' && f.getAttribute('enabled') === 'yes') ? 'secure' : 'uefi';
  return {
    firmware, firmware0: firmware, machine: os?.querySelector('type')?.getAttribute('machine') ?? 'pc',
    loader: loader?.textContent.trim() ?? '', nvram: os?.querySelector('nvram')?.textContent.trim() ?? '',
    tpm: tpm ? { model: tpm.getAttribute('model') ?? 'tpm-tis', backend: backend?.getAttribute('type') ?? '',
      version: backend?.getAttribute('version') ?? '' } : null,
    sounds: [...doc.querySelectorAll('devices > sound')].map((s) => s.getAttribute('model')),
    // idx: the element's place among these three, for removal.
    serials: serialElements(doc).map((s, idx) => ({
      idx, device: s.tagName, type: s.getAttribute('type'), port: s.querySelector('target')?.getAttribute('port') ?? '0',
      target: s.querySelector('target')?.getAttribute('name') ?? s.querySelector('target')?.getAttribute('type') ?? '',
    })),
  };
}

const serialElements = (doc) => [...doc.querySelectorAll('devices > serial, devices > console, devices > channel')];

// The firmware `v` asks for, written when it changed: BIOS drops <os
// firmware>, <loader>, <nvram> and <firmware>; UEFI is <os
// firmware='efi'> with secure-boot and enrolled-keys features (Microsoft's
// keys with Secure Boot, as virt-manager and libvirt on Debian pick), no
// <loader> (the driver picks and records the one that fits at the next
// start) and the <nvram> file kept, its template picked with the loader.
function writeFirmware(doc, v) {
  if (v.firmware === v.firmware0) return;
  const os = doc.querySelector('domain > os');
  os.querySelector(':scope > loader')?.remove();
  os.querySelector(':scope > firmware')?.remove();
  const nvram = os.querySelector(':scope > nvram');
  if (v.firmware === 'bios') {
    os.removeAttribute('firmware');
    nvram?.remove();
    return;
  }
  os.setAttribute('firmware', 'efi');
  nvram?.removeAttribute('template');
  const fw = doc.createElement('firmware');
  for (const name of ['enrolled-keys', 'secure-boot']) {
    const f = fw.appendChild(doc.createElement('feature'));
    f.setAttribute('enabled', v.firmware === 'secure' ? 'yes' : 'no');
    f.setAttribute('name', name);
  }
  os.querySelector(':scope > type').after(fw);
}

// The TPM and sound cards of `v` written into the definition. A TPM that
// was there keeps its backend; a new one is an emulated TPM 2.0. Sound
// cards that stay keep their other settings (codecs, address).
export function writeDevices(doc, v) {
  writeFirmware(doc, v);
  const devices = doc.querySelector('domain > devices');
  const keep = new Set(v.serials.map((s) => s.idx));
  serialElements(doc).forEach((el, i) => { if (!keep.has(i)) el.remove(); });
  let tpm = devices.querySelector(':scope > tpm');
  if (!v.tpm) tpm?.remove();
  else {
    if (!tpm) {
      tpm = devices.appendChild(doc.createElement('tpm'));
      const b = tpm.appendChild(doc.createElement('backend'));
      b.setAttribute('type', 'emulator');
      b.setAttribute('version', '2.0');
    }
    tpm.setAttribute('model', v.tpm.model);
  }
  const sounds = [...devices.querySelectorAll(':scope > sound')];
  sounds.slice(v.sounds.length).forEach((s) => s.remove());
  v.sounds.forEach((model, i) => {
    const s = sounds[i] ?? devices.appendChild(doc.createElement('sound'));
    if (s.getAttribute('model') !== model) s.querySelector('address')?.remove();
    s.setAttribute('model', model);
  });
}

// The daemon's words about these sections -> their field.
export const deviceFields = [[/<tpm|swtpm|tpm/i, 'tpm'], [/<sound|sound/i, 'sound'], [/<loader|<nvram|firmware|secure/i, 'fw']];

// A row's name: serial-1, console-virtio-0, channel-org.qemu.guest_agent.0.
export const serialKey = (s) => (s.device === 'channel' ? `channel-${s.target}`
  : s.device === 'console' ? `console-${s.target}-${s.port}` : `serial-${s.port}`);

// The list without `s`. Serial port 0 and a console of target 'serial'
// are one port (the console mirrors it, and the daemon adds the port
// back for such a console), so each goes with the other.
export function withoutSerial(list, s) {
  const pair = (o) => (s.device === 'serial' && s.port === '0' && o.device === 'console' && o.target === 'serial')
    || (s.device === 'console' && s.target === 'serial' && o.device === 'serial' && o.port === '0');
  return list.filter((o) => o !== s && !pair(o));
}

const nextBoot = () => html`<small class="muted">${t('ed.nextboot')}</small>`;

// The four fieldsets; `ed` is the <vr-domain-edit> (its v, set(), errors).
export function deviceSections(ed) {
  const v = ed.v;
  const running = ed.domain.state !== 'shut off';
  const q35 = /q35/.test(v.machine);
  const changed = v.firmware !== v.firmware0;
  const fwName = (f) => t(`ed.fw.${f}`);
  const err = (k) => html`<p class="error" role="alert" data-testid="ed-${k}-error">${ed.errors[k] ?? ''}</p>`;
  return html`
    <fieldset class="form-grid" data-testid="ed-firmware"><legend>${t('ed.fw')}</legend>
      <label for="ed-fw-kind">${t('ed.fw.kind')}</label>
      <div><select id="ed-fw-kind" data-testid="ed-fw-kind" ?disabled=${running} aria-describedby="ed-fw-note"
          @change=${(ev) => ed.set('firmware', ev.target.value)}>
        ${['bios', 'uefi', 'secure'].map((f) => html`<option value=${f} ?selected=${f === v.firmware}
          ?disabled=${f === 'secure' && !q35 && v.firmware0 !== 'secure'}>${t(`ed.fw.${f}`)}</option>`)}</select>
        <div id="ed-fw-note" data-testid="ed-fw-note">${running ? html`<small class="muted">${t('ed.fw.off')}</small>` : ''}
          ${!q35 && !running ? html`<small class="muted">${t('ed.fw.q35', v.machine)}</small>` : ''}
          ${changed ? html`<p class="notice" data-testid="ed-fw-warn">${t('ed.fw.warn', fwName(v.firmware0), fwName(v.firmware))}
            ${v.nvram ? html`<br>${t(v.firmware === 'bios' ? 'ed.fw.nvram.left' : 'ed.fw.nvram.kept', v.nvram)}` : ''}</p>` : ''}</div></div>
      ${v.firmware === 'bios' ? '' : html`<span class="label">${t('ed.fw.loader')}</span>
        <div class="path" data-testid="ed-fw-loader">${v.loader || t('ed.fw.loader.first')}</div>
        <span class="label">${t('ed.fw.nvram')}</span>
        <div class="path" data-testid="ed-fw-nvram">${v.nvram || t('ed.fw.nvram.first')}</div>`}
      <span></span>${err('fw')}</fieldset>
    <fieldset class="form-grid" data-testid="ed-tpm"><legend>${t('ed.tpm')}</legend>
      ${v.tpm ? html`<label for="ed-tpm-model">${t('ed.tpm.model')}</label>
        <div class="ip-range"><select id="ed-tpm-model" aria-describedby="ed-tpm-note"
            @change=${(ev) => ed.set('tpm', { ...v.tpm, model: ev.target.value })}>
          ${[...new Set([v.tpm.model, ...tpmModels])].map((m) => html`<option ?selected=${m === v.tpm.model}>${m}</option>`)}
          </select><span class="muted">${t('ed.tpm.backend')}: ${v.tpm.backend} ${v.tpm.version}</span>
          <button type="button" data-testid="ed-tpm-remove" @click=${() => ed.set('tpm', null)}>${t('ed.tpm.remove')}</button></div>
        <span></span><div id="ed-tpm-note">${nextBoot()}<small class="muted">${t('ed.tpm.keep')}</small>${err('tpm')}</div>`
      : html`<span class="muted">${t('ed.tpm.none')}</span>
        <div><button type="button" data-testid="ed-tpm-add" @click=${() => ed.set('tpm', { model: 'tpm-crb', backend: 'emulator', version: '2.0' })}>
          ${t('ed.tpm.add')}</button>${err('tpm')}</div>`}</fieldset>
    <fieldset class="form-grid" data-testid="ed-sound"><legend>${t('ed.sound')}</legend>
      ${v.sounds.length ? v.sounds.map((m, i) => html`<span class="label">${i + 1}</span>
        <div class="ip-range"><select aria-label=${t('ed.sound.model', i + 1)} data-testid="ed-sound-model"
            @change=${(ev) => ed.set('sounds', v.sounds.map((x, j) => (j === i ? ev.target.value : x)))}>
          ${[...new Set([m, ...soundModels])].map((x) => html`<option ?selected=${x === m}>${x}</option>`)}</select>
          <button type="button" data-testid="ed-sound-remove" aria-label=${t('ed.sound.remove', i + 1)}
            @click=${() => ed.set('sounds', v.sounds.filter((_, j) => j !== i))}>${t('ed.remove')}</button></div>`)
      : html`<span></span><span class="muted">${t('ed.sound.none')}</span>`}
      <span></span><div><button type="button" data-testid="ed-sound-add"
        @click=${() => ed.set('sounds', [...v.sounds, 'ich9'])}>${t('ed.sound.add')}</button> ${nextBoot()}${err('sound')}</div>
    </fieldset>
    <fieldset data-testid="ed-serial"><legend>${t('ed.serial')}</legend>
      ${v.serials.length ? html`<table class="list"><thead><tr><th>${t('ed.serial.col.device')}</th>
        <th>${t('ed.serial.col.type')}</th><th>${t('ed.serial.col.target')}</th><th>${t('hw.actions')}</th></tr></thead>
        <tbody>${v.serials.map((s) => { const key = serialKey(s); return html`<tr data-serial=${key}>
          <td data-label=${t('ed.serial.col.device')}>${t(`ed.serial.${s.device}`, s.port)}</td>
          <td data-label=${t('ed.serial.col.type')}>${s.type}</td>
          <td data-label=${t('ed.serial.col.target')}>${s.target}</td>
          <td><button type="button" data-testid="ed-serial-remove-${key}" aria-label="${t('ed.remove')} ${key}"
            @click=${() => ed.set('serials', withoutSerial(v.serials, s))}>${t('ed.remove')}</button></td></tr>`; })}
        </tbody></table>${nextBoot()}`
      : html`<p class="muted">${t('ed.serial.none')}</p>`}</fieldset>`;
}
