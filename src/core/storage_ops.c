#include "core/storage_ops.h"

#include <string.h>

vr_err vr_core_vol_create_xml(vr_pool *p, const char *xml, vr_vol_info *out, char **err)
{
    vr_vol_def *def = vr_vol_def_parse(xml, strlen(xml), err);
    if (!def)
        return VR_ERR_INVALID;
    vr_err code = vr_storage_vol_create(p, def, NULL, out, err);
    vr_vol_def_free(def);
    return code;
}
