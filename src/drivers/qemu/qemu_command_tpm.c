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
    if (t->backend == VR_TPM_EMULATOR) {
        char *sock = vr_qc_socket_path(c, "swtpm.sock");
        vr_qc_opt(c, "-chardev", "socket,id=chrtpm,path=%s", sock);
        free(sock);
        vr_qc_opt(c, "-tpmdev", "emulator,id=tpm-tpm0,chardev=chrtpm");
    } else {
        char *q = vr_qemu_quote(t->device);
        vr_qc_opt(c, "-tpmdev", "passthrough,id=tpm-tpm0,path=%s", q);
        free(q);
    }
    vr_qc_opt(c, "-device", "%s,tpmdev=tpm-tpm0,id=tpm0", t->model == VR_TPM_CRB ? "tpm-crb" : "tpm-tis");
}
