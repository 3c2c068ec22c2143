/* libvirt protocol: guest and host helpers of a running domain over the
 * calls the HTTP routes in api_guest.c and api_agent.c use (guest_ops.c,
 * qemu_guest.c, qemu_agent.c): screenshot (a stream of the PNG), send-key,
 * reset, domhostname, dompmsuspend/-wakeup, domtime, and the QEMU
 * program's qemu-monitor-command and qemu-agent-command; domfsinfo,
 * domfsfreeze, domfsthaw and domfstrim through guest_ops.c. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/guest_ops.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One stream message's bytes (libvirt's clients take at most 256 KiB). */
#define CHUNK (256 * 1024 - 24)

/* What the call's reply carries from QEMU's or the agent's answer. */
typedef enum { ANSWER_NONE, ANSWER_HOSTNAME, ANSWER_SCREENSHOT, ANSWER_MONITOR, ANSWER_HMP, ANSWER_AGENT,
               ANSWER_TIME } answer_kind;

typedef struct {
    vr_rpc_call *call;
    answer_kind kind;
} pending;

static pending *pend(vr_rpc_call *c, answer_kind kind)
{
    pending *p = vr_calloc(1, sizeof(*p));
    *p = (pending){.call = c, .kind = kind};
    return p;
}

/* ---- screenshot: the PNG file as the call's stream ---- */

typedef struct {
    int fd;
    char *buf;
} png_stream;

static void png_free(png_stream *p)
{
    if (p->fd >= 0)
        close(p->fd);
    free(p->buf);
    free(p);
}

static void png_more(vr_rpc_stream *s, void *opaque)
{
    png_stream *p = opaque;
    while (p->fd >= 0 && vr_rpc_stream_room(s)) {
        ssize_t n = read(p->fd, p->buf, CHUNK);
        if (n < 0) {
            vr_rpc_stream_fail(s, VR_ERR_FAILED, "reading the screenshot failed");
            return;
        }
        if (n == 0) {
            close(p->fd);
            p->fd = -1;
            vr_rpc_stream_eof(s);
            return;
        }
        vr_rpc_stream_send(s, p->buf, (size_t)n);
    }
}

static void png_finish(vr_rpc_stream *s, void *opaque)
{
    png_free(opaque);
    vr_rpc_stream_finished(s, VR_OK, NULL);
}

static void png_data(vr_rpc_stream *s, void *opaque, const char *buf, size_t n)
{
    vr_rpc_stream_fail(s, VR_ERR_INVALID, "a screenshot takes no data from the client");
}

static void png_abort(void *opaque) { png_free(opaque); }

static const vr_rpc_stream_ops png_ops = {
    .data = png_data, .finish = png_finish, .abort = png_abort, .writable = png_more};

static vr_err open_screenshot(vr_rpc_call *c, json_object *ret, char **err)
{
    json_object *path = NULL;
    if (!json_object_object_get_ex(ret, "path", &path)) {
        *err = vr_strdup("QEMU named no screenshot file");
        return VR_ERR_FAILED;
    }
    unsigned long long size = 0;
    int fd = vr_core_screenshot_open(json_object_get_string(path), &size, err);
    if (fd < 0)
        return VR_ERR_FAILED;
    png_stream *p = vr_calloc(1, sizeof(*p));
    p->fd = fd;
    p->buf = vr_malloc(CHUNK);
    vr_rpc_stream_open(c, &png_ops, p);
    vrp_screenshot_ret *r = c->ret;
    r->mime = vr_malloc(sizeof(char *));
    *r->mime = vr_strdup("image/png");
    return VR_OK;
}

/* ---- answers ---- */

/* {"return": RET} as libvirt's clients print an agent's or QMP's reply. */
static char *return_json(json_object *ret)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "return", ret ? json_object_get(ret) : json_object_new_object());
    char *text = vr_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

