/* vireo install, first half: the command line's options read into a
 * plan (vr_install_plan, install.h) and checked against the daemon --
 * the os variant, the name, pools, volumes, networks, files -- before
 * anything is made. Every mistake is one line naming the option. */
#include "cli/cli.h"
#include "conf/names.h"
#include "cli/install.h"
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GIB (1024ull * 1024 * 1024)

/* key=value[,key=value...]; values may be "quoted" (commas inside). A
 * first item without '=' has key "" (virt-install's positional value). */
typedef struct {
    char *key, *value;
} kv;

static kv *kv_split(const char *spec, size_t *n)
{
    kv *items = NULL;
    *n = 0;
    const char *p = spec;
    while (*p) {
        vr_strbuf item = {0};
        vr_strbuf_add(&item, "");
        bool quoted = false;
        for (; *p && (quoted || *p != ','); p++) {
            if (*p == '"') {
                quoted = !quoted;
                continue;
            }
            vr_strbuf_addn(&item, p, 1);
        }
        if (*p == ',')
            p++;
        char *s = vr_strbuf_take(&item);
        char *eq = strchr(s, '=');
        items = vr_realloc(items, (*n + 1) * sizeof(*items));
        if (eq) {
            *eq = '\0';
            items[*n].key = vr_strdup(s);
            items[*n].value = vr_strdup(eq + 1);
            free(s);
        } else {
            items[*n].key = vr_strdup("");
            items[*n].value = s;
        }
        (*n)++;
    }
    return items;
}

static void kv_free(kv *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].key);
        free(items[i].value);
    }
    free(items);
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

static void notice(vr_install_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(vr_install_ctx *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    x->notices = vr_realloc(x->notices, (x->n_notices + 1) * sizeof(*x->notices));
    x->notices[x->n_notices++] = vr_vasprintf(fmt, ap);
    va_end(ap);
}

void vr_install_ctx_clear(vr_install_ctx *x)
{
    vr_install_plan_clear(&x->plan);
    free(x->uuid);
    vr_cloudinit_clear(&x->ci);
    free(x->media_pool);
    free(x->location);
    vr_tree_files_clear(&x->tree);
    free(x->kernel_vol);
    free(x->initrd_vol);
    for (size_t i = 0; i < x->n_networks_to_start; i++)
        free(x->networks_to_start[i]);
    free(x->networks_to_start);
    for (size_t i = 0; i < x->n_notices; i++)
        free(x->notices[i]);
    free(x->notices);
    for (size_t i = 0; i < x->n_made; i++) {
        free(x->made[i].pool);
        free(x->made[i].name);
    }
    free(x->made);
    if (x->tmpdir) {
        vr_install_rmtree(x->tmpdir);
        free(x->tmpdir);
    }
}

int vr_install_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = vr_vasprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "vireo: error: %s\n", m);
    free(m);
    return VR_EXIT_FAIL;
}

static char *new_uuid(void)
{
    char *u = vr_file_read("/proc/sys/kernel/random/uuid", NULL);
    if (u)
        vr_str_trim(u)[36] = '\0';
    return u;
}

/* ---- pools and volume names ---- */

/* The pool must exist and run; its directory into *path. */
static int pool_ready(vr_install_ctx *x, const char *pool, char **path)
{
    vireo_pool p = {0};
    if (vireo_pool_get(x->c, pool, &p) < 0) {
        if (strcmp(vireo_last_error_code(x->c), "not_found") == 0)
            return vr_install_fail("storage pool '%s' not found (vireo pool-list --all shows the pools)", pool);
        return vr_cli_fail(x->c);
    }
    int rc = VR_EXIT_OK;
    if (strcmp(p.state, "running") != 0)
        rc = vr_install_fail("storage pool '%s' is not active; start it with: vireo pool-start %s", pool, pool);
    else if (path)
        *path = vr_strdup(p.path);
    vireo_pool_clear(&p);
    return rc;
}

/* A volume name free in the pool and not yet planned: BASE.EXT,
 * BASE-1.EXT, ... as virt-install names them. */
static char *free_vol_name(vr_install_ctx *x, const char *pool, const char *base, const char *ext)
{
    vireo_vol *vols = NULL;
    size_t n = 0;
    if (vireo_vol_list(x->c, pool, &vols, &n) < 0)
        n = 0;
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
            vireo_vol_list_free(vols, n);
            return cand;
        }
        free(cand);
    }
}

static vr_idisk *add_disk(vr_install_ctx *x)
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

static const char *cdrom_bus(const vr_install_ctx *x)
{
    return vr_install_cdrom_bus(x->plan.machine);
}

