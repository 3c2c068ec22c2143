/* Block jobs on a running disk's chain, as virsh's blockcommit,
 * blockpull, blockcopy and blockjob run them.
 *
 * A job is QEMU's (block-commit, block-stream, blockdev-mirror), run
 * with auto-dismiss off so its error can be read, and followed here by
 * polling query-jobs: one record per disk while it runs. Jobs with a
 * ready phase (an active commit, a copy) wait there until asked to
 * pivot (job-complete: the disk switches to the result) or to end
 * (job-cancel: the disk stays; a copy in ready state is then a finished,
 * consistent copy). When a job ends, the definitions follow what QEMU
 * did and the layers that left the chain leave QEMU (blockdev-del), so
 * the next snapshot, job or detach finds the chain as it is
 * (qemu_blocknode.h).
 *
 * Jobs outlive the daemon as QEMU does: once started, each job's record
 * is also a file in the run directory (blockjob-TARGET.json: kind, id,
 * flags, the files of a commit's top and base, a copy's node and
 * destination). A restarted daemon re-adopts them (vr_qemu_block_jobs_adopt:
 * the chain read again from QEMU, then query-jobs as before), so
 * blockjob --info, --pivot and --abort work after it, and a job that
 * ended while the daemon was away is concluded as if it had watched. */
#include "drivers/qemu/qemu_blocknode.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLL_MS 100
#define MAX_WAITERS 4

typedef struct {
    vr_done_fn cb;
    void *opaque;
} waiter;

typedef struct bjob {
    struct bjob *next;
    vr_qemu_driver *drv;
    char *name, *target, *id;
    vr_block_job_kind kind;
    unsigned flags;
    bool active;                     /* has a ready phase */
    bool started, ready, completing, cancelling;
    bool adopted;                    /* from a record of a previous daemon: not started here */
    char *record;                    /* RUN/blockjob-TARGET.json once started */
    vr_qb_layer *chain;
    size_t n_chain;
    char *top_path, *base_path;      /* commit: --top, --base as given */
    size_t top, base;                /* commit: their indexes in the chain */
    char *copy_node, *copy_path, *copy_format;
    struct event *timer;
    waiter waiters[MAX_WAITERS];
    size_t n_waiters;
} bjob;

/* Every job the daemon follows, across domains. */
static bjob *jobs;

static const char *kind_name(vr_block_job_kind k)
{
    return k == VR_BLOCK_COPY ? "copy" : k == VR_BLOCK_PULL ? "pull" : "commit";
}

static bjob *job_of(const char *name, const char *target)
{
    for (bjob *j = jobs; j; j = j->next)
        if (strcmp(j->name, name) == 0 && strcmp(j->target, target) == 0)
            return j;
    return NULL;
}

static void job_free(bjob *j)
{
    for (bjob **p = &jobs; *p; p = &(*p)->next)
        if (*p == j) {
            *p = j->next;
            break;
        }
    if (j->timer)
        event_free(j->timer);
    if (j->record)
        unlink(j->record);
    free(j->record);
    vr_qb_chain_free(j->chain, j->n_chain);
    free(j->name);
    free(j->target);
    free(j->id);
    free(j->top_path);
    free(j->base_path);
    free(j->copy_node);
    free(j->copy_path);
    free(j->copy_format);
    free(j);
}

static void wait_on(bjob *j, vr_done_fn cb, void *opaque)
{
    if (j->n_waiters < MAX_WAITERS)
        j->waiters[j->n_waiters++] = (waiter){cb, opaque};
    else
        cb(VR_ERR_CONFLICT, "too many callers wait on this block job already", opaque);
}

/* Answer everyone waiting; the job goes when `end`. */
static void answer(bjob *j, vr_err code, const char *err, bool end)
{
    size_t n = j->n_waiters;
    waiter w[MAX_WAITERS];
    memcpy(w, j->waiters, sizeof(w));
    j->n_waiters = 0;
    if (end)
        job_free(j);
    for (size_t i = 0; i < n; i++)
        w[i].cb(code, err, w[i].opaque);
}

