/* DHCP and DNS for a virtual network: one dnsmasq per network, with a
 * configuration Vireo writes, its own pid file and lease file. dnsmasq
 * runs detached so it outlives a daemon restart; the network driver
 * watches it and starts it again if it dies. */
#pragma once
#include "conf/network_conf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Write DIR/dnsmasq.conf, DIR/dhcp.hosts and DIR/dns.hosts. */
int vr_dnsmasq_write(const vr_network_def *def, const char *dir, const char *lease_file, char **err);
/* Rewrite only the host files (net-update); then vr_dnsmasq_reload. */
int vr_dnsmasq_write_hosts(const vr_network_def *def, const char *dir, char **err);
/* Start dnsmasq on DIR/dnsmasq.conf; returns its pid (read from
 * DIR/dnsmasq.pid once the launcher returned). */
pid_t vr_dnsmasq_start(const char *dir, char **err);
/* The pid in DIR/dnsmasq.pid if that process is our dnsmasq, else 0. */
pid_t vr_dnsmasq_running(const char *dir);

typedef struct {
    long long expiry; /* unix time; 0 = infinite */
    int family;       /* 4 or 6 */
    char mac[18];     /* "" for an IPv6 lease whose DUID holds no MAC */
    char ip[46];
    unsigned prefix;  /* the network's prefix length for this family (set by vr_net_leases) */
    char *hostname;   /* NULL when the client sent none */
    char *client_id;  /* NULL when none; the DUID for IPv6 */
} vr_lease;

/* Read a dnsmasq lease file (missing file = no leases). */
int vr_leases_read(const char *path, vr_lease **out, size_t *n);
void vr_leases_free(vr_lease *l, size_t n);
/* The MAC in a DUID-LLT or DUID-LL of Ethernet; false for other DUIDs. */
bool vr_duid_mac(const char *duid, char mac[18]);
