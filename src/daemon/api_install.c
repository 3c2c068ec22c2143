/* API: POST /v1/install -- a new VM in one call: the inputs (the wire
 * schema "install request", virt-install's options) go to the core's
 * one plan (src/core/install_ops.c), which checks them all before
 * anything is made, then makes the volumes, defines and starts the
 * domain, and restarts the installed system when its installer powers
 * off. "dry_run" answers the plan alone. vireo install sends the
 * request as it is; the web wizard sends its own shape (a source, one
 * disk, one NIC), decoded here into the same request.
 * GET /v1/os-variants lists the OS table with its defaults. */
#include "core/install_ops.h"
#include "daemon/api.h"
#include "daemon/jobs.h"
#include "common/log.h"
#include "install/install_plan.h"
#include "wire/schemas.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static void strv_add(char ***v, size_t *n, char *s)
{
    *v = vr_realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = s;
}

/* "64M" and 67108864 as virt-install's GiB. */
static char *gib_text(unsigned long long bytes)
{
    return vr_asprintf("%.12g", (double)bytes / (1024.0 * 1024 * 1024));
}

/* The web wizard's shape: {"source":{"type":"cdrom","path"|"pool"+"volume"} |
 * {"type":"network"|"kernel","kernel","initrd","cmdline"} | {"type":"import"},
 * "disk":{"pool","size","format"}|{"pool","volume"}, "network":{"type","source"},
 * "drivers":{"path"|"pool"+"volume"}, "memory_mib", "vcpus", "graphics", "uefi",
 * "start", "noreboot"}. False after answering. */
