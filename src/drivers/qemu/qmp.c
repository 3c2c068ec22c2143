#include "drivers/qemu/qmp.h"
#include "common/util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct pending {
    struct pending *next;
    long id;
    vr_qmp_reply_fn cb;
    void *opaque;
} pending;

struct vr_qmp {
    struct bufferevent *bev;
    bool ready;          /* qmp_capabilities answered */
    long next_id;
    pending *waiting;    /* sent, answer not yet in (in send order) */
    json_object *queued; /* array of commands sent before ready */
    vr_qmp_event_fn on_event;
    vr_qmp_closed_fn on_closed;
    void *opaque;
};

static void send_now(vr_qmp *q, json_object *msg)
{
    const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
    bufferevent_write(q->bev, s, strlen(s));
    bufferevent_write(q->bev, "\r\n", 2);
}

static void add_pending(vr_qmp *q, long id, vr_qmp_reply_fn cb, void *opaque)
{
    pending *p = vr_calloc(1, sizeof(*p));
    p->id = id;
    p->cb = cb;
    p->opaque = opaque;
    pending **tail = &q->waiting;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
}

/* {"execute": cmd, "arguments": args, "id": the next id}; takes args. */
static json_object *command_message(vr_qmp *q, const char *cmd, json_object *args, long *id)
{
    json_object *msg = json_object_new_object();
    *id = ++q->next_id;
    json_object_object_add(msg, "execute", json_object_new_string(cmd));
    if (args)
        json_object_object_add(msg, "arguments", args);
    json_object_object_add(msg, "id", json_object_new_int64(*id));
    return msg;
}

void vr_qmp_command(vr_qmp *q, const char *cmd, json_object *args, vr_qmp_reply_fn cb, void *opaque)
{
    long id;
    json_object *msg = command_message(q, cmd, args, &id);
    add_pending(q, id, cb, opaque);
    if (q->ready) {
        send_now(q, msg);
        json_object_put(msg);
    } else {
        json_object_array_add(q->queued, msg);
    }
}

int vr_qmp_command_fd(vr_qmp *q, const char *cmd, json_object *args, int fd, vr_qmp_reply_fn cb,
                     void *opaque, char **err)
{
    /* The descriptor travels with the command's own bytes, so whatever
     * is queued before must be out first. */
    struct evbuffer *out = bufferevent_get_output(q->bev);
    int sock = bufferevent_getfd(q->bev);
    while (q->ready && evbuffer_get_length(out) && evbuffer_write(out, sock) > 0)
        ;
    if (!q->ready || evbuffer_get_length(out)) {
        json_object_put(args);
        vr_set_error(err, "QEMU's monitor is busy; try again");
        return -1;
    }
    long id;
    json_object *msg = command_message(q, cmd, args, &id);
    char *line = vr_asprintf("%s\r\n", json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN));
    json_object_put(msg);
    size_t len = strlen(line);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct iovec iov = {.iov_base = line, .iov_len = len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        vr_set_error(err, "cannot pass a descriptor to QEMU's monitor: %s", n < 0 ? strerror(errno) : "closed");
        free(line);
        return -1;
    }
    /* The descriptor went with the first byte; the rest may follow. */
    if ((size_t)n < len)
        bufferevent_write(q->bev, line + n, len - (size_t)n);
    free(line);
    add_pending(q, id, cb, opaque);
    return 0;
}

static void on_caps(json_object *ret, const char *error, void *opaque)
{
    vr_qmp *q = opaque;
    q->ready = true;
    size_t n = json_object_array_length(q->queued);
    for (size_t i = 0; i < n; i++)
        send_now(q, json_object_array_get_idx(q->queued, i));
    json_object_put(q->queued);
    q->queued = json_object_new_array();
}

