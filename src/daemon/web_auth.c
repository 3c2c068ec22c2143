/* The web listener's token, sessions and their routes (login, logout,
 * the token for `vireo web-token`). */
#include "daemon/web_auth.h"
#include "daemon/api.h"
#include "common/file.h"
#include "common/util.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* The cookie is named after the listener's port (vireo_session_8480):
 * browsers keep cookies per host, not per port, so two vireods with
 * --web on one host would otherwise overwrite each other's session. */
#define COOKIE_PREFIX "vireo_session_"
#define SESSION_SECS (7 * 24 * 3600)
/* One-time login links (vireo web-token --url): few, short-lived. */
#define MAX_CODES 16
#define CODE_SECS 600

typedef struct {
    char code[33];
    time_t expiry;
} login_code;

struct vr_web_auth {
    char token[65];
    char cookie[32]; /* COOKIE_PREFIX + port */
    int session_secs;
    login_code codes[MAX_CODES];
};

static void random_hex(char *out, size_t bytes)
{
    unsigned char buf[64];
    size_t got = 0;
    while (got < bytes) {
        ssize_t r = getrandom(buf + got, bytes - got, 0);
        if (r > 0)
            got += (size_t)r;
        else if (errno != EINTR)
            abort();
    }
    for (size_t i = 0; i < bytes; i++)
        sprintf(out + 2 * i, "%02x", buf[i]);
}

vr_web_auth *vr_web_auth_new(const char *path, const char *port, char **err)
{
    vr_web_auth *a = vr_calloc(1, sizeof(*a));
    a->session_secs = SESSION_SECS;
    snprintf(a->cookie, sizeof(a->cookie), COOKIE_PREFIX "%s", port);
    size_t len = 0;
    char *old = vr_file_read(path, &len);
    if (old && strlen(vr_str_trim(old)) == 64) {
        memcpy(a->token, old, 64);
        free(old);
        return a;
    }
    free(old);
    random_hex(a->token, 32);
    char *text = vr_asprintf("%s\n", a->token);
    int rc = vr_file_write_atomic(path, text, strlen(text), 0600);
    free(text);
    if (rc < 0) {
        vr_set_error(err, "cannot write the web token to %s: %s", path, strerror(rc < -1 ? -rc : errno));
        free(a);
        return NULL;
    }
    return a;
}

void vr_web_auth_free(vr_web_auth *a) { free(a); }

void vr_web_auth_set_session_secs(vr_web_auth *a, int secs)
{
    if (secs > 0)
        a->session_secs = secs;
}

static bool same(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* A new one-time code, in the slot of an expired or the oldest one. */
static const char *new_code(vr_web_auth *a)
{
    login_code *slot = &a->codes[0];
    for (size_t i = 0; i < MAX_CODES; i++)
        if (a->codes[i].expiry < slot->expiry)
            slot = &a->codes[i];
    random_hex(slot->code, 16);
    slot->expiry = time(NULL) + CODE_SECS;
    return slot->code;
}

/* Is this a live one-time code? It is spent either way. */
static bool take_code(vr_web_auth *a, const char *code)
{
    time_t now = time(NULL);
    for (size_t i = 0; i < MAX_CODES; i++) {
        login_code *c = &a->codes[i];
        if (c->expiry && same(c->code, code)) {
            bool live = c->expiry > now;
            *c = (login_code){0};
            return live;
        }
    }
    return false;
}


/* A session: "EXPIRY.NONCE.HMAC" where HMAC = HMAC-SHA256(token, EXPIRY.NONCE). */
static char *sign(const vr_web_auth *a, const char *payload)
{
    struct hmac_sha256_ctx h;
    uint8_t mac[SHA256_DIGEST_SIZE];
    hmac_sha256_set_key(&h, strlen(a->token), (const uint8_t *)a->token);
    hmac_sha256_update(&h, strlen(payload), (const uint8_t *)payload);
    hmac_sha256_digest(&h, sizeof(mac), mac);
    char *out = vr_calloc(1, 2 * sizeof(mac) + 1);
    for (size_t i = 0; i < sizeof(mac); i++)
        sprintf(out + 2 * i, "%02x", mac[i]);
    return out;
}

static char *new_session(const vr_web_auth *a)
{
    char nonce[33];
    random_hex(nonce, 16);
    char *payload = vr_asprintf("%lld.%s", (long long)time(NULL) + a->session_secs, nonce);
    char *mac = sign(a, payload);
    char *s = vr_asprintf("%s.%s", payload, mac);
    free(payload);
    free(mac);
    return s;
}

static bool session_valid(const vr_web_auth *a, const char *s, size_t len)
{
    char *copy = vr_strndup(s, len);
    char *dot = strrchr(copy, '.');
    bool ok = false;
    if (dot) {
        *dot = '\0';
        char *mac = sign(a, copy);
        ok = same(mac, dot + 1) && atoll(copy) > (long long)time(NULL);
        free(mac);
    }
    free(copy);
    return ok;
}

/* The session cookie's value in a Cookie header, or NULL. */
static const char *cookie_value(const vr_web_auth *a, const char *header, size_t *len)
{
    size_t name = strlen(a->cookie);
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > name && strncmp(p, a->cookie, name) == 0 && p[name] == '=') {
            *len = n - name - 1;
            return p + name + 1;
        }
        p = end;
    }
    return NULL;
}

