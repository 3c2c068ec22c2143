/* <cpu><numa>, <memoryBacking>, <cputune> and <iothreads>: read, checked
 * against the rest of the domain, and written back (domain_tune.h).
 *
 * libvirt's rules, kept here: with NUMA cells the guest's start memory
 * is the sum of the cells (what <memory> says is replaced by it, plus
 * the DIMMs); cells are numbered 0..N-1 in order and share no vCPU;
 * shared memory (virtiofs needs it) is asked by <access mode='shared'>
 * in <memoryBacking> or by memAccess on every cell. */
#include "conf/domain_parse.h"
#include "conf/domain_tune_priv.h"
#include "conf/units.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const access_names[] = {"", "shared", "private", NULL};
static const char *const source_names[] = {"", "anonymous", "memfd", NULL};

/* ---- <cpu><numa> ----------------------------------------------------------- */

static int cell_memory(vr_parse_state *st, const xmlNode *n, unsigned long long *kib)
{
    unsigned long long v, bytes;
    int rc = vr_xml_attr_uint(n, "memory", 1, ~0ULL, &v, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<cell> needs memory");
    char *unit = vr_xml_attr(n, "unit"), *e = NULL;
    rc = vr_units_to_bytes(v, unit, 1024, "<cell memory>", &bytes, &e);
    free(unit);
    if (rc < 0) {
        vr_xml_error(n, st->err, "%s", e);
        free(e);
        return -1;
    }
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    if (*kib < VR_MIN_MEMORY_KIB || *kib > VR_MAX_MEMORY_KIB)
        return vr_xml_error(n, st->err, "<cell memory='%llu'> must be from 1 MiB to 16 TiB", v);
    return 0;
}

static int parse_cell(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (vr_xml_check_attrs(n, ATTRS("id", "cpus", "memory", "unit", "memAccess"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    vr_numa_cell *c = VR_PUSH(def->numa_cells, def->n_numa_cells);
    c->line = vr_xml_line(n);
    unsigned long long v;
    int rc = vr_xml_attr_uint(n, "id", 0, 255, &v, st->err);
    if (rc < 0)
        return -1;
    /* libvirt numbers cells in order when ids are left out. */
    c->id = rc ? (unsigned)v : (unsigned)(def->n_numa_cells - 1);
    if (c->id != def->n_numa_cells - 1)
        return vr_xml_error(n, st->err, "<cell id='%u'>: cells are numbered 0, 1, ... in order "
                            "(this one is cell %zu)", c->id, def->n_numa_cells - 1);
    c->cpus = vr_xml_attr(n, "cpus");
    if (c->cpus && !vr_cpulist_valid(c->cpus))
        return vr_xml_error(n, st->err, "<cell cpus='%s'> is not a CPU list (like 0-3,6)",
                            c->cpus);
    int i;
    if ((rc = vr_xml_attr_enum(n, "memAccess", access_names + 1, &i, st->err)) < 0)
        return -1;
    c->access = rc ? (vr_mem_access)(i + 1) : VR_MEM_ACCESS_DEFAULT;
    return cell_memory(st, n, &c->memory_kib);
}

int vr_parse_numa(vr_parse_state *st, const xmlNode *n)
{
    if (st->def->n_numa_cells)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc = vr_xml_is(c, "cell") ? parse_cell(st, c) : vr_xml_unsupported(c, st->err);
        if (rc < 0)
            return -1;
    }
    if (!st->def->n_numa_cells)
        return vr_xml_error(n, st->err, "<numa> needs at least one <cell>");
    return 0;
}

/* ---- <memoryBacking> --------------------------------------------------------- */

static int backing_child(vr_parse_state *st, const xmlNode *c, vr_memory_backing *mb)
{
    int i, rc;
    if (vr_xml_is(c, "hugepages"))
        return vr_parse_hugepages(st, c, mb);
    if (vr_xml_is(c, "nosharepages"))
        return vr_parse_flag(st, c, &mb->nosharepages);
    if (vr_xml_is(c, "locked"))
        return vr_parse_flag(st, c, &mb->locked);
    /* type='file' puts RAM in files under a directory libvirt
     * configures; memfd gives the same sharing without one. */
    if (vr_xml_is(c, "source") || vr_xml_is(c, "access")) {
        bool source = vr_xml_is(c, "source");
        const char *attr = source ? "type" : "mode";
        const char *const *names = (source ? source_names : access_names) + 1;
        int *field = source ? (int *)&mb->source : (int *)&mb->access;
        if (vr_xml_check_attrs(c, ((const char *const[]){attr, NULL}), st->err) < 0 ||
            vr_xml_check_empty(c, st->err) < 0)
            return -1;
        if (*field)
            return vr_parse_duplicate(c, st->err);
        if ((rc = vr_xml_attr_enum(c, attr, names, &i, st->err)) <= 0)
            return rc < 0 ? -1 : vr_xml_error(c, st->err, "<%s> needs %s='%s' or '%s'",
                                              (const char *)c->name, attr, names[0], names[1]);
        *field = i + 1;
        return 0;
    }
    return vr_xml_unsupported(c, st->err);
}

int vr_parse_memory_backing(vr_parse_state *st, const xmlNode *n)
{
    vr_memory_backing *mb = &st->def->mem_backing;
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    mb->present = true;
    mb->line = vr_xml_line(n);
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c))
        if (backing_child(st, c, mb) < 0)
            return -1;
    if (mb->hugepages && mb->source == VR_MEM_SOURCE_ANONYMOUS)
        return vr_xml_error(n, st->err, "<hugepages/> cannot go with <source type='anonymous'/> "
                            "(huge pages are a memfd or file)");
    return 0;
}

/* ---- <cputune>, <iothreads> ------------------------------------------------------- */

static int pin_cpuset(vr_parse_state *st, const xmlNode *c, char **out)
{
    char *cpuset = vr_xml_attr(c, "cpuset");
    if (!cpuset)
        return vr_xml_error(c, st->err, "<%s> needs a cpuset", (const char *)c->name);
    *out = cpuset;
    if (!vr_cpulist_valid(cpuset))
        return vr_xml_error(c, st->err, "<%s cpuset='%s'> is not a CPU list (like 0-3,6,^2)",
                            (const char *)c->name, cpuset);
    return 0;
}

/* <vcpupin vcpu cpuset/> (key "vcpu") or <iothreadpin iothread cpuset/>. */
static int parse_pin(vr_parse_state *st, const xmlNode *c, const char *key, unsigned long long min,
                     unsigned long long max, vr_vcpupin **pins, size_t *n)
{
    if (vr_xml_check_attrs(c, ATTRS(key, "cpuset"), st->err) < 0 ||
        vr_xml_check_empty(c, st->err) < 0)
        return -1;
    unsigned long long v;
    int rc = vr_xml_attr_uint(c, key, min, max, &v, st->err);
    if (rc <= 0)
        return rc < 0 ? -1 : vr_xml_error(c, st->err, "<%s> needs a %s", (const char *)c->name, key);
    for (size_t i = 0; i < *n; i++)
        if ((*pins)[i].vcpu == v)
            return vr_xml_error(c, st->err, "<%s %s='%llu'> is given twice", (const char *)c->name, key, v);
    vr_vcpupin *p = VR_PUSH(*pins, *n);
    p->vcpu = (unsigned)v;
    return pin_cpuset(st, c, &p->cpuset);
}

static int tune_number(vr_parse_state *st, const xmlNode *c, unsigned long long min,
                       unsigned long long max, unsigned long long *out)
{
    char *text;
    if (*out)
        return vr_parse_duplicate(c, st->err);
    if (vr_parse_leaf_text(st, c, true, &text) < 0)
        return -1;
    int rc = 0;
    if (!vr_xml_parse_ull(text, min, max, 10, out))
        rc = vr_xml_error(c, st->err, "<%s>%s</%s>: expected a number from %llu to %llu",
                          (const char *)c->name, text, (const char *)c->name, min, max);
    free(text);
    return rc;
}

int vr_parse_cputune(vr_parse_state *st, const xmlNode *n)
{
    vr_cputune *t = &st->def->cputune;
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    t->present = true;
    t->line = vr_xml_line(n);
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "vcpupin")) {
            rc = parse_pin(st, c, "vcpu", 0, VR_MAX_VCPUS - 1, &t->vcpupins, &t->n_vcpupins);
        } else if (vr_xml_is(c, "iothreadpin")) {
            rc = parse_pin(st, c, "iothread", 1, VR_IOTHREAD_ID_MAX, &t->iothreadpins, &t->n_iothreadpins);
        } else if (vr_xml_is(c, "emulatorpin")) {
            rc = t->emulatorpin ? vr_parse_duplicate(c, st->err)
                 : vr_xml_check_attrs(c, ATTRS("cpuset"), st->err) < 0 ||
                         vr_xml_check_empty(c, st->err) < 0
                     ? -1
                     : pin_cpuset(st, c, &t->emulatorpin);
        } else if (vr_xml_is(c, "shares")) {
            /* cgroup v1's cpu.shares range, as libvirt takes it. */
            rc = tune_number(st, c, 2, 262144, &t->shares);
        } else if (vr_xml_is(c, "period")) {
            rc = tune_number(st, c, 1000, 1000000, &t->period);
        } else if (vr_xml_is(c, "quota")) {
            char *text;
            long long q = 0;
            rc = t->quota ? vr_parse_duplicate(c, st->err) : vr_parse_leaf_text(st, c, true, &text);
            if (rc == 0) {
                char *end;
                q = strtoll(text, &end, 10);
                if (*end || !*text || (q != -1 && (q < 1000 || q > 17592186044415LL)))
                    rc = vr_xml_error(c, st->err, "<quota>%s</quota>: expected -1 (no limit) or "
                                      "microseconds from 1000", text);
                free(text);
            }
            t->quota = q;
        } else {
            rc = vr_xml_unsupported(c, st->err);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

int vr_parse_iothreads(vr_parse_state *st, const xmlNode *n)
{
    unsigned long long v = 0;
    if (tune_number(st, n, 1, 64, &v) < 0)
        return -1;
    st->def->iothreads = (unsigned)v;
    return 0;
}

/* <iothreadids><iothread id='N'/>...</iothreadids>: libvirt's "IOThreads
 * Allocation". The ids need not be 1..N; <iothreads> is raised to their
 * number, and missing ones are filled in at completion. */
int vr_parse_iothreadids(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    size_t count = 0;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "iothread"))
            return vr_xml_unsupported(c, st->err);
        if (vr_xml_check_attrs(c, ATTRS("id"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
            return -1;
        unsigned long long id;
        int rc = vr_xml_attr_uint(c, "id", 1, VR_IOTHREAD_ID_MAX, &id, st->err);
        if (rc <= 0)
            return rc < 0 ? -1 : vr_xml_error(c, st->err, "<iothread> of <iothreadids> needs an id (1 to %u)",
                                               VR_IOTHREAD_ID_MAX);
        for (size_t i = 0; i < count; i++)
            if (def->iothread_ids[i] == id)
                return vr_xml_error(c, st->err, "<iothread id='%llu'> is given twice in <iothreadids>", id);
        if (count == VR_IOTHREADS_MAX)
            return vr_xml_error(c, st->err, "<iothreadids>: a domain has at most %u iothreads", VR_IOTHREADS_MAX);
        def->iothread_ids = vr_realloc(def->iothread_ids, (count + 1) * sizeof(*def->iothread_ids));
        def->iothread_ids[count++] = (unsigned)id;
    }
    def->n_iothread_ids = count;
    def->iothreadids_listed = true;
    return 0;
}

bool vr_domain_has_iothread(const vr_domain_def *def, unsigned id)
{
    for (size_t i = 0; i < def->n_iothread_ids; i++)
        if (def->iothread_ids[i] == id)
            return true;
    return false;
}

/* "1,2,7" (at most 64 ids of 5 digits: fits). */
const char *vr_domain_iothread_list(const vr_domain_def *def, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < def->n_iothread_ids && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%u", i ? "," : "", def->iothread_ids[i]);
    return buf;
}

/* As libvirt: <iothreads> counts at least the listed ids, and the ids
 * not listed are the smallest unused from 1. */
static int complete_iothread_ids(vr_domain_def *def, char **err)
{
    if (def->iothreads < def->n_iothread_ids)
        def->iothreads = (unsigned)def->n_iothread_ids;
    if (def->iothreads > VR_IOTHREADS_MAX)
        return vr_dom_error(0, err, "<iothreads>%u</iothreads>: a domain has at most %u iothreads",
                            def->iothreads, VR_IOTHREADS_MAX);
    def->iothread_ids = vr_realloc(def->iothread_ids, (def->iothreads + 1) * sizeof(*def->iothread_ids));
    for (unsigned next = 1; def->n_iothread_ids < def->iothreads; next++)
        if (!vr_domain_has_iothread(def, next))
            def->iothread_ids[def->n_iothread_ids++] = next;
    return 0;
}

/* ---- checks across the domain ------------------------------------------------------- */

bool vr_domain_shared_memory(const vr_domain_def *def)
{
    if (def->mem_backing.access == VR_MEM_ACCESS_SHARED)
        return true;
    if (!def->n_numa_cells)
        return false;
    for (size_t i = 0; i < def->n_numa_cells; i++)
        if (def->numa_cells[i].access != VR_MEM_ACCESS_SHARED)
            return false;
    return true;
}

/* The vCPUs a list names, into `seen` (one flag per vCPU); -1 with the
 * first one out of range in *bad. */
static int vcpu_list(const char *list, unsigned vcpus, unsigned char *seen, unsigned *bad,
                     bool *overlap)
{
    unsigned char mine[VR_MAX_VCPUS + 1] = {0};
    unsigned long lo, hi;
    bool exclude;
    const char *p = list;
    *overlap = false;
    while (vr_cpulist_next(&p, &lo, &hi, &exclude))
        for (unsigned long v = lo; v <= hi; v++) {
            if (v >= vcpus) {
                *bad = (unsigned)v;
                return -1;
            }
            mine[v] = !exclude;
        }
    for (unsigned v = 0; v < vcpus; v++) {
        *overlap |= mine[v] && seen[v];
        seen[v] |= mine[v];
    }
    return 0;
}

static int check_numa(vr_domain_def *def, char **err)
{
    unsigned char seen[VR_MAX_VCPUS + 1] = {0};
    unsigned long long sum = 0;
    for (size_t i = 0; i < def->n_numa_cells; i++) {
        const vr_numa_cell *c = &def->numa_cells[i];
        unsigned bad;
        bool overlap;
        if (c->cpus && vcpu_list(c->cpus, def->vcpus, seen, &bad, &overlap) < 0)
            return vr_dom_error(c->line, err, "<cell id='%u' cpus='%s'> names vCPU %u, and the "
                                "domain has vCPUs 0 to %u", c->id, c->cpus, bad, def->vcpus - 1);
        if (c->cpus && overlap)
            return vr_dom_error(c->line, err, "<cell id='%u' cpus='%s'>: a vCPU is in two cells",
                                c->id, c->cpus);
        /* QEMU takes whole MiB: each cell is rounded up, as libvirt does. */
        def->numa_cells[i].memory_kib = (c->memory_kib + 1023) / 1024 * 1024;
        sum += c->memory_kib;
    }
    /* libvirt: the start memory is the cells' sum. */
    unsigned long long dimms = vr_domain_dimm_kib(def);
    def->memory_kib = sum + dimms;
    if (def->current_memory_kib > def->memory_kib || def->current_memory_kib == 0)
        def->current_memory_kib = def->memory_kib;
    return 0;
}

static int check_cputune(const vr_domain_def *def, char **err)
{
    const vr_cputune *t = &def->cputune;
    for (size_t i = 0; i < t->n_vcpupins; i++)
        if (t->vcpupins[i].vcpu >= def->vcpus)
            return vr_dom_error(t->line, err, "<vcpupin vcpu='%u'>: the domain has vCPUs 0 to %u",
                                t->vcpupins[i].vcpu, def->vcpus - 1);
    char ids[VR_IOTHREAD_LIST_SIZE];
    for (size_t i = 0; i < t->n_iothreadpins; i++)
        if (!vr_domain_has_iothread(def, t->iothreadpins[i].vcpu))
            return vr_dom_error(t->line, err, "<iothreadpin iothread='%u'>: the domain has %u <iothreads> (ids %s)",
                                t->iothreadpins[i].vcpu, def->iothreads,
                                vr_domain_iothread_list(def, ids, sizeof(ids)));
    return 0;
}

static int check_iothreads(const vr_domain_def *def, char **err)
{
    char ids[VR_IOTHREAD_LIST_SIZE];
    for (size_t i = 0; i < def->n_controllers; i++) {
        const vr_controller_def *c = &def->controllers[i];
        if (c->iothread && !vr_domain_has_iothread(def, c->iothread))
            return vr_dom_error(c->line, err, "<driver iothread='%u'> of <controller type='scsi'>: "
                                "the domain has %u <iothreads> (ids %s)", c->iothread, def->iothreads,
                                vr_domain_iothread_list(def, ids, sizeof(ids)));
    }
    /* As libvirt: a disk's own iothread is virtio-blk's. */
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        if (d->iothread && d->bus != VR_DISK_BUS_VIRTIO)
            return vr_dom_error(d->line, err, "<disk> %s: <driver iothread> is for bus='virtio' disks; a SCSI "
                                "disk takes its controller's <driver iothread>", d->target_dev);
        if (d->iothread && !vr_domain_has_iothread(def, d->iothread))
            return vr_dom_error(d->line, err, "<disk> %s: <driver iothread='%u'>: the domain has %u <iothreads> (ids %s)",
                                d->target_dev, d->iothread, def->iothreads,
                                vr_domain_iothread_list(def, ids, sizeof(ids)));
    }
    return 0;
}

