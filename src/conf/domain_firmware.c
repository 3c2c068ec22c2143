/* <os><firmware>: the features a firmware picked for <os firmware='efi'>
 * must or must not have, libvirt's form:
 *   <firmware><feature enabled='yes' name='secure-boot'/>
 *             <feature enabled='no' name='enrolled-keys'/></firmware>
 * The QEMU driver picks by them (qemu_firmware.c). */
#include "conf/domain_parse.h"
#include "conf/xml_util.h"

#include <string.h>

static const char *const feature_names[] = {"enrolled-keys", "secure-boot", NULL};

int vr_parse_os_firmware(vr_parse_state *st, const xmlNode *n)
{
    vr_os_def *os = &st->def->os;
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "feature"))
            return vr_xml_unsupported(c, st->err);
        int f, rc;
        bool on = false;
        if (vr_xml_check_attrs(c, ATTRS("enabled", "name"), st->err) < 0 ||
            vr_xml_check_empty(c, st->err) < 0 ||
            (rc = vr_xml_attr_enum(c, "name", feature_names, &f, st->err)) < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(c, st->err, "<feature> of <firmware> needs name='secure-boot' or "
                                            "'enrolled-keys'");
        if ((rc = vr_xml_attr_bool(c, "enabled", "yes", "no", &on, st->err)) < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(c, st->err, "<feature name='%s'> needs enabled='yes' or 'no'",
                                feature_names[f]);
        vr_tristate *t = f == 0 ? &os->fw_enrolled_keys : &os->fw_secure_boot;
        if (*t)
            return vr_parse_duplicate(c, st->err);
        *t = on ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
    }
    return 0;
}

void vr_format_os_firmware(xmlNode *os_node, const vr_os_def *os)
{
    if (!os->fw_enrolled_keys && !os->fw_secure_boot)
        return;
    xmlNode *n = xmlNewChild(os_node, NULL, BAD_CAST "firmware", NULL);
    const vr_tristate v[] = {os->fw_enrolled_keys, os->fw_secure_boot};
    for (int f = 0; f < 2; f++) {
        if (!v[f])
            continue;
        xmlNode *c = xmlNewChild(n, NULL, BAD_CAST "feature", NULL);
        xmlNewProp(c, BAD_CAST "enabled", BAD_CAST(v[f] == VR_TRISTATE_ON ? "yes" : "no"));
        xmlNewProp(c, BAD_CAST "name", BAD_CAST feature_names[f]);
    }
}
