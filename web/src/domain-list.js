// <vr-domain-list .domains=${[...]}>: the VM list (name, state, vCPUs, memory).
import { LitElement, html } from 'lit';
import { t } from './i18n.js';
import { memory, stateClass, stateLabel } from './format.js';

export class VrDomainList extends LitElement {
  static properties = { domains: { attribute: false } };

  createRenderRoot() { return this; }

  render() {
    const doms = this.domains ?? [];
    return html`<div class="page-head"><h1>${t('list.heading')}</h1>
      <a class="button primary" href="#/new" data-testid="new-vm">${t('list.new')}</a></div>
      ${doms.length === 0 ? html`<p data-testid="list-empty">${t('list.empty')}</p>` : html`
      <table class="domains" data-testid="domain-list">
        <thead><tr><th>${t('col.name')}</th><th>${t('col.state')}</th>
          <th class="num">${t('col.vcpus')}</th><th class="num">${t('col.memory')}</th></tr></thead>
        <tbody>${doms.map((d) => html`
          <tr data-domain=${d.name}>
            <td><a href="#/domains/${encodeURIComponent(d.name)}">${d.name}</a></td>
            <td><span class=${stateClass(d.state)} data-testid="state">${stateLabel(d.state)}</span></td>
            <td class="num">${d.vcpus}</td>
            <td class="num">${memory(d.current_memory_kib ?? d.memory_kib)}</td>
          </tr>`)}
        </tbody>
      </table>`}`;
  }
}
customElements.define('vr-domain-list', VrDomainList);
