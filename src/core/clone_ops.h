/* vireo clone (virt-clone's job), for the transports: a new domain from
 * a shut off (or paused) one: a new name, uuid and MACs, and its
 * writable disks copied (qemu-img convert, with progress) or, linked,
 * qcow2 overlays on the original's disks. Read-only disks and CD-ROMs
 * are shared, as virt-clone does. Nothing is defined until every copy
 * is in place; a failed clone removes the copies it made. The HTTP route
 * (api_clone.c) makes a run a job. */
#pragma once
#include "common/errors.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/storage/storage_driver.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name;          /* the clone's */
    const char *const *files;  /* where the disks' copies go (--file), in disk order, n_files of them */
    size_t n_files;
    bool auto_clone;           /* name the copies after the clone, beside the originals */
    bool linked;               /* qcow2 overlays on the original's disks (it must be shut off) */
    /* A linked clone of a template (vireo template): overlays beside its
     * disks unless files say where; the original must be a template. */
    bool from_template;
} vr_clone_req;

typedef struct vr_clone_run vr_clone_run;
typedef void (*vr_clone_step_fn)(double percent, const char *step, void *opaque);
/* result on success: {"domain": NAME, "uuid": UUID} (taken). */
typedef void (*vr_clone_done_fn)(vr_err code, const char *err, json_object *result, void *opaque);

/* Check the request against the original and plan every copy (the
 * clone's UEFI variables are copied now: a small file). NULL with *code
 * and *err when refused; then nothing is left behind. */
vr_clone_run *vr_core_clone_plan(vr_qemu_driver *qemu, vr_storage_driver *storage, vr_domain *orig,
                                 const vr_clone_req *req, vr_err *code, char **err);
/* Make the copies (or overlays) and define the clone: step reports the
 * progress, done the end, perhaps before this returns (overlays are
 * quick). The run is freed after done. */
void vr_core_clone_run(vr_clone_run *r, vr_clone_step_fn step, vr_clone_done_fn done, void *opaque);
/* Stop the copy under way: done follows with the error. */
void vr_core_clone_cancel(vr_clone_run *r);
