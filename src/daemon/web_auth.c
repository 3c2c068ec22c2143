/* The web listener's token, sessions and their routes (login, logout,
 * the token for `vireo web-token`). */
#include "daemon/web_auth.h"
#include "daemon/api.h"
#include "common/file.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* The cookie is named after the listener's port (vireo_session_8480):
 * browsers keep cookies per host, not per port, so two vireods with
 * --web on one host would otherwise overwrite each other's session. */
#define COOKIE_PREFIX "vireo_session_"
#define SESSION_SECS (7 * 24 * 3600)
/* One-time login links (vireo web-token --url): few, short-lived. */
#define MAX_CODES 16
#define CODE_SECS 600

/* Wrong tokens: FREE_TRIES per address, then each further one locks the
 * address out for twice as long as the one before (1 s, 2 s, ... up to
 * MAX_LOCK_SECS); FORGET_SECS without a wrong try wipes the slate. */
#define FREE_TRIES 3
#define MAX_LOCK_SECS 300
#define FORGET_SECS 900
#define MAX_ADDRS 256

typedef struct {
    char code[33];
    time_t expiry;
} login_code;

typedef struct {
    char addr[64];
    unsigned failures;
    time_t last, until; /* the last wrong try; locked out until */
} wrong_tries;

/* A session ended by logout before its expiry. */
typedef struct {
    char nonce[33];
    time_t expiry;
} revoked;

struct vr_web_auth {
    char token[65];
    char cookie[32]; /* COOKIE_PREFIX + port */
    char *token_path, *revoked_path;
    int session_secs;
    login_code codes[MAX_CODES];
    wrong_tries tries[MAX_ADDRS];
    revoked *revoked;
    size_t n_revoked;
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

/* ---- sessions ended by logout, kept (RUNTIME/web-revoked) until they
 * would have expired anyway, so a restart does not bring them back ---- */

static void save_revoked(vr_web_auth *a)
{
    vr_strbuf out = {0};
    for (size_t i = 0; i < a->n_revoked; i++)
        vr_strbuf_addf(&out, "%lld %s\n", (long long)a->revoked[i].expiry, a->revoked[i].nonce);
    if (vr_file_write_atomic(a->revoked_path, out.s ? out.s : "", out.len, 0600) < 0)
        vr_log_warn("web: cannot write %s: %s; a restart would revive logged-out sessions", a->revoked_path,
                    strerror(errno));
    vr_strbuf_free(&out);
}

/* Forget revocations past their session's expiry. */
static void prune_revoked(vr_web_auth *a)
{
    time_t now = time(NULL);
    size_t kept = 0;
    for (size_t i = 0; i < a->n_revoked; i++)
        if (a->revoked[i].expiry > now)
            a->revoked[kept++] = a->revoked[i];
    a->n_revoked = kept;
}

static void add_revoked(vr_web_auth *a, const char *nonce, size_t nonce_len, time_t expiry)
{
    prune_revoked(a);
    a->revoked = vr_realloc(a->revoked, (a->n_revoked + 1) * sizeof(*a->revoked));
    revoked *r = &a->revoked[a->n_revoked++];
    snprintf(r->nonce, sizeof(r->nonce), "%.*s", (int)nonce_len, nonce);
    r->expiry = expiry;
    save_revoked(a);
}

static void load_revoked(vr_web_auth *a)
{
    size_t len = 0;
    char *text = vr_file_read(a->revoked_path, &len);
    char *save = NULL;
    for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        long long expiry = 0;
        char nonce[33];
        if (sscanf(line, "%lld %32s", &expiry, nonce) == 2)
            add_revoked(a, nonce, strlen(nonce), (time_t)expiry);
    }
    free(text);
}

static bool is_revoked(const vr_web_auth *a, const char *nonce, size_t len)
{
    for (size_t i = 0; i < a->n_revoked; i++)
        if (strlen(a->revoked[i].nonce) == len && memcmp(a->revoked[i].nonce, nonce, len) == 0)
            return true;
    return false;
}

/* A new random token, written where `vireo web-token` and a restarted
 * daemon find it. */
static bool new_token(vr_web_auth *a, char **err)
{
    char token[65];
    random_hex(token, 32);
    char *text = vr_asprintf("%s\n", token);
    int rc = vr_file_write_atomic(a->token_path, text, strlen(text), 0600);
    explicit_bzero(text, strlen(text));
    free(text);
    if (rc < 0) {
        vr_set_error(err, "cannot write the web token to %s: %s", a->token_path, strerror(rc < -1 ? -rc : errno));
        return false;
    }
    memcpy(a->token, token, sizeof(token));
    return true;
}

