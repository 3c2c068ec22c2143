/* The host's node devices from sysfs (core/nodedev.h). */
#include "core/nodedev.h"
#include "common/file.h"
#include "common/util.h"
#include "core/host_sysinfo.h"
#include "wire/schemas.h"

#include <ctype.h>
#include <dirent.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *cap;
    unsigned flag; /* VIR_CONNECT_LIST_NODE_DEVICES_CAP_* */
} caps[] = {
    [VR_NODEDEV_SYSTEM] = {"system", 1u << 0},
    [VR_NODEDEV_PCI] = {"pci", 1u << 1},
    [VR_NODEDEV_USB] = {"usb_device", 1u << 2},
    [VR_NODEDEV_NET] = {"net", 1u << 4},
};

const char *vr_nodedev_cap_name(vr_nodedev_kind kind) { return caps[kind].cap; }
unsigned vr_nodedev_cap_flag(vr_nodedev_kind kind) { return caps[kind].flag; }

bool vr_nodedev_cap_kind(const char *cap, vr_nodedev_kind *kind)
{
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        if (strcmp(caps[i].cap, cap) == 0) {
            *kind = (vr_nodedev_kind)i;
            return true;
        }
    return false;
}

/* DIR/FILE's first line, NULL when absent or empty. */
static char *first_line(const char *dir, const char *file)
{
    char *path = vr_asprintf("%s/%s", dir, file);
    char *s = vr_file_first_line(path);
    free(path);
    return s;
}

/* The last component of DIR/LINK's target (a driver, an IOMMU group), or NULL. */
static char *link_base(const char *dir, const char *link)
{
    char *path = vr_asprintf("%s/%s", dir, link), target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    free(path);
    if (n <= 0)
        return NULL;
    target[n] = '\0';
    const char *slash = strrchr(target, '/');
    return vr_strdup(slash ? slash + 1 : target);
}

/* libvirt's node device names: every character but letters, digits and
 * '_' becomes '_' (udevGenerateDeviceName). */
static char *device_name(const char *fmt_prefix, const char *a, const char *b)
{
    char *name = b ? vr_asprintf("%s%s_%s", fmt_prefix, a, b) : vr_asprintf("%s%s", fmt_prefix, a);
    for (char *p = name + strlen(fmt_prefix); *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            *p = '_';
    return name;
}

static void add(vr_nodedev_list *l, char *name, char *real, const char *realroot, vr_nodedev_kind kind)
{
    l->devs = vr_realloc(l->devs, (l->n + 1) * sizeof(*l->devs));
    vr_nodedev *d = &l->devs[l->n++];
    memset(d, 0, sizeof(*d));
    d->name = name;
    d->kind = kind;
    if (real) {
        d->real = real;
        d->path = vr_asprintf("/sys%s", real + strlen(realroot));
    }
}

/* Every entry of SYSROOT/SUB (symlinks into devices/) of `kind`. */
static void add_dir(vr_nodedev_list *l, const char *sysroot, const char *realroot, const char *sub,
                    vr_nodedev_kind kind)
{
    char *dir = vr_asprintf("%s/%s", sysroot, sub);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *entry = vr_asprintf("%s/%s", dir, e->d_name);
        char *real = realpath(entry, NULL);
        free(entry);
        char *name = NULL;
        if (!real || strncmp(real, realroot, strlen(realroot)) != 0) {
            /* outside the tree: not a device of this sysfs */
        } else if (kind == VR_NODEDEV_PCI) {
            name = device_name("pci_", e->d_name, NULL);
        } else if (kind == VR_NODEDEV_USB) {
            /* Devices are "1-1.2" and root hubs "usb1"; "1-1:1.0" is an interface. */
            char *vendor = strchr(e->d_name, ':') ? NULL : first_line(real, "idVendor");
            if (vendor)
                name = device_name("usb_", e->d_name, NULL);
            free(vendor);
        } else {
            char *mac = first_line(real, "address");
            if (mac)
                name = device_name("net_", e->d_name, mac);
            free(mac);
        }
        if (name)
            add(l, name, real, realroot, kind);
        else
            free(real);
    }
    if (d)
        closedir(d);
    free(dir);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const vr_nodedev *)a)->name, ((const vr_nodedev *)b)->name);
}

