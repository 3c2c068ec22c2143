/* nodedev-detach / nodedev-reattach (host_pci.h). */
#include "core/host_pci.h"
#include "common/util.h"
#include "drivers/qemu/qemu_driver.h"
#include "host/vfio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The running domain that has PCI device `addr`, or NULL. */
static const char *user_of(const vr_qemu_driver *drv, const char *addr)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(drv, &n);
    for (size_t i = 0; drv && i < n; i++) {
        const vr_domain *d = doms[i];
        if (d->pid <= 0 && !d->starting)
            continue;
        for (size_t k = 0; k < d->def->n_pci_hostdevs; k++) {
            const vr_hostdev_pci_def *h = &d->def->pci_hostdevs[k];
            char a[13];
            snprintf(a, sizeof(a), "%04x:%02x:%02x.%x", h->domain, h->bus, h->slot, h->function);
            if (strcmp(a, addr) == 0)
                return d->def->name;
        }
    }
    return NULL;
}

/* The device's address from its name, on a host that can give PCI
 * devices to guests; else the refusal, naming `verb`. */
static vr_err assignable(const char *name, const char *verb, char addr[13], char **err)
{
    if (!vr_vfio_parse_name(name, addr)) {
        vr_set_error(err, "'%s' is not a PCI node device name: give pci_DDDD_BB_SS_F, as "
                          "pci_0000_01_00_0 for lspci -D's 0000:01:00.0", name);
        return VR_ERR_INVALID;
    }
    const char *no = vr_vfio_no_iommu(VR_SYSFS);
    if (no) {
        vr_set_error(err, "cannot %s %s: %s", verb, name, no);
        return VR_ERR_UNSUPPORTED;
    }
    return VR_OK;
}

vr_err vr_host_pci_reset(const char *name, char **err)
{
    char addr[13];
    vr_err code = assignable(name, "reset", addr, err);
    if (code != VR_OK)
        return code;
    vr_set_error(err, "cannot reset %s: vireod does not reset PCI devices by request; QEMU's vfio-pci "
                      "resets the device when a domain with it starts", name);
    return VR_ERR_UNSUPPORTED;
}

vr_err vr_host_pci_detach(const vr_qemu_driver *drv, const char *name, bool reattach, char **err)
{
    const char *verb = reattach ? "reattach" : "detach";
    char addr[13];
    vr_err code = assignable(name, verb, addr, err);
    if (code != VR_OK)
        return code;
    const char *user = user_of(drv, addr);
    if (reattach && user) {
        vr_set_error(err, "cannot reattach %s: running domain '%s' has it; stop that one first", name, user);
        return VR_ERR_CONFLICT;
    }
    char *why = NULL;
    int rc = reattach ? vr_vfio_reattach(VR_SYSFS, addr, &why) : vr_vfio_detach(VR_SYSFS, addr, &why);
    if (rc < 0) {
        vr_set_error(err, "cannot %s %s: %s", verb, name, why);
        free(why);
        return VR_ERR_FAILED;
    }
    return VR_OK;
}
