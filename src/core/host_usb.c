/* The host's USB devices from sysfs (core/host_usb.h). */
#include "core/host_usb.h"
#include "common/file.h"
#include "common/util.h"
#include "drivers/qemu/qemu_domain.h"
#include "host/vfio.h"
#include "wire/schemas.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DIR/NAME/FILE's first line, NULL when absent or empty. */
static char *attr(const char *dir, const char *name, const char *file)
{
    char *path = vr_asprintf("%s/%s/%s", dir, name, file);
    char *s = vr_file_first_line(path);
    free(path);
    return s;
}

static unsigned attr_uint(const char *dir, const char *name, const char *file)
{
    char *s = attr(dir, name, file);
    unsigned v = s ? (unsigned)strtoul(s, NULL, 10) : 0;
    free(s);
    return v;
}

static int by_address(const void *a, const void *b)
{
    const vireo_usb_device *x = a, *y = b;
    return x->bus != y->bus ? (x->bus > y->bus) - (x->bus < y->bus) : (x->device > y->device) - (x->device < y->device);
}

void vr_host_usb_devices(const char *dir, vireo_usb_device **out, size_t *n, const char **why)
{
    *out = NULL;
    *n = 0;
    *why = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        *why = "this host has no USB bus (no /sys/bus/usb/devices): no USB device can be given to a guest";
        return;
    }
    for (struct dirent *e; (e = readdir(d));) {
        /* Devices are "1-1.2" and root hubs "usb1"; "1-1:1.0" is an interface. */
        if (e->d_name[0] == '.' || strchr(e->d_name, ':'))
            continue;
        char *vendor = attr(dir, e->d_name, "idVendor"), *product = attr(dir, e->d_name, "idProduct");
        if (!vendor || !product) {
            free(vendor);
            free(product);
            continue;
        }
        *out = vr_realloc(*out, (*n + 1) * sizeof(**out));
        vireo_usb_device *u = &(*out)[(*n)++];
        memset(u, 0, sizeof(*u));
        /* libvirt's node device name: usb_ and the sysfs name, '-' and '.' as '_'. */
        u->name = vr_asprintf("usb_%s", e->d_name);
        for (char *p = u->name; *p; p++)
            if (*p == '-' || *p == '.')
                *p = '_';
        u->bus = attr_uint(dir, e->d_name, "busnum");
        u->device = attr_uint(dir, e->d_name, "devnum");
        u->vendor_id = vr_asprintf("0x%s", vendor);
        u->product_id = vr_asprintf("0x%s", product);
        u->vendor = attr(dir, e->d_name, "manufacturer");
        u->product = attr(dir, e->d_name, "product");
        free(vendor);
        free(product);
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof(**out), by_address);
    else
        *why = "this host has no USB device";
}

const char *vr_host_pci_assign_refusal(void)
{
    return vr_vfio_no_iommu(VR_SYSFS);
}
