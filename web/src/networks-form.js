// The networks page's "New network" form: every kind the daemon has (the
// course's unit 6): NAT, routed, isolated, "very isolated" (a plain
// switch: no host address, no DHCP), bridged to a host bridge, macvtap on
// a host NIC. The API takes network XML only, so the form writes it
// (escaped) from what was typed: a subnet, a DHCP range (the whole subnet
// but the host's address unless changed) and static hosts (<dhcp><host>)
// for the kinds with an address. Errors land by the field they are about,
// the daemon's too (it names the element: <range>, <host>, <bridge> …).
// IPv6 and DNS (forwarders, host entries): networks-form-v6dns.js.
// netForm(page) renders it inside <vr-networks-page>, whose ListPage
// submitForm() does the calls; the page keeps the form's state.
import { html } from 'lit';
import { call, callXml } from './api.js';
import { addStrings, t } from './i18n.js';
import { xmlEscape } from './format.js';
import { fieldRow } from './page-base.js';
import { dnsXml, ipv6Xml, nat66Xml, readV6Dns, v6DnsFields } from './networks-form-v6dns.js';

addStrings({
  en: {
    'net.kind.nat': 'NAT network', 'net.kind.route': 'routed network', 'net.kind.none': 'isolated network',
    'net.kind.noip': 'very isolated network', 'net.kind.bridge': 'bridge ({0})', 'net.kind.open': 'open network',
    'net.kind.macvtap': 'macvtap {0} ({1})',
    'net.f.kind.nat': 'NAT: guests reach outside through the host',
    'net.f.kind.route': 'Routed: guests reach outside with their own addresses (the LAN needs a route back)',
    'net.f.kind.none': 'Isolated: guests and host only',
    'net.f.kind.noip': 'Very isolated: guests only, no host address, no DHCP',
    'net.f.kind.bridge': 'Bridged to a bridge of the host: guests on its LAN',
    'net.f.kind.macvtap': 'macvtap on a NIC of the host: guests on its LAN, the host cannot reach them',
    'net.f.bridge': 'Host bridge', 'net.f.bridge.help': 'An existing bridge of the host, for example br0.',
    'net.f.dev': 'Host NIC', 'net.f.dev.help': 'An interface of the host, for example enp1s0.',
    'net.f.mvmode': 'macvtap mode',
    'net.f.mvmode.bridge': 'bridge: guests on the NIC talk directly',
    'net.f.mvmode.vepa': 'vepa: through the switch', 'net.f.mvmode.private': 'private: never to each other',
    'net.f.mvmode.passthrough': 'passthrough: one guest gets the NIC',
    'net.f.dhcp.start': 'First address', 'net.f.dhcp.end': 'Last address',
    'net.f.hosts': 'Static hosts', 'net.f.hosts.help': 'A guest with this MAC always gets this address.',
    'net.f.host.mac': 'MAC address of host {0}', 'net.f.host.ip': 'IP address of host {0}',
    'net.f.host.name': 'Name of host {0}', 'net.f.host.add': 'Add a static host',
    'net.f.host.remove': 'Remove host {0}',
    'net.err.bridge': 'Name the host bridge the guests join.',
    'net.err.dev': 'Name the host NIC the guests use.',
    'net.err.range': "'{0}' is not an address of the subnet {1}.",
    'net.err.host': 'Host {0}: give a MAC address (52:54:00:12:34:56) and an IP address of the subnet.',
  },
  es: {
    'net.kind.nat': 'red NAT', 'net.kind.route': 'red enrutada', 'net.kind.none': 'red aislada',
    'net.kind.noip': 'red muy aislada', 'net.kind.bridge': 'puente ({0})', 'net.kind.open': 'red abierta',
    'net.kind.macvtap': 'macvtap {0} ({1})',
    'net.f.kind.nat': 'Red NAT: los invitados salen al exterior a través del anfitrión',
    'net.f.kind.route': 'Red enrutada: los invitados salen con sus propias direcciones (la LAN necesita una ruta de vuelta)',
    'net.f.kind.none': 'Red aislada: solo los invitados y el anfitrión',
    'net.f.kind.noip': 'Red muy aislada: solo los invitados, sin dirección del anfitrión ni DHCP',
    'net.f.kind.bridge': 'Puente: conectada a un puente del anfitrión, los invitados en su LAN',
    'net.f.kind.macvtap': 'macvtap en una interfaz del anfitrión: los invitados en su LAN, el anfitrión no los alcanza',
    'net.f.bridge': 'Puente del anfitrión', 'net.f.bridge.help': 'Un puente que ya existe en el anfitrión, por ejemplo br0.',
    'net.f.dev': 'Interfaz del anfitrión', 'net.f.dev.help': 'Una interfaz del anfitrión, por ejemplo enp1s0.',
    'net.f.mvmode': 'Modo macvtap',
    'net.f.mvmode.bridge': 'bridge: los invitados de la interfaz hablan entre sí directamente',
    'net.f.mvmode.vepa': 'vepa: a través del conmutador', 'net.f.mvmode.private': 'private: nunca entre sí',
    'net.f.mvmode.passthrough': 'passthrough: un invitado recibe la interfaz',
    'net.f.dhcp.start': 'Primera dirección', 'net.f.dhcp.end': 'Última dirección',
    'net.f.hosts': 'Equipos con dirección fija',
    'net.f.hosts.help': 'Un invitado con esta MAC recibe siempre esta dirección.',
    'net.f.host.mac': 'Dirección MAC del equipo {0}', 'net.f.host.ip': 'Dirección IP del equipo {0}',
    'net.f.host.name': 'Nombre del equipo {0}', 'net.f.host.add': 'Añadir un equipo con dirección fija',
    'net.f.host.remove': 'Quitar el equipo {0}',
    'net.err.bridge': 'Indique el puente del anfitrión al que se unen los invitados.',
    'net.err.dev': 'Indique la interfaz del anfitrión que usan los invitados.',
    'net.err.range': "'{0}' no es una dirección de la subred {1}.",
    'net.err.host': 'Equipo {0}: indique una dirección MAC (52:54:00:12:34:56) y una dirección IP de la subred.',
  },
});

