// <vr-networks-page .selected=NAME>: the virtual networks (list, start,
// stop, autostart, delete), a form that makes a NAT or isolated network,
// and the DHCP leases of the selected one. The API takes network XML
// only, so the form writes it (escaped) from what was typed. Networks
// started, stopped, defined or undefined elsewhere (vireo net-start …)
// show up live from the event feed.
import { html } from 'lit';
import { call, callXml } from './api.js';
import { addStrings, getLang, t } from './i18n.js';
import { FeedRefresh, ListPage, fetchInto } from './page-base.js';
import './confirm.js';

addStrings({
  en: {
    'net.heading': 'Networks',
    'net.empty': 'No networks are defined.',
    'net.col.name': 'Name', 'net.col.state': 'State', 'net.col.autostart': 'Autostart',
    'net.col.bridge': 'Bridge', 'net.col.mode': 'Mode', 'net.col.subnet': 'Subnet',
    'net.col.dhcp': 'DHCP range', 'net.col.actions': 'Actions',
    'net.state.active': 'active', 'net.state.inactive': 'inactive',
    'net.mode.nat': 'NAT', 'net.mode.none': 'isolated', 'net.mode.route': 'routed',
    'net.mode.open': 'open', 'net.mode.bridge': 'host bridge',
    'net.mode.macvtap': 'macvtap ({0})',
    'net.dhcp.off': 'off',
    'net.autostart.label': 'Start {0} with the host',
    'net.start': 'Start', 'net.stop': 'Stop', 'net.delete': 'Delete',
    'net.delete.q': "Delete network '{0}'?",
    'net.delete.q_active': "Stop and delete network '{0}'?",
    'net.delete.yes': 'Yes, delete', 'net.cancel': 'Cancel',
    'net.new': 'New network',
    'net.f.name': 'Name',
    'net.f.mode': 'Kind',
    'net.f.mode.nat': 'NAT: guests reach outside through the host',
    'net.f.mode.none': 'Isolated: guests and host only',
    'net.f.subnet': 'IPv4 subnet',
    'net.f.subnet.help': 'For example 192.168.150.0/24. The host takes the first address.',
    'net.f.dhcp': 'DHCP',
    'net.f.dhcp.on': 'Hand out addresses to guests',
    'net.f.dhcp.range': 'from {0} to {1}',
    'net.f.autostart': 'Start with the host (autostart)',
    'net.f.start': 'Start it now',
    'net.f.submit': 'Create network',
    'net.f.created': "Network '{0}' created.",
    'net.err.name': 'Give the network a name.',
    'net.err.subnet_format': 'Write the subnet as an IPv4 address and a prefix, for example 192.168.150.0/24.',
    'net.err.subnet_octet': "'{0}' is not an IPv4 address: each of its four numbers goes from 0 to 255.",
    'net.err.prefix': 'The prefix /{0} is not possible here: use /8 to /30.',
    'net.leases': 'DHCP leases of {0}',
    'net.leases.none': 'No leases: no guest has asked this network for an address yet.',
    'net.leases.nodhcp': 'This network has no DHCP.',
    'net.leases.refresh': 'Refresh',
    'net.leases.gone': "The network '{0}' does not exist.",
    'net.col.mac': 'MAC address', 'net.col.ip': 'IP address', 'net.col.hostname': 'Host name',
    'net.col.expiry': 'Expires',
    'net.back': 'All networks',
  },
  es: {
    'net.heading': 'Redes',
    'net.empty': 'No hay redes definidas.',
    'net.col.name': 'Nombre', 'net.col.state': 'Estado', 'net.col.autostart': 'Inicio automático',
    'net.col.bridge': 'Puente', 'net.col.mode': 'Modo', 'net.col.subnet': 'Subred',
    'net.col.dhcp': 'Rango DHCP', 'net.col.actions': 'Acciones',
    'net.state.active': 'activa', 'net.state.inactive': 'inactiva',
    'net.mode.nat': 'NAT', 'net.mode.none': 'aislada', 'net.mode.route': 'enrutada',
    'net.mode.open': 'abierta', 'net.mode.bridge': 'puente del anfitrión',
    'net.mode.macvtap': 'macvtap ({0})',
    'net.dhcp.off': 'desactivado',
    'net.autostart.label': 'Iniciar {0} con el anfitrión',
    'net.start': 'Iniciar', 'net.stop': 'Detener', 'net.delete': 'Eliminar',
    'net.delete.q': "¿Eliminar la red '{0}'?",
    'net.delete.q_active': "¿Detener y eliminar la red '{0}'?",
    'net.delete.yes': 'Sí, eliminar', 'net.cancel': 'Cancelar',
    'net.new': 'Nueva red',
    'net.f.name': 'Nombre',
    'net.f.mode': 'Tipo',
    'net.f.mode.nat': 'NAT: los invitados salen al exterior a través del anfitrión',
    'net.f.mode.none': 'Aislada: solo los invitados y el anfitrión',
    'net.f.subnet': 'Subred IPv4',
    'net.f.subnet.help': 'Por ejemplo 192.168.150.0/24. El anfitrión toma la primera dirección.',
    'net.f.dhcp': 'DHCP',
    'net.f.dhcp.on': 'Repartir direcciones a los invitados',
    'net.f.dhcp.range': 'de {0} a {1}',
    'net.f.autostart': 'Iniciar con el anfitrión (inicio automático)',
    'net.f.start': 'Iniciarla ahora',
    'net.f.submit': 'Crear red',
    'net.f.created': "Red '{0}' creada.",
    'net.err.name': 'Dé un nombre a la red.',
    'net.err.subnet_format': 'Escriba la subred como una dirección IPv4 y un prefijo, por ejemplo 192.168.150.0/24.',
    'net.err.subnet_octet': "'{0}' no es una dirección IPv4: cada uno de sus cuatro números va de 0 a 255.",
    'net.err.prefix': 'El prefijo /{0} no es posible aquí: use de /8 a /30.',
    'net.leases': 'Concesiones DHCP de {0}',
    'net.leases.none': 'No hay concesiones: ningún invitado ha pedido todavía una dirección a esta red.',
    'net.leases.nodhcp': 'Esta red no tiene DHCP.',
    'net.leases.refresh': 'Actualizar',
    'net.leases.gone': "La red '{0}' no existe.",
    'net.col.mac': 'Dirección MAC', 'net.col.ip': 'Dirección IP', 'net.col.hostname': 'Nombre de equipo',
    'net.col.expiry': 'Caduca',
    'net.back': 'Todas las redes',
  },
});

