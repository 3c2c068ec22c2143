// <vr-secrets-list>: the secrets the host keeps for its pools (CHAP
// passwords of iSCSI targets, Ceph keys; libvirt's secret objects, `vireo
// secret-list`), each with its usage and whether a value is set, and a
// delete. A value is never shown: the web port cannot read one back
// (docs/api.md), and the page never asks. createSecret() makes one
// (define, then set its value) for the pool form.
import { html } from 'lit';
import { call, callXml } from './api.js';
import { addStrings, t } from './i18n.js';
import { xmlEscape } from './format.js';
import { FeedRefresh, ListPage, fetchInto } from './page-base.js';
import './confirm.js';

addStrings({
  en: {
    'secret.heading': 'Secrets',
    'secret.help': 'Passwords and keys the pools log in with. Their values are kept by the host and never shown.',
    'secret.empty': 'The host keeps no secrets.',
    'secret.col.usage': 'Used for', 'secret.col.description': 'Description', 'secret.col.uuid': 'UUID',
    'secret.col.value': 'Value', 'secret.col.actions': 'Actions',
    'secret.value.set': 'set (hidden)', 'secret.value.unset': 'not set',
    'secret.usage.iscsi': 'iSCSI CHAP: {0}', 'secret.usage.ceph': 'Ceph: {0}', 'secret.usage.volume': 'volume: {0}',
    'secret.usage.tls': 'TLS: {0}', 'secret.usage.vtpm': 'vTPM: {0}', 'secret.usage.none': '—',
    'secret.delete': 'Delete', 'secret.delete.q': "Delete secret '{0}' and its value?",
    'secret.delete.yes': 'Yes, delete', 'secret.cancel': 'Cancel',
  },
  es: {
    'secret.heading': 'Secretos',
    'secret.help': 'Contraseñas y claves con las que entran los grupos. El anfitrión guarda sus valores y nunca se muestran.',
    'secret.empty': 'El anfitrión no guarda secretos.',
    'secret.col.usage': 'Para', 'secret.col.description': 'Descripción', 'secret.col.uuid': 'UUID',
    'secret.col.value': 'Valor', 'secret.col.actions': 'Acciones',
    'secret.value.set': 'guardado (oculto)', 'secret.value.unset': 'sin valor',
    'secret.usage.iscsi': 'CHAP de iSCSI: {0}', 'secret.usage.ceph': 'Ceph: {0}', 'secret.usage.volume': 'volumen: {0}',
    'secret.usage.tls': 'TLS: {0}', 'secret.usage.vtpm': 'vTPM: {0}', 'secret.usage.none': '—',
    'secret.delete': 'Eliminar', 'secret.delete.q': "¿Eliminar el secreto '{0}' y su valor?",
    'secret.delete.yes': 'Sí, eliminar', 'secret.cancel': 'Cancelar',
  },
});

// What a secret is for, in a word and its usage name.
export const secretLabel = (s) => (s.usage_type ? t(`secret.usage.${s.usage_type}`, s.usage_id ?? '')
  : t('secret.usage.none'));

// The usage element of each usage type's secret XML (docs/storage.md).
const usageElement = { iscsi: 'target', ceph: 'name' };

// bytes of a string (UTF-8) in base64, as PUT …/value takes them.
const base64 = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

// A new private secret of `usage` (iscsi, ceph) named `id`, holding
// `value` (a CHAP password as typed; a Ceph key, which is base64 already,
// as its bytes). A secret whose value cannot be set is removed again.
export async function createSecret(usage, id, value, description) {
  const el = usageElement[usage];
  const s = await callXml('POST', '/v1/secrets', `<secret ephemeral='no' private='yes'>\n` +
    `  <description>${xmlEscape(description)}</description>\n` +
    `  <usage type='${usage}'><${el}>${xmlEscape(id)}</${el}></usage>\n</secret>\n`);
  try {
    await call('PUT', `/v1/secrets/${encodeURIComponent(s.uuid)}/value`,
      { value: usage === 'ceph' ? value.trim() : base64(value) });
  } catch (err) {
    await call('DELETE', `/v1/secrets/${encodeURIComponent(s.uuid)}`).catch(() => {});
    throw err;
  }
  return s;
}

export class VrSecretsList extends ListPage {
  static properties = { ...ListPage.properties, secrets: { state: true } };

  constructor() {
    super();
    this.secrets = null;
    // A pool made with a new secret: the list shows it.
    new FeedRefresh(this, (ev) => ev.kind === 'pool' || ev.kind === 'secret', () => this.load());
  }

  load() { return fetchInto(this, 'secrets', '/v1/secrets', { key: 'secrets' }); }

  render() {
    return html`<h2>${t('secret.heading')}</h2><p class="muted">${t('secret.help')}</p>${this.pageError()}
      ${!this.secrets ? '' : !this.secrets.length ? html`<p data-testid="secret-empty">${t('secret.empty')}</p>`
        : this.table()}`;
  }

  table() {
    const cols = ['usage', 'description', 'uuid', 'value', 'actions'];
    return html`<table class="list secrets" data-testid="secret-list">
      <thead><tr>${cols.map((c) => html`<th>${t(`secret.col.${c}`)}</th>`)}</tr></thead>
      <tbody>${this.secrets.map((s) => html`<tr data-secret=${s.uuid} data-usage=${s.usage_id ?? ''}>
        <td data-label=${t('secret.col.usage')}>${secretLabel(s)}</td>
        <td data-label=${t('secret.col.description')}>${s.description ?? ''}</td>
        <td data-label=${t('secret.col.uuid')} class="path">${s.uuid}</td>
        <td data-label=${t('secret.col.value')} data-testid="secret-value">${
          t(s.has_value ? 'secret.value.set' : 'secret.value.unset')}</td>
        <td data-label=${t('secret.col.actions')} class="row-actions">
          <vr-confirm data-action="delete" .label=${t('secret.delete')} ?disabled=${this.busy}
            .question=${t('secret.delete.q', s.usage_id ?? s.uuid)} .yes=${t('secret.delete.yes')} .no=${t('secret.cancel')}
            @confirmed=${() => this.act(s.uuid, () => call('DELETE', `/v1/secrets/${encodeURIComponent(s.uuid)}`))}>
          </vr-confirm>${this.rowError(s.uuid, 'secret-row-error')}</td></tr>`)}</tbody></table>`;
  }
}
customElements.define('vr-secrets-list', VrSecretsList);
