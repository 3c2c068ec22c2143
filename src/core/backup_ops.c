/* Backups of shut-off domains (see backup_ops.h): a list of file copies
 * run one after the other through the storage driver's copies (hidden
 * temporaries, renamed at the end), then the definition written (backup)
 * or defined (restore). A failure removes the copies already made. */
#include "core/backup_ops.h"
#include "core/livebackup_ops.h"
#include "drivers/qemu/qemu_backup.h"
#include "drivers/qemu/qemu_checkpoint.h"
#include "drivers/storage/storage_img.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <event2/event.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char *src, *dst;
    vr_vol_format format, src_format;
    bool live; /* a disk of a running domain: copied by QEMU (backup-begin), not here */
    char *backing; /* live, incremental: the previous bundle's copy it goes on */
    bool done;
} copy_item;

struct vr_backup_run {
    vr_qemu_driver *qemu;
    vr_storage_driver *storage;
    bool restore;
    char *name, *dir, *xml;  /* the definition: written (backup) or defined (restore) */
    json_object *manifest;
    copy_item *items;
    size_t n, next;
    vr_storage_copy *copy;
    vr_backup_def *live;      /* a running domain's disks: the push backup to run first */
    vr_checkpoint_def *checkpoint; /* made with it, for the next --incremental */
    bool live_running;
    bool resumed;             /* finished by a daemon after the one that began it */
    struct vr_backup_run *next_resumed;
    vr_backup_progress_fn progress;
    vr_backup_done_fn done;
    void *opaque;
};

static void run_free(vr_backup_run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].src);
        free(r->items[i].dst);
        free(r->items[i].backing);
    }
    vr_backup_def_free(r->live);
    vr_checkpoint_def_free(r->checkpoint);
    free(r->items);
    free(r->name);
    free(r->dir);
    free(r->xml);
    json_object_put(r->manifest);
    free(r);
}

static void add_item(vr_backup_run *r, const char *src, const char *dst, vr_vol_format f)
{
    r->items = vr_realloc(r->items, (r->n + 1) * sizeof(*r->items));
    r->items[r->n++] = (copy_item){.src = vr_strdup(src), .dst = vr_strdup(dst), .format = f, .src_format = f};
}

/* The bundles this daemon finishes for a previous one (vr_core_backup_resume). */
static vr_backup_run *resumed_list;

static void finish(vr_backup_run *r, vr_err code, const char *err)
{
    for (vr_backup_run **p = &resumed_list; *p; p = &(*p)->next_resumed)
        if (*p == r) {
            *p = r->next_resumed;
            break;
        }
    json_object *result = NULL;
    if (code) {
        for (size_t i = 0; i < r->n; i++)
            if (r->items[i].done && unlink(r->items[i].dst) == 0)
                vr_log_info("%s %s: removed %s", r->restore ? "restore" : "backup", r->name, r->items[i].dst);
    } else {
        result = json_object_new_object();
        json_object_object_add(result, "domain", json_object_new_string(r->name));
        json_object_object_add(result, "dir", json_object_new_string(r->dir));
        json_object *files = json_object_new_array();
        for (size_t i = 0; i < r->n; i++)
            json_object_array_add(files, json_object_new_string(r->items[i].dst));
        json_object_object_add(result, "files", files);
        if (r->resumed)
            json_object_object_add(result, "resumed", json_object_new_boolean(true));
    }
    r->done(code, err, result, r->opaque);
    run_free(r);
}

/* The last step: backup writes the definition and backup.json; restore
 * defines the domain. */
static void complete(vr_backup_run *r)
{
    char *err = NULL;
    vr_err code = VR_OK;
    if (r->restore) {
        vr_domain *dom = NULL;
        code = vr_qemu_define(r->qemu, r->xml, &dom, &err);
    } else {
        char *xml_path = vr_asprintf("%s/%s.xml", r->dir, r->name);
        char *man_path = vr_asprintf("%s/backup.json", r->dir);
        const char *man = json_object_to_json_string_ext(r->manifest, JSON_C_TO_STRING_PRETTY);
        if (vr_file_write_atomic(xml_path, r->xml, strlen(r->xml), 0600) < 0 ||
            vr_file_write_atomic(man_path, man, strlen(man), 0600) < 0) {
            err = vr_asprintf("cannot write the backup's definition in %s: %s", r->dir, strerror(errno));
            code = VR_ERR_FAILED;
            unlink(xml_path);
        }
        free(xml_path);
        free(man_path);
    }
    finish(r, code, err);
    free(err);
}

