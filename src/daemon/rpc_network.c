/* libvirt protocol: virtual networks, through the core's network
 * operations as the HTTP routes in api_networks.c call them. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/network_ops.h"

#include <stdlib.h>
#include <string.h>

enum { NET_XML_INACTIVE = 1 };

static void net_wire(vrp_net *out, const vr_network *net)
{
    out->name = vr_strdup(net->def->name);
    vr_rpc_uuid_wire(out->uuid, net->def->uuid);
}

/* The network a call names (by uuid), or NULL after answering. */
static vr_network *find(vr_rpc_call *c, const vrp_net *n)
{
    char uuid[37];
    vr_rpc_uuid_text(n->uuid, uuid);
    vr_network *net = vr_core_net_by_uuid(c->api->net, uuid);
    if (net)
        return net;
    vr_rpc_fail(c, VIR_ERR_NO_NETWORK, "no network with matching uuid '%s' (%s)", uuid, n->name ? n->name : "");
    return NULL;
}

static vr_network *arg_net(vr_rpc_call *c) { return find(c, &((vrp_net_args *)c->args)->net); }

static vr_rpc_result reply_net(vr_rpc_call *c, const vr_network *net)
{
    net_wire(&((vrp_net_ret *)c->ret)->net, net);
    return VR_RPC_OK;
}

static vr_rpc_result lookup_by_name(vr_rpc_call *c)
{
    const char *name = ((vrp_name_args *)c->args)->name;
    vr_network *net = vr_core_net_by_name(c->api->net, name);
    if (net)
        return reply_net(c, net);
    return vr_rpc_fail(c, VIR_ERR_NO_NETWORK, "no network with matching name '%s'", name);
}

static vr_rpc_result lookup_by_uuid(vr_rpc_call *c)
{
    vrp_net n = {.name = ""};
    memcpy(n.uuid, ((vrp_uuid_args *)c->args)->uuid, sizeof(n.uuid));
    vr_network *net = find(c, &n);
    return net ? reply_net(c, net) : VR_RPC_FAILED;
}

static bool net_matches(const vr_network *net, unsigned f)
{
    enum { INACTIVE = 1, ACTIVE = 2, PERSISTENT = 4, TRANSIENT = 8, AUTOSTART = 16, NO_AUTOSTART = 32 };
    if (!vr_rpc_filter(f, ACTIVE, INACTIVE, net->active))
        return false;
    if (!vr_rpc_filter(f, PERSISTENT, TRANSIENT, net->persistent))
        return false;
    if (!vr_rpc_filter(f, AUTOSTART, NO_AUTOSTART, net->autostart))
        return false;
    return true;
}

static vr_rpc_result list_all(vr_rpc_call *c)
{
    vrp_list_args *a = c->args;
    vrp_net_list_ret *r = c->ret;
    size_t n;
    vr_network *const *nets = vr_net_list(c->api->net, &n);
    if (a->need_results)
        r->nets.nets_val = vr_calloc(n ? n : 1, sizeof(vrp_net));
    for (size_t i = 0; i < n; i++) {
        if (!net_matches(nets[i], a->flags))
            continue;
        if (a->need_results)
            net_wire(&r->nets.nets_val[r->nets.nets_len++], nets[i]);
        r->count++;
    }
    return VR_RPC_OK;
}

/* The older counts (virt-manager probes with them): active, defined. */
static vr_rpc_result count(vr_rpc_call *c, bool active)
{
    size_t n;
    vr_network *const *nets = vr_net_list(c->api->net, &n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += nets[i]->active == active;
    ((vrp_int_ret *)c->ret)->value = k;
    return VR_RPC_OK;
}

static vr_rpc_result num_active(vr_rpc_call *c) { return count(c, true); }
static vr_rpc_result num_defined(vr_rpc_call *c) { return count(c, false); }

/* The older name lists: active networks, defined (inactive) ones. */
static vr_rpc_result names(vr_rpc_call *c, bool active)
{
    int max = ((vrp_max_args *)c->args)->max_names;
    vrp_names_ret *r = c->ret;
    size_t n;
    vr_network *const *nets = vr_net_list(c->api->net, &n);
    r->names.names_val = vr_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n && (int)r->names.names_len < max; i++)
        if (nets[i]->active == active)
            r->names.names_val[r->names.names_len++] = vr_strdup(nets[i]->def->name);
    return VR_RPC_OK;
}

static vr_rpc_result list_active(vr_rpc_call *c) { return names(c, true); }
static vr_rpc_result list_defined(vr_rpc_call *c) { return names(c, false); }

