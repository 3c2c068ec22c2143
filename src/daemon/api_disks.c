/* GET domains/NAME/disks: a domain's disks as domblklist and domblkinfo
 * show them, in one answer: target, type, device, bus, source and, when
 * the image is there, its capacity (what the guest sees), allocation
 * (what it takes on the host) and physical size (the file or device). */
#include "daemon/api.h"
#include "common/util.h"
#include "core/disk_info.h"

#include <stdlib.h>

static const char *disk_type_name(vr_disk_type t)
{
    static const char *const names[] = {[VR_DISK_FILE] = "file", [VR_DISK_BLOCK] = "block",
                                        [VR_DISK_VOLUME] = "volume", [VR_DISK_NETWORK] = "network"};
    return names[t];
}

/* The sizes of the image at path (core/disk_info.h); false when it
 * cannot be read (an empty CD-ROM, a missing file: domblkinfo says so
 * per disk). */
static bool sizes(const char *path, json_object *o, char **err)
{
    vr_disk_sizes z;
    if (vr_core_image_sizes(path, &z, err) < 0)
        return false;
    json_object_object_add(o, "capacity", json_object_new_int64((int64_t)z.capacity));
    json_object_object_add(o, "allocation", json_object_new_int64((int64_t)z.allocation));
    json_object_object_add(o, "physical", json_object_new_int64((int64_t)z.physical));
    return true;
}

static json_object *disk_json(vr_qemu_driver *drv, const vr_disk_def *d)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "target", json_object_new_string(d->target_dev));
    json_object_object_add(o, "type", json_object_new_string(disk_type_name(d->type)));
    json_object_object_add(o, "device",
                           json_object_new_string(d->device == VR_DISK_DEVICE_CDROM ? "cdrom" : "disk"));
    json_object_object_add(o, "bus", json_object_new_string(vr_disk_bus_name(d->bus)));
    json_object_object_add(o, "format", json_object_new_string(d->format == VR_DISK_QCOW2 ? "qcow2" : "raw"));
    json_object_object_add(o, "readonly", json_object_new_boolean(d->readonly));
    if (d->type == VR_DISK_VOLUME) {
        json_object_object_add(o, "pool", json_object_new_string(d->source_pool));
        json_object_object_add(o, "volume", json_object_new_string(d->source_volume));
    }
    if (d->type == VR_DISK_NETWORK) { /* QEMU's Ceph client reaches it: no size from here */
        json_object_object_add(o, "source", json_object_new_string(d->source_name));
        return o;
    }
    char *err = NULL;
    char *path = vr_qemu_disk_path(drv, d, &err);
    json_object_object_add(o, "source", path ? json_object_new_string(path) : NULL);
    if (path && !sizes(path, o, &err))
        json_object_object_add(o, "error", json_object_new_string(err ? err : "cannot read the image"));
    else if (!path && err)
        json_object_object_add(o, "error", json_object_new_string(err));
    free(err);
    free(path);
    return o;
}

static void domain_disks(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    /* ?inactive: the definition for the next start (as dumpxml --inactive). */
    const vr_domain_def *def = vr_api_flag(c->req, "inactive") && dom->next ? dom->next : dom->def;
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < def->n_disks; i++)
        json_object_array_add(arr, disk_json(c->api->qemu, &def->disks[i]));
    json_object *root = json_object_new_object();
    json_object_object_add(root, "disks", arr);
    vr_req_reply_json(c->req, 200, root);
}

/* GET domains/NAME/blkerrors: domblkerror, the disks whose I/O error
 * paused the running domain: {"errors": [{"disk": "vda", "error": "no space"}]}. */
static void domain_disk_errors(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    const vr_qemu_io_error *errs;
    size_t n;
    char *err = NULL;
    vr_err code = vr_qemu_disk_errors(dom, &errs, &n, &err);
    if (code != VR_OK) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        return;
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "disk", json_object_new_string(errs[i].target));
        json_object_object_add(o, "error", json_object_new_string(vr_qemu_io_error_name(errs[i].code)));
        json_object_array_add(arr, o);
    }
    json_object *root = json_object_new_object();
    json_object_object_add(root, "errors", arr);
    vr_req_reply_json(c->req, 200, root);
}

const vr_api_route vr_api_disk_routes[] = {
    {"GET", "domains/*/disks", domain_disks, VR_API_READ},
    {"GET", "domains/*/blkerrors", domain_disk_errors, VR_API_READ},
    {0},
};
