/* API: domains. */
#include "daemon/api.h"
#include "common/util.h"
#include "core/domain_ops.h"
#include "core/views.h"
#include "common/strbuf.h"
#include "wire/schemas.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

json_object *vr_api_domain_json(const vr_domain *dom)
{
    vireo_domain view;
    vr_core_domain_view(dom, &view);
    return vr_wire_to_json(&vr_wire_domain, &view);
}

vr_domain *vr_api_find_domain(vr_api_call *c)
{
    vr_domain *dom = vr_qemu_lookup(c->api->qemu, c->seg[1]);
    if (!dom)
        vr_req_reply_error(c->req, 404, "not_found",
                           "domain '%s' not found (vireo list --all shows the defined ones)", c->seg[1]);
    return dom;
}

static void domain_row(size_t i, void *doms, void *out) { vr_core_domain_view(((vr_domain **)doms)[i], out); }

static void list_domains(vr_api_call *c)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    vr_api_reply_list(c, &vr_wire_domain, "domains", n, domain_row, (void *)doms, false);
}

/* Deferred answers carry the request and, for those that report the
 * domain, its name (the domain may be gone when the answer comes). */
typedef struct {
    vr_api *api;
    vr_req *req;
    char *name;
} pending;

void *vr_api_pend(vr_api_call *c, const char *name)
{
    pending *p = vr_calloc(1, sizeof(*p));
    p->api = c->api;
    p->req = c->req;
    p->name = vr_strdup(name);
    vr_req_defer(c->req);
    return p;
}

void vr_api_domain_done(vr_err code, const char *err, void *opaque)
{
    pending *p = opaque;
    vr_domain *dom = vr_qemu_lookup(p->api->qemu, p->name);
    if (code != VR_OK)
        vr_api_reply_err(p->req, code, err);
    else if (dom)
        vr_req_reply_json(p->req, 200, vr_api_domain_json(dom));
    else
        vr_req_reply_json(p->req, 200, vr_api_ok());
    free(p->name);
    free(p);
}

static void create_domain(vr_api_call *c)
{
    const char *xml = vr_api_body_xml(c, "domain");
    if (!xml)
        return;
    if (vr_api_flag(c->req, "start")) {
        /* The answer reports the domain by the name it defines. */
        char *err = NULL, *name = vr_core_domain_name(xml, &err);
        if (!name) {
            vr_api_reply_err(c->req, VR_ERR_INVALID, err);
            free(err);
            return;
        }
        pending *p = vr_api_pend(c, name);
        free(name);
        vr_qemu_create(c->api->qemu, xml, vr_api_flag(c->req, "paused"), vr_api_domain_done, p);
        return;
    }
    char *err = NULL;
    vr_domain *dom = NULL;
    vr_err code = vr_qemu_define(c->api->qemu, xml, &dom, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 201, vr_api_domain_json(dom));
    free(err);
}

static void get_domain(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
}

static void delete_domain(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    char *err = NULL;
    unsigned flags = (vr_api_flag(c->req, "remove_storage") ? VR_QEMU_UNDEFINE_STORAGE : 0) |
                     (vr_api_flag(c->req, "nvram") ? VR_QEMU_UNDEFINE_NVRAM : 0) |
                     (vr_api_flag(c->req, "keep_nvram") ? VR_QEMU_UNDEFINE_KEEP_NVRAM : 0) |
                     (vr_api_flag(c->req, "keep_tpm") ? VR_QEMU_UNDEFINE_KEEP_TPM : 0) |
                     (vr_api_flag(c->req, "managed_save") ? VR_QEMU_UNDEFINE_MANAGED_SAVE : 0);
    vr_err code = vr_qemu_undefine(dom, flags, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, vr_api_ok());
    free(err);
}

/* ?security_info adds what a reader does not see (graphics passwords),
 * as virsh's --security-info: refused on the read-only socket. */
static void get_xml(vr_api_call *c)
{
    bool secure = vr_api_flag(c->req, "security_info");
    if (secure && c->api->read_only) {
        vr_req_reply_error(c->req, 403, "denied", "the read-only connection cannot ask for --security-info; "
                           "that needs root or group vireo");
        return;
    }
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        vr_req_reply_text(c->req, 200, "application/xml",
                          vr_core_domain_xml(dom, vr_api_flag(c->req, "inactive"), secure));
}

/* The answer of an operation on one domain: its JSON form, or the error
 * (err is freed). */
static void reply_domain(vr_api_call *c, vr_err code, char *err, const vr_domain *dom)
{
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
    free(err);
}

static void start_async(vr_api_call *c, vr_domain *dom, void *pend)
{
    unsigned flags = (vr_api_flag(c->req, "paused") ? VR_QEMU_START_PAUSED : 0) |
                     (vr_api_flag(c->req, "reset_nvram") ? VR_QEMU_START_RESET_NVRAM : 0);
    vr_qemu_start_flags(dom, flags, vr_api_domain_done, pend);
}
static void destroy_async(vr_api_call *c, vr_domain *dom, void *pend) { vr_qemu_destroy(dom, vr_api_domain_done, pend); }
static void suspend_async(vr_api_call *c, vr_domain *dom, void *pend) { vr_qemu_suspend(dom, vr_api_domain_done, pend); }
static void resume_async(vr_api_call *c, vr_domain *dom, void *pend) { vr_qemu_resume(dom, vr_api_domain_done, pend); }

/* POST domains/NAME/ACTION, one line per action: those that answer once
 * QEMU is done (async), and those that answer at once (now). */