void vr_nodedev_scan(const char *sysroot, vr_nodedev_list *out)
{
    memset(out, 0, sizeof(*out));
    add(out, vr_strdup("computer"), NULL, NULL, VR_NODEDEV_SYSTEM);
    char *realroot = realpath(sysroot, NULL);
    if (!realroot)
        return;
    add_dir(out, sysroot, realroot, "bus/pci/devices", VR_NODEDEV_PCI);
    add_dir(out, sysroot, realroot, "bus/usb/devices", VR_NODEDEV_USB);
    add_dir(out, sysroot, realroot, "class/net", VR_NODEDEV_NET);
    qsort(out->devs + 1, out->n - 1, sizeof(*out->devs), by_name);
    /* Each under the nearest listed device above it (a USB device under
     * its hub, a NIC under its PCI function past the virtio device
     * between them), else under computer, as libvirt's udev backend. */
    size_t root_len = strlen(realroot);
    for (size_t i = 1; i < out->n; i++) {
        char *up = vr_strdup(out->devs[i].real);
        for (char *slash; !out->devs[i].parent && (slash = strrchr(up, '/')) && (size_t)(slash - up) > root_len;) {
            *slash = '\0';
            for (size_t k = 1; k < out->n; k++)
                if (strcmp(out->devs[k].real, up) == 0)
                    out->devs[i].parent = vr_strdup(out->devs[k].name);
        }
        if (!out->devs[i].parent)
            out->devs[i].parent = vr_strdup("computer");
        free(up);
    }
    free(realroot);
}

void vr_nodedev_list_free(vr_nodedev_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->devs[i].name);
        free(l->devs[i].parent);
        free(l->devs[i].path);
        free(l->devs[i].real);
    }
    free(l->devs);
    memset(l, 0, sizeof(*l));
}

const vr_nodedev *vr_nodedev_find(const vr_nodedev_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->devs[i].name, name) == 0)
            return &l->devs[i];
    return NULL;
}

/* ---- the XML ---- */

static xmlNodePtr text(xmlNodePtr parent, const char *name, const char *value)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST value);
}

static void prop(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

/* <NAME> from DIR/FILE when that file has a value. */
static void text_from(xmlNodePtr parent, const char *name, const char *dir, const char *file)
{
    char *v = first_line(dir, file);
    if (v)
        text(parent, name, v);
    free(v);
}

/* <vendor id='0x8086'>Intel Corporation</vendor> and the same for the
 * product: a named one when `vname`/`pname` is known. */
static void id_element(xmlNodePtr cap, const char *element, const char *id, const char *label)
{
    xmlNodePtr e = text(cap, element, label);
    prop(e, "id", id);
}

/* The vendor's and product's names in pci.ids (hex ids without 0x). */
static void pci_names(const char *ids, const char *vendor, const char *product, char **vname, char **pname)
{
    *vname = *pname = NULL;
    FILE *f = ids ? fopen(ids, "r") : NULL;
    char line[512];
    bool in_vendor = false;
    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        if (line[0] != '\t') {
            if (in_vendor || strncmp(line, "C ", 2) == 0)
                break; /* past the vendor, or into the class list */
            in_vendor = strncasecmp(line, vendor, 4) == 0 && line[4] == ' ';
            if (in_vendor)
                *vname = vr_strdup(line + 4 + strspn(line + 4, " "));
        } else if (in_vendor && line[1] != '\t' && strncasecmp(line + 1, product, 4) == 0 && line[5] == ' ') {
            *pname = vr_strdup(line + 5 + strspn(line + 5, " "));
            break;
        }
    }
    if (f)
        fclose(f);
}

/* A PCI or USB device's vendor [0] and product [1]: ids ("0x8086") and
 * names (pci.ids' for PCI, the device's own strings for USB; NULL when
 * unnamed); free each. */
