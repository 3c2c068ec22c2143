/* API: a domain's title, description and metadata elements (virsh desc,
 * metadata). */
#include "daemon/api.h"
#include "core/domain_ops.h"
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

static unsigned flags_of(json_object *body)
{
    return (vr_api_bool(body, "live") ? VR_AFFECT_LIVE : 0) | (vr_api_bool(body, "config") ? VR_AFFECT_CONFIG : 0);
}

static void reply(vr_api_call *c, vr_domain *dom, vr_err code, char *err)
{
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, vr_api_domain_json(dom));
    free(err);
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
    char *err = NULL;
    if (rc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"text\": TEXT} (empty removes it), with optional "
                           "\"title\", \"live\", \"config\"");
    else if (rc > 0) {
        vr_err code = vr_qemu_set_description(dom, vr_api_bool(body, "title"), text, flags_of(body), &err);
        reply(c, dom, code, err);
    }
    json_object_put(body);
}

/* GET domains/NAME/metadata?uri=URI[&inactive=1]: {"return": XML|null}. */
static void get_meta(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    const char *uri = vr_req_query(c->req, "uri");
    char *out = NULL, *err = NULL;
    if (!uri || !*uri) {
        vr_req_reply_error(c->req, 400, "invalid", "name the namespace: ?uri=URI");
    } else if (vr_qemu_metadata(dom, uri, vr_api_flag(c->req, "inactive"), &out, &err) != VR_OK) {
        vr_api_reply_err(c->req, VR_ERR_FAILED, err);
    } else {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "return", out ? json_object_new_string(out) : NULL);
        vr_req_reply_json(c->req, 200, o);
    }
    free(out);
    free(err);
}

/* PUT domains/NAME/metadata {"uri", "key", "xml" (absent: remove), "live", "config"}. */
static void put_meta(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    if (!body)
        return;
    const char *uri = NULL, *key = NULL, *xml = NULL;
    int ru = vr_api_str(c, body, "uri", &uri);
    int rk = ru < 0 ? -1 : vr_api_str(c, body, "key", &key);
    int rx = rk < 0 ? -1 : vr_api_str(c, body, "xml", &xml);
    char *err = NULL;
    if (rx >= 0 && ru == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"uri\": URI, \"key\": PREFIX, \"xml\": ELEMENT} "
                           "(no xml removes it)");
    else if (rx >= 0) {
        vr_err code = vr_qemu_set_metadata(dom, uri, key, xml, flags_of(body), &err);
        reply(c, dom, code, err);
    }
    json_object_put(body);
}

const vr_api_route vr_api_desc_routes[] = {
    {"GET", "domains/*/description", get_desc, VR_API_READ},
    {"PUT", "domains/*/description", put_desc},
    {"GET", "domains/*/metadata", get_meta, VR_API_READ},
    {"PUT", "domains/*/metadata", put_meta},
    {0},
};
