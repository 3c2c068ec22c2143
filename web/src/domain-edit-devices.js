// The Details tab's firmware, TPM, sound and serial/console sections
// (domain-edit.js reads, writes and renders them with these): the
// firmware as the definition has it (BIOS, UEFI, UEFI with Secure Boot;
// the loader and NVRAM files: chosen at creation, as in virt-manager, so
// shown, not changed here); a TPM 2.0 emulator added or removed and its
// model; sound cards added, changed or removed; the serial ports and
// consoles listed (type, target, port). Every change goes into the
// definition of the next start, as the rest of the tab does.
import { html } from 'lit';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'ed.fw': 'Firmware', 'ed.fw.kind': 'Firmware', 'ed.fw.bios': 'BIOS (SeaBIOS)', 'ed.fw.uefi': 'UEFI',
    'ed.fw.secure': 'UEFI with Secure Boot', 'ed.fw.loader': 'Loader', 'ed.fw.nvram': 'NVRAM (UEFI variables)',
    'ed.fw.nvram.first': 'made at the first start',
    'ed.fw.loader.first': "picked at the first start from QEMU's firmware descriptors", 'ed.fw.fixed': 'Chosen when the VM was created.',
    'ed.tpm': 'TPM', 'ed.tpm.none': 'No TPM.', 'ed.tpm.add': 'Add a TPM 2.0 (emulated by swtpm)',
    'ed.tpm.model': 'TPM model', 'ed.tpm.backend': 'Backend', 'ed.tpm.remove': 'Remove the TPM',
    'ed.tpm.keep': "The TPM's state stays on the host until the VM is deleted.",
    'ed.sound': 'Sound', 'ed.sound.none': 'No sound card.', 'ed.sound.add': 'Add a sound card',
    'ed.sound.model': 'Model of sound card {0}', 'ed.sound.remove': 'Remove sound card {0}',
    'ed.serial': 'Serial ports and consoles', 'ed.serial.none': 'No serial port or console.',
    'ed.serial.col.device': 'Device', 'ed.serial.col.type': 'Type', 'ed.serial.col.target': 'Target',
    'ed.serial.serial': 'serial port {0}', 'ed.serial.console': 'console {0}',
    'ed.nextboot': 'Takes effect at the next start of the VM.', 'ed.remove': 'Remove',
  },
  es: {
    'ed.fw': 'Firmware', 'ed.fw.kind': 'Firmware', 'ed.fw.bios': 'BIOS (SeaBIOS)', 'ed.fw.uefi': 'UEFI',
    'ed.fw.secure': 'UEFI con arranque seguro (Secure Boot)', 'ed.fw.loader': 'Cargador',
    'ed.fw.nvram': 'NVRAM (variables UEFI)', 'ed.fw.nvram.first': 'se crea en el primer arranque',
    'ed.fw.loader.first': 'se elige en el primer arranque entre los descriptores de firmware de QEMU',
    'ed.fw.fixed': 'Se eligió al crear la máquina.',
    'ed.tpm': 'TPM', 'ed.tpm.none': 'Sin TPM.', 'ed.tpm.add': 'Añadir un TPM 2.0 (emulado por swtpm)',
    'ed.tpm.model': 'Modelo de TPM', 'ed.tpm.backend': 'Backend', 'ed.tpm.remove': 'Quitar el TPM',
    'ed.tpm.keep': 'El estado del TPM se queda en el anfitrión hasta que se elimine la máquina.',
    'ed.sound': 'Sonido', 'ed.sound.none': 'Sin tarjeta de sonido.', 'ed.sound.add': 'Añadir una tarjeta de sonido',
    'ed.sound.model': 'Modelo de la tarjeta de sonido {0}', 'ed.sound.remove': 'Quitar la tarjeta de sonido {0}',
    'ed.serial': 'Puertos serie y consolas', 'ed.serial.none': 'Sin puerto serie ni consola.',
    'ed.serial.col.device': 'Dispositivo', 'ed.serial.col.type': 'Tipo', 'ed.serial.col.target': 'Destino',
    'ed.serial.serial': 'puerto serie {0}', 'ed.serial.console': 'consola {0}',
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
  return {
    firmware: !efi ? 'bios' : loader?.getAttribute('secure') === 'yes'
      || [...(os?.querySelectorAll('firmware > feature') ?? [])].some((f) =>
        f.getAttribute('name') === 'secure-boot' && f.getAttribute('enabled') === 'yes') ? 'secure' : 'uefi',
    loader: loader?.textContent.trim() ?? '', nvram: os?.querySelector('nvram')?.textContent.trim() ?? '',
    tpm: tpm ? { model: tpm.getAttribute('model') ?? 'tpm-tis', backend: backend?.getAttribute('type') ?? '',
      version: backend?.getAttribute('version') ?? '' } : null,
    sounds: [...doc.querySelectorAll('devices > sound')].map((s) => s.getAttribute('model')),
    serials: [...doc.querySelectorAll('devices > serial, devices > console')].map((s) => ({
      device: s.tagName, type: s.getAttribute('type'), port: s.querySelector('target')?.getAttribute('port') ?? '0',
      target: s.querySelector('target')?.getAttribute('type') ?? '',
    })),
  };
}

// The TPM and sound cards of `v` written into the definition. A TPM that
// was there keeps its backend; a new one is an emulated TPM 2.0. Sound
// cards that stay keep their other settings (codecs, address).
export function writeDevices(doc, v) {
  const devices = doc.querySelector('domain > devices');
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

const nextBoot = () => html`<small class="muted">${t('ed.nextboot')}</small>`;

// The four fieldsets; `ed` is the <vr-domain-edit> (its v, set(), errors).
export function deviceSections(ed) {
  const v = ed.v;
  const err = (k) => html`<p class="error" role="alert" data-testid="ed-${k}-error">${ed.errors[k] ?? ''}</p>`;
  return html`
    <fieldset class="form-grid" data-testid="ed-firmware"><legend>${t('ed.fw')}</legend>
      <span class="label">${t('ed.fw.kind')}</span>
      <div><strong data-testid="ed-fw-kind">${t(`ed.fw.${v.firmware}`)}</strong>
        <small class="muted">${t('ed.fw.fixed')}</small></div>
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
        <th>${t('ed.serial.col.type')}</th><th>${t('ed.serial.col.target')}</th></tr></thead>
        <tbody>${v.serials.map((s) => html`<tr data-serial="${s.device}-${s.port}">
          <td data-label=${t('ed.serial.col.device')}>${t(`ed.serial.${s.device}`, s.port)}</td>
          <td data-label=${t('ed.serial.col.type')}>${s.type}</td>
          <td data-label=${t('ed.serial.col.target')}>${s.target}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">${t('ed.serial.none')}</p>`}</fieldset>`;
}
