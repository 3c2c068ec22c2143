// <vr-domain-snapshots .domain=${obj}>: the VM's snapshots: take one
// (name, description), revert to one, delete one (both confirmed).
import { LitElement, html } from 'lit';
import { domApi } from './api-domains.js';
import { addStrings, t } from './i18n.js';
import { stateLabel } from './format.js';

addStrings({
  en: {
    'snap.heading': 'Snapshots', 'snap.none': 'No snapshots yet.', 'snap.name': 'Name', 'snap.desc': 'Description',
    'snap.take': 'Take snapshot', 'snap.taking': 'Taking…', 'snap.created': 'Taken', 'snap.state': 'VM was',
    'snap.revert': 'Revert', 'snap.delete': 'Delete', 'snap.current': 'current',
    'snap.confirm.revert': "Revert {0} to snapshot '{1}'? What changed since is lost.",
    'snap.confirm.delete': "Delete snapshot '{0}'?", 'snap.reverted': "Reverted to '{0}'.",
  },
  es: {
    'snap.heading': 'Instantáneas', 'snap.none': 'Todavía no hay instantáneas.', 'snap.name': 'Nombre',
    'snap.desc': 'Descripción', 'snap.take': 'Crear instantánea', 'snap.taking': 'Creando…', 'snap.created': 'Creada',
    'snap.state': 'La máquina estaba', 'snap.revert': 'Revertir', 'snap.delete': 'Eliminar', 'snap.current': 'actual',
    'snap.confirm.revert': "¿Revertir {0} a la instantánea '{1}'? Se pierde lo cambiado desde entonces.",
    'snap.confirm.delete': "¿Eliminar la instantánea '{0}'?", 'snap.reverted': "Revertida a '{0}'.",
  },
});

const stamp = (s) => new Date(s * 1000).toLocaleString();

export class VrDomainSnapshots extends LitElement {
  static properties = {
    domain: { attribute: false }, snaps: { state: true }, error: { state: true }, busy: { state: true },
    status: { state: true },
  };

  createRenderRoot() { return this; }

  willUpdate(changed) {
    if (changed.has('domain') && changed.get('domain')?.name !== this.domain.name) this.load();
  }

  async load() {
    try {
      this.snaps = await domApi.snapshots(this.domain.name);
    } catch (err) {
      this.error = t('err.generic', err.message);
    }
  }

  async act(fn, status) {
    this.busy = true;
    this.error = null;
    this.status = null;
    try {
      await fn();
      this.status = status ?? null;
      await this.load();
    } catch (err) {
      this.error = t('err.generic', err.message);
    } finally {
      this.busy = false;
    }
  }

  take(e) {
    e.preventDefault();
    const form = e.target;
    const name = form.elements.name.value.trim(), desc = form.elements.description.value.trim();
    this.act(async () => {
      await domApi.snapshot(this.domain.name, name || undefined, desc || undefined);
      form.reset();
    });
  }

  revert(s) {
    if (!confirm(t('snap.confirm.revert', this.domain.name, s.name))) return;
    this.act(() => domApi.revert(this.domain.name, s.name), t('snap.reverted', s.name));
  }

  deleteSnap(s) {
    if (!confirm(t('snap.confirm.delete', s.name))) return;
    this.act(() => domApi.deleteSnapshot(this.domain.name, s.name));
  }

  render() {
    const snaps = this.snaps ?? [];
    return html`<form class="inline" @submit=${this.take} novalidate data-testid="snap-form">
        <div class="field"><label for="snap-name">${t('snap.name')}</label><input id="snap-name" name="name"></div>
        <div class="field grow"><label for="snap-desc">${t('snap.desc')}</label><input id="snap-desc" name="description"></div>
        <button type="submit" class="primary" ?disabled=${this.busy} data-testid="snap-take">
          ${this.busy ? t('snap.taking') : t('snap.take')}</button>
      </form>
      <p class="error" role="alert" data-testid="snap-error">${this.error ?? ''}</p>
      <p role="status" class="ok" data-testid="snap-status">${this.status ?? ''}</p>
      ${snaps.length === 0 ? html`<p>${t('snap.none')}</p>` : html`<div class="scroll"><table class="grid" data-testid="snapshots">
        <thead><tr><th>${t('snap.name')}</th><th>${t('snap.created')}</th><th>${t('snap.state')}</th><th>${t('snap.desc')}</th><th></th></tr></thead>
        <tbody>${snaps.map((s) => html`<tr data-snapshot=${s.name}>
          <td>${s.name} ${s.current ? html`<span class="state">${t('snap.current')}</span>` : ''}</td>
          <td>${stamp(s.creation_time)}</td><td>${stateLabel(s.state === 'shutoff' ? 'shut off' : s.state)}</td><td>${s.description ?? ''}</td>
          <td class="row-actions"><button data-action="revert" ?disabled=${this.busy} @click=${() => this.revert(s)}>${t('snap.revert')}</button>
            <button data-action="delete" class="danger" ?disabled=${this.busy} @click=${() => this.deleteSnap(s)}>${t('snap.delete')}</button></td>
        </tr>`)}</tbody></table></div>`}`;
  }
}
customElements.define('vr-domain-snapshots', VrDomainSnapshots);
