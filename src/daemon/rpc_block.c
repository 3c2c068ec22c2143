/* libvirt protocol: a domain's disk and interface counters (domblkstat,
 * domifstat, dommemstat: the document `vireo domstats` reads,
 * qemu_stats.c) and its block jobs on external snapshot chains
 * (blockcommit, blockpull, blockjob: qemu_blockjob.c, as api_blockjob.c). */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/disk_info.h"
#include "core/views.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static void on_done(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_DEVICE);
}

static long long num(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : -1;
}

/* The disk a client names: its target (vda) or its source path. */
static const vr_disk_def *disk_named(const vr_domain *dom, const char *name)
{
    for (size_t i = 0; i < dom->def->n_disks; i++) {
        const vr_disk_def *d = &dom->def->disks[i];
        if ((d->target_dev && strcmp(d->target_dev, name) == 0) || (d->source_path && strcmp(d->source_path, name) == 0) ||
            (d->resolved_path && strcmp(d->resolved_path, name) == 0))
            return d;
    }
    return NULL;
}

/* ---- counters: asked from the driver, one entry of them picked ---- */

typedef bool (*fill_fn)(vr_rpc_call *c, const vr_domain *dom, json_object *stats, char **err);

typedef struct {
    vr_rpc_call *call;
    fill_fn fill;
} stats_ctx;

static void on_stats(json_object *stats, const char *err, void *opaque)
{
    stats_ctx *s = opaque;
    vr_rpc_call *c = s->call;
    fill_fn fill = s->fill;
    free(s);
    char *own = NULL;
    vr_domain *dom = vr_rpc_find_domain(c, &((vrp_dom_args *)c->args)->dom);
    if (!dom)
        vr_rpc_done(c, VR_ERR_NOT_FOUND, "the domain went away", VR_RPC_DOMAIN);
    else if (err)
        vr_rpc_done(c, VR_ERR_FAILED, err, VR_RPC_DOMAIN);
    else if (!fill(c, dom, stats, &own))
        vr_rpc_done(c, VR_ERR_NOT_FOUND, own, VR_RPC_DEVICE);
    else
        vr_rpc_done(c, VR_OK, NULL, VR_RPC_DOMAIN);
    free(own);
}

static vr_rpc_result ask_stats(vr_rpc_call *c, fill_fn fill)
{
    vr_domain *dom = vr_rpc_find_domain(c, &((vrp_dom_args *)c->args)->dom);
    if (!dom)
        return VR_RPC_FAILED;
    if (dom->state == VR_DOM_SHUTOFF)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "domain is not running");
    stats_ctx *s = vr_calloc(1, sizeof(*s));
    *s = (stats_ctx){.call = c, .fill = fill};
    vr_qemu_stats(dom, on_stats, s);
    return VR_RPC_LATER;
}

/* The "block" entry of the disk the call names, or NULL with *err. */
static json_object *block_entry(const vr_domain *dom, json_object *stats, const char *name, char **err)
{
    const vr_disk_def *d = disk_named(dom, name);
    json_object *arr = NULL, *t = NULL;
    json_object_object_get_ex(stats, "block", &arr);
    for (size_t i = 0; d && d->target_dev && arr && i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        if (json_object_object_get_ex(o, "target", &t) && strcmp(json_object_get_string(t), d->target_dev) == 0)
            return o;
    }
    *err = vr_asprintf("invalid path %s not assigned to domain", name);
    return NULL;
}

static bool fill_block_stats(vr_rpc_call *c, const vr_domain *dom, json_object *stats, char **err)
{
    json_object *o = block_entry(dom, stats, ((vrp_dom_path_args *)c->args)->path, err);
    if (!o)
        return false;
    vrp_block_stats_ret *r = c->ret;
    r->rd_req = num(o, "rd_operations");
    r->rd_bytes = num(o, "rd_bytes");
    r->wr_req = num(o, "wr_operations");
    r->wr_bytes = num(o, "wr_bytes");
    r->errs = -1; /* QEMU counts no errors per disk */
    return true;
}

/* domblkstat's typed parameters (libvirt's VIR_DOMAIN_BLOCK_STATS_*
 * names); nparams 0 asks how many there are. */
static const char *const block_fields[][2] = {
    {"rd_operations", "rd_operations"}, {"rd_bytes", "rd_bytes"},           {"wr_operations", "wr_operations"},
    {"wr_bytes", "wr_bytes"},           {"flush_operations", "flush_operations"},
};

