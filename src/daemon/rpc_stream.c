/* libvirt protocol: the procedures whose data flows as a stream after
 * their reply (rpc.h, "streams"):
 *
 * - virDomainOpenConsole: the serial console the daemon already holds
 *   (qemu_console.c), joined through a socketpair as one more of its
 *   clients, like `vireo console` over HTTP;
 * - virStorageVolUpload and Download: the storage driver's transfer
 *   (storage_transfer.c), its bytes carried by the stream, holes kept
 *   sparse both ways. */
#include "daemon/rpc.h"
#include "core/domain_ops.h"
#include "core/storage_ops.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* One stream message's bytes: libvirt's clients take at most 256 KiB a
 * message, length and header included. */
#define CHUNK (256 * 1024 - 24)

/* ---- the serial console ---- */

/* The console's end of the socketpair: closed when the console drops it
 * (the client went, or QEMU did). */
static void on_console_dropped(void *opaque)
{
    int *fd = opaque;
    close(*fd);
    free(fd);
}

typedef struct {
    vr_rpc_stream *stream;
    struct bufferevent *bev; /* our end of the socketpair */
} console_stream;

static void console_close(console_stream *cs)
{
    bufferevent_free(cs->bev); /* the console sees EOF and drops its end */
    free(cs);
}

static void on_console_output(struct bufferevent *bev, void *arg)
{
    console_stream *cs = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    char buf[16384];
    int n;
    while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0)
        vr_rpc_stream_send(cs->stream, buf, (size_t)n);
}

static void on_console_event(struct bufferevent *bev, short what, void *arg)
{
    console_stream *cs = arg;
    /* The console went (the domain stopped): the client reads the end,
     * then finishes. Reading stops; the stream stays until then. */
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_disable(bev, EV_READ | EV_WRITE);
        vr_rpc_stream_eof(cs->stream);
    }
}

static void console_data(vr_rpc_stream *s, void *opaque, const char *buf, size_t n)
{
    console_stream *cs = opaque;
    if (buf)
        bufferevent_write(cs->bev, buf, n);
}

static void console_finish(vr_rpc_stream *s, void *opaque)
{
    console_close(opaque);
    vr_rpc_stream_finished(s, VR_OK, NULL);
}

static void console_abort(void *opaque) { console_close(opaque); }

static const vr_rpc_stream_ops console_ops = {
    .data = console_data, .finish = console_finish, .abort = console_abort};

