/* Streams of another host (events, consoles, VNC, volume uploads and
 * downloads) through this daemon: the request goes through the host's
 * tunnel socket with `Upgrade: vireo-stream`; when the host answers 101,
 * the browser's connection is taken over (a WebSocket here: websocket.c
 * frames it) and joined byte for byte to the host's (stream_pipe.c).
 * Any other answer (404, 409 …) is passed back as it came. */
#include "daemon/host_streams.h"
#include "daemon/stream_pipe.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define STREAM_ANSWER_TIMEOUT_S 30

typedef struct {
    vr_req *req;
    char *host;
    struct event_base *base;
    struct bufferevent *bev; /* to the host, until its answer's head is read */
    int fd;                  /* the host's side once it said 101 */
    vr_strbuf in;            /* its answer so far */
    size_t head_len;         /* the head's length with its blank line, once found */
    vr_upgraded *up;
} stream_ctx;

static void ctx_free(stream_ctx *s)
{
    if (s->bev) { /* made without CLOSE_ON_FREE (its fd may go to the pipe) */
        int fd = bufferevent_getfd(s->bev);
        bufferevent_free(s->bev);
        if (fd >= 0)
            close(fd);
    }
    free(s->host);
    vr_strbuf_free(&s->in);
    free(s);
}

/* The browser left before its upgrade: the host's side goes too. */
static void ctx_drop(void *opaque)
{
    stream_ctx *s = opaque;
    if (s->fd >= 0)
        close(s->fd);
    ctx_free(s);
}

static void piped(void *opaque)
{
    stream_ctx *s = opaque;
    vr_http_upgrade_close(s->up);
    ctx_free(s);
}

/* The browser's side is ours now: what the host sent after its head goes
 * first, then both ways until either ends. */
static void on_upgraded(vr_upgraded *up, int fd, const char *initial, size_t n, void *opaque)
{
    stream_ctx *s = opaque;
    s->up = up;
    const char *extra = s->in.s + s->head_len;
    size_t left = s->in.len - s->head_len;
    while (left > 0) {
        ssize_t w = write(fd, extra, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* the browser went away: the pipe ends at once */
        extra += w;
        left -= (size_t)w;
    }
    vr_pipe_start(s->base, fd, s->fd, initial, n, piped, s);
}

static size_t content_length(const char *head)
{
    for (const char *l = strstr(head, "\r\n"); l; l = strstr(l, "\r\n")) {
        l += 2;
        if (strncasecmp(l, "Content-Length:", 15) == 0)
            return strtoul(l + 15, NULL, 10);
    }
    return 0;
}

void vr_bev_read_into(struct bufferevent *bev, vr_strbuf *b)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    char *chunk = vr_malloc(n);
    evbuffer_remove(in, chunk, n);
    vr_strbuf_addn(b, chunk, n);
    free(chunk);
}

/* The host's answer: 101 hands the connection over; anything else is
 * passed back once its body is complete. */
static void on_read(struct bufferevent *bev, void *opaque)
{
    stream_ctx *s = opaque;
    vr_bev_read_into(bev, &s->in);
    if (!s->head_len) {
        char *end = strstr(s->in.s, "\r\n\r\n");
        if (!end)
            return;
        s->head_len = (size_t)(end - s->in.s) + 4;
    }
    int status = 0;
    sscanf(s->in.s, "HTTP/1.%*d %d", &status);
    if (status == 101) {
        s->fd = bufferevent_getfd(bev);
        bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
        bufferevent_free(bev); /* made without CLOSE_ON_FREE: the fd is the pipe's now */
        s->bev = NULL;
        vr_req_upgrade(s->req, "vireo-stream", on_upgraded, ctx_drop, s);
        return;
    }
    size_t body = content_length(s->in.s);
    if (s->in.len - s->head_len < body)
        return;
    char *ctype = strcasestr(s->in.s, "\r\nContent-Type:");
    char *type = ctype ? vr_strndup(ctype + 15, strcspn(ctype + 15, "\r")) : NULL;
    vr_req_reply_text(s->req, status ? status : 502, type ? vr_str_trim(type) : "application/json",
                      vr_strndup(s->in.s + s->head_len, body));
    free(type);
    ctx_free(s);
}

static void on_event(struct bufferevent *bev, short what, void *opaque)
{
    (void)bev;
    stream_ctx *s = opaque;
    if (what & BEV_EVENT_CONNECTED)
        return;
    if (what & BEV_EVENT_TIMEOUT)
        vr_req_reply_error(s->req, 504, "failed", "host '%s' did not answer the stream request within %d s", s->host,
                           STREAM_ANSWER_TIMEOUT_S);
    else
        vr_req_reply_error(s->req, 502, "failed", "the connection to host '%s' broke off", s->host);
    ctx_free(s);
}

void vr_host_stream_forward(vr_req *req, struct event_base *base, const char *host, const char *sock,
                            const char *path_and_query)
{
    stream_ctx *s = vr_calloc(1, sizeof(*s));
    s->req = req;
    s->host = vr_strdup(host);
    s->base = base;
    s->fd = -1;
    s->bev = bufferevent_socket_new(base, -1, 0);
    bufferevent_setcb(s->bev, on_read, NULL, on_event, s);
    struct timeval tv = {.tv_sec = STREAM_ANSWER_TIMEOUT_S};
    bufferevent_set_timeouts(s->bev, &tv, NULL);
    bufferevent_enable(s->bev, EV_READ | EV_WRITE);
    evbuffer_add_printf(bufferevent_get_output(s->bev),
                        "%s %s HTTP/1.1\r\nHost: vireod\r\nConnection: Upgrade\r\nUpgrade: vireo-stream\r\n\r\n",
                        vr_req_method(req), path_and_query);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
    vr_req_defer(req);
    if (bufferevent_socket_connect(s->bev, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        vr_req_reply_error(req, 502, "failed", "cannot reach host '%s' through its tunnel", host);
        ctx_free(s);
    }
}
