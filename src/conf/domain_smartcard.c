/* <smartcard>: a CCID smartcard reader for the guest, libvirt's forms
 * that QEMU can run: mode='host' (the host's cards through libcacard's
 * NSS backend) and mode='passthrough' with type='spicevmc' (the SPICE
 * client's card) or type='tcp' (a vscclient's socket). virt-install
 * writes type='tcp' on mode='host' too, which libvirt does not read:
 * accepted and not kept, as there. mode='host-certificates' needs an
 * NSS database of certificates Vireo does not keep: refused by name. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static int parse_tcp_source(vr_parse_state *st, const xmlNode *c, vr_smartcard_def *sc)
{
    int mode = 0;
    if (sc->service)
        return vr_parse_duplicate(c, st->err);
    if (vr_xml_check_attrs(c, ATTRS("mode", "host", "service"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
        vr_xml_attr_enum(c, "mode", ATTRS("connect", "bind"), &mode, st->err) < 0)
        return -1;
    sc->bind = mode == 1;
    sc->host = vr_xml_attr(c, "host");
    sc->service = vr_xml_attr(c, "service");
    if (!sc->service || !*sc->service || strspn(sc->service, "0123456789") != strlen(sc->service))
        return vr_xml_error(c, st->err, "<source> of a smartcard of type='tcp' needs service='PORT' (a number)");
    return 0;
}

int vr_parse_smartcard(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (def->smartcard)
        return vr_xml_error(n, st->err, "a domain has at most one <smartcard> in Vireo");
    vr_smartcard_def *sc = def->smartcard = vr_calloc(1, sizeof(*sc));
    sc->line = vr_xml_line(n);
    int mode, type = 0, rc;
    if (vr_xml_check_attrs(n, ATTRS("mode", "type"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0 ||
        (rc = vr_xml_attr_enum(n, "mode", ATTRS("host", "passthrough", "host-certificates"), &mode, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<smartcard> needs mode='host' or 'passthrough'");
    if (mode == 2)
        return vr_xml_error(n, st->err, "<smartcard mode='host-certificates'> needs an NSS database of "
                            "certificates, which Vireo does not keep; use mode='host' or 'passthrough'");
    sc->mode = mode == 0 ? VR_SMARTCARD_HOST : VR_SMARTCARD_PASSTHROUGH;
    if (sc->mode == VR_SMARTCARD_PASSTHROUGH) {
        if ((rc = vr_xml_attr_enum(n, "type", ATTRS("spicevmc", "tcp"), &type, st->err)) < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(n, st->err, "<smartcard mode='passthrough'> needs type='spicevmc' or 'tcp'");
        sc->tcp = type == 1;
    }
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (sc->tcp && vr_xml_is(c, "source")) {
            if (parse_tcp_source(st, c, sc) < 0)
                return -1;
        } else if (sc->tcp && vr_xml_is(c, "protocol")) {
            if (vr_xml_check_attrs(c, ATTRS("type"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
                vr_xml_attr_enum(c, "type", ATTRS("raw"), &type, st->err) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    if (sc->tcp && !sc->service)
        return vr_xml_error(n, st->err, "<smartcard type='tcp'> needs <source host service>");
    return 0;
}

void vr_format_smartcard(xmlNode *devs, const vr_domain_def *def)
{
    const vr_smartcard_def *sc = def->smartcard;
    if (!sc)
        return;
    xmlNode *n = vr_xml_new_child(devs, "smartcard");
    vr_xml_new_prop(n, "mode", sc->mode == VR_SMARTCARD_HOST ? "host" : "passthrough");
    if (sc->mode == VR_SMARTCARD_PASSTHROUGH)
        vr_xml_new_prop(n, "type", sc->tcp ? "tcp" : "spicevmc");
    if (!sc->tcp)
        return;
    xmlNode *s = vr_xml_new_child(n, "source");
    vr_xml_new_prop(s, "mode", sc->bind ? "bind" : "connect");
    if (sc->host)
        vr_xml_new_prop(s, "host", sc->host);
    vr_xml_new_prop(s, "service", sc->service);
    vr_xml_new_prop(vr_xml_new_child(n, "protocol"), "type", "raw");
}

void vr_smartcard_free(vr_smartcard_def *sc)
{
    if (!sc)
        return;
    free(sc->host);
    free(sc->service);
    free(sc);
}
