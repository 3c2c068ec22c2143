/* sysprep and customize: edit the OS on a domain's disks (or image
 * files) in place, in one appliance run. vireod has checked that no
 * running domain uses them and no overlay is built on them. */
#include "drivers/image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int edit(const img_spec *s, bool sysprep)
{
    size_t n = s->disks ? json_object_array_length(s->disks) : 0;
    if (!n)
        return img_fail("no disk to edit");
    if (sysprep && img_sysprep_check(s) < 0)
        return -1;
    guestfs_h *g = img_gfs_new(s);
    if (!g)
        return -1;
    int rc = 0;
    const char *first = NULL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_object *d = json_object_array_get_idx(s->disks, i), *p = NULL, *f = NULL;
        json_object_object_get_ex(d, "path", &p);
        json_object_object_get_ex(d, "format", &f);
        const char *path = json_object_get_string(p);
        if (!first)
            first = path;
        char *fmt = f ? strdup(json_object_get_string(f)) : img_probe_format(g, path);
        rc = fmt ? img_gfs_add(g, path, fmt, false, false) : -1;
        free(fmt);
    }
    if (rc == 0 && img_customize_needs_network(s))
        guestfs_set_network(g, 1);
    if (rc == 0) {
        img_progress(5, "starting the libguestfs appliance");
        rc = img_gfs_launch(g);
    }
    if (rc == 0) {
        img_progress(40, "inspecting");
        rc = img_gfs_mount_os(g, first);
    }
    if (rc == 0 && sysprep)
        rc = img_sysprep_ops(g, s);
    if (rc == 0) {
        img_progress(80, "customizing");
        rc = img_customize(g, s);
    }
    if (rc == 0) {
        img_progress(95, "writing");
        return img_gfs_close(g);
    }
    guestfs_close(g);
    return rc;
}

int img_op_sysprep(const img_spec *s) { return edit(s, true); }
int img_op_customize(const img_spec *s) { return edit(s, false); }
