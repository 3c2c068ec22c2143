// <vr-domain-edit .domain=${obj}>: the "Details" tab, virt-manager's
// details editable: title and description, vCPUs and their topology,
// the CPU mode and model, memory and current memory, boot order and boot
// menu (by device kind, <os><boot dev>, or per disk and NIC, <boot
// order>), each NIC's model and network, the video model, autostart; the
// firmware, TPM, sound and serial sections are domain-edit-devices.js. It
// edits the XML of the next start (GET …/xml?inactive=1) in place and
// defines it again (POST /v1/domains), so everything it does not show
// stays as it was, and the daemon checks the result as `vireo define`
// does. A running VM keeps its live definition until it stops (as
// virt-manager's "takes effect after the next shutdown"). A refusal lands
// by the field whose element the daemon's message names. A running VM
// with the guest agent shows its filesystems below (domain-guestfs.js).
import { LitElement, html } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { domApi } from './api-domains.js';
import { addStrings, t } from './i18n.js';
import { deviceFields, deviceSections, readDevices, writeDevices } from './domain-edit-devices.js';
import './domain-guestfs.js';

addStrings({
  en: {
    'ed.general': 'General', 'ed.title': 'Title', 'ed.description': 'Description',
    'ed.cpu': 'Processor', 'ed.vcpus': 'vCPUs', 'ed.topology': 'Topology',
    'ed.topology.manual': 'Set the topology by hand', 'ed.sockets': 'Sockets', 'ed.cores': 'Cores', 'ed.threads': 'Threads',
    'ed.cpumode': 'CPU model', 'ed.cpumode.default': "QEMU's default", 'ed.cpumode.host-passthrough': 'host-passthrough (the host CPU)',
    'ed.cpumode.host-model': 'host-model', 'ed.cpumode.maximum': 'maximum', 'ed.cpumode.custom': 'a named model:',
    'ed.cpumodel': 'Model name',
    'ed.memory': 'Memory', 'ed.maxmem': 'Maximum memory (MiB)', 'ed.curmem': 'Current memory (MiB)',
    'ed.boot': 'Boot options', 'ed.bootmenu': 'Show the boot menu', 'ed.autostart': 'Start the VM with the host',
    'ed.bootdev': 'Boot from {0}', 'ed.bootkind': 'By device kind', 'ed.bootdevs': 'Per device',
    'ed.bootdevs.help': "Each disk and NIC checked boots in this order (<boot order> on the device); the kinds above (<os><boot dev>) must then be unchecked: libvirt takes one or the other.",
    'ed.bootdisk': 'Disk {0} ({1})', 'ed.bootnic': 'Interface {0} ({1})',
    'ed.err.bootmix': 'Boot by device kind or per device, not both (libvirt refuses <os><boot dev> with <boot order>): uncheck the kinds or the devices.',
    'ed.nics': 'Network interfaces', 'ed.nic': 'Interface {0} ({1})',
    'ed.nicmodel': 'Model of interface {0}', 'ed.nicnet': 'Network of interface {0}',
    'ed.nic.bridge': 'Host bridge of interface {0}', 'ed.nic.direct': 'Host NIC (macvtap) of interface {0}',
    'ed.err.bridge': 'Interface {0}: name the host bridge it joins.', 'ed.err.direct': 'Interface {0}: name the host NIC it uses.',
    'ed.video': 'Video', 'ed.videomodel': 'Video model', 'ed.none': 'none',
    'ed.video.none': 'No video card: the VM has no screen (a serial console only).', 'ed.video.add': 'Add a video card',
    'ed.save': 'Apply', 'ed.saved': 'Saved.', 'ed.saved.running': 'Saved: the VM uses it from its next start.',
    'ed.revert': 'Undo changes',
    'ed.err.vcpus': 'A whole number from 1 up.', 'ed.err.topology': 'Sockets × cores × threads must equal the vCPUs ({0}).',
    'ed.err.mem': 'A whole number of MiB from 1 up.', 'ed.err.cur': 'At most the maximum memory ({0} MiB).',
    'ed.err.model': 'Name the CPU model (for example qemu64).',
  },
  es: {
    'ed.general': 'General', 'ed.title': 'Título', 'ed.description': 'Descripción',
    'ed.cpu': 'Procesador', 'ed.vcpus': 'vCPU', 'ed.topology': 'Topología',
    'ed.topology.manual': 'Fijar la topología a mano', 'ed.sockets': 'Zócalos', 'ed.cores': 'Núcleos', 'ed.threads': 'Hilos',
    'ed.cpumode': 'Modelo de CPU', 'ed.cpumode.default': 'el de QEMU por defecto',
    'ed.cpumode.host-passthrough': 'host-passthrough (la CPU del anfitrión)',
    'ed.cpumode.host-model': 'host-model', 'ed.cpumode.maximum': 'maximum', 'ed.cpumode.custom': 'un modelo concreto:',
    'ed.cpumodel': 'Nombre del modelo',
    'ed.memory': 'Memoria', 'ed.maxmem': 'Memoria máxima (MiB)', 'ed.curmem': 'Memoria actual (MiB)',
    'ed.boot': 'Opciones de arranque', 'ed.bootmenu': 'Mostrar el menú de arranque',
    'ed.autostart': 'Iniciar la máquina con el anfitrión',
    'ed.bootdev': 'Arrancar desde {0}', 'ed.bootkind': 'Por tipo de dispositivo', 'ed.bootdevs': 'Por dispositivo',
    'ed.bootdevs.help': 'Cada disco e interfaz marcados arrancan en este orden (<boot order> en el dispositivo); los tipos de arriba (<os><boot dev>) deben quedar sin marcar: libvirt admite uno u otro.',
    'ed.bootdisk': 'Disco {0} ({1})', 'ed.bootnic': 'Interfaz {0} ({1})',
    'ed.err.bootmix': 'Arranque por tipo de dispositivo o por dispositivo, no ambos (libvirt rechaza <os><boot dev> con <boot order>): desmarque los tipos o los dispositivos.',
    'ed.nics': 'Interfaces de red', 'ed.nic': 'Interfaz {0} ({1})',
    'ed.nicmodel': 'Modelo de la interfaz {0}', 'ed.nicnet': 'Red de la interfaz {0}',
    'ed.nic.bridge': 'Puente del anfitrión de la interfaz {0}', 'ed.nic.direct': 'Interfaz del anfitrión (macvtap) de la interfaz {0}',
    'ed.err.bridge': 'Interfaz {0}: indique el puente del anfitrión al que se une.',
    'ed.err.direct': 'Interfaz {0}: indique la interfaz del anfitrión que usa.',
    'ed.video': 'Vídeo', 'ed.videomodel': 'Modelo de vídeo', 'ed.none': 'ninguno',
    'ed.video.none': 'Sin tarjeta de vídeo: la máquina no tiene pantalla (solo consola serie).',
    'ed.video.add': 'Añadir una tarjeta de vídeo',
    'ed.save': 'Aplicar', 'ed.saved': 'Guardado.', 'ed.saved.running': 'Guardado: la máquina lo usa desde su próximo arranque.',
    'ed.revert': 'Deshacer los cambios',
    'ed.err.vcpus': 'Un número entero desde 1.', 'ed.err.topology': 'Zócalos × núcleos × hilos debe ser igual a las vCPU ({0}).',
    'ed.err.mem': 'Un número entero de MiB desde 1.', 'ed.err.cur': 'Como mucho la memoria máxima ({0} MiB).',
    'ed.err.model': 'Indique el modelo de CPU (por ejemplo qemu64).',
  },
});

