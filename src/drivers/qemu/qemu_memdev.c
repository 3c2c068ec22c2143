/* A DIMM hot-plugged into a running guest (attach-device of <memory
 * model='dimm'>): its memory backend (object-add, the same kind as at
 * start) and its pc-dimm (device_add), undone in reverse when a step
 * fails. The guest's ACPI memory hot-plug brings the new memory blocks
 * up under /sys/devices/system/memory. QEMU's ids come from the DIMM's
 * alias (dimmN, memdimmN), which stays while the DIMM does, so other
 * DIMMs leaving does not rename it.
 *
 * Unplug (detach-device) is device_del of the pc-dimm: the guest must
 * offline the memory first, which Linux can when the blocks are movable
 * (online_movable); once QEMU says DEVICE_DELETED the backend goes. */
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "conf/cpulist.h"
#include "common/util.h"

#include <stdio.h>

/* <numatune> on the backend, as at start (a DIMM's node is its cell):
 * QMP takes host-nodes as a list of numbers. */
static void add_numa_policy(json_object *obj, const vr_domain_def *def, unsigned node)
{
    const char *nodes, *policy;
    if (!vr_qemu_numa_policy(def, (int)node, &nodes, &policy))
        return;
    json_object *list = json_object_new_array();
    unsigned char on[256];
    vr_cpulist_bits(nodes, on, sizeof(on));
    for (int v = 0; v < 256; v++)
        if (on[v])
            json_object_array_add(list, json_object_new_int(v));
    json_object_object_add(obj, "host-nodes", list);
    json_object_object_add(obj, "policy", json_object_new_string(policy));
}

vr_err vr_qemu_plan_dimm(vr_hp *h, char **err)
{
    const vr_domain_def *def = h->live;
    const vr_memdev_def *m = &def->memdevs[h->index];
    if (!def->max_memory_kib) {
        vr_set_error(err, "domain '%s' started without <maxMemory slots>, so QEMU has no room for "
                          "a DIMM; add <maxMemory> with 'vireo edit' and restart", def->name);
        return VR_ERR_UNSUPPORTED;
    }
    char id[32], dev[32];
    snprintf(id, sizeof(id), "memdimm%u", m->alias);
    snprintf(dev, sizeof(dev), "dimm%u", m->alias);
    const vr_memory_backing *mb = &def->mem_backing;
    bool shared = vr_domain_shared_memory(def);
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "qom-type", json_object_new_string(
        shared || mb->hugepages || mb->source == VR_MEM_SOURCE_MEMFD ? "memory-backend-memfd"
                                                                     : "memory-backend-ram"));
    json_object_object_add(obj, "id", json_object_new_string(id));
    json_object_object_add(obj, "size", json_object_new_int64((int64_t)(m->size_kib * 1024)));
    if (shared)
        json_object_object_add(obj, "share", json_object_new_boolean(true));
    if (mb->hugepages)
        json_object_object_add(obj, "hugetlb", json_object_new_boolean(true));
    if (mb->hugepages && mb->hugepage_kib)
        json_object_object_add(obj, "hugetlbsize", json_object_new_int64((int64_t)(mb->hugepage_kib * 1024)));
    add_numa_policy(obj, def, m->node);
    json_object *del = json_object_new_object();
    json_object_object_add(del, "id", json_object_new_string(id));
    vr_hp_step(h, "object-add", obj, "object-del", del);
    json_object *d = json_object_new_object();
    json_object_object_add(d, "driver", json_object_new_string("pc-dimm"));
    json_object_object_add(d, "id", json_object_new_string(dev));
    json_object_object_add(d, "memdev", json_object_new_string(id));
    json_object_object_add(d, "node", json_object_new_int((int)m->node));
    json_object_object_add(d, "slot", json_object_new_int((int)m->slot));
    vr_hp_step(h, "device_add", d, NULL, NULL);
    h->id = vr_strdup(dev);
    return VR_OK;
}

void vr_qemu_plan_dimm_unplug(vr_hp *h, const vr_memdev_def *m)
{
    h->id = vr_asprintf("dimm%u", m->alias);
    h->key = vr_strdup(h->id);
    char id[32];
    snprintf(id, sizeof(id), "memdimm%u", m->alias);
    vr_hp_step_unplug(h, h->id);
    json_object *del = json_object_new_object();
    json_object_object_add(del, "id", json_object_new_string(id));
    vr_hp_step(h, "object-del", del, NULL, NULL);
}
