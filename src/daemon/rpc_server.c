/* libvirt's remote protocol: the sockets, the framing, dispatch to the
 * procedure tables, errors, keepalive and events (rpc.h). */
#include "daemon/rpc.h"
#include "core/domain_ops.h"
#include "common/log.h"
#include "common/util.h"
#include "conf/uuid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* A message is its 4-byte length (itself included), the 24-byte header,
 * and a body. libvirt's clients send at most 32 MiB; a call to vireod
 * carries at most a definition (VR_API_BODY_DEFINITION) in a 4 MiB
 * string, so anything longer is refused before it is read. */
#define LEN_BYTES 4
#define HEADER_BYTES 24
#define MAX_CALL (4u * 1024 * 1024 + 64 * 1024)
/* Descriptors one call may pass (libvirt's VIR_NET_MESSAGE_NUM_FDS_MAX). */
#define MAX_CALL_FDS 32
/* How long a CALL_WITH_FDS's descriptors may lag behind its bytes. */
#define FD_WAIT_MS 5000
/* A client that stops reading its answers and events is closed rather
 * than buffered for without bound. */
#define MAX_BACKLOG (32u * 1024 * 1024)
/* Registrations for events one connection may hold. */
#define MAX_CALLBACKS 256
/* A stream's sender (a download) pauses while the connection holds this
 * much unsent output, and is asked for more once it drains below. */
#define STREAM_PACE (1024u * 1024)

static const vr_rpc_proc *const tables[] = {
    vr_rpc_connect_procs,
    vr_rpc_domain_procs,
    vr_rpc_network_procs,
    vr_rpc_storage_procs,
    vr_rpc_snapshot_procs,
    vr_rpc_checkpoint_procs,
    vr_rpc_stats_procs,
    vr_rpc_stream_procs,
    vr_rpc_guest_procs,
    vr_rpc_save_procs,
    vr_rpc_block_procs,
    vr_rpc_vcpu_procs,
    vr_rpc_nodedev_procs,
};

typedef struct callback {
    struct callback *next;
    vr_rpc_ev_kind kind;
    int id, event_id;
    bool any_domain;
    unsigned char uuid[VR_UUID_LEN];
} callback;

struct vr_rpc_stream {
    vr_rpc_stream *next;
    vr_rpc_conn *conn;
    int proc;
    unsigned serial;
    const vr_rpc_stream_ops *ops;
    void *opaque;
};

/* A CALL_WITH_FDS waiting for its descriptors (fds_read). */
typedef struct {
    char *msg; /* the whole message, length word included */
    unsigned len, want, have;
    int fds[MAX_CALL_FDS];
    struct event *ev; /* the socket readable again, or FD_WAIT_MS past */
} fd_wait;

struct vr_rpc_conn {
    vr_rpc *r;
    struct vr_rpc_conn *next;
    struct bufferevent *bev;
    vr_guard_conn *gc;
    uid_t uid;
    bool open;     /* CONNECT_OPEN succeeded */
    bool closed;   /* gone; deferred calls still hold it */
    bool spoke;    /* sent a well-formed message: no longer on a deadline */
    unsigned refs; /* the connection itself, and each deferred call */
    callback *callbacks;
    int next_callback;
    unsigned n_callbacks;
    vr_rpc_stream *streams;
    fd_wait *fdw; /* a call's descriptors still to come: reading waits */
};

struct vr_rpc {
    struct event_base *base;
    vr_api *api;
    bool read_only;
    char *name;
    vr_guard *guard;
    vr_rpc_conn *conns;
    unsigned n_conns;
};

typedef struct {
    vr_rpc_call call;
    int err_code;
    char *err_msg;
    vr_rpc_kind err_kind;
    int pass_fd; /* a descriptor the answer hands over (REPLY_WITH_FDS), or -1 */
    int in_fds[MAX_CALL_FDS]; /* those the call brought (CALL_WITH_FDS); -1 once taken */
    unsigned n_in_fds;
} call_state;

bool_t xdr_vrp_void(XDR *xdrs, vrp_void *v)
{
    (void)xdrs, (void)v;
    return TRUE;
}

/* ---- connections ---- */

static void fd_wait_free(vr_rpc_conn *conn);

static void conn_unref(vr_rpc_conn *conn)
{
    if (--conn->refs > 0)
        return;
    for (callback *cb = conn->callbacks, *next; cb; cb = next) {
        next = cb->next;
        free(cb);
    }
    free(conn);
}

static void conn_close(vr_rpc_conn *conn, const char *why)
{
    if (conn->closed)
        return;
    vr_rpc *r = conn->r;
    if (why)
        vr_log_warn("%s: %s: closing the connection of uid %d", r->name, why, (int)conn->uid);
    conn->closed = true;
    /* Streams end with their client: each owner releases what it holds. */
    while (conn->streams) {
        vr_rpc_stream *st = conn->streams;
        conn->streams = st->next;
        st->ops->abort(st->opaque);
        free(st);
    }
    for (vr_rpc_conn **pp = &r->conns; *pp; pp = &(*pp)->next)
        if (*pp == conn) {
            *pp = conn->next;
            break;
        }
    r->n_conns--;
    fd_wait_free(conn);
    bufferevent_free(conn->bev); /* closes the socket */
    vr_guard_closed(conn->gc);
    conn_unref(conn);
}

uid_t vr_rpc_peer_uid(const vr_rpc_conn *conn) { return conn->uid; }
bool vr_rpc_read_only(const vr_rpc_conn *conn) { return conn->r->read_only; }

bool vr_rpc_access_ok(vr_rpc_call *c, vr_access access)
{
    if (!c->conn->r->read_only || vr_access_read_only_allows(access))
        return true;
    vr_rpc_fail(c, VIR_ERR_OPERATION_DENIED, "read only access prevents %s (connect to libvirt-sock as root or "
                "group vireo)", c->proc->api);
    return false;
}
void vr_rpc_set_open(vr_rpc_conn *conn) { conn->open = true; }
bool vr_rpc_call_alive(const vr_rpc_call *c) { return !c->conn->closed; }
unsigned vr_rpc_connections(const vr_rpc *r) { return r ? r->n_conns : 0; }

/* ---- sending ---- */

/* One message: length, header, and a body encoded by `body_xdr` or
 * `raw` bytes as they are (stream data), or none. */
static void send_frame(vr_rpc_conn *conn, const vrp_header *h, xdrproc_t body_xdr, void *body, const char *raw,
                       size_t raw_len)
{
    if (conn->closed)
        return;
    unsigned long body_len = body_xdr ? xdr_sizeof(body_xdr, body) : raw_len;
    unsigned total = (unsigned)(LEN_BYTES + HEADER_BYTES + body_len);
    char *buf = vr_malloc(total);
    XDR x;
    xdrmem_create(&x, buf, total, XDR_ENCODE);
    vrp_header copy = *h;
    bool ok = xdr_u_int(&x, &total) && xdr_vrp_header(&x, &copy) && (!body_xdr || body_xdr(&x, body, 0));
    xdr_destroy(&x);
    if (!ok) {
        vr_log_error("%s: could not encode the answer to procedure %d", conn->r->name, h->proc);
        free(buf);
        conn_close(conn, "an answer could not be encoded");
        return;
    }
    if (raw_len)
        memcpy(buf + LEN_BYTES + HEADER_BYTES, raw, raw_len);
    struct evbuffer *out = bufferevent_get_output(conn->bev);
    if (evbuffer_get_length(out) > MAX_BACKLOG) {
        free(buf);
        conn_close(conn, "the client reads none of its answers");
        return;
    }
    /* With nothing queued, the answer goes out now: the usual small one in
     * one send, without arming the socket's write event for the next
     * turn of the loop (two epoll_ctl and an epoll_wait per call). What
     * the socket does not take, or all of it behind queued bytes, waits in
     * the bufferevent as before. Not while the connection has streams:
     * they are fed from the bufferevent's write callback (a download's
     * first chunk follows its call's answer out of the queue). */
    size_t sent = 0;
    int sock = bufferevent_getfd(conn->bev);
    if (!conn->streams && evbuffer_get_length(out) == 0 && sock >= 0) {
        ssize_t n = send(sock, buf, total, MSG_DONTWAIT | MSG_NOSIGNAL);
        sent = n > 0 ? (size_t)n : 0; /* an error: the bufferevent meets it on its own write */
    }
    if (sent < total)
        evbuffer_add(out, buf + sent, total - sent);
    free(buf);
}

