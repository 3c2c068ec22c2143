/* Taps for guest NICs: made on /dev/net/tun, joined to a bridge, handed
 * to QEMU as an open fd. The tap is not persistent: it goes away when
 * QEMU, the last holder of the fd, exits. */
#pragma once

/* Create a tap named after `pattern` (e.g. "vnet%d"; the kernel picks
 * the number), give it a MAC derived from the guest's (first byte 0xfe,
 * so the bridge never takes the guest's address), join `bridge`, bring
 * it up. Returns the fd (without FD_CLOEXEC: QEMU must inherit it) and
 * the tap's name in *ifname. */
int vr_tap_open(const char *pattern, const char *guest_mac, const char *bridge, char **ifname,
                char **err);
