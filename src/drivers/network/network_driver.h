/* The network driver: virtual networks (bridge + dnsmasq + nftables
 * table) defined in CONFIG/network/NAME.xml, their run state in
 * RUNTIME/network/NAME/, and the taps that connect guests to them. */
#pragma once
#include "common/errors.h"
#include "common/paths.h"
#include "conf/domain_conf.h"
#include "conf/network_conf.h"
#include "drivers/network/dnsmasq.h"
#include "drivers/network/netlink.h"

#include <event2/event.h>
#include <stdbool.h>

typedef struct vr_net_driver vr_net_driver;

typedef struct vr_network {
    vr_net_driver *drv;
    vr_network_def *def;
    vr_network_def *next; /* redefined while active: applies at next start */
    bool persistent, autostart, active;
    char *run_dir;        /* RUNTIME/network/NAME while active */
    pid_t dnsmasq;
    struct vr_pidwatch *dnsmasq_watch;
    int restarts;
    time_t restart_window;
    char *warning;        /* the last start's warning (another firewall drops its traffic), or NULL */
} vr_network;

typedef void (*vr_net_event_fn)(const vr_network *net, const char *event, const char *detail, void *opaque);
/* Which running domains use the network? A newly allocated
 * comma-separated list of names, or NULL when none. */
typedef char *(*vr_net_users_fn)(const char *network, void *opaque);
/* A DHCP lease changed (lease_events.h): kind added/renewed/released. */
typedef void (*vr_net_lease_fn)(const vr_network *net, const char *kind, const char *mac, const char *ip,
                                const char *hostname, void *opaque);

typedef struct {
    struct event_base *base;
    const vr_paths *paths;
    bool make_default;  /* create the 'default' network on the first start */
    vr_net_event_fn on_event;
    vr_net_users_fn users;
    const char *lease_hook; /* this vireod's path: dnsmasq's lease hook; NULL: no lease events */
    vr_net_lease_fn on_lease;
    void *opaque;
} vr_net_config;

vr_net_driver *vr_net_driver_new(const vr_net_config *cfg);
void vr_net_driver_free(vr_net_driver *drv);

vr_network *const *vr_net_list(vr_net_driver *drv, size_t *n);
vr_network *vr_net_lookup(vr_net_driver *drv, const char *key);

vr_err vr_net_define(vr_net_driver *drv, const char *xml, vr_network **out, char **err);
vr_err vr_net_create(vr_net_driver *drv, const char *xml, vr_network **out, char **err);
vr_err vr_net_undefine(vr_network *net, char **err);
vr_err vr_net_start(vr_network *net, char **err);
vr_err vr_net_destroy(vr_network *net, char **err);
vr_err vr_net_set_autostart(vr_network *net, bool on, char **err);
/* net-update NAME add|delete ip-dhcp-host XML: the definition and, when
 * active, the running dnsmasq. */
vr_err vr_net_update_dhcp_host(vr_network *net, bool add, const char *xml, char **err);
char *vr_net_xml(const vr_network *net, bool inactive);
/* STP and forward delay (centiseconds) in force: the kernel's for an
 * active network, the definition's otherwise. False when neither is
 * known (an inactive network on a host bridge). */
bool vr_net_stp_in_force(const vr_network *net, bool *stp, unsigned *delay_cs);
/* Current DHCP leases (expired ones left out). */
int vr_net_leases(const vr_network *net, vr_lease **out, size_t *n);

/* The addresses the host's neighbour tables hold for `mac` on the
 * network's bridge (domifaddr --source arp; SLAAC addresses). */
int vr_net_neighbours(const vr_network *net, const char *mac, vr_neighbour **out, size_t *n);

/* For the QEMU driver: a tap for a guest interface of type network or
 * bridge, joined to the right bridge (an inactive autostart network is
 * started first). Returns the fd for QEMU and the tap's name. */
int vr_net_tap_for(vr_net_driver *drv, const vr_interface_def *ifc, char **ifname, char **err);
/* update-device of a running interface's <source network|bridge>: its tap
 * `ifname` moved to the bridge `ifc` names now (as libvirt re-plugs it). */
int vr_net_replug(vr_net_driver *drv, const char *ifname, const vr_interface_def *ifc, char **err);
/* A guest interface's device when the guest has stopped: macvtaps (type
 * direct, macvtap networks) are deleted; taps went with QEMU's fd and
 * anything else is left alone. True when one was deleted. */
bool vr_net_release(const char *ifname);