static void on_reply(vr_err code, json_object *ret, const char *err, void *opaque)
{
    pending *p = opaque;
    vr_rpc_call *c = p->call;
    answer_kind kind = p->kind;
    free(p);
    char *own_err = NULL;
    if (code == VR_OK && !vr_rpc_call_alive(c))
        code = VR_ERR_FAILED; /* the client left: nothing to stream to */
    else if (code == VR_OK && kind == ANSWER_SCREENSHOT)
        code = open_screenshot(c, ret, &own_err);
    else if (code == VR_OK && kind == ANSWER_HOSTNAME)
        ((vrp_str_ret *)c->ret)->value = vr_strdup(ret ? json_object_get_string(ret) : "");
    else if (code == VR_OK && kind == ANSWER_HMP)
        ((vrp_str_ret *)c->ret)->value = vr_strdup(ret ? json_object_get_string(ret) : "");
    else if (code == VR_OK && kind == ANSWER_MONITOR)
        ((vrp_str_ret *)c->ret)->value = return_json(ret);
    else if (code == VR_OK && kind == ANSWER_TIME) {
        long long ns = ret ? json_object_get_int64(ret) : 0;
        ((vrp_time_ret *)c->ret)->seconds = ns / 1000000000;
        ((vrp_time_ret *)c->ret)->nseconds = (unsigned)(ns % 1000000000);
    }
    vr_rpc_done(c, code, own_err ? own_err : err, VR_RPC_DOMAIN);
    free(own_err);
}

static void on_agent(json_object *ret, const char *error, void *opaque)
{
    pending *p = opaque;
    if (!error && p->kind == ANSWER_AGENT) {
        vrp_agent_ret *r = p->call->ret;
        r->result = vr_malloc(sizeof(char *));
        *r->result = return_json(ret);
    }
    on_reply(error ? VR_ERR_FAILED : VR_OK, ret, error, p);
}

/* One command to the guest agent; cmd is taken. */
static vr_rpc_result agent(vr_rpc_call *c, vr_domain *dom, json_object *cmd, int timeout, answer_kind kind)
{
    char *err = NULL;
    pending *p = pend(c, kind);
    vr_err code = vr_qemu_agent_command(dom, cmd, timeout, on_agent, p, &err);
    json_object_put(cmd);
    if (code == VR_OK)
        return VR_RPC_LATER;
    free(p);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

/* ---- procedures ---- */

static vr_rpc_result screenshot(vr_rpc_call *c)
{
    vrp_screenshot_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    vr_qemu_screenshot(dom, a->screen, on_reply, pend(c, ANSWER_SCREENSHOT));
    return VR_RPC_LATER;
}

/* virKeycodeSet's numbers: the codesets the driver reads (linux, xt,
 * qnum; libvirt's "rfb" is QEMU's qnum). */
static vr_rpc_result send_key(vr_rpc_call *c)
{
    vrp_send_key_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    const char *codeset = vr_core_keycode_set_name(a->codeset); /* libvirt's virKeycodeSet */
    if (!codeset)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "keycode set %u is not one of libvirt's (0 linux to 9 qnum)",
                           a->codeset);
    size_t n = a->keycodes.keycodes_len;
    char text[VR_SEND_KEY_MAX][16];
    const char *keys[VR_SEND_KEY_MAX];
    for (size_t i = 0; i < n && i < VR_SEND_KEY_MAX; i++) {
        snprintf(text[i], sizeof(text[i]), "%u", a->keycodes.keycodes_val[i]);
        keys[i] = text[i];
    }
    vr_core_send_key(dom, codeset, keys, n, a->holdtime, on_reply, pend(c, ANSWER_NONE));
    return VR_RPC_LATER;
}

/* reset and pm-wakeup: the domain and flags 0. */
static vr_rpc_result simple(vr_rpc_call *c, void (*op)(vr_domain *, vr_qemu_reply_fn, void *))
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    op(dom, on_reply, pend(c, ANSWER_NONE));
    return VR_RPC_LATER;
}

static vr_rpc_result reset(vr_rpc_call *c) { return simple(c, vr_qemu_reset); }
static vr_rpc_result pm_wakeup(vr_rpc_call *c) { return simple(c, vr_qemu_pm_wakeup); }

