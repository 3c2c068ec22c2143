/* libvirt protocol: the host's node devices (virsh nodedev-list,
 * nodedev-dumpxml, nodedev-detach; virt-manager's Add Hardware), read
 * through the core (core/nodedev.h) at each call; detach, reattach and
 * reset are the core calls `vireo nodedev-detach` makes (core/host_pci.h). */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/host_pci.h"
#include "core/nodedev.h"

#include <stdlib.h>
#include <string.h>

/* virConnectListAllNodeDevices' flags: the capability bits (those of
 * kinds Vireo lists none of match nothing), active and inactive. */
enum { CAP_BITS = (1u << 22) - 1, LIST_INACTIVE = 1u << 30, LIST_ACTIVE = 1u << 31 };

/* The device a call names, looked up in a fresh scan held in *l, or
 * NULL after answering VIR_ERR_NO_NODE_DEVICE. */
static const vr_nodedev *find(vr_rpc_call *c, vr_nodedev_list *l, const char *name)
{
    vr_nodedev_scan(VR_NODEDEV_SYSFS, l);
    const vr_nodedev *d = vr_nodedev_find(l, name);
    if (!d)
        vr_rpc_fail(c, VIR_ERR_NO_NODE_DEVICE, "no node device with matching name '%s' (virsh nodedev-list "
                    "lists them)", name);
    return d;
}

/* The devices of capability `cap` (NULL: all), by name, at most max. */
static vr_rpc_result names_of(vr_rpc_call *c, const char *cap, unsigned flags, int max, vrp_nodedev_names_ret *r,
                              int *count)
{
    if (!vr_rpc_flags_ok(c, flags, 0))
        return VR_RPC_FAILED;
    vr_nodedev_kind kind = VR_NODEDEV_SYSTEM;
    bool known = cap && vr_nodedev_cap_kind(cap, &kind);
    vr_nodedev_list l;
    vr_nodedev_scan(VR_NODEDEV_SYSFS, &l);
    int n = 0;
    if (r)
        r->names.names_val = vr_calloc(l.n + 1, sizeof(char *));
    for (size_t i = 0; i < l.n && (!r || n < max); i++) {
        if (cap && (!known || l.devs[i].kind != kind))
            continue; /* a capability Vireo lists none of (scsi_host ...) has no devices */
        if (r)
            r->names.names_val[r->names.names_len++] = vr_strdup(l.devs[i].name);
        n++;
    }
    vr_nodedev_list_free(&l);
    if (count)
        *count = n;
    return VR_RPC_OK;
}

static vr_rpc_result num_of_devices(vr_rpc_call *c)
{
    vrp_node_num_args *a = c->args;
    return names_of(c, a->cap ? *a->cap : NULL, a->flags, 0, NULL, &((vrp_int_ret *)c->ret)->value);
}

static vr_rpc_result list_devices(vr_rpc_call *c)
{
    vrp_nodedev_list_args *a = c->args;
    return names_of(c, a->cap ? *a->cap : NULL, a->flags, a->max_names, c->ret, NULL);
}

static vr_rpc_result list_all(vr_rpc_call *c)
{
    vrp_list_args *a = c->args;
    vrp_nodedev_list_all_ret *r = c->ret;
    if (!vr_rpc_flags_ok(c, a->flags, CAP_BITS | LIST_ACTIVE | LIST_INACTIVE))
        return VR_RPC_FAILED;
    vr_nodedev_list l;
    vr_nodedev_scan(VR_NODEDEV_SYSFS, &l);
    if (a->need_results)
        r->devs.devs_val = vr_calloc(l.n + 1, sizeof(vrp_nodedev));
    for (size_t i = 0; i < l.n; i++) {
        /* Every device listed is there now: active. */
        if (!vr_rpc_filter(a->flags, LIST_ACTIVE, LIST_INACTIVE, true))
            continue;
        if ((a->flags & CAP_BITS) && !(a->flags & vr_nodedev_cap_flag(l.devs[i].kind)))
            continue;
        if (a->need_results)
            r->devs.devs_val[r->devs.devs_len++].name = vr_strdup(l.devs[i].name);
        r->count++;
    }
    vr_nodedev_list_free(&l);
    return VR_RPC_OK;
}

static vr_rpc_result lookup_by_name(vr_rpc_call *c)
{
    const char *name = ((vrp_name_args *)c->args)->name;
    vr_nodedev_list l;
    const vr_nodedev *d = find(c, &l, name);
    if (d)
        ((vrp_nodedev_ret *)c->ret)->dev.name = vr_strdup(d->name);
    vr_nodedev_list_free(&l);
    return d ? VR_RPC_OK : VR_RPC_FAILED;
}

