/* PCI devices for VFIO: the IOMMU, a device's group and its members'
 * drivers, and the rebinding to vfio-pci and back (vfio.h). Only sysfs
 * under the root it is given; modprobe only when that root is /sys. */
#include "host/vfio.h"
#include "common/child.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VFIO_DRIVER "vfio-pci"

bool vr_vfio_parse_name(const char *name, char out[13])
{
    unsigned d, b, s, f;
    char end;
    if (sscanf(name, "pci_%4x_%2x_%2x_%1x%c", &d, &b, &s, &f, &end) != 4 &&
        sscanf(name, "%4x:%2x:%2x.%1x%c", &d, &b, &s, &f, &end) != 4)
        return false;
    if (s > 0x1f || f > 7)
        return false;
    snprintf(out, 13, "%04x:%02x:%02x.%x", d, b, s, f);
    return true;
}

const char *vr_vfio_no_iommu(const char *sysroot)
{
    char *path = vr_asprintf("%s/kernel/iommu_groups", sysroot);
    DIR *d = opendir(path);
    free(path);
    bool any = false;
    for (struct dirent *e; d && !any && (e = readdir(d));)
        any = e->d_name[0] != '.';
    if (d)
        closedir(d);
    return any ? NULL
               : "this host has no IOMMU (/sys/kernel/iommu_groups is empty), so no PCI device can be "
                 "given to a guest: turn on VT-d or AMD-Vi in the firmware and boot with "
                 "intel_iommu=on (or amd_iommu=on), or remove <hostdev>";
}

/* The last component of the link DEV/NAME (a group number, a driver), or
 * NULL when there is no such link. */
static char *link_name(const char *sysroot, const char *addr, const char *name)
{
    char *path = vr_asprintf("%s/bus/pci/devices/%s/%s", sysroot, addr, name);
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    free(path);
    if (n <= 0)
        return NULL;
    target[n] = '\0';
    return vr_strdup(basename(target));
}