static void send_message(vr_rpc_conn *conn, const vrp_header *h, xdrproc_t body_xdr, void *body)
{
    send_frame(conn, h, body_xdr, body, NULL, 0);
}

/* libvirt's words before the detail of each error number it has. */
static const char *error_prefix(int code)
{
    switch (code) {
    case VIR_ERR_NO_SUPPORT: return "this function is not supported by the connection driver";
    case VIR_ERR_INVALID_ARG: return "invalid argument";
    case VIR_ERR_OPERATION_FAILED: return "operation failed";
    case VIR_ERR_XML_ERROR: return "XML error";
    case VIR_ERR_OPERATION_DENIED: return "operation forbidden";
    case VIR_ERR_RPC: return "RPC error";
    case VIR_ERR_NO_DOMAIN: return "Domain not found";
    case VIR_ERR_NO_NETWORK: return "Network not found";
    case VIR_ERR_NO_STORAGE_POOL: return "Storage pool not found";
    case VIR_ERR_NO_STORAGE_VOL: return "Storage volume not found";
    case VIR_ERR_NO_NODE_DEVICE: return "Node device not found";
    case VIR_ERR_OPERATION_INVALID: return "Requested operation is not valid";
    case VIR_ERR_CONFIG_UNSUPPORTED: return "unsupported configuration";
    case VIR_ERR_ACCESS_DENIED: return "access denied";
    case VIR_ERR_OVERFLOW: return "value too large";
    case VIR_ERR_DEVICE_MISSING: return "device not found";
    case VIR_ERR_NO_DOMAIN_SNAPSHOT: return "Domain snapshot not found";
    case VIR_ERR_NO_DOMAIN_CHECKPOINT: return "Domain checkpoint not found";
    default: return "internal error";
    }
}

/* libvirt's error domains (virErrorDomain): who raised it. */
static int error_domain(int code, vr_rpc_kind kind)
{
    enum { FROM_QEMU = 10, FROM_REMOTE = 13, FROM_STORAGE = 18, FROM_NETWORK = 19, FROM_NODEDEV = 22 };
    if (code == VIR_ERR_RPC || code == VIR_ERR_NO_SUPPORT)
        return FROM_REMOTE;
    switch (kind) {
    case VR_RPC_NETWORK: return FROM_NETWORK;
    case VR_RPC_POOL:
    case VR_RPC_VOLUME: return FROM_STORAGE;
    case VR_RPC_NODEDEV: return FROM_NODEDEV;
    default: return FROM_QEMU;
    }
}

/* A message's header for procedure `proc` of the tables: the QEMU
 * program's procedures (VR_RPC_QEMU_PROC) answer under their program. */
static vrp_header header_for(int proc, int type, unsigned serial, int status)
{
    bool qemu = proc >= VR_RPC_QEMU_PROC(0);
    return (vrp_header){.prog = qemu ? VRP_QEMU_PROGRAM : VRP_REMOTE_PROGRAM, .vers = VRP_REMOTE_VERSION,
                        .proc = qemu ? proc - VR_RPC_QEMU_PROC(0) : proc, .type = type, .serial = serial,
                        .status = status};
}

/* A failed call's answer; a stream's error (type VRP_STREAM) has the
 * same body. */
static void send_error_typed(vr_rpc_conn *conn, int type, int proc, unsigned serial, int code, vr_rpc_kind kind,
                             const char *msg)
{
    vrp_header h = header_for(proc, type, serial, VRP_ERROR);
    char *text = vr_strdup(msg);
    vrp_error e = {.code = code, .domain = error_domain(code, kind), .message = &text, .level = 2};
    send_message(conn, &h, (xdrproc_t)xdr_vrp_error, &e);
    free(text);
}

/* An error answer under the call's own program, version and procedure
 * (a call the tables cannot name: an unknown program, or a remote
 * procedure number in the range where the QEMU program's sit). */
static void send_error_as_called(vr_rpc_conn *conn, const vrp_header *call, int code, const char *detail)
{
    vrp_header h = {.prog = call->prog, .vers = call->vers, .proc = call->proc, .type = VRP_REPLY,
                    .serial = call->serial, .status = VRP_ERROR};
    char *text = vr_asprintf("%s: %s", error_prefix(code), detail);
    vrp_error e = {.code = code, .domain = error_domain(code, VR_RPC_OTHER), .message = &text, .level = 2};
    send_message(conn, &h, (xdrproc_t)xdr_vrp_error, &e);
    free(text);
}

static void send_error(vr_rpc_conn *conn, int proc, unsigned serial, int code, vr_rpc_kind kind, const char *msg)
{
    send_error_typed(conn, VRP_REPLY, proc, serial, code, kind, msg);
}

