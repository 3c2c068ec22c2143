/* API: vireo clone (virt-clone's job). POST /v1/domains/NAME/clone
 * decodes the request, plans the clone in the core (core/clone_ops.h)
 * and answers 202 with the job that follows its copies. */
#include "daemon/api.h"
#include "daemon/jobs.h"
#include "core/clone_ops.h"
#include "common/util.h"

#include <stdlib.h>

static void on_step(double percent, const char *step, void *opaque) { vr_job_progress(opaque, percent, step); }

static void on_done(vr_err code, const char *err, json_object *result, void *opaque)
{
    vr_job_finish(opaque, code, err, result);
}

static void on_cancel(void *opaque) { vr_core_clone_cancel(opaque); }

/* {"name": NEW, "files": [PATH...], "auto": bool, "linked": bool,
 *  "from_template": bool}. from_template (vireo clone --from-template,
 * the course's "clonación a partir de plantillas") asks for a linked
 * clone of a template: its disks become the backing files of the new
 * domain's qcow2 overlays, named after it beside them. */
static void post_clone(vr_api_call *c)
{
    vr_domain *orig = vr_api_find_domain(c);
    if (!orig)
        return;
    json_object *o = vr_api_body_json(c), *v = NULL, *files = NULL;
    if (!o)
        return;
    if (!json_object_object_get_ex(o, "name", &v) || !json_object_is_type(v, json_type_string)) {
        json_object_put(o);
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"name\": NEW, \"files\": [...], "
                           "\"auto\": bool, \"linked\": bool}");
        return;
    }
    vr_clone_req req = {.name = json_object_get_string(v)};
    req.auto_clone = json_object_object_get_ex(o, "auto", &v) && json_object_get_boolean(v);
    req.linked = json_object_object_get_ex(o, "linked", &v) && json_object_get_boolean(v);
    req.from_template = json_object_object_get_ex(o, "from_template", &v) && json_object_get_boolean(v);
    json_object_object_get_ex(o, "files", &files);
    if (files && !json_object_is_type(files, json_type_array)) {
        json_object_put(o);
        vr_req_reply_error(c->req, 400, "invalid", "\"files\" must be an array of paths");
        return;
    }
    req.n_files = files ? json_object_array_length(files) : 0;
    const char **paths = vr_calloc(req.n_files + 1, sizeof(*paths));
    for (size_t i = 0; i < req.n_files; i++)
        paths[i] = json_object_get_string(json_object_array_get_idx(files, i));
    req.files = paths;
    vr_err code = VR_OK;
    char *err = NULL;
    vr_clone_run *run = vr_core_clone_plan(c->api->qemu, c->api->storage, orig, &req, &code, &err);
    free(paths);
    json_object_put(o);
    if (!run) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        return;
    }
    vr_job *job = vr_job_new(c->api->jobs, "clone", orig->def->name);
    vr_job_set_cancel(job, on_cancel, run);
    vr_req_reply_json(c->req, 202, vr_job_json(job));
    vr_core_clone_run(run, on_step, on_done, job);
}

const vr_api_route vr_api_clone_routes[] = {
    {"POST", "domains/*/clone", post_clone},
    {0},
};
