/* virt-customize's editing options, on an image whose OS is mounted:
 * hostname, root password, SSH keys, packages, commands now and at
 * first boot, time zone. builder and sysprep apply the same ones.
 * Everything is done through libguestfs inside the appliance: the
 * host never mounts a guest filesystem. */

#include "drivers/image/image.h"

#include <crypt.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A text file of the image, NUL-terminated ("" when absent). */
static char *read_text(guestfs_h *g, const char *path)
{
    if (guestfs_is_file(g, path) != 1)
        return strdup("");
    size_t n = 0;
    char *raw = guestfs_read_file(g, path, &n);
    if (!raw) {
        img_gfs_fail(g, path);
        return NULL;
    }
    char *text = malloc(n + 1);
    memcpy(text, raw, n);
    text[n] = 0;
    free(raw);
    return text;
}

/* Rewrite a line-oriented file (/etc/hosts, /etc/shadow): each line
 * starting with `prefix` is replaced by `line` (dropped when NULL); a
 * missing one is appended when `add`. Done here rather than with sed in
 * the guest: images without a shell (or sed) are edited the same. */
static int replace_line(guestfs_h *g, const char *path, const char *prefix, const char *line, bool add,
                        int mode)
{
    char *text = read_text(g, path);
    if (!text)
        return -1;
    size_t cap = strlen(text) + (line ? strlen(line) : 0) + 4, len = 0;
    char *out = malloc(cap);
    bool seen = false;
    out[0] = 0;
    for (char *l = text, *next; l && *l; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = 0;
        const char *keep = l;
        if (strncmp(l, prefix, strlen(prefix)) == 0) {
            keep = seen ? NULL : line;
            seen = true;
        }
        if (keep) {
            if (len + strlen(keep) + 2 > cap)
                out = realloc(out, cap = len + strlen(keep) + 2);
            len += (size_t)sprintf(out + len, "%s\n", keep);
        }
    }
    int rc = 0;
    if (!seen && !add) {
        rc = img_fail("the image's %s has no line starting with '%s'", path, prefix);
    } else {
        if (!seen && line) {
            out = realloc(out, len + strlen(line) + 2);
            sprintf(out + len, "%s\n", line);
        }
        rc = img_gfs_write(g, path, out, mode);
    }
    free(out);
    free(text);
    return rc;
}

/* /etc/hosts keeps 127.0.1.1 for the hostname, as Debian's installer. */
static int set_hostname(guestfs_h *g, const char *name)
{
    char *line = NULL, *hosts = NULL;
    int rc = -1;
    if (asprintf(&line, "%s\n", name) >= 0 && asprintf(&hosts, "127.0.1.1\t%s", name) >= 0 &&
        img_gfs_write(g, "/etc/hostname", line, 0644) == 0)
        rc = replace_line(g, "/etc/hosts", "127.0.1.1", hosts, true, 0644);
    free(line);
    free(hosts);
    return rc;
}

static int set_timezone(guestfs_h *g, const char *tz)
{
    char *zone = NULL, *line = NULL;
    int rc = -1;
    if (asprintf(&zone, "/usr/share/zoneinfo/%s", tz) < 0 || asprintf(&line, "%s\n", tz) < 0)
        goto out;
    if (strstr(tz, "..") || guestfs_is_file_opts(g, zone, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1) != 1) {
        rc = img_fail("--timezone %s: the image has no %s (install tzdata, or name a zone like "
                      "Europe/Madrid)", tz, zone);
        goto out;
    }
    guestfs_rm_f(g, "/etc/localtime");
    if (guestfs_ln_s(g, zone, "/etc/localtime") < 0) {
        rc = img_gfs_fail(g, "cannot set /etc/localtime");
        goto out;
    }
    rc = img_gfs_write(g, "/etc/timezone", line, 0644);
out:
    free(zone);
    free(line);
    return rc;
}

static int random_bytes(unsigned char *buf, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t r = fd >= 0 ? read(fd, buf, n) : -1;
    if (fd >= 0)
        close(fd);
    return r == (ssize_t)n ? 0 : img_fail("cannot read /dev/urandom");
}

/* password:X, random (printed in the result, as virt-builder prints
 * it), disabled (no password login). */
