/* API: vireo backup and restore (core/backup_ops.h), checkpoints
 * (core/checkpoint_ops.h) and push backups (core/livebackup_ops.h).
 * POST /v1/domains/NAME/backup {"dir": DIR, "incremental": BASE_DIR} and
 * POST /v1/restore {"dir": DIR} answer 202 with the job that copies the
 * files. */
#include "daemon/api.h"
#include "daemon/jobs.h"
#include "core/backup_ops.h"
#include "core/checkpoint_ops.h"
#include "core/livebackup_ops.h"
#include "common/util.h"
#include "core/views.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

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
    const char *dir = NULL, *base = NULL;
    if (!o)
        return;
    if (vr_api_str(c, o, "dir", &dir) < 0 || vr_api_str(c, o, "incremental", &base) < 0) {
        json_object_put(o);
        return;
    }
    backup_job *j = vr_calloc(1, sizeof(*j));
    vr_err code = VR_OK;
    char *err = NULL;
    j->run = domain ? vr_core_backup_start(c->api->qemu, c->api->storage, domain, dir, base, on_progress, on_done, j,
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

/* ---- checkpoints ---- */

static json_object *checkpoint_json(const vr_checkpoint_def *c)
{
    vireo_checkpoint view;
    vr_core_checkpoint_view(c, &view);
    json_object *o = vr_wire_to_json(&vr_wire_checkpoint, &view);
    free(view.disks);
    return o;
}

static void list_checkpoints(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    vr_checkpoint_def **l;
    size_t n;
    vr_qemu_checkpoint_list(dom, &l, &n);
    json_object *arr = json_object_new_array(), *o = json_object_new_object();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, checkpoint_json(l[i]));
    vr_qemu_checkpoint_list_free(l, n);
    json_object_object_add(o, "checkpoints", arr);
    vr_req_reply_json(c->req, 200, o);
}

static void checkpoint_xml(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    vr_checkpoint_def *cp = NULL;
    char *err = NULL;
    vr_err code = dom ? vr_qemu_checkpoint_get(dom, c->seg[3], &cp, &err) : VR_OK;
    if (cp)
        vr_req_reply_text(c->req, 200, "application/xml", vr_checkpoint_def_format(cp));
    else if (dom)
        vr_api_reply_err(c->req, code, err);
    vr_checkpoint_def_free(cp);
    free(err);
}

static void on_checkpoint(vr_err code, const char *err, const char *name, void *opaque)
{
    vr_req *req = opaque;
    if (code) {
        vr_api_reply_err(req, code, err);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(name));
    vr_req_reply_json(req, 201, o);
}

/* {"xml": "<domaincheckpoint>..."} or {"name", "description"} (both
 * optional), and "redefine", "quiesce" (booleans). */
static void create_checkpoint(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *o = dom ? vr_api_body_json(c) : NULL;
    const char *xml = NULL, *name = NULL, *desc = NULL;
    if (!o)
        return;
    unsigned flags = (vr_api_bool(o, "redefine") ? VR_CHECKPOINT_CREATE_REDEFINE : 0) |
                     (vr_api_bool(o, "quiesce") ? VR_CHECKPOINT_CREATE_QUIESCE : 0);
    if (vr_api_str(c, o, "xml", &xml) >= 0 && vr_api_str(c, o, "name", &name) >= 0 &&
        vr_api_str(c, o, "description", &desc) >= 0) {
        vr_req_defer(c->req);
        vr_core_checkpoint_create(dom, xml, name, desc, flags, on_checkpoint, c->req);
    }
    json_object_put(o);
}

static void on_done_req(vr_err code, const char *err, void *opaque)
{
    if (code)
        vr_api_reply_err(opaque, code, err);
    else
        vr_req_reply_json(opaque, 200, vr_api_ok());
}

/* DELETE ...?children, ?metadata_only */
static void delete_checkpoint(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    unsigned flags = (vr_api_flag(c->req, "children") ? VR_CHECKPOINT_DELETE_CHILDREN : 0) |
                     (vr_api_flag(c->req, "metadata_only") ? VR_CHECKPOINT_DELETE_METADATA_ONLY : 0);
    vr_req_defer(c->req);
    vr_core_checkpoint_delete(dom, c->seg[3], flags, on_done_req, c->req);
}

/* ---- backup-begin, backup-dumpxml ---- */

static void on_backup_ended(vr_err code, const char *err, void *opaque)
{
    (void)code;
    (void)err;
    (void)opaque; /* told by the "backup" event and the daemon's log */
}

/* {"backup_xml": "<domainbackup>...", "checkpoint_xml": "<domaincheckpoint>..."}, both optional. */
static void backup_begin(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *o = dom ? vr_api_body_json(c) : NULL;
    const char *bxml = NULL, *cxml = NULL;
    if (!o)
        return;
    if (vr_api_str(c, o, "backup_xml", &bxml) >= 0 && vr_api_str(c, o, "checkpoint_xml", &cxml) >= 0) {
        vr_req_defer(c->req);
        vr_core_backup_begin_xml(dom, bxml, cxml, on_done_req, on_backup_ended, c->req);
    }
    json_object_put(o);
}

static void backup_xml(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    char *xml = dom ? vr_core_backup_xml(dom) : NULL;
    if (xml) {
        vr_req_reply_text(c->req, 200, "application/xml", xml);
    } else if (dom) {
        char *m = vr_asprintf("domain '%s' has no backup running (backup-begin starts one)", dom->def->name);
        vr_api_reply_err(c->req, VR_ERR_NOT_FOUND, m);
        free(m);
    }
}

/* At the daemon's start: each bundle whose push backup a previous
 * daemon began is finished here, as a job of its own ("backup" of the
 * domain, as the first daemon's was), which a client that waited on the
 * first daemon's job finds and follows. */
void vr_api_backup_resume(vr_api *api)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(api->qemu, &n);
    for (size_t i = 0; i < n; i++) {
        backup_job *j = vr_calloc(1, sizeof(*j));
        const char *name = doms[i]->def->name;
        if (!(j->run = vr_core_backup_resume(api->qemu, api->storage, name, on_progress, on_done, j))) {
            free(j);
            continue;
        }
        j->job = vr_job_new(api->jobs, "backup", name);
        vr_job_set_cancel(j->job, on_cancel, j);
        vr_job_progress(j->job, 0, "copying the running domain's disks, begun before the daemon restarted "
                                   "(domjobinfo shows the progress)");
    }
}

const vr_api_route vr_api_backup_routes[] = {
    {"POST", "domains/*/backup", post_backup},
    {"POST", "restore", post_restore},
    {"GET", "domains/*/checkpoints", list_checkpoints, VR_API_READ},
    {"GET", "domains/*/checkpoints/*", checkpoint_xml, VR_API_READ},
    {"POST", "domains/*/checkpoints", create_checkpoint},
    {"DELETE", "domains/*/checkpoints/*", delete_checkpoint},
    {"POST", "domains/*/backup-begin", backup_begin},
    {"GET", "domains/*/backup-xml", backup_xml, VR_API_READ},
    {0},
};
