/* <iommu model='intel'> (QEMU's intel-iommu, on q35) and the
 * <features><ioapic driver='qemu|kvm'/> it goes with: under KVM an
 * IOMMU that remaps interrupts needs QEMU's own IOAPIC (a split
 * irqchip), as libvirt requires. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <string.h>

static const char *const ioapic_names[] = {"", "qemu", "kvm", NULL};
static const char *const onoff[] = {"on", "off", NULL};

int vr_parse_ioapic(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    int i, rc;
    if (def->ioapic)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("driver"), st->err) < 0 || vr_xml_check_empty(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "driver", ioapic_names + 1, &i, st->err)) <= 0)
        return rc < 0 ? -1 : vr_xml_error(n, st->err, "<ioapic> needs driver='qemu' or 'kvm'");
    def->ioapic = (vr_ioapic_driver)(i + 1);
    return 0;
}

/* <driver intremap caching_mode eim iotlb>: each on/off. */
static int parse_driver(vr_parse_state *st, const xmlNode *n, vr_iommu_def *m)
{
    static const char *const names[] = {"intremap", "caching_mode", "eim", "iotlb", NULL};
    vr_tristate *fields[] = {&m->intremap, &m->caching_mode, &m->eim, &m->iotlb};
    if (vr_xml_check_attrs(n, names, st->err) < 0 || vr_xml_check_empty(n, st->err) < 0)
        return -1;
    for (int k = 0; names[k]; k++) {
        int i, rc = vr_xml_attr_enum(n, names[k], onoff, &i, st->err);
        if (rc < 0)
            return -1;
        *fields[k] = rc ? (i == 0 ? VR_TRISTATE_ON : VR_TRISTATE_OFF) : VR_TRISTATE_DEFAULT;
    }
    return 0;
}

int vr_parse_iommu(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (def->iommu.present)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("model"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i, rc = vr_xml_attr_enum(n, "model", ATTRS("intel"), &i, st->err);
    if (rc <= 0)
        return rc < 0 ? -1 : vr_xml_error(n, st->err, "<iommu> needs model='intel'");
    def->iommu.present = true;
    def->iommu.line = vr_xml_line(n);
    bool have_driver = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "driver"))
            rc = have_driver ? vr_parse_duplicate(c, st->err) : parse_driver(st, c, &def->iommu);
        else
            rc = vr_xml_unsupported(c, st->err);
        have_driver |= vr_xml_is(c, "driver");
        if (rc < 0)
            return -1;
    }
    return 0;
}

int vr_domain_iommu_complete(const vr_domain_def *def, char **err)
{
    const vr_iommu_def *m = &def->iommu;
    if (!m->present)
        return 0;
    if (!vr_domain_def_is_q35(def))
        return vr_dom_error(m->line, err, "<iommu model='intel'> needs a q35 machine");
    if (m->intremap == VR_TRISTATE_ON && def->ioapic != VR_IOAPIC_QEMU)
        return vr_dom_error(m->line, err, "<iommu><driver intremap='on'> needs <features><ioapic "
                            "driver='qemu'/>");
    if (m->eim == VR_TRISTATE_ON && m->intremap != VR_TRISTATE_ON)
        return vr_dom_error(m->line, err, "<iommu><driver eim='on'> needs intremap='on'");
    return 0;
}

void vr_format_ioapic(xmlNode *features, const vr_domain_def *def)
{
    if (def->ioapic)
        vr_xml_new_prop(vr_xml_new_child(features, "ioapic"), "driver", ioapic_names[def->ioapic]);
}

void vr_format_iommu(xmlNode *devs, const vr_domain_def *def)
{
    const vr_iommu_def *m = &def->iommu;
    if (!m->present)
        return;
    xmlNode *n = vr_xml_new_child(devs, "iommu");
    vr_xml_new_prop(n, "model", "intel");
    static const char *const names[] = {"intremap", "caching_mode", "eim", "iotlb"};
    const vr_tristate fields[] = {m->intremap, m->caching_mode, m->eim, m->iotlb};
    xmlNode *d = NULL;
    for (int k = 0; k < 4; k++)
        if (fields[k]) {
            d = d ? d : vr_xml_new_child(n, "driver");
            vr_xml_new_prop(d, names[k], fields[k] == VR_TRISTATE_ON ? "on" : "off");
        }
}