/* A browser page from another site may not use the API (SameSite=Strict
 * covers cookies; this covers WebSockets and bearer tokens alike). */
static bool origin_ok(vr_req *req)
{
    const char *origin = vr_req_header(req, "Origin"), *host = vr_req_header(req, "Host");
    if (!origin)
        return true;
    const char *p = strstr(origin, "://");
    return host && p && strcmp(p + 3, host) == 0;
}

bool vr_web_auth_allowed(vr_web_auth *a, vr_req *req)
{
    if (!origin_ok(req)) {
        vr_req_reply_error(req, 403, "denied", "requests from origin %s are refused", vr_req_header(req, "Origin"));
        return false;
    }
    const char *path = vr_req_path(req);
    if (strcmp(path, "/v1/login") == 0 || strcmp(path, "/v1/logout") == 0)
        return true;
    const char *auth = vr_req_header(req, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0 && same(auth + 7, a->token))
        return true;
    size_t len = 0;
    const char *s = cookie_value(a, vr_req_header(req, "Cookie"), &len);
    if (s && session_valid(a, s, len))
        return true;
    vr_req_reply_error(req, 401, "unauthorized", "%s",
                       auth ? "wrong token (vireo web-token prints the right one)"
                       : s  ? "the session has expired; log in again with the token from vireo web-token"
                            : "log in with the token that vireo web-token prints");
    return false;
}

/* ---- routes ---- */

static void post_login(vr_api_call *c)
{
    vr_web_auth *a = c->api->web_auth;
    if (!c->api->web || !a) {
        vr_api_reply_err(c->req, VR_ERR_INVALID, "login is for the web listener (vireod --web)");
        return;
    }
    size_t len = 0;
    const char *body = vr_req_body(c->req, &len);
    json_object *o = json_tokener_parse(body);
    json_object *t = NULL, *k = NULL;
    const char *token = o && json_object_object_get_ex(o, "token", &t) ? json_object_get_string(t) : NULL;
    const char *code = o && json_object_object_get_ex(o, "code", &k) ? json_object_get_string(k) : NULL;
    if (code && !token) {
        if (!take_code(a, vr_str_trim((char *)code))) {
            vr_req_reply_error(c->req, 401, "unauthorized", "%s",
                               "this login link was used already or has expired; vireo web-token --url makes a new one");
            json_object_put(o);
            return;
        }
    } else if (!token || !same(vr_str_trim((char *)token), a->token)) {
        vr_req_reply_error(c->req, 401, "unauthorized", "%s",
                           token ? "wrong token (vireo web-token prints the right one)"
                                 : "send {\"token\": TOKEN} (vireo web-token prints it)");
        json_object_put(o);
        return;
    }
    json_object_put(o);
    char *session = new_session(a);
    char *cookie = vr_asprintf("%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict", a->cookie, session,
                               a->session_secs);
    vr_req_reply_json(c->req, 200, vr_api_ok());
    vr_req_set_header(c->req, "Set-Cookie", cookie);
    free(cookie);
    free(session);
}

static void post_logout(vr_api_call *c)
{
    vr_req_reply_json(c->req, 200, vr_api_ok());
    if (!c->api->web_auth)
        return;
    char *cookie = vr_asprintf("%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict", c->api->web_auth->cookie);
    vr_req_set_header(c->req, "Set-Cookie", cookie);
    free(cookie);
}

static void get_token(vr_api_call *c)
{
    if (c->api->web || c->api->read_only) {
        vr_api_reply_err(c->req, VR_ERR_DENIED, "the web token is given only on the full-access unix socket");
        return;
    }
    if (!c->api->web_auth) {
        vr_api_reply_err(c->req, VR_ERR_NOT_FOUND, "this vireod serves no web listener (start it with --web [ADDR:]PORT)");
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "token", json_object_new_string(c->api->web_auth->token));
    if (c->api->web_url) {
        json_object_object_add(o, "url", json_object_new_string(c->api->web_url));
        char *once = vr_asprintf("%s#login=%s", c->api->web_url, new_code(c->api->web_auth));
        json_object_object_add(o, "login_url", json_object_new_string(once));
        free(once);
    }
    vr_req_reply_json(c->req, 200, o);
}

const vr_api_route vr_api_web_routes[] = {
    {"POST", "login", post_login},
    {"POST", "logout", post_logout},
    {"GET", "web/token", get_token},
    {0},
};
