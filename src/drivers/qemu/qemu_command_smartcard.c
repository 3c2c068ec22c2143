/* <smartcard> on QEMU's command line, as libvirt writes it: the CCID
 * reader (usb-ccid, id ccid0) on its USB port, then the card on the
 * reader's bus -- emulated from the host's NSS cards (mode='host'), or
 * passed through a spicevmc or socket chardev (mode='passthrough'). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdlib.h>

void vr_qc_smartcard(cmd *c)
{
    const vr_smartcard_def *sc = c->def->smartcard;
    if (!sc)
        return;
    vr_qc_opt(c, "-device", "usb-ccid,id=ccid0,bus=usb.0,port=%u", sc->usb.port);
    if (sc->mode == VR_SMARTCARD_HOST) {
        vr_qc_opt(c, "-device", "ccid-card-emulated,backend=nss-emulated,id=smartcard0,bus=ccid0.0");
        return;
    }
    if (sc->tcp) {
        char *host = vr_qemu_quote(sc->host ? sc->host : "0.0.0.0");
        vr_qc_opt(c, "-chardev", "socket,id=charsmartcard0,host=%s,port=%s%s", host, sc->service,
                  sc->bind ? ",server=on,wait=off" : "");
        free(host);
    } else {
        vr_qc_opt(c, "-chardev", "spicevmc,id=charsmartcard0,name=smartcard");
    }
    vr_qc_opt(c, "-device", "ccid-card-passthru,chardev=charsmartcard0,id=smartcard0,bus=ccid0.0");
}
