// <vr-domain-hardware .domain=${obj}>: disks, NICs, boot order, memory
// and vCPUs, read from the definition the next start uses. Memory, vCPUs
// and boot order are editable while the VM is shut off: the page edits
// that XML and defines it again (the daemon checks it as it checks
// `vireo define`), so nothing else in the definition changes. While it
// runs, the memory it may use moves through its balloon (vireo setmem
// --live: PUT /v1/domains/NAME/memory), as virt-manager's "current
// allocation" does. Serial ports, consoles and channels are listed with
// Remove, as on the Details tab (domain-edit-devices.js): the daemon
// does not hot-unplug them, so a running VM loses one at its next start.
import { LitElement, html } from 'lit';
import { domApi } from './api-domains.js';
import { addStrings, t } from './i18n.js';
import { readDevices, serialKey, withoutSerial, writeDevices } from './domain-edit-devices.js';
import './domain-add-hw.js';

addStrings({
  en: {
    'hw.disks': 'Disks', 'hw.nics': 'Network interfaces', 'hw.boot': 'Boot order', 'hw.resources': 'Memory and vCPUs',
    'hw.target': 'Device', 'hw.device': 'Kind', 'hw.source': 'Source', 'hw.format': 'Format', 'hw.bus': 'Bus',
    'hw.type': 'Type', 'hw.model': 'Model', 'hw.mac': 'MAC address',
    'hw.kernel': 'Boots a kernel directly: {0}', 'hw.memory': 'Memory (MiB)', 'hw.vcpus': 'vCPUs',
    'hw.save': 'Apply', 'hw.saved': 'Saved: the next start uses it.', 'hw.offonly': 'Shut the VM off to change these.',
    'hw.up': 'Move up', 'hw.down': 'Move down', 'hw.others': 'Input and host devices',
    'hw.boot.perdev': 'This VM boots by the order of its devices (a disk or NIC each): change it on the Details tab.', 'hw.dev.hd': 'Hard disk', 'hw.dev.cdrom': 'CD-ROM',
    'hw.dev.network': 'Network (PXE)', 'hw.dev.fd': 'Floppy', 'hw.empty': '(empty)', 'hw.none': 'None.',
    'hw.live': 'Memory while it runs', 'hw.cur': 'Current allocation (MiB)',
    'hw.cur.help': 'The guest gives memory back through its balloon driver; at most {0} MiB.',
    'hw.cur.apply': 'Apply now', 'hw.cur.done': 'The guest was asked to use {0} MiB.',
    'hw.cur.range': 'Give a whole number from 1 to {0}.',
    'hw.actions': 'Actions', 'hw.remove': 'Remove', 'hw.media': 'Change media', 'hw.eject': '(eject)',
    'hw.removed': 'Removed {0}.', 'hw.changed': 'The medium of {0} changed.',
    'hw.serials': 'Serial ports, consoles and channels', 'hw.removed.next': 'Removed {0}: the next start goes without it.',
  },
  es: {
    'hw.disks': 'Discos', 'hw.nics': 'Interfaces de red', 'hw.boot': 'Orden de arranque', 'hw.resources': 'Memoria y vCPU',
    'hw.target': 'Dispositivo', 'hw.device': 'Tipo', 'hw.source': 'Origen', 'hw.format': 'Formato', 'hw.bus': 'Bus',
    'hw.type': 'Tipo', 'hw.model': 'Modelo', 'hw.mac': 'Dirección MAC',
    'hw.kernel': 'Arranca un kernel directamente: {0}', 'hw.memory': 'Memoria (MiB)', 'hw.vcpus': 'vCPU',
    'hw.save': 'Aplicar', 'hw.saved': 'Guardado: el próximo arranque lo usa.',
    'hw.offonly': 'Apague la máquina para cambiar esto.', 'hw.up': 'Subir', 'hw.down': 'Bajar', 'hw.others': 'Dispositivos de entrada y del anfitrión',
    'hw.boot.perdev': 'Esta máquina arranca por el orden de sus dispositivos (cada disco o interfaz): cámbielo en la pestaña Detalles.',
    'hw.dev.hd': 'Disco duro', 'hw.dev.cdrom': 'CD-ROM', 'hw.dev.network': 'Red (PXE)', 'hw.dev.fd': 'Disquete',
    'hw.empty': '(vacío)', 'hw.none': 'Ninguno.',
    'hw.live': 'Memoria en ejecución', 'hw.cur': 'Asignación actual (MiB)',
    'hw.cur.help': 'El invitado devuelve memoria mediante su controlador de globo; como máximo {0} MiB.',
    'hw.cur.apply': 'Aplicar ahora', 'hw.cur.done': 'Se pidió al invitado que use {0} MiB.',
    'hw.cur.range': 'Indique un número entero de 1 a {0}.',
    'hw.actions': 'Acciones', 'hw.remove': 'Quitar', 'hw.media': 'Cambiar medio', 'hw.eject': '(expulsar)',
    'hw.removed': 'Quitado {0}.', 'hw.changed': 'Cambió el medio de {0}.',
    'hw.serials': 'Puertos serie, consolas y canales', 'hw.removed.next': 'Quitado {0}: el próximo arranque ya no lo tiene.',
  },
});

