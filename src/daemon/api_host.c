/* API: the host, the version, the event feed. */
#include "daemon/api.h"
#include "config.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void get_version(vr_api_call *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_string(VIREO_VERSION));
    json_object_object_add(o, "api", json_object_new_string("v1"));
    json_object_object_add(o, "hypervisor", json_object_new_string("QEMU"));
    vr_req_reply_json(c->req, 200, o);
}

static void get_host(vr_api_call *c)
{
    json_object *o = json_object_new_object();
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    struct utsname u;
    uname(&u);
    json_object_object_add(o, "hostname", json_object_new_string(host));
    json_object_object_add(o, "uri", json_object_new_string(c->api->uri));
    json_object_object_add(o, "arch", json_object_new_string(u.machine));
    json_object_object_add(o, "kernel", json_object_new_string(u.release));
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    json_object_object_add(o, "cpus", json_object_new_int((int)cpus));
    json_object_object_add(o, "memory_kib", json_object_new_int64((int64_t)pages * psize / 1024));
    bool kvm = vr_qemu_kvm_usable(c->api->qemu);
    json_object_object_add(o, "accelerator", json_object_new_string(kvm ? "kvm" : "tcg"));
    json_object *types = json_object_new_array();
    json_object_array_add(types, json_object_new_string("qemu"));
    if (kvm)
        json_object_array_add(types, json_object_new_string("kvm"));
    json_object_object_add(o, "domain_types", types);
    vr_req_reply_json(c->req, 200, o);
}

static void get_events(vr_api_call *c)
{
    vr_events_subscribe(c->api->events, c->req);
}

const vr_api_route vr_api_host_routes[] = {
    {"GET", "version", get_version},
    {"GET", "host", get_host},
    {"GET", "events", get_events},
    {0},
};
