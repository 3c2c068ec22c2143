// <vr-domain-page .domain=${obj} name="NAME" tab="TAB">: one VM: its
// state and actions (start, shut down, reboot, force off, pause,
// resume, clone, rename, delete), and tabs: overview, details (editable:
// domain-edit.js), hardware, performance,
// snapshots, console. Start offers new UEFI variables (start
// ?reset_nvram=1, `vireo start --reset-nvram`) when the firmware changed
// since they were made: see firmwareChanged().
import { LitElement, html } from 'lit';
import { api } from './api.js';
import { domApi } from './api-domains.js';
import { addStrings, t } from './i18n.js';
import { stateClass, stateLabel } from './format.js';
import './console.js';
import './vnc.js';
import './domain-overview.js';
import './domain-hardware.js';
import './domain-perf.js';
import './domain-snapshots.js';
import './clone-dialog.js';
import './domain-edit.js';

addStrings({
  en: {
    'act.reboot': 'Reboot', 'act.clone': 'Clone…', 'act.delete': 'Delete…', 'act.rename': 'Rename…',
    'ren.heading': 'Rename {0}', 'ren.name': 'New name', 'ren.go': 'Rename',
    'ren.needsoff': 'Shut the VM down to rename it.',
    'tab.overview': 'Overview', 'tab.details': 'Details', 'tab.hardware': 'Hardware', 'tab.performance': 'Performance',
    'tab.snapshots': 'Snapshots', 'tab.console': 'Console',
    'clone.heading': 'Clone {0}', 'clone.name': 'Name of the copy', 'clone.go': 'Clone', 'clone.progress': 'Copying disks: {0}%',
    'clone.needsoff': 'Shut the VM down (or pause it) to clone it.',
    'del.heading': 'Delete {0}', 'del.storage': 'Also delete its disk images (not CD-ROMs)',
    'del.confirm': 'The definition of {0} is removed; this cannot be undone.', 'del.go': 'Delete',
    'del.running': 'The VM runs: force it off first to delete its disks.',
    'nv.heading': 'Start {0}',
    'nv.text': 'The firmware of {0} changed: this start picks the new one. The UEFI variables (boot entries, Secure Boot keys) in {1} were made for the old firmware and may not fit it.',
    'nv.nofile': 'its NVRAM file',
    'nv.reset': 'Start with new UEFI variables', 'nv.keep': 'Start, keeping them',
    cancel: 'Cancel',
  },
  es: {
    'act.reboot': 'Reiniciar', 'act.clone': 'Clonar…', 'act.delete': 'Eliminar…', 'act.rename': 'Renombrar…',
    'ren.heading': 'Renombrar {0}', 'ren.name': 'Nombre nuevo', 'ren.go': 'Renombrar',
    'ren.needsoff': 'Apague la máquina para renombrarla.',
    'tab.overview': 'Resumen', 'tab.details': 'Detalles', 'tab.hardware': 'Hardware', 'tab.performance': 'Rendimiento',
    'tab.snapshots': 'Instantáneas', 'tab.console': 'Consola',
    'clone.heading': 'Clonar {0}', 'clone.name': 'Nombre de la copia', 'clone.go': 'Clonar', 'clone.progress': 'Copiando discos: {0} %',
    'clone.needsoff': 'Apague (o pause) la máquina para clonarla.',
    'del.heading': 'Eliminar {0}', 'del.storage': 'Eliminar también sus imágenes de disco (no los CD-ROM)',
    'del.confirm': 'Se elimina la definición de {0}; no se puede deshacer.', 'del.go': 'Eliminar',
    'del.running': 'La máquina está en ejecución: fuerce el apagado antes de eliminar sus discos.',
    'nv.heading': 'Iniciar {0}',
    'nv.text': 'El firmware de {0} cambió: este arranque elige el nuevo. Las variables UEFI (entradas de arranque, claves de Secure Boot) de {1} se hicieron para el firmware anterior y pueden no servirle.',
    'nv.nofile': 'su archivo NVRAM',
    'nv.reset': 'Iniciar con variables UEFI nuevas', 'nv.keep': 'Iniciar conservándolas',
    cancel: 'Cancelar',
  },
});

