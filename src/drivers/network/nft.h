/* Firewall and NAT for virtual networks, through libnftables. Each
 * active network gets one table of its own, `ip vireo_<bridge>`, with
 * forward and postrouting chains: creating it is the whole set-up and
 * deleting it removes exactly what was made. Nothing outside these
 * tables is ever touched. */
#pragma once
#include "conf/network_conf.h"

#include <stdbool.h>

int vr_nft_apply(const vr_network_def *def, char **err);
int vr_nft_remove(const char *bridge, char **err);
bool vr_nft_present(const char *bridge);
/* The table's name for a bridge (newly allocated). */
char *vr_nft_table(const char *bridge);