static void device_ids(const char *pci_ids, const vr_nodedev *d, char *id[2], char *label[2])
{
    id[0] = id[1] = label[0] = label[1] = NULL;
    if (d->kind == VR_NODEDEV_PCI) {
        id[0] = first_line(d->real, "vendor"), id[1] = first_line(d->real, "device");
        if (id[0] && id[1] && strlen(id[0]) == 6 && strlen(id[1]) == 6)
            pci_names(pci_ids, id[0] + 2, id[1] + 2, &label[0], &label[1]);
    } else if (d->kind == VR_NODEDEV_USB) {
        const char *const files[][2] = {{"idVendor", "manufacturer"}, {"idProduct", "product"}};
        for (int i = 0; i < 2; i++) {
            char *raw = first_line(d->real, files[i][0]);
            id[i] = raw ? vr_asprintf("0x%s", raw) : NULL;
            label[i] = first_line(d->real, files[i][1]);
            free(raw);
        }
    }
}

/* <product id=...>name</product><vendor id=...>name</vendor>, libvirt's order. */
static void ids_elements(xmlNodePtr cap, const char *pci_ids, const vr_nodedev *d)
{
    char *id[2], *label[2];
    device_ids(pci_ids, d, id, label);
    id_element(cap, "product", id[1] ? id[1] : "0x0000", label[1]);
    id_element(cap, "vendor", id[0] ? id[0] : "0x0000", label[0]);
    for (int i = 0; i < 2; i++)
        free(id[i]), free(label[i]);
}

/* A PCI Express device (libvirt's <pci-express/>): an extended config
 * space (4096 bytes, as this host's host bridge has without the
 * capability), or capability 0x10 in the config space's list. */
static bool pci_express(const char *real)
{
    enum { STATUS = 0x06, CAP_LIST = 0x10, CAP_PTR = 0x34, CAP_EXP = 0x10 };
    char *path = vr_asprintf("%s/config", real);
    size_t len = 0;
    unsigned char *cfg = (unsigned char *)vr_file_read(path, &len);
    free(path);
    bool yes = len > 256;
    if (cfg && !yes && len >= 64 && (cfg[STATUS] & CAP_LIST)) {
        unsigned at = cfg[CAP_PTR] & ~3u;
        for (int hops = 0; at >= 64 && at + 1 < len && hops < 48 && !yes; hops++) {
            yes = cfg[at] == CAP_EXP;
            at = cfg[at + 1] & ~3u;
        }
    }
    free(cfg);
    return yes;
}

static void pci_cap(xmlNodePtr cap, const char *sysroot, const char *ids, const vr_nodedev *d)
{
    const char *sysname = strrchr(d->real, '/') + 1;
    unsigned dom = 0, bus = 0, slot = 0, fn = 0;
    sscanf(sysname, "%x:%x:%x.%x", &dom, &bus, &slot, &fn);
    char *cls = first_line(d->real, "class"), num[32];
    snprintf(num, sizeof(num), "0x%06lx", cls ? strtoul(cls, NULL, 16) : 0ul);
    free(cls);
    text(cap, "class", num);
    const unsigned v[] = {dom, bus, slot, fn};
    const char *const names[] = {"domain", "bus", "slot", "function"};
    for (int i = 0; i < 4; i++) {
        snprintf(num, sizeof(num), "%u", v[i]);
        text(cap, names[i], num);
    }
    ids_elements(cap, ids, d);
    char *group = link_base(d->real, "iommu_group");
    if (group) {
        xmlNodePtr g = xmlNewChild(cap, NULL, BAD_CAST "iommuGroup", NULL);
        prop(g, "number", group);
        char *gdir = vr_asprintf("%s/kernel/iommu_groups/%s/devices", sysroot, group);
        DIR *dd = opendir(gdir);
        for (struct dirent *e; dd && (e = readdir(dd));) {
            unsigned a[4];
            if (sscanf(e->d_name, "%x:%x:%x.%x", &a[0], &a[1], &a[2], &a[3]) != 4)
                continue;
            xmlNodePtr ad = xmlNewChild(g, NULL, BAD_CAST "address", NULL);
            const int width[] = {4, 2, 2, 1};
            for (int i = 0; i < 4; i++) {
                snprintf(num, sizeof(num), "0x%0*x", width[i], a[i]);
                prop(ad, names[i], num);
            }
        }
        if (dd)
            closedir(dd);
        free(gdir);
        free(group);
    }
    char *numa = first_line(d->real, "numa_node");
    if (numa && atoi(numa) >= 0)
        prop(xmlNewChild(cap, NULL, BAD_CAST "numa", NULL), "node", numa);
    free(numa);
    if (pci_express(d->real))
        xmlNewChild(cap, NULL, BAD_CAST "pci-express", NULL);
}

