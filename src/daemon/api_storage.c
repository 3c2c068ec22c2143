/* API: storage pools, volumes, their uploads and downloads, and the job
 * table that copies report to. docs/api.md documents every endpoint. */
#include "daemon/api.h"
#include "conf/names.h"
#include "daemon/jobs.h"
#include "conf/units.h"
#include "common/util.h"
#include "core/storage_ops.h"
#include "core/views.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

/* ---- JSON forms ---- */

static json_object *pool_json(vr_pool *p)
{
    vireo_pool view;
    vr_core_pool_view(p, &view);
    return vr_wire_to_json(&vr_wire_pool, &view);
}

static json_object *vol_json(const vr_vol_info *v)
{
    vireo_vol view;
    vr_core_vol_view(v, &view);
    return vr_wire_to_json(&vr_wire_vol, &view);
}

static void reply(vr_api_call *c, vr_err code, const char *err, int status, json_object *ok)
{
    if (code != VR_OK) {
        json_object_put(ok);
        vr_api_reply_err(c->req, code, err);
    } else {
        vr_req_reply_json(c->req, status, ok ? ok : vr_api_ok());
    }
}

static vr_storage_driver *drv(vr_api_call *c) { return c->api->storage; }

static vr_pool *find_pool(vr_api_call *c)
{
    vr_pool *p = vr_storage_pool_lookup(drv(c), c->seg[1]);
    if (!p)
        vr_req_reply_error(c->req, 404, "not_found",
                           "pool '%s' not found (vireo pool-list --all shows the defined ones)", c->seg[1]);
    return p;
}


/* ---- pools ---- */

static void pool_row(size_t i, void *pools, void *out) { vr_core_pool_view(((vr_pool **)pools)[i], out); }

static void list_pools(vr_api_call *c)
{
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv(c), &n);
    vr_api_reply_list(c, &vr_wire_pool, "pools", n, pool_row, (void *)pools, false);
}

/* XML (pool-define) or JSON (pool-define-as): {"name","type","target"}
 * and the source options virsh's pool-define-as has ("source_dev",
 * "source_format", "source_host", "source_path", "source_name",
 * "auth_type", "auth_username", "secret_uuid"). */
static void define_pool(vr_api_call *c)
{
    const char *body = vr_req_body(c->req, NULL);
    const char *ct = vr_req_header(c->req, "Content-Type");
    char *err = NULL;
    vr_pool *p = NULL;
    vr_err code;
    if (ct && vr_str_starts(ct, "application/json")) {
        json_object *o = vr_api_body_json(c);
        vr_pool_fields f = {0};
        if (!o)
            return;
        if (vr_api_str(c, o, "name", &f.name) < 0 || vr_api_str(c, o, "type", &f.type) < 0 ||
            vr_api_str(c, o, "target", &f.target) < 0 || vr_api_str(c, o, "source_dev", &f.source_dev) < 0 ||
            vr_api_str(c, o, "source_format", &f.source_format) < 0 ||
            vr_api_str(c, o, "source_host", &f.source_host) < 0 ||
            vr_api_str(c, o, "source_path", &f.source_path) < 0 ||
            vr_api_str(c, o, "source_name", &f.source_name) < 0 ||
            vr_api_str(c, o, "auth_type", &f.auth_type) < 0 ||
            vr_api_str(c, o, "auth_username", &f.auth_username) < 0 ||
            vr_api_str(c, o, "secret_uuid", &f.secret_uuid) < 0 ||
            vr_api_str(c, o, "source_initiator", &f.source_initiator) < 0) {
            json_object_put(o);
            return;
        }
        if (!f.type)
            f.type = "dir";
        vr_pool_def *def = vr_pool_def_from_fields(&f, &err);
        code = def ? vr_storage_pool_define_def(drv(c), def, &p, &err) : VR_ERR_INVALID;
        json_object_put(o);
    } else if (!(body = vr_api_body_xml(c, "pool"))) {
        return;
    } else {
        code = vr_storage_pool_define(drv(c), body, &p, &err);
    }
    reply(c, code, err, 201, code == VR_OK ? pool_json(p) : NULL);
    free(err);
}

static void get_pool(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (p)
        vr_req_reply_json(c->req, 200, pool_json(p));
}

