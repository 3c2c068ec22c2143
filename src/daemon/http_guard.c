#include "daemon/http_guard.h"
#include "common/log.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PEER_BUCKETS 256
/* Connections closed by the guard still hold their fd until the HTTP
 * server notices; this many may wait so beyond the cap. */
#define CLOSING_SLACK 64
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000

typedef struct peer {
    struct peer *next;
    char key[64];
    unsigned n;
} peer;

struct vr_guard_conn {
    vr_guard *g;
    int fd;
    peer *p;
    struct vr_guard_conn *prev, *next; /* in the order they came */
    uint64_t deadline;                 /* ms, monotonic; 0: none */
    bool in_headers;                   /* the deadline is for a request's headers */
    bool closing;                      /* shut down by the guard */
    bool stream;                       /* upgraded: never on a deadline again */
};

struct vr_guard {
    struct evconnlistener *lev;
    struct event *sweep, *resume;
    char *name;
    vr_http_limits lim;
    bool tls;
    vr_guard_add_fn add;
    void *opaque;
    vr_guard_conn *head, *tail, *pending;
    unsigned conns, closing, armed;
    unsigned backoff_ms;
    peer *peers[PEER_BUCKETS];
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- peers ---- */

static unsigned bucket(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % PEER_BUCKETS;
}

static peer *peer_get(vr_guard *g, const char *key)
{
    peer **head = &g->peers[bucket(key)];
    for (peer *p = *head; p; p = p->next)
        if (strcmp(p->key, key) == 0)
            return p;
    peer *p = vr_calloc(1, sizeof(*p));
    snprintf(p->key, sizeof(p->key), "%s", key);
    p->next = *head;
    *head = p;
    return p;
}

/* One connection fewer for p (`closed`), or none taken (a refusal);
 * a peer with no connection left is forgotten. */
static void peer_put(vr_guard *g, peer *p, bool closed)
{
    if (closed)
        p->n--;
    if (p->n)
        return;
    for (peer **pp = &g->peers[bucket(p->key)]; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            free(p);
            return;
        }
    }
}

/* Who is at the other end: the uid on a unix socket, the address on TCP
 * (one IPv6 host owns a whole /64, so that is its address here). */
static void peer_key(int fd, const struct sockaddr *sa, char *out, size_t n)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_UNIX) {
        struct ucred cred;
        socklen_t len = sizeof(cred);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
            snprintf(out, n, "uid %u", (unsigned)cred.uid);
        else
            snprintf(out, n, "uid ?");
        return;
    }
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof(addr));
    } else if (sa->sa_family == AF_INET6) {
        struct in6_addr a = ((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a)) {
            inet_ntop(AF_INET, &a.s6_addr[12], addr, sizeof(addr));
        } else {
            memset(&a.s6_addr[8], 0, 8);
            inet_ntop(AF_INET6, &a, addr, sizeof(addr));
            snprintf(out, n, "%s/64", addr);
            return;
        }
    }
    snprintf(out, n, "%s", addr);
}

/* ---- answers written by the guard itself ---- */

/* A short answer before the connection ends, written straight to the
 * socket (the HTTP server never saw it, or it has no request under way).
 * Over TLS there is no plain text to write: only the close. Whatever the
 * client already sent is read first, so that closing does not reset the
 * connection before the answer arrives. */
