/* The image tools' workflows: checks against the daemon's state here,
 * the work in vireo-image-helper (see image_ops.h). */
#include "core/image_ops.h"
#include "conf/domain_template.h"
#include "conf/names.h"
#include "drivers/storage/storage_img.h"
#include "common/child.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vr_image_run {
    vr_image_env env;
    vr_img_proc *proc;
    bool cancelled;
    char *spec_path, *result_path;
    char *template;          /* vireo template: the domain to mark at the end */
    char **disks;            /* its disk files, made read-only then */
    size_t n_disks;
    vr_image_step_fn step;
    vr_image_done_fn done;
    void *opaque;
};

static void run_free(vr_image_run *r)
{
    if (r->spec_path)
        unlink(r->spec_path);
    if (r->result_path)
        unlink(r->result_path);
    free(r->spec_path);
    free(r->result_path);
    free(r->template);
    for (size_t i = 0; i < r->n_disks; i++)
        free(r->disks[i]);
    free(r->disks);
    free(r);
}

/* ---- checks ---- */

/* A file the run rewrites: no running domain on it, no overlay built on
 * it, no copy reading it. */
static vr_err check_rewrite(const vr_image_env *env, const char *path, char **err)
{
    char *what = vr_asprintf("image %s", path);
    vr_err e = vr_storage_path_check_unused(env->storage, path, what, err);
    free(what);
    return e;
}

/* A file the run only reads: a running domain's writable disk changes
 * under the reader, so the copy would not be consistent. */