static vr_rpc_result open_console(vr_rpc_call *c)
{
    enum { CONSOLE_FORCE = 1, CONSOLE_SAFE = 2 };
    vrp_console_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, CONSOLE_FORCE | CONSOLE_SAFE))
        return VR_RPC_FAILED;
    /* The daemon holds the first serial console; its aliases (a user
     * alias of its port stands for serial0 in the live XML). */
    const char *dev = a->dev_name ? *a->dev_name : NULL;
    const char *ua = dom->def->n_serials ? dom->def->serials[0].addr.alias : NULL;
    if (dev && strcmp(dev, "serial0") != 0 && strcmp(dev, "console0") != 0 && (!ua || strcmp(dev, ua) != 0))
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "cannot find character device %s (vireod serves serial0, "
                           "the first serial console)", dev);
    if (dom->state == VR_DOM_SHUTOFF)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "domain is not running");
    if (!dom->console)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "domain '%s' has no serial console",
                           dom->def->name);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_FAILED, "cannot make a socket pair: %s", strerror(errno));
    console_stream *cs = vr_calloc(1, sizeof(*cs));
    cs->stream = vr_rpc_stream_open(c, &console_ops, cs);
    evutil_make_socket_nonblocking(sv[0]);
    cs->bev = bufferevent_socket_new(vr_rpc_stream_base(cs->stream), sv[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(cs->bev, on_console_output, NULL, on_console_event, cs);
    bufferevent_enable(cs->bev, EV_READ | EV_WRITE);
    int *theirs = vr_malloc(sizeof(*theirs));
    *theirs = sv[1];
    if (!vr_core_console_attach(dom, sv[1], NULL, 0, false, on_console_dropped, theirs))
        on_console_dropped(theirs); /* checked above: cannot happen */
    return VR_RPC_OK;
}

/* ---- volume upload and download ---- */

typedef struct {
    vr_transfer *t;
    char *buf; /* download: one message's bytes */
    bool sparse;
} vol_stream;

static void vol_free(vol_stream *v)
{
    if (v->t)
        vr_transfer_abort(v->t);
    free(v->buf);
    free(v);
}

static void upload_data(vr_rpc_stream *s, void *opaque, const char *buf, size_t n)
{
    vol_stream *v = opaque;
    char *err = NULL;
    vr_err code = buf ? vr_transfer_write(v->t, buf, n, &err) : vr_transfer_skip(v->t, n, &err);
    if (code != VR_OK) {
        vr_rpc_stream_fail(s, code, err); /* aborts: the volume stays as it was */
        free(err);
    }
}

static void upload_finish(vr_rpc_stream *s, void *opaque)
{
    vol_stream *v = opaque;
    char *err = NULL;
    vr_err code = vr_transfer_commit(v->t, &err);
    v->t = NULL;
    vol_free(v);
    vr_rpc_stream_finished(s, code, err);
    free(err);
}

static void vol_abort(void *opaque) { vol_free(opaque); }

/* The next message of a download while the connection has room; holes
 * (SEEK_HOLE) go as STREAM_HOLE when the client asked for a sparse
 * stream. */
static void download_more(vr_rpc_stream *s, void *opaque)
{
    vol_stream *v = opaque;
    while (v->t && vr_rpc_stream_room(s)) {
        char *err = NULL;
        ssize_t n = vr_transfer_read(v->t, v->buf, CHUNK, &err);
        if (n < 0) {
            vr_rpc_stream_fail(s, VR_ERR_FAILED, err);
            free(err);
            return;
        }
        if (n == 0) {
            vr_transfer_abort(v->t); /* read to the end: nothing to undo */
            v->t = NULL;
            vr_rpc_stream_eof(s);
            return;
        }
        /* A chunk of zeros in a sparse stream goes as a hole. */
        bool zeros = v->sparse && v->buf[0] == 0 && memcmp(v->buf, v->buf + 1, (size_t)n - 1) == 0;
        if (zeros)
            vr_rpc_stream_send_hole(s, n);
        else
            vr_rpc_stream_send(s, v->buf, (size_t)n);
    }
}

static void download_finish(vr_rpc_stream *s, void *opaque)
{
    vol_free(opaque);
    vr_rpc_stream_finished(s, VR_OK, NULL);
}

static void download_data(vr_rpc_stream *s, void *opaque, const char *buf, size_t n)
{
    vr_rpc_stream_fail(s, VR_ERR_INVALID, "a download takes no data from the client");
}

static const vr_rpc_stream_ops upload_ops = {.data = upload_data, .finish = upload_finish, .abort = vol_abort};
static const vr_rpc_stream_ops download_ops = {
    .data = download_data, .finish = download_finish, .abort = vol_abort, .writable = download_more};

static vr_rpc_result transfer(vr_rpc_call *c, bool upload)
{
    enum { SPARSE_STREAM = 1 };
    vrp_vol_transfer_args *a = c->args;
    if (!vr_rpc_flags_ok(c, a->flags, SPARSE_STREAM))
        return VR_RPC_FAILED;
    if (a->offset != 0)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "vireod %s whole volumes only (offset %llu; give none)",
                           upload ? "uploads" : "downloads", (unsigned long long)a->offset);
    vr_pool *p = vr_storage_pool_lookup(c->api->storage, a->vol.pool);
    if (!p)
        return vr_rpc_fail(c, VIR_ERR_NO_STORAGE_POOL, "no storage pool with matching name '%s'", a->vol.pool);
    vr_transfer *t = NULL;
    char *err = NULL;
    vr_err code = upload ? vr_storage_upload_prepare(p, a->vol.name, a->length, &t, &err)
                         : vr_storage_download_prepare(p, a->vol.name, &t, &err);
    if (code != VR_OK)
        return vr_rpc_outcome(c, code, err, VR_RPC_VOLUME);
    if (!upload && a->length && a->length != vr_transfer_length(t)) {
        vr_transfer_abort(t);
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "vireod downloads whole volumes only (length %llu of %llu; "
                           "give none)", (unsigned long long)a->length, vr_transfer_length(t));
    }
    vol_stream *v = vr_calloc(1, sizeof(*v));
    v->t = t;
    v->sparse = a->flags & SPARSE_STREAM;
    if (!upload)
        v->buf = vr_malloc(CHUNK);
    vr_rpc_stream_open(c, upload ? &upload_ops : &download_ops, v);
    return VR_RPC_OK;
}

