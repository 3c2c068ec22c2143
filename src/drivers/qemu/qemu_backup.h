/* Push backups of a running domain (backup-begin): every disk copied by
 * QEMU's blockdev-backup into a target file the core has made, all
 * disks started in one `transaction` together with the new checkpoint's
 * bitmaps, so every copy is of the same instant while the guest runs on.
 * sync=full, or, from a checkpoint, sync=bitmap over a temporary copy of
 * that checkpoint's bitmap (the checkpoint's own bitmap stays as it is).
 * The run is the domain's job: domjobinfo shows its progress, domjobabort
 * cancels it. */
#pragma once
#include "drivers/qemu/qemu_checkpoint.h"

typedef struct {
    const char *target; /* the disk, "vda" */
    const char *file;   /* the copy: an existing image the core made */
    bool raw;           /* the copy's format (else qcow2) */
    const char *since;  /* the checkpoint bitmap to copy the changes since, or NULL: all */
} vr_qemu_backup_disk;

typedef struct {
    const vr_qemu_backup_disk *disks;
    size_t n;
    const vr_bitmap_op *bitmaps; /* made in the same transaction (a new checkpoint) */
    size_t n_bitmaps;
    const char *xml;             /* what backup-dumpxml shows while it runs */
} vr_qemu_backup_spec;

/* `started` answers once QEMU took the transaction (or it failed: then
 * `ended` never comes); `ended` once every copy is complete, failed or
 * cancelled. Both get the same opaque. */
void vr_qemu_backup_begin(vr_domain *dom, const vr_qemu_backup_spec *spec, vr_done_fn started, vr_done_fn ended,
                          void *opaque);
/* The running backup's XML (malloc'ed), or NULL when none runs. */
char *vr_qemu_backup_xml(const vr_domain *dom);
