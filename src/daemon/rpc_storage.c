/* libvirt protocol: storage pools and volumes, through the storage
 * driver (and the core's vol-create) as api_storage.c calls them. A
 * volume's key is its path, as in libvirt's dir pools. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/storage_ops.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static vr_storage_driver *drv(vr_rpc_call *c) { return c->api->storage; }

static void pool_wire(vrp_pool *out, const vr_pool *p)
{
    out->name = vr_strdup(p->def->name);
    vr_rpc_uuid_wire(out->uuid, p->def->uuid);
}

static void vol_wire(vrp_vol *out, const vr_vol_info *v)
{
    out->pool = vr_strdup(v->pool);
    out->name = vr_strdup(v->name);
    out->key = vr_strdup(v->path);
}

static vr_pool *find_pool(vr_rpc_call *c, const vrp_pool *wp)
{
    char uuid[37];
    vr_rpc_uuid_text(wp->uuid, uuid);
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv(c), &n);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(pools[i]->def->uuid, uuid) == 0)
            return pools[i];
    vr_rpc_fail(c, VIR_ERR_NO_STORAGE_POOL, "no storage pool with matching uuid '%s' (%s)", uuid,
                wp->name ? wp->name : "");
    return NULL;
}

static vr_pool *arg_pool(vr_rpc_call *c) { return find_pool(c, &((vrp_pool_args *)c->args)->pool); }

/* The volume a call names, into *v (clear it), or NULL after answering. */
static vr_pool *find_vol(vr_rpc_call *c, const vrp_vol *wv, vr_vol_info *v)
{
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv(c), &n);
    vr_pool *p = NULL;
    for (size_t i = 0; i < n && !p; i++)
        if (strcmp(pools[i]->def->name, wv->pool) == 0)
            p = pools[i];
    char *err = NULL;
    if (!p || vr_storage_vol_get(p, wv->name, v, &err) != VR_OK) {
        vr_rpc_fail(c, VIR_ERR_NO_STORAGE_VOL, "no storage vol with matching name '%s'", wv->name);
        free(err);
        return NULL;
    }
    return p;
}

/* ---- pools ---- */

static vr_rpc_result pool_lookup_by_name(vr_rpc_call *c)
{
    const char *name = ((vrp_name_args *)c->args)->name;
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv(c), &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(pools[i]->def->name, name) == 0) {
            pool_wire(&((vrp_pool_ret *)c->ret)->pool, pools[i]);
            return VR_RPC_OK;
        }
    }
    return vr_rpc_fail(c, VIR_ERR_NO_STORAGE_POOL, "no storage pool with matching name '%s'", name);
}

static vr_rpc_result pool_lookup_by_uuid(vr_rpc_call *c)
{
    vrp_pool wp = {.name = ""};
    memcpy(wp.uuid, ((vrp_uuid_args *)c->args)->uuid, sizeof(wp.uuid));
    vr_pool *p = find_pool(c, &wp);
    if (!p)
        return VR_RPC_FAILED;
    pool_wire(&((vrp_pool_ret *)c->ret)->pool, p);
    return VR_RPC_OK;
}

static vr_rpc_result pool_lookup_by_volume(vr_rpc_call *c)
{
    const char *name = ((vrp_vol_args *)c->args)->vol.pool;
    vr_pool *p = vr_storage_pool_lookup(drv(c), name);
    if (!p)
        return vr_rpc_fail(c, VIR_ERR_NO_STORAGE_POOL, "no storage pool with matching name '%s'", name);
    pool_wire(&((vrp_pool_ret *)c->ret)->pool, p);
    return VR_RPC_OK;
}

