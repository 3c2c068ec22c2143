/* libvirt protocol: the connection, the host, and event registration. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/access.h"
#include "core/domain_caps.h"
#include "core/host_info.h"
#include "core/host_sysinfo.h"
#include "host/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The libvirt release whose protocol and behaviour vireod answers for
 * (Debian 12's): clients that gate features on the daemon's version
 * see the one they were tested against. */
#define LIBVIRT_COMPAT_VERSION 9000000ull

static vr_rpc_result connect_open(vr_rpc_call *c)
{
    const vr_api *api = c->api;
    uid_t uid = vr_rpc_peer_uid(c->conn);
    if (api->session && uid != api->owner)
        return vr_rpc_fail(c, VIR_ERR_ACCESS_DENIED, "this is %s's session daemon; connect to your own "
                           "(qemu:///session)", vr_access_user_name(api->owner));
    if (!vr_rpc_read_only(c->conn) && !vr_access_may_manage(uid, api->owner, api->session))
        return vr_rpc_fail(c, VIR_ERR_ACCESS_DENIED, "user %s may not manage %s: add it to group vireo "
                           "(usermod -aG vireo %s) or use the read-only socket (virsh -r)",
                           vr_access_user_name(uid), api->uri, vr_access_user_name(uid));
    vr_rpc_set_open(c->conn);
    return VR_RPC_OK;
}

static vr_rpc_result connect_close(vr_rpc_call *c) { return VR_RPC_OK; }

static vr_rpc_result auth_list(vr_rpc_call *c)
{
    /* Unix sockets: the peer's credentials are the authentication. */
    vrp_auth_list_ret *r = c->ret;
    r->types.types_len = 1;
    r->types.types_val = vr_calloc(1, sizeof(int));
    return VR_RPC_OK;
}

static vr_rpc_result supports_feature(vr_rpc_call *c)
{
    enum { FD_PASSING = 8, TYPED_PARAM_STRING = 9, PROGRAM_KEEPALIVE = 10, REMOTE_EVENT_CALLBACK = 14 };
    int f = ((vrp_feature_args *)c->args)->feature;
    ((vrp_int_ret *)c->ret)->value = f == FD_PASSING || f == TYPED_PARAM_STRING || f == PROGRAM_KEEPALIVE ||
                                     f == REMOTE_EVENT_CALLBACK;
    return VR_RPC_OK;
}

static vr_rpc_result get_type(vr_rpc_call *c)
{
    ((vrp_str_ret *)c->ret)->value = vr_strdup("QEMU");
    return VR_RPC_OK;
}

/* QEMU's version as libvirt counts it: major * 1000000 + minor * 1000 +
 * micro, read once from `qemu-system-x86_64 --version`. */
static vr_rpc_result get_version(vr_rpc_call *c)
{
    static unsigned long long version;
    if (!version) {
        char *line = vr_tool_version("qemu-system-x86_64");
        const char *v = line ? strstr(line, "version ") : NULL;
        unsigned major = 0, minor = 0, micro = 0;
        if (!v || sscanf(v, "version %u.%u.%u", &major, &minor, &micro) < 2) {
            free(line);
            return vr_rpc_fail(c, VIR_ERR_OPERATION_FAILED, "cannot tell QEMU's version (is qemu-system-x86 "
                               "installed?)");
        }
        free(line);
        version = major * 1000000ull + minor * 1000ull + micro;
    }
    ((vrp_uhyper_ret *)c->ret)->value = version;
    return VR_RPC_OK;
}

static vr_rpc_result get_lib_version(vr_rpc_call *c)
{
    ((vrp_uhyper_ret *)c->ret)->value = LIBVIRT_COMPAT_VERSION;
    return VR_RPC_OK;
}

static vr_rpc_result get_hostname(vr_rpc_call *c)
{
    vr_host_info h;
    vr_host_info_get(c->api->qemu, &h);
    ((vrp_str_ret *)c->ret)->value = vr_strdup(h.hostname);
    return VR_RPC_OK;
}

