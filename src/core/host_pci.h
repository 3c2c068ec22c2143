/* virsh nodedev-detach / nodedev-reattach of a PCI device: to vfio-pci
 * for a <hostdev type='pci' managed='no'>, and back to its host driver
 * (src/host/vfio.c does the sysfs work). */
#pragma once
#include "common/errors.h"

#include <stdbool.h>

typedef struct vr_qemu_driver vr_qemu_driver;

/* `name`: libvirt's node device name, pci_0000_01_00_0 (or 0000:01:00.0).
 * reattach: back to the host's driver, refused while a running domain
 * has the device. VR_OK, or the code and a one-line *err (no IOMMU here,
 * no such device, a bad name). */
vr_err vr_host_pci_detach(const vr_qemu_driver *drv, const char *name, bool reattach, char **err);
/* virsh nodedev-reset: refused in one line (no IOMMU here; else QEMU
 * resets a device given to a guest at the domain's start). */
vr_err vr_host_pci_reset(const char *name, char **err);
