/* Step 1 of parsing a network: the XML tree into a vr_network_def.
 *
 * Each element is read by one function that knows its attributes and
 * children; anything else is refused on the spot with its line and a
 * pointer to docs/xml-network.md. Checks that need two elements (the
 * forward mode against <ip>, ranges against the subnet) are step 2,
 * network_validate.c. */
#include "conf/network_priv.h"
#include "conf/names.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------- */

static int unsupported(const xmlNode *n, char **err)
{
    return vr_xml_unsupported_doc(n, VR_NET_DOC, err);
}

static int check_attrs(const xmlNode *n, const char *const *allowed, char **err)
{
    return vr_xml_check_attrs_doc(n, allowed, VR_NET_DOC, err);
}

/* Attributes, no children, no text: most network elements. */
static int check_leaf(const xmlNode *n, const char *const *allowed, char **err)
{
    if (check_attrs(n, allowed, err) < 0)
        return -1;
    return vr_xml_check_empty_doc(n, VR_NET_DOC, err);
}

/* Attributes and child elements, no text. */
static int check_parent(const xmlNode *n, const char *const *allowed, char **err)
{
    if (check_attrs(n, allowed, err) < 0)
        return -1;
    return vr_xml_check_no_text(n, err);
}

static int duplicate(const xmlNode *n, char **err)
{
    return vr_xml_error(n, err, "duplicate <%s>", (const char *)n->name);
}

static int missing(const xmlNode *n, const char *attr, char **err)
{
    return vr_xml_error(n, err, "<%s> needs %s='...'", (const char *)n->name, attr);
}

static bool is_ipv6(const char *s)
{
    struct in6_addr a;
    return inet_pton(AF_INET6, s, &a) == 1;
}

/* An IPv4 address attribute. Returns 1 / 0 (absent) / -1. IPv6 gets
 * its own message: it is planned, not unknown. */
static int attr_ipv4(const xmlNode *n, const char *attr, struct in_addr *out, char **err)
{
    char *v = vr_xml_attr(n, attr);
    if (!v)
        return 0;
    int rc = 1;
    if (is_ipv6(v))
        rc = vr_xml_error(n, err, "<%s %s='%s'> is an IPv6 address in the IPv4 <ip>: IPv6 "
                          "addresses go in <ip family='ipv6'> (see " VR_NET_DOC ")",
                          (const char *)n->name, attr, v);
    else if (!vr_net_parse_ipv4(v, out))
        rc = vr_xml_error(n, err, "<%s %s='%s'> is not an IPv4 address", (const char *)n->name,
                          attr, v);
    free(v);
    return rc;
}

static int required_ipv4(const xmlNode *n, const char *attr, struct in_addr *out, char **err)
{
    int rc = attr_ipv4(n, attr, out, err);
    if (rc == 0)
        return missing(n, attr, err);
    return rc < 0 ? -1 : 0;
}

/* A unicast MAC address attribute, written back lowercase. */
static int attr_mac(const xmlNode *n, const char *attr, char out[VR_MAC_STRLEN], char **err)
{
    char *v = vr_xml_attr(n, attr);
    if (!v)
        return 0;
    unsigned char raw[VR_MAC_LEN];
    int rc = 1;
    if (!vr_mac_parse(v, raw))
        rc = vr_xml_error(n, err, "<%s %s='%s'> is not a MAC address", (const char *)n->name,
                          attr, v);
    else if (vr_mac_is_multicast(raw))
        rc = vr_xml_error(n, err, "<%s %s='%s'> is a multicast address", (const char *)n->name,
                          attr, v);
    else
        vr_mac_format(raw, out);
    free(v);
    return rc;
}

/* A DNS name attribute (host and domain names). Returns 1 / 0 / -1. */
static int attr_dns_name(const xmlNode *n, const char *attr, char **out, char **err)
{
    char *v = vr_xml_attr(n, attr);
    if (!v)
        return 0;
    if (!vr_net_valid_dns_name(v)) {
        vr_xml_error(n, err, "<%s %s='%s'> is not a valid DNS name (labels of A-Z a-z 0-9 - _, "
                     "separated by dots)", (const char *)n->name, attr, v);
        free(v);
        return -1;
    }
    *out = v;
    return 1;
}

/* An interface name attribute (bridge, forward device). */
static int attr_ifname(const xmlNode *n, const char *attr, char **out, char **err)
{
    char *v = vr_xml_attr(n, attr);
    if (!v)
        return 0;
    if (!vr_net_valid_ifname(v)) {
        vr_xml_error(n, err, "<%s %s='%s'> is not a valid interface name (1 to 15 characters of "
                     "A-Z a-z 0-9 _ . -)", (const char *)n->name, attr, v);
        free(v);
        return -1;
    }
    *out = v;
    return 1;
}

