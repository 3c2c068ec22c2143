/* External snapshot chains (blockchain_ops.h). */
#include "core/blockchain_ops.h"
#include "conf/names.h"
#include "conf/domain_device.h"
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_snapshot.h"
#include "drivers/storage/storage_img.h"
#include "drivers/storage/storage_probe.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
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

/* ---- blockcopy's destination ---- */

typedef struct {
    char *made; /* the destination made here, removed if the job fails */
    vr_done_fn cb;
    void *opaque;
} copy_ctx;

static void on_copy_answer(vr_err code, const char *err, void *opaque)
{
    copy_ctx *c = opaque;
    if (code != VR_OK && c->made)
        unlink(c->made);
    c->cb(code, err, c->opaque);
    free(c->made);
    free(c);
}

/* qemu-img create of DEST for a copy of the disk running on `src`. */
static vr_err make_destination(const char *src, const vr_block_job_params *p, char **format, char **err)
{
    vr_probe pr = {0};
    unsigned long long cap = 0, alloc = 0;
    if (vr_probe_file(src, &pr, &cap, &alloc, err) < 0)
        return VR_ERR_FAILED;
    bool shallow = (p->flags & VR_BJ_SHALLOW) && pr.backing;
    *format = vr_strdup(p->format ? p->format : shallow ? "qcow2" : vr_vol_format_name(pr.format));
    vr_err code = VR_OK;
    if (shallow && strcmp(*format, "qcow2") != 0) {
        vr_set_error(err, "a --shallow copy keeps the disk's backing file, which only a qcow2 destination can "
                          "name (drop --format %s)", *format);
        code = VR_ERR_INVALID;
    } else {
        char size[32];
        snprintf(size, sizeof(size), "%llu", cap);
        const char *bfmt = vr_vol_format_name(pr.backing_format_known ? pr.backing_format : VR_VOL_RAW);
        const char *argv[] = {vr_img_binary(), "create", "-q", "-f", *format, p->dest, size, NULL};
        const char *argv_shallow[] = {vr_img_binary(), "create", "-q", "-f", "qcow2", "-F", bfmt, "-b", pr.backing,
                                      p->dest, size, NULL};
        char *ierr = NULL;
        if (vr_img_run((char *const *)(shallow ? argv_shallow : argv), NULL, &ierr) < 0) {
            vr_set_error(err, "cannot create the copy's destination %s: %s", p->dest, ierr);
            code = VR_ERR_FAILED;
        }
        free(ierr);
    }
    vr_probe_clear(&pr);
    return code;
}

/* The destination checked (and made): its format, or NULL with *err. */
static char *copy_destination(vr_domain *dom, const char *target, const vr_block_job_params *p, bool *made,
                              vr_err *code, char **err)
{
    struct stat st;
    bool exists = stat(p->dest, &st) == 0;
    bool reuse = p->flags & (VR_BJ_REUSE_EXTERNAL | VR_BJ_BLOCKDEV);
    int i = vr_domain_def_find_disk(dom->def, target);
    char *format = NULL;
    *code = VR_ERR_INVALID;
    if (p->dest[0] != '/')
        vr_set_error(err, "the copy's destination must be an absolute path (got '%s')", p->dest);
    else if (p->format && strcmp(p->format, "raw") != 0 && strcmp(p->format, "qcow2") != 0)
        vr_set_error(err, "--format '%s' is not one of raw, qcow2", p->format);
    else if ((p->flags & VR_BJ_BLOCKDEV) && (!exists || !S_ISBLK(st.st_mode)))
        vr_set_error(err, "--blockdev: %s is not a block device", p->dest);
    else if (reuse && !exists)
        vr_set_error(err, "%s does not exist; without --reuse-external blockcopy makes it", p->dest);
    else if (!reuse && exists)
        vr_set_error(err, "%s exists already; Vireo never overwrites an image (use --reuse-external to copy "
                          "into it)", p->dest);
    else if (vr_qemu_disk_holder(dom->drv, p->dest, NULL))
        vr_set_error(err, "%s is in use by a running domain", p->dest);
    else if (i < 0 || dom->def->disks[i].device == VR_DISK_DEVICE_CDROM) {
        vr_set_error(err, "domain '%s' has no disk '%s' to copy (domblklist shows its targets)", dom->def->name,
                     target);
        *code = VR_ERR_NOT_FOUND;
    } else if (reuse) {
        vr_probe pr = {0};
        unsigned long long cap, alloc;
        if (p->format)
            format = vr_strdup(p->format);
        else if (vr_probe_file(p->dest, &pr, &cap, &alloc, err) == 0)
            format = vr_strdup(vr_vol_format_name(pr.format == VR_VOL_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW));
        vr_probe_clear(&pr);
    } else {
        char *src = vr_qemu_disk_path(dom->drv, &dom->def->disks[i], err);
        if (src && (*code = make_destination(src, p, &format, err)) == VR_OK)
            *made = true;
        else if (src) {
            free(format);
            format = NULL;
        }
        free(src);
    }
    return format;
}

void vr_core_block_job_start(vr_domain *dom, const char *target, vr_block_job_kind kind,
                             const vr_block_job_params *p, vr_done_fn cb, void *opaque)
{
    if (kind != VR_BLOCK_COPY || dom->state == VR_DOM_SHUTOFF || dom->starting) {
        /* the driver says what is wrong with a shut-off domain */
        vr_qemu_block_job_start(dom, target, kind, p, cb, opaque);
        return;
    }
    char *err = NULL;
    vr_err code = VR_OK;
    bool made = false;
    char *format = p->dest ? copy_destination(dom, target, p, &made, &code, &err) : NULL;
    if (!format) {
        if (!err)
            vr_set_error(&err, "blockcopy needs a destination");
        cb(code == VR_OK ? VR_ERR_INVALID : code, err, opaque);
        free(err);
        return;
    }
    copy_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (copy_ctx){.made = made ? vr_strdup(p->dest) : NULL, .cb = cb, .opaque = opaque};
    vr_block_job_params q = *p;
    q.format = format;
    vr_qemu_block_job_start(dom, target, kind, &q, on_copy_answer, c);
    free(format);
}
