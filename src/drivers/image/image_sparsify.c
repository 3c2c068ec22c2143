/* vireo sparsify (virt-sparsify): free space inside the guest's
 * filesystems becomes holes in the image. Copy mode works as
 * virt-sparsify's: a throw-away qcow2 overlay on the input, fstrim (or,
 * where a filesystem cannot discard, zero-free-space) of every
 * filesystem in it, then `qemu-img convert` of the overlay, which
 * leaves out the zeroed clusters (-c compresses qcow2). The input is
 * never written. --in-place trims the image itself (discard must reach
 * the file: qcow2 or raw on a filesystem with hole punching). */
#include "drivers/image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Trim every filesystem on the handle's disks; `zero` falls back to
 * writing zeros where a filesystem does not discard. */
static int trim_all(guestfs_h *g, bool zero)
{
    char **fss = guestfs_list_filesystems(g);
    if (!fss)
        return img_gfs_fail(g, "cannot list the image's filesystems");
    int rc = 0, n = 0;
    for (size_t i = 0; fss[i] && rc == 0; i += 2) {
        const char *dev = fss[i], *type = fss[i + 1];
        if (strcmp(type, "swap") == 0 || strcmp(type, "unknown") == 0 || strcmp(type, "") == 0)
            continue;
        if (guestfs_mount(g, dev, "/") < 0)
            continue; /* e.g. a BIOS boot partition */
        img_progress(30 + n * 5 > 60 ? 60 : 30 + n * 5, "trimming %s (%s)", dev, type);
        if (guestfs_fstrim(g, "/", -1) < 0) {
            if (!zero)
                rc = img_gfs_fail(g, "fstrim (the filesystem cannot discard; use copy mode)");
            else if (guestfs_zero_free_space(g, "/") < 0)
                rc = img_gfs_fail(g, "cannot zero the free space");
        }
        guestfs_umount(g, "/");
        n++;
    }
    for (size_t i = 0; fss[i]; i++)
        free(fss[i]);
    free(fss);
    return rc;
}

static int trim_image(const img_spec *s, const char *path, const char *fmt, bool zero)
{
    guestfs_h *g = img_gfs_new(s);
    if (!g)
        return -1;
    img_progress(5, "starting the libguestfs appliance");
    int rc = img_gfs_add(g, path, fmt, false, true);
    if (rc == 0)
        rc = img_gfs_launch(g);
    if (rc == 0)
        rc = trim_all(g, zero);
    if (rc == 0)
        return img_gfs_close(g);
    guestfs_close(g);
    return rc;
}

int img_op_sparsify(const img_spec *s)
{
    guestfs_h *probe = img_gfs_new(s);
    if (!probe)
        return -1;
    char *fmt = s->input_format ? strdup(s->input_format) : img_probe_format(probe, s->input);
    guestfs_close(probe);
    if (!fmt)
        return -1;
    if (s->in_place) {
        int rc = trim_image(s, s->input, fmt, false);
        free(fmt);
        return rc;
    }
    const char *out_fmt = s->format ? s->format : fmt;
    if (s->compress && strcmp(out_fmt, "qcow2") != 0) {
        free(fmt);
        return img_fail("--compress needs a qcow2 output (--format qcow2)");
    }
    char *overlay = img_tmp_beside(s->output), *out = overlay ? img_tmp_beside(s->output) : NULL;
    int rc = -1;
    if (!out)
        goto done;
    const char *mk[] = {"qemu-img", "create", "-q", "-f", "qcow2", "-b", s->input, "-F", fmt, overlay, NULL};
    if (img_run(mk, NULL) < 0 || trim_image(s, overlay, "qcow2", true) < 0)
        goto done;
    img_progress(70, "copying the used blocks");
    const char *conv[] = {"qemu-img", "convert", "-f", "qcow2", "-O", out_fmt,
                          s->compress ? "-c" : "-q", overlay, out, NULL};
    if (img_run(conv, NULL) < 0)
        goto done;
    img_tmp_drop(overlay);
    rc = img_out_commit(out, s->output, s->force);
done:
    if (overlay)
        img_tmp_drop(overlay);
    free(overlay);
    free(out);
    free(fmt);
    return rc;
}