/* libvirt's block-job event: "TARGET KIND STATUS" (KIND pull, copy,
 * commit or active-commit; STATUS completed, failed, canceled, ready). */
static void job_event(bjob *j, const char *status)
{
    vr_domain *dom = vr_qemu_lookup(j->drv, j->name);
    if (!dom)
        return;
    char *detail = vr_asprintf("%s %s %s", j->target, j->kind == VR_BLOCK_COMMIT && j->active ? "active-commit"
                                                      : kind_name(j->kind), status);
    vr_qemu_emit(dom, "block-job", detail);
    free(detail);
}

static void fail(bjob *j, const char *error)
{
    job_event(j, "failed");
    char *m = vr_asprintf("block %s of disk %s of domain '%s' failed: %s", kind_name(j->kind), j->target, j->name,
                          error);
    answer(j, VR_ERR_FAILED, m, true);
    free(m);
}

/* The domain once QEMU answered, or NULL after failing the job. */
static vr_domain *answered(bjob *j, const char *error)
{
    vr_domain *dom = vr_qemu_lookup(j->drv, j->name);
    if (error || !dom || !dom->qmp) {
        fail(j, error ? error : "QEMU exited");
        return NULL;
    }
    return dom;
}

static json_object *id_arg(const char *key, const char *id)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, key, json_object_new_string(id));
    return a;
}

static void send_dels(vr_domain *dom, json_object *dels)
{
    for (size_t i = 0; i < json_object_array_length(dels); i++)
        vr_qmp_command(dom->qmp, "blockdev-del", json_object_get(json_object_array_get_idx(dels, i)), NULL,
                       NULL);
    json_object_put(dels);
}

static void drop_copy_node(bjob *j, vr_domain *dom)
{
    if (j->copy_node && dom && dom->qmp)
        vr_qmp_command(dom->qmp, "blockdev-del", id_arg("node-name", j->copy_node), NULL, NULL);
}

/* The job ended well: the definitions follow the chain QEMU has now,
 * and the layers out of it leave QEMU. */
static void concluded(bjob *j, vr_domain *dom)
{
    json_object *dels = json_object_new_array();
    size_t from = 0, to = 0; /* chain layers [from, to) leave */
    if (j->kind == VR_BLOCK_COPY && j->cancelling) {
        drop_copy_node(j, dom);
    } else if (j->kind == VR_BLOCK_COPY) {
        vr_qb_set_disk_source(dom, j->target, j->copy_path, j->copy_format, j->flags & VR_BJ_BLOCKDEV);
        to = j->flags & VR_BJ_SHALLOW ? 1 : j->n_chain;
    } else if (j->kind == VR_BLOCK_PULL) {
        from = 1, to = j->n_chain;
    } else if (!j->active || !j->cancelling) {
        /* commit: top..base-1 merged into base; an active one pivoted to it */
        from = j->top, to = j->base;
        if (j->active)
            vr_qb_set_disk_source(dom, j->target, j->chain[j->base].file, j->chain[j->base].format, false);
    }
    for (size_t i = from; i < to; i++)
        vr_qb_del_args(&j->chain[i], j->target, dels);
    send_dels(dom, dels);
    vr_log_info("domain %s: block %s of %s %s", j->name, kind_name(j->kind), j->target,
                j->cancelling ? "ended, the disk unchanged" : "done");
    /* A copy ended in its ready phase (--finish) is a finished copy. */
    job_event(j, !j->cancelling || (j->kind == VR_BLOCK_COPY && j->ready && !j->completing) ? "completed"
                                                                                          : "canceled");
    answer(j, VR_OK, NULL, true);
}

static void poll_job(bjob *j);

