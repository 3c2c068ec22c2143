/* desc: a domain's <title> and <description>, live (the running
 * definition: no QEMU involved) and in its persistent definition, with
 * virsh's --live/--config/--current. */
#include "drivers/qemu/qemu_hotplug.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static void set_field(vr_domain_def *def, bool title, const char *text)
{
    char **field = title ? &def->title : &def->description;
    free(*field);
    *field = text && *text ? vr_strdup(text) : NULL;
}

vr_err vr_qemu_set_description(vr_domain *dom, bool title, const char *text, unsigned flags, char **err)
{
    if (title && text && strpbrk(text, "\r\n")) {
        vr_set_error(err, "a title is one line; put longer text in the description (desc without --title)");
        return VR_ERR_INVALID;
    }
    flags = vr_qemu_affect(dom, flags);
    vr_err code = vr_hp_check(dom, flags, "change", err);
    if (code != VR_OK)
        return code;
    if (flags & VR_AFFECT_CONFIG) {
        vr_domain_def *cfg = vr_domain_def_copy(vr_hp_config_def(dom));
        set_field(cfg, title, text);
        code = vr_hp_config_replace(dom, cfg, err);
        if (code != VR_OK)
            return code;
    }
    if (flags & VR_AFFECT_LIVE) {
        vr_domain_def *live = vr_domain_def_copy(dom->def);
        set_field(live, title, text);
        vr_hp_live_replace(dom, live);
    }
    return VR_OK;
}

const char *vr_qemu_description(const vr_domain *dom, bool title, bool inactive)
{
    const vr_domain_def *def = inactive ? vr_hp_config_def(dom) : dom->def;
    return title ? def->title : def->description;
}