static void undefine_pool(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    char *err = NULL;
    vr_err code = vr_storage_pool_undefine(p, &err);
    reply(c, code, err, 200, NULL);
    free(err);
}

static void pool_xml(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (p)
        vr_req_reply_text(c->req, 200, "application/xml", vr_storage_pool_xml(p));
}

/* pool-build's optional body {"overwrite": bool, "no_overwrite": bool}. */
static int build_flags(vr_api_call *c, unsigned *flags)
{
    size_t len = 0;
    const char *body = vr_req_body(c->req, &len);
    if (!body || !len)
        return 0;
    json_object *o = vr_api_body_json(c), *v;
    if (!o)
        return -1;
    if (json_object_object_get_ex(o, "overwrite", &v) && json_object_get_boolean(v))
        *flags |= VR_POOL_BUILD_OVERWRITE;
    if (json_object_object_get_ex(o, "no_overwrite", &v) && json_object_get_boolean(v))
        *flags |= VR_POOL_BUILD_NO_OVERWRITE;
    json_object_put(o);
    return 0;
}

/* POST pools/NAME/ACTION: a route each, one way to answer. */
static void pool_run(vr_api_call *c, vr_err (*fn)(vr_pool *, char **))
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    char *err = NULL;
    vr_err code = fn(p, &err);
    reply(c, code, err, 200, code == VR_OK ? pool_json(p) : NULL);
    free(err);
}

/* pool-start answers once the pool's check ends (beside the loop for
 * iscsi-direct and rbd pools: a slow portal stalls nobody else meanwhile;
 * the pool refuses undefine and delete until then). */
typedef struct {
    vr_req *req;
    vr_pool *pool;
} start_ctx;

static void on_pool_started(vr_err code, const char *err, void *opaque)
{
    start_ctx *x = opaque;
    if (code != VR_OK)
        vr_api_reply_err(x->req, code, err);
    else
        vr_req_reply_json(x->req, 200, pool_json(x->pool));
    free(x);
}

static void pool_start(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    start_ctx *x = vr_calloc(1, sizeof(*x));
    x->req = c->req;
    x->pool = p;
    vr_req_defer(c->req);
    vr_storage_pool_start_async(p, on_pool_started, x);
}

static void pool_destroy(vr_api_call *c) { pool_run(c, vr_storage_pool_destroy); }
static void pool_delete(vr_api_call *c) { pool_run(c, vr_storage_pool_delete); }
static void pool_refresh(vr_api_call *c) { pool_run(c, vr_storage_pool_refresh); }

static void pool_build(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    char *err = NULL;
    unsigned flags = 0;
    if (build_flags(c, &flags) < 0)
        return;
    vr_err code = vr_storage_pool_build_flags(p, flags, &err);
    reply(c, code, err, 200, code == VR_OK ? pool_json(p) : NULL);
    free(err);
}

static void pool_autostart(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    json_object *o = vr_api_body_json(c), *v = NULL;
    if (!o)
        return;
    if (!json_object_object_get_ex(o, "autostart", &v) || !json_object_is_type(v, json_type_boolean)) {
        json_object_put(o);
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"autostart\": true|false}");
        return;
    }
    char *err = NULL;
    vr_err code = vr_storage_pool_set_autostart(p, json_object_get_boolean(v), &err);
    json_object_put(o);
    reply(c, code, err, 200, code == VR_OK ? pool_json(p) : NULL);
    free(err);
}

static void pool_capabilities(vr_api_call *c)
{
    vr_req_reply_text(c->req, 200, "application/xml", vr_pool_capabilities_format());
}

/* {"type": "disk"|"iscsi-direct"|"rbd", "spec": "<source>…</source>"}:
 * libvirt's <sources> XML, answered when the discovery ends (beside the
 * loop for a portal or a Ceph monitor: other clients are served meanwhile). */
static void on_sources_found(vr_err code, char *xml, const char *err, void *opaque)
{
    vr_req *req = opaque;
    if (code)
        vr_api_reply_err(req, code, err);
    else
        vr_req_reply_text(req, 200, "application/xml", xml);
}

