/* libvirt protocol: domains. Each procedure decodes, calls the QEMU
 * driver (or the core) as the HTTP routes in api_domains.c do, and
 * encodes. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/domain_ops.h"
#include "core/guest_ops.h"
#include "core/views.h"
#include "wire/schemas.h"
#include "core/snapshot_ops.h"
#include "core/storage_ops.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's flag bits for the calls below (libvirt-domain.h). */
enum {
    XML_SECURE = 1,
    XML_INACTIVE = 2,
    START_PAUSED = 1,
    START_FORCE_BOOT = 8,
    START_VALIDATE = 16,
    START_RESET_NVRAM = 32,
    UNDEFINE_MANAGED_SAVE = 1,
    UNDEFINE_NVRAM = 4,
    UNDEFINE_KEEP_NVRAM = 8,
    UNDEFINE_KEEP_TPM = 64,
    DEFINE_VALIDATE = 1,
    AFFECT_LIVE = 1,
    AFFECT_CONFIG = 2,
    MEM_MAXIMUM = 4,
    VCPU_MAXIMUM = 4,
    DEVICE_MODIFY_FORCE = 4, /* VIR_DOMAIN_DEVICE_MODIFY_FORCE */
    TYPED_PARAM_STRING_OKAY = 4, /* VIR_TYPED_PARAM_STRING_OKAY: clients set it on every get */
    SHUTDOWN_ACPI = 1,
    DESTROY_GRACEFUL = 1,
    UNDEFINE_ANY = 1 | 2 | 4 | 8 | 16 | 32 | 64, /* storage and metadata Vireo removes or keeps alike */
    IFADDR_SRC_LEASE = 0,
    IFADDR_SRC_AGENT = 1,
};

bool vr_rpc_flags_ok(vr_rpc_call *c, unsigned flags, unsigned allowed)
{
    if (!(flags & ~allowed))
        return true;
    vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", flags & ~allowed, c->proc->api);
    return false;
}

/* A definition from a client: not larger than the HTTP API takes. */
static bool definition_ok(vr_rpc_call *c, const char *xml)
{
    size_t len = strlen(xml);
    if (len <= VR_API_BODY_DEFINITION)
        return true;
    vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the definition is %zu bytes; vireod takes at most %u KiB", len,
                VR_API_BODY_DEFINITION / 1024);
    return false;
}

static vr_domain *arg_domain(vr_rpc_call *c)
{
    return vr_rpc_find_domain(c, &((vrp_dom_args *)c->args)->dom);
}

/* ---- lookups and lists ---- */

static vr_rpc_result reply_domain(vr_rpc_call *c, vr_domain *dom)
{
    vr_rpc_dom_wire(&((vrp_dom_ret *)c->ret)->dom, dom);
    return VR_RPC_OK;
}

static vr_rpc_result lookup_by_name(vr_rpc_call *c)
{
    const char *name = ((vrp_name_args *)c->args)->name;
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(doms[i]->def->name, name) == 0)
            return reply_domain(c, doms[i]);
    return vr_rpc_fail(c, VIR_ERR_NO_DOMAIN, "no domain with matching name '%s'", name);
}

static vr_rpc_result lookup_by_uuid(vr_rpc_call *c)
{
    vrp_dom d = {.name = ""};
    memcpy(d.uuid, ((vrp_uuid_args *)c->args)->uuid, sizeof(d.uuid));
    vr_domain *dom = vr_rpc_find_domain(c, &d);
    return dom ? reply_domain(c, dom) : VR_RPC_FAILED;
}

static vr_rpc_result lookup_by_id(vr_rpc_call *c)
{
    int id = ((vrp_id_args *)c->args)->id;
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    for (size_t i = 0; i < n; i++)
        if (id > 0 && doms[i]->id == id && doms[i]->state != VR_DOM_SHUTOFF)
            return reply_domain(c, doms[i]);
    return vr_rpc_fail(c, VIR_ERR_NO_DOMAIN, "no domain with matching id %d", id);
}

/* Does dom pass virConnectListAllDomains' filter? Each pair of bits
 * filters only when one of them is given. */
bool vr_rpc_dom_matches(vr_domain *dom, unsigned f)
{
    enum { ACTIVE = 1, INACTIVE = 2, PERSISTENT = 4, TRANSIENT = 8, RUNNING = 16, PAUSED = 32, SHUTOFF = 64,
           OTHER = 128, MANAGEDSAVE = 256, NO_MANAGEDSAVE = 512, AUTOSTART = 1024, NO_AUTOSTART = 2048,
           HAS_SNAPSHOT = 4096, NO_SNAPSHOT = 8192, HAS_CHECKPOINT = 16384, NO_CHECKPOINT = 32768 };
    bool state_ok = !(f & (RUNNING | PAUSED | SHUTOFF | OTHER)) ||
                    (f & RUNNING && dom->state == VR_DOM_RUNNING) || (f & PAUSED && dom->state == VR_DOM_PAUSED) ||
                    (f & SHUTOFF && dom->state == VR_DOM_SHUTOFF) || (f & OTHER && dom->state == VR_DOM_SHUTDOWN);
    bool has_snapshot = false;
    if (f & (HAS_SNAPSHOT | NO_SNAPSHOT)) {
        vr_snapshot_def **list = NULL;
        size_t n = 0;
        char *err = NULL;
        has_snapshot = vr_qemu_snapshot_list(dom, &list, &n, &err) == VR_OK && n > 0;
        vr_qemu_snapshot_list_free(list, n);
        free(err);
    }
    /* Vireo keeps no checkpoints. */
    return state_ok && vr_rpc_filter(f, ACTIVE, INACTIVE, dom->state != VR_DOM_SHUTOFF) &&
           vr_rpc_filter(f, PERSISTENT, TRANSIENT, dom->persistent) &&
           vr_rpc_filter(f, AUTOSTART, NO_AUTOSTART, dom->autostart) &&
           vr_rpc_filter(f, MANAGEDSAVE, NO_MANAGEDSAVE, vr_qemu_has_managed_save(dom)) &&
           vr_rpc_filter(f, HAS_SNAPSHOT, NO_SNAPSHOT, has_snapshot) &&
           vr_rpc_filter(f, HAS_CHECKPOINT, NO_CHECKPOINT, false);
}

