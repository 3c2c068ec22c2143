/* Pools: kept in the definition store (src/registry: CONFIG/storage),
 * the active flag kept in RUNTIME so a restarted daemon finds its pools
 * as they were, and the `default` pool. */
#include "drivers/storage/storage_backend.h"
#include "common/file.h"
#include "conf/stored_form.h"
#include "common/log.h"
#include "common/process.h"
#include "common/worker.h"
#include "common/util.h"
#include "registry/registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static char *active_path(const vr_storage_driver *d, const char *name)
{
    return vr_asprintf("%s/%s.active", d->runtime_dir, name);
}

struct event_base *vr_storage_base(vr_storage_driver *drv) { return drv->base; }

void vr_storage_set_user_fn(vr_storage_driver *drv, vr_storage_user_fn fn, void *opaque)
{
    drv->user_fn = fn;
    drv->user_opaque = opaque;
}

void vr_storage_set_event_fn(vr_storage_driver *drv, vr_storage_event_fn fn, void *opaque)
{
    drv->event_fn = fn;
    drv->event_opaque = opaque;
}

void vr_storage_emit(vr_pool *p, const char *event, const char *detail, const char *volume)
{
    if (p->drv->event_fn)
        p->drv->event_fn(p, event, detail, volume, p->drv->event_opaque);
}

/* ---- small shared helpers ---- */

void vr_storage_busy_add(char ***list, size_t *n, const char *path)
{
    *list = vr_realloc(*list, (*n + 1) * sizeof(**list));
    (*list)[(*n)++] = vr_strdup(path);
}

void vr_storage_busy_del(char ***list, size_t *n, const char *path)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*list)[i], path) == 0) {
            free((*list)[i]);
            memmove(*list + i, *list + i + 1, (*n - i - 1) * sizeof(**list));
            (*n)--;
            return;
        }
    }
}

bool vr_storage_busy_has(char **list, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], path) == 0)
            return true;
    return false;
}

char *vr_storage_tmp_near(const char *dst, int *fd, char **err)
{
    char *copy = vr_strdup(dst);
    char *tmp = vr_asprintf("%s/" VR_STORAGE_TMP_PREFIX "XXXXXX", dirname(copy));
    free(copy);
    int f = mkostemp(tmp, O_CLOEXEC);
    if (f < 0) {
        vr_set_error(err, "cannot create a file beside %s: %s", dst, strerror(errno));
        free(tmp);
        return NULL;
    }
    fchmod(f, 0600);
    if (fd)
        *fd = f;
    else
        close(f);
    return tmp;
}

int vr_storage_commit(const char *tmp, const char *dst, bool replace, char **err)
{
    int rc = replace ? rename(tmp, dst) : renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE);
    if (rc < 0) {
        vr_set_error(err, errno == EEXIST ? "%s appeared meanwhile; the new one was not put in its place"
                                          : "cannot put %s in place: %s",
                     dst, strerror(errno));
        unlink(tmp);
        return -1;
    }
    char *copy = vr_strdup(dst);
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(copy);
    return 0;
}

void vr_storage_clean_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!vr_str_starts(e->d_name, VR_STORAGE_TMP_PREFIX))
            continue;
        /* An image job's helper names its temporaries after itself
         * (".vireo-tmp-PID.START_TIME-..."): while that process lives
         * they are its work (it outlives a daemon and is taken back,
         * docs/images.md), not leftovers. */
        int pid = 0;
        unsigned long long start = 0;
        if (sscanf(e->d_name + strlen(VR_STORAGE_TMP_PREFIX), "%d.%llu-", &pid, &start) == 2 &&
            vr_proc_is(pid, start))
            vr_log_info("storage: kept %s/%s, which a running image job writes", dir, e->d_name);
        else if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            vr_log_info("storage: removed the leftover %s/%s", dir, e->d_name);
    }
    closedir(d);
}

/* ---- registry ---- */

static vr_pool *new_pool(vr_storage_driver *drv, vr_pool_def *def)
{
    vr_pool *p = vr_calloc(1, sizeof(*p));
    p->drv = drv;
    p->def = def;
    return p;
}

