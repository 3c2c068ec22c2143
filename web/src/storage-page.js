// <vr-storage-page .selected=POOL>: every storage pool (kind, sizes with
// a usage bar, start, stop, autostart, delete; a new one from a form:
// pool-form.js, the secrets pools log in with: secrets-list.js) and the volumes of the selected pool (create, delete,
// upload a file from the browser with a progress bar, download, attach
// to a VM: volume-actions.js).
// An upload to a new volume first creates it raw at the file's size.
// Pools and volumes changed elsewhere (vireo vol-create-as, pool-start …)
// show up live from the event feed, and so do the machines that start or
// stop using a volume.
import { html } from 'lit';
import { call, uploadVolume } from './api.js';
import { addStrings, t } from './i18n.js';
import { FeedRefresh, ListPage, fetchInto } from './page-base.js';
import { bytes, percent, sizeUnits } from './size.js';
import { poolDelete, poolType } from './pools-page.js';
import './pool-form.js';
import './secrets-list.js';
import { downloadVolume, saveBlob } from './volume-actions.js';
import './confirm.js';

addStrings({
  en: {
    'pool.heading': 'Storage',
    'pool.empty': 'No storage pools are defined.',
    'pool.col.name': 'Pool', 'pool.col.state': 'State', 'pool.col.usage': 'Usage',
    'pool.col.autostart': 'Autostart', 'pool.col.path': 'Directory', 'pool.col.actions': 'Actions',
    'pool.state.running': 'active', 'pool.state.inactive': 'inactive',
    'pool.usage': '{0} free of {1}',
    'pool.usage.detail': 'volumes {0}, other files {1}, free {2}',
    'pool.usage.inactive': 'not active',
    'pool.autostart.label': 'Start pool {0} with the host',
    'pool.start': 'Start', 'pool.stop': 'Stop',
    'vol.heading': 'Volumes in {0}',
    'vol.empty': 'This pool has no volumes.',
    'vol.inactive': 'Start the pool to see its volumes.',
    'vol.col.name': 'Name', 'vol.col.format': 'Format', 'vol.col.capacity': 'Capacity',
    'vol.col.allocation': 'On disk', 'vol.col.used_by': 'Used by', 'vol.col.actions': 'Actions',
    'vol.delete': 'Delete', 'vol.delete.q': "Delete volume '{0}' and its data?",
    'vol.delete.yes': 'Yes, delete', 'vol.cancel': 'Cancel',
    'vol.new': 'New volume',
    'vol.f.name': 'Name', 'vol.f.size': 'Size', 'vol.f.unit': 'Unit', 'vol.f.format': 'Format',
    'vol.f.format.qcow2': 'qcow2 (grows as used, snapshots)', 'vol.f.format.raw': 'raw (plain bytes)',
    'vol.f.submit': 'Create volume',
    'vol.f.created': "Volume '{0}' created.",
    'vol.err.name': 'Give the volume a name.',
    'vol.err.size': 'The size is a positive number.',
    'vol.upload': 'Upload a file',
    'vol.up.file': 'File', 'vol.up.pick': 'Choose a file…', 'vol.up.nofile': 'No file chosen.',
    'vol.up.target': 'Into',
    'vol.up.new': 'a new raw volume named',
    'vol.up.existing': 'an existing volume (its contents are replaced)',
    'vol.up.submit': 'Upload',
    'vol.up.progress': '{0} of {1} ({2} %)',
    'vol.up.done': "Uploaded {0} into '{1}'.",
    'vol.err.file': 'Choose a file to upload.',
    'vol.err.in_use': "Volume '{0}' is in use by the running machine '{1}'; shut it down first.",
    'vol.err.pick': 'Choose the volume to replace.',
  },
  es: {
    'pool.heading': 'Almacenamiento',
    'pool.empty': 'No hay grupos de almacenamiento definidos.',
    'pool.col.name': 'Grupo', 'pool.col.state': 'Estado', 'pool.col.usage': 'Uso',
    'pool.col.autostart': 'Inicio automático', 'pool.col.path': 'Directorio', 'pool.col.actions': 'Acciones',
    'pool.state.running': 'activo', 'pool.state.inactive': 'inactivo',
    'pool.usage': '{0} libres de {1}',
    'pool.usage.detail': 'volúmenes {0}, otros archivos {1}, libre {2}',
    'pool.usage.inactive': 'no está activo',
    'pool.autostart.label': 'Iniciar el grupo {0} con el anfitrión',
    'pool.start': 'Iniciar', 'pool.stop': 'Detener',
    'vol.heading': 'Volúmenes de {0}',
    'vol.empty': 'Este grupo no tiene volúmenes.',
    'vol.inactive': 'Inicie el grupo para ver sus volúmenes.',
    'vol.col.name': 'Nombre', 'vol.col.format': 'Formato', 'vol.col.capacity': 'Capacidad',
    'vol.col.allocation': 'En disco', 'vol.col.used_by': 'En uso por', 'vol.col.actions': 'Acciones',
    'vol.delete': 'Eliminar', 'vol.delete.q': "¿Eliminar el volumen '{0}' y sus datos?",
    'vol.delete.yes': 'Sí, eliminar', 'vol.cancel': 'Cancelar',
    'vol.new': 'Nuevo volumen',
    'vol.f.name': 'Nombre', 'vol.f.size': 'Tamaño', 'vol.f.unit': 'Unidad', 'vol.f.format': 'Formato',
    'vol.f.format.qcow2': 'qcow2 (crece según se usa, instantáneas)', 'vol.f.format.raw': 'raw (bytes tal cual)',
    'vol.f.submit': 'Crear volumen',
    'vol.f.created': "Volumen '{0}' creado.",
    'vol.err.name': 'Dé un nombre al volumen.',
    'vol.err.size': 'El tamaño es un número positivo.',
    'vol.upload': 'Subir un archivo',
    'vol.up.file': 'Archivo', 'vol.up.pick': 'Elegir un archivo…', 'vol.up.nofile': 'Ningún archivo elegido.',
    'vol.up.target': 'Destino',
    'vol.up.new': 'un volumen raw nuevo llamado',
    'vol.up.existing': 'un volumen existente (se reemplaza su contenido)',
    'vol.up.submit': 'Subir',
    'vol.up.progress': '{0} de {1} ({2} %)',
    'vol.up.done': "Se subieron {0} a '{1}'.",
    'vol.err.file': 'Elija un archivo para subir.',
    'vol.err.in_use': "El volumen '{0}' está en uso por la máquina '{1}', que está en ejecución; apáguela primero.",
    'vol.err.pick': 'Elija el volumen que se reemplazará.',
  },
});

