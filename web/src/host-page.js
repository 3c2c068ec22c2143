// <vr-host-page>: the host at a glance: what it is (GET /v1/host), whether
// it is ready for VMs (GET /v1/host/validate, which the daemon caches), and
// its CPU and memory use, refreshed while the page is shown (GET
// /v1/host/stats, one small request every few seconds, none while the
// tab is hidden or the page left).
import { LitElement, html } from 'lit';
import { addStrings, getLang, t } from './i18n.js';
import { advice, finding } from './host-findings.js';
import { fetchInto } from './page-base.js';
import { bytes, percent } from './size.js';

const REFRESH_MS = 2500;

addStrings({
  en: {
    'host.heading': 'Host {0}',
    'host.hypervisor': 'Hypervisor',
    'host.accel': 'Accelerator',
    'host.accel.kvm': 'KVM (hardware virtualization)',
    'host.accel.tcg': 'TCG (software emulation)',
    'host.system': 'System',
    'host.cpus': 'CPUs',
    'host.cpu_use': 'CPU use',
    'host.memory': 'Memory',
    'host.memory_use': '{0} in use of {1} ({2} available)',
    'host.vms': 'Virtual machines',
    'host.vms_count': '{0} running, {1} defined',
    'host.measuring': 'measuring…',
    'host.validate': 'Host check (vireo host-validate)',
    'host.validate.summary': '{0} passed, {1} warnings, {2} failed',
    'host.validate.checked': 'Checked at {0}.',
    'host.validate.again': 'Check again',
    'host.validate.running': 'Checking the host…',
    'host.col.check': 'Check', 'host.col.result': 'Result', 'host.col.finding': 'Finding',
    'host.hint': 'Hint: {0}',
    'host.status.PASS': 'PASS', 'host.status.WARN': 'WARN', 'host.status.FAIL': 'FAIL',
    'host.err.load': 'Could not read the host: {0}',
    'host.err.stats': 'Live numbers stopped: {0}',
  },
  es: {
    'host.heading': 'Anfitrión {0}',
    'host.hypervisor': 'Hipervisor',
    'host.accel': 'Acelerador',
    'host.accel.kvm': 'KVM (virtualización por hardware)',
    'host.accel.tcg': 'TCG (emulación por software)',
    'host.system': 'Sistema',
    'host.cpus': 'CPU',
    'host.cpu_use': 'Uso de CPU',
    'host.memory': 'Memoria',
    'host.memory_use': '{0} en uso de {1} ({2} disponibles)',
    'host.vms': 'Máquinas virtuales',
    'host.vms_count': '{0} en ejecución, {1} definidas',
    'host.measuring': 'midiendo…',
    'host.validate': 'Comprobación del anfitrión (vireo host-validate)',
    'host.validate.summary': '{0} correctas, {1} avisos, {2} fallos',
    'host.validate.checked': 'Comprobado a las {0}.',
    'host.validate.again': 'Comprobar de nuevo',
    'host.validate.running': 'Comprobando el anfitrión…',
    'host.col.check': 'Comprobación', 'host.col.result': 'Resultado', 'host.col.finding': 'Hallazgo',
    'host.hint': 'Sugerencia: {0}',
    'host.status.PASS': 'CORRECTO', 'host.status.WARN': 'AVISO', 'host.status.FAIL': 'FALLO',
    'host.err.load': 'No se pudo leer el anfitrión: {0}',
    'host.err.stats': 'Los datos en vivo se detuvieron: {0}',
    // The checks' titles by id (the daemon words them in English).
    'host.check.cpu.virt': 'Extensiones de virtualización de la CPU',
    'host.check.kvm.device': '/dev/kvm presente y accesible',
    'host.check.kvm.usable': 'KVM utilizable para invitados completos',
    'host.check.kvm.nested': 'Virtualización anidada',
    'host.check.net.tun': '/dev/net/tun para las interfaces tap de los invitados',
    'host.check.net.bridge': 'Soporte de puentes para redes virtuales',
    'host.check.net.firewall': 'Otros cortafuegos dejan pasar el tráfico de las redes NAT',
    'host.check.cgroup.v2': 'Controladores cpu y memory de cgroup v2',
    'host.check.host.memory': 'Memoria del anfitrión (curso: 8 GB)',
    'host.check.host.cores': 'Núcleos de CPU del anfitrión (curso: 4)',
    'host.check.host.disk': 'Disco libre para imágenes (curso: 100 GB)',
    'host.check.tool.qemu': 'QEMU (qemu-system-x86_64)',
    'host.check.tool.qemu-img': 'qemu-img',
    'host.check.tool.dnsmasq': 'dnsmasq (DHCP y DNS para las redes)',
  },
});

// A check's title in the page's language, the daemon's words otherwise.
function checkTitle(c) {
  const key = `host.check.${c.id}`;
  const s = t(key);
  return s === key ? c.title : s;
}

function bar(pct, label, testid) {
  return html`<span class="usage" role="img" aria-label=${label} data-testid=${testid}>
    <span class="used" style="width: ${pct.toFixed(1)}%"></span></span>`;
}

export class VrHostPage extends LitElement {
  static properties = {
    host: { state: true },
    validate: { state: true },
    stats: { state: true },
    checking: { state: true },
    error: { state: true },
    statsError: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.onVisibility = () => this.schedule(0);
  }

