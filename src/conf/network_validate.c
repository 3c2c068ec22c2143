/* Step 2 of parsing a network: checks that need more than one element.
 * The forward mode decides which elements make sense; the subnet of
 * <ip> decides which DHCP ranges and hosts do. Every message names the
 * element, its value and its line. */
#include "conf/network_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static uint32_t host_order(struct in_addr a)
{
    return ntohl(a.s_addr);
}

/* "192.168.122.0/24" */
static char *subnet_str(const vr_net_ip *ip)
{
    char buf[INET_ADDRSTRLEN];
    struct in_addr net = {.s_addr = ip->address.s_addr & vr_net_prefix_mask(ip->prefix).s_addr};
    return vr_asprintf("%s/%u", vr_net_ipv4_str(net, buf), ip->prefix);
}

/* Why `a` cannot be a guest's address in the subnet, or NULL when it
 * can: inside, and neither the network nor the broadcast address. */
static const char *not_a_guest(const vr_net_ip *ip, struct in_addr a)
{
    if (!vr_net_in_subnet(a, ip->address, ip->prefix))
        return "is outside the subnet";
    uint32_t mask = ntohl(vr_net_prefix_mask(ip->prefix).s_addr);
    uint32_t v = host_order(a);
    if ((v & ~mask) == 0)
        return "is the network address of the subnet";
    if ((v & ~mask) == ~mask)
        return "is the broadcast address of the subnet";
    return NULL;
}

/* ---- the forward mode against the other elements -------------------------- */

static int not_with_bridge_mode(const xmlNode *n, const char *what, const char *why, char **err)
{
    return vr_xml_error(n, err, "%s is not allowed with <forward mode='bridge'> (%s)", what, why);
}

static int check_bridge_mode(const vr_net_parse_state *st)
{
    const vr_network_def *def = st->def;
    char **err = st->err;
    if (!def->bridge)
        return vr_xml_error(st->forward, err, "<forward mode='bridge'> needs <bridge name='...'>"
                            " (the host bridge the guests join)");
    if (def->forward_dev)
        return vr_xml_error(st->forward, err, "<forward dev='%s'> is not allowed with "
                            "mode='bridge' (the guests join the bridge '%s')", def->forward_dev,
                            def->bridge);
    const char *why_host = "the bridge is the host's, not Vireo's to configure";
    if (st->stp_given || st->delay_given)
        return not_with_bridge_mode(st->bridge, st->stp_given ? "<bridge stp>" : "<bridge delay>",
                                    why_host, err);
    if (st->mac)
        return not_with_bridge_mode(st->mac, "<mac>", why_host, err);
    const char *why_lan = "the guests get addresses and names from the host bridge's LAN";
    if (st->ip || st->ip6)
        return not_with_bridge_mode(st->ip ? st->ip : st->ip6, "<ip>", why_lan, err);
    if (st->dns)
        return not_with_bridge_mode(st->dns, "<dns>", why_lan, err);
    if (st->domain)
        return not_with_bridge_mode(st->domain, "<domain>", why_lan, err);
    return 0;
}

static int check_mode(const vr_net_parse_state *st)
{
    const vr_network_def *def = st->def;
    if (vr_net_is_macvtap(def))
        return vr_net_check_macvtap(st);
    if (vr_net_check_forward_pool(st) < 0)
        return -1;
    if (def->forward == VR_NET_FWD_BRIDGE)
        return check_bridge_mode(st);
    /* Open mode adds no rules at all, so there is nothing a device
     * could restrict. */
    if (def->forward == VR_NET_FWD_OPEN && def->forward_dev)
        return vr_xml_error(st->forward, st->err, "<forward dev='%s'> is not allowed with "
                            "mode='open' (open mode adds no firewall rules to restrict)",
                            def->forward_dev);
    if (!def->ip.present && !def->ip6.present) {
        /* Isolated without <ip>: a plain switch, no host address, no
         * dnsmasq to serve DNS names. */
        if (def->forward == VR_NET_FWD_NONE && (st->dns || st->domain))
            return vr_xml_error(st->dns ? st->dns : st->domain, st->err, "<%s> needs an <ip "
                                "address='...' netmask='...'> (dnsmasq serves the names on "
                                "the network's address)", st->dns ? "dns" : "domain");
        if (def->forward == VR_NET_FWD_NONE)
            return 0;
        return vr_xml_error(st->forward, st->err, "<forward mode='%s'> needs an <ip "
                            "address='...' netmask='...'>", vr_net_forward_name(def->forward));
    }
    return 0;
}

/* ---- <ip> --------------------------------------------------------------------- */

static int check_prefix(const vr_net_parse_state *st)
{
    const vr_net_ip *ip = &st->def->ip;
    bool dhcp = ip->n_ranges || ip->n_hosts;
    unsigned min = dhcp ? 8 : 1;
    if (ip->prefix >= min && ip->prefix <= 30)
        return 0;
    char *shown;
    if (st->netmask_given) {
        char buf[INET_ADDRSTRLEN];
        shown = vr_asprintf("<ip netmask='%s'>",
                            vr_net_ipv4_str(vr_net_prefix_mask(ip->prefix), buf));
    } else {
        shown = vr_asprintf("<ip prefix='%u'>", ip->prefix);
    }
    if (dhcp)
        vr_xml_error(st->ip, st->err, "%s: a subnet served by DHCP needs a prefix from 8 to 30 "
                     "(/%u)", shown, ip->prefix);
    else
        vr_xml_error(st->ip, st->err, "%s: the prefix must be from 1 to 30, to leave room for "
                     "the host, a guest and the network and broadcast addresses (/%u)", shown,
                     ip->prefix);
    free(shown);
    return -1;
}

