/* WebSocket (RFC 6455) for browsers on the API's byte streams. The
 * streams (consoles, events) speak raw bytes on an upgraded socket; when
 * the request asked for `Upgrade: websocket`, http.c answers the
 * handshake and puts a bridge between the client's socket (frames, via
 * wslay) and one end of a socketpair whose other end the stream's
 * handler gets as if it were the raw socket. Bytes from the handler
 * become binary messages; every message from the browser (text or
 * binary) becomes bytes for the handler. */
#pragma once
#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct vr_ws_bridge vr_ws_bridge;

/* Is this an RFC 6455 upgrade request (the Upgrade header's value)? */
bool vr_ws_requested(const char *upgrade_header);
/* Sec-WebSocket-Accept for a Sec-WebSocket-Key (base64 SHA-1, nettle). */
char *vr_ws_accept_key(const char *key);

/* Bridge `sock` (the client, already switched; `initial` holds bytes it
 * sent after the handshake) and `inner` (a socketpair end). Both fds are
 * owned by the bridge from here on except `sock`, which the HTTP server
 * closes: when either side is finished, done(arg) is called once, as the
 * bridge's last act; done must then free the bridge. */
vr_ws_bridge *vr_ws_bridge_new(struct event_base *base, int sock, const char *initial, size_t n,
                               int inner, void (*done)(void *arg), void *arg);
void vr_ws_bridge_free(vr_ws_bridge *b);
