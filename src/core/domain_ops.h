/* Domain operations shared by the transports (the HTTP routes and the
 * libvirt protocol) where more than one driver call makes the whole. */
#pragma once
#include "drivers/network/network_driver.h"
#include "drivers/qemu/qemu_driver.h"

/* The name a domain definition gives (malloc'ed), or NULL with *err
 * when the document does not parse. A transient domain is created
 * (vr_qemu_create) under this name, by which the caller finds it when
 * the start reports. */
char *vr_core_domain_name(const char *xml, char **err);

/* The definition a domain's CONFIG flags act on: the persistent one
 * (the next start's, when redefined while running), or NULL for a
 * transient domain, which has none. */
const vr_domain_def *vr_core_domain_config(const vr_domain *dom);

/* The DHCP leases interface dom->def->interfaces[i] holds now, from its
 * network's dnsmasq (matched by MAC): none when the domain is shut off or
 * the interface is not on a Vireo network. Each lease carries its
 * family's prefix length. Free with vr_leases_free. */
void vr_core_iface_leases(vr_net_driver *net, const vr_domain *dom, size_t i, vr_lease **out, size_t *n);

/* The live definition as libvirt's clients read it: a running domain's
 * autoport display (VNC or SPICE on an address) with the port it got,
 * asked from QEMU, where the stored definition keeps -1 (virt-manager
 * and virt-viewer connect to that port). cb gets the XML (the caller's
 * to free), perhaps before this returns; without the port (QEMU did not
 * answer) the XML is the stored one. */
typedef void (*vr_core_xml_fn)(char *xml, void *opaque);
void vr_core_domain_live_xml(vr_domain *dom, bool secure, vr_core_xml_fn cb, void *opaque);
/* The same at once, without asking QEMU: `inactive`, the persistent
 * definition; else a running domain's XML with libvirt's automatic device
 * aliases (vr_qemu_live_xml), a shut off one's as stored. */
char *vr_core_domain_xml(const vr_domain *dom, bool inactive, bool secure);

/* Attach a client socket to the serial console the daemon holds for the
 * domain (vr_console_attach): false, and closed never runs, when it has
 * none now (shut off, or no serial port). */
bool vr_core_console_attach(vr_domain *dom, int fd, const char *initial, size_t n, bool history,
                            void (*closed)(void *opaque), void *opaque);