static int write_file(const char *path, const char *value, char **err)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0 || write(fd, value, strlen(value)) < 0) {
        vr_set_error(err, "cannot write '%s' to %s: %s", value, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int write_at(const char *sysroot, const char *rel, const char *value, char **err)
{
    char *path = vr_asprintf("%s/%s", sysroot, rel);
    int rc = write_file(path, value, err);
    free(path);
    return rc;
}

static bool device_exists(const char *sysroot, const char *addr, char **err)
{
    char *path = vr_asprintf("%s/bus/pci/devices/%s", sysroot, addr);
    bool ok = access(path, F_OK) == 0;
    free(path);
    if (!ok)
        vr_set_error(err, "this host has no PCI device %s (lspci -D lists the ones it has)", addr);
    return ok;
}

int vr_vfio_group(const char *sysroot, const char *addr, char **err)
{
    const char *no = vr_vfio_no_iommu(sysroot);
    if (no) {
        vr_set_error(err, "%s", no);
        return -1;
    }
    if (!device_exists(sysroot, addr, err))
        return -1;
    char *g = link_name(sysroot, addr, "iommu_group");
    char *end = NULL;
    long n = g ? strtol(g, &end, 10) : -1;
    bool ok = g && *g && end && !*end && n >= 0 && n < INT_MAX;
    free(g);
    if (!ok) {
        vr_set_error(err, "PCI device %s is in no IOMMU group, so it cannot be given to a guest", addr);
        return -1;
    }
    return (int)n;
}

int vr_vfio_group_ready(const char *sysroot, const char *addr, int *group, char **err)
{
    int g = vr_vfio_group(sysroot, addr, err);
    if (g < 0)
        return -1;
    *group = g;
    char *path = vr_asprintf("%s/kernel/iommu_groups/%d/devices", sysroot, g);
    DIR *d = opendir(path);
    free(path);
    if (!d) {
        vr_set_error(err, "cannot read IOMMU group %d of %s: %s", g, addr, strerror(errno));
        return -1;
    }
    vr_strbuf busy = {0};
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *drv = link_name(sysroot, e->d_name, "driver");
        if (drv && strcmp(drv, VFIO_DRIVER) != 0)
            vr_strbuf_addf(&busy, "%s%s (%s)", busy.len ? ", " : "", e->d_name, drv);
        free(drv);
    }
    closedir(d);
    if (busy.len) {
        char *who = vr_strbuf_take(&busy);
        vr_set_error(err, "IOMMU group %d of PCI device %s has devices still bound to host drivers: %s; "
                          "every device of the group goes to vfio-pci together (vireo nodedev-detach "
                          "pci_DDDD_BB_SS_F each, or managed='yes' on each <hostdev>)", g, addr, who);
        free(who);
        return -1;
    }
    return 0;
}

bool vr_vfio_bound(const char *sysroot, const char *addr)
{
    char *drv = link_name(sysroot, addr, "driver");
    bool on = drv && strcmp(drv, VFIO_DRIVER) == 0;
    free(drv);
    return on;
}

/* vfio-pci's driver directory there, loading the module on a real host. */
static int vfio_driver_loaded(const char *sysroot, char **err)
{
    char *path = vr_asprintf("%s/bus/pci/drivers/" VFIO_DRIVER, sysroot);
    bool there = access(path, F_OK) == 0;
    if (!there && strcmp(sysroot, VR_SYSFS) == 0) {
        char *argv[] = {"modprobe", VFIO_DRIVER, NULL};
        vr_child_spec spec = {.argv = argv, .out = VR_CHILD_OUT_CAPTURE, .timeout_ms = 30000};
        vr_child_result r;
        if (vr_child_run_or_warn(&spec, &r) == 0)
            vr_child_result_clear(&r);
        there = access(path, F_OK) == 0;
    }
    free(path);
    if (!there)
        vr_set_error(err, "the vfio-pci driver is not loaded and cannot be: modprobe vfio-pci");
    return there ? 0 : -1;
}

int vr_vfio_detach(const char *sysroot, const char *addr, char **err)
{
    if (vr_vfio_group(sysroot, addr, err) < 0 || vfio_driver_loaded(sysroot, err) < 0)
        return -1;
    char *drv = link_name(sysroot, addr, "driver");
    if (drv && strcmp(drv, VFIO_DRIVER) == 0) {
        free(drv);
        return 0;
    }
    char *override = vr_asprintf("bus/pci/devices/%s/driver_override", addr);
    char *unbind = drv ? vr_asprintf("bus/pci/devices/%s/driver/unbind", addr) : NULL;
    int rc = write_at(sysroot, override, VFIO_DRIVER, err);
    if (rc == 0 && unbind)
        rc = write_at(sysroot, unbind, addr, err);
    if (rc == 0)
        rc = write_at(sysroot, "bus/pci/drivers_probe", addr, err);
    free(override);
    free(unbind);
    free(drv);
    return rc;
}

int vr_vfio_reattach(const char *sysroot, const char *addr, char **err)
{
    if (!device_exists(sysroot, addr, err))
        return -1;
    char *drv = link_name(sysroot, addr, "driver");
    char *override = vr_asprintf("bus/pci/devices/%s/driver_override", addr);
    /* "\n" clears the override (the kernel takes an empty line as none). */
    int rc = write_at(sysroot, override, "\n", err);
    if (rc == 0 && drv && strcmp(drv, VFIO_DRIVER) == 0) {
        char *unbind = vr_asprintf("bus/pci/devices/%s/driver/unbind", addr);
        rc = write_at(sysroot, unbind, addr, err);
        free(unbind);
    }
    if (rc == 0)
        rc = write_at(sysroot, "bus/pci/drivers_probe", addr, err);
    free(override);
    free(drv);
    return rc;
}
