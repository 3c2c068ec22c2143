/* The job table. Jobs are plain records updated from the event loop by
 * whoever runs the work; nothing here runs anything. */
#include "daemon/jobs.h"
#include "wire/schemas.h"

#include <vireo/vireo.h>
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Finished jobs kept for pollers: the last KEEP of them. */
#define KEEP 64

struct vr_job {
    unsigned id;
    char *kind, *target, *step, *error;
    const char *error_code;
    bool running, cancel_asked;
    double percent;
    time_t started, finished;
    json_object *result;
    vr_job_cancel_fn cancel;
    void *cancel_opaque;
};

struct vr_jobs {
    vr_job **jobs; /* oldest first */
    size_t n;
    unsigned next_id;
};

vr_jobs *vr_jobs_new(void)
{
    vr_jobs *j = vr_calloc(1, sizeof(*j));
    j->next_id = 1;
    return j;
}

static void job_free(vr_job *j)
{
    free(j->kind);
    free(j->target);
    free(j->step);
    free(j->error);
    json_object_put(j->result);
    free(j);
}

void vr_jobs_free(vr_jobs *jobs)
{
    if (!jobs)
        return;
    for (size_t i = 0; i < jobs->n; i++)
        job_free(jobs->jobs[i]);
    free(jobs->jobs);
    free(jobs);
}

/* Forget the oldest finished jobs beyond KEEP. */
static void trim(vr_jobs *jobs)
{
    size_t finished = 0;
    for (size_t i = 0; i < jobs->n; i++)
        finished += !jobs->jobs[i]->running;
    for (size_t i = 0; i < jobs->n && finished > KEEP;) {
        if (jobs->jobs[i]->running) {
            i++;
            continue;
        }
        job_free(jobs->jobs[i]);
        memmove(jobs->jobs + i, jobs->jobs + i + 1, (jobs->n - i - 1) * sizeof(*jobs->jobs));
        jobs->n--;
        finished--;
    }
}

vr_job *vr_job_new(vr_jobs *jobs, const char *kind, const char *target)
{
    vr_job *j = vr_calloc(1, sizeof(*j));
    j->id = jobs->next_id++;
    j->kind = vr_strdup(kind);
    j->target = vr_strdup(target);
    j->running = true;
    j->started = time(NULL);
    jobs->jobs = vr_realloc(jobs->jobs, (jobs->n + 1) * sizeof(*jobs->jobs));
    jobs->jobs[jobs->n++] = j;
    trim(jobs);
    return j;
}

vr_job *vr_job_new_as(vr_jobs *jobs, unsigned id, const char *kind, const char *target, time_t started)
{
    if (!id || vr_jobs_lookup(jobs, id))
        id = 0;
    else if (id >= jobs->next_id)
        jobs->next_id = id + 1;
    vr_job *j = vr_job_new(jobs, kind, target);
    if (id) {
        jobs->next_id--;
        j->id = id;
    }
    if (started)
        j->started = started;
    return j;
}

void vr_job_set_cancel(vr_job *j, vr_job_cancel_fn fn, void *opaque)
{
    j->cancel = fn;
    j->cancel_opaque = opaque;
}

unsigned vr_job_id(const vr_job *j) { return j->id; }

const char *vr_job_target(const vr_job *j) { return j->target; }

const char *vr_job_kind(const vr_job *j) { return j->kind; }

void vr_job_progress(vr_job *j, double percent, const char *step)
{
    if (percent > j->percent)
        j->percent = percent > 100 ? 100 : percent;
    if (step && (!j->step || strcmp(step, j->step) != 0)) {
        free(j->step);
        j->step = vr_strdup(step);
    }
}

void vr_job_finish(vr_job *j, vr_err code, const char *err, json_object *result)
{
    j->running = false;
    j->finished = time(NULL);
    j->cancel = NULL;
    if (code == VR_OK) {
        j->percent = 100;
    } else {
        j->error = vr_strdup(err ? err : "failed");
        j->error_code = vr_err_code(code);
    }
    json_object_put(j->result);
    j->result = result;
}

vr_job *vr_jobs_lookup(vr_jobs *jobs, unsigned id)
{
    for (size_t i = 0; i < jobs->n; i++)
        if (jobs->jobs[i]->id == id)
            return jobs->jobs[i];
    return NULL;
}

bool vr_job_cancel(vr_job *j)
{
    if (!j->running)
        return false;
    if (j->cancel && !j->cancel_asked) {
        j->cancel_asked = true;
        j->cancel(j->cancel_opaque);
    }
    return true;
}

json_object *vr_job_json(const vr_job *j)
{
    /* The job as the wire struct (src/wire), borrowing its strings. */
    vireo_job view = {
        .id = (int)j->id,
        .kind = j->kind,
        .target = j->target,
        .state = j->running ? "running"
                 : !j->error ? "completed"
                 : j->cancel_asked ? "cancelled"
                 : strncmp(j->error, "interrupted: ", 13) == 0 ? "interrupted" : "failed",
        .step = j->step,
        .progress = (double)(int)(j->percent * 100) / 100,
        .error = j->error,
        .error_code = j->error ? (char *)j->error_code : NULL,
        .result = j->result ? (char *)json_object_to_json_string_ext(j->result, JSON_C_TO_STRING_PLAIN) : NULL,
        .started_at = j->started,
        .finished_at = j->finished,
    };
    return vr_wire_to_json(&vr_wire_job, &view);
}

json_object *vr_jobs_json(vr_jobs *jobs)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < jobs->n; i++)
        json_object_array_add(arr, vr_job_json(jobs->jobs[i]));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "jobs", arr);
    return o;
}
