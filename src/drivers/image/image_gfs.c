/* libguestfs handles as every operation opens them: the direct backend,
 * TCG where KVM cannot run guests (QEMU aborts on this host's
 * paravirtual /dev/kvm), errors kept for the one-line report. */
#include "drivers/image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

guestfs_h *img_gfs_new(const img_spec *s)
{
    guestfs_h *g = guestfs_create();
    if (!g) {
        img_fail("cannot create a libguestfs handle");
        return NULL;
    }
    guestfs_set_error_handler(g, NULL, NULL);
    if (s->tcg && guestfs_set_backend_setting(g, "force_tcg", "1") < 0) {
        img_gfs_fail(g, "cannot ask libguestfs for TCG");
        guestfs_close(g);
        return NULL;
    }
    return g;
}

int img_gfs_add(guestfs_h *g, const char *path, const char *format, bool readonly, bool discard)
{
    int rc = guestfs_add_drive_opts(g, path, GUESTFS_ADD_DRIVE_OPTS_FORMAT, format ? format : "raw",
                                    GUESTFS_ADD_DRIVE_OPTS_READONLY, readonly ? 1 : 0,
                                    GUESTFS_ADD_DRIVE_OPTS_DISCARD, discard ? "besteffort" : "disable",
                                    -1);
    return rc < 0 ? img_gfs_failf(g, "cannot open %s", path) : 0;
}

int img_gfs_launch(guestfs_h *g)
{
    if (guestfs_launch(g) < 0)
        return img_gfs_fail(g, "the libguestfs appliance did not start (try: LIBGUESTFS_BACKEND=direct "
                               "libguestfs-test-tool)");
    return 0;
}

static int by_length(const void *a, const void *b)
{
    /* Mount "/" before "/boot" before "/boot/efi". */
    return (int)strlen(*(char *const *)a) - (int)strlen(*(char *const *)b);
}

int img_gfs_mount_os(guestfs_h *g, const char *what)
{
    char **roots = guestfs_inspect_os(g);
    if (!roots)
        return img_gfs_fail(g, "inspection failed");
    size_t n = 0;
    while (roots[n])
        n++;
    int rc = 0;
    if (n != 1) {
        rc = img_fail(n ? "%s holds %zu operating systems; Vireo edits images with one"
                        : "%s holds no operating system that libguestfs recognises (no Linux root "
                          "filesystem with /etc)",
                      what, n);
    } else {
        char **mps = guestfs_inspect_get_mountpoints(g, roots[0]);
        if (!mps) {
            rc = img_gfs_fail(g, "inspection failed");
        } else {
            size_t m = 0;
            while (mps[m])
                m += 2;
            /* pairs (mountpoint, device): sort the pairs by mountpoint */
            typedef struct { char *mp, *dev; } pair;
            pair *ps = (pair *)mps;
            qsort(ps, m / 2, sizeof(pair), by_length);
            for (size_t i = 0; i < m / 2 && rc == 0; i++)
                if (guestfs_mount(g, ps[i].dev, ps[i].mp) < 0 && strcmp(ps[i].mp, "/") == 0)
                    rc = img_gfs_fail(g, "cannot mount the root filesystem");
            for (size_t i = 0; i < m; i++)
                free(mps[i]);
            free(mps);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(roots[i]);
    free(roots);
    return rc;
}

int img_gfs_close(guestfs_h *g)
{
    int rc = 0;
    if (guestfs_umount_all(g) < 0 || guestfs_shutdown(g) < 0)
        rc = img_gfs_fail(g, "cannot finish writing the image");
    guestfs_close(g);
    return rc;
}

int img_gfs_write(guestfs_h *g, const char *path, const char *text, int mode)
{
    if (guestfs_write(g, path, text, strlen(text)) < 0 || (mode >= 0 && guestfs_chmod(g, mode, path) < 0))
        return img_gfs_failf(g, "cannot write %s in the image", path);
    return 0;
}

char *img_probe_format(guestfs_h *g, const char *path)
{
    if (access(path, R_OK) < 0) {
        img_fail("cannot read %s", path);
        return NULL;
    }
    char *f = guestfs_disk_format(g, path);
    if (!f) {
        img_gfs_fail(g, path);
        return NULL;
    }
    if (strcmp(f, "qcow2") != 0 && strcmp(f, "raw") != 0) {
        img_fail("%s is a %s image; Vireo's image tools take qcow2 and raw", path, f);
        free(f);
        return NULL;
    }
    return f;
}

int img_gfs_sh(guestfs_h *g, const char *cmd, const char *what)
{
    char *out = guestfs_sh(g, cmd);
    if (!out)
        return img_gfs_fail(g, what);
    free(out);
    return 0;
}
