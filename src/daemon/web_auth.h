/* Access to the API over TCP (vireod --web): no request is open. Every
 * /v1 request carries the web token (`Authorization: Bearer TOKEN`) or a
 * session cookie (vireo_session_PORT) that POST /v1/login {"token"} sets. The token is random,
 * kept in RUNTIME/web-token (0600) across restarts, and printed by
 * `vireo web-token` (GET /v1/web/token, full-access unix socket only).
 * Sessions are HMAC-signed cookies with an expiry, so they survive a
 * daemon restart; the only state is the list of sessions ended early by
 * logout (RUNTIME/web-token-revoked, until they would have expired).
 * `vireo web-token --rotate` makes a new token, which ends every session
 * at once. `vireo web-token --url` also gives a one-time login link
 * (#login=CODE, 10 minutes, one use; kept in memory). Wrong tokens are
 * counted per address and lock it out for doubling times. */
#pragma once
#include "daemon/http.h"

#include <stdbool.h>

typedef struct vr_web_auth vr_web_auth;

/* Read the token from path, or make one and write it there. `port`
 * names the session cookie (vireo_session_PORT). */
vr_web_auth *vr_web_auth_new(const char *token_path, const char *port, char **err);
void vr_web_auth_free(vr_web_auth *a);
/* How long a login lasts (vireod --web-session SECONDS; 7 days). */
void vr_web_auth_set_session_secs(vr_web_auth *a, int secs);
/* May this request on the web listener go on? If not, it has been
 * answered (401 with a JSON error, 403 for a foreign Origin). */
bool vr_web_auth_allowed(vr_web_auth *a, vr_req *req);
