/* API: virtual networks, their DHCP leases, and a domain's interfaces. */
#include "daemon/api.h"
#include "drivers/network/network_driver.h"
#include "common/util.h"
#include "core/domain_ops.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static json_object *addr_json(struct in_addr a)
{
    char s[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, s, sizeof(s));
    return json_object_new_string(s);
}

/* [{"start","end"}…]: what the web UI's network list shows. */
static json_object *dhcp_json(const vr_net_ip *ip)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < ip->n_ranges; i++) {
        json_object *r = json_object_new_object();
        json_object_object_add(r, "start", addr_json(ip->ranges[i].start));
        json_object_object_add(r, "end", addr_json(ip->ranges[i].end));
        json_object_array_add(arr, r);
    }
    return arr;
}

/* [{"mac","name","ip"}…]: the static hosts (<dhcp><host>) the web UI
 * lists and removes (net-update); mac or name is null when not given. */
static json_object *dhcp_hosts_json(const vr_net_ip *ip)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < ip->n_hosts; i++) {
        const vr_net_dhcp_host *h = &ip->hosts[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "mac", h->mac[0] ? json_object_new_string(h->mac) : NULL);
        json_object_object_add(o, "name", h->name ? json_object_new_string(h->name) : NULL);
        json_object_object_add(o, "ip", addr_json(h->ip));
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *net_json(const vr_network *net)
{
    const vr_network_def *def = net->def;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(def->name));
    json_object_object_add(o, "uuid", json_object_new_string(def->uuid));
    json_object_object_add(o, "active", json_object_new_boolean(net->active));
    json_object_object_add(o, "persistent", json_object_new_boolean(net->persistent));
    json_object_object_add(o, "autostart", json_object_new_boolean(net->autostart));
    json_object_object_add(o, "forward", json_object_new_string(vr_net_forward_name(def->forward)));
    json_object_object_add(o, "bridge", def->bridge ? json_object_new_string(def->bridge) : NULL);
    if (vr_net_is_macvtap(def)) {
        json_object *devs = json_object_new_array();
        for (size_t i = 0; i < def->n_forward_ifs; i++)
            json_object_array_add(devs, json_object_new_string(def->forward_ifs[i]));
        json_object_object_add(o, "devices", devs);
    }
    bool stp;
    unsigned delay_cs;
    if (vr_net_stp_in_force(net, &stp, &delay_cs)) {
        json_object_object_add(o, "stp", json_object_new_boolean(stp));
        json_object_object_add(o, "forward_delay_ms", json_object_new_int((int)delay_cs * 10));
    }
    if (def->ip.present) {
        json_object_object_add(o, "address", addr_json(def->ip.address));
        json_object_object_add(o, "prefix", json_object_new_int((int)def->ip.prefix));
        json_object_object_add(o, "dhcp", dhcp_json(&def->ip));
        json_object_object_add(o, "dhcp_hosts", dhcp_hosts_json(&def->ip));
    }
    if (def->ip6.present) {
        char a6[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &def->ip6.address, a6, sizeof(a6));
        json_object_object_add(o, "address6", json_object_new_string(a6));
        json_object_object_add(o, "prefix6", json_object_new_int((int)def->ip6.prefix));
    }
    return o;
}

static vr_network *find(vr_api_call *c)
{
    vr_network *net = vr_net_lookup(c->api->net, c->seg[1]);
    if (!net)
        vr_req_reply_error(c->req, 404, "not_found",
                           "network '%s' not found (vireo net-list --all shows the defined ones)", c->seg[1]);
    return net;
}

static void list(vr_api_call *c)
{
    size_t n;
    vr_network *const *nets = vr_net_list(c->api->net, &n);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, net_json(nets[i]));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "networks", arr);
    vr_req_reply_json(c->req, 200, o);
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
    json_object *o = net_json(net);
    if (net->warning)
        json_object_object_add(o, "warning", json_object_new_string(net->warning));
    vr_req_reply_json(c->req, ok_status, o);
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

