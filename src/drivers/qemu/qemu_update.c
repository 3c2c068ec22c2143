/* update-device and domif-setlink: a device changed in place.
 *
 * What QEMU changes on a running guest: a CD-ROM's medium (change-media,
 * qemu_media.c) and an interface's link (QMP set_link: the guest sees
 * its carrier go and come back). Anything else that differs from the
 * device as it runs (an interface's source, model, a disk's bus) is
 * refused by name: detach and attach it instead. The persistent
 * definition (--config) takes the new element whole, validated as define
 * would. An interface's link is also set at start (qemu_driver.c). */
#include "conf/domain_device.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "drivers/qemu/qmp.h"
#include "common/log.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* What differs between an interface as it runs and as asked, besides
 * its link and a tap's bridge (*replug: <source network> or <source
 * bridge> of a type network or bridge interface, which moves live): the
 * element's name, or NULL. */
static const char *iface_change(const vr_interface_def *now, const vr_interface_def *want, bool *replug)
{
    *replug = false;
    if (now->type != want->type)
        return "type";
    bool tap = now->type == VR_NET_NETWORK || now->type == VR_NET_BRIDGE;
    if (!same(now->source_dev, want->source_dev) || now->source_mode != want->source_mode)
        return "<source>";
    if (!same(now->source_network, want->source_network) || !same(now->source_bridge, want->source_bridge)) {
        if (!tap)
            return "<source>";
        *replug = true;
    }
    if (now->model != want->model)
        return "<model>";
    if (want->target_dev && !same(now->target_dev, want->target_dev))
        return "<target>";
    return NULL;
}

/* The running tap of the interface with this MAC onto the bridge of
 * `want`'s source (the network driver's), and `live` says so. */
static vr_err replug(vr_domain *dom, const char *mac, const vr_interface_def *want, vr_interface_def *live,
                     char **err)
{
    int k = vr_hp_nic_number(dom, mac);
    const char *tap = k >= 0 && (size_t)k < dom->n_ifnames ? dom->ifnames[k] : NULL;
    if (!tap || !dom->drv->net.replug) {
        vr_set_error(err, "the run of domain '%s' has no tap for the interface with MAC %s to move", dom->def->name,
                     mac);
        return VR_ERR_FAILED;
    }
    if (dom->drv->net.replug(dom->drv->net.opaque, tap, want, err) < 0)
        return VR_ERR_FAILED;
    vr_log_info("domain %s: interface %s (%s) moved to %s %s", dom->def->name, mac, tap,
                want->type == VR_NET_NETWORK ? "network" : "bridge",
                want->type == VR_NET_NETWORK ? want->source_network : want->source_bridge);
    char **fields[] = {&live->source_network, &live->source_bridge};
    const char *values[] = {want->source_network, want->source_bridge};
    for (size_t i = 0; i < 2; i++) {
        free(*fields[i]);
        *fields[i] = values[i] ? vr_strdup(values[i]) : NULL;
    }
    return VR_OK;
}

/* The same for a CD-ROM, besides its medium. */
static const char *disk_change(const vr_disk_def *now, const vr_disk_def *want)
{
    if (now->device != want->device)
        return "device";
    if (now->bus != want->bus)
        return "<target bus>";
    if (now->readonly != want->readonly)
        return "<readonly>";
    if (now->error_policy != want->error_policy || now->rerror_policy != want->rerror_policy)
        return "<driver error_policy rerror_policy>"; /* the device's werror/rerror, set when it is made */
    if (!vr_iotune_equal(&now->iotune, &want->iotune))
        return "<iotune> (blkdeviotune changes it live)"; /* as libvirt */
    return NULL;
}

/* The set_link step for the running NIC with this MAC. */
static vr_err link_step(vr_hp *h, const char *mac, bool down, char **err)
{
    int k = vr_hp_nic_number(h->dom, mac);
    if (k < 0) {
        vr_set_error(err, "the run of domain '%s' has no record of the interface with MAC %s", h->dom->def->name,
                     mac);
        return VR_ERR_FAILED;
    }
    json_object *a = json_object_new_object();
    char *nic = vr_asprintf("nic%d", k);
    json_object_object_add(a, "name", json_object_new_string(nic));
    json_object_object_add(a, "up", json_object_new_boolean(!down));
    vr_hp_step(h, "set_link", a, NULL, NULL);
    free(nic);
    return VR_OK;
}