export const kinds = ['nat', 'route', 'none', 'noip', 'bridge', 'macvtap'];
export const macvtapModes = ['bridge', 'vepa', 'private', 'passthrough'];
const withIp = new Set(['nat', 'route', 'none']);

// ---- IPv4 arithmetic ----

export function parseIp(s) {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export const ipText = (n) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

// "192.168.150.0/24" -> the host's address, the prefix, the subnet's
// first and last usable numbers and the default DHCP range (all but the
// network, host and broadcast addresses), or { error: [key, arg] }.
export function planSubnet(text) {
  const m = text.trim().match(/^([0-9.]+)\/(\d{1,2})$/);
  if (!m) return { error: ['net.err.subnet_format'] };
  const ip = parseIp(m[1]);
  if (ip === null) return { error: ['net.err.subnet_octet', m[1]] };
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) return { error: ['net.err.prefix', m[2]] };
  const size = 2 ** (32 - prefix);
  const net = ip - (ip % size);
  return {
    address: ipText(net + 1), prefix, net, size, text: `${ipText(net)}/${prefix}`,
    start: ipText(net + 2), end: ipText(net + size - 2),
  };
}

const inSubnet = (plan, s) => {
  const n = parseIp(s);
  return n !== null && n > plan.net && n < plan.net + plan.size - 1;
};

// What a listed network is, in the course's words.
export function kindText(n) {
  if (['vepa', 'private', 'passthrough'].includes(n.forward) || (n.forward === 'bridge' && !n.bridge))
    return t('net.kind.macvtap', n.forward, n.devices?.join(', ') ?? '');
  if (n.forward === 'bridge') return t('net.kind.bridge', n.bridge);
  if (n.forward === 'none' && !n.address && !n.address6) return t('net.kind.noip');
  return t(`net.kind.${n.forward}`);
}

