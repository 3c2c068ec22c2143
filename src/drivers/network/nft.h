/* Firewall and NAT for virtual networks, through libnftables. Each
 * active network gets one table of its own, `ip vireo_<bridge>`, with
 * forward and postrouting chains: creating it is the whole set-up and
 * deleting it removes exactly what was made. Nothing outside these
 * tables is ever touched. */
#pragma once
#include "common/strbuf.h"
#include "conf/network_conf.h"

#include <stdbool.h>

int vr_nft_apply(const vr_network_def *def, char **err);
int vr_nft_remove(const char *bridge, char **err);
bool vr_nft_present(const char *bridge);
/* The table's name for a bridge (newly allocated). */
char *vr_nft_table(const char *bridge);

/* Run nft commands through libnftables; the first line of its error in
 * *err. Shared with nft6.c. */
int vr_nft_run(const char *cmd, char **err);
/* The end both families' tables share, appended to b and run (b freed):
 * the forward chain's rejects for bridge br, and with masquerade_except
 * (NULL-ended destinations that stay local) a postrouting chain that
 * masquerades subnet's traffic out (out_dev: "" or ` oifname "DEV"`). */
int vr_nft_finish(vr_strbuf *b, const char *family, const char *br, const char *subnet, const char *out_dev,
                  const char *const *masquerade_except, char **err);
/* Delete the table "FAMILY vireo_BRIDGE" (fine when it is gone). */
int vr_nft_remove_table(const char *family, const char *bridge, char **err);

/* IPv6 (nft6.c): the network's own table "ip6 vireo6_BRIDGE": the
 * subnet routed (forward accepted both ways; isolated: nothing crosses),
 * masqueraded only with <nat ipv6='yes'>. No-op without <ip family='ipv6'>. */
int vr_nft6_apply(const vr_network_def *def, char **err);
int vr_nft6_remove(const char *bridge, char **err);
