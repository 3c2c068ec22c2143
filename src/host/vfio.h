/* PCI devices given to guests through VFIO: the host's side, as libvirt
 * does it (virpci.c, virhostdev.c). Every call takes the sysfs root
 * ("/sys" on a host; a tree a test builds elsewhere), so the checks and
 * the driver_override writes run against a fixture too. */
#pragma once
#include <stdbool.h>

#define VR_SYSFS "/sys"

/* "0000:01:00.0" from libvirt's node device name pci_0000_01_00_0 (or
 * the address itself, written as lspci -D does); false if neither. */
bool vr_vfio_parse_name(const char *name, char out[13]);

/* Why no PCI device can be given to a guest here (no IOMMU: the
 * sysroot's kernel/iommu_groups is empty or missing), or NULL. */
const char *vr_vfio_no_iommu(const char *sysroot);

/* The IOMMU group of device `addr` ("0000:01:00.0"); -1 and *err when
 * the device or its group is not there. */
int vr_vfio_group(const char *sysroot, const char *addr, char **err);

/* Every device of addr's group bound to vfio-pci or to no driver (what
 * QEMU needs to open the group); else -1 and *err naming the others and
 * their drivers. *group is the group's number. */
int vr_vfio_group_ready(const char *sysroot, const char *addr, int *group, char **err);

/* Whether addr is bound to vfio-pci now. */
bool vr_vfio_bound(const char *sysroot, const char *addr);

/* nodedev-detach: the device to vfio-pci (driver_override, unbind from
 * its driver, drivers_probe), loading vfio-pci when it is missing on the
 * real host. Already on vfio-pci: nothing to do. */
int vr_vfio_detach(const char *sysroot, const char *addr, char **err);

/* nodedev-reattach: driver_override cleared, unbound from vfio-pci, the
 * host's own driver probed again. */
int vr_vfio_reattach(const char *sysroot, const char *addr, char **err);