static bool pool_matches(const vr_pool *p, unsigned f)
{
    enum { INACTIVE = 1, ACTIVE = 2, PERSISTENT = 4, TRANSIENT = 8, AUTOSTART = 16, NO_AUTOSTART = 32,
           TYPES = ~63u };
    if (!vr_rpc_filter(f, ACTIVE, INACTIVE, p->active))
        return false;
    if (!vr_rpc_filter(f, PERSISTENT, TRANSIENT, true)) /* every pool is */
        return false;
    if (!vr_rpc_filter(f, AUTOSTART, NO_AUTOSTART, p->autostart))
        return false;
    /* Pool types: bit 6 onwards is libvirt's type list in order (dir,
     * fs, netfs, logical, disk, iscsi, scsi, mpath, rbd, ...). */
    static const char *const types[] = {"dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath", "rbd"};
    if (f & TYPES) {
        const char *mine = vr_pool_type_name(p->def->type);
        bool ok = false;
        for (unsigned i = 0; i < VR_ARRAY_LEN(types); i++)
            if ((f & (64u << i)) && strcmp(types[i], mine) == 0)
                ok = true;
        if (!ok)
            return false;
    }
    return true;
}

static vr_rpc_result list_pools(vr_rpc_call *c)
{
    vrp_list_args *a = c->args;
    vrp_pool_list_ret *r = c->ret;
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv(c), &n);
    if (a->need_results)
        r->pools.pools_val = vr_calloc(n ? n : 1, sizeof(vrp_pool));
    for (size_t i = 0; i < n; i++) {
        if (!pool_matches(pools[i], a->flags))
            continue;
        if (a->need_results)
            pool_wire(&r->pools.pools_val[r->pools.pools_len++], pools[i]);
        r->count++;
    }
    return VR_RPC_OK;
}

/* The older counts: active pools, defined (inactive) ones. */
static vr_rpc_result pool_count(vr_rpc_call *c, bool active)
{
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv(c), &n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += pools[i]->active == active;
    ((vrp_int_ret *)c->ret)->value = k;
    return VR_RPC_OK;
}

static vr_rpc_result num_pools(vr_rpc_call *c) { return pool_count(c, true); }
static vr_rpc_result num_defined_pools(vr_rpc_call *c) { return pool_count(c, false); }

/* The older name lists: active pools, defined (inactive) ones. */
static vr_rpc_result pool_names(vr_rpc_call *c, bool active)
{
    int max = ((vrp_max_args *)c->args)->max_names;
    vrp_names_ret *r = c->ret;
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv(c), &n);
    r->names.names_val = vr_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n && (int)r->names.names_len < max; i++)
        if (pools[i]->active == active)
            r->names.names_val[r->names.names_len++] = vr_strdup(pools[i]->def->name);
    return VR_RPC_OK;
}

static vr_rpc_result list_pool_names(vr_rpc_call *c) { return pool_names(c, true); }
static vr_rpc_result list_defined_pool_names(vr_rpc_call *c) { return pool_names(c, false); }

static vr_rpc_result pool_get_info(vr_rpc_call *c)
{
    enum { POOL_INACTIVE = 0, POOL_RUNNING = 2 };
    vr_pool *p = arg_pool(c);
    if (!p)
        return VR_RPC_FAILED;
    vr_pool_stats st;
    size_t nvol;
    vr_storage_pool_stats(p, &st, &nvol);
    vrp_pool_info_ret *r = c->ret;
    r->state = p->active ? POOL_RUNNING : POOL_INACTIVE;
    r->capacity = st.capacity;
    r->allocation = st.allocation;
    r->available = st.available;
    return VR_RPC_OK;
}

static vr_rpc_result pool_get_xml(vr_rpc_call *c)
{
    vr_pool *p = arg_pool(c);
    if (!p)
        return VR_RPC_FAILED;
    ((vrp_str_ret *)c->ret)->value = vr_storage_pool_xml(p);
    return VR_RPC_OK;
}

static vr_rpc_result pool_answer(vr_rpc_call *c, int which)
{
    vr_pool *p = arg_pool(c);
    if (!p)
        return VR_RPC_FAILED;
    bool facts[] = {p->active, true, p->autostart};
    ((vrp_int_ret *)c->ret)->value = facts[which];
    return VR_RPC_OK;
}

static vr_rpc_result pool_is_active(vr_rpc_call *c) { return pool_answer(c, 0); }
static vr_rpc_result pool_is_persistent(vr_rpc_call *c) { return pool_answer(c, 1); }
static vr_rpc_result pool_get_autostart(vr_rpc_call *c) { return pool_answer(c, 2); }

