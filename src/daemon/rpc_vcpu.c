/* libvirt protocol: vCPU threads of a running domain (vcpuinfo, vcpupin,
 * emulatorpin: qemu_affinity.c, as the HTTP routes in api_guest.c), and
 * iothreads (iothreadinfo, iothreadpin with LIVE/CONFIG, iothreadadd/del:
 * qemu_affinity.c, qemu_iothread.c).
 * libvirt's CPU maps are bitmaps, one bit per host CPU, maplen bytes per
 * vCPU; the driver speaks cpulists ("0-1,3"). vCPU pinning here is live
 * only: CONFIG is refused, and a shut-off
 * domain's map is every host CPU, which is what it would run on. */
#include "daemon/rpc.h"
#include "core/domain_ops.h"
#include "common/util.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { AFFECT_LIVE = 1, AFFECT_CONFIG = 2 };

/* cpulist text -> bitmap of maplen bytes. */
static void map_of(const char *list, unsigned char *map, int maplen)
{
    memset(map, 0, (size_t)maplen);
    const char *p = list ? list : "";
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p)
            break;
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        for (long i = a; i <= b && i >= 0 && i < maplen * 8L; i++)
            map[i / 8] |= (unsigned char)(1u << (i % 8));
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            break;
    }
}

/* bitmap -> cpulist text ("0,2,3"); NULL when no CPU is set. */
static char *list_of(const unsigned char *map, unsigned len)
{
    char *out = vr_strdup("");
    for (unsigned i = 0; i < len * 8; i++) {
        if (!(map[i / 8] & (1u << (i % 8))))
            continue;
        char *next = vr_asprintf("%s%s%u", out, *out ? "," : "", i);
        free(out);
        out = next;
    }
    if (!*out) {
        free(out);
        return NULL;
    }
    return out;
}

static int host_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    return n > 0 ? (int)n : 1;
}

typedef enum { WANT_PIN_INFO, WANT_EMULATOR_INFO, WANT_VCPUS } want;

typedef struct {
    vr_rpc_call *call;
    want what;
    int maps, maplen;
} info_ctx;

static void on_info(vr_err code, const vr_qemu_vcpus *v, const char *err, void *opaque)
{
    info_ctx *x = opaque;
    vr_rpc_call *c = x->call;
    size_t n = v ? v->n : 0;
    if (code == VR_OK && x->what == WANT_EMULATOR_INFO) {
        vrp_cpumaps_ret *r = c->ret;
        r->cpumaps.cpumaps_val = vr_calloc(1, (size_t)x->maplen);
        r->cpumaps.cpumaps_len = (unsigned)x->maplen;
        map_of(v->emulator_affinity, (unsigned char *)r->cpumaps.cpumaps_val, x->maplen);
        r->num = 1;
    } else if (code == VR_OK && x->what == WANT_PIN_INFO) {
        vrp_cpumaps_ret *r = c->ret;
        size_t k = n < (size_t)x->maps ? n : (size_t)x->maps;
        r->cpumaps.cpumaps_val = vr_calloc(k + 1, (size_t)x->maplen);
        r->cpumaps.cpumaps_len = (unsigned)(k * (size_t)x->maplen);
        for (size_t i = 0; i < k; i++)
            map_of(v->v[i].affinity, (unsigned char *)r->cpumaps.cpumaps_val + i * (size_t)x->maplen, x->maplen);
        r->num = (int)k;
    } else if (code == VR_OK) {
        vrp_get_vcpus_ret *r = c->ret;
        size_t k = n < (size_t)x->maps ? n : (size_t)x->maps;
        r->info.info_val = vr_calloc(k + 1, sizeof(vrp_vcpu_info));
        r->info.info_len = (unsigned)k;
        r->cpumaps.cpumaps_val = vr_calloc(k + 1, (size_t)(x->maplen ? x->maplen : 1));
        r->cpumaps.cpumaps_len = (unsigned)(k * (size_t)x->maplen);
        for (size_t i = 0; i < k; i++) {
            const vr_qemu_vcpu *t = &v->v[i];
            vrp_vcpu_info *info = &r->info.info_val[i];
            info->number = (unsigned)i;
            info->state = 1; /* VIR_VCPU_RUNNING: a thread of a paused domain is still there */
            info->cpu = t->cpu;
            info->cpu_time = t->cpu_time_ns < 0 ? 0 : (unsigned long long)t->cpu_time_ns;
            if (x->maplen)
                map_of(t->affinity, (unsigned char *)r->cpumaps.cpumaps_val + i * (size_t)x->maplen, x->maplen);
        }
    }
    free(x);
    vr_rpc_done(c, code, err, VR_RPC_DOMAIN);
}