static vr_rpc_result get_uri(vr_rpc_call *c)
{
    ((vrp_str_ret *)c->ret)->value = vr_strdup(c->api->session ? "qemu:///session" : "qemu:///system");
    return VR_RPC_OK;
}

static vr_rpc_result get_capabilities(vr_rpc_call *c)
{
    char *err = NULL;
    char *xml = vr_host_capabilities_xml(c->api->qemu, &err);
    if (!xml) {
        vr_rpc_result res = vr_rpc_fail(c, VIR_ERR_OPERATION_FAILED, "%s", err);
        free(err);
        return res;
    }
    ((vrp_str_ret *)c->ret)->value = xml;
    return VR_RPC_OK;
}

/* virsh sysinfo: the host's SMBIOS facts (core/host_sysinfo.h). */
static vr_rpc_result get_sysinfo(vr_rpc_call *c)
{
    unsigned flags = ((vrp_flags_args *)c->args)->flags;
    if (flags)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", flags, c->proc->api);
    ((vrp_str_ret *)c->ret)->value = vr_host_sysinfo_xml(VR_HOST_DMI_DIR, VR_HOST_CPUINFO);
    return VR_RPC_OK;
}

/* virsh domcapabilities, virt-install and virt-manager's wizard. */
static vr_rpc_result get_domain_capabilities(vr_rpc_call *c)
{
    vrp_domcaps_args *a = c->args;
    if (a->flags)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", a->flags,
                           c->proc->api);
    char *err = NULL, *xml = NULL;
    vr_err code = vr_domain_caps_xml(c->api->qemu, a->emulator ? *a->emulator : NULL, a->arch ? *a->arch : NULL,
                                     a->machine ? *a->machine : NULL, a->virttype ? *a->virttype : NULL, &xml, &err);
    ((vrp_str_ret *)c->ret)->value = xml;
    return vr_rpc_outcome(c, code, err, VR_RPC_OTHER);
}

static vr_rpc_result node_get_info(vr_rpc_call *c)
{
    vr_host_info h;
    vr_host_info_get(c->api->qemu, &h);
    vrp_node_info_ret *r = c->ret;
    /* Each char of the model is one XDR unit on the wire. */
    for (size_t i = 0; i < sizeof(r->model) && h.arch[i]; i++)
        r->model[i] = h.arch[i];
    r->memory = h.memory_kib;
    r->cpus = h.cpus;
    r->mhz = (int)h.mhz;
    r->nodes = r->sockets = r->threads = 1;
    r->cores = h.cpus;
    return VR_RPC_OK;
}

static vr_rpc_result get_max_vcpus(vr_rpc_call *c)
{
    ((vrp_int_ret *)c->ret)->value = VR_HOST_MAX_VCPUS;
    return VR_RPC_OK;
}

static vr_rpc_result node_free_memory(vr_rpc_call *c)
{
    ((vrp_uhyper_ret *)c->ret)->value = vr_host_free_memory();
    return VR_RPC_OK;
}

/* One NUMA cell: the host's whole free memory. */
/* virsh nodecpumap: the present CPUs' count, the online ones as a
 * bitmap and their count, as the host's sysfs has them. */
static vr_rpc_result node_cpu_map(vr_rpc_call *c)
{
    vrp_cpu_map_args *a = c->args;
    vrp_cpu_map_ret *r = c->ret;
    if (!vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    unsigned char on[VRP_NODE_CPUMAP_MAX * 8];
    unsigned online, n = vr_host_cpu_map(on, sizeof(on), &online);
    if (!n)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_FAILED, "the host's CPUs cannot be read "
                           "(/sys/devices/system/cpu/present)");
    r->ret = (int)n;
    if (a->need_online)
        r->online = online;
    if (a->need_map) {
        r->cpumap.cpumap_len = (n + 7) / 8;
        r->cpumap.cpumap_val = vr_calloc(r->cpumap.cpumap_len, 1);
        for (unsigned i = 0; i < n; i++)
            if (on[i])
                r->cpumap.cpumap_val[i / 8] |= (char)(1u << (i % 8));
    }
    return VR_RPC_OK;
}