/* start, destroy, refresh: one driver call each (flags: none known). */
static vr_rpc_result pool_act(vr_rpc_call *c, vr_err (*op)(vr_pool *, char **))
{
    vr_pool *p = arg_pool(c);
    if (!p)
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = op(p, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_POOL);
}

static void on_pool_started(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_POOL);
}

/* pool-start: an iSCSI or rbd pool's login check runs beside the loop
 * (seconds against a portal that never answers), so the answer comes
 * when it ends; every other client is served meanwhile. */
static vr_rpc_result pool_create(vr_rpc_call *c)
{
    vr_pool *p = arg_pool(c);
    if (!p)
        return VR_RPC_FAILED;
    vr_storage_pool_start_async(p, on_pool_started, c);
    return VR_RPC_LATER;
}
static vr_rpc_result pool_destroy(vr_rpc_call *c) { return pool_act(c, vr_storage_pool_destroy); }
static vr_rpc_result pool_refresh(vr_rpc_call *c) { return pool_act(c, vr_storage_pool_refresh); }
static vr_rpc_result pool_undefine(vr_rpc_call *c) { return pool_act(c, vr_storage_pool_undefine); }

/* build and delete (pool-build, pool-delete): Vireo's one way each,
 * which is libvirt's default (flags 0); NO_OVERWRITE and OVERWRITE are
 * about formatting disks, which a dir pool does not do. */
static vr_rpc_result pool_act_flags(vr_rpc_call *c, vr_err (*op)(vr_pool *, char **))
{
    enum { BUILD_NO_OVERWRITE = 4 };
    unsigned flags = ((vrp_pool_flags_args *)c->args)->flags;
    if (flags & ~(unsigned)BUILD_NO_OVERWRITE)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", flags, c->proc->api);
    return pool_act(c, op);
}

static vr_rpc_result pool_build(vr_rpc_call *c) { return pool_act_flags(c, vr_storage_pool_build); }
static vr_rpc_result pool_delete(vr_rpc_call *c) { return pool_act_flags(c, vr_storage_pool_delete); }

static vr_rpc_result pool_set_autostart(vr_rpc_call *c)
{
    vrp_pool_int_args *a = c->args;
    vr_pool *p = find_pool(c, &a->pool);
    if (!p)
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_storage_pool_set_autostart(p, a->value != 0, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_POOL);
}

typedef struct {
    vr_rpc_call *c;
    vr_pool *p;
} create_ctx;

static void on_created_started(vr_err code, const char *err, void *opaque)
{
    create_ctx *x = opaque;
    if (code == VR_OK) {
        pool_wire(&((vrp_pool_ret *)x->c->ret)->pool, x->p);
    } else {
        /* pool-create leaves nothing behind when the start fails. */
        char *undo_err = NULL;
        vr_storage_pool_undefine(x->p, &undo_err);
        free(undo_err);
    }
    vr_rpc_done(x->c, code, err, VR_RPC_POOL);
    free(x);
}

/* pool-define (and virt-install's pool for a disk's directory);
 * pool-create defines, then starts as pool_create does. */
static vr_rpc_result pool_define_with(vr_rpc_call *c, bool start)
{
    vrp_xml_flags_args *a = c->args;
    enum { DEFINE_VALIDATE = 1 };
    if (a->flags & ~(unsigned)(start ? 0 : DEFINE_VALIDATE))
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", a->flags,
                           c->proc->api);
    if (strlen(a->xml) > VR_API_BODY_SMALL)
        return vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the pool XML is %zu bytes; vireod takes at most %u KiB",
                           strlen(a->xml), VR_API_BODY_SMALL / 1024);
    vr_pool *p = NULL;
    char *err = NULL;
    vr_err code = vr_storage_pool_define(drv(c), a->xml, &p, &err);
    if (code == VR_OK && start) {
        create_ctx *x = vr_calloc(1, sizeof(*x));
        *x = (create_ctx){c, p};
        vr_storage_pool_start_async(p, on_created_started, x);
        return VR_RPC_LATER;
    }
    if (p)
        pool_wire(&((vrp_pool_ret *)c->ret)->pool, p);
    return vr_rpc_outcome(c, code, err, code == VR_ERR_INVALID ? VR_RPC_XML : VR_RPC_POOL);
}

