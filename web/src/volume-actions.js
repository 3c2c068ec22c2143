// What the storage page does with one volume beyond create and delete:
// download it to the browser (the download stream of docs/api.md over a
// WebSocket: one JSON line {"length":N}, then N bytes, kept in a Blob and
// saved under the volume's name), and <vr-volume-attach>, the "Attach to
// a virtual machine" dialog (virt-manager's "Add hardware > Storage >
// select existing"; vireo attach-disk): a machine, a free target and
// whether the change lasts, sent to POST /v1/domains/VM/devices.
import { LitElement, html } from 'lit';
import { ApiError, call, wsUrl } from './api.js';
import { addStrings, t } from './i18n.js';
import { xmlEscape } from './format.js';

addStrings({
  en: {
    'vol.download': 'Download', 'vol.download.label': 'Download {0}', 'vol.attach': 'Attach to VM…',
    'vol.download.progress': 'Downloading {0}: {1} %',
    'att.heading': "Attach '{0}' to a virtual machine", 'att.vm': 'Virtual machine', 'att.target': 'Device',
    'att.target.help': 'vdb, vdc…: the guest sees a new virtio disk.',
    'att.persistent': 'Keep it in the definition (persistent)', 'att.live': 'The machine runs: it gets the disk now too.',
    'att.go': 'Attach', 'att.done': "'{0}' is now {1} of {2}.", 'att.novm': 'Pick a virtual machine.',
    'att.badtarget': 'A target is vd followed by letters, for example vdb.',
    cancel: 'Cancel',
  },
  es: {
    'vol.download': 'Descargar', 'vol.download.label': 'Descargar {0}', 'vol.attach': 'Conectar a una MV…',
    'vol.download.progress': 'Descargando {0}: {1} %',
    'att.heading': "Conectar '{0}' a una máquina virtual", 'att.vm': 'Máquina virtual', 'att.target': 'Dispositivo',
    'att.target.help': 'vdb, vdc…: el invitado ve un disco virtio nuevo.',
    'att.persistent': 'Guardarlo en la definición (persistente)',
    'att.live': 'La máquina está en ejecución: recibe el disco también ahora.',
    'att.go': 'Conectar', 'att.done': "'{0}' es ahora {1} de {2}.", 'att.novm': 'Elija una máquina virtual.',
    'att.badtarget': 'Un destino es vd seguido de letras, por ejemplo vdb.',
    cancel: 'Cancelar',
  },
});

const enc = encodeURIComponent;

// The bytes of a volume as a Blob; onProgress(received, total).
export function downloadVolume(pool, vol, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(`/v1/pools/${enc(pool)}/volumes/${enc(vol)}/download`));
    ws.binaryType = 'arraybuffer';
    const parts = [];
    let head = new Uint8Array(0); // bytes until the JSON line's newline
    let length = null;
    let got = 0;
    const take = (bytes) => {
      parts.push(bytes);
      got += bytes.byteLength;
      onProgress(got, length);
    };
    ws.onmessage = (m) => {
      const data = typeof m.data === 'string' ? new TextEncoder().encode(m.data) : new Uint8Array(m.data);
      if (length !== null) { take(data); return; }
      const all = new Uint8Array(head.length + data.length);
      all.set(head);
      all.set(data, head.length);
      const nl = all.indexOf(10);
      if (nl < 0) { head = all; return; }
      const line = JSON.parse(new TextDecoder().decode(all.subarray(0, nl)));
      if (line.error) {
        ws.close();
        reject(new ApiError(0, line.error.code, line.error.message));
        return;
      }
      length = line.length;
      if (nl + 1 < all.length) take(all.subarray(nl + 1));
      else onProgress(0, length);
    };
    ws.onclose = () => {
      if (length !== null && got === length) resolve(new Blob(parts));
      else reject(new ApiError(0, 'failed', length === null
        ? 'vireod refused the download (see its log: the volume may be gone)'
        : `the download broke off after ${got} of ${length} bytes`));
    };
  });
}

// Save a Blob as a file the way a link with `download` does.
export function saveBlob(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}

// The first vdX the machine's next definition does not use.
function freeTarget(disks) {
  const used = new Set(disks.map((d) => d.target));
  for (let i = 1; i < 26; i++) {
    const dev = `vd${String.fromCharCode(97 + i)}`;
    if (!used.has(dev)) return dev;
  }
  return '';
}

// Which field a refusal is about: the target's words, else the VM's.
const attachField = (message) => (/target|\bdev\b|vd[a-z]+/i.test(message) ? 'target' : 'vm');

