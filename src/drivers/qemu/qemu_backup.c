/* Push backups through blockdev-backup (qemu_backup.h).
 *
 * Steps: query-block (each disk's top node), blockdev-add of each
 * target ("bk-vda"), one transaction: per disk from a checkpoint a
 * disabled temporary bitmap "bk-vda" merged from the checkpoint's, the
 * new checkpoint's bitmaps, and one blockdev-backup per disk
 * (auto-dismiss off so its error can be read). Then query-jobs is polled: progress
 * for domjobinfo, domjobabort's job-cancel, and at the end the jobs are
 * dismissed and the target nodes and temporary bitmaps go again.
 *
 * Pull mode: nbd-server-start first, each scratch file added with the
 * disk's node as its backing, blockdev-backup sync=none, and once the
 * transaction is in, one block-export-add per disk (with the temporary
 * bitmap when incremental). domjobabort cancels the jobs and is the
 * normal end: nbd-server-stop (which closes every export and waits for
 * them), then the bitmaps and nodes go as in push mode. */
#include "drivers/qemu/qemu_blocknode.h"
#include "drivers/qemu/qemu_backup.h"
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLL_MS 200

typedef struct bk_ctx {
    vr_qemu_driver *drv;
    char *name, *xml;
    size_t n, added;
    char **targets, **files, **since, **nodes; /* nodes: the disks' top nodes */
    char **tmpbm, **exports; /* the temporary bitmaps ("bk-vda"; pull: exportbitmap), pull's export names */
    bool *raw;
    bool pull, nbd_up, announced; /* announced: `started` said yes */
    char *host, *socket, *export_err;
    unsigned port;
    size_t exported;
    vr_bitmap_op *bitmaps;
    size_t n_bitmaps;
    bool cancelled, running;
    char *owner;  /* the starter's state, kept in the record */
    char *record; /* RUN/backup.json once running */
    bool adopted; /* from a previous daemon's record: its end goes to drv->backup_end */
    unsigned releasing; /* QMP answers still awaited before the caller is told */
    vr_err code;
    char *err;
    struct event *timer;
    vr_done_fn started, ended;
    void *opaque;
    struct bk_ctx *next;
} bk_ctx;

/* The backups running now, one per domain at most (its job says so). */
static bk_ctx *running_list;

static void ctx_free(bk_ctx *c)
{
    for (bk_ctx **p = &running_list; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    for (size_t i = 0; i < c->n; i++) {
        free(c->targets[i]);
        free(c->files[i]);
        free(c->since[i]);
        free(c->nodes[i]);
        free(c->tmpbm[i]);
        free(c->exports[i]);
    }
    free(c->tmpbm);
    free(c->exports);
    free(c->host);
    free(c->socket);
    free(c->export_err);
    for (size_t i = 0; i < c->n_bitmaps; i++) {
        free((char *)c->bitmaps[i].target);
        free((char *)c->bitmaps[i].bitmap);
        free((char *)c->bitmaps[i].into);
    }
    free(c->bitmaps);
    free(c->targets);
    free(c->files);
    free(c->since);
    free(c->nodes);
    free(c->raw);
    if (c->timer)
        event_free(c->timer);
    if (c->record)
        unlink(c->record);
    free(c->record);
    free(c->owner);
    free(c->name);
    free(c->xml);
    free(c->err);
    free(c);
}

static json_object *node_arg(const char *key, const char *node)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, key, json_object_new_string(node));
    return a;
}

/* The caller first (it removes a failed backup's files), then the job
 * ends and the event goes out: whoever sees either sees the end. */
static void told(bk_ctx *c)
{
    if (c->running && !c->announced)
        vr_qemu_job_end(c->drv, c->name);
    if (c->announced && c->adopted) {
        if (c->drv->backup_end)
            c->drv->backup_end(c->drv, c->name, c->owner, c->code, c->err);
        vr_qemu_job_end(c->drv, c->name);
        vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
        if (dom)
            vr_qemu_emit(dom, "backup", c->code ? (c->cancelled ? "cancelled" : "failed") : "completed");
    } else if (c->announced) {
        c->ended(c->code, c->err, c->opaque);
        vr_qemu_job_end(c->drv, c->name);
        vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
        if (dom)
            vr_qemu_emit(dom, "backup", c->code ? (c->cancelled ? "cancelled" : "failed") : "completed");
    } else {
        c->started(c->code, c->err, c->opaque);
    }
    ctx_free(c);
}