static void action(vr_api_call *c)
{
    vr_network *net = find(c);
    if (!net)
        return;
    char *err = NULL;
    const char *a = c->seg[2];
    vr_err code;
    if (strcmp(a, "start") == 0) {
        code = vr_net_start(net, &err);
        reply_started(c, code, err, net, 200);
        return;
    } else if (strcmp(a, "destroy") == 0) {
        char *name = vr_strdup(net->def->name);
        code = vr_net_destroy(net, &err);
        /* A transient network is gone after destroy. */
        net = code == VR_OK ? vr_net_lookup(c->api->net, name) : net;
        free(name);
    } else {
        vr_req_reply_error(c->req, 404, "not_found", "no action '%s' on networks", a);
        return;
    }
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
    json_object *o = json_object_new_object();
    json_object_object_add(o, "network", json_object_new_string(network));
    json_object_object_add(o, "expiry", json_object_new_int64(l->expiry));
    json_object_object_add(o, "mac", json_object_new_string(l->mac));
    json_object_object_add(o, "type", json_object_new_string(l->family == 6 ? "ipv6" : "ipv4"));
    json_object_object_add(o, "ip", json_object_new_string(l->ip));
    json_object_object_add(o, "prefix", json_object_new_int((int)l->prefix));
    json_object_object_add(o, "hostname", l->hostname ? json_object_new_string(l->hostname) : NULL);
    json_object_object_add(o, "client_id", l->client_id ? json_object_new_string(l->client_id) : NULL);
    return o;
}

static json_object *leases_json(const vr_network *net)
{
    vr_lease *l;
    size_t n;
    json_object *arr = json_object_new_array();
    if (vr_net_leases(net, &l, &n) < 0)
        return arr;
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

/* domifaddr --source arp: what the host's neighbour tables (ARP and
 * NDP) hold for the interface's MAC, SLAAC addresses included. Shaped
 * like leases, without expiry. */
static json_object *iface_neighbours(vr_api *api, const vr_domain *dom, size_t i)
{
    const vr_interface_def *ifc = &dom->def->interfaces[i];
    json_object *addrs = json_object_new_array();
    vr_network *net = ifc->type == VR_NET_NETWORK ? vr_net_lookup(api->net, ifc->source_network) : NULL;
    vr_neighbour *nb;
    size_t n;
    if (!net || dom->state == VR_DOM_SHUTOFF || vr_net_neighbours(net, ifc->mac, &nb, &n) < 0)
        return addrs;
    for (size_t k = 0; k < n; k++) {
        json_object *o = json_object_new_object();
        bool v6 = nb[k].family == AF_INET6;
        json_object_object_add(o, "network", json_object_new_string(net->def->name));
        json_object_object_add(o, "mac", json_object_new_string(ifc->mac));
        json_object_object_add(o, "type", json_object_new_string(v6 ? "ipv6" : "ipv4"));
        json_object_object_add(o, "ip", json_object_new_string(nb[k].ip));
        json_object_object_add(o, "prefix", json_object_new_int((int)(v6 ? net->def->ip6.prefix : net->def->ip.prefix)));
        json_object_array_add(addrs, o);
    }
    free(nb);
    return addrs;
}

/* GET domains/NAME/interfaces: domiflist and domifaddr in one answer;
 * ?source=arp takes the addresses from the neighbour tables instead of
 * the DHCP leases. */
static void domain_interfaces(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    const char *source = vr_req_query(c->req, "source");
    bool arp = source && strcmp(source, "arp") == 0;
    if (source && !arp && strcmp(source, "lease") != 0) {
        vr_req_reply_error(c->req, 400, "invalid", "source is lease or arp, not '%s'", source);
        return;
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < dom->def->n_interfaces; i++) {
        const vr_interface_def *ifc = &dom->def->interfaces[i];
        json_object *o = json_object_new_object();
        const char *tap = i < dom->n_ifnames ? dom->ifnames[i] : NULL;
        json_object_object_add(o, "interface", tap ? json_object_new_string(tap) : NULL);
        json_object_object_add(o, "type", json_object_new_string(vr_net_type_name(ifc->type)));
        const char *src = vr_interface_source(ifc);
        json_object_object_add(o, "source", src ? json_object_new_string(src) : NULL);
        json_object_object_add(o, "model", json_object_new_string(vr_net_model_name(ifc->model)));
        json_object_object_add(o, "mac", json_object_new_string(ifc->mac));
        json_object_object_add(o, "addresses", arp ? iface_neighbours(c->api, dom, i) : vr_api_iface_leases(c->api, dom, i));
        json_object_array_add(arr, o);
    }
    json_object *root = json_object_new_object();
    json_object_object_add(root, "interfaces", arr);
    vr_req_reply_json(c->req, 200, root);
}

const vr_api_route vr_api_network_routes[] = {
    {"GET", "networks", list},
    {"POST", "networks", create},
    {"GET", "networks/*", get},
    {"DELETE", "networks/*", del},
    {"GET", "networks/*/xml", xml},
    {"GET", "networks/*/leases", leases},
    {"PUT", "networks/*/autostart", autostart},
    {"POST", "networks/*/dhcp-hosts", dhcp_host},
    {"DELETE", "networks/*/dhcp-hosts", dhcp_host},
    {"POST", "networks/*/*", action},
    {"GET", "domains/*/interfaces", domain_interfaces},
    {0},
};
