// <vr-console domain="NAME" running>: the domain's first serial port in
// xterm.js, over a WebSocket to /v1/domains/NAME/console?history=1.
import { LitElement, html } from 'lit';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { wsUrl } from './api.js';
import { t } from './i18n.js';

export class VrConsole extends LitElement {
  static properties = {
    domain: {},
    running: { type: Boolean },
    status: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.status = '';
    this.enc = new TextEncoder();
  }

  render() {
    return html`<div class="console-status" data-testid="console-status">${this.status}</div>
      <div class="terminal" data-testid="console"></div>`;
  }

  firstUpdated() {
    this.term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000 });
    this.fit = new FitAddon();
    this.term.loadAddon(this.fit);
    this.term.open(this.querySelector('.terminal'));
    this.fit.fit();
    this.resizeObs = new ResizeObserver(() => this.fit.fit());
    this.resizeObs.observe(this.querySelector('.terminal'));
    this.term.onData((d) => {
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(this.enc.encode(d));
    });
    this.sync();
  }

  updated(changed) {
    if (this.term && (changed.has('running') || changed.has('domain'))) this.sync();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearTimeout(this.retry);
    this.closeWs();
    this.resizeObs?.disconnect();
    this.term?.dispose();
  }

  closeWs() {
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
      this.ws = null;
    }
  }

  // Attach while the domain runs; the stream ends by itself when it stops.
  sync() {
    if (!this.running) {
      this.closeWs();
      this.status = t('dom.console.off');
      return;
    }
    if (this.ws) return;
    this.term.reset();
    this.status = '';
    const ws = new WebSocket(wsUrl(`/v1/domains/${encodeURIComponent(this.domain)}/console?history=1`));
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (m) => this.term.write(new Uint8Array(m.data));
    ws.onclose = () => {
      this.ws = null;
      this.status = t('dom.console.ended');
      // A stop and a start close together (an installer powering off and
      // the installed system starting) may reach the page as "running"
      // throughout: look again shortly rather than stay detached.
      clearTimeout(this.retry);
      this.retry = setTimeout(() => { if (this.isConnected) this.sync(); }, 1000);
    };
    this.ws = ws;
  }

  // Everything the terminal holds, as text (tests read it).
  text() {
    const b = this.term.buffer.active;
    const lines = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }
}
customElements.define('vr-console', VrConsole);
