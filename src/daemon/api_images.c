/* API: the image tools. POST /v1/images/OP (build, list, sysprep,
 * customize, sparsify, resize) and POST /v1/domains/NAME/template
 * decode the request into a vr_image_req, start it in the core and
 * answer 202 with the job that follows it (docs/api.md). */
#include "daemon/api.h"
#include "daemon/jobs.h"
#include "core/image_ops.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    vr_job *job;
    vr_image_run *run;
} image_job;

static void on_step(double percent, const char *step, void *opaque)
{
    image_job *j = opaque;
    vr_job_progress(j->job, percent, step && *step ? step : NULL);
}

static void on_done(vr_err code, const char *err, json_object *result, void *opaque)
{
    image_job *j = opaque;
    vr_job_finish(j->job, code, err, result);
    free(j);
}

static void on_cancel(void *opaque)
{
    image_job *j = opaque;
    if (j->run)
        vr_core_image_cancel(j->run);
}

/* A string array member (may be absent); false after answering 400. */
static bool strings(vr_api_call *c, json_object *o, const char *key, json_object **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return true;
    bool ok = json_object_is_type(v, json_type_array);
    for (size_t i = 0; ok && i < json_object_array_length(v); i++) {
        json_object *s = json_object_array_get_idx(v, i);
        ok = json_object_is_type(s, json_type_string) && json_object_get_string_len(s) > 0 &&
             strlen(json_object_get_string(s)) == (size_t)json_object_get_string_len(s);
    }
    if (!ok) {
        vr_req_reply_error(c->req, 400, "invalid", "\"%s\" must be an array of non-empty strings", key);
        return false;
    }
    *out = v;
    return true;
}

/* ssh_keys: [{"user": U, "key": K}] */
static bool ssh_keys(vr_api_call *c, json_object *o, json_object **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(o, "ssh_keys", &v) || json_object_is_type(v, json_type_null))
        return true;
    bool ok = json_object_is_type(v, json_type_array);
    for (size_t i = 0; ok && i < json_object_array_length(v); i++) {
        json_object *k = json_object_array_get_idx(v, i), *u = NULL, *t = NULL;
        ok = json_object_is_type(k, json_type_object) && json_object_object_get_ex(k, "user", &u) &&
             json_object_object_get_ex(k, "key", &t) && json_object_is_type(u, json_type_string) &&
             json_object_is_type(t, json_type_string);
    }
    if (!ok) {
        vr_req_reply_error(c->req, 400, "invalid", "\"ssh_keys\" must be an array of {\"user\": U, "
                           "\"key\": PUBLIC KEY TEXT}");
        return false;
    }
    *out = v;
    return true;
}

/* The request body as a vr_image_req; req->options is new (put it). */
static bool decode(vr_api_call *c, json_object *o, vr_image_req *req, json_object **add)
{
    static const char *const opt_strings[] = {"hostname", "root_password", "timezone", NULL};
    static const char *const opt_arrays[] = {"install", "run", "firstboot", "operations", NULL};
    memset(req, 0, sizeof(*req));
    if (vr_api_str(c, o, "domain", &req->domain) < 0 || vr_api_str(c, o, "input", &req->input) < 0 ||
        vr_api_str(c, o, "output", &req->output) < 0 || vr_api_str(c, o, "pool", &req->pool) < 0 ||
        vr_api_str(c, o, "volume", &req->volume) < 0 || vr_api_str(c, o, "format", &req->format) < 0 ||
        vr_api_str(c, o, "os", &req->os) < 0 || vr_api_str(c, o, "expand", &req->expand) < 0 ||
        vr_api_size(c, o, "size", &req->size) < 0 || !strings(c, o, "add", add))
        return false;
    if (req->format && strcmp(req->format, "qcow2") != 0 && strcmp(req->format, "raw") != 0) {
        vr_req_reply_error(c->req, 400, "invalid", "format '%s': Vireo's image tools write qcow2 or raw",
                           req->format);
        return false;
    }
    req->force = vr_api_bool(o, "force");
    req->compress = vr_api_bool(o, "compress");
    req->in_place = vr_api_bool(o, "in_place");
    json_object *opts = json_object_new_object(), *v = NULL;
    for (size_t i = 0; opt_strings[i]; i++) {
        const char *s = NULL;
        if (vr_api_str(c, o, opt_strings[i], &s) < 0) {
            json_object_put(opts);
            return false;
        }
        if (s)
            json_object_object_add(opts, opt_strings[i], json_object_new_string(s));
    }
    for (size_t i = 0; opt_arrays[i]; i++) {
        if (!strings(c, o, opt_arrays[i], &v)) {
            json_object_put(opts);
            return false;
        }
        if (v)
            json_object_object_add(opts, opt_arrays[i], json_object_get(v));
    }
    if (!ssh_keys(c, o, &v)) {
        json_object_put(opts);
        return false;
    }
    if (v)
        json_object_object_add(opts, "ssh_keys", json_object_get(v));
    req->options = opts;
    return true;
}