int vr_domain_tune_complete(vr_domain_def *def, char **err)
{
    if (def->n_numa_cells && check_numa(def, err) < 0)
        return -1;
    if (complete_iothread_ids(def, err) < 0 || vr_domain_memdevs_complete(def, err) < 0 || check_cputune(def, err) < 0 ||
        check_iothreads(def, err) < 0 || vr_domain_fs_complete(def, err) < 0 ||
        vr_domain_numatune_complete(def, err) < 0 || vr_domain_hugepages_complete(def, err) < 0 ||
        vr_domain_iommu_complete(def, err) < 0)
        return -1;
    return 0;
}

/* ---- format ------------------------------------------------------------------------- */

void vr_format_numa(xmlNode *cpu, const vr_domain_def *def)
{
    if (!def->n_numa_cells)
        return;
    xmlNode *numa = vr_xml_new_child(cpu, "numa");
    for (size_t i = 0; i < def->n_numa_cells; i++) {
        const vr_numa_cell *c = &def->numa_cells[i];
        xmlNode *n = vr_xml_new_child(numa, "cell");
        vr_xml_new_propf(n, "id", "%u", c->id);
        if (c->cpus)
            vr_xml_new_prop(n, "cpus", c->cpus);
        vr_xml_new_propf(n, "memory", "%llu", c->memory_kib);
        vr_xml_new_prop(n, "unit", "KiB");
        if (c->access)
            vr_xml_new_prop(n, "memAccess", access_names[c->access]);
    }
}

