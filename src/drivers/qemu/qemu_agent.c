/* The QEMU guest agent (qemu-ga in the guest, on the virtio-serial port
 * org.qemu.guest_agent.0 whose host end is RUNTIME/qemu/NAME/qga.sock).
 * One call is one connection: connect, resynchronise with
 * guest-sync-delimited (an agent may hold half a reply of an earlier
 * client), send the command, read its one reply. An agent that is not
 * running in the guest never answers: the call ends with an error after
 * its timeout, and the event loop serves everyone else meanwhile. */
#include "drivers/qemu/qemu_domain.h"
#include "common/util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define AGENT_NAME "org.qemu.guest_agent.0"

typedef struct {
    char *domain;
    char *cmd;
    json_object *args;
    bool no_reply; /* guest-suspend-*: the agent says nothing when it works */
    bool synced;
    long long sync_id;
    struct bufferevent *bev;
    struct event *timer;
    vr_agent_fn cb;
    void *opaque;
} agent_call;

bool vr_qemu_has_agent(const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_channels; i++)
        if (def->channels[i].type == VR_CHANNEL_UNIX && def->channels[i].target_name &&
            strcmp(def->channels[i].target_name, AGENT_NAME) == 0)
            return true;
    return false;
}

static void finish(agent_call *a, json_object *ret, const char *err)
{
    a->cb(ret, err, a->opaque);
    if (a->bev)
        bufferevent_free(a->bev);
    if (a->timer)
        event_free(a->timer);
    json_object_put(a->args);
    free(a->domain);
    free(a->cmd);
    free(a);
}

static void send_line(agent_call *a, const char *cmd, json_object *args)
{
    json_object *m = json_object_new_object();
    json_object_object_add(m, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(m, "arguments", args);
    const char *s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
    bufferevent_write(a->bev, s, strlen(s));
    bufferevent_write(a->bev, "\n", 1);
    json_object_put(m);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    agent_call *a = arg;
    if (a->synced && a->no_reply) {
        finish(a, NULL, NULL);
        return;
    }
    char *m = vr_asprintf("the guest agent of domain '%s' did not answer %s; is qemu-guest-agent "
                          "running in the guest?", a->domain, a->cmd);
    finish(a, NULL, m);
    free(m);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    agent_call *a = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    char *line;
    size_t len;
    while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF))) {
        /* guest-sync-delimited's answer starts with 0xFF. */
        char *p = line;
        while (*p == '\xff')
            p++;
        json_object *o = json_tokener_parse(p);
        free(line);
        json_object *ret = NULL, *error = NULL, *desc = NULL;
        if (!o)
            continue;
        bool has_ret = json_object_object_get_ex(o, "return", &ret);
        json_object_object_get_ex(o, "error", &error);
        if (!a->synced) {
            if (has_ret && json_object_get_int64(ret) == a->sync_id) {
                a->synced = true;
                send_line(a, a->cmd, a->args);
                a->args = NULL;
            }
            json_object_put(o);
            continue;
        }
        if (error) {
            json_object_object_get_ex(error, "desc", &desc);
            char *m = vr_asprintf("the guest agent refused %s: %s", a->cmd,
                                  desc ? json_object_get_string(desc) : "no reason given");
            finish(a, NULL, m);
            free(m);
        } else {
            finish(a, ret, NULL);
        }
        json_object_put(o);
        return;
    }
}

static void on_sock_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    agent_call *a = arg;
    if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
        return;
    if (a->synced && a->no_reply) {
        finish(a, NULL, NULL); /* suspending: the guest went away mid-call */
        return;
    }
    char *m = vr_asprintf("the guest agent channel of domain '%s' closed during %s", a->domain, a->cmd);
    finish(a, NULL, m);
    free(m);
}

void vr_qemu_agent_call(vr_domain *dom, const char *cmd, json_object *args, bool no_reply, int timeout_s,
                        vr_agent_fn cb, void *opaque)
{
    char *err = NULL;
    if (dom->state == VR_DOM_SHUTOFF || !dom->runtime_dir)
        err = vr_asprintf("domain '%s' is not running", dom->def->name);
    else if (!vr_qemu_has_agent(dom->def))
        err = vr_asprintf("domain '%s' has no guest agent channel; this needs the guest agent (add <channel "
                          "type='unix'><target type='virtio' name='" AGENT_NAME "'/></channel> and run "
                          "qemu-guest-agent in the guest)", dom->def->name);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = -1;
    if (!err) {
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qga.sock", dom->runtime_dir);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            err = vr_asprintf("cannot reach the guest agent channel of domain '%s': %m", dom->def->name);
    }
    if (err) {
        if (fd >= 0)
            close(fd);
        json_object_put(args);
        cb(NULL, err, opaque);
        free(err);
        return;
    }
    agent_call *a = vr_calloc(1, sizeof(*a));
    static long long next_sync = 1000;
    *a = (agent_call){.domain = vr_strdup(dom->def->name), .cmd = vr_strdup(cmd), .args = args,
                      .no_reply = no_reply, .sync_id = ++next_sync, .cb = cb, .opaque = opaque};
    a->bev = bufferevent_socket_new(dom->drv->base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a->bev, on_read, NULL, on_sock_event, a);
    bufferevent_enable(a->bev, EV_READ | EV_WRITE);
    a->timer = evtimer_new(dom->drv->base, on_timeout, a);
    struct timeval tv = {.tv_sec = timeout_s};
    evtimer_add(a->timer, &tv);
    bufferevent_write(a->bev, "\xff", 1);
    json_object *sync = json_object_new_object();
    json_object_object_add(sync, "id", json_object_new_int64(a->sync_id));
    send_line(a, "guest-sync-delimited", sync);
}
