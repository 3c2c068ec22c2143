#include "core/storage_ops.h"
#include "common/util.h"
#include "conf/domain_device.h"

#include <stdlib.h>
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

typedef struct {
    vr_qemu_driver *qemu;
    vr_storage_driver *storage;
    char *name, *disk;
    vr_done_fn cb;
    void *opaque;
} resize_ctx;

static void on_resized(vr_err code, const char *err, void *opaque)
{
    resize_ctx *r = opaque;
    vr_domain *dom = code == VR_OK ? vr_qemu_lookup(r->qemu, r->name) : NULL;
    int i = dom ? vr_domain_def_find_disk(dom->def, r->disk) : -1;
    char *path = i >= 0 ? vr_qemu_disk_path(r->qemu, &dom->def->disks[i], NULL) : NULL;
    vr_pool *pool = NULL;
    vr_vol_info vol = {0};
    if (path && r->storage && vr_storage_vol_by_path(r->storage, path, &pool, &vol, NULL) == VR_OK) {
        vr_storage_pool_refresh(pool, NULL);
        vr_vol_info_clear(&vol);
    }
    free(path);
    r->cb(code, err, r->opaque);
    free(r->name);
    free(r->disk);
    free(r);
}

void vr_core_block_resize(vr_qemu_driver *qemu, vr_storage_driver *storage, vr_domain *dom, const char *disk,
                          unsigned long long bytes, vr_done_fn cb, void *opaque)
{
    resize_ctx *r = vr_calloc(1, sizeof(*r));
    r->qemu = qemu;
    r->storage = storage;
    r->name = vr_strdup(dom->def->name);
    r->disk = vr_strdup(disk);
    r->cb = cb;
    r->opaque = opaque;
    vr_qemu_block_resize(dom, disk, bytes, on_resized, r);
}
