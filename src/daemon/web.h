/* vireod --web [ADDR:]PORT: the web UI and the API over TCP. A second
 * HTTP server on the same loop: /v1/... goes to the same routes as the
 * unix socket (behind the web token, web_auth.h), everything else is a
 * static file from the web root (the built web/dist). */
#pragma once
#include "daemon/api.h"

#include <event2/event.h>

typedef struct vr_web vr_web;

/* Listen on spec ("PORT", "ADDR:PORT", "[V6]:PORT"; NULL for
 * 127.0.0.1:8480) and serve. `api` is the full-access API: it gets the
 * web token (api->web_auth) so the unix socket can hand it out.
 * web_root NULL: found next to the binary (web_root_default). */
vr_web *vr_web_start(struct event_base *base, const char *spec, const char *web_root, vr_api *api,
                     char **err);
void vr_web_stop(vr_web *w);
/* http://ADDR:PORT/ */
const char *vr_web_url(const vr_web *w);
unsigned vr_web_connections(const vr_web *w);
