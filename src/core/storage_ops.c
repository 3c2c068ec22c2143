#include "core/storage_ops.h"
#include "common/util.h"
#include "conf/domain_device.h"

#include <stdlib.h>
#include <string.h>

void vr_core_vol_create_xml(vr_pool *p, const char *xml, vr_vol_created_fn done, void *opaque)
{
    char *err = NULL;
    vr_vol_def *def = vr_vol_def_parse(xml, strlen(xml), &err);
    if (def)
        vr_storage_vol_create_async(p, def, NULL, done, opaque);
    else
        done(VR_ERR_INVALID, err, NULL, opaque);
    vr_vol_def_free(def);
    free(err);
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

typedef struct {
    vr_storage_driver *drv;
    char *pool, *name;
    unsigned long long capacity; /* 0: the source's */
    vr_copy_progress_fn progress;
    vr_core_vol_done_fn done;
    void *opaque;
} create_from;

static void on_copy_progress(double percent, void *opaque)
{
    create_from *x = opaque;
    if (x->progress)
        x->progress(percent, x->opaque);
}

static void on_copied(vr_err code, const char *err, void *opaque)
{
    create_from *x = opaque;
    char *own = NULL;
    vr_vol_info v = {0};
    /* Found again by name: the pool may have gone while the copy ran. */
    vr_pool *p = code == VR_OK ? vr_storage_pool_lookup(x->drv, x->pool) : NULL;
    if (code == VR_OK && !p) {
        code = VR_ERR_NOT_FOUND;
        err = own = vr_asprintf("pool '%s' went away while volume '%s' was copied into it", x->pool, x->name);
    }
    if (code == VR_OK)
        code = vr_storage_vol_get(p, x->name, &v, &own);
    if (code == VR_OK && x->capacity > v.capacity) {
        code = vr_storage_vol_resize(p, x->name, x->capacity, false, &own);
        vr_vol_info_clear(&v);
        if (code == VR_OK)
            code = vr_storage_vol_get(p, x->name, &v, &own);
    }
    if (own)
        err = own;
    x->done(code, code == VR_OK ? NULL : err, code == VR_OK ? &v : NULL, x->opaque);
    vr_vol_info_clear(&v);
    free(own);
    free(x->pool);
    free(x->name);
    free(x);
}

vr_storage_copy *vr_core_vol_create_from(vr_storage_driver *drv, vr_pool *dst, const char *xml, vr_pool *src,
                                         const char *src_name, vr_copy_progress_fn progress,
                                         vr_core_vol_done_fn done, void *opaque, vr_err *code, char **err)
{
    vr_vol_def *def = vr_vol_def_parse(xml, strlen(xml), err);
    if (!def) {
        *code = VR_ERR_INVALID;
        return NULL;
    }
    vr_vol_info from;
    *code = vr_storage_vol_get(src, src_name, &from, err);
    if (*code != VR_OK) {
        vr_vol_def_free(def);
        return NULL;
    }
    /* RBD images and partitions are raw; elsewhere a copy keeps its
     * source's format. An XML that names another is refused: no
     * silent conversion. */
    vr_vol_format makes = dst->def->type == VR_POOL_RBD || dst->def->type == VR_POOL_DISK ? VR_VOL_RAW : from.format;
    if (strstr(xml, "<format") && def->format != makes) {
        vr_set_error(err, "the XML of volume '%s' asks for a %s volume, but a copy of %s (%s) into %s pool '%s' is %s "
                          "(a copy converts no formats: write <format type='%s'/>, or convert it afterwards with "
                          "qemu-img convert)",
                     def->name, vr_vol_format_name(def->format), src_name, vr_vol_format_name(from.format),
                     vr_pool_type_name(dst->def->type), dst->def->name, vr_vol_format_name(makes),
                     vr_vol_format_name(makes));
        *code = VR_ERR_UNSUPPORTED;
        vr_vol_info_clear(&from);
        vr_vol_def_free(def);
        return NULL;
    }
    vr_vol_info_clear(&from);
    create_from *x = vr_calloc(1, sizeof(*x));
    *x = (create_from){.drv = drv, .pool = vr_strdup(dst->def->name), .name = vr_strdup(def->name),
                       .capacity = def->capacity, .progress = progress, .done = done, .opaque = opaque};
    vr_storage_copy *copy =
        vr_storage_vol_clone_to(src, src_name, dst, def->name, on_copy_progress, on_copied, x, code, err);
    vr_vol_def_free(def);
    if (!copy) {
        free(x->pool);
        free(x->name);
        free(x);
    }
    return copy;
}
