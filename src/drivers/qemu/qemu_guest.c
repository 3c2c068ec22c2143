/* Guest and host helpers on a running domain, as virsh has them: reset,
 * send-key, screenshot, dompmsuspend/dompmwakeup, domhostname and
 * qemu-monitor-command. Each is one QMP (or guest agent) exchange; the
 * answer comes through the callback. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/log.h"
#include "common/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char *name;     /* the domain, looked up again when QEMU answers */
    char *path;     /* screenshot: the file QEMU writes */
    vr_qemu_driver *drv;
    vr_qemu_reply_fn cb;
    void *opaque;
} call_ctx;

/* NULL after answering cb when the domain cannot take a QMP command. */
static call_ctx *begin(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque)
{
    if (dom->state == VR_DOM_SHUTOFF || dom->pid <= 0 || !dom->qmp || dom->starting) {
        char *m = vr_asprintf("domain '%s' is not running", dom->def->name);
        cb(VR_ERR_CONFLICT, NULL, m, opaque);
        free(m);
        return NULL;
    }
    call_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (call_ctx){.name = vr_strdup(dom->def->name), .drv = dom->drv, .cb = cb, .opaque = opaque};
    return c;
}

static void end(call_ctx *c, vr_err code, json_object *ret, const char *err)
{
    c->cb(code, ret, err, c->opaque);
    free(c->name);
    free(c->path);
    free(c);
}

static void on_reply(json_object *ret, const char *error, void *opaque)
{
    call_ctx *c = opaque;
    end(c, error ? VR_ERR_FAILED : VR_OK, ret, error);
}

static void command(vr_domain *dom, const char *cmd, json_object *args, vr_qemu_reply_fn cb, void *opaque)
{
    call_ctx *c = begin(dom, cb, opaque);
    if (c)
        vr_qmp_command(dom->qmp, cmd, args, on_reply, c);
    else
        json_object_put(args);
}

void vr_qemu_reset(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque)
{
    command(dom, "system_reset", NULL, cb, opaque);
}

void vr_qemu_send_key(vr_domain *dom, const int *qnum, size_t n, unsigned hold_ms, vr_qemu_reply_fn cb,
                      void *opaque)
{
    json_object *keys = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *k = json_object_new_object();
        json_object_object_add(k, "type", json_object_new_string("number"));
        json_object_object_add(k, "data", json_object_new_int(qnum[i]));
        json_object_array_add(keys, k);
    }
    json_object *args = json_object_new_object();
    json_object_object_add(args, "keys", keys);
    if (hold_ms)
        json_object_object_add(args, "hold-time", json_object_new_int((int)hold_ms));
    command(dom, "send-key", args, cb, opaque);
}

/* ---- screenshot: QEMU 7.2 writes PNG itself (screendump format=png) ---- */

static void on_screendump(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    call_ctx *c = opaque;
    if (error) {
        char *m = vr_asprintf("QEMU cannot take a screenshot of domain '%s': %s", c->name, error);
        unlink(c->path);
        end(c, VR_ERR_FAILED, NULL, m);
        free(m);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(c->path));
    end(c, VR_OK, o, NULL);
    json_object_put(o);
}

void vr_qemu_screenshot(vr_domain *dom, unsigned screen, vr_qemu_reply_fn cb, void *opaque)
{
    if (dom->state != VR_DOM_SHUTOFF && dom->def->n_videos == 0) {
        char *m = vr_asprintf("domain '%s' has no video device to take a screenshot of (add <video>)",
                              dom->def->name);
        cb(VR_ERR_UNSUPPORTED, NULL, m, opaque);
        free(m);
        return;
    }
    if (dom->state != VR_DOM_SHUTOFF && screen >= dom->def->n_videos) {
        char *m = vr_asprintf("domain '%s' has no screen %u (it has %zu)", dom->def->name, screen,
                              dom->def->n_videos);
        cb(VR_ERR_INVALID, NULL, m, opaque);
        free(m);
        return;
    }
    call_ctx *c = begin(dom, cb, opaque);
    if (!c)
        return;
    /* In the run directory, which QEMU's user may write. */
    c->path = vr_asprintf("%s/screenshot-%u.png", dom->runtime_dir, screen);
    unlink(c->path);
    json_object *args = json_object_new_object();
    json_object_object_add(args, "filename", json_object_new_string(c->path));
    json_object_object_add(args, "format", json_object_new_string("png"));
    if (screen > 0) {
        char id[32];
        snprintf(id, sizeof(id), "video%u", screen);
        json_object_object_add(args, "device", json_object_new_string(id));
    }
    vr_qmp_command(dom->qmp, "screendump", args, on_screendump, c);
}