static void find_sources(vr_api_call *c)
{
    json_object *o = vr_api_body_json(c);
    const char *type = NULL, *spec = NULL;
    if (!o)
        return;
    if (vr_api_str(c, o, "type", &type) < 0 || vr_api_str(c, o, "spec", &spec) < 0) {
        json_object_put(o);
        return;
    }
    vr_req_defer(c->req);
    vr_storage_find_sources(drv(c), type, spec, on_sources_found, c->req);
    json_object_put(o);
}

/* ---- volumes ---- */

static void vol_row(size_t i, void *vols, void *out) { vr_core_vol_view(&((vr_vol_info *)vols)[i], out); }

static void list_vols(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    vr_vol_info *v;
    size_t n;
    char *err = NULL;
    vr_err code = vr_storage_vol_list(p, &v, &n, &err);
    if (code != VR_OK) {
        reply(c, code, err, 200, NULL);
        free(err);
        return;
    }
    vr_api_reply_list(c, &vr_wire_vol, "volumes", n, vol_row, v, false);
    vr_vol_info_list_free(v, n);
}

/* vol-create-as's JSON body {"name","capacity","format","backing_volume",
 * "backing_format"} as a volume definition (*backing: the backing
 * volume's name, or NULL), or NULL after answering 400. */
vr_vol_def *vr_api_vol_json(vr_api_call *c, json_object *o, const char **backing)
{
    const char *name, *format, *bformat;
    unsigned long long cap = 0;
    int hc;
    char *err = NULL;
    *backing = NULL;
    if (vr_api_str(c, o, "name", &name) < 0 || (hc = vr_api_size(c, o, "capacity", &cap)) < 0 ||
        vr_api_str(c, o, "format", &format) < 0 || vr_api_str(c, o, "backing_volume", backing) < 0 ||
        vr_api_str(c, o, "backing_format", &bformat) < 0)
        return NULL;
    vr_vol_def *def = vr_calloc(1, sizeof(*def));
    def->mode = -1;
    def->name = vr_strdup(name);
    def->capacity = cap;
    def->format = VR_VOL_RAW;
    const char *bad = NULL;
    if (!name || !vr_name_check(VR_NAME_VOLUME, name, &err))
        bad = err ? err : "a volume needs a name";
    else if (format && !vr_vol_format_parse(format, &def->format))
        bad = "format must be raw or qcow2";
    else if (bformat && !vr_vol_format_parse(bformat, &def->backing_format))
        bad = "backing_format must be raw or qcow2";
    else if (hc == 0 && !*backing)
        bad = "a volume needs a capacity (e.g. \"10G\")";
    def->backing_format_set = bformat != NULL;
    if (bad) {
        vr_req_reply_error(c->req, 400, "invalid", "%s", bad);
        vr_vol_def_free(def);
        free(err);
        return NULL;
    }
    return def;
}

/* The answer of a vol-create: 201 and the volume, or the error. An rbd
 * pool's creation runs beside the loop and answers when it ends. */
static void on_vol_made(vr_err code, const char *err, const vr_vol_info *v, void *opaque)
{
    vr_req *req = opaque;
    if (code != VR_OK)
        vr_api_reply_err(req, code, err);
    else
        vr_req_reply_json(req, 201, vol_json(v));
}

/* XML (vol-create) or JSON (vol-create-as, vr_api_vol_json). */
static void create_vol(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    const char *body = vr_req_body(c->req, NULL);
    const char *ct = vr_req_header(c->req, "Content-Type");
    vr_vol_def *def = NULL;
    const char *backing = NULL;
    json_object *o = NULL;
    if (ct && vr_str_starts(ct, "application/json")) {
        if (!(o = vr_api_body_json(c)))
            return;
        if (!(def = vr_api_vol_json(c, o, &backing))) {
            json_object_put(o);
            return;
        }
    } else if (!(body = vr_api_body_xml(c, "volume"))) {
        return;
    }
    vr_req_defer(c->req);
    if (def)
        vr_storage_vol_create_async(p, def, backing, on_vol_made, c->req);
    else
        vr_core_vol_create_xml(p, body, on_vol_made, c->req);
    vr_vol_def_free(def);
    json_object_put(o);
}

/* The volume of /pools/P/volumes/V, or NULL after answering. */
static vr_pool *find_vol(vr_api_call *c, vr_vol_info *v)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return NULL;
    char *err = NULL;
    vr_err code = vr_storage_vol_get(p, c->seg[3], v, &err);
    if (code != VR_OK) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        return NULL;
    }
    return p;
}