static void send_error_fmt(vr_rpc_conn *conn, int proc, unsigned serial, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void send_error_fmt(vr_rpc_conn *conn, int proc, unsigned serial, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = vr_vasprintf(fmt, ap);
    va_end(ap);
    char *msg = vr_asprintf("%s: %s", error_prefix(code), detail);
    send_error(conn, proc, serial, code, VR_RPC_OTHER, msg);
    free(msg);
    free(detail);
}

vr_rpc_result vr_rpc_fail(vr_rpc_call *c, int code, const char *fmt, ...)
{
    call_state *st = (call_state *)c;
    va_list ap;
    va_start(ap, fmt);
    char *detail = vr_vasprintf(fmt, ap);
    va_end(ap);
    free(st->err_msg);
    st->err_msg = vr_asprintf("%s: %s", error_prefix(code), detail);
    st->err_code = code;
    free(detail);
    return VR_RPC_FAILED;
}

/* libvirt's error number for a Vireo error about an object of `kind`. */
static int libvirt_code(vr_err code, vr_rpc_kind kind)
{
    static const int not_found[] = {
        [VR_RPC_DOMAIN] = VIR_ERR_NO_DOMAIN, [VR_RPC_NETWORK] = VIR_ERR_NO_NETWORK,
        [VR_RPC_POOL] = VIR_ERR_NO_STORAGE_POOL, [VR_RPC_VOLUME] = VIR_ERR_NO_STORAGE_VOL,
        [VR_RPC_XML] = VIR_ERR_NO_DOMAIN, [VR_RPC_DEVICE] = VIR_ERR_DEVICE_MISSING,
        [VR_RPC_SNAPSHOT] = VIR_ERR_NO_DOMAIN_SNAPSHOT, [VR_RPC_CHECKPOINT] = VIR_ERR_NO_DOMAIN_CHECKPOINT,
        [VR_RPC_NODEDEV] = VIR_ERR_NO_NODE_DEVICE,
        [VR_RPC_OTHER] = VIR_ERR_OPERATION_FAILED,
    };
    int lv;
    switch (code) {
    case VR_ERR_NOT_FOUND: lv = not_found[kind]; break;
    case VR_ERR_INVALID: lv = kind == VR_RPC_XML ? VIR_ERR_XML_ERROR : VIR_ERR_INVALID_ARG; break;
    case VR_ERR_CONFLICT: lv = VIR_ERR_OPERATION_INVALID; break;
    case VR_ERR_DENIED: lv = VIR_ERR_ACCESS_DENIED; break;
    case VR_ERR_UNSUPPORTED: lv = VIR_ERR_CONFIG_UNSUPPORTED; break;
    default: lv = VIR_ERR_OPERATION_FAILED; break;
    }
    return lv;
}

vr_rpc_result vr_rpc_fail_vr(vr_rpc_call *c, vr_err code, const char *msg, vr_rpc_kind kind)
{
    ((call_state *)c)->err_kind = kind;
    return vr_rpc_fail(c, libvirt_code(code, kind), "%s", msg && *msg ? msg : "failed");
}

vr_rpc_result vr_rpc_outcome(vr_rpc_call *c, vr_err code, char *err, vr_rpc_kind kind)
{
    vr_rpc_result res = code == VR_OK ? VR_RPC_OK : vr_rpc_fail_vr(c, code, err, kind);
    free(err);
    return res;
}

static void call_free(call_state *st)
{
    vr_rpc_call *c = &st->call;
    if (c->args) {
        xdr_free(c->proc->args_xdr, c->args);
        free(c->args);
    }
    if (c->ret) {
        xdr_free(c->proc->ret_xdr, c->ret);
        free(c->ret);
    }
    free(st->err_msg);
    if (st->pass_fd >= 0)
        close(st->pass_fd);
    for (unsigned i = 0; i < st->n_in_fds; i++)
        if (st->in_fds[i] >= 0)
            close(st->in_fds[i]);
    conn_unref(c->conn);
    free(st);
}

void vr_rpc_pass_fd(vr_rpc_call *c, int fd)
{
    call_state *st = (call_state *)c;
    if (st->pass_fd >= 0)
        close(st->pass_fd);
    st->pass_fd = fd;
}

int vr_rpc_take_fd(vr_rpc_call *c)
{
    call_state *st = (call_state *)c;
    for (unsigned i = 0; i < st->n_in_fds; i++)
        if (st->in_fds[i] >= 0) {
            int fd = st->in_fds[i];
            st->in_fds[i] = -1;
            return fd;
        }
    return -1;
}

/* A REPLY_WITH_FDS: after the header the number of descriptors, then
 * the result; the message's bytes must all be on the socket before the
 * descriptor follows (one byte with it, SCM_RIGHTS), as libvirt's
 * clients read them. So the output is flushed here, waiting for room. */
static void send_reply_with_fd(call_state *st)
{
    vr_rpc_call *c = &st->call;
    vr_rpc_conn *conn = c->conn;
    if (conn->closed)
        return;
    unsigned nfds = 1;
    unsigned long len = xdr_sizeof((xdrproc_t)xdr_u_int, &nfds) + xdr_sizeof(c->proc->ret_xdr, c->ret);
    char *body = vr_malloc(len);
    XDR x;
    xdrmem_create(&x, body, (unsigned)len, XDR_ENCODE);
    bool ok = xdr_u_int(&x, &nfds) && c->proc->ret_xdr(&x, c->ret, 0);
    xdr_destroy(&x);
    vrp_header h = header_for(c->proc->number, VRP_REPLY_WITH_FDS, c->serial, VRP_OK);
    if (ok)
        send_frame(conn, &h, NULL, NULL, body, len);
    free(body);
    struct evbuffer *out = bufferevent_get_output(conn->bev);
    int sock = bufferevent_getfd(conn->bev);
    /* The bufferevent keeps its output's start frozen against other
     * writers: thawed for this flush only. */
    evbuffer_unfreeze(out, 1);
    while (ok && !conn->closed && evbuffer_get_length(out) > 0) {
        if (evbuffer_write(out, sock) < 0) {
            struct pollfd p = {.fd = sock, .events = POLLOUT};
            ok = (errno == EAGAIN || errno == EINTR) && poll(&p, 1, 5000) > 0;
        }
    }
    evbuffer_freeze(out, 1);
    char byte = 0;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u = {0};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &st->pass_fd, sizeof(int));
    if (!ok || conn->closed || sendmsg(sock, &m, MSG_NOSIGNAL) != 1) {
        char why[128];
        snprintf(why, sizeof(why), "a descriptor could not be handed over (%s)", strerror(errno));
        conn_close(conn, why);
    }
}

/* Send the call's answer (its ret, or its error) and free it. */
static void finish(call_state *st, vr_rpc_result res)
{
    vr_rpc_call *c = &st->call;
    if (res == VR_RPC_FAILED) {
        send_error(c->conn, c->proc->number, c->serial, st->err_code, st->err_kind,
                   st->err_msg ? st->err_msg : "internal error: failed");
    } else if (st->pass_fd >= 0) {
        send_reply_with_fd(st);
    } else {
        vrp_header h = header_for(c->proc->number, VRP_REPLY, c->serial, VRP_OK);
        send_message(c->conn, &h, c->proc->ret_xdr, c->ret);
    }
    call_free(st);
}

void vr_rpc_done(vr_rpc_call *c, vr_err code, const char *msg, vr_rpc_kind kind)
{
    call_state *st = (call_state *)c;
    finish(st, code == VR_OK ? VR_RPC_OK : vr_rpc_fail_vr(c, code, msg, kind));
}

/* ---- streams ---- */

vr_rpc_stream *vr_rpc_stream_open(vr_rpc_call *c, const vr_rpc_stream_ops *ops, void *opaque)
{
    vr_rpc_stream *st = vr_calloc(1, sizeof(*st));
    *st = (vr_rpc_stream){.next = c->conn->streams, .conn = c->conn, .proc = c->proc->number,
                          .serial = c->serial, .ops = ops, .opaque = opaque};
    c->conn->streams = st;
    return st;
}

static void stream_unlink(vr_rpc_stream *st)
{
    for (vr_rpc_stream **pp = &st->conn->streams; *pp; pp = &(*pp)->next)
        if (*pp == st) {
            *pp = st->next;
            break;
        }
    free(st);
}

static vrp_header stream_header(const vr_rpc_stream *st, int type, int status)
{
    return (vrp_header){.prog = VRP_REMOTE_PROGRAM, .vers = VRP_REMOTE_VERSION, .proc = st->proc,
                        .type = type, .serial = st->serial, .status = status};
}

void vr_rpc_stream_send(vr_rpc_stream *st, const char *buf, size_t n)
{
    vrp_header h = stream_header(st, VRP_STREAM, VRP_CONTINUE);
    send_frame(st->conn, &h, NULL, NULL, buf, n);
}

void vr_rpc_stream_send_hole(vr_rpc_stream *st, long long length)
{
    vrp_header h = stream_header(st, VRP_STREAM_HOLE, VRP_CONTINUE);
    vrp_stream_hole hole = {.length = length};
    send_message(st->conn, &h, (xdrproc_t)xdr_vrp_stream_hole, &hole);
}

/* The end of our data is an empty CONTINUE (libvirt's clients take an
 * OK only as the answer to their finish or abort). */
void vr_rpc_stream_eof(vr_rpc_stream *st)
{
    vrp_header h = stream_header(st, VRP_STREAM, VRP_CONTINUE);
    send_message(st->conn, &h, NULL, NULL);
}

static void stream_confirm(vr_rpc_stream *st)
{
    vrp_header h = stream_header(st, VRP_STREAM, VRP_OK);
    send_message(st->conn, &h, NULL, NULL);
}

static void stream_error(vr_rpc_stream *st, vr_err code, const char *msg)
{
    int lv = libvirt_code(code, VR_RPC_VOLUME);
    char *text = vr_asprintf("%s: %s", error_prefix(lv), msg && *msg ? msg : "failed");
    send_error_typed(st->conn, VRP_STREAM, st->proc, st->serial, lv, VR_RPC_VOLUME, text);
    free(text);
}

void vr_rpc_stream_finished(vr_rpc_stream *st, vr_err code, const char *msg)
{
    if (code == VR_OK)
        stream_confirm(st);
    else
        stream_error(st, code, msg);
    stream_unlink(st);
}

void vr_rpc_stream_fail(vr_rpc_stream *st, vr_err code, const char *msg)
{
    stream_error(st, code, msg);
    st->ops->abort(st->opaque);
    stream_unlink(st);
}

