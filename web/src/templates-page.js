// <vr-templates-page>: templates (issue 20; `vireo template`, `vireo
// clone --from-template`): the host's templates, each with "New VM from
// template" (a name; a linked clone, each disk a qcow2 overlay on the
// template's, or a full copy), and a form that makes a template of a
// shut-off VM: sysprep seals its disks (hostname, first-boot commands,
// machine-id, SSH host keys, logs), then the VM is marked a template and
// no longer starts. Both are jobs: their progress and step show here, and
// a refusal shows by the field it is about.
import { html } from 'lit';
import { call } from './api.js';
import { waitJob } from './api-domains.js';
import { addStrings, t } from './i18n.js';
import { memory } from './format.js';
import { FeedRefresh, ListPage, fetchInto, fieldRow } from './page-base.js';

addStrings({
  en: {
    'tpl.heading': 'Templates',
    'tpl.help': 'A template is a sealed, shut-off VM whose disks are the base of new VMs. It does not start itself.',
    'tpl.empty': 'There are no templates yet: make one from a shut-off VM below.',
    'tpl.col.name': 'Template', 'tpl.col.memory': 'Memory', 'tpl.col.vcpus': 'vCPUs', 'tpl.col.actions': 'Actions',
    'tpl.newvm': 'New VM from template', 'tpl.newvm.of': 'New VM from template {0}',
    'tpl.vm.name': 'Name of the new VM',
    'tpl.vm.kind': 'Kind of copy',
    'tpl.vm.linked': 'Linked clone: its disks are overlays on the template\'s (instant, small)',
    'tpl.vm.full': 'Full copy: its own copy of every disk',
    'tpl.vm.go': 'Create VM', 'tpl.cancel': 'Cancel',
    'tpl.vm.done': "VM '{0}' made from template {1}.", 'tpl.vm.open': 'Open it',
    'tpl.make': 'Make a template of a VM',
    'tpl.f.domain': 'VM (shut off)', 'tpl.f.domain.none': 'No VM is shut off.',
    'tpl.f.domain.help': 'Its disks are changed in place and become read-only; the VM itself no longer starts.',
    'tpl.f.hostname': 'Host name', 'tpl.f.hostname.help': 'Written into /etc/hostname and /etc/hosts.',
    'tpl.f.hostname.ph': 'template',
    'tpl.f.firstboot': 'First-boot commands', 'tpl.f.firstboot.help': 'One per line; each new VM runs them once, at its first boot.',
    'tpl.f.submit': 'Make template',
    'tpl.progress': '{0} % — {1}',
    'tpl.made': "'{0}' is a template now.",
    'tpl.err.domain': 'Choose the VM to make a template of.',
    'tpl.err.hostname': 'A host name is letters, digits and hyphens (dots between labels).',
    'tpl.err.name': 'Give the new VM a name.',
  },
  es: {
    'tpl.heading': 'Plantillas',
    'tpl.help': 'Una plantilla es una MV sellada y apagada cuyos discos son la base de MV nuevas. Ella misma no arranca.',
    'tpl.empty': 'Aún no hay plantillas: cree una a partir de una MV apagada más abajo.',
    'tpl.col.name': 'Plantilla', 'tpl.col.memory': 'Memoria', 'tpl.col.vcpus': 'vCPU', 'tpl.col.actions': 'Acciones',
    'tpl.newvm': 'Nueva MV desde la plantilla', 'tpl.newvm.of': 'Nueva MV desde la plantilla {0}',
    'tpl.vm.name': 'Nombre de la MV nueva',
    'tpl.vm.kind': 'Tipo de copia',
    'tpl.vm.linked': 'Clonación enlazada: sus discos son capas sobre los de la plantilla (inmediata, pequeña)',
    'tpl.vm.full': 'Clonación completa: su propia copia de cada disco',
    'tpl.vm.go': 'Crear la MV', 'tpl.cancel': 'Cancelar',
    'tpl.vm.done': "MV '{0}' creada desde la plantilla {1}.", 'tpl.vm.open': 'Abrirla',
    'tpl.make': 'Convertir una MV en plantilla',
    'tpl.f.domain': 'MV (apagada)', 'tpl.f.domain.none': 'No hay ninguna MV apagada.',
    'tpl.f.domain.help': 'Sus discos se modifican y pasan a ser de solo lectura; la MV deja de arrancar.',
    'tpl.f.hostname': 'Nombre del equipo', 'tpl.f.hostname.help': 'Se escribe en /etc/hostname y /etc/hosts.',
    'tpl.f.hostname.ph': 'plantilla',
    'tpl.f.firstboot': 'Órdenes del primer arranque', 'tpl.f.firstboot.help': 'Una por línea; cada MV nueva las ejecuta una vez, en su primer arranque.',
    'tpl.f.submit': 'Crear la plantilla',
    'tpl.progress': '{0} % — {1}',
    'tpl.made': "'{0}' ya es una plantilla.",
    'tpl.err.domain': 'Elija la MV que se convertirá en plantilla.',
    'tpl.err.hostname': 'Un nombre de equipo lleva letras, cifras y guiones (y puntos entre partes).',
    'tpl.err.name': 'Dé un nombre a la MV nueva.',
  },
});

