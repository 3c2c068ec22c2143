/* <hostdev>: a device of the host given to the guest. A USB one
 * (type='usb', QEMU's usb-host) is parsed, checked and run; a PCI one
 * (VFIO) is read whole and kept, its start refused with the reason
 * (qemu_tune.c looks at the host's IOMMU first). */
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

static int parse_usb(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_hostdev_usb_def *h = VR_PUSH(def->usb_hostdevs, def->n_usb_hostdevs);
    h->line = vr_xml_line(n);
    int i, rc;
    bool managed;
    if (vr_xml_check_attrs(n, ATTRS("mode", "type", "managed"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "mode", ATTRS("subsystem"), &i, st->err)) < 0)
        return -1;
    if ((rc = vr_xml_attr_bool(n, "managed", "yes", "no", &managed, st->err)) < 0)
        return -1;
    h->managed = rc ? (managed ? VR_TRISTATE_ON : VR_TRISTATE_OFF) : VR_TRISTATE_DEFAULT;
    bool source = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (strcmp((const char *)c->name, "source") == 0) {
            if (source)
                return vr_parse_duplicate(c, st->err);
            source = true;
            if (parse_usb_source(st, c, h) < 0)
                return -1;
        } else if (!vr_parse_is_devinfo(c)) {
            return vr_xml_unsupported(c, st->err);
        } else if (vr_parse_address(st, c, &h->addr) < 0) {
            return -1;
        }
    }
    if (!source)
        return vr_xml_error(n, st->err, "<hostdev type='usb'> needs a <source> naming the device");
    return 0;
}

int vr_parse_hostdev(vr_parse_state *st, const xmlNode *n)
{
    char *type = vr_xml_attr(n, "type");
    bool usb = type && strcmp(type, "usb") == 0;
    free(type);
    if (usb)
        return parse_usb(st, n);
    int rc = vr_parse_kept(st, n, VR_HOSTDEV_NOT_YET "; remove <hostdev> to run the guest without the device");
    if (rc == 0)
        st->def->kept[st->def->n_kept - 1].needs_iommu = true;
    return rc;
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