const kib = { b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, m: 1024, mib: 1024, g: 1048576, gib: 1048576 };

function parse(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const q = (sel, el = doc) => el.querySelector(sel);
  const attr = (el, a) => el?.getAttribute(a) ?? '';
  const memEl = q('domain > memory');
  const unit = (attr(memEl, 'unit') || 'KiB').toLowerCase();
  const disks = [...doc.querySelectorAll('devices > disk')].map((d) => {
    const src = q('source', d);
    return {
      target: attr(q('target', d), 'dev'), bus: attr(q('target', d), 'bus'), device: attr(d, 'device'),
      format: attr(q('driver', d), 'type'),
      source: src ? (attr(src, 'volume') ? `${attr(src, 'pool')}/${attr(src, 'volume')}` : attr(src, 'file') || attr(src, 'dev')) : '',
    };
  });
  const nics = [...doc.querySelectorAll('devices > interface')].map((n) => ({
    type: attr(n, 'type'),
    source: attr(q('source', n), 'network') || attr(q('source', n), 'bridge') || attr(q('source', n), 'dev'),
    model: attr(q('model', n), 'type'), mac: attr(q('mac', n), 'address'),
  }));
  return {
    doc, disks, nics, serials: readDevices(doc).serials, others: readOthers(doc),
    memoryMib: Math.round((Number(memEl?.textContent) * (kib[unit] ?? 1)) / 1024),
    vcpus: Number(q('domain > vcpu')?.textContent ?? 1),
    boot: [...doc.querySelectorAll('os > boot')].map((b) => attr(b, 'dev')),
    // Boot order per device (<boot order> on disks and NICs): set on the Details tab.
    perDevice: !!doc.querySelector('devices > disk > boot[order], devices > interface > boot[order]'),
    kernel: q('os > kernel')?.textContent ?? null,
    // QEMU gets a virtio balloon unless the definition says none.
    balloon: attr(q('devices > memballoon'), 'model') !== 'none',
  };
}

// Input devices and host devices (Add hardware puts them in the
// definition): a key (input-0, hostdev-1: the nth such element) and what it is.
function readOthers(doc) {
  const attr = (el, a) => el?.getAttribute(a) ?? '';
  const inputs = [...doc.querySelectorAll('devices > input')].map((el, i) => ({
    key: `input-${i}`, kind: 'input', what: `${attr(el, 'type')} (${attr(el, 'bus')})`, xml: new XMLSerializer().serializeToString(el) }));
  const hostdevs = [...doc.querySelectorAll('devices > hostdev')].map((el, i) => {
    const v = el.querySelector('source > vendor'), p = el.querySelector('source > product');
    const a = el.querySelector('source > address');
    const what = attr(el, 'type') === 'usb'
      ? [v && p ? `${attr(v, 'id').replace(/^0x/, '')}:${attr(p, 'id').replace(/^0x/, '')}` : '',
        a ? `bus ${attr(a, 'bus')} device ${attr(a, 'device')}` : ''].filter(Boolean).join(', ')
      : a ? `${attr(a, 'domain').replace(/^0x/, '')}:${attr(a, 'bus').replace(/^0x/, '')}:${attr(a, 'slot').replace(/^0x/, '')}.${attr(a, 'function').replace(/^0x/, '')}` : '';
    return { key: `hostdev-${i}`, kind: attr(el, 'type') === 'usb' ? 'usb' : 'pci', what, xml: new XMLSerializer().serializeToString(el) };
  });
  return [...inputs, ...hostdevs];
}

export class VrDomainHardware extends LitElement {
  static properties = {
    domain: { attribute: false }, hw: { state: true }, mem: { state: true }, vcpus: { state: true },
    boot: { state: true }, error: { state: true }, saved: { state: true }, busy: { state: true },
    cur: { state: true }, curError: { state: true }, curDone: { state: true },
    rowError: { state: true }, rowDone: { state: true }, isos: { state: true }, media: { state: true },
  };

