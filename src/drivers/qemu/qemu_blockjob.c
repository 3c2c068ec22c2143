/* External snapshot chains of a running domain's disks, as virsh
 * snapshot-create-as --disk-only, blockcommit, blockpull and blockjob
 * make and follow them.
 *
 * A disk-only snapshot puts a new qcow2 overlay (made by the core,
 * qemu-img create -b) on top of each writable disk: QMP blockdev-add,
 * then one `transaction` of blockdev-snapshot for every disk together
 * (all or none). The definitions then name the overlay; the images under
 * it are the snapshot. blockcommit --active --pivot merges the chain back
 * down (block-commit, then job-complete when it is ready: the disk runs
 * on its bottom image again); blockpull copies the chain up into the top
 * (block-stream). Jobs run with auto-dismiss off so their error can be
 * read; they are followed by polling query-jobs. */
#include "drivers/qemu/qemu_hotplug.h"
#include "drivers/qemu/qemu_snapshot.h"
#include "drivers/qemu/qmp.h"
#include "common/log.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define POLL_MS 100

typedef struct {
    vr_qemu_driver *drv;
    char *name;
    /* snapshot */
    char *snap, *description;
    size_t n, added;
    char **targets, **overlays, **nodes;
    /* block job */
    char *job;        /* commit-vda, pull-vda */
    char *target;
    bool pivot;       /* active commit: complete it when ready */
    struct event *timer;
    vr_done_fn cb;
    void *opaque;
} bj_ctx;

static void ctx_free(bj_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->targets[i]);
        free(c->overlays[i]);
        free(c->nodes[i]);
    }
    free(c->targets);
    free(c->overlays);
    free(c->nodes);
    if (c->timer)
        event_free(c->timer);
    free(c->name);
    free(c->snap);
    free(c->description);
    free(c->job);
    free(c->target);
    free(c);
}

static void finish(bj_ctx *c, vr_err code, const char *err)
{
    c->cb(code, err, c->opaque);
    ctx_free(c);
}

static void fail(bj_ctx *c, const char *what, const char *error)
{
    char *m = vr_asprintf("%s of domain '%s' failed: %s", what, c->name, error);
    finish(c, VR_ERR_FAILED, m);
    free(m);
}

/* The domain once QEMU answered, or NULL after failing the operation. */
static vr_domain *answered(bj_ctx *c, const char *what, const char *error)
{
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (error || !dom || !dom->qmp) {
        fail(c, what, error ? error : "QEMU exited");
        return NULL;
    }
    return dom;
}

/* query-block's entry for the disk `target` (its device id), or NULL. */
static json_object *block_of(json_object *ret, const char *target)
{
    const char *peripheral = "/machine/peripheral/";
    for (size_t i = 0; ret && i < json_object_array_length(ret); i++) {
        json_object *b = json_object_array_get_idx(ret, i), *q = NULL;
        if (!json_object_object_get_ex(b, "qdev", &q))
            continue;
        const char *qdev = json_object_get_string(q);
        if (strncmp(qdev, peripheral, strlen(peripheral)) == 0)
            qdev += strlen(peripheral);
        size_t len = strcspn(qdev, "/");
        if (len == strlen(target) && strncmp(qdev, target, len) == 0)
            return b;
    }
    return NULL;
}

static const char *inserted(json_object *b, const char *key)
{
    json_object *in = NULL, *v = NULL;
    if (!b || !json_object_object_get_ex(b, "inserted", &in) || !json_object_object_get_ex(in, key, &v))
        return NULL;
    return json_object_get_string(v);
}

json_object *vr_qemu_block_of(json_object *ret, const char *target) { return block_of(ret, target); }
const char *vr_qemu_block_inserted(json_object *b, const char *key) { return inserted(b, key); }

