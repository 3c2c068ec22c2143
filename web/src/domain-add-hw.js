// <vr-domain-add-hw .domain=${obj} .hw=${parsed}>: virt-manager's "Add
// hardware" on a VM's hardware tab: a disk (a volume of a pool, or a new
// one made there), a CD-ROM with an ISO from a pool, or a network
// interface, hot-plugged; a serial port, a console, the QEMU guest agent's
// or the SPICE agent's channel, which the daemon cannot hot-plug (POST
// devices takes <disk>, <interface> and DIMMs), so they go into the
// definition only (its XML of the next start, defined again) and a running
// VM gets them at its next start. A NIC joins a virtual network, a bridge
// of the host (<interface type='bridge'>) or a host NIC through macvtap
// (<interface type='direct'>), as virt-manager's "network source". A disk or NIC goes into the definition
// and, while the VM runs, into the running VM as well (hot-plug: POST
// devices with persistent). An input device and a USB or PCI device of
// the host go into the definition only too (domain-add-devices.js).
// Each refusal (the daemon's one line) shows next to the field it is
// about. Emits "changed" when a device was added.
import { LitElement, html } from 'lit';
import { domApi } from './api-domains.js';
import { addStrings, t } from './i18n.js';
// The network form's words for a host bridge, a host NIC and macvtap's modes.
import { macvtapModes } from './networks-form.js';
import { addRefused, hostDeviceElement, hostDeviceField, hostDeviceFields, hostKinds, loadHostDevices } from './domain-add-devices.js';

addStrings({
  en: {
    'add.title': 'Add hardware', 'add.kind': 'Kind', 'add.disk': 'Disk', 'add.cdrom': 'CD-ROM',
    'add.nic': 'Network interface', 'add.pool': 'Pool', 'add.volume': 'Volume', 'add.newvol': 'New volume…',
    'add.volname': 'New volume name', 'add.size': 'Size (GiB)', 'add.iso': 'ISO image', 'add.network': 'Network',
    'add.model': 'Model', 'add.submit': 'Add', 'add.done': 'Added {0}.', 'add.live': 'The running VM gets it at once.',
    'add.need.volume': 'Pick a volume, or make a new one.', 'add.need.name': 'Give the new volume a name.',
    'add.need.size': 'Give a size from 1 GiB.', 'add.need.iso': 'Pick an ISO image.', 'add.need.network': 'Pick a network.',
    'add.full': 'No free device name left on this bus.',
    'add.serial': 'Serial port', 'add.console': 'Console', 'add.qga': 'Channel: QEMU guest agent',
    'add.vdagent': 'Channel: SPICE agent (vdagent)',
    'add.char.serial': 'A serial port on a pseudo-terminal (pty): `vireo console` reaches it.',
    'add.char.console': 'A virtio console (pty, hvc in the guest).',
    'add.char.qga': 'The channel qemu-guest-agent in the guest talks on (org.qemu.guest_agent.0).',
    'add.char.vdagent': "The channel spice-vdagent in the guest talks on (com.redhat.spice.0); needs SPICE graphics.",
    'add.nextstart': 'Applies at the next start: the running VM does not get it now.',
    'add.nicsrc': 'Network source', 'add.nicsrc.network': 'Virtual network',
    'add.nicsrc.bridge': 'Bridge of the host', 'add.nicsrc.direct': 'NIC of the host (macvtap)',
    'add.bus': 'Bus', 'add.bus.help': 'virtio is the fastest; SATA and IDE take no disk while the VM runs.',
    'add.file': 'A file of the host…', 'add.path': 'File', 'add.need.path': 'Write the absolute path of the file.',
    'add.path.help': "A path on the daemon's host; qcow2 by its .qcow2 name, raw otherwise.",
    'add.need.bridge': 'Name the host bridge the interface joins.',
    'add.need.dev': 'Name the host NIC the interface uses.',
  },
  es: {
    'add.title': 'Añadir hardware', 'add.kind': 'Tipo', 'add.disk': 'Disco', 'add.cdrom': 'CD-ROM',
    'add.nic': 'Interfaz de red', 'add.pool': 'Grupo de almacenamiento', 'add.volume': 'Volumen', 'add.newvol': 'Volumen nuevo…',
    'add.volname': 'Nombre del volumen nuevo', 'add.size': 'Tamaño (GiB)', 'add.iso': 'Imagen ISO', 'add.network': 'Red',
    'add.model': 'Modelo', 'add.submit': 'Añadir', 'add.done': 'Añadido {0}.',
    'add.live': 'La máquina en ejecución lo recibe al momento.',
    'add.need.volume': 'Elija un volumen o cree uno nuevo.', 'add.need.name': 'Dé un nombre al volumen nuevo.',
    'add.need.size': 'Indique un tamaño desde 1 GiB.', 'add.need.iso': 'Elija una imagen ISO.',
    'add.need.network': 'Elija una red.', 'add.full': 'No queda ningún nombre de dispositivo libre en este bus.',
    'add.serial': 'Puerto serie', 'add.console': 'Consola', 'add.qga': 'Canal: agente invitado de QEMU',
    'add.vdagent': 'Canal: agente SPICE (vdagent)',
    'add.char.serial': 'Un puerto serie en un pseudoterminal (pty): `vireo console` llega a él.',
    'add.char.console': 'Una consola virtio (pty, hvc en el invitado).',
    'add.char.qga': 'El canal por el que habla qemu-guest-agent en el invitado (org.qemu.guest_agent.0).',
    'add.char.vdagent': 'El canal por el que habla spice-vdagent en el invitado (com.redhat.spice.0); necesita gráficos SPICE.',
    'add.nextstart': 'Se aplica en el próximo arranque: la máquina en ejecución no lo recibe ahora.',
    'add.nicsrc': 'Origen de la red', 'add.nicsrc.network': 'Red virtual',
    'add.nicsrc.bridge': 'Puente del anfitrión', 'add.nicsrc.direct': 'Interfaz del anfitrión (macvtap)',
    'add.bus': 'Bus', 'add.bus.help': 'virtio es el más rápido; SATA e IDE no admiten discos con la máquina en ejecución.',
    'add.file': 'Un archivo del anfitrión…', 'add.path': 'Archivo', 'add.need.path': 'Escriba la ruta absoluta del archivo.',
    'add.path.help': 'Una ruta en el anfitrión del demonio; qcow2 si termina en .qcow2, raw si no.',
    'add.need.bridge': 'Indique el puente del anfitrión al que se une la interfaz.',
    'add.need.dev': 'Indique la interfaz del anfitrión que usa la interfaz.',
  },
});