static void next_copy(vr_backup_run *r);

static void on_progress(double pct, void *opaque)
{
    vr_backup_run *r = opaque;
    char *step = vr_asprintf("copying %s", r->items[r->next].src);
    r->progress(((double)r->next * 100 + pct) / (double)r->n, step, r->opaque);
    free(step);
}

static void on_copied(vr_err code, const char *err, void *opaque)
{
    vr_backup_run *r = opaque;
    r->copy = NULL;
    if (code) {
        finish(r, code, err);
        return;
    }
    r->items[r->next++].done = true;
    next_copy(r);
}

static void next_copy(vr_backup_run *r)
{
    while (r->next < r->n && r->items[r->next].live)
        r->next++;
    if (r->next == r->n) {
        complete(r);
        return;
    }
    copy_item *it = &r->items[r->next];
    vr_copy_spec spec = {.src = it->src, .src_format = it->src_format, .dst = it->dst, .dst_format = it->format};
    vr_err code;
    char *err = NULL;
    r->copy = vr_storage_copy_start(r->storage, &spec, on_progress, on_copied, r, &code, &err);
    if (!r->copy) {
        finish(r, code, err);
        free(err);
    }
}

/* The first copy from the loop, never inside the start call: the
 * caller makes its job first, and a backup with nothing to copy ends in
 * its own turn. */
static void live_started(vr_err code, const char *err, void *opaque)
{
    vr_backup_run *r = opaque;
    if (code)
        finish(r, code, err);
    else
        r->live_running = true;
}

/* The push backup is done: an increment goes on the copy it follows
 * (its backing file, so a restore's qemu-img convert reads the whole
 * chain), then the NVRAM copy and the definition. */
static void live_ended(vr_err code, const char *err, void *opaque)
{
    vr_backup_run *r = opaque;
    r->live_running = false;
    if (code) {
        finish(r, code, err);
        return;
    }
    char *rerr = NULL;
    for (size_t i = 0; i < r->n; i++) {
        copy_item *it = &r->items[i];
        if (!it->live)
            continue;
        it->done = true;
        const char *argv[] = {vr_img_binary(), "rebase", "-q", "-u", "-b", it->backing, "-F", "qcow2", it->dst, NULL};
        char *ierr = NULL;
        if (it->backing && !rerr && vr_img_run((char *const *)argv, NULL, &ierr) < 0)
            rerr = vr_asprintf("cannot put %s on %s: %s", it->dst, it->backing, ierr);
        free(ierr);
    }
    if (rerr) {
        finish(r, VR_ERR_FAILED, rerr);
        free(rerr);
        return;
    }
    next_copy(r);
}

/* What a restarted daemon needs to finish the bundle once its push
 * backup ends (vr_core_backup_resume): kept in the push backup's record. */
static json_object *plan_json(const vr_backup_run *r)
{
    json_object *o = json_object_new_object(), *items = json_object_new_array();
    json_object_object_add(o, "domain", json_object_new_string(r->name));
    json_object_object_add(o, "dir", json_object_new_string(r->dir));
    json_object_object_add(o, "xml", json_object_new_string(r->xml));
    json_object_object_add(o, "manifest", json_object_get(r->manifest));
    for (size_t i = 0; i < r->n; i++) {
        const copy_item *it = &r->items[i];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "src", json_object_new_string(it->src));
        json_object_object_add(j, "dst", json_object_new_string(it->dst));
        json_object_object_add(j, "qcow2", json_object_new_boolean(it->format == VR_VOL_QCOW2));
        json_object_object_add(j, "src_qcow2", json_object_new_boolean(it->src_format == VR_VOL_QCOW2));
        json_object_object_add(j, "live", json_object_new_boolean(it->live));
        if (it->backing)
            json_object_object_add(j, "backing", json_object_new_string(it->backing));
        json_object_array_add(items, j);
    }
    json_object_object_add(o, "items", items);
    return o;
}

