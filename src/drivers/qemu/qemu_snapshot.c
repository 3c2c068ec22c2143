/* Snapshots through QEMU (running) or qemu-img (shut off); see
 * qemu_snapshot.h. One snapshot operation per domain at a time. */
#include "drivers/qemu/qemu_snapshot.h"
#include "registry/registry.h"
#include "conf/names.h"
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/child.h"
#include "common/file.h"
#include "conf/stored_form.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- metadata files ---- */

char *vr_qemu_snapshot_dir(const vr_qemu_driver *drv, const char *domain)
{
    return vr_asprintf("%s/snapshot/%s", vr_registry_dir(drv->reg), domain);
}

static char *snap_dir(const vr_domain *dom)
{
    return vr_qemu_snapshot_dir(dom->drv, dom->def->name);
}

static char *snap_path(const vr_domain *dom, const char *name)
{
    char *dir = snap_dir(dom);
    char *p = vr_asprintf("%s/%s.xml", dir, name);
    free(dir);
    return p;
}

void vr_qemu_snapshot_list_free(vr_snapshot_def **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vr_snapshot_def_free(list[i]);
    free(list);
}

static int cmp_snap(const void *a, const void *b)
{
    const vr_snapshot_def *x = *(vr_snapshot_def *const *)a, *y = *(vr_snapshot_def *const *)b;
    if (x->creation_time != y->creation_time)
        return x->creation_time < y->creation_time ? -1 : 1;
    return strcmp(x->name, y->name);
}

vr_err vr_qemu_snapshot_list(vr_domain *dom, vr_snapshot_def ***out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    char *dir = snap_dir(dom);
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return VR_OK;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !vr_str_ends(e->d_name, ".xml"))
            continue;
        char *path = vr_asprintf("%s/%s", dir, e->d_name), *perr = NULL;
        char *xml = vr_file_read(path, NULL);
        vr_snapshot_def *s = xml ? vr_snapshot_def_parse(xml, strlen(xml), &perr) : NULL;
        if (s) {
            *out = vr_realloc(*out, (*n + 1) * sizeof(**out));
            (*out)[(*n)++] = s;
        } else {
            vr_log_error("skipping snapshot %s: %s", path, perr ? perr : strerror(errno));
        }
        free(perr);
        free(xml);
        free(path);
    }
    closedir(d);
    free(dir);
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_snap);
    (void)err;
    return VR_OK;
}

vr_err vr_qemu_snapshot_get(vr_domain *dom, const char *name, vr_snapshot_def **out, char **err)
{
    vr_snapshot_def **l;
    size_t n;
    vr_qemu_snapshot_list(dom, &l, &n, err);
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!*out && strcmp(l[i]->name, name) == 0) {
            *out = l[i];
            l[i] = NULL;
        }
    }
    vr_qemu_snapshot_list_free(l, n);
    if (!*out) {
        vr_set_error(err, "snapshot '%s' of domain '%s' not found (vireo snapshot-list %s shows them)",
                     name, dom->def->name, dom->def->name);
        return VR_ERR_NOT_FOUND;
    }
    return VR_OK;
}

static int save_meta(vr_domain *dom, const vr_snapshot_def *s, char **err)
{
    char *dir = snap_dir(dom);
    int rc = vr_mkdir_p(dir, 0700);
    free(dir);
    char *path = snap_path(dom, s->name);
    if (rc < 0)
        vr_set_error(err, "cannot save snapshot metadata %s: %s", path, strerror(-rc));
    else if (vr_conf_save(&vr_conf_snapshot, s, s->name, path, err) != VR_OK)
        rc = -1;
    free(path);
    return rc;
}

/* Make `name` the current snapshot (NULL: none). */
static void set_current(vr_domain *dom, const char *name)
{
    vr_snapshot_def **l;
    size_t n;
    vr_qemu_snapshot_list(dom, &l, &n, NULL);
    for (size_t i = 0; i < n; i++) {
        bool want = name && strcmp(l[i]->name, name) == 0;
        if (l[i]->current != want) {
            l[i]->current = want;
            save_meta(dom, l[i], NULL);
        }
    }
    vr_qemu_snapshot_list_free(l, n);
}

static char *current_name(vr_domain *dom);

