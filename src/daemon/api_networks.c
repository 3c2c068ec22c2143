/* API: virtual networks, their DHCP leases, and a domain's interfaces. */
#include "daemon/api.h"
#include "common/util.h"
#include "core/domain_ops.h"
#include "core/network_ops.h"
#include "core/views.h"
#include "wire/schemas.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* The network in the one wire form (src/wire), with `warning` when asked
 * (a start's answer). */
static json_object *net_json_warned(const vr_network *net, bool warning)
{
    vireo_network view;
    vr_core_network_view(net, &view);
    if (warning && net->warning)
        view.warning = vr_strdup(net->warning);
    json_object *o = vr_wire_to_json(&vr_wire_network, &view);
    vr_wire_clear(&vr_wire_network, &view);
    return o;
}

static json_object *net_json(const vr_network *net)
{
    return net_json_warned(net, false);
}

static vr_network *find(vr_api_call *c)
{
    vr_network *net = vr_net_lookup(c->api->net, c->seg[1]);
    if (!net)
        vr_req_reply_error(c->req, 404, "not_found",
                           "network '%s' not found (vireo net-list --all shows the defined ones)", c->seg[1]);
    return net;
}

/* A network's view owns its strings (views.h). */
static void net_row(size_t i, void *nets, void *out) { vr_core_network_view(((vr_network **)nets)[i], out); }

static void list(vr_api_call *c)
{
    size_t n;
    vr_network *const *nets = vr_net_list(c->api->net, &n);
    vr_api_reply_list(c, &vr_wire_network, "networks", n, net_row, (void *)nets, true);
}

static void reply(vr_api_call *c, vr_err code, char *err, const vr_network *net, int ok_status)
{
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, ok_status, net ? net_json(net) : vr_api_ok());
    free(err);
}

/* The answer to a start: the network, and its warning when another
 * firewall drops its traffic (once, here; not in listings). */
static void reply_started(vr_api_call *c, vr_err code, char *err, const vr_network *net, int ok_status)
{
    if (code != VR_OK || !net) {
        reply(c, code, err, net, ok_status);
        return;
    }
    vr_req_reply_json(c->req, ok_status, net_json_warned(net, true));
    free(err);
}

static void create(vr_api_call *c)
{
    const char *xml = vr_api_body_xml(c, "network");
    if (!xml)
        return;
    char *err = NULL;
    vr_network *net = NULL;
    bool start = vr_api_flag(c->req, "start");
    vr_err code = start ? vr_net_create(c->api->net, xml, &net, &err) : vr_net_define(c->api->net, xml, &net, &err);
    reply_started(c, code, err, net, 201);
}

static void get(vr_api_call *c)
{
    vr_network *net = find(c);
    if (net)
        vr_req_reply_json(c->req, 200, net_json(net));
}

static void del(vr_api_call *c)
{
    vr_network *net = find(c);
    if (!net)
        return;
    char *err = NULL;
    vr_err code = vr_net_undefine(net, &err);
    reply(c, code, err, NULL, 200);
}

static void xml(vr_api_call *c)
{
    vr_network *net = find(c);
    if (net)
        vr_req_reply_text(c->req, 200, "application/xml", vr_net_xml(net, vr_api_flag(c->req, "inactive")));
}

/* POST networks/NAME/start and .../destroy: a route each. */
static void start(vr_api_call *c)
{
    vr_network *net = find(c);
    if (!net)
        return;
    char *err = NULL;
    vr_err code = vr_net_start(net, &err);
    reply_started(c, code, err, net, 200);
}

static void destroy(vr_api_call *c)
{
    vr_network *net = find(c);
    if (!net)
        return;
    char *err = NULL;
    char *name = vr_strdup(net->def->name);
    vr_err code = vr_net_destroy(net, &err);
    /* A transient network is gone after destroy. */
    net = code == VR_OK ? vr_net_lookup(c->api->net, name) : net;
    free(name);
    reply(c, code, err, net, 200);
}

static void autostart(vr_api_call *c)
{
    vr_network *net = find(c);
    if (!net)
        return;
    json_object *body = vr_api_body_json(c), *v = NULL;
    if (!body)
        return;
    if (!json_object_object_get_ex(body, "autostart", &v) || !json_object_is_type(v, json_type_boolean)) {
        json_object_put(body);
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"autostart\": true|false}");
        return;
    }
    char *err = NULL;
    vr_err code = vr_net_set_autostart(net, json_object_get_boolean(v), &err);
    json_object_put(body);
    reply(c, code, err, net, 200);
}

