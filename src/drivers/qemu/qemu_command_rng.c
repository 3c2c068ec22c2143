/* An <rng>'s backend object: rng-random on a device file, QEMU's own
 * rng-builtin, or rng-egd on a socket chardev to an EGD daemon (libvirt's
 * charrngN; mode='bind' makes QEMU listen). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdlib.h>

void vr_qc_rng_backend(cmd *c, size_t i, const vr_rng_def *r)
{
    if (r->backend || !r->egd.type) {
        vr_qprops *o = vr_qp_new("qom-type", r->backend ? "rng-random" : "rng-builtin");
        vr_qp_strf(o, "id", "objrng%zu", i);
        vr_qp_str(o, "filename", r->backend);
        vr_qc_props(c, "-object", o);
        return;
    }
    vr_qprops *ch = vr_qp_new("backend", "socket");
    vr_qp_strf(ch, "id", "charrng%zu", i);
    if (r->egd.type == VR_EGD_UNIX) {
        vr_qp_str(ch, "path", r->egd.path);
    } else {
        vr_qp_str(ch, "host", r->egd.host ? r->egd.host : "0.0.0.0");
        vr_qp_str(ch, "port", r->egd.service);
    }
    if (r->egd.bind) {
        vr_qp_bool(ch, "server", true);
        vr_qp_bool(ch, "wait", false);
    }
    vr_qc_props(c, "-chardev", ch);
    vr_qprops *o = vr_qp_new("qom-type", "rng-egd");
    vr_qp_strf(o, "id", "objrng%zu", i);
    vr_qp_strf(o, "chardev", "charrng%zu", i);
    vr_qc_props(c, "-object", o);
}
