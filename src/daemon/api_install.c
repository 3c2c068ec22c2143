/* API: POST /v1/install -- a new VM in one call, for the web wizard:
 * the same plan and XML as `vireo install` (src/install), made by the
 * daemon itself. Everything is checked before anything is made; a new
 * disk volume is created in a pool; the domain is defined and, for an
 * install from a CD or a kernel+initrd (network install), started with
 * the install-phase definition while the final one (booting the disk)
 * is defined for the next start. A failure removes what was made.
 * GET /v1/os-variants lists the OS table with its defaults. */
#include "conf/names.h"
#include "daemon/api.h"
#include "drivers/network/network_driver.h"
#include "drivers/storage/storage_driver.h"
#include "install/install_plan.h"
#include "conf/mac.h"
#include "conf/uuid.h"
#include "common/log.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    vr_api *api;
    vr_req *req;
    vr_install_plan plan;
    char *made_pool, *made_vol; /* a volume this install created */
    char *final_xml;            /* defined once the install phase runs */
    bool noreboot;              /* leave it off when the installer ends */
    bool drivers;               /* a drivers ISO (virtio-win) is attached: virtio disk and NIC */
} install_ctx;

static void ctx_free(install_ctx *x)
{
    vr_install_plan_clear(&x->plan);
    free(x->plan.name), free(x->plan.uuid);
    free(x->made_pool), free(x->made_vol), free(x->final_xml);
    free(x);
}

/* Undo: the domain (if defined) and the volume made for it. */
static void rollback(install_ctx *x)
{
    char *err = NULL;
    vr_domain *dom = vr_qemu_lookup(x->api->qemu, x->plan.name);
    if (dom && vr_qemu_undefine(dom, VR_QEMU_UNDEFINE_NVRAM, &err) != VR_OK)
        vr_log_warn("install %s: the domain is left defined: %s", x->plan.name, err);
    free(err);
    err = NULL;
    vr_pool *pool = x->made_vol ? vr_storage_pool_lookup(x->api->storage, x->made_pool) : NULL;
    if (pool && vr_storage_vol_delete(pool, x->made_vol, &err) != VR_OK)
        vr_log_warn("install %s: volume %s is left: %s", x->plan.name, x->made_vol, err);
    free(err);
}

static void fail(install_ctx *x, vr_err code, const char *msg)
{
    rollback(x);
    vr_api_reply_err(x->req, code, msg);
    ctx_free(x);
}

static void reply_done(install_ctx *x, vr_domain *dom)
{
    json_object *o = vr_api_domain_json(dom);
    json_object *inst = json_object_new_object();
    json_object_object_add(inst, "install_phase", json_object_new_boolean(x->final_xml != NULL));
    json_object_object_add(inst, "restart", json_object_new_boolean(x->final_xml && dom->restart_on_shutdown));
    if (x->made_vol) {
        json_object_object_add(inst, "pool", json_object_new_string(x->made_pool));
        json_object_object_add(inst, "volume", json_object_new_string(x->made_vol));
    }
    json_object_object_add(o, "install", inst);
    vr_req_reply_json(x->req, 201, o);
    ctx_free(x);
}

static void on_started(vr_err code, const char *err, void *opaque)
{
    install_ctx *x = opaque;
    if (code != VR_OK) {
        fail(x, code, err);
        return;
    }
    vr_domain *dom = vr_qemu_lookup(x->api->qemu, x->plan.name);
    if (!dom) {
        fail(x, VR_ERR_FAILED, "the new domain vanished while it started");
        return;
    }
    if (x->final_xml) {
        /* The running domain keeps its install-phase definition; the
         * next start boots the disk. */
        char *derr = NULL;
        if (vr_qemu_define(x->api->qemu, x->final_xml, &dom, &derr) != VR_OK) {
            /* Not expected (the same plan as the first definition); the
             * installer runs on, so nothing is rolled back under it. */
            vr_req_reply_error(x->req, 500, "failed",
                               "the installer runs, but the definition that boots the disk afterwards was "
                               "refused (%s); change the boot order to the disk before the next start",
                               derr);
            free(derr);
            ctx_free(x);
            return;
        }
        char *rerr = NULL;
        if (!x->noreboot && vr_qemu_restart_after_install(dom, &rerr) != VR_OK) {
            /* Only the automatic second start is lost: say how to do it. */
            vr_log_warn("install %s: %s; start it by hand when the installer ends", x->plan.name, rerr);
            free(rerr);
        }
    }
    reply_done(x, dom);
}