static vr_rpc_result pm_suspend(vr_rpc_call *c)
{
    static const char *const targets[] = {"mem", "disk", "hybrid"};
    vrp_pm_suspend_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    if (a->target >= VR_ARRAY_LEN(targets))
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "suspend target %u is not mem (0), disk (1) or hybrid (2)",
                           a->target);
    if (a->duration)
        return vr_rpc_fail(c, VIR_ERR_CONFIG_UNSUPPORTED, "a suspend for a duration is not supported (the "
                           "guest agent suspends until woken: give --duration 0)");
    vr_qemu_pm_suspend(dom, targets[a->target], on_reply, pend(c, ANSWER_NONE));
    return VR_RPC_LATER;
}

/* domhostname: from the guest agent (VIR_DOMAIN_GET_HOSTNAME_AGENT, or
 * no flag); the DHCP lease's name is not asked for (LEASE refused). */
static vr_rpc_result hostname(vr_rpc_call *c)
{
    enum { HOSTNAME_AGENT = 2 };
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, HOSTNAME_AGENT))
        return VR_RPC_FAILED;
    vr_qemu_guest_hostname(dom, on_reply, pend(c, ANSWER_HOSTNAME));
    return VR_RPC_LATER;
}

/* A call of (domain, flags 0) answered by one agent command without
 * arguments. */
static vr_rpc_result agent_query(vr_rpc_call *c, const char *execute, answer_kind kind)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    json_object *cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string(execute));
    return agent(c, dom, cmd, 0, kind);
}

/* domtime: guest-get-time's nanoseconds. */
static vr_rpc_result get_time(vr_rpc_call *c) { return agent_query(c, "guest-get-time", ANSWER_TIME); }

/* ---- domfsinfo, domfsfreeze, domfsthaw, domfstrim: the core's calls ---- */

/* The core's list as domfsinfo's, at most the wire's bounds. */
static void on_fsinfo(const vr_guest_fs_list *fs, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (!err) {
        vrp_fsinfo_ret *r = c->ret;
        size_t n = fs->n < VRP_FSINFO_MAX ? fs->n : VRP_FSINFO_MAX;
        r->info.info_val = vr_calloc(n + 1, sizeof(vrp_fsinfo));
        for (size_t i = 0; i < n; i++) {
            vrp_fsinfo *f = &r->info.info_val[r->info.info_len++];
            f->mountpoint = vr_strdup(fs->v[i].mountpoint);
            f->name = vr_strdup(fs->v[i].name);
            f->fstype = vr_strdup(fs->v[i].type);
            size_t k = fs->v[i].n_targets < VRP_FSINFO_DISKS_MAX ? fs->v[i].n_targets : VRP_FSINFO_DISKS_MAX;
            f->dev_aliases.dev_aliases_val = vr_calloc(k + 1, sizeof(char *));
            for (size_t j = 0; j < k; j++)
                f->dev_aliases.dev_aliases_val[f->dev_aliases.dev_aliases_len++] = vr_strdup(fs->v[i].targets[j]);
        }
        r->count = r->info.info_len;
    }
    vr_rpc_done(c, err ? VR_ERR_FAILED : VR_OK, err, VR_RPC_DOMAIN);
}