static const char *default_disk_bus(const vr_install_ctx *x)
{
    return vr_install_disk_bus(x->plan.os, x->plan.machine);
}

/* --disk SPEC */
static int parse_disk(vr_install_ctx *x, const char *spec)
{
    if (strcmp(spec, "none") == 0) {
        x->no_disk = true;
        return VR_EXIT_OK;
    }
    size_t n;
    kv *items = kv_split(spec, &n);
    const char *path = NULL, *vol = NULL, *pool = NULL, *size = NULL, *format = NULL, *bus = NULL, *device = NULL,
               *cache = NULL, *discard = NULL, *readonly = NULL, *backing = NULL;
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
        else if (strcmp(k, "sparse") == 0)
            continue; /* images are always sparse */
        else
            rc = vr_install_fail(
                "--disk %s: unknown option '%s' (known: size, pool, format, bus, path, vol, device, "
                "cache, discard, readonly, backing_store)",
                spec, k);
    }
    if (rc)
        goto out;
    bool cdrom = false;
    if (device && strcmp(device, "cdrom") == 0)
        cdrom = true;
    else if (device && strcmp(device, "disk") != 0) {
        rc = vr_install_fail("--disk device=%s: not supported (disk or cdrom)", device);
        goto out;
    }
    if (format && strcmp(format, "qcow2") && strcmp(format, "raw")) {
        rc = vr_install_fail("--disk format=%s: not supported (qcow2 or raw)", format);
        goto out;
    }
    if (bus && strcmp(bus, "virtio") && strcmp(bus, "sata") && strcmp(bus, "scsi") && strcmp(bus, "ide")) {
        rc = vr_install_fail("--disk bus=%s: not supported (virtio, sata, scsi, ide)", bus);
        goto out;
    }
    if (bus && strcmp(bus, "ide") == 0 && vr_install_is_q35(x->plan.machine)) {
        rc = vr_install_fail("--disk bus=ide: machine %s has no IDE controller; use bus=sata", x->plan.machine);
        goto out;
    }
    if (cdrom && bus && strcmp(bus, "virtio") == 0) {
        rc = vr_install_fail("--disk device=cdrom,bus=virtio: a CD-ROM drive is on ide, sata or scsi");
        goto out;
    }
    if (readonly && strcmp(readonly, "on") && strcmp(readonly, "yes") && strcmp(readonly, "off") &&
        strcmp(readonly, "no")) {
        rc = vr_install_fail("--disk readonly=%s: give on or off", readonly);
        goto out;
    }
    double gib = 0;
    if (size) {
        char *end;
        errno = 0;
        gib = strtod(size, &end);
        if (errno || *end || end == size || !isfinite(gib) || gib < 0) {
            rc = vr_install_fail("--disk size=%s: give the size in GiB, e.g. size=10 or size=0.5", size);
            goto out;
        }
        if (gib * GIB < 1024 * 1024) {
            rc = vr_install_fail("--disk size=%s: a new disk needs a size of more than 0 (in GiB; at least 1 MiB)",
                                 size);
            goto out;
        }
    }
    if ((path != NULL) + (vol != NULL) > 1) {
        rc = vr_install_fail("--disk %s: give path= or vol=, not both", spec);
        goto out;
    }
    vr_idisk *d = add_disk(x);
    d->cdrom = cdrom;
    d->readonly = cdrom || (readonly && (strcmp(readonly, "on") == 0 || strcmp(readonly, "yes") == 0));
    d->bus = vr_strdup(bus ? bus : cdrom ? cdrom_bus(x) : default_disk_bus(x));
    d->cache = cache ? vr_strdup(cache) : NULL;
    d->discard = discard ? vr_strdup(discard) : NULL;
    if (vol) {
        const char *slash = strchr(vol, '/');
        if (!slash || slash == vol || !slash[1]) {
            rc = vr_install_fail("--disk vol=%s: give POOL/VOLUME", vol);
            goto out;
        }
        d->type = VR_IDISK_VOLUME;
        d->pool = vr_strndup(vol, (size_t)(slash - vol));
        d->volume = vr_strdup(slash + 1);
        if ((rc = pool_ready(x, d->pool, NULL)))
            goto out;
        vireo_vol v = {0};
        if (vireo_vol_get(x->c, d->pool, d->volume, &v) < 0) {
            rc = vr_cli_fail(x->c);
            goto out;
        }
        d->format = vr_strdup(format ? format : strcmp(v.format, "qcow2") == 0 ? "qcow2" : "raw");
        if (strcmp(v.format, "iso") == 0 && !device) {
            d->cdrom = d->readonly = true;
            free(d->bus);
            d->bus = vr_strdup(cdrom_bus(x));
        }
        vireo_vol_clear(&v);
        if (size) {
            rc = vr_install_fail("--disk vol=%s: the volume exists; size= only makes new disks", vol);
            goto out;
        }
        goto out;
    }
    if (path) {
        if (path[0] != '/') {
            rc = vr_install_fail("--disk path=%s: give an absolute path", path);
            goto out;
        }
        struct stat st;
        bool exists = x->remote ? false : stat(path, &st) == 0;
        vireo_vol v = {0};
        bool is_vol = vireo_vol_get(x->c, NULL, path, &v) == 0;
        if (is_vol || exists || (x->remote && !size)) {
            if (size) {
                vireo_vol_clear(&v);
                rc = vr_install_fail("--disk path=%s,size=%s: %s exists; drop size= to use it, or name a new file",
                                     path, size, path);
                goto out;
            }
            if (!x->remote && !exists) {
                vireo_vol_clear(&v);
                rc = vr_install_fail("--disk path=%s: %s", path, strerror(ENOENT));
                goto out;
            }
            d->type = exists && S_ISBLK(st.st_mode) ? VR_IDISK_BLOCK : VR_IDISK_FILE;
            d->path = vr_strdup(path);
            const char *probed = "raw";
            if (is_vol)
                probed = strcmp(v.format, "qcow2") == 0 ? "qcow2" : "raw";
            else if (exists && d->type == VR_IDISK_FILE)
                probed = probe_local(path);
            d->format = vr_strdup(format ? format : probed);
            vireo_vol_clear(&v);
            goto out;
        }
        if (!size) {
            rc = vr_install_fail("--disk path=%s: %s%s", path, strerror(ENOENT),
                                 cdrom ? "" : " (add size=G to make a new disk there)");
            goto out;
        }
        /* A new image at a path: it must be in a pool's directory. */
        char *copy = vr_strdup(path), *dir = dirname(copy);
        vireo_pool *pools = NULL;
        size_t np = 0;
        if (vireo_pool_list(x->c, &pools, &np) < 0) {
            free(copy);
            rc = vr_cli_fail(x->c);
            goto out;
        }
        for (size_t i = 0; i < np && !d->pool; i++)
            if (strcmp(pools[i].state, "running") == 0 && strcmp(pools[i].path, dir) == 0)
                d->pool = vr_strdup(pools[i].name);
        vireo_pool_list_free(pools, np);
        free(copy);
        if (!d->pool) {
            rc = vr_install_fail(
                "--disk path=%s: new disks are made in storage pools, and %s is not the directory of "
                "an active one (vireo pool-list --details); use size=G[,pool=POOL]",
                path, dir);
            goto out;
        }
        char *base = vr_strdup(path);
        d->volume = vr_strdup(basename(base));
        free(base);
    } else {
        if (cdrom) {
            rc = vr_install_fail("--disk %s: a CD-ROM drive needs path= or vol=", spec);
            goto out;
        }
        d->pool = vr_strdup(pool ? pool : "default");
    }
    /* A new volume. */
    if ((rc = pool_ready(x, d->pool, NULL)))
        goto out;
    d->type = VR_IDISK_VOLUME;
    d->create = true;
    d->format = vr_strdup(format ? format : "qcow2");
    if (backing) {
        if (strcmp(d->format, "qcow2") != 0) {
            rc = vr_install_fail("--disk backing_store=%s: an overlay is qcow2; drop format=raw", backing);
            goto out;
        }
        if (backing[0] != '/') {
            vireo_vol v = {0};
            if (vireo_vol_get(x->c, d->pool, backing, &v) < 0) {
                rc = vr_install_fail("--disk backing_store=%s: no such volume in pool '%s' (or give a path)",
                                     backing, d->pool);
                goto out;
            }
            vireo_vol_clear(&v);
        } else if (!x->remote && access(backing, R_OK) < 0) {
            rc = vr_install_fail("--disk backing_store=%s: %s", backing, strerror(errno));
            goto out;
        }
        d->backing = vr_strdup(backing);
    }
    if (!size && !backing) {
        gib = x->plan.os->disk_gib;
    }
    d->bytes = gib > 0 ? ((unsigned long long)(gib * GIB) + 511) / 512 * 512 : 0;
    if (!d->volume)
        d->volume = free_vol_name(x, d->pool, x->plan.name, strcmp(d->format, "qcow2") == 0 ? ".qcow2" : ".img");
    if (strcmp(d->format, "qcow2") == 0 && !d->discard)
        d->discard = vr_strdup("unmap");