/* ---- reading the request ---- */

/* The VM's disk goes before any CD-ROM: it is what boots later. */
static vr_idisk *add_disk_first(vr_install_plan *p)
{
    vr_install_add_disk(p);
    memmove(&p->disks[1], &p->disks[0], (p->n_disks - 1) * sizeof(*p->disks));
    p->disks[0] = (vr_idisk){0};
    return &p->disks[0];
}

/* A volume of an active pool, and its format; false after answering. */
static bool volume_exists(vr_api_call *c, const char *pool, const char *vol, vr_vol_format *format)
{
    char *err = NULL, *file = NULL;
    if (vr_storage_resolve(c->api->storage, pool, vol, &file, format, &err) != VR_OK) {
        vr_req_reply_error(c->req, 400, "invalid", "%s", err);
        free(err);
        return false;
    }
    free(file);
    return true;
}

/* A file the guest reads (ISO, kernel, initrd): an absolute path that
 * exists on this host. */
static bool host_file(vr_api_call *c, const char *what, const char *path)
{
    if (!path || !*path) {
        vr_req_reply_error(c->req, 400, "invalid", "the %s is missing", what);
        return false;
    }
    if (path[0] != '/') {
        vr_req_reply_error(c->req, 400, "invalid", "the %s '%s' must be an absolute path on the host", what,
                           path);
        return false;
    }
    if (access(path, R_OK) != 0) {
        vr_req_reply_error(c->req, 400, "invalid", "the %s '%s' does not exist or cannot be read", what,
                           path);
        return false;
    }
    return true;
}

/* The drivers ISO beside the install media (virt-install's second
 * --disk PATH,device=cdrom, for virtio-win): {"path"|"pool"+"volume"}.
 * It stays attached; with it the disk and NIC are virtio, whose drivers
 * Windows' setup loads from it. */
static bool read_drivers(vr_api_call *c, json_object *drv, install_ctx *x)
{
    vr_install_plan *p = &x->plan;
    const char *path = NULL, *pool = NULL, *vol = NULL;
    if (vr_api_str(c, drv, "path", &path) < 0 || vr_api_str(c, drv, "pool", &pool) < 0 ||
        vr_api_str(c, drv, "volume", &vol) < 0)
        return false;
    vr_vol_format f;
    if (vol ? !volume_exists(c, pool ? pool : "default", vol, &f) : !host_file(c, "drivers ISO", path))
        return false;
    vr_idisk *d = vr_install_add_disk(p);
    d->cdrom = d->readonly = true;
    d->format = vr_strdup("raw");
    d->bus = vr_strdup(vr_install_cdrom_bus(p->machine));
    d->type = vol ? VR_IDISK_VOLUME : VR_IDISK_FILE;
    d->pool = vol ? vr_strdup(pool ? pool : "default") : NULL;
    d->volume = vol ? vr_strdup(vol) : NULL;
    d->path = vol ? NULL : vr_strdup(path);
    x->drivers = true;
    return true;
}

/* The source: {"type":"cdrom","path"|"pool"+"volume"},
 * {"type":"network"|"kernel","kernel","initrd","cmdline"}, {"type":"import"}. */
