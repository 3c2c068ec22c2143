/* Checkpoints across the QEMU driver and qemu-img (checkpoint_ops.h). */
#include "core/checkpoint_ops.h"
#include "conf/domain_device.h"
#include "conf/names.h"
#include "drivers/storage/storage_img.h"
#include "common/log.h"
#include "common/util.h"

#include <json-c/json.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The disks that can hold a checkpoint's bitmap: writable disks (not
 * CD-ROMs, not read-only). */
static bool bitmap_disk(const vr_disk_def *d)
{
    return d->device == VR_DISK_DEVICE_DISK && !d->readonly;
}

vr_err vr_core_checkpoint_plan(vr_domain *dom, vr_checkpoint_def *def, char **err)
{
    const vr_domain_def *dd = dom->def;
    vr_checkpoint_def *old = NULL;
    if (vr_qemu_checkpoint_get(dom, def->name, &old, NULL) == VR_OK) {
        vr_checkpoint_def_free(old);
        vr_set_error(err, "domain '%s' already has a checkpoint '%s'", dd->name, def->name);
        return VR_ERR_CONFLICT;
    }
    for (size_t i = 0; i < def->n_disks; i++) {
        int k = vr_domain_def_find_disk(dd, def->disks[i].name);
        if (k < 0) {
            vr_set_error(err, "domain '%s' has no disk '%s' (domblklist shows its targets)", dd->name,
                         def->disks[i].name);
            return VR_ERR_NOT_FOUND;
        }
        if (def->disks[i].bitmap && !bitmap_disk(&dd->disks[k])) {
            vr_set_error(err, "disk '%s' of domain '%s' is read-only or removable media: it cannot hold a "
                              "checkpoint (give it checkpoint='no')", def->disks[i].name, dd->name);
            return VR_ERR_INVALID;
        }
    }
    size_t bitmaps = 0;
    for (size_t i = 0; i < dd->n_disks; i++) {
        const vr_disk_def *d = &dd->disks[i];
        vr_checkpoint_disk *cd = vr_checkpoint_def_disk(def, d->target_dev);
        if (!cd && bitmap_disk(d))
            vr_checkpoint_def_add_disk(def, d->target_dev, true, def->name);
        cd = vr_checkpoint_def_disk(def, d->target_dev);
        if (!cd || !cd->bitmap)
            continue;
        if (d->format != VR_DISK_QCOW2) {
            vr_set_error(err, "disk '%s' of domain '%s' is raw: a checkpoint's dirty bitmap lives in a qcow2 image "
                              "(convert it with qemu-img convert -O qcow2, or leave the disk out: checkpoint='no')",
                         d->target_dev, dd->name);
            return VR_ERR_INVALID;
        }
        bitmaps++;
    }
    if (!bitmaps) {
        vr_set_error(err, "domain '%s' has no qcow2 disk to hold checkpoint '%s'", dd->name, def->name);
        return VR_ERR_INVALID;
    }
    free(def->parent);
    def->parent = vr_qemu_checkpoint_last(dom);
    def->creation_time = time(NULL);
    return VR_OK;
}

vr_bitmap_op *vr_core_checkpoint_adds(const vr_checkpoint_def *def, size_t *n)
{
    vr_bitmap_op *ops = vr_calloc(def->n_disks + 1, sizeof(*ops));
    *n = 0;
    for (size_t i = 0; i < def->n_disks; i++)
        if (def->disks[i].bitmap)
            ops[(*n)++] = (vr_bitmap_op){VR_BITMAP_ADD, def->disks[i].name, def->disks[i].bitmap_name, NULL};
    return ops;
}

/* A shut-off domain's bitmaps, one `qemu-img bitmap` each: metadata
 * only, milliseconds. The first failure stops and is told. */
