/* snapshot-create-as --disk-only on a running domain: a new qcow2
 * overlay (made by the core, qemu-img create -b) on top of each writable
 * disk: QMP blockdev-add, then one `transaction` of blockdev-snapshot for
 * every disk together (all or none). The definitions then name the
 * overlay; the images under it are the snapshot. The overlays' nodes are
 * ovN-TARGET (qemu_blocknode.h). */
#include "drivers/qemu/qemu_blocknode.h"
#include "drivers/qemu/qemu_snapshot.h"
#include "drivers/qemu/qmp.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    vr_qemu_driver *drv;
    char *name;
    char *snap, *description;
    size_t n, added;
    char **targets, **overlays, **nodes;
    vr_done_fn cb;
    void *opaque;
} snap_ctx;

static void ctx_free(snap_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->targets[i]);
        free(c->overlays[i]);
        free(c->nodes[i]);
    }
    free(c->targets);
    free(c->overlays);
    free(c->nodes);
    free(c->name);
    free(c->snap);
    free(c->description);
    free(c);
}

static void finish(snap_ctx *c, vr_err code, const char *err)
{
    c->cb(code, err, c->opaque);
    ctx_free(c);
}

/* A step failed: no disk switched, the overlays QEMU opened go again
 * (the core removes their files). */
static vr_domain *snapshot_answered(snap_ctx *c, const char *error)
{
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    for (size_t i = 0; error && dom && dom->qmp && i < c->added; i++) {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "node-name", json_object_new_string(c->nodes[i]));
        vr_qmp_command(dom->qmp, "blockdev-del", a, NULL, NULL);
    }
    if (error || !dom || !dom->qmp) {
        char *m = vr_asprintf("the disk-only snapshot of domain '%s' failed: %s", c->name,
                              error ? error : "QEMU exited");
        finish(c, VR_ERR_FAILED, m);
        free(m);
        return NULL;
    }
    return dom;
}

static void on_transaction(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    snap_ctx *c = opaque;
    vr_domain *dom = snapshot_answered(c, error);
    if (!dom)
        return;
    for (size_t i = 0; i < c->n; i++)
        vr_qb_set_disk_source(dom, c->targets[i], c->overlays[i], "qcow2", false);
    char *err = NULL;
    vr_err code = vr_qemu_snapshot_record(dom, c->snap, c->description, VR_SNAP_DISK, &err);
    finish(c, code, err);
    free(err);
}

static void add_next(snap_ctx *c, vr_domain *dom);

static void on_added(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    snap_ctx *c = opaque;
    vr_domain *dom = snapshot_answered(c, error);
    if (!dom)
        return;
    c->added++;
    add_next(c, dom);
}

static void on_tops(json_object *ret, const char *error, void *opaque);

/* blockdev-add of overlay `added`, or, all added, the transaction. */
static void add_next(snap_ctx *c, vr_domain *dom)
{
    if (c->added < c->n) {
        json_object *file = json_object_new_object(), *a = json_object_new_object();
        json_object_object_add(file, "driver", json_object_new_string("file"));
        json_object_object_add(file, "filename", json_object_new_string(c->overlays[c->added]));
        json_object_object_add(a, "driver", json_object_new_string("qcow2"));
        json_object_object_add(a, "node-name", json_object_new_string(c->nodes[c->added]));
        json_object_object_add(a, "file", file);
        /* The backing is the node it goes on top of, set by blockdev-snapshot. */
        json_object_object_add(a, "backing", NULL);
        vr_qmp_command(dom->qmp, "blockdev-add", a, on_added, c);
        return;
    }
    vr_qmp_command(dom->qmp, "query-block", NULL, on_tops, c);
}

static void on_tops(json_object *ret, const char *error, void *opaque)
{
    snap_ctx *c = opaque;
    vr_domain *dom = snapshot_answered(c, error);
    if (!dom)
        return;
    json_object *actions = json_object_new_array();
    for (size_t i = 0; i < c->n; i++) {
        const char *top = vr_qb_inserted(vr_qb_block_of(ret, c->targets[i]), "node-name");
        if (!top) {
            json_object_put(actions);
            char *m = vr_asprintf("QEMU has no disk %s", c->targets[i]);
            snapshot_answered(c, m);
            free(m);
            return;
        }
        json_object *data = json_object_new_object(), *act = json_object_new_object();
        json_object_object_add(data, "node", json_object_new_string(top));
        json_object_object_add(data, "overlay", json_object_new_string(c->nodes[i]));
        json_object_object_add(act, "type", json_object_new_string("blockdev-snapshot"));
        json_object_object_add(act, "data", data);
        json_object_array_add(actions, act);
    }
    json_object *a = json_object_new_object();
    json_object_object_add(a, "actions", actions);
    vr_qmp_command(dom->qmp, "transaction", a, on_transaction, c);
}

void vr_qemu_snapshot_external(vr_domain *dom, const char *name, const char *description,
                               char *const *targets, char *const *overlays, size_t n, vr_done_fn cb,
                               void *opaque)
{
    static unsigned next_node;
    /* QEMU's user opens the overlays (the images under them it has already). */
    for (size_t i = 0; i < n; i++) {
        vr_disk_def d = {.type = VR_DISK_FILE, .format = VR_DISK_QCOW2, .source_path = overlays[i],
                         .target_dev = targets[i]};
        char *err = NULL;
        if (vr_qemu_grant_disk(dom, &d, &err) < 0) {
            cb(VR_ERR_FAILED, err, opaque);
            free(err);
            return;
        }
    }
    snap_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (snap_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .snap = vr_strdup(name),
                  .description = description ? vr_strdup(description) : NULL, .n = n, .cb = cb, .opaque = opaque};
    c->targets = vr_calloc(n + 1, sizeof(char *));
    c->overlays = vr_calloc(n + 1, sizeof(char *));
    c->nodes = vr_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        c->targets[i] = vr_strdup(targets[i]);
        c->overlays[i] = vr_strdup(overlays[i]);
        c->nodes[i] = vr_asprintf("ov%u-%s", ++next_node, targets[i]);
    }
    add_next(c, dom);
}

