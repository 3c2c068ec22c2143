/* Block devices under pools (disk and fs): is it one, is it free, what
 * does it hold. libblkid (util-linux) reads the signatures. */
#pragma once
#include "drivers/storage/storage_priv.h"

/* The device is a block device and nobody holds it: no file system on
 * it or on its partitions is mounted, no running domain uses it (the
 * kernel's exclusive open answers the first; the QEMU driver the
 * second). `what` names it in messages ("pool 'p'"). */
vr_err vr_blockdev_check_free(vr_storage_driver *drv, const char *dev, const char *what, char **err);
/* The device is there and is a block device. */
vr_err vr_blockdev_check_exists(const char *dev, const char *what, char **err);
/* What the device holds: a file system type ("ext4"), a partition table
 * ("gpt", "dos"), or NULL when blkid finds no signature. -1 when it
 * cannot be read (*err). */
int vr_blockdev_probe(const char *dev, char **fs_type, char **pt_type, char **err);