static vr_err offline_ops(vr_domain *dom, const vr_bitmap_op *ops, size_t n, char **err)
{
    for (size_t i = 0; i < n; i++) {
        int k = vr_domain_def_find_disk(dom->def, ops[i].target);
        char *path = k < 0 ? NULL : vr_qemu_disk_path(dom->drv, &dom->def->disks[k], err), *ierr = NULL;
        if (!path)
            return VR_ERR_FAILED;
        const char *img = vr_img_binary();
        const char *add[] = {img, "bitmap", "--add", "-f", "qcow2", path, ops[i].bitmap, NULL};
        const char *merge[] = {img, "bitmap", "--merge", ops[i].bitmap, "-f", "qcow2", path, ops[i].into, NULL};
        const char *rm[] = {img, "bitmap", "--remove", "-f", "qcow2", path, ops[i].bitmap, NULL};
        const char **argv = ops[i].kind == VR_BITMAP_ADD ? add : ops[i].kind == VR_BITMAP_MERGE ? merge : rm;
        int rc = vr_img_run((char *const *)argv, NULL, &ierr);
        if (rc < 0)
            vr_set_error(err, "qemu-img bitmap on %s (disk %s): %s", path, ops[i].target, ierr);
        free(ierr);
        free(path);
        if (rc < 0)
            return VR_ERR_FAILED;
    }
    return VR_OK;
}

/* ---- create ---- */

typedef struct {
    vr_qemu_driver *drv;
    char *domain;
    vr_checkpoint_def *def;
    vr_checkpoint_done_fn cb;
    void *opaque;
    bool frozen;   /* the guest agent froze the file systems: thaw before answering */
    bool redefine; /* the bitmaps were the images' already: a failure leaves them */
    vr_err code;   /* the bitmaps' outcome, kept while the thaw runs; the failure while they go again */
    char *err;
} create_ctx;

static void create_answer(create_ctx *c, vr_err code, const char *err)
{
    c->cb(code, err, code == VR_OK ? c->def->name : NULL, c->opaque);
    vr_checkpoint_def_free(c->def);
    free(c->domain);
    free(c->err);
    free(c);
}

/* The bitmaps are gone again (or could not go): the failure is told. */
static void bitmaps_undone(vr_err code, const char *err, void *opaque)
{
    create_ctx *c = opaque;
    char *m = code ? vr_asprintf("%s; its bitmaps could not be removed either (checkpoint-create --redefine of the "
                                 "same name, then checkpoint-delete, removes them): %s", c->err, err)
                   : NULL;
    if (!code)
        vr_log_info("checkpoint %s of %s failed after its bitmaps were made: they are removed again", c->def->name,
                    c->domain);
    create_answer(c, c->code, m ? m : c->err);
    free(m);
}

static vr_err offline_ops(vr_domain *dom, const vr_bitmap_op *ops, size_t n, char **err);

/* The checkpoint failed after its bitmaps were made (the thaw refused,
 * the agent gone, the metadata not written): they go again, so no image
 * keeps a bitmap that no checkpoint names. */
static void undo_bitmaps(create_ctx *c, vr_domain *dom, vr_err code, const char *err)
{
    char *why = vr_strdup(err);
    free(c->err);
    c->err = why;
    c->code = code;
    size_t n = 0;
    vr_bitmap_op *ops = vr_core_checkpoint_adds(c->def, &n);
    for (size_t i = 0; i < n; i++)
        ops[i].kind = VR_BITMAP_REMOVE;
    if (dom->state == VR_DOM_SHUTOFF && !dom->starting) {
        char *uerr = NULL;
        vr_err ucode = offline_ops(dom, ops, n, &uerr);
        bitmaps_undone(ucode, uerr, c);
        free(uerr);
    } else {
        vr_qemu_bitmap_transaction(dom, ops, n, bitmaps_undone, c);
    }
    free(ops);
}

