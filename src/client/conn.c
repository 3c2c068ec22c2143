/* libvireo connections: URI, the HTTP calls over the daemon's unix
 * socket (http.c), errors. */
#include "client/client.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void vr_client_set_error(vireo_conn *c, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(c->error);
    c->error = vr_vasprintf(fmt, ap);
    va_end(ap);
    free(c->error_code);
    c->error_code = vr_strdup(code);
}

const char *vireo_last_error(const vireo_conn *c) { return c && c->error ? c->error : "no error"; }
const char *vireo_last_error_code(const vireo_conn *c) { return c && c->error_code ? c->error_code : "ok"; }
const char *vireo_conn_uri(const vireo_conn *c) { return c->uri; }
const char *vireo_conn_socket(const vireo_conn *c) { return c->socket; }

static char *unreachable(const char *socket, int e)
{
    return vr_asprintf("cannot reach vireod at %s: %s (is the daemon running? start it with "
                       "'vireod &' as root, or pick another URI with -c)", socket, strerror(e));
}

static int try_connect(const char *sock)
{
    int fd = vr_client_dial(sock);
    if (fd < 0)
        return -fd;
    close(fd);
    return 0;
}

static vireo_conn *fail(vireo_conn *c, vr_uri *u, char **err, char *msg)
{
    if (err)
        *err = msg;
    else
        free(msg);
    vr_uri_clear(u);
    vireo_disconnect(c);
    return NULL;
}

vireo_conn *vireo_connect(const char *uri, char **err)
{
    if (!uri || !*uri)
        uri = getenv("VIREO_DEFAULT_URI");
    if (!uri || !*uri)
        uri = geteuid() == 0 ? "vireo:///system" : "vireo:///session";
    vr_uri u;
    char *msg = NULL;
    if (vr_uri_parse(uri, &u, &msg) < 0)
        return fail(NULL, &u, err, msg);
    if (!u.readonly && getenv("VIREO_READONLY") && !u.session) {
        /* vireo -r */
        u.readonly = true;
        if (!u.explicit_socket && !u.ssh) {
            free(u.socket);
            u.socket = vr_strdup("/run/vireo/vireod-ro.sock");
        } else if (!u.ssh) {
            char *ro = vr_uri_ro_socket(u.socket);
            free(u.socket);
            u.socket = ro;
        }
    }
    vireo_conn *c = vr_calloc(1, sizeof(*c));
    c->fd = -1;
    c->uri = vr_strdup(u.canonical);
    c->socket = vr_strdup(u.socket);
    c->readonly = u.readonly;
    if (u.ssh) {
        if (vr_ssh_open(c, &u, &msg) < 0)
            return fail(c, &u, err, msg);
    } else {
        int e = try_connect(c->socket);
        if (e && u.session && !u.explicit_socket && (e == ENOENT || e == ECONNREFUSED)) {
            /* Like libvirt: the session daemon starts on first use. */
            if (vr_session_spawn(c->socket, &msg) < 0)
                return fail(c, &u, err, msg);
            e = 0;
        } else if (e == EACCES && !u.session && !u.readonly) {
            /* Not root nor in group vireo: the read-only socket lets
             * them look; changes get a clear refusal from the daemon. */
            char *ro = vr_uri_ro_socket(c->socket);
            if (try_connect(ro) == 0) {
                free(c->socket);
                c->socket = ro;
                c->readonly = true;
                e = 0;
            } else {
                free(ro);
            }
        }
        if (e)
            return fail(c, &u, err, unreachable(c->socket, e));
    }
    if (c->ssh_pid) {
        /* The tunnel is up; make sure a daemon is at its far end. */
        json_object *v = vr_client_json(c, "GET", "/v1/version", NULL, NULL);
        if (!v) {
            /* ssh writes its refusal as the connection closes. */
            char *errfile = vr_asprintf("%s/ssh.err", c->ssh_dir), *m = NULL;
            for (int i = 0; i < 20 && !(m = vr_ssh_refusal(errfile, &u)); i++)
                nanosleep(&(struct timespec){.tv_nsec = 25000000}, NULL);
            free(errfile);
            if (!m)
                m = vr_asprintf("connected over SSH, but no vireod answers on the remote socket: %s",
                                vireo_last_error(c));
            vr_uri_clear(&u);
            vireo_disconnect(c);
            if (err)
                *err = m;
            else
                free(m);
            return NULL;
        }
        json_object_put(v);
    }
    vr_uri_clear(&u);
    return c;
}