void vr_format_memory_backing(xmlNode *root, const vr_domain_def *def)
{
    const vr_memory_backing *mb = &def->mem_backing;
    if (!mb->present)
        return;
    xmlNode *n = vr_xml_new_child(root, "memoryBacking");
    if (mb->hugepages)
        vr_format_hugepages(n, mb);
    if (mb->nosharepages)
        vr_xml_new_child(n, "nosharepages");
    if (mb->locked)
        vr_xml_new_child(n, "locked");
    if (mb->source)
        vr_xml_new_prop(vr_xml_new_child(n, "source"), "type", source_names[mb->source]);
    if (mb->access)
        vr_xml_new_prop(vr_xml_new_child(n, "access"), "mode", access_names[mb->access]);
}

void vr_format_cputune(xmlNode *root, const vr_domain_def *def)
{
    char num[32];
    if (def->iothreads) {
        snprintf(num, sizeof(num), "%u", def->iothreads);
        vr_xml_new_text_child(root, "iothreads", num);
    }
    /* Written when listed, or when the ids are not 1..N (after iothreaddel). */
    bool listed = def->iothreadids_listed;
    for (size_t i = 0; i < def->n_iothread_ids; i++)
        listed |= def->iothread_ids[i] != i + 1;
    if (listed && def->n_iothread_ids) {
        xmlNode *ids = vr_xml_new_child(root, "iothreadids");
        for (size_t i = 0; i < def->n_iothread_ids; i++)
            vr_xml_new_propf(vr_xml_new_child(ids, "iothread"), "id", "%u", def->iothread_ids[i]);
    }
    const vr_cputune *t = &def->cputune;
    if (!t->present)
        return;
    xmlNode *n = vr_xml_new_child(root, "cputune");
    if (t->shares) {
        snprintf(num, sizeof(num), "%llu", t->shares);
        vr_xml_new_text_child(n, "shares", num);
    }
    if (t->period) {
        snprintf(num, sizeof(num), "%llu", t->period);
        vr_xml_new_text_child(n, "period", num);
    }
    if (t->quota) {
        snprintf(num, sizeof(num), "%lld", t->quota);
        vr_xml_new_text_child(n, "quota", num);
    }
    for (size_t i = 0; i < t->n_vcpupins; i++) {
        xmlNode *p = vr_xml_new_child(n, "vcpupin");
        vr_xml_new_propf(p, "vcpu", "%u", t->vcpupins[i].vcpu);
        vr_xml_new_prop(p, "cpuset", t->vcpupins[i].cpuset);
    }
    if (t->emulatorpin)
        vr_xml_new_prop(vr_xml_new_child(n, "emulatorpin"), "cpuset", t->emulatorpin);
    for (size_t i = 0; i < t->n_iothreadpins; i++) {
        xmlNode *p = vr_xml_new_child(n, "iothreadpin");
        vr_xml_new_propf(p, "iothread", "%u", t->iothreadpins[i].vcpu);
        vr_xml_new_prop(p, "cpuset", t->iothreadpins[i].cpuset);
    }
}

