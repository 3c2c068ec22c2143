/* Checkpoint metadata and bitmap transactions (qemu_checkpoint.h). */
#include "drivers/qemu/qemu_blocknode.h"
#include "drivers/qemu/qemu_checkpoint.h"
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "registry/registry.h"
#include "conf/names.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *vr_qemu_checkpoint_dir(const vr_qemu_driver *drv, const char *domain)
{
    return vr_asprintf("%s/checkpoint/%s", vr_registry_dir(drv->reg), domain);
}

static char *meta_path(const vr_domain *dom, const char *name)
{
    char *dir = vr_qemu_checkpoint_dir(dom->drv, dom->def->name), *p = vr_asprintf("%s/%s.xml", dir, name);
    free(dir);
    return p;
}

void vr_qemu_checkpoint_list_free(vr_checkpoint_def **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vr_checkpoint_def_free(list[i]);
    free(list);
}

static int cmp_time(const void *a, const void *b)
{
    const vr_checkpoint_def *x = *(vr_checkpoint_def *const *)a, *y = *(vr_checkpoint_def *const *)b;
    if (x->creation_time != y->creation_time)
        return x->creation_time < y->creation_time ? -1 : 1;
    /* The same second: a child after its parent. */
    if (x->parent && strcmp(x->parent, y->name) == 0)
        return 1;
    if (y->parent && strcmp(y->parent, x->name) == 0)
        return -1;
    return strcmp(x->name, y->name);
}

void vr_qemu_checkpoint_list(vr_domain *dom, vr_checkpoint_def ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *dir = vr_qemu_checkpoint_dir(dom->drv, dom->def->name);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !vr_str_ends(e->d_name, ".xml"))
            continue;
        char *path = vr_asprintf("%s/%s", dir, e->d_name), *perr = NULL, *xml = vr_file_read(path, NULL);
        vr_checkpoint_def *c = xml ? vr_checkpoint_def_parse(xml, strlen(xml), &perr) : NULL;
        if (c) {
            *out = vr_realloc(*out, (*n + 1) * sizeof(**out));
            (*out)[(*n)++] = c;
        } else {
            vr_log_error("skipping checkpoint %s: %s", path, perr ? perr : strerror(errno));
        }
        free(perr);
        free(xml);
        free(path);
    }
    if (d)
        closedir(d);
    free(dir);
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_time);
}

vr_err vr_qemu_checkpoint_get(vr_domain *dom, const char *name, vr_checkpoint_def **out, char **err)
{
    *out = NULL;
    if (!vr_name_check(VR_NAME_CHECKPOINT, name, err)) /* it becomes a file name */
        return VR_ERR_INVALID;
    char *path = meta_path(dom, name), *perr = NULL, *xml = vr_file_read(path, NULL);
    *out = xml ? vr_checkpoint_def_parse(xml, strlen(xml), &perr) : NULL;
    if (!*out && xml)
        vr_set_error(err, "checkpoint '%s' of domain '%s' is unreadable: %s", name, dom->def->name, perr);
    else if (!*out)
        vr_set_error(err, "checkpoint '%s' of domain '%s' not found (vireo checkpoint-list %s shows them)", name,
                     dom->def->name, dom->def->name);
    free(perr);
    free(xml);
    free(path);
    return *out ? VR_OK : VR_ERR_NOT_FOUND;
}

char *vr_qemu_checkpoint_last(vr_domain *dom)
{
    vr_checkpoint_def **l;
    size_t n;
    vr_qemu_checkpoint_list(dom, &l, &n);
    char *last = n ? vr_strdup(l[n - 1]->name) : NULL;
    vr_qemu_checkpoint_list_free(l, n);
    return last;
}

vr_err vr_qemu_checkpoint_save(vr_domain *dom, const vr_checkpoint_def *def, char **err)
{
    char *dir = vr_qemu_checkpoint_dir(dom->drv, dom->def->name), *path = meta_path(dom, def->name);
    int rc = vr_mkdir_p(dir, 0700);
    vr_err code = VR_OK;
    if (rc < 0) {
        vr_set_error(err, "cannot save checkpoint metadata %s: %s", path, strerror(-rc));
        code = VR_ERR_FAILED;
    } else {
        code = vr_conf_save(&vr_conf_checkpoint, def, def->name, path, err);
    }
    free(dir);
    free(path);
    return code;
}

vr_err vr_qemu_checkpoint_forget(vr_domain *dom, const char *name, char **err)
{
    char *path = meta_path(dom, name);
    vr_err code = VR_OK;
    if (unlink(path) < 0) {
        vr_set_error(err, "cannot remove checkpoint metadata %s: %s", path, strerror(errno));
        code = errno == ENOENT ? VR_ERR_NOT_FOUND : VR_ERR_FAILED;
    }
    free(path);
    return code;
}

void vr_qemu_checkpoint_forget_all(vr_qemu_driver *drv, const char *domain)
{
    char *dir = vr_qemu_checkpoint_dir(drv, domain);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = vr_asprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    if (d) {
        closedir(d);
        rmdir(dir);
    }
    free(dir);
}

/* ---- bitmaps of a running domain ---- */

typedef struct {
    vr_qemu_driver *drv;
    char *name;
    vr_bitmap_op *ops; /* strings owned here */
    size_t n;
    vr_done_fn cb;
    void *opaque;
} tx_ctx;