static vr_rpc_result list_all(vr_rpc_call *c)
{
    vrp_list_args *a = c->args;
    vrp_dom_list_ret *r = c->ret;
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    if (a->need_results)
        r->doms.doms_val = vr_calloc(n ? n : 1, sizeof(vrp_dom));
    for (size_t i = 0; i < n; i++) {
        if (!vr_rpc_dom_matches(doms[i], a->flags))
            continue;
        if (a->need_results)
            vr_rpc_dom_wire(&r->doms.doms_val[r->doms.doms_len++], doms[i]);
        r->count++;
    }
    return VR_RPC_OK;
}

/* The older calls: running domains' ids and count, defined (shut off)
 * domains' names and count. */
static vr_rpc_result running_ids(vr_rpc_call *c)
{
    int max = ((vrp_max_args *)c->args)->max_names;
    vrp_ids_ret *r = c->ret;
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    r->ids.ids_val = vr_calloc(n + 1, sizeof(int));
    for (size_t i = 0; i < n && (int)r->ids.ids_len < max; i++)
        if (doms[i]->state != VR_DOM_SHUTOFF && doms[i]->id > 0)
            r->ids.ids_val[r->ids.ids_len++] = doms[i]->id;
    return VR_RPC_OK;
}

static vr_rpc_result defined_names(vr_rpc_call *c)
{
    int max = ((vrp_max_args *)c->args)->max_names;
    vrp_names_ret *r = c->ret;
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    r->names.names_val = vr_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n && (int)r->names.names_len < max; i++)
        if (doms[i]->state == VR_DOM_SHUTOFF)
            r->names.names_val[r->names.names_len++] = vr_strdup(doms[i]->def->name);
    return VR_RPC_OK;
}

static vr_rpc_result count_state(vr_rpc_call *c, bool running)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += (doms[i]->state != VR_DOM_SHUTOFF) == running;
    ((vrp_int_ret *)c->ret)->value = k;
    return VR_RPC_OK;
}

static vr_rpc_result num_running(vr_rpc_call *c) { return count_state(c, true); }
static vr_rpc_result num_defined(vr_rpc_call *c) { return count_state(c, false); }

/* ---- facts ---- */

/* libvirt's state and reason numbers (virDomainState and the
 * virDomain*Reason enums) for Vireo's state and reason words. */
void vr_rpc_dom_state(const vr_domain *dom, int *state, int *reason)
{
    static const struct {
        vr_dom_state state;
        const char *reason;
        int number;
    } reasons[] = {
        {VR_DOM_RUNNING, "booted", 1},    {VR_DOM_RUNNING, "unpaused", 5},    {VR_DOM_PAUSED, "user", 1},
        {VR_DOM_PAUSED, "I/O error", 5},  {VR_DOM_PAUSED, "watchdog", 6},
        {VR_DOM_SHUTDOWN, "user", 1},     {VR_DOM_SHUTOFF, "shutdown", 1},    {VR_DOM_SHUTOFF, "destroyed", 2},
        {VR_DOM_SHUTOFF, "crashed", 3},   {VR_DOM_SHUTOFF, "failed", 6},
    };
    static const int states[] = {[VR_DOM_SHUTOFF] = 5, [VR_DOM_RUNNING] = 1, [VR_DOM_PAUSED] = 3,
                                 [VR_DOM_SHUTDOWN] = 4};
    *state = states[dom->state];
    *reason = 0; /* unknown */
    for (size_t i = 0; i < VR_ARRAY_LEN(reasons); i++)
        if (reasons[i].state == dom->state && dom->reason && strcmp(reasons[i].reason, dom->reason) == 0)
            *reason = reasons[i].number;
}

static vr_rpc_result get_state(vr_rpc_call *c)
{
    vr_domain *dom = arg_domain(c);
    if (!dom)
        return VR_RPC_FAILED;
    vrp_dom_state_ret *r = c->ret;
    vr_rpc_dom_state(dom, &r->state, &r->reason);
    return VR_RPC_OK;
}

static vr_rpc_result get_info(vr_rpc_call *c)
{
    vr_domain *dom = arg_domain(c);
    if (!dom)
        return VR_RPC_FAILED;
    vrp_dom_info_ret *r = c->ret;
    int state, reason;
    vr_rpc_dom_state(dom, &state, &reason);
    r->state = (unsigned)state;
    r->max_mem = dom->def->memory_kib;
    r->memory = dom->def->current_memory_kib ? dom->def->current_memory_kib : dom->def->memory_kib;
    r->nr_virt_cpu = dom->def->vcpus_current;
    long long ns = vr_qemu_cpu_time_ns(dom);
    r->cpu_time = ns > 0 ? (unsigned long long)ns : 0;
    return VR_RPC_OK;
}

