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
    vr_qprops *reader = vr_qp_new("driver", "usb-ccid");
    vr_qp_str(reader, "id", "ccid0");
    vr_qp_str(reader, "bus", "usb.0");
    vr_qp_uint(reader, "port", sc->usb.port);
    vr_qc_props(c, "-device", reader);
    vr_qprops *card;
    if (sc->mode == VR_SMARTCARD_HOST) {
        card = vr_qp_new("driver", "ccid-card-emulated");
        vr_qp_str(card, "backend", "nss-emulated");
    } else {
        vr_qprops *ch = vr_qp_new("backend", sc->tcp ? "socket" : "spicevmc");
        vr_qp_str(ch, "id", "charsmartcard0");
        if (sc->tcp) {
            vr_qp_str(ch, "host", sc->host ? sc->host : "0.0.0.0");
            vr_qp_str(ch, "port", sc->service);
            if (sc->bind) {
                vr_qp_bool(ch, "server", true);
                vr_qp_bool(ch, "wait", false);
            }
        } else {
            vr_qp_str(ch, "name", "smartcard");
        }
        vr_qc_props(c, "-chardev", ch);
        card = vr_qp_new("driver", "ccid-card-passthru");
        vr_qp_str(card, "chardev", "charsmartcard0");
    }
    vr_qp_str(card, "id", "smartcard0");
    vr_qp_str(card, "bus", "ccid0.0");
    vr_qc_props(c, "-device", card);
}