const enc = encodeURIComponent;

// Domain events after which a volume's "used by" may read differently.
const usesChanged = new Set(['started', 'stopped', 'crashed']);

// Which field of the new-volume form a daemon error is about.
function volErrorField(message) {
  if (/size|unit|negative|capacity/i.test(message)) return 'size';
  if (/name|exists/i.test(message)) return 'name';
  return 'form';
}

// The pool's usage bar: volumes, other files on the same filesystem, free.
function usageBar(p) {
  if (p.state !== 'running' || !p.capacity) return html`<span class="muted">${t('pool.usage.inactive')}</span>`;
  const other = Math.max(0, p.capacity - p.available - p.allocation);
  const detail = t('pool.usage.detail', bytes(p.allocation), bytes(other), bytes(p.available));
  return html`<div class="pool-usage">
    <span class="usage" role="img" aria-label=${detail} title=${detail} data-testid="pool-usage-bar">
      <span class="used" style="width: ${percent(p.allocation, p.capacity).toFixed(1)}%"></span><span
        class="other" style="width: ${percent(other, p.capacity).toFixed(1)}%"></span></span>
    <small data-testid="pool-usage">${t('pool.usage', bytes(p.available), bytes(p.capacity))}</small></div>`;
}

export class VrStoragePage extends ListPage {
  static properties = {
    ...ListPage.properties,
    pools: { state: true },
    volumes: { state: true },
    upload: { state: true },
    attaching: { state: true },
    download: { state: true },
  };

  constructor() {
    super();
    this.pools = null;
    this.upload = { target: 'new' };
    new FeedRefresh(this, (ev) => ev.kind === 'pool' || (ev.kind === 'domain' && usesChanged.has(ev.event)),
      () => this.load());
  }

  updated(changed) {
    if (changed.has('selected') && this.pools) this.loadVolumes();
  }

  // The pool shown: the one in the address, else the first.
  get poolName() { return this.selected ?? this.pools?.[0]?.name; }
  get pool() { return this.pools?.find((p) => p.name === this.poolName); }

  async load() {
    await fetchInto(this, 'pools', '/v1/pools', { key: 'pools' });
    await this.loadVolumes();
  }

  // A refresh keeps the shown list until the new one is there; another
  // pool's list is never shown under this one's name.
  loadVolumes() {
    const p = this.pool;
    if (p?.name !== this.volumesOf || p?.state !== 'running') this.volumes = null;
    this.volumesOf = p?.name;
    if (p?.state === 'running') return fetchInto(this, 'volumes', `/v1/pools/${enc(p.name)}/volumes`, { key: 'volumes' });
    return null;
  }

