/* A running guest's disks changed in place: change-media (a CD-ROM's
 * medium out, in, or swapped, with QMP's tray commands around
 * blockdev-add/-del of the medium's nodes file-T and drive-T) and
 * blockresize (block_resize of the disk's top node). */
#include "drivers/qemu/qemu_blocknode.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static json_object *id_arg(const char *id, bool force)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, "id", json_object_new_string(id));
    if (force)
        json_object_object_add(a, "force", json_object_new_boolean(true));
    return a;
}

static json_object *node(const char *prefix, const char *target)
{
    json_object *a = json_object_new_object();
    char *n = vr_asprintf("%s-%s", prefix, target);
    json_object_object_add(a, "node-name", json_object_new_string(n));
    free(n);
    return a;
}

/* A copy of `def` whose CD-ROM `target` holds `source` (NULL: none),
 * checked by the parser as define would. */
static vr_domain_def *with_medium(const vr_domain_def *def, const char *target, const char *source, char **err)
{
    vr_domain_def *copy = vr_domain_def_copy(def);
    int i = copy ? vr_domain_def_find_disk(copy, target) : -1;
    if (i < 0) {
        vr_domain_def_free(copy);
        vr_set_error(err, "domain '%s' has no disk %s", def->name, target);
        return NULL;
    }
    vr_disk_def *d = &copy->disks[i];
    free(d->source_path);
    free(d->source_pool);
    free(d->source_volume);
    free(d->resolved_path);
    d->source_pool = d->source_volume = d->resolved_path = NULL;
    d->source_path = source ? vr_strdup(source) : NULL;
    d->type = VR_DISK_FILE;
    vr_domain_def *out = vr_domain_def_copy(copy); /* through the parser */
    vr_domain_def_free(copy);
    if (!out)
        vr_set_error(err, "%s cannot be the medium of %s", source ? source : "no file", target);
    return out;
}

static vr_err check_cdrom(const vr_domain_def *def, const char *target, char **err)
{
    int i = vr_domain_def_find_disk(def, target);
    if (i < 0) {
        vr_set_error(err, "domain '%s' has no disk %s", def->name, target);
        return VR_ERR_NOT_FOUND;
    }
    if (def->disks[i].device != VR_DISK_DEVICE_CDROM) {
        vr_set_error(err, "disk %s of domain '%s' is not a cdrom; change-media changes removable media only",
                     target, def->name);
        return VR_ERR_INVALID;
    }
    return VR_OK;
}

void vr_qemu_change_media(vr_domain *dom, const char *target, const char *source, unsigned flags,
                          vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, "change the medium in", &err);
    if (code == VR_OK && (h->flags & VR_AFFECT_CONFIG) &&
        (code = check_cdrom(vr_hp_config_def(dom), target, &err)) == VR_OK &&
        !(h->config = with_medium(vr_hp_config_def(dom), target, source, &err)))
        code = VR_ERR_INVALID;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE) && (code = check_cdrom(dom->def, target, &err)) == VR_OK &&
        !(h->live = with_medium(dom->def, target, source, &err)))
        code = VR_ERR_INVALID;
    vr_disk_def *now = NULL, *want = NULL;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE)) {
        now = &dom->def->disks[vr_domain_def_find_disk(dom->def, target)];
        want = &h->live->disks[vr_domain_def_find_disk(h->live, target)];
        if (source)
            code = vr_qemu_disk_preflight(dom->drv, dom->def->name, want, &err);
    }
    bool live = h->flags & VR_AFFECT_LIVE;
    if (code == VR_OK && live) {
        /* The tray opens even when the guest locked it, as virsh's --force
         * does: the user asked for the change. */
        vr_hp_step(h, "blockdev-open-tray", id_arg(target, true), NULL, NULL);
        if (now->source_path || now->resolved_path) {
            vr_hp_step(h, "blockdev-remove-medium", id_arg(target, false), NULL, NULL);
            vr_hp_step(h, "blockdev-del", node("drive", target), NULL, NULL);
            vr_hp_step(h, "blockdev-del", node("file", target), NULL, NULL);
        }
        if (source && vr_hp_disk_nodes(h, want, source, &err) < 0) {
            code = VR_ERR_INVALID;
        } else if (source) {
            json_object *a = id_arg(target, false);
            char *n = vr_asprintf("drive-%s", target);
            json_object_object_add(a, "node-name", json_object_new_string(n));
            free(n);
            vr_hp_step(h, "blockdev-insert-medium", a, NULL, NULL);
            vr_hp_step(h, "blockdev-close-tray", id_arg(target, false), NULL, NULL);
            /* A throttled CD-ROM's limits need a medium to hold (qemu_iotune.c). */
            if (vr_iotune_any(&want->iotune))
                vr_hp_step(h, "block_set_io_throttle", vr_qemu_iotune_args(want), NULL, NULL);
        }
    }
    vr_hp_go(h, code, err, live, vr_hp_replace_end);
}