/* Both definitions' disk `target` now runs on `path` (a file of `format`). */
static void set_disk_file(vr_domain *dom, const char *target, const char *path, const char *format)
{
    vr_domain_def *defs[2] = {vr_domain_def_copy(dom->def),
                              dom->persistent ? vr_domain_def_copy(vr_hp_config_def(dom)) : NULL};
    for (size_t k = 0; k < 2; k++) {
        int i = defs[k] ? vr_domain_def_find_disk(defs[k], target) : -1;
        if (i < 0)
            continue;
        vr_disk_def *d = &defs[k]->disks[i];
        free(d->source_path);
        free(d->source_pool);
        free(d->source_volume);
        free(d->resolved_path);
        d->source_pool = d->source_volume = d->resolved_path = NULL;
        d->source_path = vr_strdup(path);
        d->type = VR_DISK_FILE;
        d->format = strcmp(format, "qcow2") == 0 ? VR_DISK_QCOW2 : VR_DISK_RAW;
    }
    char *err = NULL;
    if (defs[1] && vr_hp_config_replace(dom, defs[1], &err) != VR_OK)
        vr_log_warn("domain %s: disk %s now runs on %s, but the definition cannot be saved: %s", dom->def->name,
                    target, path, err);
    free(err);
    vr_hp_live_replace(dom, defs[0]);
}

/* ---- snapshot-create-as --disk-only ---- */

/* A step failed: no disk switched, the overlays QEMU opened go again
 * (the core removes their files). */
static vr_domain *snapshot_answered(bj_ctx *c, const char *error)
{
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    for (size_t i = 0; error && dom && dom->qmp && i < c->added; i++) {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "node-name", json_object_new_string(c->nodes[i]));
        vr_qmp_command(dom->qmp, "blockdev-del", a, NULL, NULL);
    }
    return answered(c, "the disk-only snapshot", error);
}

static void on_transaction(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bj_ctx *c = opaque;
    vr_domain *dom = snapshot_answered(c, error);
    if (!dom)
        return;
    for (size_t i = 0; i < c->n; i++)
        set_disk_file(dom, c->targets[i], c->overlays[i], "qcow2");
    char *err = NULL;
    vr_err code = vr_qemu_snapshot_record(dom, c->snap, c->description, VR_SNAP_DISK, &err);
    finish(c, code, err);
    free(err);
}

static void add_next(bj_ctx *c, vr_domain *dom);

static void on_added(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bj_ctx *c = opaque;
    vr_domain *dom = snapshot_answered(c, error);
    if (!dom)
        return;
    c->added++;
    add_next(c, dom);
}

static void on_tops(json_object *ret, const char *error, void *opaque);

