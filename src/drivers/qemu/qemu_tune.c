/* What the host does for a domain besides running QEMU: huge pages
 * checked before a start, <cputune>'s pinning applied to QEMU's threads
 * once it runs (the vCPU threads from query-cpus-fast, every other
 * thread for <emulatorpin>), and its CPU bandwidth (<shares>, <period>,
 * <quota>; schedinfo) through cgroup v2's cpu controller, or cgroup v1's
 * cpu hierarchy where v2 has none, in a cgroup of the run's own under
 * the daemon's, when the daemon's cgroup may have one. Each refusal names
 * the element and says why. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_hotplug.h"
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

/* ---- cgroups: cgroup v2's cpu controller, or cgroup v1's cpu hierarchy ---- */

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

/* Does the comma-separated list hold `word`? */
static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

/* Where the hierarchy is mounted (its root): cgroup2's, or v1's whose
 * options name the cpu controller. */
static char *cgroup_mount(bool v1)
{
    char *mi = vr_file_read("/proc/self/mountinfo", NULL), *mount = NULL;
    for (char *line = mi ? strtok(mi, "\n") : NULL; line && !mount; line = strtok(NULL, "\n")) {
        char *dash = strstr(line, v1 ? " - cgroup " : " - cgroup2 ");
        char root[512], point[512], opts[512];
        if (!dash || sscanf(line, "%*s %*s %*s %511s %511s", root, point) != 2 || strcmp(root, "/") != 0)
            continue;
        if (!v1 || (sscanf(dash, " - cgroup %*s %511s", opts) == 1 && has_word(opts, "cpu")))
            mount = vr_strdup(point);
    }
    free(mi);
    return mount;
}

/* The daemon's group in that hierarchy, below its mount: "0::/x" (v2),
 * "N:cpu,cpuacct:/x" (v1). */
static char *cgroup_path(bool v1)
{
    char *mount = cgroup_mount(v1);
    char *cg = mount ? vr_file_read("/proc/self/cgroup", NULL) : NULL, *path = NULL;
    for (char *line = cg ? strtok(cg, "\n") : NULL; line && !path; line = strtok(NULL, "\n")) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        if (v1 ? has_word(c1 + 1, "cpu") : strcmp(line, "0:") == 0)
            path = vr_asprintf("%s%s", mount, strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1);
    }
    free(cg);
    free(mount);
    return path;
}

/* The daemon's own cgroup with the cpu controller: cgroup v2's when it
 * has one there, else cgroup v1's cpu hierarchy (*v1); NULL with *why. */
static char *own_cgroup(bool *v1, char **why)
{
    char *v2 = cgroup_path(false);
    char *ctl = v2 ? vr_asprintf("%s/cgroup.controllers", v2) : NULL;
    char *have = ctl ? vr_file_read(ctl, NULL) : NULL;
    free(ctl);
    *v1 = false;
    if (have && strstr(have, "cpu")) {
        free(have);
        return v2;
    }
    char *old = cgroup_path(true);
    if (old) {
        *v1 = true;
        free(v2);
        free(have);
        return old;
    }
    *why = !v2 ? vr_strdup("this host has no cgroup v2 hierarchy mounted, nor cgroup v1's cpu one")
               : vr_asprintf("the daemon's cgroup %s has no cpu controller (cgroup.controllers: %s)", v2,
                             have ? vr_str_trim(have) : "unreadable");
    free(v2);
    free(have);
    return NULL;
}

static char *run_cgroup(const vr_domain *dom, const char *own)
{
    return vr_asprintf("%s/vireo-%s", own, dom->def->name);
}

static bool wants_bandwidth(const vr_domain_def *def)
{
    return def->cputune.shares || def->cputune.period || def->cputune.quota;
}

/* One value into a control file of dir; false with *why. */
static bool put(const char *dir, const char *file, const char *value, char **why)
{
    char *f = vr_asprintf("%s/%s", dir, file);
    bool ok = write_file(f, value) == 0;
    if (!ok)
        *why = vr_asprintf("%s: %s", f, strerror(errno));
    free(f);
    return ok;
}

/* <cputune>'s bandwidth into the run's cgroup: v2's cpu.weight and
 * cpu.max (libvirt's shares mapped onto the weight), v1's cpu.shares,
 * cpu.cfs_period_us and cpu.cfs_quota_us. Unset values are the
 * kernel's defaults. */
