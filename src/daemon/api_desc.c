/* API: a domain's title and description (virsh desc). */
#include "daemon/api.h"
#include "common/util.h"

#include <stdlib.h>

/* GET domains/NAME/description[?title=1][&inactive=1]: {"return": TEXT|null}. */
static void get_desc(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    const char *t = vr_qemu_description(dom, vr_api_flag(c->req, "title"), vr_api_flag(c->req, "inactive"));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "return", t ? json_object_new_string(t) : NULL);
    vr_req_reply_json(c->req, 200, o);
}

/* PUT domains/NAME/description {"text", "title": bool, "live", "config"}. */
static void put_desc(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    if (!body)
        return;
    const char *text = NULL;
    int rc = vr_api_str(c, body, "text", &text);
    if (rc == 0) {
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"text\": TEXT} (empty removes it), with optional "
                           "\"title\", \"live\", \"config\"");
    } else if (rc > 0) {
        unsigned flags = (vr_api_bool(body, "live") ? VR_AFFECT_LIVE : 0) |
                         (vr_api_bool(body, "config") ? VR_AFFECT_CONFIG : 0);
        char *err = NULL;
        vr_err code = vr_qemu_set_description(dom, vr_api_bool(body, "title"), text, flags, &err);
        if (code != VR_OK)
            vr_api_reply_err(c->req, code, err);
        else
            vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
        free(err);
    }
    json_object_put(body);
}

const vr_api_route vr_api_desc_routes[] = {
    {"GET", "domains/*/description", get_desc},
    {"PUT", "domains/*/description", put_desc},
    {0},
};