/* blockdev-add of overlay `added`, or, all added, the transaction. */
static void add_next(bj_ctx *c, vr_domain *dom)
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
    bj_ctx *c = opaque;
    vr_domain *dom = snapshot_answered(c, error);
    if (!dom)
        return;
    json_object *actions = json_object_new_array();
    for (size_t i = 0; i < c->n; i++) {
        const char *top = inserted(block_of(ret, c->targets[i]), "node-name");
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
    bj_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (bj_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .snap = vr_strdup(name),
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

/* ---- blockcommit --active --pivot, blockpull ---- */

static void poll_job(bj_ctx *c);

/* The node number of one of our overlays of the disk ("ov12-vda"), or 0. */
static unsigned overlay_number(const char *node, const char *target)
{
    char *end;
    if (strncmp(node, "ov", 2) != 0)
        return 0;
    unsigned long n = strtoul(node + 2, &end, 10);
    return *end == '-' && strcmp(end + 1, target) == 0 ? (unsigned)n : 0;
}

static int cmp_desc(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* After a commit's pivot the overlays above the image are out of use:
 * they leave QEMU, newest (the old top) first, so a later snapshot may
 * put a new one on the image. */
static void on_nodes(json_object *ret, const char *error, void *opaque)
{
    bj_ctx *c = opaque;
    vr_domain *dom = answered(c, c->job, error);
    if (!dom)
        return;
    size_t n = ret ? json_object_array_length(ret) : 0, k = 0;
    unsigned *nums = vr_calloc(n + 1, sizeof(*nums));
    for (size_t i = 0; i < n; i++) {
        json_object *name = NULL;
        if (json_object_object_get_ex(json_object_array_get_idx(ret, i), "node-name", &name)) {
            unsigned v = overlay_number(json_object_get_string(name), c->target);
            if (v)
                nums[k++] = v;
        }
    }
    qsort(nums, k, sizeof(*nums), cmp_desc);
    for (size_t i = 0; i < k; i++) {
        json_object *a = json_object_new_object();
        char *node = vr_asprintf("ov%u-%s", nums[i], c->target);
        json_object_object_add(a, "node-name", json_object_new_string(node));
        vr_qmp_command(dom->qmp, "blockdev-del", a, NULL, NULL);
        free(node);
    }
    free(nums);
    finish(c, VR_OK, NULL);
}

static void on_pivoted(json_object *ret, const char *error, void *opaque)
{
    bj_ctx *c = opaque;
    vr_domain *dom = answered(c, c->job, error);
    if (!dom)
        return;
    json_object *b = block_of(ret, c->target), *in = NULL, *file = NULL;
    const char *drv = inserted(b, "drv");
    if (b && json_object_object_get_ex(b, "inserted", &in) && json_object_object_get_ex(in, "file", &file) && drv)
        set_disk_file(dom, c->target, json_object_get_string(file), drv);
    if (vr_str_starts(c->job, "commit"))
        vr_qmp_command(dom->qmp, "query-named-block-nodes", NULL, on_nodes, c);
    else
        finish(c, VR_OK, NULL);
}

static void on_jobs(json_object *ret, const char *error, void *opaque)
{
    bj_ctx *c = opaque;
    vr_domain *dom = answered(c, c->job, error);
    if (!dom)
        return;
    json_object *job = NULL;
    for (size_t i = 0; ret && i < json_object_array_length(ret) && !job; i++) {
        json_object *j = json_object_array_get_idx(ret, i), *id = NULL;
        if (json_object_object_get_ex(j, "id", &id) && strcmp(json_object_get_string(id), c->job) == 0)
            job = j;
    }
    json_object *st = NULL, *jerr = NULL;
    const char *status = job && json_object_object_get_ex(job, "status", &st) ? json_object_get_string(st) : "gone";
    if (strcmp(status, "ready") == 0 && c->pivot) {
        c->pivot = false;
        json_object *a = json_object_new_object();
        json_object_object_add(a, "id", json_object_new_string(c->job));
        vr_qmp_command(dom->qmp, "job-complete", a, NULL, NULL);
    } else if (strcmp(status, "concluded") == 0 || strcmp(status, "gone") == 0) {
        if (job)
            json_object_object_get_ex(job, "error", &jerr);
        char *m = jerr ? vr_strdup(json_object_get_string(jerr)) : NULL;
        json_object *a = json_object_new_object();
        json_object_object_add(a, "id", json_object_new_string(c->job));
        vr_qmp_command(dom->qmp, "job-dismiss", a, NULL, NULL);
        if (m || !job) {
            fail(c, c->job, m ? m : "the job vanished");
            free(m);
            return;
        }
        vr_qmp_command(dom->qmp, "query-block", NULL, on_pivoted, c);
        return;
    }
    poll_job(c);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    bj_ctx *c = arg;
    vr_domain *dom = answered(c, c->job, NULL);
    if (dom)
        vr_qmp_command(dom->qmp, "query-jobs", NULL, on_jobs, c);
}

static void poll_job(bj_ctx *c)
{
    if (!c->timer)
        c->timer = evtimer_new(c->drv->base, on_tick, c);
    struct timeval tv = {.tv_usec = POLL_MS * 1000};
    evtimer_add(c->timer, &tv);
}

static void on_job_started(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bj_ctx *c = opaque;
    if (answered(c, c->job, error))
        poll_job(c);
}

/* query-block answered: the disk's top node and its chain. */
static void on_job_top(json_object *ret, const char *error, void *opaque)
{
    bj_ctx *c = opaque;
    vr_domain *dom = answered(c, c->job, error);
    if (!dom)
        return;
    json_object *b = block_of(ret, c->target), *in = NULL, *img = NULL, *backing = NULL;
    const char *top = inserted(b, "node-name");
    bool chain = b && json_object_object_get_ex(b, "inserted", &in) && json_object_object_get_ex(in, "image", &img) &&
                 json_object_object_get_ex(img, "backing-image", &backing);
    if (!top || !chain) {
        char *m = vr_asprintf("disk %s of domain '%s' has %s; there is nothing to %s", c->target, c->name,
                              top ? "no backing image (no external snapshot under it)" : "no image in QEMU",
                              vr_str_starts(c->job, "commit") ? "commit" : "pull");
        finish(c, top ? VR_ERR_CONFLICT : VR_ERR_NOT_FOUND, m);
        free(m);
        return;
    }
    json_object *a = json_object_new_object();
    json_object_object_add(a, "job-id", json_object_new_string(c->job));
    json_object_object_add(a, "device", json_object_new_string(top));
    json_object_object_add(a, "auto-dismiss", json_object_new_boolean(false));
    vr_qmp_command(dom->qmp, vr_str_starts(c->job, "commit") ? "block-commit" : "block-stream", a, on_job_started, c);
}

void vr_qemu_block_job(vr_domain *dom, const char *target, vr_block_job kind, vr_done_fn cb, void *opaque)
{
    char *m = NULL;
    vr_err code = VR_ERR_CONFLICT;
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->starting)
        m = vr_asprintf("domain '%s' is not running; block jobs run on a running domain", dom->def->name);
    else if (vr_domain_def_find_disk(dom->def, target) < 0) {
        m = vr_asprintf("domain '%s' has no disk '%s' (domblklist shows its targets)", dom->def->name, target);
        code = VR_ERR_NOT_FOUND;
    }
    if (m) {
        cb(code, m, opaque);
        free(m);
        return;
    }
    int i = vr_domain_def_find_disk(dom->def, target);
    const char *t = dom->def->disks[i].target_dev;
    bj_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (bj_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .target = vr_strdup(t),
                  .job = vr_asprintf("%s-%s", kind == VR_BLOCK_PULL ? "pull" : "commit", t),
                  .pivot = kind == VR_BLOCK_COMMIT_ACTIVE, .cb = cb, .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-block", NULL, on_job_top, c);
}

/* ---- blockjob --info, --abort ---- */

typedef struct {
    char *target;
    bool abort;
    vr_qmp *qmp;
    vr_qemu_reply_fn cb;
    void *opaque;
} jobq_ctx;

static void on_job_list(json_object *ret, const char *error, void *opaque)
{
    jobq_ctx *q = opaque;
    json_object *hit = NULL, *id = NULL;
    char *suffix = vr_asprintf("-%s", q->target);
    for (size_t i = 0; ret && i < json_object_array_length(ret) && !hit; i++) {
        json_object *j = json_object_array_get_idx(ret, i);
        if (json_object_object_get_ex(j, "id", &id) && vr_str_ends(json_object_get_string(id), suffix))
            hit = j;
    }
    free(suffix);
    if (error) {
        q->cb(VR_ERR_FAILED, NULL, error, q->opaque);
    } else if (q->abort && !hit) {
        char *m = vr_asprintf("disk %s has no block job to abort", q->target);
        q->cb(VR_ERR_CONFLICT, NULL, m, q->opaque);
        free(m);
    } else if (q->abort) {
        json_object *a = json_object_new_object();
        json_object_object_get_ex(hit, "id", &id);
        json_object_object_add(a, "id", json_object_get(id));
        vr_qmp_command(q->qmp, "job-cancel", a, NULL, NULL);
        q->cb(VR_OK, NULL, NULL, q->opaque);
    } else {
        q->cb(VR_OK, hit, NULL, q->opaque);
    }
    free(q->target);
    free(q);
}

void vr_qemu_block_job_query(vr_domain *dom, const char *target, bool abort, vr_qemu_reply_fn cb, void *opaque)
{
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp) {
        char *m = vr_asprintf("domain '%s' is not running", dom->def->name);
        cb(VR_ERR_CONFLICT, NULL, m, opaque);
        free(m);
        return;
    }
    jobq_ctx *q = vr_calloc(1, sizeof(*q));
    *q = (jobq_ctx){.target = vr_strdup(target), .abort = abort, .qmp = dom->qmp, .cb = cb, .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-jobs", NULL, on_job_list, q);
}