/* The running tap of the interface with this MAC shaped as `bw` (the
 * network driver's tc); when that fails, as `old` again. */
static vr_err bandwidth_step(vr_domain *dom, const char *mac, const vr_bandwidth_def *bw,
                             const vr_bandwidth_def *old, char **err)
{
    int k = vr_hp_nic_number(dom, mac);
    const char *tap = k >= 0 && (size_t)k < dom->n_ifnames ? dom->ifnames[k] : NULL;
    if (!tap || !dom->drv->net.set_bandwidth) {
        vr_set_error(err, "the run of domain '%s' has no tap for the interface with MAC %s to shape",
                     dom->def->name, mac);
        return VR_ERR_FAILED;
    }
    if (dom->drv->net.set_bandwidth(dom->drv->net.opaque, tap, bw, err) < 0) {
        char *again = NULL;
        if (dom->drv->net.set_bandwidth(dom->drv->net.opaque, tap, old, &again) < 0)
            vr_log_warn("domain %s: interface %s (%s): its former <bandwidth> not restored: %s",
                           dom->def->name, mac, tap, again);
        free(again);
        return VR_ERR_FAILED;
    }
    vr_log_info("domain %s: interface %s (%s) bandwidth in %llu out %llu KiB/s", dom->def->name, mac, tap,
                bw->in.average, bw->out.average);
    return VR_OK;
}

/* `def` as the element `xml` would have it: the device it names taken
 * out, the new element put in. NULL with *err. The user alias, as
 * libvirt has it (qemu_driver.c, qemuDomainUpdateDeviceConfig and
 * qemuDomainChangeDiskLive; domain_conf.c, virDomainDefCompatibleDevice):
 * the persistent definition takes the element's own, none when it gives
 * none (two devices with one alias refused as at define); the running
 * domain keeps its device's, and refuses an element naming another. */
static vr_domain_def *replaced(const vr_domain_def *def, const char *xml, bool live, vr_device_kind *kind,
                               size_t *old, size_t *index, char **err)
{
    if (vr_domain_def_find_device(def, xml, kind, old, err) < 0)
        return NULL;
    vr_domain_def *without = vr_domain_def_without_device(def, *kind, *old, err);
    vr_domain_def *with = without ? vr_domain_def_with_device(without, xml, kind, index, err) : NULL;
    vr_domain_def_free(without);
    vr_address *was = *kind == VR_DEVICE_DISK        ? &def->disks[*old].addr
                      : *kind == VR_DEVICE_INTERFACE ? &def->interfaces[*old].addr
                                                     : NULL;
    vr_address *now = !with || !was || !live         ? NULL
                      : *kind == VR_DEVICE_DISK      ? &with->disks[*index].addr
                                                     : &with->interfaces[*index].addr;
    if (now && !*now->alias)
        memcpy(now->alias, was->alias, sizeof(now->alias));
    else if (now && strcmp(now->alias, was->alias) != 0) {
        vr_set_error(err, "changing device alias is not allowed (it is '%s' in the running domain; the new element "
                          "gives '%s'): leave <alias> out, or give it with --config alone",
                     *was->alias ? was->alias : "none", now->alias);
        vr_domain_def_free(with);
        with = NULL;
    }
    return with;
}

