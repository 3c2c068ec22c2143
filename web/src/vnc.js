// <vr-vnc domain="NAME" running>: the VM's graphical console in noVNC,
// over a WebSocket to /v1/domains/NAME/vnc (the daemon joins it to
// QEMU's VNC server). Connects while the VM runs; says when it drops.
import { LitElement, html } from 'lit';
// noVNC 1.4's ES module sources (its lib/ is Babel's CommonJS output).
import RFB from '@novnc/novnc/core/rfb.js';
import { wsUrl } from './api.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'vnc.heading': 'Graphical console (VNC)', 'vnc.connecting': 'Connecting…', 'vnc.connected': 'connected',
    'vnc.closed': 'The graphical console closed.', 'vnc.off': 'The graphical console is available while the machine runs.',
    'vnc.reconnect': 'Connect again', 'vnc.cad': 'Send Ctrl+Alt+Del',
  },
  es: {
    'vnc.heading': 'Consola gráfica (VNC)', 'vnc.connecting': 'Conectando…', 'vnc.connected': 'conectada',
    'vnc.closed': 'La consola gráfica se cerró.', 'vnc.off': 'La consola gráfica está disponible mientras la máquina está en ejecución.',
    'vnc.reconnect': 'Volver a conectar', 'vnc.cad': 'Enviar Ctrl+Alt+Supr',
  },
});

export class VrVnc extends LitElement {
  static properties = { domain: {}, running: { type: Boolean }, status: { state: true }, up: { state: true } };

  createRenderRoot() { return this; }

  render() {
    return html`<h2>${t('vnc.heading')}</h2>
      <div class="actions"><span class="console-status" role="status" data-testid="vnc-status">${this.status ?? ''}</span>
        ${this.up ? html`<button @click=${() => this.rfb?.sendCtrlAltDel()}>${t('vnc.cad')}</button>` : ''}
        ${this.running && !this.up && this.status === t('vnc.closed') ? html`<button @click=${() => this.connect()}>${t('vnc.reconnect')}</button>` : ''}</div>
      <div class="vnc-screen" data-testid="vnc"></div>`;
  }

  updated(changed) {
    if (changed.has('running') || changed.has('domain')) this.sync();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.drop();
  }

  drop() {
    const r = this.rfb;
    this.rfb = null;
    this.up = false;
    r?.disconnect();
  }

  sync() {
    if (!this.running) {
      this.drop();
      this.status = t('vnc.off');
    } else if (!this.rfb) {
      this.connect();
    }
  }

  connect() {
    this.status = t('vnc.connecting');
    const rfb = new RFB(this.querySelector('.vnc-screen'), wsUrl(`/v1/domains/${encodeURIComponent(this.domain)}/vnc`),
      { wsProtocols: [] });
    rfb.scaleViewport = true;
    rfb.addEventListener('connect', () => { this.up = true; this.status = t('vnc.connected'); });
    rfb.addEventListener('disconnect', () => {
      if (this.rfb !== rfb) return;
      this.rfb = null;
      this.up = false;
      this.status = t('vnc.closed');
    });
    this.rfb = rfb;
  }
}
customElements.define('vr-vnc', VrVnc);