// ---- IPv4 arithmetic for the form ----

function parseIp(s) {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const ipText = (n) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

// "192.168.150.0/24" -> the host's address, the prefix and the DHCP range
// (all but the network, host and broadcast addresses), or { error: [key, arg] }.
export function planSubnet(text) {
  const m = text.trim().match(/^([0-9.]+)\/(\d{1,2})$/);
  if (!m) return { error: ['net.err.subnet_format'] };
  const ip = parseIp(m[1]);
  if (ip === null) return { error: ['net.err.subnet_octet', m[1]] };
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) return { error: ['net.err.prefix', m[2]] };
  const size = 2 ** (32 - prefix);
  const net = ip - (ip % size);
  return { address: ipText(net + 1), prefix, start: ipText(net + 2), end: ipText(net + size - 2) };
}

const xmlEscape = (s) => s.replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`);

// A macvtap network (mode bridge without a bridge, vepa, private,
// passthrough) names its macvtap mode; the others their kind.
function modeText(n) {
  const macvtap = ['vepa', 'private', 'passthrough'].includes(n.forward) || (n.forward === 'bridge' && !n.bridge);
  return macvtap ? t('net.mode.macvtap', n.forward) : t(`net.mode.${n.forward}`);
}

function networkXml({ name, mode, plan, dhcp }) {
  const range = dhcp ? `\n    <dhcp><range start='${plan.start}' end='${plan.end}'/></dhcp>\n  ` : '';
  return `<network>
  <name>${xmlEscape(name)}</name>${mode === 'nat' ? "\n  <forward mode='nat'/>" : ''}
  <ip address='${plan.address}' prefix='${plan.prefix}'>${range}</ip>