static void on_released(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    (void)error;
    bk_ctx *c = opaque;
    if (--c->releasing == 0)
        told(c);
}

/* What QEMU holds for the backup goes: the temporary bitmaps, the
 * targets' nodes. The caller hears back once QEMU has closed the target
 * files (the core may then change or remove them). */
static void end(bk_ctx *c, vr_err code, const char *err)
{
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    c->code = code;
    c->err = err ? vr_strdup(err) : NULL;
    if (c->running)
        vr_log_info("backup of %s %s%s", c->name, code ? "ended: " : "completed", code ? err : "");
    c->releasing = 1; /* held until every command below is sent */
    if (c->nbd_up && dom && dom->qmp) {
        c->releasing++;
        vr_qmp_command(dom->qmp, "nbd-server-stop", NULL, on_released, c);
    }
    for (size_t i = 0; dom && dom->qmp && i < c->n; i++) {
        char *bk = vr_asprintf("bk-%s", c->targets[i]);
        if (c->since[i] && c->nodes[i] && c->running) {
            json_object *a = node_arg("node", c->nodes[i]);
            json_object_object_add(a, "name", json_object_new_string(c->tmpbm[i]));
            c->releasing++;
            vr_qmp_command(dom->qmp, "block-dirty-bitmap-remove", a, on_released, c);
        }
        if (i < c->added) {
            c->releasing++;
            vr_qmp_command(dom->qmp, "blockdev-del", node_arg("node-name", bk), on_released, c);
        }
        free(bk);
    }
    if (--c->releasing == 0)
        told(c);
}

static void fail(bk_ctx *c, const char *error)
{
    char *m = vr_asprintf("the backup of domain '%s' failed: %s", c->name, error);
    end(c, VR_ERR_FAILED, m);
    free(m);
}

/* The domain once QEMU answered, or NULL after ending the backup. */
static vr_domain *answered(bk_ctx *c, const char *error)
{
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (error || !dom || !dom->qmp) {
        fail(c, error ? error : "QEMU exited");
        return NULL;
    }
    return dom;
}

static void poll_jobs(bk_ctx *c);
static void cancel_jobs(bk_ctx *c, vr_domain *dom);

static bool is_ours(const bk_ctx *c, json_object *job, const char **status, json_object **error)
{
    json_object *id = NULL, *st = NULL;
    *error = NULL;
    if (!json_object_object_get_ex(job, "id", &id) || !vr_str_starts(json_object_get_string(id), "backup-"))
        return false;
    const char *t = json_object_get_string(id) + strlen("backup-");
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->targets[i], t) == 0) {
            json_object_object_get_ex(job, "status", &st);
            *status = st ? json_object_get_string(st) : "";
            json_object_object_get_ex(job, "error", error);
            return true;
        }
    }
    return false;
}

static unsigned long long member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? (unsigned long long)json_object_get_int64(v) : 0;
}