vr_web_auth *vr_web_auth_new(const char *path, const char *port, char **err)
{
    vr_web_auth *a = vr_calloc(1, sizeof(*a));
    a->session_secs = SESSION_SECS;
    snprintf(a->cookie, sizeof(a->cookie), COOKIE_PREFIX "%s", port);
    a->token_path = vr_strdup(path);
    a->revoked_path = vr_asprintf("%s-revoked", path);
    size_t len = 0;
    char *old = vr_file_read(path, &len);
    bool have = old && strlen(vr_str_trim(old)) == 64;
    if (have)
        memcpy(a->token, old, 64);
    free(old);
    if (!have && !new_token(a, err)) {
        vr_web_auth_free(a);
        return NULL;
    }
    load_revoked(a);
    return a;
}

void vr_web_auth_free(vr_web_auth *a)
{
    if (!a)
        return;
    explicit_bzero(a->token, sizeof(a->token));
    free(a->token_path);
    free(a->revoked_path);
    free(a->revoked);
    free(a);
}

/* ---- wrong tokens, counted per address ---- */

/* The address's record; a new one takes the slot of the stalest. */
static wrong_tries *tries_of(vr_web_auth *a, const char *addr, bool make)
{
    wrong_tries *stalest = &a->tries[0];
    time_t now = time(NULL);
    for (size_t i = 0; i < MAX_ADDRS; i++) {
        wrong_tries *t = &a->tries[i];
        if (t->failures && now - t->last > FORGET_SECS && now >= t->until)
            *t = (wrong_tries){0};
        if (t->failures && strcmp(t->addr, addr) == 0)
            return t;
        if (t->last < stalest->last)
            stalest = t;
    }
    if (!make)
        return NULL;
    *stalest = (wrong_tries){0};
    snprintf(stalest->addr, sizeof(stalest->addr), "%s", addr);
    return stalest;
}

/* Is this address locked out for now? Then the request is answered 429
 * without looking at its token: guessing runs at one try a lockout. */
static bool locked_out(vr_web_auth *a, vr_req *req)
{
    wrong_tries *t = tries_of(a, vr_req_peer(req), false);
    time_t now = time(NULL);
    if (!t || now >= t->until)
        return false;
    char *wait = vr_asprintf("%lld", (long long)(t->until - now));
    vr_req_reply_error(req, 429, "too_many", "too many wrong tokens from %s: retry in %s s "
                       "(vireo web-token prints the right one)", t->addr, wait);
    vr_req_set_header(req, "Retry-After", wait);
    free(wait);
    return true;
}

static void wrong_token(vr_web_auth *a, vr_req *req)
{
    wrong_tries *t = tries_of(a, vr_req_peer(req), true);
    time_t now = time(NULL);
    t->failures++;
    t->last = now;
    if (t->failures <= FREE_TRIES)
        return;
    unsigned shift = t->failures - FREE_TRIES - 1;
    long secs = shift >= 9 ? MAX_LOCK_SECS : 1L << shift;
    t->until = now + (secs < MAX_LOCK_SECS ? secs : MAX_LOCK_SECS);
    /* One line a lockout, not one a try: the lockouts double. */
    vr_log_warn("web: %u wrong tokens from %s; its next try waits %ld s", t->failures, t->addr, secs);
}

static void right_token(vr_web_auth *a, vr_req *req)
{
    wrong_tries *t = tries_of(a, vr_req_peer(req), false);
    if (t)
        *t = (wrong_tries){0};
}

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

/* A session signed with the current token, not expired, not logged
 * out; its expiry and nonce through the pointers when given. */
