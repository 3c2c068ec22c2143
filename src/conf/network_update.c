/* net-update ... ip-dhcp-host: add or delete one <host> of a defined
 * network's DHCP. The element is read by the same code as in a whole
 * definition and held to the same rules, so a network changed here
 * still parses back. A refused change leaves the definition untouched. */
#include "conf/network_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A DHCPv6 host: with an IPv6 address, or matched by DUID without an
 * IPv4 address (an IPv4 host with id= is refused for its attribute). */
static bool is_ipv6_host(const xmlNode *n)
{
    char *ip = vr_xml_attr(n, "ip");
    struct in6_addr a;
    bool v6 = ip ? inet_pton(AF_INET6, ip, &a) == 1 : xmlHasProp(n, BAD_CAST "id") != NULL;
    free(ip);
    return v6;
}

/* Parse `xml`, a lone <host> element. */
static int read_host(const vr_network_def *def, const char *xml, bool need_ip,
                     vr_net_dhcp_host *h, bool *have_ip, char **err)
{
    if (!def->ip.present)
        return vr_net_error(0, err, "network '%s' has no <ip>, so no DHCP hosts", def->name);
    if (!xml)
        return vr_net_error(0, err, "empty XML document");
    xmlDoc *doc = vr_xml_read(xml, strlen(xml), "host", err);
    if (!doc)
        return -1;
    const xmlNode *n = xmlDocGetRootElement(doc);
    int rc;
    if (is_ipv6_host(n))
        rc = vr_net_error(0, err, "net-update of IPv6 DHCP hosts (id= or an IPv6 ip=) is not "
                          "supported yet: change them with 'vireo net-edit %s'", def->name);
    else
        rc = vr_net_parse_dhcp_host(n, need_ip, h, have_ip, err);
    xmlFreeDoc(doc);
    /* Its line is in the snippet, not in the network's document. */
    h->line = 0;
    return rc;
}

int vr_network_def_dhcp_host_add(vr_network_def *def, const char *xml, char **err)
{
    vr_net_dhcp_host h;
    bool have_ip;
    if (read_host(def, xml, true, &h, &have_ip, err) < 0)
        return -1;
    vr_net_ip *ip = &def->ip;
    if (ip->prefix < 8) {
        vr_net_dhcp_host_clear(&h);
        return vr_net_error(0, err, "network '%s': a subnet served by DHCP needs a prefix from 8 "
                            "to 30 (/%u)", def->name, ip->prefix);
    }
    if (vr_net_check_dhcp_host(def, &h, ip->hosts, ip->n_hosts, true, err) < 0) {
        vr_net_dhcp_host_clear(&h);
        return -1;
    }
    *VR_NET_PUSH(ip->hosts, ip->n_hosts) = h;
    return 0;
}

/* The found host must agree with every attribute the request gives, so
 * that a stale or mistyped request deletes nothing. */
static int mismatch(const vr_network_def *def, const vr_net_dhcp_host *found,
                    const vr_net_dhcp_host *req, bool have_ip, char **err)
{
    const char *key = found->mac[0] && req->mac[0] ? "mac" : "name";
    const char *val = found->mac[0] && req->mac[0] ? found->mac : found->name;
    if (req->name && (!found->name || strcasecmp(req->name, found->name) != 0))
        return vr_net_error(0, err, "the DHCP host %s='%s' of network '%s' has %s%s%s, not "
                            "name='%s'", key, val, def->name, found->name ? "name='" : "no name",
                            found->name ? found->name : "", found->name ? "'" : "", req->name);
    if (have_ip && req->ip.s_addr != found->ip.s_addr) {
        char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
        return vr_net_error(0, err, "the DHCP host %s='%s' of network '%s' has ip='%s', not "
                            "ip='%s'", key, val, def->name, vr_net_ipv4_str(found->ip, a),
                            vr_net_ipv4_str(req->ip, b));
    }
    return 0;
}

int vr_network_def_dhcp_host_delete(vr_network_def *def, const char *xml, char **err)
{
    vr_net_dhcp_host h;
    bool have_ip;
    if (read_host(def, xml, false, &h, &have_ip, err) < 0)
        return -1;
    vr_net_ip *ip = &def->ip;
    size_t i = 0;
    for (; i < ip->n_hosts; i++) {
        const vr_net_dhcp_host *o = &ip->hosts[i];
        if (h.mac[0] ? strcmp(h.mac, o->mac) == 0
                     : (o->name && strcasecmp(h.name, o->name) == 0))
            break;
    }
    int rc = 0;
    if (i == ip->n_hosts)
        rc = vr_net_error(0, err, "network '%s' has no DHCP host with %s='%s'", def->name,
                          h.mac[0] ? "mac" : "name", h.mac[0] ? h.mac : h.name);
    else
        rc = mismatch(def, &ip->hosts[i], &h, have_ip, err);
    vr_net_dhcp_host_clear(&h);
    if (rc < 0)
        return -1;
    vr_net_dhcp_host_clear(&ip->hosts[i]);
    memmove(&ip->hosts[i], &ip->hosts[i + 1], (ip->n_hosts - i - 1) * sizeof(*ip->hosts));
    ip->n_hosts--;
    return 0;
}
