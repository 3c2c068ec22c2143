/* vCPU threads, iothreads and their host CPUs, as virsh vcpuinfo,
 * vcpupin, emulatorpin, iothreadinfo and iothreadpin show and set them on
 * a running domain: QEMU names its threads (query-cpus-fast's and
 * query-iothreads' thread-id), the kernel does the rest
 * (sched_setaffinity, /proc/PID/task/TID/stat). vcpupin/emulatorpin
 * --config write <cputune> (vr_qemu_pin), iothreadpin too. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    vr_qemu_driver *drv;
    char *name;
    int vcpu;          /* vcpupin: the vCPU; -1: emulatorpin; -2: only report */
    unsigned id;       /* iothreads: iothreadpin's iothread; 0: only report */
    cpu_set_t set;
    vr_qemu_reply_fn cb;
    void *opaque;
} affinity_ctx;

/* The answer (out: put, m: freed) to the call c is for; c freed. */
static void answer(affinity_ctx *c, vr_err code, json_object *out, char *m)
{
    c->cb(code, out, m, c->opaque);
    json_object_put(out);
    free(m);
    free(c->name);
    free(c);
}

/* "0-1,3" for a CPU set. */
static char *set_text(const cpu_set_t *s)
{
    vr_strbuf b = {0};
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, s))
            continue;
        int end = c;
        while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, s))
            end++;
        vr_strbuf_addf(&b, b.len ? ",%d" : "%d", c);
        if (end > c)
            vr_strbuf_addf(&b, "-%d", end);
        c = end;
    }
    return vr_strbuf_take(&b);
}

/* The thread's last CPU and CPU time (ns) from /proc; false when gone. */
static bool thread_stat(pid_t pid, long tid, int *cpu, long long *ns)
{
    char path[96];
    snprintf(path, sizeof(path), "/proc/%d/task/%ld/stat", (int)pid, tid);
    char *s = vr_file_read(path, NULL);
    char *p = s ? strrchr(s, ')') : NULL;
    unsigned long long ut = 0, st = 0;
    int processor = -1;
    /* After ")": field 3 on; utime, stime are 14, 15; processor is 39. */
    bool ok = p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
                                 "%*u %*u %*d %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*d %d",
                          &ut, &st, &processor) == 3;
    free(s);
    long hz = sysconf(_SC_CLK_TCK);
    *cpu = processor;
    *ns = (long long)((ut + st) * (1000000000ull / (unsigned long long)(hz > 0 ? hz : 100)));
    return ok;
}

static json_object *affinity_of(long tid)
{
    cpu_set_t s;
    if (sched_getaffinity((pid_t)tid, sizeof(s), &s) < 0)
        return NULL;
    char *t = set_text(&s);
    json_object *o = json_object_new_string(t);
    free(t);
    return o;
}

static bool is_vcpu_thread(json_object *cpus, long tid)
{
    for (size_t i = 0; i < json_object_array_length(cpus); i++) {
        json_object *t = NULL;
        if (json_object_object_get_ex(json_object_array_get_idx(cpus, i), "thread-id", &t) &&
            json_object_get_int64(t) == tid)
            return true;
    }
    return false;
}

/* emulatorpin: every QEMU thread that is not a vCPU's. 0 or -errno. */
static int pin_emulator(pid_t pid, json_object *cpus, const cpu_set_t *set)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        long tid = strtol(e->d_name, NULL, 10);
        if (tid > 0 && !is_vcpu_thread(cpus, tid) && sched_setaffinity((pid_t)tid, sizeof(*set), set) < 0 &&
            errno != ESRCH)
            rc = -errno;
    }
    closedir(d);
    return rc;
}

/* Pin thread `t` (QMP's thread-id; NULL: QEMU has no such thread) to
 * `set`; `kind` and `number` name it in the errors ("vCPU 1",
 * "iothread 2"). */
static vr_err pin_thread(json_object *t, const cpu_set_t *set, const char *name, const char *kind, long number,
                         const char *missing, char **m)
{
    char what[32];
    snprintf(what, sizeof(what), "%s %ld", kind, number);
    if (!t) {
        *m = vr_asprintf("domain '%s' has no %s %s", name, what, missing);
        return VR_ERR_INVALID;
    }
    if (sched_setaffinity((pid_t)json_object_get_int64(t), sizeof(*set), set) < 0) {
        *m = vr_asprintf("cannot pin %s of domain '%s': %s", what, name, strerror(errno));
        return VR_ERR_FAILED;
    }
    return VR_OK;
}

