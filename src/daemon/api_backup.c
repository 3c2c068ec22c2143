/* API: vireo backup and restore of shut-off domains (core/backup_ops.h).
 * POST /v1/domains/NAME/backup {"dir": DIR} and POST /v1/restore
 * {"dir": DIR} answer 202 with the job that copies the files. */
#include "daemon/api.h"
#include "daemon/jobs.h"
#include "core/backup_ops.h"
#include "common/util.h"

#include <stdlib.h>

typedef struct {
    vr_job *job;
    vr_backup_run *run;
} backup_job;

static void on_progress(double percent, const char *step, void *opaque)
{
    vr_job_progress(((backup_job *)opaque)->job, percent, step);
}

static void on_done(vr_err code, const char *err, json_object *result, void *opaque)
{
    backup_job *j = opaque;
    vr_job_finish(j->job, code, err, result);
    free(j);
}

static void on_cancel(void *opaque)
{
    backup_job *j = opaque;
    if (j->run)
        vr_core_backup_cancel(j->run);
}

static void start(vr_api_call *c, const char *kind, const char *domain)
{
    json_object *o = vr_api_body_json(c);
    const char *dir = NULL;
    if (!o)
        return;
    if (vr_api_str(c, o, "dir", &dir) < 0) {
        json_object_put(o);
        return;
    }
    backup_job *j = vr_calloc(1, sizeof(*j));
    vr_err code = VR_OK;
    char *err = NULL;
    j->run = domain ? vr_core_backup_start(c->api->qemu, c->api->storage, domain, dir, on_progress, on_done, j,
                                           &code, &err)
                    : vr_core_restore_start(c->api->qemu, c->api->storage, dir, on_progress, on_done, j, &code,
                                            &err);
    if (!j->run) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        free(j);
        json_object_put(o);
        return;
    }
    /* The run's first step comes from the loop: the job is in place by then. */
    j->job = vr_job_new(c->api->jobs, kind, domain ? domain : dir);
    json_object_put(o);
    vr_job_set_cancel(j->job, on_cancel, j);
    vr_req_reply_json(c->req, 202, vr_job_json(j->job));
}

static void post_backup(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        start(c, "backup", dom->def->name);
}

static void post_restore(vr_api_call *c)
{
    start(c, "restore", NULL);
}

const vr_api_route vr_api_backup_routes[] = {
    {"POST", "domains/*/backup", post_backup},
    {"POST", "restore", post_restore},
    {0},
};
