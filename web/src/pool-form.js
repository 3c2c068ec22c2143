// <vr-pool-form>: the storage page's "New storage pool" form, for every
// kind the daemon serves (docs/storage.md): a directory of the host, a
// file system on a block device (fs), a whole disk with a gpt or dos
// partition table (disk), an iSCSI target reached by the daemon's own
// initiator (iscsi-direct, CHAP optional) and a Ceph pool (rbd, cephx
// optional). The API takes pool XML for all of them, so the form writes
// libvirt's pool XML (escaped) from what was typed, as `vireo
// pool-define-as` would; then pool-build (directory, mkfs, partition
// table), autostart if asked, pool-start. Replacing what a device holds
// ("overwrite") is asked again in place before anything is sent.
// A CHAP password or a Ceph key is one of the secrets the daemon keeps
// (secrets-list.js): chosen from them, or made here; its value is sent
// once and never shown again.
// When a step fails, what this form made for it (the definition, a new
// secret) is removed again, so that nothing half-made is left and the
// same form can be sent again once the field named by the error is put
// right.
import { html } from 'lit';
import { call, callXml } from './api.js';
import { addStrings, t } from './i18n.js';
import { xmlEscape } from './format.js';
import { ListPage, fieldRow } from './page-base.js';
import { createSecret, secretLabel } from './secrets-list.js';