/* ---- blockresize ---- */

/* From query-named-block-nodes: the disk's current size; growing only;
 * then block_resize of its top node. */
static char *check_growth(vr_hp *h, json_object *ret)
{
    const char *want = h->top_node;
    long long size = -1;
    size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n && size < 0; i++) {
        json_object *e = json_object_array_get_idx(ret, i), *v = NULL, *img = NULL;
        if (json_object_object_get_ex(e, "node-name", &v) && strcmp(json_object_get_string(v), want) == 0 &&
            json_object_object_get_ex(e, "image", &img) && json_object_object_get_ex(img, "virtual-size", &v))
            size = json_object_get_int64(v);
    }
    if (size < 0)
        return vr_asprintf("QEMU does not report the size of disk %s of domain '%s'", h->key, h->dom->def->name);
    if (h->number < (unsigned long long)size)
        return vr_asprintf("disk %s of domain '%s' is %lld bytes; blockresize only grows a disk (shrinking "
                           "would cut off what the guest wrote at its end)",
                           h->key, h->dom->def->name, size);
    json_object *a = json_object_new_object();
    json_object_object_add(a, "node-name", json_object_new_string(h->top_node));
    json_object_object_add(a, "size", json_object_new_int64((int64_t)h->number));
    vr_hp_step(h, "block_resize", a, NULL, NULL);
    return NULL;
}

/* The disk's top node now: after a disk-only snapshot or a block job it
 * is no longer the start's drive-TARGET (qemu_blocknode.h). */
static char *resize_top(vr_hp *h, json_object *ret)
{
    const char *top = vr_qb_inserted(vr_qb_block_of(ret, h->key), "node-name");
    if (!top)
        return vr_asprintf("QEMU has no image in disk %s of domain '%s'", h->key, h->dom->def->name);
    h->top_node = vr_strdup(top);
    json_object *q = json_object_new_object();
    json_object_object_add(q, "flat", json_object_new_boolean(true));
    vr_hp_step(h, "query-named-block-nodes", q, NULL, NULL);
    h->steps[h->n - 1].on_reply = check_growth;
    return NULL;
}

static void resize_end(vr_hp *h)
{
    vr_hp_finish(h, VR_OK, NULL);
}

void vr_qemu_block_resize(vr_domain *dom, const char *key, unsigned long long bytes, vr_done_fn cb,
                          void *opaque)
{
    vr_hp *h = vr_hp_new(dom, VR_AFFECT_LIVE, cb, opaque);
    char *err = NULL;
    vr_err code = VR_OK;
    int i = -1;
    if (!vr_hp_active(dom)) {
        vr_set_error(&err, "domain '%s' is not running; resize its image with 'vireo vol-resize' instead",
                     dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if ((i = vr_domain_def_find_disk(dom->def, key)) < 0) {
        vr_set_error(&err, "domain '%s' has no disk %s", dom->def->name, key);
        code = VR_ERR_NOT_FOUND;
    } else if (dom->def->disks[i].device == VR_DISK_DEVICE_CDROM || dom->def->disks[i].readonly) {
        vr_set_error(&err, "disk %s of domain '%s' is read-only; it cannot be resized", key, dom->def->name);
        code = VR_ERR_INVALID;
    } else if (bytes == 0 || bytes > (1ULL << 60)) {
        vr_set_error(&err, "%llu bytes is not a size for a disk", bytes);
        code = VR_ERR_INVALID;
    }
    if (code != VR_OK) {
        vr_hp_finish(h, code, err);
        free(err);
        return;
    }
    h->key = vr_strdup(dom->def->disks[i].target_dev);
    /* QEMU's images grow in whole sectors. */
    h->number = (bytes + 511) / 512 * 512;
    vr_hp_step(h, "query-block", NULL, NULL, NULL);
    h->steps[h->n - 1].on_reply = resize_top;
    h->end = resize_end;
    vr_hp_run(h);
}