static void created(vr_err code, const char *err, void *opaque)
{
    create_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->domain);
    char *serr = NULL;
    if (code == VR_OK && !dom) {
        code = VR_ERR_NOT_FOUND;
        err = "the domain is gone";
    } else if (code == VR_OK && (code = vr_qemu_checkpoint_save(dom, c->def, &serr)) != VR_OK) {
        if (!c->redefine) {
            undo_bitmaps(c, dom, code, serr);
            free(serr);
            return;
        }
        err = serr;
    }
    create_answer(c, code, err);
    free(serr);
}

/* --quiesce: guest-fsfreeze-freeze, the bitmaps, guest-fsfreeze-thaw
 * (whatever the bitmaps' outcome), then the answer. A thaw that fails
 * fails the checkpoint: its bitmaps go again. */
static void on_thawed(json_object *ret, const char *err, void *opaque)
{
    (void)ret;
    create_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->domain);
    if (err && c->code == VR_OK && dom) {
        char *m = vr_asprintf("--quiesce: the guest agent of domain '%s' could not thaw its file systems (%s): the "
                              "checkpoint is not made, its bitmaps are removed; once its agent thaws again: vireo "
                              "qemu-agent-command %s '{\"execute\":\"guest-fsfreeze-thaw\"}'", c->domain, err,
                              c->domain);
        undo_bitmaps(c, dom, VR_ERR_FAILED, m);
        free(m);
        return;
    }
    char *why = c->err;
    c->err = NULL;
    created(c->code, why, c);
    free(why);
}

static void bitmaps_made(vr_err code, const char *err, void *opaque)
{
    create_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->domain);
    if (!c->frozen || !dom) {
        created(code, err, c);
        return;
    }
    c->code = code;
    c->err = err ? vr_strdup(err) : NULL;
    vr_qemu_agent_execute(dom, "guest-fsfreeze-thaw", 10, on_thawed, c);
}

static void on_frozen(json_object *ret, const char *err, void *opaque)
{
    (void)ret;
    create_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->domain);
    if (err || !dom) {
        char *m = vr_asprintf("--quiesce: the guest agent of domain '%s' could not freeze its file systems: %s",
                              c->domain, err ? err : "the domain is gone");
        created(VR_ERR_FAILED, m, c);
        free(m);
        return;
    }
    c->frozen = true;
    vr_log_info("checkpoint %s of %s: %d file system(s) frozen by the guest agent", c->def->name, c->domain,
                ret ? json_object_get_int(ret) : 0);
    size_t n;
    vr_bitmap_op *ops = vr_core_checkpoint_adds(c->def, &n);
    vr_qemu_bitmap_transaction(dom, ops, n, bitmaps_made, c);
    free(ops);
}

/* The bitmaps the image at `path` holds include `bitmap` (qemu-img info,
 * shared: QEMU may hold the image). */
static vr_err image_has_bitmap(const char *path, const char *bitmap, bool *has, char **err)
{
    json_object *o = vr_img_info(path, err), *v = NULL;
    vr_err code = VR_OK;
    *has = false;
    if (!o) {
        code = VR_ERR_FAILED;
    } else if (json_object_object_get_ex(o, "format-specific", &v) && json_object_object_get_ex(v, "data", &v) &&
               json_object_object_get_ex(v, "bitmaps", &v)) {
        for (size_t i = 0; i < json_object_array_length(v) && !*has; i++) {
            json_object *name = NULL;
            json_object_object_get_ex(json_object_array_get_idx(v, i), "name", &name);
            *has = name && strcmp(json_object_get_string(name), bitmap) == 0;
        }
    }
    json_object_put(o);
    return code;
}

/* --redefine: the metadata of a checkpoint whose bitmaps the images hold
 * (a domain moved to this host, metadata lost), checked. A shut-off
 * domain's images are read here; a running one's bitmaps only QEMU
 * knows: *checks (n of them) are for vr_qemu_bitmap_transaction. */