static vr_rpc_result get_fsinfo(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_core_fs_info(dom, on_fsinfo, c, &err);
    return code == VR_OK ? VR_RPC_LATER : vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

/* Frozen or thawed: the count; trimmed: nothing (FSTrim's ret is void). */
static void on_fs_count(int count, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (!err)
        ((vrp_int_ret *)c->ret)->value = count;
    vr_rpc_done(c, err ? VR_ERR_FAILED : VR_OK, err, VR_RPC_DOMAIN);
}

static void on_fs_trimmed(int count, const char *err, void *opaque)
{
    vr_rpc_done(opaque, err ? VR_ERR_FAILED : VR_OK, err, VR_RPC_DOMAIN);
}

/* domfsfreeze / domfsthaw [--mountpoint M]...: flags 0. */
static vr_rpc_result fs_freeze_thaw(vr_rpc_call *c, bool freeze)
{
    vrp_fsfreeze_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    char *err = NULL;
    size_t n = a->mountpoints.mountpoints_len;
    vr_err code = freeze ? vr_core_fs_freeze(dom, (const char *const *)a->mountpoints.mountpoints_val, n,
                                             on_fs_count, c, &err)
                         : vr_core_fs_thaw(dom, n, on_fs_count, c, &err);
    return code == VR_OK ? VR_RPC_LATER : vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result fs_freeze(vr_rpc_call *c) { return fs_freeze_thaw(c, true); }
static vr_rpc_result fs_thaw(vr_rpc_call *c) { return fs_freeze_thaw(c, false); }

/* domfstrim [--minimum BYTES] [--mountpoint M]: flags 0. */
static vr_rpc_result fs_trim(vr_rpc_call *c)
{
    vrp_fstrim_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_core_fs_trim(dom, a->mountpoint ? *a->mountpoint : NULL, a->minimum, on_fs_trimmed, c, &err);
    return code == VR_OK ? VR_RPC_LATER : vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

/* domtime --time/--now, or --sync (VIR_DOMAIN_TIME_SYNC): guest-set-time
 * without a time reads the guest's RTC again. */
static vr_rpc_result set_time(vr_rpc_call *c)
{
    enum { TIME_SYNC = 1 };
    vrp_set_time_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, TIME_SYNC))
        return VR_RPC_FAILED;
    if (a->seconds < 0 || a->seconds > 9223372035LL || a->nseconds >= 1000000000u)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "time %lld.%09u is out of range", (long long)a->seconds,
                           a->nseconds);
    json_object *cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string("guest-set-time"));
    if (!(a->flags & TIME_SYNC)) {
        json_object *args = json_object_new_object();
        json_object_object_add(args, "time", json_object_new_int64(a->seconds * 1000000000LL + a->nseconds));
        json_object_object_add(cmd, "arguments", args);
    }
    return agent(c, dom, cmd, 0, ANSWER_NONE);
}

/* qemu-monitor-command: QMP as JSON text, or with
 * VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP a human monitor line. */
static vr_rpc_result monitor_command(vr_rpc_call *c)
{
    enum { MONITOR_HMP = 1 };
    vrp_monitor_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, MONITOR_HMP))
        return VR_RPC_FAILED;
    bool hmp = a->flags & MONITOR_HMP;
    vr_qemu_monitor_command(dom, a->cmd, hmp, on_reply, pend(c, hmp ? ANSWER_HMP : ANSWER_MONITOR));
    return VR_RPC_LATER;
}

/* qemu-agent-command: the command as JSON text; libvirt's timeouts
 * BLOCK (-2), DEFAULT (-1) and NOWAIT (0) take the driver's default. */
static vr_rpc_result agent_command(vr_rpc_call *c)
{
    vrp_agent_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    json_object *cmd = json_tokener_parse(a->cmd), *ex = NULL;
    if (!cmd || !json_object_object_get_ex(cmd, "execute", &ex)) {
        json_object_put(cmd);
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "the agent command is not {\"execute\": \"guest-...\"} "
                           "JSON");
    }
    return agent(c, dom, cmd, a->timeout > 0 ? (a->timeout > 3600 ? 3600 : a->timeout) : 0, ANSWER_AGENT);
}

/* ---- guestinfo: the core's typed list as libvirt's typed parameters ---- */

static void on_guest_info(const vr_guest_fields *info, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (!err) {
        vr_rpc_params p = {0};
        for (size_t i = 0; i < info->n && i < VRP_GUEST_INFO_PARAMS_MAX; i++) {
            const vr_guest_field *f = &info->v[i];
            char *key = vr_strdup(f->key);
            switch (f->type) {
            case VR_GUEST_STRING: vr_rpc_param_str(&p, key, f->s); break;
            case VR_GUEST_UINT: vr_rpc_param_uint(&p, key, (unsigned)f->u); break;
            case VR_GUEST_ULLONG: vr_rpc_param_ull(&p, key, (long long)f->u); break;
            case VR_GUEST_INT: vr_rpc_param_int(&p, key, (int)f->i); break;
            case VR_GUEST_BOOL: vr_rpc_param_bool(&p, key, f->b); break;
            }
        }
        vrp_guest_info_ret *r = c->ret;
        r->params.params_val = p.val;
        r->params.params_len = p.len;
    }
    vr_rpc_done(c, err ? VR_ERR_FAILED : VR_OK, err, VR_RPC_DOMAIN);
}