  createRenderRoot() { return this; }

  willUpdate(changed) {
    const old = changed.get('domain');
    // Another VM (the page keeps this element) or another state of this one.
    if (changed.has('domain') && (!old || old.name !== this.domain.name || old.state !== this.domain.state)) {
      this.cur = this.curError = this.curDone = null; // a new run starts from its definition
      this.load();
    }
  }

  async load() {
    try {
      this.hw = parse(await domApi.xml(this.domain.name, true, true));
      this.mem = this.hw.memoryMib;
      this.vcpus = this.hw.vcpus;
      // Every device kind the VM has, in its boot order, then the rest.
      const kinds = new Set(this.hw.boot);
      if (this.hw.disks.some((d) => d.device === 'disk')) kinds.add('hd');
      if (this.hw.disks.some((d) => d.device === 'cdrom')) kinds.add('cdrom');
      if (this.hw.nics.length) kinds.add('network');
      this.boot = [...kinds].map((dev) => ({ dev, on: this.hw.boot.includes(dev) }));
      this.error = null;
    } catch (err) {
      this.error = t('err.generic', err.message);
    }
  }

  // Remove a disk (by target) or an interface (by MAC): from the
  // definition and, while it runs, from the VM (hot-unplug).
  // Not named remove(): that is Element's, and lit removes this element
  // with it when the page leaves the tab (it stayed on every other tab).
  async removeDevice(key, fn, nextStart = false) {
    this.rowError = null;
    this.rowDone = null;
    try {
      await fn();
      this.rowDone = t(nextStart && this.domain.state !== 'shut off' ? 'hw.removed.next' : 'hw.removed', key);
      await this.load();
    } catch (err) {
      this.rowError = { key, message: err.message };
    }
  }

  // The ISO volumes of the running pools, for change-media.
  async loadIsos() {
    if (this.isos) return;
    const isos = [];
    for (const p of (await domApi.pools()).filter((x) => x.state === 'running'))
      for (const v of await domApi.volumes(p.name)) if (/\.iso$/i.test(v.name)) isos.push(v.path);
    this.isos = isos;
  }

  async changeMedia(target) {
    this.rowError = null;
    this.rowDone = null;
    try {
      await domApi.media(this.domain.name, target, this.media?.[target] || undefined);
      this.rowDone = t('hw.changed', target);
      await this.load();
    } catch (err) {
      this.rowError = { key: target, message: err.message };
    }
  }

  // A serial port, console or channel out of the definition the next
  // start uses, read anew (and its serial-0 console pair with it).
  async removeSerial(s) {
    const doc = new DOMParser().parseFromString(await domApi.xml(this.domain.name, true, true), 'application/xml');
    const v = readDevices(doc);
    const mine = v.serials.find((x) => serialKey(x) === serialKey(s));
    if (!mine) return; // gone already
    writeDevices(doc, { ...v, serials: withoutSerial(v.serials, mine) });
    await domApi.define(new XMLSerializer().serializeToString(doc));
  }

  // An input or host device out of the definition the next start uses,
  // read anew: the element that reads the same as the one listed.
  async removeOther(o) {
    const doc = new DOMParser().parseFromString(await domApi.xml(this.domain.name, true, true), 'application/xml');
    const el = [...doc.querySelectorAll(`devices > ${o.key.split('-')[0]}`)]
      .find((x) => new XMLSerializer().serializeToString(x) === o.xml);
    if (!el) return; // gone already
    el.remove();
    await domApi.define(new XMLSerializer().serializeToString(doc));
  }

  rowActions(key, removeFn, cdromTarget, nextStart = false) {
    const err = this.rowError?.key === key ? this.rowError.message : '';
    return html`<td>
      ${cdromTarget ? html`<select aria-label="${t('hw.media')}: ${key}" @focus=${() => this.loadIsos()}
          @change=${(e) => { this.media = { ...this.media, [key]: e.target.value }; }}>
          <option value="">${t('hw.eject')}</option>
          ${(this.isos ?? []).map((p) => html`<option value=${p}>${p.split('/').pop()}</option>`)}</select>
        <button type="button" class="small" @click=${() => this.changeMedia(key)}>${t('hw.media')}</button>` : ''}
      <button type="button" class="small" data-testid="hw-remove-${key}" aria-describedby="hw-row-error-${key}"
        @click=${() => this.removeDevice(key, removeFn, nextStart)}>${t('hw.remove')}</button>
      <p class="error" role="alert" id="hw-row-error-${key}" data-testid="hw-row-error-${key}">${err}</p></td>`;
  }