static void get_vol(vr_api_call *c)
{
    vr_vol_info v;
    if (!find_vol(c, &v))
        return;
    vr_req_reply_json(c->req, 200, vol_json(&v));
    vr_vol_info_clear(&v);
}

static void vol_xml(vr_api_call *c)
{
    vr_vol_info v;
    if (!find_vol(c, &v))
        return;
    vr_req_reply_text(c->req, 200, "application/xml", vr_storage_vol_xml(&v));
    vr_vol_info_clear(&v);
}

static void vol_by_path(vr_api_call *c)
{
    const char *path = vr_req_query(c->req, "path");
    if (!path || !*path) {
        vr_req_reply_error(c->req, 400, "invalid", "give the volume's file as ?path=/...");
        return;
    }
    vr_vol_info v;
    vr_pool *p;
    char *err = NULL;
    vr_err code = vr_storage_vol_by_path(drv(c), path, &p, &v, &err);
    reply(c, code, err, 200, code == VR_OK ? vol_json(&v) : NULL);
    if (code == VR_OK)
        vr_vol_info_clear(&v);
    free(err);
}

static void delete_vol(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    char *err = NULL;
    vr_err code = vr_storage_vol_delete(p, c->seg[3], &err);
    reply(c, code, err, 200, NULL);
    free(err);
}

/* {"capacity": "2G"|bytes, "delta": bool, "shrink": bool} */
/* {"algorithm": "zero"} or no body: libvirt's default, the only one. */
static void wipe_vol(vr_api_call *c)
{
    vr_vol_info v;
    vr_pool *p = find_vol(c, &v);
    if (!p)
        return;
    size_t len = 0;
    vr_req_body(c->req, &len);
    json_object *o = len ? vr_api_body_json(c) : NULL;
    const char *alg = NULL;
    if ((len && !o) || (o && vr_api_str(c, o, "algorithm", &alg) < 0)) {
        json_object_put(o);
        vr_vol_info_clear(&v);
        return;
    }
    char *err = NULL;
    vr_err code;
    if (alg && strcmp(alg, "zero") != 0) {
        err = vr_asprintf("wipe algorithm '%s' is not supported by Vireo (zero is)", alg);
        code = VR_ERR_UNSUPPORTED;
    } else {
        code = vr_storage_vol_wipe(p, v.name, &err);
    }
    reply(c, code, err, 200, code == VR_OK ? vol_json(&v) : NULL);
    free(err);
    json_object_put(o);
    vr_vol_info_clear(&v);
}

static void resize_vol(vr_api_call *c)
{
    vr_vol_info v;
    vr_pool *p = find_vol(c, &v);
    if (!p)
        return;
    json_object *o = vr_api_body_json(c);
    unsigned long long cap = 0;
    int hc = o ? vr_api_size(c, o, "capacity", &cap) : -1;
    if (hc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "resize needs a capacity (e.g. \"20G\")");
    if (hc <= 0) {
        json_object_put(o);
        vr_vol_info_clear(&v);
        return;
    }
    if (vr_api_bool(o, "delta") && __builtin_add_overflow(cap, v.capacity, &cap)) {
        vr_req_reply_error(c->req, 400, "invalid", "the new capacity is too large");
    } else {
        char *err = NULL;
        vr_err code = vr_storage_vol_resize(p, v.name, cap, vr_api_bool(o, "shrink"), &err);
        vr_vol_info nv = {0};
        if (code == VR_OK)
            code = vr_storage_vol_get(p, v.name, &nv, &err);
        reply(c, code, err, 200, code == VR_OK ? vol_json(&nv) : NULL);
        vr_vol_info_clear(&nv);
        free(err);
    }
    json_object_put(o);
    vr_vol_info_clear(&v);
}

/* ---- vol-clone: a job ---- */

typedef struct {
    vr_job *job;
    vr_storage_copy *copy;
    char *pool, *name;
    vr_api *api;
} clone_ctx;

static void on_vol_progress(double pct, void *opaque)
{
    clone_ctx *x = opaque;
    vr_job_progress(x->job, pct, "copying");
}