vr_err vr_qemu_snapshot_record(vr_domain *dom, const char *name, const char *description,
                               vr_snap_state state, char **err)
{
    vr_snapshot_def s = {.name = (char *)name, .description = (char *)description,
                         .parent = current_name(dom), .creation_time = time(NULL), .state = state};
    int rc = save_meta(dom, &s, err);
    free(s.parent);
    if (rc < 0)
        return VR_ERR_FAILED;
    set_current(dom, name);
    return VR_OK;
}

static char *current_name(vr_domain *dom)
{
    vr_snapshot_def **l;
    size_t n;
    char *cur = NULL;
    vr_qemu_snapshot_list(dom, &l, &n, NULL);
    for (size_t i = 0; i < n; i++)
        if (l[i]->current && !cur)
            cur = vr_strdup(l[i]->name);
    vr_qemu_snapshot_list_free(l, n);
    return cur;
}

/* ---- the disks a snapshot covers ---- */

typedef struct {
    char **paths;
    size_t n;
} disk_set;

static void disks_free(disk_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->paths[i]);
    free(s->paths);
}

/* Every writable disk, which must be qcow2: internal snapshots live in
 * the images. */
static vr_err snapshot_disks(vr_domain *dom, disk_set *out, char **err)
{
    memset(out, 0, sizeof(*out));
    const vr_domain_def *def = dom->def;
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        if (d->device != VR_DISK_DEVICE_DISK || d->readonly)
            continue;
        char *path = vr_qemu_disk_path(dom->drv, d, err);
        if (!path) {
            disks_free(out);
            return VR_ERR_INVALID;
        }
        vr_disk_format fmt = d->format;
        if (d->type == VR_DISK_VOLUME && dom->drv->resolve_volume && dom->state == VR_DOM_SHUTOFF) {
            char *p2 = NULL;
            if (dom->drv->resolve_volume(d->source_pool, d->source_volume, &p2, &fmt, NULL,
                                         dom->drv->resolve_opaque) == VR_OK)
                free(p2);
        }
        if (fmt != VR_DISK_QCOW2 || d->type == VR_DISK_BLOCK) {
            vr_set_error(err, "domain '%s': disk %s (%s) is %s; snapshots live inside qcow2 images, so "
                              "every writable disk must be qcow2 (convert it with 'qemu-img convert "
                              "-O qcow2', or use a qcow2 volume)", def->name, d->target_dev, path,
                         d->type == VR_DISK_BLOCK ? "a block device" : "raw");
            free(path);
            disks_free(out);
            return VR_ERR_UNSUPPORTED;
        }
        out->paths = vr_realloc(out->paths, (out->n + 1) * sizeof(*out->paths));
        out->paths[out->n++] = path;
    }
    if (!out->n) {
        vr_set_error(err, "domain '%s' has no writable qcow2 disk to hold a snapshot", def->name);
        return VR_ERR_UNSUPPORTED;
    }
    return VR_OK;
}

/* A snapshot that failed for want of room says so, whatever QEMU made
 * of the error ("Could not create snapshot 'g1': -2"): the message
 * names ENOSPC, or a disk's file system has less than 1 MiB left.
 * Returns the message, or NULL when neither is so. */
static char *no_space(const disk_set *disks, const char *snap, const char *qemu_says)
{
    bool said = qemu_says && (strstr(qemu_says, "No space left") || strstr(qemu_says, "-28"));
    for (size_t i = 0; i < disks->n; i++) {
        struct statvfs fs;
        if (statvfs(disks->paths[i], &fs) < 0)
            continue;
        unsigned long long left = (unsigned long long)fs.f_bavail * fs.f_frsize;
        if (said || left < 1024 * 1024)
            return vr_asprintf("no space left on device for snapshot '%s' (%s: %llu KiB free); free some "
                               "space and try again", snap, disks->paths[i], left / 1024);
    }
    return said ? vr_asprintf("no space left on device for snapshot '%s'", snap) : NULL;
}

/* `qemu-img snapshot OP NAME PATH`, to completion: it only edits the
 * image's snapshot table. 0 or -1 with *err. */
