#include "daemon/websocket.h"
#include "common/util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

/* Stop reading from the handler while this much waits for the client. */
#define MAX_QUEUED 256
/* Stop reading from the client while this many bytes wait for the
 * handler (an upload written to disk slower than the browser sends). */
#define MAX_INNER_QUEUED (4u * 1024 * 1024)

struct vr_ws_bridge {
    wslay_event_context_ptr ctx;
    int sock;
    struct event *sock_ev;
    struct bufferevent *inner;
    char *initial;
    size_t initial_len, initial_off;
    bool inner_eof, finished;
    void (*done)(void *arg);
    void *arg;
};

bool vr_ws_requested(const char *upgrade)
{
    return upgrade && strcasestr(upgrade, "websocket") != NULL;
}

char *vr_ws_accept_key(const char *key)
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    struct sha1_ctx sha;
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_init(&sha);
    sha1_update(&sha, strlen(key), (const uint8_t *)key);
    sha1_update(&sha, sizeof(guid) - 1, (const uint8_t *)guid);
    sha1_digest(&sha, sizeof(digest), digest);
    char *out = vr_calloc(1, BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1);
    base64_encode_raw(out, sizeof(digest), digest);
    return out;
}

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    vr_ws_bridge *b = user;
    if (b->initial_off < b->initial_len) {
        size_t n = b->initial_len - b->initial_off;
        if (n > len)
            n = len;
        memcpy(buf, b->initial + b->initial_off, n);
        b->initial_off += n;
        return (ssize_t)n;
    }
    ssize_t r;
    while ((r = recv(b->sock, buf, len, 0)) < 0 && errno == EINTR)
        ;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (r <= 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return r;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
    vr_ws_bridge *b = user;
    ssize_t r;
    while ((r = send(b->sock, data, len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (r < 0) {
        wslay_event_set_error(ctx, errno == EAGAIN || errno == EWOULDBLOCK ? WSLAY_ERR_WOULDBLOCK
                                                                           : WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return r;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *m, void *user)
{
    vr_ws_bridge *b = user;
    if ((m->opcode == WSLAY_TEXT_FRAME || m->opcode == WSLAY_BINARY_FRAME) && !b->inner_eof)
        bufferevent_write(b->inner, m->msg, m->msg_length);
}

static void finish(vr_ws_bridge *b)
{
    if (b->finished)
        return;
    b->finished = true;
    event_del(b->sock_ev);
    bufferevent_disable(b->inner, EV_READ | EV_WRITE);
    b->done(b->arg); /* frees b */
}

/* Run wslay and watch the client socket for what it wants next; ends
 * the bridge when neither side has anything more to say. */
static void pump(vr_ws_bridge *b)
{
    if (wslay_event_recv(b->ctx) != 0 || wslay_event_send(b->ctx) != 0) {
        finish(b);
        return;
    }
    bool rd = wslay_event_want_read(b->ctx), wr = wslay_event_want_write(b->ctx);
    if (!rd && !wr) {
        finish(b);
        return;
    }
    /* The peer closed: let the handler see end of file. */
    if (!rd && !b->inner_eof) {
        b->inner_eof = true;
        shutdown(bufferevent_getfd(b->inner), SHUT_WR);
    }
    /* on_inner_drained pumps again once the handler has caught up. */
    bool full = evbuffer_get_length(bufferevent_get_output(b->inner)) > MAX_INNER_QUEUED;
    event_del(b->sock_ev);
    event_assign(b->sock_ev, event_get_base(b->sock_ev), b->sock,
                 (short)((rd && !full ? EV_READ : 0) | (wr ? EV_WRITE : 0)), event_get_callback(b->sock_ev), b);
    event_add(b->sock_ev, NULL);
    if (wslay_event_get_queued_msg_count(b->ctx) > MAX_QUEUED)
        bufferevent_disable(b->inner, EV_READ);
    else if (!b->inner_eof)
        bufferevent_enable(b->inner, EV_READ);
}

static void on_sock(evutil_socket_t fd, short what, void *arg) { pump(arg); }

static void on_inner_read(struct bufferevent *bev, void *arg)
{
    vr_ws_bridge *b = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n;
    while ((n = evbuffer_get_length(in)) > 0) {
        if (n > 65536)
            n = 65536;
        struct wslay_event_msg msg = {.opcode = WSLAY_BINARY_FRAME,
                                      .msg = evbuffer_pullup(in, (ssize_t)n), .msg_length = n};
        wslay_event_queue_msg(b->ctx, &msg);
        evbuffer_drain(in, n);
    }
    pump(b);
}

static void on_inner_drained(struct bufferevent *bev, void *arg) { pump(arg); }

static void on_inner_event(struct bufferevent *bev, short what, void *arg)
{
    vr_ws_bridge *b = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        b->inner_eof = true;
        bufferevent_disable(bev, EV_READ);
        wslay_event_queue_close(b->ctx, WSLAY_CODE_NORMAL_CLOSURE, NULL, 0);
        pump(b);
    }
}

vr_ws_bridge *vr_ws_bridge_new(struct event_base *base, int sock, const char *initial, size_t n,
                               int inner, void (*done)(void *arg), void *arg)
{
    static const struct wslay_event_callbacks cbs = {
        .recv_callback = on_recv, .send_callback = on_send, .on_msg_recv_callback = on_msg,
    };
    vr_ws_bridge *b = vr_calloc(1, sizeof(*b));
    b->sock = sock;
    b->done = done;
    b->arg = arg;
    if (n) {
        b->initial = vr_malloc(n);
        memcpy(b->initial, initial, n);
        b->initial_len = n;
    }
    wslay_event_context_server_init(&b->ctx, &cbs, b);
    evutil_make_socket_nonblocking(sock);
    evutil_make_socket_nonblocking(inner);
    b->sock_ev = event_new(base, sock, EV_READ, on_sock, b);
    b->inner = bufferevent_socket_new(base, inner, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b->inner, on_inner_read, on_inner_drained, on_inner_event, b);
    bufferevent_setwatermark(b->inner, EV_WRITE, MAX_INNER_QUEUED / 2, 0);
    bufferevent_enable(b->inner, EV_READ | EV_WRITE);
    /* Frames that came with the handshake are read on the first pump. */
    event_active(b->sock_ev, EV_READ, 0);
    event_add(b->sock_ev, NULL);
    return b;
}

void vr_ws_bridge_free(vr_ws_bridge *b)
{
    if (!b)
        return;
    event_free(b->sock_ev);
    bufferevent_free(b->inner);
    wslay_event_context_free(b->ctx);
    free(b->initial);
    free(b);
}