</network>
`;
}

// Which form field a daemon error is about, from its words.
function errorField(message) {
  if (/\bname\b/i.test(message) && !/bridge/i.test(message)) return 'name';
  if (/subnet|address|prefix|netmask|range|overlap|<ip\b/i.test(message)) return 'subnet';
  return 'form';
}

// The network's subnet as the form takes it: "192.168.122.0/24".
function subnetOf(n) {
  if (!n.address) return '';
  const ip = parseIp(n.address);
  return `${ipText(ip - (ip % 2 ** (32 - n.prefix)))}/${n.prefix}`;
}

export class VrNetworksPage extends ListPage {
  static properties = {
    ...ListPage.properties,
    networks: { state: true },
    leases: { state: true },
    subnetText: { state: true },
    dhcp: { state: true },
  };

  constructor() {
    super();
    this.networks = null;
    this.subnetText = '';
    this.dhcp = true;
    // A network's start or stop also restarts its DHCP server: its leases
    // are read again when the event names the one shown.
    // The list first: a network just undefined gets its notice without
    // asking for the leases of something gone.
    new FeedRefresh(this, (ev) => ev.kind === 'network', async (events) => {
      const leases = this.selected && (!events || events.some((ev) => ev.name === this.selected));
      await this.load();
      if (!leases) return;
      if (this.networks?.some((n) => n.name === this.selected)) await this.loadLeases();
      else this.leases = { error: t('net.leases.gone', this.selected) };
    });
  }

  updated(changed) {
    if (changed.has('selected')) {
      this.leases = null;
      this.loadLeases();
    }
  }

  load() { return fetchInto(this, 'networks', '/v1/networks', { key: 'networks' }); }

  // The shown table stays until the new one is there; an answer for a
  // network no longer selected is dropped.
  async loadLeases() {
    const name = this.selected;
    if (!name) return;
    let leases;
    try {
      leases = (await call('GET', `/v1/networks/${encodeURIComponent(name)}/leases`)).leases;
    } catch (err) {
      leases = { error: err.status === 404 ? t('net.leases.gone', name) : t('err.generic', err.message) };
    }
    if (name === this.selected) this.leases = leases;
  }

  // An API call on network `name` (fn gets its path); errors in its row.
  netAct(name, fn) {
    return this.act(name, () => fn(`/v1/networks/${encodeURIComponent(name)}`));
  }

  deleteNetwork(n) {
    return this.netAct(n.name, async (path) => {
      if (n.active) await call('POST', `${path}/destroy`);
      await call('DELETE', path);
      if (this.selected === n.name) location.hash = '#/networks';
    });
  }

  render() {
    return html`<div class="page-head"><h1>${t('net.heading')}</h1></div>
      ${this.pageError()}
      ${this.table()}
      ${this.selected ? this.leasesView() : ''}
      ${this.form()}`;
  }

  table() {
    if (!this.networks) return '';
    if (!this.networks.length) return html`<p data-testid="net-empty">${t('net.empty')}</p>`;
    const cols = ['name', 'state', 'autostart', 'bridge', 'mode', 'subnet', 'dhcp', 'actions'];
    return html`<table class="list networks" data-testid="net-list">
      <thead><tr>${cols.map((c) => html`<th>${t(`net.col.${c}`)}</th>`)}</tr></thead>
      <tbody>${this.networks.map((n) => this.row(n))}</tbody></table>`;
  }

  row(n) {
    const dhcp = n.dhcp?.length ? n.dhcp.map((r) => `${r.start} – ${r.end}`).join(', ') : t('net.dhcp.off');
    const state = n.active ? 'active' : 'inactive';
    return html`<tr data-network=${n.name} class=${this.selected === n.name ? 'selected' : ''}>
      <td data-label=${t('net.col.name')}><a href="#/networks/${encodeURIComponent(n.name)}">${n.name}</a></td>
      <td data-label=${t('net.col.state')}><span class="state state-${n.active ? 'running' : 'shut-off'}"
        data-testid="net-state">${t(`net.state.${state}`)}</span></td>
      <td data-label=${t('net.col.autostart')}><input type="checkbox" .checked=${n.autostart}
        aria-label=${t('net.autostart.label', n.name)} ?disabled=${this.busy || !n.persistent}
        data-testid="net-autostart"
        @change=${(e) => this.netAct(n.name, (p) => call('PUT', `${p}/autostart`, { autostart: e.target.checked }))}></td>
      <td data-label=${t('net.col.bridge')}>${n.bridge ?? ''}</td>
      <td data-label=${t('net.col.mode')}>${modeText(n)}</td>
      <td data-label=${t('net.col.subnet')} data-testid="net-subnet">${subnetOf(n)}${n.address6
        ? html`<br><span data-testid="net-subnet6">${n.address6}/${n.prefix6}</span>` : ''}</td>
      <td data-label=${t('net.col.dhcp')} data-testid="net-dhcp">${n.address ? dhcp : ''}</td>
      <td data-label=${t('net.col.actions')} class="row-actions">
        ${n.active
          ? html`<button data-action="stop" ?disabled=${this.busy}
              @click=${() => this.netAct(n.name, (p) => call('POST', `${p}/destroy`))}>${t('net.stop')}</button>`
          : html`<button data-action="start" ?disabled=${this.busy}
              @click=${() => this.netAct(n.name, (p) => call('POST', `${p}/start`))}>${t('net.start')}</button>`}
        <vr-confirm data-action="delete" .label=${t('net.delete')} ?disabled=${this.busy}
          .question=${t(n.active ? 'net.delete.q_active' : 'net.delete.q', n.name)}
          .yes=${t('net.delete.yes')} .no=${t('net.cancel')} @confirmed=${() => this.deleteNetwork(n)}></vr-confirm>
        ${this.rowError(n.name, 'net-row-error')}
      </td></tr>`;
  }

  leasesView() {
    const n = this.networks?.find((x) => x.name === this.selected);
    const l = this.leases;
    let body;
    if (l?.error) body = html`<p class="error" role="alert">${l.error}</p>`;
    else if (n && !n.dhcp?.length) body = html`<p>${t('net.leases.nodhcp')}</p>`;
    else if (l && !l.length) body = html`<p data-testid="net-leases-empty">${t('net.leases.none')}</p>`;
    else if (l) body = html`<table class="list leases" data-testid="net-leases">
      <thead><tr><th>${t('net.col.mac')}</th><th>${t('net.col.ip')}</th><th>${t('net.col.hostname')}</th>
        <th>${t('net.col.expiry')}</th></tr></thead>
      <tbody>${l.map((x) => html`<tr><td data-label=${t('net.col.mac')}>${x.mac}</td>
        <td data-label=${t('net.col.ip')}>${x.ip}/${x.prefix}</td>
        <td data-label=${t('net.col.hostname')}>${x.hostname ?? ''}</td>
        <td data-label=${t('net.col.expiry')}>${x.expiry ? new Date(x.expiry * 1000).toLocaleString(getLang()) : ''}</td></tr>`)}
      </tbody></table>`;
    return html`<section class="card detail" data-testid="net-detail">
      <div class="page-head"><h2>${t('net.leases', this.selected)}</h2>
        <span class="actions"><button @click=${() => this.loadLeases()}>${t('net.leases.refresh')}</button>
        <a class="button" href="#/networks">${t('net.back')}</a></span></div>
      ${body ?? ''}</section>`;
  }

  form() {
    const e = this.formErrors;
    const plan = planSubnet(this.subnetText);
    const range = this.dhcp && !plan.error ? t('net.f.dhcp.range', plan.start, plan.end) : '';
    return html`<h2>${t('net.new')}</h2>
      <form class="card form-grid" data-testid="net-form" novalidate @submit=${this.create}>
        <label for="net-name">${t('net.f.name')}</label>
        <div><input id="net-name" name="name" required autocomplete="off" spellcheck="false"
            aria-invalid=${e.name ? 'true' : 'false'} aria-describedby="net-name-error">
          <p id="net-name-error" class="error" role="alert" data-testid="net-name-error">${e.name ?? ''}</p></div>
        <span class="label" id="net-mode-label">${t('net.f.mode')}</span>
        <div role="radiogroup" aria-labelledby="net-mode-label" class="choices">
          <label><input type="radio" name="mode" value="nat" checked> ${t('net.f.mode.nat')}</label>
          <label><input type="radio" name="mode" value="none"> ${t('net.f.mode.none')}</label></div>
        <label for="net-subnet">${t('net.f.subnet')}</label>
        <div><input id="net-subnet" name="subnet" placeholder="192.168.150.0/24" autocomplete="off"
            spellcheck="false" .value=${this.subnetText} @input=${(ev) => { this.subnetText = ev.target.value; }}
            aria-invalid=${e.subnet ? 'true' : 'false'} aria-describedby="net-subnet-help net-subnet-error">
          <small id="net-subnet-help" class="muted">${t('net.f.subnet.help')}</small>
          <p id="net-subnet-error" class="error" role="alert" data-testid="net-subnet-error">${e.subnet ?? ''}</p></div>
        <span class="label">${t('net.f.dhcp')}</span>
        <div><label><input type="checkbox" name="dhcp" .checked=${this.dhcp}
            @change=${(ev) => { this.dhcp = ev.target.checked; }}> ${t('net.f.dhcp.on')}</label>
          <small class="muted" data-testid="net-dhcp-range">${range}</small></div>
        <span></span>
        <div class="choices"><label><input type="checkbox" name="autostart"> ${t('net.f.autostart')}</label>
          <label><input type="checkbox" name="start" checked> ${t('net.f.start')}</label></div>
        <span></span>
        <div><button type="submit" class="primary" ?disabled=${this.busy}>${t('net.f.submit')}</button>
          <p class="error" role="alert" data-testid="net-form-error">${e.form ?? ''}</p>
          <p role="status" class="notice-ok">${this.formNotice ?? ''}</p></div>
      </form>`;
  }

  // Check what can be checked here, write the XML, define; then the
  // optional autostart and start. Each error lands by its field.
  create(ev) {
    ev.preventDefault();
    const el = ev.target.elements; // (form.name would be the form's own name)
    const name = el.name.value.trim();
    const plan = planSubnet(el.subnet.value);
    const check = {};
    if (!name) check.name = t('net.err.name');
    if (plan.error) check.subnet = t(...plan.error);
    return this.submitForm(check, async () => {
      await callXml('POST', '/v1/networks', networkXml({ name, mode: el.mode.value, plan, dhcp: el.dhcp.checked }));
      const path = `/v1/networks/${encodeURIComponent(name)}`;
      try {
        if (el.autostart.checked) await call('PUT', `${path}/autostart`, { autostart: true });
        if (el.start.checked) await call('POST', `${path}/start`);
      } catch (err) {
        err.afterDefine = true; // not about a field: the network exists
        throw err;
      }
      el.name.value = ''; // the choices stay for the next one
      this.subnetText = '';
      return t('net.f.created', name);
    }, (err) => (err.afterDefine ? 'form' : errorField(err.message)));
  }
}
customElements.define('vr-networks-page', VrNetworksPage);
