/* External snapshot chains: the part of snapshot-create-as --disk-only
 * that spans the storage tools (qemu-img makes the overlays) and the
 * QEMU driver (which switches the running disks onto them). */
#pragma once
#include "drivers/qemu/qemu_driver.h"

/* Every writable disk of the running domain goes on a new qcow2 overlay
 * beside its image, named as libvirt names them: IMAGE-without-extension
 * + "." + NAME (debian12.qcow2 -> debian12.NAME). Checked first: the name,
 * a running domain, no overlay file there already; a failure removes the
 * overlays made. */
void vr_core_snapshot_disk_only(vr_domain *dom, const char *name, const char *description, vr_done_fn cb,
                                void *opaque);

/* blockcommit, blockpull and blockcopy (both transports call this; the
 * job itself is the QEMU driver's, vr_qemu_block_job_start). A copy's
 * destination comes first: with VR_BJ_REUSE_EXTERNAL or VR_BJ_BLOCKDEV
 * it must exist (its format --format, else probed); otherwise it must
 * not, and is made here with qemu-img: the disk's size and format
 * (--format to change it), or for VR_BJ_SHALLOW a qcow2 on the disk's
 * backing file. A destination made here is removed when the job fails
 * before it answers. */
void vr_core_block_job_start(vr_domain *dom, const char *target, vr_block_job_kind kind,
                             const vr_block_job_params *p, vr_done_fn cb, void *opaque);
