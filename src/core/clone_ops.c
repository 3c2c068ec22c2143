/* vireo clone: the plan and the copies (clone_ops.h). */
#include "core/clone_ops.h"
#include "conf/domain_clone.h"
#include "conf/domain_template.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *src, *dst;
    vr_vol_format src_format;
    bool done;
} clone_disk;

struct vr_clone_run {
    vr_qemu_driver *qemu;
    vr_storage_driver *storage;
    vr_clone_step_fn step;
    vr_clone_done_fn done;
    void *opaque;
    vr_domain_def *def;       /* the clone's, complete */
    clone_disk *disks;
    size_t n, next;
    bool linked, force_share;
    bool nvram_copied;        /* the clone's NVRAM was made: removed on failure */
    vr_storage_copy *copy;
};

static void ctx_free(vr_clone_run *x)
{
    for (size_t i = 0; i < x->n; i++) {
        free(x->disks[i].src);
        free(x->disks[i].dst);
    }
    free(x->disks);
    vr_domain_def_free(x->def);
    free(x);
}

static void fail(vr_clone_run *x, vr_err code, const char *err)
{
    if (x->def->os.nvram && x->nvram_copied && unlink(x->def->os.nvram) == 0)
        vr_log_info("clone %s: removed %s", x->def->name, x->def->os.nvram);
    for (size_t i = 0; i < x->n; i++)
        if (x->disks[i].done && unlink(x->disks[i].dst) == 0)
            vr_log_info("clone %s: removed %s", x->def->name, x->disks[i].dst);
    x->done(code, err, NULL, x->opaque);
    ctx_free(x);
}

static void define_clone(vr_clone_run *x)
{
    char *xml = vr_domain_def_format(x->def), *err = NULL;
    vr_domain *dom = NULL;
    vr_err code = vr_qemu_define(x->qemu, xml, &dom, &err);
    free(xml);
    if (code != VR_OK) {
        char *msg = vr_asprintf("cannot define the clone '%s': %s", x->def->name, err);
        fail(x, code, msg);
        free(msg);
        free(err);
        return;
    }
    json_object *r = json_object_new_object();
    json_object_object_add(r, "domain", json_object_new_string(dom->def->name));
    json_object_object_add(r, "uuid", json_object_new_string(dom->def->uuid));
    vr_log_info("clone %s defined (uuid %s)", dom->def->name, dom->def->uuid);
    x->done(VR_OK, NULL, r, x->opaque);
    ctx_free(x);
}

static void next_copy(vr_clone_run *x);

static void on_copy_progress(double pct, void *opaque)
{
    vr_clone_run *x = opaque;
    char *step = vr_asprintf("copying disk %zu of %zu", x->next + 1, x->n);
    x->step(((double)x->next * 100 + pct) / (double)x->n, step, x->opaque);
    free(step);
}

static void on_copy_done(vr_err code, const char *err, void *opaque)
{
    vr_clone_run *x = opaque;
    x->copy = NULL;
    if (code != VR_OK) {
        fail(x, code, err);
        return;
    }
    x->disks[x->next++].done = true;
    next_copy(x);
}

static void next_copy(vr_clone_run *x)
{
    if (x->next == x->n) {
        define_clone(x);
        return;
    }
    clone_disk *d = &x->disks[x->next];
    vr_copy_spec spec = {
        .src = d->src, .src_format = d->src_format, .dst = d->dst,
        .dst_format = d->src_format, .force_share = x->force_share,
    };
    vr_err code;
    char *err = NULL;
    x->copy = vr_storage_copy_start(x->storage, &spec, on_copy_progress, on_copy_done, x, &code, &err);
    if (!x->copy) {
        fail(x, code, err);
        free(err);
    }
}

void vr_core_clone_cancel(vr_clone_run *x)
{
    if (x->copy)
        vr_storage_copy_cancel(x->copy);
}

/* "web.qcow2" -> ".qcow2": the original's extension, kept on copies. */
static const char *ext_of(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base : path, '.');
    return dot && dot != (base ? base + 1 : path) ? dot : "";
}

