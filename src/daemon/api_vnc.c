/* API: GET /v1/domains/DOMAIN/vnc -- the VM's graphical console as a
 * byte stream (HTTP Upgrade, or a WebSocket from the web UI's noVNC):
 * the daemon asks QEMU where its VNC server listens (QMP query-vnc),
 * connects there and joins the two. The client speaks RFB itself.
 * GET /v1/domains/DOMAIN/display -- where that server listens, for a
 * viewer on this host (vireo vncdisplay, domdisplay). */
#include "daemon/api.h"
#include "core/domain_ops.h"
#include "daemon/stream_pipe.h"
#include "common/log.h"
#include "common/util.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    vr_api *api;
    vr_upgraded *up;
    int fd;
    char *name;
    char *initial;
    size_t n;
} vnc_ctx;

static void on_pipe_done(void *opaque)
{
    vr_http_upgrade_close(opaque);
}

/* A blocking connect to a local address is immediate (or refused). */
static int connect_to(const char *host, int port)
{
    char svc[16];
    snprintf(svc, sizeof(svc), "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *res;
    if (getaddrinfo(host, svc, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static void on_address(const char *type, const char *host, int port, const char *err, void *opaque)
{
    vnc_ctx *v = opaque;
    int fd = err ? -1 : connect_to(host, port);
    if (fd < 0) {
        vr_log_warn("vnc: %s", err ? err : "QEMU's VNC server did not answer");
        vr_http_upgrade_close(v->up);
    } else {
        vr_pipe_start(vr_qemu_base(v->api->qemu), v->fd, fd, v->initial, v->n, on_pipe_done, v->up);
    }
    free(v->initial);
    free(v);
}

static void vnc_ctx_drop(void *opaque)
{
    vnc_ctx *v = opaque;
    free(v->name);
    free(v);
}

static void on_upgraded(vr_upgraded *up, int fd, const char *initial, size_t n, void *opaque)
{
    vnc_ctx *v = opaque;
    v->up = up;
    v->fd = fd;
    v->initial = n ? vr_strndup(initial, n) : NULL;
    v->n = n;
    vr_domain *dom = vr_qemu_lookup(v->api->qemu, v->name);
    free(v->name);
    v->name = NULL;
    if (!dom)
        on_address(NULL, NULL, 0, "the domain went away", v); /* it was undefined in between */
    else
        vr_qemu_display_address(dom, vr_domain_def_graphics_index(dom->def, VR_GRAPHICS_VNC), on_address, v);
}

/* The running domain the path names with a display (`vnc`: a VNC one,
 * which the web console speaks), or NULL after answering 404 or 409. */
static vr_domain *displayed_domain(vr_api_call *c, bool vnc)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return NULL;
    if (dom->state == VR_DOM_SHUTOFF)
        vr_req_reply_error(c->req, 409, "conflict", "domain '%s' is not running; start it first", dom->def->name);
    else if (vnc && vr_domain_def_graphics_index(dom->def, VR_GRAPHICS_VNC) < 0)
        vr_req_reply_error(c->req, 409, "conflict", "domain '%s' has no VNC display, which the web console "
                           "speaks (add <graphics type='vnc'/>)", dom->def->name);
    else if (dom->def->n_graphics == 0)
        vr_req_reply_error(c->req, 409, "conflict", "domain '%s' has no graphical display (<graphics "
                           "type='vnc'/> or 'spice')", dom->def->name);
    else
        return dom;
    return NULL;
}

static void get_vnc(vr_api_call *c)
{
    vr_domain *dom = displayed_domain(c, true);
    if (!dom)
        return;
    vnc_ctx *v = vr_calloc(1, sizeof(*v));
    v->api = c->api;
    v->name = vr_strdup(dom->def->name);
    vr_req_upgrade(c->req, "vireo-stream", on_upgraded, vnc_ctx_drop, v);
}

static void on_display(const char *type, const char *host, int port, const char *err, void *opaque)
{
    vr_req *req = opaque;
    if (err) {
        vr_req_reply_error(req, 409, "conflict", "%s", err);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(type));
    json_object_object_add(o, "host", json_object_new_string(host));
    json_object_object_add(o, "port", json_object_new_int(port));
    /* VNC's display number: the port above 5900 that viewers take
     * (SPICE clients take the port). */
    json_object_object_add(o, "display", json_object_new_int(port - 5900));
    vr_req_reply_json(req, 200, o);
}

static void get_display(vr_api_call *c)
{
    vr_domain *dom = displayed_domain(c, false);
    if (!dom)
        return;
    vr_req_defer(c->req); /* QMP answers later */
    vr_qemu_display_address(dom, vr_domain_def_graphics_first(dom->def), on_display, c->req);
}

const vr_api_route vr_api_vnc_routes[] = {
    {"GET", "domains/*/vnc", get_vnc, VR_API_CONSOLE},
    {"GET", "domains/*/display", get_display, VR_API_READ},
    {0},
};
