/* setvcpus: <vcpu current='N'>M</vcpu>. QEMU starts with N CPUs online
 * and room for M (-smp N,maxcpus=M); a running guest gets more through
 * device_add of the CPU type and slot that query-hotpluggable-cpus
 * offers, and loses the ones added so through device_del (those it
 * started with are part of the machine and stay). Nothing but QEMU's
 * own answer says which slots are taken, so a restarted daemon knows as
 * much as the one that added them. */
#include "drivers/qemu/qemu_hotplug.h"
#include "conf/domain_priv.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define PERIPHERAL "/machine/peripheral/"

/* The device id of slot k (in QEMU's list order reversed: ascending). */
static char *cpu_id(size_t k)
{
    return vr_asprintf("vcpu%zu", k);
}

/* From query-hotpluggable-cpus: the steps from the live count to
 * h->number. QEMU lists the slots highest first. */
static char *plan(vr_hp *h, json_object *ret)
{
    size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    unsigned now = h->dom->def->vcpus_current, want = (unsigned)h->number;
    size_t removable = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ret, i), *p = NULL;
        if (json_object_object_get_ex(e, "qom-path", &p) && vr_str_starts(json_object_get_string(p), PERIPHERAL))
            removable++;
    }
    if (want < now && now - want > removable)
        return vr_asprintf("domain '%s' started with %u vCPUs, which stay while it runs; only the %zu added "
                           "since can go (use --config for the next start)",
                           h->dom->def->name, now - (unsigned)removable, removable);
    unsigned todo = want > now ? want - now : now - want;
    for (size_t i = 0; todo && i < n; i++) {
        /* Adding: the lowest free slots; removing: the highest added ones. */
        size_t idx = want > now ? n - 1 - i : i;
        json_object *e = json_object_array_get_idx(ret, idx), *p = NULL, *type = NULL, *props = NULL;
        bool plugged = json_object_object_get_ex(e, "qom-path", &p);
        char *id = cpu_id(n - 1 - idx);
        if (want > now && !plugged && json_object_object_get_ex(e, "type", &type) &&
            json_object_object_get_ex(e, "props", &props)) {
            json_object *a = NULL;
            json_object_deep_copy(props, &a, NULL);
            json_object_object_add(a, "driver", json_object_get(type));
            json_object_object_add(a, "id", json_object_new_string(id));
            json_object *del = json_object_new_object();
            json_object_object_add(del, "id", json_object_new_string(id));
            vr_hp_step(h, "device_add", a, "device_del", del);
            todo--;
        } else if (want < now && plugged && vr_str_starts(json_object_get_string(p), PERIPHERAL)) {
            vr_hp_step_unplug(h, strrchr(json_object_get_string(p), '/') + 1);
            todo--;
        }
        free(id);
    }
    if (todo)
        return vr_asprintf("QEMU has no free CPU slot for domain '%s'", h->dom->def->name);
    return NULL;
}

static void vcpus_end(vr_hp *h)
{
    vr_domain *dom = h->dom;
    char *err = NULL;
    vr_err code = VR_OK;
    if (h->flags & VR_AFFECT_LIVE) {
        vr_domain_def *live = vr_domain_def_copy(dom->def);
        if (live) {
            live->vcpus_current = (unsigned)h->number;
            vr_hp_live_replace(dom, live);
        }
    }
    if (h->cb && (h->flags & VR_AFFECT_CONFIG)) {
        code = vr_hp_config_replace(dom, h->config, &err);
        h->config = NULL;
    }
    vr_hp_finish(h, code, err);
    free(err);
}

/* The persistent definition with the new count, through the parser. */
static vr_domain_def *config_with(const vr_domain *dom, unsigned n, bool maximum, char **err)
{
    vr_domain_def *copy = vr_domain_def_copy(vr_hp_config_def(dom));
    if (!copy) {
        vr_set_error(err, "cannot copy the definition of domain '%s'", dom->def->name);
        return NULL;
    }
    const vr_cpu_def *cpu = &copy->cpu;
    if (maximum) {
        if (cpu->sockets && cpu->sockets * cpu->dies * cpu->cores * cpu->threads != n) {
            vr_set_error(err, "the <topology> of domain '%s' gives %u vCPUs; change it with 'vireo edit' "
                              "to change the maximum", dom->def->name,
                         cpu->sockets * cpu->dies * cpu->cores * cpu->threads);
            vr_domain_def_free(copy);
            return NULL;
        }
        copy->vcpus = n;
        if (copy->vcpus_current > n)
            copy->vcpus_current = n;
    } else if (n > copy->vcpus) {
        vr_set_error(err, "%u is more than the maximum of %u vCPUs of domain '%s'; raise it first with "
                          "'vireo setvcpus %s %u --config --maximum'",
                     n, copy->vcpus, dom->def->name, dom->def->name, n);
        vr_domain_def_free(copy);
        return NULL;
    } else {
        copy->vcpus_current = n;
    }
    vr_domain_def *out = vr_domain_def_copy(copy);
    vr_domain_def_free(copy);
    if (!out)
        vr_set_error(err, "domain '%s' cannot have %u vCPUs", dom->def->name, n);
    return out;
}

void vr_qemu_set_vcpus(vr_domain *dom, unsigned n, unsigned flags, vr_done_fn cb, void *opaque)
{
    bool maximum = flags & VR_VCPU_MAXIMUM;
    flags = vr_qemu_affect(dom, flags & (VR_AFFECT_LIVE | VR_AFFECT_CONFIG));
    vr_hp *h = vr_hp_new(dom, flags, cb, opaque);
    h->number = n;
    char *err = NULL;
    vr_err code = vr_hp_check(dom, flags, "change the vCPUs in", &err);
    if (code == VR_OK && (n < 1 || n > VR_MAX_VCPUS)) {
        vr_set_error(&err, "%u vCPUs: a domain has from 1 to %d", n, VR_MAX_VCPUS);
        code = VR_ERR_INVALID;
    }
    if (code == VR_OK && maximum && (flags & VR_AFFECT_LIVE)) {
        vr_set_error(&err, "the maximum vCPUs of a running domain cannot change; use --maximum with --config "
                           "(it applies at the next start)");
        code = VR_ERR_CONFLICT;
    }
    if (code == VR_OK && (flags & VR_AFFECT_CONFIG) && !(h->config = config_with(dom, n, maximum, &err)))
        code = VR_ERR_INVALID;
    if (code == VR_OK && (flags & VR_AFFECT_LIVE) && n > dom->def->vcpus) {
        vr_set_error(&err, "%u is more than the maximum of %u vCPUs of running domain '%s'; raise it with "
                           "'vireo setvcpus %s %u --config --maximum' and restart the domain",
                     n, dom->def->vcpus, dom->def->name, dom->def->name, n);
        code = VR_ERR_INVALID;
    }
    bool live = code == VR_OK && (flags & VR_AFFECT_LIVE) && n != dom->def->vcpus_current;
    if (live) {
        vr_hp_step(h, "query-hotpluggable-cpus", NULL, NULL, NULL);
        h->steps[0].on_reply = plan;
    }
    vr_hp_go(h, code, err, live, vcpus_end);
}