addStrings({
  en: {
    'pool.new': 'New storage pool',
    'pool.f.name': 'Name', 'pool.f.type': 'Kind',
    'pool.f.type.dir': 'Directory of the host', 'pool.f.type.fs': 'File system on a block device of the host',
    'pool.f.type.disk': 'Whole disk with a partition table (its volumes are partitions)',
    'pool.f.type.iscsi-direct': 'iSCSI target (the daemon logs in itself; volumes are its LUNs)',
    'pool.f.type.rbd': 'Ceph RBD pool',
    'pool.f.path': 'Directory', 'pool.f.path.help': 'An absolute path; it is made if it does not exist.',
    'pool.f.mount': 'Mount point', 'pool.f.mount.help': 'Where the file system is mounted; made if missing.',
    'pool.f.dev': 'Block device', 'pool.f.dev.help': 'For example /dev/vdb or /dev/loop3.',
    'pool.f.format': 'Format',
    'pool.f.format.gpt': 'gpt (GUID partition table)', 'pool.f.format.dos': 'dos (MBR)',
    'pool.f.format.auto': 'auto (what the device holds)', 'pool.f.format.ext4': 'ext4', 'pool.f.format.xfs': 'xfs',
    'pool.f.host': 'Portal', 'pool.f.host.help': 'Host name or address of the iSCSI portal.',
    'pool.f.monitor': 'Ceph monitor', 'pool.f.monitor.help': 'Host name or address of a monitor.',
    'pool.f.port': 'Port',
    'pool.f.iqn': 'Target IQN', 'pool.f.iqn.help': 'For example iqn.2026-12.lab:store.',
    'pool.f.initiator': 'Initiator IQN', 'pool.f.initiator.help': "This host's name towards the target.",
    'pool.f.cephpool': 'Ceph pool', 'pool.f.cephpool.help': 'A pool that exists in the cluster, for example rbd.',
    'pool.f.auth': 'Authentication',
    'pool.f.auth.none': 'none', 'pool.f.auth.existing': 'a secret the host keeps', 'pool.f.auth.new': 'a new secret',
    'pool.f.user': 'User name', 'pool.f.user.cephhelp': 'The cephx user without "client.", for example admin.',
    'pool.f.secret': 'Secret', 'pool.f.secret.pick': 'Choose a secret',
    'pool.f.secret.usage': 'Name of the new secret',
    'pool.f.secret.value.chap': 'CHAP password', 'pool.f.secret.value.ceph': 'Ceph key (base64)',
    'pool.f.secret.help': 'Kept by the daemon; never shown again.',
    'pool.f.build.dir': 'Make the directory (pool-build)',
    'pool.f.build.fs': 'Make the file system (pool-build)',
    'pool.f.build.disk': 'Write the partition table (pool-build)',
    'pool.f.overwrite': 'Replace what the device holds (everything on it is lost)',
    'pool.f.overwrite.q': 'Everything on {0} will be erased. Go on?',
    'pool.f.overwrite.yes': 'Yes, erase it',
    'pool.f.autostart': 'Start with the host (autostart)', 'pool.f.submit': 'Create pool',
    'pool.err.name': 'Give the pool a name.',
    'pool.err.path': 'Write the directory as an absolute path, for example /srv/vireo/isos.',
    'pool.err.dev': 'Write the device as an absolute path, for example /dev/vdb.',
    'pool.err.host': 'Write the host name or address.',
    'pool.err.port': 'The port is a number from 1 to 65535.',
    'pool.err.iqn': 'Write an IQN, for example iqn.2026-12.lab:store.',
    'pool.err.cephpool': 'Name the Ceph pool.',
    'pool.err.user': 'Give the user name the secret belongs to.',
    'pool.err.secret': 'Choose a secret, or choose "a new secret" and give its name and value.',
  },
  es: {
    'pool.new': 'Nuevo grupo de almacenamiento',
    'pool.f.name': 'Nombre', 'pool.f.type': 'Tipo',
    'pool.f.type.dir': 'Directorio del anfitrión', 'pool.f.type.fs': 'Sistema de archivos en un dispositivo de bloques del anfitrión',
    'pool.f.type.disk': 'Disco entero con tabla de particiones (sus volúmenes son particiones)',
    'pool.f.type.iscsi-direct': 'Destino iSCSI (el demonio inicia la sesión; los volúmenes son sus LUN)',
    'pool.f.type.rbd': 'Grupo Ceph RBD',
    'pool.f.path': 'Directorio', 'pool.f.path.help': 'Una ruta absoluta; se crea si no existe.',
    'pool.f.mount': 'Punto de montaje', 'pool.f.mount.help': 'Donde se monta el sistema de archivos; se crea si falta.',
    'pool.f.dev': 'Dispositivo de bloques', 'pool.f.dev.help': 'Por ejemplo /dev/vdb o /dev/loop3.',
    'pool.f.format': 'Formato',
    'pool.f.format.gpt': 'gpt (tabla de particiones GUID)', 'pool.f.format.dos': 'dos (MBR)',
    'pool.f.format.auto': 'auto (lo que tenga el dispositivo)', 'pool.f.format.ext4': 'ext4', 'pool.f.format.xfs': 'xfs',
    'pool.f.host': 'Portal', 'pool.f.host.help': 'Nombre o dirección del portal iSCSI.',
    'pool.f.monitor': 'Monitor de Ceph', 'pool.f.monitor.help': 'Nombre o dirección de un monitor.',
    'pool.f.port': 'Puerto',
    'pool.f.iqn': 'IQN del destino', 'pool.f.iqn.help': 'Por ejemplo iqn.2026-12.lab:store.',
    'pool.f.initiator': 'IQN del iniciador', 'pool.f.initiator.help': 'El nombre de este anfitrión ante el destino.',
    'pool.f.cephpool': 'Grupo de Ceph', 'pool.f.cephpool.help': 'Un grupo que exista en el clúster, por ejemplo rbd.',
    'pool.f.auth': 'Autenticación',
    'pool.f.auth.none': 'ninguna', 'pool.f.auth.existing': 'un secreto que guarda el anfitrión',
    'pool.f.auth.new': 'un secreto nuevo',
    'pool.f.user': 'Usuario', 'pool.f.user.cephhelp': 'El usuario cephx sin "client.", por ejemplo admin.',
    'pool.f.secret': 'Secreto', 'pool.f.secret.pick': 'Elija un secreto',
    'pool.f.secret.usage': 'Nombre del secreto nuevo',
    'pool.f.secret.value.chap': 'Contraseña CHAP', 'pool.f.secret.value.ceph': 'Clave de Ceph (base64)',
    'pool.f.secret.help': 'La guarda el demonio; no se vuelve a mostrar.',
    'pool.f.build.dir': 'Crear el directorio (pool-build)',
    'pool.f.build.fs': 'Crear el sistema de archivos (pool-build)',
    'pool.f.build.disk': 'Escribir la tabla de particiones (pool-build)',
    'pool.f.overwrite': 'Reemplazar lo que contiene el dispositivo (se pierde todo lo que haya)',
    'pool.f.overwrite.q': 'Se borrará todo lo que hay en {0}. ¿Continuar?',
    'pool.f.overwrite.yes': 'Sí, borrarlo',
    'pool.f.autostart': 'Iniciar con el anfitrión (inicio automático)', 'pool.f.submit': 'Crear grupo',
    'pool.err.name': 'Dé un nombre al grupo.',
    'pool.err.path': 'Escriba el directorio como una ruta absoluta, por ejemplo /srv/vireo/isos.',
    'pool.err.dev': 'Escriba el dispositivo como una ruta absoluta, por ejemplo /dev/vdb.',
    'pool.err.host': 'Escriba el nombre o la dirección del equipo.',
    'pool.err.port': 'El puerto es un número de 1 a 65535.',
    'pool.err.iqn': 'Escriba un IQN, por ejemplo iqn.2026-12.lab:store.',
    'pool.err.cephpool': 'Indique el grupo de Ceph.',
    'pool.err.user': 'Indique el usuario al que pertenece el secreto.',
    'pool.err.secret': 'Elija un secreto, o elija «un secreto nuevo» y dé su nombre y su valor.',
  },
});