  render() {
    const p = this.pool;
    return html`<div class="page-head"><h1>${t('pool.heading')}</h1></div>
      ${this.pageError()}
      ${this.poolTable()}
      ${p ? html`<h2>${t('vol.heading', p.name)}</h2>${this.volumeTable(p)}
        ${p.state === 'running' ? html`<div class="two-forms">${this.createForm(p)}${this.uploadForm(p)}</div>` : ''}` : ''}
      <vr-pool-form @pool-created=${(e) => this.poolCreated(e.detail)}></vr-pool-form>
      <vr-secrets-list></vr-secrets-list>
      ${this.attaching ? html`<vr-volume-attach .pool=${this.attaching.pool} .volume=${this.attaching.volume}
        @attached=${(e) => { this.formNotice = e.detail; }}
        @closed=${() => { this.attaching = null; this.load(); }}></vr-volume-attach>` : ''}`;
  }

  // A new pool's volumes show (that says it worked); a secret made for it
  // is listed.
  poolCreated(name) {
    location.hash = `#/storage/${enc(name)}`;
    this.querySelector('vr-secrets-list')?.load();
    return this.load();
  }

  poolTable() {
    if (!this.pools) return '';
    if (!this.pools.length) return html`<p>${t('pool.empty')}</p>`;
    const cols = ['name', 'type', 'state', 'usage', 'autostart', 'path', 'actions'];
    return html`<table class="list pools" data-testid="pool-list">
      <thead><tr>${cols.map((c) => html`<th>${t(`pool.col.${c}`)}</th>`)}</tr></thead>
      <tbody>${this.pools.map((p) => this.poolRow(p))}</tbody></table>`;
  }

  poolRow(p) {
    const path = `/v1/pools/${enc(p.name)}`;
    const key = `pool:${p.name}`;
    const running = p.state === 'running';
    return html`<tr data-pool=${p.name} class=${p.name === this.poolName ? 'selected' : ''}>
      <td data-label=${t('pool.col.name')}><a href="#/storage/${enc(p.name)}"
        aria-current=${p.name === this.poolName ? 'true' : 'false'}>${p.name}</a></td>
      <td data-label=${t('pool.col.type')} data-testid="pool-type">${poolType(p)}</td>
      <td data-label=${t('pool.col.state')}><span class="state state-${running ? 'running' : 'shut-off'}"
        data-testid="pool-state">${t(`pool.state.${p.state}`)}</span></td>
      <td data-label=${t('pool.col.usage')} class="usage-cell">${usageBar(p)}</td>
      <td data-label=${t('pool.col.autostart')}><input type="checkbox" .checked=${p.autostart}
        aria-label=${t('pool.autostart.label', p.name)} ?disabled=${this.busy || !p.persistent}
        @change=${(e) => this.act(key, () => call('PUT', `${path}/autostart`, { autostart: e.target.checked }))}></td>
      <td data-label=${t('pool.col.path')} class="path">${p.path}</td>
      <td data-label=${t('pool.col.actions')} class="row-actions">
        ${running
          ? html`<button data-action="stop" ?disabled=${this.busy}
              @click=${() => this.act(key, () => call('POST', `${path}/destroy`))}>${t('pool.stop')}</button>`
          : html`<button data-action="start" ?disabled=${this.busy}
              @click=${() => this.act(key, () => call('POST', `${path}/start`))}>${t('pool.start')}</button>`}
        ${poolDelete(this, p)}
        ${this.rowError(key, 'pool-row-error')}</td></tr>`;
  }

  volumeTable(p) {
    if (p.state !== 'running') return html`<p>${t('vol.inactive')}</p>`;
    if (!this.volumes) return '';
    if (!this.volumes.length) return html`<p data-testid="vol-empty">${t('vol.empty')}</p>`;
    const cols = ['name', 'format', 'capacity', 'allocation', 'used_by', 'actions'];
    const num = new Set(['capacity', 'allocation']);
    return html`<table class="list volumes" data-testid="vol-list">
      <thead><tr>${cols.map((c) => html`<th class=${num.has(c) ? 'num' : ''}>${t(`vol.col.${c}`)}</th>`)}</tr></thead>
      <tbody>${this.volumes.map((v) => this.volumeRow(p, v))}</tbody></table>`;
  }