static bool sizes_ok(vr_rpc_call *c, int maps, int maplen)
{
    if (maps >= 0 && maplen >= 0 && maplen <= VRP_CPUMAP_MAX && (long)maps * maplen <= VRP_CPUMAPS_MAX)
        return true;
    vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "%d maps of %d bytes are more than %d bytes", maps, maplen, VRP_CPUMAPS_MAX);
    return false;
}

/* A shut-off domain: every vCPU (or the emulator) on every host CPU. */
static vr_rpc_result all_cpus(vr_rpc_call *c, int count, int maplen)
{
    vrp_cpumaps_ret *r = c->ret;
    r->cpumaps.cpumaps_val = vr_calloc((size_t)count + 1, (size_t)maplen);
    r->cpumaps.cpumaps_len = (unsigned)(count * maplen);
    char *all = vr_asprintf("0-%d", host_cpus() - 1);
    for (int i = 0; i < count; i++)
        map_of(all, (unsigned char *)r->cpumaps.cpumaps_val + (size_t)i * (size_t)maplen, maplen);
    free(all);
    r->num = count;
    return VR_RPC_OK;
}

static vr_rpc_result ask(vr_rpc_call *c, vr_domain *dom, want what, int maps, int maplen)
{
    info_ctx *x = vr_calloc(1, sizeof(*x));
    *x = (info_ctx){.call = c, .what = what, .maps = maps, .maplen = maplen};
    vr_qemu_vcpu_info(dom, on_info, x);
    return VR_RPC_LATER;
}

static vr_rpc_result vcpu_pin_info(vr_rpc_call *c)
{
    vrp_vcpu_pin_info_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG) || !sizes_ok(c, a->ncpumaps, a->maplen))
        return VR_RPC_FAILED;
    if (dom->state == VR_DOM_SHUTOFF || (a->flags & AFFECT_CONFIG)) {
        int n = (int)dom->def->vcpus < a->ncpumaps ? (int)dom->def->vcpus : a->ncpumaps;
        return all_cpus(c, n, a->maplen);
    }
    return ask(c, dom, WANT_PIN_INFO, a->ncpumaps, a->maplen);
}

static vr_rpc_result emulator_pin_info(vr_rpc_call *c)
{
    vrp_emulator_pin_info_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG) || !sizes_ok(c, 1, a->maplen))
        return VR_RPC_FAILED;
    if (dom->state == VR_DOM_SHUTOFF || (a->flags & AFFECT_CONFIG))
        return all_cpus(c, 1, a->maplen);
    return ask(c, dom, WANT_EMULATOR_INFO, 1, a->maplen);
}

static vr_rpc_result get_vcpus(vr_rpc_call *c)
{
    vrp_get_vcpus_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !sizes_ok(c, a->maxinfo, a->maplen))
        return VR_RPC_FAILED;
    if (dom->state == VR_DOM_SHUTOFF)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "cannot list vcpu pinning for an inactive domain");
    return ask(c, dom, WANT_VCPUS, a->maxinfo, a->maplen);
}

static void on_pinned(vr_err code, json_object *ret, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_DOMAIN);
}