static void pool_free(vr_pool *p)
{
    vr_pool_def_free(p->def);
    free(p);
}

vr_pool *const *vr_storage_pools(vr_storage_driver *drv, size_t *n)
{
    return (vr_pool *const *)vr_registry_list(drv->reg, n);
}

vr_pool *vr_storage_pool_lookup(vr_storage_driver *drv, const char *key)
{
    return vr_registry_lookup(drv->reg, key);
}

static void set_active(vr_pool *p, bool on)
{
    p->active = on;
    char *path = active_path(p->drv, p->def->name);
    if (on)
        vr_file_write_atomic(path, "1\n", 2, 0600);
    else
        unlink(path);
    free(path);
}

vr_err vr_storage_pool_define_def(vr_storage_driver *drv, vr_pool_def *def, vr_pool **out, char **err)
{
    void *found = NULL;
    if (vr_registry_check(drv->reg, def, true, &found, err) != VR_OK) {
        vr_pool_def_free(def);
        return VR_ERR_CONFLICT;
    }
    vr_pool *same = found;
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_pool *p = pools[i];
        const char *why = p != same ? vr_pool_defs_clash(p->def, def) : NULL;
        if (why) {
            vr_set_error(err, "pool '%s' (%s) clashes with pool '%s' by %s", def->name,
                         def->target_path ? def->target_path : def->source.device, p->def->name, why);
            vr_pool_def_free(def);
            return VR_ERR_CONFLICT;
        }
    }
    if (same && same->active && !vr_pool_defs_same_storage(same->def, def)) {
        vr_set_error(err, "pool '%s' is active; pool-destroy it before changing its storage (directory, device "
                          "or target)", def->name);
        vr_pool_def_free(def);
        return VR_ERR_CONFLICT;
    }
    vr_err saved = vr_registry_save(drv->reg, def, err);
    if (saved != VR_OK) {
        vr_pool_def_free(def);
        return saved;
    }
    bool updated = same != NULL;
    if (same) {
        vr_pool_def_free(same->def);
        same->def = def;
    } else {
        same = new_pool(drv, def);
        vr_registry_add(drv->reg, same, def);
    }
    vr_log_info("pool %s defined (%s)", def->name,
                def->target_path ? def->target_path : def->source.device ? def->source.device : def->source.name);
    vr_storage_emit(same, "defined", updated ? "updated" : "added", NULL);
    *out = same;
    return VR_OK;
}

vr_err vr_storage_pool_define(vr_storage_driver *drv, const char *xml, vr_pool **out, char **err)
{
    vr_pool_def *def = vr_pool_def_parse(xml, strlen(xml), err);
    if (!def)
        return VR_ERR_INVALID;
    return vr_storage_pool_define_def(drv, def, out, err);
}

