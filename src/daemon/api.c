/* The API's router: finds the route for a request in the tables the
 * API modules export, and shared helpers for their handlers. */
#include "daemon/api.h"
#include "common/util.h"
#include "core/access.h"
#include "daemon/web_auth.h"
#include "common/strbuf.h"
#include "wire/wire.h"

#include <stdlib.h>
#include <string.h>

bool vr_api_flag(const vr_req *r, const char *key)
{
    const char *v = vr_req_query(r, key);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || !*v);
}

void vr_api_reply_err(vr_req *r, vr_err code, const char *msg)
{
    vr_req_reply_error(r, vr_err_http_status(code), vr_err_code(code), "%s", msg ? msg : "failed");
}

void vr_api_reply_list(vr_api_call *c, const vr_wire_schema *s, const char *key, size_t n,
                       void (*view)(size_t i, void *items, void *out), void *items, bool owned)
{
    vr_api_reply_list_to(c->req, s, key, n, view, items, owned);
}

void vr_api_reply_list_to(vr_req *req, const vr_wire_schema *s, const char *key, size_t n,
                          void (*view)(size_t i, void *items, void *out), void *items, bool owned)
{
    vr_strbuf b = {0};
    vr_wire_list l;
    vr_wire_list_begin(&l, &b, s, key, vr_api_flag(req, "rows"));
    void *one = vr_calloc(1, s->size);
    for (size_t i = 0; i < n; i++) {
        memset(one, 0, s->size);
        view(i, items, one);
        vr_wire_list_add(&l, one);
        if (owned)
            vr_wire_clear(s, one);
    }
    free(one);
    vr_wire_list_end(&l);
    vr_req_reply_text(req, 200, "application/json", vr_strbuf_take(&b));
}

json_object *vr_api_ok(void)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ok", json_object_new_boolean(1));
    return o;
}

/* ---- routing ---- */