static void on_live_xml(char *xml, void *opaque)
{
    vr_rpc_call *c = opaque;
    ((vrp_str_ret *)c->ret)->value = xml;
    vr_rpc_done(c, xml ? VR_OK : VR_ERR_NOT_FOUND, "the domain went away", VR_RPC_DOMAIN);
}

static vr_rpc_result get_xml(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom)
        return VR_RPC_FAILED;
    bool secure = a->flags & XML_SECURE;
    if (secure && vr_rpc_read_only(c->conn))
        return vr_rpc_fail(c, VIR_ERR_OPERATION_DENIED,
                           "read only access prevents virDomainGetXMLDesc with VIR_DOMAIN_XML_SECURE flag");
    if (a->flags & XML_INACTIVE) {
        ((vrp_str_ret *)c->ret)->value = vr_qemu_xml(dom, true, secure);
        return VR_RPC_OK;
    }
    vr_core_domain_live_xml(dom, secure, on_live_xml, c);
    return VR_RPC_LATER;
}

static vr_rpc_result get_os_type(vr_rpc_call *c)
{
    if (!arg_domain(c))
        return VR_RPC_FAILED;
    ((vrp_str_ret *)c->ret)->value = vr_strdup("hvm");
    return VR_RPC_OK;
}

static vr_rpc_result get_max_memory(vr_rpc_call *c)
{
    vr_domain *dom = arg_domain(c);
    if (!dom)
        return VR_RPC_FAILED;
    ((vrp_uhyper_ret *)c->ret)->value = dom->def->memory_kib;
    return VR_RPC_OK;
}

static vr_rpc_result get_max_vcpus(vr_rpc_call *c)
{
    vr_domain *dom = arg_domain(c);
    if (!dom)
        return VR_RPC_FAILED;
    ((vrp_int_ret *)c->ret)->value = (int)dom->def->vcpus;
    return VR_RPC_OK;
}

/* vcpucount: the maximum or the current count, of the running domain
 * (LIVE) or of its persistent definition (CONFIG); neither: live when
 * running, else config. */
static vr_rpc_result get_vcpus_flags(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM))
        return VR_RPC_FAILED;
    bool running = dom->state != VR_DOM_SHUTOFF;
    bool live = a->flags & AFFECT_LIVE || (!(a->flags & AFFECT_CONFIG) && running);
    if ((a->flags & (AFFECT_LIVE | AFFECT_CONFIG)) == (AFFECT_LIVE | AFFECT_CONFIG))
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "flags 'affect live' and 'affect config' are mutually "
                           "exclusive");
    const vr_domain_def *def = live ? (running ? dom->def : NULL) : vr_core_domain_config(dom);
    if (!def)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, live ? "domain is not running"
                                                              : "transient domains do not have any persistent config");
    ((vrp_int_ret *)c->ret)->value = (int)(a->flags & VCPU_MAXIMUM ? def->vcpus : def->vcpus_current);
    return VR_RPC_OK;
}

/* The yes/no facts: each a field of the domain. */
static vr_rpc_result answer_bool(vr_rpc_call *c, bool (*fact)(const vr_domain *))
{
    vr_domain *dom = arg_domain(c);
    if (!dom)
        return VR_RPC_FAILED;
    ((vrp_int_ret *)c->ret)->value = fact(dom);
    return VR_RPC_OK;
}

static bool fact_active(const vr_domain *d) { return d->state != VR_DOM_SHUTOFF; }
static bool fact_persistent(const vr_domain *d) { return d->persistent; }
static bool fact_autostart(const vr_domain *d) { return d->autostart; }
static bool fact_updated(const vr_domain *d) { return d->next != NULL; }

static vr_rpc_result is_active(vr_rpc_call *c) { return answer_bool(c, fact_active); }
static vr_rpc_result is_persistent(vr_rpc_call *c) { return answer_bool(c, fact_persistent); }
static vr_rpc_result is_updated(vr_rpc_call *c) { return answer_bool(c, fact_updated); }
static vr_rpc_result get_autostart(vr_rpc_call *c) { return answer_bool(c, fact_autostart); }

/* No security driver labels QEMU: an empty label, not enforcing. */
static vr_rpc_result get_security_label(vr_rpc_call *c)
{
    return arg_domain(c) ? VR_RPC_OK : VR_RPC_FAILED;
}

/* Interfaces with their addresses as virDomainInterfaceAddresses' list;
 * with `leased`, those without an address are left out, as libvirt
 * leaves an interface without a lease (the agent's are all listed). */
static void ifaddr_wire(vrp_dom_ifaddr_ret *r, const vireo_interface *ifs, size_t n, bool leased)
{
    r->ifaces.ifaces_val = vr_calloc(n + 1, sizeof(vrp_iface));
    for (size_t i = 0; i < n; i++) {
        if (leased && ifs[i].n_addresses == 0)
            continue;
        vrp_iface *f = &r->ifaces.ifaces_val[r->ifaces.ifaces_len++];
        f->name = vr_strdup(ifs[i].interface ? ifs[i].interface : "-");
        if (ifs[i].mac[0]) {
            f->hwaddr = vr_malloc(sizeof(char *));
            *f->hwaddr = vr_strdup(ifs[i].mac);
        }
        f->addrs.addrs_val = vr_calloc(ifs[i].n_addresses + 1, sizeof(vrp_ip_addr));
        f->addrs.addrs_len = (unsigned)ifs[i].n_addresses;
        for (size_t k = 0; k < ifs[i].n_addresses; k++) {
            f->addrs.addrs_val[k].type = ifs[i].addresses[k].family == 6 ? 1 : 0;
            f->addrs.addrs_val[k].addr = vr_strdup(ifs[i].addresses[k].ip);
            f->addrs.addrs_val[k].prefix = ifs[i].addresses[k].prefix;
        }
    }
}

