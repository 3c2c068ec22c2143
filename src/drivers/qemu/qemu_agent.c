/* QEMU's guest agent (qemu-ga in the guest) through the domain's
 * <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>,
 * whose host end is QEMU's chardev server RUNTIME/qga.sock.
 *
 * One connection per command, on the event loop: connect, guest-sync
 * with a fresh id (the agent may still owe an answer to an earlier,
 * timed-out command: every line before the one echoing our id is
 * dropped), then the command and its one-line answer. QEMU serves one
 * client at a time, so commands of several callers queue in its backlog.
 * guest-shutdown and the guest-suspend-* commands answer nothing when
 * they work (the guest goes away): they end once sent. A guest without a
 * running agent never answers: the timeout says so. */
#include "drivers/qemu/qemu_domain.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define AGENT_NAME "org.qemu.guest_agent.0"

typedef struct {
    struct bufferevent *bev;
    struct event *timer;
    char *name;          /* the domain, for messages */
    char *command;       /* the command's JSON line */
    const char *execute; /* its name, inside `command`'s object */
    json_object *cmd;
    long long sync_id;
    bool synced, no_reply;
    int timeout;
    vr_agent_fn cb;
    void *opaque;
} agent_call;

static void call_end(agent_call *a, json_object *ret, const char *error)
{
    if (a->cb)
        a->cb(ret, error, a->opaque);
    if (a->bev)
        bufferevent_free(a->bev);
    if (a->timer)
        event_free(a->timer);
    json_object_put(a->cmd);
    free(a->command);
    free(a->name);
    free(a);
}

/* "domain 'NAME': WHAT (DETAIL)" */
static void fail(agent_call *a, const char *what, const char *detail)
{
    char *m = vr_asprintf("domain '%s': %s (%s)", a->name, what, detail);
    call_end(a, NULL, m);
    free(m);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    agent_call *a = arg;
    char secs[64];
    snprintf(secs, sizeof(secs), "waited %d s", a->timeout);
    fail(a, a->synced ? "the guest agent did not answer"
                      : "no guest agent answers: is qemu-ga running in the guest?", secs);
}

static void on_written(struct bufferevent *bev, void *arg)
{
    agent_call *a = arg;
    if (a->synced && a->no_reply && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        call_end(a, NULL, NULL);
}

/* True when the call ended (and `a` is gone). */
static bool on_line(agent_call *a, const char *line)
{
    /* guest-sync-delimited's 0xff, if an earlier client left one. */
    while ((unsigned char)*line == 0xff)
        line++;
    json_object *o = json_tokener_parse(line), *ret = NULL, *err = NULL;
    if (!o)
        return false;
    if (!a->synced) {
        if (json_object_object_get_ex(o, "return", &ret) && json_object_get_int64(ret) == a->sync_id) {
            a->synced = true;
            bufferevent_write(a->bev, a->command, strlen(a->command));
            bufferevent_write(a->bev, "\n", 1);
        }
        json_object_put(o);
        return false;
    }
    if (json_object_object_get_ex(o, "error", &err)) {
        json_object *desc = NULL;
        json_object_object_get_ex(err, "desc", &desc);
        char *m = vr_asprintf("domain '%s': the guest agent refused %s: %s", a->name, a->execute,
                              desc ? json_object_get_string(desc) : json_object_to_json_string(err));
        call_end(a, NULL, m);
        free(m);
    } else if (json_object_object_get_ex(o, "return", &ret)) {
        call_end(a, ret, NULL);
    } else {
        json_object_put(o);
        return false; /* an event, or noise: keep waiting */
    }
    json_object_put(o);
    return true;
}

static void on_read(struct bufferevent *bev, void *arg)
{
    agent_call *a = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    char *line;
    size_t n;
    while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF))) {
        bool ended = on_line(a, line);
        free(line);
        if (ended)
            return;
    }
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    agent_call *a = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        fail(a, "the guest agent's channel closed", what & BEV_EVENT_EOF ? "QEMU hung up" : strerror(errno));
}

bool vr_qemu_agent_configured(const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_channels; i++)
        if (def->channels[i].type == VR_CHANNEL_UNIX &&
            strcmp(def->channels[i].target_name, AGENT_NAME) == 0)
            return true;
    return false;
}

vr_err vr_qemu_agent_command(vr_domain *dom, json_object *cmd, int timeout, vr_agent_fn cb,
                             void *opaque, char **err)
{
    const char *name = dom->def->name;
    json_object *exec = NULL;
    if (!json_object_object_get_ex(cmd, "execute", &exec) || !json_object_is_type(exec, json_type_string)) {
        vr_set_error(err, "a guest agent command is a JSON object with \"execute\" (and "
                          "\"arguments\"), like {\"execute\":\"guest-info\"}");
        return VR_ERR_INVALID;
    }
    if (dom->state == VR_DOM_SHUTOFF || !dom->runtime_dir) {
        vr_set_error(err, "domain '%s' is not running", name);
        return VR_ERR_CONFLICT;
    }
    if (!vr_qemu_agent_configured(dom->def)) {
        vr_set_error(err, "domain '%s' has no guest agent channel: add <channel type='unix'><target "
                          "type='virtio' name='" AGENT_NAME "'/></channel> and restart it", name);
        return VR_ERR_UNSUPPORTED;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qga.sock", dom->runtime_dir);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        vr_set_error(err, "domain '%s': cannot reach the guest agent's channel %s: %s", name,
                     sa.sun_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return VR_ERR_FAILED;
    }
    evutil_make_socket_nonblocking(fd);
    agent_call *a = vr_calloc(1, sizeof(*a));
    struct event_base *base = vr_qemu_base(dom->drv);
    a->name = vr_strdup(name);
    a->cmd = json_object_get(cmd);
    a->command = vr_strdup(json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN));
    a->execute = json_object_get_string(exec);
    a->no_reply = strcmp(a->execute, "guest-shutdown") == 0 || vr_str_starts(a->execute, "guest-suspend-");
    a->timeout = timeout > 0 ? timeout : 10;
    a->cb = cb;
    a->opaque = opaque;
    static long long next_id = 1000;
    a->sync_id = ++next_id;
    a->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a->bev, on_read, on_written, on_event, a);
    bufferevent_enable(a->bev, EV_READ | EV_WRITE);
    a->timer = evtimer_new(base, on_timeout, a);
    struct timeval tv = {a->timeout, 0};
    evtimer_add(a->timer, &tv);
    /* guest-sync first: its id tells this call's answer from a stale one. */
    json_object *sync = json_object_new_object(), *args = json_object_new_object();
    json_object_object_add(args, "id", json_object_new_int64(a->sync_id));
    json_object_object_add(sync, "execute", json_object_new_string("guest-sync"));
    json_object_object_add(sync, "arguments", args);
    char *line = vr_asprintf("%s\n", json_object_to_json_string_ext(sync, JSON_C_TO_STRING_PLAIN));
    json_object_put(sync);
    bufferevent_write(a->bev, line, strlen(line));
    free(line);
    return VR_OK;
}