static bool jbool(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static void first_step(evutil_socket_t fd, short what, void *arg)
{
    vr_backup_run *r = arg;
    vr_domain *dom = r->live ? vr_qemu_lookup(r->qemu, r->name) : NULL;
    if (r->live && !dom) {
        finish(r, VR_ERR_NOT_FOUND, "the domain is gone");
    } else if (r->live) {
        vr_backup_def *def = r->live;
        vr_checkpoint_def *cp = r->checkpoint;
        r->live = NULL;
        r->checkpoint = NULL;
        if (r->progress)
            r->progress(0, "copying the running domain's disks (domjobinfo shows the progress)", r->opaque);
        json_object *plan = plan_json(r);
        vr_core_backup_begin(dom, def, cp, plan, live_started, live_ended, r);
        json_object_put(plan);
    } else {
        next_copy(r);
    }
}

static void begin(vr_backup_run *r)
{
    static const struct timeval now = {0, 0};
    event_base_once(vr_storage_base(r->storage), -1, EV_TIMEOUT, first_step, r, &now);
}

static vr_backup_run *run_new(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *dir,
                              vr_backup_progress_fn progress, vr_backup_done_fn done, void *opaque)
{
    vr_backup_run *r = vr_calloc(1, sizeof(*r));
    r->qemu = qemu;
    r->storage = storage;
    r->dir = vr_strdup(dir);
    r->progress = progress;
    r->done = done;
    r->opaque = opaque;
    return r;
}

static vr_err check_dir(const char *dir, char **err)
{
    if (!dir || dir[0] != '/') {
        vr_set_error(err, "the backup directory %s must be an absolute path", dir ? dir : "(none)");
        return VR_ERR_INVALID;
    }
    return VR_OK;
}

/* "vda" disk at /a/b/web.qcow2 -> DIR/web.qcow2 (DIR/vdb-web.qcow2 when
 * two disks share a file name). */
static char *backup_name(const vr_backup_run *r, const char *src, const char *target)
{
    char *copy = vr_strdup(src), *base = vr_strdup(basename(copy));
    free(copy);
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(strrchr(r->items[i].dst, '/') + 1, base) == 0) {
            char *renamed = vr_asprintf("%s-%s", target, base);
            free(base);
            return renamed;
        }
    }
    return base;
}

static const char *jstr(json_object *o, const char *key);

/* The bundle a --incremental backup follows: its checkpoint, and the
 * copy of each disk (by target) the increments go on. */
static json_object *read_base(const char *base, const char *domain, const char **checkpoint, vr_err *code, char **err)
{
    char *path = vr_asprintf("%s/backup.json", base);
    json_object *man = base[0] == '/' ? json_object_from_file(path) : NULL;
    free(path);
    const char *dom = man ? jstr(man, "domain") : NULL;
    *checkpoint = man ? jstr(man, "checkpoint") : NULL;
    *code = VR_OK;
    if (!dom) {
        vr_set_error(err, "%s holds no backup to follow (backup.json missing or unreadable; give an absolute path)",
                     base);
        *code = VR_ERR_NOT_FOUND;
    } else if (strcmp(dom, domain) != 0) {
        vr_set_error(err, "%s is a backup of domain '%s', not '%s'", base, dom, domain);
        *code = VR_ERR_INVALID;
    } else if (!*checkpoint) {
        vr_set_error(err, "%s was taken with the domain shut off and has no checkpoint; an incremental backup "
                          "follows a backup of the running domain", base);
        *code = VR_ERR_INVALID;
    }
    if (*code) {
        json_object_put(man);
        return NULL;
    }
    return man;
}

/* The base bundle's copy of disk `target`, or NULL. */
static char *base_file(json_object *base_man, const char *base, const char *target)
{
    json_object *files = NULL;
    json_object_object_get_ex(base_man, "files", &files);
    for (size_t i = 0; files && i < json_object_array_length(files); i++) {
        json_object *f = json_object_array_get_idx(files, i);
        const char *t = jstr(f, "target"), *file = jstr(f, "file");
        if (t && file && !strchr(file, '/') && strcmp(t, target) == 0)
            return vr_asprintf("%s/%s", base, file);
    }
    return NULL;
}