static void answer_plain(const vr_guard *g, int fd, const char *status, const char *code, const char *msg)
{
    if (!g->tls) {
        char junk[4096];
        for (int i = 0; i < 4 && recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0; i++)
            ;
        char body[512], head[256];
        int bn = snprintf(body, sizeof(body), "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n", code, msg);
        int hn = snprintf(head, sizeof(head),
                          "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                          "Connection: close\r\n\r\n",
                          status, bn);
        if (send(fd, head, (size_t)hn, MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE) == hn)
            (void)send(fd, body, (size_t)bn, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
}

/* ---- deadlines ---- */

static void set_deadline(vr_guard_conn *c, uint64_t when, bool in_headers)
{
    vr_guard *g = c->g;
    if (!c->deadline && when)
        g->armed++;
    else if (c->deadline && !when)
        g->armed--;
    c->deadline = when;
    c->in_headers = in_headers;
    if (g->armed && !evtimer_pending(g->sweep, NULL)) {
        struct timeval tv = {.tv_sec = 1};
        evtimer_add(g->sweep, &tv);
    }
}

/* End a connection that is still the HTTP server's: shutdown() makes its
 * next read see the end, and the server closes it as a client's close. */
static void shut(vr_guard_conn *c, const char *status, const char *code, const char *msg)
{
    if (c->closing)
        return;
    if (status)
        answer_plain(c->g, c->fd, status, code, msg);
    shutdown(c->fd, SHUT_RDWR);
    set_deadline(c, 0, false);
    c->closing = true;
    c->g->closing++;
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    vr_guard *g = arg;
    uint64_t now = now_ms();
    unsigned late = 0;
    for (vr_guard_conn *c = g->head; c; c = c->next) {
        if (!c->deadline || c->deadline > now)
            continue;
        late++;
        if (c->in_headers)
            shut(c, "408 Request Timeout", "timeout",
                 "no complete request headers in time; send the whole request at once");
        else
            shut(c, NULL, NULL, NULL); /* idle between requests: a plain close */
    }
    if (late)
        vr_log_debug("http %s: closed %u connection(s) past their deadline", g->name, late);
    if (g->armed) {
        struct timeval tv = {.tv_sec = 1};
        evtimer_add(g->sweep, &tv);
    }
}

/* ---- accepting ---- */

/* The oldest connection with no request under way (of peer p, or of
 * anyone when p is NULL): the one to close when the listener is full. */
static vr_guard_conn *oldest_waiting(vr_guard *g, const peer *p)
{
    for (vr_guard_conn *c = g->head; c; c = c->next)
        if (c->deadline && !c->closing && (!p || c->p == p))
            return c;
    return NULL;
}

/* Over a cap: `who` is the peer when it is the peer's cap, else NULL. */
static void refuse(vr_guard *g, int fd, const char *who)
{
    char msg[256];
    if (who) {
        vr_log_warn("http %s: %s holds its %u connections; refusing more", g->name, who, g->lim.max_per_peer);
        snprintf(msg, sizeof(msg), "%s already holds the %u connections one client may open here; "
                 "close some and retry", who, g->lim.max_per_peer);
    } else {
        vr_log_warn("http %s: all %u connections are busy; refusing more", g->name, g->lim.max_conns);
        snprintf(msg, sizeof(msg), "all %u connections vireod takes here are busy; retry soon", g->lim.max_conns);
    }
    answer_plain(g, fd, "503 Service Unavailable", "busy", msg);
    close(fd);
}

static void on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
    vr_guard *g = arg;
    g->backoff_ms = BACKOFF_MIN_MS;
    char key[64];
    peer_key(fd, sa, key, sizeof(key));
    peer *p = peer_get(g, key);
    if (p->n >= g->lim.max_per_peer) {
        /* A network address is no identity: a logged-in browser may share
         * it with whoever fills its share (the same host, a NAT). There
         * the peer's own oldest idle connection makes room; a uid on a
         * unix socket is one client, refused at its cap. */
        vr_guard_conn *own = sa->sa_family == AF_UNIX ? NULL : oldest_waiting(g, p);
        if (!own || g->closing >= CLOSING_SLACK) {
            refuse(g, fd, key);
            peer_put(g, p, false);
            return;
        }
        vr_log_warn("http %s: %s holds its %u connections; closing its oldest with no request under way",
                    g->name, key, g->lim.max_per_peer);
        shut(own, NULL, NULL, NULL);
    }
    if (g->conns - g->closing >= g->lim.max_conns) {
        vr_guard_conn *victim = oldest_waiting(g, NULL);
        if (!victim || g->closing >= CLOSING_SLACK) {
            refuse(g, fd, NULL);
            peer_put(g, p, false);
            return;
        }
        vr_log_warn("http %s: full; closing the oldest connection with no request under way (%s)", g->name,
                    victim->p->key);
        shut(victim, NULL, NULL, NULL);
    }
    vr_guard_conn *c = vr_calloc(1, sizeof(*c));
    c->g = g;
    c->fd = fd;
    c->p = p;
    p->n++;
    g->conns++;
    c->prev = g->tail;
    if (g->tail)
        g->tail->next = c;
    else
        g->head = c;
    g->tail = c;
    set_deadline(c, now_ms() + 1000ull * g->lim.header_secs, true);
    g->pending = c;
    bool ok = g->add(g->opaque, fd, sa, (socklen_t)salen);
    /* The server closes fd itself when it fails; it may or may not have
     * told us through vr_guard_closed. */
    if (!ok && g->pending)
        vr_guard_closed(g->pending);
    g->pending = NULL;
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    vr_guard *g = arg;
    evconnlistener_enable(g->lev);
}

/* accept() failed for want of file descriptors (or memory): pause this
 * listener rather than be woken again at once by the same waiting
 * connection, longer each time until one is accepted. */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
    vr_guard *g = arg;
    int e = EVUTIL_SOCKET_ERROR();
    vr_log_warn("http %s: cannot accept a connection: %s; pausing this socket for %u ms", g->name, strerror(e),
                g->backoff_ms);
    evconnlistener_disable(lev);
    struct timeval tv = {.tv_sec = g->backoff_ms / 1000, .tv_usec = (g->backoff_ms % 1000) * 1000};
    evtimer_add(g->resume, &tv);
    g->backoff_ms = g->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : g->backoff_ms * 2;
}