static void on_agent_ifaces(const vireo_interface *ifs, size_t n, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (!err)
        ifaddr_wire(c->ret, ifs, n, false);
    vr_rpc_done(c, err ? VR_ERR_FAILED : VR_OK, err, VR_RPC_DOMAIN);
}

/* domifaddr --source lease: the DHCP leases of each interface; --source
 * agent: what the guest agent reports. */
static vr_rpc_result interface_addresses(vr_rpc_call *c)
{
    vrp_dom_ifaddr_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (a->source != IFADDR_SRC_LEASE && a->source != IFADDR_SRC_AGENT)
        return vr_rpc_fail(c, VIR_ERR_NO_SUPPORT, "vireod knows addresses from its DHCP leases and the guest "
                           "agent (domifaddr --source lease or agent), not from ARP");
    if (dom->state == VR_DOM_SHUTOFF)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "domain is not running");
    if (a->source == IFADDR_SRC_AGENT) {
        if (!vr_rpc_access_ok(c, VR_ACCESS_GUEST))
            return VR_RPC_FAILED;
        char *err = NULL;
        vr_err code = vr_core_agent_interfaces(dom, on_agent_ifaces, c, &err);
        return code == VR_OK ? VR_RPC_LATER : vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
    }
    size_t n = dom->def->n_interfaces;
    vireo_interface *views = vr_calloc(n + 1, sizeof(*views));
    for (size_t i = 0; i < n; i++)
        vr_core_interface_view(c->api->net, dom, i, false, &views[i]);
    ifaddr_wire(c->ret, views, n, true);
    for (size_t i = 0; i < n; i++)
        vr_wire_clear(&vr_wire_interface, &views[i]);
    free(views);
    return VR_RPC_OK;
}

/* ---- definitions ---- */

static vr_rpc_result define(vr_rpc_call *c, const char *xml)
{
    if (!definition_ok(c, xml))
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_domain *dom = NULL;
    vr_err code = vr_qemu_define(c->api->qemu, xml, &dom, &err);
    if (code == VR_OK)
        reply_domain(c, dom);
    return vr_rpc_outcome(c, code, err, VR_RPC_XML);
}

static vr_rpc_result define_xml(vr_rpc_call *c) { return define(c, ((vrp_xml_args *)c->args)->xml); }

static vr_rpc_result define_xml_flags(vr_rpc_call *c)
{
    vrp_xml_flags_args *a = c->args;
    return vr_rpc_flags_ok(c, a->flags, DEFINE_VALIDATE) ? define(c, a->xml) : VR_RPC_FAILED;
}

