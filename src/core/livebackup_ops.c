/* backup-begin across qemu-img and the QEMU driver (livebackup_ops.h). */
#include "core/livebackup_ops.h"
#include "core/backup_ops.h"
#include "core/checkpoint_ops.h"
#include "conf/domain_device.h"
#include "drivers/qemu/qemu_backup.h"
#include "drivers/storage/storage_img.h"
#include "common/log.h"
#include "common/util.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    vr_qemu_driver *drv;
    char *domain;
    char **files; /* the targets made here */
    size_t n;
    char *checkpoint; /* made with the backup, or NULL */
    bool pull;        /* the files are scratch files: removed however it ends */
    json_object *bundle; /* the plan of the vireo backup bundle it is the first step of, or NULL */
    vr_done_fn started, ended;
    void *opaque;
} run_ctx;

static void run_free(run_ctx *r, bool remove)
{
    for (size_t i = 0; i < r->n; i++) {
        if (remove && unlink(r->files[i]) == 0)
            vr_log_info("backup of %s: removed %s", r->domain, r->files[i]);
        free(r->files[i]);
    }
    free(r->files);
    free(r->checkpoint);
    json_object_put(r->bundle);
    free(r->domain);
    free(r);
}

typedef struct {
    vr_qemu_driver *drv;
    char *domain, *checkpoint;
} forget_ctx;

/* The bitmaps of a failed backup's checkpoint could not go (a QEMU that
 * ended before it stored them has none): its metadata goes all the same,
 * so no checkpoint names a bitmap the images may lack. */
static void forget_checkpoint(vr_err code, const char *err, void *opaque)
{
    forget_ctx *f = opaque;
    vr_domain *dom = code ? vr_qemu_lookup(f->drv, f->domain) : NULL;
    if (code)
        vr_log_warn("backup of %s: the bitmaps of checkpoint %s could not be removed (%s); its metadata goes",
                    f->domain, f->checkpoint, err);
    if (dom)
        vr_qemu_checkpoint_forget(dom, f->checkpoint, NULL);
    free(f->domain);
    free(f->checkpoint);
    free(f);
}

static void on_started(vr_err code, const char *err, void *opaque)
{
    run_ctx *r = opaque;
    vr_domain *dom = vr_qemu_lookup(r->drv, r->domain);
    /* QEMU took none of it: the checkpoint's bitmaps were not made. */
    if (code && r->checkpoint && dom)
        vr_qemu_checkpoint_forget(dom, r->checkpoint, NULL);
    r->started(code, err, r->opaque);
    if (code)
        run_free(r, true);
}

static void on_ended(vr_err code, const char *err, void *opaque)
{
    run_ctx *r = opaque;
    vr_domain *dom = vr_qemu_lookup(r->drv, r->domain);
    if (code && r->checkpoint && dom) {
        forget_ctx *f = vr_calloc(1, sizeof(*f));
        *f = (forget_ctx){r->drv, vr_strdup(r->domain), vr_strdup(r->checkpoint)};
        vr_core_checkpoint_delete(dom, r->checkpoint, 0, forget_checkpoint, f);
    }
    r->ended(code, err, r->opaque);
    run_free(r, code != VR_OK || r->pull);
}

/* What a restarted daemon needs to end the run as on_ended would: the
 * files made here, the checkpoint made with them, the mode. */
