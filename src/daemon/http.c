#include "daemon/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "daemon/http_guard.h"
#include "daemon/websocket.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Definitions are small; volume uploads will stream through upgrades. */
#define MAX_BODY (16u * 1024 * 1024)

struct vr_http {
    struct MHD_Daemon *mhd;
    vr_guard *guard; /* accepts connections, caps them, ends stalled ones */
    struct event_base *base;
    struct event *io, *timer, *kick;
    vr_http_handler handler;
    void *opaque;
    char *name; /* in log lines: api, read-only, web */
    bool local; /* a unix socket */
    unsigned upgraded; /* streams taken over, still open */
    struct vr_upgraded *ws; /* WebSocket bridges, closed by vr_http_stop */
};

struct vr_req {
    vr_http *h;
    struct MHD_Connection *conn;
    vr_guard_conn *gc;
    char *method, *path;
    vr_strbuf body;
    bool too_big, dispatched, deferred, suspended;
    struct MHD_Response *response;
    unsigned status;
    uid_t peer_uid;
    vr_upgrade_fn upgrade_fn;
    vr_upgrade_drop_fn upgrade_drop;
    void *upgrade_opaque;
    bool websocket; /* the upgrade speaks RFC 6455 (websocket.c) */
};

struct vr_upgraded {
    vr_http *h;
    struct MHD_UpgradeResponseHandle *urh;
    int inner_fd;          /* a handler's end of a WebSocket bridge, else -1 */
    vr_ws_bridge *bridge;  /* the client's side of a bridge */
    struct vr_upgraded *next;
};

static void schedule(vr_http *h);

static void run_mhd(vr_http *h)
{
    MHD_run(h->mhd);
    schedule(h);
}

static void on_io(evutil_socket_t fd, short what, void *arg) { run_mhd(arg); }

static void schedule(vr_http *h)
{
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(h->mhd, &ms) == MHD_YES) {
        struct timeval tv = {.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};
        evtimer_add(h->timer, &tv);
    } else {
        evtimer_del(h->timer);
    }
}

/* Something changed outside MHD's view (a suspended request got its
 * answer, an upgraded socket closed): let MHD run once more soon. */
static void kick(vr_http *h)
{
    event_active(h->kick, EV_TIMEOUT, 0);
}

static void set_response(vr_req *r, unsigned status, struct MHD_Response *resp)
{
    if (r->response) {
        /* A second answer is a bug in a handler; keep the first. */
        vr_log_error("http: second answer to %s %s ignored", r->method, r->path);
        MHD_destroy_response(resp);
        return;
    }
    r->status = status;
    r->response = resp;
    if (r->suspended) {
        r->suspended = false;
        MHD_resume_connection(r->conn);
        kick(r->h);
    }
}

void vr_req_reply_text(vr_req *r, int status, const char *content_type, char *body)
{
    size_t len = body ? strlen(body) : 0;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body ? body : "", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "Content-Type", content_type);
    set_response(r, (unsigned)status, resp);
}

void vr_req_reply_json(vr_req *r, int status, json_object *body)
{
    const char *s = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *text = vr_asprintf("%s\n", s);
    json_object_put(body);
    vr_req_reply_text(r, status, "application/json", text);
}

void vr_req_reply_error(vr_req *r, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vr_vasprintf(fmt, ap);
    va_end(ap);
    json_object *err = json_object_new_object();
    json_object_object_add(err, "code", json_object_new_string(code));
    json_object_object_add(err, "message", json_object_new_string(msg));
    json_object *root = json_object_new_object();
    json_object_object_add(root, "error", err);
    free(msg);
    vr_req_reply_json(r, status, root);
}

void vr_req_defer(vr_req *r) { r->deferred = true; }

bool vr_req_answered(const vr_req *r) { return r->response != NULL; }

static void close_client(vr_upgraded *up)
{
    MHD_upgrade_action(up->urh, MHD_UPGRADE_ACTION_CLOSE);
    up->h->upgraded--;
    kick(up->h);
    free(up);
}

/* A WebSocket bridge is finished: unlink it and close the client. */
static void on_bridge_done(void *arg)
{
    vr_upgraded *up = arg;
    for (vr_upgraded **pp = &up->h->ws; *pp; pp = &(*pp)->next) {
        if (*pp == up) {
            *pp = up->next;
            break;
        }
    }
    vr_ws_bridge_free(up->bridge);
    close_client(up);
}