static vr_err need_inactive(vr_pool *p, const char *to, char **err)
{
    if (p->active) {
        vr_set_error(err, "pool '%s' is active; pool-destroy it before %s", p->def->name, to);
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

static vr_err need_idle(vr_pool *p, char **err)
{
    if (p->starting) {
        vr_set_error(err, "pool '%s' is being started (its pool-start is under way)", p->def->name);
        return VR_ERR_CONFLICT;
    }
    if (p->creating) {
        vr_set_error(err, "pool '%s' has %u volume(s) being created; wait for them", p->def->name, p->creating);
        return VR_ERR_CONFLICT;
    }
    if (p->busy) {
        vr_set_error(err, "pool '%s' has %u copy or transfer job(s) running; wait for them or cancel "
                          "them (vireo job-list)", p->def->name, p->busy);
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

vr_err vr_storage_pool_undefine(vr_pool *p, char **err)
{
    vr_err e = need_inactive(p, "undefining it", err);
    if (e)
        return e;
    vr_storage_driver *drv = p->drv;
    if (vr_registry_delete(drv->reg, p->def->name, err) != VR_OK)
        return VR_ERR_FAILED;
    vr_log_info("pool %s undefined", p->def->name);
    vr_storage_emit(p, "undefined", "removed", NULL);
    vr_registry_remove(drv->reg, p->def->name);
    pool_free(p);
    return VR_OK;
}

vr_err vr_storage_pool_build_flags(vr_pool *p, unsigned flags, char **err)
{
    if ((flags & VR_POOL_BUILD_OVERWRITE) && (flags & VR_POOL_BUILD_NO_OVERWRITE)) {
        vr_set_error(err, "pool-build takes --overwrite or --no-overwrite, not both");
        return VR_ERR_INVALID;
    }
    vr_err e = need_inactive(p, "building it", err);
    if (e && p->def->type != VR_POOL_DIR) /* a dir pool's build only makes the directory */
        return e;
    if ((e = vr_pool_backend_of(p)->build(p, flags, err)))
        return e;
    /* libvirt's word for pool-build is "created". */
    vr_storage_emit(p, "created", "built", NULL);
    return VR_OK;
}

vr_err vr_storage_pool_build(vr_pool *p, char **err)
{
    return vr_storage_pool_build_flags(p, 0, err);
}

/* The backend's check; storage that vanished under an active pool makes
 * it inactive (the definition stays). */
static vr_err storage_there(vr_pool *p, char **err)
{
    vr_err e = vr_pool_backend_of(p)->check(p, err);
    if (e == VR_ERR_NOT_FOUND && p->active) {
        set_active(p, false);
        vr_log_warn("pool %s: its storage vanished; the pool is inactive now", p->def->name);
        vr_storage_emit(p, "stopped", "vanished", NULL);
    }
    return e ? VR_ERR_CONFLICT : VR_OK;
}

vr_err vr_pool_ready(vr_pool *p, char **err)
{
    if (!p->active) {
        vr_set_error(err, "pool '%s' is not active (start it with 'vireo pool-start %s')", p->def->name,
                     p->def->name);
        return VR_ERR_CONFLICT;
    }
    return storage_there(p, err);
}

static vr_err can_start(vr_pool *p, char **err)
{
    if (p->active || p->starting) {
        vr_set_error(err, "pool '%s' is already %s", p->def->name, p->active ? "active" : "being started");
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

static vr_err started(vr_pool *p, vr_err e)
{
    if (e)
        return e == VR_ERR_NOT_FOUND ? VR_ERR_CONFLICT : e;
    set_active(p, true);
    vr_log_info("pool %s started", p->def->name);
    vr_storage_emit(p, "started", vr_pool_type_name(p->def->type), NULL);
    return VR_OK;
}

vr_err vr_storage_pool_start(vr_pool *p, char **err)
{
    vr_err e = can_start(p, err);
    return e ? e : started(p, vr_pool_backend_of(p)->start(p, err));
}

/* A pool-start whose check runs in a worker thread (common/worker.h). */
typedef struct {
    vr_pool *pool;
    const vr_pool_backend *be; /* the worker's: it never reads the pool */
    bool recheck;              /* an active pool's check (vr_storage_recheck_pools) */
    vr_pool_copies copies;     /* the worker's: the definition, its secret's value */
    vr_err code;
    char *err;
    vr_pool_done_fn done;
    void *opaque;
} start_job;

static void start_worker(void *arg)
{
    start_job *j = arg;
    j->code = j->be->check_run(j->copies.def, j->copies.secret, j->copies.secret_len, &j->err);
}

void vr_pool_copies_free(vr_pool_copies *c)
{
    if (c->secret) {
        explicit_bzero(c->secret, c->secret_len);
        free(c->secret);
    }
    vr_pool_def_free(c->def);
    *c = (vr_pool_copies){0};
}

static void job_free(start_job *j)
{
    vr_pool_copies_free(&j->copies);
    free(j->err);
    free(j);
}

/* The copies a worker needs: the definition, and its <auth>'s secret
 * from the store (the store is the loop's; not there yet at the
 * daemon's own start: then no secret, and the backend skips the login). */
vr_err vr_pool_copies_take(vr_pool *p, vr_pool_copies *c, char **err)
{
    const vr_pool_source *s = &p->def->source;
    *c = (vr_pool_copies){.def = vr_pool_def_copy(p->def)};
    if (!s->auth_user || !p->drv->secret_fn)
        return VR_OK;
    char *e = NULL;
    vr_err code = p->drv->secret_fn(s->secret_uuid, s->secret_usage, &c->secret, &c->secret_len, &e,
                                    p->drv->secret_opaque);
    if (code)
        vr_set_error(err, "pool '%s': its secret: %s", p->def->name, e);
    free(e);
    return code;
}

static void on_start_checked(void *arg)
{
    start_job *j = arg;
    vr_pool *p = j->pool;
    p->starting = false;
    vr_err code = j->recheck ? j->code : started(p, j->code);
    j->done(code, code ? j->err : NULL, j->opaque);
    job_free(j);
}

/* Run the backend's check of p in a worker thread; `done` on the loop. */
static void spawn_check(vr_pool *p, bool recheck, vr_pool_done_fn done, void *opaque)
{
    const vr_pool_backend *be = vr_pool_backend_of(p);
    char *err = NULL;
    vr_err code = VR_OK;
    start_job *j = vr_calloc(1, sizeof(*j));
    j->pool = p;
    j->be = be;
    j->recheck = recheck;
    j->done = done;
    j->opaque = opaque;
    int rc = 0;
    if ((code = vr_pool_copies_take(p, &j->copies, &err)) || (rc = vr_worker_run(p->drv->base, start_worker, on_start_checked, j))) {
        if (!err) {
            vr_set_error(&err, "pool '%s': cannot run its check beside the event loop: %s", p->def->name,
                         strerror(-rc));
            code = VR_ERR_FAILED;
        }
        done(code, err, opaque);
        free(err);
        job_free(j);
        return;
    }
    vr_log_info("pool %s: %s check runs beside the event loop", p->def->name, recheck ? "its login" : "pool-start's");
    p->starting = !recheck;
}

vr_err vr_storage_pool_destroy(vr_pool *p, char **err)
{
    if (!p->active) {
        vr_set_error(err, "pool '%s' is not active", p->def->name);
        return VR_ERR_CONFLICT;
    }
    vr_err e = need_idle(p, err);
    if (e || (e = vr_pool_backend_of(p)->stop(p, err)))
        return e;
    set_active(p, false);
    vr_log_info("pool %s stopped", p->def->name);
    vr_storage_emit(p, "stopped", "destroyed", NULL);
    return VR_OK;
}

vr_err vr_storage_pool_delete(vr_pool *p, char **err)
{
    vr_err e = need_inactive(p, "deleting its directory", err);
    if (e || (e = vr_pool_backend_of(p)->remove(p, err)))
        return e;
    vr_storage_emit(p, "deleted", "removed", NULL);
    return VR_OK;
}

vr_err vr_storage_pool_refresh(vr_pool *p, char **err)
{
    vr_err e = vr_pool_ready(p, err);
    if (e == VR_OK && vr_pool_backend_of(p)->refresh)
        e = vr_pool_backend_of(p)->refresh(p, err);
    /* Volumes are read afresh on every listing; the event tells clients
     * that files may have changed behind Vireo's back. */
    if (e == VR_OK)
        vr_storage_emit(p, "refresh", NULL, NULL);
    return e;
}

vr_err vr_storage_pool_set_autostart(vr_pool *p, bool on, char **err)
{
    vr_err code = vr_registry_set_autostart(p->drv->reg, p->def->name, on, err);
    if (code == VR_OK)
        p->autostart = on;
    return code;
}

void vr_storage_pool_stats(vr_pool *p, vr_pool_stats *st, size_t *n_volumes)
{
    memset(st, 0, sizeof(*st));
    if (n_volumes)
        *n_volumes = 0;
    if (p->active)
        vr_pool_backend_of(p)->stats(p, st, n_volumes);
}

char *vr_storage_pool_xml(vr_pool *p)
{
    vr_pool_stats st;
    vr_storage_pool_stats(p, &st, NULL);
    return vr_pool_def_format(p->def, p->active ? &st : NULL);
}

/* ---- start-up ---- */

static void *adopt_definition(void *def, bool autostart, void *opaque)
{
    vr_pool *p = new_pool(opaque, def);
    p->autostart = autostart;
    return p;
}

/* Autostart pools, and those a previous daemon left active. */
static void start_loaded(vr_storage_driver *drv)
{
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_pool *p = pools[i];
        char *act = active_path(drv, p->def->name), *serr = NULL;
        bool was_active = vr_path_exists(act);
        free(act);
        if ((p->autostart || was_active) && vr_storage_pool_start(p, &serr) != VR_OK)
            vr_log_warn("pool %s not started: %s", p->def->name, serr);
        free(serr);
    }
}

/* The first start ever (no CONFIG/storage yet) defines `default` under
 * the state directory, like libvirt's default pool. */
static void make_default(vr_storage_driver *drv)
{
    char *dir = vr_asprintf("%s/images", drv->paths->state_dir), *err = NULL;
    vr_pool_def *def = vr_pool_def_new("default", "dir", dir, &err);
    free(dir);
    vr_pool *p = NULL;
    if (!def || vr_storage_pool_define_def(drv, def, &p, &err) != VR_OK ||
        vr_storage_pool_build(p, &err) != VR_OK || vr_storage_pool_set_autostart(p, true, &err) != VR_OK ||
        vr_storage_pool_start(p, &err) != VR_OK)
        vr_log_error("cannot set up the default pool: %s", err);
    free(err);
}

vr_storage_driver *vr_storage_driver_new(struct event_base *base, const vr_paths *paths)
{
    vr_storage_driver *drv = vr_calloc(1, sizeof(*drv));
    drv->base = base;
    drv->paths = paths;
    drv->reg = vr_registry_new(&vr_conf_pool, paths->config_dir, "storage", 1);
    drv->runtime_dir = vr_asprintf("%s/storage", paths->runtime_dir);
    int rc = vr_mkdir_p(drv->runtime_dir, 0700);
    if (rc < 0)
        vr_log_error("cannot create %s: %s", drv->runtime_dir, strerror(-rc));
    vr_file_remove_leftovers(drv->runtime_dir, 1);
    vr_registry_load(drv->reg, NULL, adopt_definition, drv);
    start_loaded(drv);
    if (vr_registry_first_start(drv->reg))
        make_default(drv);
    return drv;
}

void vr_storage_driver_free(vr_storage_driver *drv)
{
    if (!drv)
        return;
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv, &n);
    for (size_t i = 0; i < n; i++)
        pool_free(pools[i]);
    for (size_t i = 0; i < drv->n_dst; i++)
        free(drv->busy_dst[i]);
    for (size_t i = 0; i < drv->n_src; i++)
        free(drv->busy_src[i]);
    free(drv->busy_dst);
    free(drv->busy_src);
    vr_registry_free(drv->reg);
    free(drv->runtime_dir);
    free(drv);
}

void vr_storage_pool_start_async(vr_pool *p, vr_pool_done_fn done, void *opaque)
{
    char *err = NULL;
    vr_err code = can_start(p, &err);
    if (!code && vr_pool_backend_of(p)->check_run) {
        spawn_check(p, false, done, opaque);
        return;
    }
    if (!code)
        code = vr_storage_pool_start(p, &err);
    done(code, err, opaque);
    free(err);
}

static void on_rechecked(vr_err code, const char *err, void *opaque)
{
    vr_pool *p = opaque;
    if (!code) {
        vr_log_info("pool %s: the login at start checked", p->def->name);
        return;
    }
    vr_log_warn("pool %s: made inactive: %s", p->def->name, err);
    set_active(p, false);
    vr_storage_emit(p, "stopped", "check-failed", NULL);
}

void vr_storage_recheck_pools(vr_storage_driver *drv)
{
    size_t n;
    vr_pool *const *pools = vr_storage_pools(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_pool *p = pools[i];
        if (p->active && p->def->source.auth_user && vr_pool_backend_of(p)->check_run)
            spawn_check(p, true, on_rechecked, p);
    }
}
