/* A vr_network_def as libvirt writes it (virsh net-dumpxml --inactive):
 * libvirt's element order, the bridge's stp and delay always written,
 * the netmask rather than the prefix, every generated value included,
 * so that parsing the result gives the same definition back. Built with
 * libxml2's tree API, which does all the escaping. */
#include "conf/network_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>

static xmlNode *child(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

static void prop(xmlNode *n, const char *name, const char *value)
{
    xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

static void prop_ip(xmlNode *n, const char *name, struct in_addr a)
{
    char buf[INET_ADDRSTRLEN];
    prop(n, name, vr_net_ipv4_str(a, buf));
}

static void prop_uint(xmlNode *n, const char *name, unsigned v)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "%u", v);
    prop(n, name, buf);
}

/* libvirt writes the device both as dev= and as <interface dev=>. */
static void format_forward(xmlNode *root, const vr_network_def *def)
{
    if (def->forward == VR_NET_FWD_NONE)
        return;
    xmlNode *n = child(root, "forward");
    if (def->forward_dev)
        prop(n, "dev", def->forward_dev);
    prop(n, "mode", vr_net_forward_name(def->forward));
    for (size_t i = 0; i < def->n_forward_ifs; i++)
        prop(child(n, "interface"), "dev", def->forward_ifs[i]);
    if (def->nat_ipv6)
        prop(child(n, "nat"), "ipv6", "yes");
}

static void format_bridge(xmlNode *root, const vr_network_def *def)
{
    if (!def->bridge && !vr_net_owns_bridge(def))
        return; /* macvtap; or refused at parse, only a caller's hand-made def */
    xmlNode *n = child(root, "bridge");
    if (def->bridge)
        prop(n, "name", def->bridge);
    if (def->forward != VR_NET_FWD_BRIDGE) {
        prop(n, "stp", def->stp ? "on" : "off");
        prop_uint(n, "delay", def->delay);
    }
}

static void format_dns(xmlNode *root, const vr_network_def *def)
{
    if (!vr_net_dns_has_content(def))
        return;
    xmlNode *dns = child(root, "dns");
    vr_net_format_dns(dns, def);
    for (size_t i = 0; i < def->n_dns_hosts; i++) {
        const vr_net_dns_host *h = &def->dns_hosts[i];
        xmlNode *n = child(dns, "host");
        char buf[INET6_ADDRSTRLEN];
        if (h->v6)
            prop(n, "ip", vr_net_ipv6_str(&h->ip6, buf));
        else
            prop_ip(n, "ip", h->ip);
        for (size_t k = 0; k < h->n_hostnames; k++)
            xmlNewTextChild(n, NULL, BAD_CAST "hostname", BAD_CAST h->hostnames[k]);
    }
}

static void format_ip(xmlNode *root, const vr_net_ip *ip)
{
    if (!ip->present)
        return;
    xmlNode *n = child(root, "ip");
    prop_ip(n, "address", ip->address);
    prop_ip(n, "netmask", vr_net_prefix_mask(ip->prefix));
    if (!ip->n_ranges && !ip->n_hosts)
        return;
    xmlNode *dhcp = child(n, "dhcp");
    for (size_t i = 0; i < ip->n_ranges; i++) {
        xmlNode *r = child(dhcp, "range");
        prop_ip(r, "start", ip->ranges[i].start);
        prop_ip(r, "end", ip->ranges[i].end);
    }
    for (size_t i = 0; i < ip->n_hosts; i++) {
        const vr_net_dhcp_host *h = &ip->hosts[i];
        xmlNode *host = child(dhcp, "host");
        if (h->mac[0])
            prop(host, "mac", h->mac);
        if (h->name)
            prop(host, "name", h->name);
        prop_ip(host, "ip", h->ip);
    }
}

char *vr_network_def_format(const vr_network_def *def)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "network", NULL);
    xmlDocSetRootElement(doc, root);
    xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST def->name);
    xmlNewTextChild(root, NULL, BAD_CAST "uuid", BAD_CAST def->uuid);
    format_forward(root, def);
    format_bridge(root, def);
    if (def->mtu)
        prop_uint(child(root, "mtu"), "size", def->mtu);
    if (def->mac[0])
        prop(child(root, "mac"), "address", def->mac);
    if (def->domain) {
        xmlNode *d = child(root, "domain");
        prop(d, "name", def->domain);
        if (def->domain_local)
            prop(d, "localOnly", "yes");
    }
    format_dns(root, def);
    format_ip(root, &def->ip);
    vr_net_format_ip6(root, &def->ip6);

    return vr_xml_save_doc(doc, root);
}