const NEW = '__new__';
const PATH = '__path__'; // a file of the host, outside the pools
// A NIC's source -> the field its refusal lands by.
const nicField = { network: 'network', bridge: 'bridge', direct: 'dev' };
const diskBuses = ['virtio', 'scsi', 'sata', 'ide']; // the daemon's (xml-domain.md)

// The kinds that only the definition takes, and their element.
const charDevices = {
  serial: () => element('serial', { type: 'pty' }),
  console: () => element('console', { type: 'pty' }, [['target', { type: 'virtio' }]]),
  qga: () => element('channel', { type: 'unix' }, [['source', { mode: 'bind' }],
    ['target', { type: 'virtio', name: 'org.qemu.guest_agent.0' }]]),
  vdagent: () => element('channel', { type: 'spicevmc' }, [['target', { type: 'virtio', name: 'com.redhat.spice.0' }]]),
};

// The first free target of a bus prefix (vd, sd) the VM does not use.
function freeTarget(hw, prefix) {
  const used = new Set(hw.disks.map((d) => d.target));
  for (const c of 'abcdefghijklmnopqrstuvwxyz') if (!used.has(prefix + c)) return prefix + c;
  return null;
}

// A device element, its attributes escaped by the DOM.
function element(name, attrs, children = []) {
  const doc = document.implementation.createDocument(null, name, null);
  const build = (el, a, kids) => {
    for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
    for (const [n, ka, kk] of kids) el.appendChild(build(doc.createElement(n), ka, kk ?? []));
    return el;
  };
  return new XMLSerializer().serializeToString(build(doc.documentElement, attrs, children));
}

export class VrDomainAddHw extends LitElement {
  static properties = {
    domain: { attribute: false }, hw: { attribute: false },
    kind: { state: true }, pools: { state: true }, vols: { state: true }, nets: { state: true },
    pool: { state: true }, vol: { state: true }, volName: { state: true }, size: { state: true },
    network: { state: true }, model: { state: true }, errors: { state: true }, done: { state: true },
    nicSrc: { state: true }, bus: { state: true }, path: { state: true }, bridge: { state: true }, dev: { state: true }, mvmode: { state: true },
    busy: { state: true },
    inputType: { state: true }, inputBus: { state: true }, usbDevs: { state: true }, usbNone: { state: true },
    usbDev: { state: true }, usbBy: { state: true }, usbVendor: { state: true }, usbProduct: { state: true },
    pciAddr: { state: true }, pciRefused: { state: true },
  };

