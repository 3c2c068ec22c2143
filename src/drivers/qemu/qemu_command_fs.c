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
        char *tag = vr_qemu_quote(fs->tag);
        if (fs->driver == VR_FS_9P) {
            char *dir = vr_qemu_quote(fs->source_dir);
            vr_qc_opt(c, "-fsdev", "local,id=fsdev-fs%zu,path=%s,security_model=%s%s", i, dir,
                      model[fs->access], fs->readonly ? ",readonly=on" : "");
            vr_qc_device(c, &fs->addr, "virtio-9p-pci,id=fs%zu,fsdev=fsdev-fs%zu,mount_tag=%s", i,
                         i, tag);
            free(dir);
        } else {
            char file[32], queue[32] = "";
            snprintf(file, sizeof(file), "fs%zu.sock", i);
            char *path = vr_qc_socket_path(c, file);
            vr_qc_opt(c, "-chardev", "socket,id=chr-vu-fs%zu,path=%s", i, path);
            free(path);
            if (fs->queue)
                snprintf(queue, sizeof(queue), ",queue-size=%u", fs->queue);
            vr_qc_device(c, &fs->addr, "vhost-user-fs-pci,id=fs%zu,chardev=chr-vu-fs%zu,tag=%s%s",
                         i, i, tag, queue);
        }
        free(tag);
    }
}
