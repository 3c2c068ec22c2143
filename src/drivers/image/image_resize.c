/* vireo resize --expand PART IN OUT (virt-resize): a new, bigger image
 * with IN's content, its last partition grown to the new end of the disk
 * and the filesystem in it grown to fill it (ext2/3/4 with resize2fs,
 * xfs with xfs_growfs, btrfs with its own resize), all inside the
 * libguestfs appliance. IN is only read. Partitions before the last one
 * are not moved: virt-resize's full shuffling is not done. */
#include "drivers/image/image.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow_fs(guestfs_h *g, const char *dev)
{
    char *type = guestfs_vfs_type(g, dev);
    if (!type)
        return img_gfs_fail(g, "cannot read the filesystem type");
    int rc = 0;
    if (strncmp(type, "ext", 3) == 0) {
        /* resize2fs insists on a freshly checked filesystem. */
        if (guestfs_e2fsck(g, dev, GUESTFS_E2FSCK_FORCEALL, 1, -1) < 0 || guestfs_resize2fs(g, dev) < 0)
            rc = img_gfs_fail(g, "cannot grow the ext filesystem");
    } else if (strcmp(type, "xfs") == 0 || strcmp(type, "btrfs") == 0) {
        /* Debian ships the appliance's xfs tools apart (libguestfs-xfs) */
        char *feature[] = {type, NULL};
        if (guestfs_feature_available(g, feature) != 1)
            rc = img_fail("cannot grow the %s filesystem on %s: the libguestfs appliance has no %s tools (install "
                          "%s on the daemon's host)", type, dev, type, type[0] == 'x' ? "libguestfs-xfs" : "btrfs-progs");
        else if (guestfs_mount(g, dev, "/") < 0)
            rc = img_gfs_fail(g, "cannot mount the filesystem to grow it");
        else if ((type[0] == 'x' ? guestfs_xfs_growfs(g, "/", -1) : guestfs_btrfs_filesystem_resize(g, "/", -1)) < 0)
            rc = img_gfs_fail(g, "cannot grow the filesystem");
        guestfs_umount_all(g);
    } else {
        json_object_object_add(img_result(), "notice",
                               json_object_new_string("the partition grew; its filesystem was left "
                                                      "as it was (Vireo grows ext2/3/4, xfs and btrfs)"));
    }
    json_object_object_add(img_result(), "filesystem", json_object_new_string(type));
    free(type);
    return rc;
}

static int partitions_text(guestfs_h *g, char *buf, size_t len)
{
    char **parts = guestfs_list_partitions(g);
    buf[0] = 0;
    for (size_t i = 0; parts && parts[i]; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", used ? ", " : "", parts[i]);
        free(parts[i]);
    }
    free(parts);
    return buf[0] ? 0 : -1;
}

