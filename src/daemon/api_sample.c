/* The events feed's periodic sample (GET /v1/events?stats=1): for every
 * running domain its CPU time and the addresses its interfaces hold. A
 * page listing VMs draws each CPU graph from the difference of two
 * samples, so one line every period serves every VM: no request per VM,
 * and nothing at all runs while nobody asks. Reading /proc and the lease
 * files keeps it off QMP, so a busy QEMU never delays the line. */
#include "daemon/api.h"
#include "core/domain_ops.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <time.h>

/* The addresses its interfaces hold (strings the caller frees). */
static char **addresses(vr_api *api, const vr_domain *dom, size_t *n)
{
    char **out = NULL;
    *n = 0;
    for (size_t i = 0; i < dom->def->n_interfaces; i++) {
        json_object *leases = vr_api_iface_leases(api, dom, i);
        for (size_t k = 0; k < json_object_array_length(leases); k++) {
            json_object *ip;
            if (json_object_object_get_ex(json_object_array_get_idx(leases, k), "ip", &ip)) {
                out = vr_realloc(out, (*n + 1) * sizeof(*out));
                out[(*n)++] = vr_strdup(json_object_get_string(ip));
            }
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
        vireo_sample_domain d = {.cpu_time_ns = vr_qemu_cpu_time_ns(dom), .vcpus = (int)dom->def->vcpus_current};
        d.addresses = addresses(api, dom, &d.n_addresses);
        json_object_object_add(doms, dom->def->name, vr_wire_to_json(&vr_wire_sample_domain, &d));
        vr_wire_clear(&vr_wire_sample_domain, &d);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "kind", json_object_new_string("stats"));
    /* Monotonic seconds: only differences between samples mean anything. */
    json_object_object_add(o, "mono", json_object_new_double((double)ts.tv_sec + (double)ts.tv_nsec / 1e9));
    json_object_object_add(o, "domains", doms);
    return o;
}