void vr_qemu_update_device(vr_domain *dom, const char *xml, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, "change the device in", &err);
    size_t old = 0, idx = 0;
    vr_device_kind kind = VR_DEVICE_DISK;
    if (code == VR_OK && (h->flags & VR_AFFECT_CONFIG) &&
        !(h->config = replaced(vr_hp_config_def(dom), xml, false, &kind, &old, &idx, &err)))
        code = VR_ERR_INVALID;
    vr_domain_def *want = NULL;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE) && !(want = replaced(dom->def, xml, true, &kind, &old, &idx, &err)))
        code = VR_ERR_INVALID;
    if (code == VR_OK && kind == VR_DEVICE_MEMORY) {
        vr_set_error(&err, "update-device changes a <disk> (a CD-ROM's medium) or an <interface>, not a "
                           "<memory> device");
        code = VR_ERR_UNSUPPORTED;
    }
    const char *change = NULL;
    if (code == VR_OK && want && kind == VR_DEVICE_DISK) {
        const vr_disk_def *now = &dom->def->disks[old], *d = &want->disks[idx];
        if (now->device != VR_DISK_DEVICE_CDROM)
            change = "a disk that is no CD-ROM (only a CD-ROM's medium changes live; blockresize and "
                     "blockcopy change a disk)";
        else if (!(change = disk_change(now, d)) &&
                 (d->type == VR_DISK_NETWORK || (d->type != VR_DISK_FILE && (d->source_path || d->source_volume))))
            change = "<source> other than a file";
        if (!change) {
            /* a medium: change-media's work, in both definitions the flags name */
            char *source = d->source_path ? vr_strdup(d->source_path) : NULL, *target = vr_strdup(now->target_dev);
            unsigned affect = h->flags;
            vr_domain_def_free(want);
            h->cb = NULL;
            vr_hp_finish(h, VR_OK, NULL);
            vr_qemu_change_media(dom, target, source, affect, cb, opaque);
            free(source);
            free(target);
            return;
        }
    } else if (code == VR_OK && want) {
        const vr_interface_def *now = &dom->def->interfaces[old], *in = &want->interfaces[idx];
        bool move;
        if (!(change = iface_change(now, in, &move))) {
            h->live = vr_domain_def_copy(dom->def);
            h->live->interfaces[old].link_down = in->link_down;
            if (move)
                code = replug(dom, now->mac, in, &h->live->interfaces[old], &err);
            if (code == VR_OK && !vr_bandwidth_equal(&now->bandwidth, &in->bandwidth)) {
                code = bandwidth_step(dom, now->mac, &in->bandwidth, &now->bandwidth, &err);
                h->live->interfaces[old].bandwidth = in->bandwidth;
            }
            if (code == VR_OK)
                code = link_step(h, now->mac, in->link_down, &err);
        }
    }
    if (code == VR_OK && change) {
        vr_set_error(&err, "QEMU cannot change %s of this %s while the domain runs; use --config for the next "
                           "start, or detach and attach it",
                     change, kind == VR_DEVICE_DISK ? "disk" : "interface");
        code = VR_ERR_UNSUPPORTED;
    }
    vr_domain_def_free(want);
    vr_hp_go(h, code, err, h->flags & VR_AFFECT_LIVE, vr_hp_replace_end);
}

/* The interface `key` names in `def`: its MAC, its <target dev>, or
 * the tap the run made for it (in the persistent definition: the one
 * with that tap's MAC). */
static int iface_index(const vr_domain *dom, const vr_domain_def *def, const char *key)
{
    int i = vr_domain_def_find_interface(def, key);
    for (size_t k = 0; i < 0 && k < def->n_interfaces; k++)
        if (same(def->interfaces[k].target_dev, key))
            i = (int)k;
    for (size_t k = 0; i < 0 && k < dom->n_ifnames && k < dom->def->n_interfaces; k++)
        if (same(dom->ifnames[k], key))
            i = def == dom->def ? (int)k : vr_domain_def_find_interface(def, dom->def->interfaces[k].mac);
    return i;
}

/* A change of one interface in the definitions the flags name: `edit`
 * changes the copy of each (and, live, the run). */
typedef vr_err (*iface_edit_fn)(vr_hp *h, vr_interface_def *in, bool live, const void *arg, char **err);