static bool put_bandwidth(const char *dir, bool v1, const vr_cputune *t, char **why)
{
    char v[64], p[32];
    unsigned long long period = t->period ? t->period : 100000;
    snprintf(p, sizeof(p), "%llu", period);
    if (v1) {
        snprintf(v, sizeof(v), "%llu", t->shares ? t->shares : 1024);
        if (!put(dir, "cpu.shares", v, why) || !put(dir, "cpu.cfs_quota_us", "-1", why) ||
            !put(dir, "cpu.cfs_period_us", p, why))
            return false;
        snprintf(v, sizeof(v), "%lld", t->quota > 0 ? t->quota : -1);
        return put(dir, "cpu.cfs_quota_us", v, why);
    }
    snprintf(v, sizeof(v), "%llu", t->shares ? 1 + ((t->shares - 2) * 9999) / 262142 : 100);
    if (!put(dir, "cpu.weight", v, why))
        return false;
    if (t->quota > 0)
        snprintf(v, sizeof(v), "%lld %llu", t->quota, period);
    else
        snprintf(v, sizeof(v), "max %llu", period);
    return put(dir, "cpu.max", v, why);
}

/* The run's own cgroup under the daemon's, made (v2: the cpu controller
 * enabled below the daemon's) and given t's bandwidth; *dir_out (may be
 * NULL) is where. NULL-free: false with *why. */
static bool cgroup_make(vr_domain *dom, const vr_cputune *t, char **dir_out, char **why)
{
    bool v1;
    char *own = own_cgroup(&v1, why), *dir = NULL;
    if (own && !v1) {
        char *sub = vr_asprintf("%s/cgroup.subtree_control", own);
        if (write_file(sub, "+cpu") < 0)
            *why = vr_asprintf("the cpu controller cannot be enabled below the daemon's cgroup %s "
                               "(%s: %s; run vireod in a cgroup of its own, e.g. as a systemd "
                               "service with Delegate=yes)", own, sub, strerror(errno));
        free(sub);
    }
    if (own && !*why) {
        dir = run_cgroup(dom, own);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            *why = vr_asprintf("cannot make the cgroup %s: %s", dir, strerror(errno));
        else if (!put_bandwidth(dir, v1, t, why))
            rmdir(dir);
    }
    free(own);
    if (*why || !dir_out)
        free(dir);
    else
        *dir_out = dir;
    return !*why;
}

/* Made before QEMU starts: a host that cannot give one refuses the start. */
static vr_err cgroup_prepare(vr_domain *dom, char **err)
{
    char *why = NULL;
    if (cgroup_make(dom, &dom->def->cputune, NULL, &why))
        return VR_OK;
    vr_set_error(err, "domain '%s' cannot start: <cputune> <shares>/<period>/<quota> need "
                      "a cgroup cpu controller: %s; or remove them", dom->def->name, why);
    free(why);
    return VR_ERR_UNSUPPORTED;
}

/* QEMU (all its threads) into the run's cgroup dir. */
static bool cgroup_join(vr_domain *dom, const char *dir, char **why)
{
    char pid[32];
    snprintf(pid, sizeof(pid), "%d", (int)dom->pid);
    return put(dir, "cgroup.procs", pid, why);
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
        bool v1;
        char *why = NULL, *own = own_cgroup(&v1, &why), *dir = own ? run_cgroup(dom, own) : NULL;
        if (!dir || !cgroup_join(dom, dir, &why))
            vr_log_warn("domain %s: cannot move QEMU into its cgroup %s: %s", def->name, dir ? dir : "", why);
        free(dir);
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
    /* Whether the start made it or a live schedinfo did: rmdir is
     * harmless where none is. */
    bool v1;
    char *why = NULL, *own = own_cgroup(&v1, &why);
    if (own) {
        char *dir = run_cgroup(dom, own);
        rmdir(dir);
        free(dir);
    }
    free(own);
    free(why);
}

/* ---- schedinfo ------------------------------------------------------------------------ */

