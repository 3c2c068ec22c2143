/* libFuzzer target: raw bytes to libvirt's remote protocol as vireod
 * serves it on libvirt-sock-ro (rpc_server.c and the procedure tables),
 * in the fuzzer's process over a unix socket, with the daemon's drivers
 * on a private root and a domain and a network from tests/fixtures
 * defined (fuzz_server.c). The read-only flavour refuses every change,
 * so no input starts QEMU or makes a bridge.
 *
 * The input is one client connection. Reading it as the server must,
 * message by message, tells what it must answer: a reply to every call,
 * in order, carrying the call's serial (a CALL_WITH_FDS without
 * descriptors is a call; with some, none of which an input carries, the
 * server waits for them: the next byte closes the connection); a PONG to
 * each keepalive PING; nothing to other messages; and a closed
 * connection at the first frame whose length is impossible or whose
 * call has a non-OK status. The
 * loop runs until those answers came (or the close), then the client
 * closes and the server must let the connection go.
 *
 * A finding: a crash, a sanitizer report, a hang, an answer missing,
 * extra, out of order or undecodable (a reply must decode with its
 * procedure's result type, an error as remote_error), a close the input
 * did not call for, a connection the server keeps after the client left,
 * or the daemon no longer answering CONNECT_OPEN + GET_TYPE on a fresh
 * connection (probed every PROBE_EVERY inputs). */
#include "fuzz_server.h"
#include "rpc_frame.h"
#include "common/util.h"
#include "daemon/rpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* rpc_server.c's framing: the length word, the header, and its cap. */
#define LEN_BYTES 4
#define HEADER_BYTES 24
#define MAX_CALL (4u * 1024 * 1024 + 64 * 1024)
#define MAX_CALL_FDS 32
/* How long the server may take over one input's answers. */
#define DEADLINE_S 5.0
#define PROBE_EVERY 200

/* What the input calls for. */
typedef struct {
    unsigned *serials; /* the replies' serials, in order */
    uint32_t *progs;   /* ... and programs: each answers under its call's */
    size_t n_replies, n_pongs;
    bool close;        /* the server must close the connection */
} expect;

/* What came back. */
typedef struct {
    uint8_t *buf;
    size_t len, used; /* bytes received, bytes of whole frames checked */
    size_t n_replies, n_pongs;
    bool closed;
} answers;

static const uint8_t *input;
static size_t input_len;

