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