// The daemon says whether the next start's firmware is another than the
// one the NVRAM last ran with (`firmware_changed`: UEFI with no <loader>
// after the Details tab changed it, or a <loader> edited by hand to
// another variant, OVMF_CODE_4M.fd -> OVMF_CODE_4M.secboot.fd). Returns
// the NVRAM path of the next start's definition ('' if none named), or
// null when the firmware did not change.
async function firmwareChanged(name) {
  const [dom, xml] = await Promise.all([api.domain(name), domApi.xml(name, true, true)]);
  if (!dom.firmware_changed) return null;
  const os = new DOMParser().parseFromString(xml, 'application/xml').querySelector('domain > os');
  return os?.querySelector(':scope > nvram')?.textContent.trim() ?? '';
}

const actions = [
  // action, label key, states it applies to
  ['start', 'act.start', ['shut off']],
  ['shutdown', 'act.shutdown', ['running']],
  ['reboot', 'act.reboot', ['running']],
  ['suspend', 'act.suspend', ['running']],
  ['resume', 'act.resume', ['paused']],
  ['destroy', 'act.destroy', ['running', 'paused', 'in shutdown']],
];
const tabs = ['overview', 'details', 'hardware', 'performance', 'snapshots', 'console'];

export class VrDomainPage extends LitElement {
  static properties = {
    name: {},
    tab: {},
    domain: { attribute: false },
    busy: { state: true },
    error: { state: true },
    dialog: { state: true },
    dialogError: { state: true },
  };

  createRenderRoot() { return this; }

  render() {
    const d = this.domain;
    const back = html`<p><a href="#/">← ${t('dom.back')}</a></p>`;
    if (!d) return html`${back}<p class="error" role="alert" data-testid="domain-gone">${t('dom.gone', this.name)}</p>`;
    const tab = tabs.includes(this.tab) ? this.tab : 'overview';
    const running = d.state === 'running' || d.state === 'paused' || d.state === 'in shutdown';
    const base = `#/domains/${encodeURIComponent(d.name)}`;
    return html`${back}
      <h1>${d.name} <span class=${stateClass(d.state)} data-testid="domain-state">${stateLabel(d.state)}</span></h1>
      <div class="actions" role="group">
        ${actions.map(([act, key, states]) => html`
          <button data-action=${act} ?disabled=${this.busy || !states.includes(d.state)}
                  @click=${() => this.run(act)}>${t(key)}</button>`)}
        <button data-action="clone" ?disabled=${this.busy} @click=${() => this.open('clone')}>${t('act.clone')}</button>
        <button data-action="rename" ?disabled=${this.busy} @click=${() => this.open('rename')}>${t('act.rename')}</button>
        <button data-action="delete" class="danger" ?disabled=${this.busy} @click=${() => this.open('delete')}>${t('act.delete')}</button>
      </div>
      <p class="error" role="alert" data-testid="action-error">${this.error ?? ''}</p>
      <nav class="tabs" aria-label=${d.name}>${tabs.map((x) => html`
        <a href="${base}/${x}" aria-current=${x === tab ? 'page' : 'false'} data-tab=${x}>${t(`tab.${x}`)}</a>`)}</nav>
      <section class="tab-body">${this.body(tab, d, running)}</section>
      ${this.dialogs(d)}`;
  }

  body(tab, d, running) {
    switch (tab) {
      case 'details': return html`<vr-domain-edit .domain=${d}></vr-domain-edit>`;
      case 'hardware': return html`<vr-domain-hardware .domain=${d}></vr-domain-hardware>`;
      case 'performance': return html`<vr-domain-perf .domain=${d}></vr-domain-perf>`;
      case 'snapshots': return html`<vr-domain-snapshots .domain=${d}></vr-domain-snapshots>`;
      case 'console': return html`${d.vnc ? html`<vr-vnc .domain=${d.name} ?running=${running}></vr-vnc>
        <h2>${t('dom.console')}</h2>` : ''}<vr-console .domain=${d.name} ?running=${running}></vr-console>`;
      default: return html`<vr-domain-overview .domain=${d}></vr-domain-overview>`;
    }
  }