static bool read_source(vr_api_call *c, json_object *src, install_ctx *x)
{
    vr_install_plan *p = &x->plan;
    const char *type = NULL, *path = NULL, *pool = NULL, *vol = NULL, *kernel = NULL, *initrd = NULL,
               *cmdline = NULL;
    if (vr_api_str(c, src, "type", &type) < 0 || vr_api_str(c, src, "path", &path) < 0 ||
        vr_api_str(c, src, "pool", &pool) < 0 || vr_api_str(c, src, "volume", &vol) < 0 ||
        vr_api_str(c, src, "kernel", &kernel) < 0 || vr_api_str(c, src, "initrd", &initrd) < 0 ||
        vr_api_str(c, src, "cmdline", &cmdline) < 0)
        return false;
    if (!type) {
        vr_req_reply_error(c->req, 400, "invalid", "source.type is missing (cdrom, network, import or kernel)");
        return false;
    }
    if (strcmp(type, "cdrom") == 0) {
        p->source = VR_SRC_CDROM;
        vr_idisk *d = vr_install_add_disk(p);
        d->cdrom = d->readonly = d->empty_after = true;
        d->format = vr_strdup("raw");
        d->bus = vr_strdup(vr_install_cdrom_bus(p->machine));
        if (vol) {
            vr_vol_format f;
            if (!volume_exists(c, pool ? pool : "default", vol, &f))
                return false;
            d->type = VR_IDISK_VOLUME;
            d->pool = vr_strdup(pool ? pool : "default");
            d->volume = vr_strdup(vol);
            return true;
        }
        if (!host_file(c, "ISO", path))
            return false;
        d->type = VR_IDISK_FILE;
        d->path = vr_strdup(path);
        return true;
    }
    if (strcmp(type, "network") == 0 || strcmp(type, "kernel") == 0) {
        p->source = type[0] == 'n' ? VR_SRC_LOCATION : VR_SRC_KERNEL;
        if (!host_file(c, "kernel", kernel) || (initrd && *initrd && !host_file(c, "initrd", initrd)))
            return false;
        p->kernel = vr_strdup(kernel);
        p->initrd = initrd && *initrd ? vr_strdup(initrd) : NULL;
        p->cmdline = cmdline && *cmdline ? vr_strdup(cmdline) : NULL;
        return true;
    }
    if (strcmp(type, "import") == 0) {
        p->source = VR_SRC_IMPORT;
        return true;
    }
    vr_req_reply_error(c->req, 400, "invalid", "source.type '%s' is not one of cdrom, network, import, kernel",
                       type);
    return false;
}

/* A free volume name in the pool: NAME.EXT, NAME-1.EXT, ... */
static char *free_vol_name(vr_pool *pool, const char *name, const char *ext)
{
    for (int i = 0; i < 1000; i++) {
        char *n = i ? vr_asprintf("%s-%d.%s", name, i, ext) : vr_asprintf("%s.%s", name, ext);
        vr_vol_info v = {0};
        char *err = NULL;
        vr_err code = vr_storage_vol_get(pool, n, &v, &err);
        vr_vol_info_clear(&v);
        free(err);
        if (code == VR_ERR_NOT_FOUND)
            return n;
        free(n);
    }
    return NULL;
}

/* The disk: {"pool", "size", "format"} makes a new volume;
 * {"pool", "volume"} uses one that exists. Made last, after every other
 * check passed. */