static vr_err redefine(vr_domain *dom, const char *xml, vr_checkpoint_def **out, vr_bitmap_op **checks, size_t *n,
                       char **err)
{
    bool running = !(dom->state == VR_DOM_SHUTOFF && !dom->starting);
    *n = 0;
    *checks = NULL;
    const vr_domain_def *dd = dom->def;
    vr_checkpoint_def *def = vr_checkpoint_def_parse(xml, strlen(xml), err), *other = NULL;
    if (!def)
        return VR_ERR_INVALID;
    *checks = vr_calloc(def->n_disks + 1, sizeof(**checks));
    vr_err code = VR_OK;
    if (vr_qemu_checkpoint_get(dom, def->name, &other, NULL) == VR_OK) {
        vr_set_error(err, "domain '%s' already has a checkpoint '%s' (checkpoint-delete --metadata it first)",
                     dd->name, def->name);
        code = VR_ERR_CONFLICT;
    } else if (def->parent && vr_qemu_checkpoint_get(dom, def->parent, &other, NULL) != VR_OK) {
        vr_set_error(err, "the parent '%s' of checkpoint '%s' is not a checkpoint of domain '%s'; redefine it "
                          "first (checkpoints go oldest first)", def->parent, def->name, dd->name);
        code = VR_ERR_NOT_FOUND;
    }
    for (size_t i = 0; code == VR_OK && i < def->n_disks; i++) {
        const vr_checkpoint_disk *cd = &def->disks[i];
        int k = vr_domain_def_find_disk(dd, cd->name);
        if (k < 0) {
            vr_set_error(err, "domain '%s' has no disk '%s' (domblklist shows its targets)", dd->name, cd->name);
            code = VR_ERR_NOT_FOUND;
            break;
        }
        if (!cd->bitmap)
            continue;
        if (dd->disks[k].format != VR_DISK_QCOW2) {
            vr_set_error(err, "disk '%s' of domain '%s' is raw: it holds no bitmap", cd->name, dd->name);
            code = VR_ERR_INVALID;
            break;
        }
        if (running) {
            (*checks)[(*n)++] = (vr_bitmap_op){VR_BITMAP_CHECK, cd->name, cd->bitmap_name, NULL};
            continue;
        }
        char *path = vr_qemu_disk_path(dom->drv, &dd->disks[k], err);
        bool has = false;
        code = path ? image_has_bitmap(path, cd->bitmap_name, &has, err) : VR_ERR_FAILED;
        if (code == VR_OK && !has) {
            vr_set_error(err, "disk '%s' (%s) holds no bitmap '%s': --redefine only restores the metadata of a "
                              "bitmap the image has (make a new checkpoint without --redefine)",
                         cd->name, path, cd->bitmap_name);
            code = VR_ERR_NOT_FOUND;
        }
        free(path);
    }
    vr_checkpoint_def_free(other);
    if (code == VR_OK && !def->creation_time)
        def->creation_time = time(NULL);
    if (code != VR_OK) {
        vr_checkpoint_def_free(def);
        def = NULL;
    }
    *out = def;
    return code;
}