/* Where disk `i` of the clone goes, and how the clone's disk names it. */
static vr_err plan_disk(vr_clone_run *x, vr_disk_def *d, const char *src, const char *file, size_t idx,
                        bool auto_clone, char **err)
{
    char *dst = NULL;
    char suffix[32] = "";
    if (idx)
        snprintf(suffix, sizeof(suffix), "-%zu", idx);
    if (file) {
        if (file[0] != '/') {
            vr_set_error(err, "--file %s must be an absolute path", file);
            return VR_ERR_INVALID;
        }
        dst = vr_strdup(file);
        /* A given path makes the clone's disk a plain file disk. */
        if (d->type == VR_DISK_VOLUME) {
            free(d->source_pool);
            free(d->source_volume);
            d->source_pool = d->source_volume = NULL;
            d->type = VR_DISK_FILE;
        }
        free(d->source_path);
        d->source_path = vr_strdup(dst);
    } else if (!auto_clone) {
        vr_set_error(err, "disk %s (%s) needs a --file for its copy, or use --auto-clone", d->target_dev, src);
        return VR_ERR_INVALID;
    } else if (d->type == VR_DISK_VOLUME) {
        char *name = vr_asprintf("%s%s%s", x->def->name, suffix, ext_of(d->source_volume));
        vr_pool *p = vr_storage_pool_lookup(x->storage, d->source_pool);
        if (!p) {
            vr_set_error(err, "pool '%s' of disk %s not found", d->source_pool, d->target_dev);
            free(name);
            return VR_ERR_NOT_FOUND;
        }
        /* A disk pool's partitions are not files: --file says where. */
        vr_err e = vr_pool_vol_path(p, name, &dst, err);
        if (e) {
            free(name);
            return e;
        }
        free(d->source_volume);
        d->source_volume = name;
    } else {
        char *copy = vr_strdup(src);
        dst = vr_asprintf("%s/%s%s%s", dirname(copy), x->def->name, suffix, ext_of(src));
        free(copy);
        free(d->source_path);
        d->source_path = vr_strdup(dst);
    }
    free(d->resolved_path);
    d->resolved_path = NULL;
    struct stat st;
    for (size_t k = 0; k < x->n; k++) {
        if (strcmp(x->disks[k].dst, dst) == 0) {
            vr_set_error(err, "two disks of the clone would be copied to %s", dst);
            free(dst);
            return VR_ERR_INVALID;
        }
    }
    if (lstat(dst, &st) == 0) {
        vr_set_error(err, "%s already exists; vireo clone never overwrites a file (pick another with "
                          "--file)", dst);
        free(dst);
        return VR_ERR_CONFLICT;
    }
    if (x->linked)
        d->format = VR_DISK_QCOW2;
    x->disks = vr_realloc(x->disks, (x->n + 1) * sizeof(*x->disks));
    clone_disk *cd = &x->disks[x->n++];
    memset(cd, 0, sizeof(*cd));
    cd->src = vr_strdup(src);
    cd->dst = dst;
    return VR_OK;
}