static const struct {
    const char *name;
    void (*async)(vr_api_call *c, vr_domain *dom, void *pend);
    vr_err (*now)(vr_domain *dom, char **err);
} actions[] = {
    {"start", start_async, NULL},
    {"destroy", destroy_async, NULL},
    {"suspend", suspend_async, NULL},
    {"resume", resume_async, NULL},
    {"shutdown", NULL, vr_qemu_shutdown},
    {"reboot", NULL, vr_qemu_reboot},
};

static void post_action(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    for (size_t i = 0; i < VR_ARRAY_LEN(actions); i++) {
        if (strcmp(actions[i].name, c->seg[2]) != 0)
            continue;
        if (actions[i].async) {
            actions[i].async(c, dom, vr_api_pend(c, dom->def->name));
            return;
        }
        char *err = NULL;
        vr_err code = actions[i].now(dom, &err);
        reply_domain(c, code, err, dom);
        return;
    }
    vr_req_reply_error(c->req, 404, "not_found", "no action '%s' on domains", c->seg[2]);
}

/* POST domains/NAME/rename {"name": NEW} (domrename). */
static void post_rename(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    if (!body)
        return;
    const char *name = NULL;
    int rc = vr_api_str(c, body, "name", &name);
    if (rc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"name\": NEW_NAME}");
    if (rc <= 0) {
        json_object_put(body);
        return;
    }
    char *err = NULL;
    vr_err code = vr_qemu_rename(dom, name, &err);
    json_object_put(body);
    reply_domain(c, code, err, dom);
}

static void put_autostart(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    json_object *body = vr_api_body_json(c), *v = NULL;
    if (!body)
        return;
    if (!json_object_object_get_ex(body, "autostart", &v) ||
        !json_object_is_type(v, json_type_boolean)) {
        json_object_put(body);
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"autostart\": true|false}");
        return;
    }
    char *err = NULL;
    vr_err code = vr_qemu_set_autostart(dom, json_object_get_boolean(v), &err);
    json_object_put(body);
    reply_domain(c, code, err, dom);
}

/* setmem ({"current_kib"}) or setmaxmem ({"max_kib"}); "live" and
 * "config" are virsh's flags, neither means live if running, else config. */
static void put_memory(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    if (!body)
        return;
    unsigned long long cur = 0, max = 0;
    int has_cur = vr_api_uint(c, body, "current_kib", 0, INT64_MAX, &cur);
    int has_max = has_cur < 0 ? -1 : vr_api_uint(c, body, "max_kib", 0, INT64_MAX, &max);
    unsigned flags = (vr_api_bool(body, "live") ? VR_MEM_LIVE : 0) | (vr_api_bool(body, "config") ? VR_MEM_CONFIG : 0);
    json_object_put(body);
    if (has_max < 0)
        return;
    if (has_cur + has_max != 1) {
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"current_kib\": N} or {\"max_kib\": N}, "
                           "with optional \"live\" and \"config\"");
        return;
    }
    if (has_cur) {
        vr_qemu_set_memory(dom, cur, flags, vr_api_domain_done, vr_api_pend(c, dom->def->name));
        return;
    }
    char *err = NULL;
    vr_err code = vr_qemu_set_max_memory(dom, max, flags, &err);
    reply_domain(c, code, err, dom);
}

static void on_stats(json_object *stats, const char *err, void *opaque)
{
    pending *p = opaque;
    if (err && !stats)
        vr_req_reply_error(p->req, 500, "failed", "%s", err);
    else
        vr_req_reply_json(p->req, 200, json_object_get(stats));
    free(p->name);
    free(p);
}

static void get_stats(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        vr_qemu_stats(dom, on_stats, vr_api_pend(c, dom->def->name));
}

static void on_console_closed(void *opaque)
{
    vr_http_upgrade_close(opaque);
}

typedef struct {
    vr_api *api;
    char *name;
    bool history;
} console_ctx;

static void console_ctx_free(void *opaque)
{
    console_ctx *cc = opaque;
    free(cc->name);
    free(cc);
}

static void on_console_upgraded(vr_upgraded *up, int fd, const char *initial, size_t n, void *opaque)
{
    console_ctx *cc = opaque;
    vr_domain *dom = vr_qemu_lookup(cc->api->qemu, cc->name);
    if (!dom || !vr_core_console_attach(dom, fd, initial, n, cc->history, on_console_closed, up))
        vr_http_upgrade_close(up); /* it stopped in between */
    console_ctx_free(cc);
}

static void get_console(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    if (dom->state == VR_DOM_SHUTOFF || !dom->console) {
        vr_req_reply_error(c->req, 409, "conflict", "domain '%s' is not running%s", dom->def->name,
                           dom->state == VR_DOM_SHUTOFF ? "" : " or has no serial console");
        return;
    }
    console_ctx *cc = vr_calloc(1, sizeof(*cc));
    cc->api = c->api;
    cc->name = vr_strdup(dom->def->name);
    cc->history = vr_api_flag(c->req, "history");
    vr_req_upgrade(c->req, "vireo-stream", on_console_upgraded, console_ctx_free, cc);
}

const vr_api_route vr_api_domain_routes[] = {
    {"GET", "domains", list_domains, VR_API_READ},
    {"POST", "domains", create_domain, VR_API_WRITE, VR_API_BODY_DEFINITION},
    {"GET", "domains/*", get_domain, VR_API_READ},
    {"DELETE", "domains/*", delete_domain},
    {"GET", "domains/*/xml", get_xml, VR_API_READ},
    {"GET", "domains/*/stats", get_stats, VR_API_READ},
    {"GET", "domains/*/console", get_console, VR_API_CONSOLE},
    {"PUT", "domains/*/autostart", put_autostart},
    {"PUT", "domains/*/memory", put_memory},
    {"POST", "domains/*/rename", post_rename},
    {"POST", "domains/*/*", post_action},
    {0},
};