static bool read_disk(vr_api_call *c, json_object *disk, install_ctx *x, vr_pool **new_in,
                      unsigned long long *size, vr_vol_format *format)
{
    vr_install_plan *p = &x->plan;
    const char *pool_name = NULL, *vol = NULL, *fmt = NULL;
    int hs;
    if (vr_api_str(c, disk, "pool", &pool_name) < 0 || vr_api_str(c, disk, "volume", &vol) < 0 ||
        vr_api_str(c, disk, "format", &fmt) < 0 || (hs = vr_api_size(c, disk, "size", size)) < 0)
        return false;
    if (!pool_name)
        pool_name = "default";
    vr_pool *pool = vr_storage_pool_lookup(x->api->storage, pool_name);
    if (!pool) {
        vr_req_reply_error(c->req, 400, "invalid", "pool '%s' not found (the storage page lists the pools)",
                           pool_name);
        return false;
    }
    vr_idisk *d = add_disk_first(p);
    d->type = VR_IDISK_VOLUME;
    d->pool = vr_strdup(pool_name);
    d->bus = vr_strdup(x->drivers ? "virtio" : vr_install_disk_bus(p->os, p->machine));
    if (vol) {
        if (hs) {
            vr_req_reply_error(c->req, 400, "invalid", "disk: give a size for a new volume or a volume that "
                                                       "exists, not both");
            return false;
        }
        vr_vol_format f;
        if (!volume_exists(c, pool_name, vol, &f))
            return false;
        d->volume = vr_strdup(vol);
        d->format = vr_strdup(vr_vol_format_name(f));
        return true;
    }
    if (p->source == VR_SRC_IMPORT) {
        vr_req_reply_error(c->req, 400, "invalid", "an import boots a disk that exists: give disk.volume");
        return false;
    }
    if (!hs)
        *size = (unsigned long long)p->os->disk_gib << 30;
    if (*size < 1 << 20) {
        vr_req_reply_error(c->req, 400, "invalid", "disk.size: a new disk needs at least 1 MiB");
        return false;
    }
    *format = VR_VOL_QCOW2;
    if (fmt && (!vr_vol_format_parse(fmt, format) || *format == VR_VOL_ISO)) {
        vr_req_reply_error(c->req, 400, "invalid", "disk.format must be qcow2 or raw");
        return false;
    }
    d->format = vr_strdup(vr_vol_format_name(*format));
    d->create = true;
    *new_in = pool;
    return true;
}

/* The NIC: {"type":"network","source":NAME}, {"type":"bridge","source"},
 * {"type":"user"} or {"type":"none"}; absent: the network 'default' if
 * there is one, else user-mode networking (as vireo install does). */
static bool read_nic(vr_api_call *c, json_object *net, install_ctx *x)
{
    vr_install_plan *p = &x->plan;
    const char *type = NULL, *source = NULL;
    if (net && (vr_api_str(c, net, "type", &type) < 0 || vr_api_str(c, net, "source", &source) < 0))
        return false;
    if (!type)
        type = x->api->net && vr_net_lookup(x->api->net, "default") ? "network" : "user";
    if (strcmp(type, "none") == 0)
        return true;
    if (strcmp(type, "network") == 0) {
        if (!source)
            source = "default";
        if (!x->api->net || !vr_net_lookup(x->api->net, source)) {
            vr_req_reply_error(c->req, 400, "invalid", "network '%s' not found (the networks page lists them)",
                               source);
            return false;
        }
    } else if (strcmp(type, "bridge") == 0) {
        if (!source || !*source) {
            vr_req_reply_error(c->req, 400, "invalid", "network.source names the host bridge to join");
            return false;
        }
    } else if (strcmp(type, "user") != 0) {
        vr_req_reply_error(c->req, 400, "invalid", "network.type '%s' is not one of network, bridge, user, none",
                           type);
        return false;
    }
    p->nics = vr_calloc(1, sizeof(*p->nics));
    p->n_nics = 1;
    vr_inic *n = &p->nics[0];
    n->type = vr_strdup(type);
    n->source = source ? vr_strdup(source) : NULL;
    n->model = vr_strdup(x->drivers ? "virtio" : vr_install_nic_model(p->os, p->machine));
    /* Fixed now: both phases' definitions must carry the same MAC. */
    char mac[VR_MAC_STRLEN];
    vr_mac_generate(mac);
    n->mac = vr_strdup(mac);
    return true;
}