/* ---- <name>, <uuid> ------------------------------------------------------- */

static int parse_name(vr_net_parse_state *st, const xmlNode *n)
{
    char *s;
    if (check_attrs(n, NET_NO_ATTRS, st->err) < 0 || vr_xml_text(n, false, &s, st->err) < 0)
        return -1;
    st->def->name = s;
    return vr_xml_name_check(n, VR_NAME_NETWORK, s, st->err);
}

static int parse_uuid(vr_net_parse_state *st, const xmlNode *n)
{
    char *s;
    if (check_attrs(n, NET_NO_ATTRS, st->err) < 0 || vr_xml_text(n, true, &s, st->err) < 0)
        return -1;
    return vr_xml_uuid_take(n, s, st->def->uuid, st->err);
}

/* ---- <forward> -------------------------------------------------------------- */

/* libvirt writes the device twice, <forward dev='eth0'><interface
 * dev='eth0'/></forward>. Every <interface> joins the device pool
 * (macvtap networks take several; validation keeps NAT and routing to
 * one); the first must agree with dev=. */
static int parse_forward_interface(vr_net_parse_state *st, const xmlNode *n)
{
    vr_network_def *def = st->def;
    if (check_leaf(n, NET_ATTRS("dev"), st->err) < 0)
        return -1;
    char *dev = NULL;
    int rc = attr_ifname(n, "dev", &dev, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return missing(n, "dev", st->err);
    for (size_t i = 0; i < def->n_forward_ifs; i++)
        if (strcmp(def->forward_ifs[i], dev) == 0) {
            vr_xml_error(n, st->err, "<interface dev='%s'> is given twice in <forward>", dev);
            free(dev);
            return -1;
        }
    if (def->n_forward_ifs == 0 && def->forward_dev && strcmp(def->forward_dev, dev) != 0) {
        vr_xml_error(n, st->err, "<interface dev='%s'> differs from <forward dev='%s'>", dev,
                     def->forward_dev);
        free(dev);
        return -1;
    }
    if (!def->forward_dev)
        def->forward_dev = vr_strdup(dev);
    def->forward_ifs = vr_realloc(def->forward_ifs, (def->n_forward_ifs + 1) * sizeof(char *));
    def->forward_ifs[def->n_forward_ifs++] = dev;
    return 0;
}

/* <nat ipv6='yes'/> (NAT66) is all of <nat> Vireo takes: source
 * addresses and port ranges would change what the NAT rules do, so
 * they are refused rather than half-applied. */
static int parse_nat_ipv6(vr_net_parse_state *st, const xmlNode *n)
{
    if (st->nat)
        return duplicate(n, st->err);
    st->nat = n;
    if (vr_xml_first(n) || !xmlHasProp(n, BAD_CAST "ipv6"))
        return vr_xml_error(n, st->err, "<nat> is not supported by Vireo except as <nat "
                            "ipv6='yes'/>: NAT masquerades with the defaults, remove <nat> (see "
                            VR_NET_DOC ")");
    if (check_leaf(n, NET_ATTRS("ipv6"), st->err) < 0)
        return -1;
    return vr_xml_attr_bool(n, "ipv6", "yes", "no", &st->def->nat_ipv6, st->err) < 0 ? -1 : 0;
}

static int parse_forward(vr_net_parse_state *st, const xmlNode *n)
{
    st->forward = n;
    vr_network_def *def = st->def;
    if (check_parent(n, NET_ATTRS("mode", "dev"), st->err) < 0)
        return -1;
    int mode;
    int rc = vr_xml_attr_enum(n, "mode", vr_net_forward_names + 1, &mode, st->err);
    if (rc < 0)
        return -1;
    /* No mode is NAT, as in libvirt. */
    def->forward = rc ? (vr_net_forward)(mode + 1) : VR_NET_FWD_NAT;
    if (attr_ifname(n, "dev", &def->forward_dev, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "interface")) {
            if (parse_forward_interface(st, c) < 0)
                return -1;
        } else if (vr_xml_is(c, "nat")) {
            if (parse_nat_ipv6(st, c) < 0)
                return -1;
        } else {
            return unsupported(c, st->err);
        }
    }
    if (def->forward_dev && def->n_forward_ifs == 0) {
        def->forward_ifs = vr_calloc(1, sizeof(char *));
        def->forward_ifs[def->n_forward_ifs++] = vr_strdup(def->forward_dev);
    }
    return 0;
}