void vireo_disconnect(vireo_conn *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    vr_ssh_close(c);
    free(c->uri);
    free(c->socket);
    free(c->error);
    free(c->error_code);
    free(c);
}

static void on_body(void *ctx, int status, const char *data, size_t len)
{
    (void)status;
    vr_strbuf_addn(ctx, data, len);
}

/* head, then each flag of `names` set in flags as pre NAME post, the
 * first after `first`, the others after `sep`, and `tail` when any. */
static char *flag_list(const char *head, unsigned flags, const vr_client_flag_name *names, char first, char sep,
                       const char *pre, const char *post, const char *tail)
{
    vr_strbuf b = {0};
    vr_strbuf_add(&b, head);
    bool any = false;
    for (const vr_client_flag_name *n = names; n->name; n++) {
        if (!(flags & n->flag))
            continue;
        vr_strbuf_addn(&b, any ? &sep : &first, 1);
        vr_strbuf_add(&b, pre);
        vr_strbuf_add(&b, n->name);
        vr_strbuf_add(&b, post);
        any = true;
    }
    if (any)
        vr_strbuf_add(&b, tail);
    return vr_strbuf_take(&b);
}

char *vr_client_flag_query(const char *what, unsigned flags, const vr_client_flag_name *names)
{
    return flag_list(what, flags, names, strchr(what, '?') ? '&' : '?', '&', "", "=1", "");
}

char *vr_client_flag_body(unsigned flags, const vr_client_flag_name *names)
{
    return flag_list("", flags, names, '{', ',', "\"", "\":true", "}");
}

char *vr_client_escape(vireo_conn *c, const char *s)
{
    (void)c;
    vr_strbuf b = {0};
    vr_strbuf_add_uri(&b, s, "");
    return vr_strbuf_take(&b);
}

char *vr_client_path(vireo_conn *c, const char *base, const char *key, const char *rest)
{
    if (!key)
        return vr_strdup(base);
    char *k = vr_client_escape(c, key);
    char *p = rest ? vr_asprintf("%s/%s/%s", base, k, rest) : vr_asprintf("%s/%s", base, k);
    free(k);
    return p;
}

static int request(vireo_conn *c, const char *method, const char *path, const char *body,
                   const char *content_type, vr_strbuf *resp)
{
    return vr_client_exchange(c, method, path, body, content_type, on_body, resp);
}

/* vr_client_get_each: a 2xx answer's pieces to the sink, any other kept
 * for its error. */
typedef struct {
    void (*sink)(void *ctx, const char *data, size_t len);
    void *ctx;
    vr_strbuf other;
} each_ctx;

static void on_each(void *arg, int status, const char *data, size_t len)
{
    each_ctx *e = arg;
    if (status >= 200 && status < 300)
        e->sink(e->ctx, data, len);
    else
        vr_strbuf_addn(&e->other, data, len);
}

int vr_client_get_each(vireo_conn *c, const char *path, void (*sink)(void *ctx, const char *data, size_t len),
                       void *ctx)
{
    each_ctx e = {.sink = sink, .ctx = ctx};
    int status = vr_client_exchange(c, "GET", path, NULL, NULL, on_each, &e);
    char *other = vr_strbuf_take(&e.other);
    if (status >= 0 && (status < 200 || status >= 300))
        vr_client_error_from_body(c, status, other);
    free(other);
    return status >= 200 && status < 300 ? 0 : -1;
}

static void feed(void *ctx, const char *data, size_t len)
{
    vr_wire_reader_feed(ctx, data, len);
}