static void on_cpus(json_object *ret, const char *error, void *opaque)
{
    affinity_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    char *m = NULL;
    vr_err code = VR_OK;
    json_object *out = NULL;
    if (error || !dom || dom->pid <= 0 || !json_object_is_type(ret, json_type_array)) {
        m = vr_asprintf("cannot list the vCPU threads of domain '%s': %s", c->name, error ? error : "QEMU exited");
        code = VR_ERR_FAILED;
    } else if (c->vcpu == -1) {
        int rc = pin_emulator(dom->pid, ret, &c->set);
        if (rc < 0) {
            m = vr_asprintf("cannot pin the emulator threads of domain '%s': %s", c->name, strerror(-rc));
            code = VR_ERR_FAILED;
        }
    } else if (c->vcpu >= 0) {
        json_object *t = NULL;
        for (size_t i = 0; i < json_object_array_length(ret); i++) {
            json_object *v = json_object_array_get_idx(ret, i), *idx = NULL;
            if (json_object_object_get_ex(v, "cpu-index", &idx) && json_object_get_int(idx) == c->vcpu)
                json_object_object_get_ex(v, "thread-id", &t);
        }
        code = pin_thread(t, &c->set, c->name, "vCPU", c->vcpu, "online (vcpucount shows them)", &m);
    } else {
        out = json_object_new_object();
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(ret); i++) {
            json_object *v = json_object_array_get_idx(ret, i), *idx = NULL, *t = NULL;
            json_object_object_get_ex(v, "cpu-index", &idx);
            json_object_object_get_ex(v, "thread-id", &t);
            long tid = (long)json_object_get_int64(t);
            int cpu;
            long long ns;
            bool alive = thread_stat(dom->pid, tid, &cpu, &ns);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "vcpu", json_object_new_int(json_object_get_int(idx)));
            json_object_object_add(o, "thread", json_object_new_int64(tid));
            json_object_object_add(o, "cpu", alive ? json_object_new_int(cpu) : NULL);
            json_object_object_add(o, "state", json_object_new_string(dom->state == VR_DOM_PAUSED ? "paused"
                                                                                                 : "running"));
            json_object_object_add(o, "cpu_time_ns", alive ? json_object_new_int64(ns) : NULL);
            json_object_object_add(o, "affinity", affinity_of(tid));
            json_object_array_add(arr, o);
        }
        json_object_object_add(out, "vcpus", arr);
        json_object_object_add(out, "emulator_affinity", affinity_of(dom->pid));
        json_object_object_add(out, "host_cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_CONF)));
    }
    answer(c, code, out, m);
}