static char *owner_text(const run_ctx *r)
{
    json_object *o = json_object_new_object(), *files = json_object_new_array();
    for (size_t i = 0; i < r->n; i++)
        json_object_array_add(files, json_object_new_string(r->files[i]));
    json_object_object_add(o, "files", files);
    if (r->checkpoint)
        json_object_object_add(o, "checkpoint", json_object_new_string(r->checkpoint));
    json_object_object_add(o, "pull", json_object_new_boolean(r->pull));
    if (r->bundle)
        json_object_object_add(o, "bundle", json_object_get(r->bundle));
    char *text = vr_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

static void adopted_ended(vr_err code, const char *err, void *opaque)
{
    if (code)
        vr_log_info("backup of %s (re-adopted): %s", (const char *)opaque, err);
}

/* A bundle's push backup ended: the bundle's run, resumed by this daemon
 * (vr_core_backup_resume), takes its next steps. */
static void bundle_ended(vr_err code, const char *err, void *opaque)
{
    vr_core_backup_bundle_ended(opaque, code, err);
}

void vr_core_backup_adopted_end(vr_qemu_driver *drv, const char *domain, const char *owner, vr_err code,
                                const char *err)
{
    json_object *o = owner ? json_tokener_parse(owner) : NULL, *v = NULL, *files = NULL;
    run_ctx *r = vr_calloc(1, sizeof(*r));
    *r = (run_ctx){.drv = drv, .domain = vr_strdup(domain), .ended = adopted_ended};
    r->opaque = r->domain;
    size_t n = o && json_object_object_get_ex(o, "files", &files) && json_object_is_type(files, json_type_array)
                   ? json_object_array_length(files)
                   : 0;
    r->files = vr_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        if (json_object_is_type(json_object_array_get_idx(files, i), json_type_string))
            r->files[r->n++] = vr_strdup(json_object_get_string(json_object_array_get_idx(files, i)));
    if (o && json_object_object_get_ex(o, "checkpoint", &v))
        r->checkpoint = vr_strdup(json_object_get_string(v));
    r->pull = o && json_object_object_get_ex(o, "pull", &v) && json_object_get_boolean(v);
    char *cut = NULL;
    if (o && json_object_object_get_ex(o, "bundle", &v)) {
        if (vr_core_backup_resumed(domain)) {
            r->ended = bundle_ended; /* the bundle goes on: NVRAM, definition, backup.json */
        } else if (!code) {
            /* no run took the bundle's plan over (a record from before
             * bundles were resumed): the copies alone are no bundle */
            json_object *dir = NULL;
            if (json_object_is_type(v, json_type_object))
                json_object_object_get_ex(v, "dir", &dir);
            cut = vr_asprintf("the backup bundle %s was cut short by a daemon restart; its copies are removed (run "
                              "vireo backup again into a new directory)",
                              json_object_get_string(dir ? dir : v));
            vr_log_warn("backup of %s: %s", domain, cut);
            code = VR_ERR_FAILED;
            err = cut;
        }
    }
    json_object_put(o);
    on_ended(code, err, r);
    free(cut);
}

/* The image's virtual size in bytes (qemu-img info, shared: QEMU holds it). */
static int virtual_size(const char *path, unsigned long long *size, char **err)
{
    json_object *o = vr_img_info(path, err), *v = NULL;
    int rc = 0;
    if (o && json_object_object_get_ex(o, "virtual-size", &v)) {
        *size = (unsigned long long)json_object_get_int64(v);
    } else {
        if (o)
            vr_set_error(err, "cannot read the size of %s: qemu-img info said no size", path);
        rc = -1;
    }
    json_object_put(o);
    return rc;
}

static int make_target(const char *path, bool raw, unsigned long long size, char **err)
{
    char num[32], *ierr = NULL;
    snprintf(num, sizeof(num), "%llu", size);
    const char *argv[] = {vr_img_binary(), "create", "-q", "-f", raw ? "raw" : "qcow2", path, num, NULL};
    int rc = vr_img_run((char *const *)argv, NULL, &ierr);
    if (rc < 0)
        vr_set_error(err, "cannot create the backup target %s: %s", path, ierr);
    free(ierr);
    return rc;
}

/* Every disk in def, targets chosen, checked against the domain and the
 * checkpoint the copy starts from. */
static vr_err plan(vr_domain *dom, vr_backup_def *def, const vr_checkpoint_def *cp, const vr_checkpoint_def *since,
                   char **err)
{
    const vr_domain_def *dd = dom->def;
    for (size_t i = 0; i < def->n_disks; i++)
        if (vr_domain_def_find_disk(dd, def->disks[i].name) < 0) {
            vr_set_error(err, "domain '%s' has no disk '%s' (domblklist shows its targets)", dd->name,
                         def->disks[i].name);
            return VR_ERR_NOT_FOUND;
        }
    for (size_t i = 0; i < dd->n_disks; i++) {
        const vr_disk_def *d = &dd->disks[i];
        vr_backup_disk *bd = vr_backup_def_disk(def, d->target_dev);
        bool writable = d->device == VR_DISK_DEVICE_DISK && !d->readonly;
        if (!bd && writable)
            bd = vr_backup_def_add_disk(def, d->target_dev);
        if (!bd || !bd->backup)
            continue;
        if (!writable) {
            vr_set_error(err, "disk '%s' of domain '%s' is read-only or removable media; give it backup='no'",
                         d->target_dev, dd->name);
            return VR_ERR_INVALID;
        }
        const vr_checkpoint_disk *sd = since ? vr_checkpoint_def_disk(since, d->target_dev) : NULL;
        if (since && (!sd || !sd->bitmap)) {
            vr_set_error(err, "checkpoint '%s' does not cover disk '%s' of domain '%s'; back it up in full (no "
                              "<incremental>) or give it backup='no'", since->name, d->target_dev, dd->name);
            return VR_ERR_INVALID;
        }
        if (!bd->target) {
            char *path = vr_qemu_disk_path(dom->drv, d, err);
            if (!path)
                return VR_ERR_FAILED;
            bd->target = cp ? vr_asprintf("%s.%s", path, cp->name) : vr_asprintf("%s.%lld", path, (long long)time(NULL));
            if (def->pull) {
                char *scratch = vr_asprintf("%s.scratch", bd->target);
                free(bd->target);
                bd->target = scratch;
            }
            free(path);
        }
        if (def->pull && !bd->export_name)
            bd->export_name = vr_strdup(d->target_dev);
        if (def->pull && since && !bd->export_bitmap)
            bd->export_bitmap = vr_asprintf("backup-%s", d->target_dev);
        struct stat st;
        if (lstat(bd->target, &st) == 0) {
            vr_set_error(err, "%s exists; a backup never overwrites a file (name another <%s file=...>)",
                         bd->target, def->pull ? "scratch" : "target");
            return VR_ERR_CONFLICT;
        }
    }
    return VR_OK;
}

void vr_core_backup_begin(vr_domain *dom, vr_backup_def *def, vr_checkpoint_def *cp, json_object *bundle,
                          vr_done_fn started, vr_done_fn ended, void *opaque)
{
    char *err = NULL;
    vr_err code = VR_OK;
    vr_checkpoint_def *since = NULL;
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->starting) {
        vr_set_error(&err, "domain '%s' is not running; backup-begin copies a running domain's disks (a shut-off "
                           "one: vireo backup DOMAIN DIR)", dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if (dom->job) {
        vr_set_error(&err, "domain '%s' has a job running (domjobinfo shows it); wait for it or end it with "
                           "domjobabort", dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if (def->incremental) {
        code = vr_qemu_checkpoint_get(dom, def->incremental, &since, &err);
    }
    if (code == VR_OK && cp)
        code = vr_core_checkpoint_plan(dom, cp, &err);
    if (code == VR_OK)
        code = plan(dom, def, cp, since, &err);
    run_ctx *r = vr_calloc(1, sizeof(*r));
    *r = (run_ctx){.drv = dom->drv, .domain = vr_strdup(dom->def->name), .started = started, .ended = ended,
                   .opaque = opaque};
    r->files = vr_calloc(def->n_disks + 1, sizeof(char *));
    vr_qemu_backup_disk *disks = vr_calloc(def->n_disks + 1, sizeof(*disks));
    size_t n = 0;
    for (size_t i = 0; code == VR_OK && i < def->n_disks; i++) {
        vr_backup_disk *bd = &def->disks[i];
        if (!bd->backup)
            continue;
        const vr_disk_def *d = &dom->def->disks[vr_domain_def_find_disk(dom->def, bd->name)];
        char *path = vr_qemu_disk_path(dom->drv, d, &err);
        unsigned long long size = 0;
        if (!path || virtual_size(path, &size, &err) < 0 || make_target(bd->target, bd->raw, size, &err) < 0) {
            code = VR_ERR_FAILED;
        } else {
            r->files[r->n++] = vr_strdup(bd->target);
            const vr_checkpoint_disk *sd = since ? vr_checkpoint_def_disk(since, bd->name) : NULL;
            disks[n++] = (vr_qemu_backup_disk){bd->name, bd->target, bd->raw, sd ? sd->bitmap_name : NULL,
                                               bd->export_name, bd->export_bitmap};
        }
        free(path);
    }
    if (code == VR_OK && n == 0) {
        vr_set_error(&err, "domain '%s' has no disk to back up", dom->def->name);
        code = VR_ERR_INVALID;
    }
    if (code != VR_OK) {
        started(code, err, opaque);
        run_free(r, true);
    } else {
        size_t n_ops = 0;
        vr_bitmap_op *ops = cp ? vr_core_checkpoint_adds(cp, &n_ops) : NULL;
        char *xml = vr_backup_def_format(def);
        r->pull = def->pull;
        r->bundle = bundle ? json_object_get(bundle) : NULL;
        r->checkpoint = cp ? vr_strdup(cp->name) : NULL;
        char *owner = owner_text(r);
        vr_qemu_backup_spec spec = {disks, n, ops, n_ops, xml, def->pull, def->host, def->port, def->socket, owner};
        /* The checkpoint's metadata is written before QEMU answers: a
         * failed transaction removes it again (on_started). */
        if (cp && (code = vr_qemu_checkpoint_save(dom, cp, &err)) != VR_OK) {
            started(code, err, opaque);
            run_free(r, true);
        } else {
            vr_log_info("%s backup of %s begins: %zu disk(s)%s%s", def->pull ? "pull" : "push", dom->def->name, n,
                        cp ? ", checkpoint " : "", cp ? cp->name : "");
            vr_qemu_backup_begin(dom, &spec, on_started, on_ended, r);
        }
        free(ops);
        free(xml);
        free(owner);
    }
    free(disks);
    free(err);
    vr_checkpoint_def_free(since);
    vr_checkpoint_def_free(cp);
    vr_backup_def_free(def);
}

void vr_core_backup_begin_xml(vr_domain *dom, const char *backup_xml, const char *checkpoint_xml, vr_done_fn started,
                              vr_done_fn ended, void *opaque)
{
    char *err = NULL, stamp[24];
    snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
    vr_backup_def *def = backup_xml ? vr_backup_def_parse(backup_xml, strlen(backup_xml), &err)
                                    : vr_calloc(1, sizeof(vr_backup_def));
    vr_checkpoint_def *cp = NULL;
    if (def && checkpoint_xml && !(cp = vr_checkpoint_def_parse_new(checkpoint_xml, strlen(checkpoint_xml), stamp, &err))) {
        vr_backup_def_free(def);
        def = NULL;
    }
    if (!def) {
        started(VR_ERR_INVALID, err, opaque);
        free(err);
        return;
    }
    vr_core_backup_begin(dom, def, cp, NULL, started, ended, opaque);
}

char *vr_core_backup_xml(const vr_domain *dom)
{
    return vr_qemu_backup_xml(dom);
}