static vr_rpc_result undefine_with(vr_rpc_call *c, vr_domain *dom, unsigned flags)
{
    char *err = NULL;
    unsigned f = (flags & UNDEFINE_NVRAM ? VR_QEMU_UNDEFINE_NVRAM : 0) |
                 (flags & UNDEFINE_KEEP_NVRAM ? VR_QEMU_UNDEFINE_KEEP_NVRAM : 0) |
                 (flags & UNDEFINE_KEEP_TPM ? VR_QEMU_UNDEFINE_KEEP_TPM : 0) |
                 (flags & UNDEFINE_MANAGED_SAVE ? VR_QEMU_UNDEFINE_MANAGED_SAVE : 0);
    vr_err code = vr_qemu_undefine(dom, f, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result undefine(vr_rpc_call *c)
{
    vr_domain *dom = arg_domain(c);
    return dom ? undefine_with(c, dom, 0) : VR_RPC_FAILED;
}

static vr_rpc_result undefine_flags(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    return dom && vr_rpc_flags_ok(c, a->flags, UNDEFINE_ANY) ? undefine_with(c, dom, a->flags) : VR_RPC_FAILED;
}

static vr_rpc_result set_autostart(vr_rpc_call *c)
{
    vrp_dom_int_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom)
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_qemu_set_autostart(dom, a->value != 0, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

/* ---- lifecycle ---- */

static void on_done(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_DOMAIN);
}

/* A device the domain does not have is VIR_ERR_DEVICE_MISSING. */
static void on_done_device(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_DEVICE);
}

/* The answer names the domain: found again by the name put in the ret
 * before the operation (it may have become another object, or gone). */
static void on_done_domain(vr_err code, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    vrp_dom *d = &((vrp_dom_ret *)c->ret)->dom;
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    for (size_t i = 0; code == VR_OK && i < n; i++) {
        if (strcmp(doms[i]->def->name, d->name) == 0) {
            free(d->name);
            vr_rpc_dom_wire(d, doms[i]);
            break;
        }
    }
    vr_rpc_done(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result start(vr_rpc_call *c, vr_domain *dom, unsigned flags, bool answer_domain)
{
    if (!vr_rpc_flags_ok(c, flags, START_PAUSED | START_FORCE_BOOT | START_VALIDATE | START_RESET_NVRAM))
        return VR_RPC_FAILED;
    if (answer_domain)
        ((vrp_dom_ret *)c->ret)->dom.name = vr_strdup(dom->def->name);
    vr_qemu_start_flags(dom, (flags & START_PAUSED ? VR_QEMU_START_PAUSED : 0) |
                                 (flags & START_RESET_NVRAM ? VR_QEMU_START_RESET_NVRAM : 0),
                        answer_domain ? on_done_domain : on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result create(vr_rpc_call *c)
{
    vr_domain *dom = arg_domain(c);
    return dom ? start(c, dom, 0, false) : VR_RPC_FAILED;
}

static vr_rpc_result create_with_flags(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    return dom ? start(c, dom, a->flags, true) : VR_RPC_FAILED;
}

static vr_rpc_result create_xml(vr_rpc_call *c)
{
    vrp_xml_flags_args *a = c->args;
    if (!vr_rpc_flags_ok(c, a->flags, START_PAUSED | START_VALIDATE) || !definition_ok(c, a->xml))
        return VR_RPC_FAILED;
    char *err = NULL, *name = vr_core_domain_name(a->xml, &err);
    if (!name) {
        vr_rpc_result res = vr_rpc_fail_vr(c, VR_ERR_INVALID, err, VR_RPC_XML);
        free(err);
        return res;
    }
    ((vrp_dom_ret *)c->ret)->dom.name = name;
    vr_qemu_create(c->api->qemu, a->xml, a->flags & START_PAUSED, on_done_domain, c);
    return VR_RPC_LATER;
}

/* destroy, suspend, resume: the driver answers when QEMU has. */
static vr_rpc_result later(vr_rpc_call *c, void (*op)(vr_domain *, vr_done_fn, void *))
{
    vr_domain *dom = arg_domain(c);
    if (!dom)
        return VR_RPC_FAILED;
    op(dom, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result destroy(vr_rpc_call *c) { return later(c, vr_qemu_destroy); }
static vr_rpc_result suspend(vr_rpc_call *c) { return later(c, vr_qemu_suspend); }
static vr_rpc_result resume(vr_rpc_call *c) { return later(c, vr_qemu_resume); }

static vr_rpc_result destroy_flags(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    return vr_rpc_flags_ok(c, a->flags, DESTROY_GRACEFUL) ? destroy(c) : VR_RPC_FAILED;
}

/* shutdown and reboot: the ACPI power button, QEMU's only method here
 * (no guest agent channel is driven). */
static vr_rpc_result power(vr_rpc_call *c, unsigned flags, vr_err (*op)(vr_domain *, char **))
{
    vr_domain *dom = arg_domain(c);
    if (!dom || !vr_rpc_flags_ok(c, flags, SHUTDOWN_ACPI))
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = op(dom, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result shutdown_dom(vr_rpc_call *c) { return power(c, 0, vr_qemu_shutdown); }
static vr_rpc_result shutdown_flags(vr_rpc_call *c)
{
    return power(c, ((vrp_dom_flags_args *)c->args)->flags, vr_qemu_shutdown);
}
static vr_rpc_result reboot(vr_rpc_call *c)
{
    return power(c, ((vrp_dom_flags_args *)c->args)->flags, vr_qemu_reboot);
}

/* libvirt's LIVE and CONFIG bits as Vireo's VR_MEM_LIVE and VR_MEM_CONFIG. */
static unsigned mem_flags_of(unsigned flags)
{
    return (flags & AFFECT_LIVE ? VR_MEM_LIVE : 0) | (flags & AFFECT_CONFIG ? VR_MEM_CONFIG : 0);
}

/* setmem (and setmaxmem with MEM_MAXIMUM); libvirt's LIVE and CONFIG
 * bits are Vireo's VR_MEM_LIVE and VR_MEM_CONFIG. */
static vr_rpc_result set_memory_flags(vr_rpc_call *c)
{
    vrp_dom_memory_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG | MEM_MAXIMUM))
        return VR_RPC_FAILED;
    unsigned mem_flags = mem_flags_of(a->flags);
    if (!(a->flags & MEM_MAXIMUM)) {
        vr_qemu_set_memory(dom, a->memory, mem_flags, on_done, c);
        return VR_RPC_LATER;
    }
    char *err = NULL;
    vr_err code = vr_qemu_set_max_memory(dom, a->memory, mem_flags, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

/* ---- devices and vCPUs (the driver's hot-plug) ---- */

/* libvirt's LIVE and CONFIG bits are Vireo's VR_AFFECT_*: the driver
 * takes neither as "live when running, else config", as libvirt does. */
typedef void (*device_fn)(vr_domain *, const char *, unsigned, vr_done_fn, void *);

static vr_rpc_result device_with(vr_rpc_call *c, const vrp_dom *d, const char *xml, unsigned flags, device_fn fn)
{
    vr_domain *dom = vr_rpc_find_domain(c, d);
    /* MODIFY_FORCE (update: eject a locked tray): QEMU's eject is
     * forced by the driver anyway. */
    if (fn == vr_qemu_update_device)
        flags &= ~(unsigned)DEVICE_MODIFY_FORCE;
    if (!dom || !vr_rpc_flags_ok(c, flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    if (strlen(xml) > VR_API_BODY_SMALL)
        return vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the device XML is %zu bytes; vireod takes at most %u KiB",
                           strlen(xml), VR_API_BODY_SMALL / 1024);
    fn(dom, xml, flags, on_done_device, c);
    return VR_RPC_LATER;
}

static vr_rpc_result device(vr_rpc_call *c, const vrp_dom *d, const char *xml, unsigned flags, bool attach)
{
    return device_with(c, d, xml, flags, attach ? vr_qemu_attach_device : vr_qemu_detach_device);
}

/* virDomainAttachDevice and DetachDevice act on the running domain. */
static vr_rpc_result attach_device(vr_rpc_call *c)
{
    vrp_dom_xml_args *a = c->args;
    return device(c, &a->dom, a->xml, AFFECT_LIVE, true);
}

static vr_rpc_result detach_device(vr_rpc_call *c)
{
    vrp_dom_xml_args *a = c->args;
    return device(c, &a->dom, a->xml, AFFECT_LIVE, false);
}

static vr_rpc_result attach_device_flags(vr_rpc_call *c)
{
    vrp_dom_xml_flags_args *a = c->args;
    return device(c, &a->dom, a->xml, a->flags, true);
}

static vr_rpc_result detach_device_flags(vr_rpc_call *c)
{
    vrp_dom_xml_flags_args *a = c->args;
    return device(c, &a->dom, a->xml, a->flags, false);
}

/* virDomainDetachDeviceAlias: virsh detach-device-alias (the same wire
 * form as DetachDeviceFlags: the domain, the alias, the flags). */
static vr_rpc_result detach_device_alias(vr_rpc_call *c)
{
    vrp_dom_xml_flags_args *a = c->args;
    return device_with(c, &a->dom, a->xml, a->flags, vr_qemu_detach_alias);
}

/* virDomainUpdateDeviceFlags: virsh update-device and change-media,
 * virt-manager's CD-ROM media. */
static vr_rpc_result update_device_flags(vr_rpc_call *c)
{
    vrp_dom_xml_flags_args *a = c->args;
    return device_with(c, &a->dom, a->xml, a->flags, vr_qemu_update_device);
}

/* domiftune: virDomainSetInterfaceParameters and GetInterfaceParameters,
 * libvirt's typed parameters (unsigned ints) VIR_DOMAIN_BANDWIDTH_*. A
 * direction named by any of its parameters is replaced by what they give
 * (average 0: taken away), as libvirt does. */
static const char *const iftune_fields[] = {"inbound.average", "inbound.peak", "inbound.burst", "inbound.floor",
                                            "outbound.average", "outbound.peak", "outbound.burst"};

static unsigned long long *iftune_field(vr_bandwidth_def *bw, size_t i)
{
    vr_bandwidth_rate *r = i < 4 ? &bw->in : &bw->out;
    unsigned long long *f[] = {&r->average, &r->peak, &r->burst, &r->floor};
    return f[i < 4 ? i : i - 4];
}

static vr_rpc_result set_iftune(vr_rpc_call *c)
{
    vrp_set_params_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    vr_bandwidth_def bw = {0};
    bool in = false, out = false;
    for (unsigned k = 0; k < a->params.params_len; k++) {
        const vrp_typed_param *p = &a->params.params_val[k];
        size_t i = 0;
        while (i < VR_ARRAY_LEN(iftune_fields) && strcmp(p->field, iftune_fields[i]) != 0)
            i++;
        if (i == VR_ARRAY_LEN(iftune_fields))
            return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "parameter '%s' is not one of an interface's "
                               "(inbound.average ... outbound.burst)", p->field);
        if (p->value.type != VR_TP_UINT)
            return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "parameter '%s' is an unsigned int", p->field);
        *iftune_field(&bw, i) = p->value.vrp_typed_value_u.ui;
        *(i < 4 ? &in : &out) = true;
    }
    bw.in.set = bw.in.average != 0;
    bw.out.set = bw.out.average != 0;
    vr_qemu_set_iftune(dom, a->path, in ? &bw.in : NULL, out ? &bw.out : NULL, a->flags, on_done_device, c);
    return VR_RPC_LATER;
}

static vr_rpc_result get_iftune(vr_rpc_call *c)
{
    vrp_params_args *a = c->args;
    vrp_params_ret *r = c->ret;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG | TYPED_PARAM_STRING_OKAY))
        return VR_RPC_FAILED;
    const vr_interface_def *ifd;
    char *err = NULL;
    vr_err code = vr_qemu_iface_get(dom, a->path, a->flags & (AFFECT_LIVE | AFFECT_CONFIG), &ifd, &err);
    if (code != VR_OK)
        return vr_rpc_outcome(c, code, err, VR_RPC_DEVICE);
    vr_bandwidth_def bw = ifd->bandwidth;
    r->nparams = (int)VR_ARRAY_LEN(iftune_fields);
    if (a->nparams == 0)
        return VR_RPC_OK;
    vr_rpc_params p = {0};
    for (size_t i = 0; i < VR_ARRAY_LEN(iftune_fields) && (int)i < a->nparams; i++)
        vr_rpc_param_uint(&p, vr_strdup(iftune_fields[i]), (unsigned)*iftune_field(&bw, i));
    r->params.params_val = p.val;
    r->params.params_len = p.len;
    r->nparams = (int)p.len;
    return VR_RPC_OK;
}

static vr_rpc_result set_vcpus_with(vr_rpc_call *c, const vrp_dom *d, unsigned n, unsigned flags)
{
    vr_domain *dom = vr_rpc_find_domain(c, d);
    if (!dom || !vr_rpc_flags_ok(c, flags, AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM))
        return VR_RPC_FAILED;
    vr_qemu_set_vcpus(dom, n, flags, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result set_vcpus(vr_rpc_call *c)
{
    vrp_dom_uint_args *a = c->args;
    return set_vcpus_with(c, &a->dom, a->value, AFFECT_LIVE);
}

static vr_rpc_result set_vcpus_flags(vr_rpc_call *c)
{
    vrp_dom_uint_flags_args *a = c->args;
    return set_vcpus_with(c, &a->dom, a->value, a->flags);
}

/* blockresize: KiB, or bytes with VIR_DOMAIN_BLOCK_RESIZE_BYTES. */
static vr_rpc_result block_resize(vr_rpc_call *c)
{
    enum { RESIZE_BYTES = 1 };
    vrp_dom_block_resize_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, RESIZE_BYTES))
        return VR_RPC_FAILED;
    if (!(a->flags & RESIZE_BYTES) && a->size > UINT64_MAX / 1024)
        return vr_rpc_fail(c, VIR_ERR_OVERFLOW, "size %llu KiB is too large", (unsigned long long)a->size);
    vr_core_block_resize(c->api->qemu, c->api->storage, dom, a->disk,
                         a->flags & RESIZE_BYTES ? a->size : a->size * 1024, on_done_device, c);
    return VR_RPC_LATER;
}

/* ---- description, title, metadata, name ---- */

/* virDomainMetadataType: DESCRIPTION 0, TITLE 1, ELEMENT 2 (in the
 * namespace uri, under the prefix key). */
enum { META_DESCRIPTION = 0, META_TITLE = 1, META_ELEMENT = 2 };

static vr_rpc_result set_metadata(vr_rpc_call *c)
{
    vrp_set_metadata_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    const char *text = a->metadata ? *a->metadata : NULL;
    char *err = NULL;
    vr_err code;
    if (a->type == META_DESCRIPTION || a->type == META_TITLE)
        code = vr_qemu_set_description(dom, a->type == META_TITLE, text ? text : "", mem_flags_of(a->flags), &err);
    else if (a->type == META_ELEMENT && a->uri && (!text || a->key))
        code = vr_qemu_set_metadata(dom, *a->uri, a->key ? *a->key : NULL, text, mem_flags_of(a->flags), &err);
    else
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "metadata type %d needs %s", a->type,
                           a->type == META_ELEMENT ? "a namespace uri and, to set it, a key" : "to be 0, 1 or 2");
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result get_metadata(vr_rpc_call *c)
{
    enum { VIR_ERR_NO_DOMAIN_METADATA = 80 };
    vrp_get_metadata_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, AFFECT_LIVE | AFFECT_CONFIG))
        return VR_RPC_FAILED;
    bool inactive = a->flags & AFFECT_CONFIG;
    char *out = NULL, *err = NULL;
    if (a->type == META_DESCRIPTION || a->type == META_TITLE) {
        const char *t = vr_qemu_description(dom, a->type == META_TITLE, inactive);
        out = t ? vr_strdup(t) : NULL;
    } else if (a->type == META_ELEMENT && a->uri) {
        vr_err code = vr_qemu_metadata(dom, *a->uri, inactive, &out, &err);
        if (code != VR_OK)
            return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
    } else {
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "metadata type %d needs %s", a->type,
                           a->type == META_ELEMENT ? "a namespace uri" : "to be 0, 1 or 2");
    }
    if (!out)
        return vr_rpc_fail(c, VIR_ERR_NO_DOMAIN_METADATA, "Requested metadata element is not present");
    ((vrp_str_ret *)c->ret)->value = out;
    return VR_RPC_OK;
}

/* domrename: a shut-off persistent domain takes the new name. */
static vr_rpc_result rename_dom(vr_rpc_call *c)
{
    vrp_rename_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (!a->new_name)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "a new name is required");
    char *err = NULL;
    vr_err code = vr_qemu_rename(dom, *a->new_name, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

const vr_rpc_proc vr_rpc_domain_procs[] = {
    VR_RPC_PROC(8, "virDomainAttachDevice", vrp_dom_xml_args, vrp_void, attach_device, WRITE),
    VR_RPC_PROC(9, "virDomainCreate", vrp_dom_args, vrp_void, create, WRITE),
    VR_RPC_PROC(10, "virDomainCreateXML", vrp_xml_flags_args, vrp_dom_ret, create_xml, WRITE),
    VR_RPC_PROC(11, "virDomainDefineXML", vrp_xml_args, vrp_dom_ret, define_xml, WRITE),
    VR_RPC_PROC(12, "virDomainDestroy", vrp_dom_args, vrp_void, destroy, WRITE),
    VR_RPC_PROC(13, "virDomainDetachDevice", vrp_dom_xml_args, vrp_void, detach_device, WRITE),
    VR_RPC_PROC(14, "virDomainGetXMLDesc", vrp_dom_flags_args, vrp_str_ret, get_xml, READ),
    VR_RPC_PROC(15, "virDomainGetAutostart", vrp_dom_args, vrp_int_ret, get_autostart, READ),
    VR_RPC_PROC(16, "virDomainGetInfo", vrp_dom_args, vrp_dom_info_ret, get_info, READ),
    VR_RPC_PROC(17, "virDomainGetMaxMemory", vrp_dom_args, vrp_uhyper_ret, get_max_memory, READ),
    VR_RPC_PROC(18, "virDomainGetMaxVcpus", vrp_dom_args, vrp_int_ret, get_max_vcpus, READ),
    VR_RPC_PROC(19, "virDomainGetOSType", vrp_dom_args, vrp_str_ret, get_os_type, READ),
    VR_RPC_PROC(21, "virConnectListDefinedDomains", vrp_max_args, vrp_names_ret, defined_names, READ),
    VR_RPC_PROC(25, "virConnectNumOfDefinedDomains", vrp_void, vrp_int_ret, num_defined, READ),
    VR_RPC_PROC(37, "virConnectListDomains", vrp_max_args, vrp_ids_ret, running_ids, READ),
    VR_RPC_PROC(51, "virConnectNumOfDomains", vrp_void, vrp_int_ret, num_running, READ),
    VR_RPC_PROC(22, "virDomainLookupByID", vrp_id_args, vrp_dom_ret, lookup_by_id, READ),
    VR_RPC_PROC(23, "virDomainLookupByName", vrp_name_args, vrp_dom_ret, lookup_by_name, READ),
    VR_RPC_PROC(24, "virDomainLookupByUUID", vrp_uuid_args, vrp_dom_ret, lookup_by_uuid, READ),
    VR_RPC_PROC(27, "virDomainReboot", vrp_dom_flags_args, vrp_void, reboot, WRITE),
    VR_RPC_PROC(28, "virDomainResume", vrp_dom_args, vrp_void, resume, WRITE),
    VR_RPC_PROC(29, "virDomainSetAutostart", vrp_dom_int_args, vrp_void, set_autostart, WRITE),
    VR_RPC_PROC(32, "virDomainSetVcpus", vrp_dom_uint_args, vrp_void, set_vcpus, WRITE),
    VR_RPC_PROC(33, "virDomainShutdown", vrp_dom_args, vrp_void, shutdown_dom, WRITE),
    VR_RPC_PROC(34, "virDomainSuspend", vrp_dom_args, vrp_void, suspend, WRITE),
    VR_RPC_PROC(35, "virDomainUndefine", vrp_dom_args, vrp_void, undefine, WRITE),
    VR_RPC_PROC(121, "virDomainGetSecurityLabel", vrp_dom_args, vrp_security_label_ret, get_security_label,
                READ),
    VR_RPC_PROC(150, "virDomainIsActive", vrp_dom_args, vrp_int_ret, is_active, READ),
    VR_RPC_PROC(151, "virDomainIsPersistent", vrp_dom_args, vrp_int_ret, is_persistent, READ),
    VR_RPC_PROC(160, "virDomainAttachDeviceFlags", vrp_dom_xml_flags_args, vrp_void, attach_device_flags, WRITE),
    VR_RPC_PROC(174, "virDomainUpdateDeviceFlags", vrp_dom_xml_flags_args, vrp_void, update_device_flags, WRITE),
    VR_RPC_PROC(161, "virDomainDetachDeviceFlags", vrp_dom_xml_flags_args, vrp_void, detach_device_flags, WRITE),
    VR_RPC_PROC(392, "virDomainDetachDeviceAlias", vrp_dom_xml_flags_args, vrp_void, detach_device_alias, WRITE),
    VR_RPC_PROC(196, "virDomainCreateWithFlags", vrp_dom_flags_args, vrp_dom_ret, create_with_flags, WRITE),
    VR_RPC_PROC(199, "virDomainSetVcpusFlags", vrp_dom_uint_flags_args, vrp_void, set_vcpus_flags, WRITE),
    VR_RPC_PROC(200, "virDomainGetVcpusFlags", vrp_dom_flags_args, vrp_int_ret, get_vcpus_flags, READ),
    VR_RPC_PROC(202, "virDomainIsUpdated", vrp_dom_args, vrp_int_ret, is_updated, READ),
    VR_RPC_PROC(204, "virDomainSetMemoryFlags", vrp_dom_memory_flags_args, vrp_void, set_memory_flags, WRITE),
    VR_RPC_PROC(212, "virDomainGetState", vrp_dom_flags_args, vrp_dom_state_ret, get_state, READ),
    VR_RPC_PROC(231, "virDomainUndefineFlags", vrp_dom_flags_args, vrp_void, undefine_flags, WRITE),
    VR_RPC_PROC(234, "virDomainDestroyFlags", vrp_dom_flags_args, vrp_void, destroy_flags, WRITE),
    VR_RPC_PROC(251, "virDomainBlockResize", vrp_dom_block_resize_args, vrp_void, block_resize, WRITE),
    VR_RPC_PROC(256, "virDomainSetInterfaceParameters", vrp_set_params_args, vrp_void, set_iftune, WRITE),
    VR_RPC_PROC(257, "virDomainGetInterfaceParameters", vrp_params_args, vrp_params_ret, get_iftune, READ),
    VR_RPC_PROC(258, "virDomainShutdownFlags", vrp_dom_flags_args, vrp_void, shutdown_flags, WRITE),
    VR_RPC_PROC(264, "virDomainSetMetadata", vrp_set_metadata_args, vrp_void, set_metadata, WRITE),
    VR_RPC_PROC(265, "virDomainGetMetadata", vrp_get_metadata_args, vrp_str_ret, get_metadata, READ),
    VR_RPC_PROC(358, "virDomainRename", vrp_rename_args, vrp_int_ret, rename_dom, WRITE),
    VR_RPC_PROC(273, "virConnectListAllDomains", vrp_list_args, vrp_dom_list_ret, list_all, READ),
    VR_RPC_PROC(350, "virDomainDefineXMLFlags", vrp_xml_flags_args, vrp_dom_ret, define_xml_flags, WRITE),
    VR_RPC_PROC(353, "virDomainInterfaceAddresses", vrp_dom_ifaddr_args, vrp_dom_ifaddr_ret,
                interface_addresses, READ),
    {0},
};