static int img_snapshot(const char *op, const char *name, const char *path, char **err)
{
    const char *img = getenv("VIREO_QEMU_IMG");
    char *argv[] = {"qemu-img", "snapshot", (char *)op, (char *)name, (char *)path, NULL};
    vr_child_spec s = {.program = img && *img ? img : "qemu-img", .argv = argv,
                       .out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true, .c_locale = true};
    vr_child_result r;
    if (vr_child_run(&s, &r, err) < 0)
        return -1;
    int rc = 0;
    if (!vr_child_ok(&r)) {
        char *msg = vr_str_trim(r.err);
        char *nl = strrchr(msg, '\n');
        msg = nl ? nl + 1 : msg;
        if (vr_str_starts(msg, "qemu-img: "))
            msg += 10;
        vr_set_error(err, "qemu-img snapshot %s on %s: %s", op, path,
                     WIFEXITED(r.status) && WEXITSTATUS(r.status) == 127
                         ? "qemu-img is missing (apt-get install qemu-utils)"
                         : *msg ? msg : "failed");
        rc = -1;
    }
    vr_child_result_clear(&r);
    return rc;
}

/* ---- one operation in flight per domain ---- */

typedef enum { OP_CREATE, OP_REVERT, OP_DELETE } op_kind;

typedef struct op {
    struct op *next;
    op_kind kind;
    vr_qemu_driver *drv;
    char *dom_name;
    vr_snapshot_def *snap; /* create: the new one; revert/delete: the target */
    vr_done_fn cb;
    void *opaque;
    char *failure; /* create: savevm's error, reported once the partial snapshot is gone */
} op;

static op *in_flight;

static bool busy(const vr_domain *dom)
{
    for (op *o = in_flight; o; o = o->next)
        if (o->drv == dom->drv && strcmp(o->dom_name, dom->def->name) == 0)
            return true;
    return false;
}

static op *op_new(vr_domain *dom, op_kind kind, vr_snapshot_def *snap, vr_done_fn cb, void *opaque)
{
    op *o = vr_calloc(1, sizeof(*o));
    o->kind = kind;
    o->drv = dom->drv;
    o->dom_name = vr_strdup(dom->def->name);
    o->snap = snap;
    o->cb = cb;
    o->opaque = opaque;
    o->next = in_flight;
    in_flight = o;
    return o;
}

static void op_end(op *o, vr_err code, const char *err)
{
    for (op **p = &in_flight; *p; p = &(*p)->next) {
        if (*p == o) {
            *p = o->next;
            break;
        }
    }
    o->cb(code, err, o->opaque);
    vr_snapshot_def_free(o->snap);
    free(o->dom_name);
    free(o);
}

static vr_domain *op_domain(op *o, char **err)
{
    vr_domain *dom = vr_qemu_lookup(o->drv, o->dom_name);
    if (!dom)
        vr_set_error(err, "domain '%s' went away during the snapshot operation", o->dom_name);
    return dom;
}

static bool running(const vr_domain *dom)
{
    return dom->state != VR_DOM_SHUTOFF && dom->qmp;
}

/* HMP through QMP: savevm/loadvm/delvm answer with an empty string, or
 * with the error text. */
static void hmp(vr_domain *dom, const char *line, vr_qmp_reply_fn cb, void *opaque)
{
    json_object *args = json_object_new_object();
    json_object_object_add(args, "command-line", json_object_new_string(line));
    vr_qmp_command(dom->qmp, "human-monitor-command", args, cb, opaque);
}

static char *hmp_error(json_object *ret, const char *error)
{
    if (error)
        return vr_strdup(error);
    const char *s = ret ? json_object_get_string(ret) : "";
    char *t = vr_strdup(s ? s : "");
    char *trimmed = vr_str_trim(t);
    char *out = *trimmed ? vr_strdup(vr_str_starts(trimmed, "Error: ") ? trimmed + 7 : trimmed) : NULL;
    free(t);
    return out;
}

/* The domain a loadvm or delvm answered for; NULL once the operation
 * has ended, with the domain's loss or "QEMU could not WHAT: QEMU's
 * message" (what: freed). */
static vr_domain *hmp_step_domain(op *o, json_object *ret, const char *error, char *what)
{
    char *err = NULL;
    vr_domain *dom = op_domain(o, &err);
    char *e = dom ? hmp_error(ret, error) : NULL;
    if (e) {
        err = vr_asprintf("QEMU could not %s: %s", what, e);
        free(e);
        dom = NULL;
    }
    free(what);
    if (!dom) {
        op_end(o, VR_ERR_FAILED, err);
        free(err);
    }
    return dom;
}