/* virsh cpu-models x86_64: QEMU's named models, as the domain
 * capabilities list them (the only architecture served). */
static vr_rpc_result cpu_model_names(vr_rpc_call *c)
{
    vrp_cpu_models_args *a = c->args;
    vrp_cpu_models_ret *r = c->ret;
    if (!vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (strcmp(a->arch, "x86_64") != 0 && strcmp(a->arch, "i686") != 0)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "architecture '%s' is not served here: QEMU's x86_64 "
                           "machines only (virsh cpu-models x86_64)", a->arch);
    size_t n;
    char **models = vr_domain_caps_cpu_models(NULL, &n);
    if (!n) {
        free(models);
        return vr_rpc_fail(c, VIR_ERR_OPERATION_FAILED, "QEMU (%s -cpu help) lists no CPU models", VR_HOST_QEMU);
    }
    r->ret = (int)(n < VRP_CPU_MODELS_MAX ? n : VRP_CPU_MODELS_MAX);
    if (a->need_results) {
        r->models.models_val = models;
        r->models.models_len = (unsigned)r->ret;
        for (size_t i = (size_t)r->ret; i < n; i++)
            free(models[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            free(models[i]);
        free(models);
    }
    return VR_RPC_OK;
}

static vr_rpc_result cells_free_memory(vr_rpc_call *c)
{
    vrp_cells_free_args *a = c->args;
    vrp_cells_free_ret *r = c->ret;
    if (a->start_cell != 0 || a->max_cells < 1)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "this host has one NUMA cell (0), not %d", a->start_cell);
    r->cells.cells_len = 1;
    r->cells.cells_val = vr_calloc(1, sizeof(unsigned long long));
    r->cells.cells_val[0] = vr_host_free_memory();
    return VR_RPC_OK;
}

/* virNodeGetMemoryStats: total, free, buffers and cached in KiB for
 * the whole host (cell -1) or its one NUMA cell (0); asked with no room
 * (nparams 0), the count alone, as libvirt answers. Cockpit's machines
 * page reads the total for its Create VM dialog. */
typedef struct {
    const char *field;
    unsigned long long value;
} node_stat;

/* virNodeGet{Memory,CPU}Stats' answer: nparams 0 asks how many there are. */
static vr_rpc_result node_stats(vr_rpc_call *c, int nparams, const node_stat *stats, int n)
{
    vrp_node_mem_stats_ret *r = c->ret;
    r->nparams = n;
    if (nparams == 0)
        return VR_RPC_OK;
    if (nparams < n)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "nparams too small: %d, the host has %d stats", nparams, n);
    r->params.params_len = (unsigned)n;
    r->params.params_val = vr_calloc((size_t)n, sizeof(*r->params.params_val));
    for (int i = 0; i < n; i++) {
        r->params.params_val[i].field = vr_strdup(stats[i].field);
        r->params.params_val[i].value = stats[i].value;
    }
    return VR_RPC_OK;
}

static vr_rpc_result node_memory_stats(vr_rpc_call *c)
{
    enum { ALL_CELLS = -1 };
    vrp_node_mem_stats_args *a = c->args;
    if (!vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (a->cell != ALL_CELLS && a->cell != 0)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "this host has one NUMA cell (0), not %d", a->cell);
    if (a->nparams < 0)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "nparams must not be negative (%d)", a->nparams);
    vr_host_memory m = {0};
    if (a->nparams && !vr_host_memory_stats(&m))
        return vr_rpc_fail(c, VIR_ERR_OPERATION_FAILED, "the host's memory cannot be read (/proc/meminfo)");
    const node_stat stats[] = {{"total", m.total}, {"free", m.free}, {"buffers", m.buffers}, {"cached", m.cached}};
    return node_stats(c, a->nparams, stats, 4);
}

