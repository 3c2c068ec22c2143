/* vireo install, first half: what stays on the client. The options go
 * to the daemon as they are (vireo_install_request), and the daemon's
 * one plan checks them (src/core/install_ops.c); the client reads only
 * what is on its own machine: the --location tree or ISO (its kernel
 * and initrd are uploaded) and the --cloud-init files (the seed is made
 * here and uploaded). */
#include "cli/cli.h"
#include "cli/install.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "install/install_kv.h"
#include "vireo/vireo.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void vr_install_ctx_clear(vr_install_ctx *x)
{
    vireo_install_request_clear(&x->req);
    vireo_install_plan_clear(&x->plan);
    vr_cloudinit_clear(&x->ci);
    free(x->location);
    vr_tree_files_clear(&x->tree);
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

static char *dup_or_null(const char *s)
{
    return s ? vr_strdup(s) : NULL;
}

static char **strv_copy(const char **v, size_t n)
{
    char **out = vr_calloc(n + 1, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = vr_strdup(v[i]);
    return out;
}

/* --cloud-init [user-data=F][,meta-data=F][,network-config=F][,ssh-key=F]...[,hostname=H]
 * [,root-password-file=F][,disable=on] */
static int parse_cloud_init(vr_install_ctx *x, const char *spec)
{
    size_t n;
    vr_kv *items = vr_kv_split(spec, &n);
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
    vr_kv_free(items, n);
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
        char *h = vr_strdup(x->o->name);
        for (char *s = h; *s; s++)
            if (!isalnum((unsigned char)*s) && *s != '-')
                *s = '-';
        ci->hostname = h;
    }
    if (!ci->user_data && !ci->n_ssh_keys && !ci->root_password_file)
        fprintf(stderr, "vireo: warning: --cloud-init without ssh-key= or root-password-file=: only the serial "
                        "console will let you in (if the image allows it)\n");
    x->cloud_init = true;
    return VR_EXIT_OK;
}

/* --location TREE|ISO[,kernel=PATH,initrd=PATH] */
static int parse_location(vr_install_ctx *x, const char *spec)
{
    size_t n;
    vr_kv *items = vr_kv_split(spec, &n);
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
    if (x->remote && S_ISDIR(st.st_mode)) {
        /* virt-install refuses it too ("Cannot access install tree on
         * remote connection"); an ISO goes along whole. */
        rc = vr_install_fail("--location %s: a directory on this machine cannot be carried to the remote host; "
                             "make it an ISO (xorriso -as mkisofs -r -J -o tree.iso %s) and give --location "
                             "tree.iso",
                             path, path);
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
    vr_kv_free(items, n);
    return rc;
}


/* Anaconda finds its ISO by label: inst.stage2=hd:LABEL=... */
static void add_stage2(vr_install_ctx *x, char **cmdline)
{
    if (!x->tree.redhat || !x->location_iso || (*cmdline && strstr(*cmdline, "inst.stage2=")))
        return;
    char *label = vr_iso_volume_id(x->location);
    if (!label)
        return;
    vr_strbuf s = {0};
    if (*cmdline && **cmdline) {
        vr_strbuf_add(&s, *cmdline);
        vr_strbuf_add(&s, " ");
    }
    vr_strbuf_add(&s, "inst.stage2=hd:LABEL=");
    for (char *c = label; *c; c++)
        c[0] == ' ' ? vr_strbuf_add(&s, "\\x20") : vr_strbuf_addn(&s, c, 1);
    free(*cmdline);
    *cmdline = vr_strbuf_take(&s);
    free(label);
}

int vr_install_make_request(vr_install_ctx *x)
{
    vr_install_opts *o = x->o;
    vireo_install_request *r = &x->req;
    const char *uri = vireo_conn_uri(x->c);
    x->remote = vr_str_starts(uri, "vireo+ssh");
    int rc;
    *r = (vireo_install_request){
        .name = dup_or_null(o->name), .memory = dup_or_null(o->memory), .vcpus = dup_or_null(o->vcpus),
        .os_variant = dup_or_null(o->os_variant), .cdrom = dup_or_null(o->cdrom),
        .extra_args = dup_or_null(o->extra_args), .import = o->import, .pxe = o->pxe,
        .disks = strv_copy(o->disks, o->n_disks), .n_disks = o->n_disks,
        .networks = strv_copy(o->networks, o->n_networks), .n_networks = o->n_networks,
        .boots = strv_copy(o->boots, o->n_boots), .n_boots = o->n_boots, .graphics = dup_or_null(o->graphics),
        .machine = dup_or_null(o->machine), .virt_type = dup_or_null(o->virt_type), .cpu = dup_or_null(o->cpu),
        .uuid = dup_or_null(o->uuid), .title = dup_or_null(o->title), .tpm = dup_or_null(o->tpm), .noreboot = o->noreboot,
        .autostart = o->autostart, .dry_run = true};
    if (o->location) {
        if ((rc = parse_location(x, o->location)))
            return rc;
        r->location = true;
        r->location_iso = x->location_iso ? vr_strdup(x->location) : NULL;
        add_stage2(x, &r->extra_args);
    }
    if (o->cloud_init_set) {
        if (!o->name)
            return vr_install_fail("--name NAME is required");
        if ((rc = parse_cloud_init(x, o->cloud_init)))
            return rc;
        r->cloud_init = true;
    }
    return VR_EXIT_OK;
}
