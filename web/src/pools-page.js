// The storage page's pools: their kind in words and a pool's removal
// (stop, optionally remove its empty directory, undefine: pool-destroy,
// pool-delete, pool-undefine), inside <vr-storage-page>, whose ListPage
// act() makes the calls and puts errors by their row. The "New pool"
// form for every kind is pool-form.js.
import { html } from 'lit';
import { call } from './api.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'pool.col.type': 'Kind',
    'pool.type.dir': 'directory', 'pool.type.disk': 'disk', 'pool.type.fs': 'file system',
    'pool.type.iscsi': 'iSCSI', 'pool.type.iscsi-direct': 'iSCSI', 'pool.type.rbd': 'Ceph RBD', 'pool.type.logical': 'LVM',
    'pool.delete': 'Delete', 'pool.delete.q': "Delete storage pool '{0}'? Its files stay on disk.",
    'pool.delete.dir': 'also remove its directory (only when empty)',
    'pool.delete.yes': 'Yes, delete', 'pool.cancel': 'Cancel',
  },
  es: {
    'pool.col.type': 'Tipo',
    'pool.type.dir': 'directorio', 'pool.type.disk': 'disco', 'pool.type.fs': 'sistema de archivos',
    'pool.type.iscsi': 'iSCSI', 'pool.type.iscsi-direct': 'iSCSI', 'pool.type.rbd': 'Ceph RBD', 'pool.type.logical': 'LVM',
    'pool.delete': 'Eliminar',
    'pool.delete.q': "¿Eliminar el grupo de almacenamiento '{0}'? Sus archivos se quedan en el disco.",
    'pool.delete.dir': 'eliminar también su directorio (solo si está vacío)',
    'pool.delete.yes': 'Sí, eliminar', 'pool.cancel': 'Cancelar',
  },
});

const enc = encodeURIComponent;

export const poolType = (p) => t(`pool.type.${p.type}`);

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