  constructor() {
    super();
    this.kind = 'disk';
    this.pools = [];
    this.vols = [];
    this.nets = [];
    this.model = 'virtio';
    this.nicSrc = 'network';
    this.bus = 'virtio';
    this.mvmode = 'bridge';
    this.size = 1;
    this.errors = {};
  }

  createRenderRoot() { return this; }

  connectedCallback() {
    super.connectedCallback();
    this.loadChoices();
  }

  async loadChoices() {
    try {
      this.pools = (await domApi.pools()).filter((p) => p.state === 'running');
      this.nets = await domApi.networks();
      if (!this.pool && this.pools.length) await this.pickPool(this.pools[0].name);
      if (!this.network && this.nets.length) this.network = this.nets[0].name;
      await loadHostDevices(this);
    } catch (err) {
      this.errors = { form: err.message };
    }
  }

  async pickPool(name) {
    this.pool = name;
    this.vols = name ? await domApi.volumes(name) : [];
    this.vol = '';
  }

  // The device element for the form's choices, or null with this.errors set.
  async deviceXml() {
    const e = {};
    let xml = null;
    if (charDevices[this.kind]) {
      xml = charDevices[this.kind]();
    } else if (hostKinds.includes(this.kind)) {
      const spec = hostDeviceElement(this, e);
      if (spec) xml = element(...spec);
    } else if (this.kind === 'nic') {
      const bridge = this.bridge?.trim(), dev = this.dev?.trim();
      const model = ['model', { type: this.model }];
      if (this.nicSrc === 'bridge') {
        if (!bridge) e.bridge = t('add.need.bridge');
        else xml = element('interface', { type: 'bridge' }, [['source', { bridge }], model]);
      } else if (this.nicSrc === 'direct') {
        if (!dev) e.dev = t('add.need.dev');
        else xml = element('interface', { type: 'direct' }, [['source', { dev, mode: this.mvmode }], model]);
      } else if (!this.network) e.network = t('add.need.network');
      else xml = element('interface', { type: 'network' }, [['source', { network: this.network }], model]);
    } else {
      const cdrom = this.kind === 'cdrom';
      const bus = cdrom ? 'scsi' : this.bus;
      const target = freeTarget(this.hw, { virtio: 'vd', ide: 'hd' }[bus] ?? 'sd');
      let vol = this.vol;
      if (!target) e.form = t('add.full');
      else if (cdrom && !vol) e.vol = t('add.need.iso');
      else if (!cdrom && !vol) e.vol = t('add.need.volume');
      else if (vol === NEW && !this.volName) e.volName = t('add.need.name');
      else if (vol === NEW && !(this.size >= 1)) e.size = t('add.need.size');
      else if (vol === PATH && !this.path?.trim().startsWith('/')) e.path = t('add.need.path');
      if (!Object.keys(e).length && vol === NEW) {
        try {
          await domApi.createVolume(this.pool, { name: this.volName, capacity: `${this.size}G`, format: 'qcow2' });
          vol = this.volName;
        } catch (err) {
          e.volName = err.message;
        }
      }
      if (!Object.keys(e).length) {
        const info = this.vols.find((v) => v.name === vol);
        const file = vol === PATH ? this.path.trim() : null;
        const format = file ? (/\.qcow2$/i.test(file) ? 'qcow2' : 'raw')
          : vol === this.volName ? 'qcow2' : (info?.format ?? 'raw');
        xml = element('disk', { type: file ? 'file' : 'volume', device: cdrom ? 'cdrom' : 'disk' }, [
          ['driver', { name: 'qemu', type: cdrom ? 'raw' : format }],
          ['source', file ? { file } : { pool: this.pool, volume: vol }],
          ['target', { dev: target, bus }],
          ...(cdrom ? [['readonly', {}]] : [])]);
      }
    }
    this.errors = e;
    return xml;
  }