/* virNodeGetCPUStats (virsh nodecpustats): one CPU's times or, with
 * cpu -1, all CPUs' together, in nanoseconds. */
static vr_rpc_result node_cpu_stats(vr_rpc_call *c)
{
    enum { ALL_CPUS = -1 };
    vrp_node_cpu_stats_args *a = c->args;
    if (!vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (a->nparams < 0)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "nparams must not be negative (%d)", a->nparams);
    vr_host_cpu_times t = {0};
    if (a->nparams && (a->cpu < ALL_CPUS || !vr_host_cpu_stats(a->cpu, &t)))
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "this host has no CPU %d (nodeinfo says how many it has)",
                           a->cpu);
    const node_stat stats[] = {{"kernel", t.kernel}, {"user", t.user}, {"idle", t.idle}, {"iowait", t.iowait}};
    return node_stats(c, a->nparams, stats, 4);
}

static vr_rpc_result is_secure(vr_rpc_call *c)
{
    ((vrp_int_ret *)c->ret)->value = 1; /* a local unix socket */
    return VR_RPC_OK;
}

/* No security driver (SELinux, AppArmor) labels QEMU here: an empty
 * model, which clients show as none. */
static vr_rpc_result security_model(vr_rpc_call *c)
{
    vrp_security_model_ret *r = c->ret;
    r->model.model_len = r->doi.doi_len = 0;
    return VR_RPC_OK;
}

/* Host interfaces, secrets and network filters: Vireo manages none of
 * them, so their lists are honestly empty (clients show
 * empty lists, as against a libvirtd without those drivers' objects). */
static vr_rpc_result none_listed(vr_rpc_call *c) { return VR_RPC_OK; }
static vr_rpc_result none_counted(vr_rpc_call *c)
{
    ((vrp_int_ret *)c->ret)->value = 0;
    return VR_RPC_OK;
}

/* Register a callback of kind for event_id (served: the bit of `served`
 * for it) on the object uuid (NULL: all). */
static vr_rpc_result event_register(vr_rpc_call *c, vr_rpc_ev_kind kind, int event_id, unsigned served,
                                    const char *uuid)
{
    static const char *const kinds[] = {"domain", "network", "storage pool", "node device", "secret"};
    if (event_id < 0 || event_id >= 32 || !(served & (1u << event_id)))
        return vr_rpc_fail(c, VIR_ERR_NO_SUPPORT, "vireod does not send %s event %d", kinds[kind], event_id);
    int id = vr_rpc_events_add(c->conn, kind, event_id, (const unsigned char *)uuid);
    if (id < 0)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "this connection holds too many event callbacks");
    ((vrp_event_register_ret *)c->ret)->callback_id = id;
    return VR_RPC_OK;
}

static vr_rpc_result event_deregister(vr_rpc_call *c, vr_rpc_ev_kind kind)
{
    int id = ((vrp_event_deregister_args *)c->args)->callback_id;
    if (!vr_rpc_events_remove(c->conn, kind, id))
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "no event callback %d on this connection", id);
    return VR_RPC_OK;
}

/* Domains: lifecycle (0), reboot (1), RTC change (2), watchdog (3), I/O
 * error (4), graphics (5), I/O error with reason (6), block job (8),
 * device removed (15), block job 2 (16), tunable (17), agent lifecycle
 * (18), device added (19), device removal failed (22), metadata change (23). */
static vr_rpc_result domain_register(vr_rpc_call *c)
{
    vrp_event_register_args *a = c->args;
    return event_register(c, VR_RPC_EV_DOMAIN, a->event_id,
                          1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 15 | 1u << 16 | 1u << 17 | 1u << 18 | 1u << 19 |
                              1u << 22 | 1u << 23,
                          a->dom ? a->dom->uuid : NULL);
}