/* A checkpoint name of the domain not in use yet: "backup-" + the time. */
static char *new_checkpoint_name(vr_domain *dom)
{
    long long now = (long long)time(NULL);
    for (unsigned i = 0;; i++) {
        char *name = i ? vr_asprintf("backup-%lld-%u", now, i) : vr_asprintf("backup-%lld", now);
        vr_checkpoint_def *old = NULL;
        if (vr_qemu_checkpoint_get(dom, name, &old, NULL) != VR_OK)
            return name;
        vr_checkpoint_def_free(old);
        free(name);
    }
}

vr_backup_run *vr_core_backup_start(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *domain,
                                    const char *dir, const char *base, vr_backup_progress_fn progress,
                                    vr_backup_done_fn done, void *opaque, vr_err *code, char **err)
{
    vr_domain *dom = vr_qemu_lookup(qemu, domain);
    if (!dom) {
        vr_set_error(err, "domain '%s' not found", domain);
        *code = VR_ERR_NOT_FOUND;
        return NULL;
    }
    if ((*code = check_dir(dir, err)))
        return NULL;
    bool live = dom->starting || dom->state != VR_DOM_SHUTOFF;
    if (dom->starting) {
        vr_set_error(err, "domain '%s' is starting; back it up once it runs", domain);
        *code = VR_ERR_CONFLICT;
        return NULL;
    }
    if (base && !live) {
        vr_set_error(err, "domain '%s' is shut off; --incremental copies what a running domain changed since "
                          "its last backup (a shut-off domain is backed up in full)", domain);
        *code = VR_ERR_CONFLICT;
        return NULL;
    }
    const char *since = NULL;
    json_object *base_man = base ? read_base(base, domain, &since, code, err) : NULL;
    if (base && !base_man)
        return NULL;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        vr_set_error(err, "cannot make %s: %s", dir, strerror(errno));
        *code = VR_ERR_FAILED;
        json_object_put(base_man);
        return NULL;
    }
    char *man = vr_asprintf("%s/backup.json", dir);
    bool taken = access(man, F_OK) == 0;
    free(man);
    if (taken) {
        vr_set_error(err, "%s already holds a backup; give an empty or new directory", dir);
        *code = VR_ERR_CONFLICT;
        json_object_put(base_man);
        return NULL;
    }
    const vr_domain_def *def = dom->next ? dom->next : dom->def;
    vr_backup_run *r = run_new(qemu, storage, dir, progress, done, opaque);
    r->name = vr_strdup(def->name);
    r->xml = vr_domain_def_format(def);
    r->manifest = json_object_new_object();
    json_object_object_add(r->manifest, "domain", json_object_new_string(def->name));
    json_object *files = json_object_new_array();
    json_object_object_add(r->manifest, "files", files);
    *code = VR_OK;
    if (live) {
        /* Every disk copied by QEMU at one instant, with a checkpoint
         * for the next --incremental (raw disks cannot hold one). */
        r->live = vr_calloc(1, sizeof(*r->live));
        r->live->incremental = since ? vr_strdup(since) : NULL;
        r->checkpoint = vr_calloc(1, sizeof(*r->checkpoint));
        r->checkpoint->name = new_checkpoint_name(dom);
        json_object_object_add(r->manifest, "checkpoint", json_object_new_string(r->checkpoint->name));
        if (base)
            json_object_object_add(r->manifest, "base", json_object_new_string(base));
    }
    for (size_t i = 0; i <= def->n_disks && !*code; i++) {
        const vr_disk_def *d = i < def->n_disks ? &def->disks[i] : NULL;
        char *src = NULL;
        vr_vol_format fmt = VR_VOL_RAW;
        const char *target = d ? d->target_dev : "nvram";
        if (!d) { /* the NVRAM file, after the disks */
            if (!def->os.nvram || access(def->os.nvram, R_OK) < 0)
                break;
            src = vr_strdup(def->os.nvram);
        } else if (d->device != VR_DISK_DEVICE_DISK) {
            continue; /* CD-ROMs and floppies are media, not the domain's data */
        } else if (d->type == VR_DISK_VOLUME) {
            *code = vr_storage_resolve(storage, d->source_pool, d->source_volume, &src, &fmt, err);
        } else if (d->source_path) {
            src = vr_strdup(d->source_path);
            fmt = d->format == VR_DISK_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW;
        } else {
            continue;
        }
        if (*code)
            break;
        char *name = backup_name(r, src, target), *dst = vr_asprintf("%s/%s", dir, name);
        add_item(r, src, dst, fmt == VR_VOL_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW);
        json_object *f = json_object_new_object();
        if (live && d) {
            copy_item *it = &r->items[r->n - 1];
            it->live = true;
            it->src_format = VR_VOL_QCOW2; /* QEMU's copies are qcow2, whatever the disk */
            vr_backup_disk *bd = vr_backup_def_add_disk(r->live, target);
            bd->target = vr_strdup(dst);
            vr_checkpoint_def_add_disk(r->checkpoint, target, fmt == VR_VOL_QCOW2, r->checkpoint->name);
            json_object_object_add(f, "file_format", json_object_new_string("qcow2"));
            if (base && !(it->backing = base_file(base_man, base, target))) {
                vr_set_error(err, "%s has no copy of disk %s to follow; back the domain up in full", base, target);
                *code = VR_ERR_INVALID;
            }
        }
        json_object_object_add(f, "target", json_object_new_string(target));
        json_object_object_add(f, "source", json_object_new_string(src));
        json_object_object_add(f, "file", json_object_new_string(name));
        json_object_object_add(f, "format", json_object_new_string(fmt == VR_VOL_QCOW2 ? "qcow2" : "raw"));
        json_object_array_add(files, f);
        free(name);
        free(dst);
        free(src);
    }
    json_object_put(base_man);
    bool bitmaps = false;
    for (size_t i = 0; r->checkpoint && i < r->checkpoint->n_disks; i++)
        bitmaps |= r->checkpoint->disks[i].bitmap;
    if (r->checkpoint && !bitmaps) { /* raw disks only: nothing can follow this one */
        vr_checkpoint_def_free(r->checkpoint);
        r->checkpoint = NULL;
        json_object_object_del(r->manifest, "checkpoint");
    }
    if (*code) {
        run_free(r);
        return NULL;
    }
    vr_log_info("backup %s to %s: %zu file(s)%s", r->name, dir, r->n, live ? ", the disks live (push backup)" : "");
    begin(r);
    return r;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

