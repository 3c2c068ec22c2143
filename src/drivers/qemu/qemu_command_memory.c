/* Guest RAM on the command line, as libvirt lays it out for QEMU 7.2:
 * -m (the start memory: <memory> less the DIMMs), a memory backend per
 * NUMA cell (-numa node,memdev=ram-nodeN) or, without cells but with a
 * <memoryBacking> that asks for one, the machine's own backend (pc.ram);
 * a backend and a pc-dimm per <memory model='dimm'>; the iothreads.
 * Shared memory is a memfd with share=on (what virtiofsd maps). */
#include "drivers/qemu/qemu_command_priv.h"
#include "conf/cpulist.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>

/* <numatune><memory> with a policy QEMU applies (restrictive is
 * cgroups' cpuset.mems, refused before the start) needs a backend. */
static bool numatune_asked(const vr_domain_def *def)
{
    return def->numatune.memory && def->numatune.mode != VR_NUMATUNE_RESTRICTIVE;
}

static bool backing_asked(const vr_domain_def *def)
{
    const vr_memory_backing *mb = &def->mem_backing;
    return mb->source == VR_MEM_SOURCE_MEMFD || mb->access == VR_MEM_ACCESS_SHARED ||
           mb->hugepages || numatune_asked(def);
}

bool vr_qc_machine_ram_backend(const vr_domain_def *def)
{
    return !def->n_numa_cells && backing_asked(def);
}

unsigned long long vr_qc_start_memory_mib(const vr_domain_def *def)
{
    return (def->memory_kib - vr_domain_dimm_kib(def) + 1023) / 1024;
}

/* "KEY=0-1,KEY=4" of a libvirt list ("0-1,4", "0-4,^2"): QEMU takes a
 * list as repeated keys (cpus of -numa, host-nodes of a backend). */
static void list_keys(vr_qprops *p, const char *key, const char *list)
{
    unsigned char on[256];
    vr_cpulist_bits(list, on, sizeof(on));
    for (unsigned v = 0; v < 256; v++) {
        if (!on[v])
            continue;
        unsigned end = v;
        while (end + 1 < 256 && on[end + 1])
            end++;
        if (end > v)
            vr_qp_strf(p, key, "%u-%u", v, end);
        else
            vr_qp_strf(p, key, "%u", v);
        v = end;
    }
}

bool vr_qemu_numa_policy(const vr_domain_def *def, int cellid, const char **nodes, const char **policy)
{
    static const char *const policies[] = {"bind", "preferred", "interleave", NULL};
    const vr_memnode *m = cellid >= 0 ? vr_numatune_cell(def, (unsigned)cellid) : NULL;
    vr_numatune_mode mode = m ? m->mode : def->numatune.mode;
    *nodes = m ? m->nodeset : def->numatune.memory ? def->numatune.nodeset : NULL;
    *policy = policies[mode];
    return *nodes && *policy;
}

/* "host-nodes=0-1,policy=bind" of a backend on the command line. */
static void numa_policy(const vr_domain_def *def, int cellid, vr_qprops *p)
{
    const char *nodes, *policy;
    if (!vr_qemu_numa_policy(def, cellid, &nodes, &policy))
        return;
    list_keys(p, "host-nodes", nodes);
    vr_qp_str(p, "policy", policy);
}

/* -object memory-backend-{ram,memfd},id=ID,size=...; cellid as numa_policy's. */
static void backend(cmd *c, const char *id, unsigned long long kib, vr_mem_access access, int cellid)
{
    const vr_memory_backing *mb = &c->def->mem_backing;
    if (access == VR_MEM_ACCESS_DEFAULT)
        access = mb->access;
    bool shared = access == VR_MEM_ACCESS_SHARED;
    bool huge = vr_domain_cell_hugepages(c->def, cellid);
    bool memfd = shared || huge || mb->source == VR_MEM_SOURCE_MEMFD;
    vr_qprops *p = vr_qp_new("qom-type", memfd ? "memory-backend-memfd" : "memory-backend-ram");
    vr_qp_str(p, "id", id);
    vr_qp_strf(p, "size", "%lluK", kib);
    if (shared || access == VR_MEM_ACCESS_PRIVATE)
        vr_qp_bool(p, "share", shared);
    if (huge)
        vr_qp_bool(p, "hugetlb", true);
    /* <page size>: memfd's hugetlbsize, in bytes. */
    if (huge && mb->hugepage_kib)
        vr_qp_uint(p, "hugetlbsize", mb->hugepage_kib * 1024);
    numa_policy(c->def, cellid, p);
    vr_qc_props(c, "-object", p);
}

void vr_qc_memory(cmd *c)
{
    const vr_domain_def *def = c->def;
    unsigned long long mib = vr_qc_start_memory_mib(def);
    /* <maxMemory> is the room for DIMMs, in slots. */
    vr_qprops *m = vr_qp_new(NULL, NULL);
    vr_qp_strf(m, "size", "%lluM", mib);
    if (def->max_memory_kib) {
        vr_qp_uint(m, "slots", def->max_memory_slots);
        vr_qp_strf(m, "maxmem", "%lluM", (def->max_memory_kib + 1023) / 1024);
    }
    vr_qc_props(c, "-m", m);
    if (def->mem_backing.locked)
        vr_qc_opt(c, "-overcommit", "mem-lock=on");
    if (vr_qc_machine_ram_backend(def))
        backend(c, "pc.ram", mib * 1024, VR_MEM_ACCESS_DEFAULT, -1);
    for (size_t i = 0; i < def->n_numa_cells; i++) {
        const vr_numa_cell *cell = &def->numa_cells[i];
        char id[32];
        snprintf(id, sizeof(id), "ram-node%u", cell->id);
        backend(c, id, cell->memory_kib, cell->access, (int)cell->id);
        vr_qprops *p = vr_qp_new("type", "node");
        vr_qp_uint(p, "nodeid", cell->id);
        if (cell->cpus)
            list_keys(p, "cpus", cell->cpus);
        vr_qp_str(p, "memdev", id);
        vr_qc_props(c, "-numa", p);
    }
    for (size_t i = 0; i < def->n_iothread_ids; i++) { /* <iothreadids>, in their order */
        vr_qprops *p = vr_qp_new("qom-type", "iothread");
        vr_qp_strf(p, "id", "iothread%u", def->iothread_ids[i]);
        vr_qc_props(c, "-object", p);
    }
}

/* After the buses, where libvirt puts them. */
void vr_qc_dimms(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_memdevs; i++) {
        const vr_memdev_def *m = &def->memdevs[i];
        char id[32];
        snprintf(id, sizeof(id), "memdimm%u", m->alias);
        backend(c, id, m->size_kib, VR_MEM_ACCESS_DEFAULT, (int)m->node);
        vr_qprops *p = vr_qp_new("driver", "pc-dimm");
        vr_qp_uint(p, "node", m->node);
        vr_qp_str(p, "memdev", id);
        vr_qp_strf(p, "id", "dimm%u", m->alias);
        vr_qp_uint(p, "slot", m->slot);
        if (m->base)
            vr_qp_uint(p, "addr", m->base);
        vr_qc_props(c, "-device", p);
    }
}
