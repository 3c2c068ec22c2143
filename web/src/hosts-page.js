// <vr-hosts-page>: several hosts, one page (virt-manager's connections,
// Cockpit's host switcher). This daemon first, then every host added by
// a vireo+ssh:// URI: its connection state (an unreachable host says why
// and recovers on its own), its accelerator and VMs at a glance, and
// "Manage" to make every page work on it: the browser still talks only
// to this daemon, which forwards the calls over its SSH connection
// (api.js hostPath). The daemon's public key is shown for the remote
// user's authorized_keys. States are read again every few seconds while
// the page is shown (they are not events).
import { html } from 'lit';
import { call, callAt, currentHost, setHost } from './api.js';
import { addStrings, t } from './i18n.js';
import { ListPage } from './page-base.js';
import './confirm.js';

addStrings({
  en: {
    'nav.hosts': 'Hosts', 'hosts.heading': 'Hosts',
    'hosts.local': 'this host', 'hosts.col.name': 'Host', 'hosts.col.uri': 'Connection',
    'hosts.col.state': 'State', 'hosts.col.accel': 'Accelerator', 'hosts.col.vms': 'VMs', 'hosts.col.actions': 'Actions',
    'hosts.state.connected': 'connected', 'hosts.state.connecting': 'connecting…', 'hosts.state.unreachable': 'unreachable',
    'hosts.vms': '{0} running of {1}', 'hosts.use': 'Manage', 'hosts.using': 'managed now',
    'hosts.remove': 'Remove', 'hosts.remove.q': "Remove host '{0}'? Its VMs stay on it.", 'hosts.remove.yes': 'Yes, remove',
    'hosts.cancel': 'Cancel',
    'hosts.new': 'Add a host', 'hosts.f.name': 'Name', 'hosts.f.uri': 'Address',
    'hosts.f.uri.help': 'vireo+ssh://user@host[:port]/system, or /session for that user\'s own daemon; add ?socket=PATH for a daemon on another socket.',
    'hosts.f.submit': 'Add host',
    'hosts.key': "This daemon's public key", 'hosts.key.help': 'Add this line to ~/.ssh/authorized_keys of the remote user.',
    'hosts.err.name': 'Give the host a name.', 'hosts.err.uri': 'Write an address such as vireo+ssh://root@lab1/system.',
    'hosts.current': 'Host: {0}',
  },
  es: {
    'nav.hosts': 'Anfitriones', 'hosts.heading': 'Anfitriones',
    'hosts.local': 'este anfitrión', 'hosts.col.name': 'Anfitrión', 'hosts.col.uri': 'Conexión',
    'hosts.col.state': 'Estado', 'hosts.col.accel': 'Acelerador', 'hosts.col.vms': 'Máquinas', 'hosts.col.actions': 'Acciones',
    'hosts.state.connected': 'conectado', 'hosts.state.connecting': 'conectando…', 'hosts.state.unreachable': 'inalcanzable',
    'hosts.vms': '{0} en ejecución de {1}', 'hosts.use': 'Gestionar', 'hosts.using': 'gestionado ahora',
    'hosts.remove': 'Quitar', 'hosts.remove.q': "¿Quitar el anfitrión '{0}'? Sus máquinas siguen en él.",
    'hosts.remove.yes': 'Sí, quitar', 'hosts.cancel': 'Cancelar',
    'hosts.new': 'Añadir un anfitrión', 'hosts.f.name': 'Nombre', 'hosts.f.uri': 'Dirección',
    'hosts.f.uri.help': 'vireo+ssh://usuario@anfitrión[:puerto]/system, o /session para el demonio propio de ese usuario; añada ?socket=RUTA para un demonio en otro socket.',
    'hosts.f.submit': 'Añadir anfitrión',
    'hosts.key': 'Clave pública de este demonio',
    'hosts.key.help': 'Añada esta línea a ~/.ssh/authorized_keys del usuario remoto.',
    'hosts.err.name': 'Dé un nombre al anfitrión.', 'hosts.err.uri': 'Escriba una dirección como vireo+ssh://root@lab1/system.',
    'hosts.current': 'Anfitrión: {0}',
  },
});

const POLL_MS = 3000;

// What a connected host's daemon says of itself: accelerator and VMs.
async function glance(name) {
  const [info, doms] = await Promise.all([callAt(name, 'GET', '/v1/host'), callAt(name, 'GET', '/v1/domains')]);
  return { accel: info.accelerator, running: doms.domains.filter((d) => d.state !== 'shut off').length,
    defined: doms.domains.length };
}

export class VrHostsPage extends ListPage {
  static properties = { ...ListPage.properties, hosts: { state: true }, key: { state: true }, glances: { state: true } };

  constructor() {
    super();
    this.glances = {};
  }