/* The map as a cpulist for the driver; CONFIG refused (live only). */
static char *pin_list(vr_rpc_call *c, const vrp_dom *d, const char *map, unsigned len, unsigned flags,
                      vr_domain **dom)
{
    *dom = vr_rpc_find_domain(c, d);
    if (!*dom || !vr_rpc_flags_ok(c, flags, AFFECT_LIVE | AFFECT_CONFIG))
        return NULL;
    if (flags & AFFECT_CONFIG) {
        vr_rpc_fail(c, VIR_ERR_CONFIG_UNSUPPORTED, "pinning in the definition (<cputune>, --config) is not "
                    "supported yet; use --live on the running domain");
        return NULL;
    }
    char *list = list_of((const unsigned char *)map, len);
    if (!list)
        vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "the CPU map names no CPU");
    return list;
}

static vr_rpc_result pin_with(vr_rpc_call *c, const vrp_dom *d, unsigned vcpu, const char *map, unsigned len,
                              unsigned flags)
{
    vr_domain *dom;
    char *list = pin_list(c, d, map, len, flags, &dom);
    if (!list)
        return VR_RPC_FAILED;
    vr_qemu_vcpu_pin(dom, vcpu, list, on_pinned, c);
    free(list);
    return VR_RPC_LATER;
}

static vr_rpc_result pin_vcpu(vr_rpc_call *c)
{
    vrp_pin_vcpu_args *a = c->args;
    return pin_with(c, &a->dom, a->vcpu, a->cpumap.cpumap_val, a->cpumap.cpumap_len, AFFECT_LIVE);
}

static vr_rpc_result pin_vcpu_flags(vr_rpc_call *c)
{
    vrp_pin_vcpu_flags_args *a = c->args;
    return pin_with(c, &a->dom, a->vcpu, a->cpumap.cpumap_val, a->cpumap.cpumap_len, a->flags);
}

static vr_rpc_result pin_emulator(vr_rpc_call *c)
{
    vrp_pin_emulator_args *a = c->args;
    vr_domain *dom;
    char *list = pin_list(c, &a->dom, a->cpumap.cpumap_val, a->cpumap.cpumap_len, a->flags, &dom);
    if (!list)
        return VR_RPC_FAILED;
    vr_qemu_emulator_pin(dom, list, on_pinned, c);
    free(list);
    return VR_RPC_LATER;
}

/* virDomainGetIOThreadInfo: one map of host CPUs per iothread, as many
 * bytes as the host's CPUs need (libvirt's VIR_CPU_MAPLEN). */
static void on_iothreads(vr_err code, const vr_qemu_iothreads *t, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    size_t n = t ? t->n : 0;
    if (code == VR_OK) {
        vrp_get_iothread_info_ret *r = c->ret;
        int maplen = (host_cpus() + 7) / 8;
        r->info.info_val = vr_calloc(n + 1, sizeof(vrp_iothread_info));
        r->info.info_len = (unsigned)n;
        for (size_t i = 0; i < n; i++) {
            vrp_iothread_info *info = &r->info.info_val[i];
            info->iothread_id = t->v[i].id;
            info->cpumap.cpumap_val = vr_calloc(1, (size_t)maplen);
            info->cpumap.cpumap_len = (unsigned)maplen;
            map_of(t->v[i].affinity, (unsigned char *)info->cpumap.cpumap_val, maplen);
        }
        r->ret = (unsigned)n;
    }
    vr_rpc_done(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result get_iothread_info(vr_rpc_call *c)
{
    vrp_get_iothread_info_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    vr_qemu_iothread_info(dom, a->flags & AFFECT_CONFIG ? VR_AFFECT_CONFIG : 0, on_iothreads, c);
    return VR_RPC_LATER;
}

static vr_rpc_result pin_iothread(vr_rpc_call *c)
{
    vrp_pin_iothread_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    char *list = list_of((const unsigned char *)a->cpumap.cpumap_val, a->cpumap.cpumap_len);
    if (!list)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "the CPU map names no CPU");
    vr_qemu_iothread_pin(dom, a->iothreads_id, list,
                         (a->flags & AFFECT_LIVE ? VR_AFFECT_LIVE : 0) |
                             (a->flags & AFFECT_CONFIG ? VR_AFFECT_CONFIG : 0),
                         on_pinned, c);
    free(list);
    return VR_RPC_LATER;
}

static void on_changed(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_DOMAIN);
}