static bool fill_block_params(vr_rpc_call *c, const vr_domain *dom, json_object *stats, char **err)
{
    enum { TP_LLONG = 3 };
    vrp_params_args *a = c->args;
    vrp_params_ret *r = c->ret;
    json_object *o = block_entry(dom, stats, a->path, err);
    if (!o)
        return false;
    r->nparams = (int)VR_ARRAY_LEN(block_fields);
    if (a->nparams == 0)
        return true;
    r->params.params_val = vr_calloc(VR_ARRAY_LEN(block_fields), sizeof(vrp_typed_param));
    for (size_t i = 0; i < VR_ARRAY_LEN(block_fields) && (int)i < a->nparams; i++) {
        vrp_typed_param *p = &r->params.params_val[r->params.params_len++];
        p->field = vr_strdup(block_fields[i][0]);
        p->value.type = TP_LLONG;
        p->value.vrp_typed_value_u.l = num(o, block_fields[i][1]);
    }
    r->nparams = (int)r->params.params_len;
    return true;
}

/* domifstat: the interface by its tap's name or its MAC. */
static bool fill_iface_stats(vr_rpc_call *c, const vr_domain *dom, json_object *stats, char **err)
{
    const char *name = ((vrp_dom_path_args *)c->args)->path;
    json_object *arr = NULL, *v = NULL;
    json_object_object_get_ex(stats, "net", &arr);
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        bool hit = (json_object_object_get_ex(o, "interface", &v) && strcmp(json_object_get_string(v), name) == 0) ||
                   (json_object_object_get_ex(o, "mac", &v) && strcasecmp(json_object_get_string(v), name) == 0);
        if (!hit)
            continue;
        vrp_iface_stats_ret *r = c->ret;
        *r = (vrp_iface_stats_ret){num(o, "rx_bytes"), num(o, "rx_packets"), num(o, "rx_errs"), num(o, "rx_drop"),
                                   num(o, "tx_bytes"), num(o, "tx_packets"), num(o, "tx_errs"), num(o, "tx_drop")};
        return true;
    }
    *err = vr_asprintf("invalid path, '%s' is not a known interface (a tap of the domain, or its MAC)", name);
    return false;
}

/* dommemstat: virDomainMemoryStatTags ACTUAL_BALLOON (6) and RSS (7),
 * in KiB, as many as the client takes. */
static bool fill_memory_stats(vr_rpc_call *c, const vr_domain *dom, json_object *stats, char **err)
{
    static const struct {
        int tag;
        const char *key;
    } tags[] = {{6, "memory_current_kib"}, {7, "memory_rss_kib"}};
    vrp_memory_stats_ret *r = c->ret;
    unsigned max = ((vrp_memory_stats_args *)c->args)->max_stats;
    r->stats.stats_val = vr_calloc(VR_ARRAY_LEN(tags), sizeof(vrp_memory_stat));
    for (size_t i = 0; i < VR_ARRAY_LEN(tags) && r->stats.stats_len < max; i++) {
        long long v = num(stats, tags[i].key);
        if (v >= 0)
            r->stats.stats_val[r->stats.stats_len++] = (vrp_memory_stat){tags[i].tag, (unsigned long long)v};
    }
    return true;
}

static vr_rpc_result block_stats(vr_rpc_call *c) { return ask_stats(c, fill_block_stats); }
static vr_rpc_result iface_stats(vr_rpc_call *c) { return ask_stats(c, fill_iface_stats); }

static vr_rpc_result block_stats_flags(vr_rpc_call *c)
{
    enum { TYPED_PARAM_STRING_OKAY = 4 }; /* libvirt's clients always set it */
    vrp_params_args *a = c->args;
    return vr_rpc_flags_ok(c, a->flags, TYPED_PARAM_STRING_OKAY) ? ask_stats(c, fill_block_params) : VR_RPC_FAILED;
}

static vr_rpc_result memory_stats(vr_rpc_call *c)
{
    vrp_memory_stats_args *a = c->args;
    return vr_rpc_flags_ok(c, a->flags, 0) ? ask_stats(c, fill_memory_stats) : VR_RPC_FAILED;
}

/* ---- block jobs ----
 *
 * The driver's commit and pull answer once the job is done (a commit
 * has then pivoted onto the base image), so virsh's --wait finds no job
 * left (complete) and its --pivot asks to pivot a job that already did:
 * answered yes. */

