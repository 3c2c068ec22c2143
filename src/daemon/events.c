#include "daemon/events.h"
#include "common/util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <string.h>

/* A subscriber that stops reading gets dropped rather than make the
 * daemon buffer without bound. */
#define MAX_BACKLOG (4u * 1024 * 1024)

typedef struct sub {
    struct sub *next;
    vr_events *ev;
    struct bufferevent *bev;
    vr_upgraded *up;
} sub;

struct vr_events {
    struct event_base *base;
    sub *subs;
};

vr_events *vr_events_new(struct event_base *base)
{
    vr_events *ev = vr_calloc(1, sizeof(*ev));
    ev->base = base;
    return ev;
}

static void drop(sub *s)
{
    vr_events *ev = s->ev;
    for (sub **pp = &ev->subs; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    bufferevent_free(s->bev);
    vr_http_upgrade_close(s->up);
    free(s);
}

void vr_events_free(vr_events *ev)
{
    if (!ev)
        return;
    while (ev->subs)
        drop(ev->subs);
    free(ev);
}

void vr_events_publish(vr_events *ev, json_object *event)
{
    const char *s = json_object_to_json_string_ext(event, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = strlen(s);
    for (sub *x = ev->subs, *next; x; x = next) {
        next = x->next;
        if (evbuffer_get_length(bufferevent_get_output(x->bev)) > MAX_BACKLOG) {
            drop(x);
            continue;
        }
        bufferevent_write(x->bev, s, n);
        bufferevent_write(x->bev, "\n", 1);
    }
    json_object_put(event);
}

static void on_sub_read(struct bufferevent *bev, void *arg)
{
    /* Subscribers have nothing to say; discard. */
    evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void on_sub_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        drop(arg);
}

static void on_upgraded(vr_upgraded *up, int fd, const char *initial, size_t n, void *opaque)
{
    vr_events *ev = opaque;
    sub *s = vr_calloc(1, sizeof(*s));
    s->ev = ev;
    s->up = up;
    evutil_make_socket_nonblocking(fd);
    s->bev = bufferevent_socket_new(ev->base, fd, 0);
    bufferevent_setcb(s->bev, on_sub_read, NULL, on_sub_event, s);
    bufferevent_enable(s->bev, EV_READ | EV_WRITE);
    s->next = ev->subs;
    ev->subs = s;
}

void vr_events_subscribe(vr_events *ev, vr_req *req)
{
    vr_req_upgrade(req, "vireo-stream", on_upgraded, ev);
}