static void usb_cap(xmlNodePtr cap, const vr_nodedev *d)
{
    text_from(cap, "bus", d->real, "busnum");
    text_from(cap, "device", d->real, "devnum");
    ids_elements(cap, NULL, d);
}

static void net_cap(xmlNodePtr cap, const vr_nodedev *d)
{
    text(cap, "interface", strrchr(d->real, '/') + 1);
    text_from(cap, "address", d->real, "address");
    char *state = first_line(d->real, "operstate"), *speed = first_line(d->real, "speed");
    xmlNodePtr link = xmlNewChild(cap, NULL, BAD_CAST "link", NULL);
    if (speed && state && strcmp(state, "up") == 0 && atoi(speed) > 0)
        prop(link, "speed", speed);
    prop(link, "state", state ? state : "unknown");
    free(state), free(speed);
    char *wireless = vr_asprintf("%s/wireless", d->real);
    prop(xmlNewChild(cap, NULL, BAD_CAST "capability", NULL), "type", vr_path_exists(wireless) ? "80211" : "80203");
    free(wireless);
}

/* The host's SMBIOS facts, as libvirt's system capability has them; the
 * uuid all zeros where the host has none (as libvirt says then). */
static void system_cap(xmlNodePtr cap, const char *sysroot)
{
    char *dmi = vr_asprintf("%s/class/dmi/id", sysroot);
    text_from(cap, "product", dmi, "product_name");
    xmlNodePtr hw = xmlNewChild(cap, NULL, BAD_CAST "hardware", NULL);
    text_from(hw, "vendor", dmi, "sys_vendor");
    text_from(hw, "version", dmi, "product_version");
    text_from(hw, "serial", dmi, "product_serial");
    char *uuid = first_line(dmi, "product_uuid");
    text(hw, "uuid", uuid ? uuid : "00000000-0000-0000-0000-000000000000");
    free(uuid);
    xmlNodePtr fw = xmlNewChild(cap, NULL, BAD_CAST "firmware", NULL);
    text_from(fw, "vendor", dmi, "bios_vendor");
    text_from(fw, "version", dmi, "bios_version");
    text_from(fw, "release_date", dmi, "bios_date");
    free(dmi);
}

char *vr_nodedev_xml(const char *sysroot, const char *pci_ids, const vr_nodedev *d)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "device");
    xmlDocSetRootElement(doc, root);
    text(root, "name", d->name);
    if (d->path)
        text(root, "path", d->path);
    if (d->kind == VR_NODEDEV_USB) {
        char *bus = first_line(d->real, "busnum"), *dev = first_line(d->real, "devnum");
        if (bus && dev) {
            char *node = vr_asprintf("/dev/bus/usb/%03d/%03d", atoi(bus), atoi(dev));
            prop(text(root, "devnode", node), "type", "dev");
            free(node);
        }
        free(bus), free(dev);
    }
    if (d->parent)
        text(root, "parent", d->parent);
    char *driver = d->real ? link_base(d->real, "driver") : NULL;
    if (driver)
        text(xmlNewChild(root, NULL, BAD_CAST "driver", NULL), "name", driver);
    free(driver);
    xmlNodePtr cap = xmlNewChild(root, NULL, BAD_CAST "capability", NULL);
    prop(cap, "type", vr_nodedev_cap_name(d->kind));
    switch (d->kind) {
    case VR_NODEDEV_SYSTEM: system_cap(cap, sysroot); break;
    case VR_NODEDEV_PCI: pci_cap(cap, sysroot, pci_ids, d); break;
    case VR_NODEDEV_USB: usb_cap(cap, d); break;
    case VR_NODEDEV_NET: net_cap(cap, d); break;
    }
    return vr_host_xml_text(doc);
}

