/* <tpm> on QEMU's command line: swtpm's control socket in the run
 * directory (qemu_tpm.c started it) as a chardev, or the host's TPM
 * device, then the CRB or TIS device the guest sees. */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdlib.h>

void vr_qc_tpm(cmd *c)
{
    const vr_tpm_def *t = c->def->tpm;
    if (!t)
        return;
    bool emulator = t->backend == VR_TPM_EMULATOR;
    vr_qprops *p = vr_qp_new("type", emulator ? "emulator" : "passthrough");
    vr_qp_str(p, "id", "tpm-tpm0");
    if (emulator) {
        char *sock = vr_qc_socket_path(c, "swtpm.sock");
        vr_qprops *chr = vr_qp_new("backend", "socket");
        vr_qp_str(chr, "id", "chrtpm");
        vr_qp_str(chr, "path", sock);
        vr_qc_props(c, "-chardev", chr);
        free(sock);
        vr_qp_str(p, "chardev", "chrtpm");
    } else {
        vr_qp_str(p, "path", t->device);
    }
    vr_qc_props(c, "-tpmdev", p);
    vr_qprops *dev = vr_qp_new("driver", t->model == VR_TPM_CRB ? "tpm-crb" : "tpm-tis");
    vr_qp_str(dev, "tpmdev", "tpm-tpm0");
    vr_qp_str(dev, "id", "tpm0");
    vr_qc_props(c, "-device", dev);
}
