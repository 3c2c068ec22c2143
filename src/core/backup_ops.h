/* vireo backup DOMAIN DIR and vireo restore DIR: what the course does by
 * hand with dumpxml and vol-download, as one job each. A backup is a
 * directory: DOMAIN.xml (the persistent definition), a copy of every
 * disk image (qemu-img convert, sparse, same format) and of the NVRAM
 * file, and backup.json naming where each came from; backup.json is
 * written last, so a directory without it is not a backup. A shut-off
 * domain's disks are copied with qemu-img; a running one's through a
 * push backup (core/livebackup_ops.h). */
#pragma once
#include "common/errors.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/storage/storage_driver.h"

#include <json-c/json.h>
#include <stdbool.h>

typedef struct vr_backup_run vr_backup_run;
typedef void (*vr_backup_progress_fn)(double percent, const char *step, void *opaque);
/* result (taken) on success: {"domain", "dir", "files": [...]}. */
typedef void (*vr_backup_done_fn)(vr_err code, const char *err, json_object *result, void *opaque);

/* A running domain's disks are copied by a push backup (backup-begin),
 * all at one instant while it runs, with a checkpoint named in
 * backup.json; `base` (or NULL) is an earlier bundle of the running
 * domain: only what changed since its checkpoint is copied, each copy a
 * qcow2 whose backing file is the base's copy (restore reads the chain). */
vr_backup_run *vr_core_backup_start(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *domain,
                                    const char *dir, const char *base, vr_backup_progress_fn progress,
                                    vr_backup_done_fn done, void *opaque, vr_err *code, char **err);
/* The domain defined again from DIR, its files copied back where they
 * were; refused when the domain or any of those files exists. */
vr_backup_run *vr_core_restore_start(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *dir,
                                     vr_backup_progress_fn progress, vr_backup_done_fn done, void *opaque,
                                     vr_err *code, char **err);
void vr_core_backup_cancel(vr_backup_run *r);

/* After a daemon restart: the bundle of a running domain whose push
 * backup (its first step) a previous daemon began and this one
 * re-adopted is finished here as it would have been (the NVRAM copy, the
 * definition, backup.json), from the plan kept in the push backup's
 * record. Nothing is called back before the push backup ends (the
 * caller makes its job first); `done` then says how it ended (result as for a backup, with
 * "resumed": true). NULL when the domain runs no such backup. */
vr_backup_run *vr_core_backup_resume(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *domain,
                                     vr_backup_progress_fn progress, vr_backup_done_fn done, void *opaque);
/* For livebackup_ops.c: whether a resumed bundle waits for the push
 * backup of `domain`, and that push backup's end. */
bool vr_core_backup_resumed(const char *domain);
void vr_core_backup_bundle_ended(const char *domain, vr_err code, const char *err);
