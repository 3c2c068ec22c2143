/* Checks before a start for what a definition may hold but this host or
 * this Vireo cannot run: elements kept whole for later, a TPM this host
 * cannot give, host CPUs named by <vcpu cpuset>. Each refusal
 * names the element and says what to do; the definition stays as it is. */
#include "drivers/qemu/qemu_domain.h"
#include "common/child.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

int vr_qemu_cpuset(const char *spec, const char *what, cpu_set_t *out, char **err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    CPU_ZERO(out);
    const char *p = spec;
    while (*p) {
        bool exclude = *p == '^';
        if (exclude)
            p++;
        char *end;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (end == p) {
            vr_set_error(err, "%s='%s'> is not a CPU list (as 0-3,6,^2)", what, spec);
            return -1;
        }
        p = end;
        if (*p == '-') {
            hi = strtoul(p + 1, &end, 10);
            p = end;
        }
        if (hi < lo || (long)hi >= ncpu || hi >= CPU_SETSIZE) {
            vr_set_error(err, "%s='%s'> names host CPU %lu, and this host has CPUs 0 to %ld", what,
                         spec, hi, ncpu - 1);
            return -1;
        }
        for (unsigned long c = lo; c <= hi; c++) {
            if (exclude)
                CPU_CLR(c, out);
            else
                CPU_SET(c, out);
        }
        /* Trailing junk ("0-1x") is refused, never ignored. */
        if (*p == ',')
            p++;
        else if (*p) {
            vr_set_error(err, "%s='%s'> is not a CPU list (as 0-3,6,^2)", what, spec);
            return -1;
        }
    }
    if (CPU_COUNT(out) == 0) {
        vr_set_error(err, "%s='%s'> leaves no host CPU to run on", what, spec);
        return -1;
    }
    return 0;
}

#define HOST_NSSDB "/etc/pki/nssdb"

static const char *emulator_of(const vr_domain_def *def)
{
    return def->emulator ? def->emulator : "qemu-system-x86_64";
}

/* Whether the domain's QEMU has the CCID reader (a loadable module in
 * Debian's build): its -device help, asked once per emulator path. */
static bool qemu_has_ccid(const vr_domain_def *def)
{
    static char *asked;
    static bool has;
    const char *emu = emulator_of(def);
    if (asked && strcmp(asked, emu) == 0)
        return has;
    char *const argv[] = {(char *)emu, "-device", "help", NULL};
    vr_child_spec spec = {.argv = argv, .out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true, .timeout_ms = 10000};
    vr_child_result r;
    if (vr_child_run_or_warn(&spec, &r) < 0)
        return true; /* cannot ask: QEMU's own error will say */
    bool found = r.out && strstr(r.out, "\"usb-ccid\"") != NULL;
    vr_child_result_clear(&r);
    free(asked);
    asked = vr_strdup(emu);
    has = found;
    return has;
}

vr_err vr_qemu_preflight_xml(vr_domain *dom, char **err)
{
    const vr_domain_def *def = dom->def;
    for (size_t i = 0; i < def->n_kept; i++) {
        const vr_kept_def *k = &def->kept[i];
        vr_set_error(err, "domain '%s' cannot start: <%s>: %s", def->name, k->name, k->reason);
        return VR_ERR_UNSUPPORTED;
    }
    vr_err e = vr_qemu_hostdev_preflight(dom, err);
    if (e != VR_OK)
        return e;
    /* usb-host opens the device through libusb, which needs usbfs. */
    if (def->n_usb_hostdevs && access(VR_QEMU_USBFS, R_OK) != 0) {
        vr_set_error(err, "domain '%s' cannot start: <hostdev type='usb'>: this host has no USB bus (no "
                          "%s), so no USB device can be given to a guest; remove the <hostdev>",
                     def->name, VR_QEMU_USBFS);
        return VR_ERR_UNSUPPORTED;
    }
    const vr_tpm_def *t = def->tpm;
    if (t && t->backend == VR_TPM_PASSTHROUGH && access(t->device, R_OK | W_OK) != 0) {
        vr_set_error(err, "domain '%s' cannot start: <tpm> passes through %s, which %s on this "
                          "host; use <backend type='emulator' version='2.0'/> for a TPM emulated "
                          "by swtpm", def->name, t->device,
                     errno == ENOENT ? "does not exist" : "cannot be opened");
        return VR_ERR_UNSUPPORTED;
    }
    if (def->smartcard && !qemu_has_ccid(def)) {
        vr_set_error(err, "domain '%s' cannot start: <smartcard> needs QEMU's usb-ccid device, which %s "
                          "does not list in -device help (Debian's qemu-system-common ships it as the "
                          "hw-usb-smartcard module)", def->name, emulator_of(def));
        return VR_ERR_UNSUPPORTED;
    }
    /* libcacard's NSS backend reads the host's cards through NSS's
     * system database; without one QEMU fails ("failed to initialize vcard"). */
    if (def->smartcard && def->smartcard->mode == VR_SMARTCARD_HOST && access(HOST_NSSDB, R_OK) != 0) {
        vr_set_error(err, "domain '%s' cannot start: <smartcard mode='host'> reads the host's smartcards "
                          "through NSS's database %s, which this host does not have; use mode='passthrough' "
                          "type='spicevmc' (the SPICE client's card)", def->name, HOST_NSSDB);
        return VR_ERR_UNSUPPORTED;
    }
    cpu_set_t cpus;
    if (def->cpuset && vr_qemu_cpuset(def->cpuset, "<vcpu cpuset", &cpus, err) < 0)
        return VR_ERR_INVALID;
    return vr_qemu_tune_preflight(dom, err);
}