static vr_rpc_result pool_define_xml(vr_rpc_call *c) { return pool_define_with(c, false); }
/* pool-create: Vireo keeps every pool's definition; a pool created from
 * XML is defined and started (it stays defined, as pool-list shows). */
static vr_rpc_result pool_create_xml(vr_rpc_call *c) { return pool_define_with(c, true); }

/* The volumes of the pool a call names; false after answering. */
static bool vols_of(vr_rpc_call *c, const vrp_pool *wp, vr_vol_info **v, size_t *n)
{
    vr_pool *p = find_pool(c, wp);
    if (!p)
        return false;
    char *err = NULL;
    vr_err code = vr_storage_vol_list(p, v, n, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_POOL) == VR_RPC_OK;
}

/* The older calls: a pool's volume count, and its volumes' names. */
static vr_rpc_result pool_volumes(vr_rpc_call *c, const vrp_pool *wp, int max_names, vrp_names_ret *names,
                                  int *count)
{
    vr_vol_info *v;
    size_t n;
    if (!vols_of(c, wp, &v, &n))
        return VR_RPC_FAILED;
    if (count)
        *count = (int)n;
    if (names) {
        names->names.names_val = vr_calloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; i < n && (int)i < max_names; i++)
            names->names.names_val[names->names.names_len++] = vr_strdup(v[i].name);
    }
    vr_vol_info_list_free(v, n);
    return VR_RPC_OK;
}

static vr_rpc_result pool_num_volumes(vr_rpc_call *c)
{
    return pool_volumes(c, &((vrp_pool_args *)c->args)->pool, 0, NULL, &((vrp_int_ret *)c->ret)->value);
}

static vr_rpc_result pool_list_volumes(vr_rpc_call *c)
{
    vrp_pool_max_args *a = c->args;
    return pool_volumes(c, &a->pool, a->max_names, c->ret, NULL);
}

/* ---- volumes ---- */

static vr_rpc_result list_vols(vr_rpc_call *c)
{
    vrp_pool_list_args *a = c->args;
    vr_vol_info *v;
    size_t n;
    if (!vols_of(c, &a->pool, &v, &n))
        return VR_RPC_FAILED;
    vrp_vol_list_ret *r = c->ret;
    if (a->need_results) {
        r->vols.vols_val = vr_calloc(n ? n : 1, sizeof(vrp_vol));
        for (size_t i = 0; i < n; i++)
            vol_wire(&r->vols.vols_val[r->vols.vols_len++], &v[i]);
    }
    r->count = (unsigned)n;
    vr_vol_info_list_free(v, n);
    return VR_RPC_OK;
}

static vr_rpc_result vol_lookup_by_name(vr_rpc_call *c)
{
    vrp_pool_name_args *a = c->args;
    vr_pool *p = find_pool(c, &a->pool);
    if (!p)
        return VR_RPC_FAILED;
    vr_vol_info v;
    char *err = NULL;
    if (vr_storage_vol_get(p, a->name, &v, &err) != VR_OK) {
        free(err);
        return vr_rpc_fail(c, VIR_ERR_NO_STORAGE_VOL, "no storage vol with matching name '%s'", a->name);
    }
    vol_wire(&((vrp_vol_ret *)c->ret)->vol, &v);
    vr_vol_info_clear(&v);
    return VR_RPC_OK;
}

/* By key or by path: both are the volume's file. */
static vr_rpc_result vol_lookup_by_path(vr_rpc_call *c)
{
    const char *path = ((vrp_name_args *)c->args)->name;
    vr_vol_info v;
    vr_pool *p;
    char *err = NULL;
    if (vr_storage_vol_by_path(drv(c), path, &p, &v, &err) != VR_OK) {
        free(err);
        return vr_rpc_fail(c, VIR_ERR_NO_STORAGE_VOL, "no storage vol with matching path '%s'", path);
    }
    vol_wire(&((vrp_vol_ret *)c->ret)->vol, &v);
    vr_vol_info_clear(&v);
    return VR_RPC_OK;
}

