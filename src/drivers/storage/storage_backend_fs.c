/* fs pools: a block device with a file system, mounted at the target
 * directory on pool-start (mount(2)) and unmounted on pool-destroy.
 * Once mounted it is a dir pool: volumes are files (the dir backend's). */
#include "drivers/storage/storage_backend.h"
#include "drivers/storage/storage_blockdev.h"
#include "drivers/storage/storage_img.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

static char *what_of(const vr_pool *p)
{
    return vr_asprintf("pool '%s'", p->def->name);
}

/* The device's file system is mounted right at the target: the target
 * lives on the device, its parent does not. */
static bool mounted(const vr_pool *p)
{
    struct stat dev, t, parent;
    char *up = vr_asprintf("%s/..", p->def->target_path);
    bool yes = stat(p->def->source.device, &dev) == 0 && stat(p->def->target_path, &t) == 0 &&
               stat(up, &parent) == 0 && t.st_dev == dev.st_rdev && parent.st_dev != dev.st_rdev;
    free(up);
    return yes;
}

static vr_err fs_check(vr_pool *p, char **err)
{
    if (!p->active)
        return vr_dir_check(p, err);
    if (mounted(p))
        return VR_OK;
    vr_set_error(err, "pool '%s': %s is no longer mounted at %s, so the pool is inactive now "
                      "('vireo pool-start %s' mounts it again)", p->def->name, p->def->source.device,
                 p->def->target_path, p->def->name);
    return VR_ERR_NOT_FOUND;
}

/* mkfs for the pool's format; "auto" makes ext4, as the common case. */
static vr_err make_fs(const vr_pool *p, char **err)
{
    const char *fmt = p->def->source.format;
    bool xfs = fmt && strcmp(fmt, "xfs") == 0;
    const char *bin = xfs ? "mkfs.xfs" : "mkfs.ext4";
    char *const argv[] = {(char *)bin, xfs ? "-f" : "-F", "-q", p->def->source.device, NULL};
    char *e = NULL;
    if (vr_cmd_run(bin, xfs ? "apt-get install xfsprogs" : "apt-get install e2fsprogs", argv, NULL, &e) < 0) {
        vr_set_error(err, "pool '%s': %s %s failed: %s", p->def->name, bin, p->def->source.device, e);
        free(e);
        return VR_ERR_FAILED;
    }
    vr_log_info("pool %s: made %s on %s", p->def->name, xfs ? "xfs" : "ext4", p->def->source.device);
    return VR_OK;
}

static vr_err fs_build(vr_pool *p, unsigned flags, char **err)
{
    char *what = what_of(p);
    vr_err e = vr_blockdev_check_free(p->drv, p->def->source.device, what, err);
    free(what);
    if (e)
        return e;
    char *fs = NULL, *pt = NULL;
    if (vr_blockdev_probe(p->def->source.device, &fs, &pt, err) < 0)
        return VR_ERR_FAILED;
    const char *there = fs ? fs : pt;
    if (there && !(flags & VR_POOL_BUILD_OVERWRITE)) {
        vr_set_error(err, "pool '%s': %s already holds %s %s; 'vireo pool-build %s --overwrite' replaces "
                          "it (everything on it is lost)", p->def->name, p->def->source.device,
                     fs ? "a file system of type" : "a partition table of type", there, p->def->name);
        e = VR_ERR_CONFLICT;
    }
    free(fs);
    free(pt);
    if (e)
        return e;
    if ((e = vr_dir_build(p, flags, err)))
        return e;
    return make_fs(p, err);
}

static vr_err fs_start(vr_pool *p, char **err)
{
    /* Already mounted there: a restarted daemon finds its pools as they
     * were (the mount outlives the daemon, as QEMU does). */
    if (mounted(p)) {
        vr_storage_clean_tmp(p->def->target_path);
        return VR_OK;
    }
    char *what = what_of(p);
    vr_err e = vr_blockdev_check_free(p->drv, p->def->source.device, what, err);
    free(what);
    if (e || (e = vr_dir_check(p, err)))
        return e;
    char *fs = NULL, *pt = NULL;
    if (vr_blockdev_probe(p->def->source.device, &fs, &pt, err) < 0)
        return VR_ERR_FAILED;
    free(pt);
    const char *want = p->def->source.format;
    if (!fs || (strcmp(want, "auto") != 0 && strcmp(fs, want) != 0)) {
        vr_set_error(err, "pool '%s': %s holds %s, not %s file system ('vireo pool-build %s' makes one)",
                     p->def->name, p->def->source.device, fs ? fs : "no file system",
                     strcmp(want, "auto") == 0 ? "a" : want, p->def->name);
        free(fs);
        return VR_ERR_CONFLICT;
    }
    int rc = mount(p->def->source.device, p->def->target_path, fs, MS_NOSUID | MS_NODEV, NULL);
    int saved = errno;
    if (rc < 0) {
        vr_set_error(err, "pool '%s': cannot mount %s (%s) at %s: %s", p->def->name, p->def->source.device,
                     fs, p->def->target_path, strerror(saved));
        free(fs);
        return saved == EBUSY ? VR_ERR_CONFLICT : VR_ERR_FAILED;
    }
    vr_log_info("pool %s: mounted %s (%s) at %s", p->def->name, p->def->source.device, fs,
                p->def->target_path);
    free(fs);
    vr_storage_clean_tmp(p->def->target_path);
    return VR_OK;
}

static vr_err fs_stop(vr_pool *p, char **err)
{
    if (!mounted(p))
        return VR_OK; /* unmounted behind Vireo's back: nothing to undo */
    if (umount2(p->def->target_path, 0) < 0) {
        vr_set_error(err, errno == EBUSY ? "pool '%s': %s is busy (a running domain or another program "
                                           "has files open in it); stop them first"
                                         : "pool '%s': cannot unmount %s: %s",
                     p->def->name, p->def->target_path, strerror(errno));
        return VR_ERR_CONFLICT;
    }
    vr_log_info("pool %s: unmounted %s", p->def->name, p->def->target_path);
    return VR_OK;
}

const vr_pool_backend vr_backend_fs = {
    VR_DIR_FILE_VOLUMES,
    .check = fs_check,
    .build = fs_build,
    .start = fs_start,
    .stop = fs_stop,
};