static vr_err check_read(const vr_image_env *env, const char *path, char **err)
{
    if (path[0] != '/') {
        vr_set_error(err, "%s must be an absolute path", path);
        return VR_ERR_INVALID;
    }
    if (access(path, R_OK) < 0) {
        vr_set_error(err, "cannot read %s: %s", path, strerror(errno));
        return VR_ERR_NOT_FOUND;
    }
    char *user = vr_qemu_path_user(env->qemu, path);
    if (user) {
        vr_set_error(err, "%s is a disk of running domain '%s'; shut it down first (what it writes "
                          "meanwhile would make the result inconsistent)", path, user);
        free(user);
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

static vr_err check_output(const vr_image_env *env, const char *path, bool force, const char *tool,
                           char **err)
{
    if (!path || path[0] != '/') {
        vr_set_error(err, "the output %s must be an absolute path", path ? path : "(none)");
        return VR_ERR_INVALID;
    }
    char *copy = vr_strdup(path);
    struct stat st;
    bool dir_ok = stat(dirname(copy), &st) == 0 && S_ISDIR(st.st_mode);
    free(copy);
    if (!dir_ok) {
        vr_set_error(err, "the directory of %s does not exist", path);
        return VR_ERR_NOT_FOUND;
    }
    if (lstat(path, &st) == 0) {
        if (!force) {
            vr_set_error(err, "%s exists; vireo %s does not overwrite it without --force", path, tool);
            return VR_ERR_CONFLICT;
        }
        return check_rewrite(env, path, err);
    }
    return VR_OK;
}

static const char *fmt_name(vr_vol_format f)
{
    return f == VR_VOL_QCOW2 ? "qcow2" : "raw";
}

/* The writable disks of a shut-off domain, as {"path", "format"}. */
static vr_err domain_disks(const vr_image_env *env, const char *name, json_object *disks, char ***paths,
                           size_t *n, char **err)
{
    vr_domain *dom = vr_qemu_lookup(env->qemu, name);
    if (!dom) {
        vr_set_error(err, "domain '%s' not found", name);
        return VR_ERR_NOT_FOUND;
    }
    if (dom->starting || dom->state != VR_DOM_SHUTOFF) {
        vr_set_error(err, "domain '%s' is not shut off; shut it down first (vireo shutdown %s --wait): "
                          "its disks are edited in place", name, name);
        return VR_ERR_CONFLICT;
    }
    const vr_domain_def *def = dom->next ? dom->next : dom->def;
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        if (d->device != VR_DISK_DEVICE_DISK || d->readonly)
            continue;
        char *path = NULL;
        vr_vol_format fmt = d->format == VR_DISK_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW;
        vr_err e = VR_OK;
        if (d->type == VR_DISK_VOLUME)
            e = vr_storage_resolve(env->storage, d->source_pool, d->source_volume, &path, &fmt, err);
        else
            path = vr_strdup(d->source_path);
        if (!e && !path) {
            vr_set_error(err, "disk %s of domain '%s' has no source", d->target_dev, name);
            e = VR_ERR_INVALID;
        }
        if (!e)
            e = check_rewrite(env, path, err);
        if (e) {
            free(path);
            return e;
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string(path));
        json_object_object_add(o, "format", json_object_new_string(fmt_name(fmt)));
        json_object_array_add(disks, o);
        *paths = vr_realloc(*paths, (*n + 1) * sizeof(**paths));
        (*paths)[(*n)++] = path;
    }
    if (!*n) {
        vr_set_error(err, "domain '%s' has no writable disk to edit", name);
        return VR_ERR_INVALID;
    }
    return VR_OK;
}

/* The helper's instructions for req, after the checks. */
static vr_err plan(const vr_image_env *env, const vr_image_req *req, vr_image_run *r, json_object *spec,
                   char **err)
{
    const char *op = req->op;
    vr_err e = VR_OK;
    if (strcmp(op, "sysprep") == 0 || strcmp(op, "customize") == 0) {
        json_object *disks = json_object_new_array();
        json_object_object_add(spec, "disks", disks);
        if (req->domain && req->n_add) {
            vr_set_error(err, "give a domain or --add FILE, not both");
            return VR_ERR_INVALID;
        }
        if (req->domain)
            return domain_disks(env, req->domain, disks, &r->disks, &r->n_disks, err);
        if (!req->n_add) {
            vr_set_error(err, "vireo %s needs a domain or --add FILE", op);
            return VR_ERR_INVALID;
        }
        for (size_t i = 0; i < req->n_add && !e; i++) {
            if (!(e = check_read(env, req->add[i], err)) && !(e = check_rewrite(env, req->add[i], err))) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "path", json_object_new_string(req->add[i]));
                json_object_array_add(disks, o);
            }
        }
        return e;
    }
    if (strcmp(op, "sparsify") == 0 || strcmp(op, "resize") == 0) {
        if (!req->input) {
            vr_set_error(err, "vireo %s needs an input image", op);
            return VR_ERR_INVALID;
        }
        if ((e = check_read(env, req->input, err)))
            return e;
        json_object_object_add(spec, "input", json_object_new_string(req->input));
        if (req->in_place) {
            if (strcmp(op, "sparsify") != 0 || req->output) {
                vr_set_error(err, "--in-place is for vireo sparsify IN alone (no output)");
                return VR_ERR_INVALID;
            }
            return check_rewrite(env, req->input, err);
        }
        if (req->output && strcmp(req->output, req->input) == 0) {
            vr_set_error(err, "the output is the input (%s); name a new file%s", req->input,
                         strcmp(op, "sparsify") == 0 ? ", or use --in-place" : "");
            return VR_ERR_INVALID;
        }
        if (strcmp(op, "resize") == 0 && (!req->expand || !req->size)) {
            vr_set_error(err, "vireo resize needs --expand PART and --size (the new, bigger size)");
            return VR_ERR_INVALID;
        }
        return check_output(env, req->output, req->force, op, err);
    }
    if (strcmp(op, "build") == 0) {
        char *out = NULL;
        if (req->pool || req->volume) {
            vr_pool *p = req->pool ? vr_storage_pool_lookup(env->storage, req->pool) : NULL;
            if (!req->pool || !req->volume) {
                vr_set_error(err, "--pool and --name go together (or give --output FILE)");
                return VR_ERR_INVALID;
            }
            if (!p) {
                vr_set_error(err, "pool '%s' not found", req->pool);
                return VR_ERR_NOT_FOUND;
            }
            if (!p->active) {
                vr_set_error(err, "pool '%s' is not active (vireo pool-start %s)", req->pool, req->pool);
                return VR_ERR_CONFLICT;
            }
            if (!vr_name_check(VR_NAME_VOLUME, req->volume, err))
                return VR_ERR_INVALID;
            out = vr_asprintf("%s/%s", p->def->target_path, req->volume);
        } else if (req->output) {
            out = vr_strdup(req->output);
        } else {
            vr_set_error(err, "vireo builder needs --output FILE or --pool POOL --name VOL");
            return VR_ERR_INVALID;
        }
        if (!(e = check_output(env, out, req->force, "builder", err))) {
            json_object_object_add(spec, "output", json_object_new_string(out));
            char *cache = vr_asprintf("%s/cache/builder", env->paths->state_dir);
            char *parent = vr_asprintf("%s/cache", env->paths->state_dir);
            mkdir(parent, 0700);
            json_object_object_add(spec, "cache_dir", json_object_new_string(cache));
            free(cache);
            free(parent);
        }
        free(out);
        return e;
    }
    if (strcmp(op, "list") == 0)
        return VR_OK;
    vr_set_error(err, "unknown image operation '%s'", op);
    return VR_ERR_INVALID;
}

