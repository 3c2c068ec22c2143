/* Two sockets joined with libevent bufferevents. A side whose peer
 * has 1 MiB waiting stops being read until it drains, so a slow reader
 * holds back a fast writer instead of growing the daemon. */
#include "daemon/stream_pipe.h"
#include "common/util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>

#define HIGH_WATER (1 << 20)

typedef struct {
    struct bufferevent *client, *server;
    vr_pipe_done_fn on_done;
    void *opaque;
} pipe_ctx;

static struct bufferevent *other(pipe_ctx *p, struct bufferevent *b)
{
    return b == p->client ? p->server : p->client;
}

static void finish(pipe_ctx *p)
{
    bufferevent_free(p->client);
    bufferevent_free(p->server);
    p->on_done(p->opaque);
    free(p);
}

static void on_read(struct bufferevent *b, void *arg)
{
    pipe_ctx *p = arg;
    struct bufferevent *to = other(p, b);
    bufferevent_write_buffer(to, bufferevent_get_input(b));
    if (evbuffer_get_length(bufferevent_get_output(to)) >= HIGH_WATER)
        bufferevent_disable(b, EV_READ);
}

/* The peer's output drained: read again from this side. */
static void on_write(struct bufferevent *b, void *arg)
{
    bufferevent_enable(other(arg, b), EV_READ);
}

static void on_event(struct bufferevent *b, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        finish(arg);
}

void vr_pipe_start(struct event_base *base, int client, int server, const char *initial, size_t n,
                   vr_pipe_done_fn on_done, void *opaque)
{
    pipe_ctx *p = vr_calloc(1, sizeof(*p));
    p->on_done = on_done;
    p->opaque = opaque;
    p->client = bufferevent_socket_new(base, client, 0);
    p->server = bufferevent_socket_new(base, server, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setwatermark(p->client, EV_WRITE, HIGH_WATER / 2, 0);
    bufferevent_setwatermark(p->server, EV_WRITE, HIGH_WATER / 2, 0);
    bufferevent_setcb(p->client, on_read, on_write, on_event, p);
    bufferevent_setcb(p->server, on_read, on_write, on_event, p);
    if (n)
        bufferevent_write(p->server, initial, n);
    bufferevent_enable(p->client, EV_READ | EV_WRITE);
    bufferevent_enable(p->server, EV_READ | EV_WRITE);
}