static void on_jobs(json_object *ret, const char *error, void *opaque)
{
    bjob *j = opaque;
    vr_domain *dom = answered(j, error);
    if (!dom)
        return;
    json_object *job = NULL, *st = NULL, *jerr = NULL;
    for (size_t i = 0; ret && i < json_object_array_length(ret) && !job; i++) {
        json_object *e = json_object_array_get_idx(ret, i), *id = NULL;
        if (json_object_object_get_ex(e, "id", &id) && strcmp(json_object_get_string(id), j->id) == 0)
            job = e;
    }
    const char *status = job && json_object_object_get_ex(job, "status", &st) ? json_object_get_string(st) : "gone";
    if (strcmp(status, "ready") == 0 && !j->ready) {
        j->ready = true;
        if (j->flags & (VR_BJ_PIVOT | VR_BJ_FINISH)) {
            bool pivot = j->flags & VR_BJ_PIVOT;
            (pivot ? &j->completing : &j->cancelling)[0] = true;
            vr_qmp_command(dom->qmp, pivot ? "job-complete" : "job-cancel", id_arg("id", j->id), NULL, NULL);
        } else {
            /* --wait without --pivot/--finish: answered in the ready phase */
            job_event(j, "ready");
            answer(j, VR_OK, NULL, false);
        }
    } else if (strcmp(status, "concluded") == 0 || strcmp(status, "gone") == 0) {
        if (job)
            json_object_object_get_ex(job, "error", &jerr);
        char *m = jerr ? vr_strdup(json_object_get_string(jerr)) : NULL;
        if (job)
            vr_qmp_command(dom->qmp, "job-dismiss", id_arg("id", j->id), NULL, NULL);
        if (!job || (m && !j->cancelling)) {
            if (j->kind == VR_BLOCK_COPY)
                drop_copy_node(j, dom);
            fail(j, m ? m : "the job vanished from QEMU");
        } else {
            concluded(j, dom);
        }
        free(m);
        return;
    }
    poll_job(j);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    bjob *j = arg;
    vr_domain *dom = answered(j, NULL);
    if (dom)
        vr_qmp_command(dom->qmp, "query-jobs", NULL, on_jobs, j);
}

static void poll_job(bjob *j)
{
    if (!j->timer)
        j->timer = evtimer_new(j->drv->base, on_tick, j);
    struct timeval tv = {.tv_usec = POLL_MS * 1000};
    evtimer_add(j->timer, &tv);
}

static void add_str(json_object *o, const char *key, const char *v)
{
    if (v)
        json_object_object_add(o, key, json_object_new_string(v));
}

/* The record a restarted daemon re-adopts the job from. */
static void save_record(bjob *j, vr_domain *dom)
{
    if (!dom->runtime_dir)
        return;
    json_object *o = json_object_new_object();
    add_str(o, "kind", kind_name(j->kind));
    add_str(o, "target", j->target);
    add_str(o, "id", j->id);
    json_object_object_add(o, "flags", json_object_new_int((int)j->flags));
    json_object_object_add(o, "active", json_object_new_boolean(j->active));
    if (j->kind == VR_BLOCK_COMMIT) {
        add_str(o, "top", j->chain[j->top].file);
        add_str(o, "base", j->chain[j->base].file);
    }
    add_str(o, "copy_node", j->copy_node);
    add_str(o, "copy_path", j->copy_path);
    add_str(o, "copy_format", j->copy_format);
    free(j->record);
    j->record = vr_asprintf("%s/blockjob-%s.json", dom->runtime_dir, j->target);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    if (vr_file_write_atomic(j->record, text, strlen(text), 0600) < 0)
        vr_log_warn("domain %s: cannot write %s: a daemon restart would lose its block job", j->name, j->record);
    json_object_put(o);
}

static void on_started(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bjob *j = opaque;
    vr_domain *dom = vr_qemu_lookup(j->drv, j->name);
    if (error && j->kind == VR_BLOCK_COPY)
        drop_copy_node(j, dom);
    if (!answered(j, error))
        return;
    j->started = true;
    save_record(j, dom);
    vr_log_info("domain %s: block %s of %s started", j->name, kind_name(j->kind), j->target);
    /* Without --wait the caller hears now; the job goes on. */
    if (!(j->flags & VR_BJ_WAIT))
        answer(j, VR_OK, NULL, false);
    poll_job(j);
}