static vr_rpc_result get_xml(vr_rpc_call *c)
{
    vrp_net_flags_args *a = c->args;
    vr_network *net = find(c, &a->net);
    if (!net)
        return VR_RPC_FAILED;
    ((vrp_str_ret *)c->ret)->value = vr_net_xml(net, a->flags & NET_XML_INACTIVE);
    return VR_RPC_OK;
}

static vr_rpc_result get_bridge_name(vr_rpc_call *c)
{
    vr_network *net = arg_net(c);
    if (!net)
        return VR_RPC_FAILED;
    if (!net->def->bridge)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "network '%s' has no bridge", net->def->name);
    ((vrp_str_ret *)c->ret)->value = vr_strdup(net->def->bridge);
    return VR_RPC_OK;
}

static vr_rpc_result answer_bool(vr_rpc_call *c, int which)
{
    vr_network *net = arg_net(c);
    if (!net)
        return VR_RPC_FAILED;
    bool facts[] = {net->active, net->persistent, net->autostart};
    ((vrp_int_ret *)c->ret)->value = facts[which];
    return VR_RPC_OK;
}

static vr_rpc_result is_active(vr_rpc_call *c) { return answer_bool(c, 0); }
static vr_rpc_result is_persistent(vr_rpc_call *c) { return answer_bool(c, 1); }
static vr_rpc_result get_autostart(vr_rpc_call *c) { return answer_bool(c, 2); }

static vr_rpc_result set_autostart(vr_rpc_call *c)
{
    vrp_net_int_args *a = c->args;
    vr_network *net = find(c, &a->net);
    if (!net)
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_net_set_autostart(net, a->value != 0, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_NETWORK);
}

/* virsh net-update NAME add|delete ip-dhcp-host XML --live --config:
 * the <host> in the definition and the running dnsmasq together, which
 * is the one change vireod makes in place (vr_net_update_dhcp_host);
 * another section or a change of only one of the two is refused. */
static vr_rpc_result update(vr_rpc_call *c)
{
    enum { LIVE = 1, CONFIG = 2 };
    enum { CMD_DELETE = 2, CMD_ADD_LAST = 3, CMD_ADD_FIRST = 4 };
    enum { SECTION_IP_DHCP_HOST = 4 };
    vrp_net_update_args *a = c->args;
    vr_network *net = find(c, &a->net);
    if (!net || !vr_rpc_flags_ok(c, a->flags, LIVE | CONFIG))
        return VR_RPC_FAILED;
    if (a->section != SECTION_IP_DHCP_HOST)
        return vr_rpc_fail(c, VIR_ERR_NO_SUPPORT, "vireod updates the ip-dhcp-host section only; change the "
                           "rest with net-edit (or net-dumpxml and net-define) and restart the network");
    if (a->command != CMD_DELETE && a->command != CMD_ADD_LAST && a->command != CMD_ADD_FIRST)
        return vr_rpc_fail(c, VIR_ERR_NO_SUPPORT, "net-update of ip-dhcp-host takes add, add-first, add-last or "
                           "delete; to modify a host, delete it and add it again");
    bool active = net->active;
    unsigned want = a->flags ? a->flags : active ? LIVE : CONFIG;
    if (active && want != (LIVE | CONFIG))
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "vireod changes a running network's dnsmasq and its "
                           "definition together: give --live --config");
    if (!active && (want & LIVE))
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "network is not running: leave out --live");
    char *err = NULL;
    vr_err code = vr_net_update_dhcp_host(net, a->command != CMD_DELETE, a->xml, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_NETWORK);
}

static vr_rpc_result define_or_create(vr_rpc_call *c, bool start)
{
    const char *xml = ((vrp_xml_args *)c->args)->xml;
    if (strlen(xml) > VR_API_BODY_DEFINITION)
        return vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the definition is %zu bytes; vireod takes at most %u KiB",
                           strlen(xml), VR_API_BODY_DEFINITION / 1024);
    char *err = NULL;
    vr_network *net = NULL;
    vr_err code = start ? vr_net_create(c->api->net, xml, &net, &err) : vr_net_define(c->api->net, xml, &net, &err);
    if (code == VR_OK)
        reply_net(c, net);
    return vr_rpc_outcome(c, code, err, VR_RPC_XML);
}

static vr_rpc_result define_xml(vr_rpc_call *c) { return define_or_create(c, false); }
static vr_rpc_result create_xml(vr_rpc_call *c) { return define_or_create(c, true); }

/* start, destroy, undefine: one driver call each. */
static vr_rpc_result act(vr_rpc_call *c, vr_err (*op)(vr_network *, char **))
{
    vr_network *net = arg_net(c);
    if (!net)
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = op(net, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_NETWORK);
}