static void reply_fail(vr_done_fn cb, void *opaque, vr_err code, char *err)
{
    cb(code, err, opaque);
    free(err);
}

/* ---- create ---- */

static void created(op *o)
{
    char *err = NULL;
    vr_domain *dom = op_domain(o, &err);
    if (!dom || save_meta(dom, o->snap, &err) < 0) {
        op_end(o, VR_ERR_FAILED, err);
        free(err);
        return;
    }
    set_current(dom, o->snap->name);
    vr_log_info("domain %s: snapshot %s taken (%s)", dom->def->name, o->snap->name,
                vr_snap_state_name(o->snap->state));
    op_end(o, VR_OK, NULL);
}

static void on_savevm_undone(json_object *ret, const char *error, void *opaque)
{
    op *o = opaque;
    char *e = hmp_error(ret, error), *failure = o->failure;
    if (e)
        vr_log_info("domain %s: removing what savevm left of snapshot %s: %s", o->dom_name, o->snap->name, e);
    free(e);
    op_end(o, VR_ERR_FAILED, failure);
    free(failure);
}

static void on_savevm(json_object *ret, const char *error, void *opaque)
{
    op *o = opaque;
    char *e = hmp_error(ret, error);
    if (!e) {
        created(o);
        return;
    }
    vr_domain *dom = op_domain(o, NULL);
    disk_set disks = {0};
    o->failure = dom && snapshot_disks(dom, &disks, NULL) == VR_OK ? no_space(&disks, o->snap->name, e) : NULL;
    disks_free(&disks);
    if (!o->failure)
        o->failure = vr_asprintf("QEMU could not take snapshot '%s' of domain '%s': %s", o->snap->name,
                                 o->dom_name, e);
    free(e);
    /* savevm may have written the snapshot to some disks before it
     * failed on another: delvm takes it off them all, so that a
     * snapshot is all or nothing (virsh's --atomic), live as offline. */
    if (dom && running(dom)) {
        char *line = vr_asprintf("delvm %s", o->snap->name);
        hmp(dom, line, on_savevm_undone, o);
        free(line);
        return;
    }
    char *failure = o->failure;
    op_end(o, VR_ERR_FAILED, failure);
    free(failure);
}

void vr_qemu_snapshot_create(vr_domain *dom, const char *name, const char *description,
                             vr_done_fn cb, void *opaque)
{
    char *err = NULL;
    vr_snapshot_def *existing = NULL;
    if (!vr_name_check(VR_NAME_SNAPSHOT, name, &err)) {
        reply_fail(cb, opaque, VR_ERR_INVALID, err);
        return;
    }
    if (busy(dom)) {
        reply_fail(cb, opaque, VR_ERR_CONFLICT,
                   vr_asprintf("domain '%s' has a snapshot operation under way; try again when "
                               "it is done", dom->def->name));
        return;
    }
    if (dom->starting || dom->state == VR_DOM_SHUTDOWN) {
        reply_fail(cb, opaque, VR_ERR_CONFLICT,
                   vr_asprintf("domain '%s' is starting or shutting down; snapshot it once it "
                                  "is running or shut off", dom->def->name));
        return;
    }
    if (vr_qemu_snapshot_get(dom, name, &existing, NULL) == VR_OK) {
        vr_snapshot_def_free(existing);
        {
            reply_fail(cb, opaque, VR_ERR_CONFLICT,
                          vr_asprintf("domain '%s' already has a snapshot '%s'", dom->def->name, name));
            return;
        }
    }
    disk_set disks;
    vr_err code = snapshot_disks(dom, &disks, &err);
    if (code) {
        reply_fail(cb, opaque, code, err);
        return;
    }
    vr_snapshot_def *s = vr_calloc(1, sizeof(*s));
    s->name = vr_strdup(name);
    s->description = description && *description ? vr_strdup(description) : NULL;
    s->parent = current_name(dom);
    s->creation_time = time(NULL);
    s->state = dom->state == VR_DOM_PAUSED ? VR_SNAP_PAUSED
             : dom->state == VR_DOM_SHUTOFF ? VR_SNAP_SHUTOFF : VR_SNAP_RUNNING;
    op *o = op_new(dom, OP_CREATE, s, cb, opaque);
    if (running(dom)) {
        char *line = vr_asprintf("savevm %s", name);
        hmp(dom, line, on_savevm, o);
        free(line);
        disks_free(&disks);
        return;
    }
    /* Offline: every disk, or none (undo the ones done on a failure). */
    for (size_t i = 0; i < disks.n; i++) {
        if (img_snapshot("-c", name, disks.paths[i], &err) < 0) {
            for (size_t k = 0; k < i; k++)
                img_snapshot("-d", name, disks.paths[k], NULL);
            char *full = no_space(&disks, name, err);
            if (full) {
                free(err);
                err = full;
            }
            disks_free(&disks);
            op_end(o, VR_ERR_FAILED, err);
            free(err);
            return;
        }
    }
    disks_free(&disks);
    created(o);
}

