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
    vr_qemu_reply_fn cb;               /* a pin's answer */
    vr_qemu_vcpus_fn vcpus_cb;         /* vcpuinfo's */
    vr_qemu_iothreads_fn iothreads_cb; /* iothreadinfo's */
    void *opaque;
} affinity_ctx;

/* The answer (info: a report's, m: freed) to the call c is for, through
 * the callback it has; c freed. */
static void answer(affinity_ctx *c, vr_err code, const void *info, char *m)
{
    if (c->vcpus_cb)
        c->vcpus_cb(code, info, m, c->opaque);
    else if (c->iothreads_cb)
        c->iothreads_cb(code, info, m, c->opaque);
    else
        c->cb(code, NULL, m, c->opaque);
    free(m);
    free(c->name);
    free(c);
}

static int host_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    return n > 0 ? (int)n : 1;
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

/* The CPUs thread tid may run on as text; NULL when unknown. */
static char *affinity_of(long tid)
{
    cpu_set_t s;
    return sched_getaffinity((pid_t)tid, sizeof(s), &s) < 0 ? NULL : set_text(&s);
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
        size_t n = json_object_array_length(ret);
        vr_qemu_vcpus v = {.v = vr_calloc(n + 1, sizeof(*v.v)), .paused = dom->state == VR_DOM_PAUSED,
                           .emulator_affinity = affinity_of(dom->pid), .host_cpus = host_cpus()};
        for (size_t i = 0; i < n; i++) {
            json_object *q = json_object_array_get_idx(ret, i), *idx = NULL, *t = NULL;
            json_object_object_get_ex(q, "cpu-index", &idx);
            json_object_object_get_ex(q, "thread-id", &t);
            vr_qemu_vcpu *x = &v.v[v.n++];
            x->vcpu = (unsigned)json_object_get_int(idx);
            x->thread = (long)json_object_get_int64(t);
            x->affinity = affinity_of(x->thread);
            if (!thread_stat(dom->pid, x->thread, &x->cpu, &x->cpu_time_ns))
                x->cpu = -1, x->cpu_time_ns = -1;
        }
        answer(c, VR_OK, &v, NULL);
        for (size_t i = 0; i < v.n; i++)
            free(v.v[i].affinity);
        free(v.v);
        free(v.emulator_affinity);
        return;
    }
    answer(c, code, NULL, m);
}

/* Ask QEMU for the vCPU threads, for the call c (its callback and vcpu
 * set), and pin them to cpulist when given. */
static void run(vr_domain *dom, affinity_ctx *c, const char *cpulist)
{
    char *err = NULL;
    vr_err code = VR_OK;
    c->drv = dom->drv;
    c->name = vr_strdup(dom->def->name);
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->pid <= 0) {
        err = vr_asprintf("domain '%s' is not running; its vCPU threads exist only while it runs "
                          "(--config pins them in the definition, <cputune>)", dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if (cpulist) {
        /* vcpupin and emulatorpin write these elements with --config. */
        if (vr_qemu_cpuset(cpulist, c->vcpu >= 0 ? "<vcpupin cpuset" : "<emulatorpin cpuset", &c->set, &err) < 0)
            code = VR_ERR_INVALID;
    }
    if (code != VR_OK)
        answer(c, code, NULL, err);
    else
        vr_qmp_command(dom->qmp, "query-cpus-fast", NULL, on_cpus, c);
}

static void pin_run(vr_domain *dom, int vcpu, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    affinity_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (affinity_ctx){.vcpu = vcpu, .cb = cb, .opaque = opaque};
    run(dom, c, cpulist);
}

void vr_qemu_vcpu_info(vr_domain *dom, vr_qemu_vcpus_fn cb, void *opaque)
{
    affinity_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (affinity_ctx){.vcpu = -2, .vcpus_cb = cb, .opaque = opaque};
    run(dom, c, NULL);
}

void vr_qemu_vcpu_pin(vr_domain *dom, unsigned vcpu, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    pin_run(dom, (int)vcpu, cpulist, cb, opaque);
}

void vr_qemu_emulator_pin(vr_domain *dom, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    pin_run(dom, -1, cpulist, cb, opaque);
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
        pin_run(dom, vcpu, cpulist, pin_done, p);
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

/* qsort's order of iothreads: by id. */
static int by_id(const void *a, const void *b)
{
    unsigned x = ((const vr_qemu_iothread *)a)->id, y = ((const vr_qemu_iothread *)b)->id;
    return (x > y) - (x < y);
}

/* Answer c with t, then free t's contents. */
static void answer_iothreads(affinity_ctx *c, vr_qemu_iothreads *t)
{
    answer(c, VR_OK, t, NULL);
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].affinity);
    free(t->v);
}