static void on_vol_cloned(vr_err code, const char *err, void *opaque)
{
    clone_ctx *x = opaque;
    json_object *result = NULL;
    if (code == VR_OK) {
        result = json_object_new_object();
        json_object_object_add(result, "pool", json_object_new_string(x->pool));
        json_object_object_add(result, "volume", json_object_new_string(x->name));
    }
    vr_job_finish(x->job, code, err, result);
    free(x->pool);
    free(x->name);
    free(x);
}

/* vol-create-from: the new volume named by the XML. */
static void on_vol_created(vr_err code, const char *err, const vr_vol_info *vol, void *opaque)
{
    clone_ctx *x = opaque;
    if (vol) {
        free(x->name);
        x->name = vr_strdup(vol->name);
    }
    on_vol_cloned(code, err, x);
}

static void cancel_copy(void *opaque)
{
    vr_storage_copy_cancel(((clone_ctx *)opaque)->copy);
}

static void clone_vol(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    json_object *o = vr_api_body_json(c);
    const char *name = NULL, *into = NULL, *xml = NULL;
    if (!o || vr_api_str(c, o, "name", &name) < 0 || vr_api_str(c, o, "pool", &into) < 0 ||
        vr_api_str(c, o, "xml", &xml) < 0) {
        json_object_put(o);
        return;
    }
    char *err = NULL;
    /* "xml": vol-create-from, the new volume named by its <volume> */
    if (!xml && (!name || !vr_name_check(VR_NAME_VOLUME, name, &err))) {
        vr_req_reply_error(c->req, 400, "invalid", "%s", err ? err : "vol-clone needs the new volume's name");
        free(err);
        json_object_put(o);
        return;
    }
    /* "pool": vol-create-from --inputpool, into another pool. */
    vr_pool *dst = into ? vr_storage_pool_lookup(drv(c), into) : p;
    if (!dst) {
        vr_req_reply_error(c->req, 404, "not_found", "pool '%s' not found (vireo pool-list --all shows the defined ones)",
                           into);
        json_object_put(o);
        return;
    }
    clone_ctx *x = vr_calloc(1, sizeof(*x));
    x->pool = vr_strdup(dst->def->name);
    x->name = vr_strdup(name ? name : "");
    x->api = c->api;
    char *target = vr_asprintf("%s/%s", p->def->name, c->seg[3]);
    x->job = vr_job_new(c->api->jobs, "vol-clone", target);
    free(target);
    vr_err code;
    x->copy = xml ? vr_core_vol_create_from(drv(c), dst, xml, p, c->seg[3], on_vol_progress, on_vol_created, x,
                                            &code, &err)
                  : vr_storage_vol_clone_to(p, c->seg[3], dst, name, on_vol_progress, on_vol_cloned, x, &code, &err);
    json_object_put(o);
    if (!x->copy) {
        vr_job_finish(x->job, code, err, NULL);
        vr_api_reply_err(c->req, code, err);
        free(err);
        free(x->pool);
        free(x->name);
        free(x);
        return;
    }
    vr_job_set_cancel(x->job, cancel_copy, x);
    vr_req_reply_json(c->req, 202, vr_job_json(x->job));
}

/* ---- upload / download ---- */

static void on_transfer_done(void *opaque)
{
    vr_http_upgrade_close(opaque);
}

static void on_transfer_upgraded(vr_upgraded *up, int fd, const char *initial, size_t n, void *opaque)
{
    vr_transfer_run(opaque, fd, initial, n, on_transfer_done, up);
}

/* The client left before the stream began: the pool is not busy with it. */
static void on_transfer_dropped(void *opaque) { vr_transfer_abort(opaque); }

static void upload_vol(vr_api_call *c)
{
    /* Browsers open WebSockets with GET only: GET is the upload for them,
     * and for nobody else (a plain GET must never start one). */
    if (strcmp(vr_req_method(c->req), "GET") == 0 && !vr_req_websocket(c->req)) {
        vr_req_reply_error(c->req, 405, "invalid", "an upload is a POST with Upgrade: vireo-stream, or "
                           "a WebSocket (GET with Upgrade: websocket)");
        return;
    }
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    const char *len = vr_req_query(c->req, "length");
    unsigned long long length;
    char *end = NULL;
    if (!len || !*len || *len == '-' || (length = strtoull(len, &end, 10), *end)) {
        vr_req_reply_error(c->req, 400, "invalid", "upload needs ?length=BYTES");
        return;
    }
    vr_transfer *t = NULL;
    char *err = NULL;
    vr_err code = vr_storage_upload_prepare(p, c->seg[3], length, &t, &err);
    if (code != VR_OK) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        return;
    }
    vr_req_upgrade(c->req, "vireo-stream", on_transfer_upgraded, on_transfer_dropped, t);
}

