/* Install media for vireo install: the installer kernel and initrd of
 * an install tree or ISO (--location), and NoCloud seed images
 * (--cloud-init). ISOs are read and written with xorriso, which the
 * guest images already need; nothing is mounted. */
#define _XOPEN_SOURCE 700
#include "cli/install.h"
#include "common/child.h"
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- processes and temporary files ---- */

int vr_install_run(const char *const *argv, char **out, char **err)
{
    vr_child_spec s = {.argv = (char *const *)argv, .out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true};
    vr_child_result r;
    if (vr_child_run(&s, &r, NULL) < 0)
        return -1;
    int rc = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
    if (rc != 0 && err) {
        /* The last non-empty line of stderr says why. */
        char *e = r.err;
        size_t n = strlen(e);
        while (n && (e[n - 1] == '\n' || e[n - 1] == ' '))
            e[--n] = '\0';
        char *last = strrchr(e, '\n');
        *err = vr_strdup(last ? last + 1 : e);
        if (rc == 127 && !**err) {
            free(*err);
            *err = vr_asprintf("cannot run %s", argv[0]);
        }
    }
    if (out) {
        *out = r.out;
        r.out = NULL;
    }
    vr_child_result_clear(&r);
    return rc;
}

char *vr_install_tmpdir(char **err)
{
    const char *base = getenv("TMPDIR");
    char *dir = vr_asprintf("%s/vireo-install-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        vr_set_error(err, "cannot make a temporary directory in %s: %s", base && *base ? base : "/tmp",
                     strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void vr_install_rmtree(const char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool have_xorriso(char **err)
{
    const char *path = getenv("PATH");
    char *copy = vr_strdup(path && *path ? path : "/usr/bin:/bin");
    bool found = false;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found;
         dir = strtok_r(NULL, ":", &save)) {
        char *f = vr_asprintf("%s/xorriso", dir);
        found = access(f, X_OK) == 0;
        free(f);
    }
    free(copy);
    if (!found)
        vr_set_error(err, "xorriso is needed to read and write ISO images (apt-get install xorriso)");
    return found;
}

/* ---- install trees ---- */

/* Where installers keep their kernel and initrd, relative to the root
 * of a tree or ISO; the first layout with both files wins. */
static const struct {
    const char *kernel, *initrd, *distro;
    bool redhat;
} layouts[] = {
    {"install.amd/vmlinuz", "install.amd/initrd.gz", "Debian", false},                  /* Debian ISO */
    {"debian-installer/amd64/linux", "debian-installer/amd64/initrd.gz", "Debian", false}, /* netboot */
    {"current/images/netboot/debian-installer/amd64/linux",
     "current/images/netboot/debian-installer/amd64/initrd.gz", "Debian", false},       /* a mirror */
    {"install/netboot/debian-installer/amd64/linux", "install/netboot/debian-installer/amd64/initrd.gz",
     "Debian", false},
    {"ubuntu-installer/amd64/linux", "ubuntu-installer/amd64/initrd.gz", "Ubuntu", false},
    {"casper/vmlinuz", "casper/initrd", "Ubuntu", false},                               /* live server */
    {"install/vmlinuz", "install/initrd.gz", "Debian/Ubuntu", false},
    {"images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", "Fedora/RHEL", true},
    {"isolinux/vmlinuz", "isolinux/initrd.img", "Fedora/RHEL", true},
    {"boot/x86_64/loader/linux", "boot/x86_64/loader/initrd", "openSUSE", false},
    {"boot/vmlinuz-virt", "boot/initramfs-virt", "Alpine", false},
    {"boot/vmlinuz-lts", "boot/initramfs-lts", "Alpine", false},
    {"arch/boot/x86_64/vmlinuz-linux", "arch/boot/x86_64/initramfs-linux.img", "Arch Linux", false},
};

void vr_tree_files_clear(vr_tree_files *f)
{
    free(f->kernel);
    free(f->initrd);
    *f = (vr_tree_files){0};
}

static const char *strip_slash(const char *p)
{
    while (*p == '/')
        p++;
    return p;
}

/* Which of the paths exist in the ISO: one xorriso run for all. */
static bool *iso_have(const char *iso, const char *const *paths, size_t n, char **err)
{
    const char **argv = vr_calloc(n + 8, sizeof(*argv));
    char **abs = vr_calloc(n, sizeof(*abs));
    size_t a = 0;
    argv[a++] = "xorriso";
    argv[a++] = "-abort_on";
    argv[a++] = "NEVER";
    argv[a++] = "-indev";
    argv[a++] = iso;
    argv[a++] = "-lsd";
    for (size_t i = 0; i < n; i++)
        argv[a++] = abs[i] = vr_asprintf("/%s", strip_slash(paths[i]));
    char *out = NULL, *e = NULL;
    int rc = vr_install_run(argv, &out, &e);
    bool *have = NULL;
    /* -lsd prints each path found as '/path', one a line; a missing
     * path is only a warning. */
    if (rc < 0 || !out || (rc != 0 && !*out)) {
        vr_set_error(err, "cannot read the ISO %s: %s", iso, e && *e ? e : "xorriso failed");
    } else {
        have = vr_calloc(n, sizeof(*have));
        for (size_t i = 0; i < n; i++) {
            char *quoted = vr_asprintf("'%s'\n", abs[i]);
            have[i] = strstr(out, quoted) != NULL;
            free(quoted);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(abs[i]);
    free(abs);
    free(argv);
    free(out);
    free(e);
    return have;
}

static bool tree_has(const char *dir, const char *rel)
{
    char *p = vr_asprintf("%s/%s", dir, strip_slash(rel));
    struct stat st;
    bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

int vr_tree_find(const char *location, bool iso, const char *kernel, const char *initrd,
                 vr_tree_files *out, char **err)
{
    *out = (vr_tree_files){0};
    if (iso && !have_xorriso(err))
        return -1;
    if (kernel || initrd) {
        if (!kernel || !initrd) {
            vr_set_error(err, "--location %s: give both kernel= and initrd=", location);
            return -1;
        }
        const char *pair[2] = {kernel, initrd};
        bool ok[2];
        if (iso) {
            bool *h = iso_have(location, pair, 2, err);
            if (!h)
                return -1;
            ok[0] = h[0];
            ok[1] = h[1];
            free(h);
        } else {
            ok[0] = tree_has(location, kernel);
            ok[1] = tree_has(location, initrd);
        }
        for (int i = 0; i < 2; i++)
            if (!ok[i]) {
                vr_set_error(err, "--location %s: there is no file %s in it", location, strip_slash(pair[i]));
                return -1;
            }
        out->kernel = vr_strdup(strip_slash(kernel));
        out->initrd = vr_strdup(strip_slash(initrd));
        out->distro = "given";
        return 0;
    }
    size_t n = VR_ARRAY_LEN(layouts);
    bool *have = NULL;
    if (iso) {
        const char **paths = vr_calloc(2 * n, sizeof(*paths));
        for (size_t i = 0; i < n; i++) {
            paths[2 * i] = layouts[i].kernel;
            paths[2 * i + 1] = layouts[i].initrd;
        }
        have = iso_have(location, paths, 2 * n, err);
        free(paths);
        if (!have)
            return -1;
    }
    for (size_t i = 0; i < n; i++) {
        bool k = iso ? have[2 * i] : tree_has(location, layouts[i].kernel);
        bool r = iso ? have[2 * i + 1] : tree_has(location, layouts[i].initrd);
        if (k && r) {
            out->kernel = vr_strdup(layouts[i].kernel);
            out->initrd = vr_strdup(layouts[i].initrd);
            out->distro = layouts[i].distro;
            out->redhat = layouts[i].redhat;
            free(have);
            return 0;
        }
    }
    free(have);
    vr_set_error(err, "--location %s: no installer kernel and initrd found (looked for install.amd/, "
                      "debian-installer/amd64/, casper/, images/pxeboot/, boot/ and more; name them with "
                      "--location %s,kernel=PATH,initrd=PATH)", location, location);
    return -1;
}

int vr_iso_extract(const char *iso, const vr_tree_files *f, const char *dir, char **err)
{
    char *k_src = vr_asprintf("/%s", f->kernel), *i_src = vr_asprintf("/%s", f->initrd);
    char *k_dst = vr_asprintf("%s/kernel", dir), *i_dst = vr_asprintf("%s/initrd", dir);
    const char *argv[] = {"xorriso", "-osirrox", "on", "-indev", iso, "-extract", k_src, k_dst,
                          "-extract", i_src, i_dst, NULL};
    char *e = NULL;
    int rc = vr_install_run(argv, NULL, &e);
    if (rc != 0)
        vr_set_error(err, "cannot copy the kernel and initrd out of %s: %s", iso, e && *e ? e : "xorriso failed");
    free(e);
    free(k_src);
    free(i_src);
    free(k_dst);
    free(i_dst);
    return rc == 0 ? 0 : -1;
}

char *vr_iso_volume_id(const char *iso)
{
    const char *argv[] = {"xorriso", "-indev", iso, "-pvd_info", NULL};
    char *out = NULL;
    if (vr_install_run(argv, &out, NULL) != 0) {
        free(out);
        return NULL;
    }
    char *id = NULL, *line = out ? strstr(out, "Volume Id") : NULL;
    if (line) {
        char *colon = strchr(line, ':');
        char *end = colon ? strchr(colon, '\n') : NULL;
        if (colon && end) {
            id = vr_strndup(colon + 1, (size_t)(end - colon - 1));
            char *t = vr_str_trim(id);
            memmove(id, t, strlen(t) + 1);
        }
    }
    free(out);
    return id;
}

/* ---- cloud-init NoCloud seeds ---- */

void vr_cloudinit_clear(vr_cloudinit *ci)
{
    free(ci->user_data);
    free(ci->meta_data);
    free(ci->network_config);
    for (size_t i = 0; i < ci->n_ssh_keys; i++)
        free(ci->ssh_keys[i]);
    free(ci->ssh_keys);
    free(ci->root_password_file);
    free(ci->hostname);
    *ci = (vr_cloudinit){0};
}

/* A YAML double-quoted scalar. */
static void yaml_str(vr_strbuf *b, const char *s)
{
    vr_strbuf_add(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            vr_strbuf_addf(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            vr_strbuf_addf(b, "\\x%02x", (unsigned char)*s);
        else
            vr_strbuf_addn(b, s, 1);
    }
    vr_strbuf_add(b, "\"");
}

/* The public keys of a key file, one a line, appended to keys[]. */
static int read_keys(const char *file, char ***keys, size_t *n, char **err)
{
    char *text = vr_file_read(file, NULL);
    if (!text) {
        vr_set_error(err, "--cloud-init ssh-key=%s: %s", file, strerror(errno));
        return -1;
    }
    if (strstr(text, "PRIVATE KEY")) {
        vr_set_error(err, "--cloud-init ssh-key=%s: that is a private key; give the public one (%s.pub)",
                     file, file);
        free(text);
        return -1;
    }
    int rc = 0;
    size_t before = *n;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line = vr_str_trim(line);
        if (!*line || *line == '#')
            continue;
        if (!vr_str_starts(line, "ssh-") && !vr_str_starts(line, "ecdsa-") && !vr_str_starts(line, "sk-")) {
            vr_set_error(err, "--cloud-init ssh-key=%s: not an OpenSSH public key (a line should start "
                              "with ssh-ed25519, ssh-rsa, ecdsa-... or sk-...)", file);
            rc = -1;
            break;
        }
        *keys = vr_realloc(*keys, (*n + 1) * sizeof(**keys));
        (*keys)[(*n)++] = vr_strdup(line);
    }
    free(text);
    if (rc == 0 && *n == before) {
        vr_set_error(err, "--cloud-init ssh-key=%s: no key in it", file);
        rc = -1;
    }
    return rc;
}

static void add_keys(vr_strbuf *b, char **keys, size_t n, const char *indent)
{
    for (size_t i = 0; i < n; i++) {
        vr_strbuf_addf(b, "%s- ", indent);
        yaml_str(b, keys[i]);
        vr_strbuf_add(b, "\n");
    }
}

static void free_keys(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

static char *make_user_data(const vr_cloudinit *ci, char **err)
{
    char **keys = NULL;
    size_t nkeys = 0;
    for (size_t i = 0; i < ci->n_ssh_keys; i++)
        if (read_keys(ci->ssh_keys[i], &keys, &nkeys, err) < 0) {
            free_keys(keys, nkeys);
            return NULL;
        }
    char *password = NULL;
    if (ci->root_password_file) {
        password = vr_file_read(ci->root_password_file, NULL);
        if (!password) {
            vr_set_error(err, "--cloud-init root-password-file=%s: %s", ci->root_password_file, strerror(errno));
            free_keys(keys, nkeys);
            return NULL;
        }
        char *nl = strchr(password, '\n');
        if (nl)
            *nl = '\0';
        if (!*password) {
            vr_set_error(err, "--cloud-init root-password-file=%s: the first line is empty",
                         ci->root_password_file);
            free(password);
            free_keys(keys, nkeys);
            return NULL;
        }
    }
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "#cloud-config\n# made by vireo install\n");
    if (nkeys || password)
        vr_strbuf_add(&b, "disable_root: false\n");
    if (nkeys) {
        /* The distribution's default user and root get the keys. */
        vr_strbuf_add(&b, "ssh_authorized_keys:\n");
        add_keys(&b, keys, nkeys, "  ");
        vr_strbuf_add(&b, "users:\n  - default\n  - name: root\n    ssh_authorized_keys:\n");
        add_keys(&b, keys, nkeys, "      ");
    }
    if (password) {
        vr_strbuf_add(&b, "ssh_pwauth: true\nchpasswd:\n  expire: false\n  users:\n    - name: root\n"
                          "      type: text\n      password: ");
        yaml_str(&b, password);
        vr_strbuf_add(&b, "\n");
        explicit_bzero(password, strlen(password));
        free(password);
    }
    if (ci->disable)
        vr_strbuf_add(&b, "runcmd:\n  - [touch, /etc/cloud/cloud-init.disabled]\n");
    free_keys(keys, nkeys);
    return vr_strbuf_take(&b);
}

int vr_cloudinit_check(const vr_cloudinit *ci, char **err)
{
    if (ci->user_data)
        return 0;
    char *ud = make_user_data(ci, err);
    if (!ud)
        return -1;
    explicit_bzero(ud, strlen(ud));
    free(ud);
    return 0;
}

static int write_file(const char *dir, const char *name, const char *text, size_t len, char **err)
{
    char *path = vr_asprintf("%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = 0;
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        vr_set_error(err, "cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

static int copy_in(const char *dir, const char *name, const char *src, const char *opt, char **err)
{
    size_t len = 0;
    char *text = vr_file_read(src, &len);
    if (!text) {
        vr_set_error(err, "--cloud-init %s=%s: %s", opt, src, strerror(errno));
        return -1;
    }
    int rc = write_file(dir, name, text, len, err);
    free(text);
    return rc;
}

int vr_cloudinit_seed(const vr_cloudinit *ci, const char *name, const char *uuid, const char *out,
                      char **err)
{
    if (!have_xorriso(err))
        return -1;
    char *dir = vr_install_tmpdir(err);
    if (!dir)
        return -1;
    int rc = -1;
    if (ci->meta_data) {
        if (copy_in(dir, "meta-data", ci->meta_data, "meta-data", err) < 0)
            goto out;
    } else {
        char *md = vr_asprintf("instance-id: %s\nlocal-hostname: %s\n", uuid ? uuid : name,
                               ci->hostname ? ci->hostname : name);
        int r = write_file(dir, "meta-data", md, strlen(md), err);
        free(md);
        if (r < 0)
            goto out;
    }
    if (ci->user_data) {
        if (copy_in(dir, "user-data", ci->user_data, "user-data", err) < 0)
            goto out;
    } else {
        char *ud = make_user_data(ci, err);
        if (!ud)
            goto out;
        int r = write_file(dir, "user-data", ud, strlen(ud), err);
        explicit_bzero(ud, strlen(ud));
        free(ud);
        if (r < 0)
            goto out;
    }
    if (ci->network_config && copy_in(dir, "network-config", ci->network_config, "network-config", err) < 0)
        goto out;
    const char *argv[] = {"xorriso", "-as", "mkisofs", "-quiet", "-V", "cidata", "-J", "-r", "-o", out, dir, NULL};
    char *e = NULL;
    if (vr_install_run(argv, NULL, &e) != 0)
        vr_set_error(err, "cannot make the cloud-init seed: %s", e && *e ? e : "xorriso failed");
    else
        rc = 0;
    free(e);
out:
    vr_install_rmtree(dir);
    free(dir);
    return rc;
}