static void on_iothreads(json_object *ret, const char *error, void *opaque)
{
    affinity_ctx *c = opaque;
    char *m = NULL;
    vr_err code = VR_OK;
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
        size_t n = json_object_array_length(ret);
        vr_qemu_iothreads t = {.v = vr_calloc(n + 1, sizeof(*t.v)), .host_cpus = host_cpus()};
        for (size_t i = 0; i < n; i++) {
            json_object *v = json_object_array_get_idx(ret, i), *tid = NULL;
            unsigned id = iothread_number(v);
            if (!id || !json_object_object_get_ex(v, "thread-id", &tid))
                continue;
            long thread = (long)json_object_get_int64(tid);
            t.v[t.n++] = (vr_qemu_iothread){id, thread, affinity_of(thread)};
        }
        qsort(t.v, t.n, sizeof(*t.v), by_id); /* QEMU lists the newest first */
        answer_iothreads(c, &t);
        return;
    }
    answer(c, code, NULL, m);
}

/* The definition's iothreads (<iothreadids>' order), each on its <iothreadpin cpuset>,
 * else every host CPU. */
static void config_iothreads(const vr_domain_def *def, affinity_ctx *c)
{
    vr_qemu_iothreads t = {.v = vr_calloc(def->n_iothread_ids + 1, sizeof(*t.v)), .host_cpus = host_cpus()};
    for (size_t j = 0; j < def->n_iothread_ids; j++) {
        unsigned i = def->iothread_ids[j];
        char *set = NULL;
        for (size_t k = 0; k < def->cputune.n_iothreadpins; k++)
            if (def->cputune.iothreadpins[k].vcpu == i)
                set = def->cputune.iothreadpins[k].cpuset;
        t.v[t.n++] = (vr_qemu_iothread){i, 0,
                                        set ? vr_strdup(set)
                                        : t.host_cpus > 1 ? vr_asprintf("0-%d", t.host_cpus - 1)
                                                          : vr_strdup("0")};
    }
    answer_iothreads(c, &t);
}

/* Ask QEMU for the iothreads, for the call c (its callback, the id to pin). */
static void query_iothreads(vr_domain *dom, affinity_ctx *c)
{
    c->drv = dom->drv;
    c->name = vr_strdup(dom->def->name);
    vr_qmp_command(dom->qmp, "query-iothreads", NULL, on_iothreads, c);
}

void vr_qemu_iothread_info(vr_domain *dom, unsigned flags, vr_qemu_iothreads_fn cb, void *opaque)
{
    flags = vr_qemu_affect(dom, flags);
    affinity_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (affinity_ctx){.iothreads_cb = cb, .opaque = opaque};
    if ((flags & VR_AFFECT_CONFIG) || dom->state == VR_DOM_SHUTOFF || !dom->qmp || dom->pid <= 0)
        config_iothreads(flags & VR_AFFECT_CONFIG ? vr_hp_config_def(dom) : dom->def, c);
    else
        query_iothreads(dom, c);
}

/* The live half of iothreadpin: the running thread of iothread `id`. */
static void iothread_pin_live(vr_domain *dom, unsigned id, const char *cpulist, vr_qemu_reply_fn cb, void *opaque)
{
    char *err = NULL;
    affinity_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (affinity_ctx){.id = id, .cb = cb, .opaque = opaque};
    if (vr_qemu_cpuset(cpulist, "<iothreadpin cpuset", &c->set, &err) < 0)
        answer(c, VR_ERR_INVALID, NULL, err);
    else
        query_iothreads(dom, c);
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
