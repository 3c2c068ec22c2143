/* API: other hosts for the web UI (remote_hosts.c keeps their tunnels).
 *   GET    /v1/hosts             {"hosts":[…], "public_key": "ssh-ed25519 … vireod@HOST"}
 *   POST   /v1/hosts             {"name","uri"}: 201 + the host
 *   DELETE /v1/hosts/NAME
 *   ANY    /v1/hosts/NAME/api/v1/…  the same request, forwarded to that
 *          host's vireod through its tunnel, and its answer passed back
 * so the browser talks only to this daemon. Streams (events, consoles,
 * VNC, uploads, downloads) go through host_streams.c; the read-only
 * socket forwards none. */
#include "daemon/api.h"
#include "core/domain_ops.h"
#include "daemon/host_streams.h"
#include "daemon/remote_hosts.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>

#define PROXY_TIMEOUT_S 60

static bool have_hosts(vr_api_call *c)
{
    if (c->api->hosts)
        return true;
    vr_req_reply_error(c->req, 422, "unsupported", "this daemon manages no other hosts");
    return false;
}

static void list(vr_api_call *c)
{
    if (!have_hosts(c))
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "hosts", vr_remote_hosts_json(c->api->hosts));
    char *err = NULL, *key = vr_remote_hosts_public_key(c->api->hosts, &err);
    json_object_object_add(o, "public_key", key ? json_object_new_string(key) : NULL);
    if (err)
        json_object_object_add(o, "public_key_error", json_object_new_string(err));
    free(key);
    free(err);
    vr_req_reply_json(c->req, 200, o);
}

static void add(vr_api_call *c)
{
    if (!have_hosts(c))
        return;
    json_object *o = vr_api_body_json(c);
    if (!o)
        return;
    const char *name = NULL, *uri = NULL;
    if (vr_api_str(c, o, "name", &name) < 0 || vr_api_str(c, o, "uri", &uri) < 0) {
        json_object_put(o);
        return;
    }
    if (!name || !uri) {
        json_object_put(o);
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"name\": NAME, \"uri\": \"vireo+ssh://user@host/system\"}");
        return;
    }
    int status = 0;
    char *err = NULL;
    if (vr_remote_hosts_add(c->api->hosts, name, uri, &status, &err) < 0)
        vr_req_reply_error(c->req, status, status == 409 ? "conflict" : status == 400 ? "invalid" : "failed", "%s", err);
    else
        vr_req_reply_json(c->req, 201, vr_remote_host_json(c->api->hosts, name));
    free(err);
    json_object_put(o);
}

static void del(vr_api_call *c)
{
    if (!have_hosts(c))
        return;
    int status = 0;
    char *err = NULL;
    if (vr_remote_hosts_remove(c->api->hosts, c->seg[1], &status, &err) < 0)
        vr_req_reply_error(c->req, status, status == 404 ? "not_found" : "failed", "%s", err);
    else
        vr_req_reply_json(c->req, 200, vr_api_ok());
    free(err);
}

const vr_api_route vr_api_host_list_routes[] = {
    {"GET", "hosts", list, VR_API_READ},
    {"POST", "hosts", add},
    {"DELETE", "hosts/*", del},
    {0},
};

/* ---- forwarding ---- */

typedef struct {
    vr_req *req;
    struct bufferevent *bev;
    vr_strbuf in;
    char *host;
} proxy_ctx;

static void proxy_free(proxy_ctx *p)
{
    bufferevent_free(p->bev);
    vr_strbuf_free(&p->in);
    free(p->host);
    free(p);
}

/* A chunked body decoded in place; false when it is not well formed. */
static bool unchunk(char *body, size_t *len)
{
    char *src = body, *dst = body, *end = body + *len;
    for (;;) {
        char *nl = memchr(src, '\n', (size_t)(end - src));
        if (!nl)
            return false;
        unsigned long n = strtoul(src, NULL, 16);
        src = nl + 1;
        if (n == 0)
            break;
        if ((size_t)(end - src) < n)
            return false;
        memmove(dst, src, n);
        dst += n;
        src += n;
        if (src < end && *src == '\r')
            src++;
        if (src < end && *src == '\n')
            src++;
    }
    *len = (size_t)(dst - body);
    return true;
}

/* The remote answer, whole (the tunnel closed after it): its status,
 * type and body, passed on. */