static bool read_wizard(vr_api_call *c, json_object *o, json_object *src, vireo_install_request *r)
{
    const char *name = NULL, *os = NULL, *graphics = NULL, *type = NULL, *path = NULL, *pool = NULL,
               *vol = NULL, *kernel = NULL, *initrd = NULL, *cmdline = NULL;
    json_object *disk = NULL, *net = NULL, *drivers = NULL;
    unsigned long long mem = 0, vcpus = 0;
    if (vr_api_str(c, o, "name", &name) < 0 || vr_api_str(c, o, "os_variant", &os) < 0 ||
        vr_api_str(c, o, "graphics", &graphics) < 0 || vr_api_obj(c, o, "disk", &disk) < 0 ||
        vr_api_obj(c, o, "network", &net) < 0 || vr_api_obj(c, o, "drivers", &drivers) < 0 ||
        vr_api_uint(c, o, "memory_mib", VR_INSTALL_MEM_MIN_MIB, VR_INSTALL_MEM_MAX_MIB, &mem) < 0 ||
        vr_api_uint(c, o, "vcpus", 1, VR_INSTALL_VCPUS_MAX, &vcpus) < 0 || vr_api_str(c, src, "type", &type) < 0 ||
        vr_api_str(c, src, "path", &path) < 0 || vr_api_str(c, src, "pool", &pool) < 0 ||
        vr_api_str(c, src, "volume", &vol) < 0 || vr_api_str(c, src, "kernel", &kernel) < 0 ||
        vr_api_str(c, src, "initrd", &initrd) < 0 || vr_api_str(c, src, "cmdline", &cmdline) < 0)
        return false;
    r->name = name ? vr_strdup(name) : NULL;
    r->os_variant = vr_strdup(os ? os : "");
    r->memory = mem ? vr_asprintf("%llu", mem) : NULL;
    r->vcpus = vcpus ? vr_asprintf("%llu", vcpus) : NULL;
    r->graphics = vr_strdup(graphics ? graphics : "none");
    if (vr_api_bool(o, "uefi"))
        strv_add(&r->boots, &r->n_boots, vr_strdup("uefi"));
    if (!type)
        type = "";
    if (strcmp(type, "cdrom") == 0) {
        if (vol)
            r->cdrom_volume = vr_asprintf("%s/%s", pool ? pool : "default", vol);
        else
            r->cdrom = vr_strdup(path ? path : "");
    } else if (strcmp(type, "network") == 0) {
        r->location = true;
        r->install_kernel = vr_strdup(kernel ? kernel : "");
        r->install_initrd = initrd && *initrd ? vr_strdup(initrd) : NULL;
        r->extra_args = cmdline && *cmdline ? vr_strdup(cmdline) : NULL;
    } else if (strcmp(type, "kernel") == 0) {
        strv_add(&r->boots, &r->n_boots,
                 vr_asprintf("kernel=\"%s\"%s%s%s%s%s", kernel ? kernel : "", initrd && *initrd ? ",initrd=\"" : "",
                             initrd && *initrd ? initrd : "", initrd && *initrd ? "\"" : "",
                             cmdline && *cmdline ? ",kernel_args=" : "", ""));
        if (cmdline && *cmdline) {
            char *last = r->boots[r->n_boots - 1];
            r->boots[r->n_boots - 1] = vr_asprintf("%s\"%s\"", last, cmdline);
            free(last);
        }
    } else if (strcmp(type, "import") == 0) {
        r->import = true;
    } else if (*type) { /* none: the plan says an install source is needed */
        vr_req_reply_error(c->req, 400, "invalid", "source.type '%s' is not one of cdrom, network, import, kernel",
                           type);
        return false;
    }
    if (drivers) {
        const char *dpath = NULL, *dpool = NULL, *dvol = NULL;
        if (vr_api_str(c, drivers, "path", &dpath) < 0 || vr_api_str(c, drivers, "pool", &dpool) < 0 ||
            vr_api_str(c, drivers, "volume", &dvol) < 0)
            return false;
        strv_add(&r->disks, &r->n_disks,
                 dvol ? vr_asprintf("vol=%s/%s,device=cdrom", dpool ? dpool : "default", dvol)
                      : vr_asprintf("path=\"%s\",device=cdrom", dpath ? dpath : ""));
        r->drivers = true;
    }
    if (disk) {
        const char *dpool = NULL, *dvol = NULL, *fmt = NULL, *from = NULL;
        unsigned long long size = 0;
        int hs;
        if (vr_api_str(c, disk, "pool", &dpool) < 0 || vr_api_str(c, disk, "volume", &dvol) < 0 ||
            vr_api_str(c, disk, "format", &fmt) < 0 || vr_api_str(c, disk, "copy_from", &from) < 0 ||
            (hs = vr_api_size(c, disk, "size", &size)) < 0)
            return false;
        if ((dvol != NULL) + (hs > 0) + (from != NULL) > 1) {
            vr_req_reply_error(c->req, 400, "invalid",
                               "disk: give a size for a new volume, copy_from for a copy of an image, or a volume "
                               "that exists; one of them");
            return false;
        }
        char *gib = hs ? gib_text(size) : NULL;
        char *spec = dvol ? vr_asprintf("vol=%s/%s", dpool ? dpool : "default", dvol)
                          : vr_asprintf("pool=%s%s%s%s%s%s%s", dpool ? dpool : "default", gib ? ",size=" : "",
                                        gib ? gib : "", fmt ? ",format=" : "", fmt ? fmt : "",
                                        from ? ",copy_from=" : "", from ? from : "");
        free(gib);
        /* The drivers CD-ROM goes after the disk, which is what boots later. */
        strv_add(&r->disks, &r->n_disks, spec);
        if (r->n_disks == 2) {
            char *t = r->disks[0];
            r->disks[0] = r->disks[1], r->disks[1] = t;
        }
    } else if (r->n_disks == 0 && strcmp(type, "kernel") == 0) {
        strv_add(&r->disks, &r->n_disks, vr_strdup("none"));
    }
    const char *ntype = NULL, *nsrc = NULL;
    if (net && (vr_api_str(c, net, "type", &ntype) < 0 || vr_api_str(c, net, "source", &nsrc) < 0))
        return false;
    if (ntype && strcmp(ntype, "network") == 0)
        strv_add(&r->networks, &r->n_networks, vr_asprintf("network=%s", nsrc ? nsrc : "default"));
    else if (ntype && strcmp(ntype, "bridge") == 0)
        strv_add(&r->networks, &r->n_networks, vr_asprintf("bridge=%s", nsrc ? nsrc : ""));
    else if (ntype && (strcmp(ntype, "user") == 0 || strcmp(ntype, "none") == 0))
        strv_add(&r->networks, &r->n_networks, vr_strdup(ntype));
    else if (ntype) {
        vr_req_reply_error(c->req, 400, "invalid", "network.type '%s' is not one of network, bridge, user, none",
                           ntype);
        return false;
    }
    /* An install always starts; an import or kernel boot when asked. */
    r->no_start = !vr_api_bool(o, "start");
    r->noreboot = vr_api_bool(o, "noreboot");
    r->dry_run = vr_api_bool(o, "dry_run");
    r->job = vr_api_bool(o, "job");
    return true;
}

/* The body into a request: the wire schema, or the wizard's shape.
 * False after answering. */
static bool read_request(vr_api_call *c, json_object *o, vireo_install_request *r)
{
    json_object *src = NULL;
    if (vr_api_obj(c, o, "source", &src) < 0)
        return false;
    if (src)
        return read_wizard(c, o, src, r);
    vr_wire_from_json(&vr_wire_install_request, o, r);
    return true;
}

static vr_install_env install_env(vr_api *api)
{
    return (vr_install_env){.qemu = api->qemu, .net = api->net, .storage = api->storage, .session = api->session};
}

/* The plan, or NULL after answering. */
static vr_core_install *plan(vr_api_call *c, json_object *o, vireo_install_request *r)
{
    if (!read_request(c, o, r))
        return NULL;
    vr_install_env env = install_env(c->api);
    vr_err code;
    char *err = NULL;
    vr_core_install *x = vr_core_install_plan(&env, r, &code, &err);
    if (!x) {
        vr_api_reply_err(c->req, code, err);
        free(err);
    }
    return x;
}

bool vr_api_install_check(vr_api_call *c, json_object *o)
{
    vireo_install_request r = {0};
    vr_core_install *x = plan(c, o, &r);
    vr_wire_clear(&vr_wire_install_request, &r);
    vr_core_install_free(x);
    return x != NULL;
}