/* ---- the helper's run ---- */

static void on_step(double percent, const char *step, void *opaque)
{
    vr_image_run *r = opaque;
    if (r->step)
        r->step(percent, step, r->opaque);
}

/* vireo template's last step: the mark, and read-only disk files. */
static vr_err mark_template(vr_image_run *r, json_object *result, char **err)
{
    vr_domain *dom = vr_qemu_lookup(r->env.qemu, r->template);
    if (!dom || dom->starting || dom->state != VR_DOM_SHUTOFF) {
        vr_set_error(err, "domain '%s' %s while it was sealed; it was not made a template", r->template,
                     dom ? "was started" : "was undefined");
        return VR_ERR_CONFLICT;
    }
    vr_domain_def *def = vr_domain_def_copy(dom->next ? dom->next : dom->def);
    vr_err e = VR_OK;
    if (vr_domain_def_set_template(def, true, err) < 0) {
        e = VR_ERR_INVALID;
    } else {
        char *xml = vr_domain_def_format(def);
        e = vr_qemu_define(r->env.qemu, xml, &dom, err);
        free(xml);
    }
    vr_domain_def_free(def);
    for (size_t i = 0; !e && i < r->n_disks; i++)
        if (chmod(r->disks[i], 0444) < 0)
            vr_log_warn("template %s: cannot make %s read-only: %s", r->template, r->disks[i], strerror(errno));
    if (!e)
        json_object_object_add(result, "template", json_object_new_string(r->template));
    return e;
}

static void on_exit_helper(const char *err, void *opaque)
{
    vr_image_run *r = opaque;
    r->proc = NULL;
    json_object *result = NULL;
    vr_err code = VR_OK;
    char *msg = NULL;
    if (err || r->cancelled) {
        code = r->cancelled ? VR_ERR_CONFLICT : VR_ERR_FAILED;
        msg = vr_strdup(r->cancelled ? "cancelled: a new output was removed; an image edited in place "
                                       "keeps what was done"
                                     : err);
    } else {
        result = json_object_from_file(r->result_path);
        if (!result)
            result = json_object_new_object();
        if (r->template && (code = mark_template(r, result, &msg))) {
            json_object_put(result);
            result = NULL;
        }
    }
    vr_log_info("image tool: %s%s", code ? "failed: " : "done", code ? msg : "");
    r->done(code, msg, result, r->opaque);
    free(msg);
    run_free(r);
}