static void on_jobs(json_object *ret, const char *error, void *opaque)
{
    bk_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    unsigned long long done = 0, total = 0;
    size_t concluded = 0, seen = 0;
    char *failure = NULL;
    for (size_t i = 0; ret && i < json_object_array_length(ret); i++) {
        json_object *j = json_object_array_get_idx(ret, i), *jerr;
        const char *status;
        if (!is_ours(c, j, &status, &jerr))
            continue;
        seen++;
        done += member(j, "current-progress");
        total += member(j, "total-progress");
        if (strcmp(status, "concluded") == 0 || strcmp(status, "null") == 0) {
            concluded++;
            if (jerr && !failure)
                failure = vr_strdup(json_object_get_string(jerr));
        }
    }
    if (dom->job && c->pull) {
        /* sync=none: QEMU's progress counts what copy-before-write put
         * in the scratch files, of the disks' whole size (libvirt's
         * disk_temp_used and disk_temp_total) */
        dom->job->pull = true;
        dom->job->temp_used = done;
        dom->job->temp_total = total;
    } else if (dom->job) {
        dom->job->processed = done;
        dom->job->total = total;
        dom->job->remaining = total - done;
    }
    if (dom->job && dom->job->abort && !c->cancelled)
        cancel_jobs(c, dom);
    if (!c->announced) { /* the first look: domjobinfo has numbers before the caller hears */
        free(failure);
        c->announced = true;
        c->started(VR_OK, NULL, c->opaque);
        poll_jobs(c);
        return;
    }
    if (seen < c->n || concluded == c->n) {
        for (size_t i = 0; i < c->n; i++) {
            char *id = vr_asprintf("backup-%s", c->targets[i]);
            vr_qmp_command(dom->qmp, "job-dismiss", node_arg("id", id), NULL, NULL);
            free(id);
        }
        if (c->export_err)
            fail(c, c->export_err);
        else if (c->cancelled && c->pull)
            end(c, VR_OK, NULL); /* domjobabort is how a pull backup ends */
        else if (c->cancelled)
            end(c, VR_ERR_FAILED, "the backup was cancelled (domjobabort); its files are removed");
        else if (failure || seen < c->n)
            fail(c, failure ? failure : "a copy's job vanished");
        else
            end(c, VR_OK, NULL);
        free(failure);
        return;
    }
    free(failure);
    poll_jobs(c);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    bk_ctx *c = arg;
    vr_domain *dom = answered(c, NULL);
    if (dom)
        vr_qmp_command(dom->qmp, "query-jobs", NULL, on_jobs, c);
}

static void poll_jobs(bk_ctx *c)
{
    if (!c->timer)
        c->timer = evtimer_new(c->drv->base, on_tick, c);
    struct timeval tv = {.tv_usec = POLL_MS * 1000};
    evtimer_add(c->timer, &tv);
}

static void cancel_jobs(bk_ctx *c, vr_domain *dom)
{
    c->cancelled = true;
    for (size_t i = 0; i < c->n; i++) {
        char *id = vr_asprintf("backup-%s", c->targets[i]);
        vr_qmp_command(dom->qmp, "job-cancel", node_arg("id", id), NULL, NULL);
        free(id);
    }
}

static void rec_add(json_object *o, const char *key, const char *v)
{
    if (v)
        json_object_object_add(o, key, json_object_new_string(v));
}

/* The record a restarted daemon re-adopts the backup from: what end()
 * needs to release it, what domjobinfo and backup-dumpxml show. */
static void save_record(bk_ctx *c, vr_domain *dom)
{
    if (!dom->runtime_dir)
        return;
    json_object *o = json_object_new_object(), *disks = json_object_new_array();
    json_object_object_add(o, "pull", json_object_new_boolean(c->pull));
    json_object_object_add(o, "nbd", json_object_new_boolean(c->nbd_up));
    rec_add(o, "xml", c->xml);
    rec_add(o, "owner", c->owner);
    if (dom->job) {
        json_object_object_add(o, "started_s", json_object_new_int64(dom->job->started.tv_sec));
        json_object_object_add(o, "started_ns", json_object_new_int64(dom->job->started.tv_nsec));
    }
    for (size_t i = 0; i < c->n; i++) {
        json_object *d = json_object_new_object();
        rec_add(d, "target", c->targets[i]);
        rec_add(d, "file", c->files[i]);
        rec_add(d, "since", c->since[i]);
        rec_add(d, "node", c->nodes[i]);
        rec_add(d, "bitmap", c->tmpbm[i]);
        rec_add(d, "export", c->exports[i]);
        json_object_object_add(d, "raw", json_object_new_boolean(c->raw[i]));
        json_object_array_add(disks, d);
    }
    json_object_object_add(o, "disks", disks);
    c->record = vr_asprintf("%s/backup.json", dom->runtime_dir);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    if (vr_file_write_atomic(c->record, text, strlen(text), 0600) < 0)
        vr_log_warn("backup of %s: cannot write %s: a daemon restart would lose the backup", c->name, c->record);
    json_object_put(o);
}

