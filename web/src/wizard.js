// <vr-wizard>: a new VM in four steps (source, OS and resources, disk
// and network, summary), made by the daemon with vireo install's plan
// (POST /v1/install). Each step checks its fields before going on; an
// error from the daemon is shown next to the field it is about.
import { LitElement, html } from 'lit';
import { domApi, waitJob } from './api-domains.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'wiz.heading': 'New virtual machine',
    'wiz.step1': 'Source', 'wiz.step2': 'OS and resources', 'wiz.step3': 'Disk and network', 'wiz.step4': 'Summary',
    'wiz.src.cdrom': 'Install from an ISO image', 'wiz.src.network': 'Network install (kernel and initrd)',
    'wiz.src.import': 'Import an existing disk', 'wiz.src.kernel': 'Boot a kernel directly',
    'wiz.iso': 'ISO image (path on the host)', 'wiz.iso.help': 'An ISO volume of a pool, or any ISO file on the host.',
    'wiz.kernel': 'Kernel (path on the host)', 'wiz.initrd': 'Initrd (path on the host, optional)',
    'wiz.cmdline': 'Kernel command line', 'wiz.import': 'Disk to boot',
    'wiz.os': 'Operating system', 'wiz.os.filter': 'Search the operating systems', 'wiz.name': 'Name', 'wiz.memory': 'Memory (MiB)', 'wiz.vcpus': 'vCPUs',
    'wiz.disk': 'Disk', 'wiz.disk.new': 'Create a new disk', 'wiz.disk.none': 'No disk',
    'wiz.pool': 'Storage pool', 'wiz.size': 'Size (GiB)', 'wiz.network': 'Network',
    'wiz.net.user': 'User-mode networking (no network of its own)', 'wiz.net.none': 'No network',
    'wiz.start': 'Start the VM when it is created',
    'wiz.back': 'Back', 'wiz.next': 'Next', 'wiz.create': 'Create', 'wiz.creating': 'Creating…',
    'wiz.required': 'This field is required.', 'wiz.badname': 'Letters, digits, and . _ - only.',
    'wiz.number': 'A whole number from {0} to {1}.', 'wiz.min': 'Below the {0} MiB this OS asks for: it may not install or run well (allowed; virt-install warns too).',
    'wiz.installnote': 'The installer runs first and boots the disk when it is done.',
    'wiz.reboot': 'Start the installed system when the installer powers off',
    'wiz.none': '(none)',
    'wiz.drivers': 'Drivers ISO (optional, e.g. virtio-win.iso)',
    'wiz.drivers.help': 'A second CD-ROM that stays attached; with it the disk and network card are virtio, whose drivers Windows setup loads from it.',
    'wiz.uefi': 'UEFI firmware', 'wiz.sb': 'This OS asks for UEFI with Secure Boot and a TPM 2.0: the VM gets both.',
    'wiz.firmware': 'Firmware', 'wiz.fw.bios': 'BIOS', 'wiz.fw.uefi': 'UEFI', 'wiz.fw.sb': 'UEFI, Secure Boot, TPM 2.0',
    'wiz.copy': 'Copy it into a new disk (the original stays as it is)',
    'wiz.copy.to': 'Pool of the copy', 'wiz.copy.of': 'copy of {0} into {1}',
    'wiz.progress': '{0} %: {1}',
  },
  es: {
    'wiz.heading': 'Nueva máquina virtual',
    'wiz.step1': 'Origen', 'wiz.step2': 'Sistema y recursos', 'wiz.step3': 'Disco y red', 'wiz.step4': 'Resumen',
    'wiz.src.cdrom': 'Instalar desde una imagen ISO', 'wiz.src.network': 'Instalación por red (kernel e initrd)',
    'wiz.src.import': 'Importar un disco existente', 'wiz.src.kernel': 'Arrancar un kernel directamente',
    'wiz.iso': 'Imagen ISO (ruta en el anfitrión)', 'wiz.iso.help': 'Un volumen ISO de un pool o cualquier ISO del anfitrión.',
    'wiz.kernel': 'Kernel (ruta en el anfitrión)', 'wiz.initrd': 'Initrd (ruta en el anfitrión, opcional)',
    'wiz.cmdline': 'Línea de órdenes del kernel', 'wiz.import': 'Disco que arranca',
    'wiz.os': 'Sistema operativo', 'wiz.os.filter': 'Buscar el sistema operativo', 'wiz.name': 'Nombre', 'wiz.memory': 'Memoria (MiB)', 'wiz.vcpus': 'vCPU',
    'wiz.disk': 'Disco', 'wiz.disk.new': 'Crear un disco nuevo', 'wiz.disk.none': 'Sin disco',
    'wiz.pool': 'Pool de almacenamiento', 'wiz.size': 'Tamaño (GiB)', 'wiz.network': 'Red',
    'wiz.net.user': 'Red en modo usuario (sin red propia)', 'wiz.net.none': 'Sin red',
    'wiz.start': 'Iniciar la máquina al crearla',
    'wiz.back': 'Atrás', 'wiz.next': 'Siguiente', 'wiz.create': 'Crear', 'wiz.creating': 'Creando…',
    'wiz.required': 'Este campo es obligatorio.', 'wiz.badname': 'Solo letras, cifras y . _ -',
    'wiz.number': 'Un número entero de {0} a {1}.', 'wiz.min': 'Por debajo de los {0} MiB que pide este sistema: puede que no se instale o no funcione bien (se permite; virt-install también avisa).',
    'wiz.installnote': 'Primero se ejecuta el instalador; al terminar, la máquina arranca desde el disco.',
    'wiz.reboot': 'Iniciar el sistema instalado cuando el instalador apague la máquina',
    'wiz.none': '(ninguno)',
    'wiz.drivers': 'ISO de controladores (opcional, p. ej. virtio-win.iso)',
    'wiz.drivers.help': 'Un segundo CD-ROM que queda conectado; con él el disco y la tarjeta de red son virtio, cuyos controladores carga desde él la instalación de Windows.',
    'wiz.uefi': 'Firmware UEFI', 'wiz.sb': 'Este sistema pide UEFI con arranque seguro y un TPM 2.0: la máquina tiene ambos.',
    'wiz.firmware': 'Firmware', 'wiz.fw.bios': 'BIOS', 'wiz.fw.uefi': 'UEFI', 'wiz.fw.sb': 'UEFI, arranque seguro, TPM 2.0',
    'wiz.copy': 'Copiarlo en un disco nuevo (el original queda como está)',
    'wiz.copy.to': 'Pool de la copia', 'wiz.copy.of': 'copia de {0} en {1}',
    'wiz.progress': '{0} %: {1}',
  },
});