const enc = encodeURIComponent;
export const poolKinds = ['dir', 'fs', 'disk', 'iscsi-direct', 'rbd'];
const buildable = new Set(['dir', 'fs', 'disk']);
const onDevice = new Set(['fs', 'disk']);
const remote = new Set(['iscsi-direct', 'rbd']);
const formats = { disk: ['gpt', 'dos'], fs: ['auto', 'ext4', 'xfs'] };
// The secret usage type each remote kind's <auth> takes.
const secretUsage = { 'iscsi-direct': 'iscsi', rbd: 'ceph' };

// Which field a daemon refusal is about, by what it names.
function errorField(kind, message) {
  if (/already holds|--overwrite/.test(message)) return 'overwrite';
  if (/secret|CHAP|cephx|auth|key/i.test(message)) return 'auth';
  if (/initiator/i.test(message)) return 'initiator';
  if (remote.has(kind) && /unreachable|portal|monitor|<host|connect|resolve|port/i.test(message)) return 'host';
  if (kind === 'iscsi-direct' && /iqn|target|<device/i.test(message)) return 'iqn';
  if (kind === 'rbd' && /pool '.*' (does not exist|not found)|<name>|ceph pool/i.test(message)) return 'cephpool';
  if (onDevice.has(kind) && /<device|device|\/dev\/|block/i.test(message)) return 'dev';
  if (/<format|format/i.test(message)) return 'format';
  if (/path|directory|target|mount/i.test(message)) return 'path';
  if (/name|exists/i.test(message)) return 'name';
  return 'form';
}

