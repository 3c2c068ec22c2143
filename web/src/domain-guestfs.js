// <vr-domain-guestfs .domain=${obj}>: the guest's filesystems on the
// Details tab of a running VM whose guest agent answers (virsh domfsinfo,
// domfsfreeze, domfsthaw, domfstrim; GET …/fsinfo, POST …/fsfreeze,
// …/fsthaw, …/fstrim): each mounted filesystem with its device and the
// VM's disks under it; freeze the checked ones (none checked: all), thaw
// them all, trim them all. Shown while the domain's `agent_connected` is
// true (the agent opened its channel: the feed's `agent` event reads the
// domain again); `agent`: the VM has the agent's channel, and until the
// agent connects the section says it waits for it.
import { LitElement, html } from 'lit';
import { call } from './api.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'fs.title': 'Guest filesystems', 'fs.mount': 'Mount point', 'fs.name': 'Device in the guest', 'fs.type': 'Type',
    'fs.targets': 'Disks of the VM', 'fs.pick': 'Freeze {0}', 'fs.freeze': 'Freeze', 'fs.thaw': 'Thaw', 'fs.trim': 'Trim',
    'fs.help': 'Freeze holds every write until the thaw (for a consistent copy); none checked freezes all. Trim gives unused blocks back to the disk images.',
    'fs.noagent': 'The guest agent has not connected (yet): the guest is still starting, or does not run qemu-guest-agent. Its filesystems show here once it does.',
    'fs.failed': 'The guest agent did not answer: {0}',
    'fs.none': 'The guest agent lists no mounted filesystem.',
    'fs.froze': 'Froze {0} filesystem(s): writes wait until Thaw.', 'fs.thawed': 'Thawed {0} filesystem(s).',
    'fs.trimmed': 'Trimmed {0} filesystem(s).',
  },
  es: {
    'fs.title': 'Sistemas de archivos del invitado', 'fs.mount': 'Punto de montaje', 'fs.name': 'Dispositivo en el invitado',
    'fs.type': 'Tipo', 'fs.targets': 'Discos de la máquina', 'fs.pick': 'Congelar {0}', 'fs.freeze': 'Congelar',
    'fs.thaw': 'Descongelar', 'fs.trim': 'Recortar (trim)',
    'fs.help': 'Congelar retiene toda escritura hasta descongelar (para una copia coherente); sin marcar ninguno se congelan todos. Recortar devuelve los bloques libres a las imágenes de disco.',
    'fs.noagent': 'El agente invitado no se ha conectado (aún): el invitado está arrancando o no ejecuta qemu-guest-agent. Sus sistemas de archivos se muestran aquí cuando lo haga.',
    'fs.failed': 'El agente invitado no respondió: {0}',
    'fs.none': 'El agente invitado no lista ningún sistema de archivos montado.',
    'fs.froze': 'Congelados {0} sistemas de archivos: las escrituras esperan hasta Descongelar.',
    'fs.thawed': 'Descongelados {0} sistemas de archivos.', 'fs.trimmed': 'Recortados {0} sistemas de archivos.',
  },
});

const path = (name, op) => `/v1/domains/${encodeURIComponent(name)}/${op}`;

export class VrDomainGuestfs extends LitElement {
  static properties = {
    domain: { attribute: false }, agent: { type: Boolean }, fs: { state: true }, noAgent: { state: true }, picked: { state: true },
    done: { state: true }, error: { state: true }, busy: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.picked = new Set();
  }

  willUpdate(changed) {
    const old = changed.get('domain');
    const connected = (d) => d?.state === 'running' && d?.agent_connected;
    if (changed.has('domain') && (old?.name !== this.domain.name || connected(old) !== connected(this.domain))) {
      this.fs = null;
      this.noAgent = null;
      this.done = this.error = null;
      this.picked = new Set();
      if (connected(this.domain)) this.load();
    }
  }

  async load() {
    const name = this.domain.name;
    try {
      const fs = (await call('GET', path(name, 'fsinfo'))).filesystems;
      if (name !== this.domain.name) return;
      this.fs = fs;
      this.noAgent = null;
    } catch (err) {
      if (name !== this.domain.name) return;
      this.noAgent = err.message;
    }
  }

  async act(op, body, key) {
    this.busy = true;
    this.done = this.error = null;
    try {
      const n = (await call('POST', path(this.domain.name, op), body)).filesystems;
      this.done = t(key, n);
    } catch (err) {
      this.error = err.message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    if (this.domain.state !== 'running' || !this.agent) return '';
    const fs = this.fs;
    const pick = (mp, on) => { const s = new Set(this.picked); if (on) s.add(mp); else s.delete(mp); this.picked = s; };
    return html`<section class="guestfs" data-testid="guestfs"><h2>${t('fs.title')}</h2>
      ${!this.domain.agent_connected ? html`<p class="muted" data-testid="fs-noagent">${t('fs.noagent')}</p>`
      : this.noAgent ? html`<p class="error" role="alert" data-testid="fs-failed">${t('fs.failed', this.noAgent)}</p>`
      : !fs ? '' : !fs.length ? html`<p data-testid="fs-none">${t('fs.none')}</p>` : html`
        <div class="scroll"><table class="grid" data-testid="fs-table">
          <thead><tr><th></th><th>${t('fs.mount')}</th><th>${t('fs.name')}</th><th>${t('fs.type')}</th><th>${t('fs.targets')}</th></tr></thead>
          <tbody>${fs.map((f) => html`<tr data-mountpoint=${f.mountpoint}>
            <td><input type="checkbox" aria-label=${t('fs.pick', f.mountpoint)} .checked=${this.picked.has(f.mountpoint)}
              @change=${(ev) => pick(f.mountpoint, ev.target.checked)}></td>
            <td><code>${f.mountpoint}</code></td><td>${f.name}</td><td>${f.type}</td>
            <td data-testid="fs-targets">${f.targets.join(', ')}</td></tr>`)}</tbody></table></div>
        <p class="muted" id="fs-help">${t('fs.help')}</p>
        <div class="actions">
          <button type="button" data-testid="fs-freeze" aria-describedby="fs-help" ?disabled=${this.busy}
            @click=${() => this.act('fsfreeze', { mountpoints: [...this.picked] }, 'fs.froze')}>${t('fs.freeze')}</button>
          <button type="button" data-testid="fs-thaw" ?disabled=${this.busy}
            @click=${() => this.act('fsthaw', {}, 'fs.thawed')}>${t('fs.thaw')}</button>
          <button type="button" data-testid="fs-trim" aria-describedby="fs-help" ?disabled=${this.busy}
            @click=${() => this.act('fstrim', {}, 'fs.trimmed')}>${t('fs.trim')}</button></div>`}
      <p class="error" role="alert" data-testid="fs-error">${this.error ?? ''}</p>
      <p role="status" class="ok" data-testid="fs-status">${this.done ?? ''}</p></section>`;
  }
}
customElements.define('vr-domain-guestfs', VrDomainGuestfs);
