/* The kernel's network objects through rtnetlink (libnl-route): bridges,
 * taps joining them, addresses, routes. Every function works in the
 * calling process's network namespace and says what failed in *err. */
#pragma once
#include <netinet/in.h>
#include <stdbool.h>

struct nl_sock;
/* A connected rtnetlink socket for the other users of libnl-route here
 * (macvtap.c); NULL with *err when it cannot be had. */
struct nl_sock *vr_nl_socket(char **err);

bool vr_link_exists(const char *name);
bool vr_link_is_bridge(const char *name);

/* Create a bridge with MAC (may be NULL), MTU (0 = default), STP and
 * forward delay (seconds), give it addr/prefix (prefix 0 = no address),
 * bring it up. With STP on the kernel keeps at least a 2 s delay:
 * vr_bridge_stp_get() reads what it kept. On failure nothing is left
 * behind. */
int vr_bridge_create(const char *name, const char *mac, unsigned mtu, bool stp, unsigned delay,
                     struct in_addr addr, unsigned prefix, char **err);
int vr_link_delete(const char *name, char **err);
/* What the kernel has in force on a bridge: STP on or off, and the
 * forward delay in centiseconds. -1 when it is no bridge. */
int vr_bridge_stp_get(const char *name, bool *stp, unsigned *delay_cs);

/* Make `port` a port of `bridge` and bring it up. */
int vr_link_enslave_up(const char *port, const char *bridge, char **err);

/* Is any route of the main table inside or around net/prefix (a LAN
 * already using that subnet)? */
bool vr_subnet_routed(struct in_addr net, unsigned prefix);

/* Give `name` a second, IPv6 address (no duplicate address detection). */
int vr_link_add_addr6(const char *name, const struct in6_addr *addr, unsigned prefix, char **err);

/* The addresses the kernel's neighbour tables (ARP, NDP) hold for `mac`
 * on `dev`, link-local IPv6 left out: domifaddr --source arp. */
typedef struct {
    int family;        /* AF_INET or AF_INET6 */
    char ip[46];
} vr_neighbour;
int vr_neighbours_of(const char *dev, const char *mac, vr_neighbour **out, size_t *n);
