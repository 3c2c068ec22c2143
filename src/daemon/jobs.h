/* Jobs: long operations (volume copies, clones) that run beside the
 * event loop. A job is created when the request is accepted (the
 * answer is 202 with the job), then follows its work's progress; a
 * client polls GET /v1/jobs/ID until `state` is no longer "running".
 * Finished jobs stay listed for a while so late pollers see the end. */
#pragma once
#include "common/errors.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <time.h>

typedef struct vr_jobs vr_jobs;
typedef struct vr_job vr_job;

/* Asked to stop: the job's owner cancels its work and then finishes
 * the job (with an error) as usual. */
typedef void (*vr_job_cancel_fn)(void *opaque);

vr_jobs *vr_jobs_new(void);
void vr_jobs_free(vr_jobs *jobs);

/* kind: "vol-clone", "clone", ...; target: what it works on. */
vr_job *vr_job_new(vr_jobs *jobs, const char *kind, const char *target);
/* A job a previous daemon started (re-adopted): under its old id when
 * that is free (else a new one), with its start time (0: now). */
vr_job *vr_job_new_as(vr_jobs *jobs, unsigned id, const char *kind, const char *target, time_t started);
void vr_job_set_cancel(vr_job *j, vr_job_cancel_fn fn, void *opaque);
unsigned vr_job_id(const vr_job *j);
const char *vr_job_target(const vr_job *j);
const char *vr_job_kind(const vr_job *j);
/* percent of the whole job, 0..100; `step` says what happens now. */
void vr_job_progress(vr_job *j, double percent, const char *step);
/* End: err NULL for success; result (taken, may be NULL) is shown to
 * pollers as "result". */
void vr_job_finish(vr_job *j, vr_err code, const char *err, json_object *result);

vr_job *vr_jobs_lookup(vr_jobs *jobs, unsigned id);
json_object *vr_job_json(const vr_job *j);
/* Every job, running and recently finished, oldest first. */
json_object *vr_jobs_json(vr_jobs *jobs);
/* Returns false when the job has already finished. */
bool vr_job_cancel(vr_job *j);
