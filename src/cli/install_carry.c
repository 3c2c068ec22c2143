/* vireo install to a remote daemon (vireo+ssh://): the media only this
 * machine has go to the remote host first, as volumes, and the request
 * names them instead of the local paths. Carried: the --cdrom ISO, the
 * --location ISO (attached while installing; its kernel and initrd go
 * as the plan's volumes, cmd_install.c), a CD-ROM --disk (the virtio-win
 * drivers ISO), --boot kernel= and initrd=, and a --disk copy_from=
 * image. Each goes into the remote's default pool, or the pool= of its
 * --disk, with a progress bar on a terminal; a failed or cancelled
 * install removes what was uploaded (vr_install_rollback).
 *
 * What the remote host has already is not uploaded again: a path there
 * that is this very file as a volume of one of its pools (shared
 * storage), or a volume of the target pool with the file's name and
 * size (an earlier install's upload). A path this machine has not is
 * one on the remote host, sent as given. A directory tree (--location
 * DIR) is not carried: its ISO is. A dry run (--dry-run, --print-xml)
 * names what the remote host has already and uploads nothing. */
#include "cli/cli.h"
#include "cli/install.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "install/install_kv.h"
#include "vireo/vireo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t vr_install_interrupted;

static void remember(vr_install_ctx *x, const char *pool, const char *name)
{
    x->made = vr_realloc(x->made, (x->n_made + 1) * sizeof(*x->made));
    x->made[x->n_made].pool = vr_strdup(pool);
    x->made[x->n_made].name = vr_strdup(name);
    x->n_made++;
}

void vr_install_rollback(vr_install_ctx *x)
{
    for (size_t i = x->n_made; i-- > 0;) {
        /* An upload broken off a moment ago holds its volume until the
         * daemon has read the end of it (a conflict meanwhile): 10 s at most. */
        int r, tries = 0;
        while ((r = vireo_vol_delete(x->c, x->made[i].pool, x->made[i].name)) < 0 && tries++ < 100 &&
               vireo_last_error_code(x->c) && strcmp(vireo_last_error_code(x->c), "conflict") == 0) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (r < 0)
            fprintf(stderr, "vireo: warning: volume '%s' of pool '%s' is left: %s\n", x->made[i].name,
                    x->made[i].pool, vireo_last_error(x->c));
    }
}

typedef struct {
    const char *label;
    int fd;
    bool stopped;
} upload_view;

/* The bar; on Ctrl+C the input ends here (/dev/null from now on), so
 * the upload stops at once and the daemon drops what it received. */
static void upload_bar(unsigned long long done, unsigned long long total, void *opaque)
{
    upload_view *v = opaque;
    if (vr_install_interrupted && !v->stopped) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, v->fd);
            close(null);
        }
        v->stopped = true;
    }
    vr_cli_progress(v->label, total ? 100.0 * (double)done / (double)total : 100.0);
}

int vr_install_upload(vr_install_ctx *x, const char *pool, const char *name, const char *file, const char *what,
                      char **path)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int rc = vr_install_fail("cannot read %s: %s", file, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    char size[32];
    snprintf(size, sizeof(size), "%llu", (unsigned long long)(st.st_size > 0 ? st.st_size : 512));
    char human[32];
    printf("Writing %s '%s' (%s) to pool '%s'\n", what, name, vr_cli_size((unsigned long long)st.st_size, human),
           pool);
    fflush(stdout);
    vireo_vol v = {0};
    if (vireo_vol_create_as(x->c, pool, name, size, "raw", NULL, NULL, &v) < 0) {
        close(fd);
        return vr_cli_fail(x->c);
    }
    remember(x, pool, name);
    if (path)
        *path = v.path ? vr_strdup(v.path) : NULL;
    vireo_vol_clear(&v);
    char *label = vr_asprintf("  %s", name);
    upload_view view = {.label = label, .fd = fd};
    int r = vireo_vol_upload(x->c, pool, name, fd, (unsigned long long)st.st_size, upload_bar, &view);
    vr_cli_progress_end();
    free(label);
    close(fd);
    if (r < 0 && view.stopped)
        return vr_install_fail("interrupted while writing '%s'; it is removed", name);
    return r < 0 ? vr_cli_fail(x->c) : VR_EXIT_OK;
}

/* Where the lines about volumes go: stdout, but for --print-xml's XML. */
static FILE *said(const vr_install_ctx *x)
{
    return x->o->print_xml ? stderr : stdout;
}

/* A regular file on this machine? */
static bool local_file(const char *path, struct stat *st)
{
    return path && *path && stat(path, st) == 0 && S_ISREG(st->st_mode);
}

/* The local file `file` of option `opt` on the remote host: *vol gets
 * "POOL/NAME" and *rpath its path there (either may be NULL). 0 with
 * *vol NULL when it is not a file on this machine: then it is a path on
 * the remote host. */
