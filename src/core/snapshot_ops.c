#include "core/snapshot_ops.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

char *vr_core_snapshot_default_name(void) { return vr_asprintf("snapshot-%lld", (long long)time(NULL)); }

vr_err vr_core_snapshot_create_xml(vr_domain *dom, const char *xml, char **name, vr_done_fn cb, void *opaque,
                                   char **err)
{
    char *stamp = vr_core_snapshot_default_name();
    vr_snapshot_def *def = vr_snapshot_def_parse_new(xml, strlen(xml), stamp, err);
    free(stamp);
    if (!def)
        return VR_ERR_INVALID;
    *name = vr_strdup(def->name);
    vr_qemu_snapshot_create(dom, def->name, def->description, cb, opaque);
    vr_snapshot_def_free(def);
    return VR_OK;
}