static vr_rpc_result create(vr_rpc_call *c) { return act(c, vr_net_start); }
static vr_rpc_result destroy(vr_rpc_call *c) { return act(c, vr_net_destroy); }
static vr_rpc_result undefine(vr_rpc_call *c) { return act(c, vr_net_undefine); }

/* net-dhcp-leases: dnsmasq's current leases, optionally of one MAC. */
static vr_rpc_result dhcp_leases(vr_rpc_call *c)
{
    vrp_leases_args *a = c->args;
    vr_network *net = find(c, &a->net);
    if (!net)
        return VR_RPC_FAILED;
    if (a->flags)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s", a->flags,
                           c->proc->api);
    vr_lease *l;
    size_t n;
    vr_core_net_leases(net, a->mac ? *a->mac : NULL, &l, &n);
    vrp_leases_ret *r = c->ret;
    if (a->need_results)
        r->leases.leases_val = vr_calloc(n ? n : 1, sizeof(vrp_lease));
    for (size_t i = 0; i < n; i++) {
        r->count++;
        if (!a->need_results)
            continue;
        vrp_lease *w = &r->leases.leases_val[r->leases.leases_len++];
        w->iface = vr_strdup(net->def->bridge ? net->def->bridge : "");
        w->expiry_time = l[i].expiry;
        w->type = strchr(l[i].ip, ':') ? 1 : 0;
        w->mac = vr_malloc(sizeof(char *));
        *w->mac = vr_strdup(l[i].mac);
        w->ipaddr = vr_strdup(l[i].ip);
        w->prefix = net->def->ip.prefix;
        if (l[i].hostname) {
            w->hostname = vr_malloc(sizeof(char *));
            *w->hostname = vr_strdup(l[i].hostname);
        }
        if (l[i].client_id) {
            w->client_id = vr_malloc(sizeof(char *));
            *w->client_id = vr_strdup(l[i].client_id);
        }
    }
    vr_leases_free(l, n);
    return VR_RPC_OK;
}

const vr_rpc_proc vr_rpc_network_procs[] = {
    VR_RPC_PROC(39, "virNetworkCreate", vrp_net_args, vrp_void, create, WRITE),
    VR_RPC_PROC(40, "virNetworkCreateXML", vrp_xml_args, vrp_net_ret, create_xml, WRITE),
    VR_RPC_PROC(41, "virNetworkDefineXML", vrp_xml_args, vrp_net_ret, define_xml, WRITE),
    VR_RPC_PROC(42, "virNetworkDestroy", vrp_net_args, vrp_void, destroy, WRITE),
    VR_RPC_PROC(43, "virNetworkGetXMLDesc", vrp_net_flags_args, vrp_str_ret, get_xml, READ),
    VR_RPC_PROC(44, "virNetworkGetAutostart", vrp_net_args, vrp_int_ret, get_autostart, READ),
    VR_RPC_PROC(45, "virNetworkGetBridgeName", vrp_net_args, vrp_str_ret, get_bridge_name, READ),
    VR_RPC_PROC(46, "virNetworkLookupByName", vrp_name_args, vrp_net_ret, lookup_by_name, READ),
    VR_RPC_PROC(47, "virNetworkLookupByUUID", vrp_uuid_args, vrp_net_ret, lookup_by_uuid, READ),
    VR_RPC_PROC(48, "virNetworkSetAutostart", vrp_net_int_args, vrp_void, set_autostart, WRITE),
    VR_RPC_PROC(49, "virNetworkUndefine", vrp_net_args, vrp_void, undefine, WRITE),
    VR_RPC_PROC(36, "virConnectListDefinedNetworks", vrp_max_args, vrp_names_ret, list_defined, READ),
    VR_RPC_PROC(38, "virConnectListNetworks", vrp_max_args, vrp_names_ret, list_active, READ),
    VR_RPC_PROC(50, "virConnectNumOfDefinedNetworks", vrp_void, vrp_int_ret, num_defined, READ),
    VR_RPC_PROC(52, "virConnectNumOfNetworks", vrp_void, vrp_int_ret, num_active, READ),
    VR_RPC_PROC(152, "virNetworkIsActive", vrp_net_args, vrp_int_ret, is_active, READ),
    VR_RPC_PROC(153, "virNetworkIsPersistent", vrp_net_args, vrp_int_ret, is_persistent, READ),
    VR_RPC_PROC(283, "virConnectListAllNetworks", vrp_list_args, vrp_net_list_ret, list_all, READ),
    VR_RPC_PROC(291, "virNetworkUpdate", vrp_net_update_args, vrp_void, update, WRITE),
    VR_RPC_PROC(341, "virNetworkGetDHCPLeases", vrp_leases_args, vrp_leases_ret, dhcp_leases, READ),
    {0},
};