/* Everything but the disk volume; false after answering. */
static bool read_request(vr_api_call *c, json_object *o, install_ctx *x, json_object **disk,
                         bool *start)
{
    vr_install_plan *p = &x->plan;
    const char *name = NULL, *os = NULL, *graphics = NULL;
    json_object *src = NULL, *net = NULL, *drivers = NULL;
    unsigned long long mem = 0, vcpus = 0;
    if (vr_api_str(c, o, "name", &name) < 0 || vr_api_str(c, o, "os_variant", &os) < 0 ||
        vr_api_str(c, o, "graphics", &graphics) < 0 || vr_api_obj(c, o, "source", &src) < 0 ||
        vr_api_obj(c, o, "disk", disk) < 0 || vr_api_obj(c, o, "network", &net) < 0 ||
        vr_api_obj(c, o, "drivers", &drivers) < 0 ||
        vr_api_uint(c, o, "memory_mib", 16, 4 << 20, &mem) < 0 || vr_api_uint(c, o, "vcpus", 1, 255, &vcpus) < 0)
        return false;
    char *bad = NULL;
    if (!vr_name_check(VR_NAME_DOMAIN, name, &bad)) {
        vr_req_reply_error(c->req, 400, "invalid", "%s", bad);
        free(bad);
        return false;
    }
    if (vr_qemu_lookup(c->api->qemu, name)) {
        vr_req_reply_error(c->req, 409, "conflict", "a domain named '%s' already exists; pick another name", name);
        return false;
    }
    if (!os || !(p->os = vr_osinfo_find(os))) {
        char *close = os ? vr_osinfo_close_matches(os) : NULL;
        vr_req_reply_error(c->req, 400, "invalid", "os_variant '%s' is unknown%s%s (GET /v1/os-variants lists them)",
                           os ? os : "", close ? "; did you mean: " : "", close ? close : "");
        free(close);
        return false;
    }
    if (!src) {
        vr_req_reply_error(c->req, 400, "invalid", "the new VM needs a source (cdrom, network, import or kernel)");
        return false;
    }
    if (graphics && strcmp(graphics, "vnc") != 0 && strcmp(graphics, "none") != 0) {
        vr_req_reply_error(c->req, 400, "invalid", "graphics must be vnc or none");
        return false;
    }
    p->name = vr_strdup(name);
    char uuid[VR_UUID_STRLEN];
    vr_uuid_generate(uuid);
    p->uuid = vr_strdup(uuid); /* both phases' definitions are one domain */
    p->virt_type = vr_strdup(vr_qemu_kvm_usable(c->api->qemu) ? "kvm" : "qemu");
    p->machine = vr_strdup(p->os->machine);
    p->mem_mib = mem ? mem : p->os->mem_mib;
    p->vcpus = vcpus ? (unsigned)vcpus : p->os->vcpus;
    p->vnc = graphics && strcmp(graphics, "vnc") == 0;
    p->vnc_port = -1;
    p->guest_agent = p->os->family == VR_OS_LINUX;
    /* "uefi": true is virt-install's --boot uefi, for any OS. */
    p->uefi = vr_api_bool(o, "uefi");
    char *perr = NULL;
    if (vr_install_platform(p, &perr) < 0) {
        vr_req_reply_error(c->req, 400, "invalid", "%s", perr);
        free(perr);
        return false;
    }
    if (!read_source(c, src, x) || (drivers && !read_drivers(c, drivers, x)) || !read_nic(c, net, x))
        return false;
    if (!*disk && (p->source == VR_SRC_CDROM || p->source == VR_SRC_LOCATION || p->source == VR_SRC_IMPORT)) {
        vr_req_reply_error(c->req, 400, "invalid", p->source == VR_SRC_IMPORT
                               ? "an import boots a disk that exists: give disk.volume"
                               : "an install needs a disk to install onto: give disk.size");
        return false;
    }
    /* An install boots its media now; other VMs start when asked. */
    *start = vr_install_two_phase(p) || vr_api_bool(o, "start");
    /* virt-install's --noreboot: by default the installed system starts. */
    x->noreboot = vr_api_bool(o, "noreboot");
    return true;
}

/* What the body asks for beyond the plan: the disk volume to make. */
typedef struct {
    bool start;
    vr_pool *new_in; /* make the disk's volume in this pool, or NULL */
    unsigned long long size;
    vr_vol_format format;
} install_req;

/* The whole body read and checked, nothing made: the context, or NULL
 * after answering. */
static install_ctx *read_all(vr_api_call *c, json_object *o, install_req *rq)
{
    install_ctx *x = vr_calloc(1, sizeof(*x));
    x->api = c->api;
    x->req = c->req;
    json_object *disk = NULL;
    *rq = (install_req){.format = VR_VOL_QCOW2};
    if (!read_request(c, o, x, &disk, &rq->start) ||
        (disk && !read_disk(c, disk, x, &rq->new_in, &rq->size, &rq->format))) {
        ctx_free(x);
        return NULL;
    }
    return x;
}

