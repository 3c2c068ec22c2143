// <vr-domain-list .domains=${[...]} .samples=${Map}>: the VM list (name,
// state, vCPUs, memory, a live CPU graph and the addresses; the last two
// from the event feed's samples, see domain-samples.js).
import { LitElement, html } from 'lit';
import { addStrings, t } from './i18n.js';
import { memory, stateClass, stateLabel } from './format.js';
import './sparkline.js';
import { KEEP } from './domain-samples.js';

addStrings({
  en: { 'col.cpu': 'CPU', 'col.addresses': 'Addresses', 'list.cpu': 'CPU use of {0}', 'list.template': 'template' },
  es: { 'col.cpu': 'CPU', 'col.addresses': 'Direcciones', 'list.cpu': 'Uso de CPU de {0}', 'list.template': 'plantilla' },
});

export class VrDomainList extends LitElement {
  static properties = { domains: { attribute: false }, samples: { attribute: false } };

  cpuCell(d, s) {
    if (d.state !== 'running' || !s) return html`<td class="cpu"></td>`;
    const last = s.cpu[s.cpu.length - 1];
    return html`<td class="cpu"><vr-sparkline .values=${s.cpu} max="100" points=${KEEP} label=${t('list.cpu', d.name)}></vr-sparkline>
      <span class="num" data-testid="cpu">${last == null ? '–' : `${last.toFixed(0)} %`}</span></td>`;
  }

  createRenderRoot() { return this; }

  render() {
    const doms = this.domains ?? [];
    return html`<div class="page-head"><h1>${t('list.heading')}</h1>
      <a class="button primary" href="#/new" data-testid="new-vm">${t('list.new')}</a></div>
      ${doms.length === 0 ? html`<p data-testid="list-empty">${t('list.empty')}</p>` : html`
      <table class="domains" data-testid="domain-list">
        <thead><tr><th>${t('col.name')}</th><th>${t('col.state')}</th>
          <th class="num">${t('col.vcpus')}</th><th class="num">${t('col.memory')}</th>
          <th>${t('col.cpu')}</th><th>${t('col.addresses')}</th></tr></thead>
        <tbody>${doms.map((d) => html`
          <tr data-domain=${d.name}>
            <td><a href="#/domains/${encodeURIComponent(d.name)}">${d.name}</a>${d.template
              ? html` <a class="tag" href="#/templates" data-testid="template-tag">${t('list.template')}</a>` : ''}</td>
            <td><span class=${stateClass(d.state)} data-testid="state">${stateLabel(d.state)}</span></td>
            <td class="num">${d.vcpus}</td>
            <td class="num">${memory(d.current_memory_kib ?? d.memory_kib)}</td>
            ${this.cpuCell(d, this.samples?.get(d.name))}
            <td class="addresses" data-testid="addresses">${(this.samples?.get(d.name)?.addresses ?? []).map((a, i) =>
              html`${i ? ' ' : ''}<span>${a}</span>`)}</td>
          </tr>`)}
        </tbody>
      </table>`}`;
  }
}
customElements.define('vr-domain-list', VrDomainList);
