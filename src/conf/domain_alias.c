/* The automatic aliases libvirt gives the devices of a running domain
 * (libvirt's src/qemu/qemu_alias.c, qemuAssignDeviceAliases): written in
 * the live XML only, never in a stored definition, and accepted where a
 * client names a running device by its alias. */
#include "conf/domain_device.h"
#include "conf/domain_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* A disk: by its drive address on a SATA, IDE or SCSI bus (sata0-0-0,
 * scsi0-0-0-0 on a virtio-scsi controller), else by its target's index
 * (virtio-disk0 for vda). */
static char *disk_alias(const vr_disk_def *d)
{
    const char *bus = vr_disk_bus_names[d->bus];
    const vr_address *a = &d->addr;
    if (a->type == VR_ADDR_DRIVE && d->bus == VR_DISK_BUS_SCSI)
        return vr_asprintf("%s%u-%u-%u-%u", bus, a->controller, a->bus, a->target, a->unit);
    if (a->type == VR_ADDR_DRIVE)
        return vr_asprintf("%s%u-%u-%u", bus, a->controller, a->bus, a->unit);
    return vr_asprintf("%s-disk%d", bus, vr_disk_name_to_index(d->target_dev));
}

static char *controller_alias(const vr_domain_def *def, const vr_controller_def *c)
{
    switch (c->type) {
    case VR_CONTROLLER_PCI:
        if (c->model && strcmp(c->model, "pcie-root") == 0)
            return vr_asprintf("pcie.%u", c->index);
        return vr_asprintf("pci.%u", c->index);
    case VR_CONTROLLER_USB:
        return c->index == 0 ? vr_strdup("usb") : vr_asprintf("usb%u", c->index);
    case VR_CONTROLLER_SATA: /* q35's built-in AHCI is QEMU's "ide" */
    case VR_CONTROLLER_IDE:  /* as i440fx's built-in IDE */
        if (c->index == 0 && (c->type == VR_CONTROLLER_IDE) != vr_domain_def_is_q35(def))
            return vr_strdup("ide");
        break;
    default:
        break;
    }
    return vr_asprintf("%s%u", vr_controller_type_names[c->type], c->index);
}

char *vr_domain_live_alias(const vr_domain_def *def, const char *element, size_t i, const int *nics)
{
    if (strcmp(element, "disk") == 0 && i < def->n_disks)
        return disk_alias(&def->disks[i]);
    if (strcmp(element, "controller") == 0 && i < def->n_controllers)
        return controller_alias(def, &def->controllers[i]);
    if (strcmp(element, "interface") == 0)
        return vr_asprintf("net%d", nics ? nics[i] : (int)i);
    /* A serial console is its serial port (libvirt shares their info):
     * the port's user alias, else serialN. */
    if (strcmp(element, "console") == 0 && i < def->n_consoles && def->consoles[i].target == VR_CONSOLE_SERIAL) {
        for (size_t k = 0; k < def->n_serials; k++)
            if (def->serials[k].port == def->consoles[i].port && def->serials[k].addr.alias)
                return vr_strdup(def->serials[k].addr.alias);
        return vr_asprintf("serial%u", def->consoles[i].port);
    }
    if (strcmp(element, "memballoon") == 0)
        return def->memballoon.model == VR_MEMBALLOON_NONE ? NULL : vr_strdup("balloon0");
    static const struct {
        const char *element, *prefix;
    } numbered[] = {
        {"filesystem", "fs"},   {"smartcard", "smartcard"}, {"serial", "serial"},   {"console", "console"},
        {"channel", "channel"}, {"input", "input"},         {"sound", "sound"},     {"video", "video"},
        {"redirdev", "redir"},  {"hostdev", "hostdev"},     {"watchdog", "watchdog"}, {"rng", "rng"},
        {"tpm", "tpm"},         {"shmem", "shmem"},         {"hub", "hub"},         {"vsock", "vsock"},
        {"iommu", "iommu"},
    };
    for (size_t k = 0; k < VR_ARRAY_LEN(numbered); k++)
        if (strcmp(element, numbered[k].element) == 0)
            return vr_asprintf("%s%zu", numbered[k].prefix, i);
    return NULL; /* graphics, audio, panic, emulator: none in libvirt either */
}

void vr_domain_live_aliases(xmlNode *devices, const vr_domain_def *def, const int *nics)
{
    const char *names[32];
    size_t counts[32], n = 0;
    for (xmlNode *c = vr_xml_first(devices); c; c = vr_xml_next(c)) {
        size_t k = 0;
        while (k < n && strcmp(names[k], (const char *)c->name) != 0)
            k++;
        if (k == n && n < VR_ARRAY_LEN(names)) {
            names[n] = (const char *)c->name;
            counts[n++] = 0;
        }
        size_t i = k < n ? counts[k]++ : 0;
        xmlNode *address = NULL;
        bool has = false;
        for (xmlNode *d = vr_xml_first(c); d; d = vr_xml_next(d)) {
            has = has || vr_xml_is(d, "alias");
            if (vr_xml_is(d, "address"))
                address = d;
        }
        char *alias = has ? NULL : vr_domain_live_alias(def, (const char *)c->name, i, nics);
        if (!alias)
            continue;
        /* libvirt's place: before the <address>, else last. */
        xmlNode *a = xmlNewDocNode(c->doc, NULL, BAD_CAST "alias", NULL);
        xmlNewProp(a, BAD_CAST "name", BAD_CAST alias);
        if (address)
            xmlAddPrevSibling(address, a);
        else
            xmlAddChild(c, a);
        free(alias);
    }
}

int vr_domain_def_find_live_alias(const vr_domain_def *def, const char *alias, const int *nics,
                                  vr_device_kind *kind)
{
    const struct {
        const char *element;
        size_t n;
        vr_device_kind kind;
    } kinds[] = {{"disk", def->n_disks, VR_DEVICE_DISK}, {"interface", def->n_interfaces, VR_DEVICE_INTERFACE}};
    for (size_t k = 0; k < VR_ARRAY_LEN(kinds); k++)
        for (size_t i = 0; i < kinds[k].n; i++) {
            const vr_address *ua = kinds[k].kind == VR_DEVICE_DISK ? &def->disks[i].addr : &def->interfaces[i].addr;
            if (ua->alias)
                continue; /* a user alias is its live alias */
            char *a = vr_domain_live_alias(def, kinds[k].element, i, nics);
            bool same = a && strcmp(a, alias) == 0;
            free(a);
            if (same) {
                *kind = kinds[k].kind;
                return (int)i;
            }
        }
    return -1;
}