static void start_job(bjob *j, vr_domain *dom)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, "job-id", json_object_new_string(j->id));
    json_object_object_add(a, "device", json_object_new_string(j->chain[0].node));
    json_object_object_add(a, "auto-dismiss", json_object_new_boolean(false));
    const char *cmd = "block-stream";
    if (j->kind == VR_BLOCK_COMMIT) {
        cmd = "block-commit";
        if (!j->active)
            json_object_object_add(a, "top-node", json_object_new_string(j->chain[j->top].node));
        json_object_object_add(a, "base-node", json_object_new_string(j->chain[j->base].node));
    } else if (j->kind == VR_BLOCK_COPY) {
        cmd = "blockdev-mirror";
        json_object_object_add(a, "target", json_object_new_string(j->copy_node));
        json_object_object_add(a, "sync", json_object_new_string(j->flags & VR_BJ_SHALLOW ? "top" : "full"));
    }
    vr_qmp_command(dom->qmp, cmd, a, on_started, j);
}

static void on_copy_added(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    bjob *j = opaque;
    vr_domain *dom = answered(j, error);
    if (dom)
        start_job(j, dom);
}

/* blockdev-add of the copy's destination, on the disk's backing for a
 * shallow copy (the destination was made with it as its backing file). */
static void add_copy_node(bjob *j, vr_domain *dom)
{
    static unsigned next_copy;
    j->copy_node = vr_asprintf("copy%u-%s", ++next_copy, j->target);
    json_object *file = json_object_new_object(), *a = json_object_new_object();
    json_object_object_add(file, "driver",
                           json_object_new_string(j->flags & VR_BJ_BLOCKDEV ? "host_device" : "file"));
    json_object_object_add(file, "filename", json_object_new_string(j->copy_path));
    json_object_object_add(a, "driver", json_object_new_string(j->copy_format));
    json_object_object_add(a, "node-name", json_object_new_string(j->copy_node));
    json_object_object_add(a, "file", file);
    if (strcmp(j->copy_format, "qcow2") == 0)
        json_object_object_add(a, "backing", (j->flags & VR_BJ_SHALLOW) && j->n_chain > 1
                                                 ? json_object_new_string(j->chain[1].node)
                                                 : NULL);
    vr_qmp_command(dom->qmp, "blockdev-add", a, on_copy_added, j);
}

/* The layer of the chain at `path` (a commit's --top/--base), or -1
 * after failing the job. */
static int layer_at(bjob *j, const char *path, const char *what)
{
    int i = vr_qb_chain_find(j->chain, j->n_chain, path);
    if (i < 0) {
        char *m = vr_asprintf("%s %s is not in the backing chain of disk %s (domblklist and qemu-img info "
                              "--backing-chain show it)",
                              what, path, j->target);
        answer(j, VR_ERR_INVALID, m, true);
        free(m);
    }
    return i;
}

/* A re-adopted job's chain is known: a commit's layers found by their
 * files again, then followed as if started here. */
static void adopted_chain(bjob *j)
{
    if (j->kind == VR_BLOCK_COMMIT) {
        int t = vr_qb_chain_find(j->chain, j->n_chain, j->top_path);
        int b = vr_qb_chain_find(j->chain, j->n_chain, j->base_path);
        if (t < 0 || b <= t) {
            /* QEMU changed the chain already (the job ended meanwhile):
             * nothing left to drop from it */
            vr_log_warn("domain %s: the block commit of %s ended while the daemon was away", j->name, j->target);
            t = b = 0;
        }
        j->top = (size_t)t;
        j->base = (size_t)b;
    }
    vr_log_info("domain %s: block %s of %s re-adopted", j->name, kind_name(j->kind), j->target);
    poll_job(j);
}