static void handle(vr_qmp *q, json_object *msg)
{
    json_object *v;
    if (json_object_object_get_ex(msg, "QMP", &v)) {
        /* The greeting: negotiate before anything else is sent. */
        json_object *caps = json_object_new_object();
        long id = ++q->next_id;
        json_object_object_add(caps, "execute", json_object_new_string("qmp_capabilities"));
        json_object_object_add(caps, "id", json_object_new_int64(id));
        /* The answer to qmp_capabilities must be matched first. */
        pending *p = vr_calloc(1, sizeof(*p));
        p->id = id;
        p->cb = on_caps;
        p->opaque = q;
        p->next = q->waiting;
        q->waiting = p;
        send_now(q, caps);
        json_object_put(caps);
        return;
    }
    if (json_object_object_get_ex(msg, "event", &v)) {
        json_object *data = NULL;
        json_object_object_get_ex(msg, "data", &data);
        if (q->on_event)
            q->on_event(json_object_get_string(v), data, q->opaque);
        return;
    }
    json_object *idv = NULL;
    if (!json_object_object_get_ex(msg, "id", &idv))
        return;
    long id = (long)json_object_get_int64(idv);
    for (pending **pp = &q->waiting; *pp; pp = &(*pp)->next) {
        if ((*pp)->id != id)
            continue;
        pending *p = *pp;
        *pp = p->next;
        json_object *ret = NULL, *err = NULL, *desc = NULL;
        json_object_object_get_ex(msg, "return", &ret);
        if (json_object_object_get_ex(msg, "error", &err))
            json_object_object_get_ex(err, "desc", &desc);
        if (p->cb) {
            if (err)
                p->cb(NULL, desc ? json_object_get_string(desc) : "QEMU refused the command", p->opaque);
            else
                p->cb(ret, NULL, p->opaque);
        }
        free(p);
        return;
    }
}

static void fail_pending(vr_qmp *q, const char *why)
{
    while (q->waiting) {
        pending *p = q->waiting;
        q->waiting = p->next;
        if (p->cb && p->cb != on_caps)
            p->cb(NULL, why, p->opaque);
        free(p);
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    vr_qmp *q = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    char *line;
    size_t n;
    while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF))) {
        json_object *msg = json_tokener_parse(line);
        free(line);
        if (msg) {
            handle(q, msg);
            json_object_put(msg);
        }
    }
}

void vr_qmp_drain(vr_qmp *q)
{
    if (!q)
        return;
    struct evbuffer *in = bufferevent_get_input(q->bev);
    evutil_socket_t fd = bufferevent_getfd(q->bev);
    while (fd >= 0 && evbuffer_read(in, fd, 65536) > 0)
        ;
    on_read(q->bev, q);
}

static void on_bev_event(struct bufferevent *bev, short what, void *arg)
{
    vr_qmp *q = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_disable(bev, EV_READ | EV_WRITE);
        fail_pending(q, "QEMU exited");
        if (q->on_closed)
            q->on_closed(q->opaque);
    }
}

vr_qmp *vr_qmp_connect(struct event_base *base, const char *path, vr_qmp_event_fn on_event,
                       vr_qmp_closed_fn on_closed, void *opaque, char **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        vr_set_error(err, "monitor socket path too long: %s", path);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        vr_set_error(err, "cannot reach QEMU's monitor at %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    evutil_make_socket_nonblocking(fd);
    vr_qmp *q = vr_calloc(1, sizeof(*q));
    q->queued = json_object_new_array();
    q->on_event = on_event;
    q->on_closed = on_closed;
    q->opaque = opaque;
    q->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(q->bev, on_read, NULL, on_bev_event, q);
    bufferevent_enable(q->bev, EV_READ | EV_WRITE);
    return q;
}

void vr_qmp_free(vr_qmp *q, bool notify)
{
    if (!q)
        return;
    bufferevent_free(q->bev);
    if (notify)
        fail_pending(q, "QEMU exited");
    while (q->waiting) {
        pending *p = q->waiting;
        q->waiting = p->next;
        free(p);
    }
    json_object_put(q->queued);
    free(q);
}
