/* vireod --web [ADDR:]PORT: the web UI and the API over TCP. A second
 * HTTP server on the same loop: /v1/... goes to the same routes as the
 * unix socket (behind the web token, web_auth.h), everything else is a
 * static file from the web root (the built web/dist). */
#pragma once
#include "daemon/api.h"
#include "daemon/http.h"

#include <event2/event.h>

typedef struct vr_web vr_web;

typedef struct {
    const char *spec;      /* "PORT", "ADDR:PORT", "[V6]:PORT"; NULL: 127.0.0.1:8480 */
    const char *root;      /* the built UI; NULL: found next to the binary */
    const char *cert, *key; /* PEM files: serve HTTPS (both or neither; vireod checks) */
    int session_secs;      /* how long a login lasts; 0: 7 days */
    vr_http_limits limits; /* connection caps and timeouts (fd_budget.h) */
} vr_web_opts;

/* Listen and serve. `api` is the full-access API: it gets the web token
 * (api->web_auth) so the unix socket can hand it out. */
vr_web *vr_web_start(struct event_base *base, const vr_web_opts *o, vr_api *api, char **err);
void vr_web_stop(vr_web *w);
/* http[s]://ADDR:PORT/ */
const char *vr_web_url(const vr_web *w);
unsigned vr_web_connections(const vr_web *w);