const sources = ['cdrom', 'network', 'import', 'kernel'];

export class VrWizard extends LitElement {
  static properties = {
    step: { state: true }, f: { state: true }, errors: { state: true }, busy: { state: true },
    oses: { state: true }, pools: { state: true }, volumes: { state: true }, networks: { state: true },
    general: { state: true }, osFilter: { state: true }, progress: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.step = 1;
    this.errors = {};
    this.oses = [];
    this.osFilter = '';
    this.pools = [];
    this.volumes = [];
    this.networks = [];
    this.f = {
      source: 'cdrom', iso: '', drivers: '', uefi: false, kernel: '', initrd: '', cmdline: 'console=ttyS0', importVol: '', importCopy: false,
      os: 'linux2022', name: '', memory: 2048, vcpus: 2, disk: 'new', pool: 'default', size: 20,
      network: '', start: true,
    };
  }

  async connectedCallback() {
    super.connectedCallback();
    try {
      const [oses, pools, networks] = await Promise.all([domApi.osVariants(), domApi.pools(), domApi.networks()]);
      this.oses = oses;
      this.pools = pools.filter((p) => p.state === 'running');
      this.networks = networks;
      const vols = await Promise.all(this.pools.map((p) => domApi.volumes(p.name).catch(() => [])));
      this.volumes = vols.flat();
      if (!this.pools.some((p) => p.name === this.f.pool) && this.pools[0]) this.f = { ...this.f, pool: this.pools[0].name };
      const net = networks.find((n) => n.name === 'default') ?? networks[0];
      this.f = { ...this.f, network: net ? `network:${net.name}` : 'user' };
      this.applyOs(this.f.os);
    } catch (err) {
      this.general = t('err.generic', err.message);
    }
  }

