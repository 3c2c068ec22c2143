// The storage page's pools: the "New pool" form (a directory pool, as
// virt-manager's "Add storage pool" and `vireo pool-define-as NAME dir
// --target PATH` + pool-build + pool-start make it) and a pool's removal
// (stop, optionally remove its empty directory, undefine: pool-destroy,
// pool-delete, pool-undefine). poolForm(page) renders inside
// <vr-storage-page>, whose ListPage submitForm()/act() make the calls and
// put errors by their field or row.
import { html } from 'lit';
import { call } from './api.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'pool.col.type': 'Kind',
    'pool.type.dir': 'directory', 'pool.type.disk': 'disk', 'pool.type.fs': 'file system',
    'pool.type.iscsi': 'iSCSI', 'pool.type.rbd': 'Ceph RBD', 'pool.type.logical': 'LVM',
    'pool.new': 'New storage pool',
    'pool.f.name': 'Name', 'pool.f.type': 'Kind', 'pool.f.type.dir': 'Directory of the host',
    'pool.f.path': 'Directory', 'pool.f.path.help': 'An absolute path; it is made if it does not exist.',
    'pool.f.autostart': 'Start with the host (autostart)', 'pool.f.submit': 'Create pool',
    'pool.err.name': 'Give the pool a name.',
    'pool.err.path': 'Write the directory as an absolute path, for example /srv/vireo/isos.',
    'pool.delete': 'Delete', 'pool.delete.q': "Delete storage pool '{0}'? Its files stay on disk.",
    'pool.delete.dir': 'also remove its directory (only when empty)',
    'pool.delete.yes': 'Yes, delete', 'pool.cancel': 'Cancel',
  },
  es: {
    'pool.col.type': 'Tipo',
    'pool.type.dir': 'directorio', 'pool.type.disk': 'disco', 'pool.type.fs': 'sistema de archivos',
    'pool.type.iscsi': 'iSCSI', 'pool.type.rbd': 'Ceph RBD', 'pool.type.logical': 'LVM',
    'pool.new': 'Nuevo grupo de almacenamiento',
    'pool.f.name': 'Nombre', 'pool.f.type': 'Tipo', 'pool.f.type.dir': 'Directorio del anfitrión',
    'pool.f.path': 'Directorio', 'pool.f.path.help': 'Una ruta absoluta; se crea si no existe.',
    'pool.f.autostart': 'Iniciar con el anfitrión (inicio automático)', 'pool.f.submit': 'Crear grupo',
    'pool.err.name': 'Dé un nombre al grupo.',
    'pool.err.path': 'Escriba el directorio como una ruta absoluta, por ejemplo /srv/vireo/isos.',
    'pool.delete': 'Eliminar',
    'pool.delete.q': "¿Eliminar el grupo de almacenamiento '{0}'? Sus archivos se quedan en el disco.",
    'pool.delete.dir': 'eliminar también su directorio (solo si está vacío)',
    'pool.delete.yes': 'Sí, eliminar', 'pool.cancel': 'Cancelar',
  },
});

const enc = encodeURIComponent;

export const poolType = (p) => t(`pool.type.${p.type}`);

// Which field of the pool form a daemon error is about.
// (The page's volume form shares formErrors: these keys are the pool's.)
function poolErrorField(message) {
  if (/path|directory|target/i.test(message)) return 'poolPath';
  if (/name|exists/i.test(message)) return 'poolName';
  return 'poolForm';
}

// Define, build (make the directory), autostart if asked, start. A
// pool whose later step fails stays defined and listed, inactive, with
// the daemon's reason by the form.
export function createPool(page, ev) {
  ev.preventDefault();
  const el = ev.target.elements;
  const name = el.name.value.trim();
  const target = el.path.value.trim();
  const check = {};
  if (!name) check.poolName = t('pool.err.name');
  if (!target.startsWith('/')) check.poolPath = t('pool.err.path');
  return page.submitForm(check, async () => {
    await call('POST', '/v1/pools', { name, type: 'dir', target });
    const path = `/v1/pools/${enc(name)}`;
    await call('POST', `${path}/build`);
    if (el.autostart.checked) await call('PUT', `${path}/autostart`, { autostart: true });
    await call('POST', `${path}/start`);
    el.name.value = '';
    el.path.value = '';
    location.hash = `#/storage/${enc(name)}`; // its volumes show: that says it worked
    return null;
  }, (err) => poolErrorField(err.message));
}

export function deletePool(page, p, removeDir) {
  const path = `/v1/pools/${enc(p.name)}`;
  return page.act(`pool:${p.name}`, async () => {
    if (p.state === 'running') await call('POST', `${path}/destroy`);
    if (removeDir) await call('POST', `${path}/delete`);
    await call('DELETE', path);
    if (page.selected === p.name) location.hash = '#/storage';
  });
}

// The delete control of a pool's row: a checkbox for its directory,
// then the usual ask-in-place confirmation.
export function poolDelete(page, p) {
  const id = `pool-deldir-${p.name}`;
  return html`<span class="pool-delete"><vr-confirm data-action="delete" .label=${t('pool.delete')}
      ?disabled=${page.busy || !p.persistent} .question=${t('pool.delete.q', p.name)} .yes=${t('pool.delete.yes')}
      .no=${t('pool.cancel')} @confirmed=${(e) => deletePool(page, p, e.target.parentElement.querySelector('input').checked)}>
    </vr-confirm><label for=${id} class="small"><input type="checkbox" id=${id} data-testid="pool-delete-dir">
      ${t('pool.delete.dir')}</label></span>`;
}

export function poolForm(page) {
  const e = page.formErrors;
  return html`<h2>${t('pool.new')}</h2>
    <form class="card form-grid" data-testid="pool-form" novalidate @submit=${(ev) => createPool(page, ev)}>
      <label for="pool-name">${t('pool.f.name')}</label>
      <div><input id="pool-name" name="name" autocomplete="off" spellcheck="false" placeholder="isos"
          aria-invalid=${e.poolName ? 'true' : 'false'} aria-describedby="pool-name-error">
        <p id="pool-name-error" class="error" role="alert" data-testid="pool-name-error">${e.poolName ?? ''}</p></div>
      <label for="pool-type">${t('pool.f.type')}</label>
      <div><select id="pool-type" name="type"><option value="dir">${t('pool.f.type.dir')}</option></select></div>
      <label for="pool-path">${t('pool.f.path')}</label>
      <div><input id="pool-path" name="path" autocomplete="off" spellcheck="false" placeholder="/srv/vireo/isos"
          aria-invalid=${e.poolPath ? 'true' : 'false'} aria-describedby="pool-path-help pool-path-error">
        <small id="pool-path-help" class="muted">${t('pool.f.path.help')}</small>
        <p id="pool-path-error" class="error" role="alert" data-testid="pool-path-error">${e.poolPath ?? ''}</p></div>
      <span></span>
      <div class="choices"><label><input type="checkbox" name="autostart" checked> ${t('pool.f.autostart')}</label></div>
      <span></span>
      <div><button type="submit" class="primary" ?disabled=${page.busy}>${t('pool.f.submit')}</button>
        <p class="error" role="alert" data-testid="pool-form-error">${e.poolForm ?? ''}</p></div>
    </form>`;
}