  dialogs(d) {
    const running = d.state !== 'shut off';
    if (this.dialog === 'clone')
      return html`<vr-clone-dialog .domain=${d} @closed=${() => { this.dialog = null; }}></vr-clone-dialog>`;
    if (this.dialog === 'rename') {
      return html`<dialog class="card" data-testid="rename-dialog" @close=${() => this.close()}>
        <form @submit=${this.rename} novalidate>
          <h2>${t('ren.heading', d.name)}</h2>
          ${running ? html`<p class="notice">${t('ren.needsoff')}</p>` : ''}
          <label for="rename-name">${t('ren.name')}</label>
          <input id="rename-name" .value=${d.name} required aria-describedby="rename-error"
                 aria-invalid=${this.dialogError ? 'true' : 'false'}>
          <p class="error" role="alert" id="rename-error" data-testid="rename-error">${this.dialogError ?? ''}</p>
          <div class="actions"><button type="button" @click=${() => this.close()}>${t('cancel')}</button>
            <button type="submit" class="primary" data-testid="rename-go" ?disabled=${this.busy || running}>${t('ren.go')}</button></div>
        </form></dialog>`;
    }
    if (this.dialog === 'nvram') {
      return html`<dialog class="card" data-testid="nvram-dialog" @close=${() => this.close()}>
        <h2>${t('nv.heading', d.name)}</h2>
        <p data-testid="nvram-text">${t('nv.text', d.name, this.nvram || t('nv.nofile'))}</p>
        <div class="actions"><button type="button" @click=${() => this.close()}>${t('cancel')}</button>
          <button type="button" data-testid="nvram-keep" @click=${() => this.startChosen(false)}>${t('nv.keep')}</button>
          <button type="button" class="primary" data-testid="nvram-reset" @click=${() => this.startChosen(true)}>${t('nv.reset')}</button></div>
        </dialog>`;
    }
    if (this.dialog === 'delete') {
      return html`<dialog class="card" data-testid="delete-dialog" @close=${() => this.close()}>
        <form @submit=${this.undefineVm} novalidate>
          <h2>${t('del.heading', d.name)}</h2>
          <p>${t('del.confirm', d.name)}</p>
          <label class="radio"><input type="checkbox" id="del-storage" data-testid="del-storage">
            ${t('del.storage')}</label>
          ${running ? html`<p class="notice">${t('del.running')}</p>` : ''}
          <p class="error" role="alert" data-testid="delete-error">${this.dialogError ?? ''}</p>
          <div class="actions"><button type="button" @click=${() => this.close()}>${t('cancel')}</button>
            <button type="submit" class="danger" data-testid="delete-go" ?disabled=${this.busy}>${t('del.go')}</button></div>
        </form></dialog>`;
    }
    return '';
  }

  async open(which) {
    this.dialog = which;
    this.dialogError = null;
    await this.updateComplete;
    const dlg = this.querySelector('dialog'); // (the clone dialog opens itself)
    if (dlg && !dlg.open) dlg.showModal();
  }

  close() {
    this.querySelector('dialog')?.close();
    this.dialog = null;
  }

  // act: an action of the table, or start?reset_nvram=1; ask: whether a
  // start may first ask about the NVRAM (not once it was answered).
  async run(act, ask = true) {
    this.busy = true;
    this.error = null;
    try {
      if (act === 'start' && ask) {
        const nvram = await firmwareChanged(this.name);
        if (nvram !== null) {
          this.nvram = nvram;
          this.busy = false;
          this.open('nvram');
          return;
        }
      }
      const res = await api.action(this.name, act);
      if (res?.state) this.dispatchEvent(new CustomEvent('domain-changed', { detail: res, bubbles: true }));
    } catch (err) {
      this.error = t('err.generic', err.message);
    } finally {
      this.busy = false;
    }
  }

  async startChosen(reset) {
    this.close();
    await this.run(reset ? 'start?reset_nvram=1' : 'start', false);
  }

  // virsh domrename: the daemon moves the definition, snapshots and
  // autostart; the page follows the VM to its new address.
  async rename(e) {
    e.preventDefault();
    const name = this.querySelector('#rename-name').value.trim();
    this.busy = true;
    this.dialogError = null;
    try {
      await domApi.rename(this.name, name);
      this.close();
      location.hash = `#/domains/${encodeURIComponent(name)}`;
    } catch (err) {
      this.dialogError = err.message;
    } finally {
      this.busy = false;
    }
  }

  async undefineVm(e) {
    e.preventDefault();
    const storage = this.querySelector('#del-storage').checked;
    this.busy = true;
    this.dialogError = null;
    try {
      await domApi.undefine(this.name, storage);
      this.close();
      location.hash = '#/';
    } catch (err) {
      this.dialogError = err.message;
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('vr-domain-page', VrDomainPage);
