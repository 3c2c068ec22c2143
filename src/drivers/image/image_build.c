/* vireo builder (virt-builder without its template server): a bootable
 * disk image made from distribution packages.
 *
 *   1. mmdebstrap installs the OS with a kernel, GRUB, systemd,
 *      systemd-networkd (DHCP on every wired link) and openssh-server
 *      into a tarball;
 *   2. libguestfs makes a disk (GPT: BIOS boot partition, EFI system
 *      partition, ext4 root last so it can grow), unpacks the tarball,
 *      writes fstab by UUID, installs GRUB for BIOS and UEFI with the
 *      serial console on ttyS0 (UEFI: Microsoft-signed shim and the
 *      distribution's signed GRUB, so it boots with Secure Boot on or
 *      off), and seals it (empty machine-id, no SSH
 *      host keys: they are made at first boot);
 *   3. the build's image is a copy of that base, grown to --size, with
 *      the editing options applied (hostname, root password, keys ...).
 *
 * Steps 1 and 2 are cached per OS and package set (CACHE/OS-KEY.tar and
 * CACHE/OS-KEY.qcow2), so a second build of the same OS only does 3. */

#include "drivers/image/image.h"
#include "drivers/image/image_os.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The base image's size: the OS takes about 700 MB; builds grow it. */
#define BASE_SIZE (2ULL << 30)

static const char *const base_packages[] = {
    "systemd-sysv", "systemd-resolved", "udev", "kmod", "initramfs-tools", "zstd", "dbus",
    "grub-pc-bin", "grub-efi-amd64-bin", "grub-efi-amd64-signed", "shim-signed", "grub2-common",
    "openssh-server", "e2fsprogs",
    "dosfstools", "iproute2", "netbase", "ca-certificates", "procps", "less", NULL,
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted, unique package list: the base, the kernel, --install. */
static char *package_list(const img_os *os, const img_spec *s)
{
    size_t n = 0, extra = s->install ? json_object_array_length(s->install) : 0;
    const char **all = calloc(sizeof(base_packages) / sizeof(*base_packages) + extra + 2, sizeof(*all));
    for (size_t i = 0; base_packages[i]; i++)
        all[n++] = base_packages[i];
    all[n++] = os->kernel;
    for (size_t i = 0; i < extra; i++) {
        const char *p = json_object_get_string(json_object_array_get_idx(s->install, i));
        if (!img_package_name_ok(p)) {
            free(all);
            return NULL;
        }
        all[n++] = p;
    }
    qsort(all, n, sizeof(*all), cmp_str);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(all[i]) + 1;
    char *out = calloc(1, len);
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(all[i], all[i - 1]) == 0)
            continue;
        if (*out)
            strcat(out, ",");
        strcat(out, all[i]);
    }
    free(all);
    return out;
}