/* INACTIVE (nodedev-dumpxml --inactive): a device of the host has no
 * definition apart from what it is, so the same XML. */
static vr_rpc_result get_xml(vr_rpc_call *c)
{
    enum { XML_INACTIVE = 1 };
    vrp_nodedev_xml_args *a = c->args;
    if (!vr_rpc_flags_ok(c, a->flags, XML_INACTIVE))
        return VR_RPC_FAILED;
    vr_nodedev_list l;
    const vr_nodedev *d = find(c, &l, a->name);
    if (d)
        ((vrp_str_ret *)c->ret)->value = vr_nodedev_xml(VR_NODEDEV_SYSFS, VR_NODEDEV_PCI_IDS, d);
    vr_nodedev_list_free(&l);
    return d ? VR_RPC_OK : VR_RPC_FAILED;
}

/* computer has none: answered with no name, as libvirt's daemon does. */
static vr_rpc_result get_parent(vr_rpc_call *c)
{
    vr_nodedev_list l;
    const vr_nodedev *d = find(c, &l, ((vrp_name_args *)c->args)->name);
    if (d && d->parent) {
        vrp_nodedev_parent_ret *r = c->ret;
        r->parent = vr_calloc(1, sizeof(char *));
        *r->parent = vr_strdup(d->parent);
    }
    vr_nodedev_list_free(&l);
    return d ? VR_RPC_OK : VR_RPC_FAILED;
}

/* Each device has its one capability. */
static vr_rpc_result caps(vr_rpc_call *c, const char *name, int max, vrp_nodedev_names_ret *r, int *count)
{
    vr_nodedev_list l;
    const vr_nodedev *d = find(c, &l, name);
    if (d && r && max > 0) {
        r->names.names_val = vr_calloc(1, sizeof(char *));
        r->names.names_val[r->names.names_len++] = vr_strdup(vr_nodedev_cap_name(d->kind));
    }
    if (d && count)
        *count = 1;
    vr_nodedev_list_free(&l);
    return d ? VR_RPC_OK : VR_RPC_FAILED;
}

static vr_rpc_result num_of_caps(vr_rpc_call *c)
{
    return caps(c, ((vrp_name_args *)c->args)->name, 0, NULL, &((vrp_int_ret *)c->ret)->value);
}

static vr_rpc_result list_caps(vr_rpc_call *c)
{
    vrp_nodedev_caps_args *a = c->args;
    return caps(c, a->name, a->max_names, c->ret, NULL);
}

/* nodedev-detach, -reattach: the core's calls, as `vireo nodedev-detach`. */
static vr_rpc_result pci_detach(vr_rpc_call *c, const char *name, bool reattach)
{
    char *err = NULL;
    vr_err code = vr_host_pci_detach(c->api->qemu, name, reattach, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_NODEDEV);
}

static vr_rpc_result dettach(vr_rpc_call *c) { return pci_detach(c, ((vrp_name_args *)c->args)->name, false); }
static vr_rpc_result reattach(vr_rpc_call *c) { return pci_detach(c, ((vrp_name_args *)c->args)->name, true); }

static vr_rpc_result detach_flags(vr_rpc_call *c)
{
    vrp_nodedev_detach_flags_args *a = c->args;
    if (!vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (a->driver && **a->driver && strcmp(*a->driver, "vfio") != 0)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "unknown driver name '%s': vireod detaches PCI devices to "
                           "vfio-pci only (give vfio, or none)", *a->driver);
    return pci_detach(c, a->name, false);
}

static vr_rpc_result reset(vr_rpc_call *c)
{
    char *err = NULL;
    vr_err code = vr_host_pci_reset(((vrp_name_args *)c->args)->name, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_NODEDEV);
}

/* virt-manager asks each device whether it is active (its Add Hardware
 * lists only those): every device listed is there now. None is a
 * definition of libvirt's (persistent, with autostart): those are
 * mediated devices libvirt's nodedev driver defines. */
static vr_rpc_result answer_int(vr_rpc_call *c, int value)
{
    vr_nodedev_list l;
    const vr_nodedev *d = find(c, &l, ((vrp_name_args *)c->args)->name);
    vr_nodedev_list_free(&l);
    if (!d)
        return VR_RPC_FAILED;
    ((vrp_int_ret *)c->ret)->value = value;
    return VR_RPC_OK;
}

static vr_rpc_result is_active(vr_rpc_call *c) { return answer_int(c, 1); }
static vr_rpc_result is_persistent(vr_rpc_call *c) { return answer_int(c, 0); }
static vr_rpc_result get_autostart(vr_rpc_call *c) { return answer_int(c, 0); }