static void iface_edit(vr_domain *dom, const char *iface, unsigned flags, const char *what, iface_edit_fn edit,
                       const void *arg, vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, what, &err);
    const vr_domain_def *defs[2] = {h->flags & VR_AFFECT_LIVE ? dom->def : NULL,
                                    h->flags & VR_AFFECT_CONFIG ? vr_hp_config_def(dom) : NULL};
    vr_domain_def **out[2] = {&h->live, &h->config};
    for (size_t k = 0; k < 2 && code == VR_OK; k++) {
        int i = defs[k] ? iface_index(dom, defs[k], iface) : -1;
        if (!defs[k])
            continue;
        if (i < 0) {
            vr_set_error(&err, "domain '%s' has no interface %s%s (domiflist shows them)", dom->def->name, iface,
                         k ? " in its persistent definition" : "");
            code = VR_ERR_NOT_FOUND;
            break;
        }
        *out[k] = vr_domain_def_copy(defs[k]);
        code = edit(h, &(*out[k])->interfaces[i], k == 0, arg, &err);
    }
    vr_hp_go(h, code, err, h->flags & VR_AFFECT_LIVE, vr_hp_replace_end);
}

static vr_err link_edit(vr_hp *h, vr_interface_def *in, bool live, const void *arg, char **err)
{
    in->link_down = *(const bool *)arg;
    return live ? link_step(h, in->mac, in->link_down, err) : VR_OK;
}

void vr_qemu_set_link(vr_domain *dom, const char *iface, bool down, unsigned flags, vr_done_fn cb, void *opaque)
{
    iface_edit(dom, iface, flags, "set the link in", link_edit, &down, cb, opaque);
}

typedef struct {
    const vr_bandwidth_rate *in, *out;
} iftune_arg;

static vr_err iftune_edit(vr_hp *h, vr_interface_def *in, bool live, const void *arg, char **err)
{
    const iftune_arg *a = arg;
    vr_bandwidth_def old = in->bandwidth;
    if (in->type != VR_NET_NETWORK && in->type != VR_NET_BRIDGE) {
        vr_set_error(err, "interface %s is of type '%s': Vireo shapes the taps it makes (type network "
                          "or bridge), not this one", in->mac, in->type == VR_NET_DIRECT ? "direct" : "user");
        return VR_ERR_UNSUPPORTED;
    }
    if (a->in)
        in->bandwidth.in = *a->in;
    if (a->out)
        in->bandwidth.out = *a->out;
    if (vr_bandwidth_check(&in->bandwidth, err) < 0)
        return VR_ERR_INVALID;
    return live ? bandwidth_step(h->dom, in->mac, &in->bandwidth, &old, err) : VR_OK;
}

void vr_qemu_set_iftune(vr_domain *dom, const char *iface, const vr_bandwidth_rate *in,
                        const vr_bandwidth_rate *out, unsigned flags, vr_done_fn cb, void *opaque)
{
    iface_edit(dom, iface, flags, "tune the interface in", iftune_edit, &(iftune_arg){in, out}, cb, opaque);
}

vr_err vr_qemu_iface_get(vr_domain *dom, const char *iface, unsigned flags, const vr_interface_def **out,
                         char **err)
{
    unsigned f = vr_qemu_affect(dom, flags);
    if ((f & VR_AFFECT_LIVE) && (f & VR_AFFECT_CONFIG)) {
        vr_set_error(err, "ask for the live or the persistent values, not both");
        return VR_ERR_INVALID;
    }
    const vr_domain_def *def = f & VR_AFFECT_CONFIG ? vr_hp_config_def(dom) : dom->def;
    int i = iface_index(dom, def, iface);
    if (i < 0) {
        vr_set_error(err, "domain '%s' has no interface %s (domiflist shows them)", dom->def->name, iface);
        return VR_ERR_NOT_FOUND;
    }
    *out = &def->interfaces[i];
    return VR_OK;
}

void vr_qemu_links_at_start(vr_domain *dom)
{
    for (size_t i = 0; i < dom->def->n_interfaces; i++) {
        if (!dom->def->interfaces[i].link_down)
            continue;
        /* At start NIC K is interface K (qemu_command.c). */
        json_object *a = json_object_new_object();
        char *nic = vr_asprintf("nic%zu", i);
        json_object_object_add(a, "name", json_object_new_string(nic));
        json_object_object_add(a, "up", json_object_new_boolean(false));
        vr_qmp_command(dom->qmp, "set_link", a, NULL, NULL);
        free(nic);
    }
}
