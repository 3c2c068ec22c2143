/* IPv6 in a virtual network: <ip family='ipv6' address= prefix=> with
 * its <dhcp> (DHCPv6 <range start end/>, <host id|name ip/>), checked
 * against itself and the rest of the network, written back as libvirt
 * writes it. The driver turns it into the bridge's second address,
 * router advertisements and DHCPv6 by dnsmasq, and a route (NAT66 only
 * with <forward><nat ipv6='yes'/>). */
#include "conf/network_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- addresses --------------------------------------------------------------- */

const char *vr_net_ipv6_str(const struct in6_addr *a, char buf[])
{
    return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static struct in6_addr masked(const struct in6_addr *a, unsigned prefix)
{
    struct in6_addr m = *a;
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
        if (bits < 8)
            m.s6_addr[i] &= (unsigned char)(0xff00u >> bits);
    }
    return m;
}

bool vr_net_in_subnet6(const struct in6_addr *addr, const struct in6_addr *net, unsigned prefix)
{
    struct in6_addr a = masked(addr, prefix), b = masked(net, prefix);
    return memcmp(&a, &b, sizeof(a)) == 0;
}

bool vr_net_subnets_overlap6(const struct in6_addr *a, unsigned pa, const struct in6_addr *b,
                             unsigned pb)
{
    return vr_net_in_subnet6(a, b, pa < pb ? pa : pb);
}

char *vr_net_ip6_subnet_str(const vr_net_ip6 *ip6)
{
    char buf[INET6_ADDRSTRLEN];
    struct in6_addr net = masked(&ip6->address, ip6->prefix);
    return vr_asprintf("%s/%u", vr_net_ipv6_str(&net, buf), ip6->prefix);
}

static int cmp6(const struct in6_addr *a, const struct in6_addr *b)
{
    return memcmp(a, b, sizeof(*a));
}

/* ---- parse -------------------------------------------------------------------- */

static int required_ipv6(const xmlNode *n, const char *attr, struct in6_addr *out, char **err)
{
    int rc = vr_net_attr_ipv6(n, attr, out, err);
    if (rc == 0)
        return vr_net_missing(n, attr, err);
    return rc < 0 ? -1 : 0;
}

/* A DUID as dnsmasq takes it: hex bytes separated by ':', from 2 to
 * 130 bytes (RFC 8415's longest DUID plus its type). */
static bool valid_duid(const char *s)
{
    size_t bytes = 0;
    while (*s) {
        if (!isxdigit((unsigned char)s[0]))
            return false;
        size_t len = isxdigit((unsigned char)s[1]) ? 2 : 1;
        s += len;
        bytes++;
        if (*s == ':' && s[1])
            s++;
        else if (*s)
            return false;
    }
    return bytes >= 2 && bytes <= 130;
}

static int parse_host6(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_ip6 *ip6 = &st->def->ip6;
    if (xmlHasProp(n, BAD_CAST "mac"))
        return vr_xml_error(n, st->err, "<host mac=...> is for IPv4: an IPv6 <host> is matched "
                            "by id='DUID' or name=");
    if (vr_net_check_leaf(n, NET_ATTRS("id", "name", "ip"), st->err) < 0)
        return -1;
    vr_net_dhcp6_host *h = VR_NET_PUSH(ip6->hosts, ip6->n_hosts);
    h->line = vr_xml_line(n);
    h->id = vr_xml_attr(n, "id");
    if (h->id && !valid_duid(h->id))
        return vr_xml_error(n, st->err, "<host id='%s'> is not a DUID (hex bytes separated by "
                            "':', e.g. 0:1:0:1:2c:aa:bb:cc:52:54:0:12:34:56)", h->id);
    if (vr_net_attr_dns_name(n, "name", &h->name, st->err) < 0)
        return -1;
    if (!h->id && !h->name)
        return vr_xml_error(n, st->err, "an IPv6 <host> needs id='DUID' or name=");
    return required_ipv6(n, "ip", &h->ip, st->err);
}

static int parse_range6(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_ip6 *ip6 = &st->def->ip6;
    if (vr_net_check_leaf(n, NET_ATTRS("start", "end"), st->err) < 0)
        return -1;
    vr_net_dhcp6_range r = {.line = vr_xml_line(n)};
    if (required_ipv6(n, "start", &r.start, st->err) < 0 ||
        required_ipv6(n, "end", &r.end, st->err) < 0)
        return -1;
    *VR_NET_PUSH(ip6->ranges, ip6->n_ranges) = r;
    return 0;
}