static vr_rpc_result set_autostart(vr_rpc_call *c)
{
    vrp_nodedev_autostart_args *a = c->args;
    vr_nodedev_list l;
    const vr_nodedev *d = find(c, &l, a->name);
    vr_nodedev_list_free(&l);
    if (!d)
        return VR_RPC_FAILED;
    return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "node device '%s' is the host's, not a defined one: it "
                       "has no autostart to set", a->name);
}

/* Mediated devices and vHBAs are made by libvirt's nodedev driver;
 * vireod makes none. */
static vr_rpc_result create_xml(vr_rpc_call *c)
{
    return vr_rpc_fail(c, VIR_ERR_NO_SUPPORT, "%s: vireod creates no node devices (mediated devices and "
                       "vHBAs are not managed here)", c->proc->api);
}

static vr_rpc_result destroy(vr_rpc_call *c)
{
    vr_nodedev_list l;
    const vr_nodedev *d = find(c, &l, ((vrp_name_args *)c->args)->name);
    vr_nodedev_list_free(&l);
    if (!d)
        return VR_RPC_FAILED;
    return vr_rpc_fail(c, VIR_ERR_NO_SUPPORT, "%s: vireod destroys no node devices (only those virNodeDevice"
                       "CreateXML made can be, and it makes none)", c->proc->api);
}

/* No SCSI host is listed, so none has the names asked for. */
static vr_rpc_result scsi_host_by_wwn(vr_rpc_call *c)
{
    vrp_nodedev_wwn_args *a = c->args;
    return vr_rpc_fail(c, VIR_ERR_NO_NODE_DEVICE, "no node device for SCSI host with wwnn '%s' and wwpn '%s'",
                       a->wwnn, a->wwpn);
}

const vr_rpc_proc vr_rpc_nodedev_procs[] = {
    VR_RPC_PROC(111, "virNodeNumOfDevices", vrp_node_num_args, vrp_int_ret, num_of_devices, READ),
    VR_RPC_PROC(112, "virNodeListDevices", vrp_nodedev_list_args, vrp_nodedev_names_ret, list_devices, READ),
    VR_RPC_PROC(113, "virNodeDeviceLookupByName", vrp_name_args, vrp_nodedev_ret, lookup_by_name, READ),
    VR_RPC_PROC(114, "virNodeDeviceGetXMLDesc", vrp_nodedev_xml_args, vrp_str_ret, get_xml, READ),
    VR_RPC_PROC(115, "virNodeDeviceGetParent", vrp_name_args, vrp_nodedev_parent_ret, get_parent, READ),
    VR_RPC_PROC(116, "virNodeDeviceNumOfCaps", vrp_name_args, vrp_int_ret, num_of_caps, READ),
    VR_RPC_PROC(117, "virNodeDeviceListCaps", vrp_nodedev_caps_args, vrp_nodedev_names_ret, list_caps, READ),
    VR_RPC_PROC(118, "virNodeDeviceDettach", vrp_name_args, vrp_void, dettach, WRITE),
    VR_RPC_PROC(119, "virNodeDeviceReAttach", vrp_name_args, vrp_void, reattach, WRITE),
    VR_RPC_PROC(120, "virNodeDeviceReset", vrp_name_args, vrp_void, reset, WRITE),
    VR_RPC_PROC(123, "virNodeDeviceCreateXML", vrp_xml_flags_args, vrp_nodedev_ret, create_xml, WRITE),
    VR_RPC_PROC(124, "virNodeDeviceDestroy", vrp_name_args, vrp_void, destroy, WRITE),
    VR_RPC_PROC(285, "virConnectListAllNodeDevices", vrp_list_args, vrp_nodedev_list_all_ret, list_all, READ),
    VR_RPC_PROC(297, "virNodeDeviceLookupSCSIHostByWWN", vrp_nodedev_wwn_args, vrp_nodedev_ret, scsi_host_by_wwn,
                READ),
    VR_RPC_PROC(301, "virNodeDeviceDetachFlags", vrp_nodedev_detach_flags_args, vrp_void, detach_flags, WRITE),
    VR_RPC_PROC(433, "virNodeDeviceGetAutostart", vrp_name_args, vrp_int_ret, get_autostart, READ),
    VR_RPC_PROC(434, "virNodeDeviceSetAutostart", vrp_nodedev_autostart_args, vrp_void, set_autostart, WRITE),
    VR_RPC_PROC(435, "virNodeDeviceIsPersistent", vrp_name_args, vrp_int_ret, is_persistent, READ),
    VR_RPC_PROC(436, "virNodeDeviceIsActive", vrp_name_args, vrp_int_ret, is_active, READ),
    {0},
};
