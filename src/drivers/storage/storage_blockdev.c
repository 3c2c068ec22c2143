/* Block device checks shared by disk and fs pools. */
#include "drivers/storage/storage_blockdev.h"
#include "drivers/storage/storage_backend.h"
#include "common/dlib.h"
#include "common/util.h"

#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libblkid, opened at the first probe (common/dlib.h says why): the
 * functions this file calls, typed from its header. */
#define BLKID_FUNCS(X)                                                                                              \
    X(blkid_new_probe_from_filename) X(blkid_free_probe) X(blkid_do_safeprobe) X(blkid_probe_lookup_value)          \
    X(blkid_probe_enable_superblocks) X(blkid_probe_set_superblocks_flags) X(blkid_probe_enable_partitions)         \
    X(blkid_probe_set_partitions_flags)
VR_DLIB_LOCAL(BLKID_FUNCS, "libblkid1", "libblkid.so.1");

vr_err vr_blockdev_check_exists(const char *dev, const char *what, char **err)
{
    struct stat st;
    if (stat(dev, &st) < 0) {
        vr_set_error(err, "%s: device %s: %s", what, dev, strerror(errno));
        return VR_ERR_NOT_FOUND;
    }
    if (!S_ISBLK(st.st_mode)) {
        vr_set_error(err, "%s: %s is not a block device", what, dev);
        return VR_ERR_INVALID;
    }
    return VR_OK;
}

/* A running domain using the device or one of its partitions (QEMU
 * opens a partition without claiming the whole disk). */
static vr_err check_users(vr_storage_driver *drv, const char *dev, const char *what, char **err)
{
    char *user = vr_storage_user_of(drv, dev), *real = realpath(dev, NULL), *used = vr_strdup(dev);
    char *sys = real ? vr_asprintf("/sys/class/block/%s", strrchr(real, '/') + 1) : NULL;
    DIR *d = sys ? opendir(sys) : NULL;
    struct dirent *e;
    while (!user && d && (e = readdir(d))) {
        char *part = vr_asprintf("%s/%s/partition", sys, e->d_name);
        if (e->d_name[0] != '.' && access(part, F_OK) == 0) {
            free(used);
            used = vr_asprintf("/dev/%s", e->d_name);
            user = vr_storage_user_of(drv, used);
        }
        free(part);
    }
    if (d)
        closedir(d);
    free(sys);
    free(real);
    vr_err code = VR_OK;
    if (user) {
        vr_set_error(err, "%s: device %s is in use by running domain '%s'; shut the domain down first",
                     what, used, user);
        code = VR_ERR_CONFLICT;
    }
    free(user);
    free(used);
    return code;
}

vr_err vr_blockdev_check_free(vr_storage_driver *drv, const char *dev, const char *what, char **err)
{
    vr_err e = vr_blockdev_check_exists(dev, what, err);
    if (e || (e = check_users(drv, dev, what, err)))
        return e;
    /* O_EXCL on a block device fails with EBUSY while it, or one of its
     * partitions, is mounted or otherwise claimed. */
    int fd = open(dev, O_RDONLY | O_EXCL | O_CLOEXEC);
    if (fd < 0) {
        vr_set_error(err, errno == EBUSY ? "%s: device %s is in use (mounted, or held by another "
                                           "program); unmount it first"
                                         : "%s: cannot open %s: %s",
                     what, dev, strerror(errno));
        return errno == EBUSY ? VR_ERR_CONFLICT : VR_ERR_FAILED;
    }
    close(fd);
    return VR_OK;
}

int vr_blockdev_probe(const char *dev, char **fs_type, char **pt_type, char **err)
{
    *fs_type = *pt_type = NULL;
    if (!vr_dlib_load(&dl_lib, err))
        return -1;
    blkid_probe pr = dl.blkid_new_probe_from_filename(dev);
    if (!pr) {
        vr_set_error(err, "cannot read %s: %s", dev, strerror(errno ? errno : EIO));
        return -1;
    }
    dl.blkid_probe_enable_superblocks(pr, 1);
    dl.blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
    dl.blkid_probe_enable_partitions(pr, 1);
    dl.blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
    int rc = dl.blkid_do_safeprobe(pr);
    const char *v = NULL;
    if (rc == 0 && dl.blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
        *fs_type = vr_strdup(v);
    if (rc == 0 && dl.blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0)
        *pt_type = vr_strdup(v);
    dl.blkid_free_probe(pr);
    if (rc == -2) /* ambiguous: more than one signature; treat as "something is there" */
        *fs_type = vr_strdup("unknown (several signatures)");
    if (rc == -1) {
        vr_set_error(err, "cannot probe %s for signatures", dev);
        return -1;
    }
    return 0;
}