/* virDomainAddIOThread, virDomainDelIOThread: virsh iothreadadd/del. */
static vr_rpc_result iothread_change(vr_rpc_call *c, bool add)
{
    vrp_iothread_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    vr_qemu_iothread_change(dom, a->iothread_id, add,
                            (a->flags & AFFECT_LIVE ? VR_AFFECT_LIVE : 0) |
                                (a->flags & AFFECT_CONFIG ? VR_AFFECT_CONFIG : 0),
                            on_changed, c);
    return VR_RPC_LATER;
}

static vr_rpc_result add_iothread(vr_rpc_call *c) { return iothread_change(c, true); }
static vr_rpc_result del_iothread(vr_rpc_call *c) { return iothread_change(c, false); }

/* ---- schedinfo: the CPU bandwidth of <cputune>, libvirt's "posix"
 * scheduler parameters ---- */

enum { SCHED_NPARAMS = 3 };

static vr_rpc_result sched_type(vr_rpc_call *c)
{
    vr_domain *dom = vr_rpc_find_domain(c, &((vrp_dom_args *)c->args)->dom);
    if (!dom)
        return VR_RPC_FAILED;
    vrp_sched_type_ret *r = c->ret;
    r->type = vr_strdup("posix");
    r->nparams = SCHED_NPARAMS;
    return VR_RPC_OK;
}

static vr_rpc_result sched_get_with(vr_rpc_call *c, const vrp_dom *d, int nparams, unsigned flags)
{
    enum { TYPED_PARAM_STRING_OKAY = 4 };
    vr_domain *dom = vr_rpc_find_domain(c, d);
    if (!dom || !vr_rpc_flags_ok(c, flags, AFFECT_LIVE | AFFECT_CONFIG | TYPED_PARAM_STRING_OKAY))
        return VR_RPC_FAILED;
    vr_qemu_sched s;
    char *err = NULL;
    vr_err code = vr_qemu_sched_get(dom, flags & (AFFECT_LIVE | AFFECT_CONFIG), &s, &err);
    if (code != VR_OK)
        return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
    vr_rpc_params p = {0};
    vr_rpc_param_ull(&p, vr_strdup("cpu_shares"), (long long)s.shares);
    vr_rpc_param_ull(&p, vr_strdup("vcpu_period"), (long long)s.period);
    vrp_typed_value *v = vr_rpc_param_add(&p, VR_TP_LLONG, vr_strdup("vcpu_quota"));
    v->vrp_typed_value_u.l = s.quota;
    vrp_sched_ret *r = c->ret;
    r->params.params_val = p.val;
    r->params.params_len = p.len < (unsigned)(nparams > 0 ? nparams : 0) ? p.len : (unsigned)(nparams > 0 ? nparams : 0);
    for (unsigned i = r->params.params_len; i < p.len; i++)
        xdr_free((xdrproc_t)xdr_vrp_typed_param, (char *)&p.val[i]);
    return VR_RPC_OK;
}

static vr_rpc_result sched_get(vr_rpc_call *c)
{
    vrp_sched_get_args *a = c->args;
    return sched_get_with(c, &a->dom, a->nparams, 0);
}

static vr_rpc_result sched_get_flags(vr_rpc_call *c)
{
    vrp_sched_get_flags_args *a = c->args;
    return sched_get_with(c, &a->dom, a->nparams, a->flags);
}

/* Each parameter by its name and libvirt's type: cpu_shares and
 * vcpu_period unsigned long long, vcpu_quota long long. */