static int check_range(const vr_net_ip *ip, const vr_net_dhcp_range *r, char **err)
{
    char s[INET_ADDRSTRLEN], e[INET_ADDRSTRLEN], h[INET_ADDRSTRLEN];
    vr_net_ipv4_str(r->start, s);
    vr_net_ipv4_str(r->end, e);
    const char *why = not_a_guest(ip, r->start);
    const char *bad = s;
    if (!why) {
        why = not_a_guest(ip, r->end);
        bad = e;
    }
    int rc = 0;
    if (why) {
        char *net = subnet_str(ip);
        rc = vr_net_error(r->line, err, "<range start='%s' end='%s'>: %s %s %s", s, e, bad, why,
                          net);
        free(net);
    } else if (host_order(r->start) > host_order(r->end)) {
        rc = vr_net_error(r->line, err, "<range start='%s' end='%s'>: start is after end", s, e);
    } else if (host_order(r->start) <= host_order(ip->address) &&
               host_order(ip->address) <= host_order(r->end)) {
        rc = vr_net_error(r->line, err, "<range start='%s' end='%s'> contains the host's own "
                          "address %s (<ip address>)", s, e, vr_net_ipv4_str(ip->address, h));
    }
    return rc;
}

static int check_ip(const vr_net_parse_state *st)
{
    const vr_net_ip *ip = &st->def->ip;
    if (check_prefix(st) < 0)
        return -1;
    const char *why = not_a_guest(ip, ip->address);
    if (why) {
        /* Only the network or broadcast address: the subnet is the
         * address's own. */
        char a[INET_ADDRSTRLEN];
        char *net = subnet_str(ip);
        vr_xml_error(st->ip, st->err, "<ip address='%s'> %s %s", vr_net_ipv4_str(ip->address, a),
                     why, net);
        free(net);
        return -1;
    }
    for (size_t i = 0; i < ip->n_ranges; i++)
        if (check_range(ip, &ip->ranges[i], st->err) < 0)
            return -1;
    for (size_t i = 0; i < ip->n_hosts; i++)
        if (vr_net_check_dhcp_host(st->def, &ip->hosts[i], ip->hosts, i, false, st->err) < 0)
            return -1;
    return 0;
}

/* Duplicate message: where the other one is, in a document or in the
 * stored network. */
static int dup_host(const vr_network_def *def, const vr_net_dhcp_host *h,
                    const vr_net_dhcp_host *other, bool update, const char *attr,
                    const char *value, char **err)
{
    if (update)
        return vr_net_error(h->line, err, "<host %s='%s'> is already in the DHCP hosts of "
                            "network '%s'", attr, value, def->name);
    return vr_net_error(h->line, err, "<host %s='%s'> is given twice (see line %ld)", attr, value,
                        other->line);
}

int vr_net_check_dhcp_host(const vr_network_def *def, const vr_net_dhcp_host *h,
                           const vr_net_dhcp_host *others, size_t n_others, bool update,
                           char **err)
{
    const vr_net_ip *ip = &def->ip;
    char a[INET_ADDRSTRLEN];
    vr_net_ipv4_str(h->ip, a);
    const char *why = not_a_guest(ip, h->ip);
    if (why) {
        char *net = subnet_str(ip);
        vr_net_error(h->line, err, "<host ip='%s'> %s %s", a, why, net);
        free(net);
        return -1;
    }
    if (h->ip.s_addr == ip->address.s_addr)
        return vr_net_error(h->line, err, "<host ip='%s'> is the host's own address (<ip "
                            "address>)", a);
    for (size_t k = 0; k < n_others; k++) {
        const vr_net_dhcp_host *o = &others[k];
        if (h->mac[0] && strcmp(h->mac, o->mac) == 0)
            return dup_host(def, h, o, update, "mac", h->mac, err);
        /* DNS names ignore case. */
        if (h->name && o->name && strcasecmp(h->name, o->name) == 0)
            return dup_host(def, h, o, update, "name", h->name, err);
        if (h->ip.s_addr == o->ip.s_addr)
            return dup_host(def, h, o, update, "ip", a, err);
    }
    return 0;
}

/* ---- <dns> --------------------------------------------------------------------- */

static bool same_dns_ip(const vr_net_dns_host *a, const vr_net_dns_host *b)
{
    if (a->v6 != b->v6)
        return false;
    return a->v6 ? memcmp(&a->ip6, &b->ip6, sizeof(a->ip6)) == 0 : a->ip.s_addr == b->ip.s_addr;
}

static int check_dns(const vr_net_parse_state *st)
{
    const vr_network_def *def = st->def;
    for (size_t i = 0; i < def->n_dns_hosts; i++)
        for (size_t k = 0; k < i; k++)
            if (same_dns_ip(&def->dns_hosts[i], &def->dns_hosts[k])) {
                char a[INET6_ADDRSTRLEN];
                const vr_net_dns_host *h = &def->dns_hosts[i];
                return vr_net_error(h->line, st->err, "<host ip='%s'> is given twice in <dns> "
                                    "(see line %ld): give all its names in one <host>",
                                    h->v6 ? vr_net_ipv6_str(&h->ip6, a) : vr_net_ipv4_str(h->ip, a),
                                    def->dns_hosts[k].line);
            }
    return vr_net_validate_dns(st);
}

int vr_network_validate(const vr_net_parse_state *st)
{
    if (check_mode(st) < 0)
        return -1;
    if (st->def->ip.present && check_ip(st) < 0)
        return -1;
    if (vr_net_validate_ip6(st) < 0)
        return -1;
    return check_dns(st);
}
