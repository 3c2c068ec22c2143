/* The API's HTTP/1.1 server: libmicrohttpd driven from the daemon's one
 * libevent loop (MHD's epoll fd is just another event). Handlers answer
 * at once or later (the connection is suspended meanwhile, so a slow
 * QEMU start never blocks other clients), or take the connection over
 * with an HTTP Upgrade for byte streams (consoles, events). */
#pragma once
#include "daemon/http_guard.h"
#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct vr_req vr_req;
typedef struct vr_http vr_http;

typedef void (*vr_http_handler)(vr_req *req, void *opaque);

/* A taken-over connection: the fd is the client socket; `initial` holds
 * bytes the client already sent after the request. Call
 * vr_http_upgrade_close() exactly once when done (never close(fd)). */
typedef struct vr_upgraded vr_upgraded;
typedef void (*vr_upgrade_fn)(vr_upgraded *up, int fd, const char *initial, size_t n, void *opaque);
/* The request ended without the upgrade (the client left, or spoke a
 * protocol that cannot switch): release what the upgrade would have
 * taken. */
typedef void (*vr_upgrade_drop_fn)(void *opaque);
void vr_http_upgrade_close(vr_upgraded *up);

typedef struct {
    const char *name;       /* the listener in log lines: api, read-only, web */
    vr_http_limits limits;  /* caps and timeouts (http_guard.h, fd_budget.h) */
    const char *cert_pem, *key_pem; /* HTTPS (and WSS) when set: a chain and its key */
} vr_http_opts;

/* Serve on an already listening socket (taken on success). Every
 * complete request goes to `handler`. Returns NULL with *err set on
 * failure. */
vr_http *vr_http_start(struct event_base *base, int listen_fd, vr_http_handler handler, void *opaque,
                       const vr_http_opts *o, char **err);
void vr_http_stop(vr_http *h);
/* Open connections, upgraded streams included (for idle exit). */
unsigned vr_http_connections(vr_http *h);

/* Request accessors. */
const char *vr_req_method(const vr_req *r);
const char *vr_req_path(const vr_req *r);
const char *vr_req_query(const vr_req *r, const char *key);
/* The whole query as "?k=v&…" (percent-encoded again), "" when none:
 * what a request forwarded elsewhere carries on. */
char *vr_req_query_string(const vr_req *r);
const char *vr_req_header(const vr_req *r, const char *key);
const char *vr_req_body(const vr_req *r, size_t *len);
/* The peer's credentials (SO_PEERCRED) on a unix socket; -1 if unknown. */
uid_t vr_req_peer_uid(const vr_req *r);
/* The peer as the connection caps count it: "uid N" on a unix socket,
 * the address (an IPv6 /64) on TCP. */
const char *vr_req_peer(const vr_req *r);

/* Answers. Each takes ownership of what it is given. */
void vr_req_reply_json(vr_req *r, int status, json_object *body);
void vr_req_reply_text(vr_req *r, int status, const char *content_type, char *body);
/* {"error": {"code": CODE, "message": MESSAGE}} */
void vr_req_reply_error(vr_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Has the request been answered (or its answer begun)? */
bool vr_req_answered(const vr_req *r);
/* The handler will answer later with one of the calls above. */
void vr_req_defer(vr_req *r);
/* Answer 101 Switching Protocols and hand the socket to fn. A request
 * with `Upgrade: websocket` gets RFC 6455 instead (websocket.h): fn sees
 * the same raw bytes either way. */
void vr_req_upgrade(vr_req *r, const char *protocol, vr_upgrade_fn fn, vr_upgrade_drop_fn drop, void *opaque);
/* Does the request ask for a WebSocket (`Upgrade: websocket`)? */
bool vr_req_websocket(const vr_req *r);
/* Add a header to the answer just given (Set-Cookie, Cache-Control). */
void vr_req_set_header(vr_req *r, const char *name, const char *value);
/* Answer with `size` bytes of the file `fd` (taken). */
void vr_req_reply_fd(vr_req *r, int status, const char *content_type, int fd, uint64_t size);
