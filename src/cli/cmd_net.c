/* Virtual networks: net-list, net-define, net-create, net-undefine,
 * net-start, net-destroy, net-autostart, net-info, net-dumpxml,
 * net-edit, net-dhcp-leases, net-update; and a domain's side of it:
 * domiflist, domifaddr. Output follows virsh's. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int run_list(vr_cli *cli, int argc, char **argv)
{
    bool all = false, inactive = false, json = false, name = false;
    const vr_opt opts[] = {{"all", false, &all, NULL}, {"inactive", false, &inactive, NULL},
                           {"json", false, &json, NULL}, {"name", false, &name, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_net_list, argc, argv, opts, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    vireo_network *nets;
    size_t n;
    if (vireo_network_list(c, &nets, &n) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    const char *headers[] = {"Name", "State", "Autostart", "Persistent"};
    vr_table *t = vr_table_new(4, headers);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const vireo_network *x = &nets[i];
        if ((inactive && x->active) || (!inactive && !all && !x->active))
            continue;
        json_object_array_add(arr, vr_wire_to_json(&vr_wire_network, x));
        if (name)
            puts(x->name);
        const char *row[] = {x->name, x->active ? "active" : "inactive", x->autostart ? "yes" : "no",
                             x->persistent ? "yes" : "no"};
        vr_table_add(t, row);
    }
    if (json)
        vr_cli_print_json(json_object_get(arr));
    else if (!name)
        vr_table_print(t, stdout);
    json_object_put(arr);
    vr_table_free(t);
    vireo_network_list_free(nets, n);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int define_or_create(vr_cli *cli, const vr_command *cmd, int argc, char **argv, bool create)
{
    const char *file = NULL;
    int rc;
    char *xml = NULL;
    vireo_conn *c = vr_cli_begin_file(cli, cmd, argc, argv, NULL, &file, &xml, &rc);
    if (!c)
        return rc;
    vireo_network n = {0};
    int r = create ? vireo_network_create(c, xml, &n) : vireo_network_define(c, xml, &n);
    free(xml);
    rc = VR_EXIT_OK;
    if (r < 0)
        rc = vr_cli_fail(c);
    else
        printf("Network %s %s from %s\n", n.name, create ? "created" : "defined", file);
    if (r >= 0 && n.warning)
        fprintf(stderr, "vireo: warning: %s\n", n.warning);
    vireo_network_clear(&n);
    vireo_disconnect(c);
    return rc;
}

static int run_define(vr_cli *cli, int argc, char **argv) { return define_or_create(cli, &vr_cmd_net_define, argc, argv, false); }
static int run_create(vr_cli *cli, int argc, char **argv) { return define_or_create(cli, &vr_cmd_net_create, argc, argv, true); }

#define SIMPLE(fn, cmd, call, msg)                                                        \
    static int fn(vr_cli *cli, int argc, char **argv)                                     \
    {                                                                                     \
        const char *name = NULL;                                                          \
        int rc;                                                                           \
        vireo_conn *c = vr_cli_begin(cli, &cmd, argc, argv, NULL, &name, 1, 1, &rc); \
        if (!c)                                                                           \
            return rc;                                                                    \
        return vr_cli_done(c, call(c, name), "Network", false, name, msg); \
    }
SIMPLE(run_undefine, vr_cmd_net_undefine, vireo_network_undefine, "has been undefined")
SIMPLE(run_destroy, vr_cmd_net_destroy, vireo_network_destroy, "destroyed")

static int run_start(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_net_start, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_network n = {0};
    int r = vireo_network_start_get(c, name, &n);
    /* The warning on stderr, so scripts reading stdout see virsh's line. */
    if (r >= 0 && n.warning)
        fprintf(stderr, "vireo: warning: %s\n", n.warning);
    vireo_network_clear(&n);
    return vr_cli_done(c, r, "Network", false, name, "started");
}

static int run_autostart(vr_cli *cli, int argc, char **argv)
{
    return vr_cli_run_autostart(cli, &vr_cmd_net_autostart, argc, argv, "Network", false,
                                vireo_network_set_autostart);
}