/* ---- <bridge>, <mtu>, <mac>, <domain> --------------------------------------- */

static int parse_bridge(vr_net_parse_state *st, const xmlNode *n)
{
    st->bridge = n;
    vr_network_def *def = st->def;
    if (check_leaf(n, NET_ATTRS("name", "stp", "delay"), st->err) < 0)
        return -1;
    if (attr_ifname(n, "name", &def->bridge, st->err) < 0)
        return -1;
    int rc = vr_xml_attr_bool(n, "stp", "on", "off", &def->stp, st->err);
    if (rc < 0)
        return -1;
    st->stp_given = rc == 1;
    unsigned long long delay;
    /* The kernel takes forward delays up to 30 s. */
    rc = vr_xml_attr_uint(n, "delay", 0, 30, &delay, st->err);
    if (rc < 0)
        return -1;
    st->delay_given = rc == 1;
    if (rc == 1)
        def->delay = (unsigned)delay;
    return 0;
}

static int parse_mtu(vr_net_parse_state *st, const xmlNode *n)
{
    st->mtu = n;
    if (check_leaf(n, NET_ATTRS("size"), st->err) < 0)
        return -1;
    unsigned long long v;
    /* 68 is the least IPv4 allows; 65535 the most a bridge takes. */
    int rc = vr_xml_attr_uint(n, "size", 68, 65535, &v, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return missing(n, "size", st->err);
    st->def->mtu = (unsigned)v;
    return 0;
}

static int parse_mac(vr_net_parse_state *st, const xmlNode *n)
{
    st->mac = n;
    if (check_leaf(n, NET_ATTRS("address"), st->err) < 0)
        return -1;
    int rc = attr_mac(n, "address", st->def->mac, st->err);
    if (rc == 0)
        return missing(n, "address", st->err);
    return rc < 0 ? -1 : 0;
}

static int parse_domain(vr_net_parse_state *st, const xmlNode *n)
{
    st->domain = n;
    vr_network_def *def = st->def;
    if (check_leaf(n, NET_ATTRS("name", "localOnly"), st->err) < 0)
        return -1;
    int rc = attr_dns_name(n, "name", &def->domain, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return missing(n, "name", st->err);
    return vr_xml_attr_bool(n, "localOnly", "yes", "no", &def->domain_local, st->err) < 0 ? -1
                                                                                          : 0;
}

/* ---- <dns> ------------------------------------------------------------------- */

static int parse_hostname(vr_net_parse_state *st, const xmlNode *n, vr_net_dns_host *h)
{
    char *s;
    if (check_attrs(n, NET_NO_ATTRS, st->err) < 0 || vr_xml_text(n, true, &s, st->err) < 0)
        return -1;
    if (!vr_net_valid_dns_name(s)) {
        vr_xml_error(n, st->err, "<hostname>%s</hostname> is not a valid DNS name (labels of "
                     "A-Z a-z 0-9 - _, separated by dots)", s);
        free(s);
        return -1;
    }
    h->hostnames = vr_realloc(h->hostnames, (h->n_hostnames + 1) * sizeof(*h->hostnames));
    h->hostnames[h->n_hostnames++] = s;
    return 0;
}

static int parse_dns_host(vr_net_parse_state *st, const xmlNode *n)
{
    vr_network_def *def = st->def;
    if (check_parent(n, NET_ATTRS("ip"), st->err) < 0)
        return -1;
    vr_net_dns_host *h = VR_NET_PUSH(def->dns_hosts, def->n_dns_hosts);
    h->line = vr_xml_line(n);
    char *ip = vr_xml_attr(n, "ip");
    h->v6 = ip && is_ipv6(ip);
    free(ip);
    if (h->v6 ? vr_net_attr_ipv6(n, "ip", &h->ip6, st->err) < 0
              : required_ipv4(n, "ip", &h->ip, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "hostname"))
            return unsupported(c, st->err);
        if (parse_hostname(st, c, h) < 0)
            return -1;
    }
    if (h->n_hostnames == 0)
        return vr_xml_error(n, st->err, "<host> in <dns> needs at least one <hostname>");
    return 0;
}

static int parse_dns(vr_net_parse_state *st, const xmlNode *n)
{
    st->dns = n;
    if (vr_net_parse_dns_attrs(st, n) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        bool taken = false;
        if (vr_net_parse_dns_child(st, c, &taken) < 0)
            return -1;
        if (taken)
            continue;
        if (!vr_xml_is(c, "host"))
            return unsupported(c, st->err);
        if (parse_dns_host(st, c) < 0)
            return -1;
    }
    return 0;
}

/* ---- <ip> and <dhcp> ------------------------------------------------------- */

int vr_net_parse_dhcp_host(const xmlNode *n, bool need_ip, vr_net_dhcp_host *h, bool *have_ip,
                           char **err)
{
    memset(h, 0, sizeof(*h));
    h->line = vr_xml_line(n);
    *have_ip = false;
    if (check_leaf(n, NET_ATTRS("mac", "name", "ip"), err) < 0)
        return -1;
    int has_mac = attr_mac(n, "mac", h->mac, err);
    if (has_mac < 0)
        return -1;
    int has_name = attr_dns_name(n, "name", &h->name, err);
    if (has_name < 0)
        return -1;
    int has_ip = attr_ipv4(n, "ip", &h->ip, err);
    if (has_ip < 0)
        goto fail;
    *have_ip = has_ip == 1;
    if (!has_mac && !has_name) {
        vr_xml_error(n, err, "<host> needs mac= or name=");
        goto fail;
    }
    if (need_ip && !has_ip) {
        missing(n, "ip", err);
        goto fail;
    }
    return 0;
fail:
    vr_net_dhcp_host_clear(h);
    return -1;
}

static int parse_range(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_ip *ip = &st->def->ip;
    if (check_leaf(n, NET_ATTRS("start", "end"), st->err) < 0)
        return -1;
    vr_net_dhcp_range r = {.line = vr_xml_line(n)};
    if (required_ipv4(n, "start", &r.start, st->err) < 0 ||
        required_ipv4(n, "end", &r.end, st->err) < 0)
        return -1;
    *VR_NET_PUSH(ip->ranges, ip->n_ranges) = r;
    return 0;
}

static int parse_dhcp(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_ip *ip = &st->def->ip;
    if (check_parent(n, NET_NO_ATTRS, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "range")) {
            if (parse_range(st, c) < 0)
                return -1;
        } else if (vr_xml_is(c, "host")) {
            vr_net_dhcp_host h;
            bool have_ip;
            if (vr_net_parse_dhcp_host(c, true, &h, &have_ip, st->err) < 0)
                return -1;
            *VR_NET_PUSH(ip->hosts, ip->n_hosts) = h;
        } else {
            return unsupported(c, st->err);
        }
    }
    return 0;
}

