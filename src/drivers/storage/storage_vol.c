/* Volumes: what every pool kind shares (the pool is active, the name
 * is valid, nobody uses the volume, the events); the kind's backend
 * (storage_backend_*.c) finds, makes, resizes and removes them. */
#include "drivers/storage/storage_backend.h"
#include "drivers/storage/storage_priv.h"
#include "common/worker.h"
#include "conf/names.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


void vr_vol_info_clear(vr_vol_info *v)
{
    if (!v)
        return;
    free(v->name);
    free(v->pool);
    free(v->path);
    free(v->backing);
    free(v->used_by);
    memset(v, 0, sizeof(*v));
}

void vr_vol_info_list_free(vr_vol_info *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vr_vol_info_clear(&v[i]);
    free(v);
}

vr_err vr_pool_vol_path(vr_pool *p, const char *name, char **path, char **err)
{
    if (!vr_name_check(VR_NAME_VOLUME, name, err))
        return VR_ERR_INVALID;
    if (!vr_pool_backend_of(p)->files) {
        vr_set_error(err, "pool '%s' is a %s pool: its volumes are not files, so this needs a dir or fs "
                          "pool", p->def->name, vr_pool_type_name(p->def->type));
        return VR_ERR_INVALID;
    }
    *path = vr_asprintf("%s/%s", p->def->target_path, name);
    return VR_OK;
}

char *vr_storage_user_of(vr_storage_driver *drv, const char *path)
{
    return drv->user_fn ? drv->user_fn(path, drv->user_opaque) : NULL;
}

vr_err vr_storage_vol_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err)
{
    vr_err e = vr_pool_ready(p, err);
    return e ? e : vr_pool_backend_of(p)->list(p, out, n, err);
}

/* Resolving a volume for QEMU must not ask QEMU who uses it (`users`):
 * QEMU's answer resolves the volume disks of every running domain, which
 * would come back here without end. */
static vr_err vol_get(vr_pool *p, const char *name, vr_vol_info *out, bool users, char **err)
{
    vr_err e = vr_pool_ready(p, err);
    if (e)
        return e;
    if (!vr_name_check(VR_NAME_VOLUME, name, err))
        return VR_ERR_INVALID;
    if (!vr_pool_backend_of(p)->describe(p, name, out, users)) {
        vr_set_error(err, "volume '%s' not found in pool '%s' (vireo vol-list %s shows its volumes)",
                     name, p->def->name, p->def->name);
        return VR_ERR_NOT_FOUND;
    }
    return VR_OK;
}

vr_err vr_storage_vol_get(vr_pool *p, const char *name, vr_vol_info *out, char **err)
{
    return vol_get(p, name, out, true, err);
}