/* Fill the answer from the volume the call names. */
static vr_rpc_result vol_answer(vr_rpc_call *c, void (*fill)(vr_rpc_call *, const vr_vol_info *))
{
    vr_vol_info v;
    if (!find_vol(c, &((vrp_vol_args *)c->args)->vol, &v))
        return VR_RPC_FAILED;
    fill(c, &v);
    vr_vol_info_clear(&v);
    return VR_RPC_OK;
}

static void fill_info(vr_rpc_call *c, const vr_vol_info *v)
{
    vrp_vol_info_ret *r = c->ret;
    r->type = 0; /* a file */
    r->capacity = v->capacity;
    r->allocation = v->allocation;
}

static void fill_xml(vr_rpc_call *c, const vr_vol_info *v) { ((vrp_str_ret *)c->ret)->value = vr_storage_vol_xml(v); }
static void fill_path(vr_rpc_call *c, const vr_vol_info *v) { ((vrp_str_ret *)c->ret)->value = vr_strdup(v->path); }

static vr_rpc_result vol_get_info(vr_rpc_call *c) { return vol_answer(c, fill_info); }
static vr_rpc_result vol_get_xml(vr_rpc_call *c) { return vol_answer(c, fill_xml); }
static vr_rpc_result vol_get_path(vr_rpc_call *c) { return vol_answer(c, fill_path); }

/* vol-create's answer: an rbd pool's creation runs beside the loop
 * (seconds against a monitor that never answers). */
static void on_vol_created(vr_err code, const char *err, const vr_vol_info *v, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (code == VR_OK)
        vol_wire(&((vrp_vol_ret *)c->ret)->vol, v);
    vr_rpc_done(c, code, err, code == VR_ERR_INVALID ? VR_RPC_XML : VR_RPC_VOLUME);
}

static vr_rpc_result vol_create_xml(vr_rpc_call *c)
{
    enum { PREALLOC_METADATA = 1 };
    vrp_pool_xml_args *a = c->args;
    vr_pool *p = find_pool(c, &a->pool);
    if (!p)
        return VR_RPC_FAILED;
    if (a->flags & ~PREALLOC_METADATA)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", a->flags,
                           c->proc->api);
    if (strlen(a->xml) > VR_API_BODY_SMALL)
        return vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the volume XML is %zu bytes; vireod takes at most %u KiB",
                           strlen(a->xml), VR_API_BODY_SMALL / 1024);
    vr_core_vol_create_xml(p, a->xml, on_vol_created, c);
    return VR_RPC_LATER;
}

static vr_rpc_result vol_delete(vr_rpc_call *c)
{
    vrp_vol_flags_args *a = c->args;
    vr_vol_info v;
    vr_pool *p = find_vol(c, &a->vol, &v);
    if (!p)
        return VR_RPC_FAILED;
    vr_vol_info_clear(&v);
    char *err = NULL;
    vr_err code = vr_storage_vol_delete(p, a->vol.name, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_VOLUME);
}

/* vol-clone, and virt-clone's and virt-manager's disk copies: answered
 * once the copy is made (the core's vol-create-from). */
static void on_vol_copied(vr_err code, const char *err, const vr_vol_info *vol, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (code == VR_OK)
        vol_wire(&((vrp_vol_ret *)c->ret)->vol, vol);
    vr_rpc_done(c, code, err, VR_RPC_VOLUME);
}

static vr_rpc_result vol_create_from(vr_rpc_call *c)
{
    enum { PREALLOC_METADATA = 1 }; /* REFLINK (2) refused: a copy here is always a full one */
    vrp_vol_create_from_args *a = c->args;
    vr_pool *dst = find_pool(c, &a->pool);
    vr_vol_info v;
    vr_pool *src = dst ? find_vol(c, &a->clonevol, &v) : NULL;
    if (!src)
        return VR_RPC_FAILED;
    vr_vol_info_clear(&v);
    if (!vr_rpc_flags_ok(c, a->flags, PREALLOC_METADATA))
        return VR_RPC_FAILED;
    if (strlen(a->xml) > VR_API_BODY_SMALL)
        return vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the volume XML is %zu bytes; vireod takes at most %u KiB",
                           strlen(a->xml), VR_API_BODY_SMALL / 1024);
    vr_err code;
    char *err = NULL;
    if (!vr_core_vol_create_from(drv(c), dst, a->xml, src, a->clonevol.name, NULL, on_vol_copied, c, &code, &err))
        return vr_rpc_outcome(c, code, err, code == VR_ERR_INVALID ? VR_RPC_XML : VR_RPC_VOLUME);
    return VR_RPC_LATER;
}