export function hostXml(h) {
  const name = h.name ? ` name='${xmlEscape(h.name)}'` : '';
  return `<host mac='${xmlEscape(h.mac)}'${name} ip='${xmlEscape(h.ip)}'/>`;
}

// The definition the form asks for (values checked by check() first).
export function networkXml(f) {
  const name = `  <name>${xmlEscape(f.name)}</name>\n`;
  if (f.kind === 'bridge')
    return `<network>\n${name}  <forward mode='bridge'/>\n  <bridge name='${xmlEscape(f.bridge)}'/>\n</network>\n`;
  if (f.kind === 'macvtap')
    return `<network>\n${name}  <forward mode='${f.mvmode}' dev='${xmlEscape(f.dev)}'>\n` +
      `    <interface dev='${xmlEscape(f.dev)}'/>\n  </forward>\n</network>\n`;
  if (f.kind === 'noip') return `<network>\n${name}</network>\n`;
  const nat66 = nat66Xml(f);
  const forward = f.kind === 'none' ? '' : nat66 ? `  <forward mode='${f.kind}'>${nat66}</forward>\n`
    : `  <forward mode='${f.kind}'/>\n`;
  const hosts = f.hosts.map((h) => `\n      ${hostXml(h)}`).join('');
  const dhcp = f.dhcp ? `\n    <dhcp>\n      <range start='${f.start}' end='${f.end}'/>${hosts}\n    </dhcp>\n  ` : '';
  return `<network>\n${name}${forward}${dnsXml(f)}  <ip address='${f.plan.address}' prefix='${f.plan.prefix}'>${dhcp}</ip>\n` +
    `${ipv6Xml(f)}</network>\n`;
}

// The form's values, and the field errors found here.
function read(page, el) {
  const f = {
    name: el.name.value.trim(), kind: page.netKind, dhcp: el.dhcp?.checked ?? false,
    bridge: el.bridge?.value.trim(), dev: el.dev?.value.trim(), mvmode: el.mvmode?.value,
    hosts: page.netHosts.filter((h) => h.mac || h.ip || h.name).map((h) => ({ ...h, mac: h.mac.trim(), ip: h.ip.trim() })),
  };
  const check = {};
  if (!f.name) check.name = t('net.err.name');
  if (f.kind === 'bridge' && !f.bridge) check.bridge = t('net.err.bridge');
  if (f.kind === 'macvtap' && !f.dev) check.dev = t('net.err.dev');
  if (!withIp.has(f.kind)) return { f, check };
  Object.assign(f, readV6Dns(el, f.kind, check));
  f.plan = planSubnet(el.subnet.value);
  if (f.plan.error) {
    check.subnet = t(...f.plan.error);
    return { f, check };
  }
  f.start = el.dhcpstart.value.trim() || f.plan.start;
  f.end = el.dhcpend.value.trim() || f.plan.end;
  const bad = [f.start, f.end].find((a) => !inSubnet(f.plan, a));
  if (f.dhcp && bad) check.dhcp = t('net.err.range', bad, f.plan.text);
  const i = f.hosts.findIndex((h) => !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(h.mac) || !inSubnet(f.plan, h.ip));
  if (f.dhcp && i >= 0) check.hosts = t('net.err.host', i + 1);
  return { f, check };
}