  volumeRow(p, v) {
    const key = `vol:${v.name}`;
    return html`<tr data-volume=${v.name}>
      <td data-label=${t('vol.col.name')} class="path">${v.name}</td>
      <td data-label=${t('vol.col.format')}>${v.format}</td>
      <td data-label=${t('vol.col.capacity')} class="num" data-testid="vol-capacity">${bytes(v.capacity)}</td>
      <td data-label=${t('vol.col.allocation')} class="num">${bytes(v.allocation)}</td>
      <td data-label=${t('vol.col.used_by')}>${v.used_by
        ? html`<a href="#/domains/${enc(v.used_by)}">${v.used_by}</a>` : ''}</td>
      <td data-label=${t('vol.col.actions')} class="row-actions">
        <button data-action="download" aria-label=${t('vol.download.label', v.name)} ?disabled=${this.busy}
          @click=${() => this.downloadVol(p, v)}>${t('vol.download')}</button>
        <button data-action="attach" ?disabled=${this.busy}
          @click=${() => { this.attaching = { pool: p.name, volume: v }; }}>${t('vol.attach')}</button>
        <vr-confirm data-action="delete" .label=${t('vol.delete')} ?disabled=${this.busy}
          .question=${t('vol.delete.q', v.name)} .yes=${t('vol.delete.yes')} .no=${t('vol.cancel')}
          @confirmed=${() => this.act(key, () => call('DELETE', `/v1/pools/${enc(p.name)}/volumes/${enc(v.name)}`))}>
        </vr-confirm>
        ${this.download?.name === v.name ? html`<span role="status" data-testid="vol-download-status">${
          t('vol.download.progress', v.name, this.download.pct)}</span>` : ''}
        ${this.rowError(key, 'vol-row-error')}</td></tr>`;
  }

  // The volume's bytes into the browser, then saved as a file named after
  // it; the row shows progress, and any error.
  downloadVol(p, v) {
    return this.act(`vol:${v.name}`, async () => {
      this.download = { name: v.name, pct: 0 };
      try {
        const blob = await downloadVolume(p.name, v.name, (got, total) => {
          this.download = { name: v.name, pct: total ? Math.floor((100 * got) / total) : 100 };
        });
        saveBlob(blob, v.name);
      } finally {
        this.download = null;
      }
    });
  }

  createForm(p) {
    const e = this.formErrors;
    return html`<form class="card form-grid" data-testid="vol-form" novalidate
        @submit=${(ev) => this.createVolume(ev, p)}>
      <h3>${t('vol.new')}</h3>
      <label for="vol-name">${t('vol.f.name')}</label>
      <div><input id="vol-name" name="name" autocomplete="off" spellcheck="false" placeholder="disk1.qcow2"
          aria-invalid=${e.name ? 'true' : 'false'} aria-describedby="vol-name-error">
        <p id="vol-name-error" class="error" role="alert" data-testid="vol-name-error">${e.name ?? ''}</p></div>
      <label for="vol-size">${t('vol.f.size')}</label>
      <div><span class="size-input"><input id="vol-size" name="size" type="number" min="1" step="any" value="10"
          aria-invalid=${e.size ? 'true' : 'false'} aria-describedby="vol-size-error">
        <select name="unit" aria-label=${t('vol.f.unit')}>${sizeUnits.map(([u]) => html`
          <option value=${u} ?selected=${u === 'GiB'}>${u}</option>`)}</select></span>
        <p id="vol-size-error" class="error" role="alert" data-testid="vol-size-error">${e.size ?? ''}</p></div>
      <label for="vol-format">${t('vol.f.format')}</label>
      <div><select id="vol-format" name="format">
        <option value="qcow2">${t('vol.f.format.qcow2')}</option>
        <option value="raw">${t('vol.f.format.raw')}</option></select></div>
      <span></span>
      <div><button type="submit" class="primary" ?disabled=${this.busy}>${t('vol.f.submit')}</button>
        <p class="error" role="alert" data-testid="vol-form-error">${e.form ?? ''}</p>
        <p role="status" class="notice-ok">${this.formNotice ?? ''}</p></div>
    </form>`;
  }

  createVolume(ev, p) {
    ev.preventDefault();
    const el = ev.target.elements;
    const name = el.name.value.trim();
    const size = Number(el.size.value);
    const unit = sizeUnits.find(([u]) => u === el.unit.value)[1];
    const check = {};
    if (!name) check.name = t('vol.err.name');
    if (!(size > 0)) check.size = t('vol.err.size');
    return this.submitForm(check, async () => {
      await call('POST', `/v1/pools/${enc(p.name)}/volumes`,
        { name, capacity: Math.round(size * unit), format: el.format.value });
      el.name.value = '';
      return t('vol.f.created', name);
    }, (err) => volErrorField(err.message));
  }

