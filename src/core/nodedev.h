/* The host's devices as libvirt's node device driver names them
 * (virsh nodedev-list, nodedev-dumpxml; virt-manager's Add Hardware):
 * `computer`, the PCI devices (pci_0000_00_02_0), the USB devices and
 * root hubs (usb_1_1, usb_usb1) and the network interfaces
 * (net_eth0_52_54_00_12_34_56), each under the nearest listed device
 * above it in sysfs. Read from a sysfs root ("/sys" on a host; a tree a
 * test builds elsewhere), at each call: nothing is cached. */
#pragma once
#include "common/errors.h"
#include "host/vfio.h"
#include "vireo/vireo.h"

#include <stdbool.h>
#include <stddef.h>

#define VR_NODEDEV_SYSFS VR_SYSFS
#define VR_NODEDEV_PCI_IDS "/usr/share/misc/pci.ids"

/* libvirt's capability kinds that Vireo lists (virsh nodedev-list --cap). */
typedef enum { VR_NODEDEV_SYSTEM, VR_NODEDEV_PCI, VR_NODEDEV_USB, VR_NODEDEV_NET } vr_nodedev_kind;

typedef struct {
    char *name;   /* libvirt's: computer, pci_0000_00_02_0, usb_usb1, net_lo_00_00_00_00_00_00 */
    char *parent; /* NULL for computer */
    char *path;   /* its sysfs directory as the host names it (/sys/devices/...); NULL for computer */
    char *real;   /* the same under the sysfs root given */
    vr_nodedev_kind kind;
} vr_nodedev;

typedef struct {
    vr_nodedev *devs; /* computer first, then the others by name */
    size_t n;
} vr_nodedev_list;

void vr_nodedev_scan(const char *sysroot, vr_nodedev_list *out);
void vr_nodedev_list_free(vr_nodedev_list *l);
const vr_nodedev *vr_nodedev_find(const vr_nodedev_list *l, const char *name);

/* libvirt's capability name ("system", "pci", "usb_device", "net") and
 * its bit of virConnectListAllNodeDevices' flags. */
const char *vr_nodedev_cap_name(vr_nodedev_kind kind);
unsigned vr_nodedev_cap_flag(vr_nodedev_kind kind);
/* The kind a capability name means; false when Vireo lists none of it. */
bool vr_nodedev_cap_kind(const char *cap, vr_nodedev_kind *kind);

/* virsh nodedev-dumpxml: the device's XML as libvirt 9.0 writes it
 * (tests/fixtures/libvirt/nodedev-*.xml); pci_ids names PCI vendors and
 * products (NULL: none named). */
char *vr_nodedev_xml(const char *sysroot, const char *pci_ids, const vr_nodedev *d);

/* GET /v1/nodedevs[?cap=CAP[,CAP...]] and `vireo nodedev-list`: the
 * devices of those capabilities (cap NULL or empty: all), by name as
 * the scan lists them, with a list's facts; *out to free with
 * vr_wire_array_free(&vr_wire_nodedev, ...). A capability libvirt names
 * but Vireo lists none of (scsi_host ...) matches nothing; one libvirt
 * does not name is VR_ERR_INVALID with *err saying so. */
vr_err vr_nodedev_summaries(const char *sysroot, const char *pci_ids, const char *cap, vireo_nodedev **out,
                            size_t *n, char **err);
/* GET /v1/nodedevs/NAME/xml: vr_nodedev_xml of the device `name`, or
 * VR_ERR_NOT_FOUND with *err. */
vr_err vr_nodedev_xml_of(const char *sysroot, const char *pci_ids, const char *name, char **xml, char **err);