/* netmask= into a prefix length; false unless the ones are contiguous. */
static bool netmask_prefix(struct in_addr mask, unsigned *prefix)
{
    uint32_t m = ntohl(mask.s_addr);
    uint32_t host = ~m;
    if (host & (host + 1))
        return false;
    unsigned p = 0;
    for (; m & 0x80000000u; m <<= 1)
        p++;
    *prefix = p;
    return true;
}

static int parse_ip_mask(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_ip *ip = &st->def->ip;
    char *netmask = vr_xml_attr(n, "netmask");
    char *prefix = vr_xml_attr(n, "prefix");
    bool both = netmask && prefix, none = !netmask && !prefix;
    free(prefix);
    if (both || none) {
        free(netmask);
        return vr_xml_error(n, st->err, both ? "<ip> takes netmask= or prefix=, not both"
                                             : "<ip> needs netmask= or prefix=");
    }
    if (!netmask) {
        unsigned long long p;
        if (vr_xml_attr_uint(n, "prefix", 0, 32, &p, st->err) < 0)
            return -1;
        ip->prefix = (unsigned)p;
        return 0;
    }
    st->netmask_given = true;
    struct in_addr mask;
    int rc = 0;
    if (is_ipv6(netmask) || !vr_net_parse_ipv4(netmask, &mask))
        rc = vr_xml_error(n, st->err, "<ip netmask='%s'> is not an IPv4 netmask", netmask);
    else if (!netmask_prefix(mask, &ip->prefix))
        rc = vr_xml_error(n, st->err, "<ip netmask='%s'> is not a contiguous netmask", netmask);
    free(netmask);
    return rc;
}

/* Which family an <ip> is: 1 for IPv6 (family='ipv6', or an IPv6
 * address without family=), 0 for IPv4, -1 for another family. */