const diskXml = (pool, vol, target) => {
  const esc = xmlEscape;
  return `<disk type='volume' device='disk'><driver name='qemu' type='${esc(vol.format)}'/>` +
    `<source pool='${esc(pool)}' volume='${esc(vol.name)}'/><target dev='${esc(target)}' bus='virtio'/></disk>`;
};

// <vr-volume-attach .pool=NAME .volume=VOL @attached=…>: opens as a modal
// dialog when connected; fires `closed` (and `attached` first on success).
export class VrVolumeAttach extends LitElement {
  static properties = {
    pool: {}, volume: { attribute: false },
    domains: { state: true }, vm: { state: true }, target: { state: true },
    errors: { state: true }, busy: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.domains = [];
    this.errors = {};
    this.target = '';
  }

  async connectedCallback() {
    super.connectedCallback();
    await this.updateComplete;
    const dlg = this.querySelector('dialog');
    if (!dlg.open) dlg.showModal();
    try {
      this.domains = (await call('GET', '/v1/domains')).domains;
      if (this.domains.length) await this.pick(this.domains[0].name);
    } catch (err) {
      this.errors = { vm: t('err.generic', err.message) };
    }
  }

  async pick(name) {
    this.vm = name;
    this.errors = {};
    try {
      this.target = freeTarget((await call('GET', `/v1/domains/${enc(name)}/disks?inactive=1`)).disks);
    } catch (err) {
      this.errors = { vm: t('err.generic', err.message) };
    }
  }

  // Once: closing the <dialog> fires its own 'close', which comes here too.
  close() {
    if (this.done) return;
    this.done = true;
    this.querySelector('dialog')?.close();
    this.dispatchEvent(new CustomEvent('closed'));
  }

  async submit(e) {
    e.preventDefault();
    const el = e.target.elements;
    const target = el.target.value.trim();
    if (!this.vm) { this.errors = { vm: t('att.novm') }; return; }
    if (!/^vd[a-z]{1,3}$/.test(target)) { this.errors = { target: t('att.badtarget') }; return; }
    const d = this.domains.find((x) => x.name === this.vm);
    const running = d?.state !== 'shut off';
    // persistent: the definition, and the running guest too; else only
    // what exists: the running guest, or (shut off) the definition.
    const flags = el.persistent.checked ? { persistent: true } : running ? { live: true } : { config: true };
    this.busy = true;
    try {
      await call('POST', `/v1/domains/${enc(this.vm)}/devices`, { xml: diskXml(this.pool, this.volume, target), ...flags });
      this.dispatchEvent(new CustomEvent('attached', { detail: t('att.done', this.volume.name, target, this.vm) }));
      this.close();
    } catch (err) {
      this.errors = { [attachField(err.message)]: t('err.generic', err.message) };
    } finally {
      this.busy = false;
    }
  }

  render() {
    const e = this.errors;
    const d = this.domains.find((x) => x.name === this.vm);
    return html`<dialog class="card" data-testid="attach-dialog" @close=${() => this.close()}>
      <form class="form-grid" novalidate @submit=${this.submit}>
        <h3>${t('att.heading', this.volume.name)}</h3>
        <label for="att-vm">${t('att.vm')}</label>
        <div><select id="att-vm" name="vm" @change=${(ev) => this.pick(ev.target.value)}
            aria-invalid=${e.vm ? 'true' : 'false'} aria-describedby="att-vm-error">
          ${this.domains.map((x) => html`<option value=${x.name} ?selected=${x.name === this.vm}>${x.name}</option>`)}</select>
          <p id="att-vm-error" class="error" role="alert" data-testid="att-vm-error">${e.vm ?? ''}</p></div>
        <label for="att-target">${t('att.target')}</label>
        <div><input id="att-target" name="target" .value=${this.target} autocomplete="off" spellcheck="false"
            aria-invalid=${e.target ? 'true' : 'false'} aria-describedby="att-target-help att-target-error">
          <small id="att-target-help" class="muted">${t('att.target.help')}</small>
          <p id="att-target-error" class="error" role="alert" data-testid="att-target-error">${e.target ?? ''}</p></div>
        <span></span>
        <div class="choices"><label><input type="checkbox" name="persistent" checked> ${t('att.persistent')}</label>
          ${d && d.state !== 'shut off' ? html`<small class="muted">${t('att.live')}</small>` : ''}</div>
        <div class="actions"><button type="button" @click=${() => this.close()}>${t('cancel')}</button>
          <button type="submit" class="primary" data-testid="attach-go" ?disabled=${this.busy}>${t('att.go')}</button></div>
      </form></dialog>`;
  }
}
customElements.define('vr-volume-attach', VrVolumeAttach);
