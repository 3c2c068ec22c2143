#include "daemon/api.h"
#include "config.h"
#include "drivers/qemu/qemu_console.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

typedef struct {
    vr_api *api;
    vr_req *req;
    char **seg; /* path segments after /v1 */
    size_t n;
} call;

typedef void (*route_fn)(call *c);

static bool query_flag(const vr_req *r, const char *key)
{
    const char *v = vr_req_query(r, key);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || !*v);
}

static void reply_err(vr_req *r, vr_err code, const char *msg)
{
    vr_req_reply_error(r, vr_err_http_status(code), vr_err_code(code), "%s", msg ? msg : "failed");
}

static json_object *ok_json(void)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ok", json_object_new_boolean(1));
    return o;
}

/* ---- host ---- */

static void get_version(call *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_string(VIREO_VERSION));
    json_object_object_add(o, "api", json_object_new_string("v1"));
    json_object_object_add(o, "hypervisor", json_object_new_string("QEMU"));
    vr_req_reply_json(c->req, 200, o);
}

static void get_host(call *c)
{
    json_object *o = json_object_new_object();
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    struct utsname u;
    uname(&u);
    json_object_object_add(o, "hostname", json_object_new_string(host));
    json_object_object_add(o, "uri", json_object_new_string(c->api->uri));
    json_object_object_add(o, "arch", json_object_new_string(u.machine));
    json_object_object_add(o, "kernel", json_object_new_string(u.release));
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    json_object_object_add(o, "cpus", json_object_new_int((int)cpus));
    json_object_object_add(o, "memory_kib", json_object_new_int64((int64_t)pages * psize / 1024));
    bool kvm = vr_qemu_kvm_usable(c->api->qemu);
    json_object_object_add(o, "accelerator", json_object_new_string(kvm ? "kvm" : "tcg"));
    json_object *types = json_object_new_array();
    json_object_array_add(types, json_object_new_string("qemu"));
    if (kvm)
        json_object_array_add(types, json_object_new_string("kvm"));
    json_object_object_add(o, "domain_types", types);
    vr_req_reply_json(c->req, 200, o);
}

/* ---- domains ---- */

json_object *vr_api_domain_json(const vr_domain *dom)
{
    const vr_domain_def *def = dom->def;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(def->name));
    json_object_object_add(o, "uuid", json_object_new_string(def->uuid));
    json_object_object_add(o, "id", dom->id > 0 ? json_object_new_int(dom->id) : NULL);
    json_object_object_add(o, "state", json_object_new_string(vr_dom_state_name(dom->state)));
    json_object_object_add(o, "reason", json_object_new_string(dom->reason));
    json_object_object_add(o, "persistent", json_object_new_boolean(dom->persistent));
    json_object_object_add(o, "autostart", json_object_new_boolean(dom->autostart));
    json_object_object_add(o, "type", json_object_new_string(def->type == VR_VIRT_KVM ? "kvm" : "qemu"));
    json_object_object_add(o, "vcpus", json_object_new_int((int)def->vcpus));
    json_object_object_add(o, "memory_kib", json_object_new_int64((int64_t)def->memory_kib));
    json_object_object_add(o, "current_memory_kib", json_object_new_int64((int64_t)def->current_memory_kib));
    json_object_object_add(o, "title", def->title ? json_object_new_string(def->title) : NULL);
    json_object_object_add(o, "pid", dom->pid > 0 ? json_object_new_int(dom->pid) : NULL);
    json_object_object_add(o, "started_at", dom->started_at ? json_object_new_int64(dom->started_at) : NULL);
    return o;
}

static vr_domain *find_domain(call *c)
{
    vr_domain *dom = vr_qemu_lookup(c->api->qemu, c->seg[1]);
    if (!dom)
        vr_req_reply_error(c->req, 404, "not_found",
                           "domain '%s' not found (vireo list --all shows the defined ones)", c->seg[1]);
    return dom;
}