static json_object *plan_json(const vr_core_install *x)
{
    vireo_install_plan view;
    vr_core_install_view(x, &view);
    json_object *o = vr_wire_to_json(&vr_wire_install_plan, &view);
    vr_wire_clear(&vr_wire_install_plan, &view);
    return o;
}

/* One install under way: its job, and the request that waits for its
 * end (NULL when the answer was the job itself). */
typedef struct {
    vr_job *job;
    vr_req *req;
    vr_core_install *x;
} install_run;

static void on_progress(double percent, const char *step, void *opaque)
{
    vr_job_progress(((install_run *)opaque)->job, percent, step);
}

static void on_cancel(void *opaque)
{
    install_run *r = opaque;
    if (!vr_core_install_cancel(r->x))
        vr_log_info("install %s: asked to stop once its domain was being defined; it goes on", vr_job_target(r->job));
}

static void on_done(vr_core_install *x, vr_domain *dom, vr_err code, const char *err, void *opaque)
{
    install_run *r = opaque;
    json_object *result = NULL;
    if (code == VR_OK) {
        /* The job's result: the domain and what the install made of it. */
        result = json_object_new_object();
        json_object_object_add(result, "domain", json_object_new_string(dom->def->name));
        json_object_object_add(result, "uuid", json_object_new_string(dom->def->uuid));
        json_object_object_add(result, "install", plan_json(x));
    }
    vr_job_finish(r->job, code, err, result);
    if (r->req && code != VR_OK) {
        vr_api_reply_err(r->req, code, err);
    } else if (r->req) {
        json_object *o = vr_api_domain_json(dom);
        json_object_object_add(o, "install", plan_json(x));
        vr_req_reply_json(r->req, 201, o);
    }
    vr_core_install_free(x);
    free(r);
}

static void post_install(vr_api_call *c)
{
    json_object *o = vr_api_body_json(c);
    if (!o)
        return;
    vireo_install_request req = {0};
    vr_core_install *x = plan(c, o, &req);
    json_object_put(o);
    bool dry = req.dry_run, job = req.job;
    vr_wire_clear(&vr_wire_install_request, &req);
    if (!x)
        return;
    if (dry) {
        vr_req_reply_json(c->req, 200, plan_json(x));
        vr_core_install_free(x);
        return;
    }
    /* Every install is a job (GET /v1/jobs: its progress; DELETE: a
     * cancel while its disks are copied). "job": true answers with it at
     * once (202, with the plan); else the answer comes at its end. */
    install_run *r = vr_calloc(1, sizeof(*r));
    r->x = x;
    vireo_install_plan view;
    vr_core_install_view(x, &view);
    r->job = vr_job_new(c->api->jobs, "install", view.name);
    vr_wire_clear(&vr_wire_install_plan, &view);
    vr_job_set_cancel(r->job, on_cancel, r);
    if (job) {
        json_object *a = vr_job_json(r->job);
        json_object_object_add(a, "install", plan_json(x));
        vr_req_reply_json(c->req, 202, a);
    } else {
        r->req = c->req;
        vr_req_defer(c->req);
    }
    vr_core_install_run(x, on_progress, on_done, r);
}

static void get_os_variants(vr_api_call *c)
{
    size_t n;
    const vr_osinfo *t = vr_osinfo_all(&n);
    const char *id = vr_req_query(c->req, "id");
    if (id) {
        if (!(t = vr_osinfo_find(id))) {
            char *close = vr_osinfo_close_matches(id);
            vr_req_reply_error(c->req, 404, "not_found", "no OS variant '%s'%s%s", id,
                               close ? "; close matches: " : " (vireo osinfo-query os lists them)",
                               close ? close : "");
            free(close);
            return;
        }
        n = 1;
    }
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "{\"os_variants\":[");
    for (size_t i = 0; i < n; i++) {
        /* A borrowed view of the table's entry. */
        vireo_os_variant v = {.id = (char *)t[i].id, .name = (char *)t[i].name,
                              .family = t[i].family == VR_OS_LINUX     ? "linux"
                                  : t[i].family == VR_OS_WINDOWS ? "windows"
                                                                 : "other",
                              .memory_mib = t[i].mem_mib, .min_memory_mib = t[i].min_mib, .vcpus = t[i].vcpus,
                              .disk_gib = t[i].disk_gib, .uefi = t[i].uefi,
                              .secure_boot = t[i].uefi && t[i].family == VR_OS_WINDOWS,
                              .machine = (char *)t[i].machine, .virtio = t[i].virtio};
        if (i)
            vr_strbuf_add(&b, ",");
        vr_wire_write(&b, &vr_wire_os_variant, &v);
    }
    vr_strbuf_add(&b, "]}");
    vr_req_reply_text(c->req, 200, "application/json", vr_strbuf_take(&b));
}

const vr_api_route vr_api_install_routes[] = {
    {"POST", "install", post_install},
    {"GET", "os-variants", get_os_variants, VR_API_READ},
    {0},
};
