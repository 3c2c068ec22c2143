/* libvireo byte streams: an HTTP/1.1 Upgrade on a fresh connection to the
 * daemon's socket (http.c), after which the socket carries raw bytes (console) or
 * JSON lines (events). */
#include "client/client.h"
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct vireo_stream {
    int fd;
    char *pending; /* bytes read along with the 101 answer */
    size_t n, off;
};

static vireo_stream *open_stream(vireo_conn *c, const char *path)
{
    vr_strbuf rest;
    int fd = vr_client_upgrade(c, "GET", path, "", "the stream", &rest);
    if (fd < 0)
        return NULL;
    vireo_stream *s = vr_calloc(1, sizeof(*s));
    s->fd = fd;
    s->n = rest.len;
    s->pending = rest.s ? rest.s : vr_strdup("");
    return s;
}

vireo_stream *vireo_console_open(vireo_conn *c, const char *key, unsigned flags)
{
    char *path =
        vr_client_path(c, "/v1/domains", key, flags & VIREO_CONSOLE_HISTORY ? "console?history=1" : "console");
    vireo_stream *s = open_stream(c, path);
    free(path);
    return s;
}

vireo_stream *vireo_events_open(vireo_conn *c) { return open_stream(c, "/v1/events"); }

int vireo_stream_fd(const vireo_stream *s) { return s->fd; }
size_t vireo_stream_pending(const vireo_stream *s) { return s->n - s->off; }

ssize_t vireo_stream_read(vireo_stream *s, void *buf, size_t n)
{
    if (s->off < s->n) {
        size_t k = s->n - s->off < n ? s->n - s->off : n;
        memcpy(buf, s->pending + s->off, k);
        s->off += k;
        return (ssize_t)k;
    }
    ssize_t r;
    while ((r = read(s->fd, buf, n)) < 0 && errno == EINTR)
        ;
    return r;
}

ssize_t vireo_stream_write(vireo_stream *s, const void *buf, size_t n)
{
    return vr_write_all(s->fd, buf, n, true) < 0 ? -1 : (ssize_t)n;
}

void vireo_stream_close(vireo_stream *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s->pending);
    free(s);
}
