/* A disk's <iotune> as QEMU takes it (qemu_iotune.c says why through
 * block_set_io_throttle on the device rather than a throttle node): the
 * command's arguments, and whether a start needs -S to set them before
 * the first instruction. Pure, beside the command line's builder. */
#include "drivers/qemu/qemu_command.h"
#include "conf/domain_device.h"

#include "common/util.h"

#include <stdint.h>
#include <stdlib.h>

/* QEMU's argument names, by vr_iotune_field. */
static const char *const qmp_names[VR_IOTUNE_COUNT] = {
    "bps",     "bps_rd",     "bps_wr",     "iops",     "iops_rd",     "iops_wr",
    "bps_max", "bps_rd_max", "bps_wr_max", "iops_max", "iops_rd_max", "iops_wr_max",
    "iops_size",
    "bps_max_length", "bps_rd_max_length", "bps_wr_max_length", "iops_max_length", "iops_rd_max_length",
    "iops_wr_max_length",
};

json_object *vr_qemu_iotune_args(const vr_disk_def *d)
{
    json_object *a = json_object_new_object();
    /* The device that holds the drive: a virtio-blk-pci's is the
     * virtio-blk device inside it (QEMU's QOM path), as libvirt names it;
     * IDE, SATA and SCSI disks hold theirs themselves. */
    char *id = d->bus == VR_DISK_BUS_VIRTIO ? vr_asprintf("/machine/peripheral/%s/virtio-backend", d->target_dev)
                                            : vr_strdup(d->target_dev);
    json_object_object_add(a, "id", json_object_new_string(id));
    free(id);
    for (int i = 0; i < VR_IOTUNE_COUNT; i++) {
        /* The six rates are required (0: none); the others are given
         * when set: a length of 0 is QEMU's error, absent its default. */
        if (i < VR_IOTUNE_TOTAL_BYTES_SEC_MAX || d->iotune.v[i])
            json_object_object_add(a, qmp_names[i], json_object_new_int64((int64_t)d->iotune.v[i]));
    }
    if (d->iotune.group_name && vr_iotune_any(&d->iotune))
        json_object_object_add(a, "group", json_object_new_string(d->iotune.group_name));
    return a;
}

/* Throttling needs a medium: an empty CD-ROM's tray has nothing to slow. */
static bool throttled(const vr_disk_def *d)
{
    return vr_iotune_any(&d->iotune) && vr_disk_def_source(d);
}

bool vr_qemu_iotune_wanted(const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_disks; i++)
        if (throttled(&def->disks[i]))
            return true;
    return false;
}