static int carry_file(vr_install_ctx *x, const char *opt, const char *file, const char *pool, const char *what,
                      char **vol, char **rpath)
{
    struct stat st;
    *vol = NULL;
    if (rpath)
        *rpath = NULL;
    if (!local_file(file, &st))
        return VR_EXIT_OK;
    unsigned long long size = (unsigned long long)st.st_size;
    char *abs = realpath(file, NULL);
    vireo_vol v = {0};
    /* The same path on the remote host, a volume there of this size:
     * shared storage, nothing to carry. */
    if (abs && vireo_vol_get(x->c, NULL, abs, &v) == 0 && v.capacity == size) {
        fprintf(said(x), "Using volume '%s' of pool '%s': %s is on the remote host too\n", v.name, v.pool, abs);
        *vol = vr_asprintf("%s/%s", v.pool, v.name);
        if (rpath)
            *rpath = vr_strdup(v.path);
        vireo_vol_clear(&v);
        free(abs);
        return VR_EXIT_OK;
    }
    vireo_vol_clear(&v);
    free(abs);
    const char *slash = strrchr(file, '/');
    const char *name = slash ? slash + 1 : file;
    int rc = VR_EXIT_OK;
    if (vireo_vol_get(x->c, pool, name, &v) == 0) {
        /* An earlier upload: the same name and size is taken as the same file. */
        if (v.capacity == size) {
            fprintf(said(x),
                    "Using volume '%s' of pool '%s' on the remote host (the size of %s; not written again)\n", name,
                    pool, file);
            *vol = vr_asprintf("%s/%s", pool, name);
            if (rpath)
                *rpath = vr_strdup(v.path);
        } else {
            char a[32], b[32];
            rc = vr_install_fail("%s %s: pool '%s' on the remote host has another volume '%s' (%s; the file is "
                                 "%s); remove it (vireo vol-delete %s --pool %s) or rename the file",
                                 opt, file, pool, name, vr_cli_size(v.capacity, a), vr_cli_size(size, b), name, pool);
        }
        vireo_vol_clear(&v);
        return rc;
    }
    vireo_vol_clear(&v);
    if (x->no_upload)
        return vr_install_fail("%s %s: the file is on this machine only, and --dry-run and --print-xml upload "
                               "nothing; install without them to write it to pool '%s' of the remote host",
                               opt, file, pool);
    vireo_pool p = {0};
    if (vireo_pool_get(x->c, pool, &p) < 0) {
        vireo_pool_clear(&p);
        return vr_install_fail("%s %s: the file is on this machine and goes to pool '%s' of the remote host, "
                               "which has no such pool (vireo pool-list shows its pools; or copy the file to "
                               "that host and give its path there)",
                               opt, file, pool);
    }
    vireo_pool_clear(&p);
    if ((rc = vr_install_upload(x, pool, name, file, what, rpath)))
        return rc;
    *vol = vr_asprintf("%s/%s", pool, name);
    return VR_EXIT_OK;
}

/* key=value[,...] again, a value with a comma quoted; items with a NULL
 * value are left out. */
static char *kv_join(const vr_kv *items, size_t n)
{
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "");
    for (size_t k = 0; k < n; k++) {
        if (!items[k].value)
            continue;
        if (b.len)
            vr_strbuf_add(&b, ",");
        if (*items[k].key)
            vr_strbuf_addf(&b, "%s=", items[k].key);
        vr_strbuf_addf(&b, strchr(items[k].value, ',') ? "\"%s\"" : "%s", items[k].value);
    }
    return vr_strbuf_take(&b);
}

static void kv_set(vr_kv *item, const char *key, char *value)
{
    char *k = vr_strdup(key); /* key may be item's own */
    free(item->key);
    free(item->value);
    item->key = k;
    item->value = value;
}

/* An install ISO (--cdrom, --location): *file, when it is on this
 * machine, becomes *volume, "POOL/NAME" of the remote host. */
static int carry_iso(vr_install_ctx *x, const char *opt, char **file, char **volume)
{
    char *vol = NULL;
    int rc = carry_file(x, opt, *file, "default", "the install ISO", &vol, NULL);
    if (rc || !vol)
        return rc;
    *volume = vol;
    free(*file);
    *file = NULL;
    return VR_EXIT_OK;
}

/* --boot kernel=,initrd=: the domain boots them for good, from the
 * remote pool's files. */
static int carry_boots(vr_install_ctx *x)
{
    for (size_t i = 0; i < x->req.n_boots; i++) {
        size_t n;
        vr_kv *items = vr_kv_split(x->req.boots[i], &n);
        bool changed = false;
        int rc = VR_EXIT_OK;
        for (size_t k = 0; k < n && !rc; k++) {
            bool kernel = strcmp(items[k].key, "kernel") == 0;
            if (!kernel && strcmp(items[k].key, "initrd") != 0)
                continue;
            char *opt = vr_asprintf("--boot %s=", items[k].key), *vol = NULL, *rpath = NULL;
            rc = carry_file(x, opt, items[k].value, "default", kernel ? "the kernel" : "the initrd", &vol, &rpath);
            free(opt);
            if (!rc && vol && !rpath)
                rc = vr_install_fail("volume '%s' on the remote host has no file path to boot from", vol);
            if (!rc && vol) {
                kv_set(&items[k], items[k].key, rpath);
                rpath = NULL;
                changed = true;
            }
            free(vol);
            free(rpath);
        }
        if (!rc && changed) {
            free(x->req.boots[i]);
            x->req.boots[i] = kv_join(items, n);
        }
        vr_kv_free(items, n);
        if (rc)
            return rc;
    }
    return VR_EXIT_OK;
}