static void proxy_answer(proxy_ctx *p)
{
    char *text = p->in.s ? p->in.s : "";
    char *head_end = strstr(text, "\r\n\r\n");
    int status = 0;
    if (!head_end || sscanf(text, "HTTP/1.%*d %d", &status) != 1 || status < 100) {
        vr_req_reply_error(p->req, 502, "failed", "host '%s' answered something that is not HTTP", p->host);
        return;
    }
    *head_end = '\0';
    char *body = head_end + 4;
    size_t len = p->in.len - (size_t)(body - text);
    char *ctype = NULL;
    bool chunked = false;
    for (char *l = strstr(text, "\r\n"); l; l = strstr(l, "\r\n")) {
        l += 2;
        if (strncasecmp(l, "Content-Type:", 13) == 0 && !ctype) {
            char *v = l + 13, *e = strstr(v, "\r\n");
            char *raw = e ? vr_strndup(v, (size_t)(e - v)) : vr_strdup(v);
            ctype = vr_strdup(vr_str_trim(raw));
            free(raw);
        } else if (strncasecmp(l, "Transfer-Encoding:", 18) == 0 && strstr(l, "chunked")) {
            chunked = true;
        }
    }
    if (chunked && !unchunk(body, &len)) {
        free(ctype);
        vr_req_reply_error(p->req, 502, "failed", "host '%s' sent a broken chunked answer", p->host);
        return;
    }
    vr_req_reply_text(p->req, status, ctype ? ctype : "application/json", vr_strndup(body, len));
    free(ctype);
}

static void proxy_read(struct bufferevent *bev, void *opaque)
{
    proxy_ctx *p = opaque;
    vr_bev_read_into(bev, &p->in);
}

static void proxy_event(struct bufferevent *bev, short what, void *opaque)
{
    proxy_ctx *p = opaque;
    if (what & BEV_EVENT_CONNECTED)
        return;
    proxy_read(bev, p);
    if (what & BEV_EVENT_EOF)
        proxy_answer(p);
    else if (what & BEV_EVENT_TIMEOUT)
        vr_req_reply_error(p->req, 504, "failed", "host '%s' did not answer within %d s", p->host, PROXY_TIMEOUT_S);
    else
        vr_req_reply_error(p->req, 502, "failed", "the connection to host '%s' broke off", p->host);
    proxy_free(p);
}

/* ANY hosts/NAME/api/v1/…: the request as it came, to the host's vireod. */
void vr_api_hosts_forward(vr_api_call *c)
{
    if (!have_hosts(c))
        return;
    const char *host = c->seg[1];
    const char *rest = strstr(vr_req_path(c->req), "/api/") + 4;
    if (!vr_str_starts(rest, "/v1/")) {
        vr_req_reply_error(c->req, 404, "not_found", "forward to a path under /v1/ (…/hosts/%s/api/v1/…)", host);
        return;
    }
    bool stream = vr_req_websocket(c->req) || vr_req_header(c->req, "Upgrade");
    if (stream && c->api->read_only) { /* a stream may write (an upload, a console) */
        vr_req_reply_error(c->req, 403, "denied", "streams of host '%s' are not forwarded on the read-only socket",
                           host);
        return;
    }
    int status = 0;
    char *err = NULL;
    const char *sock = vr_remote_host_socket(c->api->hosts, host, &status, &err);
    if (!sock) {
        vr_req_reply_error(c->req, status, status == 404 ? "not_found" : "failed", "%s", err);
        free(err);
        return;
    }
    if (stream) {
        char *query = vr_req_query_string(c->req);
        char *target = vr_asprintf("%s%s", rest, query);
        vr_host_stream_forward(c->req, vr_qemu_base(c->api->qemu), host, sock, target);
        free(target);
        free(query);
        return;
    }
    size_t blen = 0;
    const char *body = vr_req_body(c->req, &blen);
    if (blen > VR_API_BODY_DEFINITION) {
        vr_req_reply_error(c->req, 413, "invalid", "a request forwarded to another host holds at most %u bytes",
                           VR_API_BODY_DEFINITION);
        return;
    }
    proxy_ctx *p = vr_calloc(1, sizeof(*p));
    p->req = c->req;
    p->host = vr_strdup(host);
    p->bev = bufferevent_socket_new(vr_qemu_base(c->api->qemu), -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(p->bev, proxy_read, NULL, proxy_event, p);
    struct timeval tv = {.tv_sec = PROXY_TIMEOUT_S};
    bufferevent_set_timeouts(p->bev, &tv, &tv);
    bufferevent_enable(p->bev, EV_READ | EV_WRITE);
    char *query = vr_req_query_string(c->req);
    const char *ctype = vr_req_header(c->req, "Content-Type");
    struct evbuffer *out = bufferevent_get_output(p->bev);
    evbuffer_add_printf(out, "%s %s%s HTTP/1.1\r\nHost: vireod\r\nConnection: close\r\nContent-Length: %zu\r\n",
                        vr_req_method(c->req), rest, query, blen);
    if (ctype)
        evbuffer_add_printf(out, "Content-Type: %s\r\n", ctype);
    evbuffer_add(out, "\r\n", 2);
    if (blen)
        evbuffer_add(out, body, blen);
    free(query);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
    vr_req_defer(c->req);
    if (bufferevent_socket_connect(p->bev, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        vr_req_reply_error(c->req, 502, "failed", "cannot reach host '%s' through its tunnel", host);
        proxy_free(p);
    }
}