  connectedCallback() {
    super.connectedCallback();
    this.alive = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.load();
    this.schedule(0);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.alive = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearTimeout(this.timer);
  }

  async load() {
    await fetchInto(this, 'host', '/v1/host', { errKey: 'host.err.load' });
    if (!this.error) this.check(false);
  }

  async check(refresh) {
    this.checking = true;
    await fetchInto(this, 'validate', `/v1/host/validate${refresh ? '?refresh=1' : ''}`, { errKey: 'host.err.load' });
    this.checking = false;
  }

  // One poll at a time: the next is planned only when the last answered,
  // and not at all while the tab is hidden or the page was left.
  schedule(delay) {
    clearTimeout(this.timer);
    if (!this.alive || document.hidden) return;
    this.timer = setTimeout(() => this.poll(), delay);
  }

  async poll() {
    await fetchInto(this, 'stats', '/v1/host/stats', { errProp: 'statsError', errKey: 'host.err.stats' });
    this.schedule(REFRESH_MS);
  }

  render() {
    const h = this.host;
    return html`<div class="page-head"><h1>${t('host.heading', h?.hostname ?? '')}</h1></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${h ? this.facts(h) : ''}
      ${this.validation()}`;
  }

  facts(h) {
    const v = this.validate;
    const accel = v?.accelerator ?? h.accelerator;
    // The accelerator's reason is the kvm.usable verdict: said in the page's language.
    const kvm = v?.checks.find((c) => c.id === 'kvm.usable');
    const why = kvm ? finding(kvm) : v?.accelerator_detail;
    return html`<dl class="facts host-facts card">
      <dt>${t('host.hypervisor')}</dt>
      <dd data-testid="host-hypervisor">QEMU ${v?.qemu_version ?? ''}</dd>
      <dt>${t('host.accel')}</dt>
      <dd><strong data-testid="host-accel">${t(`host.accel.${accel}`)}</strong>
        ${why ? html`<br><small class="muted" data-testid="host-accel-detail">${why}</small>` : ''}</dd>
      <dt>${t('host.system')}</dt><dd>${h.arch}, Linux ${h.kernel}</dd>
      <dt>${t('host.cpus')}</dt><dd data-testid="host-cpus">${h.cpus}</dd>
      ${this.liveFacts()}
    </dl>
    ${this.statsError ? html`<p class="error" role="alert">${this.statsError}</p>` : ''}`;
  }

  liveFacts() {
    const s = this.stats;
    const cpu = s?.cpu_percent;
    const cpuText = cpu == null ? t('host.measuring') : `${cpu.toFixed(1)} %`;
    const mem = s ? t('host.memory_use', bytes(s.memory_used_kib * 1024), bytes(s.memory_total_kib * 1024),
      bytes(s.memory_available_kib * 1024)) : t('host.measuring');
    return html`
      <dt>${t('host.cpu_use')}</dt>
      <dd class="meter-row"><span data-testid="host-cpu">${cpuText}</span>
        ${bar(cpu ?? 0, `${t('host.cpu_use')}: ${cpuText}`, 'host-cpu-bar')}</dd>
      <dt>${t('host.memory')}</dt>
      <dd class="meter-row"><span data-testid="host-memory">${mem}</span>
        ${bar(percent(s?.memory_used_kib ?? 0, s?.memory_total_kib ?? 0), mem, 'host-memory-bar')}</dd>
      <dt>${t('host.vms')}</dt>
      <dd data-testid="host-vms">${s ? t('host.vms_count', s.domains_running, s.domains_total) : ''}</dd>`;
  }

  validation() {
    const v = this.validate;
    const when = v ? new Date(v.checked_at * 1000).toLocaleTimeString(getLang()) : '';
    return html`<div class="page-head"><h2>${t('host.validate')}</h2>
        <button @click=${() => this.check(true)} ?disabled=${this.checking}
          data-testid="host-recheck">${t('host.validate.again')}</button></div>
      ${this.checking && !v ? html`<p role="status">${t('host.validate.running')}</p>` : ''}
      ${v ? html`<p role="status" data-testid="host-validate-summary">
          ${t('host.validate.summary', v.summary.pass, v.summary.warn, v.summary.fail)}
          <span class="muted">${t('host.validate.checked', when)}</span></p>
        <table class="list checks" data-testid="host-checks">
          <thead><tr><th>${t('host.col.result')}</th><th>${t('host.col.check')}</th>
            <th>${t('host.col.finding')}</th></tr></thead>
          <tbody>${v.checks.map((c) => html`<tr data-check=${c.id}>
            <td data-label=${t('host.col.result')}><span class="check check-${c.status.toLowerCase()}"
              data-testid="check-status">${t(`host.status.${c.status}`)}</span></td>
            <td data-label=${t('host.col.check')} data-testid="check-title">${checkTitle(c)}</td>
            <td data-label=${t('host.col.finding')}><div><span data-testid="check-detail">${finding(c)}</span>
              ${c.hint ? html`<small class="muted hint" data-testid="check-hint">${t('host.hint', advice(c))}</small>` : ''}</div></td>
          </tr>`)}</tbody>
        </table>` : ''}`;
  }
}
customElements.define('vr-host-page', VrHostPage);