static void list_domains(call *c)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    json_object *arr = json_object_new_array_ext((int)n);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, vr_api_domain_json(doms[i]));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "domains", arr);
    vr_req_reply_json(c->req, 200, o);
}

/* Deferred answers carry the request and, for those that report the
 * domain, its name (the domain may be gone when the answer comes). */
typedef struct {
    vr_api *api;
    vr_req *req;
    char *name;
} pending;

static pending *pend(call *c, const char *name)
{
    pending *p = vr_calloc(1, sizeof(*p));
    p->api = c->api;
    p->req = c->req;
    p->name = vr_strdup(name);
    vr_req_defer(c->req);
    return p;
}

static void on_done(vr_err code, const char *err, void *opaque)
{
    pending *p = opaque;
    vr_domain *dom = vr_qemu_lookup(p->api->qemu, p->name);
    if (code != VR_OK)
        reply_err(p->req, code, err);
    else if (dom)
        vr_req_reply_json(p->req, 200, vr_api_domain_json(dom));
    else
        vr_req_reply_json(p->req, 200, ok_json());
    free(p->name);
    free(p);
}

static void create_domain(call *c)
{
    const char *xml = vr_req_body(c->req, NULL);
    if (!*xml) {
        vr_req_reply_error(c->req, 400, "invalid", "no domain XML in the request body");
        return;
    }
    if (query_flag(c->req, "start")) {
        /* Parsed here only to learn the name the answer reports; the
         * driver parses again and owns the result. */
        char *err = NULL;
        vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
        if (!def) {
            reply_err(c->req, VR_ERR_INVALID, err);
            free(err);
            return;
        }
        pending *p = pend(c, def->name);
        vr_domain_def_free(def);
        vr_qemu_create(c->api->qemu, xml, query_flag(c->req, "paused"), on_done, p);
        return;
    }
    char *err = NULL;
    vr_domain *dom = NULL;
    vr_err code = vr_qemu_define(c->api->qemu, xml, &dom, &err);
    if (code != VR_OK)
        reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 201, vr_api_domain_json(dom));
    free(err);
}

static void get_domain(call *c)
{
    vr_domain *dom = find_domain(c);
    if (dom)
        vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
}

static void delete_domain(call *c)
{
    vr_domain *dom = find_domain(c);
    if (!dom)
        return;
    char *err = NULL;
    vr_err code = vr_qemu_undefine(dom, query_flag(c->req, "remove_storage"), &err);
    if (code != VR_OK)
        reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, ok_json());
    free(err);
}

static void get_xml(call *c)
{
    vr_domain *dom = find_domain(c);
    if (dom)
        vr_req_reply_text(c->req, 200, "application/xml", vr_qemu_xml(dom, query_flag(c->req, "inactive")));
}

static void post_action(call *c)
{
    vr_domain *dom = find_domain(c);
    if (!dom)
        return;
    const char *action = c->seg[2];
    char *err = NULL;
    vr_err code = VR_OK;
    if (strcmp(action, "start") == 0) {
        vr_qemu_start(dom, query_flag(c->req, "paused"), on_done, pend(c, dom->def->name));
        return;
    } else if (strcmp(action, "destroy") == 0) {
        vr_qemu_destroy(dom, on_done, pend(c, dom->def->name));
        return;
    } else if (strcmp(action, "suspend") == 0) {
        vr_qemu_suspend(dom, on_done, pend(c, dom->def->name));
        return;
    } else if (strcmp(action, "resume") == 0) {
        vr_qemu_resume(dom, on_done, pend(c, dom->def->name));
        return;
    } else if (strcmp(action, "shutdown") == 0) {
        code = vr_qemu_shutdown(dom, &err);
    } else if (strcmp(action, "reboot") == 0) {
        code = vr_qemu_reboot(dom, &err);
    } else {
        vr_req_reply_error(c->req, 404, "not_found", "no action '%s' on domains", action);
        return;
    }
    if (code != VR_OK)
        reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
    free(err);
}