  applyOs(id) {
    const os = this.oses.find((o) => o.id === id);
    if (!os) return;
    this.f = { ...this.f, os: id, memory: os.memory_mib, vcpus: os.vcpus, size: os.disk_gib, uefi: !!os.uefi };
  }

  set(key, value) {
    this.f = { ...this.f, [key]: value };
    if (this.errors[key]) this.errors = { ...this.errors, [key]: null };
  }

  // ---- rendering helpers ----

  field(key, label, input, help) {
    const err = this.errors[key];
    return html`<div class="field">
      <label for="wiz-${key}">${label}</label>${input}
      ${help ? html`<small id="wiz-${key}-help">${help}</small>` : ''}
      <p class="error" role="alert" id="wiz-${key}-error" data-testid="wiz-error-${key}">${err ?? ''}</p></div>`;
  }

  text(key, label, opts = {}) {
    return this.field(key, label, html`<input id="wiz-${key}" name=${key} .value=${String(this.f[key] ?? '')}
      type=${opts.type ?? 'text'} list=${opts.list ?? ''} aria-invalid=${this.errors[key] ? 'true' : 'false'}
      aria-describedby="wiz-${key}-error ${opts.help ? `wiz-${key}-help` : ''}"
      @input=${(e) => this.set(key, opts.type === 'number' ? e.target.valueAsNumber : e.target.value)}>`, opts.help);
  }

  render() {
    const steps = [1, 2, 3, 4];
    return html`<h1>${t('wiz.heading')}</h1>
      <ol class="steps" aria-label=${t('wiz.heading')}>${steps.map((s) => html`
        <li aria-current=${s === this.step ? 'step' : 'false'} class=${s < this.step ? 'done' : ''}>${t(`wiz.step${s}`)}</li>`)}
      </ol>
      <form class="card wizard" @submit=${this.submit} novalidate data-testid="wizard" data-step=${this.step}>
        ${this[`step${this.step}`]()}
        <p class="error" role="alert" data-testid="wiz-error">${this.general ?? ''}</p>
        <div class="actions">
          ${this.step > 1 ? html`<button type="button" @click=${() => { this.step--; }}>${t('wiz.back')}</button>` : ''}
          ${this.step < 4
            ? html`<button type="submit" class="primary" data-testid="wiz-next">${t('wiz.next')}</button>`
            : html`<button type="submit" class="primary" data-testid="wiz-create" ?disabled=${this.busy}>
                ${this.busy ? t('wiz.creating') : t('wiz.create')}</button>`}
        </div>
        ${this.progress ? html`<div class="progress-row" data-testid="wiz-progress">
          <progress max="100" .value=${this.progress.percent}></progress>
          <span role="status">${t('wiz.progress', Math.round(this.progress.percent), this.progress.step)}</span></div>` : ''}
      </form>`;
  }