static void download_vol(vr_api_call *c)
{
    vr_pool *p = find_pool(c);
    if (!p)
        return;
    vr_transfer *t = NULL;
    char *err = NULL;
    vr_err code = vr_storage_download_prepare(p, c->seg[3], &t, &err);
    if (code != VR_OK) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        return;
    }
    vr_req_upgrade(c->req, "vireo-stream", on_transfer_upgraded, on_transfer_dropped, t);
}

/* ---- jobs ---- */

static vr_job *find_job(vr_api_call *c)
{
    char *end;
    unsigned long id = strtoul(c->seg[1], &end, 10);
    vr_job *j = *end ? NULL : vr_jobs_lookup(c->api->jobs, (unsigned)id);
    if (!j)
        vr_req_reply_error(c->req, 404, "not_found", "job '%s' not found (finished jobs are kept "
                           "for a while only; vireo job-list shows them)", c->seg[1]);
    return j;
}

static void list_jobs(vr_api_call *c)
{
    vr_req_reply_json(c->req, 200, vr_jobs_json(c->api->jobs));
}

static void get_job(vr_api_call *c)
{
    vr_job *j = find_job(c);
    if (j)
        vr_req_reply_json(c->req, 200, vr_job_json(j));
}

static void cancel_job(vr_api_call *c)
{
    vr_job *j = find_job(c);
    if (!j)
        return;
    if (!vr_job_cancel(j))
        vr_req_reply_error(c->req, 409, "conflict", "job %u has already finished", vr_job_id(j));
    else
        vr_req_reply_json(c->req, 200, vr_job_json(j));
}

const vr_api_route vr_api_storage_routes[] = {
    {"GET", "pools", list_pools, VR_API_READ},
    {"POST", "pools", define_pool, VR_API_WRITE, VR_API_BODY_DEFINITION},
    {"GET", "pools/*", get_pool, VR_API_READ},
    {"DELETE", "pools/*", undefine_pool},
    {"GET", "pools/*/xml", pool_xml, VR_API_READ},
    {"PUT", "pools/*/autostart", pool_autostart},
    {"GET", "pools/*/volumes", list_vols, VR_API_READ},
    {"POST", "pools/*/volumes", create_vol},
    {"POST", "pools/*/start", pool_start},
    {"POST", "pools/*/destroy", pool_destroy},
    {"POST", "pools/*/build", pool_build},
    {"POST", "pools/*/delete", pool_delete},
    {"POST", "pools/*/refresh", pool_refresh},
    {"GET", "pools/*/volumes/*", get_vol, VR_API_READ},
    {"DELETE", "pools/*/volumes/*", delete_vol},
    {"GET", "pools/*/volumes/*/xml", vol_xml, VR_API_READ},
    {"POST", "pools/*/volumes/*/resize", resize_vol},
    {"POST", "pools/*/volumes/*/clone", clone_vol},
    {"POST", "pools/*/volumes/*/wipe", wipe_vol},
    {"POST", "pools/*/volumes/*/upload", upload_vol},
    {"GET", "pools/*/volumes/*/upload", upload_vol, VR_API_WRITE}, /* WebSocket (browsers): it writes */
    {"GET", "pools/*/volumes/*/download", download_vol, VR_API_GUEST}, /* a disk's bytes: read-write only */
    {"GET", "volumes", vol_by_path, VR_API_READ},
    {"POST", "pool-sources", find_sources}, /* a probe, but it logs in to portals: read-write callers */
    {"GET", "pool-capabilities", pool_capabilities, VR_API_READ},
    {"GET", "jobs", list_jobs, VR_API_READ},
    {"GET", "jobs/*", get_job, VR_API_READ},
    {"DELETE", "jobs/*", cancel_job},
    {0},
};