vr_err vr_storage_vol_by_path(vr_storage_driver *drv, const char *path, vr_pool **pool,
                              vr_vol_info *out, char **err)
{
    char *real = realpath(path, NULL);
    size_t n_pools;
    vr_pool *const *pools = vr_storage_pools(drv, &n_pools);
    for (size_t i = 0; real && i < n_pools; i++) {
        vr_pool *p = pools[i];
        if (!p->active)
            continue;
        char *dir = realpath(p->def->target_path, NULL);
        size_t len = dir ? strlen(dir) : 0;
        bool inside = dir && strncmp(real, dir, len) == 0 && real[len] == '/' && !strchr(real + len + 1, '/');
        if (inside && vr_pool_backend_of(p)->describe(p, real + len + 1, out, true)) {
            *pool = p;
            free(dir);
            free(real);
            return VR_OK;
        }
        free(dir);
    }
    free(real);
    vr_set_error(err, "no volume of an active pool has the path %s", path);
    return VR_ERR_NOT_FOUND;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
        return strcmp(a, b) == 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

vr_err vr_storage_path_check_unused(vr_storage_driver *drv, const char *path, const char *what,
                                    char **err)
{
    char *user = vr_storage_user_of(drv, path);
    if (user) {
        vr_set_error(err, "%s is in use by running domain '%s'; shut the domain down first", what, user);
        free(user);
        return VR_ERR_CONFLICT;
    }
    if (vr_storage_busy_has(drv->busy_src, drv->n_src, path) ||
        vr_storage_busy_has(drv->busy_dst, drv->n_dst, path)) {
        vr_set_error(err, "%s is being copied right now; wait for the copy job (vireo job-list)", what);
        return VR_ERR_CONFLICT;
    }
    /* An overlay in any active pool that needs it as its backing file. */
    size_t n_pools;
    vr_pool *const *pools = vr_storage_pools(drv, &n_pools);
    for (size_t i = 0; i < n_pools; i++) {
        vr_pool *p = pools[i];
        vr_vol_info *vols;
        size_t n;
        char *e = NULL;
        if (!p->active || vr_storage_vol_list(p, &vols, &n, &e) != VR_OK) {
            free(e);
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (vols[k].backing && same_file(vols[k].backing, path)) {
                vr_set_error(err, "%s is the backing file of volume '%s' in pool '%s'; delete that "
                                  "overlay first", what, vols[k].name, p->def->name);
                vr_vol_info_list_free(vols, n);
                return VR_ERR_CONFLICT;
            }
        }
        vr_vol_info_list_free(vols, n);
    }
    return VR_OK;
}

static void created(vr_pool *p, const vr_vol_def *def)
{
    vr_log_info("pool %s: volume %s created (%s, %llu bytes)", p->def->name, def->name,
                vr_vol_format_name(def->format), def->capacity);
    vr_storage_emit(p, "refresh", "volume-created", def->name);
}

vr_err vr_storage_vol_create(vr_pool *p, const vr_vol_def *def, const char *backing_volume,
                             vr_vol_info *out, char **err)
{
    vr_err e = vr_pool_ready(p, err);
    if (e)
        return e;
    if (!vr_name_check(VR_NAME_VOLUME, def->name, err))
        return VR_ERR_INVALID;
    if ((e = vr_pool_backend_of(p)->create_vol(p, def, backing_volume, err)))
        return e;
    created(p, def);
    return out ? vr_storage_vol_get(p, def->name, out, err) : VR_OK;
}

/* A vol-create beside the loop (create_vol_run): the worker's copies,
 * what it made, and who waits for it. */
typedef struct {
    vr_pool *pool;
    const vr_pool_backend *be;
    vr_pool_copies copies;
    vr_vol_def vol; /* its name, size and format */
    char *backing;
    vr_vol_info info;
    vr_err code;
    char *err;
    vr_vol_created_fn done;
    void *opaque;
} create_job;

static void create_worker(void *arg)
{
    create_job *j = arg;
    const vr_pool_copies *c = &j->copies;
    j->code = j->be->create_vol_run(c->def, c->secret, c->secret_len, &j->vol, j->backing, &j->info, &j->err);
}

static void create_job_free(create_job *j)
{
    vr_pool_copies_free(&j->copies);
    free(j->vol.name);
    free(j->backing);
    vr_vol_info_clear(&j->info);
    free(j->err);
    free(j);
}

static void on_created(void *arg)
{
    create_job *j = arg;
    j->pool->creating--;
    if (j->code == VR_OK)
        created(j->pool, &j->vol);
    j->done(j->code, j->code ? j->err : NULL, j->code ? NULL : &j->info, j->opaque);
    create_job_free(j);
}

void vr_storage_vol_create_async(vr_pool *p, const vr_vol_def *def, const char *backing_volume,
                                 vr_vol_created_fn done, void *opaque)
{
    const vr_pool_backend *be = vr_pool_backend_of(p);
    char *err = NULL;
    vr_vol_info v = {0};
    vr_err e = VR_OK;
    if (!be->create_vol_run) {
        e = vr_storage_vol_create(p, def, backing_volume, &v, &err);
        done(e, err, e ? NULL : &v, opaque);
        vr_vol_info_clear(&v);
        free(err);
        return;
    }
    create_job *j = vr_calloc(1, sizeof(*j));
    *j = (create_job){.pool = p, .be = be, .done = done, .opaque = opaque};
    j->vol = (vr_vol_def){.name = vr_strdup(def->name), .capacity = def->capacity, .format = def->format,
                          .mode = def->mode};
    j->backing = backing_volume ? vr_strdup(backing_volume) : NULL;
    int rc = 0;
    if (!(e = vr_pool_ready(p, &err)) && !(e = vr_name_check(VR_NAME_VOLUME, def->name, &err) ? VR_OK : VR_ERR_INVALID) &&
        !(e = vr_pool_copies_take(p, &j->copies, &err)) &&
        (rc = vr_worker_run(p->drv->base, create_worker, on_created, j)) < 0) {
        vr_set_error(&err, "pool '%s': cannot create volume '%s' beside the event loop: %s", p->def->name,
                     def->name, strerror(-rc));
        e = VR_ERR_FAILED;
    }
    if (e) {
        done(e, err, NULL, opaque);
        free(err);
        create_job_free(j);
        return;
    }
    p->creating++;
    vr_log_info("pool %s: volume %s is being created beside the event loop", p->def->name, def->name);
}

/* The volume, when nothing uses it (*v is filled either way unless the
 * lookup itself failed: clear it after a VR_OK or a conflict). */
static vr_err get_unused(vr_pool *p, const char *name, vr_vol_info *v, char **err)
{
    vr_err e = vr_storage_vol_get(p, name, v, err);
    if (e) {
        memset(v, 0, sizeof(*v));
        return e;
    }
    char *what = vr_asprintf("volume '%s' of pool '%s'", name, p->def->name);
    e = vr_storage_path_check_unused(p->drv, v->path, what, err);
    free(what);
    return e;
}

vr_err vr_storage_vol_delete(vr_pool *p, const char *name, char **err)
{
    vr_vol_info v;
    vr_err e = get_unused(p, name, &v, err);
    if (!e)
        e = vr_pool_backend_of(p)->delete_vol(p, &v, err);
    if (!e) {
        vr_log_info("pool %s: volume %s deleted", p->def->name, name);
        vr_storage_emit(p, "refresh", "volume-deleted", name);
    }
    vr_vol_info_clear(&v);
    return e;
}

vr_err vr_storage_vol_resize(vr_pool *p, const char *name, unsigned long long capacity, bool shrink,
                             char **err)
{
    vr_vol_info v;
    vr_err e = vr_storage_vol_get(p, name, &v, err);
    if (e)
        return e;
    e = vr_pool_backend_of(p)->resize_vol(p, &v, capacity, shrink, err);
    if (!e) {
        vr_log_info("pool %s: volume %s resized to %llu bytes", p->def->name, name, capacity);
        vr_storage_emit(p, "refresh", "volume-resized", name);
    }
    vr_vol_info_clear(&v);
    return e;
}

vr_err vr_storage_vol_wipe(vr_pool *p, const char *name, char **err)
{
    vr_vol_info v;
    vr_err e = get_unused(p, name, &v, err);
    const vr_pool_backend *be = vr_pool_backend_of(p);
    if (!e && !be->wipe_vol) {
        vr_set_error(err, "volume '%s' of %s pool '%s': wiping it is not supported (its storage is %s)", name,
                     vr_pool_type_name(p->def->type), p->def->name, "on the target");
        e = VR_ERR_UNSUPPORTED;
    }
    if (!e)
        e = be->wipe_vol(p, &v, err);
    if (!e) {
        vr_log_info("pool %s: volume %s wiped", p->def->name, name);
        vr_storage_emit(p, "refresh", "volume-wiped", name);
    }
    vr_vol_info_clear(&v);
    return e;
}

char *vr_storage_vol_xml(const vr_vol_info *v)
{
    vr_vol_def d = {
        .name = v->name,
        .capacity = v->capacity,
        .allocation = v->allocation,
        .format = v->format,
        .mode = -1,
        .path = v->path,
        .backing_path = v->backing,
        .backing_format = v->backing_format,
        .block = v->block,
    };
    struct stat st;
    if (stat(v->path, &st) == 0)
        d.mode = (int)(st.st_mode & 07777);
    return vr_vol_def_format(&d);
}

vr_err vr_storage_resolve(vr_storage_driver *drv, const char *pool, const char *volume, char **path,
                          vr_vol_format *format, char **err)
{
    vr_pool *p = vr_storage_pool_lookup(drv, pool);
    if (!p) {
        vr_set_error(err, "pool '%s' not found (vireo pool-list --all shows the defined ones)", pool);
        return VR_ERR_NOT_FOUND;
    }
    vr_vol_info v;
    vr_err e = vol_get(p, volume, &v, false, err);
    if (e)
        return e;
    const vr_pool_backend *be = vr_pool_backend_of(p);
    *format = v.format;
    if (be->qemu_path) {
        e = be->qemu_path(p, &v, path, err);
    } else {
        *path = v.path;
        v.path = NULL;
    }
    vr_vol_info_clear(&v);
    return e;
}
