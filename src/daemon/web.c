#include "daemon/web.h"
#include "config.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/web_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_ADDR "127.0.0.1"
#define DEFAULT_PORT "8480"

struct vr_web {
    vr_api api; /* a copy of the full API with web = true */
    vr_http *http;
    char *root, *url;
};

/* Split "[ADDR:]PORT" ("[::1]:8480" for IPv6). */
static bool parse_spec(const char *spec, char **addr, char **port)
{
    if (!spec || !*spec) {
        *addr = vr_strdup(DEFAULT_ADDR);
        *port = vr_strdup(DEFAULT_PORT);
        return true;
    }
    const char *colon = strrchr(spec, ':');
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':')
            return false;
        *addr = vr_strndup(spec + 1, (size_t)(close - spec - 1));
        *port = vr_strdup(close + 2);
    } else if (colon) {
        *addr = vr_strndup(spec, (size_t)(colon - spec));
        *port = vr_strdup(colon + 1);
    } else {
        *addr = vr_strdup(DEFAULT_ADDR);
        *port = vr_strdup(spec);
    }
    char *end = NULL;
    long p = strtol(*port, &end, 10);
    if (!**port || *end || p <= 0 || p > 65535) {
        free(*addr);
        free(*port);
        return false;
    }
    return true;
}

static int listen_tcp(const char *addr, const char *port, char **err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    int rc = getaddrinfo(*addr ? addr : NULL, port, &hints, &res);
    if (rc != 0) {
        vr_set_error(err, "--web %s:%s: %s", addr, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        int one = 1;
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
                        bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0)) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        vr_set_error(err, "cannot listen on %s:%s for the web UI: %s", addr, port, strerror(saved));
    return fd;
}

static bool has_index(const char *dir)
{
    char *p = vr_asprintf("%s/index.html", dir);
    bool ok = vr_path_exists(p);
    free(p);
    return ok;
}

/* The installed data dir beside the binary, the source tree's web/dist
 * for a binary in a build dir inside it, the source tree this was built
 * from, the configured prefix. */
static char *find_root(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *cands[4] = {0};
    if (n > 0) {
        exe[n] = '\0';
        char *dir = dirname(exe);
        cands[0] = vr_asprintf("%s/../share/vireo/web", dir);
        cands[1] = vr_asprintf("%s/../../../web/dist", dir);
    }
    cands[2] = vr_strdup(VIREO_SOURCE_ROOT "/web/dist");
    cands[3] = vr_strdup(VIREO_PREFIX "/share/vireo/web");
    char *found = NULL;
    for (size_t i = 0; i < VR_ARRAY_LEN(cands); i++) {
        if (!found && cands[i] && has_index(cands[i]))
            found = realpath(cands[i], NULL);
        free(cands[i]);
    }
    return found;
}

