#include "drivers/network/nft.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "host/nft_lib.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

char *vr_nft_table(const char *bridge)
{
    /* nft identifiers take letters, digits, '_' and '.': map the rest. */
    char *t = vr_asprintf("vireo_%s", bridge);
    for (char *p = t; *p; p++)
        if (*p == '-')
            *p = '_';
    return t;
}

int vr_nft_run(const char *cmd, char **err)
{
    return vr_nftables_run(cmd, 0, NULL, "nftables refused the rules", err);
}

int vr_nft_apply(const vr_network_def *def, char **err)
{
    if (def->forward == VR_NET_FWD_OPEN || !vr_net_owns_bridge(def))
        return 0; /* open: no firewall by definition; bridge: the host's LAN */
    char *table = vr_nft_table(def->bridge);
    char net[INET_ADDRSTRLEN];
    struct in_addr mask = vr_net_prefix_mask(def->ip.prefix);
    struct in_addr base = {.s_addr = def->ip.address.s_addr & mask.s_addr};
    inet_ntop(AF_INET, &base, net, sizeof(net));
    char *subnet = vr_asprintf("%s/%u", net, def->ip.prefix);
    const char *br = def->bridge;
    char *out_dev = def->forward_dev ? vr_asprintf(" oifname \"%s\"", def->forward_dev) : vr_strdup("");
    char *in_dev = def->forward_dev ? vr_asprintf(" iifname \"%s\"", def->forward_dev) : vr_strdup("");
    vr_strbuf b = {0};
    /* Replace atomically: a stale table of a killed daemon goes too. */
    vr_strbuf_addf(&b, "table ip %s\ndelete table ip %s\ntable ip %s {\n", table, table, table);
    vr_strbuf_add(&b, "  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
    vr_strbuf_addf(&b, "    iifname \"%s\" oifname \"%s\" accept\n", br, br);
    /* An IPv6-only network lets no IPv4 cross: isolated for IPv4. */
    vr_net_forward v4_forward = def->ip.present ? def->forward : VR_NET_FWD_NONE;
    switch (v4_forward) {
    case VR_NET_FWD_NAT:
        vr_strbuf_addf(&b, "    iifname \"%s\"%s ip saddr %s accept\n", br, out_dev, subnet);
        vr_strbuf_addf(&b, "    oifname \"%s\"%s ip daddr %s ct state established,related accept\n", br, in_dev, subnet);
        break;
    case VR_NET_FWD_ROUTE:
        vr_strbuf_addf(&b, "    iifname \"%s\"%s ip saddr %s accept\n", br, out_dev, subnet);
        vr_strbuf_addf(&b, "    oifname \"%s\"%s ip daddr %s accept\n", br, in_dev, subnet);
        break;
    default:
        break; /* isolated: nothing crosses */
    }
    /* Multicast and broadcast stay local, as libvirt does it. */
    static const char *const local[] = {"224.0.0.0/24", "255.255.255.255", NULL};
    int rc = vr_nft_finish(&b, "ip", br, subnet, out_dev, v4_forward == VR_NET_FWD_NAT ? local : NULL, err);
    free(out_dev);
    free(in_dev);
    free(subnet);
    free(table);
    return rc;
}

int vr_nft_finish(vr_strbuf *b, const char *family, const char *br, const char *subnet, const char *out_dev,
                  const char *const *masquerade_except, char **err)
{
    vr_strbuf_addf(b, "    iifname \"%s\" reject\n    oifname \"%s\" reject\n  }\n", br, br);
    if (masquerade_except) {
        vr_strbuf_add(b, "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        for (const char *const *d = masquerade_except; *d; d++)
            vr_strbuf_addf(b, "    %s saddr %s %s daddr %s return\n", family, subnet, family, *d);
        vr_strbuf_addf(b, "    %s saddr %s %s daddr != %s%s masquerade\n  }\n", family, subnet, family, subnet,
                       out_dev);
    }
    vr_strbuf_add(b, "}\n");
    int rc = vr_nft_run(b->s, err);
    vr_strbuf_free(b);
    return rc;
}

int vr_nft_remove_table(const char *family, const char *bridge, char **err)
{
    char *table = vr_nft_table(bridge);
    /* "table X" first makes the delete succeed when it is already gone. */
    char *cmd = vr_asprintf("table %s %s\ndelete table %s %s\n", family, table, family, table);
    int rc = vr_nft_run(cmd, err);
    free(cmd);
    free(table);
    return rc;
}

int vr_nft_remove(const char *bridge, char **err)
{
    return vr_nft_remove_table("ip", bridge, err);
}

bool vr_nft_present(const char *bridge)
{
    char *table = vr_nft_table(bridge);
    char *cmd = vr_asprintf("list table ip %s", table);
    int rc = vr_nft_run(cmd, NULL);
    free(cmd);
    free(table);
    return rc == 0;
}
