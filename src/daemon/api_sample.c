/* The events feed's periodic sample (GET /v1/events?stats=1): for every
 * running domain its CPU time and the addresses its interfaces hold. A
 * page listing VMs draws each CPU graph from the difference of two
 * samples, so one line every period serves every VM: no request per VM,
 * and nothing at all runs while nobody asks. Reading /proc and the lease
 * files keeps it off QMP, so a busy QEMU never delays the line. */
#include "daemon/api.h"

#include <json-c/json.h>
#include <time.h>

static json_object *addresses(vr_api *api, const vr_domain *dom)
{
    json_object *out = json_object_new_array();
    for (size_t i = 0; i < dom->def->n_interfaces; i++) {
        json_object *leases = vr_api_iface_leases(api, dom, i);
        for (size_t k = 0; k < json_object_array_length(leases); k++) {
            json_object *ip;
            if (json_object_object_get_ex(json_object_array_get_idx(leases, k), "ip", &ip))
                json_object_array_add(out, json_object_get(ip));
        }
        json_object_put(leases);
    }
    return out;
}

json_object *vr_api_sample(void *opaque)
{
    vr_api *api = opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    json_object *doms = json_object_new_object();
    size_t n;
    vr_domain *const *all = vr_qemu_domains(api->qemu, &n);
    for (size_t i = 0; i < n; i++) {
        const vr_domain *dom = all[i];
        if (dom->state == VR_DOM_SHUTOFF)
            continue;
        json_object *d = json_object_new_object();
        json_object_object_add(d, "cpu_time_ns", json_object_new_int64(vr_qemu_cpu_time_ns(dom)));
        json_object_object_add(d, "vcpus", json_object_new_int((int)dom->def->vcpus_current));
        json_object_object_add(d, "addresses", addresses(api, dom));
        json_object_object_add(doms, dom->def->name, d);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "kind", json_object_new_string("stats"));
    /* Monotonic seconds: only differences between samples mean anything. */
    json_object_object_add(o, "mono", json_object_new_double((double)ts.tv_sec + (double)ts.tv_nsec / 1e9));
    json_object_object_add(o, "domains", doms);
    return o;
}
