/* libvireo's HTTP/1.1 with vireod: a request written on the daemon's
 * unix socket, the answer read with http-parser (Debian's
 * libhttp-parser). One kept-alive socket per connection; upgrades
 * (consoles, events, volume transfers) take a fresh one each.
 *
 * Why not libcurl any more: libvireo only ever speaks plain HTTP/1.1 to
 * one local socket, and libcurl brought 30 shared libraries (TLS,
 * Kerberos, LDAP, SSH, RTMP...) into every `vireo` command and every
 * program linking libvireo: half of a `vireo list`'s time went to the
 * dynamic loader's relocations (make bench row 8). */
#include "client/client.h"
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <http_parser.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int vr_client_dial(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

static ssize_t recv_some(int fd, char *buf, size_t n)
{
    ssize_t r;
    while ((r = recv(fd, buf, n, 0)) < 0 && errno == EINTR)
        ;
    return r;
}

static char *request_head(const char *method, const char *path, const char *headers, const char *content_type,
                          const char *body, size_t body_len)
{
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "%s %s HTTP/1.1\r\nHost: vireod\r\n%s", method, path, headers ? headers : "");
    if (body)
        vr_strbuf_addf(&b, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                       content_type ? content_type : "application/json", body_len);
    vr_strbuf_add(&b, "\r\n");
    return vr_strbuf_take(&b);
}

/* The answer as http-parser reads it. */
typedef struct {
    http_parser p;
    vr_client_sink sink;
    void *ctx;
    size_t got;         /* bytes of the answer received */
    bool done, upgrade; /* message complete; a 101 whose stream follows */
} answer;

static int on_headers(http_parser *p)
{
    answer *a = p->data;
    if (p->status_code == 101) {
        a->upgrade = true;
        return 2; /* http-parser: no body; execute stops after the head */
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    answer *a = p->data;
    if (a->sink)
        a->sink(a->ctx, (int)p->status_code, at, len);
    return 0;
}

static int on_complete(http_parser *p)
{
    ((answer *)p->data)->done = true;
    return 0;
}

static const http_parser_settings settings = {
    .on_headers_complete = on_headers,
    .on_body = on_body,
    .on_message_complete = on_complete,
};

/* Read one answer from fd into a. 0; -1 when the socket ended first or
 * the bytes are not HTTP (*why says which). With a->upgrade, *rest
 * (when given) gets the stream's first bytes read with the head. */
static int read_answer(int fd, answer *a, vr_strbuf *rest, const char **why)
{
    http_parser_init(&a->p, HTTP_RESPONSE);
    a->p.data = a;
    char buf[16384];
    while (!a->done && !a->upgrade) {
        ssize_t r = recv_some(fd, buf, sizeof(buf));
        if (r < 0) {
            *why = strerror(errno);
            return -1;
        }
        a->got += (size_t)r;
        /* r == 0: http-parser ends an answer that runs to the close */
        size_t used = http_parser_execute(&a->p, &settings, buf, (size_t)r);
        if (a->upgrade) {
            if (rest && used < (size_t)r)
                vr_strbuf_addn(rest, buf + used, (size_t)r - used);
        } else if (HTTP_PARSER_ERRNO(&a->p) != HPE_OK) {
            *why = http_errno_description(HTTP_PARSER_ERRNO(&a->p));
            return -1;
        } else if (r == 0 && !a->done) {
            *why = "the daemon closed the connection";
            return -1;
        }
    }
    return 0;
}

/* A kept-alive socket the daemon has closed while idle reads as ready
 * (EOF): such a socket is not written to. */
static bool still_open(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

int vr_client_exchange(vireo_conn *c, const char *method, const char *path, const char *body,
                       const char *content_type, vr_client_sink sink, void *ctx)
{
    size_t body_len = body ? strlen(body) : 0;
    char *head = request_head(method, path, NULL, content_type, body, body_len);
    const char *why = NULL;
    int status = -1;
    /* A reused socket may have gone between the check and the write:
     * then, with no byte of an answer read, once more on a fresh one. */
    for (int attempt = 0; attempt < 2 && status < 0; attempt++) {
        bool reused = c->fd >= 0;
        if (reused && !still_open(c->fd)) {
            close(c->fd);
            c->fd = -1;
            reused = false;
        }
        if (c->fd < 0 && (c->fd = vr_client_dial(c->socket)) < 0) {
            why = strerror(-c->fd);
            c->fd = -1;
            break;
        }
        answer a = {.sink = sink, .ctx = ctx};
        why = NULL;
        if (vr_write_all(c->fd, head, strlen(head), true) == 0 &&
            (!body || vr_write_all(c->fd, body, body_len, true) == 0) && read_answer(c->fd, &a, NULL, &why) == 0) {
            status = (int)a.p.status_code;
            if (!http_should_keep_alive(&a.p)) {
                close(c->fd);
                c->fd = -1;
            }
            break;
        }
        if (!why)
            why = strerror(errno);
        close(c->fd);
        c->fd = -1;
        if (!reused || a.got)
            break;
    }
    free(head);
    if (status < 0)
        vr_client_set_error(c, "failed", "lost vireod at %s: %s", c->socket, why);
    return status;
}

/* An error answer's body, for vr_client_error_from_body. */
static void keep_body(void *ctx, int status, const char *data, size_t len)
{
    (void)status;
    vr_strbuf_addn(ctx, data, len);
}

int vr_client_upgrade(vireo_conn *c, const char *method, const char *path, const char *headers,
                      const char *closed, vr_strbuf *rest)
{
    int fd = vr_client_dial(c->socket);
    if (fd < 0) {
        vr_client_set_error(c, "failed", "cannot reach vireod at %s: %s", c->socket, strerror(-fd));
        return -1;
    }
    vr_strbuf all = {0};
    vr_strbuf_addf(&all, "Connection: Upgrade\r\nUpgrade: vireo-stream\r\n%s", headers);
    char *head = request_head(method, path, all.s, NULL, NULL, 0);
    vr_strbuf_free(&all);
    vr_strbuf text = {0};
    answer a = {.sink = keep_body, .ctx = &text};
    const char *why = NULL;
    *rest = (vr_strbuf){0};
    int rc = vr_write_all(fd, head, strlen(head), true) == 0 && read_answer(fd, &a, rest, &why) == 0 ? 0 : -1;
    free(head);
    if (rc == 0 && a.upgrade) {
        vr_strbuf_free(&text);
        return fd;
    }
    if (rc == 0)
        vr_client_error_from_body(c, (int)a.p.status_code, text.s ? text.s : "");
    else
        vr_client_set_error(c, "failed", "vireod closed %s %s", closed, path);
    vr_strbuf_free(&text);
    vr_strbuf_free(rest);
    close(fd);
    return -1;
}