static void run(vr_domain *dom, int vcpu, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    affinity_ctx *c = vr_calloc(1, sizeof(*c));
    char *err = NULL;
    vr_err code = VR_OK;
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->pid <= 0) {
        err = vr_asprintf("domain '%s' is not running; its vCPU threads exist only while it runs "
                          "(--config pins them in the definition, <cputune>)", dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if (cpulist) {
        /* vcpupin and emulatorpin write these elements with --config. */
        if (vr_qemu_cpuset(cpulist, vcpu >= 0 ? "<vcpupin cpuset" : "<emulatorpin cpuset", &c->set, &err) < 0)
            code = VR_ERR_INVALID;
    }
    if (code != VR_OK) {
        cb(code, NULL, err, opaque);
        free(err);
        free(c);
        return;
    }
    c->drv = dom->drv;
    c->name = vr_strdup(dom->def->name);
    c->vcpu = vcpu;
    c->cb = cb;
    c->opaque = opaque;
    vr_qmp_command(dom->qmp, "query-cpus-fast", NULL, on_cpus, c);
}

void vr_qemu_vcpu_info(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque)
{
    run(dom, -2, NULL, cb, opaque);
}

void vr_qemu_vcpu_pin(vr_domain *dom, unsigned vcpu, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    run(dom, (int)vcpu, cpulist, cb, opaque);
}

void vr_qemu_emulator_pin(vr_domain *dom, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    run(dom, -1, cpulist, cb, opaque);
}

/* ---- --config: <cputune> in the definitions ---- */

typedef struct {
    vr_qemu_driver *drv;
    char *name, *cpulist;
    int vcpu;
    bool live;              /* the threads were pinned: the live definition says so */
    vr_domain_def *config;  /* the definition to take once the live pin worked */
    vr_qemu_reply_fn cb;
    void *opaque;
} pin_ctx;

static void pin_done(vr_err code, json_object *ret, const char *err, void *opaque)
{
    pin_ctx *p = opaque;
    vr_domain *dom = vr_qemu_lookup(p->drv, p->name);
    char *cerr = NULL;
    if (code == VR_OK && !dom) {
        code = VR_ERR_NOT_FOUND;
        err = "the domain is gone";
    }
    vr_domain_def *live = code == VR_OK && p->live ? vr_domain_def_with_pin(dom->def, p->vcpu, p->cpulist, NULL)
                                                   : NULL;
    if (live) {
        vr_hp_live_replace(dom, live);
        /* libvirt's tunable event: the live pin, as <cputune> names it */
        char *detail = p->vcpu >= 0 ? vr_asprintf("cputune.vcpupin%d=%s", p->vcpu, p->cpulist)
                       : p->vcpu == -1 ? vr_asprintf("cputune.emulatorpin=%s", p->cpulist)
                                       : vr_asprintf("cputune.iothreadpin%d=%s", -1 - p->vcpu, p->cpulist);
        vr_qemu_emit(dom, "tunable", detail);
        free(detail);
    }
    if (code == VR_OK && p->config) {
        code = vr_hp_config_replace(dom, p->config, &cerr);
        p->config = NULL;
        err = cerr;
    }
    p->cb(code, ret, err, p->opaque);
    vr_domain_def_free(p->config);
    free(cerr);
    free(p->name);
    free(p->cpulist);
    free(p);
}

static void iothread_pin_live(vr_domain *dom, unsigned id, const char *cpulist, vr_qemu_reply_fn cb,
                              void *opaque);

void vr_qemu_pin(vr_domain *dom, int vcpu, const char *cpulist, unsigned flags, vr_qemu_reply_fn cb, void *opaque)
{
    flags = vr_qemu_affect(dom, flags);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, flags, "pin in", &err);
    pin_ctx *p = vr_calloc(1, sizeof(*p));
    *p = (pin_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .cpulist = vr_strdup(cpulist),
                   .vcpu = vcpu, .live = flags & VR_AFFECT_LIVE, .cb = cb, .opaque = opaque};
    if (code == VR_OK && (flags & VR_AFFECT_CONFIG) &&
        !(p->config = vr_domain_def_with_pin(vr_hp_config_def(dom), vcpu, cpulist, &err)))
        code = VR_ERR_INVALID;
    if (code != VR_OK)
        pin_done(code, NULL, err, p);
    else if ((flags & VR_AFFECT_LIVE) && vcpu <= VR_PIN_IOTHREAD(1))
        iothread_pin_live(dom, (unsigned)(-1 - vcpu), cpulist, pin_done, p);
    else if (flags & VR_AFFECT_LIVE)
        run(dom, vcpu, cpulist, pin_done, p);
    else
        pin_done(VR_OK, NULL, NULL, p);
    free(err);
}

/* ---- iothreads: iothreadinfo, iothreadpin's live half ---- */

/* "iothreadN" (qemu_command_memory.c names them so) -> N; 0 otherwise. */
static unsigned iothread_number(json_object *v)
{
    json_object *id = NULL;
    unsigned n = 0;
    if (json_object_object_get_ex(v, "id", &id) && sscanf(json_object_get_string(id), "iothread%u", &n) != 1)
        n = 0;
    return n;
}

/* json_object_array_sort's order: by "id". */
static int by_id(const void *a, const void *b)
{
    json_object *x = NULL, *y = NULL;
    json_object_object_get_ex(*(json_object *const *)a, "id", &x);
    json_object_object_get_ex(*(json_object *const *)b, "id", &y);
    return json_object_get_int(x) - json_object_get_int(y);
}

