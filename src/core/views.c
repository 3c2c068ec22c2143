/* Filling the wire structs from the drivers' objects (views.h). */
#include "core/views.h"

#include <string.h>

void vr_core_domain_view(const vr_domain *dom, vireo_domain *out)
{
    const vr_domain_def *def = dom->def;
    memset(out, 0, sizeof(*out));
    out->name = def->name;
    memcpy(out->uuid, def->uuid, sizeof(out->uuid));
    out->id = dom->id > 0 ? dom->id : -1;
    out->state = (char *)vr_dom_state_name(dom->state);
    out->reason = (char *)dom->reason;
    out->persistent = dom->persistent;
    out->autostart = dom->autostart;
    out->type = def->type == VR_VIRT_KVM ? "kvm" : "qemu";
    out->vcpus = def->vcpus_current;
    out->vcpus_max = def->vcpus;
    out->memory_kib = def->memory_kib;
    out->current_memory_kib = def->current_memory_kib;
    out->title = def->title;
    out->pid = dom->pid > 0 ? dom->pid : 0;
    out->started_at = dom->started_at;
    out->vnc = def->n_graphics > 0;
    /* Running: what the run got; shut off: what a start would get here
     * (NULL when a start would be refused). */
    const char *accel = dom->accel;
    if (!accel && dom->state == VR_DOM_SHUTOFF)
        accel = vr_qemu_plan_accel(dom->drv, def, NULL, NULL, NULL);
    out->accel = (char *)accel;
    out->notices = dom->notices;
    out->n_notices = dom->n_notices;
}

void vr_core_pool_view(vr_pool *p, vireo_pool *out)
{
    vr_pool_stats st;
    size_t nvol = 0;
    vr_storage_pool_stats(p, &st, &nvol);
    memset(out, 0, sizeof(*out));
    out->name = p->def->name;
    memcpy(out->uuid, p->def->uuid, sizeof(out->uuid));
    out->type = (char *)vr_pool_type_name(p->def->type);
    out->state = p->active ? "running" : "inactive";
    out->persistent = true;
    out->autostart = p->autostart;
    out->path = p->def->target_path;
    out->capacity = st.capacity;
    out->allocation = st.allocation;
    out->available = st.available;
    out->volumes = (unsigned)nvol;
}
