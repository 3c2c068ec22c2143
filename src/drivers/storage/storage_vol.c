/* Volumes: the image files of a pool's directory, found by reading the
 * directory and their headers; made, resized and removed with qemu-img
 * and the file system. */
#include "drivers/storage/storage_priv.h"
#include "conf/names.h"
#include "drivers/storage/storage_img.h"
#include "drivers/storage/storage_probe.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* The most a volume may hold: qcow2's limit with its default 64 KiB
 * clusters (qemu-img itself takes sizes up to 2^63 - 1 and then fails
 * with a message about the format). A raw file may meet its file
 * system's smaller limit first: qemu-img's answer is mapped below. */
#define MAX_CAPACITY (1ULL << 50)

static vr_err capacity_check(const char *name, unsigned long long capacity, char **err)
{
    if (capacity <= MAX_CAPACITY)
        return VR_OK;
    vr_set_error(err, "volume '%s': capacity too large: the most is 1 PiB (%llu bytes), asked %llu bytes", name,
                 MAX_CAPACITY, capacity);
    return VR_ERR_INVALID;
}

/* qemu-img failed on `what`: a size the format or file system cannot
 * hold is the request's fault (400), a full disk is named. */
static vr_err img_failure(const char *what, const char *name, const char *dir, const char *ierr, char **err)
{
    if (strstr(ierr, "too large") || strstr(ierr, "File too large")) {
        vr_set_error(err, "volume '%s': capacity too large for %s: %s", name, dir, ierr);
        return VR_ERR_INVALID;
    }
    if (strstr(ierr, "No space left on device")) {
        vr_set_error(err, "no space left on device to %s volume '%s' (%s)", what, name, dir);
        return VR_ERR_FAILED;
    }
    vr_set_error(err, "cannot %s volume '%s': %s", what, name, ierr);
    return VR_ERR_FAILED;
}

vr_err vr_pool_vol_path(vr_pool *p, const char *name, char **path, char **err)
{
    if (!vr_name_check(VR_NAME_VOLUME, name, err))
        return VR_ERR_INVALID;
    *path = vr_asprintf("%s/%s", p->def->target_path, name);
    return VR_OK;
}

static char *user_of(vr_storage_driver *drv, const char *path)
{
    return drv->user_fn ? drv->user_fn(path, drv->user_opaque) : NULL;
}

/* Fill `v` from the file; false when it is not a volume (not a regular
 * file, or gone). `users`: also ask QEMU which running domain has it
 * open. Resolving a volume for QEMU must not ask: QEMU's answer
 * resolves the volume disks of every running domain, which would come
 * back here without end. */
static bool describe(vr_pool *p, const char *name, vr_vol_info *v, bool users, char **err)
{
    memset(v, 0, sizeof(*v));
    char *path = vr_asprintf("%s/%s", p->def->target_path, name);
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        free(path);
        return false;
    }
    vr_probe pr;
    char *e = NULL;
    if (vr_probe_file(path, &pr, &v->capacity, &v->allocation, &e) < 0) {
        /* A damaged header still lists, as raw, with a warning. */
        vr_log_warn("pool %s: %s", p->def->name, e);
        free(e);
        v->format = VR_VOL_RAW;
        v->capacity = (unsigned long long)st.st_size;
        v->allocation = (unsigned long long)st.st_blocks * 512;
    } else {
        v->format = pr.format;
        v->backing = pr.backing;
        pr.backing = NULL;
        v->backing_format = pr.backing_format_known ? pr.backing_format : VR_VOL_RAW;
        vr_probe_clear(&pr);
    }
    (void)err;
    v->name = vr_strdup(name);
    v->pool = vr_strdup(p->def->name);
    v->path = path;
    v->used_by = users ? user_of(p->drv, path) : NULL;
    return true;
}

static int cmp_vol(const void *a, const void *b)
{
    return strcmp(((const vr_vol_info *)a)->name, ((const vr_vol_info *)b)->name);
}