static void on_iothreads(json_object *ret, const char *error, void *opaque)
{
    affinity_ctx *c = opaque;
    char *m = NULL;
    vr_err code = VR_OK;
    json_object *out = NULL;
    if (error || !json_object_is_type(ret, json_type_array)) {
        m = vr_asprintf("cannot list the iothreads of domain '%s': %s", c->name, error ? error : "QEMU exited");
        code = VR_ERR_FAILED;
    } else if (c->id) {
        json_object *t = NULL;
        for (size_t i = 0; i < json_object_array_length(ret); i++)
            if (iothread_number(json_object_array_get_idx(ret, i)) == c->id)
                json_object_object_get_ex(json_object_array_get_idx(ret, i), "thread-id", &t);
        code = pin_thread(t, &c->set, c->name, "iothread", (long)c->id, "(iothreadinfo lists them)", &m);
    } else {
        out = json_object_new_object();
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(ret); i++) {
            json_object *v = json_object_array_get_idx(ret, i), *t = NULL;
            unsigned n = iothread_number(v);
            if (!n || !json_object_object_get_ex(v, "thread-id", &t))
                continue;
            long tid = (long)json_object_get_int64(t);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "id", json_object_new_int((int)n));
            json_object_object_add(o, "thread", json_object_new_int64(tid));
            json_object_object_add(o, "affinity", affinity_of(tid));
            json_object_array_add(arr, o);
        }
        json_object_array_sort(arr, by_id); /* QEMU lists the newest first */
        json_object_object_add(out, "iothreads", arr);
        json_object_object_add(out, "host_cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_CONF)));
    }
    answer(c, code, out, m);
}

/* The definition's iothreads (<iothreadids>' order), each on its <iothreadpin cpuset>,
 * else every host CPU. */
static json_object *config_iothreads(const vr_domain_def *def)
{
    json_object *out = json_object_new_object(), *arr = json_object_new_array();
    int n = (int)sysconf(_SC_NPROCESSORS_CONF);
    char *all = n > 1 ? vr_asprintf("0-%d", n - 1) : vr_strdup("0");
    for (size_t j = 0; j < def->n_iothread_ids; j++) {
        unsigned i = def->iothread_ids[j];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int((int)i));
        json_object_object_add(o, "thread", NULL);
        const char *set = all;
        for (size_t k = 0; k < def->cputune.n_iothreadpins; k++)
            if (def->cputune.iothreadpins[k].vcpu == i)
                set = def->cputune.iothreadpins[k].cpuset;
        json_object_object_add(o, "affinity", json_object_new_string(set));
        json_object_array_add(arr, o);
    }
    free(all);
    json_object_object_add(out, "iothreads", arr);
    json_object_object_add(out, "host_cpus", json_object_new_int(n));
    return out;
}

void vr_qemu_iothread_info(vr_domain *dom, unsigned flags, vr_qemu_reply_fn cb, void *opaque)
{
    flags = vr_qemu_affect(dom, flags);
    if ((flags & VR_AFFECT_CONFIG) || dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->pid <= 0) {
        json_object *o = config_iothreads(flags & VR_AFFECT_CONFIG ? vr_hp_config_def(dom) : dom->def);
        cb(VR_OK, o, NULL, opaque);
        json_object_put(o);
        return;
    }
    affinity_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (affinity_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .cb = cb, .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-iothreads", NULL, on_iothreads, c);
}

/* The live half of iothreadpin: the running thread of iothread `id`. */
static void iothread_pin_live(vr_domain *dom, unsigned id, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    char *err = NULL;
    cpu_set_t set;
    if (vr_qemu_cpuset(cpulist, "<iothreadpin cpuset", &set, &err) < 0) {
        cb(VR_ERR_INVALID, NULL, err, opaque);
        free(err);
        return;
    }
    affinity_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (affinity_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .id = id, .set = set, .cb = cb,
                        .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-iothreads", NULL, on_iothreads, c);
}

void vr_qemu_iothread_pin(vr_domain *dom, unsigned id, const char *cpulist, unsigned flags, vr_qemu_reply_fn cb,
                          void *opaque)
{
    if (id) {
        vr_qemu_pin(dom, VR_PIN_IOTHREAD(id), cpulist, flags, cb, opaque);
        return;
    }
    char *err = vr_asprintf("iothread ids start at 1 (iothreadinfo '%s' lists them)", dom->def->name);
    cb(VR_ERR_INVALID, NULL, err, opaque);
    free(err);
}