int img_grow_partition(guestfs_h *g, const char *part)
{
    char **devs = guestfs_list_devices(g);
    bool whole = false;
    for (size_t i = 0; devs && devs[i]; i++) {
        whole |= strcmp(devs[i], part) == 0;
        free(devs[i]);
    }
    free(devs);
    if (whole) /* a filesystem on the whole disk */
        return grow_fs(g, part);
    char **parts = guestfs_list_partitions(g);
    bool found = false;
    for (size_t i = 0; parts && parts[i]; i++) {
        found |= strcmp(parts[i], part) == 0;
        free(parts[i]);
    }
    free(parts);
    char have[512];
    if (!found)
        return img_fail(partitions_text(g, have, sizeof(have)) == 0
                            ? "--expand %s: the image has no such partition (it has %s)"
                            : "--expand %s: the image has no partitions%s", part, have);
    char *dev = guestfs_part_to_dev(g, part);
    int num = guestfs_part_to_partnum(g, part);
    char *type = dev ? guestfs_part_get_parttype(g, dev) : NULL;
    struct guestfs_partition_list *pl = type ? guestfs_part_list(g, dev) : NULL;
    int64_t sectors = dev ? guestfs_blockdev_getsz(g, dev) : -1;
    int rc = 0;
    if (!pl || num < 0 || sectors < 0) {
        rc = img_gfs_fail(g, "cannot read the partition table");
        goto out;
    }
    uint64_t last_end = 0, last_start = 0;
    int last = -1;
    for (uint32_t i = 0; i < pl->len; i++) {
        if (pl->val[i].part_end > last_end) {
            last_end = pl->val[i].part_end;
            last_start = pl->val[i].part_start;
            last = pl->val[i].part_num;
        }
    }
    if (last != num) {
        rc = img_fail("--expand %s: it is not the last partition on %s (that is %s%d); vireo resize "
                      "grows the last one only", part, dev, dev, last);
        goto out;
    }
    bool gpt = strcmp(type, "gpt") == 0;
    if (gpt && guestfs_part_expand_gpt(g, dev) < 0) {
        rc = img_gfs_fail(g, "cannot move the GPT's backup header to the new end");
        goto out;
    }
    /* The new end on a 1 MiB boundary before the disk's end: clear of
     * GPT's backup table, and of the last usable sector sgdisk -e sets
     * as far from the end as the first one is from the start (2048 for
     * tables that sfdisk or parted aligned). */
    int64_t end = (sectors / 2048 - 1) * 2048 - 1;
    if (end <= (int64_t)(last_end / 512)) {
        rc = img_fail("--expand %s: the new disk leaves it no room to grow", part);
        goto out;
    }
    img_progress(60, "growing %s", part);
    if (guestfs_part_resize(g, dev, num, end) < 0) {
        rc = img_gfs_fail(g, "cannot grow the partition");
        goto out;
    }
    img_progress(70, "growing the filesystem on %s", part);
    rc = grow_fs(g, part);
    if (rc == 0) {
        json_object_object_add(img_result(), "partition", json_object_new_string(part));
        json_object_object_add(img_result(), "partition_bytes",
                               json_object_new_int64((end - (int64_t)(last_start / 512) + 1) * 512));
    }
out:
    if (pl)
        guestfs_free_partition_list(pl);
    free(type);
    free(dev);
    return rc;
}

int img_op_resize(const img_spec *s)
{
    if (!s->expand)
        return img_fail("--expand PART is needed (e.g. --expand /dev/sda1)");
    guestfs_h *g = img_gfs_new(s);
    if (!g)
        return -1;
    char *fmt = s->input_format ? strdup(s->input_format) : img_probe_format(g, s->input);
    int64_t have = fmt ? guestfs_disk_virtual_size(g, s->input) : -1;
    char *out = NULL, size[32];
    int rc = -1;
    if (!fmt || have < 0) {
        if (fmt)
            img_gfs_fail(g, s->input);
        goto done;
    }
    if (s->size <= (uint64_t)have) {
        img_fail("--size %" PRIu64 " is not bigger than %s (%" PRId64 " bytes); vireo resize only grows",
                 s->size, s->input, have);
        goto done;
    }
    const char *out_fmt = s->format ? s->format : fmt;
    if (!(out = img_tmp_beside(s->output)))
        goto done;
    img_progress(2, "copying %s", s->input);
    snprintf(size, sizeof(size), "%" PRIu64, s->size);
    const char *conv[] = {"qemu-img", "convert", "-q", "-f", fmt, "-O", out_fmt, s->input, out, NULL};
    const char *grow[] = {"qemu-img", "resize", "-q", "-f", out_fmt, out, size, NULL};
    if (img_run(conv, NULL) < 0 || img_run(grow, NULL) < 0)
        goto done;
    img_progress(30, "starting the libguestfs appliance");
    if (img_gfs_add(g, out, out_fmt, false, false) < 0 || img_gfs_launch(g) < 0 ||
        img_grow_partition(g, s->expand) < 0)
        goto done;
    img_progress(95, "writing");
    rc = img_gfs_close(g);
    g = NULL;
    if (rc == 0)
        rc = img_out_commit(out, s->output, s->force);
done:
    if (g)
        guestfs_close(g);
    free(out);
    free(fmt);
    return rc;
}