bool vr_api_install_check(vr_api_call *c, json_object *o)
{
    install_req rq;
    install_ctx *x = read_all(c, o, &rq);
    if (x)
        ctx_free(x);
    return x != NULL;
}

static void post_install(vr_api_call *c)
{
    json_object *o = vr_api_body_json(c);
    if (!o)
        return;
    install_req rq;
    install_ctx *x = read_all(c, o, &rq);
    json_object_put(o);
    if (!x)
        return;
    bool start = rq.start;
    vr_pool *new_in = rq.new_in;
    unsigned long long size = rq.size;
    vr_vol_format format = rq.format;
    char *err = NULL;
    vr_install_plan *p = &x->plan;
    if (vr_install_assign_targets(p, &err) < 0) {
        vr_req_reply_error(c->req, 400, "invalid", "%s", err);
        free(err);
        ctx_free(x);
        return;
    }
    if (new_in) {
        vr_idisk *d = &p->disks[0];
        vr_vol_def def = {.name = free_vol_name(new_in, p->name, format == VR_VOL_QCOW2 ? "qcow2" : "img"),
                          .capacity = size, .format = format, .mode = -1};
        vr_vol_info v = {0};
        if (!def.name || vr_storage_vol_create(new_in, &def, NULL, &v, &err) != VR_OK) {
            vr_api_reply_err(c->req, def.name ? VR_ERR_FAILED : VR_ERR_CONFLICT,
                             err ? err : "no free volume name for the disk");
            free(def.name), free(err);
            vr_vol_info_clear(&v);
            ctx_free(x);
            return;
        }
        vr_vol_info_clear(&v);
        d->volume = def.name;
        x->made_pool = vr_strdup(d->pool);
        x->made_vol = vr_strdup(def.name);
    }
    bool two = vr_install_two_phase(p);
    char *xml = vr_install_xml(p, two);
    if (two)
        x->final_xml = vr_install_xml(p, false);
    vr_domain *dom = NULL;
    vr_err code = vr_qemu_define(c->api->qemu, xml, &dom, &err);
    free(xml);
    if (code != VR_OK) {
        fail(x, code, err);
        free(err);
        return;
    }
    vr_log_info("install %s: defined (%s)", p->name, two ? "install phase" : "final");
    if (!start) {
        reply_done(x, dom);
        return;
    }
    vr_req_defer(c->req);
    vr_qemu_start(dom, false, on_started, x);
}

static void get_os_variants(vr_api_call *c)
{
    size_t n;
    const vr_osinfo *t = vr_osinfo_all(&n);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "id", json_object_new_string(t[i].id));
        json_object_object_add(e, "name", json_object_new_string(t[i].name));
        json_object_object_add(e, "family", json_object_new_string(t[i].family == VR_OS_LINUX     ? "linux"
                                                                   : t[i].family == VR_OS_WINDOWS ? "windows"
                                                                                                  : "other"));
        json_object_object_add(e, "memory_mib", json_object_new_int((int)t[i].mem_mib));
        json_object_object_add(e, "min_memory_mib", json_object_new_int((int)t[i].min_mib));
        json_object_object_add(e, "vcpus", json_object_new_int((int)t[i].vcpus));
        json_object_object_add(e, "disk_gib", json_object_new_int((int)t[i].disk_gib));
        /* Its firmware: UEFI (Windows 11: with Secure Boot and a TPM). */
        json_object_object_add(e, "uefi", json_object_new_boolean(t[i].uefi));
        json_object_object_add(e, "secure_boot", json_object_new_boolean(t[i].uefi && t[i].family == VR_OS_WINDOWS));
        json_object_array_add(arr, e);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "os_variants", arr);
    vr_req_reply_json(c->req, 200, o);
}

const vr_api_route vr_api_install_routes[] = {
    {"POST", "install", post_install},
    {"GET", "os-variants", get_os_variants, VR_API_READ},
    {0},
};