static const char *job_kind(const char *op)
{
    return strcmp(op, "build") == 0 ? "builder" : strcmp(op, "list") == 0 ? "builder-list" : op;
}

static void start(vr_api_call *c, const char *op, const char *domain)
{
    json_object *o = vr_api_body_json(c), *add = NULL;
    if (!o)
        return;
    vr_image_req req;
    if (!decode(c, o, &req, &add)) {
        json_object_put(o);
        return;
    }
    if (domain)
        req.domain = domain;
    size_t n_add = add ? json_object_array_length(add) : 0;
    const char **files = vr_calloc(n_add + 1, sizeof(*files));
    for (size_t i = 0; i < n_add; i++)
        files[i] = json_object_get_string(json_object_array_get_idx(add, i));
    req.add = files;
    req.n_add = n_add;
    req.op = op;
    vr_image_env env = {.qemu = c->api->qemu, .storage = c->api->storage, .paths = c->api->paths};
    image_job *j = vr_calloc(1, sizeof(*j));
    vr_err code = VR_OK;
    char *err = NULL;
    const char *target = req.domain ? req.domain : req.os ? req.os : req.input ? req.input
                       : files[0] ? files[0] : op;
    char *target_copy = vr_strdup(target);
    j->run = domain ? vr_core_template_start(&env, &req, on_step, on_done, j, &code, &err)
                    : vr_core_image_start(&env, &req, on_step, on_done, j, &code, &err);
    json_object_put(req.options);
    free(files);
    json_object_put(o);
    if (!j->run) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        free(j);
        free(target_copy);
        return;
    }
    j->job = vr_job_new(c->api->jobs, domain ? "template" : job_kind(op), target_copy);
    free(target_copy);
    vr_job_set_cancel(j->job, on_cancel, j);
    vr_core_image_note(j->run, vr_job_id(j->job), vr_job_kind(j->job), vr_job_target(j->job));
    vr_req_reply_json(c->req, 202, vr_job_json(j->job));
}

/* A job a previous daemon started: listed again under its id. */
static void *on_found(vr_image_run *run, const vr_image_job_info *info, void *opaque)
{
    vr_api *api = opaque;
    image_job *j = vr_calloc(1, sizeof(*j));
    j->run = run;
    j->job = vr_job_new_as(api->jobs, info->id, info->kind, info->target, (time_t)info->started);
    vr_job_set_cancel(j->job, on_cancel, j);
    if (info->running)
        vr_job_progress(j->job, 0, "taken back after a daemon restart");
    return j;
}

void vr_api_images_resume(vr_api *api)
{
    vr_image_env env = {.qemu = api->qemu, .storage = api->storage, .paths = api->paths};
    vr_core_image_resume(&env, on_step, on_done, on_found, api);
}

static void post_image(vr_api_call *c)
{
    static const char *const ops[] = {"build", "list", "sysprep", "customize", "sparsify", "resize", NULL};
    for (size_t i = 0; ops[i]; i++) {
        if (strcmp(c->seg[1], ops[i]) == 0) {
            start(c, ops[i], NULL);
            return;
        }
    }
    vr_req_reply_error(c->req, 404, "not-found", "no image tool '%s' (build, list, sysprep, customize, "
                       "sparsify, resize)", c->seg[1]);
}

static void post_template(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        start(c, "sysprep", dom->def->name);
}

const vr_api_route vr_api_image_routes[] = {
    {"POST", "images/*", post_image},
    {"POST", "domains/*/template", post_template},
    {0},
};
