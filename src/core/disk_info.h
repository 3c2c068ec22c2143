/* A domain disk's sizes, as domblkinfo and virDomainGetBlockInfo show
 * them: capacity (what the guest sees), allocation (what the image takes
 * on the host) and physical (the file or device). The HTTP route and the
 * libvirt protocol both answer from here. */
#pragma once
#include "drivers/qemu/qemu_driver.h"

typedef struct {
    unsigned long long capacity, allocation, physical;
} vr_disk_sizes;

/* The sizes of the image at `path` (a disk's resolved source). -1 and
 * *err when it cannot be read (an empty CD-ROM, a missing file). */
int vr_core_image_sizes(const char *path, vr_disk_sizes *out, char **err);

/* The disk of `def` named by its target ("vda") or its source path, its
 * resolved source (malloc'ed) in *path. VR_ERR_NOT_FOUND when none. */
vr_err vr_core_disk_find(vr_qemu_driver *drv, const vr_domain_def *def, const char *name,
                         const vr_disk_def **disk, char **path, char **err);