// Which form field a daemon error is about, from the words it uses.
function errorField(kind, message) {
  if (/<dns|<forwarder|<hostname|<txt|<srv/i.test(message)) return 'dns';
  if (/ipv6|family|<nat/i.test(message)) return 'ipv6';
  if (/<host\b|\bmac\b/i.test(message)) return 'hosts';
  if (/<range\b|dhcp/i.test(message)) return 'dhcp';
  if (kind === 'bridge' && /bridge/i.test(message)) return 'bridge';
  if (kind === 'macvtap' && /interface|\bdev\b|device|nic\b/i.test(message)) return 'dev';
  if (/\bname\b/i.test(message)) return 'name';
  if (/subnet|address|prefix|netmask|overlap|<ip\b/i.test(message)) return 'subnet';
  return 'form';
}

// Check, write the XML, define; then the optional autostart and start.
export function submitNetwork(page, ev) {
  ev.preventDefault();
  const el = ev.target.elements; // (form.name would be the form's own name)
  const { f, check } = read(page, el);
  return page.submitForm(check, async () => {
    await callXml('POST', '/v1/networks', networkXml(f));
    const path = `/v1/networks/${encodeURIComponent(f.name)}`;
    try {
      if (el.autostart.checked) await call('PUT', `${path}/autostart`, { autostart: true });
      if (el.start.checked) await call('POST', `${path}/start`);
    } catch (err) {
      err.afterDefine = true; // the network exists (inactive): a start refused
      throw err;
    }
    el.name.value = ''; // the kind stays for the next one
    if (el.dhcpstart) el.dhcpstart.value = el.dhcpend.value = '';
    for (const n of ['ipv6', 'forwarders', 'dnshosts']) if (el[n]) el[n].value = '';
    page.subnetText = '';
    page.netHosts = [];
    return t('net.f.created', f.name);
  }, (err) => {
    const field = errorField(f.kind, err.message);
    return err.afterDefine && !['bridge', 'dev'].includes(field) ? 'form' : field;
  });
}


function ipFields(page, e) {
  const plan = planSubnet(page.subnetText);
  const ph = plan.error ? {} : plan;
  const hosts = page.netHosts;
  const setHost = (i, k, v) => { page.netHosts = hosts.map((h, j) => (j === i ? { ...h, [k]: v } : h)); };
  return html`
    ${fieldRow('net-subnet', t('net.f.subnet'), e.subnet, html`<input id="net-subnet" name="subnet"
      placeholder="192.168.150.0/24" autocomplete="off" spellcheck="false" .value=${page.subnetText}
      @input=${(ev) => { page.subnetText = ev.target.value; }} aria-invalid=${e.subnet ? 'true' : 'false'}
      aria-describedby="net-subnet-help net-subnet-error">`, t('net.f.subnet.help'))}
    <span class="label">${t('net.f.dhcp')}</span>
    <div><label><input type="checkbox" name="dhcp" .checked=${page.dhcp}
        @change=${(ev) => { page.dhcp = ev.target.checked; }}> ${t('net.f.dhcp.on')}</label>
      <span class="ip-range" ?hidden=${!page.dhcp}>
        <input id="net-dhcp-start" name="dhcpstart" aria-label=${t('net.f.dhcp.start')} placeholder=${ph.start ?? ''}
          autocomplete="off" spellcheck="false" aria-invalid=${e.dhcp ? 'true' : 'false'} aria-describedby="net-dhcp-error">
        <span aria-hidden="true">–</span>
        <input id="net-dhcp-end" name="dhcpend" aria-label=${t('net.f.dhcp.end')} placeholder=${ph.end ?? ''}
          autocomplete="off" spellcheck="false" aria-invalid=${e.dhcp ? 'true' : 'false'} aria-describedby="net-dhcp-error"></span>
      <p id="net-dhcp-error" class="error" role="alert" data-testid="net-dhcp-error">${e.dhcp ?? ''}</p></div>
    <span class="label" ?hidden=${!page.dhcp}>${t('net.f.hosts')}</span>
    <div ?hidden=${!page.dhcp} data-testid="net-hosts"><small class="muted">${t('net.f.hosts.help')}</small>
      ${hosts.map((h, i) => html`<div class="host-row" data-host=${i}>
        <input name="hostmac" aria-label=${t('net.f.host.mac', i + 1)} placeholder="52:54:00:12:34:56" .value=${h.mac}
          autocomplete="off" spellcheck="false" @input=${(ev) => setHost(i, 'mac', ev.target.value)}>
        <input name="hostip" aria-label=${t('net.f.host.ip', i + 1)} placeholder=${ph.end ?? ''} .value=${h.ip}
          autocomplete="off" spellcheck="false" @input=${(ev) => setHost(i, 'ip', ev.target.value)}>
        <input name="hostname" aria-label=${t('net.f.host.name', i + 1)} .value=${h.name}
          autocomplete="off" spellcheck="false" @input=${(ev) => setHost(i, 'name', ev.target.value)}>
        <button type="button" aria-label=${t('net.f.host.remove', i + 1)}
          @click=${() => { page.netHosts = hosts.filter((_, j) => j !== i); }}>×</button></div>`)}
      <button type="button" data-testid="net-host-add"
        @click=${() => { page.netHosts = [...hosts, { mac: '', ip: '', name: '' }]; }}>${t('net.f.host.add')}</button>
      <p class="error" role="alert" data-testid="net-hosts-error">${e.hosts ?? ''}</p></div>`;
}

