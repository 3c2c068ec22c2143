/* <filesystem> on the command line. 9p is QEMU's own server (-fsdev
 * local + virtio-9p-pci); virtiofs is a vhost-user-fs device whose
 * chardev connects to the virtiofsd the driver started for it before
 * QEMU (qemu_virtiofs.c), on RUNTIME/fsN.sock. accessmode maps as in
 * libvirt: passthrough, mapped (mapped-xattr), squash (none). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>

void vr_qc_filesystems(cmd *c)
{
    static const char *const model[] = {"passthrough", "mapped-xattr", "none"};
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_filesystems; i++) {
        const vr_fs_def *fs = &def->filesystems[i];
        vr_qprops *p;
        if (fs->driver == VR_FS_9P) {
            vr_qprops *dev = vr_qp_new("driver", "local");
            vr_qp_strf(dev, "id", "fsdev-fs%zu", i);
            vr_qp_str(dev, "path", fs->source_dir);
            vr_qp_str(dev, "security_model", model[fs->access]);
            if (fs->readonly)
                vr_qp_bool(dev, "readonly", true);
            vr_qc_props(c, "-fsdev", dev);
            p = vr_qp_new("driver", "virtio-9p-pci");
            vr_qp_strf(p, "id", "fs%zu", i);
            vr_qp_strf(p, "fsdev", "fsdev-fs%zu", i);
            vr_qp_str(p, "mount_tag", fs->tag);
        } else {
            char file[32];
            snprintf(file, sizeof(file), "fs%zu.sock", i);
            char *path = vr_qc_socket_path(c, file);
            vr_qprops *chr = vr_qp_new("backend", "socket");
            vr_qp_strf(chr, "id", "chr-vu-fs%zu", i);
            vr_qp_str(chr, "path", path);
            vr_qc_props(c, "-chardev", chr);
            free(path);
            p = vr_qp_new("driver", "vhost-user-fs-pci");
            vr_qp_strf(p, "id", "fs%zu", i);
            vr_qp_strf(p, "chardev", "chr-vu-fs%zu", i);
            vr_qp_str(p, "tag", fs->tag);
            if (fs->queue)
                vr_qp_uint(p, "queue-size", fs->queue);
        }
        vr_qc_device_props(c, &fs->addr, p);
    }
}