static void announce(bk_ctx *c)
{
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (dom)
        save_record(c, dom);
    on_tick(-1, 0, c); /* on_jobs tells the caller */
}

static void export_next(bk_ctx *c, vr_domain *dom);

static void on_exported(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bk_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (error || !dom || !dom->qmp) {
        /* The jobs run: they are cancelled and the poller ends it all. */
        c->export_err = vr_asprintf("cannot export disk %s over NBD: %s", c->targets[c->exported],
                                    error ? error : "QEMU exited");
        if (dom && dom->qmp)
            cancel_jobs(c, dom);
        poll_jobs(c);
        return;
    }
    c->exported++;
    export_next(c, dom);
}

static void export_next(bk_ctx *c, vr_domain *dom)
{
    if (c->exported == c->n) {
        announce(c);
        return;
    }
    size_t i = c->exported;
    char *bk = vr_asprintf("bk-%s", c->targets[i]);
    json_object *a = node_arg("node-name", bk);
    json_object_object_add(a, "type", json_object_new_string("nbd"));
    json_object_object_add(a, "id", json_object_new_string(bk));
    json_object_object_add(a, "name", json_object_new_string(c->exports[i]));
    json_object_object_add(a, "writable", json_object_new_boolean(false));
    if (c->since[i]) {
        json_object *bms = json_object_new_array();
        json_object_array_add(bms, json_object_new_string(c->tmpbm[i]));
        json_object_object_add(a, "bitmaps", bms);
    }
    free(bk);
    vr_qmp_command(dom->qmp, "block-export-add", a, on_exported, c);
}

static void on_transaction(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bk_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    c->running = true;
    vr_qemu_job_start(dom, "backup");
    dom->job->pull = c->pull;
    c->next = running_list;
    running_list = c;
    if (c->pull)
        export_next(c, dom);
    else
        announce(c);
}

static json_object *action(const char *type, json_object *data)
{
    json_object *act = json_object_new_object();
    json_object_object_add(act, "type", json_object_new_string(type));
    json_object_object_add(act, "data", data);
    return act;
}

static void transact(bk_ctx *c, vr_domain *dom)
{
    json_object *actions = json_object_new_array();
    for (size_t i = 0; i < c->n_bitmaps; i++) {
        const vr_bitmap_op *b = &c->bitmaps[i];
        const char *node = NULL;
        for (size_t k = 0; k < c->n && !node; k++)
            if (strcmp(c->targets[k], b->target) == 0)
                node = c->nodes[k];
        json_object_array_add(actions, vr_qemu_bitmap_action(b->kind, node ? node : b->target, b->bitmap, b->into));
    }
    for (size_t i = 0; i < c->n; i++) {
        char *bk = vr_asprintf("bk-%s", c->targets[i]), *id = vr_asprintf("backup-%s", c->targets[i]);
        if (c->since[i]) {
            json_object *add = node_arg("node", c->nodes[i]);
            json_object_object_add(add, "name", json_object_new_string(c->tmpbm[i]));
            json_object_object_add(add, "disabled", json_object_new_boolean(true));
            json_object_array_add(actions, action("block-dirty-bitmap-add", add));
            json_object_array_add(actions,
                                  vr_qemu_bitmap_action(VR_BITMAP_MERGE, c->nodes[i], c->since[i], c->tmpbm[i]));
        }
        json_object *b = node_arg("device", c->nodes[i]);
        json_object_object_add(b, "job-id", json_object_new_string(id));
        json_object_object_add(b, "target", json_object_new_string(bk));
        json_object_object_add(b, "sync", json_object_new_string(c->pull ? "none" : c->since[i] ? "bitmap" : "full"));
        if (c->since[i] && !c->pull) {
            json_object_object_add(b, "bitmap", json_object_new_string(c->tmpbm[i]));
            json_object_object_add(b, "bitmap-mode", json_object_new_string("never"));
        }
        json_object_object_add(b, "auto-dismiss", json_object_new_boolean(false));
        json_object_array_add(actions, action("blockdev-backup", b));
        free(bk);
        free(id);
    }
    /* No grouped completion: QEMU refuses it beside bitmap actions; the
     * poller waits for every copy and fails the whole when one fails. */
    json_object *a = json_object_new_object();
    json_object_object_add(a, "actions", actions);
    vr_qmp_command(dom->qmp, "transaction", a, on_transaction, c);
}