/* ---- revert ---- */

static void reverted(op *o, vr_domain *dom)
{
    set_current(dom, o->snap->name);
    vr_log_info("domain %s: reverted to snapshot %s", dom->def->name, o->snap->name);
    op_end(o, VR_OK, NULL);
}

static void on_state_set(json_object *ret, const char *error, void *opaque)
{
    op *o = opaque;
    char *err = NULL;
    vr_domain *dom = op_domain(o, &err);
    if (!dom || error) {
        op_end(o, VR_ERR_FAILED, err ? err : error);
        free(err);
        return;
    }
    reverted(o, dom);
}

static void on_loadvm(json_object *ret, const char *error, void *opaque)
{
    op *o = opaque;
    vr_domain *dom = hmp_step_domain(
        o, ret, error, vr_asprintf("revert domain '%s' to snapshot '%s'", o->dom_name, o->snap->name));
    if (!dom)
        return;
    /* The guest resumes in the state the snapshot recorded. QEMU's own
     * STOP/RESUME events update the domain's state. */
    bool want_run = o->snap->state == VR_SNAP_RUNNING;
    if (want_run && dom->state != VR_DOM_RUNNING) {
        vr_qmp_command(dom->qmp, "cont", NULL, on_state_set, o);
        return;
    }
    if (!want_run && dom->state == VR_DOM_RUNNING) {
        vr_qmp_command(dom->qmp, "stop", NULL, on_state_set, o);
        return;
    }
    reverted(o, dom);
}

static void load_running(op *o, vr_domain *dom)
{
    char *line = vr_asprintf("loadvm %s", o->snap->name);
    hmp(dom, line, on_loadvm, o);
    free(line);
}

static void on_started_paused(vr_err code, const char *err, void *opaque)
{
    op *o = opaque;
    char *e = NULL;
    vr_domain *dom = code == VR_OK ? op_domain(o, &e) : NULL;
    if (!dom) {
        char *msg = vr_asprintf("cannot start domain '%s' to revert to snapshot '%s': %s", o->dom_name,
                                o->snap->name, err ? err : e);
        op_end(o, code ? code : VR_ERR_FAILED, msg);
        free(msg);
        free(e);
        return;
    }
    load_running(o, dom);
}

/* The snapshot a revert or delete works on, or NULL after answering
 * (another snapshot operation under way, no such snapshot). */
static vr_snapshot_def *snapshot_for_op(vr_domain *dom, const char *name, vr_done_fn cb, void *opaque)
{
    char *err = NULL;
    vr_snapshot_def *s = NULL;
    if (busy(dom)) {
        reply_fail(cb, opaque, VR_ERR_CONFLICT,
                   vr_asprintf("domain '%s' has a snapshot operation under way; try again when "
                               "it is done", dom->def->name));
        return NULL;
    }
    vr_err code = vr_qemu_snapshot_get(dom, name, &s, &err);
    if (code) {
        reply_fail(cb, opaque, code, err);
        return NULL;
    }
    return s;
}

