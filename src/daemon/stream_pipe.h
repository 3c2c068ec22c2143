/* Two byte streams joined: what one side sends, the other receives,
 * until either ends. The VNC console uses it to join a client's stream
 * (an HTTP Upgrade or a WebSocket) to QEMU's VNC server. */
#pragma once
#include <event2/event.h>
#include <stddef.h>

typedef void (*vr_pipe_done_fn)(void *opaque);

/* Join `client` (not closed here; on_done is told when it is over) and
 * `server` (closed here). `initial` bytes the client already sent go to
 * the server first. */
void vr_pipe_start(struct event_base *base, int client, int server, const char *initial, size_t n,
                   vr_pipe_done_fn on_done, void *opaque);