  // The definition of the next start with `xml` in its <devices>, defined
  // again: the daemon checks and completes it as at `vireo define`.
  async defineWith(xml) {
    const doc = new DOMParser().parseFromString(await domApi.xml(this.domain.name, true, true), 'application/xml');
    const dev = new DOMParser().parseFromString(xml, 'application/xml').documentElement;
    doc.querySelector('domain > devices').appendChild(doc.importNode(dev, true));
    await domApi.define(new XMLSerializer().serializeToString(doc));
  }

  async submit(ev) {
    ev.preventDefault();
    this.done = null;
    this.busy = true;
    try {
      const xml = await this.deviceXml();
      if (!xml) return;
      const char = !!charDevices[this.kind] || hostKinds.includes(this.kind);
      try {
        if (char) await this.defineWith(xml);
        else await domApi.attach(this.domain.name, xml);
      } catch (err) {
        // The daemon's line is about the device: next to what chose it.
        this.errors = { [hostKinds.includes(this.kind) ? hostDeviceField(this) : char ? 'kind' : this.kind === 'nic' ? nicField[this.nicSrc]
          : this.kind === 'disk' && /\bbus\b|controller/.test(err.message) ? 'bus' : this.vol === PATH ? 'path' : 'vol']: err.message };
        return;
      }
      this.done = t('add.done', t(`add.${this.kind}`))
        + (char && this.domain.state !== 'shut off' ? ` ${t('add.nextstart')}` : '');
      this.volName = '';
      await this.pickPool(this.pool);
      this.dispatchEvent(new CustomEvent('changed', { bubbles: true }));
    } finally {
      this.busy = false;
    }
  }

  err(key) {
    return html`<p class="error" role="alert" id="add-${key}-error" data-testid="add-${key}-error">${this.errors[key] ?? ''}</p>`;
  }