vr_backup_run *vr_core_restore_start(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *dir,
                                     vr_backup_progress_fn progress, vr_backup_done_fn done, void *opaque,
                                     vr_err *code, char **err)
{
    if ((*code = check_dir(dir, err)))
        return NULL;
    char *man_path = vr_asprintf("%s/backup.json", dir);
    json_object *man = json_object_from_file(man_path), *files = NULL;
    free(man_path);
    const char *name = man ? jstr(man, "domain") : NULL;
    if (!name || !json_object_object_get_ex(man, "files", &files) || !json_object_is_type(files, json_type_array)) {
        vr_set_error(err, "%s holds no complete backup (backup.json missing or unreadable)", dir);
        json_object_put(man);
        *code = VR_ERR_NOT_FOUND;
        return NULL;
    }
    vr_backup_run *r = run_new(qemu, storage, dir, progress, done, opaque);
    r->restore = true;
    r->manifest = man;
    r->name = vr_strdup(name);
    char *xml_path = vr_asprintf("%s/%s.xml", dir, name);
    r->xml = vr_file_read(xml_path, NULL);
    *code = VR_OK;
    if (!r->xml) {
        vr_set_error(err, "cannot read %s: %s", xml_path, strerror(errno));
        *code = VR_ERR_NOT_FOUND;
    } else if (vr_qemu_lookup(qemu, name)) {
        vr_set_error(err, "domain '%s' exists; undefine it (or restore elsewhere) first", name);
        *code = VR_ERR_CONFLICT;
    }
    free(xml_path);
    for (size_t i = 0; !*code && i < json_object_array_length(files); i++) {
        json_object *f = json_object_array_get_idx(files, i);
        const char *src = jstr(f, "source"), *file = jstr(f, "file"), *fmt = jstr(f, "format");
        if (!src || !file || strchr(file, '/') || src[0] != '/') {
            vr_set_error(err, "%s/backup.json: entry %zu is not a file of the backup", dir, i);
            *code = VR_ERR_INVALID;
            break;
        }
        struct stat st;
        if (lstat(src, &st) == 0) {
            vr_set_error(err, "%s exists; restore never overwrites a disk (move it away first)", src);
            *code = VR_ERR_CONFLICT;
            break;
        }
        char *from = vr_asprintf("%s/%s", dir, file);
        const char *ffmt = jstr(f, "file_format") ? jstr(f, "file_format") : fmt;
        add_item(r, from, src, fmt && strcmp(fmt, "qcow2") == 0 ? VR_VOL_QCOW2 : VR_VOL_RAW);
        r->items[r->n - 1].src_format = ffmt && strcmp(ffmt, "qcow2") == 0 ? VR_VOL_QCOW2 : VR_VOL_RAW;
        free(from);
    }
    if (*code) {
        run_free(r);
        return NULL;
    }
    vr_log_info("restore %s from %s: %zu file(s)", r->name, dir, r->n);
    begin(r);
    return r;
}