  move(i, by) {
    const b = [...this.boot];
    [b[i], b[i + by]] = [b[i + by], b[i]];
    this.boot = b;
  }

  // The running VM's balloon target, in MiB, checked here and by the daemon.
  async applyLive(e) {
    e.preventDefault();
    const max = Math.floor(this.domain.memory_kib / 1024);
    this.curDone = null;
    if (!Number.isInteger(this.cur) || this.cur < 1 || this.cur > max) {
      this.curError = t('hw.cur.range', max);
      return;
    }
    this.busy = true;
    try {
      await domApi.setMemory(this.domain.name, { current_kib: this.cur * 1024, live: true });
      this.curError = null;
      this.curDone = t('hw.cur.done', this.cur);
    } catch (err) {
      this.curError = err.message;
    } finally {
      this.busy = false;
    }
  }

  liveMemory() {
    const d = this.domain;
    if (d.state === 'shut off' || !this.hw.balloon) return '';
    const max = Math.floor(d.memory_kib / 1024);
    const value = this.cur ?? Math.floor((d.current_memory_kib ?? d.memory_kib) / 1024);
    return html`<form @submit=${this.applyLive} novalidate data-testid="hw-live-mem">
        <h2>${t('hw.live')}</h2>
        <div class="row"><div class="field"><label for="hw-cur">${t('hw.cur')}</label>
          <input id="hw-cur" type="number" min="1" max=${max} .value=${String(value)} aria-describedby="hw-cur-help"
            @input=${(e) => { this.cur = e.target.valueAsNumber; }}>
          <small id="hw-cur-help">${t('hw.cur.help', max)}</small>
          <p class="error" role="alert" data-testid="hw-cur-error">${this.curError ?? ''}</p></div></div>
        <p role="status" class="ok" data-testid="hw-cur-status">${this.curDone ?? ''}</p>
        <button type="submit" ?disabled=${this.busy}>${t('hw.cur.apply')}</button>
      </form>`;
  }

