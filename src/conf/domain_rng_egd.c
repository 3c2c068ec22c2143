/* <rng><backend model='egd' type='tcp|unix'>: entropy from an EGD daemon
 * (the Entropy Gathering Daemon's protocol) on a socket, libvirt's form:
 * <source mode='connect|bind' host service/> or <source path/>, and
 * <protocol type='raw'/>. The QEMU driver gives QEMU a socket chardev
 * and an rng-egd object on it. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static int parse_source(vr_parse_state *st, const xmlNode *c, vr_rng_egd *egd)
{
    bool tcp = egd->type == VR_EGD_TCP;
    int mode = 0;
    if (egd->host || egd->path)
        return vr_parse_duplicate(c, st->err);
    if (vr_xml_check_attrs(c, tcp ? ATTRS("mode", "host", "service") : ATTRS("mode", "path"), st->err) < 0 ||
        vr_xml_check_empty(c, st->err) < 0 || vr_xml_attr_enum(c, "mode", ATTRS("connect", "bind"), &mode, st->err) < 0)
        return -1;
    egd->bind = mode == 1;
    if (!tcp) {
        egd->path = vr_xml_attr(c, "path");
        if (!egd->path)
            return vr_xml_error(c, st->err, "<source> of an egd backend of type='unix' needs path='...'");
        return vr_parse_abs_path(st, c, "<source path>", egd->path);
    }
    egd->host = vr_xml_attr(c, "host");
    egd->service = vr_xml_attr(c, "service");
    if (!egd->host && !egd->bind)
        return vr_xml_error(c, st->err, "<source mode='connect'> of an egd backend of type='tcp' needs host='...'");
    if (!egd->service || strspn(egd->service, "0123456789") != strlen(egd->service) || !*egd->service)
        return vr_xml_error(c, st->err, "<source> of an egd backend of type='tcp' needs service='PORT' (a number)");
    return 0;
}

int vr_parse_rng_egd(vr_parse_state *st, const xmlNode *n, vr_rng_egd *egd)
{
    int type, rc;
    if (vr_xml_check_attrs(n, ATTRS("model", "type"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0 ||
        (rc = vr_xml_attr_enum(n, "type", ATTRS("tcp", "unix"), &type, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<backend model='egd'> needs type='tcp' or 'unix' (the EGD daemon's "
                            "socket)");
    egd->type = type == 0 ? VR_EGD_TCP : VR_EGD_UNIX;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "source")) {
            if (parse_source(st, c, egd) < 0)
                return -1;
        } else if (vr_xml_is(c, "protocol")) {
            /* raw is the only protocol libvirt knows for egd. */
            if (vr_xml_check_attrs(c, ATTRS("type"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
                vr_xml_attr_enum(c, "type", ATTRS("raw"), &type, st->err) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    if (!egd->host && !egd->path && !egd->service)
        return vr_xml_error(n, st->err, "<backend model='egd'> needs a <source> (%s)",
                            egd->type == VR_EGD_TCP ? "host and service" : "path");
    return 0;
}

void vr_format_rng_egd(xmlNode *rng, const vr_rng_egd *egd)
{
    xmlNode *b = vr_xml_new_child(rng, "backend");
    vr_xml_new_prop(b, "model", "egd");
    vr_xml_new_prop(b, "type", egd->type == VR_EGD_TCP ? "tcp" : "unix");
    xmlNode *s = vr_xml_new_child(b, "source");
    vr_xml_new_prop(s, "mode", egd->bind ? "bind" : "connect");
    if (egd->host)
        vr_xml_new_prop(s, "host", egd->host);
    if (egd->service)
        vr_xml_new_prop(s, "service", egd->service);
    if (egd->path)
        vr_xml_new_prop(s, "path", egd->path);
    vr_xml_new_prop(vr_xml_new_child(b, "protocol"), "type", "raw");
}

void vr_rng_egd_free(vr_rng_egd *egd)
{
    free(egd->host);
    free(egd->service);
    free(egd->path);
}
