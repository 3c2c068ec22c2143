/* API: guest and host helpers of a running domain, as virsh send-key,
 * screenshot, reset, dompmsuspend, dompmwakeup, domhostname, guestinfo,
 * qemu-monitor-command, vcpuinfo, vcpupin, emulatorpin, domfsinfo,
 * domfsfreeze, domfsthaw and domfstrim do (docs/api.md,
 * "Guest helpers"). */
#include "daemon/api.h"
#include "core/guest_ops.h"
#include "core/views.h"
#include "wire/schemas.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    vr_req *req;
    bool screenshot; /* answer with the PNG file */
} guest_ctx;

static guest_ctx *pend(vr_api_call *c)
{
    guest_ctx *g = vr_calloc(1, sizeof(*g));
    g->req = c->req;
    vr_req_defer(c->req);
    return g;
}

/* {"return": RET} (null when QEMU returned nothing), the PNG, or the error. */
static void on_done(vr_err code, json_object *ret, const char *err, void *opaque)
{
    guest_ctx *g = opaque;
    json_object *path = NULL;
    if (code != VR_OK) {
        vr_api_reply_err(g->req, code, err);
    } else if (g->screenshot && json_object_object_get_ex(ret, "path", &path)) {
        unsigned long long size = 0;
        char *e = NULL;
        int fd = vr_core_screenshot_open(json_object_get_string(path), &size, &e);
        if (fd < 0)
            vr_api_reply_err(g->req, VR_ERR_FAILED, e);
        else
            vr_req_reply_fd(g->req, 200, "image/png", fd, size);
        free(e);
    } else {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "return", json_object_get(ret));
        vr_req_reply_json(g->req, 200, o);
    }
    free(g);
}

/* POST domains/NAME/send-key {"keys": [KEY...], "codeset", "holdtime"}. */
static void send_key(vr_api_call *c)
{
    json_object *body = NULL, *keys = NULL;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *codeset = NULL;
    unsigned long long hold = 0;
    int rc = vr_api_str(c, body, "codeset", &codeset);
    rc = rc < 0 ? -1 : vr_api_uint(c, body, "holdtime", 0, 60000, &hold);
    if (rc >= 0 && (!json_object_object_get_ex(body, "keys", &keys) || !json_object_is_type(keys, json_type_array))) {
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"keys\": [\"KEY_A\", ...]} with optional "
                           "\"codeset\" and \"holdtime\" (ms)");
        rc = -1;
    }
    size_t n = rc >= 0 ? json_object_array_length(keys) : 0;
    const char **names = vr_calloc(n + 1, sizeof(*names));
    for (size_t i = 0; i < n; i++) {
        /* Numbers come as numbers or strings; both read as virsh reads them. */
        names[i] = json_object_get_string(json_object_array_get_idx(keys, i));
    }
    if (rc >= 0)
        vr_core_send_key(dom, codeset, names, n, (unsigned)hold, on_done, pend(c));
    free(names);
    json_object_put(body);
}

/* GET domains/NAME/screenshot?screen=N: image/png. */
static void screenshot(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    if (!dom)
        return;
    const char *s = vr_req_query(c->req, "screen");
    char *end = NULL;
    unsigned long screen = s ? strtoul(s, &end, 10) : 0;
    if (s && (!*s || *end || screen > 15)) {
        vr_req_reply_error(c->req, 400, "invalid", "screen '%s' is not a screen number (0, 1, ...)", s);
        return;
    }
    guest_ctx *g = pend(c);
    g->screenshot = true;
    vr_qemu_screenshot(dom, (unsigned)screen, on_done, g);
}

/* POST domains/NAME/reset, pm-wakeup; pm-suspend {"target"}. */
static void reset(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    if (dom)
        vr_qemu_reset(dom, on_done, pend(c));
}

static void pm_wakeup(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    if (dom)
        vr_qemu_pm_wakeup(dom, on_done, pend(c));
}

static void pm_suspend(vr_api_call *c)
{
    json_object *body = NULL;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *target = NULL;
    if (vr_api_str(c, body, "target", &target) >= 0)
        vr_qemu_pm_suspend(dom, target, on_done, pend(c));
    json_object_put(body);
}

/* GET domains/NAME/hostname: {"return": NAME} from the guest agent. */
static void hostname(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    if (dom)
        vr_qemu_guest_hostname(dom, on_done, pend(c));
}

/* GET domains/NAME/guestinfo?types=users,os,timezone,hostname,
 * filesystem,disks,interfaces (none: all): the agent's answers as
 * virDomainGetGuestInfo's keys, one JSON object in libvirt's order,
 * {"user.count": 1, "user.0.name": "root", ..., "disk.0.partition": false}. */
static void on_guest_info(const vr_guest_fields *info, const char *err, void *opaque)
{
    vr_req *req = opaque;
    if (err) {
        vr_api_reply_err(req, VR_ERR_FAILED, err);
        return;
    }
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < info->n; i++) {
        const vr_guest_field *f = &info->v[i];
        json_object *v = f->type == VR_GUEST_STRING ? json_object_new_string(f->s)
                         : f->type == VR_GUEST_INT  ? json_object_new_int64(f->i)
                         : f->type == VR_GUEST_BOOL ? json_object_new_boolean(f->b)
                                                    : json_object_new_uint64(f->u);
        json_object_object_add(o, f->key, v);
    }
    vr_req_reply_json(req, 200, o);
}

