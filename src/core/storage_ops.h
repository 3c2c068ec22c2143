/* Storage operations shared by the transports. */
#pragma once
#include "drivers/qemu/qemu_driver.h"
#include "drivers/storage/storage_driver.h"

/* vol-create: a volume from its XML (<volume>) in pool p, answered
 * through done with the volume made (vr_storage_vol_create_async: beside
 * the event loop where the pool waits on the network, an rbd pool's
 * monitor). An XML that does not parse is VR_ERR_INVALID, answered
 * before it returns. */
void vr_core_vol_create_xml(vr_pool *p, const char *xml, vr_vol_created_fn done, void *opaque);

/* blockresize: a running domain's disk (target or path) grows to `bytes`
 * (vr_qemu_block_resize); once QEMU grew it, the pool of its volume (if
 * it is one) is refreshed for vol-info and its listeners, then cb runs.
 * storage may be NULL (no refresh). */
void vr_core_block_resize(vr_qemu_driver *qemu, vr_storage_driver *storage, vr_domain *dom, const char *disk,
                          unsigned long long bytes, vr_done_fn cb, void *opaque);

/* virsh vol-clone, virt-clone's and virt-manager's disk copies
 * (libvirt's virStorageVolCreateXMLFrom): a full copy of volume
 * `src_name` of pool `src` into pool `dst`, named by the <volume> XML;
 * a <capacity> larger than the source's grows the copy once made. The
 * copy keeps the source's format, raw into rbd and disk pools (an XML
 * naming another is refused). progress (may be NULL) gets the percent
 * copied and done() opaque, as done() does; done() gets the new volume (NULL on failure). NULL with *code and *err
 * when it cannot start. */
typedef vr_vol_created_fn vr_core_vol_done_fn;
vr_storage_copy *vr_core_vol_create_from(vr_storage_driver *drv, vr_pool *dst, const char *xml, vr_pool *src,
                                         const char *src_name, vr_copy_progress_fn progress,
                                         vr_core_vol_done_fn done, void *opaque, vr_err *code, char **err);