out:
    kv_free(items, n);
    return rc;
}

/* --network SPEC */
static int parse_nic(vr_install_ctx *x, const char *spec, bool *none)
{
    if (strcmp(spec, "none") == 0) {
        *none = true;
        return VR_EXIT_OK;
    }
    size_t n;
    kv *items = kv_split(spec, &n);
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
                    vr_install_fail("--network %s: unknown '%s' (network=NAME, bridge=BR, user or none)", spec, v);
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
            rc = vr_install_fail("--network %s: unknown option '%s' (known: network, bridge, type, model, mac)",
                                 spec, k);
    }
    if (rc)
        goto out;
    if (!type || (strcmp(type, "user") && strcmp(type, "network") && strcmp(type, "bridge"))) {
        rc = vr_install_fail("--network %s: say network=NAME, bridge=BR or user (type %s is not supported)", spec,
                             type ? type : "missing");
        goto out;
    }
    if (strcmp(type, "user") && (!source || !*source)) {
        rc = vr_install_fail("--network %s: type %s needs a name", spec, type);
        goto out;
    }
    if (model && strcmp(model, "virtio") && strcmp(model, "e1000") && strcmp(model, "e1000e") &&
        strcmp(model, "rtl8139")) {
        rc = vr_install_fail("--network model=%s: not supported by Vireo (virtio, e1000, e1000e, rtl8139)", model);
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
            rc = vr_install_fail("--network mac=%s: give a unicast MAC address like 52:54:00:12:34:56", mac);
            goto out;
        }
    }
    if (strcmp(type, "network") == 0) {
        vireo_network net = {0};
        if (vireo_network_get(x->c, source, &net) < 0) {
            if (strcmp(vireo_last_error_code(x->c), "not_found") == 0)
                rc = vr_install_fail("network '%s' not found (vireo net-list --all shows the defined ones)",
                                     source);
            else
                rc = vr_cli_fail(x->c);
            goto out;
        }
        if (!net.active) {
            x->networks_to_start = vr_realloc(x->networks_to_start, (x->n_networks_to_start + 1) * sizeof(char *));
            x->networks_to_start[x->n_networks_to_start++] = vr_strdup(source);
        }
        vireo_network_clear(&net);
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
    kv_free(items, n);
    return rc;
}