static vr_rpc_result block_job(vr_rpc_call *c, const vrp_dom *d, const char *path, vr_block_job kind)
{
    vr_domain *dom = vr_rpc_find_domain(c, d);
    if (!dom)
        return VR_RPC_FAILED;
    const vr_disk_def *disk = disk_named(dom, path);
    vr_qemu_block_job(dom, disk && disk->target_dev ? disk->target_dev : path, kind, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result block_commit(vr_rpc_call *c)
{
    enum { COMMIT_ACTIVE = 4 };
    vrp_block_commit_args *a = c->args;
    if (!vr_rpc_flags_ok(c, a->flags, COMMIT_ACTIVE))
        return VR_RPC_FAILED;
    if (!(a->flags & COMMIT_ACTIVE) || a->base || a->top)
        return vr_rpc_fail(c, VIR_ERR_CONFIG_UNSUPPORTED, "only the active layer's commit of the whole chain "
                           "is supported (blockcommit --active --pivot, no --base or --top)");
    return block_job(c, &a->dom, a->disk, VR_BLOCK_COMMIT_ACTIVE);
}

static vr_rpc_result block_pull(vr_rpc_call *c)
{
    vrp_block_pull_args *a = c->args;
    return vr_rpc_flags_ok(c, a->flags, 0) ? block_job(c, &a->dom, a->path, VR_BLOCK_PULL) : VR_RPC_FAILED;
}

/* blockpull --base, blockcopy: rebase with a base or flags is not run. */
static vr_rpc_result block_rebase(vr_rpc_call *c)
{
    vrp_block_rebase_args *a = c->args;
    if (a->base || a->flags)
        return vr_rpc_fail(c, VIR_ERR_CONFIG_UNSUPPORTED, "only a pull of the whole chain into the top image is "
                           "supported (blockpull without --base; no blockcopy)");
    return block_job(c, &a->dom, a->path, VR_BLOCK_PULL);
}

typedef struct {
    vr_rpc_call *call;
    bool pivot; /* abort with PIVOT: a job that is gone pivoted already */
    char *name, *target; /* pivot: the domain and disk */
} job_ctx;

static void job_ctx_free(job_ctx *j)
{
    free(j->name);
    free(j->target);
    free(j);
}

/* virDomainBlockJobAbort with PIVOT: a ready copy's or active commit's
 * result becomes the disk, answered once QEMU switched it. */
static void on_pivoted(vr_err code, const char *err, void *opaque)
{
    job_ctx *j = opaque;
    vr_rpc_call *c = j->call;
    job_ctx_free(j);
    vr_rpc_done(c, code, err, VR_RPC_DEVICE);
}

/* virDomainBlockJobType: PULL 1, COPY 2, COMMIT 3, ACTIVE_COMMIT 4; from
 * the job's id (copy-vda, commit-vda, pull-vda) and QEMU's job type (an
 * active commit is a "mirror" job). */
static void on_job(vr_err code, json_object *ret, const char *err, void *opaque)
{
    job_ctx *j = opaque;
    vr_rpc_call *c = j->call;
    vr_domain *dom = j->pivot && code == VR_OK && ret ? vr_qemu_lookup(c->api->qemu, j->name) : NULL;
    if (dom) { /* a job that waits for it (ready copy, active commit; also re-adopted ones) */
        vr_qemu_block_job_pivot(dom, j->target, on_pivoted, j);
        return;
    }
    if (code == VR_OK && ret && c->proc->number == 238) {
        vrp_block_job_info_ret *r = c->ret;
        json_object *id = NULL, *type = NULL;
        json_object_object_get_ex(ret, "id", &id);
        json_object_object_get_ex(ret, "type", &type);
        const char *name = id ? json_object_get_string(id) : "";
        r->found = 1;
        r->type = vr_str_starts(name, "copy") ? 2
                  : !vr_str_starts(name, "commit") ? 1
                  : type && strcmp(json_object_get_string(type), "mirror") == 0 ? 4 : 3;
        long long cur = num(ret, "current-progress"), end = num(ret, "total-progress");
        r->cur = cur > 0 ? (unsigned long long)cur : 0;
        r->end = end > 0 ? (unsigned long long)end : 0;
    }
    job_ctx_free(j);
    vr_rpc_done(c, code, err, VR_RPC_DEVICE);
}

static vr_rpc_result job_query(vr_rpc_call *c, bool abort)
{
    enum { ABORT_ASYNC = 1, ABORT_PIVOT = 2 };
    vrp_dom_path_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, abort ? ABORT_ASYNC | ABORT_PIVOT : 0))
        return VR_RPC_FAILED;
    const vr_disk_def *disk = disk_named(dom, a->path);
    if (!disk || !disk->target_dev)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "invalid path %s not assigned to domain", a->path);
    job_ctx *j = vr_calloc(1, sizeof(*j));
    *j = (job_ctx){.call = c, .pivot = abort && (a->flags & ABORT_PIVOT)};
    if (j->pivot) {
        j->name = vr_strdup(dom->def->name);
        j->target = vr_strdup(disk->target_dev);
    }
    vr_qemu_block_job_query(dom, disk->target_dev, abort && !j->pivot, on_job, j);
    return VR_RPC_LATER;
}

