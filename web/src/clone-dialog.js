// <vr-clone-dialog .domain=${obj}>: virt-manager's clone dialog (and
// virt-clone's): the new name, a full copy or a linked clone (each disk a
// qcow2 overlay with the original as its backing file: instant, but the
// original must stay shut off and unchanged), and where each writable
// disk goes. The destinations follow the name as `vireo clone
// --auto-clone` picks them (beside the original: NAME.ext, NAME-1.ext …);
// one changed by hand is sent as a --file for every disk. CD-ROMs and
// read-only disks are shared. Opens as a modal when connected; fires
// `closed`, and goes to the new VM's page when the clone job completes.
import { LitElement, html } from 'lit';
import { call } from './api.js';
import { waitJob } from './api-domains.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'clone.kind': 'Kind of clone',
    'clone.full': 'Full copy: the clone has its own copy of every disk',
    'clone.linked': 'Linked clone: each disk is a qcow2 overlay on the original (instant; the original must stay unchanged)',
    'clone.linked.off': 'A linked clone needs the original shut off.',
    'clone.disks': 'Disks', 'clone.disk': 'Disk', 'clone.from': 'Original', 'clone.to': 'Clone',
    'clone.to.label': 'Where the copy of {0} goes', 'clone.shared': 'shared (read-only or CD-ROM)',
    'clone.overlay': 'overlay on {0}', 'clone.nodisks': 'No disk to copy.',
    'clone.err.name': 'Give the clone a name.', 'clone.err.path': 'Write an absolute path.',
  },
  es: {
    'clone.kind': 'Tipo de clonación',
    'clone.full': 'Clonación completa: el clon tiene su propia copia de cada disco',
    'clone.linked': 'Clonación enlazada: cada disco es una capa qcow2 sobre el original (inmediata; el original no debe cambiar)',
    'clone.linked.off': 'Una clonación enlazada necesita el original apagado.',
    'clone.disks': 'Discos', 'clone.disk': 'Disco', 'clone.from': 'Original', 'clone.to': 'Clon',
    'clone.to.label': 'Dónde va la copia de {0}', 'clone.shared': 'compartido (solo lectura o CD-ROM)',
    'clone.overlay': 'capa sobre {0}', 'clone.nodisks': 'No hay discos que copiar.',
    'clone.err.name': 'Dé un nombre al clon.', 'clone.err.path': 'Escriba una ruta absoluta.',
  },
});

// "/var/lib/vireo/images/web.qcow2" -> ["/var/lib/vireo/images", ".qcow2"]
function split(path) {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return [path.slice(0, slash), dot > 0 ? base.slice(dot) : ''];
}

// Where --auto-clone puts copy number i of `source` for clone `name`.
export function autoDestination(source, name, i) {
  const [dir, ext] = split(source);
  return `${dir}/${name}${i ? `-${i}` : ''}${ext}`;
}

export class VrCloneDialog extends LitElement {
  static properties = {
    domain: { attribute: false },
    name: { state: true }, linked: { state: true }, disks: { state: true },
    edited: { state: true }, errors: { state: true }, busy: { state: true }, progress: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.disks = null;
    this.edited = {};
    this.errors = {};
    this.linked = false;
  }

  async connectedCallback() {
    super.connectedCallback();
    this.name = `${this.domain.name}-clone`;
    await this.updateComplete;
    const dlg = this.querySelector('dialog');
    if (!dlg.open) dlg.showModal();
    try {
      this.disks = (await call('GET', `/v1/domains/${encodeURIComponent(this.domain.name)}/disks?inactive=1`)).disks;
    } catch (err) {
      this.errors = { form: t('err.generic', err.message) };
    }
  }

  // The disks the clone copies (or overlays), in the daemon's order.
  get copied() { return (this.disks ?? []).filter((d) => d.device === 'disk' && !d.readonly && d.source); }

  destination(d, i) { return this.edited[d.target] ?? autoDestination(d.source, this.name.trim(), i); }

  // Once: closing the <dialog> fires its own 'close', which comes here too.
  close() {
    if (this.done) return;
    this.done = true;
    this.querySelector('dialog')?.close();
    this.dispatchEvent(new CustomEvent('closed'));
  }