bool vr_rpc_stream_room(const vr_rpc_stream *st)
{
    return !st->conn->closed && evbuffer_get_length(bufferevent_get_output(st->conn->bev)) < STREAM_PACE;
}

struct event_base *vr_rpc_stream_base(const vr_rpc_stream *st) { return st->conn->r->base; }

/* A STREAM or STREAM_HOLE message from the client, for the stream its
 * procedure and serial name (none: one that ended; ignored). */
static void stream_message(vr_rpc_conn *conn, const vrp_header *h, XDR *x, const char *body, size_t len)
{
    vr_rpc_stream *st = conn->streams;
    while (st && (st->proc != h->proc || st->serial != h->serial))
        st = st->next;
    if (!st)
        return;
    if (h->type == VRP_STREAM_HOLE) {
        vrp_stream_hole hole;
        if (!xdr_vrp_stream_hole(x, &hole) || hole.length < 0)
            vr_rpc_stream_fail(st, VR_ERR_INVALID, "a stream hole that does not decode");
        else
            st->ops->data(st, st->opaque, NULL, (size_t)hole.length);
    } else if (h->status == VRP_CONTINUE) {
        /* An empty one is a client waiting for data (libvirt's "dummy
         * packet" while it reads): nothing to pass on. */
        if (len)
            st->ops->data(st, st->opaque, body, len);
    } else if (h->status == VRP_OK) {
        st->ops->finish(st, st->opaque);
    } else {
        /* The client aborts: it waits for an answer, an error as libvirtd's. */
        send_error_typed(conn, VRP_STREAM, st->proc, st->serial, VIR_ERR_RPC, VR_RPC_OTHER,
                         "RPC error: stream aborted at client request");
        st->ops->abort(st->opaque);
        stream_unlink(st);
    }
}

static void on_write(struct bufferevent *bev, void *arg)
{
    vr_rpc_conn *conn = arg;
    conn->refs++;
    for (vr_rpc_stream *st = conn->streams, *next; st && !conn->closed; st = next) {
        next = st->next; /* the callback may end its own stream */
        if (st->ops->writable)
            st->ops->writable(st, st->opaque);
    }
    conn_unref(conn);
}

/* ---- receiving ---- */

const vr_rpc_proc *vr_rpc_find_proc(int number)
{
    for (size_t t = 0; t < VR_ARRAY_LEN(tables); t++)
        for (const vr_rpc_proc *p = tables[t]; p->fn; p++)
            if (p->number == number)
                return p;
    return NULL;
}

/* Each procedure Vireo does not serve is logged once (by number, and by
 * libvirt's name when rpc_unserved.c knows it), so the log shows what
 * clients still miss without repeating it at every call. */
static void note_unsupported(const vr_rpc *r, int number)
{
    static unsigned char seen[1024 / 8];
    if (number >= 0 && number < 1024) {
        if (seen[number / 8] & (1u << (number % 8)))
            return;
        seen[number / 8] |= (unsigned char)(1u << (number % 8));
    }
    const char *api = vr_rpc_unserved_name(number);
    vr_log_info("%s: procedure %d%s%s%s is not supported (answered VIR_ERR_NO_SUPPORT)", r->name, number,
                api ? " (" : "", api ? api : "", api ? ")" : "");
}

static void keepalive(vr_rpc_conn *conn, const vrp_header *h)
{
    if (h->proc != VRP_KEEPALIVE_PING || h->type != VRP_MESSAGE)
        return; /* a PONG to a ping we never send, or noise */
    vrp_header pong = {.prog = VRP_KEEPALIVE_PROGRAM, .vers = VRP_KEEPALIVE_VERSION, .proc = VRP_KEEPALIVE_PONG,
                       .type = VRP_MESSAGE, .serial = 0, .status = VRP_OK};
    send_message(conn, &pong, NULL, NULL);
}

/* The procedures a client may call before CONNECT_OPEN. */
static bool before_open(int number)
{
    enum { CONNECT_OPEN = 1, AUTH_LIST = 66, CONNECT_SUPPORTS_FEATURE = 60 };
    return number == CONNECT_OPEN || number == AUTH_LIST || number == CONNECT_SUPPORTS_FEATURE;
}

static void fds_read(vr_rpc_conn *conn);

/* A call's descriptors (CALL_WITH_FDS) are handed to it, or closed
 * when it is refused before it runs. */
static void close_fds(int *fds, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        close(fds[i]);
}

static void dispatch(vr_rpc_conn *conn, const vrp_header *h, XDR *body, int *fds, unsigned nfds)
{
    vr_rpc *r = conn->r;
    const vr_rpc_proc *p = vr_rpc_find_proc(h->proc);
    if (!p || (!conn->open && !before_open(h->proc)) || (r->read_only && !vr_access_read_only_allows(p->access)))
        close_fds(fds, nfds);
    if (!p) {
        note_unsupported(r, h->proc);
        const char *api = vr_rpc_unserved_name(h->proc);
        send_error_fmt(conn, h->proc, h->serial, VIR_ERR_NO_SUPPORT, "%s%sprocedure %d is not served by vireod",
                       api ? api : "", api ? ": " : "", h->proc);
        return;
    }
    if (!conn->open && !before_open(h->proc)) {
        send_error_fmt(conn, h->proc, h->serial, VIR_ERR_RPC, "the connection is not open: call %s after "
                       "virConnectOpen", p->api);
        return;
    }
    if (r->read_only && !vr_access_read_only_allows(p->access)) {
        send_error_fmt(conn, h->proc, h->serial, VIR_ERR_OPERATION_DENIED,
                       "read only access prevents %s (connect to libvirt-sock as root or group vireo)", p->api);
        return;
    }
    call_state *st = vr_calloc(1, sizeof(*st));
    st->pass_fd = -1;
    if (nfds)
        memcpy(st->in_fds, fds, nfds * sizeof(int));
    st->n_in_fds = nfds;
    vr_rpc_call *c = &st->call;
    c->conn = conn;
    c->api = r->api;
    c->proc = p;
    c->serial = h->serial;
    conn->refs++;
    c->args = vr_calloc(1, p->args_size);
    c->ret = vr_calloc(1, p->ret_size);
    if (!p->args_xdr(body, c->args, 0)) {
        finish(st, vr_rpc_fail(c, VIR_ERR_RPC, "cannot decode the arguments of %s", p->api));
        return;
    }
    vr_rpc_result res = p->fn(c);
    if (res != VR_RPC_LATER)
        finish(st, res);
}

/* A call, its header decoded and x at its arguments, with the
 * descriptors it brought (taken). False: the connection must close. */
static bool route_call(vr_rpc_conn *conn, const vrp_header *h, XDR *x, int *fds, unsigned nfds)
{
    if (h->prog == VRP_QEMU_PROGRAM && h->vers == VRP_REMOTE_VERSION && h->status == VRP_OK && h->proc >= 0 &&
        h->proc < VR_RPC_QEMU_PROC(0)) {
        vrp_header q = *h; /* the QEMU program's procedures sit in the tables above the remote ones */
        q.proc = VR_RPC_QEMU_PROC(h->proc);
        dispatch(conn, &q, x, fds, nfds);
        return true;
    }
    if (h->prog == VRP_REMOTE_PROGRAM && h->vers == VRP_REMOTE_VERSION && h->status == VRP_OK &&
        h->proc >= 0 && h->proc < VR_RPC_QEMU_PROC(0)) {
        dispatch(conn, h, x, fds, nfds);
        return true;
    }
    close_fds(fds, nfds);
    if (h->prog != VRP_REMOTE_PROGRAM || h->vers != VRP_REMOTE_VERSION) {
        char *m = vr_asprintf("cannot find program %u version %u", h->prog, h->vers);
        send_error_as_called(conn, h, VIR_ERR_RPC, m);
        free(m);
    } else if (h->status != VRP_OK) {
        return false;
    } else {
        /* Found by fuzz_rpc: such a number would be answered as the QEMU
         * program's procedure it stands for in the tables. */
        char *m = vr_asprintf("procedure %d is not served by vireod", h->proc);
        send_error_as_called(conn, h, VIR_ERR_NO_SUPPORT, m);
        free(m);
    }
    return true;
}