vr_clone_run *vr_core_clone_plan(vr_qemu_driver *qemu, vr_storage_driver *storage, vr_domain *orig,
                                 const vr_clone_req *req, vr_err *code_out, char **err)
{
    const char *name = req->name;
    bool auto_clone = req->auto_clone, linked = req->linked, from_template = req->from_template;
    bool is_template = vr_domain_def_is_template(orig->next ? orig->next : orig->def);
    if (from_template) /* overlays beside the template's disks unless --file says */
        linked = auto_clone = true;
    const char *oname = orig->def->name;
    vr_err code = VR_OK;
    if (from_template && !is_template) {
        vr_set_error(err, "domain '%s' is not a template; make it one with vireo template %s, or use "
                          "vireo clone --original %s", oname, oname, oname);
        code = VR_ERR_INVALID;
    } else if (orig->starting || orig->state == VR_DOM_RUNNING || orig->state == VR_DOM_SHUTDOWN) {
        vr_set_error(err, "domain '%s' is running; shut it down, or pause it (vireo suspend %s), to "
                          "clone it", oname, oname);
        code = VR_ERR_CONFLICT;
    } else if (linked && orig->state != VR_DOM_SHUTOFF) {
        vr_set_error(err, "domain '%s' must be shut off for a linked clone: its disks become backing "
                          "files that must not change", oname);
        code = VR_ERR_CONFLICT;
    } else if (vr_qemu_lookup(qemu, name)) {
        vr_set_error(err, "domain '%s' already exists", name);
        code = VR_ERR_CONFLICT;
    }
    if (code) {
        *code_out = code;
        return NULL;
    }
    vr_clone_run *x = vr_calloc(1, sizeof(*x));
    x->qemu = qemu;
    x->storage = storage;
    x->linked = linked;
    x->force_share = orig->state == VR_DOM_PAUSED;
    vr_domain_def *def = vr_domain_def_copy(orig->next ? orig->next : orig->def);
    free(def->name);
    def->name = vr_strdup(name);
    x->def = def;
    /* A clone of a template is an ordinary domain: it starts. */
    if (is_template && vr_domain_def_set_template(def, false, err) < 0)
        code = VR_ERR_INVALID;
    size_t nfiles = req->n_files, used = 0;
    for (size_t i = 0; i < def->n_disks && !code; i++) {
        vr_disk_def *d = &def->disks[i];
        if (d->device != VR_DISK_DEVICE_DISK || d->readonly)
            continue;
        char *src = NULL;
        vr_vol_format fmt = d->format == VR_DISK_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW;
        if (d->type == VR_DISK_BLOCK) {
            vr_set_error(err, "disk %s is a block device (%s); vireo clone copies image files only",
                         d->target_dev, d->source_path);
            code = VR_ERR_UNSUPPORTED;
            break;
        }
        if (d->type == VR_DISK_VOLUME)
            code = vr_storage_resolve(storage, d->source_pool, d->source_volume, &src, &fmt, err);
        else
            src = vr_strdup(d->source_path);
        if (code)
            break;
        const char *file = used < nfiles ? req->files[used++] : NULL;
        code = plan_disk(x, d, src, file, x->n, auto_clone, err);
        if (!code)
            x->disks[x->n - 1].src_format = fmt == VR_VOL_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW;
        free(src);
    }
    if (!code && used < nfiles) {
        vr_set_error(err, "%zu --file given, but domain '%s' has only %zu disk(s) to copy", nfiles, oname, used);
        code = VR_ERR_INVALID;
    }
    /* The clone's own UEFI variables, copied now (a small file). */
    if (!code)
        code = vr_qemu_nvram_clone(qemu, orig->next ? orig->next : orig->def, def, err);
    x->nvram_copied = !code && def->os.nvram && vr_path_exists(def->os.nvram);
    vr_domain_def *fresh = NULL;
    if (!code && !(fresh = vr_domain_def_renew_identity(def, err)))
        code = VR_ERR_INVALID;
    if (code) {
        if (x->nvram_copied)
            unlink(def->os.nvram);
        *code_out = code;
        ctx_free(x);
        return NULL;
    }
    vr_domain_def_free(x->def);
    x->def = fresh;
    return x;
}

void vr_core_clone_run(vr_clone_run *x, vr_clone_step_fn step, vr_clone_done_fn done, void *opaque)
{
    x->step = step;
    x->done = done;
    x->opaque = opaque;
    if (x->linked) {
        /* Overlays are made at once: metadata only. */
        for (size_t i = 0; i < x->n; i++) {
            clone_disk *d = &x->disks[i];
            char *err = NULL;
            vr_err code = vr_storage_overlay(x->storage, d->src, d->src_format, d->dst, &err);
            if (code) {
                fail(x, code, err);
                free(err);
                return;
            }
            d->done = true;
        }
        define_clone(x);
        return;
    }
    next_copy(x);
}