static int set_root_password(guestfs_h *g, const char *spec)
{
    char pw[64] = "", hash_buf[CRYPT_OUTPUT_SIZE] = "*";
    static const char alnum[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    if (strncmp(spec, "password:", 9) == 0) {
        if (strlen(spec + 9) >= sizeof(pw) || !spec[9])
            return img_fail("--root-password password:X: the password must be 1 to 63 characters");
        strcpy(pw, spec + 9);
    } else if (strcmp(spec, "random") == 0) {
        unsigned char r[16];
        if (random_bytes(r, sizeof(r)) < 0)
            return -1;
        for (size_t i = 0; i < sizeof(r); i++)
            pw[i] = alnum[r[i] % (sizeof(alnum) - 1)];
        pw[sizeof(r)] = 0;
        json_object_object_add(img_result(), "root_password", json_object_new_string(pw));
    } else if (strcmp(spec, "disabled") != 0) {
        return img_fail("--root-password %s: expected password:X, random or disabled", spec);
    }
    if (pw[0]) {
        /* yescrypt, Debian 12's default in /etc/login.defs. */
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)))
            return img_fail("cannot make a password salt");
        struct crypt_data cd;
        memset(&cd, 0, sizeof(cd));
        const char *h = crypt_r(pw, salt, &cd);
        if (!h || h[0] == '*')
            return img_fail("cannot hash the root password");
        snprintf(hash_buf, sizeof(hash_buf), "%s", h);
    }
    char *shadow = read_text(g, "/etc/shadow"), *line = NULL;
    if (!shadow)
        return -1;
    /* root:HASH:rest — keep the rest of root's line. */
    const char *root = strncmp(shadow, "root:", 5) == 0 ? shadow : strstr(shadow, "\nroot:");
    const char *rest = root ? strchr(root + (root[0] == '\n' ? 6 : 5), ':') : NULL;
    int rc;
    if (!rest) {
        rc = img_fail("the image's /etc/shadow has no root entry");
    } else {
        size_t restlen = strcspn(rest, "\n");
        if (asprintf(&line, "root:%s%.*s", hash_buf, (int)restlen, rest) < 0)
            line = NULL;
        rc = line ? replace_line(g, "/etc/shadow", "root:", line, false, 0640) : -1;
    }
    free(line);
    free(shadow);
    return rc;
}

/* user:file:KEY as virt-builder's --ssh-inject; the client read the
 * key file and sent its text. The user's home, uid and gid come from
 * the image's /etc/passwd. */
static int inject_key(guestfs_h *g, const char *user, const char *key)
{
    if (!user || !key || !*key || strchr(key, '\n') || !*user)
        return img_fail("--ssh-inject: expected USER:file:KEYFILE with one OpenSSH public key");
    char *passwd = read_text(g, "/etc/passwd");
    if (!passwd)
        return -1;
    char home[512] = "";
    int uid = -1, gid = -1;
    for (char *l = passwd, *next; l && *l; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = 0;
        /* name:x:uid:gid:gecos:home:shell */
        char *f[7] = {0}, *cur = l;
        for (int i = 0; i < 7 && cur; i++)
            f[i] = strsep(&cur, ":");
        if (f[5] && strcmp(f[0], user) == 0) {
            uid = atoi(f[2]);
            gid = atoi(f[3]);
            snprintf(home, sizeof(home), "%s", f[5]);
            break;
        }
    }
    free(passwd);
    if (!home[0] || uid < 0)
        return img_fail("--ssh-inject: the image has no user '%s'", user);
    char *dir = NULL, *file = NULL, *text = NULL, *keys = NULL;
    int rc = -1;
    if (asprintf(&dir, "%s/.ssh", strcmp(home, "/") ? home : "") < 0 ||
        asprintf(&file, "%s/authorized_keys", dir) < 0)
        goto out;
    if (guestfs_mkdir_p(g, dir) < 0 || guestfs_chmod(g, 0700, dir) < 0 || guestfs_chown(g, uid, gid, dir) < 0) {
        img_gfs_fail(g, "--ssh-inject: cannot make ~/.ssh");
        goto out;
    }
    if (!(keys = read_text(g, file)) ||
        asprintf(&text, "%s%s%s\n", keys, keys[0] && keys[strlen(keys) - 1] != '\n' ? "\n" : "", key) < 0)
        goto out;
    if (img_gfs_write(g, file, text, 0600) < 0)
        goto out;
    if (guestfs_chown(g, uid, gid, file) < 0) {
        img_gfs_fail(g, "--ssh-inject: chown");
        goto out;
    }
    rc = 0;
out:
    free(dir);
    free(file);
    free(text);
    free(keys);
    return rc;
}

static const char firstboot_script[] =
    "#!/bin/sh\n"
    "# Vireo's first-boot commands (vireo builder/customize/sysprep --firstboot-command):\n"
    "# each script runs once, in name order, then moves to done/.\n"
    "d=/usr/lib/vireo-firstboot\n"
    "mkdir -p $d/done\n"
    "for f in $d/scripts/*; do\n"
    "    [ -f \"$f\" ] || continue\n"
    "    echo \"vireo-firstboot: running $f\"\n"
    "    sh \"$f\" >>/var/log/vireo-firstboot.log 2>&1\n"
    "    echo \"vireo-firstboot: $f exited with $?\"\n"
    "    mv \"$f\" $d/done/\n"
    "done\n";

/* Before ssh.service: regenerated host keys must exist when sshd starts. */
static const char firstboot_unit[] =
    "[Unit]\n"
    "Description=Vireo first-boot commands\n"
    "After=local-fs.target network.target\n"
    "Before=ssh.service getty.target\n"
    "ConditionDirectoryNotEmpty=/usr/lib/vireo-firstboot/scripts\n"
    "\n"
    "[Service]\n"
    "Type=oneshot\n"
    "ExecStart=/usr/lib/vireo-firstboot/firstboot.sh\n"
    "RemainAfterExit=yes\n"
    "StandardOutput=journal+console\n"
    "\n"
    "[Install]\n"
    "WantedBy=multi-user.target\n";