static void guest_info(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    if (!dom)
        return;
    unsigned types = 0;
    char *err = NULL;
    vr_err code = VR_ERR_INVALID;
    if (vr_core_guest_info_types(vr_req_query(c->req, "types"), &types, &err) == 0) {
        vr_req_defer(c->req);
        code = vr_core_guest_info(dom, types, on_guest_info, c->req, &err);
    }
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    free(err);
}

/* A filesystem the agent reports, its view borrowed. */
static void fs_view(size_t i, void *items, void *out)
{
    vr_core_fs_view(&((const vr_guest_fs *)items)[i], out);
}

/* GET domains/NAME/fsinfo: {"filesystems": [FS…]} (the wire's guest
 * filesystem) from the guest agent. Read-write peers only, as libvirt's
 * virDomainGetFSInfo (the guest's own answer). */
static void on_fsinfo(const vr_guest_fs_list *fs, const char *err, void *opaque)
{
    vr_req *req = opaque;
    if (err) {
        vr_api_reply_err(req, VR_ERR_FAILED, err);
        return;
    }
    vr_api_reply_list_to(req, &vr_wire_fs_info, "filesystems", fs->n, fs_view, fs->v, false);
}

static void fs_info(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    if (!dom)
        return;
    char *err = NULL;
    vr_req_defer(c->req);
    vr_err code = vr_core_fs_info(dom, on_fsinfo, c->req, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    free(err);
}

/* {"filesystems": N} frozen, thawed or trimmed. */
static void on_fs_count(int count, const char *err, void *opaque)
{
    vr_req *req = opaque;
    if (err) {
        vr_api_reply_err(req, VR_ERR_FAILED, err);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "filesystems", json_object_new_int(count));
    vr_req_reply_json(req, 200, o);
}

/* POST domains/NAME/fsfreeze, fsthaw {"mountpoints": ["/", ...]} (none:
 * every filesystem); fstrim {"minimum": BYTES, "mountpoint": M}. */
static void fs_action(vr_api_call *c)
{
    json_object *body = NULL, *mps = NULL;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *op = c->seg[2], *mountpoint = NULL;
    unsigned long long minimum = 0;
    bool trim = strcmp(op, "fstrim") == 0;
    int rc = trim ? vr_api_str(c, body, "mountpoint", &mountpoint) : 0;
    rc = rc < 0 ? -1 : trim ? vr_api_uint(c, body, "minimum", 0, ~0ULL, &minimum) : 0;
    size_t n = 0;
    if (rc >= 0 && !trim && json_object_object_get_ex(body, "mountpoints", &mps)) {
        n = json_object_is_type(mps, json_type_array) ? json_object_array_length(mps) : 0;
        for (size_t i = 0; mps && i < n; i++)
            if (!json_object_is_type(json_object_array_get_idx(mps, i), json_type_string))
                mps = NULL;
        if (!json_object_is_type(mps, json_type_array)) {
            vr_req_reply_error(c->req, 400, "invalid", "expected {\"mountpoints\": [\"/\", ...]} (strings)");
            rc = -1;
            n = 0;
        }
    }
    const char **names = vr_calloc(n + 1, sizeof(*names));
    for (size_t i = 0; rc >= 0 && i < n; i++)
        names[i] = json_object_get_string(json_object_array_get_idx(mps, i));
    if (rc >= 0) {
        char *err = NULL;
        vr_req_defer(c->req);
        vr_err code = trim ? vr_core_fs_trim(dom, mountpoint, minimum, on_fs_count, c->req, &err)
                      : strcmp(op, "fsfreeze") == 0 ? vr_core_fs_freeze(dom, names, n, on_fs_count, c->req, &err)
                                                    : vr_core_fs_thaw(dom, n, on_fs_count, c->req, &err);
        if (code != VR_OK)
            vr_api_reply_err(c->req, code, err);
        free(err);
    }
    free(names);
    json_object_put(body);
}

/* POST domains/NAME/monitor {"command": TEXT, "hmp": bool}. The
 * read-only socket never gets here (GET only). */
static void monitor(vr_api_call *c)
{
    json_object *body = NULL;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *text = NULL;
    if (vr_api_need_str(c, body, "command", &text,
                        "expected {\"command\": \"{\\\"execute\\\": ...}\"} "
                        "or {\"command\": \"info status\", \"hmp\": true}"))
        vr_qemu_monitor_command(dom, text, vr_api_bool(body, "hmp"), on_done, pend(c));
    json_object_put(body);
}

/* {"return": INFO}: a report of the wire's schema s (info, whose
 * arrays the caller frees), or the error. */
static void reply_return(vr_req *req, vr_err code, const char *err, const vr_wire_schema *s, const void *info)
{
    if (code != VR_OK) {
        vr_api_reply_err(req, code, err);
        return;
    }
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "{\"return\":");
    vr_wire_write(&b, s, info);
    vr_strbuf_add(&b, "}");
    vr_req_reply_text(req, 200, "application/json", vr_strbuf_take(&b));
}