static bool session_valid(const vr_web_auth *a, const char *s, size_t len, time_t *expiry, char nonce[33])
{
    char *copy = vr_strndup(s, len);
    char *dot = strrchr(copy, '.');
    bool ok = false;
    if (dot) {
        *dot = '\0';
        char *mac = sign(a, copy);
        const char *n = strchr(copy, '.');
        ok = n && same(mac, dot + 1) && atoll(copy) > (long long)time(NULL) && !is_revoked(a, n + 1, strlen(n + 1));
        if (ok && expiry)
            *expiry = (time_t)atoll(copy);
        if (ok && nonce)
            snprintf(nonce, 33, "%s", n + 1);
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
    if (auth && locked_out(a, req))
        return false;
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0 && same(auth + 7, a->token)) {
        right_token(a, req);
        return true;
    }
    if (auth)
        wrong_token(a, req);
    size_t len = 0;
    const char *s = cookie_value(a, vr_req_header(req, "Cookie"), &len);
    if (s && session_valid(a, s, len, NULL, NULL))
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
    if (locked_out(a, c->req))
        return;
    size_t len = 0;
    const char *body = vr_req_body(c->req, &len);
    json_object *o = json_tokener_parse(body);
    json_object *t = NULL, *k = NULL;
    const char *token = o && json_object_object_get_ex(o, "token", &t) ? json_object_get_string(t) : NULL;
    const char *code = o && json_object_object_get_ex(o, "code", &k) ? json_object_get_string(k) : NULL;
    if (code && !token) {
        if (!take_code(a, vr_str_trim((char *)code))) {
            wrong_token(a, c->req);
            vr_req_reply_error(c->req, 401, "unauthorized", "%s",
                               "this login link was used already or has expired; vireo web-token --url makes a new one");
            json_object_put(o);
            return;
        }
    } else if (!token || !same(vr_str_trim((char *)token), a->token)) {
        if (token)
            wrong_token(a, c->req);
        vr_req_reply_error(c->req, 401, "unauthorized", "%s",
                           token ? "wrong token (vireo web-token prints the right one)"
                                 : "send {\"token\": TOKEN} (vireo web-token prints it)");
        json_object_put(o);
        return;
    }
    json_object_put(o);
    right_token(a, c->req);
    char *session = new_session(a);
    char *cookie = vr_asprintf("%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict", a->cookie, session,
                               a->session_secs);
    vr_req_reply_json(c->req, 200, vr_api_ok());
    vr_req_set_header(c->req, "Set-Cookie", cookie);
    free(cookie);
    free(session);
}

/* The session ends here, not only in this browser: its cookie is
 * refused from now on, wherever it was copied to. */
static void post_logout(vr_api_call *c)
{
    vr_web_auth *a = c->api->web_auth;
    size_t len = 0;
    const char *s = a ? cookie_value(a, vr_req_header(c->req, "Cookie"), &len) : NULL;
    time_t expiry = 0;
    char nonce[33];
    if (s && session_valid(a, s, len, &expiry, nonce))
        add_revoked(a, nonce, strlen(nonce), expiry);
    vr_req_reply_json(c->req, 200, vr_api_ok());
    if (!a)
        return;
    char *cookie = vr_asprintf("%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict", c->api->web_auth->cookie);
    vr_req_set_header(c->req, "Set-Cookie", cookie);
    free(cookie);
}

/* The token is given and changed only on the full-access unix socket. */
static bool token_route_ok(vr_api_call *c)
{
    if (c->api->web || c->api->read_only) {
        vr_api_reply_err(c->req, VR_ERR_DENIED, "the web token is given only on the full-access unix socket");
        return false;
    }
    if (!c->api->web_auth) {
        vr_api_reply_err(c->req, VR_ERR_NOT_FOUND, "this vireod serves no web listener (start it with --web [ADDR:]PORT)");
        return false;
    }
    return true;
}

static void reply_token(vr_api_call *c)
{
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

static void get_token(vr_api_call *c)
{
    if (token_route_ok(c))
        reply_token(c);
}

/* A new token: the old one, every session signed with it and every
 * login link stop working at once. */
static void rotate_token(vr_api_call *c)
{
    if (!token_route_ok(c))
        return;
    vr_web_auth *a = c->api->web_auth;
    char *err = NULL;
    if (!new_token(a, &err)) {
        vr_api_reply_err(c->req, VR_ERR_FAILED, err);
        free(err);
        return;
    }
    memset(a->codes, 0, sizeof(a->codes));
    a->n_revoked = 0; /* signed with the old token: dead anyway */
    unlink(a->revoked_path);
    vr_log_info("web: token rotated (by uid %d): every session and login link ended", (int)vr_req_peer_uid(c->req));
    reply_token(c);
}

const vr_api_route vr_api_web_routes[] = {
    {"POST", "login", post_login},
    {"POST", "logout", post_logout},
    {"GET", "web/token", get_token, VR_API_READ},
    {"POST", "web/token/rotate", rotate_token},
    {0},
};