export function netForm(page) {
  const e = page.formErrors;
  const k = page.netKind;
  return html`<h2>${t('net.new')}</h2>
    <form class="card form-grid" data-testid="net-form" novalidate @submit=${(ev) => submitNetwork(page, ev)}>
      ${fieldRow('net-name', t('net.f.name'), e.name, html`<input id="net-name" name="name" required autocomplete="off"
        spellcheck="false" aria-invalid=${e.name ? 'true' : 'false'} aria-describedby="net-name-error">`)}
      <span class="label" id="net-mode-label">${t('net.f.mode')}</span>
      <div role="radiogroup" aria-labelledby="net-mode-label" class="choices">${kinds.map((x) => html`
        <label><input type="radio" name="mode" value=${x} .checked=${x === k}
          @change=${() => { page.netKind = x; page.formErrors = {}; }}> ${t(`net.f.kind.${x}`)}</label>`)}</div>
      ${withIp.has(k) ? html`${ipFields(page, e)}${v6DnsFields(k, e)}` : ''}
      ${k === 'bridge' ? fieldRow('net-bridge', t('net.f.bridge'), e.bridge, html`<input id="net-bridge" name="bridge"
        placeholder="br0" autocomplete="off" spellcheck="false" aria-invalid=${e.bridge ? 'true' : 'false'}
        aria-describedby="net-bridge-help net-bridge-error">`, t('net.f.bridge.help')) : ''}
      ${k === 'macvtap' ? html`${fieldRow('net-dev', t('net.f.dev'), e.dev, html`<input id="net-dev" name="dev"
          placeholder="enp1s0" autocomplete="off" spellcheck="false" aria-invalid=${e.dev ? 'true' : 'false'}
          aria-describedby="net-dev-help net-dev-error">`, t('net.f.dev.help'))}
        <label for="net-mvmode">${t('net.f.mvmode')}</label>
        <div><select id="net-mvmode" name="mvmode">${macvtapModes.map((m) => html`
          <option value=${m}>${t(`net.f.mvmode.${m}`)}</option>`)}</select></div>` : ''}
      <span></span>
      <div class="choices"><label><input type="checkbox" name="autostart"> ${t('net.f.autostart')}</label>
        <label><input type="checkbox" name="start" checked> ${t('net.f.start')}</label></div>
      <span></span>
      <div><button type="submit" class="primary" ?disabled=${page.busy}>${t('net.f.submit')}</button>
        <p class="error" role="alert" data-testid="net-form-error">${e.form ?? ''}</p>
        <p role="status" class="notice-ok">${page.formNotice ?? ''}</p></div>
    </form>`;
}
