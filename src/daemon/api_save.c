/* API: save, restore, managedsave and the jobs they run (domjobinfo,
 * domjobabort), as virsh has them (docs/api.md, "Save and restore"). */
#include "daemon/api.h"
#include "core/domain_ops.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* {"running": bool, "paused": bool}: how restore leaves the domain. */
static unsigned state_flags(vr_api_call *c, json_object *body, bool *ok)
{
    bool running = vr_api_bool(body, "running"), paused = vr_api_bool(body, "paused");
    *ok = !(running && paused);
    if (!*ok)
        vr_req_reply_error(c->req, 400, "invalid", "\"running\" and \"paused\" exclude each other");
    return (running ? VR_SAVE_RUNNING : 0) | (paused ? VR_SAVE_PAUSED : 0);
}

/* The FILE of a save or restore: an absolute path on the daemon's host. */
static const char *file_arg(vr_api_call *c, json_object *body)
{
    const char *file = NULL;
    int rc = vr_api_str(c, body, "file", &file);
    if (rc == 0 || (rc > 0 && file[0] != '/')) {
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"file\": \"/absolute/path\"} (a file on the "
                           "daemon's host; the CLI makes relative paths absolute)");
        return NULL;
    }
    return rc > 0 ? file : NULL;
}

/* POST domains/NAME/save {"file", "running", "paused", "xml"}, and
 * POST domains/NAME/managedsave {"running", "paused"} (the domain's own
 * image, no file). */
static void save(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    if (!body)
        return;
    bool ok, managed = strcmp(c->seg[2], "managedsave") == 0;
    unsigned flags = state_flags(c, body, &ok) | (managed ? VR_SAVE_MANAGED : 0);
    const char *file = ok && !managed ? file_arg(c, body) : NULL;
    const char *xml = NULL;
    if (ok && (file || managed) && vr_api_str(c, body, "xml", &xml) >= 0)
        vr_qemu_save_xml(dom, file, xml, flags, vr_api_domain_done, vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* An immediate change of the domain: its JSON form, or the error. */
static void answer(vr_api_call *c, vr_domain *dom, vr_err (*op)(vr_domain *, char **))
{
    char *err = NULL;
    vr_err code = op(dom, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
    free(err);
}

static void managed_save_remove(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        answer(c, dom, vr_qemu_managed_save_remove);
}

typedef struct {
    vr_req *req;
} restore_ctx;

static void on_restored(vr_err code, const char *err, void *opaque)
{
    restore_ctx *r = opaque;
    if (code != VR_OK)
        vr_api_reply_err(r->req, code, err);
    else
        vr_req_reply_json(r->req, 200, vr_api_ok());
    free(r);
}

/* POST domains/restore {"file", "running", "paused", "xml"}. */
static void restore(vr_api_call *c)
{
    json_object *body = vr_api_body_json(c);
    if (!body)
        return;
    bool ok;
    unsigned flags = state_flags(c, body, &ok);
    const char *file = ok ? file_arg(c, body) : NULL, *xml = NULL;
    if (file && vr_api_str(c, body, "xml", &xml) >= 0) {
        restore_ctx *r = vr_calloc(1, sizeof(*r));
        r->req = c->req;
        vr_req_defer(c->req);
        vr_qemu_restore_xml(c->api->qemu, file, xml, flags, on_restored, r);
    }
    json_object_put(body);
}

/* GET save-image?file=PATH[&secure=1] (save-image-dumpxml): {"return": XML};
 * PUT save-image {"file", "xml", "running", "paused"} (save-image-define).
 * Passwords (secure) only on read-write connections. */
static void save_image(vr_api_call *c)
{
    char *err = NULL, *xml = NULL;
    vr_err code;
    if (strcmp(vr_req_method(c->req), "GET") == 0) {
        const char *file = vr_req_query(c->req, "file");
        if (!file || file[0] != '/') {
            vr_req_reply_error(c->req, 400, "invalid", "name the image: ?file=/absolute/path");
            return;
        }
        bool secure = vr_api_flag(c->req, "secure");
        if (secure && c->api->read_only) {
            vr_req_reply_error(c->req, 403, "denied", "the read-only connection cannot ask for --security-info; "
                               "connect read-write");
            return;
        }
        code = vr_qemu_save_image_xml(file, secure, &xml, &err);
    } else {
        json_object *body = vr_api_body_json(c);
        bool ok = false;
        const char *file = NULL, *given = NULL;
        unsigned flags = body ? state_flags(c, body, &ok) : 0;
        if (ok)
            file = file_arg(c, body);
        int rx = file ? vr_api_str(c, body, "xml", &given) : -1;
        if (rx == 0)
            vr_req_reply_error(c->req, 400, "invalid", "expected {\"file\": PATH, \"xml\": \"<domain>...\"}");
        code = rx > 0 ? vr_qemu_save_image_define(file, given, flags, &err) : VR_ERR_INVALID;
        json_object_put(body);
        if (rx <= 0)
            return;
    }
    if (code != VR_OK) {
        vr_api_reply_err(c->req, code, err);
    } else if (xml) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "return", json_object_new_string(xml));
        vr_req_reply_json(c->req, 200, o);
    } else {
        vr_req_reply_json(c->req, 200, vr_api_ok());
    }
    free(xml);
    free(err);
}

/* GET domains/NAME/job (domjobinfo), POST domains/NAME/job/abort. */
static void job_info(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        vr_req_reply_json(c->req, 200, vr_qemu_job_info(dom));
}

static void job_abort(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        answer(c, dom, vr_qemu_job_abort);
}

const vr_api_route vr_api_save_routes[] = {
    {"POST", "domains/restore", restore},
    {"GET", "save-image", save_image, VR_API_READ},
    {"PUT", "save-image", save_image},
    {"POST", "domains/*/save", save},
    {"POST", "domains/*/managedsave", save},
    {"DELETE", "domains/*/managedsave", managed_save_remove},
    {"GET", "domains/*/job", job_info, VR_API_READ},
    {"POST", "domains/*/job/abort", job_abort},
    {0},
};
