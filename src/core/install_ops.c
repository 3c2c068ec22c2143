/* Installs planned once (install_ops.h): virt-install's options, as the
 * CLI and the web wizard send them in POST /v1/install, read into one
 * plan against this host's pools, volumes, networks and domains -- the
 * os variant, the name, the limits, the disks, NICs, graphics, the
 * firmware -- before anything is made; then made, with everything made
 * removed again on a failure. Every mistake is one line naming the
 * option. The XML of each phase is src/install's (install_xml.c). */
#include "core/install_ops.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "conf/names.h"
#include "conf/uuid.h"
#include "drivers/network/network_driver.h"
#include "drivers/storage/storage_driver.h"
#include "drivers/storage/storage_img.h"
#include "install/install_kv.h"
#include "install/install_plan.h"
#include "wire/schemas.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GIB (1024ull * 1024 * 1024)
#define VR_EXIT_OK 0

/* A volume the install made, for a rollback. */
typedef struct {
    char *pool, *name;
} made_vol;

struct vr_core_install {
    vr_install_env env;
    vireo_install_request req; /* a copy of the inputs */
    vr_install_plan plan;
    vr_err code;               /* of the first error */
    char *err;
    bool no_disk;
    char *uuid;
    char *cdrom_pool, *cdrom_vol; /* --cdrom (or --location's ISO) from a volume */
    char *media_pool;          /* where seeds and the installer's kernel go */
    int seed_disk;             /* index in plan.disks, -1 */
    char *kernel_vol, *initrd_vol; /* to upload, in a dry run of a --location install */
    bool virtio_win;           /* a virtio-win driver ISO is attached: virtio NICs too */
    char **networks_to_start;
    size_t n_networks_to_start;
    char **notices;
    size_t n_notices;
    bool two_phase, restart;
    /* made, for a rollback */
    made_vol *made;
    size_t n_made;
    /* making it */
    size_t next_disk;          /* the next new volume */
    vr_storage_copy *copy;     /* the copy under way */
    unsigned n_copies, copies_done;
    bool cancelled;
    bool committed;            /* the definition is under way: no cancel */
    vr_core_install_progress progress;
    vr_core_install_done done;
    void *opaque;
};

/* The installs under way, by name: a second install of a name is
 * refused while the first one copies its disks (nothing is defined yet). */
static char **running;
static size_t n_running;

static bool is_running(const char *name)
{
    for (size_t i = 0; i < n_running; i++)
        if (strcmp(running[i], name) == 0)
            return true;
    return false;
}

static void running_del(const char *name)
{
    for (size_t i = 0; i < n_running; i++) {
        if (strcmp(running[i], name) == 0) {
            free(running[i]);
            running[i] = running[--n_running];
            break;
        }
    }
    if (!n_running) {
        free(running);
        running = NULL;
    }
}