static void add_next(bk_ctx *c, vr_domain *dom);

static void on_added(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bk_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    c->added++;
    add_next(c, dom);
}

static void add_next(bk_ctx *c, vr_domain *dom)
{
    if (c->added == c->n) {
        transact(c, dom);
        return;
    }
    json_object *file = json_object_new_object(), *a = json_object_new_object();
    char *bk = vr_asprintf("bk-%s", c->targets[c->added]);
    json_object_object_add(file, "driver", json_object_new_string("file"));
    json_object_object_add(file, "filename", json_object_new_string(c->files[c->added]));
    json_object_object_add(a, "driver", json_object_new_string(c->raw[c->added] ? "raw" : "qcow2"));
    json_object_object_add(a, "node-name", json_object_new_string(bk));
    json_object_object_add(a, "file", file);
    if (c->pull) /* the scratch reads through to the disk: what was not rewritten */
        json_object_object_add(a, "backing", json_object_new_string(c->nodes[c->added]));
    free(bk);
    vr_qmp_command(dom->qmp, "blockdev-add", a, on_added, c);
}

static void on_nbd(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bk_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    c->nbd_up = true;
    add_next(c, dom);
}

/* nbd-server-start on <server>'s address. */
static void start_nbd(bk_ctx *c, vr_domain *dom)
{
    json_object *addr = json_object_new_object(), *data = json_object_new_object(), *a = json_object_new_object();
    json_object_object_add(addr, "type", json_object_new_string(c->socket ? "unix" : "inet"));
    if (c->socket) {
        json_object_object_add(data, "path", json_object_new_string(c->socket));
    } else {
        char port[16];
        snprintf(port, sizeof(port), "%u", c->port);
        json_object_object_add(data, "host", json_object_new_string(c->host));
        json_object_object_add(data, "port", json_object_new_string(port));
    }
    json_object_object_add(addr, "data", data);
    json_object_object_add(a, "addr", addr);
    vr_qmp_command(dom->qmp, "nbd-server-start", a, on_nbd, c);
}

static void on_nodes(json_object *ret, const char *error, void *opaque)
{
    bk_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    for (size_t i = 0; i < c->n; i++) {
        const char *node = vr_qb_inserted(vr_qb_block_of(ret, c->targets[i]), "node-name");
        if (!node) {
            char *m = vr_asprintf("QEMU has no disk %s", c->targets[i]);
            fail(c, m);
            free(m);
            return;
        }
        c->nodes[i] = vr_strdup(node);
    }
    if (c->pull)
        start_nbd(c, dom);
    else
        add_next(c, dom);
}

static bk_ctx *ctx_new(vr_domain *dom, const char *xml, size_t n, bool pull)
{
    bk_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (bk_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .xml = xml ? vr_strdup(xml) : NULL, .n = n,
                  .pull = pull};
    c->targets = vr_calloc(n + 1, sizeof(char *));
    c->files = vr_calloc(n + 1, sizeof(char *));
    c->since = vr_calloc(n + 1, sizeof(char *));
    c->nodes = vr_calloc(n + 1, sizeof(char *));
    c->raw = vr_calloc(n + 1, sizeof(bool));
    c->tmpbm = vr_calloc(n + 1, sizeof(char *));
    c->exports = vr_calloc(n + 1, sizeof(char *));
    return c;
}