/* GET domains/NAME/vcpuinfo; PUT domains/NAME/vcpupin {"vcpu", "cpulist"}
 * and emulatorpin {"cpulist"}, with "live" (the running threads) and
 * "config" (<cputune> in the definition); neither: live when running. */
static void on_vcpu_info(vr_err code, const vr_qemu_vcpus *v, const char *err, void *opaque)
{
    vireo_vcpu_info view = {0};
    if (v)
        vr_core_vcpu_info_view(v, &view);
    reply_return(opaque, code, err, &vr_wire_vcpu_info, &view);
    free(view.vcpus);
}

static void vcpu_info(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    if (dom) {
        vr_req_defer(c->req);
        vr_qemu_vcpu_info(dom, on_vcpu_info, c->req);
    }
}

static void pin(vr_api_call *c)
{
    json_object *body = NULL;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    bool emulator = strcmp(c->seg[2], "emulatorpin") == 0;
    const char *cpulist = NULL;
    unsigned long long vcpu = 0;
    int rc = vr_api_str(c, body, "cpulist", &cpulist);
    int rv = rc < 0 || emulator ? 1 : vr_api_uint(c, body, "vcpu", 0, 4095, &vcpu);
    if (rc >= 0 && rv >= 0 && (rc == 0 || rv == 0))
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"cpulist\": \"0-1\"%s}",
                           emulator ? "" : ", \"vcpu\": N");
    else if (rc > 0 && rv > 0)
        vr_qemu_pin(dom, emulator ? -1 : (int)vcpu, cpulist,
                    (vr_api_bool(body, "live") ? VR_AFFECT_LIVE : 0) |
                        (vr_api_bool(body, "config") ? VR_AFFECT_CONFIG : 0),
                    on_done, pend(c));
    json_object_put(body);
}

/* GET domains/NAME/iothreadinfo[?config=1]; PUT domains/NAME/iothreadpin
 * {"iothread", "cpulist", "live", "config"}. */
static void on_iothread_info(vr_err code, const vr_qemu_iothreads *t, const char *err, void *opaque)
{
    vireo_iothread_info view = {0};
    if (t)
        vr_core_iothread_info_view(t, &view);
    reply_return(opaque, code, err, &vr_wire_iothread_info, &view);
    free(view.iothreads);
}

static void iothread_info(vr_api_call *c)
{
    vr_domain *dom = vr_api_domain_body(c, NULL);
    const char *config = vr_req_query(c->req, "config");
    if (dom) {
        vr_req_defer(c->req);
        vr_qemu_iothread_info(dom, config && strcmp(config, "0") ? VR_AFFECT_CONFIG : 0, on_iothread_info, c->req);
    }
}

static void iothread_pin(vr_api_call *c)
{
    json_object *body = NULL;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *cpulist = NULL;
    unsigned long long id = 0;
    int rc = vr_api_str(c, body, "cpulist", &cpulist);
    int rv = rc < 0 ? 1 : vr_api_uint(c, body, "iothread", 1, 0xffff, &id);
    if (rc >= 0 && rv >= 0 && (rc == 0 || rv == 0))
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"iothread\": N, \"cpulist\": \"0-1\"}");
    else if (rc > 0 && rv > 0)
        vr_qemu_iothread_pin(dom, (unsigned)id, cpulist,
                             (vr_api_bool(body, "live") ? VR_AFFECT_LIVE : 0) |
                                 (vr_api_bool(body, "config") ? VR_AFFECT_CONFIG : 0),
                             on_done, pend(c));
    json_object_put(body);
}

const vr_api_route vr_api_guest_routes[] = {
    {"GET", "domains/*/iothreadinfo", iothread_info, VR_API_READ},
    {"PUT", "domains/*/iothreadpin", iothread_pin},
    {"GET", "domains/*/vcpuinfo", vcpu_info, VR_API_READ},
    {"PUT", "domains/*/vcpupin", pin},
    {"PUT", "domains/*/emulatorpin", pin},
    {"POST", "domains/*/send-key", send_key},
    {"GET", "domains/*/screenshot", screenshot, VR_API_CONSOLE}, /* the screen, as a console shows it */
    {"POST", "domains/*/reset", reset},
    {"POST", "domains/*/pm-suspend", pm_suspend},
    {"POST", "domains/*/pm-wakeup", pm_wakeup},
    {"GET", "domains/*/hostname", hostname, VR_API_GUEST},
    {"GET", "domains/*/guestinfo", guest_info, VR_API_GUEST},
    {"POST", "domains/*/monitor", monitor},
    {"GET", "domains/*/fsinfo", fs_info, VR_API_GUEST},
    {"POST", "domains/*/fsfreeze", fs_action},
    {"POST", "domains/*/fsthaw", fs_action},
    {"POST", "domains/*/fstrim", fs_action},
    {0},
};