// libvirt's pool XML for the form's values (checked before).
export function poolXml(f) {
  const src = [];
  if (onDevice.has(f.kind)) src.push(`<device path='${xmlEscape(f.dev)}'/>`, `<format type='${f.format}'/>`);
  if (remote.has(f.kind)) src.push(`<host name='${xmlEscape(f.host)}'${f.port ? ` port='${f.port}'` : ''}/>`);
  if (f.kind === 'iscsi-direct') {
    src.push(`<device path='${xmlEscape(f.iqn)}'/>`);
    if (f.initiator) src.push(`<initiator><iqn name='${xmlEscape(f.initiator)}'/></initiator>`);
  }
  if (f.kind === 'rbd') src.push(`<name>${xmlEscape(f.cephpool)}</name>`);
  if (f.secretUuid)
    src.push(`<auth type='${f.kind === 'rbd' ? 'ceph' : 'chap'}' username='${xmlEscape(f.user)}'>` +
      `<secret uuid='${xmlEscape(f.secretUuid)}'/></auth>`);
  const source = src.length ? `  <source>\n${src.map((s) => `    ${s}\n`).join('')}  </source>\n` : '  <source/>\n';
  const target = f.kind === 'disk' ? '  <target><path>/dev</path></target>\n'
    : f.path ? `  <target><path>${xmlEscape(f.path)}</path></target>\n` : '';
  return `<pool type='${f.kind}'>\n  <name>${xmlEscape(f.name)}</name>\n${source}${target}</pool>\n`;
}

export class VrPoolForm extends ListPage {
  static properties = {
    ...ListPage.properties,
    kind: { state: true },
    auth: { state: true },
    secrets: { state: true },
    asking: { state: true }, // the overwrite question, with the values it is about
  };

  constructor() {
    super();
    this.kind = 'dir';
    this.auth = 'none';
    this.secrets = [];
  }

  // The secrets a pool's <auth> may name (the chooser's list).
  async load() {
    try {
      this.secrets = (await call('GET', '/v1/secrets')).secrets;
    } catch {
      this.secrets = []; // the secrets list beside the form shows why
    }
  }

  // The values typed, and what is wrong with them, as field -> message.
  read(el) {
    const v = (n) => el[n]?.value.trim() ?? '';
    const k = this.kind;
    const f = { kind: k, name: v('name'), path: v('path'), dev: v('dev'), format: v('format'), host: v('host'),
      port: v('port'), iqn: v('iqn'), initiator: v('initiator'), cephpool: v('cephpool'), user: v('user'),
      secretUuid: this.auth === 'existing' ? v('secret') : '', secretName: v('secretname'),
      secretValue: el.secretvalue?.value ?? '', build: buildable.has(k) && el.build.checked,
      overwrite: onDevice.has(k) && el.overwrite.checked, autostart: el.autostart.checked };
    const bad = {};
    if (!f.name) bad.name = t('pool.err.name');
    if ((k === 'dir' || k === 'fs') && !f.path.startsWith('/')) bad.path = t('pool.err.path');
    if (onDevice.has(k) && !f.dev.startsWith('/')) bad.dev = t('pool.err.dev');
    if (remote.has(k) && !f.host) bad.host = t('pool.err.host');
    if (f.port && !(/^\d+$/.test(f.port) && f.port > 0 && f.port < 65536)) bad.port = t('pool.err.port');
    if (k === 'iscsi-direct' && !/^(iqn|eui|naa)\./.test(f.iqn)) bad.iqn = t('pool.err.iqn');
    if (k === 'iscsi-direct' && f.initiator && !/^(iqn|eui|naa)\./.test(f.initiator)) bad.initiator = t('pool.err.iqn');
    if (k === 'rbd' && !f.cephpool) bad.cephpool = t('pool.err.cephpool');
    if (remote.has(k) && this.auth !== 'none') {
      if (!f.user) bad.user = t('pool.err.user');
      if (this.auth === 'existing' ? !f.secretUuid : !f.secretName || !f.secretValue) bad.auth = t('pool.err.secret');
    }
    return [f, bad];
  }

  submit(ev) {
    ev.preventDefault();
    const [f, bad] = this.read(ev.target.elements);
    // Erasing a device is asked again, in place, before anything is sent.
    if (!Object.keys(bad).length && f.overwrite && !this.asking) {
      this.formErrors = {};
      this.asking = f;
      this.updateComplete.then(() => this.querySelector('[data-testid=pool-overwrite-no]')?.focus());
      return null;
    }
    this.asking = null;
    return this.create(ev.target, f, bad);
  }

