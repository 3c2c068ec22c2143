/* dnsmasq configuration for IPv6 and <dns> (dnsmasq_v6dns.c), used by
 * dnsmasq.c as it writes a network's files. */
#pragma once
#include <stdbool.h>

#include "common/strbuf.h"
#include "conf/network_conf.h"

/* <dns>: enable='no', forwardPlainNames, forwarders, TXT, SRV. */
void vr_dnsmasq_conf_dns(vr_strbuf *b, const vr_network_def *def);
/* <ip family='ipv6'>: listen address, router advertisements, DHCPv6
 * ranges. Returns how many leases it adds to dhcp-lease-max. */
unsigned long vr_dnsmasq_conf_ip6(vr_strbuf *b, const vr_network_def *def);
/* IPv6 lines of dhcp.hosts (DHCPv6 <host>) and dns.hosts (<dns><host>). */
void vr_dnsmasq_hosts6(vr_strbuf *dhcp, vr_strbuf *dns, const vr_network_def *def);

/* The lease hook: once per daemon, the program and socket that every
 * network's dnsmasq reports lease changes to (vireod --lease-hook
 * SOCKET); NULL vireod: none. vr_dnsmasq_conf_hook writes DIR/lease-hook
 * and its dhcp-script= line. */
bool vr_dnsmasq_set_lease_hook(const char *vireod, const char *socket); /* false: a path has a ' */
int vr_dnsmasq_conf_hook(vr_strbuf *b, const vr_network_def *def, const char *dir, char **err);
