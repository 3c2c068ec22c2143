/* The image tools (vireo builder, sysprep, customize, sparsify, resize,
 * template), shared by the transports: the request checked against the
 * daemon's state (domains shut off, no running domain or overlay on a
 * disk to be rewritten, outputs that exist), then the work handed to
 * vireo-image-helper (src/drivers/image) beside the event loop, its
 * progress and end reported through callbacks (the HTTP routes make
 * them a job). */
#pragma once
#include "common/errors.h"
#include "common/paths.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/storage/storage_driver.h"

#include <json-c/json.h>
#include <stdbool.h>

typedef struct {
    vr_qemu_driver *qemu;
    vr_storage_driver *storage;
    const vr_paths *paths;
} vr_image_env;

/* What to do. `op` is build, list, sysprep, customize, sparsify or
 * resize. Files are paths on the daemon's host. */
typedef struct {
    const char *op;
    const char *domain;          /* sysprep/customize: a shut-off domain's disks ... */
    const char *const *add;      /* ... or image files (--add), n_add of them */
    size_t n_add;
    const char *input, *output;  /* sparsify, resize; builder's --output */
    const char *pool, *volume;   /* builder's --pool/--name */
    const char *format;          /* "qcow2", "raw" or NULL */
    const char *os, *expand;
    unsigned long long size;
    bool force, compress, in_place;
    /* The editing options, already checked for their types by the
     * transport: hostname, root_password, timezone (strings), ssh_keys
     * ([{user, key}]), install, run, firstboot, operations (string
     * arrays). Copied into the helper's instructions. */
    json_object *options;
} vr_image_req;

typedef struct vr_image_run vr_image_run;
typedef void (*vr_image_step_fn)(double percent, const char *step, void *opaque);
/* result: the helper's (taken), NULL on failure. */
typedef void (*vr_image_done_fn)(vr_err code, const char *err, json_object *result, void *opaque);

/* Check and start. NULL with *code and *err when refused; then nothing
 * was started and neither callback comes. `what` names the job
 * ("debian-12", the domain, the input) for its target. */
vr_image_run *vr_core_image_start(const vr_image_env *env, const vr_image_req *req, vr_image_step_fn step,
                                  vr_image_done_fn done, void *opaque, vr_err *code, char **err);
void vr_core_image_cancel(vr_image_run *r);
/* What the transport calls the job (its id in the job list, kind,
 * target), kept in the job's directory for a daemon that re-adopts it. */
void vr_core_image_note(vr_image_run *r, unsigned id, const char *kind, const char *target);

/* Image jobs outlive the daemon, as QEMU does: the helper runs detached
 * in a session of its own, everything about the job is in
 * RUNTIME/image-jobs/job-XXXXXX, and a daemon that starts calls this once.
 * Each job a previous daemon left is given to `found` (which makes the
 * job and returns the opaque of the callbacks), then
 * - its helper still runs (pid + start time, and its command line names
 *   the job): re-adopted, its progress, cancel and end followed as if the
 *   daemon had never gone;
 * - its helper ended meanwhile: its result (or error) reported now;
 * - it cannot be followed (no record of the job) or the helper died
 *   without a word: the helper's process group is ended, its partial
 *   output removed, and the job ends "interrupted: REASON". */
typedef struct {
    unsigned id;              /* the previous daemon's job id; 0 when unknown */
    const char *kind, *target;
    long long started;        /* epoch seconds; 0 when unknown */
    bool running;             /* its helper still runs */
} vr_image_job_info;
typedef void *(*vr_image_found_fn)(vr_image_run *r, const vr_image_job_info *job, void *opaque);
void vr_core_image_resume(const vr_image_env *env, vr_image_step_fn step, vr_image_done_fn done,
                          vr_image_found_fn found, void *opaque);
/* The daemon stops (SIGTERM): every job is left running for the next
 * daemon; each gets its `done` (so the transport frees its side). */
void vr_core_image_leave_all(void);

/* vireo template DOMAIN: sysprep the shut-off domain's disks (with the
 * editing options in req, op ignored), then mark it a template and make
 * its disk files read-only (0444): it no longer starts, and its disks
 * become the backing files of linked clones. */
vr_image_run *vr_core_template_start(const vr_image_env *env, const vr_image_req *req, vr_image_step_fn step,
                                     vr_image_done_fn done, void *opaque, vr_err *code, char **err);