const enc = encodeURIComponent;
const hostnameRe = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

// A job to its end, its progress into page[prop]; throws its error.
async function follow(page, prop, job) {
  page[prop] = { progress: 0, step: '' };
  const end = await waitJob(job.id, (j) => { page[prop] = { progress: j.progress ?? 0, step: j.step ?? '' }; });
  page[prop] = null;
  if (end.state !== 'completed') throw new Error(end.error?.message ?? end.state);
  return end;
}

function progressRow(p, label) {
  if (!p) return '';
  const pct = Math.round(p.progress);
  return html`<div class="progress-row"><progress max="100" .value=${pct} aria-label=${label}></progress>
    <span role="status" data-testid="tpl-progress">${t('tpl.progress', pct, p.step)}</span></div>`;
}

export class VrTemplatesPage extends ListPage {
  static properties = {
    ...ListPage.properties,
    domains: { state: true },
    cloning: { state: true },   // the template whose "New VM" form is open
    sealJob: { state: true },
    cloneJob: { state: true },
    made: { state: true },      // { name, template } of the last VM made
  };

  constructor() {
    super();
    this.domains = null;
    new FeedRefresh(this, (ev) => ev.kind === 'domain', () => this.load());
  }

  load() { return fetchInto(this, 'domains', '/v1/domains', { key: 'domains' }); }

  get templates() { return (this.domains ?? []).filter((d) => d.template); }

  render() {
    return html`<div class="page-head"><h1>${t('tpl.heading')}</h1></div>
      <p class="muted">${t('tpl.help')}</p>${this.pageError()}
      ${this.domains ? this.list() : ''}
      ${this.made ? html`<p role="status" class="notice-ok" data-testid="tpl-vm-done">${
        t('tpl.vm.done', this.made.name, this.made.template)} <a href="#/domains/${enc(this.made.name)}">${
        t('tpl.vm.open')}</a></p>` : ''}
      ${this.cloning ? this.cloneForm(this.cloning) : ''}
      ${this.domains ? this.makeForm() : ''}`;
  }

  list() {
    if (!this.templates.length) return html`<p data-testid="tpl-empty">${t('tpl.empty')}</p>`;
    const cols = ['name', 'memory', 'vcpus', 'actions'];
    return html`<table class="list templates" data-testid="tpl-list">
      <thead><tr>${cols.map((c) => html`<th>${t(`tpl.col.${c}`)}</th>`)}</tr></thead>
      <tbody>${this.templates.map((d) => html`<tr data-template=${d.name}>
        <td data-label=${t('tpl.col.name')}><a href="#/domains/${enc(d.name)}">${d.name}</a>
          ${d.title ? html`<br><small class="muted">${d.title}</small>` : ''}</td>
        <td data-label=${t('tpl.col.memory')}>${memory(d.memory_kib)}</td>
        <td data-label=${t('tpl.col.vcpus')}>${d.vcpus}</td>
        <td data-label=${t('tpl.col.actions')} class="row-actions">
          <button data-action="new-vm" aria-label=${t('tpl.newvm.of', d.name)} ?disabled=${this.busy}
            @click=${() => this.openClone(d.name)}>${t('tpl.newvm')}</button></td></tr>`)}</tbody></table>`;
  }

  async openClone(name) {
    this.cloning = name;
    this.made = null;
    this.formErrors = {};
    await this.updateComplete;
    this.querySelector('#tpl-vm-name')?.focus();
  }

