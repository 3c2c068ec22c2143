/* IPv6 rules of a virtual network: a table of its own in the ip6 family
 * (same name as the IPv4 one, `ip6 vireo_<bridge>`), so starting adds it
 * whole and stopping deletes exactly it. As in libvirt, IPv6 is routed,
 * not translated, unless <forward mode='nat'><nat ipv6='yes'/>. */
#include "drivers/network/nft.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>

int vr_nft6_apply(const vr_network_def *def, char **err)
{
    if (!def->ip6.present || def->forward == VR_NET_FWD_OPEN || def->forward == VR_NET_FWD_BRIDGE)
        return 0;
    char *table = vr_nft_table(def->bridge);
    char *subnet = vr_net_ip6_subnet_str(&def->ip6);
    const char *br = def->bridge;
    char *out_dev = def->forward_dev ? vr_asprintf(" oifname \"%s\"", def->forward_dev) : vr_strdup("");
    char *in_dev = def->forward_dev ? vr_asprintf(" iifname \"%s\"", def->forward_dev) : vr_strdup("");
    bool nat66 = def->forward == VR_NET_FWD_NAT && def->nat_ipv6;
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "table ip6 %s\ndelete table ip6 %s\ntable ip6 %s {\n", table, table, table);
    vr_strbuf_add(&b, "  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
    vr_strbuf_addf(&b, "    iifname \"%s\" oifname \"%s\" accept\n", br, br);
    if (def->forward != VR_NET_FWD_NONE) {
        vr_strbuf_addf(&b, "    iifname \"%s\"%s ip6 saddr %s accept\n", br, out_dev, subnet);
        vr_strbuf_addf(&b, "    oifname \"%s\"%s ip6 daddr %s%s accept\n", br, in_dev, subnet,
                       nat66 ? " ct state established,related" : "");
    }
    static const char *const local[] = {"ff00::/8", NULL}; /* multicast stays local */
    int rc = vr_nft_finish(&b, "ip6", br, subnet, out_dev, nat66 ? local : NULL, err);
    free(out_dev);
    free(in_dev);
    free(subnet);
    free(table);
    return rc;
}

int vr_nft6_remove(const char *bridge, char **err)
{
    return vr_nft_remove_table("ip6", bridge, err);
}
