/* What the host does for a domain besides running QEMU: huge pages
 * checked before a start, <cputune>'s pinning applied to QEMU's threads
 * once it runs (the vCPU threads from query-cpus-fast, every other
 * thread for <emulatorpin>), and its CPU bandwidth (<shares>, <period>,
 * <quota>) through cgroup v2's cpu controller in a cgroup of the run's
 * own under the daemon's, when the daemon's cgroup may have one. Each
 * refusal names the element and says why. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"
#include "conf/cpulist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- huge pages ---------------------------------------------------------------- */

static unsigned long long meminfo(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* The pool of one huge page size, from sysfs: reserved and free pages. */
static bool hugepage_pool(unsigned long long kib, unsigned long long *total, unsigned long long *free_pages)
{
    char path[96];
    snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/nr_hugepages", kib);
    char *t = vr_file_read(path, NULL);
    if (!t)
        return false;
    *total = strtoull(t, NULL, 10);
    free(t);
    snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/free_hugepages", kib);
    t = vr_file_read(path, NULL);
    *free_pages = t ? strtoull(t, NULL, 10) : 0;
    free(t);
    return true;
}

static vr_err hugepages_check(const vr_domain_def *def, char **err)
{
    const vr_memory_backing *mb = &def->mem_backing;
    unsigned long long size_kib = mb->hugepage_kib, total = 0, avail = 0;
    char what[64] = "<hugepages/>";
    if (!size_kib) {
        char *text = vr_file_read("/proc/meminfo", NULL);
        size_kib = text ? meminfo(text, "Hugepagesize:") : 0;
        free(text);
    } else {
        snprintf(what, sizeof(what), "<hugepages><page size='%llu' unit='KiB'>", size_kib);
    }
    if (!size_kib || !hugepage_pool(size_kib, &total, &avail)) {
        vr_set_error(err, "domain '%s' cannot start: <memoryBacking>%s: this host has no %llu KiB huge "
                          "pages (its sizes: ls /sys/kernel/mm/hugepages); use one of those or remove "
                          "<hugepages>", def->name, what, size_kib);
        return VR_ERR_UNSUPPORTED;
    }
    if (total == 0) {
        vr_set_error(err, "domain '%s' cannot start: %s: this host has no huge pages reserved "
                          "(/sys/kernel/mm/hugepages/hugepages-%llukB/nr_hugepages is 0); reserve them "
                          "(echo N > that file, or sysctl vm.nr_hugepages=N) or remove <hugepages>",
                     def->name, what, size_kib);
        return VR_ERR_UNSUPPORTED;
    }
    if (avail * size_kib < def->memory_kib && !mb->hugepage_nodeset) {
        vr_set_error(err, "domain '%s' cannot start: %s: it needs %llu KiB of huge pages and %llu are free",
                     def->name, what, def->memory_kib, avail * size_kib);
        return VR_ERR_UNSUPPORTED;
    }
    return VR_OK;
}

/* ---- <numatune> ----------------------------------------------------------------- */

/* Every node of `nodeset` is one of this host's (libvirt checks the
 * same, against /sys/devices/system/node). */
static vr_err host_nodes_check(const vr_domain_def *def, const char *what, const char *nodeset, char **err)
{
    const char *p = nodeset;
    unsigned long lo, hi;
    bool exclude;
    while (vr_cpulist_next(&p, &lo, &hi, &exclude)) {
        for (unsigned long n = lo; n <= hi && !exclude; n++) {
            char path[64];
            snprintf(path, sizeof(path), "/sys/devices/system/node/node%lu", n);
            if (access(path, F_OK) == 0)
                continue;
            vr_set_error(err, "domain '%s' cannot start: %s nodeset='%s'> names host NUMA node %lu, which this "
                              "host does not have (its nodes: ls /sys/devices/system/node)", def->name, what,
                         nodeset, n);
            return VR_ERR_UNSUPPORTED;
        }
    }
    return VR_OK;
}

static vr_err numatune_check(const vr_domain_def *def, char **err)
{
    const vr_numatune *t = &def->numatune;
    bool restrictive = t->memory && t->mode == VR_NUMATUNE_RESTRICTIVE;
    for (size_t i = 0; i < t->n_memnodes; i++)
        restrictive |= t->memnodes[i].mode == VR_NUMATUNE_RESTRICTIVE;
    if (restrictive) {
        vr_set_error(err, "domain '%s' cannot start: <numatune> mode='restrictive' leaves the nodes to "
                          "cgroups' cpuset.mems, which Vireo does not manage; use mode='strict' (QEMU binds "
                          "the memory itself)", def->name);
        return VR_ERR_UNSUPPORTED;
    }
    if (t->memory && host_nodes_check(def, "<numatune><memory", t->nodeset, err) != VR_OK)
        return VR_ERR_UNSUPPORTED;
    for (size_t i = 0; i < t->n_memnodes; i++)
        if (host_nodes_check(def, "<numatune><memnode", t->memnodes[i].nodeset, err) != VR_OK)
            return VR_ERR_UNSUPPORTED;
    return VR_OK;
}

/* ---- cgroup v2 ------------------------------------------------------------------ */

/* A cgroup control file takes one write; -1 with errno. */
static int write_file(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, value, strlen(value));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* The daemon's own cgroup directory in the cgroup v2 hierarchy, or NULL
 * (then *why says what is missing). */
static char *own_cgroup(char **why)
{
    char *mi = vr_file_read("/proc/self/mountinfo", NULL), *mount = NULL;
    for (char *line = mi ? strtok(mi, "\n") : NULL; line && !mount; line = strtok(NULL, "\n")) {
        char *dash = strstr(line, " - cgroup2 ");
        if (!dash)
            continue;
        char root[512], point[512];
        if (sscanf(line, "%*s %*s %*s %511s %511s", root, point) == 2 && strcmp(root, "/") == 0)
            mount = vr_strdup(point);
    }
    free(mi);
    if (!mount) {
        *why = vr_strdup("this host has no cgroup v2 hierarchy mounted");
        return NULL;
    }
    char *cg = vr_file_read("/proc/self/cgroup", NULL), *path = NULL;
    for (char *line = cg ? strtok(cg, "\n") : NULL; line && !path; line = strtok(NULL, "\n"))
        if (vr_str_starts(line, "0::"))
            path = vr_asprintf("%s%s", mount, strcmp(line + 3, "/") == 0 ? "" : line + 3);
    free(cg);
    free(mount);
    if (!path)
        *why = vr_strdup("the daemon is in no cgroup v2 group");
    return path;
}

static char *run_cgroup(const vr_domain *dom, const char *own)
{
    return vr_asprintf("%s/vireo-%s", own, dom->def->name);
}

static bool wants_bandwidth(const vr_domain_def *def)
{
    return def->cputune.shares || def->cputune.period || def->cputune.quota;
}

/* A cgroup of the run's own, with the cpu controller, made before QEMU
 * starts: a host that cannot give one refuses the start. */
static vr_err cgroup_prepare(vr_domain *dom, char **err)
{
    const vr_cputune *t = &dom->def->cputune;
    char *why = NULL, *own = own_cgroup(&why), *dir = NULL;
    vr_err code = VR_ERR_UNSUPPORTED;
    if (own) {
        char *ctl = vr_asprintf("%s/cgroup.controllers", own);
        char *have = vr_file_read(ctl, NULL);
        free(ctl);
        char *sub = vr_asprintf("%s/cgroup.subtree_control", own);
        if (!have || !strstr(have, "cpu"))
            why = vr_asprintf("the daemon's cgroup %s has no cpu controller (cgroup.controllers: "
                              "%s)", own, have ? vr_str_trim(have) : "unreadable");
        else if (write_file(sub, "+cpu") < 0)
            why = vr_asprintf("the cpu controller cannot be enabled below the daemon's cgroup %s "
                              "(%s: %s; run vireod in a cgroup of its own, e.g. as a systemd "
                              "service with Delegate=yes)", own, sub, strerror(errno));
        free(sub);
        free(have);
        dir = why ? NULL : run_cgroup(dom, own);
    }
    if (dir && mkdir(dir, 0755) < 0 && errno != EEXIST)
        why = vr_asprintf("cannot make the cgroup %s: %s", dir, strerror(errno));
    if (dir && !why) {
        /* libvirt's shares -> cgroup v2 weight; quota and period -> cpu.max. */
        char v[64], *f = vr_asprintf("%s/cpu.weight", dir);
        snprintf(v, sizeof(v), "%llu", t->shares ? 1 + ((t->shares - 2) * 9999) / 262142 : 100);
        if (write_file(f, v) < 0)
            why = vr_asprintf("%s: %s", f, strerror(errno));
        free(f);
        f = vr_asprintf("%s/cpu.max", dir);
        if (t->quota > 0)
            snprintf(v, sizeof(v), "%lld %llu", t->quota, t->period ? t->period : 100000);
        else
            snprintf(v, sizeof(v), "max %llu", t->period ? t->period : 100000);
        if (!why && write_file(f, v) < 0)
            why = vr_asprintf("%s: %s", f, strerror(errno));
        free(f);
    }
    if (why) {
        vr_set_error(err, "domain '%s' cannot start: <cputune> <shares>/<period>/<quota> need "
                          "cgroup v2's cpu controller: %s; or remove them", dom->def->name, why);
        if (dir)
            rmdir(dir);
    } else {
        code = VR_OK;
    }
    free(why);
    free(dir);
    free(own);
    return code;
}

/* ---- <hostdev> ---------------------------------------------------------------------- */

const char *vr_qemu_hostdev_reason(void)
{
    DIR *d = opendir("/sys/kernel/iommu_groups");
    bool any = false;
    for (struct dirent *e; d && !any && (e = readdir(d));)
        any = e->d_name[0] != '.';
    if (d)
        closedir(d);
    return any ? NULL
               : "this host has no IOMMU (/sys/kernel/iommu_groups is empty), so no device can be "
                 "given to a guest: turn on VT-d or AMD-Vi in the firmware and boot with "
                 "intel_iommu=on (or amd_iommu=on), or remove <hostdev>";
}

/* ---- before a start ---------------------------------------------------------------- */

vr_err vr_qemu_tune_preflight(vr_domain *dom, char **err)
{
    const vr_domain_def *def = dom->def;
    cpu_set_t cpus;
    for (size_t i = 0; i < def->cputune.n_vcpupins; i++)
        if (vr_qemu_cpuset(def->cputune.vcpupins[i].cpuset, "<vcpupin cpuset", &cpus, err) < 0)
            return VR_ERR_INVALID;
    if (def->cputune.emulatorpin &&
        vr_qemu_cpuset(def->cputune.emulatorpin, "<emulatorpin cpuset", &cpus, err) < 0)
        return VR_ERR_INVALID;
    for (size_t i = 0; i < def->cputune.n_iothreadpins; i++)
        if (vr_qemu_cpuset(def->cputune.iothreadpins[i].cpuset, "<iothreadpin cpuset", &cpus, err) < 0)
            return VR_ERR_INVALID;
    if (def->mem_backing.hugepages && hugepages_check(def, err) != VR_OK)
        return VR_ERR_UNSUPPORTED;
    if (numatune_check(def, err) != VR_OK)
        return VR_ERR_UNSUPPORTED;
    for (size_t i = 0; i < def->n_filesystems; i++)
        if (def->filesystems[i].driver == VR_FS_VIRTIOFS &&
            access(vr_qemu_virtiofsd_path(), X_OK) < 0) {
            vr_set_error(err, "domain '%s' cannot start: <filesystem> with <driver "
                              "type='virtiofs'> needs %s, which is not installed (Debian's "
                              "qemu-system-common ships it); or use <driver type='path'/> (9p)",
                         def->name, vr_qemu_virtiofsd_path());
            return VR_ERR_UNSUPPORTED;
        }
    if (def->vsock.present && access("/dev/vhost-vsock", R_OK | W_OK) < 0) {
        vr_set_error(err, "domain '%s' cannot start: <vsock>: this host has no usable "
                          "/dev/vhost-vsock (%s): load it with 'modprobe vhost_vsock', or remove "
                          "<vsock>", def->name, strerror(errno));
        return VR_ERR_UNSUPPORTED;
    }
    if (wants_bandwidth(def))
        return cgroup_prepare(dom, err);
    return VR_OK;
}

/* ---- once QEMU runs ------------------------------------------------------------------ */

static void pin(vr_domain *dom, pid_t tid, const char *spec, const char *what)
{
    cpu_set_t cpus;
    char *err = NULL;
    if (vr_qemu_cpuset(spec, what, &cpus, &err) < 0 || sched_setaffinity(tid, sizeof(cpus), &cpus) < 0)
        vr_log_warn("domain %s: cannot pin thread %d to %s: %s", dom->def->name, (int)tid, spec,
                    err ? err : strerror(errno));
    free(err);
}

static void on_cpus(json_object *ret, const char *error, void *opaque)
{
    vr_domain *dom = opaque; /* errors (QEMU gone) come before the domain goes */
    if (!dom || error || !json_object_is_type(ret, json_type_array))
        return;
    const vr_cputune *t = &dom->def->cputune;
    size_t n = json_object_array_length(ret);
    pid_t *vcpu_tids = vr_calloc(n + 1, sizeof(pid_t));
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ret, i), *idx = NULL, *tid = NULL;
        if (!json_object_object_get_ex(e, "cpu-index", &idx) ||
            !json_object_object_get_ex(e, "thread-id", &tid))
            continue;
        vcpu_tids[i] = json_object_get_int(tid);
        for (size_t k = 0; k < t->n_vcpupins; k++)
            if (t->vcpupins[k].vcpu == (unsigned)json_object_get_int(idx))
                pin(dom, vcpu_tids[i], t->vcpupins[k].cpuset, "<vcpupin cpuset");
    }
    if (t->emulatorpin) {
        /* Every thread that is not a vCPU: the main loop, I/O, RCU ... */
        char *dir = vr_asprintf("/proc/%d/task", (int)dom->pid);
        DIR *d = opendir(dir);
        for (struct dirent *e; d && (e = readdir(d));) {
            pid_t tid = (pid_t)atoi(e->d_name);
            bool vcpu = false;
            for (size_t i = 0; i < n; i++)
                vcpu |= vcpu_tids[i] == tid;
            if (tid > 0 && !vcpu)
                pin(dom, tid, t->emulatorpin, "<emulatorpin cpuset");
        }
        if (d)
            closedir(d);
        free(dir);
    }
    free(vcpu_tids);
}

