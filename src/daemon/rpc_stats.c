/* libvirt protocol: statistics and jobs. virConnectGetAllDomainStats is
 * what virt-manager polls every second for its list's CPU, memory, disk
 * and network graphs; it answers from the same counters as `vireo
 * domstats` (qemu_stats.c: /proc, sysfs and QMP), as libvirt's typed
 * parameters with libvirt's field names. */
#include "daemon/rpc.h"
#include "core/domain_ops.h"
#include "common/util.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* virDomainStatsTypes and the ListAllDomains-like filter flags. */
enum {
    STATS_STATE = 1,
    STATS_CPU_TOTAL = 2,
    STATS_BALLOON = 4,
    STATS_VCPU = 8,
    STATS_INTERFACE = 16,
    STATS_BLOCK = 32,
    STATS_SERVED = 63,
    FILTER_FLAGS = 255,
    NOWAIT = 1u << 29,
    BACKING = 1u << 30,
    ENFORCE_STATS = 1u << 31,
};
typedef vr_rpc_params params;

static long long num(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : -1;
}

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* A disk of QMP's blockstats: its qdev is the device id, which is the
 * target ("sda"), or for virtio its path ("/machine/peripheral/vda/
 * virtio-backend"). */
static const vr_disk_def *disk_of(const vr_domain *dom, const char *qdev)
{
    const char *p = vr_str_starts(qdev, "/machine/peripheral/") ? qdev + strlen("/machine/peripheral/") : qdev;
    size_t len = strcspn(p, "/");
    for (size_t i = 0; i < dom->def->n_disks; i++) {
        const vr_disk_def *d = &dom->def->disks[i];
        if (d->target_dev && strlen(d->target_dev) == len && strncmp(d->target_dev, p, len) == 0)
            return d;
    }
    return NULL;
}

/* One domain's record from its domstats document. */
static void record(params *p, const vr_domain *dom, json_object *st, unsigned want)
{
    if (want & STATS_STATE) {
        int state, reason;
        vr_rpc_dom_state(dom, &state, &reason);
        vr_rpc_param_int(p, vr_strdup("state.state"), state);
        vr_rpc_param_int(p, vr_strdup("state.reason"), reason);
    }
    if (want & STATS_CPU_TOTAL)
        vr_rpc_param_ull(p, vr_strdup("cpu.time"), num(st, "cpu_time_ns"));
    if (want & STATS_BALLOON) {
        vr_rpc_param_ull(p, vr_strdup("balloon.current"), num(st, "memory_current_kib"));
        vr_rpc_param_ull(p, vr_strdup("balloon.maximum"), num(st, "memory_max_kib"));
        vr_rpc_param_ull(p, vr_strdup("balloon.rss"), num(st, "memory_rss_kib"));
    }
    if (want & STATS_VCPU) {
        vr_rpc_param_uint(p, vr_strdup("vcpu.current"), (unsigned)num(st, "vcpus"));
        vr_rpc_param_uint(p, vr_strdup("vcpu.maximum"), dom->def->vcpus);
    }
    json_object *arr;
    if (want & STATS_INTERFACE) {
        size_t n = json_object_object_get_ex(st, "net", &arr) ? json_object_array_length(arr) : 0;
        vr_rpc_param_uint(p, vr_strdup("net.count"), (unsigned)n);
        for (size_t i = 0; i < n; i++) {
            json_object *o = json_object_array_get_idx(arr, i);
            vr_rpc_param_str(p, vr_asprintf("net.%zu.name", i), str(o, "interface"));
            vr_rpc_param_ull(p, vr_asprintf("net.%zu.rx.bytes", i), num(o, "rx_bytes"));
            vr_rpc_param_ull(p, vr_asprintf("net.%zu.rx.pkts", i), num(o, "rx_packets"));
            vr_rpc_param_ull(p, vr_asprintf("net.%zu.tx.bytes", i), num(o, "tx_bytes"));
            vr_rpc_param_ull(p, vr_asprintf("net.%zu.tx.pkts", i), num(o, "tx_packets"));
        }
    }
    if (want & STATS_BLOCK) {
        size_t n = json_object_object_get_ex(st, "block", &arr) ? json_object_array_length(arr) : 0;
        unsigned k = 0;
        for (size_t i = 0; i < n; i++) {
            json_object *o = json_object_array_get_idx(arr, i);
            const vr_disk_def *d = disk_of(dom, str(o, "device"));
            if (!d)
                continue; /* not one of the definition's disks */
            vr_rpc_param_str(p, vr_asprintf("block.%u.name", k), d->target_dev);
            const char *path = d->resolved_path ? d->resolved_path : d->source_path;
            if (path)
                vr_rpc_param_str(p, vr_asprintf("block.%u.path", k), path);
            vr_rpc_param_ull(p, vr_asprintf("block.%u.rd.reqs", k), num(o, "rd_operations"));
            vr_rpc_param_ull(p, vr_asprintf("block.%u.rd.bytes", k), num(o, "rd_bytes"));
            vr_rpc_param_ull(p, vr_asprintf("block.%u.wr.reqs", k), num(o, "wr_operations"));
            vr_rpc_param_ull(p, vr_asprintf("block.%u.wr.bytes", k), num(o, "wr_bytes"));
            k++;
        }
        vr_rpc_param_uint(p, vr_strdup("block.count"), k);
    }
}

/* ---- virConnectGetAllDomainStats ---- */

/* The domains asked for, their domstats arriving one by one (QMP
 * answers later for running ones); the call is answered when the last
 * has. Each slot knows its domain by uuid: one may go while others are
 * asked. */
typedef struct collect collect;
typedef struct {
    collect *col;
    char uuid[37];
    size_t index;
} slot;

struct collect {
    vr_rpc_call *call;
    unsigned want;
    size_t pending;
    slot *slots;
};

static void collect_finish(collect *col)
{
    if (--col->pending > 0)
        return;
    vr_rpc_done(col->call, VR_OK, NULL, VR_RPC_DOMAIN);
    free(col->slots);
    free(col);
}

static void on_stats(json_object *st, const char *err, void *opaque)
{
    slot *s = opaque;
    collect *col = s->col;
    vrp_stats_record *rec = &((vrp_all_stats_ret *)col->call->ret)->records.records_val[s->index];
    vr_domain *dom = vr_qemu_lookup(col->call->api->qemu, s->uuid);
    if (dom && st && !err && vr_rpc_call_alive(col->call)) {
        params p = {0};
        record(&p, dom, st, col->want);
        rec->params.params_val = p.val;
        rec->params.params_len = p.len;
    }
    collect_finish(col);
}

static vr_rpc_result all_domain_stats(vr_rpc_call *c)
{
    vrp_all_stats_args *a = c->args;
    unsigned want = a->stats ? a->stats : STATS_SERVED;
    if (a->flags & ENFORCE_STATS && want & ~(unsigned)STATS_SERVED)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "vireod reports the state, cpu-total, balloon, vcpu, "
                           "interface and block groups only (not 0x%x)", want & ~(unsigned)STATS_SERVED);
    if (!vr_rpc_flags_ok(c, a->flags, FILTER_FLAGS | NOWAIT | BACKING | ENFORCE_STATS))
        return VR_RPC_FAILED;
    if (a->doms.doms_len && a->flags & FILTER_FLAGS)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "list the domains or filter them, not both");
    /* The domains: those named, or every one passing the filter. */
    size_t n;
    vr_domain *const *all = vr_qemu_domains(c->api->qemu, &n);
    size_t want_n = a->doms.doms_len ? a->doms.doms_len : n;
    vr_domain **chosen = vr_calloc(want_n + 1, sizeof(*chosen));
    size_t k = 0;
    if (a->doms.doms_len) {
        for (size_t i = 0; i < a->doms.doms_len; i++) {
            if (!(chosen[k++] = vr_rpc_find_domain(c, &a->doms.doms_val[i]))) {
                free(chosen);
                return VR_RPC_FAILED;
            }
        }
    } else {
        for (size_t i = 0; i < n; i++)
            if (vr_rpc_dom_matches(all[i], a->flags & FILTER_FLAGS))
                chosen[k++] = all[i];
    }
    vrp_all_stats_ret *r = c->ret;
    r->records.records_val = vr_calloc(k + 1, sizeof(vrp_stats_record));
    r->records.records_len = (unsigned)k;
    collect *col = vr_calloc(1, sizeof(*col));
    *col = (collect){.call = c, .want = want & STATS_SERVED, .pending = k + 1};
    col->slots = vr_calloc(k + 1, sizeof(slot));
    for (size_t i = 0; i < k; i++) {
        vr_rpc_dom_wire(&r->records.records_val[i].dom, chosen[i]);
        col->slots[i] = (slot){.col = col, .index = i};
        snprintf(col->slots[i].uuid, sizeof(col->slots[i].uuid), "%s", chosen[i]->def->uuid);
    }
    for (size_t i = 0; i < k; i++)
        vr_qemu_stats(chosen[i], on_stats, &col->slots[i]);
    free(chosen);
    collect_finish(col); /* the guard: every domain may have answered at once */
    return VR_RPC_LATER;
}

/* ---- control (jobs: rpc_save.c) ---- */

/* The monitor is never busy for long: every call reports it ok. */
static vr_rpc_result control_info(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (dom->state == VR_DOM_SHUTOFF)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "domain is not running");
    vrp_control_info_ret *r = c->ret;
    r->state = 0; /* VIR_DOMAIN_CONTROL_OK */
    return VR_RPC_OK;
}

const vr_rpc_proc vr_rpc_stats_procs[] = {
    VR_RPC_PROC(229, "virDomainGetControlInfo", vrp_dom_flags_args, vrp_control_info_ret, control_info, READ),
    VR_RPC_PROC(344, "virConnectGetAllDomainStats", vrp_all_stats_args, vrp_all_stats_ret, all_domain_stats,
                READ),
    {0},
};