vr_domain_def *vr_domain_def_with_pin(const vr_domain_def *def, int vcpu, const char *cpuset, char **err)
{
    vr_domain_def *copy = vr_domain_def_copy(def);
    if (!copy) {
        vr_set_error(err, "the definition of domain '%s' cannot be copied", def->name);
        return NULL;
    }
    vr_cputune *t = &copy->cputune;
    char **slot = &t->emulatorpin;
    bool io = vcpu <= VR_PIN_IOTHREAD(1);
    vr_vcpupin **pins = io ? &t->iothreadpins : &t->vcpupins;
    size_t *n = io ? &t->n_iothreadpins : &t->n_vcpupins;
    unsigned id = io ? (unsigned)(-1 - vcpu) : (unsigned)vcpu;
    for (size_t i = 0; vcpu != -1 && i < *n; i++)
        if ((*pins)[i].vcpu == id)
            slot = &(*pins)[i].cpuset;
    if (vcpu != -1 && slot == &t->emulatorpin) {
        vr_vcpupin *p = VR_PUSH(*pins, *n);
        p->vcpu = id;
        slot = &p->cpuset;
    }
    free(*slot);
    *slot = vr_strdup(cpuset);
    t->present = true;
    /* through the parser: a CPU list or a vCPU the domain lacks is refused as at define */
    char *xml = vr_domain_def_format(copy);
    vr_domain_def *out = vr_domain_def_parse(xml, strlen(xml), err);
    free(xml);
    for (size_t i = 0; out && i < def->n_disks && i < out->n_disks; i++)
        if (def->disks[i].resolved_path)
            out->disks[i].resolved_path = vr_strdup(def->disks[i].resolved_path);
    vr_domain_def_free(copy);
    return out;
}