static vr_rpc_result job_abort(vr_rpc_call *c) { return job_query(c, true); }
static vr_rpc_result job_info(vr_rpc_call *c) { return job_query(c, false); }

/* virDomainGetBlockInfo (virsh domblkinfo): the sizes the HTTP route
 * shows, from the core. A disk that cannot be read is libvirt's error. */
static vr_rpc_result block_info(vr_rpc_call *c)
{
    vrp_dom_path_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    const vr_disk_def *d;
    char *path = NULL, *err = NULL;
    vr_disk_sizes z;
    vr_err code = vr_core_disk_find(c->api->qemu, dom->def, a->path, &d, &path, &err);
    if (code == VR_ERR_NOT_FOUND) {
        free(err);
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "invalid path %s not assigned to domain", a->path);
    }
    if (code == VR_OK && vr_core_image_sizes(path, &z, &err) < 0)
        code = VR_ERR_FAILED;
    free(path);
    if (code != VR_OK)
        return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
    vrp_block_info_ret *r = c->ret;
    r->allocation = z.allocation;
    r->capacity = z.capacity;
    r->physical = z.physical;
    return VR_RPC_OK;
}

/* ---- blkdeviotune: virDomainSetBlockIoTune, GetBlockIoTune: a disk's
 * <iotune> as libvirt's typed parameters, its names and order (the block
 * iotune schema's): unsigned long longs, group_name a string. ---- */

enum { AFFECT_LIVE = 1, AFFECT_CONFIG = 2 }; /* virDomainModificationImpact */

static vr_rpc_result set_block_iotune(vr_rpc_call *c)
{
    vrp_set_params_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    vr_iotune_change ch = {0};
    for (unsigned k = 0; k < a->params.params_len; k++) {
        const vrp_typed_param *p = &a->params.params_val[k];
        int i = vr_iotune_field_index(p->field);
        if (i < 0)
            return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "parameter '%s' is not an I/O limit (total_bytes_sec ... "
                               "write_iops_sec_max_length, group_name)", p->field);
        if (p->value.type != (i == VR_IOTUNE_COUNT ? VR_TP_STRING : VR_TP_ULLONG))
            return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "parameter '%s' is a%s", p->field,
                               i == VR_IOTUNE_COUNT ? " string" : "n unsigned long long");
        if (i == VR_IOTUNE_COUNT) {
            ch.t.group_name = p->value.vrp_typed_value_u.s;
            ch.given |= VR_IOTUNE_GIVEN_GROUP;
        } else {
            ch.t.v[i] = p->value.vrp_typed_value_u.ul;
            ch.given |= 1u << i;
        }
    }
    vr_qemu_set_block_iotune(dom, a->path, &ch, a->flags, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result get_block_iotune(vr_rpc_call *c)
{
    enum { TYPED_PARAM_STRING_OKAY = 4 };
    vrp_opt_path_params_args *a = c->args;
    vrp_params_ret *r = c->ret;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG | TYPED_PARAM_STRING_OKAY))
        return VR_RPC_FAILED;
    /* group_name only to a client that takes strings */
    bool strings = a->flags & TYPED_PARAM_STRING_OKAY;
    const vr_wire_schema *s = &vr_wire_block_iotune;
    r->nparams = (int)s->n_fields - (strings ? 0 : 1);
    if (a->nparams == 0)
        return VR_RPC_OK;
    if (!a->path)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "name the disk (its target, vda, or its source)");
    vr_iotune t;
    char *err = NULL;
    vr_err code = vr_qemu_get_block_iotune(dom, *a->path, a->flags & (AFFECT_LIVE | AFFECT_CONFIG), &t, &err);
    if (code != VR_OK)
        return vr_rpc_outcome(c, code, err, VR_RPC_DEVICE);
    vireo_block_iotune view;
    vr_core_block_iotune_view(&t, &view);
    json_object *o = vr_wire_to_json(s, &view), *v = NULL;
    vr_rpc_params p = {0};
    for (size_t i = 0; i < s->n_fields && (int)p.len < a->nparams; i++) {
        const vr_wire_field *f = &s->fields[i];
        json_object_object_get_ex(o, f->key, &v);
        if (f->kind == VR_WIRE_STR && strings)
            vr_rpc_param_str(&p, vr_strdup(f->key), v ? json_object_get_string(v) : "");
        else if (f->kind != VR_WIRE_STR)
            vr_rpc_param_ull(&p, vr_strdup(f->key), json_object_get_int64(v));
    }
    json_object_put(o);
    free(t.group_name);
    r->params.params_val = p.val;
    r->params.params_len = p.len;
    r->nparams = (int)p.len;
    return VR_RPC_OK;
}