/* ---- a call's descriptors (CALL_WITH_FDS) ----
 *
 * libvirt's clients send each descriptor after the message's bytes with
 * one byte of its own (SCM_RIGHTS). Reads stop at each message's end
 * (read_exactly), so those bytes are still on the socket, where a read
 * without room for a descriptor would drop it. They are taken as they
 * come, reading the connection paused meanwhile, the loop never waiting
 * on them; the call runs once all are in. */
static void fd_wait_free(vr_rpc_conn *conn)
{
    fd_wait *w = conn->fdw;
    if (!w)
        return;
    conn->fdw = NULL;
    close_fds(w->fds, w->have);
    if (w->ev)
        event_free(w->ev);
    free(w->msg);
    free(w);
}

static void on_fds_readable(evutil_socket_t sock, short what, void *arg)
{
    (void)sock;
    vr_rpc_conn *conn = arg;
    conn->refs++;
    if (what & EV_TIMEOUT)
        conn_close(conn, "a call's descriptors did not come (5 s)");
    else
        fds_read(conn);
    conn_unref(conn);
}

static void fds_read(vr_rpc_conn *conn)
{
    fd_wait *w = conn->fdw;
    int sock = bufferevent_getfd(conn->bev);
    while (w->have < w->want) {
        char byte;
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof(u));
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
        ssize_t got = recvmsg(sock, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EAGAIN) {
            if (!w->ev) {
                w->ev = event_new(conn->r->base, sock, EV_READ, on_fds_readable, conn);
                bufferevent_disable(conn->bev, EV_READ);
            }
            struct timeval tv = {FD_WAIT_MS / 1000, 0};
            event_add(w->ev, &tv);
            return;
        }
        struct cmsghdr *cm = got == 1 ? CMSG_FIRSTHDR(&m) : NULL;
        if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
            cm->cmsg_len != CMSG_LEN(sizeof(int))) {
            if (cm && cm->cmsg_type == SCM_RIGHTS) /* more than one: none is taken */
                close_fds((int *)CMSG_DATA(cm), (unsigned)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int)));
            conn_close(conn, got == 0 ? NULL : "a call's descriptor came without SCM_RIGHTS");
            return;
        }
        memcpy(&w->fds[w->have++], CMSG_DATA(cm), sizeof(int));
    }
    /* All in: the call runs (the descriptors are its), reading goes on. */
    bool resume = w->ev != NULL;
    w->have = 0;
    XDR x;
    xdrmem_create(&x, w->msg + LEN_BYTES, w->len - LEN_BYTES, XDR_DECODE);
    vrp_header h;
    unsigned nfds;
    conn->refs++;
    bool ok = xdr_vrp_header(&x, &h) && xdr_u_int(&x, &nfds) && route_call(conn, &h, &x, w->fds, w->want);
    xdr_destroy(&x);
    fd_wait_free(conn);
    if (!ok)
        conn_close(conn, "a malformed message header");
    else if (resume && !conn->closed)
        bufferevent_enable(conn->bev, EV_READ);
    conn_unref(conn);
}

/* One whole message (length word included). False: the connection must
 * close (the framing cannot be trusted any more). */
static bool on_message(vr_rpc_conn *conn, char *msg, unsigned len)
{
    XDR x;
    xdrmem_create(&x, msg + LEN_BYTES, len - LEN_BYTES, XDR_DECODE);
    vrp_header h;
    bool ok = xdr_vrp_header(&x, &h);
    if (ok && !conn->spoke) {
        conn->spoke = true;
        vr_guard_stream(conn->gc); /* a libvirt client stays connected for as long as it likes */
    }
    if (!ok) {
        /* Cannot happen with len >= LEN + HEADER; kept for the fuzzer. */
    } else if (h.prog == VRP_KEEPALIVE_PROGRAM && h.vers == VRP_KEEPALIVE_VERSION) {
        keepalive(conn, &h);
    } else if ((h.type == VRP_STREAM || h.type == VRP_STREAM_HOLE) && h.prog == VRP_REMOTE_PROGRAM) {
        stream_message(conn, &h, &x, msg + LEN_BYTES + HEADER_BYTES, len - LEN_BYTES - HEADER_BYTES);
    } else if (h.type == VRP_CALL) {
        ok = route_call(conn, &h, &x, NULL, 0);
    } else if (h.type == VRP_CALL_WITH_FDS) {
        /* The count of descriptors, then the arguments; the call runs
         * once its descriptors are in. */
        unsigned nfds = 0;
        ok = xdr_u_int(&x, &nfds) && nfds <= MAX_CALL_FDS;
        if (ok) {
            fd_wait *w = vr_calloc(1, sizeof(*w));
            w->msg = vr_malloc(len);
            memcpy(w->msg, msg, len);
            w->len = len;
            w->want = nfds;
            conn->fdw = w;
            fds_read(conn);
        }
    } else {
        /* Nothing else comes from a client. */
        vr_log_debug("%s: ignored a message of type %d", conn->r->name, h.type);
    }
    xdr_destroy(&x);
    return ok;
}

/* Reads stop at each message's end: each read takes at most what the
 * message still lacks (its length and header, the shortest message, until
 * the length is in; a bad one closes the connection at once), as
 * libvirt's own server reads. A CALL_WITH_FDS's descriptors follow its
 * bytes on the socket, and a read past the end would drop them
 * (fds_read). A cap on each read rather than a high watermark, which
 * would pause and resume the socket's event around every message. */
static void read_exactly(struct bufferevent *bev)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t have = evbuffer_get_length(in), want = LEN_BYTES + HEADER_BYTES;
    if (have >= LEN_BYTES) {
        uint32_t be; /* checked by on_read: a whole frame's length, more than is here */
        evbuffer_copyout(in, &be, sizeof(be));
        want = ntohl(be);
    }
    bufferevent_set_max_single_read(bev, want > have ? want - have : 1);
}

/* The rest of a message whose length is in: most often in the socket
 * already, so read now rather than on the loop's next turn (its epoll_wait
 * and FIONREAD); never past the message's end (read_exactly's reason).
 * False when it is not all here yet (or the socket failed: the bufferevent
 * meets that on its own read). */
static bool read_rest(struct bufferevent *bev, unsigned len)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    int sock = bufferevent_getfd(bev);
    if (sock < 0)
        return false;
    /* The bufferevent keeps its input's end frozen against other
     * readers: thawed for this read only. */
    evbuffer_unfreeze(in, 0);
    int got = evbuffer_read(in, sock, (int)(len - evbuffer_get_length(in)));
    evbuffer_freeze(in, 0);
    return got > 0 && evbuffer_get_length(in) >= len;
}

static void on_read(struct bufferevent *bev, void *arg)
{
    vr_rpc_conn *conn = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    conn->refs++; /* a call may close the connection under us */
    while (!conn->closed && !conn->fdw && evbuffer_get_length(in) >= LEN_BYTES) {
        uint32_t be;
        evbuffer_copyout(in, &be, sizeof(be));
        unsigned len = ntohl(be);
        if (len < LEN_BYTES + HEADER_BYTES || len > MAX_CALL) {
            char why[128];
            snprintf(why, sizeof(why), "a message of %u bytes (not a libvirt RPC frame, or over %u)", len,
                     MAX_CALL);
            conn_close(conn, why);
            break;
        }
        if (evbuffer_get_length(in) < len && !read_rest(bev, len))
            break;
        char *msg = (char *)evbuffer_pullup(in, len);
        bool ok = on_message(conn, msg, len);
        evbuffer_drain(in, len);
        if (!ok)
            conn_close(conn, "a malformed message header");
    }
    if (!conn->closed)
        read_exactly(bev);
    conn_unref(conn);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    vr_rpc_conn *conn = arg;
    if (what & BEV_EVENT_ERROR)
        vr_log_debug("%s: connection error: %s", conn->r->name, strerror(errno));
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        /* A truncated message at the end is the client's loss alone. */
        size_t left = evbuffer_get_length(bufferevent_get_input(bev));
        conn_close(conn, left ? "the client left in the middle of a message" : NULL);
    }
}