int vr_client_get_list(vireo_conn *c, const char *path, const vr_wire_schema *s, const char *key, void **out,
                       size_t *n)
{
    char *rows = vr_asprintf("%s%crows=1", path, strchr(path, '?') ? '&' : '?');
    *out = NULL;
    *n = 0;
    if (vr_wire_schema_nested(s)) {
        json_object *o = vr_client_json(c, "GET", rows, NULL, NULL);
        free(rows);
        if (!o)
            return -1;
        *out = vr_wire_list_from_json(s, o, key, n);
        json_object_put(o);
        return 0;
    }
    vr_wire_reader *w = vr_wire_reader_new(s, key);
    int rc = vr_client_get_each(c, rows, feed, w);
    free(rows);
    char *err = NULL;
    *out = vr_wire_reader_end(w, n, &err);
    if (rc < 0 || !*out) {
        if (rc == 0)
            vr_client_set_error(c, "failed", "%s", err);
        vr_wire_array_free(s, *out, *out ? *n : 0);
        *out = NULL;
        *n = 0;
        free(err);
        return -1;
    }
    return 0;
}

int vireo_call(vireo_conn *c, const char *method, const char *path, const char *body,
               const char *content_type, char **response)
{
    vr_strbuf resp = {0};
    int status = request(c, method, path, body, content_type, &resp);
    char *text = vr_strbuf_take(&resp);
    if (response)
        *response = text;
    else
        free(text);
    return (int)status;
}

void vr_client_error_from_body(vireo_conn *c, int status, const char *body)
{
    json_object *o = json_tokener_parse(body), *err = NULL, *msg = NULL, *code = NULL;
    if (o && json_object_object_get_ex(o, "error", &err)) {
        json_object_object_get_ex(err, "message", &msg);
        json_object_object_get_ex(err, "code", &code);
    }
    if (msg)
        vr_client_set_error(c, code ? json_object_get_string(code) : "failed", "%s", json_object_get_string(msg));
    else
        vr_client_set_error(c, "failed", "vireod answered %d: %.200s", status, body);
    json_object_put(o);
}

char *vr_client_get_bytes(vireo_conn *c, const char *path, size_t *len)
{
    vr_strbuf resp = {0};
    int status = request(c, "GET", path, NULL, NULL, &resp);
    *len = resp.len;
    char *data = vr_strbuf_take(&resp);
    if (status >= 200 && status < 300)
        return data;
    if (status >= 0)
        vr_client_error_from_body(c, status, data);
    free(data);
    return NULL;
}

char *vr_client_get_text(vireo_conn *c, const char *path)
{
    return vr_client_text(c, "GET", path, NULL, NULL);
}

char *vr_client_text(vireo_conn *c, const char *method, const char *path, const char *body,
                     const char *content_type)
{
    char *resp = NULL;
    int status = vireo_call(c, method, path, body, content_type, &resp);
    if (status >= 200 && status < 300)
        return resp;
    if (status >= 0)
        vr_client_error_from_body(c, status, resp);
    free(resp);
    return NULL;
}

json_object *vr_client_json(vireo_conn *c, const char *method, const char *path, const char *body,
                            const char *content_type)
{
    char *resp = NULL;
    int status = vireo_call(c, method, path, body, content_type, &resp);
    if (status < 0) {
        free(resp);
        return NULL;
    }
    json_object *o = json_tokener_parse(resp);
    if (status >= 200 && status < 300 && o) {
        free(resp);
        return o;
    }
    vr_client_error_from_body(c, status, resp);
    json_object_put(o);
    free(resp);
    return NULL;
}

int vr_client_call_into(vireo_conn *c, const char *method, const char *path, const char *body,
                        const char *content_type, const vr_wire_schema *s, void *out)
{
    json_object *o = vr_client_json(c, method, path, body, content_type);
    if (!o)
        return -1;
    if (out)
        vr_wire_from_json(s, o, out);
    json_object_put(o);
    return 0;
}

int vr_client_get_objects(vireo_conn *c, const char *path, const char *key, const vr_wire_schema *s,
                          void **out, size_t *n)
{
    json_object *o = vr_client_json(c, "GET", path, NULL, NULL), *arr = NULL;
    if (!o)
        return -1;
    json_object_object_get_ex(o, key, &arr);
    *out = vr_wire_array_from_json(s, arr, n);
    json_object_put(o);
    return 0;
}

const char *vr_client_str(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

bool vr_client_flag(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}