static void on_upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra,
                        size_t extra_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    vr_req *r = cls;
    r->upgrade_drop = NULL; /* the upgrade takes its opaque now */
    /* A stream lives as long as its two ends want: out of reach of the
     * idle timeout (which libmicrohttpd would otherwise keep asking to be
     * woken for, though it never closes an upgraded connection). */
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
    vr_guard_stream(r->gc);
    vr_upgraded *up = vr_calloc(1, sizeof(*up));
    up->h = r->h;
    r->h->upgraded++;
    up->urh = urh;
    up->inner_fd = -1;
    int pair[2];
    if (!r->websocket) {
        r->upgrade_fn(up, sock, extra, extra_size, r->upgrade_opaque);
    } else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        vr_log_error("http: socketpair for a WebSocket: %s", strerror(errno));
        close_client(up);
    } else {
        up->bridge = vr_ws_bridge_new(r->h->base, sock, extra, extra_size, pair[0], on_bridge_done, up);
        up->next = r->h->ws;
        r->h->ws = up;
        vr_upgraded *inner = vr_calloc(1, sizeof(*inner));
        inner->h = r->h;
        inner->inner_fd = pair[1];
        r->upgrade_fn(inner, pair[1], NULL, 0, r->upgrade_opaque);
    }
}

void vr_http_upgrade_close(vr_upgraded *up)
{
    if (up->inner_fd >= 0) {
        close(up->inner_fd);
        free(up);
        return;
    }
    close_client(up);
}

bool vr_req_websocket(const vr_req *r)
{
    return vr_ws_requested(vr_req_header(r, MHD_HTTP_HEADER_UPGRADE)) && vr_req_header(r, "Sec-WebSocket-Key");
}

void vr_req_upgrade(vr_req *r, const char *protocol, vr_upgrade_fn fn, vr_upgrade_drop_fn drop, void *opaque)
{
    r->upgrade_fn = fn;
    r->upgrade_drop = drop;
    r->upgrade_opaque = opaque;
    const char *key = vr_req_header(r, "Sec-WebSocket-Key");
    r->websocket = vr_req_websocket(r);
    struct MHD_Response *resp = MHD_create_response_for_upgrade(on_upgraded, r);
    if (r->websocket) {
        char *accept = vr_ws_accept_key(key);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "websocket");
        MHD_add_response_header(resp, "Sec-WebSocket-Accept", accept);
        free(accept);
    } else {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, protocol);
    }
    set_response(r, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
}

void vr_req_set_header(vr_req *r, const char *name, const char *value)
{
    if (r->response)
        MHD_add_response_header(r->response, name, value);
}

void vr_req_reply_fd(vr_req *r, int status, const char *content_type, int fd, uint64_t size)
{
    struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);
    MHD_add_response_header(resp, "Content-Type", content_type);
    set_response(r, (unsigned)status, resp);
}

const char *vr_req_method(const vr_req *r) { return r->method; }
const char *vr_req_path(const vr_req *r) { return r->path; }
uid_t vr_req_peer_uid(const vr_req *r) { return r->peer_uid; }
const char *vr_req_peer(const vr_req *r) { return vr_guard_peer(r->gc); }

const char *vr_req_query(const vr_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    vr_strbuf *b = cls;
    vr_strbuf_addf(b, "%c", b->len ? '&' : '?');
    vr_strbuf_add_uri(b, key, "/");
    if (value) {
        vr_strbuf_addf(b, "=");
        vr_strbuf_add_uri(b, value, "/");
    }
    return MHD_YES;
}

char *vr_req_query_string(const vr_req *r)
{
    vr_strbuf b = {0};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_query_arg, &b);
    return b.len ? vr_strbuf_take(&b) : vr_strdup("");
}