static void tx_finish(tx_ctx *t, vr_err code, const char *err)
{
    t->cb(code, err, t->opaque);
    for (size_t i = 0; i < t->n; i++) {
        free((char *)t->ops[i].target);
        free((char *)t->ops[i].bitmap);
        free((char *)t->ops[i].into);
    }
    free(t->ops);
    free(t->name);
    free(t);
}

static void on_tx(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    tx_ctx *t = opaque;
    char *m = error ? vr_asprintf("the bitmaps of domain '%s' were not changed: %s", t->name, error) : NULL;
    tx_finish(t, error ? VR_ERR_FAILED : VR_OK, m);
    free(m);
}

json_object *vr_qemu_bitmap_action(vr_bitmap_op_kind kind, const char *node, const char *bitmap, const char *into)
{
    static const char *const types[] = {"block-dirty-bitmap-add", "block-dirty-bitmap-merge",
                                        "block-dirty-bitmap-remove"};
    json_object *data = json_object_new_object(), *act = json_object_new_object();
    json_object_object_add(data, "node", json_object_new_string(node));
    if (kind == VR_BITMAP_MERGE) {
        json_object *from = json_object_new_array();
        json_object_array_add(from, json_object_new_string(bitmap));
        json_object_object_add(data, "target", json_object_new_string(into));
        json_object_object_add(data, "bitmaps", from);
    } else {
        json_object_object_add(data, "name", json_object_new_string(bitmap));
    }
    if (kind == VR_BITMAP_ADD)
        json_object_object_add(data, "persistent", json_object_new_boolean(true));
    json_object_object_add(act, "type", json_object_new_string(types[kind]));
    json_object_object_add(act, "data", data);
    return act;
}

/* query-block's entry of a disk lists the bitmap in its node's dirty-bitmaps. */
static bool has_bitmap(json_object *block, const char *bitmap)
{
    json_object *ins = NULL, *bms = NULL, *name = NULL;
    if (!block || !json_object_object_get_ex(block, "inserted", &ins) ||
        !json_object_object_get_ex(ins, "dirty-bitmaps", &bms))
        return false;
    for (size_t i = 0; i < json_object_array_length(bms); i++)
        if (json_object_object_get_ex(json_object_array_get_idx(bms, i), "name", &name) &&
            strcmp(json_object_get_string(name), bitmap) == 0)
            return true;
    return false;
}

static void on_nodes(json_object *ret, const char *error, void *opaque)
{
    tx_ctx *t = opaque;
    vr_domain *dom = vr_qemu_lookup(t->drv, t->name);
    if (error || !dom || !dom->qmp) {
        char *m = vr_asprintf("domain '%s': %s", t->name, error ? error : "QEMU exited");
        tx_finish(t, VR_ERR_FAILED, m);
        free(m);
        return;
    }
    json_object *actions = json_object_new_array();
    for (size_t i = 0; i < t->n; i++) {
        const char *node = vr_qb_inserted(vr_qb_block_of(ret, t->ops[i].target), "node-name");
        if (!node) {
            json_object_put(actions);
            char *m = vr_asprintf("QEMU has no disk %s in domain '%s'", t->ops[i].target, t->name);
            tx_finish(t, VR_ERR_FAILED, m);
            free(m);
            return;
        }
        if (t->ops[i].kind == VR_BITMAP_CHECK) {
            if (!has_bitmap(vr_qb_block_of(ret, t->ops[i].target), t->ops[i].bitmap)) {
                json_object_put(actions);
                char *m = vr_asprintf("disk '%s' of domain '%s' holds no bitmap '%s': only a bitmap the disk has "
                                      "can be given its checkpoint's metadata again (make a new checkpoint instead)",
                                      t->ops[i].target, t->name, t->ops[i].bitmap);
                tx_finish(t, VR_ERR_NOT_FOUND, m);
                free(m);
                return;
            }
            continue;
        }
        json_object_array_add(actions, vr_qemu_bitmap_action(t->ops[i].kind, node, t->ops[i].bitmap, t->ops[i].into));
    }
    if (json_object_array_length(actions) == 0) { /* checks only */
        json_object_put(actions);
        tx_finish(t, VR_OK, NULL);
        return;
    }
    json_object *a = json_object_new_object();
    json_object_object_add(a, "actions", actions);
    vr_qmp_command(dom->qmp, "transaction", a, on_tx, t);
}

void vr_qemu_bitmap_transaction(vr_domain *dom, const vr_bitmap_op *ops, size_t n, vr_done_fn cb, void *opaque)
{
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->starting) {
        char *m = vr_asprintf("domain '%s' is not running", dom->def->name);
        cb(VR_ERR_CONFLICT, m, opaque);
        free(m);
        return;
    }
    if (n == 0) {
        cb(VR_OK, NULL, opaque);
        return;
    }
    tx_ctx *t = vr_calloc(1, sizeof(*t));
    *t = (tx_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .n = n, .cb = cb, .opaque = opaque};
    t->ops = vr_calloc(n, sizeof(*t->ops));
    for (size_t i = 0; i < n; i++)
        t->ops[i] = (vr_bitmap_op){.kind = ops[i].kind, .target = vr_strdup(ops[i].target),
                                   .bitmap = vr_strdup(ops[i].bitmap), .into = ops[i].into ? vr_strdup(ops[i].into) : NULL};
    vr_qmp_command(dom->qmp, "query-block", NULL, on_nodes, t);
}
