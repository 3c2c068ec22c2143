// <vr-domain-overview .domain=${obj}>: state, uptime, addresses, vCPUs,
// memory, autostart, and the XML the daemon holds.
import { LitElement, html } from 'lit';
import { domApi } from './api-domains.js';
import { addStrings, t } from './i18n.js';
import { memory, stateLabel } from './format.js';

addStrings({
  en: {
    'ov.state': 'State', 'ov.reason': 'reason: {0}', 'ov.uptime': 'Up for', 'ov.addresses': 'Addresses',
    'ov.noaddr': 'none known (DHCP leases of Vireo networks show here)', 'ov.autostart': 'Start with the host',
    'ov.uuid': 'UUID', 'ov.type': 'Hypervisor', 'ov.xml': 'XML definition', 'ov.xml.next': 'as the next start will use it',
    'ov.xml.live': 'as it runs now',
  },
  es: {
    'ov.state': 'Estado', 'ov.reason': 'motivo: {0}', 'ov.uptime': 'Encendida desde hace', 'ov.addresses': 'Direcciones',
    'ov.noaddr': 'ninguna conocida (aquí aparecen las concesiones DHCP de las redes de Vireo)',
    'ov.autostart': 'Iniciar con el anfitrión', 'ov.uuid': 'UUID', 'ov.type': 'Hipervisor', 'ov.xml': 'Definición XML',
    'ov.xml.next': 'la que usará el próximo arranque', 'ov.xml.live': 'la de la ejecución actual',
  },
});

function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

export class VrDomainOverview extends LitElement {
  static properties = {
    domain: { attribute: false }, xml: { state: true }, addrs: { state: true }, now: { state: true },
    error: { state: true }, inactive: { state: true },
  };

  createRenderRoot() { return this; }

  connectedCallback() {
    super.connectedCallback();
    this.tick = setInterval(() => { this.now = Date.now(); }, 1000);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.tick);
  }

  // Reload what depends on the state whenever it changes.
  willUpdate(changed) {
    const old = changed.get('domain');
    if (changed.has('domain') && (!old || old.state !== this.domain.state || old.name !== this.domain.name)) this.load();
  }

  async load() {
    const name = this.domain.name;
    try {
      const [xml, ifs] = await Promise.all([domApi.xml(name, this.inactive), domApi.interfaces(name)]);
      this.xml = xml;
      this.addrs = ifs.flatMap((i) => (i.addresses ?? []).map((a) => `${a.ip ?? a.address}${a.prefix ? `/${a.prefix}` : ''} (${i.mac})`));
      this.error = null;
    } catch (err) {
      this.error = t('err.generic', err.message);
    }
  }

  async toggleAutostart(e) {
    try {
      await domApi.autostart(this.domain.name, e.target.checked);
      this.error = null;
    } catch (err) {
      e.target.checked = !e.target.checked;
      this.error = t('err.generic', err.message);
    }
  }

  render() {
    const d = this.domain;
    const up = d.started_at ? Math.max(0, Math.round((this.now ?? Date.now()) / 1000 - d.started_at)) : null;
    return html`<dl class="facts" data-testid="overview">
        <dt>${t('ov.state')}</dt><dd>${stateLabel(d.state)} <small>${d.reason ? t('ov.reason', d.reason) : ''}</small></dd>
        ${up != null ? html`<dt>${t('ov.uptime')}</dt><dd data-testid="uptime">${duration(up)}</dd>` : ''}
        <dt>${t('ov.addresses')}</dt><dd data-testid="addresses">${this.addrs?.length ? this.addrs.join(', ') : t('ov.noaddr')}</dd>
        <dt>${t('col.vcpus')}</dt><dd>${d.vcpus}</dd>
        <dt>${t('col.memory')}</dt><dd>${memory(d.current_memory_kib ?? d.memory_kib)}</dd>
        <dt>${t('ov.type')}</dt><dd>${d.type}</dd>
        <dt>${t('ov.uuid')}</dt><dd><code>${d.uuid}</code></dd>
        <dt><label for="ov-autostart">${t('ov.autostart')}</label></dt>
        <dd><input type="checkbox" id="ov-autostart" .checked=${d.autostart} ?disabled=${!d.persistent}
          @change=${this.toggleAutostart}></dd>
      </dl>
      <p class="error" role="alert">${this.error ?? ''}</p>
      <h2>${t('ov.xml')}</h2>
      ${d.state !== 'shut off' ? html`<label class="radio"><input type="checkbox" .checked=${!!this.inactive}
        @change=${(e) => { this.inactive = e.target.checked; this.load(); }}> ${t('ov.xml.next')}</label>` : ''}
      <pre class="xml" tabindex="0" data-testid="xml">${this.xml ?? ''}</pre>`;
  }
}
customElements.define('vr-domain-overview', VrDomainOverview);