static bool add_conn(void *opaque, int fd, const struct sockaddr *sa, socklen_t len)
{
    (void)sa, (void)len;
    vr_rpc *r = opaque;
    vr_rpc_conn *conn = vr_calloc(1, sizeof(*conn));
    conn->r = r;
    conn->refs = 1;
    conn->next_callback = 1;
    conn->gc = vr_guard_claim(r->guard);
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    conn->uid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 ? cred.uid : (uid_t)-1;
    evutil_make_socket_nonblocking(fd);
    conn->bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!conn->bev) {
        free(conn);
        close(fd);
        return false;
    }
    bufferevent_setcb(conn->bev, on_read, on_write, on_event, conn);
    bufferevent_setwatermark(conn->bev, EV_WRITE, STREAM_PACE / 4, 0);
    read_exactly(conn->bev);
    bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
    conn->next = r->conns;
    r->conns = conn;
    r->n_conns++;
    return true;
}

vr_rpc *vr_rpc_start(struct event_base *base, int listen_fd, vr_api *api, bool read_only, const char *name,
                     const vr_http_limits *limits)
{
    vr_rpc *r = vr_calloc(1, sizeof(*r));
    r->base = base;
    r->api = api;
    r->read_only = read_only;
    r->name = vr_strdup(name);
    /* The guard's refusals are HTTP text, which a libvirt client cannot
     * read: ask it (as for TLS) never to answer in plain text. */
    r->guard = vr_guard_new(base, listen_fd, name, limits, true, add_conn, r);
    return r;
}

void vr_rpc_stop(vr_rpc *r)
{
    if (!r)
        return;
    while (r->conns)
        conn_close(r->conns, NULL);
    vr_guard_free(r->guard);
    free(r->name);
    free(r);
}

/* ---- events ---- */

int vr_rpc_events_add(vr_rpc_conn *conn, vr_rpc_ev_kind kind, int event_id, const unsigned char *uuid)
{
    if (conn->n_callbacks >= MAX_CALLBACKS)
        return -1;
    callback *cb = vr_calloc(1, sizeof(*cb));
    cb->kind = kind;
    cb->id = conn->next_callback++;
    cb->event_id = event_id;
    cb->any_domain = uuid == NULL;
    if (uuid)
        memcpy(cb->uuid, uuid, VR_UUID_LEN);
    cb->next = conn->callbacks;
    conn->callbacks = cb;
    conn->n_callbacks++;
    return cb->id;
}

bool vr_rpc_events_remove(vr_rpc_conn *conn, vr_rpc_ev_kind kind, int callback_id)
{
    for (callback **pp = &conn->callbacks; *pp; pp = &(*pp)->next) {
        callback *cb = *pp;
        if (cb->id != callback_id || cb->kind != kind)
            continue;
        *pp = cb->next;
        free(cb);
        conn->n_callbacks--;
        return true;
    }
    return false;
}

/* An event's word and detail as libvirt's numbers: `ev` the event, `det`
 * its detail (-1: any detail). */
typedef struct {
    const char *event, *detail;
    int ev, det;
} event_number;

/* Domains: virDomainEventType and its detail enums. */
static const event_number domain_lifecycle[] = {
    {"defined", "added", 0, 0},      {"defined", "updated", 0, 1},   {"defined", "renamed", 0, 2},
    {"undefined", "removed", 1, 0},  {"undefined", "renamed", 1, 1}, {"started", "booted", 2, 0},
    {"suspended", "paused", 3, 0},   {"suspended", "ioerror", 3, 2}, {"suspended", "watchdog", 3, 3},
    {"resumed", "unpaused", 4, 0},  {"stopped", "shutdown", 5, 0},
    {"stopped", "destroyed", 5, 1},  {"crashed", NULL, 5, 2},        {"stopped", "failed", 5, 5},
    {"shutdown", "guest", 6, 1},     {"shutdown", "host", 6, 2},     {"started", NULL, 2, 0},
    {"stopped", NULL, 5, 0},         {"defined", NULL, 0, 0},        {"undefined", NULL, 1, 0},
    {"shutdown", NULL, 6, 0},        {NULL, NULL, 0, 0},
};
/* Networks: virNetworkEventLifecycleType (no details). */
static const event_number network_lifecycle[] = {
    {"defined", NULL, 0, 0}, {"undefined", NULL, 1, 0}, {"started", NULL, 2, 0}, {"stopped", NULL, 3, 0},
    {NULL, NULL, 0, 0},
};
/* Pools: virStoragePoolEventLifecycleType (no details). */
static const event_number pool_lifecycle[] = {
    {"defined", NULL, 0, 0}, {"undefined", NULL, 1, 0}, {"started", NULL, 2, 0},
    {"stopped", NULL, 3, 0}, {"created", NULL, 4, 0},   {"deleted", NULL, 5, 0},
    {NULL, NULL, 0, 0},
};

static bool event_numbers(const event_number *map, const char *event, const char *detail, int *ev, int *det)
{
    for (size_t i = 0; map[i].event; i++) {
        if (strcmp(map[i].event, event) == 0 && (!map[i].detail || strcmp(map[i].detail, detail) == 0)) {
            *ev = map[i].ev;
            *det = map[i].det;
            return true;
        }
    }
    return false;
}

static const char *json_str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

/* Send msg (whose first member is the callback id) to every callback of
 * (kind, event_id) for this object or for all. */
static void send_event(vr_rpc *r, vr_rpc_ev_kind kind, int event_id, const unsigned char *uuid, int proc,
                       xdrproc_t xdr, void *msg)
{
    vrp_header h = {.prog = VRP_REMOTE_PROGRAM, .vers = VRP_REMOTE_VERSION, .proc = proc,
                    .type = VRP_MESSAGE, .serial = 0, .status = VRP_OK};
    for (vr_rpc_conn *conn = r->conns, *next; conn; conn = next) {
        next = conn->next; /* sending may close it */
        for (callback *cb = conn->callbacks; cb && !conn->closed; cb = cb->next) {
            if (cb->kind != kind || cb->event_id != event_id ||
                (!cb->any_domain && memcmp(cb->uuid, uuid, VR_UUID_LEN)))
                continue;
            *(int *)msg = cb->id;
            send_message(conn, &h, xdr, msg);
        }
    }
}

/* libvirt's event ids and the messages that carry them (remote_protocol.x). */
enum {
    DOM_EVENT_LIFECYCLE = 0, DOM_EVENT_REBOOT = 1, DOM_EVENT_DEVICE_REMOVED = 15, DOM_EVENT_DEVICE_ADDED = 19,
    PROC_DOM_LIFECYCLE = 318, PROC_DOM_REBOOT = 319, PROC_DOM_DEVICE_REMOVED = 333, PROC_DOM_DEVICE_ADDED = 354,
    DOM_EVENT_BLOCK_JOB = 8, DOM_EVENT_BLOCK_JOB_2 = 16, DOM_EVENT_TUNABLE = 17, DOM_EVENT_AGENT = 18,
    DOM_EVENT_METADATA = 23, PROC_DOM_BLOCK_JOB = 326, PROC_DOM_BLOCK_JOB_2 = 339, PROC_DOM_TUNABLE = 346,
    PROC_DOM_AGENT = 348, PROC_DOM_METADATA = 379, DOM_EVENT_DEVICE_REMOVAL_FAILED = 22,
    PROC_DOM_DEVICE_REMOVAL_FAILED = 367, DOM_EVENT_RTC_CHANGE = 2, PROC_DOM_RTC_CHANGE = 320,
    DOM_EVENT_WATCHDOG = 3, DOM_EVENT_IO_ERROR = 4, DOM_EVENT_GRAPHICS = 5, DOM_EVENT_IO_ERROR_REASON = 6,
    PROC_DOM_WATCHDOG = 321, PROC_DOM_IO_ERROR = 322, PROC_DOM_GRAPHICS = 323, PROC_DOM_IO_ERROR_REASON = 324,
    NET_EVENT_LIFECYCLE = 0, PROC_NET_LIFECYCLE = 315,
    POOL_EVENT_LIFECYCLE = 0, POOL_EVENT_REFRESH = 1, PROC_POOL_LIFECYCLE = 370, PROC_POOL_REFRESH = 373,
};

