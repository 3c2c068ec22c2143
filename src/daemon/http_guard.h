/* The door of every HTTP listener (the full and read-only unix sockets,
 * the web port): it accepts connections itself (libevent's
 * evconnlistener) before libmicrohttpd sees them, so that no client can
 * stall the daemon:
 *  - a cap of open connections on the listener and per peer (the uid
 *    from SO_PEERCRED on a unix socket, the address on TCP: IPv4, or
 *    the /64 of IPv6); a connection over the cap gets a one-line JSON
 *    503 and is closed, except that a listener at its cap first makes
 *    room by closing its oldest connection that has no request under way;
 *  - deadlines: a new connection must send complete request headers
 *    within the header timeout; a kept-alive one must start its next
 *    request within the idle timeout and finish its headers within the
 *    header timeout after its request line (slowloris). Requests being
 *    served, deferred answers and upgraded streams (events, consoles,
 *    uploads) have no deadline here; libmicrohttpd's idle timeout covers
 *    a request whose body or answer makes no progress;
 *  - accept failures (EMFILE, ENFILE) pause the listener for a moment
 *    instead of spinning. */
#pragma once
#include <event2/event.h>
#include <stdbool.h>
#include <sys/socket.h>

typedef struct {
    unsigned max_conns;    /* open connections on this listener */
    unsigned max_per_peer; /* per uid (unix socket) or address (TCP) */
    unsigned header_secs;  /* to send complete request headers */
    unsigned idle_secs;    /* between requests, and stalled transfers */
} vr_http_limits;

typedef struct vr_guard vr_guard;
typedef struct vr_guard_conn vr_guard_conn;

/* Hand an accepted connection to the HTTP server; false if it could not
 * take it (the guard then closes fd). */
typedef bool (*vr_guard_add_fn)(void *opaque, int fd, const struct sockaddr *sa, socklen_t len);

/* Start accepting on listen_fd (taken: closed by vr_guard_free). `name`
 * names the listener in log lines; `tls`: never answer in plain text. */
vr_guard *vr_guard_new(struct event_base *base, int listen_fd, const char *name, const vr_http_limits *lim,
                       bool tls, vr_guard_add_fn add, void *opaque);
void vr_guard_free(vr_guard *g);

/* The connection being added right now (called from the server's
 * "connection started" notice, inside add). */
vr_guard_conn *vr_guard_claim(vr_guard *g);
/* The server closed it: it no longer counts. */
void vr_guard_closed(vr_guard_conn *c);
/* A request line arrived: its headers have header_secs from now. */
void vr_guard_request_line(vr_guard_conn *c);
/* Its headers are complete: the request is served, no deadline. */
void vr_guard_request_served(vr_guard_conn *c);
/* It was upgraded to a stream: no deadline for as long as it lives. */
void vr_guard_stream(vr_guard_conn *c);
/* Its answer went out: the connection has idle_secs for the next one. */
void vr_guard_request_done(vr_guard_conn *c);
/* The peer: "uid N" or an address, for log lines and login throttling. */
const char *vr_guard_peer(const vr_guard_conn *c);
