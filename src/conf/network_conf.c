/* The network definition's life cycle: parse (read, validate, complete),
 * free, the small value checks the steps share, and the subnet helpers
 * drivers use too. */
#include "conf/network_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const vr_net_forward_names[] = {"none", "nat", "route", "open", "bridge",
                                              "vepa", "private", "passthrough", NULL};

const char *vr_net_forward_name(vr_net_forward f)
{
    return vr_net_forward_names[f];
}

/* ---- value checks ------------------------------------------------------- */

bool vr_net_valid_ifname(const char *s)
{
    size_t n = strlen(s);
    /* The kernel refuses "." and ".." (they would be /sys paths). */
    if (n < 1 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
            return false;
    return true;
}

/* Labels of letters, digits, '-' and '_' (dnsmasq takes '_' in host
 * names), each starting with a letter or digit, 1-63 long, 253 in all.
 * Commas, spaces and newlines never reach dnsmasq's files this way. */
bool vr_net_valid_dns_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 253)
        return false;
    size_t label = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (label == 0 || p[-1] == '-')
                return false;
            label = 0;
        } else if (isalnum(c) || ((c == '-' || c == '_') && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && s[n - 1] != '-';
}

bool vr_net_parse_ipv4(const char *s, struct in_addr *out)
{
    return inet_pton(AF_INET, s, out) == 1;
}

const char *vr_net_ipv4_str(struct in_addr a, char buf[])
{
    return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- subnets -------------------------------------------------------------- */

struct in_addr vr_net_prefix_mask(unsigned prefix)
{
    /* A shift by 32 is undefined; /0 is the empty mask. */
    uint32_t m = prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~0u << (32 - prefix);
    return (struct in_addr){.s_addr = htonl(m)};
}

bool vr_net_in_subnet(struct in_addr addr, struct in_addr net, unsigned prefix)
{
    uint32_t m = vr_net_prefix_mask(prefix).s_addr;
    return (addr.s_addr & m) == (net.s_addr & m);
}

/* Two subnets overlap exactly when one contains the other, which the
 * shorter prefix decides. */
bool vr_net_subnets_overlap(struct in_addr a, unsigned pa, struct in_addr b, unsigned pb)
{
    return vr_net_in_subnet(a, b, pa < pb ? pa : pb);
}

/* ---- life cycle ------------------------------------------------------------- */

/* Step 3: what libvirt fills in at define time, so the stored and shown
 * definition is the one that runs. After validation, so a refused
 * definition never takes a bridge name from the caller. */
static int complete(vr_network_def *def, vr_net_bridge_namer namer, void *opaque, char **err)
{
    if (!def->uuid[0])
        vr_uuid_generate(def->uuid);
    if (!vr_net_owns_bridge(def))
        return 0;
    if (!def->mac[0])
        vr_mac_generate(def->mac);
    if (!def->bridge && namer) {
        def->bridge = namer(opaque);
        if (def->bridge && !vr_net_valid_ifname(def->bridge))
            return vr_net_error(0, err, "the generated bridge name '%s' is not a valid "
                                "interface name", def->bridge);
    }
    return 0;
}

vr_network_def *vr_network_def_parse(const char *xml, size_t len, vr_net_bridge_namer namer,
                                     void *opaque, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "network", err);
    if (!doc)
        return NULL;
    vr_network_def *def = vr_calloc(1, sizeof(*def));
    /* STP off unless asked: Vireo's bridges hold only guests' taps, so no
     * loop can form, and with STP off a new guest's port forwards at
     * once instead of after 2 x the forward delay (libvirt: stp='on'). */
    def->stp = false;
    vr_net_parse_state st = {.def = def, .err = err, .root = xmlDocGetRootElement(doc)};
    int rc = vr_network_parse_tree(&st);
    if (rc == 0)
        rc = vr_network_validate(&st);
    xmlFreeDoc(doc);
    if (rc == 0)
        rc = complete(def, namer, opaque, err);
    if (rc < 0) {
        vr_network_def_free(def);
        return NULL;
    }
    return def;
}

void vr_net_dhcp_host_clear(vr_net_dhcp_host *h)
{
    free(h->name);
    h->name = NULL;
}

void vr_network_def_free(vr_network_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->forward_dev);
    for (size_t i = 0; i < def->n_forward_ifs; i++)
        free(def->forward_ifs[i]);
    free(def->forward_ifs);
    free(def->bridge);
    free(def->domain);
    free(def->ip.ranges);
    for (size_t i = 0; i < def->ip.n_hosts; i++)
        vr_net_dhcp_host_clear(&def->ip.hosts[i]);
    free(def->ip.hosts);
    for (size_t i = 0; i < def->n_dns_hosts; i++) {
        for (size_t k = 0; k < def->dns_hosts[i].n_hostnames; k++)
            free(def->dns_hosts[i].hostnames[k]);
        free(def->dns_hosts[i].hostnames);
    }
    free(def->dns_hosts);
    vr_net_ip6_clear(&def->ip6);
    vr_net_dns_clear(&def->dns);
    free(def);
}
