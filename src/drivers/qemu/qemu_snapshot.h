/* Domain snapshots: qcow2 internal snapshots of every writable disk,
 * with the guest's memory when the domain runs. A running (or paused)
 * domain is snapshotted by QEMU itself (savevm/loadvm/delvm through the
 * monitor), a shut off one offline with `qemu-img snapshot`. Metadata
 * (libvirt's <domainsnapshot> subset) is kept per domain in
 * CONFIG/qemu/snapshot/DOMAIN/NAME.xml. Raw disks are refused: they
 * cannot hold a snapshot. */
#pragma once
#include "conf/snapshot_conf.h"
#include "drivers/qemu/qemu_driver.h"

/* Every snapshot of the domain, oldest first (the array and the
 * definitions are the caller's: vr_qemu_snapshot_list_free). */
/* CONFIG/qemu/snapshot/DOMAIN: the metadata of a domain's snapshots. */
char *vr_qemu_snapshot_dir(const vr_qemu_driver *drv, const char *domain);
vr_err vr_qemu_snapshot_list(vr_domain *dom, vr_snapshot_def ***out, size_t *n, char **err);
void vr_qemu_snapshot_list_free(vr_snapshot_def **list, size_t n);
vr_err vr_qemu_snapshot_get(vr_domain *dom, const char *name, vr_snapshot_def **out, char **err);

/* Each answers through cb once done (QEMU may take seconds to save the
 * memory of a running guest; the loop serves others meanwhile). The
 * domain is looked up again by name when the answer comes. */
void vr_qemu_snapshot_create(vr_domain *dom, const char *name, const char *description,
                             vr_done_fn cb, void *opaque);
void vr_qemu_snapshot_revert(vr_domain *dom, const char *name, vr_done_fn cb, void *opaque);
void vr_qemu_snapshot_delete(vr_domain *dom, const char *name, vr_done_fn cb, void *opaque);
/* Metadata of a snapshot taken elsewhere (an external one, qemu_blockjob.c),
 * made the current one, its parent the current one before. */
vr_err vr_qemu_snapshot_record(vr_domain *dom, const char *name, const char *description,
                               vr_snap_state state, char **err);