static vr_rpc_result sched_set_with(vr_rpc_call *c, const vrp_dom *d, const vrp_typed_param *params, unsigned n,
                                    unsigned flags)
{
    vr_domain *dom = vr_rpc_find_domain(c, d);
    if (!dom || !vr_rpc_flags_ok(c, flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    vr_qemu_sched s = {0};
    for (unsigned i = 0; i < n; i++) {
        const vrp_typed_param *p = &params[i];
        bool quota = strcmp(p->field, "vcpu_quota") == 0;
        unsigned long long *u = strcmp(p->field, "cpu_shares") == 0    ? &s.shares
                                : strcmp(p->field, "vcpu_period") == 0 ? &s.period
                                                                       : NULL;
        if (!u && !quota)
            return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "scheduler parameter '%s' is not one Vireo sets "
                               "(cpu_shares, vcpu_period, vcpu_quota)", p->field);
        if (p->value.type != (quota ? VR_TP_LLONG : VR_TP_ULLONG))
            return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "scheduler parameter '%s' is a%s", p->field,
                               quota ? " long long" : "n unsigned long long");
        if (quota)
            s.quota = p->value.vrp_typed_value_u.l;
        else
            *u = p->value.vrp_typed_value_u.ul;
    }
    char *err = NULL;
    vr_err code = vr_qemu_sched_set(dom, &s, flags, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result sched_set(vr_rpc_call *c)
{
    vrp_sched_set_args *a = c->args;
    return sched_set_with(c, &a->dom, a->params.params_val, a->params.params_len, 0);
}

static vr_rpc_result sched_set_flags(vr_rpc_call *c)
{
    vrp_sched_set_flags_args *a = c->args;
    return sched_set_with(c, &a->dom, a->params.params_val, a->params.params_len, a->flags);
}

const vr_rpc_proc vr_rpc_vcpu_procs[] = {
    VR_RPC_PROC(56, "virDomainGetSchedulerType", vrp_dom_args, vrp_sched_type_ret, sched_type, READ),
    VR_RPC_PROC(57, "virDomainGetSchedulerParameters", vrp_sched_get_args, vrp_sched_ret, sched_get,
                READ),
    VR_RPC_PROC(223, "virDomainGetSchedulerParametersFlags", vrp_sched_get_flags_args, vrp_sched_ret,
                sched_get_flags, READ),
    VR_RPC_PROC(58, "virDomainSetSchedulerParameters", vrp_sched_set_args, vrp_void, sched_set, WRITE),
    VR_RPC_PROC(219, "virDomainSetSchedulerParametersFlags", vrp_sched_set_flags_args, vrp_void,
                sched_set_flags, WRITE),
    VR_RPC_PROC(355, "virDomainAddIOThread", vrp_iothread_args, vrp_void, add_iothread, WRITE),
    VR_RPC_PROC(356, "virDomainDelIOThread", vrp_iothread_args, vrp_void, del_iothread, WRITE),
    VR_RPC_PROC(351, "virDomainGetIOThreadInfo", vrp_get_iothread_info_args, vrp_get_iothread_info_ret,
                get_iothread_info, READ),
    VR_RPC_PROC(352, "virDomainPinIOThread", vrp_pin_iothread_args, vrp_void, pin_iothread, WRITE),
    VR_RPC_PROC(20, "virDomainGetVcpus", vrp_get_vcpus_args, vrp_get_vcpus_ret, get_vcpus, READ),
    VR_RPC_PROC(26, "virDomainPinVcpu", vrp_pin_vcpu_args, vrp_void, pin_vcpu, WRITE),
    VR_RPC_PROC(225, "virDomainPinVcpuFlags", vrp_pin_vcpu_flags_args, vrp_void, pin_vcpu_flags, WRITE),
    VR_RPC_PROC(230, "virDomainGetVcpuPinInfo", vrp_vcpu_pin_info_args, vrp_cpumaps_ret, vcpu_pin_info, READ),
    VR_RPC_PROC(279, "virDomainPinEmulator", vrp_pin_emulator_args, vrp_void, pin_emulator, WRITE),
    VR_RPC_PROC(280, "virDomainGetEmulatorPinInfo", vrp_emulator_pin_info_args, vrp_cpumaps_ret, emulator_pin_info,
                READ),
    {0},
};