static const char *content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".map", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(types); i++)
        if (vr_str_ends(path, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static void security_headers(vr_req *req)
{
    vr_req_set_header(req, "X-Content-Type-Options", "nosniff");
    vr_req_set_header(req, "X-Frame-Options", "DENY");
    vr_req_set_header(req, "Referrer-Policy", "no-referrer");
    vr_req_set_header(req, "Content-Security-Policy",
                      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                      "connect-src 'self'; frame-ancestors 'none'");
}

static void serve_static(vr_web *w, vr_req *req)
{
    const char *path = vr_req_path(req);
    if (strcmp(vr_req_method(req), "GET") != 0 && strcmp(vr_req_method(req), "HEAD") != 0) {
        vr_req_reply_error(req, 405, "invalid", "%s is not allowed on %s", vr_req_method(req), path);
        return;
    }
    if (!w->root) {
        vr_req_reply_text(req, 503, "text/plain; charset=utf-8",
                          vr_strdup("The web UI is not built: run `make web` (or give vireod --web-root DIR).\n"
                                    "The API is served under /v1/.\n"));
        return;
    }
    if (path[0] != '/' || strstr(path, "/..") || strstr(path, "//")) {
        vr_req_reply_error(req, 404, "not_found", "no file %s", path);
        return;
    }
    const char *rel = path + 1;
    /* Pages of the single-page app (no extension) all get index.html. */
    const char *base = strrchr(path, '/') + 1;
    if (!*rel || !strchr(base, '.'))
        rel = "index.html";
    char *file = vr_asprintf("%s/%s", w->root, rel);
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        vr_req_reply_error(req, 404, "not_found", "no file %s", path);
        free(file);
        return;
    }
    vr_req_reply_fd(req, 200, content_type(file), fd, (uint64_t)st.st_size);
    /* Bundles carry a content hash in their names; the page does not. */
    vr_req_set_header(req, "Cache-Control", strcmp(rel, "index.html") == 0 ? "no-cache" : "max-age=3600");
    security_headers(req);
    free(file);
}

static void handle(vr_req *req, void *opaque)
{
    vr_web *w = opaque;
    const char *path = vr_req_path(req);
    if (vr_str_starts(path, "/v1/") || strcmp(path, "/v1") == 0)
        vr_api_handle(req, &w->api);
    else
        serve_static(w, req);
}

/* Both PEM files read (vireod checked they come in a pair), or false
 * with *err naming the one that failed. */
static bool read_pems(const vr_web_opts *o, char **cert, char **key, char **err)
{
    *cert = *key = NULL;
    if (!o->cert)
        return true;
    size_t n;
    if (!(*cert = vr_file_read(o->cert, &n)) || !(*key = vr_file_read(o->key, &n))) {
        vr_set_error(err, "cannot read %s: %s", *cert ? o->key : o->cert, strerror(errno));
        free(*cert);
        *cert = NULL;
        return false;
    }
    return true;
}

vr_web *vr_web_start(struct event_base *base, const vr_web_opts *o, vr_api *api, char **err)
{
    const char *spec = o->spec, *web_root = o->root;
    char *cert = NULL, *key = NULL;
    char *addr, *port;
    if (!parse_spec(spec, &addr, &port)) {
        vr_set_error(err, "--web wants [ADDR:]PORT (e.g. 8480, 127.0.0.1:8480, [::1]:8480), not '%s'", spec);
        return NULL;
    }
    int fd = listen_tcp(addr, port, err);
    if (fd < 0) {
        free(addr);
        free(port);
        return NULL;
    }
    vr_web *w = vr_calloc(1, sizeof(*w));
    char *token_path = vr_asprintf("%s/web-token", api->paths->runtime_dir);
    api->web_auth = vr_web_auth_new(token_path, port, err);
    free(token_path);
    if (!api->web_auth) {
        close(fd);
        free(addr);
        free(port);
        free(w);
        return NULL;
    }
    bool v6 = strchr(addr, ':') != NULL;
    w->url = vr_asprintf("%s://%s%s%s:%s/", o->cert ? "https" : "http", v6 ? "[" : "", *addr ? addr : "localhost",
                         v6 ? "]" : "", port);
    api->web_url = w->url;
    w->api = *api;
    w->api.web = true;
    w->api.read_only = false;
    w->root = web_root ? realpath(web_root, NULL) : find_root();
    if (web_root && !w->root)
        vr_log_warn("web: --web-root %s: %s", web_root, strerror(errno));
    if (!w->root)
        vr_log_warn("web: no built web UI found (make web); serving the API only");
    vr_web_auth_set_session_secs(api->web_auth, o->session_secs);
    if (!read_pems(o, &cert, &key, err)) {
        close(fd);
        free(addr);
        free(port);
        vr_web_stop(w);
        return NULL;
    }
    w->http = vr_http_start(base, fd, handle, w,
                            &(vr_http_opts){.name = "web", .limits = o->limits, .cert_pem = cert, .key_pem = key}, err);
    if (key)
        explicit_bzero(key, strlen(key));
    free(cert);
    free(key);
    free(addr);
    free(port);
    if (!w->http) {
        close(fd);
        vr_web_stop(w);
        return NULL;
    }
    vr_log_info("web UI on %s (files from %s)", w->url, w->root ? w->root : "nowhere");
    return w;
}

void vr_web_stop(vr_web *w)
{
    if (!w)
        return;
    vr_http_stop(w->http);
    vr_web_auth_free(w->api.web_auth);
    free(w->root);
    free(w->url);
    free(w);
}

const char *vr_web_url(const vr_web *w) { return w->url; }
unsigned vr_web_connections(const vr_web *w) { return vr_http_connections(w->http); }
