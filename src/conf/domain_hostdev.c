/* <hostdev>: a device of the host given to the guest. A USB one
 * (type='usb', QEMU's usb-host) and a PCI one (type='pci', QEMU's
 * vfio-pci: the host's side in src/host/vfio.c) are parsed, checked and
 * run; any other type is refused by name. */
#include "conf/domain_priv.h"
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* <source> of a USB hostdev: <vendor id/> and <product id/>, or <address bus device/>. */
static int parse_usb_source(vr_parse_state *st, const xmlNode *src, vr_hostdev_usb_def *h)
{
    if (vr_xml_check_attrs(src, ATTRS(NULL), st->err) < 0 || vr_xml_check_no_text(src, st->err) < 0)
        return -1;
    bool vendor = false, product = false;
    for (xmlNode *c = vr_xml_first(src); c; c = vr_xml_next(c)) {
        const char *name = (const char *)c->name;
        unsigned long long v = 0, w = 0;
        int rc;
        if (strcmp(name, "vendor") == 0 || strcmp(name, "product") == 0) {
            bool *seen = name[0] == 'v' ? &vendor : &product;
            if (*seen)
                return vr_parse_duplicate(c, st->err);
            if (vr_xml_check_attrs(c, ATTRS("id"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
                (rc = vr_xml_attr_uint(c, "id", 0, 0xffff, &v, st->err)) < 0)
                return -1;
            if (rc == 0)
                return vr_xml_error(c, st->err, "<%s> needs an id (0x046d)", name);
            *seen = true;
            *(name[0] == 'v' ? &h->vendor : &h->product) = (unsigned)v;
        } else if (strcmp(name, "address") == 0) {
            if (h->has_addr)
                return vr_parse_duplicate(c, st->err);
            if (vr_xml_check_attrs(c, ATTRS("bus", "device"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
                (rc = vr_xml_attr_uint(c, "bus", 1, 0xffff, &v, st->err)) < 0 ||
                vr_xml_attr_uint(c, "device", 1, 0xffff, &w, st->err) < 0)
                return -1;
            if (!v || !w)
                return vr_xml_error(c, st->err, "<source><address> needs bus and device (lsusb's Bus and Device)");
            h->bus = (unsigned)v;
            h->device = (unsigned)w;
            h->has_addr = true;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    if (vendor != product)
        return vr_xml_error(src, st->err, "<hostdev type='usb'> <source> needs both <vendor id> and "
                            "<product id> (lsusb's ID 046d:c52b)");
    h->has_id = vendor;
    if (!h->has_id && !h->has_addr)
        return vr_xml_error(src, st->err, "<hostdev type='usb'> <source> names no device: give <vendor "
                            "id>/<product id> or <address bus device>");
    return 0;
}

/* <hostdev mode='subsystem' type managed>: the attributes of every type. */
static int parse_head(vr_parse_state *st, const xmlNode *n, vr_tristate *managed)
{
    int i, rc;
    bool yes;
    if (vr_xml_check_attrs(n, ATTRS("mode", "type", "managed"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0 || vr_xml_attr_enum(n, "mode", ATTRS("subsystem"), &i, st->err) < 0 ||
        (rc = vr_xml_attr_bool(n, "managed", "yes", "no", &yes, st->err)) < 0)
        return -1;
    *managed = rc ? (yes ? VR_TRISTATE_ON : VR_TRISTATE_OFF) : VR_TRISTATE_DEFAULT;
    return 0;
}

/* A child that stands once: -1 with the error when it stood before
 * (*seen), else 0 and *seen. */
static int once(vr_parse_state *st, const xmlNode *c, bool *seen)
{
    if (*seen)
        return vr_parse_duplicate(c, st->err);
    *seen = true;
    return 0;
}

/* A child no type of its own takes: the device's <address> on the
 * guest's side, <alias> or <boot> (vr_parse_is_devinfo), else refused. */
static int parse_other_child(vr_parse_state *st, const xmlNode *c, vr_address *addr)
{
    if (!vr_parse_is_devinfo(c))
        return vr_xml_unsupported(c, st->err);
    return vr_parse_address(st, c, addr) < 0 ? -1 : 0;
}

static int parse_usb(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_hostdev_usb_def *h = VR_PUSH(def->usb_hostdevs, def->n_usb_hostdevs);
    h->line = vr_xml_line(n);
    if (parse_head(st, n, &h->managed) < 0)
        return -1;
    bool source = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc = strcmp((const char *)c->name, "source") == 0
                     ? (once(st, c, &source) < 0 ? -1 : parse_usb_source(st, c, h))
                     : parse_other_child(st, c, &h->addr);
        if (rc < 0)
            return -1;
    }
    if (!source)
        return vr_xml_error(n, st->err, "<hostdev type='usb'> needs a <source> naming the device");
    return 0;
}

/* <source> of a PCI hostdev: <address domain bus slot function/>. */
static int parse_pci_source(vr_parse_state *st, const xmlNode *src, vr_hostdev_pci_def *h)
{
    if (vr_xml_check_attrs(src, ATTRS(NULL), st->err) < 0 || vr_xml_check_no_text(src, st->err) < 0)
        return -1;
    bool seen = false;
    for (xmlNode *c = vr_xml_first(src); c; c = vr_xml_next(c)) {
        if (strcmp((const char *)c->name, "address") != 0)
            return vr_xml_unsupported(c, st->err);
        if (seen)
            return vr_parse_duplicate(c, st->err);
        seen = true;
        unsigned long long d = 0, b = 0, s = 0, f = 0;
        int rb;
        if (vr_xml_check_attrs(c, ATTRS("type", "domain", "bus", "slot", "function"), st->err) < 0 ||
            vr_xml_check_empty(c, st->err) < 0 || vr_xml_attr_uint(c, "domain", 0, 0xffff, &d, st->err) < 0 ||
            (rb = vr_xml_attr_uint(c, "bus", 0, 0xff, &b, st->err)) < 0 ||
            vr_xml_attr_uint(c, "slot", 0, 0x1f, &s, st->err) < 0 ||
            vr_xml_attr_uint(c, "function", 0, 7, &f, st->err) < 0)
            return -1;
        char *type = vr_xml_attr(c, "type");
        bool pci = !type || strcmp(type, "pci") == 0;
        free(type);
        if (!pci)
            return vr_xml_error(c, st->err, "<hostdev type='pci'> <source><address type> must be 'pci'");
        if (!rb)
            return vr_xml_error(c, st->err, "<hostdev type='pci'> <source><address> needs domain, bus, slot "
                                "and function (lspci -D's 0000:01:00.0)");
        h->domain = (unsigned)d, h->bus = (unsigned)b, h->slot = (unsigned)s, h->function = (unsigned)f;
    }
    if (!seen)
        return vr_xml_error(src, st->err, "<hostdev type='pci'> <source> needs <address domain bus slot "
                            "function> (lspci -D's 0000:01:00.0)");
    return 0;
}

/* <rom bar='on|off' file='...' enabled='yes|no'/>. */
static int parse_rom(vr_parse_state *st, const xmlNode *c, vr_hostdev_pci_def *h)
{
    bool v;
    int rc;
    if (vr_xml_check_attrs(c, ATTRS("bar", "file", "enabled"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
        (rc = vr_xml_attr_bool(c, "bar", "on", "off", &v, st->err)) < 0)
        return -1;
    h->rombar = rc ? (v ? VR_TRISTATE_ON : VR_TRISTATE_OFF) : VR_TRISTATE_DEFAULT;
    if ((rc = vr_xml_attr_bool(c, "enabled", "yes", "no", &v, st->err)) < 0)
        return -1;
    h->rom_disabled = rc && !v;
    h->romfile = vr_xml_attr(c, "file");
    if (h->romfile && h->romfile[0] != '/')
        return vr_xml_error(c, st->err, "<rom file='%s'> needs an absolute path", h->romfile);
    return 0;
}

static int parse_pci(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_hostdev_pci_def *h = VR_PUSH(def->pci_hostdevs, def->n_pci_hostdevs);
    h->line = vr_xml_line(n);
    int i;
    vr_tristate managed;
    if (parse_head(st, n, &managed) < 0)
        return -1;
    h->managed = managed == VR_TRISTATE_ON; /* libvirt's default: no */
    bool source = false, rom = false, driver = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        const char *name = (const char *)c->name;
        int rc;
        if (strcmp(name, "source") == 0) {
            rc = once(st, c, &source) < 0 ? -1 : parse_pci_source(st, c, h);
        } else if (strcmp(name, "driver") == 0) {
            h->driver_vfio = true;
            rc = once(st, c, &driver) < 0 || vr_xml_check_attrs(c, ATTRS("name"), st->err) < 0 ||
                         vr_xml_check_empty(c, st->err) < 0 ||
                         vr_xml_attr_enum(c, "name", ATTRS("vfio"), &i, st->err) < 0
                     ? -1
                     : 0;
        } else if (strcmp(name, "rom") == 0) {
            rc = once(st, c, &rom) < 0 ? -1 : parse_rom(st, c, h);
        } else {
            rc = parse_other_child(st, c, &h->addr);
        }
        if (rc < 0)
            return -1;
    }
    if (!source)
        return vr_xml_error(n, st->err, "<hostdev type='pci'> needs a <source> naming the device");
    if (h->addr.type != VR_ADDR_NONE && h->addr.type != VR_ADDR_PCI)
        return vr_xml_error(n, st->err, "<hostdev type='pci'> sits on the guest's PCI bus: its "
                            "<address> must be type='pci'");
    return 0;
}

int vr_parse_hostdev(vr_parse_state *st, const xmlNode *n)
{
    char *type = vr_xml_attr(n, "type");
    int t = !type ? -1 : strcmp(type, "usb") == 0 ? 0 : strcmp(type, "pci") == 0 ? 1 : -1;
    free(type);
    if (t == 0)
        return parse_usb(st, n);
    if (t == 1)
        return parse_pci(st, n);
    int i;
    if (vr_xml_attr_enum(n, "type", ATTRS("usb", "pci"), &i, st->err) < 0)
        return -1;
    return vr_xml_error(n, st->err, "<hostdev> needs type='pci' or type='usb'");
}

void vr_format_pci_hostdevs(xmlNode *devs, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_pci_hostdevs; i++) {
        const vr_hostdev_pci_def *h = &def->pci_hostdevs[i];
        xmlNode *n = vr_xml_new_child(devs, "hostdev");
        vr_xml_new_prop(n, "mode", "subsystem");
        vr_xml_new_prop(n, "type", "pci");
        vr_xml_new_prop(n, "managed", h->managed ? "yes" : "no");
        if (h->driver_vfio)
            vr_xml_new_prop(vr_xml_new_child(n, "driver"), "name", "vfio");
        xmlNode *a = vr_xml_new_child(vr_xml_new_child(n, "source"), "address");
        vr_xml_new_propf(a, "domain", "0x%04x", h->domain);
        vr_xml_new_propf(a, "bus", "0x%02x", h->bus);
        vr_xml_new_propf(a, "slot", "0x%02x", h->slot);
        vr_xml_new_propf(a, "function", "0x%x", h->function);
        if (h->rombar || h->romfile || h->rom_disabled) {
            xmlNode *r = vr_xml_new_child(n, "rom");
            if (h->rom_disabled)
                vr_xml_new_prop(r, "enabled", "no");
            if (h->rombar)
                vr_xml_new_prop(r, "bar", h->rombar == VR_TRISTATE_ON ? "on" : "off");
            if (h->romfile)
                vr_xml_new_prop(r, "file", h->romfile);
        }
        vr_format_address(n, &h->addr);
    }
}

void vr_format_usb_hostdevs(xmlNode *devs, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_usb_hostdevs; i++) {
        const vr_hostdev_usb_def *h = &def->usb_hostdevs[i];
        xmlNode *n = vr_xml_new_child(devs, "hostdev");
        vr_xml_new_prop(n, "mode", "subsystem");
        vr_xml_new_prop(n, "type", "usb");
        if (h->managed)
            vr_xml_new_prop(n, "managed", h->managed == VR_TRISTATE_ON ? "yes" : "no");
        xmlNode *src = vr_xml_new_child(n, "source");
        if (h->has_id) {
            vr_xml_new_propf(vr_xml_new_child(src, "vendor"), "id", "0x%04x", h->vendor);
            vr_xml_new_propf(vr_xml_new_child(src, "product"), "id", "0x%04x", h->product);
        }
        if (h->has_addr) {
            xmlNode *a = vr_xml_new_child(src, "address");
            vr_xml_new_propf(a, "bus", "%u", h->bus);
            vr_xml_new_propf(a, "device", "%u", h->device);
        }
        vr_format_address(n, &h->addr);
    }
}
