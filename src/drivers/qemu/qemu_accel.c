/* The accelerator of a run: KVM when the host has usable KVM, else
 * QEMU's TCG. A domain of type 'kvm' on a host without usable KVM runs
 * under TCG with a loud notice (start output, log, event, dominfo) so
 * that libvirt XML written on a KVM host runs here too; with
 * `vireod --accel strict` it is refused instead (DESIGN.md,
 * "Accelerator"). What the run got is decided once, at start, and is
 * recomputed the same way when a restarted daemon re-adopts the run. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_command.h"
#include "common/log.h"
#include "common/util.h"
#include "host/cpuinfo.h"
#include "host/validate.h"

#include <stdlib.h>
#include <string.h>

bool vr_qemu_kvm_usable(vr_qemu_driver *drv)
{
    /* Probed on first need, not at daemon start: the probe costs up to
     * ~0.2 s on hosts where KVM is slow, and start-up must stay fast. */
    if (drv->kvm_probed == 0) {
        vr_cpuinfo cpu;
        bool cpu_ok = vr_cpuinfo_read(&cpu) == 0;
        vr_kvm_probe probe;
        const char *dev = getenv("VIREO_KVM_DEVICE");
        vr_kvm_probe_run(dev ? dev : "/dev/kvm", &probe);
        vr_check c;
        drv->kvm_probed = vr_kvm_verdict(&cpu, cpu_ok, &probe, &c) == VR_ACCEL_KVM ? 1 : -1;
        vr_log_info("accelerator: %s (%s)", drv->kvm_probed > 0 ? "kvm" : "tcg", c.detail);
        vr_check_clear(&c);
    }
    return drv->kvm_probed > 0;
}

void vr_qemu_set_accel_strict(vr_qemu_driver *drv, bool strict)
{
    drv->accel_strict = strict;
}

static void add_notice(char ***v, size_t *n, char *s)
{
    *v = vr_realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = s;
}

const char *vr_qemu_plan_accel(vr_qemu_driver *drv, const vr_domain_def *def, char ***notices,
                               size_t *n_notices, char **err)
{
    const char *accel = "tcg";
    if (def->type == VR_VIRT_KVM) {
        if (vr_qemu_kvm_usable(drv)) {
            accel = "kvm";
        } else if (drv->accel_strict) {
            vr_set_error(err, "domain '%s' has type 'kvm' but KVM is not usable on this host (run "
                              "'vireo host-validate' to see why), and vireod runs with --accel "
                              "strict; use <domain type='qemu'> to run it under TCG emulation",
                         def->name);
            return NULL;
        } else if (notices) {
            add_notice(notices, n_notices,
                       vr_asprintf("domain '%s' has type 'kvm' but KVM is not usable on this "
                                   "host: it runs under TCG emulation, much slower ('vireo "
                                   "host-validate' says why; vireod --accel strict refuses instead)",
                                   def->name));
        }
    }
    if (notices && strcmp(accel, "tcg") == 0 &&
        (def->cpu.mode == VR_CPU_HOST_PASSTHROUGH || def->cpu.mode == VR_CPU_HOST_MODEL))
        add_notice(notices, n_notices,
                   vr_asprintf("<cpu mode='%s'> under TCG: QEMU's 'max' CPU model (every "
                               "feature TCG emulates; there is no host CPU to pass through)",
                               def->cpu.mode == VR_CPU_HOST_PASSTHROUGH ? "host-passthrough"
                                                                        : "host-model"));
    char *hv = notices ? vr_qemu_hyperv_left_out(def, strcmp(accel, "kvm") == 0) : NULL;
    if (hv && *hv)
        add_notice(notices, n_notices,
                   vr_asprintf("Hyper-V enlightenments %s left out: QEMU takes them only under "
                               "KVM, and this run is TCG", hv));
    free(hv);
    return accel;
}

void vr_qemu_notices_clear(vr_domain *dom)
{
    for (size_t i = 0; i < dom->n_notices; i++)
        free(dom->notices[i]);
    free(dom->notices);
    dom->notices = NULL;
    dom->n_notices = 0;
    dom->accel = NULL;
}
