/* The image tools' workflows: checks against the daemon's state here,
 * the work in vireo-image-helper (see image_ops.h). */
#include "core/image_ops.h"
#include "conf/domain_template.h"
#include "conf/names.h"
#include "common/child.h"
#include "common/file.h"
#include "common/log.h"
#include "common/process.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vr_image_run {
    vr_image_env env;
    /* RUNTIME/image-jobs/job-XXXXXX: spec.json, job.json (the job's id,
     * kind, target), owner (the daemon following it), and the helper's
     * state (pid, start time), progress, partial (its temporaries),
     * result.json or error, helper.log. Removed at the job's end. */
    char *dir;
    pid_t pid;               /* the helper, its process group's leader */
    vr_pidwatch *watch;
    struct event *tick;      /* reads `progress` */
    struct event *end;       /* the end, on the loop */
    char *seen;              /* the progress line last passed on */
    bool cancelled;
    char *interrupted;       /* why it was ended rather than followed */
    char *template;          /* vireo template: the domain to mark at the end */
    char **disks;            /* its disk files, made read-only then */
    size_t n_disks;
    vr_image_step_fn step;
    vr_image_done_fn done;
    void *opaque;
    vr_image_run *next;      /* the runs this daemon follows */
};

static vr_image_run *runs;

static char *job_file(const vr_image_run *r, const char *name)
{
    return vr_asprintf("%s/%s", r->dir, name);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static void run_free(vr_image_run *r)
{
    for (vr_image_run **p = &runs; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    vr_pidwatch_free(r->watch);
    if (r->tick)
        event_free(r->tick);
    if (r->end)
        event_free(r->end);
    free(r->dir);
    free(r->seen);
    free(r->interrupted);
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

/* ---- following the helper (started here or by a daemon before) ---- */

/* Its last progress line "(P/100%) what", passed on when it changed. */
static void read_progress(vr_image_run *r)
{
    char *path = job_file(r, "progress");
    char *line = vr_file_read(path, NULL);
    free(path);
    if (!line || (r->seen && strcmp(line, r->seen) == 0)) {
        free(line);
        return;
    }
    free(r->seen);
    r->seen = line;
    double pct;
    int end = 0;
    if (sscanf(line, "(%lf/100%%)%n", &pct, &end) == 1 && end > 0 && r->step) {
        char *step = vr_strdup(line + end);
        r->step(pct < 0 ? 0 : pct > 100 ? 100 : pct, vr_str_trim(step), r->opaque);
        free(step);
    }
}

static void on_tick(evutil_socket_t fd, short what, void *opaque)
{
    (void)fd;
    (void)what;
    read_progress(opaque);
}

/* The temporaries the helper named: a helper killed with SIGKILL could
 * not remove them (what it renamed into place is no longer there). */
static void remove_partial(vr_image_run *r)
{
    char *path = job_file(r, "partial");
    char *text = vr_file_read(path, NULL), *save = NULL;
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
        if (l[0] == '/' && strstr(l, "/.vireo-tmp-") && unlink(l) == 0)
            vr_log_info("image job: removed the partial %s", l);
    free(text);
    free(path);
}

/* The one-line error in FILE (the helper's `error`, the last line of
 * its log), or NULL. */
static char *last_line_of(vr_image_run *r, const char *name)
{
    char *path = job_file(r, name);
    char *text = vr_file_read(path, NULL), *save = NULL, *last = NULL;
    free(path);
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
        if (*vr_str_trim(l) && l[0] != '(')
            last = vr_str_trim(l);
    char *out = last ? vr_strdup(last) : NULL;
    free(text);
    return out;
}

/* The helper has ended: its outcome is in the job's directory. */
static void finish(vr_image_run *r)
{
    read_progress(r);
    json_object *result = NULL;
    vr_err code = VR_OK;
    char *msg = NULL, *path = job_file(r, "result.json");
    if (r->cancelled) {
        code = VR_ERR_CONFLICT;
        msg = vr_strdup("cancelled: a new output was removed; an image edited in place keeps what was done");
    } else if (r->interrupted) {
        code = VR_ERR_FAILED;
        msg = vr_strdup(r->interrupted);
    } else if (access(path, F_OK) == 0) {
        if (!(result = json_object_from_file(path)))
            result = json_object_new_object();
        if (r->template && (code = mark_template(r, result, &msg))) {
            json_object_put(result);
            result = NULL;
        }
    } else if ((msg = last_line_of(r, "error"))) {
        code = VR_ERR_FAILED;
    } else {
        char *log = last_line_of(r, "helper.log");
        code = VR_ERR_FAILED;
        msg = vr_asprintf("interrupted: the image helper ended without a result (killed?); what it was "
                          "writing was removed%s%s", log ? "; its last words: " : "", log ? log : "");
        free(log);
    }
    free(path);
    if (code)
        remove_partial(r);
    vr_log_info("image job %s: %s%s", r->dir, code ? "failed: " : "done", code ? msg : "");
    r->done(code, msg, result, r->opaque);
    free(msg);
    remove_dir(r->dir);
    run_free(r);
}

static void on_gone(void *opaque)
{
    finish(opaque);
}

static void on_end(evutil_socket_t fd, short what, void *opaque)
{
    (void)fd;
    (void)what;
    finish(opaque);
}

/* Follow r->pid: its progress file twice a second, its end by a pidfd.
 * A helper already gone ends the job on the loop (never inside the
 * caller, which has yet to make the job). */
static void follow(vr_image_run *r)
{
    struct event_base *base = vr_storage_base(r->env.storage);
    r->next = runs;
    runs = r;
    if (r->pid > 0 && (r->watch = vr_pidwatch_new(base, r->pid, on_gone, r))) {
        r->tick = event_new(base, -1, EV_PERSIST, on_tick, r);
        event_add(r->tick, &(struct timeval){0, 500000});
        return;
    }
    r->end = evtimer_new(base, on_end, r);
    event_add(r->end, &(struct timeval){0, 0});
}

/* This daemon follows the job: the helper writes its result only while
 * the owner it names lives (image_helper.c). */
static void write_owner(vr_image_run *r)
{
    char *path = job_file(r, "owner");
    char *text = vr_asprintf("%d %llu\n", (int)getpid(), vr_proc_start_time(getpid()));
    if (vr_file_write_atomic(path, text, strlen(text), 0600) < 0)
        vr_log_warn("image job %s: cannot write %s: %s", r->dir, path, strerror(errno));
    free(text);
    free(path);
}

static char *jobs_dir(const vr_image_env *env)
{
    return vr_asprintf("%s/image-jobs", env->paths->runtime_dir);
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
    /* Everything about the job in a directory of its own, so a daemon
     * that restarts finds it (vr_core_image_resume). */
    char *parent = jobs_dir(env);
    mkdir(parent, 0700);
    r->dir = vr_asprintf("%s/job-XXXXXX", parent);
    free(parent);
    char *spec_path = NULL, *log = NULL;
    if (!mkdtemp(r->dir)) {
        vr_set_error(err, "cannot make the image job's directory %s: %s", r->dir, strerror(errno));
        *code = VR_ERR_FAILED;
        json_object_put(spec);
        free(r->dir);
        r->dir = NULL;
        run_free(r);
        return NULL;
    }
    spec_path = job_file(r, "spec.json");
    char *result_path = job_file(r, "result.json");
    json_object_object_add(spec, "result_file", json_object_new_string(result_path));
    json_object_object_add(spec, "job_dir", json_object_new_string(r->dir));
    free(result_path);
    write_owner(r);
    if (json_object_to_file_ext(spec_path, spec, JSON_C_TO_STRING_PLAIN) < 0) {
        vr_set_error(err, "cannot write the image helper's instructions in %s: %s", r->dir, strerror(errno));
        *code = VR_ERR_FAILED;
    }
    json_object_put(spec);
    /* $VIREO_IMAGE_HELPER, else beside vireod (the build tree), else
     * installed. Detached, in a session of its own, as QEMU: it outlives
     * the daemon, which follows it by its pid and its directory. */
    char *helper = vr_child_helper_path("vireo-image-helper", "VIREO_IMAGE_HELPER");
    char *argv[] = {helper, spec_path, NULL};
    log = job_file(r, "helper.log");
    vr_child_spec cs = {.program = helper, .argv = argv, .out = VR_CHILD_OUT_LOG, .log = log,
                        .log_mode = 0600, .c_locale = true, .detach = true};
    vr_child_result res;
    if (!*code && vr_child_run(&cs, &res, err) < 0)
        *code = VR_ERR_FAILED;
    free(helper);
    free(spec_path);
    free(log);
    if (*code) {
        remove_dir(r->dir);
        run_free(r);
        return NULL;
    }
    r->pid = res.pid;
    follow(r);
    vr_log_info("image tool: %s started (helper pid %d, %s)", op, (int)r->pid, r->dir);
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
    /* The helper's SIGTERM handler removes its temporaries and takes its
     * process group (mmdebstrap, the appliance) with it. */
    if (r->watch && !r->cancelled) {
        r->cancelled = true;
        vr_pidwatch_kill(r->watch, SIGTERM);
    }
}

void vr_core_image_note(vr_image_run *r, unsigned id, const char *kind, const char *target)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "kind", json_object_new_string(kind));
    json_object_object_add(o, "target", json_object_new_string(target));
    json_object_object_add(o, "started", json_object_new_int64((int64_t)time(NULL)));
    if (r->template) {
        json_object_object_add(o, "template", json_object_new_string(r->template));
        json_object *disks = json_object_new_array();
        for (size_t i = 0; i < r->n_disks; i++)
            json_object_array_add(disks, json_object_new_string(r->disks[i]));
        json_object_object_add(o, "disks", disks);
    }
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    char *path = job_file(r, "job.json");
    if (vr_file_write_atomic(path, text, strlen(text), 0600) < 0)
        vr_log_warn("image job %s: cannot write %s: %s", r->dir, path, strerror(errno));
    free(path);
    json_object_put(o);
}

/* Is pid the helper of the job in dir? Its start time is the one it
 * wrote, and its command line names the job's instructions. */
static bool helper_alive(const char *dir, pid_t pid, unsigned long long start)
{
    if (!vr_proc_is(pid, start))
        return false;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *cmd = vr_file_read(path, &len), *spec = vr_asprintf("%s/spec.json", dir);
    bool found = false;
    for (size_t i = 0; cmd && i < len && !found; i += strlen(cmd + i) + 1)
        found = strcmp(cmd + i, spec) == 0;
    free(cmd);
    free(spec);
    return found;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v) : NULL;
}