  connectedCallback() {
    super.connectedCallback();
    this.poll = setInterval(() => this.load(), POLL_MS);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.poll);
  }

  async load() {
    try {
      const r = await call('GET', '/v1/hosts');
      this.hosts = r.hosts;
      this.key = r.public_key ?? r.public_key_error;
      this.error = null;
    } catch (err) {
      this.error = t('err.generic', err.message);
      return;
    }
    const names = [null, ...this.hosts.filter((h) => h.state === 'connected').map((h) => h.name)];
    const got = await Promise.all(names.map((n) => glance(n).catch((err) => ({ error: err.message }))));
    const glances = {};
    names.forEach((n, i) => { glances[n ?? ''] = got[i]; });
    this.glances = glances;
  }

  render() {
    return html`<div class="page-head"><h1>${t('hosts.heading')}</h1></div>
      ${this.pageError()}
      ${this.hosts ? this.table() : ''}
      ${this.form()}`;
  }

  table() {
    const cols = ['name', 'uri', 'state', 'accel', 'vms', 'actions'];
    const local = { name: null, uri: t('hosts.local'), state: 'connected' };
    return html`<table class="list hosts" data-testid="host-list">
      <thead><tr>${cols.map((c) => html`<th>${t(`hosts.col.${c}`)}</th>`)}</tr></thead>
      <tbody>${[local, ...this.hosts].map((h) => this.row(h))}</tbody></table>`;
  }

  row(h) {
    const g = this.glances[h.name ?? ''];
    const using = currentHost() === h.name;
    const key = `host:${h.name ?? ''}`;
    return html`<tr data-host=${h.name ?? ''} class=${using ? 'selected' : ''}>
      <td data-label=${t('hosts.col.name')}>${h.name ?? t('hosts.local')}</td>
      <td data-label=${t('hosts.col.uri')} class="path">${h.name ? h.uri : ''}</td>
      <td data-label=${t('hosts.col.state')}><span class="state state-${h.state === 'connected' ? 'running' : 'shut-off'}"
          data-testid="host-state">${t(`hosts.state.${h.state}`)}</span>
        ${h.error ? html`<p class="error" data-testid="host-error">${h.error}</p>` : ''}</td>
      <td data-label=${t('hosts.col.accel')} data-testid="host-accel">${g?.accel ? t(`host.accel.${g.accel}`) : ''}</td>
      <td data-label=${t('hosts.col.vms')} data-testid="host-vms">${g?.defined !== undefined ? t('hosts.vms', g.running, g.defined)
        : g?.error ? html`<span class="error">${g.error}</span>` : ''}</td>
      <td data-label=${t('hosts.col.actions')} class="row-actions">
        ${using ? html`<span class="muted" data-testid="host-using">${t('hosts.using')}</span>`
          : html`<button data-action="use" @click=${() => { setHost(h.name); location.hash = '#/'; }}>${t('hosts.use')}</button>`}
        ${h.name ? html`<vr-confirm .label=${t('hosts.remove')} ?disabled=${this.busy} .question=${t('hosts.remove.q', h.name)}
          .yes=${t('hosts.remove.yes')} .no=${t('hosts.cancel')} @confirmed=${() => this.act(key, async () => {
            await call('DELETE', `/v1/hosts/${encodeURIComponent(h.name)}`);
            if (using) setHost(null);
          })}></vr-confirm>` : ''}
        ${this.rowError(key, 'host-row-error')}</td></tr>`;
  }

  form() {
    const e = this.formErrors;
    return html`<h2>${t('hosts.new')}</h2>
      <form class="card form-grid" data-testid="host-form" novalidate @submit=${this.add}>
        <label for="host-name">${t('hosts.f.name')}</label>
        <div><input id="host-name" name="name" placeholder="lab1" autocomplete="off" spellcheck="false"
            aria-invalid=${e.name ? 'true' : 'false'} aria-describedby="host-name-error">
          <p id="host-name-error" class="error" role="alert" data-testid="host-name-error">${e.name ?? ''}</p></div>
        <label for="host-uri">${t('hosts.f.uri')}</label>
        <div><input id="host-uri" name="uri" placeholder="vireo+ssh://root@lab1/system" autocomplete="off" spellcheck="false"
            aria-invalid=${e.uri ? 'true' : 'false'} aria-describedby="host-uri-help host-uri-error">
          <small id="host-uri-help" class="muted">${t('hosts.f.uri.help')}</small>
          <p id="host-uri-error" class="error" role="alert" data-testid="host-uri-error">${e.uri ?? ''}</p></div>
        <label for="host-key">${t('hosts.key')}</label>
        <div><textarea id="host-key" readonly rows="2" data-testid="host-key" aria-describedby="host-key-help"
            .value=${this.key ?? ''}></textarea>
          <small id="host-key-help" class="muted">${t('hosts.key.help')}</small></div>
        <span></span>
        <div><button type="submit" class="primary" ?disabled=${this.busy}>${t('hosts.f.submit')}</button>
          <p class="error" role="alert" data-testid="host-form-error">${e.form ?? ''}</p></div>
      </form>`;
  }

  add(ev) {
    ev.preventDefault();
    const el = ev.target.elements;
    const name = el.name.value.trim();
    const uri = el.uri.value.trim();
    const check = {};
    if (!name) check.name = t('hosts.err.name');
    if (!/^(vireo|qemu)\+ssh:\/\//.test(uri)) check.uri = t('hosts.err.uri');
    return this.submitForm(check, async () => {
      await call('POST', '/v1/hosts', { name, uri });
      el.name.value = el.uri.value = '';
      return null;
    }, (err) => (/host name|already exists/.test(err.message) ? 'name' : 'uri'));
  }
}
customElements.define('vr-hosts-page', VrHostsPage);