static int parse_dhcp6(vr_net_parse_state *st, const xmlNode *n)
{
    if (vr_net_check_parent(n, NET_NO_ATTRS, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "range"))
            rc = parse_range6(st, c);
        else if (vr_xml_is(c, "host"))
            rc = parse_host6(st, c);
        else
            rc = vr_net_unsupported(c, st->err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int vr_net_parse_ip6(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_ip6 *ip6 = &st->def->ip6;
    if (st->ip6)
        return vr_xml_error(n, st->err, "a second IPv6 <ip> is not supported by Vireo (one "
                            "IPv6 subnet per network; the first is on line %ld)",
                            vr_xml_line(st->ip6));
    st->ip6 = n;
    ip6->present = true;
    ip6->line = vr_xml_line(n);
    if (xmlHasProp(n, BAD_CAST "netmask"))
        return vr_xml_error(n, st->err, "<ip family='ipv6'> takes prefix=, not netmask=");
    if (vr_net_check_parent(n, NET_ATTRS("family", "address", "prefix"), st->err) < 0 ||
        required_ipv6(n, "address", &ip6->address, st->err) < 0)
        return -1;
    unsigned long long p;
    int rc = vr_xml_attr_uint(n, "prefix", 8, 126, &p, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<ip family='ipv6'> needs prefix='...' (64 for "
                            "router advertisements and DHCPv6)");
    ip6->prefix = (unsigned)p;
    bool seen_dhcp = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "dhcp"))
            return vr_net_unsupported(c, st->err);
        if (seen_dhcp)
            return vr_xml_error(c, st->err, "duplicate <dhcp>");
        seen_dhcp = true;
        if (parse_dhcp6(st, c) < 0)
            return -1;
    }
    return 0;
}

/* ---- validate ------------------------------------------------------------------ */

/* Why `a` cannot be a guest's address, or NULL: inside the subnet, not
 * the subnet-router anycast address (all host bits zero). */
static const char *not_a_guest6(const vr_net_ip6 *ip6, const struct in6_addr *a)
{
    if (!vr_net_in_subnet6(a, &ip6->address, ip6->prefix))
        return "is outside the subnet";
    struct in6_addr net = masked(a, ip6->prefix);
    if (cmp6(&net, a) == 0)
        return "is the subnet-router anycast address of the subnet";
    return NULL;
}

static int check_range6(const vr_net_ip6 *ip6, const vr_net_dhcp6_range *r, char **err)
{
    char s[INET6_ADDRSTRLEN], e[INET6_ADDRSTRLEN], h[INET6_ADDRSTRLEN];
    vr_net_ipv6_str(&r->start, s);
    vr_net_ipv6_str(&r->end, e);
    const char *why = not_a_guest6(ip6, &r->start), *bad = s;
    if (!why) {
        why = not_a_guest6(ip6, &r->end);
        bad = e;
    }
    if (why) {
        char *net = vr_net_ip6_subnet_str(ip6);
        vr_net_error(r->line, err, "<range start='%s' end='%s'>: %s %s %s", s, e, bad, why, net);
        free(net);
        return -1;
    }
    if (cmp6(&r->start, &r->end) > 0)
        return vr_net_error(r->line, err, "<range start='%s' end='%s'>: start is after end", s, e);
    if (cmp6(&r->start, &ip6->address) <= 0 && cmp6(&ip6->address, &r->end) <= 0)
        return vr_net_error(r->line, err, "<range start='%s' end='%s'> contains the host's own "
                            "address %s (<ip address>)", s, e,
                            vr_net_ipv6_str(&ip6->address, h));
    return 0;
}

static int check_host6(const vr_net_ip6 *ip6, size_t i, char **err)
{
    const vr_net_dhcp6_host *h = &ip6->hosts[i];
    char a[INET6_ADDRSTRLEN];
    vr_net_ipv6_str(&h->ip, a);
    const char *why = not_a_guest6(ip6, &h->ip);
    if (why) {
        char *net = vr_net_ip6_subnet_str(ip6);
        vr_net_error(h->line, err, "<host ip='%s'> %s %s", a, why, net);
        free(net);
        return -1;
    }
    if (cmp6(&h->ip, &ip6->address) == 0)
        return vr_net_error(h->line, err, "<host ip='%s'> is the host's own address (<ip "
                            "address>)", a);
    for (size_t k = 0; k < i; k++) {
        const vr_net_dhcp6_host *o = &ip6->hosts[k];
        const char *attr = NULL, *value = NULL;
        if (h->id && o->id && strcasecmp(h->id, o->id) == 0)
            attr = "id", value = h->id;
        else if (h->name && o->name && strcasecmp(h->name, o->name) == 0)
            attr = "name", value = h->name;
        else if (cmp6(&h->ip, &o->ip) == 0)
            attr = "ip", value = a;
        if (attr)
            return vr_net_error(h->line, err, "<host %s='%s'> is given twice (see line %ld)",
                                attr, value, o->line);
    }
    return 0;
}