  async submit(e) {
    e.preventDefault();
    const name = this.name.trim();
    const files = this.copied.map((d, i) => this.destination(d, i));
    const badDisk = this.copied.find((d, i) => !files[i].startsWith('/'));
    if (!name) { this.errors = { name: t('clone.err.name') }; return; }
    if (badDisk) { this.errors = { [`disk:${badDisk.target}`]: t('clone.err.path') }; return; }
    this.busy = true;
    this.errors = {};
    try {
      const body = { name, auto: true, linked: this.linked };
      if (Object.keys(this.edited).length) body.files = files;
      const job = await call('POST', `/v1/domains/${encodeURIComponent(this.domain.name)}/clone`, body);
      this.progress = 0;
      const end = await waitJob(job.id, (j) => { this.progress = j.progress ?? 0; });
      if (end.state !== 'completed') throw new Error(end.error?.message ?? end.state);
      this.close();
      location.hash = `#/domains/${encodeURIComponent(name)}`;
    } catch (err) {
      this.progress = null;
      this.errors = { [this.errorField(err.message)]: t('err.generic', err.message) };
    } finally {
      this.busy = false;
    }
  }

  // A refusal naming a disk's destination goes by that disk; one about
  // the name by the name; the rest under the form.
  errorField(message) {
    const i = this.copied.findIndex((d, k) => message.includes(this.destination(d, k)) || message.includes(`disk ${d.target} `));
    if (i >= 0) return `disk:${this.copied[i].target}`;
    if (/domain '[^']*' already exists|name/i.test(message)) return 'name';
    if (/linked/i.test(message)) return 'kind';
    return 'form';
  }

  diskRows() {
    if (!this.disks) return '';
    if (!this.disks.length) return html`<p>${t('clone.nodisks')}</p>`;
    const copied = this.copied;
    return html`<table class="list clone-disks" data-testid="clone-disks">
      <thead><tr><th>${t('clone.disk')}</th><th>${t('clone.from')}</th><th>${t('clone.to')}</th></tr></thead>
      <tbody>${this.disks.map((d) => {
        const i = copied.indexOf(d);
        const err = this.errors[`disk:${d.target}`];
        return html`<tr data-disk=${d.target}>
          <td data-label=${t('clone.disk')}>${d.target}</td>
          <td data-label=${t('clone.from')} class="path">${d.source ?? ''}</td>
          <td data-label=${t('clone.to')}>${i < 0 ? html`<span class="muted">${t('clone.shared')}</span>` : html`
            <input class="path" data-testid="clone-dest" aria-label=${t('clone.to.label', d.target)}
              .value=${this.destination(d, i)} aria-invalid=${err ? 'true' : 'false'}
              @input=${(ev) => { this.edited = { ...this.edited, [d.target]: ev.target.value.trim() }; }}>
            ${this.linked ? html`<small class="muted">${t('clone.overlay', d.source)}</small>` : ''}
            <p class="error" role="alert" data-testid="clone-disk-error">${err ?? ''}</p>`}</td></tr>`;
      })}</tbody></table>`;
  }

  render() {
    const d = this.domain;
    const e = this.errors;
    const off = d.state === 'shut off';
    return html`<dialog class="card wide" data-testid="clone-dialog" @close=${() => this.close()}>
      <form @submit=${this.submit} novalidate>
        <h2>${t('clone.heading', d.name)}</h2>
        ${d.state === 'running' ? html`<p class="notice">${t('clone.needsoff')}</p>` : ''}
        <label for="clone-name">${t('clone.name')}</label>
        <input id="clone-name" .value=${this.name} required aria-describedby="clone-name-error"
          aria-invalid=${e.name ? 'true' : 'false'} @input=${(ev) => { this.name = ev.target.value; }}>
        <p class="error" role="alert" id="clone-name-error" data-testid="clone-name-error">${e.name ?? ''}</p>
        <fieldset><legend>${t('clone.kind')}</legend>
          <label class="radio"><input type="radio" name="kind" value="full" .checked=${!this.linked}
            @change=${() => { this.linked = false; }}> ${t('clone.full')}</label>
          <label class="radio"><input type="radio" name="kind" value="linked" .checked=${this.linked} ?disabled=${!off}
            @change=${() => { this.linked = true; }}> ${t('clone.linked')}</label>
          ${off ? '' : html`<small class="muted">${t('clone.linked.off')}</small>`}
          <p class="error" role="alert" data-testid="clone-kind-error">${e.kind ?? ''}</p></fieldset>
        <h3>${t('clone.disks')}</h3>
        ${this.diskRows()}
        ${this.progress != null ? html`<progress max="100" .value=${this.progress}></progress>
          <span role="status">${t('clone.progress', Math.round(this.progress))}</span>` : ''}
        <p class="error" role="alert" id="clone-error" data-testid="clone-error">${e.form ?? ''}</p>
        <div class="actions"><button type="button" @click=${() => this.close()}>${t('cancel')}</button>
          <button type="submit" class="primary" data-testid="clone-go" ?disabled=${this.busy}>${t('clone.go')}</button></div>
      </form></dialog>`;
  }
}
customElements.define('vr-clone-dialog', VrCloneDialog);