/* The chain known: what the job takes, checked, then started. */
static void on_chain(json_object *ret, const char *error, void *opaque)
{
    bjob *j = opaque;
    vr_domain *dom = answered(j, error);
    if (!dom)
        return;
    /* chain[0] was named by query-block (on_top); the rest read here */
    char *top = j->chain ? vr_strdup(j->chain[0].node) : NULL;
    vr_qb_chain_free(j->chain, j->n_chain);
    j->n_chain = vr_qb_chain(ret, top, &j->chain);
    free(top);
    if (j->n_chain == 0) {
        fail(j, "QEMU has no node for the disk's image");
        return;
    }
    if (j->adopted) {
        adopted_chain(j);
        return;
    }
    const char *nothing = j->kind == VR_BLOCK_COPY ? NULL
                          : j->n_chain < 2        ? "no backing image (no external snapshot under it)"
                                                  : NULL;
    if (nothing) {
        char *m = vr_asprintf("disk %s of domain '%s' has %s; there is nothing to %s", j->target, j->name, nothing,
                              kind_name(j->kind));
        answer(j, VR_ERR_CONFLICT, m, true);
        free(m);
        return;
    }
    if (j->kind == VR_BLOCK_COPY) {
        add_copy_node(j, dom);
        return;
    }
    if (j->kind == VR_BLOCK_PULL) {
        start_job(j, dom);
        return;
    }
    /* commit: --top (default the active layer), --base (default the
     * bottom; --shallow: the layer under top) */
    int t = j->top_path ? layer_at(j, j->top_path, "--top") : 0;
    if (t < 0)
        return;
    int b = j->base_path ? layer_at(j, j->base_path, "--base")
            : (j->flags & VR_BJ_SHALLOW) ? t + 1
                                         : (int)j->n_chain - 1;
    if (b < 0)
        return;
    const char *refused = NULL;
    if (b <= t || (size_t)b >= j->n_chain)
        refused = "--base must be an image below --top in the chain";
    else if (t == 0 && !(j->flags & VR_BJ_ACTIVE))
        refused = "--top is the disk's active layer: committing it needs --active (the job then waits in a "
                  "ready phase for --pivot or blockjob --pivot/--abort)";
    else if (t > 0 && (j->flags & VR_BJ_PIVOT))
        refused = "--pivot is for an active commit (--active, the top layer); an inner layer's commit "
                  "ends by itself";
    if (refused) {
        char *m = vr_asprintf("blockcommit of disk %s: %s", j->target, refused);
        answer(j, VR_ERR_INVALID, m, true);
        free(m);
        return;
    }
    j->top = (size_t)t;
    j->base = (size_t)b;
    j->active = t == 0;
    start_job(j, dom);
}

static void on_top(json_object *ret, const char *error, void *opaque)
{
    bjob *j = opaque;
    vr_domain *dom = answered(j, error);
    if (!dom)
        return;
    const char *top = vr_qb_inserted(vr_qb_block_of(ret, j->target), "node-name");
    if (!top) {
        char *m = vr_asprintf("disk %s of domain '%s' has no image in QEMU", j->target, j->name);
        answer(j, VR_ERR_NOT_FOUND, m, true);
        free(m);
        return;
    }
    j->chain = vr_calloc(1, sizeof(*j->chain));
    j->chain[0].node = vr_strdup(top);
    j->n_chain = 1; /* only its name so far: on_chain reads the rest */
    vr_qmp_command(dom->qmp, "query-named-block-nodes", NULL, on_chain, j);
}

/* The running domain's disk `target` (its definition's spelling), or
 * NULL after answering why not. */
static const char *running_disk(vr_domain *dom, const char *target, vr_done_fn cb, void *opaque)
{
    char *m = NULL;
    vr_err code = VR_ERR_CONFLICT;
    int i = vr_domain_def_find_disk(dom->def, target);
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->starting)
        m = vr_asprintf("domain '%s' is not running; block jobs run on a running domain", dom->def->name);
    else if (i < 0) {
        m = vr_asprintf("domain '%s' has no disk '%s' (domblklist shows its targets)", dom->def->name, target);
        code = VR_ERR_NOT_FOUND;
    }
    if (m) {
        cb(code, m, opaque);
        free(m);
        return NULL;
    }
    return dom->def->disks[i].target_dev;
}