const char *vr_req_header(const vr_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

const char *vr_req_body(const vr_req *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return r->body.s ? r->body.s : "";
}

static uid_t peer_uid(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (ci && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        return cred.uid;
    return (uid_t)-1;
}

static enum MHD_Result queue(vr_req *r)
{
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    vr_http *h = cls;
    vr_req *r = *con_cls; /* made by on_request_line */
    if (!r)
        return MHD_NO;
    if (!r->method) {
        /* The headers are complete: the request is being served. */
        r->method = vr_strdup(method);
        r->path = vr_strdup(url);
        r->peer_uid = peer_uid(conn);
        vr_guard_request_served(r->gc);
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->body.len + *upload_size > MAX_BODY)
            r->too_big = true;
        else
            vr_strbuf_addn(&r->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->response)
        return queue(r); /* the answer of a deferred request */
    if (r->dispatched)
        return MHD_YES;
    r->dispatched = true;
    if (r->too_big)
        vr_req_reply_error(r, 413, "too_large", "request body over %u bytes", MAX_BODY);
    else
        h->handler(r, h->opaque);
    if (r->response)
        return queue(r);
    if (r->deferred) {
        r->suspended = true;
        MHD_suspend_connection(conn);
        return MHD_YES;
    }
    vr_req_reply_error(r, 500, "internal", "%s %s got no answer", method, url);
    return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    vr_req *r = *con_cls;
    if (!r)
        return;
    vr_guard_request_done(r->gc);
    if (r->upgrade_drop)
        r->upgrade_drop(r->upgrade_opaque);
    if (r->response)
        MHD_destroy_response(r->response);
    vr_strbuf_free(&r->body);
    free(r->method);
    free(r->path);
    free(r);
    *con_cls = NULL;
}

/* A request line has arrived (its headers have not): the request's
 * state starts here, and the guard gives its headers a deadline. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    vr_req *r = vr_calloc(1, sizeof(*r));
    r->h = cls;
    r->conn = conn;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    r->gc = ci ? ci->socket_context : NULL;
    vr_guard_request_line(r->gc);
    return r;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    vr_http *h = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        *socket_context = vr_guard_claim(h->guard);
    else
        vr_guard_closed(*socket_context);
}

/* The guard accepted a connection: it is MHD's from here on. */
static bool add_connection(void *opaque, int fd, const struct sockaddr *sa, socklen_t len)
{
    vr_http *h = opaque;
    bool ok = MHD_add_connection(h->mhd, fd, sa, len) == MHD_YES;
    schedule(h);
    return ok;
}

/* libmicrohttpd's messages are rate-limited one kind (its format) at a
 * time, so a flood of one failure cannot fill the log. */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    vr_http *h = cls;
    /* MHD cannot tell that a connection handed to it (MHD_add_connection)
     * is on a unix socket: it tries TCP options there, fails and warns
     * about delays that cannot happen without TCP. */
    if (h->local && (vr_str_starts(fmt, "Setting %s option") || vr_str_starts(fmt, "Failed to push the data")))
        return;
    /* A client that leaves mid-request (or is shut out by the guard) is
     * the client's business, not a warning of the daemon's. */
    vr_log_level level = vr_str_starts(fmt, "Connection socket is closed") ? VR_LOG_DEBUG : VR_LOG_WARN;
    char *msg = vr_vasprintf(fmt, ap);
    vr_log_keyed(level, fmt, "http %s: %s", h->name, vr_str_trim(msg));
    free(msg);
}

vr_http *vr_http_start(struct event_base *base, int listen_fd, vr_http_handler handler, void *opaque,
                       const vr_http_opts *o, char **err)
{
    vr_http *h = vr_calloc(1, sizeof(*h));
    h->base = base;
    h->handler = handler;
    h->opaque = opaque;
    h->name = vr_strdup(o->name);
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    h->local = getsockname(listen_fd, (struct sockaddr *)&ss, &sslen) == 0 && ss.ss_family == AF_UNIX;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG |
                     MHD_USE_NO_LISTEN_SOCKET;
    if (o->cert_pem)
        flags |= MHD_USE_TLS;
    /* The guard (http_guard.c) accepts and enforces the caps; MHD's own
     * limit only stands behind it, with room for the connections the
     * guard has closed and MHD has not yet noticed. */
    unsigned limit = o->limits.max_conns + 128;
    /* Options after the TLS pair are ignored without TLS: MHD_OPTION_END
     * stands in for them then. */
    h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                              MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                              MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
                              MHD_OPTION_URI_LOG_CALLBACK, on_request_line, h,
                              MHD_OPTION_CONNECTION_TIMEOUT, o->limits.idle_secs,
                              MHD_OPTION_CONNECTION_LIMIT, limit,
                              o->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, o->cert_pem,
                              MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
                              MHD_OPTION_END);
    if (!h->mhd) {
        vr_set_error(err, o->cert_pem ? "could not start the HTTPS server (is the key the certificate's, both PEM?)"
                                      : "could not start the HTTP server");
        free(h->name);
        free(h);
        return NULL;
    }
    h->guard = vr_guard_new(base, listen_fd, o->name, &o->limits, o->cert_pem != NULL, add_connection, h);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    h->io = event_new(base, info->epoll_fd, EV_READ | EV_PERSIST, on_io, h);
    h->timer = evtimer_new(base, on_io, h);
    h->kick = event_new(base, -1, 0, on_io, h);
    event_add(h->io, NULL);
    schedule(h);
    return h;
}

unsigned vr_http_connections(vr_http *h)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return (i ? i->num_connections : 0) + h->upgraded;
}

void vr_http_stop(vr_http *h)
{
    if (!h)
        return;
    while (h->ws) {
        vr_upgraded *up = h->ws;
        h->ws = up->next;
        vr_ws_bridge_free(up->bridge);
        MHD_upgrade_action(up->urh, MHD_UPGRADE_ACTION_CLOSE);
        free(up);
    }
    event_free(h->io);
    event_free(h->timer);
    event_free(h->kick);
    /* The connections MHD closes at its stop still report to the guard. */
    MHD_stop_daemon(h->mhd);
    vr_guard_free(h->guard);
    free(h->name);
    free(h);
}