void vr_core_backup_cancel(vr_backup_run *r)
{
    vr_domain *dom = r->live_running ? vr_qemu_lookup(r->qemu, r->name) : NULL;
    if (r->copy)
        vr_storage_copy_cancel(r->copy);
    else if (dom)
        vr_qemu_job_abort(dom, NULL); /* live_ended follows, with the error */
}

/* ---- bundles finished after a daemon restart ---- */

vr_backup_run *vr_core_backup_resume(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *domain,
                                     vr_backup_progress_fn progress, vr_backup_done_fn done, void *opaque)
{
    vr_domain *dom = vr_qemu_lookup(qemu, domain);
    const char *owner = dom ? vr_qemu_backup_adopted_owner(dom) : NULL;
    json_object *o = owner ? json_tokener_parse(owner) : NULL, *plan = NULL, *items = NULL, *man = NULL;
    const char *dir = NULL, *xml = NULL;
    if (!o || !json_object_object_get_ex(o, "bundle", &plan) || !json_object_is_type(plan, json_type_object) ||
        !(dir = jstr(plan, "dir")) || !(xml = jstr(plan, "xml")) ||
        !json_object_object_get_ex(plan, "manifest", &man) || !json_object_is_type(man, json_type_object) ||
        !json_object_object_get_ex(plan, "items", &items) || !json_object_is_type(items, json_type_array)) {
        json_object_put(o);
        return NULL; /* no bundle's push backup, or one from before plans were kept */
    }
    vr_backup_run *r = run_new(qemu, storage, dir, progress, done, opaque);
    r->name = vr_strdup(dom->def->name);
    r->xml = vr_strdup(xml);
    r->manifest = json_object_get(man);
    r->resumed = r->live_running = true;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *j = json_object_array_get_idx(items, i);
        const char *src = jstr(j, "src"), *dst = jstr(j, "dst"), *backing = jstr(j, "backing");
        if (!src || !dst)
            continue;
        add_item(r, src, dst, jbool(j, "qcow2") ? VR_VOL_QCOW2 : VR_VOL_RAW);
        copy_item *it = &r->items[r->n - 1];
        it->src_format = jbool(j, "src_qcow2") ? VR_VOL_QCOW2 : VR_VOL_RAW;
        it->live = jbool(j, "live");
        it->backing = backing ? vr_strdup(backing) : NULL;
    }
    json_object_put(o);
    r->next_resumed = resumed_list;
    resumed_list = r;
    vr_log_info("backup %s to %s: its push backup re-adopted; the bundle is finished when it ends", r->name, r->dir);
    return r;
}

static vr_backup_run *resumed_run(const char *domain)
{
    for (vr_backup_run *r = resumed_list; r; r = r->next_resumed)
        if (strcmp(r->name, domain) == 0)
            return r;
    return NULL;
}

bool vr_core_backup_resumed(const char *domain)
{
    return resumed_run(domain) != NULL;
}

void vr_core_backup_bundle_ended(const char *domain, vr_err code, const char *err)
{
    vr_backup_run *r = resumed_run(domain);
    if (r)
        live_ended(code, err, r);
}
