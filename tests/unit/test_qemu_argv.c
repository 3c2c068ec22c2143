/* Golden QEMU command lines, as libvirt's qemuxml2argv: every
 * tests/fixtures/qemu/NAME.xml is parsed, built into argv with the fixed
 * runtime below, and compared byte for byte with NAME.args (one argv
 * element per line). A change to the builder shows up as a diff of the
 * .args files in the commit that makes it.
 *
 * VIREO_REGENERATE_ARGS=1 rewrites the .args files from the builder
 * instead of comparing (docs/testing.md says when that is allowed).
 *
 * The runtime is fixed, so nothing depends on this host: sockets in
 * /run/vireo/qemu/NAME, tap fds from 30 up, SPICE's autoport 5901, vsock
 * cid 3, a graphics secret file for each display. A fixture whose name ends in "-kvm" is
 * built for KVM, every other for TCG. Volume disks are resolved as the
 * storage driver would: pool "iscsi" to an iscsi-direct URL (pool "rbd"
 * to an rbd:// one) with a password file, "rbd-mons" to an rbd:// one of
 * three monitors without cephx, any other pool to
 * /var/lib/vireo/pools/POOL/VOLUME. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "conf/domain_conf.h"
#include "drivers/qemu/qemu_command.h"

#define ARGS_DIR FIXTURES "/qemu"
#define ISCSI_URL "iscsi://192.0.2.10:3260/iqn.2026-12.org.vireo:store/%s?initiator-name=" \
                  "iqn.2026-12.org.vireo:host&user=vireo&password-file=/run/vireo/secrets/iscsi,1.key"

#define RBD_URL "rbd://admin@192.0.2.20:3300/vms/%s?key-file=/run/vireo/secrets/ceph,1.key"
/* A pool of several monitors (one IPv6), without cephx. */
#define RBD_MONS_URL "rbd://192.0.2.20,192.0.2.21:3300,[2001:db8::22]:6789/vms/%s"

static const int tap_fds[] = {30, 31, 32, 33, 34, 35, 36, 37};

static vr_qemu_runtime runtime(const char *name, char *rundir, char *pidfile)
{
    size_t n = strlen(name);
    bool kvm = n > 4 && strcmp(name + n - 4, "-kvm") == 0;
    return (vr_qemu_runtime){
        .accel = kvm ? "kvm" : "tcg",
        .runtime_dir = rundir,
        .pidfile = pidfile,
        .spice_port = 5901,
        .spice_tls_dir = "/etc/pki/libvirt-spice",
        .graphics_secrets = {"/run/vireo/qemu/secrets/graphics0.secret", "/run/vireo/qemu/secrets/graphics1.secret"},
        .tap_fds = tap_fds,
        .n_tap_fds = VR_ARRAY_LEN(tap_fds),
        .serial_fd = 40,
        .vsock_cid = 3,
    };
}

static void resolve_volumes(vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_disks; i++) {
        vr_disk_def *d = &def->disks[i];
        if (d->type != VR_DISK_VOLUME)
            continue;
        free(d->resolved_path);
        d->resolved_path = strcmp(d->source_pool, "iscsi") == 0 ? vr_asprintf(ISCSI_URL, d->source_volume)
                           : strcmp(d->source_pool, "rbd") == 0 ? vr_asprintf(RBD_URL, d->source_volume)
                           : strcmp(d->source_pool, "rbd-mons") == 0 ? vr_asprintf(RBD_MONS_URL, d->source_volume)
                           : vr_asprintf("/var/lib/vireo/pools/%s/%s", d->source_pool, d->source_volume);
    }
}

/* NAME.xml's argv, one element per line; NULL and a message on failure. */
static char *render(const char *name)
{
    char *path = vr_asprintf("%s/%s.xml", ARGS_DIR, name);
    char *xml = vr_file_read(path, NULL);
    free(path);
    if (!xml)
        fail_msg("%s.xml: cannot read", name);
    char *err = NULL;
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
    free(xml);
    if (!def)
        fail_msg("%s.xml: %s", name, err);
    resolve_volumes(def);
    char *rundir = vr_asprintf("/run/vireo/qemu/%s", name);
    char *pidfile = vr_asprintf("%s/qemu.pid", rundir);
    vr_qemu_runtime rt = runtime(name, rundir, pidfile);
    char **argv = vr_qemu_build_argv(def, &rt, &err);
    if (!argv)
        fail_msg("%s.xml: %s", name, err);
    vr_strbuf b = {0};
    for (char **p = argv; *p; p++)
        vr_strbuf_addf(&b, "%s\n", *p);
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
    free(rundir);
    free(pidfile);
    return vr_strbuf_take(&b);
}

/* The first line where `want` and `got` differ, for the failure message. */
static void report_diff(const char *name, const char *want, const char *got)
{
    unsigned line = 1;
    while (*want && *want == *got) {
        if (*want == '\n')
            line++;
        want++;
        got++;
    }
    while (line > 1 && want[-1] != '\n') {
        want--;
        got--;
    }
    int wl = (int)strcspn(want, "\n"), gl = (int)strcspn(got, "\n");
    fail_msg("%s.args line %u:\n  want: %.*s\n  got:  %.*s\n(VIREO_REGENERATE_ARGS=1 rewrites "
             "the .args when the change is intended)", name, line, wl, want, gl, got);
}

static void check_one(void **state)
{
    const char *name = *state;
    char *got = render(name);
    char *path = vr_asprintf("%s/%s.args", ARGS_DIR, name);
    const char *regen = getenv("VIREO_REGENERATE_ARGS");
    if (regen && strcmp(regen, "1") == 0) {
        if (vr_file_write_atomic(path, got, strlen(got), 0644) < 0)
            fail_msg("%s: cannot write", path);
    } else {
        char *want = vr_file_read(path, NULL);
        if (!want)
            fail_msg("%s is missing: VIREO_REGENERATE_ARGS=1 writes it from the builder", path);
        if (strcmp(want, got) != 0)
            report_diff(name, want, got);
        free(want);
    }
    free(path);
    free(got);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One test per fixture pair; a .args without its .xml fails too (a
 * fixture renamed or removed leaves no stale golden file behind). */
int main(void)
{
    DIR *d = opendir(ARGS_DIR);
    if (!d) {
        fprintf(stderr, "%s: cannot open\n", ARGS_DIR);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    int orphans = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".args") == 0) {
            char *xml = vr_asprintf("%s/%.*s.xml", ARGS_DIR, (int)(len - 5), e->d_name);
            if (!vr_path_exists(xml)) {
                fprintf(stderr, "%s/%s has no .xml beside it\n", ARGS_DIR, e->d_name);
                orphans++;
            }
            free(xml);
        }
        if (len <= 4 || strcmp(e->d_name + len - 4, ".xml") != 0)
            continue;
        names = vr_realloc(names, (n + 1) * sizeof(*names));
        names[n++] = vr_strndup(e->d_name, len - 4);
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "%s: no fixtures\n", ARGS_DIR);
        return 1;
    }
    qsort(names, n, sizeof(*names), by_name);
    struct CMUnitTest *tests = vr_calloc(n, sizeof(*tests));
    for (size_t i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){.name = names[i], .test_func = check_one,
                                       .initial_state = names[i]};
    int rc = _cmocka_run_group_tests("qemu_argv", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    return rc || orphans;
}
