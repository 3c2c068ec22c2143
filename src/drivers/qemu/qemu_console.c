#include "drivers/qemu/qemu_console.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RING_BYTES (64 * 1024)

typedef struct client {
    struct client *next;
    vr_console *con;
    struct bufferevent *bev;
    vr_console_closed_fn closed;
    void *opaque;
} client;

struct vr_console {
    struct event_base *base;
    struct bufferevent *serial;
    struct evbuffer *ring;
    int log_fd; /* -1: none */
    char *log;
    client *clients;
    vr_console_gone_fn gone;
    void *gone_opaque;
};

static void drop_client(vr_console *c, client *cl)
{
    for (client **pp = &c->clients; *pp; pp = &(*pp)->next) {
        if (*pp == cl) {
            *pp = cl->next;
            break;
        }
    }
    bufferevent_free(cl->bev);
    cl->closed(cl->opaque);
    free(cl);
}

/* The serial log: a regular file, so a short write is a full disk; it
 * is named once and the log stops (the console goes on). */
static void log_write(vr_console *c, const unsigned char *data, size_t n)
{
    while (c->log_fd >= 0 && n) {
        ssize_t w = write(c->log_fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            vr_log_warn("serial log %s: cannot write: %s; it stops here", c->log,
                        w < 0 ? strerror(errno) : "no space");
            close(c->log_fd);
            c->log_fd = -1;
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

static void on_serial_read(struct bufferevent *bev, void *arg)
{
    vr_console *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    unsigned char *data = evbuffer_pullup(in, (ssize_t)n);
    for (client *cl = c->clients; cl; cl = cl->next)
        bufferevent_write(cl->bev, data, n);
    evbuffer_add(c->ring, data, n);
    log_write(c, data, n);
    size_t len = evbuffer_get_length(c->ring);
    if (len > RING_BYTES)
        evbuffer_drain(c->ring, len - RING_BYTES);
    evbuffer_drain(in, n);
}

static void on_serial_event(struct bufferevent *bev, short what, void *arg)
{
    vr_console *c = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        /* QEMU (or the serial logger) went away: let every client know by
         * closing it, then the owner (which may free c). */
        bufferevent_disable(bev, EV_READ | EV_WRITE);
        while (c->clients)
            drop_client(c, c->clients);
        if (c->gone)
            c->gone(c->gone_opaque);
    }
}

vr_console *vr_console_open(struct event_base *base, const char *path, const char *log,
                            vr_console_gone_fn gone, void *opaque, char **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        vr_set_error(err, "console socket path too long: %s", path);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        vr_set_error(err, "cannot reach the serial console at %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    evutil_make_socket_nonblocking(fd);
    vr_console *c = vr_calloc(1, sizeof(*c));
    c->base = base;
    c->gone = gone;
    c->gone_opaque = opaque;
    c->ring = evbuffer_new();
    c->log_fd = -1;
    if (log) {
        c->log = vr_strdup(log);
        c->log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
        if (c->log_fd < 0)
            vr_log_warn("serial log %s: cannot open: %s; the output is not logged", log,
                        strerror(errno));
    }
    c->serial = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c->serial, on_serial_read, NULL, on_serial_event, c);
    bufferevent_enable(c->serial, EV_READ | EV_WRITE);
    return c;
}

void vr_console_free(vr_console *c)
{
    if (!c)
        return;
    while (c->clients)
        drop_client(c, c->clients);
    bufferevent_free(c->serial);
    evbuffer_free(c->ring);
    if (c->log_fd >= 0)
        close(c->log_fd);
    free(c->log);
    free(c);
}

static void on_client_read(struct bufferevent *bev, void *arg)
{
    client *cl = arg;
    bufferevent_write_buffer(cl->con->serial, bufferevent_get_input(bev));
}

static void on_client_event(struct bufferevent *bev, short what, void *arg)
{
    client *cl = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        drop_client(cl->con, cl);
}

void vr_console_attach(vr_console *c, int fd, const char *initial, size_t n, bool history,
                       vr_console_closed_fn closed, void *opaque)
{
    evutil_make_socket_nonblocking(fd);
    client *cl = vr_calloc(1, sizeof(*cl));
    cl->con = c;
    cl->closed = closed;
    cl->opaque = opaque;
    /* Not CLOSE_ON_FREE: the HTTP server owns the socket. */
    cl->bev = bufferevent_socket_new(c->base, fd, 0);
    bufferevent_setcb(cl->bev, on_client_read, NULL, on_client_event, cl);
    bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
    cl->next = c->clients;
    c->clients = cl;
    if (history) {
        size_t len = evbuffer_get_length(c->ring);
        bufferevent_write(cl->bev, evbuffer_pullup(c->ring, (ssize_t)len), len);
    }
    if (n)
        bufferevent_write(c->serial, initial, n);
}

size_t vr_console_clients(const vr_console *c)
{
    size_t n = 0;
    for (client *cl = c ? c->clients : NULL; cl; cl = cl->next)
        n++;
    return n;
}