vr_err vr_qemu_sched_get(vr_domain *dom, unsigned flags, vr_qemu_sched *out, char **err)
{
    flags = vr_qemu_affect(dom, flags);
    if ((flags & VR_AFFECT_LIVE) && (flags & VR_AFFECT_CONFIG)) {
        vr_set_error(err, "schedinfo shows the live values or the configured ones, not both: drop --live or --config");
        return VR_ERR_INVALID;
    }
    vr_err code = vr_hp_check(dom, flags, "read", err);
    if (code != VR_OK)
        return code;
    const vr_cputune *t = flags & VR_AFFECT_LIVE ? &dom->def->cputune : &vr_hp_config_def(dom)->cputune;
    *out = (vr_qemu_sched){.shares = t->shares ? t->shares : 1024, .period = t->period ? t->period : 100000,
                           .quota = t->quota ? t->quota : -1};
    return VR_OK;
}

/* A copy of def with set's values in its <cputune>. */
static vr_domain_def *with_sched(const vr_domain_def *def, const vr_qemu_sched *set)
{
    vr_domain_def *d = vr_domain_def_copy(def);
    if (!d)
        return NULL;
    vr_cputune *t = &d->cputune;
    t->present = true;
    if (set->shares)
        t->shares = set->shares;
    if (set->period)
        t->period = set->period;
    if (set->quota)
        t->quota = set->quota;
    return d;
}

static vr_err sched_check(const vr_qemu_sched *set, char **err)
{
    if (set->shares && (set->shares < 2 || set->shares > 262144))
        vr_set_error(err, "cpu_shares %llu: expected 2 to 262144 (<cputune><shares>)", set->shares);
    else if (set->period && (set->period < 1000 || set->period > 1000000))
        vr_set_error(err, "vcpu_period %llu: expected 1000 to 1000000 microseconds (<cputune><period>)",
                     set->period);
    else if (set->quota && set->quota != -1 && (set->quota < 1000 || set->quota > 17592186044415LL))
        vr_set_error(err, "vcpu_quota %lld: expected -1 (no limit) or microseconds from 1000 (<cputune><quota>)",
                     set->quota);
    else if (!set->shares && !set->period && !set->quota)
        vr_set_error(err, "nothing to set: give cpu_shares, vcpu_period or vcpu_quota");
    else
        return VR_OK;
    return VR_ERR_INVALID;
}

vr_err vr_qemu_sched_set(vr_domain *dom, const vr_qemu_sched *set, unsigned flags, char **err)
{
    flags = vr_qemu_affect(dom, flags);
    vr_err code = sched_check(set, err);
    if (code == VR_OK)
        code = vr_hp_check(dom, flags, "tune", err);
    if (code != VR_OK)
        return code;
    vr_domain_def *live = flags & VR_AFFECT_LIVE ? with_sched(dom->def, set) : NULL;
    vr_domain_def *config = flags & VR_AFFECT_CONFIG ? with_sched(vr_hp_config_def(dom), set) : NULL;
    if (((flags & VR_AFFECT_LIVE) && !live) || ((flags & VR_AFFECT_CONFIG) && !config)) {
        vr_set_error(err, "domain '%s': its definition cannot be copied", dom->def->name);
        code = VR_ERR_FAILED;
    }
    char *why = NULL, *dir = NULL;
    if (code == VR_OK && live) {
        /* Into the run's cgroup: made (and QEMU moved into it) when the
         * start made none. */
        bool had = wants_bandwidth(dom->def);
        if (!cgroup_make(dom, &live->cputune, &dir, &why) || (!had && !cgroup_join(dom, dir, &why))) {
            vr_set_error(err, "domain '%s': the CPU bandwidth cannot be set live: %s", dom->def->name, why);
            code = VR_ERR_UNSUPPORTED;
        }
    }
    if (code == VR_OK && live) {
        vr_hp_live_replace(dom, live);
        live = NULL;
        /* libvirt's tunable event: each value set */
        char detail[160];
        int n = 0;
        if (set->shares)
            n += snprintf(detail + n, sizeof(detail) - (size_t)n, "cputune.cpu_shares=%llu ", set->shares);
        if (set->period)
            n += snprintf(detail + n, sizeof(detail) - (size_t)n, "cputune.vcpu_period=%llu ", set->period);
        if (set->quota)
            n += snprintf(detail + n, sizeof(detail) - (size_t)n, "cputune.vcpu_quota=%lld ", set->quota);
        detail[n > 0 ? n - 1 : 0] = '\0';
        vr_qemu_emit(dom, "tunable", detail);
    }
    if (code == VR_OK && config) {
        code = vr_hp_config_replace(dom, config, err);
        config = NULL;
    }
    vr_domain_def_free(live);
    vr_domain_def_free(config);
    free(why);
    free(dir);
    return code;
}