static vr_image_run *start(const vr_image_env *env, const vr_image_req *req, const char *op,
                           const char *template, vr_image_step_fn step, vr_image_done_fn done,
                           void *opaque, vr_err *code, char **err)
{
    vr_image_run *r = vr_calloc(1, sizeof(*r));
    r->env = *env;
    r->step = step;
    r->done = done;
    r->opaque = opaque;
    json_object *spec = json_object_new_object();
    json_object_object_add(spec, "op", json_object_new_string(op));
    vr_image_req effective = *req;
    effective.op = op;
    if ((*code = plan(env, &effective, r, spec, err))) {
        json_object_put(spec);
        run_free(r);
        return NULL;
    }
    r->template = template ? vr_strdup(template) : NULL;
    json_object_object_add(spec, "tcg", json_object_new_boolean(!vr_qemu_kvm_usable(env->qemu)));
    json_object_object_add(spec, "force", json_object_new_boolean(req->force));
    json_object_object_add(spec, "compress", json_object_new_boolean(req->compress));
    json_object_object_add(spec, "in_place", json_object_new_boolean(req->in_place));
    if (req->format)
        json_object_object_add(spec, "format", json_object_new_string(req->format));
    if (req->os)
        json_object_object_add(spec, "os", json_object_new_string(req->os));
    if (req->expand)
        json_object_object_add(spec, "expand", json_object_new_string(req->expand));
    if (req->size)
        json_object_object_add(spec, "size", json_object_new_int64((int64_t)req->size));
    if (strcmp(op, "sparsify") == 0 || strcmp(op, "resize") == 0)
        json_object_object_add(spec, "output", req->output ? json_object_new_string(req->output) : NULL);
    if (req->options) {
        json_object_object_foreach(req->options, k, v)
            json_object_object_add(spec, k, json_object_get(v));
    }
    /* Instructions and result beside the daemon's other runtime files. */
    r->spec_path = vr_asprintf("%s/image-XXXXXX", env->paths->runtime_dir);
    int fd = mkstemp(r->spec_path);
    if (fd >= 0)
        close(fd);
    r->result_path = vr_asprintf("%s.result", r->spec_path);
    json_object_object_add(spec, "result_file", json_object_new_string(r->result_path));
    if (fd < 0 || json_object_to_file_ext(r->spec_path, spec, JSON_C_TO_STRING_PLAIN) < 0) {
        vr_set_error(err, "cannot write the image helper's instructions in %s: %s", env->paths->runtime_dir,
                     strerror(errno));
        *code = VR_ERR_FAILED;
        json_object_put(spec);
        run_free(r);
        return NULL;
    }
    json_object_put(spec);
    /* $VIREO_IMAGE_HELPER, else beside vireod (the build tree), else installed. */
    char *helper = vr_child_helper_path("vireo-image-helper", "VIREO_IMAGE_HELPER");
    char *argv[] = {helper, r->spec_path, NULL};
    r->proc = vr_img_spawn_tool(vr_storage_base(env->storage), helper, argv, on_step, on_exit_helper, r, err);
    free(helper);
    if (!r->proc) {
        *code = VR_ERR_FAILED;
        run_free(r);
        return NULL;
    }
    vr_log_info("image tool: %s started", op);
    return r;
}

vr_image_run *vr_core_image_start(const vr_image_env *env, const vr_image_req *req, vr_image_step_fn step,
                                  vr_image_done_fn done, void *opaque, vr_err *code, char **err)
{
    return start(env, req, req->op ? req->op : "", NULL, step, done, opaque, code, err);
}

vr_image_run *vr_core_template_start(const vr_image_env *env, const vr_image_req *req, vr_image_step_fn step,
                                     vr_image_done_fn done, void *opaque, vr_err *code, char **err)
{
    if (!req->domain) {
        vr_set_error(err, "vireo template needs a domain");
        *code = VR_ERR_INVALID;
        return NULL;
    }
    vr_domain *dom = vr_qemu_lookup(env->qemu, req->domain);
    if (dom && vr_domain_def_is_template(dom->next ? dom->next : dom->def)) {
        vr_set_error(err, "domain '%s' is already a template", req->domain);
        *code = VR_ERR_CONFLICT;
        return NULL;
    }
    return start(env, req, "sysprep", req->domain, step, done, opaque, code, err);
}

void vr_core_image_cancel(vr_image_run *r)
{
    if (r->proc) {
        r->cancelled = true;
        vr_img_kill(r->proc);
    }
}
