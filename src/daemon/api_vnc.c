/* API: GET /v1/domains/DOMAIN/vnc -- the VM's graphical console as a
 * byte stream (HTTP Upgrade, or a WebSocket from the web UI's noVNC):
 * the daemon asks QEMU where its VNC server listens (QMP query-vnc),
 * connects there and joins the two. The client speaks RFB itself. */
#include "daemon/api.h"
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

static void on_address(const char *host, int port, const char *err, void *opaque)
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
        on_address(NULL, 0, "the domain went away", v); /* it was undefined in between */
    else
        vr_qemu_vnc_address(dom, on_address, v);
}

static void get_vnc(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    if (dom->state == VR_DOM_SHUTOFF || dom->def->n_graphics == 0) {
        vr_req_reply_error(c->req, 409, "conflict", "domain '%s' %s", dom->def->name,
                           dom->state == VR_DOM_SHUTOFF ? "is not running" : "has no VNC display (<graphics type='vnc'/>)");
        return;
    }
    vnc_ctx *v = vr_calloc(1, sizeof(*v));
    v->api = c->api;
    v->name = vr_strdup(dom->def->name);
    vr_req_upgrade(c->req, "vireo-stream", on_upgraded, v);
}

const vr_api_route vr_api_vnc_routes[] = {
    {"GET", "domains/*/vnc", get_vnc},
    {0},
};
