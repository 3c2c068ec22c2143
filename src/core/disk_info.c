/* A domain disk's sizes (core/disk_info.h): the image probed through the
 * storage driver's reader, a block device asked for its size. */
#include "core/disk_info.h"
#include "common/util.h"
#include "drivers/storage/storage_probe.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int vr_core_image_sizes(const char *path, vr_disk_sizes *out, char **err)
{
    vr_probe p;
    unsigned long long capacity, allocation;
    if (vr_probe_file(path, &p, &capacity, &allocation, err) < 0)
        return -1;
    vr_probe_clear(&p);
    struct stat st;
    unsigned long long physical = 0;
    if (stat(path, &st) == 0 && S_ISBLK(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        uint64_t bytes = 0;
        if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &bytes) == 0)
            physical = bytes;
        if (fd >= 0)
            close(fd);
        /* A raw block device: all of it is the guest's and all is taken. */
        if (!capacity)
            capacity = physical;
        allocation = physical;
    } else if (stat(path, &st) == 0) {
        physical = (unsigned long long)st.st_size;
    }
    *out = (vr_disk_sizes){capacity, allocation, physical};
    return 0;
}

vr_err vr_core_disk_find(vr_qemu_driver *drv, const vr_domain_def *def, const char *name,
                         const vr_disk_def **disk, char **path, char **err)
{
    *path = NULL;
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        char *src = vr_qemu_disk_path(drv, d, NULL);
        if (strcmp(d->target_dev, name) == 0 || (src && strcmp(src, name) == 0)) {
            *disk = d;
            *path = src;
            if (src)
                return VR_OK;
            vr_set_error(err, "disk %s of domain '%s' has no medium", d->target_dev, def->name);
            return VR_ERR_INVALID;
        }
        free(src);
    }
    vr_set_error(err, "domain '%s' has no disk %s (a target such as vda, or its source path)", def->name, name);
    return VR_ERR_NOT_FOUND;
}