void vr_qemu_block_job_start(vr_domain *dom, const char *target, vr_block_job_kind kind,
                             const vr_block_job_params *p, vr_done_fn cb, void *opaque)
{
    const char *t = running_disk(dom, target, cb, opaque);
    if (!t)
        return;
    if (job_of(dom->def->name, t)) {
        char *m = vr_asprintf("disk %s of domain '%s' has a block job already (blockjob --info shows it; "
                              "--abort ends it)", t, dom->def->name);
        cb(VR_ERR_CONFLICT, m, opaque);
        free(m);
        return;
    }
    if (kind == VR_BLOCK_COPY) {
        char *err = NULL;
        vr_disk_def d = {.type = p->flags & VR_BJ_BLOCKDEV ? VR_DISK_BLOCK : VR_DISK_FILE,
                         .format = p->format && strcmp(p->format, "raw") == 0 ? VR_DISK_RAW : VR_DISK_QCOW2,
                         .source_path = (char *)p->dest, .target_dev = (char *)t};
        if (vr_qemu_grant_disk(dom, &d, &err) < 0) {
            cb(VR_ERR_FAILED, err, opaque);
            free(err);
            return;
        }
    }
    bjob *j = vr_calloc(1, sizeof(*j));
    *j = (bjob){.drv = dom->drv, .name = vr_strdup(dom->def->name), .target = vr_strdup(t), .kind = kind,
                .flags = p->flags, .active = kind == VR_BLOCK_COPY};
    j->id = vr_asprintf("%s-%s", kind_name(kind), t);
    if (kind == VR_BLOCK_COPY) {
        j->copy_path = vr_strdup(p->dest);
        j->copy_format = vr_strdup(p->format ? p->format : "qcow2");
    } else if (kind == VR_BLOCK_COMMIT) {
        j->top_path = p->top ? vr_strdup(p->top) : NULL;
        j->base_path = p->base ? vr_strdup(p->base) : NULL;
    }
    j->waiters[j->n_waiters++] = (waiter){cb, opaque};
    j->next = jobs;
    jobs = j;
    vr_qmp_command(dom->qmp, "query-block", NULL, on_top, j);
}

/* blockjob --pivot / --abort of the job the daemon follows. */
static bjob *followed(vr_domain *dom, const char *target, const char *verb, vr_done_fn cb, void *opaque)
{
    const char *t = running_disk(dom, target, cb, opaque);
    if (!t)
        return NULL;
    bjob *j = job_of(dom->def->name, t);
    if (!j || !j->started) {
        char *m = vr_asprintf("disk %s of domain '%s' has no block job to %s%s", t, dom->def->name, verb,
                              j ? " yet (it is starting)" : "");
        cb(VR_ERR_CONFLICT, m, opaque);
        free(m);
        return NULL;
    }
    return j;
}

typedef struct {
    char *name, *target;
    vr_qemu_driver *drv;
    vr_done_fn cb;
    void *opaque;
} pivot_ctx;

static void pivot_now(bjob *j, vr_domain *dom, vr_done_fn cb, void *opaque)
{
    const char *refused = !j->active ? "only a copy or an active commit pivots; this job ends by itself"
                          : !j->ready ? "it is not ready yet: its copy is still catching up (blockjob --info "
                                        "shows the progress)"
                          : j->completing || j->cancelling ? "it is ending already"
                                                           : NULL;
    if (refused) {
        char *m = vr_asprintf("cannot pivot the block %s of disk %s: %s", kind_name(j->kind), j->target, refused);
        cb(VR_ERR_CONFLICT, m, opaque);
        free(m);
        return;
    }
    j->completing = true;
    wait_on(j, cb, opaque);
    vr_qmp_command(dom->qmp, "job-complete", id_arg("id", j->id), NULL, NULL);
}