/* --boot hd,cdrom,network,uefi,kernel=,initrd=,kernel_args= */
static int parse_boot(vr_install_ctx *x, const char *spec)
{
    size_t n;
    kv *items = kv_split(spec, &n);
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
                        rc = vr_install_fail("--boot %s: %s is named twice", spec, dev);
                if (rc)
                    break;
                p->boot_devs[ndev++] = dev; /* at most hd, cdrom, network: three */
            } else if (strcmp(v, "uefi") == 0) {
                p->uefi = true;
            } else {
                rc = vr_install_fail(
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
            rc = vr_install_fail(
                "--boot %s: option '%s' is not supported (hd, cdrom, network, uefi, kernel=, initrd=, "
                "kernel_args=)",
                spec, k);
        }
    }
    kv_free(items, n);
    if (rc == VR_EXIT_OK && (p->initrd || p->cmdline) && !p->kernel)
        rc = vr_install_fail("--boot %s: initrd= and kernel_args= need kernel=", spec);
    return rc;
}

/* --cloud-init [user-data=F][,meta-data=F][,network-config=F][,ssh-key=F]...[,hostname=H]
 * [,root-password-file=F][,disable=on] */
static int parse_cloud_init(vr_install_ctx *x, const char *spec)
{
    size_t n;
    kv *items = kv_split(spec, &n);
    vr_cloudinit *ci = &x->ci;
    int rc = VR_EXIT_OK;
    for (size_t i = 0; i < n && rc == VR_EXIT_OK; i++) {
        const char *k = items[i].key, *v = items[i].value;
        char **file = NULL;
        if (strcmp(k, "user-data") == 0)
            file = &ci->user_data;
        else if (strcmp(k, "meta-data") == 0)
            file = &ci->meta_data;
        else if (strcmp(k, "network-config") == 0)
            file = &ci->network_config;
        else if (strcmp(k, "root-password-file") == 0)
            file = &ci->root_password_file;
        if (file) {
            free(*file);
            *file = vr_strdup(v);
            if (access(v, R_OK) < 0)
                rc = vr_install_fail("--cloud-init %s=%s: %s", k, v, strerror(errno));
        } else if (strcmp(k, "ssh-key") == 0 || strcmp(k, "clouduser-ssh-key") == 0) {
            if (access(v, R_OK) < 0) {
                rc = vr_install_fail("--cloud-init %s=%s: %s", k, v, strerror(errno));
                break;
            }
            ci->ssh_keys = vr_realloc(ci->ssh_keys, (ci->n_ssh_keys + 1) * sizeof(char *));
            ci->ssh_keys[ci->n_ssh_keys++] = vr_strdup(v);
        } else if (strcmp(k, "hostname") == 0) {
            bool ok = *v && strlen(v) <= 253 && v[0] != '-' && v[0] != '.';
            for (const char *s = v; *s && ok; s++)
                ok = isalnum((unsigned char)*s) || *s == '-' || *s == '.';
            if (!ok) {
                rc = vr_install_fail("--cloud-init hostname=%s: a host name is letters, digits, '-' and '.'", v);
                break;
            }
            free(ci->hostname);
            ci->hostname = vr_strdup(v);
        } else if (strcmp(k, "disable") == 0) {
            ci->disable = strcmp(v, "on") == 0 || strcmp(v, "yes") == 0;
        } else if (strcmp(k, "root-password-generate") == 0) {
            rc = vr_install_fail(
                "--cloud-init root-password-generate: not supported (vireo never prints a password); use "
                "ssh-key=FILE or root-password-file=FILE");
        } else if (!*k && !*v) {
            continue;
        } else {
            rc = vr_install_fail(
                "--cloud-init: unknown option '%s' (known: user-data, meta-data, network-config, ssh-key, "
                "hostname, root-password-file, disable)",
                *k ? k : v);
        }
    }
    kv_free(items, n);
    if (rc)
        return rc;
    if (ci->user_data && (ci->n_ssh_keys || ci->root_password_file))
        return vr_install_fail(
            "--cloud-init: user-data= is used as it is; put the ssh keys and password in it, or drop it");
    char *err = NULL;
    if (vr_cloudinit_check(ci, &err) < 0) {
        rc = vr_install_fail("%s", err);
        free(err);
        return rc;
    }
    if (!ci->hostname) {
        /* The domain's name, made a valid host name. */
        char *h = vr_strdup(x->plan.name);
        for (char *s = h; *s; s++)
            if (!isalnum((unsigned char)*s) && *s != '-')
                *s = '-';
        ci->hostname = h;
    }
    if (!ci->user_data && !ci->n_ssh_keys && !ci->root_password_file)
        notice(x,
               "warning: --cloud-init without ssh-key= or root-password-file=: only the serial console "
               "will let you in (if the image allows it)");
    x->cloud_init = true;
    return VR_EXIT_OK;
}