/* vol-resize: ALLOCATE is refused (the driver grows a volume's capacity
 * only), DELTA adds to it, SHRINK lets it shrink (a negative virsh size
 * is DELTA|SHRINK: the amount to take off). */
static vr_rpc_result vol_resize(vr_rpc_call *c)
{
    enum { ALLOCATE = 1, DELTA = 2, SHRINK = 4 };
    vrp_vol_resize_args *a = c->args;
    vr_vol_info v;
    vr_pool *p = find_vol(c, &a->vol, &v);
    if (!p)
        return VR_RPC_FAILED;
    unsigned long long cap = a->capacity, now = v.capacity;
    vr_vol_info_clear(&v);
    if (!vr_rpc_flags_ok(c, a->flags, DELTA | SHRINK))
        return VR_RPC_FAILED;
    if ((a->flags & DELTA) && (a->flags & SHRINK))
        cap = cap > now ? 0 : now - cap;
    else if ((a->flags & DELTA) && __builtin_add_overflow(now, cap, &cap))
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "the new capacity of volume '%s' is too large", a->vol.name);
    if (cap == 0)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "volume '%s' cannot shrink to nothing", a->vol.name);
    char *err = NULL;
    vr_err code = vr_storage_vol_resize(p, a->vol.name, cap, a->flags & SHRINK, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_VOLUME);
}

/* find-storage-pool-sources: libvirt's <sources> XML, as the HTTP route
 * answers it (blank disks; an iSCSI portal's targets; a Ceph cluster's
 * RBD pools, the srcSpec naming its monitors and auth), when the
 * discovery beside the loop ends. */
static void on_sources_found(vr_err code, char *xml, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (code == VR_OK)
        ((vrp_str_ret *)c->ret)->value = xml;
    vr_rpc_done(c, code, err, VR_RPC_XML);
}

static vr_rpc_result find_pool_sources(vr_rpc_call *c)
{
    vrp_find_sources_args *a = c->args;
    if (a->flags)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", a->flags,
                           c->proc->api);
    vr_storage_find_sources(drv(c), a->type, a->spec ? *a->spec : NULL, on_sources_found, c);
    return VR_RPC_LATER;
}

