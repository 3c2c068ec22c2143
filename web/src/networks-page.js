// <vr-networks-page .selected=NAME>: the virtual networks (list, start,
// stop, autostart, delete) with their kind, the form that makes one of
// every kind (networks-form.js), and the DHCP leases, the IPv4 subnet and
// DHCP range (changed while stopped) and static hosts of the selected one (hosts added and removed as net-update does). Networks
// started, stopped, defined or undefined elsewhere (vireo net-start …)
// show up live from the event feed.
import { html } from 'lit';
import { call, callXml, getText } from './api.js';
import { addStrings, getLang, t } from './i18n.js';
import { FeedRefresh, ListPage, fetchInto } from './page-base.js';
import { hostXml, kindText, netForm, parseIp, ipText, planSubnet } from './networks-form.js';
import './confirm.js';

addStrings({
  en: {
    'net.heading': 'Networks',
    'net.empty': 'No networks are defined.',
    'net.col.name': 'Name', 'net.col.state': 'State', 'net.col.autostart': 'Autostart',
    'net.col.bridge': 'Bridge', 'net.col.mode': 'Kind', 'net.col.subnet': 'Subnet',
    'net.col.dhcp': 'DHCP range', 'net.col.actions': 'Actions',
    'net.state.active': 'active', 'net.state.inactive': 'inactive',
    'net.dhcp.off': 'off',
    'net.autostart.label': 'Start {0} with the host',
    'net.start': 'Start', 'net.stop': 'Stop', 'net.delete': 'Delete',
    'net.delete.q': "Delete network '{0}'?",
    'net.delete.q_active': "Stop and delete network '{0}'?",
    'net.delete.yes': 'Yes, delete', 'net.cancel': 'Cancel',
    'net.new': 'New network',
    'net.f.name': 'Name',
    'net.f.mode': 'Kind',
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
    'net.hosts': 'Static hosts of {0}', 'net.hosts.none': 'No static hosts.',
    'net.hosts.add': 'Add', 'net.hosts.remove': 'Remove',
    'net.range': 'IPv4 subnet and DHCP range of {0}', 'net.range.go': 'Change',
    'net.range.active': 'Stop the network to change its subnet or range: the next start uses the new ones.',
    'net.range.subnet': 'Subnet of {0} (address/prefix)',
    'net.range.need': 'Give the first and the last address.',
    'net.hosts.remove.q': "Remove the static host {0}?", 'net.hosts.remove.yes': 'Yes, remove',
  },
  es: {
    'net.heading': 'Redes',
    'net.empty': 'No hay redes definidas.',
    'net.col.name': 'Nombre', 'net.col.state': 'Estado', 'net.col.autostart': 'Inicio automático',
    'net.col.bridge': 'Puente', 'net.col.mode': 'Tipo', 'net.col.subnet': 'Subred',
    'net.col.dhcp': 'Rango DHCP', 'net.col.actions': 'Acciones',
    'net.state.active': 'activa', 'net.state.inactive': 'inactiva',
    'net.dhcp.off': 'desactivado',
    'net.autostart.label': 'Iniciar {0} con el anfitrión',
    'net.start': 'Iniciar', 'net.stop': 'Detener', 'net.delete': 'Eliminar',
    'net.delete.q': "¿Eliminar la red '{0}'?",
    'net.delete.q_active': "¿Detener y eliminar la red '{0}'?",
    'net.delete.yes': 'Sí, eliminar', 'net.cancel': 'Cancelar',
    'net.new': 'Nueva red',
    'net.f.name': 'Nombre',
    'net.f.mode': 'Tipo',
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
    'net.hosts': 'Equipos con dirección fija de {0}', 'net.hosts.none': 'No hay equipos con dirección fija.',
    'net.hosts.add': 'Añadir', 'net.hosts.remove': 'Quitar',
    'net.range': 'Subred IPv4 y rango DHCP de {0}', 'net.range.go': 'Cambiar',
    'net.range.active': 'Detenga la red para cambiar su subred o su rango: el próximo arranque usa los nuevos.',
    'net.range.subnet': 'Subred de {0} (dirección/prefijo)',
    'net.range.need': 'Indique la primera y la última dirección.',
    'net.hosts.remove.q': '¿Quitar el equipo con dirección fija {0}?', 'net.hosts.remove.yes': 'Sí, quitar',
  },
});

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
    netKind: { state: true },
    netHosts: { state: true },
  };

  constructor() {
    super();
    this.networks = null;
    this.subnetText = '';
    this.dhcp = true;
    this.netKind = 'nat';
    this.netHosts = [];
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
      ${this.selected ? this.rangeView() : ''}
      ${this.selected ? this.hostsView() : ''}
      ${netForm(this)}`;
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
      <td data-label=${t('net.col.mode')} data-testid="net-kind">${kindText(n)}</td>
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

  // The IPv4 subnet and DHCP range of the selected network, changed while
  // it is stopped: its XML with the new <ip address prefix> and <range>
  // defined again (net-edit's way), so the daemon checks them (an overlap
  // with another network, static hosts outside the subnet); the next start
  // uses them. A new subnet proposes its whole range. Refused while it is
  // active, with the reason; errors by the field they are about.
  rangeView() {
    const n = this.networks?.find((x) => x.name === this.selected);
    if (!n?.address || !n.persistent) return '';
    const key = `range:${n.name}`, subnetKey = `subnet:${n.name}`;
    const [r] = n.dhcp ?? [];
    const change = async (ev) => {
      ev.preventDefault();
      const el = ev.target.elements;
      const subnet = el.subnet.value.trim(), start = el.start?.value.trim(), end = el.end?.value.trim();
      const plan = planSubnet(subnet);
      this.rowErrors = { ...this.rowErrors, [subnetKey]: null };
      if (plan.error) {
        this.rowErrors = { ...this.rowErrors, [subnetKey]: t(...plan.error), [key]: null };
        return;
      }
      const outside = (s) => { const x = parseIp(s); return x === null || x <= plan.net || x >= plan.net + plan.size - 1; };
      const bad = r && [start, end].find(outside);
      if ((r && (!start || !end)) || bad) {
        this.rowErrors = { ...this.rowErrors, [key]: bad ? t('net.err.range', bad, plan.text) : t('net.range.need') };
        return;
      }
      await this.act(key, async () => {
        const path = `/v1/networks/${encodeURIComponent(n.name)}/xml`;
        const doc = new DOMParser().parseFromString(await getText(path), 'application/xml');
        const ip = doc.querySelector('network > ip:not([family=ipv6])');
        ip.setAttribute('address', plan.address);
        ip.setAttribute('prefix', String(plan.prefix));
        ip.removeAttribute('netmask');
        const range = ip.querySelector(':scope > dhcp > range');
        if (range) {
          range.setAttribute('start', start);
          range.setAttribute('end', end);
        }
        await callXml('POST', '/v1/networks', new XMLSerializer().serializeToString(doc));
      });
      // The daemon's words about the subnet go by the subnet.
      const err = this.rowErrors[key];
      if (err && /subnet|prefix|overlap|<ip\b|address '/i.test(err) && !/range|<host/i.test(err))
        this.rowErrors = { ...this.rowErrors, [subnetKey]: err, [key]: null };
    };
    // A new subnet: its whole range, unless the range typed is in it already.
    const proposeRange = (ev) => {
      const el = ev.target.form.elements, plan = planSubnet(ev.target.value);
      if (plan.error || !el.start) return;
      for (const [f, v] of [[el.start, plan.start], [el.end, plan.end]]) {
        const x = parseIp(f.value.trim());
        if (x === null || x <= plan.net || x >= plan.net + plan.size - 1) f.value = v;
      }
    };
    const ip = parseIp(n.address);
    return html`<section class="card detail" data-testid="net-range">
      <h2>${t('net.range', n.name)}</h2>
      ${n.active ? html`<p class="muted" data-testid="net-range-active">${t('net.range.active')}</p>` : ''}
      <form class="host-row" data-testid="net-range-form" @submit=${change}>
        <input name="subnet" aria-label=${t('net.range.subnet', n.name)} ?disabled=${n.active}
          .value=${`${ipText(ip - (ip % 2 ** (32 - n.prefix)))}/${n.prefix}`} autocomplete="off" spellcheck="false"
          aria-invalid=${this.rowErrors[subnetKey] ? 'true' : 'false'} aria-describedby="net-subnet-edit-error"
          @input=${proposeRange}>
        ${r ? html`<input name="start" aria-label=${t('net.f.dhcp.start')} .value=${r.start} ?disabled=${n.active}
          autocomplete="off" spellcheck="false" aria-describedby="net-range-error">
        <span>–</span>
        <input name="end" aria-label=${t('net.f.dhcp.end')} .value=${r.end} ?disabled=${n.active}
          autocomplete="off" spellcheck="false" aria-describedby="net-range-error">` : ''}
        <button type="submit" ?disabled=${this.busy || n.active}>${t('net.range.go')}</button></form>
      <div id="net-subnet-edit-error">${this.rowError(subnetKey, 'net-subnet-edit-error')}</div>
      <div id="net-range-error">${this.rowError(key, 'net-range-error')}</div></section>`;
  }

  // The static hosts (<dhcp><host>) of the selected network, added and
  // removed one at a time (net-update add|delete ip-dhcp-host): a running
  // network's dnsmasq learns them at once.
  hostsView() {
    const n = this.networks?.find((x) => x.name === this.selected);
    if (!n?.dhcp?.length) return '';
    const key = `hosts:${n.name}`;
    const send = (method, h) => this.act(key, () =>
      callXml(method, `/v1/networks/${encodeURIComponent(n.name)}/dhcp-hosts`, hostXml(h)));
    return html`<section class="card detail" data-testid="net-static-hosts">
      <h2>${t('net.hosts', n.name)}</h2>
      ${n.dhcp_hosts.length ? html`<table class="list"><thead><tr><th>${t('net.col.mac')}</th>
        <th>${t('net.col.ip')}</th><th>${t('net.col.hostname')}</th><th>${t('net.col.actions')}</th></tr></thead>
        <tbody>${n.dhcp_hosts.map((h) => html`<tr data-host=${h.mac ?? h.name}>
          <td data-label=${t('net.col.mac')}>${h.mac ?? ''}</td><td data-label=${t('net.col.ip')}>${h.ip}</td>
          <td data-label=${t('net.col.hostname')}>${h.name ?? ''}</td>
          <td class="row-actions"><vr-confirm .label=${t('net.hosts.remove')} ?disabled=${this.busy}
            .question=${t('net.hosts.remove.q', h.mac ?? h.name)} .yes=${t('net.hosts.remove.yes')} .no=${t('net.cancel')}
            @confirmed=${() => send('DELETE', { mac: h.mac ?? '', ip: h.ip, name: h.name })}></vr-confirm></td>
          </tr>`)}</tbody></table>` : html`<p>${t('net.hosts.none')}</p>`}
      <form class="host-row" data-testid="net-host-form" @submit=${(ev) => {
        ev.preventDefault();
        const el = ev.target.elements;
        send('POST', { mac: el.mac.value.trim(), ip: el.ip.value.trim(), name: el.hname.value.trim() });
      }}>
        <input name="mac" aria-label=${t('net.col.mac')} placeholder="52:54:00:12:34:56" autocomplete="off" spellcheck="false">
        <input name="ip" aria-label=${t('net.col.ip')} placeholder=${n.dhcp[0].end} autocomplete="off" spellcheck="false">
        <input name="hname" aria-label=${t('net.col.hostname')} autocomplete="off" spellcheck="false">
        <button type="submit" ?disabled=${this.busy}>${t('net.hosts.add')}</button></form>
      ${this.rowError(key, 'net-hosts-row-error')}</section>`;
  }
}
customElements.define('vr-networks-page', VrNetworksPage);