  step1() {
    const f = this.f;
    const isos = this.volumes.filter((v) => v.format === 'iso' || /\.iso$/i.test(v.name));
    const disks = this.volumes.filter((v) => v.format !== 'iso' && !/\.iso$/i.test(v.name));
    return html`<fieldset><legend>${t('wiz.step1')}</legend>
        ${sources.map((s) => html`<label class="radio"><input type="radio" name="source" value=${s}
          .checked=${f.source === s} @change=${() => this.set('source', s)}> ${t(`wiz.src.${s}`)}</label>`)}
      </fieldset>
      ${f.source === 'cdrom' ? html`${this.text('iso', t('wiz.iso'), { list: 'wiz-isos', help: t('wiz.iso.help') })}
        <datalist id="wiz-isos">${isos.map((v) => html`<option value=${v.path}>${v.pool}/${v.name}</option>`)}</datalist>
        ${this.text('drivers', t('wiz.drivers'), { list: 'wiz-isos', help: t('wiz.drivers.help') })}` : ''}
      ${f.source === 'network' || f.source === 'kernel' ? html`
        ${this.text('kernel', t('wiz.kernel'))}${this.text('initrd', t('wiz.initrd'))}${this.text('cmdline', t('wiz.cmdline'))}` : ''}
      ${f.source === 'import' ? this.field('importVol', t('wiz.import'), html`
        <select id="wiz-importVol" @change=${(e) => this.set('importVol', e.target.value)}>
          <option value="">${t('wiz.none')}</option>
          ${disks.map((v) => html`<option value="${v.pool}/${v.name}" ?selected=${f.importVol === `${v.pool}/${v.name}`}>
            ${v.pool}/${v.name}</option>`)}</select>`) : ''}
      ${f.source === 'import' ? html`<label class="radio"><input type="checkbox" .checked=${f.importCopy}
        data-testid="wiz-import-copy" @change=${(e) => this.set('importCopy', e.target.checked)}> ${t('wiz.copy')}</label>` : ''}`;
  }

  step2() {
    const f = this.f;
    const os = this.oses.find((o) => o.id === f.os);
    // libosinfo knows some 800 systems: a search narrows the list (by name
    // or short id, as virt-manager's), the chosen one always stays in it.
    const q = this.osFilter.trim().toLowerCase();
    const shown = q ? this.oses.filter((o) => o.id === f.os || o.id.toLowerCase().includes(q) ||
      o.name.toLowerCase().includes(q)) : this.oses;
    return html`<input type="search" id="wiz-os-filter" data-testid="wiz-os-filter" aria-label=${t('wiz.os.filter')}
        placeholder=${t('wiz.os.filter')} .value=${this.osFilter} @input=${(e) => { this.osFilter = e.target.value; }}>
      ${this.field('os', t('wiz.os'), html`<select id="wiz-os" @change=${(e) => this.applyOs(e.target.value)}>
        ${shown.map((o) => html`<option value=${o.id} ?selected=${o.id === f.os}>${o.name}</option>`)}</select>`)}
      ${this.text('name', t('wiz.name'))}
      <div class="row">${this.text('memory', t('wiz.memory'), { type: 'number' })}${this.text('vcpus', t('wiz.vcpus'), { type: 'number' })}</div>
      ${os && Number(f.memory) < os.min_memory_mib
        ? html`<p class="notice" role="status" data-testid="wiz-min">${t('wiz.min', os.min_memory_mib)}</p>` : ''}
      <label class="radio"><input type="checkbox" .checked=${f.uefi} ?disabled=${!!os?.secure_boot} data-testid="wiz-uefi"
        @change=${(e) => this.set('uefi', e.target.checked)}> ${t('wiz.uefi')}</label>
      ${os?.secure_boot ? html`<p class="notice" data-testid="wiz-sb">${t('wiz.sb')}</p>` : ''}`;
  }