static int ip_family(vr_net_parse_state *st, const xmlNode *n)
{
    char *family = vr_xml_attr(n, "family");
    char *address = vr_xml_attr(n, "address");
    int rc = 0;
    if (family && strcmp(family, "ipv6") == 0)
        rc = 1;
    else if (family && strcmp(family, "ipv4") != 0)
        rc = vr_xml_error(n, st->err, "<ip family='%s'> is not supported by Vireo (supported: "
                          "ipv4, ipv6)", family);
    else if (!family && address && is_ipv6(address))
        rc = 1;
    free(family);
    free(address);
    return rc;
}

static int parse_ip(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_ip *ip = &st->def->ip;
    int family = ip_family(st, n);
    if (family != 0)
        return family < 0 ? -1 : vr_net_parse_ip6(st, n);
    if (st->ip)
        return vr_xml_error(n, st->err, "a second IPv4 <ip> is not supported by Vireo (one "
                            "subnet per network; the first is on line %ld)", vr_xml_line(st->ip));
    st->ip = n;
    ip->present = true;
    ip->line = vr_xml_line(n);
    if (check_parent(n, NET_ATTRS("address", "netmask", "prefix", "family"), st->err) < 0 ||
        required_ipv4(n, "address", &ip->address, st->err) < 0 || parse_ip_mask(st, n) < 0)
        return -1;
    bool seen_dhcp = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "dhcp"))
            return unsupported(c, st->err);
        if (seen_dhcp)
            return duplicate(c, st->err);
        seen_dhcp = true;
        if (parse_dhcp(st, c) < 0)
            return -1;
    }
    return 0;
}

/* ---- <network> --------------------------------------------------------------- */

typedef int (*net_parse_fn)(vr_net_parse_state *st, const xmlNode *n);

/* Each once, read in document order; <ip> keeps its own rule. */
static const struct {
    const char *name;
    net_parse_fn fn;
} parsers[] = {
    {"name", parse_name},     {"uuid", parse_uuid}, {"forward", parse_forward},
    {"bridge", parse_bridge}, {"mtu", parse_mtu},   {"mac", parse_mac},
    {"domain", parse_domain}, {"dns", parse_dns},
};

static int check_root(vr_net_parse_state *st)
{
    const xmlNode *root = st->root;
    /* libvirt's live XML (net-dumpxml without --inactive) counts guests
     * here; it is state, not definition. */
    if (xmlHasNsProp(root, BAD_CAST "connections", NULL))
        return vr_xml_error(root, st->err, "attribute 'connections' of <network> is live state "
                            "and is not supported by Vireo: use net-dumpxml --inactive (see "
                            VR_NET_DOC ")");
    return check_parent(root, NET_NO_ATTRS, st->err);
}

int vr_network_parse_tree(vr_net_parse_state *st)
{
    if (check_root(st) < 0)
        return -1;
    const xmlNode *seen[VR_ARRAY_LEN(parsers)] = {0};
    for (xmlNode *c = vr_xml_first(st->root); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "ip")) {
            if (parse_ip(st, c) < 0)
                return -1;
            continue;
        }
        size_t i = 0;
        while (i < VR_ARRAY_LEN(parsers) && !vr_xml_is(c, parsers[i].name))
            i++;
        if (i == VR_ARRAY_LEN(parsers))
            return unsupported(c, st->err);
        if (seen[i])
            return duplicate(c, st->err);
        seen[i] = c;
        if (parsers[i].fn(st, c) < 0)
            return -1;
    }
    if (!st->def->name)
        return vr_xml_error(st->root, st->err, "<network> needs a <name>");
    return 0;
}

/* ---- for the other parse files (network_ip6.c, network_dns.c) --------------- */

int vr_net_check_leaf(const xmlNode *n, const char *const *allowed, char **err)
{
    return check_leaf(n, allowed, err);
}

int vr_net_check_parent(const xmlNode *n, const char *const *allowed, char **err)
{
    return check_parent(n, allowed, err);
}

int vr_net_unsupported(const xmlNode *n, char **err)
{
    return unsupported(n, err);
}

int vr_net_missing(const xmlNode *n, const char *attr, char **err)
{
    return missing(n, attr, err);
}

int vr_net_attr_dns_name(const xmlNode *n, const char *attr, char **out, char **err)
{
    return attr_dns_name(n, attr, out, err);
}

int vr_net_attr_ipv6(const xmlNode *n, const char *attr, struct in6_addr *out, char **err)
{
    char *v = vr_xml_attr(n, attr);
    if (!v)
        return 0;
    int rc = 1;
    if (inet_pton(AF_INET6, v, out) != 1)
        rc = vr_xml_error(n, err, "<%s %s='%s'> is not an IPv6 address", (const char *)n->name,
                          attr, v);
    free(v);
    return rc;
}
