/* Push backups of a running domain (backup-begin): every disk copied by
 * QEMU's blockdev-backup into a target file the core has made, all
 * disks started in one `transaction` together with the new checkpoint's
 * bitmaps, so every copy is of the same instant while the guest runs on.
 * sync=full, or, from a checkpoint, sync=bitmap over a temporary copy of
 * that checkpoint's bitmap (the checkpoint's own bitmap stays as it is).
 * The run is the domain's job: domjobinfo shows its progress, domjobabort
 * cancels it.
 *
 * Pull backups (mode='pull'): each disk's "copy" is a scratch qcow2 whose
 * backing is the disk itself, kept by blockdev-backup sync=none (QEMU
 * copies a cluster there before the guest rewrites it), and exported by
 * QEMU's NBD server (nbd-server-start, block-export-add); from a
 * checkpoint the export carries a disabled copy of its bitmap. The job
 * runs until domjobabort, which ends it (no error) and stops the server.
 *
 * Either outlives the daemon as QEMU does: once running, the backup's
 * record is RUN/backup.json (the disks, their nodes and temporary
 * bitmaps, the exports, the XML, the starter's `owner`), and a restarted
 * daemon follows its QEMU jobs again (vr_qemu_backup_adopt): domjobinfo,
 * domjobabort and backup-dumpxml work on, and its end goes to the
 * driver's backup_end function instead of `ended`. */
#pragma once
#include "drivers/qemu/qemu_checkpoint.h"

typedef struct {
    const char *target; /* the disk, "vda" */
    const char *file;   /* the copy: an existing image the core made */
    bool raw;           /* the copy's format (else qcow2) */
    const char *since;  /* the checkpoint bitmap to copy the changes since, or NULL: all */
    const char *export_name;   /* pull: the NBD export */
    const char *export_bitmap; /* pull with since: the exported copy of the bitmap */
} vr_qemu_backup_disk;

typedef struct {
    const vr_qemu_backup_disk *disks;
    size_t n;
    const vr_bitmap_op *bitmaps; /* made in the same transaction (a new checkpoint) */
    size_t n_bitmaps;
    const char *xml;             /* what backup-dumpxml shows while it runs */
    bool pull;                   /* the disks' files are scratch files, exported over NBD */
    const char *host;            /* pull: the NBD server's TCP address and port... */
    unsigned port;
    const char *socket;          /* ...or its unix socket */
    const char *owner;           /* the starter's own state (text), kept in the record for
                                    vr_qemu_set_backup_end after a daemon restart */
} vr_qemu_backup_spec;

/* `started` answers once QEMU took the transaction (or it failed: then
 * `ended` never comes); `ended` once every copy is complete, failed or
 * cancelled. Both get the same opaque. */
void vr_qemu_backup_begin(vr_domain *dom, const vr_qemu_backup_spec *spec, vr_done_fn started, vr_done_fn ended,
                          void *opaque);
/* The running backup's XML (malloc'ed), or NULL when none runs. */
char *vr_qemu_backup_xml(const vr_domain *dom);
/* The `owner` text of the backup a previous daemon began and this one
 * re-adopted (vr_qemu_backup_adopt), while it runs; else NULL. */
const char *vr_qemu_backup_adopted_owner(const vr_domain *dom);