int img_firstboot_add(guestfs_h *g, const char *name, const char *command)
{
    if (guestfs_mkdir_p(g, "/usr/lib/vireo-firstboot/scripts") < 0)
        return img_gfs_fail(g, "cannot install the first-boot service");
    if (guestfs_is_file(g, "/usr/lib/vireo-firstboot/firstboot.sh") != 1) {
        if (guestfs_mkdir_p(g, "/etc/systemd/system/multi-user.target.wants") < 0)
            return img_gfs_fail(g, "cannot install the first-boot service");
        if (img_gfs_write(g, "/usr/lib/vireo-firstboot/firstboot.sh", firstboot_script, 0755) < 0 ||
            img_gfs_write(g, "/etc/systemd/system/vireo-firstboot.service", firstboot_unit, 0644) < 0)
            return -1;
        if (guestfs_ln_sf(g, "/etc/systemd/system/vireo-firstboot.service",
                          "/etc/systemd/system/multi-user.target.wants/vireo-firstboot.service") < 0)
            return img_gfs_fail(g, "cannot enable the first-boot service");
    }
    char *path = NULL, *text = NULL;
    int rc = -1;
    if (asprintf(&path, "/usr/lib/vireo-firstboot/scripts/%s", name) >= 0 &&
        asprintf(&text, "#!/bin/sh\n%s\n", command) >= 0)
        rc = img_gfs_write(g, path, text, 0755);
    free(path);
    free(text);
    return rc;
}

bool img_customize_needs_network(const img_spec *s)
{
    return s->install && json_object_array_length(s->install) > 0;
}

bool img_package_name_ok(const char *name)
{
    /* Debian policy 5.6.1: lower case, digits, + - . (a :arch suffix
     * is not taken: the builder makes amd64 images). */
    bool ok = name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789+-.") == strlen(name);
    if (!ok)
        img_fail("--install: '%s' is not a Debian package name", name);
    return ok;
}

static int install_packages(guestfs_h *g, json_object *pkgs)
{
    char *list = strdup("");
    for (size_t i = 0; i < json_object_array_length(pkgs); i++) {
        const char *p = json_object_get_string(json_object_array_get_idx(pkgs, i));
        if (!img_package_name_ok(p))
            return free(list), -1;
        char *n = NULL;
        if (asprintf(&n, "%s %s", list, p) < 0)
            return free(list), -1;
        free(list);
        list = n;
    }
    char *cmd = NULL;
    if (asprintf(&cmd, "export DEBIAN_FRONTEND=noninteractive; apt-get -q update >/dev/null && "
                       "apt-get -q -y --no-install-recommends install%s", list) < 0)
        return free(list), -1;
    free(list);
    int rc = img_gfs_sh(g, cmd, "--install");
    free(cmd);
    return rc;
}

int img_customize(guestfs_h *g, const img_spec *s)
{
    if (s->hostname && set_hostname(g, s->hostname) < 0)
        return -1;
    if (s->timezone && set_timezone(g, s->timezone) < 0)
        return -1;
    if (s->root_password && set_root_password(g, s->root_password) < 0)
        return -1;
    for (size_t i = 0; s->ssh_keys && i < json_object_array_length(s->ssh_keys); i++) {
        json_object *k = json_object_array_get_idx(s->ssh_keys, i), *u = NULL, *t = NULL;
        json_object_object_get_ex(k, "user", &u);
        json_object_object_get_ex(k, "key", &t);
        if (inject_key(g, json_object_get_string(u), json_object_get_string(t)) < 0)
            return -1;
    }
    if (img_customize_needs_network(s)) {
        img_progress(70, "installing packages");
        if (install_packages(g, s->install) < 0)
            return -1;
    }
    for (size_t i = 0; s->run && i < json_object_array_length(s->run); i++) {
        const char *cmd = json_object_get_string(json_object_array_get_idx(s->run, i));
        img_progress(75, "running: %s", cmd);
        char *out = guestfs_sh(g, cmd);
        if (!out)
            return img_gfs_failf(g, "--run-command '%s' failed", cmd);
        free(out);
    }
    /* After sysprep's 0000-ssh-hostkeys and any earlier run's, in the
     * order given. */
    char **had = s->firstboot ? guestfs_glob_expand(g, "/usr/lib/vireo-firstboot/scripts/*-command") : NULL;
    size_t first = 10;
    for (size_t i = 0; had && had[i]; i++, first++)
        free(had[i]);
    free(had);
    for (size_t i = 0; s->firstboot && i < json_object_array_length(s->firstboot); i++) {
        char name[32];
        snprintf(name, sizeof(name), "%04zu-command", first + i);
        if (img_firstboot_add(g, name, json_object_get_string(json_object_array_get_idx(s->firstboot, i))) < 0)
            return -1;
    }
    return 0;
}