  cloneForm(tpl) {
    const e = this.formErrors;
    return html`<form class="card form-grid" data-testid="tpl-vm-form" novalidate @submit=${(ev) => this.newVm(ev, tpl)}>
      <h3>${t('tpl.newvm.of', tpl)}</h3>
      ${fieldRow('tpl-vm-name', t('tpl.vm.name'), e.name, html`<input id="tpl-vm-name" name="name" autocomplete="off"
        spellcheck="false" .value=${`${tpl}-1`} aria-invalid=${e.name ? 'true' : 'false'} aria-describedby="tpl-vm-name-error">`)}
      <span class="label" id="tpl-vm-kind">${t('tpl.vm.kind')}</span>
      <div role="radiogroup" aria-labelledby="tpl-vm-kind" class="choices">
        <label><input type="radio" name="kind" value="linked" checked> ${t('tpl.vm.linked')}</label>
        <label><input type="radio" name="kind" value="full"> ${t('tpl.vm.full')}</label></div>
      <span></span>
      <div>${progressRow(this.cloneJob, t('tpl.newvm'))}
        <button type="submit" class="primary" data-testid="tpl-vm-go" ?disabled=${this.busy}>${t('tpl.vm.go')}</button>
        <button type="button" @click=${() => { this.cloning = null; }}>${t('tpl.cancel')}</button>
        <p class="error" role="alert" data-testid="tpl-vm-error">${e.form ?? ''}</p></div>
    </form>`;
  }

  newVm(ev, tpl) {
    ev.preventDefault();
    const el = ev.target.elements;
    const name = el.name.value.trim();
    const linked = el.kind.value === 'linked';
    return this.submitForm(name ? {} : { name: t('tpl.err.name') }, async () => {
      // A linked clone is clone --from-template; a full one a plain copy
      // (a clone of a template never carries the template mark).
      const body = linked ? { name, from_template: true } : { name, auto: true, linked: false };
      await follow(this, 'cloneJob', await call('POST', `/v1/domains/${enc(tpl)}/clone`, body));
      this.cloning = null;
      this.made = { name, template: tpl };
      return null;
    }, (err) => (/already exists|name/i.test(err.message) ? 'name' : 'form'));
  }

  makeForm() {
    const e = this.formErrors;
    const off = this.domains.filter((d) => d.state === 'shut off' && !d.template);
    return html`<h2>${t('tpl.make')}</h2>
    <form class="card form-grid" data-testid="tpl-form" novalidate @submit=${(ev) => this.seal(ev)}>
      ${fieldRow('tpl-domain', t('tpl.f.domain'), e.domain, off.length ? html`<select id="tpl-domain" name="domain"
          aria-invalid=${e.domain ? 'true' : 'false'} aria-describedby="tpl-domain-help tpl-domain-error">
          <option value=""></option>${off.map((d) => html`<option value=${d.name}>${d.name}</option>`)}</select>`
        : html`<p class="muted">${t('tpl.f.domain.none')}</p>`, t('tpl.f.domain.help'))}
      ${fieldRow('tpl-hostname', t('tpl.f.hostname'), e.hostname, html`<input id="tpl-hostname" name="hostname"
          autocomplete="off" spellcheck="false" placeholder=${t('tpl.f.hostname.ph')} aria-invalid=${e.hostname ? 'true' : 'false'}
          aria-describedby="tpl-hostname-help tpl-hostname-error">`, t('tpl.f.hostname.help'))}
      ${fieldRow('tpl-firstboot', t('tpl.f.firstboot'), e.firstboot, html`<textarea id="tpl-firstboot" name="firstboot"
          rows="3" spellcheck="false" aria-describedby="tpl-firstboot-help tpl-firstboot-error"></textarea>`,
        t('tpl.f.firstboot.help'))}
      <span></span>
      <div>${progressRow(this.sealJob, t('tpl.make'))}
        <button type="submit" class="primary" data-testid="tpl-go" ?disabled=${this.busy || !off.length}>${t('tpl.f.submit')}</button>
        <p class="error" role="alert" data-testid="tpl-form-error">${e.form ?? ''}</p>
        <p role="status" class="notice-ok" data-testid="tpl-done">${this.formNotice ?? ''}</p></div>
    </form>`;
  }

  seal(ev) {
    ev.preventDefault();
    const el = ev.target.elements;
    const domain = el.domain?.value ?? '';
    const hostname = el.hostname.value.trim();
    const firstboot = el.firstboot.value.split('\n').map((l) => l.trim()).filter(Boolean);
    const check = {};
    if (!domain) check.domain = t('tpl.err.domain');
    if (hostname && !hostnameRe.test(hostname)) check.hostname = t('tpl.err.hostname');
    return this.submitForm(check, async () => {
      const body = {};
      if (hostname) body.hostname = hostname;
      if (firstboot.length) body.firstboot = firstboot;
      await follow(this, 'sealJob', await call('POST', `/v1/domains/${enc(domain)}/template`, body));
      ev.target.reset();
      return t('tpl.made', domain);
    }, (err) => (/hostname/i.test(err.message) ? 'hostname'
      : /firstboot|first-boot|command/i.test(err.message) ? 'firstboot' : /domain|shut off|running/i.test(err.message) ? 'domain' : 'form'));
  }
}
customElements.define('vr-templates-page', VrTemplatesPage);