/* Networks: lifecycle (0). Pools: lifecycle (0) and refresh (1). */
static vr_rpc_result network_register(vr_rpc_call *c)
{
    vrp_net_event_register_args *a = c->args;
    return event_register(c, VR_RPC_EV_NETWORK, a->event_id, 1u << 0, a->net ? a->net->uuid : NULL);
}

static vr_rpc_result pool_register(vr_rpc_call *c)
{
    vrp_pool_event_register_args *a = c->args;
    return event_register(c, VR_RPC_EV_POOL, a->event_id, 1u << 0 | 1u << 1, a->pool ? a->pool->uuid : NULL);
}

/* Node devices: lifecycle (0) and update (1); secrets: lifecycle (0)
 * and value changed (1). virt-manager and libvirt-dbus register them at
 * connect; vireod reads node devices at each call rather than watching
 * them, and lists no secrets over this protocol, so none of these events
 * ever comes. */
static vr_rpc_result nodedev_register(vr_rpc_call *c)
{
    vrp_nodedev_event_register_args *a = c->args;
    return event_register(c, VR_RPC_EV_NODEDEV, a->event_id, 1u << 0 | 1u << 1, NULL);
}

static vr_rpc_result secret_register(vr_rpc_call *c)
{
    vrp_secret_event_register_args *a = c->args;
    return event_register(c, VR_RPC_EV_SECRET, a->event_id, 1u << 0 | 1u << 1, NULL);
}

static vr_rpc_result nodedev_deregister(vr_rpc_call *c) { return event_deregister(c, VR_RPC_EV_NODEDEV); }
static vr_rpc_result secret_deregister(vr_rpc_call *c) { return event_deregister(c, VR_RPC_EV_SECRET); }
static vr_rpc_result domain_deregister(vr_rpc_call *c) { return event_deregister(c, VR_RPC_EV_DOMAIN); }
static vr_rpc_result network_deregister(vr_rpc_call *c) { return event_deregister(c, VR_RPC_EV_NETWORK); }
static vr_rpc_result pool_deregister(vr_rpc_call *c) { return event_deregister(c, VR_RPC_EV_POOL); }

