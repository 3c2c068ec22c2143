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
    bool samples; /* asked for the periodic stats line */
} sub;

struct vr_events {
    struct event_base *base;
    sub *subs;
    vr_events_sample_fn sample;
    void *sample_opaque;
    struct timeval period;
    struct event *timer; /* pending only while a subscriber wants samples */
    /* In-process listeners: each libvirt socket's server (libvirt-sock
     * and -ro, and with --libvirt-paths libvirt's four more). */
    struct listener {
        vr_events_listener_fn fn;
        void *opaque;
    } *listeners;
    size_t n_listeners;
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

/* Queue `o` as one line for every subscriber (with `samples_only`, those
 * that asked for samples; with `only`, that one). A subscriber that
 * stopped reading is dropped rather than buffered without bound. */
static void broadcast(vr_events *ev, json_object *o, bool samples_only, sub *only)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = strlen(s);
    for (sub *x = ev->subs, *next; x; x = next) {
        next = x->next;
        if ((samples_only && !x->samples) || (only && x != only))
            continue;
        if (evbuffer_get_length(bufferevent_get_output(x->bev)) > MAX_BACKLOG) {
            drop(x);
            continue;
        }
        bufferevent_write(x->bev, s, n);
        bufferevent_write(x->bev, "\n", 1);
    }
}

static bool anyone_samples(const vr_events *ev)
{
    for (const sub *x = ev->subs; x; x = x->next)
        if (x->samples)
            return true;
    return false;
}

/* One sample for every subscriber that asked, or only for `only`. */
static void send_sample(vr_events *ev, sub *only)
{
    json_object *o = ev->sample(ev->sample_opaque);
    broadcast(ev, o, true, only);
    json_object_put(o);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    vr_events *ev = arg;
    if (!anyone_samples(ev))
        return; /* the last one left: the timer stays off until another asks */
    send_sample(ev, NULL);
    evtimer_add(ev->timer, &ev->period);
}

void vr_events_set_sampler(vr_events *ev, vr_events_sample_fn fn, void *opaque, int period_ms)
{
    ev->sample = fn;
    ev->sample_opaque = opaque;
    ev->period = (struct timeval){period_ms / 1000, (period_ms % 1000) * 1000};
    if (!ev->timer)
        ev->timer = evtimer_new(ev->base, on_tick, ev);
}

void vr_events_free(vr_events *ev)
{
    if (!ev)
        return;
    while (ev->subs)
        drop(ev->subs);
    if (ev->timer)
        event_free(ev->timer);
    free(ev->listeners);
    free(ev);
}

void vr_events_listen(vr_events *ev, vr_events_listener_fn fn, void *opaque)
{
    ev->listeners = vr_realloc(ev->listeners, (ev->n_listeners + 1) * sizeof(*ev->listeners));
    ev->listeners[ev->n_listeners++] = (struct listener){fn, opaque};
}

void vr_events_publish(vr_events *ev, json_object *event)
{
    for (size_t i = 0; i < ev->n_listeners; i++)
        ev->listeners[i].fn(event, ev->listeners[i].opaque);
    broadcast(ev, event, false, NULL);
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
    (void)initial, (void)n;
    sub *s = opaque; /* made at subscribe time to carry the samples flag */
    vr_events *ev = s->ev;
    s->up = up;
    evutil_make_socket_nonblocking(fd);
    s->bev = bufferevent_socket_new(ev->base, fd, 0);
    bufferevent_setcb(s->bev, on_sub_read, NULL, on_sub_event, s);
    bufferevent_enable(s->bev, EV_READ | EV_WRITE);
    s->next = ev->subs;
    ev->subs = s;
    if (s->samples && ev->sample) {
        send_sample(ev, s); /* the list fills in at once, not after a period */
        if (!evtimer_pending(ev->timer, NULL))
            evtimer_add(ev->timer, &ev->period);
    }
}

void vr_events_subscribe(vr_events *ev, vr_req *req, bool samples)
{
    sub *s = vr_calloc(1, sizeof(*s));
    s->ev = ev;
    s->samples = samples;
    vr_req_upgrade(req, "vireo-stream", on_upgraded, free, s);
}

void vr_events_sample_now(vr_events *ev)
{
    if (ev->sample && anyone_samples(ev))
        send_sample(ev, NULL);
}