  async save(e) {
    e.preventDefault();
    const doc = this.hw.doc;
    const mem = doc.querySelector('domain > memory'), cur = doc.querySelector('domain > currentMemory');
    for (const el of [mem, cur].filter(Boolean)) {
      el.setAttribute('unit', 'MiB');
      el.textContent = String(this.mem);
    }
    doc.querySelector('domain > vcpu').textContent = String(this.vcpus);
    const os = doc.querySelector('domain > os');
    if (!this.hw.perDevice) for (const b of [...os.querySelectorAll('boot')]) b.remove();
    if (!this.hw.kernel && !this.hw.perDevice) {
      const ns = os.namespaceURI;
      for (const { dev } of this.boot.filter((x) => x.on)) {
        const el = doc.createElementNS(ns, 'boot');
        el.setAttribute('dev', dev);
        os.appendChild(el);
      }
    }
    this.busy = true;
    try {
      await domApi.define(new XMLSerializer().serializeToString(doc));
      this.saved = t('hw.saved');
      this.error = null;
      await this.load();
    } catch (err) {
      this.error = err.message;
      this.saved = null;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const hw = this.hw;
    if (!hw) return html`<p class="error" role="alert">${this.error ?? ''}</p>`;
    const off = this.domain.state === 'shut off';
    return html`<h2>${t('hw.disks')}</h2>
      ${hw.disks.length ? html`<div class="scroll"><table class="grid" data-testid="hw-disks">
        <thead><tr><th>${t('hw.target')}</th><th>${t('hw.device')}</th><th>${t('hw.bus')}</th><th>${t('hw.format')}</th><th>${t('hw.source')}</th><th>${t('hw.actions')}</th></tr></thead>
        <tbody>${hw.disks.map((d) => html`<tr data-disk=${d.target}><td>${d.target}</td><td>${t(`hw.dev.${d.device === 'disk' ? 'hd' : d.device}`)}</td>
          <td>${d.bus}</td><td>${d.format}</td><td class="path">${d.source || t('hw.empty')}</td>
          ${this.rowActions(d.target, () => domApi.detachDisk(this.domain.name, d.target), d.device === 'cdrom')}</tr>`)}</tbody></table></div>` : html`<p>${t('hw.none')}</p>`}
      <h2>${t('hw.nics')}</h2>
      ${hw.nics.length ? html`<div class="scroll"><table class="grid" data-testid="hw-nics">
        <thead><tr><th>${t('hw.type')}</th><th>${t('hw.source')}</th><th>${t('hw.model')}</th><th>${t('hw.mac')}</th><th>${t('hw.actions')}</th></tr></thead>
        <tbody>${hw.nics.map((n) => html`<tr><td>${n.type}</td><td>${n.source}</td><td>${n.model}</td><td><code>${n.mac}</code></td>
          ${this.rowActions(n.mac, () => domApi.detachIface(this.domain.name, n.type, n.mac))}</tr>`)}</tbody>
        </table></div>` : html`<p>${t('hw.none')}</p>`}
      <h2>${t('hw.serials')}</h2>
      ${hw.serials.length ? html`<div class="scroll"><table class="grid" data-testid="hw-serials">
        <thead><tr><th>${t('ed.serial.col.device')}</th><th>${t('ed.serial.col.type')}</th><th>${t('ed.serial.col.target')}</th><th>${t('hw.actions')}</th></tr></thead>
        <tbody>${hw.serials.map((s) => html`<tr data-serial=${serialKey(s)}><td>${t(`ed.serial.${s.device}`, s.port)}</td>
          <td>${s.type}</td><td>${s.target}</td>
          ${this.rowActions(serialKey(s), () => this.removeSerial(s), false, true)}</tr>`)}</tbody>
        </table></div>` : html`<p>${t('ed.serial.none')}</p>`}
      ${hw.others.length ? html`<h2>${t('hw.others')}</h2>
        <div class="scroll"><table class="grid" data-testid="hw-others">
        <thead><tr><th>${t('hw.device')}</th><th>${t('hw.source')}</th><th>${t('hw.actions')}</th></tr></thead>
        <tbody>${hw.others.map((o) => html`<tr data-other=${o.key}><td>${t(`add.${o.kind}`)}</td><td>${o.what}</td>
          ${this.rowActions(o.key, () => this.removeOther(o), false, true)}</tr>`)}</tbody>
        </table></div>` : ''}
      <p role="status" class="ok" data-testid="hw-row-status">${this.rowDone ?? ''}</p>
      <vr-domain-add-hw .domain=${this.domain} .hw=${hw} @changed=${() => this.load()}></vr-domain-add-hw>
      ${this.liveMemory()}
      <form @submit=${this.save} novalidate data-testid="hw-form">
        <h2>${t('hw.resources')}</h2>
        ${off ? '' : html`<p class="notice">${t('hw.offonly')}</p>`}
        <div class="row">
          <div class="field"><label for="hw-mem">${t('hw.memory')}</label>
            <input id="hw-mem" type="number" min="16" .value=${String(this.mem)} ?disabled=${!off}
              @input=${(e) => { this.mem = e.target.valueAsNumber; }}></div>
          <div class="field"><label for="hw-vcpus">${t('hw.vcpus')}</label>
            <input id="hw-vcpus" type="number" min="1" .value=${String(this.vcpus)} ?disabled=${!off}
              @input=${(e) => { this.vcpus = e.target.valueAsNumber; }}></div>
        </div>
        <h2>${t('hw.boot')}</h2>
        ${hw.kernel ? html`<p>${t('hw.kernel', hw.kernel)}</p>` : ''}
        ${hw.perDevice ? html`<p data-testid="hw-boot-perdev">${t('hw.boot.perdev')}</p>` : ''}
        ${hw.kernel || hw.perDevice ? '' : html`<ol class="boot" data-testid="hw-boot">
          ${this.boot.map((b, i) => html`<li>
            <label class="radio"><input type="checkbox" .checked=${b.on} ?disabled=${!off}
              @change=${(e) => { this.boot = this.boot.map((x, j) => (j === i ? { ...x, on: e.target.checked } : x)); }}>
              ${t(`hw.dev.${b.dev}`)}</label>
            <button type="button" class="small" aria-label="${t('hw.up')}: ${t(`hw.dev.${b.dev}`)}" ?disabled=${!off || i === 0}
              @click=${() => this.move(i, -1)}>↑</button>
            <button type="button" class="small" aria-label="${t('hw.down')}: ${t(`hw.dev.${b.dev}`)}"
              ?disabled=${!off || i === this.boot.length - 1} @click=${() => this.move(i, 1)}>↓</button></li>`)}</ol>`}
        <p class="error" role="alert" data-testid="hw-error">${this.error ?? ''}</p>
        <p role="status" class="ok">${this.saved ?? ''}</p>
        <button type="submit" class="primary" ?disabled=${!off || this.busy}>${t('hw.save')}</button>
      </form>`;
  }
}
customElements.define('vr-domain-hardware', VrDomainHardware);
