/* libvireo byte streams: an HTTP/1.1 Upgrade on a fresh connection to the
 * daemon's socket, after which the socket carries raw bytes (console) or
 * JSON lines (events). */
#include "client/client.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct vireo_stream {
    int fd;
    char *pending; /* bytes read along with the 101 answer */
    size_t n, off;
};

int vr_client_upgrade(vireo_conn *c, const char *method, const char *path, const char *headers,
                      const char *closed, vr_strbuf *head, size_t *body, int *status)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->socket);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        vr_client_set_error(c, "failed", "cannot reach vireod at %s: %s", c->socket, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char *req = vr_asprintf("%s %s HTTP/1.1\r\nHost: vireod\r\nConnection: Upgrade\r\n"
                            "Upgrade: vireo-stream\r\n%s\r\n", method, path, headers);
    bool sent = true;
    for (size_t off = 0, len = strlen(req); sent && off < len;) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        sent = w > 0;
        off += sent ? (size_t)w : 0;
    }
    free(req);
    *head = (vr_strbuf){0};
    char buf[4096];
    char *end = NULL;
    while (sent && !(end = head->s ? strstr(head->s, "\r\n\r\n") : NULL)) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        vr_strbuf_addn(head, buf, (size_t)r);
    }
    if (!end) {
        vr_client_set_error(c, "failed", "vireod closed %s %s", closed, path);
        vr_strbuf_free(head);
        close(fd);
        return -1;
    }
    *status = 0;
    sscanf(head->s, "HTTP/1.%*d %d", status);
    *body = (size_t)(end + 4 - head->s);
    return fd;
}

static vireo_stream *open_stream(vireo_conn *c, const char *path)
{
    vr_strbuf head;
    size_t body;
    int status;
    int fd = vr_client_upgrade(c, "GET", path, "", "the stream", &head, &body, &status);
    if (fd < 0)
        return NULL;
    if (status != 101) {
        /* An ordinary answer: an error in JSON after the headers. */
        vr_client_error_from_body(c, status, head.s + body);
        vr_strbuf_free(&head);
        close(fd);
        return NULL;
    }
    vireo_stream *s = vr_calloc(1, sizeof(*s));
    s->fd = fd;
    s->n = head.len - body;
    s->pending = vr_malloc(s->n ? s->n : 1);
    memcpy(s->pending, head.s + body, s->n);
    vr_strbuf_free(&head);
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
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(s->fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        done += (size_t)w;
    }
    return (ssize_t)n;
}

void vireo_stream_close(vireo_stream *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s->pending);
    free(s);
}