  create(form, f, bad) {
    return this.submitForm(bad, async () => {
      const made = []; // what this submit made, undone if a later step fails
      try {
        if (this.auth === 'new') {
          const s = await createSecret(secretUsage[f.kind], f.secretName, f.secretValue, `${f.kind} pool ${f.name}`);
          made.push(`/v1/secrets/${enc(s.uuid)}`);
          f.secretUuid = s.uuid;
        }
        await callXml('POST', '/v1/pools', poolXml(f));
        const path = `/v1/pools/${enc(f.name)}`;
        made.unshift(path);
        if (f.build) await call('POST', `${path}/build`, f.overwrite ? { overwrite: true } : {});
        if (f.autostart) await call('PUT', `${path}/autostart`, { autostart: true });
        await call('POST', `${path}/start`);
      } catch (err) {
        for (const path of made) await call('DELETE', path).catch(() => {});
        throw err;
      }
      form.reset();
      this.kind = 'dir';
      this.auth = 'none';
      this.dispatchEvent(new CustomEvent('pool-created', { detail: f.name, bubbles: true }));
      return null;
    }, (err) => errorField(f.kind, err.message));
  }

  // A text field of the form with its label, help and error.
  field(name, label, { help, placeholder = '', type = 'text' } = {}) {
    const e = this.formErrors[name];
    const id = `pool-${name}`;
    const described = [help ? `${id}-help` : '', `${id}-error`].join(' ').trim();
    return fieldRow(id, label, e, html`<input id=${id} name=${name} type=${type} autocomplete="off" spellcheck="false"
      placeholder=${placeholder} aria-invalid=${e ? 'true' : 'false'} aria-describedby=${described}>`, help);
  }

  render() {
    const k = this.kind;
    const e = this.formErrors;
    return html`<h2>${t('pool.new')}</h2>
    <form class="card form-grid" data-testid="pool-form" novalidate @submit=${(ev) => this.submit(ev)}
        @input=${() => { this.asking = null; }}>
      ${this.field('name', t('pool.f.name'), { placeholder: 'isos' })}
      <label for="pool-type">${t('pool.f.type')}</label>
      <div><select id="pool-type" name="type" @change=${(ev) => { this.kind = ev.target.value; this.formErrors = {}; }}>
        ${poolKinds.map((x) => html`<option value=${x} ?selected=${x === k}>${t(`pool.f.type.${x}`)}</option>`)}
      </select></div>
      ${onDevice.has(k) ? this.field('dev', t('pool.f.dev'), { help: t('pool.f.dev.help'), placeholder: '/dev/vdb' }) : ''}
      ${onDevice.has(k) ? html`<label for="pool-format">${t('pool.f.format')}</label>
        <div><select id="pool-format" name="format" aria-describedby="pool-format-error">${formats[k].map((x) => html`
          <option value=${x}>${t(`pool.f.format.${x}`)}</option>`)}</select>
          <p id="pool-format-error" class="error" role="alert" data-testid="pool-format-error">${e.format ?? ''}</p></div>` : ''}
      ${k === 'dir' ? this.field('path', t('pool.f.path'), { help: t('pool.f.path.help'), placeholder: '/srv/vireo/isos' }) : ''}
      ${k === 'fs' ? this.field('path', t('pool.f.mount'), { help: t('pool.f.mount.help'), placeholder: '/srv/vireo/datos' }) : ''}
      ${remote.has(k) ? this.remoteFields(k) : ''}
      ${buildable.has(k) ? html`<span></span><div class="choices">
        <label><input type="checkbox" name="build" checked data-testid="pool-build"> ${t(`pool.f.build.${k}`)}</label>
        ${onDevice.has(k) ? html`<label><input type="checkbox" name="overwrite" data-testid="pool-overwrite"
          aria-describedby="pool-overwrite-error"> ${t('pool.f.overwrite')}</label>
          <p id="pool-overwrite-error" class="error" role="alert" data-testid="pool-overwrite-error">${e.overwrite ?? ''}</p>` : ''}
      </div>` : ''}
      <span></span>
      <div class="choices"><label><input type="checkbox" name="autostart" checked> ${t('pool.f.autostart')}</label></div>
      <span></span>
      <div>${this.asking ? html`<span class="confirm" role="group" aria-label=${t('pool.f.overwrite.q', this.asking.dev)}>
          <span data-testid="pool-overwrite-q">${t('pool.f.overwrite.q', this.asking.dev)}</span>
          <button type="submit" class="danger" data-testid="pool-overwrite-yes">${t('pool.f.overwrite.yes')}</button>
          <button type="button" class="cancel" data-testid="pool-overwrite-no"
            @click=${() => { this.asking = null; }}>${t('pool.cancel')}</button></span>`
        : html`<button type="submit" class="primary" ?disabled=${this.busy}>${t('pool.f.submit')}</button>`}
        <p class="error" role="alert" data-testid="pool-form-error">${e.form ?? ''}</p></div>
    </form>`;
  }