/* The first error, one line; returns 1 (a failed step). */
static int bad(vr_core_install *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(vr_core_install *x, const char *fmt, ...)
{
    if (x->err)
        return 1;
    va_list ap;
    va_start(ap, fmt);
    x->err = vr_vasprintf(fmt, ap);
    va_end(ap);
    if (x->code == VR_OK)
        x->code = VR_ERR_INVALID;
    return 1;
}

static void notice(vr_core_install *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(vr_core_install *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    x->notices = vr_realloc(x->notices, (x->n_notices + 1) * sizeof(*x->notices));
    x->notices[x->n_notices++] = vr_vasprintf(fmt, ap);
    va_end(ap);
}

/* ---- pools and volume names ---- */

/* The pool must exist and run; its directory into *path. */
static int pool_ready(vr_core_install *x, const char *name, char **path)
{
    vr_pool *p = vr_storage_pool_lookup(x->env.storage, name);
    if (!p)
        return bad(x, "storage pool '%s' not found (vireo pool-list --all shows the pools)", name);
    if (!p->active)
        return bad(x, "storage pool '%s' is not active; start it with: vireo pool-start %s", name, name);
    if (path)
        *path = vr_strdup(p->def->target_path);
    return VR_EXIT_OK;
}

/* A volume of an active pool, described into *v. */
static int vol_get(vr_core_install *x, const char *pool, const char *name, vr_vol_info *v)
{
    int rc = pool_ready(x, pool, NULL);
    if (rc)
        return rc;
    char *err = NULL;
    vr_err code = vr_storage_vol_get(vr_storage_pool_lookup(x->env.storage, pool), name, v, &err);
    if (code != VR_OK) {
        x->code = code;
        rc = bad(x, "%s", err);
    }
    free(err);
    return rc;
}

static bool vol_by_path(vr_core_install *x, const char *path, vr_vol_info *v)
{
    vr_pool *pool = NULL;
    char *err = NULL;
    bool found = vr_storage_vol_by_path(x->env.storage, path, &pool, v, &err) == VR_OK;
    free(err);
    return found;
}

/* "POOL/VOLUME" of a volume that exists. */
static int volume_spec(vr_core_install *x, const char *opt, const char *spec, char **pool, char **name)
{
    const char *slash = strchr(spec, '/');
    if (!slash || slash == spec || !slash[1])
        return bad(x, "%s %s: give POOL/VOLUME", opt, spec);
    *pool = vr_strndup(spec, (size_t)(slash - spec));
    *name = vr_strdup(slash + 1);
    vr_vol_info v = {0};
    int rc = vol_get(x, *pool, *name, &v);
    vr_vol_info_clear(&v);
    return rc;
}

/* A volume name free in the pool and not yet planned: BASE.EXT,
 * BASE-1.EXT, ... as virt-install names them. */
static char *free_vol_name(vr_core_install *x, const char *pool, const char *base, const char *ext)
{
    vr_vol_info *vols = NULL;
    size_t n = 0;
    char *err = NULL;
    vr_pool *p = vr_storage_pool_lookup(x->env.storage, pool);
    if (!p || vr_storage_vol_list(p, &vols, &n, &err) != VR_OK)
        n = 0;
    free(err);
    for (int k = 0;; k++) {
        char *cand = k ? vr_asprintf("%s-%d%s", base, k, ext) : vr_asprintf("%s%s", base, ext);
        bool taken = false;
        for (size_t i = 0; i < n && !taken; i++)
            taken = strcmp(vols[i].name, cand) == 0;
        for (size_t i = 0; i < x->plan.n_disks && !taken; i++)
            taken = x->plan.disks[i].volume && x->plan.disks[i].pool && strcmp(x->plan.disks[i].pool, pool) == 0 &&
                strcmp(x->plan.disks[i].volume, cand) == 0;
        const char *others[] = {x->kernel_vol, x->initrd_vol};
        for (size_t i = 0; i < VR_ARRAY_LEN(others) && !taken; i++)
            taken = others[i] && strcmp(others[i], cand) == 0;
        if (!taken) {
            vr_vol_info_list_free(vols, n);
            return cand;
        }
        free(cand);
    }
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s || !isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* ---- pools and volume names ---- */

static vr_idisk *add_disk(vr_core_install *x)
{
    return vr_install_add_disk(&x->plan);
}

/* The format of an image file here: qcow2 by its magic, else raw. */
static const char *probe_local(const char *path)
{
    unsigned char m[4] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "raw";
    ssize_t r = read(fd, m, 4);
    close(fd);
    return r == 4 && memcmp(m, "QFI\xfb", 4) == 0 ? "qcow2" : "raw";
}

static const char *cdrom_bus(const vr_core_install *x)
{
    return vr_install_cdrom_bus(x->plan.machine);
}

static const char *default_disk_bus(const vr_core_install *x)
{
    return vr_install_disk_bus(x->plan.os, x->plan.machine);
}

/* ---- --disk copy_from=: a new volume with an image's content ---- */

static int copy_checks(vr_core_install *x, const char *spec, bool where, const char *size, const char *backing,
                       bool cdrom)
{
    if (where)
        return bad(x, "--disk %s: copy_from= makes a new volume; drop path=/vol= (pool= says where it goes)", spec);
    if (size)
        return bad(x, "--disk %s: the copy has its image's size; drop size= (vireo vol-resize grows it later)",
                   spec);
    if (backing)
        return bad(x, "--disk %s: give copy_from= (a full copy) or backing_store= (an overlay), not both", spec);
    if (cdrom)
        return bad(x, "--disk %s: copy_from= makes a disk, not a CD-ROM", spec);
    return VR_EXIT_OK;
}

/* The image to copy: an absolute path on the daemon's host or
 * POOL/VOLUME; its format and size into d (format: the copy's, or NULL
 * for the source's). */
static int copy_source(vr_core_install *x, vr_idisk *d, const char *from, const char *format)
{
    vr_vol_info v = {0};
    int rc = VR_EXIT_OK;
    if (from[0] == '/') {
        struct stat st;
        if (stat(from, &st) < 0 || access(from, R_OK) < 0)
            return bad(x, "--disk copy_from=%s: %s (the image must be on the daemon's host)", from, strerror(errno));
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
            return bad(x, "--disk copy_from=%s: not an image file or a block device", from);
        char *ierr = NULL;
        json_object *info = vr_img_info(from, &ierr), *vs = NULL, *fmt = NULL;
        if (!info) {
            rc = bad(x, "--disk copy_from=%s: %s", from, ierr);
            free(ierr);
            return rc;
        }
        json_object_object_get_ex(info, "virtual-size", &vs);
        json_object_object_get_ex(info, "format", &fmt);
        d->copy_from = vr_strdup(from);
        d->copy_format = vr_strdup(fmt && strcmp(json_object_get_string(fmt), "qcow2") == 0 ? "qcow2" : "raw");
        d->bytes = vs ? (unsigned long long)json_object_get_int64(vs) : (unsigned long long)st.st_size;
        json_object_put(info);
    } else {
        char *pool = NULL, *name = NULL;
        rc = volume_spec(x, "--disk copy_from=", from, &pool, &name);
        if (!rc)
            rc = vol_get(x, pool, name, &v);
        if (!rc && !v.path)
            rc = bad(x, "--disk copy_from=%s: volume '%s' of pool '%s' is not a file here; copy it into a dir "
                        "pool first (vireo vol-create-from)", from, name, pool);
        free(pool), free(name);
        if (rc) {
            vr_vol_info_clear(&v);
            return rc;
        }
        d->copy_from = vr_strdup(v.path);
        d->copy_format = vr_strdup(v.format == VR_VOL_QCOW2 ? "qcow2" : "raw");
        d->bytes = v.capacity;
        vr_vol_info_clear(&v);
    }
    d->format = vr_strdup(format ? format : d->copy_format);
    return VR_EXIT_OK;
}

/* The copy goes into a pool of files (dir, fs): qemu-img writes a file there. */
static int copy_dest(vr_core_install *x, const vr_idisk *d)
{
    char *path = NULL, *err = NULL;
    vr_pool *p = vr_storage_pool_lookup(x->env.storage, d->pool);
    if (!p || vr_pool_vol_path(p, d->volume, &path, &err) != VR_OK) {
        int rc = bad(x, "--disk copy_from=%s: pool '%s' keeps no files (%s); copy into a dir or fs pool", d->copy_from,
                     d->pool, err ? err : "not found");
        free(err);
        return rc;
    }
    free(path);
    return VR_EXIT_OK;
}

/* --disk SPEC */
static int parse_disk(vr_core_install *x, const char *spec)
{
    if (strcmp(spec, "none") == 0) {
        x->no_disk = true;
        return VR_EXIT_OK;
    }
    size_t n;
    vr_kv *items = vr_kv_split(spec, &n);
    const char *path = NULL, *vol = NULL, *pool = NULL, *size = NULL, *format = NULL, *bus = NULL, *device = NULL,
               *cache = NULL, *discard = NULL, *readonly = NULL, *backing = NULL, *copy_from = NULL;
    int rc = VR_EXIT_OK;
    for (size_t i = 0; i < n && rc == VR_EXIT_OK; i++) {
        const char *k = items[i].key, *v = items[i].value;
        if (!*k || strcmp(k, "path") == 0)
            path = v;
        else if (strcmp(k, "vol") == 0)
            vol = v;
        else if (strcmp(k, "pool") == 0)
            pool = v;
        else if (strcmp(k, "size") == 0)
            size = v;
        else if (strcmp(k, "format") == 0 || strcmp(k, "driver.type") == 0)
            format = v;
        else if (strcmp(k, "bus") == 0 || strcmp(k, "target.bus") == 0)
            bus = v;
        else if (strcmp(k, "device") == 0)
            device = v;
        else if (strcmp(k, "cache") == 0 || strcmp(k, "driver.cache") == 0)
            cache = v;
        else if (strcmp(k, "discard") == 0 || strcmp(k, "driver.discard") == 0)
            discard = v;
        else if (strcmp(k, "readonly") == 0)
            readonly = v;
        else if (strcmp(k, "backing_store") == 0)
            backing = v;
        else if (strcmp(k, "copy_from") == 0)
            copy_from = v;
        else if (strcmp(k, "sparse") == 0)
            continue; /* images are always sparse */
        else
            rc = bad(x, 
                "--disk %s: unknown option '%s' (known: size, pool, format, bus, path, vol, device, "
                "cache, discard, readonly, backing_store, copy_from)",
                spec, k);
    }
    if (rc)
        goto out;
    bool cdrom = false;
    if (device && strcmp(device, "cdrom") == 0)
        cdrom = true;
    else if (device && strcmp(device, "disk") != 0) {
        rc = bad(x, "--disk device=%s: not supported (disk or cdrom)", device);
        goto out;
    }
    if (format && strcmp(format, "qcow2") && strcmp(format, "raw")) {
        rc = bad(x, "--disk format=%s: not supported (qcow2 or raw)", format);
        goto out;
    }
    if (bus && strcmp(bus, "virtio") && strcmp(bus, "sata") && strcmp(bus, "scsi") && strcmp(bus, "ide")) {
        rc = bad(x, "--disk bus=%s: not supported (virtio, sata, scsi, ide)", bus);
        goto out;
    }
    if (bus && strcmp(bus, "ide") == 0 && vr_install_is_q35(x->plan.machine)) {
        rc = bad(x, "--disk bus=ide: machine %s has no IDE controller; use bus=sata", x->plan.machine);
        goto out;
    }
    if (cdrom && bus && strcmp(bus, "virtio") == 0) {
        rc = bad(x, "--disk device=cdrom,bus=virtio: a CD-ROM drive is on ide, sata or scsi");
        goto out;
    }
    if (readonly && strcmp(readonly, "on") && strcmp(readonly, "yes") && strcmp(readonly, "off") &&
        strcmp(readonly, "no")) {
        rc = bad(x, "--disk readonly=%s: give on or off", readonly);
        goto out;
    }
    double gib = 0;
    if (size) {
        char *end;
        errno = 0;
        gib = strtod(size, &end);
        if (errno || *end || end == size || !isfinite(gib) || gib < 0) {
            rc = bad(x, "--disk size=%s: give the size in GiB, e.g. size=10 or size=0.5", size);
            goto out;
        }
        if (gib > VR_INSTALL_DISK_MAX_GIB) {
            rc = bad(x, "--disk size=%s: at most %llu GiB (8 EiB)", size, VR_INSTALL_DISK_MAX_GIB);
            goto out;
        }
        if (gib * GIB < 1024 * 1024) {
            rc = bad(x, "--disk size=%s: a new disk needs a size of more than 0 (in GiB; at least 1 MiB)",
                                 size);
            goto out;
        }
    }
    if ((path != NULL) + (vol != NULL) > 1) {
        rc = bad(x, "--disk %s: give path= or vol=, not both", spec);
        goto out;
    }
    if (copy_from && (rc = copy_checks(x, spec, path || vol, size, backing, cdrom)))
        goto out;
    vr_idisk *d = add_disk(x);
    d->cdrom = cdrom;
    d->readonly = cdrom || (readonly && (strcmp(readonly, "on") == 0 || strcmp(readonly, "yes") == 0));
    d->bus = vr_strdup(bus ? bus : cdrom ? cdrom_bus(x) : default_disk_bus(x));
    d->cache = cache ? vr_strdup(cache) : NULL;
    d->discard = discard ? vr_strdup(discard) : NULL;
    if (vol) {
        const char *slash = strchr(vol, '/');
        if (!slash || slash == vol || !slash[1]) {
            rc = bad(x, "--disk vol=%s: give POOL/VOLUME", vol);
            goto out;
        }
        d->type = VR_IDISK_VOLUME;
        d->pool = vr_strndup(vol, (size_t)(slash - vol));
        d->volume = vr_strdup(slash + 1);
        if ((rc = pool_ready(x, d->pool, NULL)))
            goto out;
        vr_vol_info v = {0};
        if ((rc = vol_get(x, d->pool, d->volume, &v)))
            goto out;
        d->format = vr_strdup(format ? format : v.format == VR_VOL_QCOW2 ? "qcow2" : "raw");
        if (v.format == VR_VOL_ISO && !device) {
            d->cdrom = d->readonly = true;
            free(d->bus);
            d->bus = vr_strdup(cdrom_bus(x));
        }
        vr_vol_info_clear(&v);
        if (size) {
            rc = bad(x, "--disk vol=%s: the volume exists; size= only makes new disks", vol);
            goto out;
        }
        goto out;
    }
    if (path) {
        if (path[0] != '/') {
            rc = bad(x, "--disk path=%s: give an absolute path", path);
            goto out;
        }
        struct stat st;
        bool exists = stat(path, &st) == 0;
        vr_vol_info v = {0};
        bool is_vol = vol_by_path(x, path, &v);
        if (is_vol || exists) {
            if (size) {
                vr_vol_info_clear(&v);
                rc = bad(x, "--disk path=%s,size=%s: %s exists; drop size= to use it, or name a new file",
                                     path, size, path);
                goto out;
            }
            if (!exists) {
                vr_vol_info_clear(&v);
                rc = bad(x, "--disk path=%s: %s", path, strerror(ENOENT));
                goto out;
            }
            d->type = exists && S_ISBLK(st.st_mode) ? VR_IDISK_BLOCK : VR_IDISK_FILE;
            d->path = vr_strdup(path);
            const char *probed = "raw";
            if (is_vol)
                probed = v.format == VR_VOL_QCOW2 ? "qcow2" : "raw";
            else if (exists && d->type == VR_IDISK_FILE)
                probed = probe_local(path);
            d->format = vr_strdup(format ? format : probed);
            vr_vol_info_clear(&v);
            goto out;
        }
        if (!size) {
            rc = bad(x, "--disk path=%s: %s%s", path, strerror(ENOENT),
                                 cdrom ? "" : " (add size=G to make a new disk there)");
            goto out;
        }
        /* A new image at a path: it must be in a pool's directory. */
        char *copy = vr_strdup(path), *dir = dirname(copy);
        size_t np = 0;
        vr_pool *const *pools = vr_storage_pools(x->env.storage, &np);
        for (size_t i = 0; i < np && !d->pool; i++)
            if (pools[i]->active && pools[i]->def->target_path && strcmp(pools[i]->def->target_path, dir) == 0)
                d->pool = vr_strdup(pools[i]->def->name);
        if (!d->pool) {
            rc = bad(x, 
                "--disk path=%s: new disks are made in storage pools, and %s is not the directory of "
                "an active one (vireo pool-list --details); use size=G[,pool=POOL]",
                path, dir);
            free(copy);
            goto out;
        }
        free(copy);
        char *base = vr_strdup(path);
        d->volume = vr_strdup(basename(base));
        free(base);
    } else {
        if (cdrom) {
            rc = bad(x, "--disk %s: a CD-ROM drive needs path= or vol=", spec);
            goto out;
        }
        d->pool = vr_strdup(pool ? pool : "default");
    }
    /* A new volume. */
    if ((rc = pool_ready(x, d->pool, NULL)))
        goto out;
    d->type = VR_IDISK_VOLUME;
    d->create = true;
    if (!copy_from)
        d->format = vr_strdup(format ? format : "qcow2");
    if (backing) {
        if (strcmp(d->format, "qcow2") != 0) {
            rc = bad(x, "--disk backing_store=%s: an overlay is qcow2; drop format=raw", backing);
            goto out;
        }
        if (backing[0] != '/') {
            vr_vol_info v = {0};
            vr_pool *bp = vr_storage_pool_lookup(x->env.storage, d->pool);
            char *verr = NULL;
            vr_err vc = bp ? vr_storage_vol_get(bp, backing, &v, &verr) : VR_ERR_NOT_FOUND;
            free(verr);
            vr_vol_info_clear(&v);
            if (vc != VR_OK) {
                rc = bad(x, "--disk backing_store=%s: no such volume in pool '%s' (or give a path)",
                                     backing, d->pool);
                goto out;
            }
        } else if (access(backing, R_OK) < 0) {
            rc = bad(x, "--disk backing_store=%s: %s", backing, strerror(errno));
            goto out;
        }
        d->backing = vr_strdup(backing);
    }
    if (copy_from) {
        if ((rc = copy_source(x, d, copy_from, format)))
            goto out;
    } else if (!size && !backing) {
        gib = x->plan.os->disk_gib;
    }
    if (!copy_from)
        d->bytes = gib > 0 ? ((unsigned long long)(gib * GIB) + 511) / 512 * 512 : 0;
    if (!d->volume)
        d->volume = free_vol_name(x, d->pool, x->plan.name, strcmp(d->format, "qcow2") == 0 ? ".qcow2" : ".img");
    if (copy_from && (rc = copy_dest(x, d)))
        goto out;
    if (strcmp(d->format, "qcow2") == 0 && !d->discard)
        d->discard = vr_strdup("unmap");
out:
    vr_kv_free(items, n);
    return rc;
}

/* --network SPEC */
static int parse_nic(vr_core_install *x, const char *spec, bool *none)
{
    if (strcmp(spec, "none") == 0) {
        *none = true;
        return VR_EXIT_OK;
    }
    size_t n;
    vr_kv *items = vr_kv_split(spec, &n);
    const char *type = NULL, *source = NULL, *model = NULL, *mac = NULL;
    int rc = VR_EXIT_OK;
    for (size_t i = 0; i < n && rc == VR_EXIT_OK; i++) {
        const char *k = items[i].key, *v = items[i].value;
        if (!*k) {
            if (strcmp(v, "user") == 0)
                type = "user";
            else if (strcmp(v, "default") == 0)
                type = "network", source = "default";
            else if (vr_str_starts(v, "network:"))
                type = "network", source = v + 8;
            else if (vr_str_starts(v, "bridge:"))
                type = "bridge", source = v + 7;
            else
                rc =
                    bad(x, "--network %s: unknown '%s' (network=NAME, bridge=BR, user or none)", spec, v);
        } else if (strcmp(k, "network") == 0)
            type = "network", source = v;
        else if (strcmp(k, "bridge") == 0)
            type = "bridge", source = v;
        else if (strcmp(k, "type") == 0)
            type = v;
        else if (strcmp(k, "source") == 0)
            source = v;
        else if (strcmp(k, "model") == 0 || strcmp(k, "model.type") == 0)
            model = v;
        else if (strcmp(k, "mac") == 0 || strcmp(k, "mac.address") == 0)
            mac = v;
        else
            rc = bad(x, "--network %s: unknown option '%s' (known: network, bridge, type, model, mac)",
                                 spec, k);
    }
    if (rc)
        goto out;
    if (!type || (strcmp(type, "user") && strcmp(type, "network") && strcmp(type, "bridge"))) {
        rc = bad(x, "--network %s: say network=NAME, bridge=BR or user (type %s is not supported)", spec,
                             type ? type : "missing");
        goto out;
    }
    if (strcmp(type, "user") && (!source || !*source)) {
        rc = bad(x, "--network %s: type %s needs a name", spec, type);
        goto out;
    }
    if (model && strcmp(model, "virtio") && strcmp(model, "e1000") && strcmp(model, "e1000e") &&
        strcmp(model, "rtl8139")) {
        rc = bad(x, "--network model=%s: not supported by Vireo (virtio, e1000, e1000e, rtl8139)", model);
        goto out;
    }
    if (mac && strcasecmp(mac, "RANDOM") == 0)
        mac = NULL;
    if (mac) {
        unsigned b[6];
        char tail;
        if (strlen(mac) != 17 ||
            sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
            (b[0] & 1)) {
            rc = bad(x, "--network mac=%s: give a unicast MAC address like 52:54:00:12:34:56", mac);
            goto out;
        }
    }
    if (strcmp(type, "network") == 0) {
        vr_network *net = x->env.net ? vr_net_lookup(x->env.net, source) : NULL;
        if (!net) {
            rc = bad(x, "network '%s' not found (vireo net-list --all shows the defined ones)", source);
            goto out;
        }
        if (!net->active) {
            x->networks_to_start = vr_realloc(x->networks_to_start, (x->n_networks_to_start + 1) * sizeof(char *));
            x->networks_to_start[x->n_networks_to_start++] = vr_strdup(source);
        }
    }
    vr_install_plan *p = &x->plan;
    p->nics = vr_realloc(p->nics, (p->n_nics + 1) * sizeof(*p->nics));
    vr_inic *nic = &p->nics[p->n_nics++];
    nic->type = vr_strdup(type);
    nic->source = strcmp(type, "user") ? vr_strdup(source) : NULL;
    nic->model = vr_strdup(model ? model : x->virtio_win ? "virtio" : vr_install_nic_model(p->os, p->machine));
    nic->mac = mac ? vr_strdup(mac) : NULL;
    for (char *m = nic->mac; m && *m; m++)
        *m = (char)tolower((unsigned char)*m);
out:
    vr_kv_free(items, n);
    return rc;
}

/* --tpm as virt-install takes it: "emulator" (or "default"), "none", or
 * model=tpm-crb|tpm-tis, backend.type=emulator, backend.version=2.0|1.2.
 * After the platform rule, so it can add a TPM or take Windows 11's away. */
static int parse_tpm(vr_core_install *x, const char *spec)
{
    vr_install_plan *p = &x->plan;
    if (strcmp(spec, "none") == 0) {
        p->tpm = false;
        return VR_EXIT_OK;
    }
    size_t n;
    vr_kv *items = vr_kv_split(spec, &n);
    int rc = VR_EXIT_OK;
    bool tis = false, v12 = false;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *k = items[i].key, *v = items[i].value;
        if (!*k && (strcmp(v, "emulator") == 0 || strcmp(v, "default") == 0))
            continue;
        if (strcmp(k, "backend.type") == 0 && strcmp(v, "emulator") == 0)
            continue;
        if ((!*k && v[0] == '/') || (strcmp(k, "backend.type") == 0 && strcmp(v, "passthrough") == 0))
            rc = bad(x, "--tpm %s: passthrough of the host's TPM is not offered by install; "
                        "install with --tpm emulator, or add the <tpm> with `vireo edit` afterwards", spec);
        else if (strcmp(k, "model") == 0 && (strcmp(v, "tpm-crb") == 0 || strcmp(v, "tpm-tis") == 0))
            tis = strcmp(v, "tpm-tis") == 0;
        else if (strcmp(k, "backend.version") == 0 && (strcmp(v, "2.0") == 0 || strcmp(v, "1.2") == 0))
            v12 = strcmp(v, "1.2") == 0;
        else
            rc = bad(x, "--tpm %s: '%s%s%s' is not supported (emulator, none, model=tpm-crb|tpm-tis, "
                        "backend.type=emulator, backend.version=2.0|1.2)", spec, k, *k ? "=" : "", v);
    }
    vr_kv_free(items, n);
    if (rc)
        return rc;
    if (v12 && !tis)
        return bad(x, "--tpm %s: a TPM 1.2 is a tpm-tis device (add model=tpm-tis)", spec);
    p->tpm = true;
    p->tpm_tis = tis;
    p->tpm_12 = v12;
    return VR_EXIT_OK;
}

/* --boot hd,cdrom,network,uefi,kernel=,initrd=,kernel_args= */
static int parse_boot(vr_core_install *x, const char *spec)
{
    size_t n;
    vr_kv *items = vr_kv_split(spec, &n);
    vr_install_plan *p = &x->plan;
    size_t ndev = 0;
    while (ndev < 3 && p->boot_devs[ndev])
        ndev++;
    int rc = VR_EXIT_OK;
    for (size_t i = 0; i < n && rc == VR_EXIT_OK; i++) {
        const char *k = items[i].key, *v = items[i].value;
        if (!*k) {
            static const char *const devs[] = {"hd", "cdrom", "network"};
            const char *dev = NULL;
            for (size_t j = 0; j < 3; j++)
                if (strcmp(v, devs[j]) == 0)
                    dev = devs[j];
            if (dev) {
                for (size_t j = 0; j < ndev && !rc; j++)
                    if (strcmp(p->boot_devs[j], dev) == 0)
                        rc = bad(x, "--boot %s: %s is named twice", spec, dev);
                if (rc)
                    break;
                p->boot_devs[ndev++] = dev; /* at most hd, cdrom, network: three */
            } else if (strcmp(v, "uefi") == 0) {
                p->uefi = true;
            } else {
                rc = bad(x, 
                    "--boot %s: '%s' is not supported (hd, cdrom, network, uefi, kernel=, initrd=, "
                    "kernel_args=)",
                    spec, v);
            }
        } else if (strcmp(k, "kernel") == 0) {
            free(p->kernel);
            p->kernel = vr_strdup(v);
        } else if (strcmp(k, "initrd") == 0) {
            free(p->initrd);
            p->initrd = vr_strdup(v);
        } else if (strcmp(k, "kernel_args") == 0 || strcmp(k, "cmdline") == 0) {
            free(p->cmdline);
            p->cmdline = vr_strdup(v);
        } else if (strcmp(k, "firmware") == 0 && strcmp(v, "efi") == 0) {
            p->uefi = true;
        } else {
            rc = bad(x, 
                "--boot %s: option '%s' is not supported (hd, cdrom, network, uefi, kernel=, initrd=, "
                "kernel_args=)",
                spec, k);
        }
    }
    vr_kv_free(items, n);
    if (rc == VR_EXIT_OK && (p->initrd || p->cmdline) && !p->kernel)
        rc = bad(x, "--boot %s: initrd= and kernel_args= need kernel=", spec);
    return rc;
}

static int need_local_file(vr_core_install *x, const char *opt, const char *path)
{
    if (path[0] != '/')
        return bad(x, "%s %s: give an absolute path", opt, path);
    struct stat st;
    if (stat(path, &st) < 0)
        return bad(x, "%s %s: %s", opt, path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return bad(x, "%s %s: is a directory", opt, path);
    if (access(path, R_OK) < 0)
        return bad(x, "%s %s: %s", opt, path, strerror(errno));
    return VR_EXIT_OK;
}

static bool contains_word(const char *s, const char *prefix)
{
    for (const char *p = s; p && (p = strstr(p, prefix)); p++)
        if (p == s || p[-1] == ' ')
            return true;
    return false;
}

static void append_arg(char **cmdline, const char *arg)
{
    char *n = *cmdline && **cmdline ? vr_asprintf("%s %s", *cmdline, arg) : vr_strdup(arg);
    free(*cmdline);
    *cmdline = n;
}

/* Read and check everything; make the plan. Creates nothing. */
static int make_plan(vr_core_install *x)
{
    const vireo_install_request *o = &x->req;
    vr_install_plan *p = &x->plan;
    int rc;

    if (!o->name || !*o->name)
        return bad(x, "--name NAME is required");
    /* What to boot. */
    int sources = (o->cdrom != NULL || o->cdrom_volume != NULL) + o->location + o->import + o->pxe;
    if (sources > 1)
        return bad(x, "give one install source: --cdrom, --location, --pxe or --import");

    /* The OS variant. */
    const char *variant = o->os_variant;
    if (variant && vr_str_starts(variant, "name="))
        variant += 5;
    else if (variant && vr_str_starts(variant, "short-id="))
        variant += 9;
    if (variant && strcmp(variant, "detect=on") == 0)
        return bad(x, "--os-variant detect=on: Vireo does not detect the OS of install media; name it "
                               "(vireo install --os-variant list)");
    p->os = vr_osinfo_find(variant ? variant : "generic");
    if (!p->os) {
        char *close = vr_osinfo_close_matches(variant);
        if (close)
            rc = bad(x, 
                "unknown --os-variant '%s'; close matches: %s (all: vireo install --os-variant list)", variant,
                close);
        else
            rc = bad(x, 
                "unknown --os-variant '%s' (vireo install --os-variant list shows the known ones)", variant);
        free(close);
        return rc;
    }
    if (!variant)
        notice(x,
               "notice: no --os-variant: using 'generic' (emulated devices); name the OS for virtio "
               "devices and better defaults (vireo install --os-variant list)");

    /* Name, memory, vCPUs. */
    p->name = (char *)o->name;
    char *why = NULL;
    if (!vr_name_check(VR_NAME_DOMAIN, p->name, &why)) {
        rc = bad(x, "--name: %s", why);
        free(why);
        return rc;
    }
    unsigned long long v;
    const char *mem = o->memory;
    if (mem && vr_str_starts(mem, "memory="))
        mem += 7;
    if (mem && (!parse_uint(mem, VR_INSTALL_MEM_MAX_MIB, &v) || v < VR_INSTALL_MEM_MIN_MIB))
        return bad(x, "--memory %s: give the memory in MiB, from %llu to %llu (e.g. --memory 2048)", mem,
                   VR_INSTALL_MEM_MIN_MIB, VR_INSTALL_MEM_MAX_MIB);
    p->mem_mib = mem ? v : p->os->mem_mib;
    if (p->mem_mib < p->os->min_mib)
        notice(x, "warning: %s wants at least %u MiB of memory; it gets %llu MiB", p->os->name, p->os->min_mib,
               p->mem_mib);
    const char *cpus = o->vcpus;
    if (cpus && vr_str_starts(cpus, "vcpus="))
        cpus += 6;
    if (cpus) {
        char *c = vr_strdup(cpus), *comma = strchr(c, ',');
        if (comma)
            *comma = '\0';
        bool ok = parse_uint(c, VR_INSTALL_VCPUS_MAX, &v) && v >= 1;
        free(c);
        if (!ok || comma)
            return bad(x, 
                "--vcpus %s: give a number of vCPUs from 1 to 255 (maxvcpus, sockets, ... are not "
                "supported)",
                cpus);
    }
    p->vcpus = cpus ? (unsigned)v : p->os->vcpus;

    /* The name must be free. */
    if (is_running(p->name)) {
        x->code = VR_ERR_CONFLICT;
        return bad(x, "an install of domain '%s' is under way (vireo job-list shows it; pick another --name)",
                   p->name);
    }
    if (vr_qemu_lookup(x->env.qemu, p->name)) {
        x->code = VR_ERR_CONFLICT;
        return bad(x, "domain '%s' already exists (vireo undefine %s removes it; or pick another --name)",
                   p->name, p->name);
    }
    if (o->uuid) {
        if (strlen(o->uuid) != 36)
            return bad(x, "--uuid %s: give a uuid like 6b1d0d2e-3c1a-4f5e-9a6b-0123456789ab", o->uuid);
        x->uuid = vr_strdup(o->uuid);
    } else {
        char u[VR_UUID_STRLEN];
        vr_uuid_generate(u);
        x->uuid = vr_strdup(u); /* both phases' definitions are one domain */
    }
    p->uuid = x->uuid;
    p->title = o->title;

    /* Accelerator: the domain type follows the host. */
    bool kvm = vr_qemu_kvm_usable(x->env.qemu);
    if (o->virt_type && strcmp(o->virt_type, "kvm") && strcmp(o->virt_type, "qemu"))
        return bad(x, "--virt-type %s: not supported (kvm or qemu)", o->virt_type);
    if (o->virt_type && strcmp(o->virt_type, "kvm") == 0 && !kvm)
        return bad(x, 
            "--virt-type kvm: KVM is not usable on this host (vireo host-validate says why); use "
            "--virt-type qemu");
    p->virt_type = vr_strdup(o->virt_type ? o->virt_type : kvm ? "kvm" : "qemu");
    if (!o->virt_type && !kvm)
        notice(x,
               "notice: KVM is not usable on this host; the domain runs under QEMU's TCG emulation "
               "(type 'qemu'), much slower");
    if (o->cpu) {
        const char *m = strcmp(o->cpu, "host") == 0 ? "host-model" : o->cpu;
        if (strcmp(m, "host-passthrough") && strcmp(m, "host-model") && strcmp(m, "maximum"))
            return bad(x, "--cpu %s: not supported (host-passthrough, host-model, maximum)", o->cpu);
        p->cpu_mode = vr_strdup(m);
    } else {
        /* All of the host's CPU under KVM; under TCG QEMU's "max", which
         * has what x86-64-v2 distributions need (qemu64 has not). */
        p->cpu_mode = vr_strdup(strcmp(p->virt_type, "kvm") == 0 ? "host-passthrough" : "maximum");
    }
    if (o->machine &&
        !(strcmp(o->machine, "pc") == 0 || strcmp(o->machine, "q35") == 0 ||
          vr_str_starts(o->machine, "pc-i440fx-") || vr_str_starts(o->machine, "pc-q35-")))
        return bad(x, "--machine %s: not supported (pc, q35, pc-i440fx-X.Y, pc-q35-X.Y)", o->machine);
    p->machine = vr_strdup(o->machine ? o->machine : p->os->machine);

    /* --boot, the install source. */
    for (size_t i = 0; i < o->n_boots; i++)
        if ((rc = parse_boot(x, o->boots[i])))
            return rc;
    if (p->kernel) {
        if (o->cdrom || o->location || o->pxe)
            return bad(x, 
                "--boot kernel= boots a kernel for good; it does not go with --cdrom, --location or --pxe");
        if ((rc = need_local_file(x, "--boot kernel=", p->kernel)))
            return rc;
        if (p->initrd && (rc = need_local_file(x, "--boot initrd=", p->initrd)))
            return rc;
        p->source = VR_SRC_KERNEL;
    } else if (o->cdrom_volume) {
        if ((rc = volume_spec(x, "--cdrom", o->cdrom_volume, &x->cdrom_pool, &x->cdrom_vol)))
            return rc;
        p->source = VR_SRC_CDROM;
    } else if (o->cdrom) {
        if ((rc = need_local_file(x, "--cdrom", o->cdrom)))
            return rc;
        p->source = VR_SRC_CDROM;
    } else if (o->location) {
        if (o->install_kernel && (rc = need_local_file(x, "--location kernel", o->install_kernel)))
            return rc;
        if (o->install_initrd && (rc = need_local_file(x, "--location initrd", o->install_initrd)))
            return rc;
        if (o->location_iso && o->location_volume)
            return bad(x, "--location: give the ISO as a file or as a volume, not both");
        if (o->location_iso && (rc = need_local_file(x, "--location", o->location_iso)))
            return rc;
        if (o->location_volume &&
            (rc = volume_spec(x, "--location", o->location_volume, &x->cdrom_pool, &x->cdrom_vol)))
            return rc;
        p->source = VR_SRC_LOCATION;
    } else if (o->pxe) {
        p->source = VR_SRC_PXE;
    } else if (o->import) {
        p->source = VR_SRC_IMPORT;
    } else {
        return bad(x, "an install source is needed: --cdrom ISO, --location TREE|ISO, --pxe, --import or "
                               "--boot kernel=PATH");
    }
    if (o->extra_args && p->source != VR_SRC_LOCATION)
        return bad(x, "--extra-args is for --location (with --boot kernel=, use kernel_args=)");

    /* Graphics. */
    const char *g = o->graphics ? o->graphics : "vnc";
    if (strcmp(g, "none") == 0) {
        p->vnc = false;
    } else {
        size_t n;
        vr_kv *items = vr_kv_split(g, &n);
        rc = VR_EXIT_OK;
        for (size_t i = 0; i < n && !rc; i++) {
            const char *k = items[i].key, *val = items[i].value;
            if ((!*k && (strcmp(val, "vnc") == 0 || strcmp(val, "default") == 0)) ||
                (strcmp(k, "type") == 0 && strcmp(val, "vnc") == 0)) {
                p->vnc = true;
            } else if (!*k || strcmp(k, "type") == 0) {
                rc = bad(x, "--graphics %s: not supported by Vireo (vnc or none)", val);
            } else if (strcmp(k, "listen") == 0) {
                free(p->vnc_listen);
                p->vnc_listen = vr_strdup(val);
            } else if (strcmp(k, "port") == 0) {
                p->vnc_port = atoi(val);
                if (p->vnc_port != -1 && (p->vnc_port < 5900 || p->vnc_port > 65535))
                    rc = bad(x, "--graphics port=%s: -1 or 5900-65535", val);
            } else {
                rc = bad(x, "--graphics %s: option '%s' is not supported (listen, port)", g, k);
            }
        }
        vr_kv_free(items, n);
        if (rc)
            return rc;
        if (!p->vnc)
            p->vnc = true;
    }
    if (!p->vnc_port)
        p->vnc_port = -1;

    /* Disks as given. */
    for (size_t i = 0; i < o->n_disks; i++)
        if ((rc = parse_disk(x, o->disks[i])))
            return rc;
    if (x->no_disk && p->n_disks)
        return bad(x, "--disk none does not go with other --disk options");
    bool any_disk = false;
    for (size_t i = 0; i < p->n_disks; i++)
        any_disk |= !p->disks[i].cdrom;
    if (p->source == VR_SRC_IMPORT && !any_disk)
        return bad(x, 
            "--import boots an existing disk: give it with --disk path=FILE or --disk vol=POOL/VOLUME");
    if (!x->no_disk && !any_disk && p->source != VR_SRC_KERNEL) {
        /* As virt-install: a disk of the variant's size in the default pool. */
        char *spec = vr_asprintf("size=%u", p->os->disk_gib);
        rc = parse_disk(x, spec);
        free(spec);
        if (rc)
            return rc;
    }
    /* A virtio-win driver ISO lets Windows use virtio devices. */
    bool virtio_win = o->drivers;
    for (size_t i = 0; i < p->n_disks; i++) {
        const vr_idisk *d = &p->disks[i];
        const char *f = d->path ? d->path : d->volume;
        if (d->cdrom && f && strcasestr(f, "virtio-win"))
            virtio_win = true;
    }
    x->virtio_win = virtio_win; /* the NICs' model, below */
    if (virtio_win && !p->os->virtio) {
        for (size_t i = 0; i < p->n_disks; i++) {
            vr_idisk *d = &p->disks[i];
            if (!d->cdrom && strcmp(d->bus, default_disk_bus(x)) == 0) {
                free(d->bus);
                d->bus = vr_strdup("virtio");
            }
        }
        notice(x,
               "notice: a virtio-win ISO is attached: the disks and NICs are virtio (load the drivers "
               "from it during setup)");
    }

    /* The install media as a CD-ROM. */
    if (p->source == VR_SRC_CDROM || (p->source == VR_SRC_LOCATION && (o->location_iso || o->location_volume))) {
        vr_idisk *d = add_disk(x);
        d->type = x->cdrom_vol ? VR_IDISK_VOLUME : VR_IDISK_FILE;
        d->cdrom = d->readonly = true;
        d->empty_after = true; /* the media is ejected for the next boots */
        d->pool = x->cdrom_pool ? vr_strdup(x->cdrom_pool) : NULL;
        d->volume = x->cdrom_vol ? vr_strdup(x->cdrom_vol) : NULL;
        d->path = x->cdrom_vol ? NULL : vr_strdup(p->source == VR_SRC_CDROM ? o->cdrom : o->location_iso);
        d->format = vr_strdup("raw");
        d->bus = vr_strdup(cdrom_bus(x));
    }

    /* Where generated media go: the pool of the first new disk, else default. */
    for (size_t i = 0; i < p->n_disks && !x->media_pool; i++)
        if (p->disks[i].create)
            x->media_pool = vr_strdup(p->disks[i].pool);
    if (!x->media_pool)
        x->media_pool = vr_strdup("default");
    bool need_media_pool = o->cloud_init || p->source == VR_SRC_LOCATION;
    char *media_dir = NULL;
    if (need_media_pool && (rc = pool_ready(x, x->media_pool, &media_dir)))
        return rc;

    /* cloud-init: a seed volume, read-only. Linux guests get it as a
     * virtio disk (Debian's cloud kernel has no AHCI for a CD on q35,
     * and undefine --remove-all-storage removes disks, not CD-ROMs);
     * others as a CD-ROM. */
    x->seed_disk = -1;
    if (o->cloud_init) {
        vr_idisk *d = add_disk(x);
        x->seed_disk = (int)(p->n_disks - 1);
        d->type = VR_IDISK_VOLUME;
        d->pool = vr_strdup(x->media_pool);
        if (o->seed_volume) {
            /* Made by the client from the plan of its dry run. */
            vr_vol_info seed = {0};
            rc = vol_get(x, x->media_pool, o->seed_volume, &seed);
            vr_vol_info_clear(&seed);
            if (rc) {
                free(media_dir);
                return rc;
            }
            d->volume = vr_strdup(o->seed_volume);
        } else {
            d->volume = free_vol_name(x, x->media_pool, p->name, "-cidata.iso");
        }
        d->format = vr_strdup("raw");
        d->readonly = true;
        bool virtio = p->os->virtio || p->os->family == VR_OS_LINUX || virtio_win;
        d->cdrom = !virtio;
        d->bus = vr_strdup(virtio ? "virtio" : cdrom_bus(x));
    }

    /* --location: the kernel and initrd go into volumes for the first boot. */
    if (p->source == VR_SRC_LOCATION) {
        if (o->install_kernel) {
            p->kernel = vr_strdup(o->install_kernel);
            p->initrd = o->install_initrd ? vr_strdup(o->install_initrd) : NULL;
        } else {
            /* A dry run: the client uploads them into these volumes. */
            x->kernel_vol = free_vol_name(x, x->media_pool, p->name, "-install-kernel");
            x->initrd_vol = free_vol_name(x, x->media_pool, p->name, "-install-initrd");
            p->kernel = vr_asprintf("%s/%s", media_dir, x->kernel_vol);
            p->initrd = vr_asprintf("%s/%s", media_dir, x->initrd_vol);
        }
        p->cmdline = o->extra_args ? vr_strdup(o->extra_args) : NULL;
        if (!p->vnc && !(p->cmdline && contains_word(p->cmdline, "console=")))
            append_arg(&p->cmdline, "console=ttyS0");
    }

    free(media_dir);
    /* UEFI (<os firmware='efi'>: the daemon picks OVMF and makes the
     * NVRAM), Secure Boot, TPM and Hyper-V as the OS variant asks. */
    char *perr = NULL;
    if (vr_install_platform(p, &perr) < 0) {
        rc = bad(x, "%s", perr);
        free(perr);
        return rc;
    }
    if (o->tpm && (rc = parse_tpm(x, o->tpm)))
        return rc;

    /* Disk target names, in order, per bus family. */
    char *terr = NULL;
    if (vr_install_assign_targets(p, &terr) < 0) {
        rc = bad(x, "%s", terr);
        free(terr);
        return rc;
    }

    /* Networks. */
    bool none = false;
    for (size_t i = 0; i < o->n_networks; i++)
        if ((rc = parse_nic(x, o->networks[i], &none)))
            return rc;
    if (none && p->n_nics)
        return bad(x, "--network none does not go with other --network options");
    if (!none && !p->n_nics) {
        if (x->env.session) {
            rc = parse_nic(x, "user", &none);
        } else {
            if (x->env.net && vr_net_lookup(x->env.net, "default")) {
                rc = parse_nic(x, "network=default", &none);
            } else {
                notice(x, "notice: there is no network 'default': the guest gets user-mode networking");
                rc = parse_nic(x, "user", &none);
            }
        }
        if (rc)
            return rc;
    }
    if (p->source == VR_SRC_PXE && !p->n_nics)
        return bad(x, "--pxe boots from the network: it needs a --network");
    p->guest_agent = p->os->family == VR_OS_LINUX;
    return VR_EXIT_OK;
}

/* ---- the plan, as asked and as seen ---- */

vr_core_install *vr_core_install_plan(const vr_install_env *env, const vireo_install_request *r, vr_err *code,
                                      char **err)
{
    vr_core_install *x = vr_calloc(1, sizeof(*x));
    x->env = *env;
    x->seed_disk = -1;
    /* A copy through the request's own schema: what it names is all there is. */
    json_object *o = vr_wire_to_json(&vr_wire_install_request, r);
    vr_wire_from_json(&vr_wire_install_request, o, &x->req);
    json_object_put(o);
    if (make_plan(x) != VR_EXIT_OK) {
        *code = x->code ? x->code : VR_ERR_INVALID;
        *err = x->err ? vr_strdup(x->err) : vr_strdup("the install could not be planned");
        vr_core_install_free(x);
        return NULL;
    }
    x->two_phase = vr_install_two_phase(&x->plan);
    x->restart = x->two_phase && !x->req.noreboot;
    return x;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void vr_core_install_free(vr_core_install *x)
{
    if (!x)
        return;
    x->plan.name = NULL, x->plan.title = NULL; /* the request's */
    vr_install_plan_clear(&x->plan);
    vr_wire_clear(&vr_wire_install_request, &x->req);
    free(x->err), free(x->uuid), free(x->cdrom_pool), free(x->cdrom_vol), free(x->media_pool);
    free(x->kernel_vol), free(x->initrd_vol);
    strv_free(x->networks_to_start, x->n_networks_to_start);
    strv_free(x->notices, x->n_notices);
    for (size_t i = 0; i < x->n_made; i++)
        free(x->made[i].pool), free(x->made[i].name);
    free(x->made);
    free(x);
}

static char **strv_dup(char *const *v, size_t n)
{
    char **out = vr_calloc(n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = vr_strdup(v[i]);
    return out;
}

static void add_volume(vireo_install_plan *out, const char *role, const char *pool, const char *name,
                       unsigned long long capacity, const char *format, const char *backing, const char *copy_from,
                       vr_storage_driver *st)
{
    out->volumes = vr_realloc(out->volumes, (out->n_volumes + 1) * sizeof(*out->volumes));
    vireo_install_volume *v = &out->volumes[out->n_volumes++];
    char *path = NULL, *err = NULL;
    vr_pool *p = vr_storage_pool_lookup(st, pool);
    if (p && vr_pool_vol_path(p, name, &path, &err) != VR_OK)
        path = NULL;
    free(err);
    *v = (vireo_install_volume){.role = vr_strdup(role), .pool = vr_strdup(pool), .name = vr_strdup(name),
                                .path = path, .capacity = capacity, .format = vr_strdup(format),
                                .backing = backing ? vr_strdup(backing) : NULL,
                                .copy_from = copy_from ? vr_strdup(copy_from) : NULL};
}

void vr_core_install_view(const vr_core_install *x, vireo_install_plan *out)
{
    const vr_install_plan *p = &x->plan;
    *out = (vireo_install_plan){
        .install_phase = x->two_phase, .restart = x->restart, .name = vr_strdup(p->name),
        .uuid = vr_strdup(p->uuid), .os_variant = vr_strdup(p->os->id), .virt_type = vr_strdup(p->virt_type),
        .machine = vr_strdup(p->machine), .memory_mib = p->mem_mib, .vcpus = p->vcpus, .vnc = p->vnc,
        .vnc_listen = vr_strdup(p->vnc_listen ? p->vnc_listen : "127.0.0.1"), .vnc_port = p->vnc_port,
        .media_pool = vr_strdup(x->media_pool)};
    for (size_t i = 0; i < p->n_disks; i++) {
        const vr_idisk *d = &p->disks[i];
        if (d->create)
            add_volume(out, "disk", d->pool, d->volume, d->bytes, d->format, d->backing, d->copy_from,
                       x->env.storage);
        else if ((int)i == x->seed_disk && !x->req.seed_volume)
            add_volume(out, "seed", d->pool, d->volume, 0, "raw", NULL, NULL, x->env.storage);
    }
    if (x->kernel_vol) {
        add_volume(out, "kernel", x->media_pool, x->kernel_vol, 0, "raw", NULL, NULL, x->env.storage);
        add_volume(out, "initrd", x->media_pool, x->initrd_vol, 0, "raw", NULL, NULL, x->env.storage);
    }
    out->networks_started = strv_dup(x->networks_to_start, x->n_networks_to_start);
    out->n_networks_started = x->n_networks_to_start;
    out->warnings = strv_dup(x->notices, x->n_notices);
    out->n_warnings = x->n_notices;
    out->xml_install = x->two_phase ? vr_install_xml(p, true) : NULL;
    out->xml_final = vr_install_xml(p, false);
}

/* ---- making it, and unmaking it ---- */

static void report(vr_core_install *x, double percent, const char *step)
{
    if (x->progress)
        x->progress(percent, step, x->opaque);
}

/* Undo: the domain (if defined), then every volume made. */
static void rollback(vr_core_install *x)
{
    char *err = NULL;
    vr_domain *dom = vr_qemu_lookup(x->env.qemu, x->plan.name);
    if (dom && vr_qemu_undefine(dom, VR_QEMU_UNDEFINE_NVRAM, &err) != VR_OK)
        vr_log_warn("install %s: the domain is left defined: %s", x->plan.name, err);
    free(err);
    for (size_t i = x->n_made; i-- > 0;) {
        err = NULL;
        vr_pool *pool = vr_storage_pool_lookup(x->env.storage, x->made[i].pool);
        if (pool && vr_storage_vol_delete(pool, x->made[i].name, &err) != VR_OK)
            vr_log_warn("install %s: volume %s of pool %s is left: %s", x->plan.name, x->made[i].name,
                        x->made[i].pool, err);
        free(err);
    }
}

/* The end: undo (a failure before the domain ran) or not, then done. */
static void end(vr_core_install *x, vr_domain *dom, vr_err code, const char *err, bool undo)
{
    running_del(x->plan.name);
    if (code != VR_OK && undo)
        rollback(x);
    x->done(x, code == VR_OK ? dom : NULL, code, err, x->opaque);
}

static void finish(vr_core_install *x, vr_domain *dom, vr_err code, const char *err)
{
    end(x, dom, code, err, true);
}

static void made_vol_add(vr_core_install *x, const vr_idisk *d)
{
    x->made = vr_realloc(x->made, (x->n_made + 1) * sizeof(*x->made));
    x->made[x->n_made++] = (made_vol){vr_strdup(d->pool), vr_strdup(d->volume)};
}

static void on_started(vr_err code, const char *err, void *opaque)
{
    vr_core_install *x = opaque;
    vr_domain *dom = vr_qemu_lookup(x->env.qemu, x->plan.name);
    if (code != VR_OK || !dom) {
        finish(x, NULL, code != VR_OK ? code : VR_ERR_FAILED,
               code != VR_OK ? err : "the new domain vanished while it started");
        return;
    }
    /* From here the domain runs: nothing is undone. */
    if (x->two_phase) {
        /* The running domain keeps its install-phase definition; the
         * next start boots the disk. */
        char *xml = vr_install_xml(&x->plan, false), *derr = NULL;
        vr_err dc = vr_qemu_define(x->env.qemu, xml, &dom, &derr);
        free(xml);
        if (dc != VR_OK) {
            char *m = vr_asprintf("the installer runs, but the definition that boots the disk afterwards was "
                                  "refused (%s); fix it with: vireo edit %s",
                                  derr, x->plan.name);
            end(x, NULL, dc, m, false);
            free(m), free(derr);
            return;
        }
        char *rerr = NULL;
        if (x->restart && vr_qemu_restart_after_install(dom, &rerr) != VR_OK) {
            /* Only the automatic second start is lost: say how to do it. */
            vr_log_warn("install %s: %s; start it by hand when the installer ends", x->plan.name, rerr);
            x->restart = false;
            free(rerr);
        }
    }
    end(x, dom, VR_OK, NULL, false);
}

/* After the volumes: networks, the definition, the start. */
static void make_domain(vr_core_install *x)
{
    x->committed = true; /* too late to cancel */
    char *err = NULL;
    vr_err code = VR_OK;
    for (size_t i = 0; code == VR_OK && i < x->n_networks_to_start; i++) {
        vr_network *net = vr_net_lookup(x->env.net, x->networks_to_start[i]);
        if (net && !net->active)
            code = vr_net_start(net, &err);
    }
    vr_domain *dom = NULL;
    if (code == VR_OK) {
        report(x, 95, "defining the domain");
        char *xml = vr_install_xml(&x->plan, x->two_phase);
        code = vr_qemu_define(x->env.qemu, xml, &dom, &err);
        free(xml);
    }
    if (code == VR_OK && x->req.autostart)
        code = vr_qemu_set_autostart(dom, true, &err);
    if (code != VR_OK) {
        finish(x, NULL, code, err);
        free(err);
        return;
    }
    vr_log_info("install %s: defined (%s)", x->plan.name, x->two_phase ? "install phase" : "final");
    /* An install boots its media now; other domains start unless asked not to. */
    if (!x->two_phase && x->req.no_start) {
        end(x, dom, VR_OK, NULL, false);
        return;
    }
    report(x, 97, "starting the domain");
    vr_qemu_start(dom, false, on_started, x);
}

static void next_volume(vr_core_install *x);

static void on_copy_progress(double percent, void *opaque)
{
    vr_core_install *x = opaque;
    const vr_idisk *d = &x->plan.disks[x->next_disk];
    char *step = vr_asprintf("copying %s into %s/%s", d->copy_from, d->pool, d->volume);
    report(x, ((double)x->copies_done * 100 + percent) * 90 / (100.0 * x->n_copies), step);
    free(step);
}

static void on_copy_done(vr_err code, const char *err, void *opaque)
{
    vr_core_install *x = opaque;
    x->copy = NULL;
    vr_idisk *d = &x->plan.disks[x->next_disk];
    if (code != VR_OK) {
        /* The copy left nothing; what was made before goes too. */
        char *m = x->cancelled ? vr_asprintf("the install of '%s' was cancelled while copying %s; nothing is left",
                                             x->plan.name, d->copy_from)
                               : vr_strdup(err);
        finish(x, NULL, code, m);
        free(m);
        return;
    }
    made_vol_add(x, d);
    vr_log_info("install %s: %s copied into volume %s of pool %s", x->plan.name, d->copy_from, d->volume, d->pool);
    x->copies_done++;
    x->next_disk++;
    next_volume(x);
}

/* A copy beside the loop: qemu-img convert into a temporary of the
 * pool's directory, renamed once whole (storage_copy.c). */
static void start_copy(vr_core_install *x, vr_pool *pool, const vr_idisk *d)
{
    char *dst = NULL, *err = NULL;
    vr_err code = vr_pool_vol_path(pool, d->volume, &dst, &err);
    if (code == VR_OK) {
        vr_copy_spec spec = {.src = d->copy_from,
                             .src_format = strcmp(d->copy_format, "qcow2") == 0 ? VR_VOL_QCOW2 : VR_VOL_RAW,
                             .dst = dst,
                             .dst_format = strcmp(d->format, "qcow2") == 0 ? VR_VOL_QCOW2 : VR_VOL_RAW};
        x->copy = vr_storage_copy_start(x->env.storage, &spec, on_copy_progress, on_copy_done, x, &code, &err);
    }
    free(dst);
    if (!x->copy) {
        finish(x, NULL, code, err);
        free(err);
        return;
    }
    on_copy_progress(0, x);
}

/* A new volume made (at once, or beside the loop): on from the next. */
static void on_volume_made(vr_err code, const char *err, const vr_vol_info *v, void *opaque)
{
    vr_core_install *x = opaque;
    const vr_idisk *d = &x->plan.disks[x->next_disk];
    (void)v;
    if (code != VR_OK) {
        finish(x, NULL, code, err);
        return;
    }
    made_vol_add(x, d);
    vr_log_info("install %s: volume %s made in pool %s", x->plan.name, d->volume, d->pool);
    x->next_disk++;
    next_volume(x);
}

/* The plan's new volumes in order: made (then their end goes on from the
 * next), or copied (likewise). */
static void next_volume(vr_core_install *x)
{
    vr_install_plan *p = &x->plan;
    for (; x->next_disk < p->n_disks; x->next_disk++) {
        vr_idisk *d = &p->disks[x->next_disk];
        if (!d->create)
            continue;
        vr_pool *pool = vr_storage_pool_lookup(x->env.storage, d->pool);
        vr_vol_def def = {.name = d->volume, .capacity = d->bytes, .mode = -1};
        if (x->cancelled) {
            char *m = vr_asprintf("the install of '%s' was cancelled; nothing is left", p->name);
            finish(x, NULL, VR_ERR_CONFLICT, m);
            free(m);
            return;
        }
        if (!pool || !vr_vol_format_parse(d->format, &def.format)) {
            char *m = vr_asprintf("storage pool '%s' is gone", d->pool);
            finish(x, NULL, VR_ERR_FAILED, m);
            free(m);
            return;
        }
        if (d->copy_from) {
            start_copy(x, pool, d);
            return;
        }
        report(x, x->n_copies ? (double)x->copies_done * 90 / x->n_copies : 0, "creating the volumes");
        /* beside the loop where the pool waits on the network (rbd) */
        vr_storage_vol_create_async(pool, &def, d->backing, on_volume_made, x);
        return;
    }
    make_domain(x);
}

void vr_core_install_run(vr_core_install *x, vr_core_install_progress progress, vr_core_install_done done,
                         void *opaque)
{
    x->progress = progress, x->done = done, x->opaque = opaque;
    running = vr_realloc(running, (n_running + 1) * sizeof(*running));
    running[n_running++] = vr_strdup(x->plan.name);
    for (size_t i = 0; i < x->plan.n_disks; i++)
        x->n_copies += x->plan.disks[i].create && x->plan.disks[i].copy_from;
    next_volume(x);
}

bool vr_core_install_cancel(vr_core_install *x)
{
    if (x->committed)
        return false;
    x->cancelled = true;
    if (x->copy)
        vr_storage_copy_cancel(x->copy);
    return true;
}