/* virConnectDomainEventBlockJobType and Status of the driver's "TARGET
 * KIND STATUS"; both messages, BLOCK_JOB naming the disk's source path
 * and BLOCK_JOB_2 its target, as libvirt sends them. */
static void block_job_event(vr_rpc *r, const vr_domain *dom, vrp_dom d, const char *detail)
{
    static const char *const kinds[] = {"", "pull", "copy", "commit", "active-commit"};
    static const char *const states[] = {"completed", "failed", "canceled", "ready"};
    char target[64], kind[32], status[32];
    if (sscanf(detail, "%63s %31s %31s", target, kind, status) != 3)
        return;
    int type = 0, st = -1;
    for (int i = 0; i < (int)VR_ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i], kind) == 0)
            type = i;
    for (int i = 0; i < (int)VR_ARRAY_LEN(states); i++)
        if (strcmp(states[i], status) == 0)
            st = i;
    if (st < 0)
        return;
    const char *path = target;
    for (size_t i = 0; dom && i < dom->def->n_disks; i++)
        if (dom->def->disks[i].target_dev && strcmp(dom->def->disks[i].target_dev, target) == 0 &&
            dom->def->disks[i].source_path)
            path = dom->def->disks[i].source_path;
    const unsigned char *u = (const unsigned char *)d.uuid;
    vrp_event_block_job_msg m = {.dom = d, .path = (char *)path, .type = type, .status = st};
    send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_BLOCK_JOB, u, PROC_DOM_BLOCK_JOB, (xdrproc_t)xdr_vrp_event_block_job_msg,
               &m);
    m.path = target;
    send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_BLOCK_JOB_2, u, PROC_DOM_BLOCK_JOB_2,
               (xdrproc_t)xdr_vrp_event_block_job_msg, &m);
}

/* The driver's "cputune.vcpupin0=0-1" (or several, space-separated:
 * "cputune.cpu_shares=512 cputune.vcpu_quota=-1") as the tunable event's
 * parameters, typed as libvirt types them: pins strings, shares and
 * periods unsigned long long, quotas long long; blkdeviotune's disk and
 * group_name strings (the group last: it takes the rest, spaces and
 * all), its limits unsigned long long. */
static void tunable_event(vr_rpc *r, vrp_dom d, const char *detail)
{
    vr_rpc_params p = {0};
    char *copy = vr_strdup(detail), *save = NULL;
    for (char *kv = strtok_r(copy, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *key = vr_strdup(kv);
        bool blk = vr_str_starts(key, "blkdeviotune."), blk_str = blk && (strcmp(key, "blkdeviotune.disk") == 0 ||
                                                                        strcmp(key, "blkdeviotune.group_name") == 0);
        if (blk_str && strcmp(key, "blkdeviotune.group_name") == 0) {
            vr_rpc_param_str(&p, key, detail + (eq + 1 - copy));
            break;
        }
        if (blk && !blk_str)
            vr_rpc_param_ull(&p, key, strtoll(eq + 1, NULL, 10));
        else if (strstr(key, "_quota"))
            vr_rpc_param_add(&p, VR_TP_LLONG, key)->vrp_typed_value_u.l = strtoll(eq + 1, NULL, 10);
        else if (strstr(key, "_shares") || strstr(key, "_period"))
            vr_rpc_param_ull(&p, key, strtoll(eq + 1, NULL, 10));
        else
            vr_rpc_param_str(&p, key, eq + 1);
    }
    free(copy);
    if (p.len) {
        vrp_event_tunable_msg m = {.dom = d, .params = {.params_len = p.len, .params_val = p.val}};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_TUNABLE, (const unsigned char *)d.uuid, PROC_DOM_TUNABLE,
                   (xdrproc_t)xdr_vrp_event_tunable_msg, &m);
        m.dom.name = NULL; /* d's, freed by the caller */
        xdr_free((xdrproc_t)xdr_vrp_event_tunable_msg, (char *)&m);
    }
}

/* "title", "description" or "element URI": virDomainMetadataType 1, 0, 2. */
static void metadata_event(vr_rpc *r, vrp_dom d, const char *detail)
{
    char *uri = vr_str_starts(detail, "element ") ? (char *)detail + 8 : NULL;
    vrp_event_metadata_msg m = {.dom = d, .type = uri ? 2 : strcmp(detail, "title") == 0 ? 1 : 0,
                                .nsuri = uri ? &uri : NULL};
    send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_METADATA, (const unsigned char *)d.uuid, PROC_DOM_METADATA,
               (xdrproc_t)xdr_vrp_event_metadata_msg, &m);
}

/* The index of `word` in a NULL-ended list of libvirt's names (its enum), else `none`. */
static int word_number(const char *const *words, const char *word, int none)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(words[i], word) == 0)
            return i;
    return none;
}

/* virDomainEventIOErrorAction */
static const char *const io_error_actions[] = {"none", "pause", "report", NULL};

/* io-error and io-error-reason: the disk's source, its device, the action. */
static void io_error_event(vr_rpc *r, json_object *event, vrp_dom d, const char *what, const char *detail)
{
    int action = word_number(io_error_actions, detail, 0);
    char *path = (char *)json_str(event, "path"), *alias = (char *)json_str(event, "alias");
    if (strcmp(what, "io-error") == 0) {
        vrp_event_io_error_msg m = {.dom = d, .src_path = path, .dev_alias = alias, .action = action};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_IO_ERROR, (const unsigned char *)d.uuid, PROC_DOM_IO_ERROR,
                   (xdrproc_t)xdr_vrp_event_io_error_msg, &m);
    } else {
        vrp_event_io_error_reason_msg m = {.dom = d, .src_path = path, .dev_alias = alias, .action = action,
                                           .reason = (char *)json_str(event, "reason")};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_IO_ERROR_REASON, (const unsigned char *)d.uuid,
                   PROC_DOM_IO_ERROR_REASON, (xdrproc_t)xdr_vrp_event_io_error_reason_msg, &m);
    }
}

/* graphics: the phase (virDomainEventGraphicsPhase), both addresses
 * (virDomainEventGraphicsAddressType), the auth scheme, the client's
 * x509 name and SASL user as libvirt's identities. */
static void graphics_event(vr_rpc *r, json_object *event, vrp_dom d, const char *detail)
{
    static const char *const phases[] = {"connect", "initialize", "disconnect", NULL};
    static const char *const families[] = {"ipv4", "ipv6", "unix", NULL};
    vrp_graphics_identity ids[2];
    unsigned n = 0;
    const char *x509 = json_str(event, "x509_dname"), *sasl = json_str(event, "sasl_username");
    if (*x509)
        ids[n++] = (vrp_graphics_identity){.type = "x509dname", .name = (char *)x509};
    if (*sasl)
        ids[n++] = (vrp_graphics_identity){.type = "saslUsername", .name = (char *)sasl};
    vrp_event_graphics_msg m = {
        .dom = d,
        .phase = word_number(phases, detail, 0),
        .local = {.family = word_number(families, json_str(event, "local_family"), 0),
                  .node = (char *)json_str(event, "local_node"), .service = (char *)json_str(event, "local_service")},
        .remote = {.family = word_number(families, json_str(event, "remote_family"), 0),
                   .node = (char *)json_str(event, "remote_node"),
                   .service = (char *)json_str(event, "remote_service")},
        .auth_scheme = (char *)json_str(event, "auth"),
        .subject = {.subject_len = n, .subject_val = ids},
    };
    send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_GRAPHICS, (const unsigned char *)d.uuid, PROC_DOM_GRAPHICS,
               (xdrproc_t)xdr_vrp_event_graphics_msg, &m);
}

