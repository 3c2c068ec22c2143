/* An <rng>'s backend object: rng-random on a device file, QEMU's own
 * rng-builtin, or rng-egd on a socket chardev to an EGD daemon (libvirt's
 * charrngN; mode='bind' makes QEMU listen). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdlib.h>

void vr_qc_rng_backend(cmd *c, size_t i, const vr_rng_def *r)
{
    if (r->backend) {
        vr_qc_opt(c, "-object", "rng-random,id=objrng%zu,filename=%s", i, r->backend);
        return;
    }
    if (!r->egd.type) {
        vr_qc_opt(c, "-object", "rng-builtin,id=objrng%zu", i);
        return;
    }
    const char *listen = r->egd.bind ? ",server=on,wait=off" : "";
    if (r->egd.type == VR_EGD_UNIX) {
        char *q = vr_qemu_quote(r->egd.path);
        vr_qc_opt(c, "-chardev", "socket,id=charrng%zu,path=%s%s", i, q, listen);
        free(q);
    } else {
        char *q = vr_qemu_quote(r->egd.host ? r->egd.host : "0.0.0.0");
        vr_qc_opt(c, "-chardev", "socket,id=charrng%zu,host=%s,port=%s%s", i, q, r->egd.service, listen);
        free(q);
    }
    vr_qc_opt(c, "-object", "rng-egd,id=objrng%zu,chardev=charrng%zu", i, i);
}