/* guestinfo [--user --os --timezone --hostname --filesystem --disk
 * --interface]: the kinds asked (none: all), flags 0. */
static vr_rpc_result guest_info(vr_rpc_call *c)
{
    vrp_guest_info_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_core_guest_info(dom, a->types, on_guest_info, c, &err);
    return code == VR_OK ? VR_RPC_LATER : vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

/* virDomainGetMessages (virsh dominfo's "Messages:"): flags
 * DEPRECATION (1) and TAINTING (2), 0 both. Served on the read-only
 * socket too, as libvirt serves it. */
static vr_rpc_result get_messages(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, VR_MESSAGE_DEPRECATION | VR_MESSAGE_TAINTING))
        return VR_RPC_FAILED;
    size_t n = 0;
    vrp_messages_ret *r = c->ret;
    r->msgs.msgs_val = vr_core_domain_messages(dom, a->flags, &n);
    r->msgs.msgs_len = (unsigned)(n < VRP_MESSAGES_MAX ? n : VRP_MESSAGES_MAX);
    return VR_RPC_OK;
}

/* Each is refused on the read-only socket, as libvirt refuses them: the
 * screen is a console's (VR_ACCESS_CONSOLE), the agent's answers are the
 * guest's own (VR_ACCESS_GUEST), the rest changes something. */
const vr_rpc_proc vr_rpc_guest_procs[] = {
    VR_RPC_PROC(211, "virDomainScreenshot", vrp_screenshot_args, vrp_screenshot_ret, screenshot, CONSOLE),
    VR_RPC_PROC(226, "virDomainSendKey", vrp_send_key_args, vrp_void, send_key, WRITE),
    VR_RPC_PROC(245, "virDomainReset", vrp_dom_flags_args, vrp_void, reset, WRITE),
    VR_RPC_PROC(261, "virDomainPMSuspendForDuration", vrp_pm_suspend_args, vrp_void, pm_suspend, WRITE),
    VR_RPC_PROC(267, "virDomainPMWakeup", vrp_dom_flags_args, vrp_void, pm_wakeup, WRITE),
    VR_RPC_PROC(277, "virDomainGetHostname", vrp_dom_flags_args, vrp_str_ret, hostname, GUEST),
    VR_RPC_PROC(349, "virDomainGetFSInfo", vrp_dom_flags_args, vrp_fsinfo_ret, get_fsinfo, GUEST),
    VR_RPC_PROC(335, "virDomainFSFreeze", vrp_fsfreeze_args, vrp_int_ret, fs_freeze, WRITE),
    VR_RPC_PROC(336, "virDomainFSThaw", vrp_fsfreeze_args, vrp_int_ret, fs_thaw, WRITE),
    VR_RPC_PROC(294, "virDomainFSTrim", vrp_fstrim_args, vrp_void, fs_trim, WRITE),
    VR_RPC_PROC(418, "virDomainGetGuestInfo", vrp_guest_info_args, vrp_guest_info_ret, guest_info, GUEST),
    VR_RPC_PROC(426, "virDomainGetMessages", vrp_dom_flags_args, vrp_messages_ret, get_messages, READ),
    VR_RPC_PROC(337, "virDomainGetTime", vrp_dom_flags_args, vrp_time_ret, get_time, GUEST),
    VR_RPC_PROC(338, "virDomainSetTime", vrp_set_time_args, vrp_void, set_time, WRITE),
    VR_RPC_PROC(VR_RPC_QEMU_PROC(1), "virDomainQemuMonitorCommand", vrp_monitor_args, vrp_str_ret,
                monitor_command, WRITE),
    VR_RPC_PROC(VR_RPC_QEMU_PROC(3), "virDomainQemuAgentCommand", vrp_agent_args, vrp_agent_ret, agent_command,
                WRITE),
    {0},
};