static void domain_event(vr_rpc *r, json_object *event, const char *what, const char *detail)
{
    const char *uuid = json_str(event, "uuid");
    vr_domain *dom = vr_qemu_lookup(r->api->qemu, uuid);
    vrp_dom d = {.name = vr_strdup(json_str(event, "name")), .id = dom && dom->id > 0 ? dom->id : -1};
    vr_rpc_uuid_wire(d.uuid, uuid);
    const unsigned char *u = (const unsigned char *)d.uuid;
    int ev, det;
    if (strcmp(what, "rebooted") == 0) {
        vrp_event_dom_msg m = {.dom = d};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_REBOOT, u, PROC_DOM_REBOOT, (xdrproc_t)xdr_vrp_event_dom_msg, &m);
    } else if (vr_str_starts(what, "device-")) {
        /* added, removed, removal-failed: the device's alias */
        bool added = strcmp(what, "device-added") == 0, failed = strcmp(what, "device-removal-failed") == 0;
        vrp_event_device_msg m = {.dom = d, .alias = (char *)detail};
        send_event(r, VR_RPC_EV_DOMAIN,
                   added ? DOM_EVENT_DEVICE_ADDED : failed ? DOM_EVENT_DEVICE_REMOVAL_FAILED : DOM_EVENT_DEVICE_REMOVED, u,
                   added ? PROC_DOM_DEVICE_ADDED : failed ? PROC_DOM_DEVICE_REMOVAL_FAILED : PROC_DOM_DEVICE_REMOVED,
                   (xdrproc_t)xdr_vrp_event_device_msg, &m);
    } else if (strcmp(what, "block-job") == 0) {
        block_job_event(r, dom, d, detail);
    } else if (strcmp(what, "tunable") == 0) {
        tunable_event(r, d, detail);
    } else if (strcmp(what, "metadata-changed") == 0) {
        metadata_event(r, d, detail);
    } else if (strcmp(what, "rtc-change") == 0) {
        vrp_event_rtc_msg m = {.dom = d, .offset = strtoll(detail, NULL, 10)};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_RTC_CHANGE, u, PROC_DOM_RTC_CHANGE, (xdrproc_t)xdr_vrp_event_rtc_msg,
                   &m);
    } else if (strcmp(what, "watchdog") == 0) {
        /* virDomainEventWatchdogAction */
        static const char *const actions[] = {"none",     "pause", "reset",      "poweroff",
                                              "shutdown", "debug", "inject-nmi", NULL};
        vrp_event_watchdog_msg m = {.dom = d, .action = word_number(actions, detail, 0)};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_WATCHDOG, u, PROC_DOM_WATCHDOG,
                   (xdrproc_t)xdr_vrp_event_watchdog_msg, &m);
    } else if (vr_str_starts(what, "io-error")) {
        io_error_event(r, event, d, what, detail);
    } else if (strcmp(what, "graphics") == 0) {
        graphics_event(r, event, d, detail);
    } else if (strcmp(what, "agent") == 0) {
        /* state connected (1) or disconnected (2), reason channel (2) */
        vrp_event_agent_msg m = {.dom = d, .state = strcmp(detail, "connected") == 0 ? 1 : 2, .reason = 2};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_AGENT, u, PROC_DOM_AGENT, (xdrproc_t)xdr_vrp_event_agent_msg, &m);
    } else if (event_numbers(domain_lifecycle, what, detail, &ev, &det)) {
        vrp_event_lifecycle_msg m = {.dom = d, .event = ev, .detail = det};
        send_event(r, VR_RPC_EV_DOMAIN, DOM_EVENT_LIFECYCLE, u, PROC_DOM_LIFECYCLE,
                   (xdrproc_t)xdr_vrp_event_lifecycle_msg, &m);
    }
    free(d.name);
}

static void network_event(vr_rpc *r, json_object *event, const char *what, const char *detail)
{
    int ev, det;
    if (!event_numbers(network_lifecycle, what, detail, &ev, &det))
        return; /* leases */
    vrp_event_net_lifecycle_msg m = {.net = {.name = (char *)json_str(event, "name")}, .event = ev, .detail = det};
    vr_rpc_uuid_wire(m.net.uuid, json_str(event, "uuid"));
    send_event(r, VR_RPC_EV_NETWORK, NET_EVENT_LIFECYCLE, (const unsigned char *)m.net.uuid, PROC_NET_LIFECYCLE,
               (xdrproc_t)xdr_vrp_event_net_lifecycle_msg, &m);
}

static void pool_event(vr_rpc *r, json_object *event, const char *what, const char *detail)
{
    vrp_pool p = {.name = (char *)json_str(event, "name")};
    vr_rpc_uuid_wire(p.uuid, json_str(event, "uuid"));
    const unsigned char *u = (const unsigned char *)p.uuid;
    int ev, det;
    if (strcmp(what, "refresh") == 0) {
        vrp_event_pool_refresh_msg m = {.pool = p};
        send_event(r, VR_RPC_EV_POOL, POOL_EVENT_REFRESH, u, PROC_POOL_REFRESH,
                   (xdrproc_t)xdr_vrp_event_pool_refresh_msg, &m);
    } else if (event_numbers(pool_lifecycle, what, detail, &ev, &det)) {
        vrp_event_pool_lifecycle_msg m = {.pool = p, .event = ev, .detail = det};
        send_event(r, VR_RPC_EV_POOL, POOL_EVENT_LIFECYCLE, u, PROC_POOL_LIFECYCLE,
                   (xdrproc_t)xdr_vrp_event_pool_lifecycle_msg, &m);
    }
}

void vr_rpc_event(json_object *event, void *opaque)
{
    vr_rpc *r = opaque;
    if (!r || !r->conns)
        return;
    const char *kind = json_str(event, "kind"), *what = json_str(event, "event"), *detail = json_str(event, "detail");
    if (strcmp(kind, "domain") == 0)
        domain_event(r, event, what, detail);
    else if (strcmp(kind, "network") == 0)
        network_event(r, event, what, detail);
    else if (strcmp(kind, "pool") == 0)
        pool_event(r, event, what, detail);
}

/* ---- objects ---- */

bool vr_rpc_filter(unsigned flags, unsigned yes, unsigned no, bool value)
{
    return !(flags & (yes | no)) || (flags & yes && value) || (flags & no && !value);
}

void vr_rpc_uuid_wire(vrp_uuid out, const char *uuid_text)
{
    if (!vr_uuid_parse(uuid_text, (unsigned char *)out))
        memset(out, 0, VR_UUID_LEN);
}

void vr_rpc_uuid_text(const vrp_uuid in, char out[37])
{
    vr_uuid_format((const unsigned char *)in, out);
}

void vr_rpc_dom_wire(vrp_dom *out, const vr_domain *dom)
{
    out->name = vr_strdup(dom->def->name);
    vr_rpc_uuid_wire(out->uuid, dom->def->uuid);
    out->id = dom->id > 0 ? dom->id : -1;
}

vr_domain *vr_rpc_find_domain(vr_rpc_call *c, const vrp_dom *d)
{
    char uuid[37];
    vr_rpc_uuid_text(d->uuid, uuid);
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(c->api->qemu, &n);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(doms[i]->def->uuid, uuid) == 0)
            return doms[i];
    vr_rpc_fail(c, VIR_ERR_NO_DOMAIN, "no domain with matching uuid '%s' (%s)", uuid, d->name ? d->name : "");
    return NULL;
}
