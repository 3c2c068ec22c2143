/* Ethernet MAC addresses as libvirt writes them: "52:54:00:ab:cd:ef". */
#pragma once
#include <stdbool.h>

#define VR_MAC_LEN 6
#define VR_MAC_STRLEN 18 /* with the terminating NUL */

/* Six ':'-separated octets of one or two hex digits, either case.
 * Returns false when `s` is not a MAC address. */
bool vr_mac_parse(const char *s, unsigned char raw[VR_MAC_LEN]);

void vr_mac_format(const unsigned char raw[VR_MAC_LEN], char out[VR_MAC_STRLEN]);

/* A random address in QEMU's locally administered range 52:54:00, the
 * prefix libvirt uses too, so guests and DHCP setups carry over. */
void vr_mac_generate(char out[VR_MAC_STRLEN]);

/* Multicast addresses (lowest bit of the first octet) cannot be a NIC's
 * own address. */
bool vr_mac_is_multicast(const unsigned char raw[VR_MAC_LEN]);
