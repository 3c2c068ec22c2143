/* Network operations shared by the transports (the HTTP routes in
 * api_networks.c, libvirt's virNetwork* procedures in rpc_network.c).
 * A network's define, start, destroy, undefine and autostart are one
 * network driver call each, reached through this header. */
#pragma once
#include "drivers/network/network_driver.h"

/* The network with this uuid (text, any case: libvirt's clients send it
 * as bytes), or NULL. */
vr_network *vr_core_net_by_uuid(vr_net_driver *drv, const char *uuid);
/* The network named `name` (not its uuid), or NULL. */
vr_network *vr_core_net_by_name(vr_net_driver *drv, const char *name);
/* The DHCP leases the network's dnsmasq holds now, of one MAC (any case)
 * or all (mac NULL); none when they cannot be read. Free with
 * vr_leases_free. */
void vr_core_net_leases(const vr_network *net, const char *mac, vr_lease **out, size_t *n);
