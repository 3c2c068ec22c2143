/* Directory pools: the target is a directory, volumes are the image
 * files in it, found by reading the directory and their headers; made,
 * resized and removed with qemu-img and the file system. fs pools are
 * the same once their file system is mounted (storage_backend_fs.c). */
#include "drivers/storage/storage_backend.h"
#include "conf/names.h"
#include "drivers/storage/storage_img.h"
#include "drivers/storage/storage_probe.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>



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


/* Fill `v` from the file; false when it is not a volume (not a regular
 * file, or gone). `users`: also ask QEMU which running domain has it
 * open. Resolving a volume for QEMU must not ask: QEMU's answer
 * resolves the volume disks of every running domain, which would come
 * back here without end. */
bool vr_dir_vol_describe(vr_pool *p, const char *name, vr_vol_info *v, bool users)
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
    v->name = vr_strdup(name);
    v->pool = vr_strdup(p->def->name);
    v->path = path;
    v->used_by = users ? vr_storage_user_of(p->drv, path) : NULL;
    return true;
}

static int cmp_vol(const void *a, const void *b)
{
    return strcmp(((const vr_vol_info *)a)->name, ((const vr_vol_info *)b)->name);
}

vr_err vr_dir_vol_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err)
{
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
        if (!vr_dir_vol_describe(p, de->d_name, &v, true))
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
vr_err vr_dir_vol_create(vr_pool *p, const vr_vol_def *def, const char *backing_volume, char **err)
{
    vr_err e;
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
    /* qcow2's <compat> and <features><lazy_refcounts/>, as virt-install
     * and virt-manager ask for them. */
    char opts[64] = "";
    if (def->compat || def->lazy_refcounts) {
        snprintf(opts, sizeof(opts), "compat=%s%s", def->compat ? def->compat : "1.1",
                 def->lazy_refcounts ? ",lazy_refcounts=on" : "");
        argv[a++] = "-o";
        argv[a++] = opts;
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
    free(path);
    return VR_OK;
}

vr_err vr_dir_vol_delete(vr_pool *p, const vr_vol_info *v, char **err)
{
    (void)p;
    if (unlink(v->path) < 0) {
        vr_set_error(err, "cannot delete %s: %s", v->path, strerror(errno));
        return VR_ERR_FAILED;
    }
    return VR_OK;
}

vr_err vr_dir_vol_resize(vr_pool *p, const vr_vol_info *vi, unsigned long long capacity, bool shrink,
                         char **err)
{
    const vr_vol_info v = *vi;
    const char *name = v.name;
    vr_err e = VR_OK;
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
    if (e)
        return e;
    char size[32];
    snprintf(size, sizeof(size), "%llu", capacity);
    const char *argv[] = {"qemu-img", "resize", "-q", "-f", vr_vol_format_name(v.format),
                          shrink ? "--shrink" : v.path, shrink ? v.path : size, shrink ? size : NULL,
                          NULL};
    char *ierr = NULL;
    if (vr_img_run((char *const *)argv, NULL, &ierr) < 0) {
        e = img_failure("resize", name, p->def->target_path, ierr, err);
        free(ierr);
    }
    return e;
}
/* A raw file's blocks are given back (PUNCH_HOLE reads as zeros, the
 * size stays); a qcow2 image is made anew with the same size and
 * backing file, under a hidden name renamed over it. */
vr_err vr_dir_vol_wipe(vr_pool *p, const vr_vol_info *v, char **err)
{
    if (v->format == VR_VOL_ISO) {
        vr_set_error(err, "volume '%s' is an iso image: delete it instead of wiping it", v->name);
        return VR_ERR_INVALID;
    }
    if (v->format == VR_VOL_RAW) {
        int fd = open(v->path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        int rc = fd < 0 || fstat(fd, &st) < 0 ? -1
                 : st.st_size ? fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, st.st_size)
                              : 0;
        int e = errno;
        if (rc == 0)
            rc = fsync(fd);
        if (fd >= 0)
            close(fd);
        if (rc < 0) {
            vr_set_error(err, "cannot wipe volume '%s': %s", v->name, strerror(e));
            return VR_ERR_FAILED;
        }
        return VR_OK;
    }
    char *tmp = vr_storage_tmp_near(v->path, NULL, err);
    if (!tmp)
        return VR_ERR_FAILED;
    char size[32];
    snprintf(size, sizeof(size), "%llu", v->capacity);
    const char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", v->backing ? "-b" : tmp,
                          v->backing ? v->backing : size, v->backing ? "-F" : NULL,
                          v->backing ? vr_vol_format_name(v->backing_format) : NULL, tmp, size, NULL};
    char *ierr = NULL;
    vr_err e = VR_OK;
    if (vr_img_run((char *const *)argv, NULL, &ierr) < 0) {
        e = img_failure("wipe", v->name, p->def->target_path, ierr, err);
        free(ierr);
        unlink(tmp);
    } else {
        struct stat st;
        if (stat(v->path, &st) == 0)
            chmod(tmp, st.st_mode & 07777);
        if (vr_storage_commit(tmp, v->path, true, err) < 0)
            e = VR_ERR_FAILED;
    }
    free(tmp);
    return e;
}

/* ---- the pool ---- */

vr_err vr_dir_build(vr_pool *p, unsigned flags, char **err)
{
    (void)flags; /* making a directory overwrites nothing */
    const vr_pool_def *def = p->def;
    mode_t mode = def->mode >= 0 ? (mode_t)def->mode : 0755;
    struct stat st;
    if (stat(def->target_path, &st) == 0 && !S_ISDIR(st.st_mode)) {
        vr_set_error(err, "pool '%s': %s exists and is not a directory", def->name, def->target_path);
        return VR_ERR_CONFLICT;
    }
    int rc = vr_mkdir_p(def->target_path, mode);
    if (rc < 0) {
        vr_set_error(err, "pool '%s': cannot create %s: %s", def->name, def->target_path, strerror(-rc));
        return VR_ERR_FAILED;
    }
    if (def->mode >= 0)
        chmod(def->target_path, (mode_t)def->mode);
    if ((def->owner >= 0 || def->group >= 0) &&
        chown(def->target_path, (uid_t)def->owner, (gid_t)def->group) < 0) {
        vr_set_error(err, "pool '%s': cannot chown %s: %s", def->name, def->target_path, strerror(errno));
        return VR_ERR_FAILED;
    }
    return VR_OK;
}

vr_err vr_dir_check(vr_pool *p, char **err)
{
    struct stat st;
    if (stat(p->def->target_path, &st) == 0 && S_ISDIR(st.st_mode))
        return VR_OK;
    int e = errno;
    if (p->active) {
        vr_set_error(err, "pool '%s': its directory %s has vanished, so the pool is inactive now "
                          "(its definition is kept: 'vireo pool-build %s' and 'vireo pool-start %s' "
                          "bring it back)", p->def->name, p->def->target_path, p->def->name, p->def->name);
        return VR_ERR_NOT_FOUND;
    } else if (e == ENOENT) {
        vr_set_error(err, "pool '%s': directory %s does not exist (run 'vireo pool-build %s' to "
                          "create it)", p->def->name, p->def->target_path, p->def->name);
    } else {
        vr_set_error(err, "pool '%s': %s is not a usable directory: %s", p->def->name,
                     p->def->target_path, strerror(e));
    }
    return VR_ERR_CONFLICT;
}

vr_err vr_dir_start(vr_pool *p, char **err)
{
    vr_err e = vr_dir_check(p, err);
    if (e == VR_OK)
        vr_storage_clean_tmp(p->def->target_path);
    return e;
}

static vr_err dir_stop(vr_pool *p, char **err)
{
    (void)p;
    (void)err;
    return VR_OK;
}

vr_err vr_dir_remove(vr_pool *p, char **err)
{
    if (rmdir(p->def->target_path) < 0) {
        if (errno == ENOTEMPTY || errno == EEXIST)
            vr_set_error(err, "pool '%s': directory %s is not empty; delete its volumes first (Vireo "
                              "never removes files it did not make)", p->def->name, p->def->target_path);
        else
            vr_set_error(err, "pool '%s': cannot remove %s: %s", p->def->name, p->def->target_path,
                         strerror(errno));
        return errno == ENOENT ? VR_ERR_NOT_FOUND : VR_ERR_CONFLICT;
    }
    return VR_OK;
}

void vr_dir_stats(vr_pool *p, vr_pool_stats *st, size_t *n_volumes)
{
    struct statvfs v;
    if (statvfs(p->def->target_path, &v) < 0)
        return;
    unsigned long long f = v.f_frsize;
    st->capacity = (unsigned long long)v.f_blocks * f;
    st->allocation = (unsigned long long)(v.f_blocks - v.f_bfree) * f;
    st->available = (unsigned long long)v.f_bavail * f;
    if (!n_volumes)
        return;
    DIR *d = opendir(p->def->target_path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat s;
        if (e->d_name[0] != '.' && fstatat(dirfd(d), e->d_name, &s, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(s.st_mode))
            (*n_volumes)++;
    }
    closedir(d);
}

const vr_pool_backend vr_backend_dir = {
    VR_DIR_FILE_VOLUMES,
    .check = vr_dir_check,
    .build = vr_dir_build,
    .start = vr_dir_start,
    .stop = dir_stop,
};
