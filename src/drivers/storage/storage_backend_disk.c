/* disk pools: a whole block device with a partition table (gpt or dos);
 * volumes are its partitions, named and found as the kernel names them
 * (vdb1, loop0p1). util-linux's libfdisk reads and writes the table,
 * the same code as fdisk and sfdisk; after each change the kernel is
 * told with BLKPG (fdisk_reread_changes), so /dev nodes come and go
 * even while other partitions of the disk are in use. */
#include "drivers/storage/storage_backend.h"
#include "drivers/storage/storage_blockdev.h"
#include "common/dlib.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <libfdisk/libfdisk.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libfdisk, opened when a disk pool first opens its device (common/dlib.h
 * says why): the functions this file calls, typed from its header. */
#define FDISK_FUNCS(X)                                                                                              \
    X(fdisk_add_partition) X(fdisk_assign_device) X(fdisk_create_disklabel) X(fdisk_deassign_device)                \
    X(fdisk_delete_partition) X(fdisk_enable_wipe) X(fdisk_get_freespaces) X(fdisk_get_grain_size)                  \
    X(fdisk_get_label) X(fdisk_get_nsectors) X(fdisk_get_partitions) X(fdisk_get_sector_size) X(fdisk_has_label)    \
    X(fdisk_label_get_name) X(fdisk_new_context) X(fdisk_new_partition) X(fdisk_new_table)                          \
    X(fdisk_partition_get_partno) X(fdisk_partition_get_size) X(fdisk_partition_is_container)                       \
    X(fdisk_partition_is_used) X(fdisk_partition_next_partno) X(fdisk_partition_partno_follow_default)              \
    X(fdisk_partition_set_partno) X(fdisk_partition_set_size) X(fdisk_partition_set_start)                          \
    X(fdisk_partition_start_follow_default) X(fdisk_partname) X(fdisk_reread_changes)                               \
    X(fdisk_table_add_partition) X(fdisk_table_get_nents) X(fdisk_table_get_partition) X(fdisk_unref_context)       \
    X(fdisk_unref_partition) X(fdisk_unref_table) X(fdisk_write_disklabel)
VR_DLIB_LOCAL(FDISK_FUNCS, "libfdisk1", "libfdisk.so.1");

typedef struct {
    struct fdisk_context *cxt;
    unsigned long ss; /* sector size */
} disk;

static const char *dev_of(const vr_pool *p) { return p->def->source.device; }

