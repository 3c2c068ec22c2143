/* API: domain snapshots (docs/api.md, "Snapshots"). */
#include "daemon/api.h"
#include "core/snapshot_ops.h"
#include "core/blockchain_ops.h"
#include "common/util.h"
#include "core/views.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_object *snap_json(const vr_snapshot_def *s)
{
    vireo_snapshot view;
    vr_core_snapshot_view(s, &view);
    return vr_wire_to_json(&vr_wire_snapshot, &view);
}

static void list_snaps(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    vr_snapshot_def **l;
    size_t n;
    vr_qemu_snapshot_list(dom, &l, &n, NULL);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, snap_json(l[i]));
    vr_qemu_snapshot_list_free(l, n);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "snapshots", arr);
    vr_req_reply_json(c->req, 200, o);
}

static vr_snapshot_def *find_snap(vr_api_call *c, vr_domain **dom)
{
    *dom = vr_api_find_domain(c);
    if (!*dom)
        return NULL;
    vr_snapshot_def *s = NULL;
    char *err = NULL;
    vr_err code = vr_qemu_snapshot_get(*dom, c->seg[3], &s, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    free(err);
    return s;
}

static void get_snap(vr_api_call *c)
{
    vr_domain *dom;
    vr_snapshot_def *s = find_snap(c, &dom);
    if (s)
        vr_req_reply_json(c->req, 200, snap_json(s));
    vr_snapshot_def_free(s);
}

static void snap_xml(vr_api_call *c)
{
    vr_domain *dom;
    vr_snapshot_def *s = find_snap(c, &dom);
    if (s)
        vr_req_reply_text(c->req, 200, "application/xml", vr_snapshot_def_format(s));
    vr_snapshot_def_free(s);
}

/* Deferred answers: the snapshot (create) or {"ok":true}. */
typedef struct {
    vr_api *api;
    vr_req *req;
    char *dom, *snap;
    bool show;
} pending;

static pending *pend(vr_api_call *c, const char *dom, const char *snap, bool show)
{
    pending *p = vr_calloc(1, sizeof(*p));
    p->api = c->api;
    p->req = c->req;
    p->dom = vr_strdup(dom);
    p->snap = vr_strdup(snap);
    p->show = show;
    vr_req_defer(c->req);
    return p;
}

static void on_done(vr_err code, const char *err, void *opaque)
{
    pending *p = opaque;
    vr_domain *dom = vr_qemu_lookup(p->api->qemu, p->dom);
    vr_snapshot_def *s = NULL;
    if (code != VR_OK)
        vr_api_reply_err(p->req, code, err);
    else if (p->show && dom && vr_qemu_snapshot_get(dom, p->snap, &s, NULL) == VR_OK)
        vr_req_reply_json(p->req, 201, snap_json(s));
    else
        vr_req_reply_json(p->req, 200, vr_api_ok());
    vr_snapshot_def_free(s);
    free(p->dom);
    free(p->snap);
    free(p);
}

/* {"name": "...", "description": "..."}; no name: the time in seconds */
static void create_snap(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    json_object *o = vr_api_body_json(c), *name = NULL, *desc = NULL;
    if (!o)
        return;
    bool named = json_object_object_get_ex(o, "name", &name) && name;
    if (named && !json_object_is_type(name, json_type_string)) {
        json_object_put(o);
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"name\": \"...\", \"description\": \"...\"}");
        return;
    }
    json_object_object_get_ex(o, "description", &desc);
    char *stamp = vr_core_snapshot_default_name();
    const char *n = named ? json_object_get_string(name) : stamp;
    if (named && strlen(n) != (size_t)json_object_get_string_len(name)) {
        free(stamp);
        json_object_put(o);
        vr_req_reply_error(c->req, 400, "invalid", "the snapshot name holds a NUL character");
        return;
    }
    if (vr_api_bool(o, "disk_only"))
        vr_core_snapshot_disk_only(dom, n, desc ? json_object_get_string(desc) : NULL, on_done,
                                   pend(c, dom->def->name, n, true));
    else
        vr_qemu_snapshot_create(dom, n, desc ? json_object_get_string(desc) : NULL, on_done,
                                pend(c, dom->def->name, n, true));
    free(stamp);
    json_object_put(o);
}

static void revert_snap(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        vr_qemu_snapshot_revert(dom, c->seg[3], on_done, pend(c, dom->def->name, c->seg[3], false));
}

static void delete_snap(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (dom)
        vr_qemu_snapshot_delete(dom, c->seg[3], on_done, pend(c, dom->def->name, c->seg[3], false));
}

const vr_api_route vr_api_snapshot_routes[] = {
    {"GET", "domains/*/snapshots", list_snaps, VR_API_READ},
    {"POST", "domains/*/snapshots", create_snap},
    {"GET", "domains/*/snapshots/*", get_snap, VR_API_READ},
    {"DELETE", "domains/*/snapshots/*", delete_snap},
    {"GET", "domains/*/snapshots/*/xml", snap_xml, VR_API_READ},
    {"POST", "domains/*/snapshots/*/revert", revert_snap},
    {0},
};