/* QEMU may call the job ready before the next poll here: asked now. */
static void on_pivot_jobs(json_object *ret, const char *error, void *opaque)
{
    pivot_ctx *p = opaque;
    vr_domain *dom = vr_qemu_lookup(p->drv, p->name);
    bjob *j = job_of(p->name, p->target);
    if (error || !dom || !dom->qmp || !j) {
        char *m = vr_asprintf("the block job of disk %s of domain '%s' ended meanwhile%s%s", p->target, p->name,
                              error ? ": " : "", error ? error : "");
        p->cb(VR_ERR_CONFLICT, m, p->opaque);
        free(m);
    } else {
        for (size_t i = 0; ret && i < json_object_array_length(ret); i++) {
            json_object *e = json_object_array_get_idx(ret, i), *v = NULL;
            if (json_object_object_get_ex(e, "id", &v) && strcmp(json_object_get_string(v), j->id) == 0 &&
                json_object_object_get_ex(e, "status", &v) && strcmp(json_object_get_string(v), "ready") == 0)
                j->ready = true;
        }
        pivot_now(j, dom, p->cb, p->opaque);
    }
    free(p->name);
    free(p->target);
    free(p);
}

void vr_qemu_block_job_pivot(vr_domain *dom, const char *target, vr_done_fn cb, void *opaque)
{
    bjob *j = followed(dom, target, "pivot", cb, opaque);
    if (!j)
        return;
    if (j->ready || !j->active) {
        pivot_now(j, dom, cb, opaque);
        return;
    }
    pivot_ctx *p = vr_calloc(1, sizeof(*p));
    *p = (pivot_ctx){.name = vr_strdup(j->name), .target = vr_strdup(j->target), .drv = j->drv, .cb = cb,
                     .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-jobs", NULL, on_pivot_jobs, p);
}

/* ---- blockjob --info, and --abort of a job not followed ---- */

typedef struct {
    char *target;
    bool abort;
    vr_qmp *qmp;
    vr_qemu_reply_fn cb;
    vr_done_fn done;
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
    if (q->abort) {
        char *m = error ? vr_strdup(error) : !hit ? vr_asprintf("disk %s has no block job to abort", q->target)
                                                  : NULL;
        if (hit) {
            json_object_object_get_ex(hit, "id", &id);
            vr_qmp_command(q->qmp, "job-cancel", id_arg("id", json_object_get_string(id)), NULL, NULL);
        }
        q->done(m ? (error ? VR_ERR_FAILED : VR_ERR_CONFLICT) : VR_OK, m, q->opaque);
        free(m);
    } else if (error) {
        q->cb(VR_ERR_FAILED, NULL, error, q->opaque);
    } else {
        q->cb(VR_OK, hit, NULL, q->opaque);
    }
    free(q->target);
    free(q);
}

static bool refuse_shutoff(vr_domain *dom, vr_err *code, char **m)
{
    if (dom->state != VR_DOM_SHUTOFF && dom->qmp)
        return false;
    *code = VR_ERR_CONFLICT;
    *m = vr_asprintf("domain '%s' is not running", dom->def->name);
    return true;
}

typedef struct {
    vr_qemu_reply_fn cb;
    void *opaque;
} abort_ctx;

static void on_aborted(vr_err code, const char *err, void *opaque)
{
    abort_ctx *a = opaque;
    a->cb(code, NULL, err, a->opaque);
    free(a);
}

void vr_qemu_block_job(vr_domain *dom, const char *target, vr_block_job kind, vr_done_fn cb, void *opaque)
{
    vr_block_job_params p = {.flags = VR_BJ_WAIT | (kind == VR_BLOCK_COMMIT ? VR_BJ_ACTIVE | VR_BJ_PIVOT : 0)};
    vr_qemu_block_job_start(dom, target, kind, &p, cb, opaque);
}

void vr_qemu_block_job_query(vr_domain *dom, const char *target, bool abort, vr_qemu_reply_fn cb, void *opaque)
{
    if (abort) {
        abort_ctx *a = vr_calloc(1, sizeof(*a));
        *a = (abort_ctx){cb, opaque};
        vr_qemu_block_job_abort(dom, target, on_aborted, a);
        return;
    }
    vr_err code;
    char *m = NULL;
    if (refuse_shutoff(dom, &code, &m)) {
        cb(code, NULL, m, opaque);
        free(m);
        return;
    }
    jobq_ctx *q = vr_calloc(1, sizeof(*q));
    *q = (jobq_ctx){.target = vr_strdup(target), .qmp = dom->qmp, .cb = cb, .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-jobs", NULL, on_job_list, q);
}

void vr_qemu_block_job_abort(vr_domain *dom, const char *target, vr_done_fn cb, void *opaque)
{
    vr_err code;
    char *m = NULL;
    if (refuse_shutoff(dom, &code, &m)) {
        cb(code, m, opaque);
        free(m);
        return;
    }
    int i = vr_domain_def_find_disk(dom->def, target);
    bjob *j = i >= 0 ? job_of(dom->def->name, dom->def->disks[i].target_dev) : NULL;
    if (j && j->started && !j->completing && !j->cancelling) {
        j->cancelling = true;
        wait_on(j, cb, opaque);
        vr_qmp_command(dom->qmp, "job-cancel", id_arg("id", j->id), NULL, NULL);
        return;
    }
    if (j) {
        m = vr_asprintf("the block job of disk %s is %s already", j->target, j->started ? "ending" : "starting");
        cb(VR_ERR_CONFLICT, m, opaque);
        free(m);
        return;
    }
    /* A job from before a daemon restart: cancelled, not followed. */
    jobq_ctx *q = vr_calloc(1, sizeof(*q));
    *q = (jobq_ctx){.target = vr_strdup(target), .abort = true, .qmp = dom->qmp, .done = cb, .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-jobs", NULL, on_job_list, q);
}

/* ---- re-adoption after a daemon restart ---- */

static const char *rec_str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static char *rec_dup(json_object *o, const char *key)
{
    const char *v = rec_str(o, key);
    return v ? vr_strdup(v) : NULL;
}

static void adopt_record(vr_domain *dom, const char *path)
{
    char *text = vr_file_read(path, NULL);
    json_object *o = text ? json_tokener_parse(text) : NULL;
    free(text);
    const char *kind = o ? rec_str(o, "kind") : NULL, *target = o ? rec_str(o, "target") : NULL;
    const char *id = o ? rec_str(o, "id") : NULL;
    json_object *flags = NULL, *active = NULL;
    if (!kind || !target || !id || !json_object_object_get_ex(o, "flags", &flags) ||
        vr_domain_def_find_disk(dom->def, target) < 0 || job_of(dom->def->name, target)) {
        vr_log_warn("domain %s: block job record %s unreadable or stale, removed", dom->def->name, path);
        unlink(path);
        json_object_put(o);
        return;
    }
    bjob *j = vr_calloc(1, sizeof(*j));
    *j = (bjob){.drv = dom->drv, .name = vr_strdup(dom->def->name), .target = vr_strdup(target),
                .id = vr_strdup(id), .flags = (unsigned)json_object_get_int(flags), .started = true,
                .adopted = true, .record = vr_strdup(path)};
    j->kind = strcmp(kind, "copy") == 0 ? VR_BLOCK_COPY : strcmp(kind, "pull") == 0 ? VR_BLOCK_PULL : VR_BLOCK_COMMIT;
    j->active = json_object_object_get_ex(o, "active", &active) && json_object_get_boolean(active);
    j->top_path = rec_dup(o, "top");
    j->base_path = rec_dup(o, "base");
    j->copy_node = rec_dup(o, "copy_node");
    j->copy_path = rec_dup(o, "copy_path");
    j->copy_format = rec_dup(o, "copy_format");
    json_object_put(o);
    if (j->kind == VR_BLOCK_COMMIT && (!j->top_path || !j->base_path)) {
        vr_log_warn("domain %s: block job record %s lacks the commit's layers, removed", dom->def->name, path);
        job_free(j); /* unlinks it */
        return;
    }
    j->next = jobs;
    jobs = j;
    vr_qmp_command(dom->qmp, "query-block", NULL, on_top, j);
}

void vr_qemu_block_jobs_adopt(vr_domain *dom)
{
    DIR *d = dom->runtime_dir && dom->qmp ? opendir(dom->runtime_dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, "blockjob-", 9) == 0 && vr_str_ends(e->d_name, ".json")) {
            char *path = vr_asprintf("%s/%s", dom->runtime_dir, e->d_name);
            adopt_record(dom, path);
            free(path);
        }
    if (d)
        closedir(d);
}
