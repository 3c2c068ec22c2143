// <vr-domain-perf .domain=${obj}>: live graphs of CPU, memory, disk and
// network I/O from GET /v1/domains/NAME/stats, one request every 2 s
// while the tab is open and the VM runs. Rates come from the difference
// between two samples, so the first point shows after 4 s.
import { LitElement, html } from 'lit';
import { domApi } from './api-domains.js';
import { addStrings, t } from './i18n.js';
import { memory } from './format.js';
import './sparkline.js';

addStrings({
  en: {
    'perf.cpu': 'CPU', 'perf.memory': 'Memory', 'perf.disk': 'Disk I/O', 'perf.net': 'Network I/O',
    'perf.read': 'read {0}/s', 'perf.write': 'written {0}/s', 'perf.rx': 'received {0}/s', 'perf.tx': 'sent {0}/s',
    'perf.off': 'The graphs run while the VM runs.', 'perf.nonet': 'no counters for this kind of interface',
  },
  es: {
    'perf.cpu': 'CPU', 'perf.memory': 'Memoria', 'perf.disk': 'E/S de disco', 'perf.net': 'E/S de red',
    'perf.read': 'leído {0}/s', 'perf.write': 'escrito {0}/s', 'perf.rx': 'recibido {0}/s', 'perf.tx': 'enviado {0}/s',
    'perf.off': 'Las gráficas funcionan mientras la máquina está en ejecución.',
    'perf.nonet': 'sin contadores para este tipo de interfaz',
  },
});

export function bytes(n) {
  if (n == null || Number.isNaN(n)) return '–';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i && n < 10 ? 1 : 0)} ${u[i]}`;
}

const sum = (arr, k) => (arr ?? []).reduce((a, x) => a + (x[k] ?? 0), 0);

export class VrDomainPerf extends LitElement {
  static properties = { domain: { attribute: false }, series: { state: true }, error: { state: true } };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.series = { cpu: [], mem: [], rd: [], wr: [], rx: [], tx: [] };
  }

  connectedCallback() {
    super.connectedCallback();
    this.timer = setInterval(() => this.sample(), 2000);
    this.sample();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  async sample() {
    if (!this.domain || this.domain.state !== 'running' || this.inFlight) return;
    this.inFlight = true;
    try {
      const s = await domApi.stats(this.domain.name);
      const now = performance.now();
      const cur = { t: now, cpu: s.cpu_time_ns, rd: sum(s.block, 'rd_bytes'), wr: sum(s.block, 'wr_bytes'),
        rx: sum(s.net, 'rx_bytes'), tx: sum(s.net, 'tx_bytes'), net: (s.net ?? []).length };
      const p = this.prev;
      if (p) {
        const dt = (now - p.t) / 1000;
        const add = (k, v) => [...this.series[k], Math.max(0, v)].slice(-60);
        this.series = {
          cpu: add('cpu', ((cur.cpu - p.cpu) / 1e9 / dt / (s.vcpus || 1)) * 100),
          mem: add('mem', s.memory_current_kib ?? 0),
          rd: add('rd', (cur.rd - p.rd) / dt), wr: add('wr', (cur.wr - p.wr) / dt),
          rx: add('rx', (cur.rx - p.rx) / dt), tx: add('tx', (cur.tx - p.tx) / dt),
        };
        this.memMax = s.memory_max_kib;
      }
      this.hasNet = cur.net > 0;
      this.prev = cur;
      this.error = null;
    } catch (err) {
      this.error = t('err.generic', err.message);
    } finally {
      this.inFlight = false;
    }
  }

  render() {
    if (this.domain.state !== 'running') return html`<p data-testid="perf-off">${t('perf.off')}</p>`;
    const s = this.series;
    const last = (k) => s[k][s[k].length - 1];
    const card = (title, value, graph) => html`<figure class="graph card"><figcaption>${title}
      <strong>${value}</strong></figcaption>${graph}</figure>`;
    return html`<p class="error" role="alert">${this.error ?? ''}</p>
      <div class="graphs" data-testid="perf">
        ${card(t('perf.cpu'), html`<span data-testid="perf-cpu">${last('cpu') == null ? '–' : `${last('cpu').toFixed(1)} %`}</span>`,
          html`<vr-sparkline .values=${s.cpu} max="100" label=${t('perf.cpu')}></vr-sparkline>`)}
        ${card(t('perf.memory'), memory(last('mem')), html`<vr-sparkline .values=${s.mem} .max=${this.memMax} label=${t('perf.memory')}></vr-sparkline>`)}
        ${card(t('perf.disk'), html`${t('perf.read', bytes(last('rd')))} · ${t('perf.write', bytes(last('wr')))}`,
          html`<vr-sparkline .values=${s.rd.map((v, i) => v + (s.wr[i] ?? 0))} label=${t('perf.disk')}></vr-sparkline>`)}
        ${card(t('perf.net'), this.hasNet ? html`${t('perf.rx', bytes(last('rx')))} · ${t('perf.tx', bytes(last('tx')))}` : t('perf.nonet'),
          html`<vr-sparkline .values=${s.rx.map((v, i) => v + (s.tx[i] ?? 0))} label=${t('perf.net')}></vr-sparkline>`)}
      </div>`;
  }
}
customElements.define('vr-domain-perf', VrDomainPerf);
