/* External snapshot chains (blockchain_ops.h). */
#include "core/blockchain_ops.h"
#include "conf/names.h"
#include "drivers/qemu/qemu_snapshot.h"
#include "drivers/storage/storage_img.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char **targets, **overlays;
    size_t n;
    vr_done_fn cb;
    void *opaque;
} chain_ctx;

static void ctx_free(chain_ctx *c, bool remove_files)
{
    for (size_t i = 0; i < c->n; i++) {
        if (remove_files)
            unlink(c->overlays[i]);
        free(c->targets[i]);
        free(c->overlays[i]);
    }
    free(c->targets);
    free(c->overlays);
    free(c);
}

static void on_switched(vr_err code, const char *err, void *opaque)
{
    chain_ctx *c = opaque;
    c->cb(code, err, c->opaque);
    ctx_free(c, code != VR_OK);
}

/* IMAGE's directory and name without its extension, "." NAME. */
static char *overlay_path(const char *image, const char *name)
{
    const char *slash = strrchr(image, '/');
    const char *dot = strrchr(slash ? slash : image, '.');
    size_t stem = dot && dot != (slash ? slash + 1 : image) ? (size_t)(dot - image) : strlen(image);
    return vr_asprintf("%.*s.%s", (int)stem, image, name);
}

void vr_core_snapshot_disk_only(vr_domain *dom, const char *name, const char *description, vr_done_fn cb,
                                void *opaque)
{
    char *err = NULL;
    vr_err code = VR_ERR_INVALID;
    vr_snapshot_def *existing = NULL;
    chain_ctx *c = vr_calloc(1, sizeof(*c));
    c->targets = vr_calloc(dom->def->n_disks + 1, sizeof(char *));
    c->overlays = vr_calloc(dom->def->n_disks + 1, sizeof(char *));
    if (!vr_name_check(VR_NAME_SNAPSHOT, name, &err)) {
        /* said */
    } else if (dom->state == VR_DOM_SHUTOFF || dom->starting) {
        vr_set_error(&err, "domain '%s' is not running; --disk-only snapshots are taken live here (without "
                           "--disk-only, a shut-off domain gets an internal snapshot)", dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if (vr_qemu_snapshot_get(dom, name, &existing, NULL) == VR_OK) {
        vr_set_error(&err, "domain '%s' already has a snapshot '%s'", dom->def->name, name);
        code = VR_ERR_CONFLICT;
    } else {
        code = VR_OK;
    }
    vr_snapshot_def_free(existing);
    for (size_t i = 0; code == VR_OK && i < dom->def->n_disks; i++) {
        const vr_disk_def *d = &dom->def->disks[i];
        if (d->device == VR_DISK_DEVICE_CDROM || d->readonly || d->type == VR_DISK_BLOCK)
            continue;
        char *path = vr_qemu_disk_path(dom->drv, d, &err);
        if (!path) {
            code = VR_ERR_FAILED;
            break;
        }
        char *ov = overlay_path(path, name);
        struct stat st;
        const char *argv[] = {vr_img_binary(), "create", "-q", "-f", "qcow2", "-F",
                              d->format == VR_DISK_QCOW2 ? "qcow2" : "raw", "-b", path, ov, NULL};
        char *ierr = NULL;
        if (lstat(ov, &st) == 0) {
            vr_set_error(&err, "%s already exists; Vireo never overwrites an image (pick another snapshot name)",
                         ov);
            code = VR_ERR_CONFLICT;
        } else if (vr_img_run((char *const *)argv, NULL, &ierr) < 0) {
            vr_set_error(&err, "cannot create the overlay %s: %s", ov, ierr);
            code = VR_ERR_FAILED;
        } else {
            c->targets[c->n] = vr_strdup(d->target_dev);
            c->overlays[c->n++] = ov;
            ov = NULL;
        }
        free(ierr);
        free(ov);
        free(path);
    }
    if (code == VR_OK && c->n == 0) {
        vr_set_error(&err, "domain '%s' has no writable file disk to snapshot", dom->def->name);
        code = VR_ERR_INVALID;
    }
    if (code != VR_OK) {
        cb(code, err, opaque);
        free(err);
        ctx_free(c, true);
        return;
    }
    c->cb = cb;
    c->opaque = opaque;
    vr_qemu_snapshot_external(dom, name, description, c->targets, c->overlays, c->n, on_switched, c);
}