/* ---- power management: S3/S4 through the agent, wake-up through QMP ---- */

static void on_status(json_object *ret, const char *error, void *opaque)
{
    call_ctx *c = opaque;
    json_object *st = NULL;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (error || !dom || !dom->qmp) {
        end(c, VR_ERR_FAILED, NULL, error ? error : "QEMU exited");
        return;
    }
    if (!json_object_object_get_ex(ret, "status", &st) || strcmp(json_object_get_string(st), "suspended") != 0) {
        char *m = vr_asprintf("domain '%s' is not suspended by its guest (dompmsuspend puts it there); "
                              "it is %s", c->name, st ? json_object_get_string(st) : "in an unknown state");
        end(c, VR_ERR_CONFLICT, NULL, m);
        free(m);
        return;
    }
    vr_qmp_command(dom->qmp, "system_wakeup", NULL, on_reply, c);
}

void vr_qemu_pm_wakeup(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque)
{
    call_ctx *c = begin(dom, cb, opaque);
    if (c)
        vr_qmp_command(dom->qmp, "query-status", NULL, on_status, c);
}

typedef struct {
    char *name;
    vr_qemu_driver *drv;
    const char *agent_cmd;
    vr_qemu_reply_fn cb;
    void *opaque;
} pm_ctx;

void vr_qemu_agent_execute(vr_domain *dom, const char *execute, int timeout, vr_agent_fn cb, void *opaque)
{
    json_object *cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string(execute));
    char *err = NULL;
    if (vr_qemu_agent_command(dom, cmd, timeout, cb, opaque, &err) != VR_OK) {
        cb(NULL, err, opaque);
        free(err);
    }
    json_object_put(cmd);
}

static void pm_end(pm_ctx *p, vr_err code, const char *err)
{
    p->cb(code, NULL, err, p->opaque);
    free(p->name);
    free(p);
}

static void on_suspended(json_object *ret, const char *err, void *opaque)
{
    (void)ret;
    pm_end(opaque, err ? VR_ERR_FAILED : VR_OK, err);
}

/* query-current-machine: can this machine wake from S3 at all? */
static void on_machine(json_object *ret, const char *error, void *opaque)
{
    pm_ctx *p = opaque;
    vr_domain *dom = vr_qemu_lookup(p->drv, p->name);
    json_object *s3 = NULL;
    if (!error && strcmp(p->agent_cmd, "guest-suspend-disk") != 0 &&
        json_object_object_get_ex(ret, "wakeup-suspend-support", &s3) && !json_object_get_boolean(s3)) {
        char *m = vr_asprintf("domain '%s' cannot wake from suspend to RAM on this machine (QEMU reports "
                              "no wakeup support); use --target disk", p->name);
        pm_end(p, VR_ERR_UNSUPPORTED, m);
        free(m);
        return;
    }
    if (!dom) {
        pm_end(p, VR_ERR_FAILED, "the domain went away");
        return;
    }
    vr_qemu_agent_execute(dom, p->agent_cmd, 3, on_suspended, p);
}