void vr_qemu_backup_begin(vr_domain *dom, const vr_qemu_backup_spec *spec, vr_done_fn started, vr_done_fn ended,
                          void *opaque)
{
    char *m = NULL;
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->starting)
        m = vr_asprintf("domain '%s' is not running; backup-begin copies a running domain's disks (a shut-off "
                        "one: vireo backup DOMAIN DIR)", dom->def->name);
    else if (dom->job)
        m = vr_asprintf("domain '%s' has a %s job running; wait for it or end it with domjobabort", dom->def->name,
                        dom->job->operation);
    if (m) {
        started(VR_ERR_CONFLICT, m, opaque);
        free(m);
        return;
    }
    for (size_t i = 0; i < spec->n; i++) {
        vr_disk_def d = {.type = VR_DISK_FILE, .format = spec->disks[i].raw ? VR_DISK_RAW : VR_DISK_QCOW2,
                         .source_path = (char *)spec->disks[i].file, .target_dev = (char *)spec->disks[i].target};
        if (vr_qemu_grant_disk(dom, &d, &m) < 0) {
            started(VR_ERR_FAILED, m, opaque);
            free(m);
            return;
        }
    }
    bk_ctx *c = ctx_new(dom, spec->xml, spec->n, spec->pull);
    c->started = started;
    c->ended = ended;
    c->opaque = opaque;
    c->owner = spec->owner ? vr_strdup(spec->owner) : NULL;
    c->host = spec->host ? vr_strdup(spec->host) : NULL;
    c->socket = spec->socket ? vr_strdup(spec->socket) : NULL;
    c->port = spec->port;
    for (size_t i = 0; i < spec->n; i++) {
        const vr_qemu_backup_disk *sd = &spec->disks[i];
        c->tmpbm[i] = spec->pull && sd->export_bitmap ? vr_strdup(sd->export_bitmap) : vr_asprintf("bk-%s", sd->target);
        c->exports[i] = vr_strdup(sd->export_name ? sd->export_name : sd->target);
        c->targets[i] = vr_strdup(spec->disks[i].target);
        c->files[i] = vr_strdup(spec->disks[i].file);
        c->since[i] = spec->disks[i].since ? vr_strdup(spec->disks[i].since) : NULL;
        c->raw[i] = spec->disks[i].raw;
    }
    c->n_bitmaps = spec->n_bitmaps;
    c->bitmaps = vr_calloc(spec->n_bitmaps + 1, sizeof(*c->bitmaps));
    for (size_t i = 0; i < spec->n_bitmaps; i++)
        c->bitmaps[i] = (vr_bitmap_op){.kind = spec->bitmaps[i].kind, .target = vr_strdup(spec->bitmaps[i].target),
                                       .bitmap = vr_strdup(spec->bitmaps[i].bitmap),
                                       .into = spec->bitmaps[i].into ? vr_strdup(spec->bitmaps[i].into) : NULL};
    vr_qmp_command(dom->qmp, "query-block", NULL, on_nodes, c);
}

char *vr_qemu_backup_xml(const vr_domain *dom)
{
    for (bk_ctx *c = running_list; c; c = c->next)
        if (c->drv == dom->drv && strcmp(c->name, dom->def->name) == 0)
            return vr_strdup(c->xml);
    return NULL;
}

const char *vr_qemu_backup_adopted_owner(const vr_domain *dom)
{
    for (bk_ctx *c = running_list; c; c = c->next)
        if (c->drv == dom->drv && c->adopted && strcmp(c->name, dom->def->name) == 0)
            return c->owner;
    return NULL;
}

/* ---- re-adoption after a daemon restart ---- */

static char *rec_dup(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? vr_strdup(json_object_get_string(v))
               : NULL;
}