  step3() {
    const f = this.f;
    const copyPool = this.field('pool', t('wiz.copy.to'), html`<select id="wiz-pool" @change=${(e) => this.set('pool', e.target.value)}>
      ${this.pools.map((p) => html`<option value=${p.name} ?selected=${p.name === f.pool}>${p.name}</option>`)}</select>`);
    const diskChoice = f.source === 'import' ? (f.importCopy ? copyPool : '') : html`
      <fieldset><legend>${t('wiz.disk')}</legend>
        <label class="radio"><input type="radio" name="disk" .checked=${f.disk === 'new'} @change=${() => this.set('disk', 'new')}> ${t('wiz.disk.new')}</label>
        ${f.source === 'kernel' ? html`<label class="radio"><input type="radio" name="disk" .checked=${f.disk === 'none'}
          @change=${() => this.set('disk', 'none')}> ${t('wiz.disk.none')}</label>` : ''}
      </fieldset>
      ${f.disk === 'new' || f.source !== 'kernel' ? html`<div class="row">
        ${this.field('pool', t('wiz.pool'), html`<select id="wiz-pool" @change=${(e) => this.set('pool', e.target.value)}>
          ${this.pools.map((p) => html`<option value=${p.name} ?selected=${p.name === f.pool}>${p.name}</option>`)}</select>`)}
        ${this.text('size', t('wiz.size'), { type: 'number' })}</div>` : ''}`;
    return html`${diskChoice}
      ${this.field('network', t('wiz.network'), html`<select id="wiz-network" @change=${(e) => this.set('network', e.target.value)}>
        ${this.networks.map((n) => html`<option value="network:${n.name}" ?selected=${f.network === `network:${n.name}`}>${n.name}</option>`)}
        <option value="user" ?selected=${f.network === 'user'}>${t('wiz.net.user')}</option>
        <option value="none" ?selected=${f.network === 'none'}>${t('wiz.net.none')}</option></select>`)}
      <label class="radio"><input type="checkbox" .checked=${f.start}
        @change=${(e) => this.set('start', e.target.checked)} data-testid="wiz-start">
        ${f.source === 'import' || f.source === 'kernel' ? t('wiz.start') : t('wiz.reboot')}</label>`;
  }

  step4() {
    const p = this.plan();
    const os = this.oses.find((o) => o.id === p.os_variant);
    const src = p.source;
    const srcText = src.type === 'cdrom' ? src.path : src.type === 'import' ? this.f.importVol : src.kernel;
    const rows = [
      [t('wiz.name'), p.name], [t('wiz.os'), os?.name ?? p.os_variant],
      [t('wiz.step1'), `${t(`wiz.src.${src.type}`)}: ${srcText}`],
      [t('wiz.memory'), p.memory_mib], [t('wiz.vcpus'), p.vcpus],
      [t('wiz.firmware'), os?.secure_boot ? t('wiz.fw.sb') : p.uefi ? t('wiz.fw.uefi') : t('wiz.fw.bios')],
      ...(p.drivers ? [[t('wiz.drivers'), p.drivers.path]] : []),
      [t('wiz.disk'), p.disk ? (p.disk.volume ? `${p.disk.pool}/${p.disk.volume}`
        : p.disk.copy_from ? t('wiz.copy.of', p.disk.copy_from, p.disk.pool) : `${p.disk.size} (${p.disk.pool})`) : t('wiz.disk.none')],
      [t('wiz.network'), p.network.type === 'network' ? p.network.source : p.network.type === 'user' ? t('wiz.net.user') : t('wiz.net.none')],
    ];
    return html`<dl class="facts" data-testid="wiz-summary">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
      ${src.type === 'cdrom' || src.type === 'network' ? html`<p class="notice">${t('wiz.installnote')}</p>` : ''}`;
  }

  // ---- checks and the request ----

  check(step) {
    const f = this.f;
    const e = {};
    const need = (k) => { if (!String(f[k] ?? '').trim()) e[k] = t('wiz.required'); };
    const num = (k, lo, hi) => { if (!Number.isInteger(f[k]) || f[k] < lo || f[k] > hi) e[k] = t('wiz.number', lo, hi); };
    if (step === 1) {
      if (f.source === 'cdrom') need('iso');
      if (f.source === 'network' || f.source === 'kernel') need('kernel');
      if (f.source === 'import') need('importVol');
    } else if (step === 2) {
      need('name');
      if (!e.name && !/^[A-Za-z0-9._-]+$/.test(f.name)) e.name = t('wiz.badname');
      num('memory', 16, 16777216); // the daemon's limits (src/install/install_plan.h): 16 MiB to 16 TiB
      num('vcpus', 1, 255);
    } else if (step === 3 && f.source !== 'import' && !(f.source === 'kernel' && f.disk === 'none')) {
      num('size', 1, 65536);
    }
    this.errors = e;
    return Object.keys(e).length === 0;
  }