/* POST networks/NAME/dhcp-hosts (add) and DELETE (delete); body: <host .../> */
static void dhcp_host(vr_api_call *c)
{
    vr_network *net = find(c);
    if (!net)
        return;
    const char *xml = vr_api_body_xml(c, "<host>");
    if (!xml)
        return;
    char *err = NULL;
    bool add = strcmp(vr_req_method(c->req), "POST") == 0;
    vr_err code = vr_net_update_dhcp_host(net, add, xml, &err);
    reply(c, code, err, net, 200);
}

static json_object *lease_json(const char *network, const vr_lease *l)
{
    vireo_lease view;
    vr_core_lease_view(network, l, &view);
    return vr_wire_to_json(&vr_wire_lease, &view);
}

static json_object *leases_json(const vr_network *net)
{
    vr_lease *l;
    size_t n;
    json_object *arr = json_object_new_array();
    vr_core_net_leases(net, NULL, &l, &n);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, lease_json(net->def->name, &l[i]));
    vr_leases_free(l, n);
    return arr;
}

static void leases(vr_api_call *c)
{
    vr_network *net = find(c);
    if (!net)
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "leases", leases_json(net));
    vr_req_reply_json(c->req, 200, o);
}

json_object *vr_api_iface_leases(vr_api *api, const vr_domain *dom, size_t i)
{
    json_object *addrs = json_object_new_array();
    vr_lease *l;
    size_t n;
    vr_core_iface_leases(api->net, dom, i, &l, &n);
    const char *network = dom->def->interfaces[i].source_network;
    for (size_t k = 0; k < n; k++)
        json_object_array_add(addrs, lease_json(network, &l[k]));
    vr_leases_free(l, n);
    return addrs;
}

/* The agent's interfaces as they are (borrowed: nothing to clear). */
static void agent_iface_view(size_t i, void *items, void *out)
{
    *(vireo_interface *)out = ((const vireo_interface *)items)[i];
}

static void on_agent_interfaces(const vireo_interface *ifs, size_t n, const char *err, void *opaque)
{
    vr_req *req = opaque;
    if (err)
        vr_api_reply_err(req, VR_ERR_FAILED, err);
    else
        vr_api_reply_list_to(req, &vr_wire_interface, "interfaces", n, agent_iface_view, (void *)ifs, false);
}

/* A domain's interface i with its leases (or ARP neighbours). */
typedef struct {
    vr_net_driver *net;
    const vr_domain *dom;
    bool arp;
} iface_views;

static void iface_view(size_t i, void *items, void *out)
{
    const iface_views *v = items;
    vr_core_interface_view(v->net, v->dom, i, v->arp, out);
}

/* GET domains/NAME/interfaces: domiflist and domifaddr in one answer;
 * ?source=arp takes the addresses from the neighbour tables instead of
 * the DHCP leases; ?source=agent asks the guest agent (its own names for
 * the interfaces; read-write connections only, as libvirt). */
static void domain_interfaces(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    const char *source = vr_req_query(c->req, "source");
    bool arp = source && strcmp(source, "arp") == 0, agent = source && strcmp(source, "agent") == 0;
    if (source && !arp && !agent && strcmp(source, "lease") != 0) {
        vr_req_reply_error(c->req, 400, "invalid", "source is lease, arp or agent, not '%s'", source);
        return;
    }
    if (agent) {
        if (!vr_api_allowed(c->api, c->req, VR_API_GUEST))
            return;
        char *err = NULL;
        vr_req_defer(c->req);
        vr_err code = vr_core_agent_interfaces(dom, on_agent_interfaces, c->req, &err);
        if (code != VR_OK)
            vr_api_reply_err(c->req, code, err);
        free(err);
        return;
    }
    iface_views v = {c->api->net, dom, arp};
    vr_api_reply_list(c, &vr_wire_interface, "interfaces", dom->def->n_interfaces, iface_view, &v, true);
}

const vr_api_route vr_api_network_routes[] = {
    {"GET", "networks", list, VR_API_READ},
    {"POST", "networks", create, VR_API_WRITE, VR_API_BODY_DEFINITION},
    {"GET", "networks/*", get, VR_API_READ},
    {"DELETE", "networks/*", del},
    {"GET", "networks/*/xml", xml, VR_API_READ},
    {"GET", "networks/*/leases", leases, VR_API_READ},
    {"PUT", "networks/*/autostart", autostart},
    {"POST", "networks/*/dhcp-hosts", dhcp_host},
    {"DELETE", "networks/*/dhcp-hosts", dhcp_host},
    {"POST", "networks/*/start", start},
    {"POST", "networks/*/destroy", destroy},
    {"GET", "domains/*/interfaces", domain_interfaces, VR_API_READ},
    {0},
};