  // Portal or monitor, the target or Ceph pool, and the authentication.
  remoteFields(k) {
    const iscsi = k === 'iscsi-direct';
    const usage = secretUsage[k];
    const mine = this.secrets.filter((s) => s.usage_type === usage);
    const e = this.formErrors;
    return html`
      ${this.field('host', t(iscsi ? 'pool.f.host' : 'pool.f.monitor'),
        { help: t(iscsi ? 'pool.f.host.help' : 'pool.f.monitor.help'), placeholder: '10.0.0.5' })}
      ${this.field('port', t('pool.f.port'), { type: 'number', placeholder: iscsi ? '3260' : '6789' })}
      ${iscsi ? this.field('iqn', t('pool.f.iqn'), { help: t('pool.f.iqn.help'), placeholder: 'iqn.2026-12.lab:store' })
        : this.field('cephpool', t('pool.f.cephpool'), { help: t('pool.f.cephpool.help'), placeholder: 'rbd' })}
      ${iscsi ? this.field('initiator', t('pool.f.initiator'),
        { help: t('pool.f.initiator.help'), placeholder: 'iqn.2026-12.lab:host1' }) : ''}
      <span class="label" id="pool-auth-label">${t('pool.f.auth')}</span>
      <div role="radiogroup" aria-labelledby="pool-auth-label" class="choices">
        ${['none', 'existing', 'new'].map((a) => html`<label><input type="radio" name="auth" value=${a}
          .checked=${this.auth === a} @change=${() => { this.auth = a; }}> ${t(`pool.f.auth.${a}`)}${
          a === 'none' ? '' : html` (${iscsi ? 'CHAP' : 'cephx'})`}</label>`)}
        <p id="pool-auth-error" class="error" role="alert" data-testid="pool-auth-error">${e.auth ?? ''}</p></div>
      ${this.auth === 'none' ? '' : this.field('user', t('pool.f.user'),
        { help: iscsi ? undefined : t('pool.f.user.cephhelp'), placeholder: iscsi ? 'labuser' : 'admin' })}
      ${this.auth === 'existing' ? html`<label for="pool-secret">${t('pool.f.secret')}</label>
        <div><select id="pool-secret" name="secret" aria-describedby="pool-auth-error">
          <option value="">${t('pool.f.secret.pick')}</option>
          ${mine.map((s) => html`<option value=${s.uuid}>${secretLabel(s)}</option>`)}</select></div>` : ''}
      ${this.auth === 'new' ? html`
        ${this.field('secretname', t('pool.f.secret.usage'), { placeholder: iscsi ? 'lab-chap' : 'client.admin' })}
        <label for="pool-secretvalue">${t(iscsi ? 'pool.f.secret.value.chap' : 'pool.f.secret.value.ceph')}</label>
        <div><input id="pool-secretvalue" name="secretvalue" type="password" autocomplete="new-password"
            aria-describedby="pool-secretvalue-help pool-auth-error">
          <small id="pool-secretvalue-help" class="muted">${t('pool.f.secret.help')}</small></div>` : ''}`;
  }
}
customElements.define('vr-pool-form', VrPoolForm);
