/* API: POST /v1/domains/DOMAIN/agent {"command": {"execute": ...,
 * "arguments": {...}}, "timeout": SECONDS} -- one command to QEMU's guest
 * agent in the guest, answered {"return": ...} (null for guest-shutdown,
 * which answers nothing). The CLI's agent commands (domtime, guestinfo,
 * domfsinfo, domifaddr --source agent, shutdown --mode agent,
 * qemu-agent-command) are built on it. Read-write peers only (it is a
 * POST), as libvirt's agent commands need write access. */
#include "daemon/api.h"
#include "core/domain_ops.h"
#include "common/util.h"

#include <stdlib.h>

static void on_agent(json_object *ret, const char *error, void *opaque)
{
    vr_req *req = opaque;
    if (error) {
        vr_req_reply_error(req, 409, "agent", "%s", error);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "return", json_object_get(ret));
    vr_req_reply_json(req, 200, o);
}

static void post_agent(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL, *cmd = NULL;
    if (!body)
        return;
    unsigned long long timeout = 0;
    if (vr_api_obj(c, body, "command", &cmd) < 0 ||
        vr_api_uint(c, body, "timeout", 1, 3600, &timeout) < 0) {
        /* answered */
    } else if (!cmd) {
        vr_req_reply_error(c->req, 400, "invalid", "the body needs \"command\": {\"execute\": ...}");
    } else {
        char *err = NULL;
        vr_req_defer(c->req);
        /* The call keeps its own reference to cmd. */
        vr_err code = vr_qemu_agent_command(dom, cmd, (int)timeout, on_agent, c->req, &err);
        if (code != VR_OK)
            vr_api_reply_err(c->req, code, err);
        free(err);
    }
    json_object_put(body);
}

const vr_api_route vr_api_agent_routes[] = {
    {"POST", "domains/*/agent", post_agent}, /* agent commands may write: read-write only */
    {0},
};