const vr_rpc_proc vr_rpc_connect_procs[] = {
    VR_RPC_PROC(1, "virConnectOpen", vrp_open_args, vrp_void, connect_open, READ),
    VR_RPC_PROC(2, "virConnectClose", vrp_void, vrp_void, connect_close, READ),
    VR_RPC_PROC(3, "virConnectGetType", vrp_void, vrp_str_ret, get_type, READ),
    VR_RPC_PROC(4, "virConnectGetVersion", vrp_void, vrp_uhyper_ret, get_version, READ),
    VR_RPC_PROC(5, "virConnectGetMaxVcpus", vrp_str_opt_args, vrp_int_ret, get_max_vcpus, READ),
    VR_RPC_PROC(6, "virNodeGetInfo", vrp_void, vrp_node_info_ret, node_get_info, READ),
    VR_RPC_PROC(7, "virConnectGetCapabilities", vrp_void, vrp_str_ret, get_capabilities, READ),
    VR_RPC_PROC(59, "virConnectGetHostname", vrp_void, vrp_str_ret, get_hostname, READ),
    VR_RPC_PROC(60, "virConnectSupportsFeature", vrp_feature_args, vrp_int_ret, supports_feature, READ),
    VR_RPC_PROC(66, "virConnectAuthList", vrp_void, vrp_auth_list_ret, auth_list, READ),
    VR_RPC_PROC(101, "virNodeGetCellsFreeMemory", vrp_cells_free_args, vrp_cells_free_ret, cells_free_memory,
                READ),
    VR_RPC_PROC(102, "virNodeGetFreeMemory", vrp_void, vrp_uhyper_ret, node_free_memory, READ),
    VR_RPC_PROC(227, "virNodeGetCPUStats", vrp_node_cpu_stats_args, vrp_node_mem_stats_ret, node_cpu_stats, READ),
    VR_RPC_PROC(228, "virNodeGetMemoryStats", vrp_node_mem_stats_args, vrp_node_mem_stats_ret, node_memory_stats,
                READ),
    VR_RPC_PROC(293, "virNodeGetCPUMap", vrp_cpu_map_args, vrp_cpu_map_ret, node_cpu_map, READ),
    VR_RPC_PROC(312, "virConnectGetCPUModelNames", vrp_cpu_models_args, vrp_cpu_models_ret, cpu_model_names,
                READ),
    VR_RPC_PROC(110, "virConnectGetURI", vrp_void, vrp_str_ret, get_uri, READ),
    VR_RPC_PROC(122, "virNodeGetSecurityModel", vrp_void, vrp_security_model_ret, security_model, READ),
    VR_RPC_PROC(149, "virConnectIsSecure", vrp_void, vrp_int_ret, is_secure, READ),
    VR_RPC_PROC(157, "virConnectGetLibVersion", vrp_void, vrp_uhyper_ret, get_lib_version, READ),
    VR_RPC_PROC(203, "virConnectGetSysinfo", vrp_flags_args, vrp_str_ret, get_sysinfo, READ),
    VR_RPC_PROC(342, "virConnectGetDomainCapabilities", vrp_domcaps_args, vrp_str_ret, get_domain_capabilities,
                READ),
    VR_RPC_PROC(126, "virConnectNumOfInterfaces", vrp_void, vrp_int_ret, none_counted, READ),
    VR_RPC_PROC(137, "virConnectNumOfDefinedInterfaces", vrp_void, vrp_int_ret, none_counted, READ),
    VR_RPC_PROC(139, "virConnectNumOfSecrets", vrp_void, vrp_int_ret, none_counted, READ),
    VR_RPC_PROC(178, "virConnectNumOfNWFilters", vrp_void, vrp_int_ret, none_counted, READ),
    VR_RPC_PROC(284, "virConnectListAllInterfaces", vrp_list_args, vrp_empty_list_ret, none_listed, READ),
    VR_RPC_PROC(286, "virConnectListAllNWFilters", vrp_list_args, vrp_empty_list_ret, none_listed, READ),
    VR_RPC_PROC(287, "virConnectListAllSecrets", vrp_list_args, vrp_empty_list_ret, none_listed, READ),
    VR_RPC_PROC(313, "virConnectNetworkEventRegisterAny", vrp_net_event_register_args, vrp_event_register_ret,
                network_register, READ),
    VR_RPC_PROC(314, "virConnectNetworkEventDeregisterAny", vrp_event_deregister_args, vrp_void,
                network_deregister, READ),
    VR_RPC_PROC(316, "virConnectDomainEventRegisterAny", vrp_event_register_args, vrp_event_register_ret,
                domain_register, READ),
    VR_RPC_PROC(317, "virConnectDomainEventDeregisterAny", vrp_event_deregister_args, vrp_void,
                domain_deregister, READ),
    VR_RPC_PROC(368, "virConnectStoragePoolEventRegisterAny", vrp_pool_event_register_args,
                vrp_event_register_ret, pool_register, READ),
    VR_RPC_PROC(369, "virConnectStoragePoolEventDeregisterAny", vrp_event_deregister_args, vrp_void,
                pool_deregister, READ),
    VR_RPC_PROC(374, "virConnectNodeDeviceEventRegisterAny", vrp_nodedev_event_register_args,
                vrp_event_register_ret, nodedev_register, READ),
    VR_RPC_PROC(375, "virConnectNodeDeviceEventDeregisterAny", vrp_event_deregister_args, vrp_void,
                nodedev_deregister, READ),
    VR_RPC_PROC(380, "virConnectSecretEventRegisterAny", vrp_secret_event_register_args, vrp_event_register_ret,
                secret_register, READ),
    VR_RPC_PROC(381, "virConnectSecretEventDeregisterAny", vrp_event_deregister_args, vrp_void,
                secret_deregister, READ),
    {0},
};
