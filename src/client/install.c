/* libvireo: POST /v1/install, the daemon's one install plan (dry run, or
 * plan and make). The request and the plan go through their src/wire
 * schemas. */
#include "client/client.h"
#include "common/strbuf.h"
#include "wire/schemas.h"

void vireo_install_request_clear(vireo_install_request *r) { vr_wire_clear(&vr_wire_install_request, r); }

void vireo_install_plan_clear(vireo_install_plan *p) { vr_wire_clear(&vr_wire_install_plan, p); }

int vireo_install(vireo_conn *c, const vireo_install_request *r, vireo_install_plan *out)
{
    vr_strbuf b = {0};
    vr_wire_write(&b, &vr_wire_install_request, r);
    char *body = vr_strbuf_take(&b);
    json_object *o = vr_client_json(c, "POST", "/v1/install", body, "application/json");
    free(body);
    if (!o)
        return -1;
    /* A dry run answers the plan; an install the domain with its plan. */
    json_object *plan = NULL;
    if (!json_object_object_get_ex(o, "install", &plan))
        plan = o;
    vr_wire_from_json(&vr_wire_install_plan, plan, out);
    json_object_put(o);
    return 0;
}