const cpuModes = ['default', 'host-passthrough', 'host-model', 'maximum', 'custom'];
const nicModels = ['virtio', 'e1000', 'e1000e', 'rtl8139'];
const videoModels = ['virtio', 'vga', 'qxl', 'bochs', 'cirrus', 'ramfb', 'none'];
const bootDevs = ['hd', 'cdrom', 'network'];
// A NIC on a host bridge or a host NIC: the <source> attribute naming it.
const hostSource = (type) => ({ bridge: 'bridge', direct: 'dev' }[type]);
const units = { b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, kb: 1000 / 1024, m: 1024, mib: 1024, g: 1048576, gib: 1048576 };

// The daemon's words -> the field they are about (its messages name the
// element: "line 12: <topology> …", "<currentMemory> …").
const fieldOf = [...deviceFields,
  [/<topology|sockets|cores|threads/i, 'topology'], [/<currentMemory/i, 'cur'], [/<memory|memory/i, 'mem'],
  [/<vcpu|vcpu/i, 'vcpus'], [/<cpu|cpu model|<model fallback/i, 'cpu'], [/<boot|bootmenu/i, 'boot'],
  [/<video|video/i, 'video'], [/<interface|network '|<source network|nic|<model type/i, 'nic'],
  [/<title/i, 'title'], [/<description/i, 'description'],
];
const errorField = (message) => fieldOf.find(([re]) => re.test(message))?.[1] ?? 'form';

// Every disk and NIC as a boot entry (key: disk target or NIC MAC),
// those with <boot order> first in that order, then the rest as defined.
function readDevBoot(doc) {
  const order = (el) => Number(el.querySelector(':scope > boot')?.getAttribute('order') ?? 0);
  const devs = [
    ...[...doc.querySelectorAll('devices > disk')].map((d) => ({
      el: d, kind: 'disk', key: d.querySelector('target')?.getAttribute('dev') ?? '',
      what: d.getAttribute('device') === 'cdrom' ? 'CD-ROM' : (d.querySelector('source')?.getAttribute('volume')
        ?? d.querySelector('source')?.getAttribute('file')?.split('/').pop() ?? d.getAttribute('device')) })),
    ...[...doc.querySelectorAll('devices > interface')].map((n) => ({
      el: n, kind: 'nic', key: n.querySelector('mac')?.getAttribute('address') ?? '',
      what: n.querySelector('source')?.getAttribute('network') ?? n.querySelector('source')?.getAttribute('bridge')
        ?? n.querySelector('source')?.getAttribute('dev') ?? n.getAttribute('type') })),
  ].filter((x) => x.key).map((x) => ({ kind: x.kind, key: x.key, what: x.what, order: order(x.el) }));
  return [...devs.filter((x) => x.order).sort((a, b) => a.order - b.order), ...devs.filter((x) => !x.order)]
    .map(({ order: o, ...x }) => ({ ...x, on: o > 0 }));
}

// <boot order> on each device as the list says (1, 2, … over the checked ones).
function writeDevBoot(doc, list) {
  const els = new Map([
    ...[...doc.querySelectorAll('devices > disk')].map((d) => [`disk:${d.querySelector('target')?.getAttribute('dev')}`, d]),
    ...[...doc.querySelectorAll('devices > interface')].map((n) => [`nic:${n.querySelector('mac')?.getAttribute('address')}`, n]),
  ]);
  for (const el of els.values()) el.querySelectorAll(':scope > boot').forEach((b) => b.remove());
  list.filter((x) => x.on).forEach((x, i) => {
    const el = els.get(`${x.kind}:${x.key}`);
    if (!el) return;
    const b = doc.createElementNS(el.namespaceURI, 'boot');
    b.setAttribute('order', String(i + 1));
    el.appendChild(b);
  });
}

// What the form shows, read from the definition.
function read(doc) {
  const q = (sel) => doc.querySelector(sel);
  const kibOf = (el) => Math.round(Number(el?.textContent ?? 0) * (units[(el?.getAttribute('unit') || 'KiB').toLowerCase()] ?? 1));
  const topo = q('domain > cpu > topology');
  const cpu = q('domain > cpu');
  const mode = cpu?.getAttribute('mode') ?? (q('domain > cpu > model') ? 'custom' : 'default');
  const mem = kibOf(q('domain > memory'));
  return {
    title: q('domain > title')?.textContent ?? '', description: q('domain > description')?.textContent ?? '',
    vcpus: Number(q('domain > vcpu')?.textContent ?? 1),
    topo: topo ? ['sockets', 'cores', 'threads'].map((a) => Number(topo.getAttribute(a) ?? 1)) : null,
    mode, model: q('domain > cpu > model')?.textContent ?? '',
    memMib: Math.round(mem / 1024), curMib: Math.round((kibOf(q('domain > currentMemory')) || mem) / 1024),
    boot: [...doc.querySelectorAll('os > boot')].map((b) => b.getAttribute('dev')),
    bootmenu: q('os > bootmenu')?.getAttribute('enable') === 'yes',
    devBoot: readDevBoot(doc),
    nics: [...doc.querySelectorAll('devices > interface')].map((n) => ({
      type: n.getAttribute('type'), mac: n.querySelector('mac')?.getAttribute('address') ?? '',
      model: n.querySelector('model')?.getAttribute('type') ?? '',
      network: n.getAttribute('type') === 'network' ? n.querySelector('source')?.getAttribute('network') ?? '' : null,
      src: n.querySelector('source')?.getAttribute('bridge') ?? n.querySelector('source')?.getAttribute('dev') ?? '',
    })),
    video: q('devices > video > model')?.getAttribute('type') ?? null,
    ...readDevices(doc),
  };
}

// The element `sel` under `parent`, made (appended) when missing.
function ensure(doc, parent, name) {
  let el = [...parent.children].find((c) => c.tagName === name);
  if (!el) el = parent.appendChild(doc.createElement(name));
  return el;
}

function setText(doc, name, value) {
  const root = doc.documentElement;
  let el = [...root.children].find((c) => c.tagName === name);
  if (!value) { el?.remove(); return; }
  if (!el) {
    el = doc.createElement(name);
    const after = [...root.children].find((c) => c.tagName === 'uuid') ?? root.querySelector('name');
    after.after(el);
  }
  el.textContent = value;
}

// The definition with the form's values written in.
function write(doc, v) {
  const root = doc.documentElement;
  setText(doc, 'title', v.title);
  setText(doc, 'description', v.description);
  ensure(doc, root, 'vcpu').textContent = String(v.vcpus);
  for (const [name, mib] of [['memory', v.memMib], ['currentMemory', v.curMib]]) {
    const el = ensure(doc, root, name);
    el.setAttribute('unit', 'KiB');
    el.textContent = String(mib * 1024);
  }
  let cpu = root.querySelector(':scope > cpu');
  if (v.mode === 'default' && !v.topo) cpu?.remove();
  else {
    cpu ??= root.appendChild(doc.createElement('cpu'));
    if (v.mode === 'default') cpu.removeAttribute('mode');
    else cpu.setAttribute('mode', v.mode);
    const model = cpu.querySelector('model');
    if (v.mode === 'custom') ensure(doc, cpu, 'model').textContent = v.model;
    else model?.remove();
    const topo = cpu.querySelector('topology');
    if (v.topo) {
      const el = ensure(doc, cpu, 'topology');
      ['sockets', 'cores', 'threads'].forEach((a, i) => el.setAttribute(a, String(v.topo[i])));
      el.removeAttribute('dies');
    } else topo?.remove();
  }
  const os = ensure(doc, root, 'os');
  os.querySelectorAll(':scope > boot').forEach((b) => b.remove());
  const kernel = os.querySelector(':scope > kernel');
  for (const dev of v.boot) {
    const b = doc.createElement('boot');
    b.setAttribute('dev', dev);
    if (kernel) kernel.before(b); else os.appendChild(b);
  }
  writeDevBoot(doc, v.devBoot);
  if (v.bootmenu) ensure(doc, os, 'bootmenu').setAttribute('enable', 'yes');
  else os.querySelector(':scope > bootmenu')?.remove();
  const nics = [...doc.querySelectorAll('devices > interface')];
  v.nics.forEach((n, i) => {
    const el = nics[i];
    if (n.model) ensure(doc, el, 'model').setAttribute('type', n.model);
    if (n.network !== null) ensure(doc, el, 'source').setAttribute('network', n.network);
    if (hostSource(n.type)) ensure(doc, el, 'source').setAttribute(hostSource(n.type), n.src);
  });
  let video = doc.querySelector('devices > video > model');
  if (!video && v.video) {
    // A VM without one gets a card (virt-manager's Add hardware > Video).
    const card = ensure(doc, root, 'devices').appendChild(doc.createElement('video'));
    video = card.appendChild(doc.createElement('model'));
  }
  if (video && v.video) {
    video.setAttribute('type', v.video);
    // The sizes of one model mean nothing to another.
    ['vram', 'ram', 'vgamem', 'heads'].forEach((a) => video.removeAttribute(a));
  }
  writeDevices(doc, v);
  return new XMLSerializer().serializeToString(doc);
}

export class VrDomainEdit extends LitElement {
  static properties = {
    domain: { attribute: false }, v: { state: true }, networks: { state: true },
    errors: { state: true }, saved: { state: true }, busy: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.errors = {};
    this.networks = [];
  }

  // The page keeps this element when it moves to another VM: a new name
  // is a new definition to edit (never the last VM's XML under its name).
  // It also reads the definition again when the VM starts or stops
  // (elsewhere too: main.js follows the event feed), so the loader and
  // NVRAM the first start picked show, unless edits are pending here.
  willUpdate(changed) {
    const old = changed.get('domain');
    if (changed.has('domain') && old?.name !== this.domain.name) {
      this.v = null;
      this.errors = {};
      this.saved = null;
      this.load();
    } else if (changed.has('domain') && old && old.state !== this.domain.state && !this.dirty && !this.busy) {
      this.load();
    }
  }

  async load() {
    const name = this.domain.name;
    try {
      const xml = await domApi.xml(name, true, true);
      if (name !== this.domain.name) return; // another VM's page by now
      this.doc = new DOMParser().parseFromString(xml, 'application/xml');
      this.v = read(this.doc);
      this.dirty = false;
      // Each definition read gets fresh controls: a <select> the user
      // changed no longer follows its options' `selected`.
      this.readCount = (this.readCount ?? 0) + 1;
      this.networks = (await domApi.networks()).map((n) => n.name);
    } catch (err) {
      this.errors = { form: t('err.generic', err.message) };
    }
  }

  set(k, value) { this.v = { ...this.v, [k]: value }; this.saved = null; this.dirty = true; }

  check(v) {
    const e = {};
    const whole = (n) => Number.isInteger(n) && n >= 1;
    if (!whole(v.vcpus)) e.vcpus = t('ed.err.vcpus');
    if (v.topo && v.topo.reduce((a, b) => a * b, 1) !== v.vcpus) e.topology = t('ed.err.topology', v.vcpus);
    if (v.mode === 'custom' && !v.model.trim()) e.cpu = t('ed.err.model');
    if (!whole(v.memMib)) e.mem = t('ed.err.mem');
    const bare = v.nics.findIndex((n) => hostSource(n.type) && !n.src);
    if (bare >= 0) e.nic = t(`ed.err.${v.nics[bare].type}`, bare + 1);
    if (v.boot.length && v.devBoot.some((x) => x.on)) e.boot = t('ed.err.bootmix');
    if (!whole(v.curMib)) e.cur = t('ed.err.mem');
    else if (v.curMib > v.memMib) e.cur = t('ed.err.cur', v.memMib);
    return e;
  }

  async save(e) {
    e.preventDefault();
    const v = this.v;
    this.errors = this.check(v);
    this.saved = null;
    if (Object.keys(this.errors).length) {
      await this.updateComplete;
      this.querySelector('[aria-invalid=true]')?.focus();
      return;
    }
    this.busy = true;
    try {
      const xml = write(this.doc.cloneNode(true), v);
      let dom = await domApi.define(xml);
      if (v.autostart !== undefined && dom.autostart !== v.autostart)
        dom = { ...dom, ...await domApi.autostart(this.domain.name, v.autostart) };
      this.saved = t(this.domain.state === 'shut off' ? 'ed.saved' : 'ed.saved.running');
      this.dispatchEvent(new CustomEvent('domain-changed', { detail: dom, bubbles: true }));
      await this.load();
    } catch (err) {
      this.errors = { [errorField(err.message)]: t('err.generic', err.message) };
    } finally {
      this.busy = false;
    }
  }

  // One labelled control with its error below it.
  row(id, key, control, errKey = key) {
    const err = this.errors[errKey];
    return html`<label for=${id}>${t(`ed.${key}`)}</label>
      <div>${control(err ? 'true' : 'false')}
        <p class="error" role="alert" id="${id}-error" data-testid="ed-${errKey}-error">${err ?? ''}</p></div>`;
  }

  num(id, val, set) {
    return (inv) => html`<input id=${id} type="number" min="1" step="1" .value=${String(val)} aria-invalid=${inv}
      aria-describedby="${id}-error" @input=${(ev) => set(Number(ev.target.value))}>`;
  }

  render() {
    const v = this.v;
    if (!v) return html`<p class="error" role="alert">${this.errors.form ?? ''}</p>`;
    const autostart = v.autostart ?? this.domain.autostart;
    const nicErr = this.errors.nic;
    return html`${keyed(this.readCount, html`<form class="edit-details" data-testid="edit-form" novalidate @submit=${this.save}>
      <fieldset class="form-grid"><legend>${t('ed.general')}</legend>
        ${this.row('ed-title', 'title', (inv) => html`<input id="ed-title" .value=${v.title} aria-invalid=${inv}
          aria-describedby="ed-title-error" @input=${(ev) => this.set('title', ev.target.value)}>`)}
        ${this.row('ed-description', 'description', (inv) => html`<textarea id="ed-description" rows="2"
          .value=${v.description} aria-invalid=${inv} aria-describedby="ed-description-error"
          @input=${(ev) => this.set('description', ev.target.value)}></textarea>`)}
        <span></span><div><label><input type="checkbox" id="ed-autostart" .checked=${autostart}
          ?disabled=${!this.domain.persistent} @change=${(ev) => this.set('autostart', ev.target.checked)}>
          ${t('ed.autostart')}</label></div></fieldset>
      <fieldset class="form-grid"><legend>${t('ed.cpu')}</legend>
        ${this.row('ed-vcpus', 'vcpus', this.num('ed-vcpus', v.vcpus, (n) => this.set('vcpus', n)))}
        <span class="label">${t('ed.topology')}</span>
        <div><label><input type="checkbox" id="ed-topo" .checked=${!!v.topo}
            @change=${(ev) => this.set('topo', ev.target.checked ? [1, v.vcpus, 1] : null)}> ${t('ed.topology.manual')}</label>
          ${v.topo ? html`<span class="ip-range">${['sockets', 'cores', 'threads'].map((a, i) => html`
            <label class="mini">${t(`ed.${a}`)}<input id="ed-${a}" type="number" min="1" step="1"
              .value=${String(v.topo[i])} aria-invalid=${this.errors.topology ? 'true' : 'false'}
              aria-describedby="ed-topology-error"
              @input=${(ev) => this.set('topo', v.topo.map((x, j) => (j === i ? Number(ev.target.value) : x)))}></label>`)}</span>` : ''}
          <p class="error" role="alert" id="ed-topology-error" data-testid="ed-topology-error">${this.errors.topology ?? ''}</p></div>
        ${this.row('ed-cpumode', 'cpumode', (inv) => html`<span class="ip-range"><select id="ed-cpumode" aria-invalid=${inv}
            aria-describedby="ed-cpumode-error" @change=${(ev) => this.set('mode', ev.target.value)}>${cpuModes.map((m) => html`
            <option value=${m} ?selected=${m === v.mode}>${t(`ed.cpumode.${m}`)}</option>`)}</select>
          ${v.mode === 'custom' ? html`<input id="ed-cpumodel" aria-label=${t('ed.cpumodel')} .value=${v.model}
            placeholder="qemu64" spellcheck="false" aria-invalid=${inv}
            @input=${(ev) => this.set('model', ev.target.value)}>` : ''}</span>`, 'cpu')}</fieldset>
      <fieldset class="form-grid"><legend>${t('ed.memory')}</legend>
        ${this.row('ed-mem', 'maxmem', this.num('ed-mem', v.memMib, (n) => this.set('memMib', n)), 'mem')}
        ${this.row('ed-cur', 'curmem', this.num('ed-cur', v.curMib, (n) => this.set('curMib', n)), 'cur')}</fieldset>
      <fieldset class="form-grid" data-testid="ed-boot"><legend>${t('ed.boot')}</legend>
        <span class="label">${t('ed.bootkind')}</span>
        <div class="choices">${bootDevs.map((dev) => html`<label><input type="checkbox" data-boot=${dev}
            .checked=${v.boot.includes(dev)} @change=${(ev) => this.set('boot', ev.target.checked
              ? [...v.boot, dev] : v.boot.filter((x) => x !== dev))}>
            ${t('ed.bootdev', t(`hw.dev.${dev}`))}${v.boot.includes(dev) ? ` (${v.boot.indexOf(dev) + 1})` : ''}</label>`)}
</div>
        ${v.devBoot.length ? html`<span class="label">${t('ed.bootdevs')}</span>
        <div><ol class="boot" data-testid="ed-boot-devices" aria-describedby="ed-bootdevs-help">${v.devBoot.map((x, i) => {
          const label = t(x.kind === 'disk' ? 'ed.bootdisk' : 'ed.bootnic', x.key, x.what);
          const move = (by) => { const l = [...v.devBoot]; [l[i], l[i + by]] = [l[i + by], l[i]]; this.set('devBoot', l); };
          const pos = v.devBoot.filter((y) => y.on).indexOf(x);
          return html`<li data-boot-device=${x.key}>
            <label class="radio"><input type="checkbox" .checked=${x.on} aria-invalid=${this.errors.boot ? 'true' : 'false'}
              aria-describedby="ed-boot-error" @change=${(ev) => this.set('devBoot',
                v.devBoot.map((y, j) => (j === i ? { ...y, on: ev.target.checked } : y)))}>
              ${label}${x.on ? html` <span class="muted" data-testid="ed-boot-order">(${pos + 1})</span>` : ''}</label>
            <button type="button" class="small" aria-label="${t('hw.up')}: ${label}" ?disabled=${i === 0}
              @click=${() => move(-1)}>↑</button>
            <button type="button" class="small" aria-label="${t('hw.down')}: ${label}" ?disabled=${i === v.devBoot.length - 1}
              @click=${() => move(1)}>↓</button></li>`;
        })}</ol>
          <small class="muted" id="ed-bootdevs-help">${t('ed.bootdevs.help')}</small></div>` : ''}
        <span></span><div><label><input type="checkbox" id="ed-bootmenu" .checked=${v.bootmenu}
            @change=${(ev) => this.set('bootmenu', ev.target.checked)}> ${t('ed.bootmenu')}</label>
          <p class="error" role="alert" id="ed-boot-error" data-testid="ed-boot-error">${this.errors.boot ?? ''}</p></div></fieldset>
      ${v.nics.length ? html`<fieldset class="form-grid"><legend>${t('ed.nics')}</legend>
        ${v.nics.map((n, i) => html`<span class="label">${t('ed.nic', i + 1, n.mac)}</span>
          <div class="ip-range"><select aria-label=${t('ed.nicmodel', i + 1)} data-testid="ed-nic-model"
              @change=${(ev) => this.set('nics', v.nics.map((x, j) => (j === i ? { ...x, model: ev.target.value } : x)))}>
            ${[...new Set([n.model, ...nicModels])].filter(Boolean).map((m) => html`<option ?selected=${m === n.model}>${m}</option>`)}</select>
            ${n.network !== null ? html`<select aria-label=${t('ed.nicnet', i + 1)} data-testid="ed-nic-network"
              @change=${(ev) => this.set('nics', v.nics.map((x, j) => (j === i ? { ...x, network: ev.target.value } : x)))}>
              ${[...new Set([n.network, ...this.networks])].map((m) => html`<option ?selected=${m === n.network}>${m}</option>`)}
              </select>` : hostSource(n.type) ? html`<input aria-label=${t(`ed.nic.${n.type}`, i + 1)}
                data-testid="ed-nic-source" .value=${n.src} autocomplete="off" spellcheck="false"
                aria-invalid=${nicErr ? 'true' : 'false'} aria-describedby="ed-nic-error"
                @input=${(ev) => this.set('nics', v.nics.map((x, j) => (j === i ? { ...x, src: ev.target.value.trim() } : x)))}>`
              : html`<span class="muted">${n.type}</span>`}</div>`)}
        <span></span><p class="error" role="alert" id="ed-nic-error" data-testid="ed-nic-error">${nicErr ?? ''}</p></fieldset>` : ''}
      <fieldset class="form-grid" data-testid="ed-video"><legend>${t('ed.video')}</legend>
        ${v.video ? this.row('ed-video', 'videomodel', (inv) => html`<select id="ed-video" aria-invalid=${inv} aria-describedby="ed-video-error"
          @change=${(ev) => this.set('video', ev.target.value)}>${videoModels.map((m) => html`
          <option ?selected=${m === v.video} value=${m}>${m === 'none' ? t('ed.none') : m}</option>`)}</select>`, 'video')
        : html`<span></span><span class="muted">${t('ed.video.none')}</span>
          <span></span><div><button type="button" data-testid="ed-video-add" @click=${() => this.set('video', 'virtio')}>
            ${t('ed.video.add')}</button> <small class="muted">${t('ed.nextboot')}</small>
            <p class="error" role="alert" id="ed-video-error" data-testid="ed-video-error">${this.errors.video ?? ''}</p></div>`}</fieldset>
      ${deviceSections(this)}
      <div class="actions"><button type="submit" class="primary" data-testid="ed-save" ?disabled=${this.busy}>${t('ed.save')}</button>
        <button type="button" ?disabled=${this.busy} @click=${() => { this.errors = {}; this.saved = null; this.load(); }}>${t('ed.revert')}</button></div>
      <p class="error" role="alert" data-testid="ed-form-error">${this.errors.form ?? ''}</p>
      <p role="status" class="notice-ok" data-testid="ed-saved">${this.saved ?? ''}</p>
    </form>`)}
    <vr-domain-guestfs .domain=${this.domain}
      .agent=${!!this.doc?.querySelector('devices > channel > target[name="org.qemu.guest_agent.0"]')}></vr-domain-guestfs>`;
  }
}
customElements.define('vr-domain-edit', VrDomainEdit);