  plan() {
    const f = this.f;
    const source = { type: f.source };
    if (f.source === 'cdrom') source.path = f.iso.trim();
    if (f.source === 'network' || f.source === 'kernel')
      Object.assign(source, { kernel: f.kernel.trim(), initrd: f.initrd.trim(), cmdline: f.cmdline });
    let disk = null;
    if (f.source === 'import') {
      const [pool, ...rest] = f.importVol.split('/');
      disk = f.importCopy ? { pool: f.pool, copy_from: f.importVol } : { pool, volume: rest.join('/') };
    } else if (!(f.source === 'kernel' && f.disk === 'none')) {
      disk = { pool: f.pool, size: `${f.size}G` };
    }
    const network = f.network.startsWith('network:') ? { type: 'network', source: f.network.slice(8) } : { type: f.network };
    const drivers = f.source === 'cdrom' && f.drivers.trim() ? { path: f.drivers.trim() } : undefined;
    return { name: f.name.trim(), os_variant: f.os, memory_mib: f.memory, vcpus: f.vcpus, source, disk, network,
      uefi: f.uefi, ...(drivers ? { drivers } : {}),
      // An install always starts now; the box says whether the installed system starts after it.
      ...(f.source === 'cdrom' || f.source === 'network' ? { noreboot: !f.start } : { start: f.start }) };
  }

  // Which step and field a daemon error is about, from its message.
  place(msg) {
    const m = msg.toLowerCase();
    if (/drivers/.test(m)) return [1, 'drivers'];
    if (/\biso\b/.test(m)) return [1, 'iso'];
    if (/kernel/.test(m)) return [1, 'kernel'];
    if (/initrd/.test(m)) return [1, 'initrd'];
    if (/domain named|name/.test(m)) return [2, 'name'];
    if (/memory/.test(m)) return [2, 'memory'];
    if (/os_variant/.test(m)) return [2, 'os'];
    if (/pool|disk|volume|space/.test(m)) return [3, this.f.source === 'import' ? 'importVol' : 'size'];
    if (/network|bridge/.test(m)) return [3, 'network'];
    return [4, null];
  }

  async submit(e) {
    e.preventDefault();
    this.general = null;
    if (!this.check(this.step)) {
      this.updateComplete.then(() => this.querySelector('[aria-invalid=true]')?.focus());
      return;
    }
    if (this.step < 4) {
      this.step++;
      return;
    }
    this.busy = true;
    try {
      // The install is the daemon's job: its progress (a disk copied
      // into the pool) shows under the form until it ends.
      const plan = this.plan();
      const job = await domApi.install({ ...plan, job: true });
      this.progress = { percent: 0, step: '' };
      const end = await waitJob(job.id, (j) => { this.progress = { percent: j.progress ?? 0, step: j.step ?? '' }; });
      if (end.state !== 'completed') throw new Error(end.error?.message ?? end.state);
      location.hash = `#/domains/${encodeURIComponent(plan.name)}`;
    } catch (err) {
      const [step, key] = this.place(err.message);
      if (key === 'importVol' && step === 3) this.step = 1;
      else this.step = step;
      if (key) this.errors = { [key === 'importVol' ? 'importVol' : key]: err.message };
      else this.general = t('err.generic', err.message);
      this.updateComplete.then(() => this.querySelector('[aria-invalid=true]')?.focus());
    } finally {
      this.busy = false;
      this.progress = null;
    }
  }
}
customElements.define('vr-wizard', VrWizard);