/* virDomainGetDiskErrors: with max_errors 0 how many disks have one
 * (virsh domblkerror asks first), else up to max_errors of them. */
static vr_rpc_result disk_errors(vr_rpc_call *c)
{
    vrp_disk_errors_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom)
        return VR_RPC_FAILED;
    if (a->max_errors > VRP_DISK_ERRORS_MAX)
        return vr_rpc_fail(c, VIR_ERR_RPC, "too many disk errors asked for: %u (at most %d)", a->max_errors,
                           VRP_DISK_ERRORS_MAX);
    const vr_qemu_io_error *errs;
    size_t n;
    char *err = NULL;
    vr_err code = vr_qemu_disk_errors(dom, &errs, &n, &err);
    if (code != VR_OK)
        return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
    vrp_disk_errors_ret *r = c->ret;
    size_t take = n < a->max_errors ? n : a->max_errors;
    r->nerrors = (int)(a->max_errors ? take : n);
    r->errors.errors_len = (unsigned)take;
    r->errors.errors_val = vr_calloc(take ? take : 1, sizeof(vrp_disk_error));
    for (size_t i = 0; i < take; i++) {
        r->errors.errors_val[i].disk = vr_strdup(errs[i].target);
        r->errors.errors_val[i].error = errs[i].code;
    }
    return VR_RPC_OK;
}

const vr_rpc_proc vr_rpc_block_procs[] = {
    VR_RPC_PROC(252, "virDomainSetBlockIoTune", vrp_set_params_args, vrp_void, set_block_iotune, WRITE),
    VR_RPC_PROC(253, "virDomainGetBlockIoTune", vrp_opt_path_params_args, vrp_params_ret, get_block_iotune, READ),
    VR_RPC_PROC(263, "virDomainGetDiskErrors", vrp_disk_errors_args, vrp_disk_errors_ret, disk_errors, READ),
    VR_RPC_PROC(64, "virDomainBlockStats", vrp_dom_path_args, vrp_block_stats_ret, block_stats, READ),
    VR_RPC_PROC(65, "virDomainInterfaceStats", vrp_dom_path_args, vrp_iface_stats_ret, iface_stats, READ),
    VR_RPC_PROC(159, "virDomainMemoryStats", vrp_memory_stats_args, vrp_memory_stats_ret, memory_stats, READ),
    VR_RPC_PROC(237, "virDomainBlockJobAbort", vrp_dom_path_flags_args, vrp_void, job_abort, WRITE),
    VR_RPC_PROC(238, "virDomainGetBlockJobInfo", vrp_dom_path_flags_args, vrp_block_job_info_ret, job_info, READ),
    VR_RPC_PROC(194, "virDomainGetBlockInfo", vrp_dom_path_flags_args, vrp_block_info_ret, block_info, READ),
    VR_RPC_PROC(240, "virDomainBlockPull", vrp_block_pull_args, vrp_void, block_pull, WRITE),
    VR_RPC_PROC(243, "virDomainBlockStatsFlags", vrp_params_args, vrp_params_ret, block_stats_flags, READ),
    VR_RPC_PROC(266, "virDomainBlockRebase", vrp_block_rebase_args, vrp_void, block_rebase, WRITE),
    VR_RPC_PROC(290, "virDomainBlockCommit", vrp_block_commit_args, vrp_void, block_commit, WRITE),
    {0},
};