static bool rec_bool(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

void vr_qemu_backup_adopt(vr_domain *dom)
{
    char *path = dom->runtime_dir && dom->qmp ? vr_asprintf("%s/backup.json", dom->runtime_dir) : NULL;
    char *text = path ? vr_file_read(path, NULL) : NULL;
    json_object *o = text ? json_tokener_parse(text) : NULL, *disks = NULL, *v = NULL;
    free(text);
    if (!o) {
        if (path && access(path, F_OK) == 0) {
            vr_log_warn("domain %s: backup record %s unreadable, removed", dom->def->name, path);
            unlink(path);
        }
        free(path);
        return;
    }
    size_t n = json_object_object_get_ex(o, "disks", &disks) && json_object_is_type(disks, json_type_array)
                   ? json_object_array_length(disks)
                   : 0;
    bk_ctx *c = ctx_new(dom, NULL, n, rec_bool(o, "pull"));
    c->xml = rec_dup(o, "xml");
    c->owner = rec_dup(o, "owner");
    c->nbd_up = rec_bool(o, "nbd");
    c->record = path;
    c->added = c->exported = n;
    c->running = c->announced = c->adopted = true;
    bool whole = n > 0 && !dom->job;
    for (size_t i = 0; i < n; i++) {
        json_object *d = json_object_array_get_idx(disks, i);
        c->targets[i] = rec_dup(d, "target");
        c->files[i] = rec_dup(d, "file");
        c->since[i] = rec_dup(d, "since");
        c->nodes[i] = rec_dup(d, "node");
        c->tmpbm[i] = rec_dup(d, "bitmap");
        c->exports[i] = rec_dup(d, "export");
        c->raw[i] = rec_bool(d, "raw");
        whole = whole && c->targets[i] && c->files[i] && c->nodes[i] && c->tmpbm[i] && c->exports[i];
    }
    if (!whole) {
        vr_log_warn("domain %s: backup record %s incomplete, removed (its QEMU jobs are left as they are)",
                    dom->def->name, path);
        ctx_free(c); /* unlinks it */
        json_object_put(o);
        return;
    }
    vr_qemu_job_start(dom, "backup");
    dom->job->pull = c->pull;
    if (json_object_object_get_ex(o, "started_s", &v)) {
        dom->job->started.tv_sec = (time_t)json_object_get_int64(v);
        dom->job->started.tv_nsec = json_object_object_get_ex(o, "started_ns", &v) ? json_object_get_int64(v) : 0;
    }
    json_object_put(o);
    c->next = running_list;
    running_list = c;
    vr_log_info("domain %s: its %s backup re-adopted (%zu disk(s))", c->name, c->pull ? "pull" : "push", n);
    on_tick(-1, 0, c); /* its numbers at once, then polled */
}

/* A run that ended while no daemon ran, in the middle of a backup: the
 * backup failed with it. Its end goes to the core once the loop runs (the
 * daemon sets backup_end after the driver is made): its files removed, a
 * checkpoint made with it deleted. */
typedef struct {
    vr_qemu_driver *drv;
    char *name, *owner;
} stale_ctx;

static void stale_end(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stale_ctx *s = arg;
    vr_log_warn("domain %s: its QEMU ended while no daemon ran, during a backup: the backup failed", s->name);
    if (s->drv->backup_end)
        s->drv->backup_end(s->drv, s->name, s->owner, VR_ERR_FAILED, "QEMU ended while no daemon ran");
    free(s->name);
    free(s->owner);
    free(s);
}

void vr_qemu_backup_stale(vr_qemu_driver *drv, const char *dir, const char *name)
{
    char *path = vr_asprintf("%s/backup.json", dir);
    char *text = vr_file_read(path, NULL);
    json_object *o = text ? json_tokener_parse(text) : NULL;
    char *owner = o ? rec_dup(o, "owner") : NULL;
    free(text);
    free(path);
    json_object_put(o);
    if (!owner)
        return;
    static const struct timeval now = {0, 0};
    stale_ctx *s = vr_calloc(1, sizeof(*s));
    *s = (stale_ctx){.drv = drv, .name = vr_strdup(name), .owner = owner};
    event_base_once(drv->base, -1, EV_TIMEOUT, stale_end, s, &now);
}
