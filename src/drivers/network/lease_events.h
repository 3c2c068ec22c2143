/* Live DHCP leases: every network's dnsmasq runs `vireod --lease-hook`
 * (its --dhcp-script) when a lease is added, renewed or released; the
 * hook sends one datagram to the daemon's socket RUNTIME/network/
 * lease-events.sock, and the daemon turns it into a network event. A
 * daemon that is down misses the datagram, never the lease: the lease
 * file stays the record. */
#pragma once
#include <event2/event.h>

typedef struct vr_lease_events vr_lease_events;

/* kind: "added", "renewed" or "released"; mac "" when unknown (an IPv6
 * client whose DUID holds none); hostname "" when the client sent none. */
typedef void (*vr_lease_event_fn)(const char *network, const char *kind, const char *mac,
                                  const char *ip, const char *hostname, void *opaque);

vr_lease_events *vr_lease_events_open(struct event_base *base, const char *path,
                                      vr_lease_event_fn fn, void *opaque, char **err);
void vr_lease_events_close(vr_lease_events *le);

/* `vireod --lease-hook SOCKET NETWORK ACTION MAC|DUID IP [HOSTNAME]`, as
 * dnsmasq calls it through the network's lease-hook script. argv[0] is
 * SOCKET. Always exits 0: dnsmasq only logs a failing script. */
int vr_lease_hook_main(int argc, char **argv);
