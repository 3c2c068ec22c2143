/* Backups of shut-off domains (see backup_ops.h): a list of file copies
 * run one after the other through the storage driver's copies (hidden
 * temporaries, renamed at the end), then the definition written (backup)
 * or defined (restore). A failure removes the copies already made. */
#include "core/backup_ops.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <event2/event.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *src, *dst;
    vr_vol_format format;
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
    vr_backup_progress_fn progress;
    vr_backup_done_fn done;
    void *opaque;
};

static void run_free(vr_backup_run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].src);
        free(r->items[i].dst);
    }
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
    r->items[r->n++] = (copy_item){.src = vr_strdup(src), .dst = vr_strdup(dst), .format = f};
}

static void finish(vr_backup_run *r, vr_err code, const char *err)
{
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
    if (r->next == r->n) {
        complete(r);
        return;
    }
    copy_item *it = &r->items[r->next];
    vr_copy_spec spec = {.src = it->src, .src_format = it->format, .dst = it->dst, .dst_format = it->format};
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
static void first_step(evutil_socket_t fd, short what, void *arg)
{
    next_copy(arg);
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

vr_backup_run *vr_core_backup_start(vr_qemu_driver *qemu, vr_storage_driver *storage, const char *domain,
                                    const char *dir, vr_backup_progress_fn progress, vr_backup_done_fn done,
                                    void *opaque, vr_err *code, char **err)
{
    vr_domain *dom = vr_qemu_lookup(qemu, domain);
    if (!dom) {
        vr_set_error(err, "domain '%s' not found", domain);
        *code = VR_ERR_NOT_FOUND;
        return NULL;
    }
    if ((*code = check_dir(dir, err)))
        return NULL;
    if (dom->starting || dom->state != VR_DOM_SHUTOFF) {
        vr_set_error(err, "domain '%s' is not shut off; shut it down first (vireo shutdown %s --wait): "
                          "live backups are not done yet", domain, domain);
        *code = VR_ERR_CONFLICT;
        return NULL;
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        vr_set_error(err, "cannot make %s: %s", dir, strerror(errno));
        *code = VR_ERR_FAILED;
        return NULL;
    }
    char *man = vr_asprintf("%s/backup.json", dir);
    bool taken = access(man, F_OK) == 0;
    free(man);
    if (taken) {
        vr_set_error(err, "%s already holds a backup; give an empty or new directory", dir);
        *code = VR_ERR_CONFLICT;
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
        json_object_object_add(f, "target", json_object_new_string(target));
        json_object_object_add(f, "source", json_object_new_string(src));
        json_object_object_add(f, "file", json_object_new_string(name));
        json_object_object_add(f, "format", json_object_new_string(fmt == VR_VOL_QCOW2 ? "qcow2" : "raw"));
        json_object_array_add(files, f);
        free(name);
        free(dst);
        free(src);
    }
    if (*code) {
        run_free(r);
        return NULL;
    }
    vr_log_info("backup %s to %s: %zu file(s)", r->name, dir, r->n);
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
        add_item(r, from, src, fmt && strcmp(fmt, "qcow2") == 0 ? VR_VOL_QCOW2 : VR_VOL_RAW);
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
    if (r->copy)
        vr_storage_copy_cancel(r->copy);
}
