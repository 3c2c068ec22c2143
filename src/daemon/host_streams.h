/* Streams of another host (events, consoles, VNC, volume uploads and
 * downloads) forwarded through its tunnel (host_streams.c). */
#pragma once
#include "daemon/http.h"

#include "common/strbuf.h"

#include <event2/bufferevent.h>
#include <event2/event.h>

/* What `bev` has read so far, appended to `b` (a forwarded answer). */
void vr_bev_read_into(struct bufferevent *bev, vr_strbuf *b);

/* Send `req` (a stream request: Upgrade or WebSocket) to the vireod
 * behind `sock` as METHOD PATH_AND_QUERY with `Upgrade: vireo-stream`,
 * and join the two connections once it answers 101; any other answer
 * goes back to the client as it came. Answers `req` later (deferred). */
void vr_host_stream_forward(vr_req *req, struct event_base *base, const char *host, const char *sock,
                            const char *path_and_query);