const vr_rpc_proc vr_rpc_storage_procs[] = {
    VR_RPC_PROC(71, "virConnectNumOfStoragePools", vrp_void, vrp_int_ret, num_pools, READ),
    VR_RPC_PROC(72, "virConnectListStoragePools", vrp_max_args, vrp_names_ret, list_pool_names, READ),
    VR_RPC_PROC(74, "virConnectListDefinedStoragePools", vrp_max_args, vrp_names_ret, list_defined_pool_names,
                READ),
    VR_RPC_PROC(73, "virConnectNumOfDefinedStoragePools", vrp_void, vrp_int_ret, num_defined_pools, READ),
    VR_RPC_PROC(75, "virConnectFindStoragePoolSources", vrp_find_sources_args, vrp_str_ret, find_pool_sources,
                WRITE), /* a probe, but it logs in to portals and monitors: read-write callers, as the route */
    VR_RPC_PROC(76, "virStoragePoolCreateXML", vrp_xml_flags_args, vrp_pool_ret, pool_create_xml, WRITE),
    VR_RPC_PROC(77, "virStoragePoolDefineXML", vrp_xml_flags_args, vrp_pool_ret, pool_define_xml, WRITE),
    VR_RPC_PROC(79, "virStoragePoolBuild", vrp_pool_flags_args, vrp_void, pool_build, WRITE),
    VR_RPC_PROC(81, "virStoragePoolDelete", vrp_pool_flags_args, vrp_void, pool_delete, WRITE),
    VR_RPC_PROC(82, "virStoragePoolUndefine", vrp_pool_args, vrp_void, pool_undefine, WRITE),
    VR_RPC_PROC(90, "virStoragePoolSetAutostart", vrp_pool_int_args, vrp_void, pool_set_autostart, WRITE),
    VR_RPC_PROC(91, "virStoragePoolNumOfVolumes", vrp_pool_args, vrp_int_ret, pool_num_volumes, READ),
    VR_RPC_PROC(92, "virStoragePoolListVolumes", vrp_pool_max_args, vrp_names_ret, pool_list_volumes, READ),
    VR_RPC_PROC(78, "virStoragePoolCreate", vrp_pool_flags_args, vrp_void, pool_create, WRITE),
    VR_RPC_PROC(80, "virStoragePoolDestroy", vrp_pool_args, vrp_void, pool_destroy, WRITE),
    VR_RPC_PROC(83, "virStoragePoolRefresh", vrp_pool_flags_args, vrp_void, pool_refresh, WRITE),
    VR_RPC_PROC(84, "virStoragePoolLookupByName", vrp_name_args, vrp_pool_ret, pool_lookup_by_name, READ),
    VR_RPC_PROC(85, "virStoragePoolLookupByUUID", vrp_uuid_args, vrp_pool_ret, pool_lookup_by_uuid, READ),
    VR_RPC_PROC(86, "virStoragePoolLookupByVolume", vrp_vol_args, vrp_pool_ret, pool_lookup_by_volume, READ),
    VR_RPC_PROC(87, "virStoragePoolGetInfo", vrp_pool_args, vrp_pool_info_ret, pool_get_info, READ),
    VR_RPC_PROC(88, "virStoragePoolGetXMLDesc", vrp_pool_flags_args, vrp_str_ret, pool_get_xml, READ),
    VR_RPC_PROC(89, "virStoragePoolGetAutostart", vrp_pool_args, vrp_int_ret, pool_get_autostart, READ),
    VR_RPC_PROC(93, "virStorageVolCreateXML", vrp_pool_xml_args, vrp_vol_ret, vol_create_xml, WRITE),
    VR_RPC_PROC(94, "virStorageVolDelete", vrp_vol_flags_args, vrp_void, vol_delete, WRITE),
    VR_RPC_PROC(125, "virStorageVolCreateXMLFrom", vrp_vol_create_from_args, vrp_vol_ret, vol_create_from,
                WRITE),
    VR_RPC_PROC(260, "virStorageVolResize", vrp_vol_resize_args, vrp_void, vol_resize, WRITE),
    VR_RPC_PROC(95, "virStorageVolLookupByName", vrp_pool_name_args, vrp_vol_ret, vol_lookup_by_name, READ),
    VR_RPC_PROC(96, "virStorageVolLookupByKey", vrp_name_args, vrp_vol_ret, vol_lookup_by_path, READ),
    VR_RPC_PROC(97, "virStorageVolLookupByPath", vrp_name_args, vrp_vol_ret, vol_lookup_by_path, READ),
    VR_RPC_PROC(98, "virStorageVolGetInfo", vrp_vol_args, vrp_vol_info_ret, vol_get_info, READ),
    VR_RPC_PROC(99, "virStorageVolGetXMLDesc", vrp_vol_flags_args, vrp_str_ret, vol_get_xml, READ),
    VR_RPC_PROC(100, "virStorageVolGetPath", vrp_vol_args, vrp_str_ret, vol_get_path, READ),
    VR_RPC_PROC(154, "virStoragePoolIsActive", vrp_pool_args, vrp_int_ret, pool_is_active, READ),
    VR_RPC_PROC(155, "virStoragePoolIsPersistent", vrp_pool_args, vrp_int_ret, pool_is_persistent, READ),
    VR_RPC_PROC(281, "virConnectListAllStoragePools", vrp_list_args, vrp_pool_list_ret, list_pools, READ),
    VR_RPC_PROC(282, "virStoragePoolListAllVolumes", vrp_pool_list_args, vrp_vol_list_ret, list_vols, READ),
    VR_RPC_PROC(378, "virStorageVolGetInfoFlags", vrp_vol_flags_args, vrp_vol_info_ret, vol_get_info, READ),
    {0},
};