  render() {
    const running = this.domain.state !== 'shut off';
    const char = !!charDevices[this.kind] || hostKinds.includes(this.kind);
    const isos = this.vols.filter((v) => /\.iso$/i.test(v.name));
    const vols = this.kind === 'cdrom' ? isos : this.vols.filter((v) => !/\.iso$/i.test(v.name));
    return html`<form @submit=${this.submit} novalidate data-testid="hw-add">
      <h2>${t('add.title')}</h2>
      ${running ? html`<p class="notice" data-testid="add-when">${t(char ? 'add.nextstart' : 'add.live')}</p>` : ''}
      <div class="row">
        <div class="field"><label for="add-kind">${t('add.kind')}</label>
          <select id="add-kind" aria-describedby="add-kind-error" @change=${(e) => { this.kind = e.target.value; this.vol = ''; this.errors = {}; this.done = null; }}>
            ${['disk', 'cdrom', 'nic', ...hostKinds, ...Object.keys(charDevices)].map((k) => html`<option value=${k} ?selected=${this.kind === k}>${t(`add.${k}`)}</option>`)}
          </select>${this.err('kind')}</div>
        ${hostKinds.includes(this.kind) ? hostDeviceFields(this, (k, v) => { this[k] = v; this.errors = {}; }, (k) => this.err(k))
        : char ? html`<p class="muted" data-testid="add-char-help">${t(`add.char.${this.kind}`)}</p>`
        : this.kind === 'nic' ? html`
          <div class="field"><label for="add-nicsrc">${t('add.nicsrc')}</label>
            <select id="add-nicsrc" @change=${(e) => { this.nicSrc = e.target.value; this.errors = {}; }}>
              ${Object.keys(nicField).map((k) => html`<option value=${k} ?selected=${this.nicSrc === k}>${t(`add.nicsrc.${k}`)}</option>`)}</select></div>
          ${this.nicSrc === 'bridge' ? html`<div class="field"><label for="add-bridge">${t('net.f.bridge')}</label>
            <input id="add-bridge" .value=${this.bridge ?? ''} placeholder="br0" autocomplete="off" spellcheck="false"
              aria-describedby="add-bridge-help add-bridge-error" aria-invalid=${this.errors.bridge ? 'true' : 'false'}
              @input=${(e) => { this.bridge = e.target.value; }}>
            <small class="muted" id="add-bridge-help">${t('net.f.bridge.help')}</small>${this.err('bridge')}</div>`
          : this.nicSrc === 'direct' ? html`<div class="field"><label for="add-dev">${t('net.f.dev')}</label>
            <input id="add-dev" .value=${this.dev ?? ''} placeholder="enp1s0" autocomplete="off" spellcheck="false"
              aria-describedby="add-dev-help add-dev-error" aria-invalid=${this.errors.dev ? 'true' : 'false'}
              @input=${(e) => { this.dev = e.target.value; }}>
            <small class="muted" id="add-dev-help">${t('net.f.dev.help')}</small>${this.err('dev')}</div>
          <div class="field"><label for="add-mvmode">${t('net.f.mvmode')}</label>
            <select id="add-mvmode" @change=${(e) => { this.mvmode = e.target.value; }}>
              ${macvtapModes.map((m) => html`<option ?selected=${this.mvmode === m}>${m}</option>`)}</select></div>`
          : html`<div class="field"><label for="add-network">${t('add.network')}</label>
            <select id="add-network" aria-describedby="add-network-error" @change=${(e) => { this.network = e.target.value; }}>
              ${this.nets.map((n) => html`<option ?selected=${this.network === n.name}>${n.name}</option>`)}</select>
            ${this.err('network')}</div>`}
          <div class="field"><label for="add-model">${t('add.model')}</label>
            <select id="add-model" @change=${(e) => { this.model = e.target.value; }}>
              ${['virtio', 'e1000e', 'rtl8139'].map((m) => html`<option ?selected=${this.model === m}>${m}</option>`)}</select></div>`
        : html`
          <div class="field"><label for="add-pool">${t('add.pool')}</label>
            <select id="add-pool" @change=${(e) => this.pickPool(e.target.value)}>
              ${this.pools.map((p) => html`<option ?selected=${this.pool === p.name}>${p.name}</option>`)}</select></div>
          <div class="field"><label for="add-vol">${t(this.kind === 'cdrom' ? 'add.iso' : 'add.volume')}</label>
            <select id="add-vol" aria-describedby="add-vol-error" @change=${(e) => { this.vol = e.target.value; }}>
              <option value="" ?selected=${!this.vol}>—</option>
              ${vols.map((v) => html`<option value=${v.name} ?selected=${this.vol === v.name}>${v.name}</option>`)}
              ${this.kind === 'disk' ? html`<option value=${NEW} ?selected=${this.vol === NEW}>${t('add.newvol')}</option>` : ''}
              <option value=${PATH} ?selected=${this.vol === PATH}>${t('add.file')}</option>
            </select>${this.err('vol')}</div>
          ${this.vol === PATH ? html`<div class="field"><label for="add-path">${t('add.path')}</label>
            <input id="add-path" .value=${this.path ?? ''} placeholder=${this.kind === 'cdrom' ? '/srv/isos/debian.iso' : '/srv/vm/disk.qcow2'}
              autocomplete="off" spellcheck="false" aria-describedby="add-path-help add-path-error"
              aria-invalid=${this.errors.path ? 'true' : 'false'} @input=${(e) => { this.path = e.target.value; }}>
            <small class="muted" id="add-path-help">${t('add.path.help')}</small>${this.err('path')}</div>` : ''}
          ${this.kind === 'disk' ? html`<div class="field"><label for="add-bus">${t('add.bus')}</label>
            <select id="add-bus" aria-describedby="add-bus-help add-bus-error" aria-invalid=${this.errors.bus ? 'true' : 'false'}
              @change=${(e) => { this.bus = e.target.value; this.errors = {}; }}>
              ${diskBuses.map((b) => html`<option value=${b} ?selected=${this.bus === b}>${b}</option>`)}</select>
            <small class="muted" id="add-bus-help">${t('add.bus.help')}</small>${this.err('bus')}</div>` : ''}
          ${this.vol === NEW ? html`
            <div class="field"><label for="add-volname">${t('add.volname')}</label>
              <input id="add-volname" aria-describedby="add-volName-error" .value=${this.volName ?? ''}
                @input=${(e) => { this.volName = e.target.value; }}>${this.err('volName')}</div>
            <div class="field"><label for="add-size">${t('add.size')}</label>
              <input id="add-size" type="number" min="1" aria-describedby="add-size-error" .value=${String(this.size)}
                @input=${(e) => { this.size = e.target.valueAsNumber; }}>${this.err('size')}</div>` : ''}`}
      </div>
      ${this.err('form')}
      <p role="status" class="ok" data-testid="add-status">${this.done ?? ''}</p>
      <button type="submit" class="primary" ?disabled=${this.busy || addRefused(this)}>${t('add.submit')}</button>
    </form>`;
  }
}
customElements.define('vr-domain-add-hw', VrDomainAddHw);