void vr_qemu_snapshot_revert(vr_domain *dom, const char *name, vr_done_fn cb, void *opaque)
{
    vr_snapshot_def *s = snapshot_for_op(dom, name, cb, opaque);
    if (!s)
        return;
    if (s->state == VR_SNAP_DISK) {
        vr_snapshot_def_free(s);
        reply_fail(cb, opaque, VR_ERR_UNSUPPORTED,
                   vr_asprintf("snapshot '%s' is external (disk-only): reverting to it is not supported; "
                               "its data is the images under the overlays (blockcommit merges them)", name));
        return;
    }
    if (dom->starting || dom->state == VR_DOM_SHUTDOWN) {
        vr_snapshot_def_free(s);
        {
            reply_fail(cb, opaque, VR_ERR_CONFLICT,
                          vr_asprintf("domain '%s' is starting or shutting down; revert once it is "
                                      "running or shut off", dom->def->name));
            return;
        }
    }
    char *err = NULL;
    vr_err code;
    disk_set disks;
    if ((code = snapshot_disks(dom, &disks, &err))) {
        vr_snapshot_def_free(s);
        {
            reply_fail(cb, opaque, code, err);
            return;
        }
    }
    op *o = op_new(dom, OP_REVERT, s, cb, opaque);
    if (s->state == VR_SNAP_SHUTOFF) {
        if (running(dom)) {
            disks_free(&disks);
            char *msg = vr_asprintf("snapshot '%s' of domain '%s' was taken while it was shut off; "
                                    "destroy the domain to revert to it", name, dom->def->name);
            op_end(o, VR_ERR_CONFLICT, msg);
            free(msg);
            return;
        }
        for (size_t i = 0; i < disks.n; i++) {
            if (img_snapshot("-a", name, disks.paths[i], &err) < 0) {
                disks_free(&disks);
                op_end(o, VR_ERR_FAILED, err);
                free(err);
                return;
            }
        }
        disks_free(&disks);
        reverted(o, dom);
        return;
    }
    disks_free(&disks);
    if (running(dom)) {
        load_running(o, dom);
        return;
    }
    /* The snapshot holds a running guest: start QEMU paused and load it. */
    vr_qemu_start(dom, true, on_started_paused, o);
}

/* ---- delete ---- */

static void deleted(op *o, vr_domain *dom)
{
    /* Children hang on to the deleted one's parent; the current mark
     * moves up too. */
    vr_snapshot_def **l;
    size_t n;
    vr_qemu_snapshot_list(dom, &l, &n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (l[i]->parent && strcmp(l[i]->parent, o->snap->name) == 0) {
            free(l[i]->parent);
            l[i]->parent = o->snap->parent ? vr_strdup(o->snap->parent) : NULL;
            save_meta(dom, l[i], NULL);
        }
    }
    vr_qemu_snapshot_list_free(l, n);
    char *path = snap_path(dom, o->snap->name);
    unlink(path);
    free(path);
    if (o->snap->current)
        set_current(dom, o->snap->parent);
    vr_log_info("domain %s: snapshot %s deleted", dom->def->name, o->snap->name);
    op_end(o, VR_OK, NULL);
}

static void on_delvm(json_object *ret, const char *error, void *opaque)
{
    op *o = opaque;
    vr_domain *dom = hmp_step_domain(
        o, ret, error, vr_asprintf("delete snapshot '%s' of domain '%s'", o->snap->name, o->dom_name));
    if (dom)
        deleted(o, dom);
}

void vr_qemu_snapshot_delete(vr_domain *dom, const char *name, vr_done_fn cb, void *opaque)
{
    vr_snapshot_def *s = snapshot_for_op(dom, name, cb, opaque);
    if (!s)
        return;
    op *o = op_new(dom, OP_DELETE, s, cb, opaque);
    /* An external snapshot's data is a file in the chain: only its
     * metadata goes (the files stay, as with virsh --metadata). */
    if (s->state == VR_SNAP_DISK) {
        deleted(o, dom);
        return;
    }
    if (running(dom)) {
        char *line = vr_asprintf("delvm %s", name);
        hmp(dom, line, on_delvm, o);
        free(line);
        return;
    }
    char *err = NULL;
    vr_err code;
    disk_set disks;
    if ((code = snapshot_disks(dom, &disks, &err))) {
        op_end(o, code, err);
        free(err);
        return;
    }
    for (size_t i = 0; i < disks.n; i++) {
        /* A disk added after the snapshot does not have it: fine. */
        char *e = NULL;
        if (img_snapshot("-d", name, disks.paths[i], &e) < 0 && !strstr(e, "not found") &&
            !strstr(e, "Can't find")) {
            disks_free(&disks);
            op_end(o, VR_ERR_FAILED, e);
            free(e);
            return;
        }
        free(e);
    }
    disks_free(&disks);
    deleted(o, dom);
}