/* The format of a local image file: qcow2 by its magic, else raw. */
static const char *local_format(const char *file)
{
    unsigned char m[4] = {0};
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    ssize_t r = fd >= 0 ? read(fd, m, sizeof(m)) : -1;
    if (fd >= 0)
        close(fd);
    return r == 4 && memcmp(m, "QFI\xfb", 4) == 0 ? "qcow2" : "raw";
}

/* --disk copy_from=FILE: the image uploaded as the new volume of the
 * disk's pool (the copy goes over the connection). */
static int carry_copy(vr_install_ctx *x, vr_kv *items, size_t n, const char *from, const char *pool,
                      const char *format, char **spec)
{
    const char *fmt = local_format(from);
    if (format && strcmp(format, fmt) != 0)
        return vr_install_fail("--disk copy_from=%s,format=%s: a local image goes to the remote host as it is "
                               "(%s); drop format=", from, format, fmt);
    if (x->no_upload)
        return vr_install_fail("--disk copy_from=%s: the image is on this machine only, and --dry-run and "
                               "--print-xml upload nothing; install without them to copy it to the remote host",
                               from);
    char *name = vr_asprintf("%s%s", x->req.name, strcmp(fmt, "qcow2") == 0 ? ".qcow2" : ".img");
    vireo_vol v = {0};
    int rc = VR_EXIT_OK;
    if (vireo_vol_get(x->c, pool, name, &v) == 0)
        rc = vr_install_fail("--disk copy_from=%s: volume '%s' of pool '%s' exists on the remote host; remove "
                             "it or pick another --name", from, name, pool);
    vireo_vol_clear(&v);
    if (!rc)
        rc = vr_install_upload(x, pool, name, from, "the disk image", NULL);
    if (!rc) {
        /* The same disk, now a volume that exists (pool may be an item's). */
        char *vol = vr_asprintf("%s/%s", pool, name);
        for (size_t k = 0; k < n; k++)
            if (strcmp(items[k].key, "copy_from") == 0 && vol)
                kv_set(&items[k], "vol", vol), vol = NULL;
            else if (strcmp(items[k].key, "pool") == 0 || strcmp(items[k].key, "format") == 0)
                kv_set(&items[k], "", NULL);
        free(vol);
        *spec = kv_join(items, n);
    }
    free(name);
    return rc;
}

/* A --disk of this machine: a CD-ROM's ISO (the drivers ISO of a Windows
 * install) goes into the disk's pool= (default) and the disk names the
 * volume; a copy_from= image becomes the new volume. */
static int carry_disks(vr_install_ctx *x)
{
    for (size_t i = 0; i < x->req.n_disks; i++) {
        size_t n;
        vr_kv *items = vr_kv_split(x->req.disks[i], &n);
        const char *from = NULL, *pool = "default", *format = NULL;
        bool cdrom = false;
        vr_kv *path = NULL;
        for (size_t k = 0; k < n; k++) {
            const char *key = items[k].key, *v = items[k].value;
            if (strcmp(key, "copy_from") == 0)
                from = v;
            else if (strcmp(key, "pool") == 0)
                pool = v;
            else if (strcmp(key, "format") == 0)
                format = v;
            else if (strcmp(key, "device") == 0)
                cdrom = strcmp(v, "cdrom") == 0;
            else if (!*key || strcmp(key, "path") == 0)
                path = &items[k];
        }
        struct stat st;
        int rc = VR_EXIT_OK;
        char *spec = NULL;
        if (from && from[0] == '/' && local_file(from, &st)) {
            rc = carry_copy(x, items, n, from, pool, format, &spec);
        } else if (cdrom && path && local_file(path->value, &st)) {
            char *vol = NULL;
            rc = carry_file(x, "--disk", path->value, pool, "the CD-ROM's ISO", &vol, NULL);
            if (!rc && vol) {
                kv_set(path, "vol", vol);
                for (size_t k = 0; k < n; k++)
                    if (strcmp(items[k].key, "pool") == 0)
                        kv_set(&items[k], "", NULL);
                spec = kv_join(items, n);
            }
        }
        if (spec) {
            free(x->req.disks[i]);
            x->req.disks[i] = spec;
        }
        vr_kv_free(items, n);
        if (rc)
            return rc;
    }
    return VR_EXIT_OK;
}

int vr_install_carry(vr_install_ctx *x)
{
    if (!x->remote)
        return VR_EXIT_OK;
    int rc;
    /* The --location ISO is attached while installing, as a volume there. */
    if ((rc = carry_iso(x, "--cdrom", &x->req.cdrom, &x->req.cdrom_volume)) ||
        (rc = carry_iso(x, "--location", &x->req.location_iso, &x->req.location_volume)) ||
        (rc = carry_disks(x)) || (rc = carry_boots(x)))
        return rc;
    return vr_install_interrupted ? vr_install_fail("interrupted") : VR_EXIT_OK;
}
