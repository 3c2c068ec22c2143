// <vr-domain-page .domain=${obj} name="NAME">: one VM: its state, the
// lifecycle actions, its serial console.
import { LitElement, html } from 'lit';
import { api } from './api.js';
import { t } from './i18n.js';
import { memory, stateClass, stateLabel } from './format.js';
import './console.js';

const actions = [
  // action, label key, states it applies to
  ['start', 'act.start', ['shut off']],
  ['shutdown', 'act.shutdown', ['running']],
  ['suspend', 'act.suspend', ['running']],
  ['resume', 'act.resume', ['paused']],
  ['destroy', 'act.destroy', ['running', 'paused', 'in shutdown']],
];

export class VrDomainPage extends LitElement {
  static properties = {
    name: {},
    domain: { attribute: false },
    busy: { state: true },
    error: { state: true },
  };

  createRenderRoot() { return this; }

  render() {
    const d = this.domain;
    const back = html`<p><a href="#/">← ${t('dom.back')}</a></p>`;
    if (!d) return html`${back}<p class="error" role="alert" data-testid="domain-gone">${t('dom.gone', this.name)}</p>`;
    const running = d.state === 'running' || d.state === 'paused' || d.state === 'in shutdown';
    return html`${back}
      <h1>${d.name} <span class=${stateClass(d.state)} data-testid="domain-state">${stateLabel(d.state)}</span></h1>
      <dl class="facts">
        <dt>${t('col.vcpus')}</dt><dd>${d.vcpus}</dd>
        <dt>${t('col.memory')}</dt><dd>${memory(d.current_memory_kib ?? d.memory_kib)}</dd>
      </dl>
      <div class="actions" role="group">
        ${actions.map(([act, key, states]) => html`
          <button data-action=${act} ?disabled=${this.busy || !states.includes(d.state)}
                  @click=${() => this.run(act)}>${t(key)}</button>`)}
      </div>
      <p class="error" role="alert" data-testid="action-error">${this.error ?? ''}</p>
      <h2>${t('dom.console')}</h2>
      <vr-console .domain=${d.name} ?running=${running}></vr-console>`;
  }

  async run(act) {
    this.busy = true;
    this.error = null;
    try {
      const res = await api.action(this.name, act);
      if (res?.state) this.dispatchEvent(new CustomEvent('domain-changed', { detail: res, bubbles: true }));
    } catch (err) {
      this.error = t('err.generic', err.message);
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('vr-domain-page', VrDomainPage);