static vr_rpc_result vol_upload(vr_rpc_call *c) { return transfer(c, true); }
static vr_rpc_result vol_download(vr_rpc_call *c) { return transfer(c, false); }

/* ---- the graphical display as a descriptor ---- */

/* virDomainOpenGraphicsFD (virt-manager's display on a local
 * connection): a socket connected to the domain's VNC or SPICE server,
 * at the address QEMU reports, handed to the client. */
static void on_display(const char *type, const char *host, int port, const char *err, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (err) {
        vr_rpc_done(c, VR_ERR_CONFLICT, err, VR_RPC_DOMAIN);
        return;
    }
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int fd = -1;
    if (getaddrinfo(host, service, &hints, &ai) == 0 && ai) {
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            close(fd);
            fd = -1;
        }
    }
    if (ai)
        freeaddrinfo(ai);
    if (fd < 0) {
        char *msg = vr_asprintf("cannot reach the domain's %s display at %s:%d", type, host, port);
        vr_rpc_done(c, VR_ERR_FAILED, msg, VR_RPC_DOMAIN);
        free(msg);
        return;
    }
    vr_rpc_pass_fd(c, fd);
    vr_rpc_done(c, VR_OK, NULL, VR_RPC_DOMAIN);
}

static vr_rpc_result open_graphics_fd(vr_rpc_call *c)
{
    enum { GRAPHICS_SKIPAUTH = 1 };
    vrp_graphics_fd_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, GRAPHICS_SKIPAUTH))
        return VR_RPC_FAILED;
    if (a->idx >= dom->def->n_graphics)
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "domain '%s' has %zu graphical display(s); no idx %u",
                           dom->def->name, dom->def->n_graphics, a->idx);
    vr_qemu_display_address(dom, (int)a->idx, on_display, c);
    return VR_RPC_LATER;
}

/* virDomainOpenGraphics (virt-viewer --attach, python's
 * dom.openGraphics): the other way round, the client's own socket end,
 * passed with the call (CALL_WITH_FDS), becomes a client of the display
 * (QEMU's add_client), without the display's password with SKIPAUTH. */
static void on_client_added(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result open_graphics(vr_rpc_call *c)
{
    enum { GRAPHICS_SKIPAUTH = 1 };
    vrp_graphics_fd_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, GRAPHICS_SKIPAUTH))
        return VR_RPC_FAILED;
    int fd = vr_rpc_take_fd(c);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "%s takes the client's end of a connected socket, passed "
                           "with the call; %s", c->proc->api, fd < 0 ? "none came" : "that is no socket");
    }
    vr_qemu_display_add_client(dom, (int)a->idx, fd, a->flags & GRAPHICS_SKIPAUTH, on_client_added, c);
    close(fd);
    return VR_RPC_LATER;
}

const vr_rpc_proc vr_rpc_stream_procs[] = {
    VR_RPC_PROC(249, "virDomainOpenGraphics", vrp_graphics_fd_args, vrp_void, open_graphics, CONSOLE),
    VR_RPC_PROC(343, "virDomainOpenGraphicsFD", vrp_graphics_fd_args, vrp_void, open_graphics_fd,
                CONSOLE),
    VR_RPC_PROC(201, "virDomainOpenConsole", vrp_console_args, vrp_void, open_console, CONSOLE),
    VR_RPC_PROC(208, "virStorageVolUpload", vrp_vol_transfer_args, vrp_void, vol_upload, WRITE),
    VR_RPC_PROC(209, "virStorageVolDownload", vrp_vol_transfer_args, vrp_void, vol_download, GUEST),
    {0},
};