/* --location TREE|ISO[,kernel=PATH,initrd=PATH] */
static int parse_location(vr_install_ctx *x, const char *spec)
{
    size_t n;
    kv *items = kv_split(spec, &n);
    const char *path = NULL, *kernel = NULL, *initrd = NULL;
    int rc = VR_EXIT_OK;
    for (size_t i = 0; i < n && rc == VR_EXIT_OK; i++) {
        const char *k = items[i].key, *v = items[i].value;
        if (!*k)
            path = v;
        else if (strcmp(k, "kernel") == 0)
            kernel = v;
        else if (strcmp(k, "initrd") == 0)
            initrd = v;
        else
            rc = vr_install_fail("--location %s: unknown option '%s' (known: kernel, initrd)", spec, k);
    }
    if (rc)
        goto out;
    if (!path || !*path) {
        rc = vr_install_fail("--location %s: give a directory tree or an ISO", spec);
        goto out;
    }
    if (strstr(path, "://") || vr_str_starts(path, "nfs:")) {
        rc =
            vr_install_fail("--location %s: install trees are not fetched over the network; download or mount the "
                            "tree (or its ISO) and give its path",
                            path);
        goto out;
    }
    struct stat st;
    if (stat(path, &st) < 0) {
        rc = vr_install_fail("--location %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        rc = vr_install_fail("--location %s: neither a directory nor an ISO file", path);
        goto out;
    }
    char *real = realpath(path, NULL);
    x->location = real ? real : vr_strdup(path);
    x->location_iso = S_ISREG(st.st_mode);
    char *err = NULL;
    if (vr_tree_find(x->location, x->location_iso, kernel, initrd, &x->tree, &err) < 0) {
        rc = vr_install_fail("%s", err);
        free(err);
    }
out:
    kv_free(items, n);
    return rc;
}

static int need_local_file(const vr_install_ctx *x, const char *opt, const char *path)
{
    if (path[0] != '/')
        return vr_install_fail("%s %s: give an absolute path", opt, path);
    if (x->remote)
        return VR_EXIT_OK; /* a path on the daemon's host */
    struct stat st;
    if (stat(path, &st) < 0)
        return vr_install_fail("%s %s: %s", opt, path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return vr_install_fail("%s %s: is a directory", opt, path);
    if (access(path, R_OK) < 0)
        return vr_install_fail("%s %s: %s", opt, path, strerror(errno));
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

static bool host_has_kvm(vr_install_ctx *x, int *rc)
{
    char *host = vireo_host_json(x->c);
    if (!host) {
        *rc = vr_cli_fail(x->c);
        return false;
    }
    json_object *o = json_tokener_parse(host), *acc = NULL;
    bool kvm =
        o && json_object_object_get_ex(o, "accelerator", &acc) && strcmp(json_object_get_string(acc), "kvm") == 0;
    json_object_put(o);
    free(host);
    return kvm;
}

/* Read and check everything; make the plan. Creates nothing. */
int vr_install_make_plan(vr_install_ctx *x)
{
    vr_install_opts *o = x->o;
    vr_install_plan *p = &x->plan;
    int rc;
    const char *uri = vireo_conn_uri(x->c);
    x->remote = vr_str_starts(uri, "vireo+ssh");
    x->session = strstr(uri, "/session") != NULL;

    /* What to boot. */
    int sources = (o->cdrom != NULL) + (o->location != NULL) + o->import + o->pxe;
    if (sources > 1)
        return vr_install_fail("give one install source: --cdrom, --location, --pxe or --import");

    /* The OS variant. */
    const char *variant = o->os_variant;
    if (variant && vr_str_starts(variant, "name="))
        variant += 5;
    else if (variant && vr_str_starts(variant, "short-id="))
        variant += 9;
    if (variant && strcmp(variant, "detect=on") == 0)
        return vr_install_fail("--os-variant detect=on: Vireo does not detect the OS of install media; name it "
                               "(vireo install --os-variant list)");
    p->os = vr_osinfo_find(variant ? variant : "generic");
    if (!p->os) {
        char *close = vr_osinfo_close_matches(variant);
        if (close)
            rc = vr_install_fail(
                "unknown --os-variant '%s'; close matches: %s (all: vireo install --os-variant list)", variant,
                close);
        else
            rc = vr_install_fail(
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
    char *bad = NULL;
    if (!vr_name_check(VR_NAME_DOMAIN, p->name, &bad)) {
        rc = vr_install_fail("--name: %s", bad);
        free(bad);
        return rc;
    }
    unsigned long long v;
    const char *mem = o->memory;
    if (mem && vr_str_starts(mem, "memory="))
        mem += 7;
    if (mem && (!parse_uint(mem, 16ull * 1024 * 1024, &v) || v < 16))
        return vr_install_fail("--memory %s: give the memory in MiB, at least 16 (e.g. --memory 2048)", mem);
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
        bool ok = parse_uint(c, 255, &v) && v >= 1;
        free(c);
        if (!ok || comma)
            return vr_install_fail(
                "--vcpus %s: give a number of vCPUs from 1 to 255 (maxvcpus, sockets, ... are not "
                "supported)",
                cpus);
    }
    p->vcpus = cpus ? (unsigned)v : p->os->vcpus;

    /* The name must be free. */
    vireo_domain dom = {0};
    if (vireo_domain_get(x->c, p->name, &dom) == 0) {
        vireo_domain_clear(&dom);
        return vr_install_fail("domain '%s' already exists (vireo undefine %s removes it; or pick another --name)",
                               p->name, p->name);
    }
    if (strcmp(vireo_last_error_code(x->c), "not_found") != 0)
        return vr_cli_fail(x->c);
    if (o->uuid) {
        if (strlen(o->uuid) != 36)
            return vr_install_fail("--uuid %s: give a uuid like 6b1d0d2e-3c1a-4f5e-9a6b-0123456789ab", o->uuid);
        x->uuid = vr_strdup(o->uuid);
    } else {
        x->uuid = new_uuid();
    }
    p->uuid = x->uuid;
    p->title = (char *)o->title;

    /* Accelerator: the domain type follows the host. */
    rc = VR_EXIT_OK;
    bool kvm = host_has_kvm(x, &rc);
    if (rc)
        return rc;
    if (o->virt_type && strcmp(o->virt_type, "kvm") && strcmp(o->virt_type, "qemu"))
        return vr_install_fail("--virt-type %s: not supported (kvm or qemu)", o->virt_type);
    if (o->virt_type && strcmp(o->virt_type, "kvm") == 0 && !kvm)
        return vr_install_fail(
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
            return vr_install_fail("--cpu %s: not supported (host-passthrough, host-model, maximum)", o->cpu);
        p->cpu_mode = vr_strdup(m);
    } else {
        /* All of the host's CPU under KVM; under TCG QEMU's "max", which
         * has what x86-64-v2 distributions need (qemu64 has not). */
        p->cpu_mode = vr_strdup(strcmp(p->virt_type, "kvm") == 0 ? "host-passthrough" : "maximum");
    }
    if (o->machine &&
        !(strcmp(o->machine, "pc") == 0 || strcmp(o->machine, "q35") == 0 ||
          vr_str_starts(o->machine, "pc-i440fx-") || vr_str_starts(o->machine, "pc-q35-")))
        return vr_install_fail("--machine %s: not supported (pc, q35, pc-i440fx-X.Y, pc-q35-X.Y)", o->machine);
    p->machine = vr_strdup(o->machine ? o->machine : p->os->machine);

    /* --boot, the install source. */
    for (size_t i = 0; i < o->n_boots; i++)
        if ((rc = parse_boot(x, o->boots[i])))
            return rc;
    if (p->kernel) {
        if (o->cdrom || o->location || o->pxe)
            return vr_install_fail(
                "--boot kernel= boots a kernel for good; it does not go with --cdrom, --location or --pxe");
        if ((rc = need_local_file(x, "--boot kernel=", p->kernel)))
            return rc;
        if (p->initrd && (rc = need_local_file(x, "--boot initrd=", p->initrd)))
            return rc;
        p->source = VR_SRC_KERNEL;
    } else if (o->cdrom) {
        if ((rc = need_local_file(x, "--cdrom", o->cdrom)))
            return rc;
        p->source = VR_SRC_CDROM;
    } else if (o->location) {
        if ((rc = parse_location(x, o->location)))
            return rc;
        p->source = VR_SRC_LOCATION;
    } else if (o->pxe) {
        p->source = VR_SRC_PXE;
    } else if (o->import) {
        p->source = VR_SRC_IMPORT;
    } else {
        return vr_install_fail("an install source is needed: --cdrom ISO, --location TREE|ISO, --pxe, --import or "
                               "--boot kernel=PATH");
    }
    if (o->extra_args && p->source != VR_SRC_LOCATION)
        return vr_install_fail("--extra-args is for --location (with --boot kernel=, use kernel_args=)");

    /* Graphics. */
    const char *g = o->graphics ? o->graphics : "vnc";
    if (strcmp(g, "none") == 0) {
        p->vnc = false;
    } else {
        size_t n;
        kv *items = kv_split(g, &n);
        rc = VR_EXIT_OK;
        for (size_t i = 0; i < n && !rc; i++) {
            const char *k = items[i].key, *val = items[i].value;
            if ((!*k && (strcmp(val, "vnc") == 0 || strcmp(val, "default") == 0)) ||
                (strcmp(k, "type") == 0 && strcmp(val, "vnc") == 0)) {
                p->vnc = true;
            } else if (!*k || strcmp(k, "type") == 0) {
                rc = vr_install_fail("--graphics %s: not supported by Vireo (vnc or none)", val);
            } else if (strcmp(k, "listen") == 0) {
                free(p->vnc_listen);
                p->vnc_listen = vr_strdup(val);
            } else if (strcmp(k, "port") == 0) {
                p->vnc_port = atoi(val);
                if (p->vnc_port != -1 && (p->vnc_port < 5900 || p->vnc_port > 65535))
                    rc = vr_install_fail("--graphics port=%s: -1 or 5900-65535", val);
            } else {
                rc = vr_install_fail("--graphics %s: option '%s' is not supported (listen, port)", g, k);
            }
        }
        kv_free(items, n);
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
        return vr_install_fail("--disk none does not go with other --disk options");
    bool any_disk = false;
    for (size_t i = 0; i < p->n_disks; i++)
        any_disk |= !p->disks[i].cdrom;
    if (p->source == VR_SRC_IMPORT && !any_disk)
        return vr_install_fail(
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
    bool virtio_win = false;
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
    if (p->source == VR_SRC_CDROM || (p->source == VR_SRC_LOCATION && x->location_iso)) {
        vr_idisk *d = add_disk(x);
        d->type = VR_IDISK_FILE;
        d->cdrom = d->readonly = true;
        d->empty_after = true; /* the media is ejected for the next boots */
        d->path = vr_strdup(p->source == VR_SRC_CDROM ? o->cdrom : x->location);
        d->format = vr_strdup("raw");
        d->bus = vr_strdup(cdrom_bus(x));
    }

    /* Where generated media go: the pool of the first new disk, else default. */
    for (size_t i = 0; i < p->n_disks && !x->media_pool; i++)
        if (p->disks[i].create)
            x->media_pool = vr_strdup(p->disks[i].pool);
    if (!x->media_pool)
        x->media_pool = vr_strdup("default");
    bool need_media_pool = o->cloud_init_set || p->source == VR_SRC_LOCATION;
    char *media_dir = NULL;
    if (need_media_pool && (rc = pool_ready(x, x->media_pool, &media_dir)))
        return rc;

    /* cloud-init: a seed volume, read-only. Linux guests get it as a
     * virtio disk (Debian's cloud kernel has no AHCI for a CD on q35,
     * and undefine --remove-all-storage removes disks, not CD-ROMs);
     * others as a CD-ROM. */
    x->seed_disk = -1;
    if (o->cloud_init_set) {
        if ((rc = parse_cloud_init(x, o->cloud_init))) {
            free(media_dir);
            return rc;
        }
        vr_idisk *d = add_disk(x);
        x->seed_disk = (int)(p->n_disks - 1);
        d->type = VR_IDISK_VOLUME;
        d->pool = vr_strdup(x->media_pool);
        d->volume = free_vol_name(x, x->media_pool, p->name, "-cidata.iso");
        d->format = vr_strdup("raw");
        d->readonly = true;
        bool virtio = p->os->virtio || p->os->family == VR_OS_LINUX || virtio_win;
        d->cdrom = !virtio;
        d->bus = vr_strdup(virtio ? "virtio" : cdrom_bus(x));
    }

    /* --location: the kernel and initrd go into volumes for the first boot. */
    if (p->source == VR_SRC_LOCATION) {
        x->kernel_vol = free_vol_name(x, x->media_pool, p->name, "-install-kernel");
        x->initrd_vol = free_vol_name(x, x->media_pool, p->name, "-install-initrd");
        p->kernel = vr_asprintf("%s/%s", media_dir, x->kernel_vol);
        p->initrd = vr_asprintf("%s/%s", media_dir, x->initrd_vol);
        p->cmdline = o->extra_args ? vr_strdup(o->extra_args) : NULL;
        if (!p->vnc && !(p->cmdline && contains_word(p->cmdline, "console=")))
            append_arg(&p->cmdline, "console=ttyS0");
        if (x->tree.redhat && x->location_iso && !(p->cmdline && strstr(p->cmdline, "inst.stage2="))) {
            char *label = vr_iso_volume_id(x->location);
            if (label) {
                vr_strbuf s = {0};
                vr_strbuf_add(&s, "inst.stage2=hd:LABEL=");
                for (char *c = label; *c; c++)
                    c[0] == ' ' ? vr_strbuf_add(&s, "\\x20") : vr_strbuf_addn(&s, c, 1);
                char *arg = vr_strbuf_take(&s);
                append_arg(&p->cmdline, arg);
                free(arg);
                free(label);
            }
        }
    }

    free(media_dir);
    /* UEFI (<os firmware='efi'>: the daemon picks OVMF and makes the
     * NVRAM), Secure Boot, TPM and Hyper-V as the OS variant asks. */
    char *perr = NULL;
    if (vr_install_platform(p, &perr) < 0) {
        rc = vr_install_fail("%s", perr);
        free(perr);
        return rc;
    }

    /* Disk target names, in order, per bus family. */
    char *terr = NULL;
    if (vr_install_assign_targets(p, &terr) < 0) {
        rc = vr_install_fail("%s", terr);
        free(terr);
        return rc;
    }

    /* Networks. */
    bool none = false;
    for (size_t i = 0; i < o->n_networks; i++)
        if ((rc = parse_nic(x, o->networks[i], &none)))
            return rc;
    if (none && p->n_nics)
        return vr_install_fail("--network none does not go with other --network options");
    if (!none && !p->n_nics) {
        if (x->session) {
            rc = parse_nic(x, "user", &none);
        } else {
            vireo_network net = {0};
            if (vireo_network_get(x->c, "default", &net) == 0) {
                vireo_network_clear(&net);
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
        return vr_install_fail("--pxe boots from the network: it needs a --network");
    p->guest_agent = p->os->family == VR_OS_LINUX;
    return VR_EXIT_OK;
}
