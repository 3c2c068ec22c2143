/* <features><hyperv>: the Hyper-V enlightenments Windows guests use,
 * every one virt-install and libvirt write. Parsed into a state per
 * feature (vr_hyperv_def), written back in libvirt's order and form
 * (<hyperv mode='custom'>). The QEMU driver maps them to hv-* CPU
 * properties (qemu_command_hyperv.c). */
#include "conf/domain_parse.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's element names, in its order, indexed by vr_hyperv_feature. */
const char *const vr_hyperv_feature_names[] = {
    "relaxed", "vapic",    "spinlocks",       "vpindex", "runtime", "synic", "stimer", "reset",
    "vendor_id", "frequencies", "reenlightenment", "tlbflush", "ipi", "evmcs", "avic", "emsr_bitmap",
    "xmm_input", NULL,
};

/* The sub-features a feature element holds, each <NAME state='on|off'/>:
 * <stimer><direct/></stimer>, <tlbflush><direct/><extended/></tlbflush>
 * (libvirt 9's). NULL-terminated; the matching slots in `out`. */
static int parse_children(vr_parse_state *st, const xmlNode *n, const char *const *names, vr_tristate *const *out)
{
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        bool on = false;
        int rc, i = 0;
        while (names[i] && !vr_xml_is(c, names[i]))
            i++;
        if (!names[i])
            return vr_xml_unsupported(c, st->err);
        if (*out[i])
            return vr_parse_duplicate(c, st->err);
        if (vr_xml_check_attrs(c, ATTRS("state"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
            (rc = vr_xml_attr_bool(c, "state", "on", "off", &on, st->err)) < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(c, st->err, "<%s> needs state='on' or 'off'", names[i]);
        *out[i] = on ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
    }
    return 0;
}

static bool has_children(int f)
{
    return f == VR_HV_STIMER || f == VR_HV_TLBFLUSH;
}

static int parse_one(vr_parse_state *st, const xmlNode *c, vr_hyperv_def *hv)
{
    int f;
    for (f = 0; f < VR_HV_COUNT; f++)
        if (vr_xml_is(c, vr_hyperv_feature_names[f]))
            break;
    if (f == VR_HV_COUNT)
        return vr_xml_unsupported(c, st->err);
    if (hv->state[f])
        return vr_parse_duplicate(c, st->err);
    const char *const *attrs = f == VR_HV_SPINLOCKS   ? ATTRS("state", "retries")
                               : f == VR_HV_VENDOR_ID ? ATTRS("state", "value")
                                                      : ATTRS("state");
    if (vr_xml_check_attrs(c, attrs, st->err) < 0)
        return -1;
    if (has_children(f) ? vr_xml_check_no_text(c, st->err) < 0 : vr_xml_check_empty(c, st->err) < 0)
        return -1;
    bool on = false;
    int rc = vr_xml_attr_bool(c, "state", "on", "off", &on, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(c, st->err, "<%s> needs state='on' or 'off'", vr_hyperv_feature_names[f]);
    hv->state[f] = on ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
    if (f == VR_HV_SPINLOCKS && on) {
        unsigned long long r;
        /* libvirt's bounds: at least 4095 retries, 32 bits. */
        if ((rc = vr_xml_attr_uint(c, "retries", 4095, 0xffffffffULL, &r, st->err)) < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(c, st->err, "<spinlocks state='on'> needs retries (4095 or more)");
        hv->spinlock_retries = (unsigned)r;
    }
    if (f == VR_HV_VENDOR_ID && on) {
        char *v = vr_xml_attr(c, "value");
        if (!v || !*v || strlen(v) > 12 || strchr(v, ',')) {
            free(v);
            return vr_xml_error(c, st->err, "<vendor_id state='on'> needs a value of 1 to 12 "
                                            "characters without commas");
        }
        hv->vendor_id = v;
    }
    if (f == VR_HV_STIMER)
        return parse_children(st, c, ATTRS("direct"), (vr_tristate *const[]){&hv->stimer_direct});
    if (f == VR_HV_TLBFLUSH)
        return parse_children(st, c, ATTRS("direct", "extended"),
                              (vr_tristate *const[]){&hv->tlbflush_direct, &hv->tlbflush_extended});
    return 0;
}

int vr_parse_hyperv(vr_parse_state *st, const xmlNode *n)
{
    vr_hyperv_def *hv = &st->def->features.hyperv;
    if (hv->present)
        return vr_parse_duplicate(n, st->err);
    hv->present = true;
    int mode = 0;
    if (vr_xml_check_attrs(n, ATTRS("mode"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0 ||
        vr_xml_attr_enum(n, "mode", ATTRS("custom", "passthrough"), &mode, st->err) < 0)
        return -1;
    hv->passthrough = mode == 1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c))
        if (parse_one(st, c, hv) < 0)
            return -1;
    return 0;
}

static void format_child(xmlNode *parent, const char *name, vr_tristate t)
{
    if (t)
        xmlNewProp(xmlNewChild(parent, NULL, BAD_CAST name, NULL), BAD_CAST "state",
                   BAD_CAST(t == VR_TRISTATE_ON ? "on" : "off"));
}

void vr_format_hyperv(xmlNode *features, const vr_hyperv_def *hv)
{
    if (!hv->present)
        return;
    xmlNode *n = xmlNewChild(features, NULL, BAD_CAST "hyperv", NULL);
    xmlNewProp(n, BAD_CAST "mode", BAD_CAST(hv->passthrough ? "passthrough" : "custom"));
    for (int f = 0; f < VR_HV_COUNT; f++) {
        if (!hv->state[f])
            continue;
        bool on = hv->state[f] == VR_TRISTATE_ON;
        xmlNode *c = xmlNewChild(n, NULL, BAD_CAST vr_hyperv_feature_names[f], NULL);
        xmlNewProp(c, BAD_CAST "state", BAD_CAST(on ? "on" : "off"));
        if (f == VR_HV_SPINLOCKS && on) {
            char r[16];
            snprintf(r, sizeof(r), "%u", hv->spinlock_retries);
            xmlNewProp(c, BAD_CAST "retries", BAD_CAST r);
        }
        if (f == VR_HV_VENDOR_ID && on)
            xmlNewProp(c, BAD_CAST "value", BAD_CAST hv->vendor_id);
        if (f == VR_HV_STIMER)
            format_child(c, "direct", hv->stimer_direct);
        if (f == VR_HV_TLBFLUSH) {
            format_child(c, "direct", hv->tlbflush_direct);
            format_child(c, "extended", hv->tlbflush_extended);
        }
    }
}
