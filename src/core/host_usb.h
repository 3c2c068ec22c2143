/* The host's USB devices as virsh nodedev-list --cap usb_device lists
 * them (GET /v1/host/usb-devices), read from sysfs: what a <hostdev
 * type='usb'> can name by <vendor>/<product> or by <address bus device>. */
#pragma once
#include "vireo/vireo.h"

#include <stddef.h>

#define VR_HOST_USB_DIR "/sys/bus/usb/devices"

/* The devices under `dir` (VR_HOST_USB_DIR; a fixture in the tests),
 * interfaces left out, sorted by bus and device number: *out is an
 * array to free with vr_wire_array_free(&vr_wire_usb_device, ...).
 * A host without the directory (no USB bus, a container) has none:
 * *n = 0 and *why says so; else *why is NULL. */
void vr_host_usb_devices(const char *dir, vireo_usb_device **out, size_t *n, const char **why);
/* Why no PCI device can be given to a guest here (no IOMMU), as a start
 * of a domain with <hostdev type='pci'> says it, or NULL; the web page
 * shows it by its PCI field. */
const char *vr_host_pci_assign_refusal(void);