static void put_autostart(call *c)
{
    vr_domain *dom = find_domain(c);
    if (!dom)
        return;
    json_object *body = json_tokener_parse(vr_req_body(c->req, NULL)), *v = NULL;
    if (!body || !json_object_object_get_ex(body, "autostart", &v) ||
        !json_object_is_type(v, json_type_boolean)) {
        json_object_put(body);
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"autostart\": true|false}");
        return;
    }
    char *err = NULL;
    vr_err code = vr_qemu_set_autostart(dom, json_object_get_boolean(v), &err);
    json_object_put(body);
    if (code != VR_OK)
        reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
    free(err);
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

static void get_stats(call *c)
{
    vr_domain *dom = find_domain(c);
    if (dom)
        vr_qemu_stats(dom, on_stats, pend(c, dom->def->name));
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

static void on_console_upgraded(vr_upgraded *up, int fd, const char *initial, size_t n, void *opaque)
{
    console_ctx *cc = opaque;
    vr_domain *dom = vr_qemu_lookup(cc->api->qemu, cc->name);
    if (dom && dom->console)
        vr_console_attach(dom->console, fd, initial, n, cc->history, on_console_closed, up);
    else
        vr_http_upgrade_close(up); /* it stopped in between */
    free(cc->name);
    free(cc);
}

static void get_console(call *c)
{
    vr_domain *dom = find_domain(c);
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
    cc->history = query_flag(c->req, "history");
    vr_req_upgrade(c->req, "vireo-stream", on_console_upgraded, cc);
}

static void get_events(call *c)
{
    vr_events_subscribe(c->api->events, c->req);
}

/* ---- routing ---- */

typedef struct {
    const char *method;
    const char *pattern; /* segments after /v1; '*' matches one */
    route_fn fn;
} route;

static const route routes[] = {
    {"GET", "version", get_version},
    {"GET", "host", get_host},
    {"GET", "events", get_events},
    {"GET", "domains", list_domains},
    {"POST", "domains", create_domain},
    {"GET", "domains/*", get_domain},
    {"DELETE", "domains/*", delete_domain},
    {"GET", "domains/*/xml", get_xml},
    {"GET", "domains/*/stats", get_stats},
    {"GET", "domains/*/console", get_console},
    {"PUT", "domains/*/autostart", put_autostart},
    {"POST", "domains/*/*", post_action},
};

static bool match(const char *pattern, char **seg, size_t n)
{
    char *copy = vr_strdup(pattern), *save = NULL;
    size_t i = 0;
    bool ok = true;
    for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save), i++)
        if (i >= n || (strcmp(p, "*") != 0 && strcmp(p, seg[i]) != 0))
            ok = false;
    free(copy);
    return ok && i == n;
}

void vr_api_handle(vr_req *req, void *opaque)
{
    vr_api *api = opaque;
    const char *path = vr_req_path(req);
    if (!vr_str_starts(path, "/v1/")) {
        vr_req_reply_error(req, 404, "not_found", "unknown path %s (the API lives under /v1/)", path);
        return;
    }
    call c = {.api = api, .req = req};
    char *copy = vr_strdup(path + 4), *save = NULL;
    for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        c.seg = vr_realloc(c.seg, (c.n + 1) * sizeof(*c.seg));
        c.seg[c.n++] = p;
    }
    bool path_known = false;
    const route *hit = NULL;
    for (size_t i = 0; i < VR_ARRAY_LEN(routes) && !hit; i++) {
        if (!match(routes[i].pattern, c.seg, c.n))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, vr_req_method(req)) == 0)
            hit = &routes[i];
    }
    if (hit)
        hit->fn(&c);
    else if (path_known)
        vr_req_reply_error(req, 405, "invalid", "%s is not allowed on %s", vr_req_method(req), path);
    else
        vr_req_reply_error(req, 404, "not_found", "unknown path %s", path);
    free(c.seg);
    free(copy);
}
