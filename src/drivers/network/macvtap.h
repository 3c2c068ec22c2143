/* macvtap devices for guest NICs on a host NIC (libvirt's type='direct'
 * and macvtap networks): made through rtnetlink (libnl's
 * rtnl_link_macvtap_* API), named macvtapN, carrying the guest's own
 * MAC, opened as /dev/tapIFINDEX and handed to QEMU as a tap fd, as
 * libvirt does. Unlike a tap, a macvtap outlives its fd: it is deleted
 * explicitly when the guest stops (vr_macvtap_delete). */
#pragma once
#include <stdbool.h>

/* Can `dev` carry macvtaps: it exists and is not a bridge port (the
 * kernel refuses both, with less helpful words). `what` names it in the
 * message, e.g. "<interface dev='eth0'> of network 'lan'". */
int vr_macvtap_check_lower(const char *dev, const char *what, char **err);

/* How many macvtap or macvlan devices sit on `lower` now (0 when it
 * does not exist). The live count, so it needs no bookkeeping and
 * survives a daemon restart. */
unsigned vr_macvtap_count_on(const char *lower);

/* Make a macvtap on `lower` in `mode` (vr_macvtap_mode) with the guest's
 * MAC, named `want` or else the first free macvtapN, bring it up and open
 * its character device (made in `node_dir` when udev has not). Returns
 * the fd (inherited by QEMU: no FD_CLOEXEC) and the name in *ifname; on
 * failure nothing is left behind. */
int vr_macvtap_open(const char *want, const char *lower, int mode, const char *mac,
                    const char *node_dir, char **ifname, char **err);

/* Delete the link `name` if it is a macvtap (taps and links of others
 * are left alone). True when one was deleted. */
bool vr_macvtap_delete(const char *name);