void vr_core_checkpoint_create(vr_domain *dom, const char *xml, const char *name, const char *description,
                               unsigned flags, vr_checkpoint_done_fn cb, void *opaque)
{
    char *err = NULL, stamp[24];
    snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
    vr_checkpoint_def *def = NULL;
    bool running = !(dom->state == VR_DOM_SHUTOFF && !dom->starting);
    vr_err code = VR_OK;
    if ((flags & VR_CHECKPOINT_CREATE_REDEFINE) && (flags & VR_CHECKPOINT_CREATE_QUIESCE)) {
        vr_set_error(&err, "--redefine makes no bitmap, so there is nothing to --quiesce; give one or the other");
        code = VR_ERR_INVALID;
    } else if ((flags & VR_CHECKPOINT_CREATE_REDEFINE) && !xml) {
        vr_set_error(&err, "--redefine needs the checkpoint's <domaincheckpoint> XML (checkpoint-create DOMAIN FILE "
                           "--redefine)");
        code = VR_ERR_INVALID;
    } else if ((flags & VR_CHECKPOINT_CREATE_QUIESCE) && !vr_qemu_agent_configured(dom->def)) {
        vr_set_error(&err, "domain '%s' has no guest agent channel: --quiesce freezes the guest's file systems "
                           "through it (add <channel type='unix'><target type='virtio' "
                           "name='org.qemu.guest_agent.0'/></channel>, run qemu-ga in the guest)", dom->def->name);
        code = VR_ERR_INVALID;
    } else if ((flags & VR_CHECKPOINT_CREATE_QUIESCE) && !running) {
        vr_set_error(&err, "domain '%s' is not running: --quiesce freezes a running guest's file systems (a shut-off "
                           "domain's are quiet already; leave --quiesce out)", dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if (flags & VR_CHECKPOINT_CREATE_REDEFINE) {
        vr_bitmap_op *checks = NULL;
        size_t n = 0;
        code = redefine(dom, xml, &def, &checks, &n, &err);
        if (code == VR_OK) {
            create_ctx *c = vr_calloc(1, sizeof(*c));
            *c = (create_ctx){.drv = dom->drv, .domain = vr_strdup(dom->def->name), .def = def, .cb = cb,
                              .opaque = opaque, .redefine = true};
            if (n) /* QEMU checks that the running disks hold them; `created` stores it */
                vr_qemu_bitmap_transaction(dom, checks, n, created, c);
            else
                created(VR_OK, NULL, c);
        } else {
            cb(code, err, NULL, opaque);
        }
        free(checks);
        free(err);
        return;
    }
    if (code == VR_OK && xml) {
        def = vr_checkpoint_def_parse_new(xml, strlen(xml), stamp, &err);
    } else if (code == VR_OK && vr_name_check(VR_NAME_CHECKPOINT, name ? name : stamp, &err)) {
        def = vr_calloc(1, sizeof(*def));
        def->name = vr_strdup(name ? name : stamp);
        def->description = description ? vr_strdup(description) : NULL;
    }
    if (code == VR_OK)
        code = def ? vr_core_checkpoint_plan(dom, def, &err) : VR_ERR_INVALID;
    if (code != VR_OK) {
        cb(code, err, NULL, opaque);
        free(err);
        vr_checkpoint_def_free(def);
        return;
    }
    create_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (create_ctx){.drv = dom->drv, .domain = vr_strdup(dom->def->name), .def = def, .cb = cb, .opaque = opaque};
    if (flags & VR_CHECKPOINT_CREATE_QUIESCE) {
        vr_qemu_agent_execute(dom, "guest-fsfreeze-freeze", 10, on_frozen, c);
        return;
    }
    size_t n;
    vr_bitmap_op *ops = vr_core_checkpoint_adds(def, &n);
    if (dom->state == VR_DOM_SHUTOFF && !dom->starting) {
        code = offline_ops(dom, ops, n, &err);
        created(code, err, c);
        free(err);
    } else {
        vr_qemu_bitmap_transaction(dom, ops, n, created, c);
    }
    free(ops);
}

/* ---- delete ---- */

typedef struct {
    vr_qemu_driver *drv;
    char *domain;
    char **victims; /* leaf first */
    size_t n;
    char *parent;   /* the first victim's parent: its children's new parent */
    char *name;
    vr_done_fn cb;
    void *opaque;
} delete_ctx;

static void delete_free(delete_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->victims[i]);
    free(c->victims);
    free(c->parent);
    free(c->name);
    free(c->domain);
    free(c);
}

static bool descends(vr_checkpoint_def **l, size_t n, const vr_checkpoint_def *c, const char *from)
{
    for (const char *p = c->parent; p;) {
        if (strcmp(p, from) == 0)
            return true;
        const char *up = NULL;
        for (size_t i = 0; i < n && !up; i++)
            if (strcmp(l[i]->name, p) == 0)
                up = l[i]->parent ? l[i]->parent : "";
        p = up && *up ? up : NULL;
    }
    return false;
}

static void deleted(vr_err code, const char *err, void *opaque)
{
    delete_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->domain);
    char *ferr = NULL;
    if (code == VR_OK && dom) {
        for (size_t i = 0; i < c->n; i++)
            vr_qemu_checkpoint_forget(dom, c->victims[i], NULL);
        vr_checkpoint_def **l;
        size_t n;
        vr_qemu_checkpoint_list(dom, &l, &n);
        for (size_t i = 0; i < n && code == VR_OK; i++) {
            if (!l[i]->parent || strcmp(l[i]->parent, c->name) != 0)
                continue;
            free(l[i]->parent);
            l[i]->parent = c->parent ? vr_strdup(c->parent) : NULL;
            code = vr_qemu_checkpoint_save(dom, l[i], &ferr);
        }
        vr_qemu_checkpoint_list_free(l, n);
    }
    c->cb(code, ferr ? ferr : err, c->opaque);
    free(ferr);
    delete_free(c);
}