void vr_qemu_pm_suspend(vr_domain *dom, const char *target, vr_qemu_reply_fn cb, void *opaque)
{
    const char *cmd = !target || strcmp(target, "mem") == 0 ? "guest-suspend-ram"
                      : strcmp(target, "disk") == 0          ? "guest-suspend-disk"
                      : strcmp(target, "hybrid") == 0        ? "guest-suspend-hybrid"
                                                             : NULL;
    char *m = NULL;
    vr_err code = VR_ERR_CONFLICT;
    if (!cmd) {
        m = vr_asprintf("target '%s' is not one of mem, disk, hybrid", target);
        code = VR_ERR_INVALID;
    } else if (dom->state != VR_DOM_RUNNING || !dom->qmp) {
        m = vr_asprintf("domain '%s' is not running", dom->def->name);
    } else if (!vr_qemu_agent_configured(dom->def)) {
        m = vr_asprintf("dompmsuspend needs the guest agent: domain '%s' has no channel "
                        "org.qemu.guest_agent.0 (add one and run qemu-guest-agent in the guest)",
                        dom->def->name);
        code = VR_ERR_UNSUPPORTED;
    }
    if (m) {
        cb(code, NULL, m, opaque);
        free(m);
        return;
    }
    pm_ctx *p = vr_calloc(1, sizeof(*p));
    *p = (pm_ctx){.name = vr_strdup(dom->def->name), .drv = dom->drv, .agent_cmd = cmd, .cb = cb,
                  .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-current-machine", NULL, on_machine, p);
}

/* ---- domhostname: the guest agent's guest-get-host-name ---- */

static void on_host_name(json_object *ret, const char *err, void *opaque)
{
    pm_ctx *p = opaque;
    json_object *h = NULL;
    if (!err && !json_object_object_get_ex(ret, "host-name", &h))
        err = "the guest agent answered without a host name";
    p->cb(err ? VR_ERR_FAILED : VR_OK, h, err, p->opaque);
    free(p->name);
    free(p);
}

void vr_qemu_guest_hostname(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque)
{
    if (dom->state != VR_DOM_SHUTOFF && !vr_qemu_agent_configured(dom->def)) {
        char *m = vr_asprintf("domhostname needs the guest agent: domain '%s' has no channel "
                              "org.qemu.guest_agent.0 (add one and run qemu-guest-agent in the guest)",
                              dom->def->name);
        cb(VR_ERR_UNSUPPORTED, NULL, m, opaque);
        free(m);
        return;
    }
    pm_ctx *p = vr_calloc(1, sizeof(*p));
    *p = (pm_ctx){.name = vr_strdup(dom->def->name), .drv = dom->drv, .cb = cb, .opaque = opaque};
    vr_qemu_agent_execute(dom, "guest-get-host-name", 5, on_host_name, p);
}

/* ---- qemu-monitor-command: the escape hatch, logged ---- */

void vr_qemu_monitor_command(vr_domain *dom, const char *text, bool hmp, vr_qemu_reply_fn cb, void *opaque)
{
    json_object *args = NULL;
    char *owned = NULL;
    const char *cmd = "human-monitor-command";
    if (hmp) {
        args = json_object_new_object();
        json_object_object_add(args, "command-line", json_object_new_string(text));
    } else {
        json_object *o = json_tokener_parse(text), *ex = NULL, *a = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "execute", &ex) ||
            !json_object_is_type(ex, json_type_string)) {
            json_object_put(o);
            cb(VR_ERR_INVALID, NULL, "the command is not a QMP command ({\"execute\": \"query-status\"}); "
                                     "use --hmp for the human monitor's syntax", opaque);
            return;
        }
        cmd = owned = vr_strdup(json_object_get_string(ex));
        if (json_object_object_get_ex(o, "arguments", &a))
            args = json_object_get(a);
        json_object_put(o);
    }
    vr_log_info("domain %s: qemu-monitor-command%s: %s", dom->def->name, hmp ? " --hmp" : "", text);
    command(dom, cmd, args, cb, opaque);
    free(owned);
}