vr_err vr_storage_vol_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err)
{
    vr_err e = vr_pool_ready(p, err);
    if (e)
        return e;
    DIR *d = opendir(p->def->target_path);
    if (!d) {
        vr_set_error(err, "pool '%s': cannot read %s: %s", p->def->name, p->def->target_path,
                     strerror(errno));
        return VR_ERR_FAILED;
    }
    vr_vol_info *list = NULL;
    size_t count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        /* Only what the API can name: a file called "\xff" put there by
         * hand would make the list invalid JSON. */
        if (!vr_name_check(VR_NAME_VOLUME, de->d_name, NULL)) {
            if (de->d_name[0] != '.')
                vr_log_debug("pool %s: not listing a file whose name no volume may have", p->def->name);
            continue;
        }
        vr_vol_info v;
        if (!describe(p, de->d_name, &v, true, NULL))
            continue;
        list = vr_realloc(list, (count + 1) * sizeof(*list));
        list[count++] = v;
    }
    closedir(d);
    if (count)
        qsort(list, count, sizeof(*list), cmp_vol);
    *out = list;
    *n = count;
    return VR_OK;
}

static vr_err vol_get(vr_pool *p, const char *name, vr_vol_info *out, bool users, char **err)
{
    vr_err e = vr_pool_ready(p, err);
    if (e)
        return e;
    char *path;
    if ((e = vr_pool_vol_path(p, name, &path, err)))
        return e;
    free(path);
    if (!describe(p, name, out, users, err)) {
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
        if (inside && describe(p, real + len + 1, out, true, err)) {
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
    char *user = user_of(drv, path);
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

/* The backing file of a new overlay: a volume of this pool, or a path. */
static vr_err backing_path(vr_pool *p, const char *backing, char **out, char **err)
{
    if (backing[0] == '/') {
        if (access(backing, R_OK) < 0) {
            vr_set_error(err, "backing file %s cannot be read: %s", backing, strerror(errno));
            return VR_ERR_NOT_FOUND;
        }
        *out = vr_strdup(backing);
        return VR_OK;
    }
    vr_vol_info v;
    char *e = NULL;
    if (vr_storage_vol_get(p, backing, &v, &e) != VR_OK) {
        vr_set_error(err, "backing volume '%s' not found in pool '%s'", backing, p->def->name);
        free(e);
        return VR_ERR_NOT_FOUND;
    }
    *out = v.path;
    v.path = NULL;
    vr_vol_info_clear(&v);
    return VR_OK;
}

vr_err vr_storage_vol_create(vr_pool *p, const vr_vol_def *def, const char *backing_volume,
                             vr_vol_info *out, char **err)
{
    vr_err e = vr_pool_ready(p, err);
    if (e)
        return e;
    char *path = NULL, *backing = NULL;
    if ((e = vr_pool_vol_path(p, def->name, &path, err)))
        return e;
    vr_storage_driver *drv = p->drv;
    struct stat st;
    if (lstat(path, &st) == 0 || vr_storage_busy_has(drv->busy_dst, drv->n_dst, path)) {
        vr_set_error(err, "volume '%s' already exists in pool '%s'", def->name, p->def->name);
        free(path);
        return VR_ERR_CONFLICT;
    }
    const char *want_backing = backing_volume ? backing_volume : def->backing_path;
    if (want_backing) {
        if (def->format != VR_VOL_QCOW2) {
            vr_set_error(err, "volume '%s': a backing volume needs format qcow2", def->name);
            free(path);
            return VR_ERR_INVALID;
        }
        if ((e = backing_path(p, want_backing, &backing, err))) {
            free(path);
            return e;
        }
    } else if (def->capacity == 0) {
        vr_set_error(err, "volume '%s' needs a capacity of more than 0 bytes", def->name);
        free(path);
        return VR_ERR_INVALID;
    }
    if ((e = capacity_check(def->name, def->capacity, err))) {
        free(path);
        free(backing);
        return e;
    }
    if (def->format == VR_VOL_ISO) {
        vr_set_error(err, "volume '%s': iso volumes are read-only; upload an ISO image into a raw "
                          "volume with vol-upload", def->name);
        free(path);
        free(backing);
        return VR_ERR_INVALID;
    }
    /* Made under a hidden name and renamed: a half-made image is never
     * seen, and two creates of one name cannot both win. */
    char *tmp = vr_storage_tmp_near(path, NULL, err);
    if (!tmp) {
        free(path);
        free(backing);
        return VR_ERR_FAILED;
    }
    /* The backing format is never guessed from the overlay's point of
     * view: given, or probed from the backing file itself. */
    vr_vol_format bfmt = def->backing_format;
    if (backing && !def->backing_format_set) {
        vr_probe pr;
        char *pe = NULL;
        if (vr_probe_file(backing, &pr, NULL, NULL, &pe) == 0)
            bfmt = pr.format == VR_VOL_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW;
        vr_probe_clear(&pr);
        free(pe);
    }
    char size[32];
    snprintf(size, sizeof(size), "%llu", def->capacity);
    const char *argv[16];
    size_t a = 0;
    argv[a++] = "qemu-img";
    argv[a++] = "create";
    argv[a++] = "-q";
    argv[a++] = "-f";
    argv[a++] = vr_vol_format_name(def->format);
    if (backing) {
        argv[a++] = "-b";
        argv[a++] = backing;
        argv[a++] = "-F";
        argv[a++] = vr_vol_format_name(bfmt);
    }
    argv[a++] = tmp;
    if (def->capacity)
        argv[a++] = size;
    argv[a] = NULL;
    char *ierr = NULL;
    if (vr_img_run((char *const *)argv, NULL, &ierr) < 0) {
        e = img_failure("create", def->name, p->def->target_path, ierr, err);
        free(ierr);
        unlink(tmp);
        free(tmp);
        free(path);
        free(backing);
        return e;
    }
    chmod(tmp, def->mode >= 0 ? (mode_t)def->mode : 0600);
    int rc = vr_storage_commit(tmp, path, false, err);
    free(tmp);
    free(backing);
    if (rc < 0) {
        free(path);
        return VR_ERR_CONFLICT;
    }
    vr_log_info("pool %s: volume %s created (%s, %llu bytes)", p->def->name, def->name,
                vr_vol_format_name(def->format), def->capacity);
    vr_storage_emit(p, "refresh", "volume-created", def->name);
    free(path);
    return out ? vr_storage_vol_get(p, def->name, out, err) : VR_OK;
}

vr_err vr_storage_vol_delete(vr_pool *p, const char *name, char **err)
{
    vr_vol_info v;
    vr_err e = vr_storage_vol_get(p, name, &v, err);
    if (e)
        return e;
    char *what = vr_asprintf("volume '%s' of pool '%s'", name, p->def->name);
    e = vr_storage_path_check_unused(p->drv, v.path, what, err);
    free(what);
    if (!e && unlink(v.path) < 0) {
        vr_set_error(err, "cannot delete %s: %s", v.path, strerror(errno));
        e = VR_ERR_FAILED;
    }
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
    if (capacity == 0) {
        vr_set_error(err, "volume '%s': the new capacity must be more than 0 bytes", name);
        e = VR_ERR_INVALID;
    } else if ((e = capacity_check(name, capacity, err))) {
        /* named */
    } else if (v.format == VR_VOL_ISO) {
        vr_set_error(err, "volume '%s' is an iso image and cannot be resized", name);
        e = VR_ERR_INVALID;
    } else if (v.used_by) {
        vr_set_error(err, "volume '%s' is in use by running domain '%s'; it cannot be resized "
                          "(down or up) while the domain runs", name, v.used_by);
        e = VR_ERR_CONFLICT;
    } else if (capacity < v.capacity && !shrink) {
        vr_set_error(err, "volume '%s': %llu bytes is less than its capacity of %llu bytes; add "
                          "--shrink to cut it (the data past the new end is lost)", name, capacity,
                     v.capacity);
        e = VR_ERR_INVALID;
    }
    if (e) {
        vr_vol_info_clear(&v);
        return e;
    }
    char size[32];
    snprintf(size, sizeof(size), "%llu", capacity);
    const char *argv[] = {"qemu-img", "resize", "-q", "-f", vr_vol_format_name(v.format),
                          shrink ? "--shrink" : v.path, shrink ? v.path : size, shrink ? size : NULL,
                          NULL};
    char *ierr = NULL;
    if (vr_img_run((char *const *)argv, NULL, &ierr) < 0) {
        e = img_failure("resize", name, p->def->target_path, ierr, err);
        free(ierr);
    } else {
        vr_log_info("pool %s: volume %s resized to %llu bytes", p->def->name, name, capacity);
        vr_storage_emit(p, "refresh", "volume-resized", name);
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
    *path = v.path;
    *format = v.format;
    v.path = NULL;
    vr_vol_info_clear(&v);
    return VR_OK;
}