/* A cache key, not a secret: FNV-1a of what goes into the base. */
static uint64_t fnv1a(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = a; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ '|') * 1099511628211ULL;
    for (const char *s = b; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bootstrap(const img_os *os, const char *packages, const char *tar, const char *log)
{
    char *tmp = img_tmp_beside(tar), *include = NULL, *main_src = NULL, *sec_src = NULL;
    char *mirror = img_os_mirror(os), *sec = img_os_security_mirror(os), *keyring = NULL;
    int rc = -1;
    if (!tmp || asprintf(&include, "--include=%s", packages) < 0 ||
        asprintf(&keyring, "--keyring=%s", os->keyring) < 0 ||
        asprintf(&main_src, "deb %s %s %s", mirror, os->suite, os->components) < 0 ||
        (sec && asprintf(&sec_src, "deb %s %s %s", sec, os->security_suite, os->components) < 0))
        goto out;
    unlink(log);
    /* unshare mode: its mounts live in a namespace of its own, so a
     * cancelled build leaves none behind on the host. */
    const char *argv[] = {"mmdebstrap", "--mode=unshare", "--variant=minbase", "--format=tar",
                          include, keyring, "--aptopt=Acquire::Retries \"3\"", os->suite, tmp,
                          main_src, sec_src, NULL};
    rc = img_run(argv, log);
    if (rc == 0 && rename(tmp, tar) < 0)
        rc = img_fail("cannot keep %s: %s", tar, strerror(errno));
out:
    if (rc < 0 && tmp)
        img_tmp_drop(tmp);
    free(tmp);
    free(include);
    free(keyring);
    free(main_src);
    free(sec_src);
    free(mirror);
    free(sec);
    return rc;
}

static const char default_grub[] =
    "# Written by vireo builder: a serial console on ttyS0 beside the screen.\n"
    "GRUB_DEFAULT=0\n"
    "GRUB_TIMEOUT=1\n"
    "GRUB_DISTRIBUTOR=`( . /etc/os-release; echo ${NAME%% *} )`\n"
    "GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n"
    "GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200n8\"\n"
    "GRUB_TERMINAL=\"console serial\"\n"
    "GRUB_SERIAL_COMMAND=\"serial --speed=115200\"\n";

static const char dhcp_network[] =
    "# Written by vireo builder: DHCP (v4 and v6) on every wired link.\n"
    "[Match]\n"
    "Name=en* eth*\n"
    "\n"
    "[Network]\n"
    "DHCP=yes\n";

/* systemd gives up on a device after 90 s (dev-ttyS0: no serial login;
 * the EFI partition: emergency mode). Under TCG on a loaded host udev's
 * coldplug alone can take that long (Debian 13's did here), so a built
 * guest waits longer for its devices. */
static const char device_timeout[] =
    "# Written by vireo builder: under emulation (TCG) udev may be slow to show devices.\n"
    "[Manager]\n"
    "DefaultDeviceTimeoutSec=300s\n";

static int base_layout(guestfs_h *g, const char *tar)
{
    static const char *const esp = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
    static const char *const bios = "21686148-6449-6E6F-744E-656564454649";
    img_progress(42, "partitioning (GPT: BIOS boot, EFI, root)");
    if (guestfs_part_init(g, "/dev/sda", "gpt") < 0 || guestfs_part_add(g, "/dev/sda", "p", 2048, 4095) < 0 ||
        guestfs_part_add(g, "/dev/sda", "p", 4096, 266239) < 0 ||
        guestfs_part_add(g, "/dev/sda", "p", 266240, -34) < 0 ||
        guestfs_part_set_gpt_type(g, "/dev/sda", 1, bios) < 0 ||
        guestfs_part_set_gpt_type(g, "/dev/sda", 2, esp) < 0)
        return img_gfs_fail(g, "cannot partition the disk");
    if (guestfs_mkfs(g, "vfat", "/dev/sda2") < 0 || guestfs_mkfs(g, "ext4", "/dev/sda3") < 0)
        return img_gfs_fail(g, "cannot make the filesystems");
    if (guestfs_mount(g, "/dev/sda3", "/") < 0)
        return img_gfs_fail(g, "cannot mount the root filesystem");
    img_progress(45, "unpacking the system");
    if (guestfs_tar_in_opts(g, tar, "/", GUESTFS_TAR_IN_OPTS_XATTRS, 1, -1) < 0)
        return img_gfs_fail(g, "cannot unpack the system");
    if (guestfs_mkdir_p(g, "/boot/efi") < 0 || guestfs_mount(g, "/dev/sda2", "/boot/efi") < 0)
        return img_gfs_fail(g, "cannot mount the EFI system partition");
    char *root = guestfs_vfs_uuid(g, "/dev/sda3"), *efi = guestfs_vfs_uuid(g, "/dev/sda2"), *fstab = NULL;
    int rc = -1;
    if (root && efi &&
        asprintf(&fstab, "# Written by vireo builder.\nUUID=%s / ext4 errors=remount-ro 0 1\n"
                         "UUID=%s /boot/efi vfat umask=0077,nofail 0 1\n", root, efi) >= 0)
        rc = img_gfs_write(g, "/etc/fstab", fstab, 0644);
    else
        img_gfs_fail(g, "cannot read the filesystems' UUIDs");
    free(root);
    free(efi);
    free(fstab);
    return rc;
}

static int base_configure(guestfs_h *g)
{
    if (img_gfs_write(g, "/etc/default/grub", default_grub, 0644) < 0 ||
        img_gfs_write(g, "/etc/systemd/network/80-vireo-dhcp.network", dhcp_network, 0644) < 0 ||
        (guestfs_mkdir_p(g, "/etc/systemd/system.conf.d") < 0 && img_gfs_fail(g, "cannot make /etc/systemd/system.conf.d") < 0) ||
        img_gfs_write(g, "/etc/systemd/system.conf.d/50-vireo-device-timeout.conf", device_timeout, 0644) < 0 ||
        img_gfs_write(g, "/etc/hostname", "debian\n", 0644) < 0)
        return -1;
    if (img_gfs_sh(g, "set -e; w=/etc/systemd/system; mkdir -p $w/multi-user.target.wants $w/sockets.target.wants; "
              "ln -sf /lib/systemd/system/systemd-networkd.service $w/multi-user.target.wants/; "
              "ln -sf /lib/systemd/system/systemd-networkd.socket $w/sockets.target.wants/; "
              "if [ -e /lib/systemd/system/systemd-resolved.service ]; then "
              "  ln -sf /lib/systemd/system/systemd-resolved.service $w/multi-user.target.wants/; "
              "  rm -f /etc/resolv.conf; ln -s ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf; fi; "
              "printf '127.0.0.1\\tlocalhost\\n127.0.1.1\\tdebian\\n::1\\tlocalhost ip6-localhost ip6-loopback\\n' > /etc/hosts",
           "cannot set up the network") < 0)
        return -1;
    img_progress(60, "installing GRUB (BIOS and UEFI)");
    /* GRUB maps OS disks to BIOS drives by probing; in the appliance
     * it may take the appliance's own disk (a bare ext2, sdb) for hd0
     * and then refuse ("cross-disk install"). Say which disk is hd0 for
     * the install, and leave no map behind in the guest. */
    if (guestfs_mkdir_p(g, "/boot/grub") < 0)
        return img_gfs_fail(g, "cannot make /boot/grub");
    if (img_gfs_write(g, "/boot/grub/device.map", "(hd0) /dev/sda\n", 0644) < 0)
        return -1;
    if (img_gfs_sh(g, "grub-install --target=i386-pc /dev/sda; rc=$?; rm -f /boot/grub/device.map; exit $rc",
                   "grub-install (BIOS)") < 0)
        return -1;
    /* UEFI as Debian's cloud images: the Microsoft-signed shim in the
     * distribution's own directory (EFI/debian/shimx64.efi, the signed
     * grubx64.efi and its grub.cfg beside it) and again as the
     * removable-media fallback (EFI/BOOT/BOOTX64.EFI is shim, with
     * grubx64.efi beside it), which a fresh NVRAM boots: no boot entry
     * is written (--no-nvram), OVMF finds the fallback by itself. */
    if (img_gfs_sh(g, "grub-install --target=x86_64-efi --efi-directory=/boot/efi --uefi-secure-boot "
                      "--bootloader-id=\"$(. /etc/os-release; echo $ID)\" --force-extra-removable --no-nvram",
                   "grub-install (UEFI)") < 0)
        return -1;
    img_progress(70, "writing grub.cfg");
    return img_gfs_sh(g, "update-grub", "update-grub");
}

static int make_base(const img_spec *s, const char *tar, const char *base)
{
    char *tmp = img_tmp_beside(base);
    if (!tmp)
        return -1;
    guestfs_h *g = img_gfs_new(s);
    int rc = -1;
    if (!g)
        goto out;
    if (guestfs_disk_create(g, tmp, "qcow2", (int64_t)BASE_SIZE, -1) < 0) {
        img_gfs_fail(g, "cannot create the base disk");
        goto out;
    }
    img_progress(40, "starting the libguestfs appliance");
    img_spec seal = {.op = "build"};
    if (img_gfs_add(g, tmp, "qcow2", false, false) < 0 || img_gfs_launch(g) < 0 ||
        base_layout(g, tar) < 0 || base_configure(g) < 0 || img_sysprep_ops(g, &seal) < 0)
        goto out;
    rc = img_gfs_close(g);
    g = NULL;
    if (rc == 0 && rename(tmp, base) < 0)
        rc = img_fail("cannot keep %s: %s", base, strerror(errno));
out:
    if (g)
        guestfs_close(g);
    if (rc < 0)
        img_tmp_drop(tmp);
    free(tmp);
    return rc;
}

/* The build's own image: the base, grown, customized. */
static int make_output(const img_spec *s, const char *base)
{
    const char *fmt = s->format ? s->format : "qcow2";
    uint64_t size = s->size ? s->size : 6ULL << 30;
    if (size < BASE_SIZE)
        return img_fail("--size %" PRIu64 " is too small: the system needs %llu bytes (2G)", size, BASE_SIZE);
    char *out = img_tmp_beside(s->output), bytes[32];
    if (!out)
        return -1;
    snprintf(bytes, sizeof(bytes), "%" PRIu64, size);
    img_progress(80, "copying the base image");
    const char *conv[] = {"qemu-img", "convert", "-q", "-f", "qcow2", "-O", fmt, base, out, NULL};
    const char *grow[] = {"qemu-img", "resize", "-q", "-f", fmt, out, bytes, NULL};
    guestfs_h *g = NULL;
    int rc = -1;
    if (img_run(conv, NULL) < 0 || (size > BASE_SIZE && img_run(grow, NULL) < 0))
        goto out;
    if (!(g = img_gfs_new(s)))
        goto out;
    if (img_customize_needs_network(s))
        guestfs_set_network(g, 1);
    img_progress(85, "starting the libguestfs appliance");
    if (img_gfs_add(g, out, fmt, false, false) < 0 || img_gfs_launch(g) < 0)
        goto out;
    if (size > BASE_SIZE && img_grow_partition(g, "/dev/sda3") < 0)
        goto out;
    img_progress(90, "customizing");
    if (guestfs_mount(g, "/dev/sda3", "/") < 0 || guestfs_mount(g, "/dev/sda2", "/boot/efi") < 0) {
        img_gfs_fail(g, "cannot mount the new image");
        goto out;
    }
    /* --install went into the base (cached with it): not again here. */
    img_spec edit = *s;
    edit.install = NULL;
    if (img_customize(g, &edit) < 0)
        goto out;
    rc = img_gfs_close(g);
    g = NULL;
    if (rc == 0)
        rc = img_out_commit(out, s->output, s->force);
out:
    if (g)
        guestfs_close(g);
    free(out);
    return rc;
}

int img_op_build(const img_spec *s)
{
    double t0 = now();
    const img_os *os = s->os ? img_os_find(s->os) : NULL;
    if (!os)
        return img_fail("vireo builder cannot make '%s' (it makes debian-12, debian-13, ubuntu-24.04; "
                        "see vireo builder --list)", s->os ? s->os : "");
    if (!s->cache_dir || !s->output)
        return img_fail("the builder needs a cache directory and an output");
    char *why = img_os_check(os);
    if (why) {
        img_fail("%s cannot be built here: %s", os->name, why);
        free(why);
        return -1;
    }
    char *pkgs = package_list(os, s);
    if (!pkgs)
        return -1;
    char *tar = NULL, *base = NULL, *log = NULL;
    uint64_t key = fnv1a(os->name, pkgs);
    int rc = -1;
    if (mkdir(s->cache_dir, 0700) < 0 && errno != EEXIST) {
        img_fail("cannot make the cache %s: %s", s->cache_dir, strerror(errno));
        goto out;
    }
    if (asprintf(&tar, "%s/%s-%016" PRIx64 ".tar", s->cache_dir, os->name, key) < 0 ||
        asprintf(&base, "%s/%s-%016" PRIx64 ".qcow2", s->cache_dir, os->name, key) < 0 ||
        asprintf(&log, "%s/%s-%016" PRIx64 ".mmdebstrap.log", s->cache_dir, os->name, key) < 0)
        goto out;
    json_object *r = img_result();
    bool cached = access(base, R_OK) == 0;
    json_object_object_add(r, "cached", json_object_new_boolean(cached));
    json_object_object_add(r, "base", json_object_new_string(base));
    if (!cached) {
        if (access(tar, R_OK) < 0) {
            img_progress(1, "installing %s with mmdebstrap (log: %s)", os->description, log);
            double t = now();
            if (bootstrap(os, pkgs, tar, log) < 0)
                goto out;
            json_object_object_add(r, "mmdebstrap_seconds", json_object_new_double(now() - t));
        }
        double t = now();
        if (make_base(s, tar, base) < 0)
            goto out;
        json_object_object_add(r, "base_seconds", json_object_new_double(now() - t));
    }
    if (make_output(s, base) < 0)
        goto out;
    json_object_object_add(r, "seconds", json_object_new_double(now() - t0));
    json_object_object_add(r, "output", json_object_new_string(s->output));
    rc = 0;
out:
    free(pkgs);
    free(tar);
    free(base);
    free(log);
    return rc;
}
