/* PCI host devices of a run (<hostdev type='pci'>, QEMU's vfio-pci):
 * checked before a start (an IOMMU, the device there, not another
 * running domain's, its group ready for managed='no'), bound to vfio-pci
 * for managed='yes' and their group's /dev/vfio node handed to QEMU's
 * user at start, given back to the host's drivers when the run ends.
 * The sysfs work is src/host/vfio.c's. */
#include "drivers/qemu/qemu_domain.h"
#include "common/log.h"
#include "common/util.h"
#include "host/vfio.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void host_addr(const vr_hostdev_pci_def *h, char out[13])
{
    snprintf(out, 13, "%04x:%02x:%02x.%x", h->domain, h->bus, h->slot, h->function);
}

static bool same_device(const vr_hostdev_pci_def *a, const vr_hostdev_pci_def *b)
{
    return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot && a->function == b->function;
}

/* The running domain other than dom that was given h. */
static const vr_domain *user_of(const vr_domain *dom, const vr_hostdev_pci_def *h)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(dom->drv, &n);
    for (size_t i = 0; i < n; i++) {
        const vr_domain *d = doms[i];
        if (d == dom || (d->pid <= 0 && !d->starting))
            continue;
        for (size_t k = 0; k < d->def->n_pci_hostdevs; k++)
            if (same_device(&d->def->pci_hostdevs[k], h))
                return d;
    }
    return NULL;
}

vr_err vr_qemu_hostdev_preflight(const vr_domain *dom, char **err)
{
    const vr_domain_def *def = dom->def;
    if (!def->n_pci_hostdevs)
        return VR_OK;
    const char *no = vr_vfio_no_iommu(VR_SYSFS);
    for (size_t i = 0; i < def->n_pci_hostdevs; i++) {
        const vr_hostdev_pci_def *h = &def->pci_hostdevs[i];
        char a[13], *why = NULL;
        host_addr(h, a);
        const vr_domain *other = no ? NULL : user_of(dom, h);
        int group = -1;
        if (no)
            why = vr_strdup(no);
        else if (other)
            why = vr_asprintf("running domain '%s' has it; stop that one first", other->def->name);
        else if (h->managed)
            vr_vfio_group(VR_SYSFS, a, &why);
        else if (vr_vfio_group_ready(VR_SYSFS, a, &group, &why) == 0 && !vr_vfio_bound(VR_SYSFS, a)) {
            free(why);
            why = vr_asprintf("it is managed='no' and not bound to vfio-pci: vireo nodedev-detach "
                              "pci_%04x_%02x_%02x_%x first, or managed='yes'", h->domain, h->bus, h->slot,
                              h->function);
        }
        if (why) {
            vr_set_error(err, "domain '%s' cannot start: <hostdev type='pci'> %s: %s", def->name, a, why);
            free(why);
            return VR_ERR_UNSUPPORTED;
        }
    }
    return VR_OK;
}

int vr_qemu_hostdev_prepare(vr_domain *dom, char **err)
{
    const vr_domain_def *def = dom->def;
    for (size_t i = 0; i < def->n_pci_hostdevs; i++) {
        const vr_hostdev_pci_def *h = &def->pci_hostdevs[i];
        char a[13], *why = NULL;
        host_addr(h, a);
        int group;
        if ((h->managed && vr_vfio_detach(VR_SYSFS, a, &why) < 0) ||
            vr_vfio_group_ready(VR_SYSFS, a, &group, &why) < 0) {
            vr_set_error(err, "<hostdev type='pci'> %s: %s", a, why);
            free(why);
            return -1;
        }
        /* QEMU opens its group's node; as vireo-qemu it must be its own. */
        char *node = vr_asprintf("/dev/vfio/%d", group);
        int rc = vr_qemu_grant_path(dom, node, "VFIO group", err);
        free(node);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void vr_qemu_hostdev_release(vr_domain *dom)
{
    const vr_domain_def *def = dom->def;
    if (!def->n_pci_hostdevs || vr_vfio_no_iommu(VR_SYSFS))
        return;
    for (size_t i = 0; i < def->n_pci_hostdevs; i++) {
        const vr_hostdev_pci_def *h = &def->pci_hostdevs[i];
        char a[13], *why = NULL;
        host_addr(h, a);
        if (h->managed && !user_of(dom, h) && vr_vfio_reattach(VR_SYSFS, a, &why) < 0) {
            vr_log_warn("domain %s: cannot give PCI device %s back to its host driver: %s; "
                        "vireo nodedev-reattach pci_%04x_%02x_%02x_%x", def->name, a, why, h->domain,
                        h->bus, h->slot, h->function);
            free(why);
        }
    }
}