void vr_core_checkpoint_delete(vr_domain *dom, const char *name, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_checkpoint_def *cp = NULL;
    char *err = NULL;
    vr_err code = vr_qemu_checkpoint_get(dom, name, &cp, &err);
    if (code != VR_OK) {
        cb(code, err, opaque);
        free(err);
        return;
    }
    delete_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (delete_ctx){.drv = dom->drv, .domain = vr_strdup(dom->def->name), .name = vr_strdup(name),
                      .parent = cp->parent ? vr_strdup(cp->parent) : NULL, .cb = cb, .opaque = opaque};
    vr_checkpoint_def **l;
    size_t n;
    vr_qemu_checkpoint_list(dom, &l, &n);
    c->victims = vr_calloc(n + 1, sizeof(char *));
    /* Newest first, so a child goes before its parent. */
    for (size_t i = n; i-- > 0;)
        if ((flags & VR_CHECKPOINT_DELETE_CHILDREN) && descends(l, n, l[i], name))
            c->victims[c->n++] = vr_strdup(l[i]->name);
    c->victims[c->n++] = vr_strdup(name);
    /* Each victim's bitmap into its parent's, then removed. */
    vr_bitmap_op *ops = vr_calloc(2 * c->n * (dom->def->n_disks + 1), sizeof(*ops));
    size_t k = 0;
    for (size_t v = 0; v < c->n && !(flags & VR_CHECKPOINT_DELETE_METADATA_ONLY); v++) {
        const vr_checkpoint_def *vd = NULL, *pd = NULL;
        for (size_t i = 0; i < n; i++)
            if (strcmp(l[i]->name, c->victims[v]) == 0)
                vd = l[i];
        for (size_t i = 0; vd && vd->parent && i < n; i++)
            if (strcmp(l[i]->name, vd->parent) == 0)
                pd = l[i];
        for (size_t d = 0; vd && d < vd->n_disks; d++) {
            const vr_checkpoint_disk *vdisk = &vd->disks[d];
            const vr_checkpoint_disk *pdisk = pd ? vr_checkpoint_def_disk(pd, vdisk->name) : NULL;
            if (!vdisk->bitmap || vr_domain_def_find_disk(dom->def, vdisk->name) < 0)
                continue;
            if (pdisk && pdisk->bitmap)
                ops[k++] = (vr_bitmap_op){VR_BITMAP_MERGE, vdisk->name, vdisk->bitmap_name, pdisk->bitmap_name};
            ops[k++] = (vr_bitmap_op){VR_BITMAP_REMOVE, vdisk->name, vdisk->bitmap_name, NULL};
        }
    }
    if (dom->state == VR_DOM_SHUTOFF && !dom->starting) {
        code = offline_ops(dom, ops, k, &err);
        deleted(code, err, c);
        free(err);
    } else {
        vr_qemu_bitmap_transaction(dom, ops, k, deleted, c);
    }
    free(ops);
    vr_qemu_checkpoint_list_free(l, n);
    vr_checkpoint_def_free(cp);
}