static int run_info(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool json = false;
    int rc;
    vireo_conn *c = vr_cli_begin_one(cli, &vr_cmd_net_info, argc, argv, "json", &json, &name, &rc);
    if (!c)
        return rc;
    vireo_network n;
    if (vireo_network_get(c, name, &n) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    if (json) {
        vr_cli_print_json(vr_wire_to_json(&vr_wire_network, &n));
    } else {
        printf("%-15s %s\n", "Name:", n.name);
        printf("%-15s %s\n", "UUID:", n.uuid);
        printf("%-15s %s\n", "Active:", n.active ? "yes" : "no");
        printf("%-15s %s\n", "Persistent:", n.persistent ? "yes" : "no");
        printf("%-15s %s\n", "Autostart:", n.autostart ? "yes" : "no");
        printf("%-15s %s\n", "Bridge:", n.bridge ? n.bridge : "-");
        printf("%-15s %s\n", "Forward:", n.forward);
        if (n.stp >= 0)
            printf("%-15s %s, forward delay %g s\n", "STP:", n.stp ? "on" : "off", n.forward_delay_ms / 1000.0);
        if (n.address)
            printf("%-15s %s/%u\n", "Address:", n.address, n.prefix);
        if (n.address6)
            printf("%-15s %s/%u\n", "IPv6 address:", n.address6, n.prefix6);
    }
    vireo_network_clear(&n);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool inactive = false;
    int rc;
    vireo_conn *c = vr_cli_begin_one(cli, &vr_cmd_net_dumpxml, argc, argv, "inactive", &inactive, &name, &rc);
    if (!c)
        return rc;
    char *xml = vireo_network_xml(c, name, inactive ? VIREO_XML_INACTIVE : 0);
    return vr_cli_print_text(c, xml);
}

static char *net_xml_inactive(vireo_conn *c, const char *name) { return vireo_network_xml(c, name, VIREO_XML_INACTIVE); }
static int net_define(vireo_conn *c, const char *xml) { return vireo_network_define(c, xml, NULL); }

static int run_edit(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_net_edit, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    rc = vr_cli_edit_xml(c, "Network", name, net_xml_inactive, net_define);
    vireo_disconnect(c);
    return rc;
}

static const char *proto_name(const vireo_lease *l)
{
    return l->family == 6 ? "ipv6" : "ipv4";
}

static json_object *lease_json(const vireo_lease *l)
{
    return vr_wire_to_json(&vr_wire_lease, l);
}

static int run_leases(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *mac = NULL;
    bool json = false, has_mac = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {"mac", true, &has_mac, &mac}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_net_dhcp_leases, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_lease *l;
    size_t n;
    if (vireo_network_leases(c, name, &l, &n) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    const char *headers[] = {"Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID"};
    vr_table *t = vr_table_new(6, headers);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        if (has_mac && strcasecmp(mac, l[i].mac) != 0)
            continue;
        json_object_array_add(arr, lease_json(&l[i]));
        char when[32] = "never", ip[64];
        if (l[i].expiry) {
            time_t e = (time_t)l[i].expiry;
            struct tm tm;
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&e, &tm));
        }
        snprintf(ip, sizeof(ip), "%s/%u", l[i].ip, l[i].prefix);
        const char *row[] = {when, l[i].mac[0] ? l[i].mac : "-", proto_name(&l[i]), ip, l[i].hostname ? l[i].hostname : "-",
                             l[i].client_id ? l[i].client_id : "-"};
        vr_table_add(t, row);
    }
    vr_cli_print_list(json, arr, t);
    vireo_lease_list_free(l, n);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_update(vr_cli *cli, int argc, char **argv)
{
    const char *pos[4] = {0};
    bool live = false, config = false, current = false;
    const vr_opt opts[] = {{"live", false, &live, NULL}, {"config", false, &config, NULL},
                           {"current", false, &current, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(&vr_cmd_net_update, argc, argv, opts, pos, 4, 4, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    bool add = strcmp(pos[1], "add") == 0 || strcmp(pos[1], "add-last") == 0 || strcmp(pos[1], "add-first") == 0;
    if (!add && strcmp(pos[1], "delete") != 0)
        return vr_cli_usage(&vr_cmd_net_update, "command must be add or delete, not '%s'", pos[1]);
    if (strcmp(pos[2], "ip-dhcp-host") != 0)
        return vr_cli_usage(&vr_cmd_net_update, "only the ip-dhcp-host section can be updated, not '%s'", pos[2]);
    /* The XML may be given inline or as a file, like virsh. */
    char *xml = pos[3][0] == '<' ? vr_strdup(pos[3]) : vr_cli_read_file(pos[3]);
    if (!xml)
        return VR_EXIT_FAIL;
    vireo_conn *c = vr_cli_connect(cli);
    if (!c) {
        free(xml);
        return VR_EXIT_FAIL;
    }
    /* vireod changes a running network's dnsmasq and its definition
     * together (no flag, or --live --config), a stopped one's definition
     * (no flag, --config or --current): one of the two alone (--live,
     * --config, or --current, which is virsh's "live only" on a running
     * network) is refused, never done as both. */
    vireo_network net = {0};
    int rc = VR_EXIT_OK;
    if (vireo_network_get(c, pos[0], &net) < 0) {
        rc = vr_cli_fail(c);
    } else if (net.active && !(live && config) && (live || config || current)) {
        rc = vr_cli_error("vireod changes a running network's dnsmasq and its definition together: give "
                          "--live --config, or neither");
    } else if (!net.active && live) {
        rc = vr_cli_error("network '%s' is not running: leave out --live", pos[0]);
    } else if (vireo_network_update_dhcp_host(c, pos[0], add, xml) < 0) {
        rc = vr_cli_fail(c);
    } else {
        /* virsh's words for what changed. */
        printf("Updated network %s persistent config%s\n", pos[0], net.active ? " and live state" : "");
    }
    free(xml);
    vireo_network_clear(&net);
    vireo_disconnect(c);
    return rc;
}

/* domifaddr's rows of one interface, as virsh prints them: its name and
 * MAC on the first address only (each with --full), "N/A" for an
 * interface the guest agent lists without an address. */
static void address_rows(vr_table *t, const vireo_interface *x, bool agent, bool full)
{
    const char *ifname = x->interface ? x->interface : "-", *mac = x->mac[0] ? x->mac : "N/A";
    if (agent && x->n_addresses == 0) {
        const char *row[] = {ifname, mac, "N/A", "N/A"};
        vr_table_add(t, row);
    }
    for (size_t k = 0; k < x->n_addresses; k++) {
        char ip[64];
        snprintf(ip, sizeof(ip), "%s/%u", x->addresses[k].ip, x->addresses[k].prefix);
        const char *row[] = {full || !k ? ifname : "-", full || !k ? mac : "-", proto_name(&x->addresses[k]), ip};
        vr_table_add(t, row);
    }
}

static int interfaces(vr_cli *cli, const vr_command *cmd, int argc, char **argv, bool addrs)
{
    const char *name = NULL, *source = NULL;
    bool json = false, has_source = false, full = false;
    const vr_opt opts[] = {{"json", false, &json, NULL},
                           {addrs ? "source" : NULL, true, &has_source, &source},
                           {addrs ? "full" : NULL, false, &full, NULL},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    bool agent = has_source && strcmp(source, "agent") == 0;
    if (has_source && !agent && strcmp(source, "lease") != 0 && strcmp(source, "arp") != 0) {
        vireo_disconnect(c);
        return vr_cli_usage(cmd, "--source is lease, arp or agent, not '%s'", source);
    }
    vireo_interface *ifs;
    size_t n;
    if (vireo_domain_interfaces_from(c, name, source, &ifs, &n) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    const char *list_h[] = {"Interface", "Type", "Source", "Model", "MAC"};
    const char *addr_h[] = {"Name", "MAC address", "Protocol", "Address"};
    vr_table *t = addrs ? vr_table_new(4, addr_h) : vr_table_new(5, list_h);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const vireo_interface *x = &ifs[i];
        json_object_array_add(arr, vr_wire_to_json(&vr_wire_interface, x));
        if (addrs) {
            address_rows(t, x, agent, full);
        } else {
            const char *row[] = {x->interface ? x->interface : "-", x->type, x->source ? x->source : "-",
                                 x->model, x->mac};
            vr_table_add(t, row);
        }
    }
    vr_cli_print_list(json, arr, t);
    vireo_interface_list_free(ifs, n);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_domiflist(vr_cli *cli, int argc, char **argv) { return interfaces(cli, &vr_cmd_domiflist, argc, argv, false); }
static int run_domifaddr(vr_cli *cli, int argc, char **argv) { return interfaces(cli, &vr_cmd_domifaddr, argc, argv, true); }

const vr_command vr_cmd_net_list = {"net-list", "List virtual networks (active ones; --all adds the others).",
                                    "[--all | --inactive] [--name] [--json]", run_list};
const vr_command vr_cmd_net_define = {"net-define", "Define (or redefine) a network from an XML file.", "FILE", run_define};
const vr_command vr_cmd_net_create = {"net-create", "Create and start a transient network from an XML file.", "FILE", run_create};
const vr_command vr_cmd_net_undefine = {"net-undefine", "Remove a network's definition.", "NETWORK", run_undefine};
const vr_command vr_cmd_net_start = {"net-start", "Start a network: bridge, DHCP/DNS, firewall rules; warns when another firewall drops its traffic.", "NETWORK", run_start};
const vr_command vr_cmd_net_destroy = {"net-destroy", "Stop a network (refused while running domains use it).", "NETWORK", run_destroy};
const vr_command vr_cmd_net_autostart = {"net-autostart", "Start the network with the daemon (--disable: don't).",
                                         "NETWORK [--disable]", run_autostart};
const vr_command vr_cmd_net_info = {"net-info", "Show a network's facts.", "NETWORK [--json]", run_info};
const vr_command vr_cmd_net_dumpxml = {"net-dumpxml", "Print a network's XML.", "NETWORK [--inactive]", run_dumpxml};
const vr_command vr_cmd_net_edit = {"net-edit", "Edit a network's XML in $EDITOR, check it and define it.", "NETWORK", run_edit};
const vr_command vr_cmd_net_dhcp_leases = {"net-dhcp-leases", "Show the DHCP leases of a network.",
                                           "NETWORK [--mac MAC] [--json]", run_leases};
const vr_command vr_cmd_net_update = {"net-update", "Add or delete a DHCP host entry (MAC -> IP, name).",
                                      "NETWORK add|delete ip-dhcp-host XML|FILE [--live --config] [--current]", run_update};
const vr_command vr_cmd_domiflist = {"domiflist", "List a domain's network interfaces.", "DOMAIN [--json]", run_domiflist};
const vr_command vr_cmd_domifaddr = {"domifaddr", "Show a domain's IPv4 and IPv6 addresses (from the DHCP leases, "
                                     "with --source arp from the host's neighbour tables, with --source "
                                     "agent from the guest agent).",
                                     "DOMAIN [--source lease|arp|agent] [--full] [--json]", run_domifaddr};