vr_guard *vr_guard_new(struct event_base *base, int listen_fd, const char *name, const vr_http_limits *lim,
                       bool tls, vr_guard_add_fn add, void *opaque)
{
    vr_guard *g = vr_calloc(1, sizeof(*g));
    g->name = vr_strdup(name);
    g->lim = *lim;
    g->tls = tls;
    g->add = add;
    g->opaque = opaque;
    g->backoff_ms = BACKOFF_MIN_MS;
    g->sweep = evtimer_new(base, on_sweep, g);
    g->resume = evtimer_new(base, on_resume, g);
    g->lev = evconnlistener_new(base, on_accept, g, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, listen_fd);
    evconnlistener_set_error_cb(g->lev, on_accept_error);
    return g;
}

void vr_guard_free(vr_guard *g)
{
    if (!g)
        return;
    evconnlistener_free(g->lev);
    event_free(g->sweep);
    event_free(g->resume);
    /* The server has closed its connections by now (vr_guard_closed);
     * whatever is left is only bookkeeping. */
    while (g->head)
        vr_guard_closed(g->head);
    free(g->name);
    free(g);
}

vr_guard_conn *vr_guard_claim(vr_guard *g) { return g->pending; }

void vr_guard_closed(vr_guard_conn *c)
{
    if (!c)
        return;
    vr_guard *g = c->g;
    if (g->pending == c)
        g->pending = NULL;
    set_deadline(c, 0, false);
    if (c->closing)
        g->closing--;
    g->conns--;
    peer_put(g, c->p, true);
    if (c->prev)
        c->prev->next = c->next;
    else
        g->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        g->tail = c->prev;
    free(c);
}

void vr_guard_request_line(vr_guard_conn *c)
{
    if (!c || c->closing)
        return;
    uint64_t by = now_ms() + 1000ull * c->g->lim.header_secs;
    set_deadline(c, c->deadline && c->deadline < by ? c->deadline : by, true);
}

void vr_guard_request_served(vr_guard_conn *c)
{
    if (c && !c->closing)
        set_deadline(c, 0, false);
}

void vr_guard_stream(vr_guard_conn *c)
{
    if (!c)
        return;
    c->stream = true;
    set_deadline(c, 0, false);
}

void vr_guard_request_done(vr_guard_conn *c)
{
    if (c && !c->closing && !c->stream)
        set_deadline(c, now_ms() + 1000ull * c->g->lim.idle_secs, false);
}

const char *vr_guard_peer(const vr_guard_conn *c) { return c ? c->p->key : "?"; }