const vr_api_route *const vr_api_route_tables[] = {
    vr_api_host_routes,
    vr_api_host_list_routes,
    vr_api_network_routes, /* before domains: it serves domains/NAME/interfaces */
    vr_api_storage_routes,
    vr_api_secret_routes,
    vr_api_snapshot_routes, /* before domains: POST domains/NAME/snapshots */
    vr_api_clone_routes,    /* before domains: POST domains/NAME/clone */
    vr_api_image_routes,    /* before domains: POST domains/NAME/template */
    vr_api_backup_routes,   /* before domains: POST domains/NAME/backup */
    vr_api_install_routes,
    vr_api_vnc_routes,      /* before domains: GET domains/NAME/vnc */
    vr_api_agent_routes,    /* before domains: POST domains/NAME/agent */
    vr_api_disk_routes,     /* before domains: GET domains/NAME/disks */
    vr_api_device_routes,   /* before domains: POST domains/NAME/devices, blockresize */
    vr_api_guest_routes,    /* before domains: POST domains/NAME/reset, send-key, monitor */
    vr_api_save_routes,     /* before domains: POST domains/NAME/save, managedsave, domains/restore */
    vr_api_desc_routes,
    vr_api_blockjob_routes, /* before domains: POST domains/NAME/blockcommit, blockpull */
    vr_api_domain_routes,
    vr_api_web_routes,
    NULL,
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

/* Every request is checked against the peer's credentials (SO_PEERCRED
 * on the unix socket) and the socket it came in on; on the read-only
 * socket, after routing, against the access its route declares. */
static bool allowed(const vr_api *api, vr_req *req)
{
    if (api->web)
        return vr_web_auth_allowed(api->web_auth, req);
    uid_t uid = vr_req_peer_uid(req);
    if (api->session) {
        if (uid == api->owner)
            return true;
        vr_req_reply_error(req, 403, "denied", "this is %s's session daemon; connect to your own "
                           "(vireo:///session) or to vireo:///system", vr_access_user_name(api->owner));
        return false;
    }
    if (api->read_only || vr_access_may_manage(uid, api->owner, api->session))
        return true;
    vr_req_reply_error(req, 403, "denied", "user %s may not manage %s: add it to group vireo "
                       "(usermod -aG vireo %s) or use the read-only connection (vireo -r)",
                       vr_access_user_name(uid), api->uri, vr_access_user_name(uid));
    return false;
}

/* The read-only socket serves what the access rule lets it (core/access.h:
 * VR_API_READ; and answers 404/405 for paths and methods there is no
 * route for). */
bool vr_api_allowed(const vr_api *api, vr_req *req, vr_access access)
{
    if (!api->read_only || api->web || vr_access_read_only_allows(access))
        return true;
    /* Consoles take input; the guest's agent's answers and its disks'
     * bytes are the guest's own (libvirt's rule for its read-only
     * connections). */
    bool guest = access == VR_API_GUEST;
    vr_req_reply_error(req, 403, "denied", "the read-only connection cannot %s%s %s; that needs "
                       "root or group vireo (usermod -aG vireo %s)",
                       access == VR_API_CONSOLE ? "attach to" : guest ? "read the guest's own data through " : "",
                       access == VR_API_CONSOLE ? "" : vr_req_method(req), vr_req_path(req),
                       vr_access_user_name(vr_req_peer_uid(req)));
    return false;
}

static bool route_allowed(const vr_api *api, vr_req *req, const vr_api_route *route)
{
    return !route || vr_api_allowed(api, req, route->access);
}

/* False after answering 413: the body is over the route's limit. */
static bool body_fits(vr_req *req, const vr_api_route *r)
{
    size_t len, max = r->max_body ? r->max_body : VR_API_BODY_SMALL;
    vr_req_body(req, &len);
    if (len <= max)
        return true;
    vr_req_reply_error(req, 413, "too_large", "the body of %s %s is %zu bytes; it takes at most %zu KiB "
                       "(see docs/api.md)", vr_req_method(req), vr_req_path(req), len, max / 1024);
    return false;
}

void vr_api_handle(vr_req *req, void *opaque)
{
    vr_api *api = opaque;
    if (!allowed(api, req))
        return;
    const char *path = vr_req_path(req);
    /* Names in paths are echoed in answers: JSON must stay UTF-8. */
    if (!vr_utf8_valid(path, strlen(path))) {
        vr_req_reply_error(req, 400, "invalid", "the path is not valid UTF-8 (no name holds such bytes)");
        return;
    }
    if (!vr_str_starts(path, "/v1/")) {
        vr_req_reply_error(req, 404, "not_found", "unknown path %s (the API lives under /v1/)", path);
        return;
    }
    vr_api_call c = {.api = api, .req = req};
    char *copy = vr_strdup(path + 4), *save = NULL;
    for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        c.seg = vr_realloc(c.seg, (c.n + 1) * sizeof(*c.seg));
        c.seg[c.n++] = p;
    }
    bool path_known = false;
    const vr_api_route *hit = NULL;
    /* hosts/NAME/api/v1/…: any method, any depth, for another host. */
    bool forward = c.n >= 4 && strcmp(c.seg[0], "hosts") == 0 && strcmp(c.seg[2], "api") == 0;
    if (forward) {
        /* The other host is reached with this daemon's own key and rights:
         * the read-only socket forwards reads only (streams, which may
         * write, are refused by the forwarder itself). */
        static const vr_api_route read = {"GET", "hosts/*/api", NULL, VR_API_READ},
                                  write = {"*", "hosts/*/api", NULL, VR_API_WRITE};
        bool get = strcmp(vr_req_method(req), "GET") == 0;
        if (route_allowed(api, req, get ? &read : &write))
            vr_api_hosts_forward(&c);
        free(c.seg);
        free(copy);
        return;
    }
    for (size_t t = 0; vr_api_route_tables[t] && !hit; t++) {
        for (const vr_api_route *r = vr_api_route_tables[t]; r->method && !hit; r++) {
            if (!match(r->pattern, c.seg, c.n))
                continue;
            path_known = true;
            if (strcmp(r->method, vr_req_method(req)) == 0)
                hit = r;
        }
    }
    if (!route_allowed(api, req, hit)) {
        /* answered */
    } else if (hit) {
        if (body_fits(req, hit))
            hit->fn(&c);
    } else if (path_known) {
        vr_req_reply_error(req, 405, "invalid", "%s is not allowed on %s", vr_req_method(req), path);
    } else {
        vr_req_reply_error(req, 404, "not_found", "unknown path %s", path);
    }
    free(c.seg);
    free(copy);
}