  uploadForm(p) {
    const u = this.upload;
    const pct = u.total ? Math.floor(percent(u.sent, u.total)) : 0;
    return html`<form class="card form-grid" data-testid="upload-form" novalidate
        @submit=${(ev) => this.uploadFile(ev, p)}>
      <h3>${t('vol.upload')}</h3>
      <label for="up-file">${t('vol.up.file')}</label>
      <div class="file-pick"><input id="up-file" name="file" type="file" class="vh" data-testid="upload-file"
          @change=${(ev) => {
            const f = ev.target.files[0];
            this.upload = { ...this.upload, fileName: f?.name };
            if (f) ev.target.form.elements.newname.value = f.name;
          }}>
        <label for="up-file" class="button" data-testid="upload-pick">${t('vol.up.pick')}</label>
        <span class="muted" data-testid="upload-file-name">${u.fileName ?? t('vol.up.nofile')}</span></div>
      <span class="label" id="up-target-label">${t('vol.up.target')}</span>
      <div role="radiogroup" aria-labelledby="up-target-label" class="choices">
        <label><input type="radio" name="target" value="new" .checked=${u.target === 'new'}
          @change=${() => { this.upload = { ...u, target: 'new' }; }}> ${t('vol.up.new')}</label>
        <input name="newname" aria-label=${t('vol.f.name')} autocomplete="off" spellcheck="false"
          data-testid="upload-name" ?disabled=${u.target !== 'new'}>
        <label><input type="radio" name="target" value="existing" .checked=${u.target === 'existing'}
          @change=${() => { this.upload = { ...u, target: 'existing' }; }}> ${t('vol.up.existing')}</label>
        <select name="existing" aria-label=${t('vol.up.existing')} ?disabled=${u.target !== 'existing'}>
          <option value="">—</option>
          ${(this.volumes ?? []).map((v) => html`<option value=${v.name}>${v.name}</option>`)}</select></div>
      <span></span>
      <div><button type="submit" class="primary" ?disabled=${this.busy || u.running}
          data-testid="upload-submit">${t('vol.up.submit')}</button>
        ${u.total ? html`<div class="progress-row"><progress max="100" .value=${pct} data-testid="upload-progress"
            aria-label=${t('vol.upload')}></progress>
          <span role="status">${t('vol.up.progress', bytes(u.sent), bytes(u.total), pct)}</span></div>` : ''}
        <p class="error" role="alert" data-testid="upload-error">${u.error ?? ''}</p>
        <p role="status" class="notice-ok" data-testid="upload-done">${u.done ?? ''}</p></div>
    </form>`;
  }

  // The checks a WebSocket cannot report (its HTTP refusal is unreadable):
  // a file, a target, a target not in use by a running machine.
  uploadProblem(file, target, name) {
    if (!file) return t('vol.err.file');
    if (!name) return target === 'new' ? t('vol.err.name') : t('vol.err.pick');
    const v = this.volumes?.find((x) => x.name === name);
    if (target === 'existing' && v?.used_by) return t('vol.err.in_use', name, v.used_by);
    return null;
  }

  async uploadFile(ev, p) {
    ev.preventDefault();
    const el = ev.target.elements;
    const file = el.file.files[0];
    const target = this.upload.target;
    const name = (target === 'new' ? el.newname.value : el.existing.value).trim();
    const problem = this.uploadProblem(file, target, name);
    this.upload = { target, fileName: file?.name, error: problem };
    if (problem) return;
    const volPath = `/v1/pools/${enc(p.name)}/volumes/${enc(name)}`;
    let created = false;
    this.upload = { target, fileName: file.name, running: true, sent: 0, total: file.size };
    try {
      if (target === 'new') {
        await call('POST', `/v1/pools/${enc(p.name)}/volumes`, { name, capacity: file.size, format: 'raw' });
        created = true;
      }
      await uploadVolume(p.name, name, file, (sent, total) => { this.upload = { ...this.upload, sent, total }; });
      this.upload = { target, sent: file.size, total: file.size, done: t('vol.up.done', bytes(file.size), name) };
      el.file.value = '';
      el.newname.value = '';
    } catch (err) {
      // A volume this upload made and could not fill is not left behind.
      if (created) await call('DELETE', volPath).catch(() => {});
      this.upload = { target, fileName: file.name, error: t('err.generic', err.message) };
    }
    await this.load();
  }
}
customElements.define('vr-storage-page', VrStoragePage);