void vr_domain_tune_free(vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_numa_cells; i++)
        free(def->numa_cells[i].cpus);
    free(def->numa_cells);
    for (size_t i = 0; i < def->cputune.n_vcpupins; i++)
        free(def->cputune.vcpupins[i].cpuset);
    free(def->cputune.vcpupins);
    free(def->cputune.emulatorpin);
    for (size_t i = 0; i < def->cputune.n_iothreadpins; i++)
        free(def->cputune.iothreadpins[i].cpuset);
    free(def->cputune.iothreadpins);
    free(def->iothread_ids);
    vr_domain_numatune_free(def);
    free(def->mem_backing.hugepage_nodeset);
    free(def->memdevs);
    for (size_t i = 0; i < def->n_filesystems; i++) {
        free(def->filesystems[i].source_dir);
        free(def->filesystems[i].tag);
    }
    free(def->filesystems);
    for (size_t i = 0; i < def->n_shmems; i++)
        free(def->shmems[i].name);
    free(def->shmems);
}

/* ---- a virtio-scsi controller's <driver queues iothread> ------------------------------ */

int vr_parse_controller_driver(vr_parse_state *st, const xmlNode *n, vr_controller_def *c)
{
    if (c->queues || c->iothread)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("queues", "iothread"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    unsigned long long v;
    int rc = vr_xml_attr_uint(n, "queues", 1, 1024, &v, st->err);
    if (rc < 0)
        return -1;
    c->queues = rc ? (unsigned)v : 0;
    if ((rc = vr_xml_attr_uint(n, "iothread", 1, 64, &v, st->err)) < 0)
        return -1;
    c->iothread = rc ? (unsigned)v : 0;
    if (!c->queues && !c->iothread)
        return vr_xml_error(n, st->err, "<driver> of a controller needs queues or iothread");
    return 0;
}

void vr_format_controller_driver(xmlNode *ctrl, const vr_controller_def *c)
{
    if (!c->queues && !c->iothread)
        return;
    xmlNode *d = vr_xml_new_child(ctrl, "driver");
    if (c->queues)
        vr_xml_new_propf(d, "queues", "%u", c->queues);
    if (c->iothread)
        vr_xml_new_propf(d, "iothread", "%u", c->iothread);
}
