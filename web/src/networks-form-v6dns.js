// The network form's IPv6 and DNS fields (docs/networks.md "IPv6 and
// DNS"), for the kinds with a host address (NAT, routed, isolated): an
// IPv6 prefix beside the IPv4 subnet (dual stack: the host takes ::1,
// router advertisements; DHCPv6 from ::100 to ::1ff if asked; NAT66 on a
// NAT network if asked, else IPv6 is routed), DNS forwarders (servers the
// network's dnsmasq asks instead of the host's resolv.conf) and DNS host
// entries ("IP name …", one per line). networks-form.js reads, checks and
// writes them into the network XML with these.
import { html } from 'lit';
import { addStrings, t } from './i18n.js';
import { xmlEscape } from './format.js';
import { fieldRow } from './page-base.js';

addStrings({
  en: {
    'net.f.ipv6': 'IPv6 prefix', 'net.f.ipv6.help': 'Optional, for dual stack: for example fd42:1::/64. The host takes ::1.',
    'net.f.dhcp6': 'DHCPv6 (::100 – ::1ff) besides router advertisements',
    'net.f.nat66': 'NAT66: masquerade IPv6 too (otherwise it is routed)',
    'net.f.forwarders': 'DNS forwarders', 'net.f.forwarders.help': 'Servers asked instead of the host\'s, separated by spaces: 9.9.9.9 2620:fe::fe',
    'net.f.dnshosts': 'DNS host entries', 'net.f.dnshosts.help': 'One per line: an address and its names, for example 192.168.150.5 nas nas.lab',
    'net.err.ipv6': 'Write an IPv6 prefix ending in ::, for example fd42:1::/64 (prefix 8 to 126).',
    'net.err.forwarder': "'{0}' is not an IPv4 or IPv6 address.",
    'net.err.dnshost': 'Line {0}: an address, then one or more names.',
  },
  es: {
    'net.f.ipv6': 'Prefijo IPv6', 'net.f.ipv6.help': 'Opcional, para doble pila: por ejemplo fd42:1::/64. El anfitrión toma ::1.',
    'net.f.dhcp6': 'DHCPv6 (::100 – ::1ff) además de los anuncios de router',
    'net.f.nat66': 'NAT66: enmascarar también IPv6 (si no, se enruta)',
    'net.f.forwarders': 'Reenviadores DNS', 'net.f.forwarders.help': 'Servidores a los que se pregunta en lugar de los del anfitrión, separados por espacios: 9.9.9.9 2620:fe::fe',
    'net.f.dnshosts': 'Entradas DNS de equipos', 'net.f.dnshosts.help': 'Una por línea: una dirección y sus nombres, por ejemplo 192.168.150.5 nas nas.lab',
    'net.err.ipv6': 'Escriba un prefijo IPv6 acabado en ::, por ejemplo fd42:1::/64 (prefijo de 8 a 126).',
    'net.err.forwarder': "'{0}' no es una dirección IPv4 ni IPv6.",
    'net.err.dnshost': 'Línea {0}: una dirección y después uno o más nombres.',
  },
});

const ip4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
const ip6 = /^[0-9a-f:]*:[0-9a-f:.]*$/i;
const isIp = (s) => (ip4.test(s) && s.split('.').every((o) => Number(o) < 256)) || ip6.test(s);

// The fields' values and their errors (into `check`).
export function readV6Dns(el, kind, check) {
  const v = { ipv6: null, forwarders: [], dnsHosts: [] };
  const prefix = el.ipv6?.value.trim() ?? '';
  if (prefix) {
    const m = prefix.match(/^([0-9a-f:]*[0-9a-f]):?:\/(\d{1,3})$/i);
    if (!m || Number(m[2]) < 8 || Number(m[2]) > 126) check.ipv6 = t('net.err.ipv6');
    else v.ipv6 = { net: m[1], prefix: m[2], dhcp: el.dhcp6.checked, nat66: kind === 'nat' && el.nat66.checked };
  }
  v.forwarders = (el.forwarders?.value ?? '').split(/[\s,]+/).filter(Boolean);
  const badFwd = v.forwarders.find((a) => !isIp(a));
  if (badFwd) check.dns = t('net.err.forwarder', badFwd);
  (el.dnshosts?.value ?? '').split('\n').forEach((line, i) => {
    const [ip, ...names] = line.trim().split(/\s+/).filter(Boolean);
    if (!ip) return;
    if (!isIp(ip) || !names.length) check.dns ??= t('net.err.dnshost', i + 1);
    v.dnsHosts.push({ ip, names });
  });
  return v;
}

// <dns> (before the <ip> elements) and the IPv6 <ip> (after the IPv4 one).
export function dnsXml(v) {
  if (!v.forwarders.length && !v.dnsHosts.length) return '';
  const fwd = v.forwarders.map((a) => `    <forwarder addr='${xmlEscape(a)}'/>\n`).join('');
  const hosts = v.dnsHosts.map((h) => `    <host ip='${xmlEscape(h.ip)}'>${
    h.names.map((n) => `<hostname>${xmlEscape(n)}</hostname>`).join('')}</host>\n`).join('');
  return `  <dns>\n${fwd}${hosts}  </dns>\n`;
}

export function ipv6Xml(v) {
  const x = v.ipv6;
  if (!x) return '';
  const p = xmlEscape(x.net);
  const dhcp = x.dhcp ? `\n    <dhcp><range start='${p}::100' end='${p}::1ff'/></dhcp>\n  ` : '';
  return `  <ip family='ipv6' address='${p}::1' prefix='${x.prefix}'>${dhcp}</ip>\n`;
}

export const nat66Xml = (v) => (v.ipv6?.nat66 ? "<nat ipv6='yes'/>" : '');

// The fields, in the form's grid.
export function v6DnsFields(kind, e) {
  return html`
    ${fieldRow('net-ipv6', t('net.f.ipv6'), e.ipv6, html`<input id="net-ipv6" name="ipv6" placeholder="fd42:1::/64"
      autocomplete="off" spellcheck="false" aria-invalid=${e.ipv6 ? 'true' : 'false'}
      aria-describedby="net-ipv6-help net-ipv6-error">
      <span class="choices"><label><input type="checkbox" name="dhcp6"> ${t('net.f.dhcp6')}</label>
      ${kind === 'nat' ? html`<label><input type="checkbox" name="nat66"> ${t('net.f.nat66')}</label>` : ''}</span>`,
      t('net.f.ipv6.help'))}
    ${fieldRow('net-forwarders', t('net.f.forwarders'), '', html`<input id="net-forwarders" name="forwarders"
      placeholder="9.9.9.9" autocomplete="off" spellcheck="false" aria-invalid=${e.dns ? 'true' : 'false'}
      aria-describedby="net-forwarders-help net-dnshosts-error">`, t('net.f.forwarders.help'))}
    ${fieldRow('net-dnshosts', t('net.f.dnshosts'), e.dns, html`<textarea id="net-dnshosts" name="dnshosts" rows="2"
      spellcheck="false" aria-invalid=${e.dns ? 'true' : 'false'} aria-describedby="net-dnshosts-help net-dnshosts-error"></textarea>`,
      t('net.f.dnshosts.help'))}`;
}