/* ---- the list's facts (GET /v1/nodedevs) ---- */

/* virNodeDevCapType's names in libvirt 9.0: what virsh nodedev-list --cap accepts. */
static const char *const libvirt_caps[] = {
    "system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target", "scsi", "storage", "fc_host", "vports",
    "scsi_generic", "drm", "mdev_types", "mdev", "ccw", "css", "vdpa", "ap_card", "ap_queue", "ap_matrix", "vpd",
};

/* Whether d has one of the comma-separated capabilities in `cap`
 * (NULL or empty: any); false with *err for a name libvirt has not. */
static bool cap_matches(const char *cap, const vr_nodedev *d, char **err)
{
    if (!cap || !*cap)
        return true;
    bool match = false;
    char *list = vr_strdup(cap), *save = NULL;
    for (char *one = strtok_r(list, ",", &save); one && !*err; one = strtok_r(NULL, ",", &save)) {
        bool known = false;
        for (size_t i = 0; i < sizeof(libvirt_caps) / sizeof(libvirt_caps[0]); i++)
            known = known || strcmp(libvirt_caps[i], one) == 0;
        vr_nodedev_kind kind;
        if (!known)
            *err = vr_asprintf("unknown node device capability '%s': give one of libvirt's (system, pci, "
                               "usb_device, net, scsi_host, storage ...), or several separated by commas", one);
        else if (vr_nodedev_cap_kind(one, &kind) && kind == d->kind)
            match = true;
    }
    free(list);
    return match && !*err;
}

vr_err vr_nodedev_summaries(const char *sysroot, const char *pci_ids, const char *cap, vireo_nodedev **out,
                            size_t *n, char **err)
{
    vr_nodedev_list l;
    vr_nodedev_scan(sysroot, &l);
    *out = vr_calloc(l.n, sizeof(**out));
    *n = 0;
    *err = NULL;
    for (size_t i = 0; i < l.n && !*err; i++) {
        const vr_nodedev *d = &l.devs[i];
        if (!cap_matches(cap, d, err))
            continue;
        vireo_nodedev *v = &(*out)[(*n)++];
        v->name = vr_strdup(d->name);
        v->parent = d->parent ? vr_strdup(d->parent) : NULL;
        v->capabilities = vr_calloc(1, sizeof(char *));
        v->capabilities[v->n_capabilities++] = vr_strdup(vr_nodedev_cap_name(d->kind));
        v->driver = d->real ? link_base(d->real, "driver") : NULL;
        char *id[2], *label[2];
        device_ids(pci_ids, d, id, label);
        v->vendor = label[0], v->product = label[1];
        free(id[0]), free(id[1]);
        char *group = d->kind == VR_NODEDEV_PCI ? link_base(d->real, "iommu_group") : NULL;
        v->iommu_group = group ? atoi(group) : -1;
        free(group);
    }
    vr_nodedev_list_free(&l);
    if (*err) {
        vr_wire_array_free(&vr_wire_nodedev, *out, *n);
        *out = NULL;
        *n = 0;
        return VR_ERR_INVALID;
    }
    return VR_OK;
}

vr_err vr_nodedev_xml_of(const char *sysroot, const char *pci_ids, const char *name, char **xml, char **err)
{
    vr_nodedev_list l;
    vr_nodedev_scan(sysroot, &l);
    const vr_nodedev *d = vr_nodedev_find(&l, name);
    *xml = d ? vr_nodedev_xml(sysroot, pci_ids, d) : NULL;
    *err = d ? NULL : vr_asprintf("no node device '%s': `vireo nodedev-list` lists them", name);
    vr_nodedev_list_free(&l);
    return d ? VR_OK : VR_ERR_NOT_FOUND;
}