/* <iothreadpin>: QEMU's iothreadN threads. */
static void on_iothreads(json_object *ret, const char *error, void *opaque)
{
    vr_domain *dom = opaque;
    if (!dom || error || !json_object_is_type(ret, json_type_array))
        return;
    const vr_cputune *t = &dom->def->cputune;
    for (size_t i = 0; i < json_object_array_length(ret); i++) {
        json_object *e = json_object_array_get_idx(ret, i), *id = NULL, *tid = NULL;
        unsigned n = 0;
        if (!json_object_object_get_ex(e, "id", &id) || !json_object_object_get_ex(e, "thread-id", &tid) ||
            sscanf(json_object_get_string(id), "iothread%u", &n) != 1)
            continue;
        for (size_t k = 0; k < t->n_iothreadpins; k++)
            if (t->iothreadpins[k].vcpu == n)
                pin(dom, (pid_t)json_object_get_int(tid), t->iothreadpins[k].cpuset, "<iothreadpin cpuset");
    }
}

void vr_qemu_tune_apply(vr_domain *dom)
{
    const vr_domain_def *def = dom->def;
    if (wants_bandwidth(def)) {
        char *why = NULL, *own = own_cgroup(&why);
        char *procs = own ? vr_asprintf("%s/vireo-%s/cgroup.procs", own, def->name) : NULL;
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)dom->pid);
        /* All of QEMU's threads move with its process. */
        if (!procs || write_file(procs, pid) < 0)
            vr_log_warn("domain %s: cannot move QEMU into its cgroup %s: %s", def->name,
                        procs ? procs : "", why ? why : strerror(errno));
        free(procs);
        free(own);
        free(why);
    }
    if (def->cputune.n_vcpupins || def->cputune.emulatorpin)
        vr_qmp_command(dom->qmp, "query-cpus-fast", NULL, on_cpus, dom);
    if (def->cputune.n_iothreadpins)
        vr_qmp_command(dom->qmp, "query-iothreads", NULL, on_iothreads, dom);
}

void vr_qemu_tune_release(vr_domain *dom)
{
    if (!wants_bandwidth(dom->def))
        return;
    char *why = NULL, *own = own_cgroup(&why);
    if (own) {
        char *dir = run_cgroup(dom, own);
        rmdir(dir);
        free(dir);
    }
    free(own);
    free(why);
}