/* Open the pool's device; `need_label`: refuse a disk without a table. */
static vr_err disk_open(const vr_pool *p, bool rw, bool need_label, disk *d, char **err)
{
    if (!vr_dlib_load(&dl_lib, err))
        return VR_ERR_FAILED;
    d->cxt = dl.fdisk_new_context();
    int rc = d->cxt ? dl.fdisk_assign_device(d->cxt, dev_of(p), rw ? 0 : 1) : -ENOMEM;
    if (rc < 0) {
        vr_set_error(err, "pool '%s': cannot open %s: %s", p->def->name, dev_of(p), strerror(-rc));
        dl.fdisk_unref_context(d->cxt);
        d->cxt = NULL;
        return rc == -ENOENT ? VR_ERR_NOT_FOUND : VR_ERR_FAILED;
    }
    d->ss = dl.fdisk_get_sector_size(d->cxt);
    if (need_label && !dl.fdisk_has_label(d->cxt)) {
        vr_set_error(err, "pool '%s': %s has no partition table ('vireo pool-build %s' writes one)",
                     p->def->name, dev_of(p), p->def->name);
        dl.fdisk_deassign_device(d->cxt, 1);
        dl.fdisk_unref_context(d->cxt);
        d->cxt = NULL;
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

static void disk_close(disk *d, bool wrote)
{
    if (!d->cxt)
        return;
    dl.fdisk_deassign_device(d->cxt, !wrote);
    dl.fdisk_unref_context(d->cxt);
    d->cxt = NULL;
}

/* The table's label name as the pool's format calls it. */
static const char *label_name(disk *d)
{
    struct fdisk_label *lb = dl.fdisk_get_label(d->cxt, NULL);
    return lb ? dl.fdisk_label_get_name(lb) : "none";
}

static char *part_path(const vr_pool *p, size_t partno)
{
    return dl.fdisk_partname(dev_of(p), partno + 1);
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void fill(vr_pool *p, disk *d, struct fdisk_partition *pa, vr_vol_info *v, bool users)
{
    size_t n = dl.fdisk_partition_get_partno(pa);
    memset(v, 0, sizeof(*v));
    v->path = part_path(p, n);
    v->name = vr_strdup(base_of(v->path));
    v->pool = vr_strdup(p->def->name);
    v->format = VR_VOL_RAW;
    v->block = true;
    v->capacity = v->allocation = (unsigned long long)dl.fdisk_partition_get_size(pa) * d->ss;
    v->used_by = users ? vr_storage_user_of(p->drv, v->path) : NULL;
}

/* Visit the partitions in use; stop when `fn` returns true. */
static void each_partition(vr_pool *p, disk *d, bool (*fn)(vr_pool *, disk *, struct fdisk_partition *, void *),
                           void *opaque)
{
    struct fdisk_table *tb = NULL;
    if (dl.fdisk_get_partitions(d->cxt, &tb) < 0)
        return;
    for (size_t i = 0; i < dl.fdisk_table_get_nents(tb); i++) {
        struct fdisk_partition *pa = dl.fdisk_table_get_partition(tb, i);
        if (dl.fdisk_partition_is_used(pa) && !dl.fdisk_partition_is_container(pa) && fn(p, d, pa, opaque))
            break;
    }
    dl.fdisk_unref_table(tb);
}

/* The partitions the kernel knows of the disk now, from sysfs
 * (/sys/class/block/DISK/PART/{partition,start,size}, 512-byte units). */
static struct fdisk_table *kernel_table(const vr_pool *p, disk *d)
{
    struct fdisk_table *tb = dl.fdisk_new_table();
    char *real = realpath(dev_of(p), NULL);
    char *dir = real ? vr_asprintf("/sys/class/block/%s", base_of(real)) : NULL;
    DIR *dh = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (dh && (e = readdir(dh))) {
        unsigned long long v[3];
        const char *names[] = {"partition", "start", "size"};
        bool ok = e->d_name[0] != '.';
        for (int i = 0; ok && i < 3; i++) {
            char *f = vr_asprintf("%s/%s/%s", dir, e->d_name, names[i]);
            char *text = vr_file_read(f, NULL);
            ok = text && sscanf(text, "%llu", &v[i]) == 1;
            free(text);
            free(f);
        }
        if (!ok || v[0] == 0)
            continue;
        struct fdisk_partition *pa = dl.fdisk_new_partition();
        dl.fdisk_partition_set_partno(pa, v[0] - 1);
        dl.fdisk_partition_set_start(pa, v[1] * 512 / d->ss);
        dl.fdisk_partition_set_size(pa, v[2] * 512 / d->ss);
        dl.fdisk_table_add_partition(tb, pa);
        dl.fdisk_unref_partition(pa);
    }
    if (dh)
        closedir(dh);
    free(dir);
    free(real);
    return tb;
}

/* Tell the kernel the partitions of the table on disk, one by one with
 * BLKPG (add, remove, resize what differs from what it knows). A
 * whole re-read (BLKRRPART) is refused while any partition is in use,
 * and needs the kernel's own parser for the label, which not every
 * kernel has; BLKPG needs neither. Partitions in use are left as they
 * are. */
static void kernel_sync(const vr_pool *p, disk *d)
{
    struct fdisk_table *known = kernel_table(p, d);
    int rc = dl.fdisk_reread_changes(d->cxt, known);
    if (rc < 0)
        vr_log_warn("pool %s: the kernel did not take every change to the table of %s (%s); "
                    "partitions in use keep their old /dev nodes", p->def->name, dev_of(p), strerror(-rc));
    dl.fdisk_unref_table(known);
}

/* Write the changed table and tell the kernel. */
static vr_err commit(vr_pool *p, disk *d, const char *what, char **err)
{
    int rc = dl.fdisk_write_disklabel(d->cxt);
    if (rc < 0) {
        vr_set_error(err, "pool '%s': cannot write the partition table of %s to %s: %s", p->def->name,
                     dev_of(p), what, strerror(-rc));
        return VR_ERR_FAILED;
    }
    kernel_sync(p, d);
    return VR_OK;
}

/* pool-start and pool-refresh: partitions made behind Vireo's back get
 * their /dev nodes. */
static vr_err disk_refresh(vr_pool *p, char **err)
{
    disk d = {0};
    vr_err e = disk_open(p, true, true, &d, err);
    if (e)
        return e;
    kernel_sync(p, &d);
    disk_close(&d, false);
    return VR_OK;
}

/* ---- the pool ---- */

static vr_err disk_check(vr_pool *p, char **err)
{
    char *what = vr_asprintf("pool '%s'", p->def->name);
    vr_err e = vr_blockdev_check_exists(dev_of(p), what, err);
    free(what);
    if (e && p->active) {
        free(*err);
        *err = NULL;
        vr_set_error(err, "pool '%s': its device %s has vanished, so the pool is inactive now", p->def->name,
                     dev_of(p));
        return VR_ERR_NOT_FOUND;
    }
    return e ? VR_ERR_CONFLICT : VR_OK;
}

static vr_err disk_build(vr_pool *p, unsigned flags, char **err)
{
    char *what = vr_asprintf("pool '%s'", p->def->name);
    vr_err e = vr_blockdev_check_free(p->drv, dev_of(p), what, err);
    free(what);
    char *fs = NULL, *pt = NULL;
    if (!e && vr_blockdev_probe(dev_of(p), &fs, &pt, err) < 0)
        e = VR_ERR_FAILED;
    if (!e && (fs || pt) && !(flags & VR_POOL_BUILD_OVERWRITE)) {
        vr_set_error(err, "pool '%s': %s already holds %s %s; 'vireo pool-build %s --overwrite' replaces "
                          "it (everything on the disk is lost)", p->def->name, dev_of(p),
                     pt ? "a partition table of type" : "a file system of type", pt ? pt : fs, p->def->name);
        e = VR_ERR_CONFLICT;
    }
    free(fs);
    free(pt);
    disk d = {0};
    if (e || (e = disk_open(p, true, false, &d, err)))
        return e;
    dl.fdisk_enable_wipe(d.cxt, 1); /* old signatures go with the old table */
    const char *label = p->def->source.format;
    int rc = dl.fdisk_create_disklabel(d.cxt, label);
    if (rc == 0)
        rc = dl.fdisk_write_disklabel(d.cxt);
    if (rc < 0) {
        vr_set_error(err, "pool '%s': cannot write a %s partition table on %s: %s", p->def->name, label,
                     dev_of(p), strerror(-rc));
        disk_close(&d, false);
        return VR_ERR_FAILED;
    }
    kernel_sync(p, &d); /* the old partitions go */
    disk_close(&d, true);
    vr_log_info("pool %s: wrote a %s partition table on %s", p->def->name, label, dev_of(p));
    return VR_OK;
}

static vr_err disk_start(vr_pool *p, char **err)
{
    vr_err e = disk_check(p, err);
    disk d = {0};
    if (e || (e = disk_open(p, false, true, &d, err)))
        return e;
    const char *have = label_name(&d), *want = p->def->source.format;
    if (strcmp(have, want) != 0) {
        vr_set_error(err, "pool '%s': %s has a %s partition table, not %s (fix the pool's <format>, or "
                          "'vireo pool-build %s --overwrite' to replace the table)", p->def->name, dev_of(p),
                     have, want, p->def->name);
        e = VR_ERR_CONFLICT;
    }
    disk_close(&d, false);
    return e != VR_OK ? e : disk_refresh(p, err);
}

static vr_err disk_stop(vr_pool *p, char **err)
{
    (void)p;
    (void)err;
    return VR_OK; /* nothing is held while active */
}

static vr_err disk_remove(vr_pool *p, char **err)
{
    vr_set_error(err, "pool '%s': pool-delete would erase the partition table of %s; Vireo leaves that "
                      "to you (wipefs -a %s), then pool-undefine", p->def->name, dev_of(p), dev_of(p));
    return VR_ERR_INVALID;
}

static bool count_used(vr_pool *p, disk *d, struct fdisk_partition *pa, void *opaque)
{
    (void)p;
    unsigned long long *used = opaque;
    used[0] += (unsigned long long)dl.fdisk_partition_get_size(pa) * d->ss;
    used[1]++;
    return false;
}

static unsigned long long largest_free(disk *d, unsigned long long *total)
{
    struct fdisk_table *tb = NULL;
    unsigned long long best = 0;
    if (total)
        *total = 0;
    if (dl.fdisk_get_freespaces(d->cxt, &tb) < 0)
        return 0;
    for (size_t i = 0; i < dl.fdisk_table_get_nents(tb); i++) {
        struct fdisk_partition *pa = dl.fdisk_table_get_partition(tb, i);
        unsigned long long s = (unsigned long long)dl.fdisk_partition_get_size(pa) * d->ss;
        if (s > best)
            best = s;
        if (total)
            *total += s;
    }
    dl.fdisk_unref_table(tb);
    return best;
}

static void disk_stats(vr_pool *p, vr_pool_stats *st, size_t *n_volumes)
{
    disk d = {0};
    char *e = NULL;
    if (disk_open(p, false, true, &d, &e)) {
        free(e);
        return;
    }
    unsigned long long used[2] = {0, 0};
    each_partition(p, &d, count_used, used);
    st->capacity = (unsigned long long)dl.fdisk_get_nsectors(d.cxt) * d.ss;
    largest_free(&d, &st->available);
    st->allocation = used[0];
    if (n_volumes)
        *n_volumes = used[1];
    disk_close(&d, false);
}

/* ---- volumes ---- */

typedef struct {
    vr_vol_info *list;
    size_t n;
} collect;

static bool add_one(vr_pool *p, disk *d, struct fdisk_partition *pa, void *opaque)
{
    collect *c = opaque;
    c->list = vr_realloc(c->list, (c->n + 1) * sizeof(*c->list));
    fill(p, d, pa, &c->list[c->n++], true);
    return false;
}

static vr_err disk_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err)
{
    disk d = {0};
    vr_err e = disk_open(p, false, true, &d, err);
    if (e)
        return e;
    collect c = {0};
    each_partition(p, &d, add_one, &c);
    disk_close(&d, false);
    *out = c.list;
    *n = c.n;
    return VR_OK;
}

typedef struct {
    const char *name;
    bool users, found;
    vr_vol_info *v;
    size_t partno;
} lookup;

static bool match(vr_pool *p, disk *d, struct fdisk_partition *pa, void *opaque)
{
    lookup *l = opaque;
    size_t n = dl.fdisk_partition_get_partno(pa);
    char *path = part_path(p, n);
    l->found = strcmp(base_of(path), l->name) == 0;
    free(path);
    if (l->found) {
        l->partno = n;
        if (l->v)
            fill(p, d, pa, l->v, l->users);
    }
    return l->found;
}

static bool disk_describe(vr_pool *p, const char *name, vr_vol_info *v, bool users)
{
    disk d = {0};
    char *e = NULL;
    if (disk_open(p, false, true, &d, &e)) {
        free(e);
        return false;
    }
    lookup l = {.name = name, .users = users, .v = v};
    each_partition(p, &d, match, &l);
    disk_close(&d, false);
    return l.found;
}

static vr_err disk_create_vol(vr_pool *p, const vr_vol_def *def, const char *backing, char **err)
{
    if (backing || def->backing_path || def->format != VR_VOL_RAW) {
        vr_set_error(err, "volume '%s': a disk pool's volumes are raw partitions (no qcow2, no backing "
                          "volume)", def->name);
        return VR_ERR_INVALID;
    }
    disk d = {0};
    vr_err e = disk_open(p, true, true, &d, err);
    if (e)
        return e;
    struct fdisk_partition *pa = dl.fdisk_new_partition();
    size_t partno = 0;
    char *path = NULL;
    unsigned long grain = dl.fdisk_get_grain_size(d.cxt); /* 1 MiB */
    unsigned long long bytes = (def->capacity + grain - 1) / grain * grain, room = largest_free(&d, NULL);
    dl.fdisk_partition_partno_follow_default(pa, 1);
    if (dl.fdisk_partition_next_partno(pa, d.cxt, &partno) < 0) {
        vr_set_error(err, "pool '%s': the %s partition table of %s has no free slot", p->def->name,
                     label_name(&d), dev_of(p));
        e = VR_ERR_CONFLICT;
    } else if (strcmp(base_of(path = part_path(p, partno)), def->name) != 0) {
        vr_set_error(err, "volume '%s': a disk pool's volumes are named as the kernel names the "
                          "partitions; the next one on %s is '%s'", def->name, dev_of(p), base_of(path));
        e = VR_ERR_INVALID;
    } else if (bytes > room) {
        vr_set_error(err, "volume '%s': %llu bytes do not fit in pool '%s' (the largest free space on %s is "
                          "%llu bytes)", def->name, bytes, p->def->name, dev_of(p), room);
        e = VR_ERR_INVALID;
    } else if (dl.fdisk_partition_partno_follow_default(pa, 0) < 0 ||
               dl.fdisk_partition_set_partno(pa, partno) < 0 ||
               dl.fdisk_partition_set_size(pa, bytes / d.ss) < 0 ||
               dl.fdisk_partition_start_follow_default(pa, 1) < 0 ||
               dl.fdisk_add_partition(d.cxt, pa, NULL) < 0) {
        vr_set_error(err, "volume '%s': libfdisk cannot add a partition of %llu bytes to %s", def->name,
                     bytes, dev_of(p));
        e = VR_ERR_FAILED;
    } else {
        e = commit(p, &d, "add the partition", err);
    }
    free(path);
    dl.fdisk_unref_partition(pa);
    disk_close(&d, e == VR_OK);
    return e;
}

static vr_err disk_delete_vol(vr_pool *p, const vr_vol_info *v, char **err)
{
    char *what = vr_asprintf("volume '%s'", v->name);
    vr_err e = vr_blockdev_check_free(p->drv, v->path, what, err);
    free(what);
    disk d = {0};
    if (e || (e = disk_open(p, true, true, &d, err)))
        return e;
    lookup l = {.name = v->name};
    each_partition(p, &d, match, &l);
    if (!l.found) {
        vr_set_error(err, "volume '%s' vanished from %s meanwhile", v->name, dev_of(p));
        e = VR_ERR_NOT_FOUND;
    } else if (dl.fdisk_delete_partition(d.cxt, l.partno) < 0) {
        vr_set_error(err, "volume '%s': libfdisk cannot remove the partition from %s", v->name, dev_of(p));
        e = VR_ERR_FAILED;
    } else {
        e = commit(p, &d, "remove the partition", err);
    }
    disk_close(&d, e == VR_OK);
    return e;
}

static vr_err disk_resize_vol(vr_pool *p, const vr_vol_info *v, unsigned long long capacity, bool shrink,
                              char **err)
{
    (void)capacity;
    (void)shrink;
    vr_set_error(err, "volume '%s' is a partition of disk pool '%s': Vireo does not resize partitions "
                      "(parted's resizepart does, while no domain uses it)", v->name, p->def->name);
    return VR_ERR_INVALID;
}

/* BLKZEROOUT: the kernel zeroes the partition (offloaded where the
 * device can, as a loop device on a file does by punching holes). */
static vr_err disk_wipe_vol(vr_pool *p, const vr_vol_info *v, char **err)
{
    char *what = vr_asprintf("volume '%s'", v->name);
    vr_err e = vr_blockdev_check_free(p->drv, v->path, what, err);
    free(what);
    if (e)
        return e;
    int fd = open(v->path, O_WRONLY | O_CLOEXEC | O_EXCL);
    uint64_t range[2] = {0, v->capacity};
    if (fd < 0 || ioctl(fd, BLKZEROOUT, range) < 0) {
        vr_set_error(err, "cannot wipe volume '%s' (%s): %s", v->name, v->path, strerror(errno));
        e = VR_ERR_FAILED;
    }
    if (fd >= 0)
        close(fd);
    return e;
}

const vr_pool_backend vr_backend_disk = {
    .files = false,
    .check = disk_check,
    .build = disk_build,
    .start = disk_start,
    .stop = disk_stop,
    .remove = disk_remove,
    .stats = disk_stats,
    .refresh = disk_refresh,
    .list = disk_list,
    .describe = disk_describe,
    .create_vol = disk_create_vol,
    .delete_vol = disk_delete_vol,
    .resize_vol = disk_resize_vol,
    .wipe_vol = disk_wipe_vol,
};