int vr_net_validate_ip6(const vr_net_parse_state *st)
{
    const vr_network_def *def = st->def;
    const vr_net_ip6 *ip6 = &def->ip6;
    if (st->nat && def->forward != VR_NET_FWD_NAT)
        return vr_xml_error(st->nat, st->err, "<nat ipv6='yes'> goes with <forward mode='nat'>");
    if (def->nat_ipv6 && !ip6->present)
        return vr_xml_error(st->nat, st->err, "<nat ipv6='yes'> needs an <ip family='ipv6'> to "
                            "translate");
    if (!ip6->present)
        return 0;
    char a[INET6_ADDRSTRLEN];
    const char *why = not_a_guest6(ip6, &ip6->address);
    if (why) {
        char *net = vr_net_ip6_subnet_str(ip6);
        vr_xml_error(st->ip6, st->err, "<ip address='%s'> %s %s",
                     vr_net_ipv6_str(&ip6->address, a), why, net);
        free(net);
        return -1;
    }
    if (IN6_IS_ADDR_LINKLOCAL(&ip6->address) || IN6_IS_ADDR_MULTICAST(&ip6->address) ||
        IN6_IS_ADDR_LOOPBACK(&ip6->address))
        return vr_xml_error(st->ip6, st->err, "<ip address='%s'> is not a unicast global or "
                            "unique-local address", vr_net_ipv6_str(&ip6->address, a));
    if ((ip6->n_ranges || ip6->n_hosts) && ip6->prefix != 64)
        return vr_xml_error(st->ip6, st->err, "<ip family='ipv6' prefix='%u'>: DHCPv6 needs "
                            "prefix='64' (router advertisements announce a /64)", ip6->prefix);
    for (size_t i = 0; i < ip6->n_ranges; i++)
        if (check_range6(ip6, &ip6->ranges[i], st->err) < 0)
            return -1;
    for (size_t i = 0; i < ip6->n_hosts; i++)
        if (check_host6(ip6, i, st->err) < 0)
            return -1;
    return 0;
}

/* ---- format, free ----------------------------------------------------------------- */

static void prop6(xmlNode *n, const char *name, const struct in6_addr *a)
{
    char buf[INET6_ADDRSTRLEN];
    xmlNewProp(n, BAD_CAST name, BAD_CAST vr_net_ipv6_str(a, buf));
}

void vr_net_format_ip6(xmlNode *root, const vr_net_ip6 *ip6)
{
    if (!ip6->present)
        return;
    xmlNode *n = xmlNewChild(root, NULL, BAD_CAST "ip", NULL);
    xmlNewProp(n, BAD_CAST "family", BAD_CAST "ipv6");
    prop6(n, "address", &ip6->address);
    char p[8];
    snprintf(p, sizeof(p), "%u", ip6->prefix);
    xmlNewProp(n, BAD_CAST "prefix", BAD_CAST p);
    if (!ip6->n_ranges && !ip6->n_hosts)
        return;
    xmlNode *dhcp = xmlNewChild(n, NULL, BAD_CAST "dhcp", NULL);
    for (size_t i = 0; i < ip6->n_ranges; i++) {
        xmlNode *r = xmlNewChild(dhcp, NULL, BAD_CAST "range", NULL);
        prop6(r, "start", &ip6->ranges[i].start);
        prop6(r, "end", &ip6->ranges[i].end);
    }
    for (size_t i = 0; i < ip6->n_hosts; i++) {
        const vr_net_dhcp6_host *h = &ip6->hosts[i];
        xmlNode *host = xmlNewChild(dhcp, NULL, BAD_CAST "host", NULL);
        if (h->id)
            xmlNewProp(host, BAD_CAST "id", BAD_CAST h->id);
        if (h->name)
            xmlNewProp(host, BAD_CAST "name", BAD_CAST h->name);
        prop6(host, "ip", &h->ip);
    }
}

void vr_net_ip6_clear(vr_net_ip6 *ip6)
{
    free(ip6->ranges);
    for (size_t i = 0; i < ip6->n_hosts; i++) {
        free(ip6->hosts[i].id);
        free(ip6->hosts[i].name);
    }
    free(ip6->hosts);
    memset(ip6, 0, sizeof(*ip6));
}