static void finding(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void finding(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz rpc: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (input of %zu bytes)\n", input_len);
    va_end(ap);
    abort();
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t word(const uint8_t *p)
{
    uint32_t be;
    memcpy(&be, p, sizeof(be));
    return ntohl(be);
}

static expect predict(const uint8_t *data, size_t size)
{
    expect e = {0};
    size_t off = 0;
    while (size - off >= LEN_BYTES) {
        uint32_t len = word(data + off);
        if (len < LEN_BYTES + HEADER_BYTES || len > MAX_CALL) {
            e.close = true;
            break;
        }
        if (size - off < len)
            break; /* the rest of the message never comes: no answer */
        const uint8_t *h = data + off + LEN_BYTES;
        uint32_t prog = word(h), vers = word(h + 4), serial = word(h + 16);
        int32_t proc = (int32_t)word(h + 8), type = (int32_t)word(h + 12), status = (int32_t)word(h + 20);
        off += len;
        bool reply = false;
        uint32_t nfds = type == VRP_CALL_WITH_FDS && len >= LEN_BYTES + HEADER_BYTES + 4 ? word(h + HEADER_BYTES) : 0;
        if (prog == VRP_KEEPALIVE_PROGRAM && vers == VRP_KEEPALIVE_VERSION) {
            e.n_pongs += proc == VRP_KEEPALIVE_PING && type == VRP_MESSAGE;
        } else if (type == VRP_CALL_WITH_FDS && (len < LEN_BYTES + HEADER_BYTES + 4 || nfds > MAX_CALL_FDS)) {
            e.close = true; /* no count of descriptors, or too many */
            break;
        } else if (type == VRP_CALL_WITH_FDS && nfds > 0) {
            /* The server waits for descriptors no input carries: a next
             * byte (without one) closes the connection; none, and it
             * waits for the client to leave. */
            e.close = off < size;
            break;
        } else if (type != VRP_CALL && type != VRP_CALL_WITH_FDS) {
            /* streams and the like: not served, ignored */
        } else if (prog != VRP_REMOTE_PROGRAM || vers != VRP_REMOTE_VERSION) {
            reply = true; /* "cannot find program" */
        } else if (status != VRP_OK) {
            e.close = true;
            break;
        } else {
            reply = true;
        }
        if (reply) {
            e.serials = vr_realloc(e.serials, (e.n_replies + 1) * sizeof(*e.serials));
            e.progs = vr_realloc(e.progs, (e.n_replies + 1) * sizeof(*e.progs));
            e.progs[e.n_replies] = prog;
            e.serials[e.n_replies++] = serial;
        }
    }
    return e;
}

/* The body must decode as `body_xdr` and be exactly that long. */
static bool decodes(const uint8_t *body, size_t len, xdrproc_t body_xdr, size_t size)
{
    void *obj = vr_calloc(1, size ? size : 1);
    XDR x;
    xdrmem_create(&x, (char *)body, (unsigned)len, XDR_DECODE);
    bool ok = body_xdr(&x, obj, 0) && xdr_getpos(&x) == len;
    xdr_destroy(&x);
    xdr_free(body_xdr, obj);
    free(obj);
    return ok;
}

/* Check the whole frames received so far against what was called for. */
static void check_answers(answers *a, const expect *e)
{
    while (a->len - a->used >= LEN_BYTES) {
        const uint8_t *f = a->buf + a->used;
        uint32_t len = word(f);
        if (len < LEN_BYTES + HEADER_BYTES)
            finding("the server sent a frame of %u bytes", len);
        if (a->len - a->used < len)
            return;
        a->used += len;
        const uint8_t *h = f + LEN_BYTES, *body = h + HEADER_BYTES;
        size_t body_len = len - LEN_BYTES - HEADER_BYTES;
        uint32_t prog = word(h), vers = word(h + 4), serial = word(h + 16);
        int32_t proc = (int32_t)word(h + 8), type = (int32_t)word(h + 12), status = (int32_t)word(h + 20);
        if (type == VRP_MESSAGE) {
            if (prog == VRP_KEEPALIVE_PROGRAM && proc == VRP_KEEPALIVE_PONG && ++a->n_pongs > e->n_pongs)
                finding("a PONG with no PING");
            continue; /* events: the read-only socket changes nothing, but they are not wrong */
        }
        if (a->n_replies >= e->n_replies)
            finding("a reply (procedure %d, serial %u) to no call", proc, serial);
        if (type != VRP_REPLY || prog != e->progs[a->n_replies])
            finding("an answer of type %d, program %#x version %u to a call of program %#x", type, prog, vers,
                    e->progs[a->n_replies]);
        if (serial != e->serials[a->n_replies])
            finding("reply %zu carries serial %u, its call %u", a->n_replies, serial, e->serials[a->n_replies]);
        a->n_replies++;
        const vr_rpc_proc *p = status == VRP_OK ? vr_rpc_find_proc(prog == VRP_QEMU_PROGRAM ? VR_RPC_QEMU_PROC(proc) : proc) : NULL;
        if (status == VRP_OK && !p)
            finding("a successful reply to procedure %d, which is not served", proc);
        if (status == VRP_ERROR && !decodes(body, body_len, (xdrproc_t)xdr_vrp_error, sizeof(vrp_error)))
            finding("the error answering procedure %d does not decode", proc);
        if (status == VRP_OK && !decodes(body, body_len, p->ret_xdr, p->ret_size))
            finding("the reply to %s does not decode as its result", p->api);
        if (status != VRP_OK && status != VRP_ERROR)
            finding("a reply with status %d", status);
    }
}

static bool complete(const answers *a, const expect *e)
{
    return e->close ? a->closed : a->n_replies == e->n_replies && a->n_pongs == e->n_pongs;
}

/* One connection: send `bytes`, run the daemon until it answered all the
 * input calls for, close; returns what came. */
static answers converse(const uint8_t *bytes, size_t len, const expect *e)
{
    int fd = fz_rpc_connect();
    answers a = {0};
    size_t sent = 0;
    int quiet = 0;
    double deadline = now() + DEADLINE_S;
    /* After the answers are complete, a few more quiet turns: anything
     * extra the server sends then is a finding too. */
    while (!a.closed && quiet < 3) {
        bool moved = fz_send_some(fd, bytes, len, &sent);
        fz_server_turn();
        uint8_t buf[65536];
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r > 0) {
            a.buf = vr_realloc(a.buf, a.len + (size_t)r);
            memcpy(a.buf + a.len, buf, (size_t)r);
            a.len += (size_t)r;
            moved = true;
            check_answers(&a, e);
        } else if (r == 0 || errno != EAGAIN) {
            a.closed = true;
        }
        if (!a.closed && (!complete(&a, e) || sent < len)) {
            quiet = 0;
            if (now() > deadline)
                finding("no answer within %.0f s: %zu of %zu replies, %zu of %zu pongs%s", DEADLINE_S,
                        a.n_replies, e->n_replies, a.n_pongs, e->n_pongs, e->close ? ", no close" : "");
            if (!moved)
                poll(NULL, 0, 0);
        } else {
            quiet = moved ? 0 : quiet + 1;
        }
    }
    close(fd);
    /* The server must see the close and let the connection go. */
    deadline = now() + DEADLINE_S;
    while (fz_rpc_connections() > 0) {
        if (now() > deadline)
            finding("the server still holds %u connections after its client left", fz_rpc_connections());
        fz_server_turn();
    }
    return a;
}

static void check(const uint8_t *data, size_t size)
{
    input = data;
    input_len = size;
    expect e = predict(data, size);
    answers a = converse(data, size, &e);
    if (a.closed && !e.close) {
        /* A reply cut short by the close is the close's doing; the close
         * itself is what the input did not call for. */
        finding("the server closed the connection after %zu of %zu replies", a.n_replies, e.n_replies);
    }
    if (!a.closed && a.len != a.used)
        finding("%zu bytes of a partial frame after the answers", a.len - a.used);
    free(a.buf);
    free(e.serials);
    free(e.progs);
}

/* CONNECT_OPEN + GET_TYPE on a fresh connection: both answered OK, the
 * type "QEMU". */
static void probe(void)
{
    uint8_t buf[512];
    size_t len = 0;
    char *uri = "qemu:///system";
    vrp_open_args open_args = {.name = &uri, .flags = FZ_CONNECT_RO};
    if (!fz_rpc_call(buf, sizeof(buf), &len, FZ_PROC_CONNECT_OPEN, 1, (xdrproc_t)xdr_vrp_open_args, &open_args) ||
        !fz_rpc_call(buf, sizeof(buf), &len, FZ_PROC_CONNECT_GET_TYPE, 2, NULL, NULL))
        abort();
    const uint8_t *saved = input;
    size_t saved_len = input_len;
    input = buf;
    input_len = len;
    expect e = predict(buf, len);
    answers a = converse(buf, len, &e);
    if (a.n_replies != 2)
        finding("the probe got %zu of its 2 replies: the daemon stopped answering", a.n_replies);
    /* Both replies: status OK, and the type is QEMU. */
    size_t off = 0;
    for (int i = 0; i < 2; i++) {
        uint32_t flen = word(a.buf + off);
        if ((int32_t)word(a.buf + off + LEN_BYTES + 20) != VRP_OK)
            finding("the probe's call %d failed", i + 1);
        if (i == 1) {
            const uint8_t *body = a.buf + off + LEN_BYTES + HEADER_BYTES;
            if (flen != LEN_BYTES + HEADER_BYTES + 8 || word(body) != 4 || memcmp(body + 4, "QEMU", 4) != 0)
                finding("the probe's GET_TYPE did not answer QEMU");
        }
        off += flen;
    }
    free(a.buf);
    free(e.serials);
    free(e.progs);
    input = saved;
    input_len = saved_len;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fz_rpc_start();
    probe(); /* the harness itself works */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned runs;
    check(data, size);
    if (++runs % PROBE_EVERY == 0)
        probe();
    return 0;
}
