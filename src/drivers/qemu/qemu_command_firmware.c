/* The firmware on QEMU's command line: a pflash loader (UEFI code, unit
 * 0) and its variable store (unit 1) as -blockdev nodes named on
 * -machine, the form QEMU 7.2 wants (-drive if=pflash is the old one);
 * Secure Boot's SMM-only flash writes; a ROM loader as -bios. */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdlib.h>

void vr_qc_machine_pflash(cmd *c, vr_qprops *machine)
{
    const vr_os_def *os = &c->def->os;
    if (!os->loader.path || os->loader.type != VR_LOADER_PFLASH)
        return;
    vr_qp_str(machine, "pflash0", "libvirt-pflash0-format");
    if (os->nvram)
        vr_qp_str(machine, "pflash1", "libvirt-pflash1-format");
}

/* libvirt's node names and its true/false words, so a libvirt user
 * reading QEMU's log finds what libvirt would have run. */
static void pflash_node(cmd *c, int unit, const char *path, bool readonly)
{
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", "file");
    vr_qp_str(p, "filename", path);
    vr_qp_strf(p, "node-name", "libvirt-pflash%d-storage", unit);
    vr_qp_bool_word(p, "auto-read-only", true);
    vr_qp_str(p, "discard", "unmap");
    vr_qc_props(c, "-blockdev", p);
    p = vr_qp_new(NULL, NULL);
    vr_qp_strf(p, "node-name", "libvirt-pflash%d-format", unit);
    vr_qp_bool_word(p, "read-only", readonly);
    vr_qp_str(p, "driver", "raw");
    vr_qp_strf(p, "file", "libvirt-pflash%d-storage", unit);
    vr_qc_props(c, "-blockdev", p);
}

void vr_qc_firmware(cmd *c)
{
    const vr_os_def *os = &c->def->os;
    if (!os->loader.path)
        return;
    if (os->loader.type != VR_LOADER_PFLASH) {
        vr_qc_add(c, "-bios");
        vr_qc_add(c, os->loader.path);
        return;
    }
    pflash_node(c, 0, os->loader.path, os->loader.readonly);
    if (os->nvram)
        pflash_node(c, 1, os->nvram, false);
    /* Only code running in SMM may write the variables: what keeps a
     * guest from disabling Secure Boot behind the firmware's back. */
    if (os->loader.secure == VR_TRISTATE_ON)
        vr_qc_opt(c, "-global", "driver=cfi.pflash01,property=secure,value=on");
}
