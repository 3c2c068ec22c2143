/* <vsock model='virtio'><cid auto address/></vsock>: a virtio socket
 * between guest and host (AF_VSOCK), through the host's vhost_vsock. The
 * guest's context id is the XML's, or with auto='yes' one the driver picks
 * at start. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

int vr_parse_vsock(vr_parse_state *st, const xmlNode *n)
{
    vr_vsock_def *v = &st->def->vsock;
    if (v->present)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("model"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i, rc = vr_xml_attr_enum(n, "model", ATTRS("virtio"), &i, st->err);
    if (rc < 0)
        return -1;
    v->present = true;
    v->auto_cid = true;
    v->line = vr_xml_line(n);
    bool have_cid = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "cid") && !have_cid) {
            have_cid = true;
            bool autocid = false;
            unsigned long long cid;
            if (vr_xml_check_attrs(c, ATTRS("auto", "address"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0 ||
                (rc = vr_xml_attr_bool(c, "auto", "yes", "no", &autocid, st->err)) < 0)
                return -1;
            int ra = vr_xml_attr_uint(c, "address", 3, 0xfffffffeULL, &cid, st->err);
            if (ra < 0)
                return -1;
            /* An address without auto is a fixed one, as in libvirt. */
            v->auto_cid = rc ? autocid : !ra;
            v->cid = ra ? (unsigned)cid : 0;
            if (!v->auto_cid && !v->cid)
                return vr_xml_error(c, st->err, "<cid auto='no'> needs an address (3 or more)");
        } else if (vr_parse_is_devinfo(c)) {
            rc = vr_parse_address(st, c, &v->addr);
            if (rc < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    return 0;
}

void vr_format_vsock(xmlNode *devs, const vr_domain_def *def)
{
    const vr_vsock_def *v = &def->vsock;
    if (!v->present)
        return;
    xmlNode *n = vr_xml_new_child(devs, "vsock");
    vr_xml_new_prop(n, "model", "virtio");
    xmlNode *c = vr_xml_new_child(n, "cid");
    vr_xml_new_prop(c, "auto", v->auto_cid ? "yes" : "no");
    if (v->cid)
        vr_xml_new_propf(c, "address", "%u", v->cid);
    vr_format_address(n, &v->addr);
}