static long long jint(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? (long long)json_object_get_int64(v) : 0;
}

/* One job directory a previous daemon left. */
static void resume_one(const vr_image_env *env, const char *dir, vr_image_step_fn step, vr_image_done_fn done,
                       vr_image_found_fn found, void *opaque)
{
    vr_image_run *r = vr_calloc(1, sizeof(*r));
    r->env = *env;
    r->dir = vr_strdup(dir);
    r->step = step;
    r->done = done;
    char *p = job_file(r, "job.json");
    json_object *job = json_object_from_file(p);
    free(p);
    p = job_file(r, "state");
    json_object *state = json_object_from_file(p);
    free(p);
    p = job_file(r, "spec.json");
    json_object *spec = json_object_from_file(p);
    free(p);
    pid_t pid = (pid_t)jint(state, "pid");
    bool alive = pid > 0 && helper_alive(dir, pid, (unsigned long long)jint(state, "start_time"));
    if (jstr(job, "template")) {
        r->template = vr_strdup(jstr(job, "template"));
        json_object *disks = NULL;
        json_object_object_get_ex(job, "disks", &disks);
        for (size_t i = 0; disks && i < json_object_array_length(disks); i++) {
            r->disks = vr_realloc(r->disks, (r->n_disks + 1) * sizeof(*r->disks));
            r->disks[r->n_disks++] = vr_strdup(json_object_get_string(json_object_array_get_idx(disks, i)));
        }
    }
    const char *op = jstr(spec, "op");
    vr_image_job_info info = {
        .id = (unsigned)jint(job, "id"),
        .kind = jstr(job, "kind") ? jstr(job, "kind") : op ? op : "image",
        .target = jstr(job, "target") ? jstr(job, "target") : jstr(spec, "output") ? jstr(spec, "output") : "?",
        .started = jint(job, "started"),
        .running = alive,
    };
    if (alive && !job)
        r->interrupted = vr_strdup("interrupted: the daemon that started it ended before it recorded the job; "
                                   "the image helper was ended and its partial output removed (run it again)");
    else if (!alive && !state)
        r->interrupted = vr_strdup("interrupted: the daemon ended as the image helper started; nothing was "
                                   "made (run it again)");
    write_owner(r);
    r->opaque = found(r, &info, opaque);
    if (alive) {
        r->pid = pid;
        vr_log_info("image job %u (%s %s): helper pid %d re-adopted%s", info.id, info.kind, info.target, (int)pid,
                    r->interrupted ? ", to be ended" : "");
    } else {
        vr_log_info("image job %u (%s %s): its helper ended while no daemon ran; finishing it", info.id,
                    info.kind, info.target);
    }
    follow(r);
    /* A job that cannot be followed ends with its whole process group. */
    if (alive && r->interrupted && r->watch)
        vr_pidwatch_kill(r->watch, SIGTERM);
    json_object_put(job);
    json_object_put(state);
    json_object_put(spec);
}

void vr_core_image_resume(const vr_image_env *env, vr_image_step_fn step, vr_image_done_fn done,
                          vr_image_found_fn found, void *opaque)
{
    char *parent = jobs_dir(env);
    DIR *d = opendir(parent);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "job-", 4) != 0)
            continue;
        char *dir = vr_asprintf("%s/%s", parent, e->d_name);
        resume_one(env, dir, step, done, found, opaque);
        free(dir);
    }
    if (d)
        closedir(d);
    free(parent);
}

void vr_core_image_leave_all(void)
{
    while (runs) {
        vr_image_run *r = runs;
        vr_log_info("image job %s: left running (helper pid %d) for the next daemon to take back", r->dir,
                    (int)r->pid);
        r->done(VR_ERR_FAILED, "the daemon stopped; the image helper goes on and the next daemon takes the "
                               "job back", NULL, r->opaque);
        run_free(r);
    }
}
