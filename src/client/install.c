/* libvireo: POST /v1/install, the daemon's one install plan (dry run, or
 * plan and make). The request and the plan go through their src/wire
 * schemas. */
#include "client/client.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "wire/schemas.h"

VR_CLIENT_WIRE_CLEAR(vireo_install_request, vr_wire_install_request, vireo_install_request_clear)
VR_CLIENT_WIRE_CLEAR(vireo_install_plan, vr_wire_install_plan, vireo_install_plan_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_os_variant, vr_wire_os_variant, vireo_os_variant_list_free)

int vireo_os_variant_list(vireo_conn *c, const char *id, vireo_os_variant **out, size_t *n)
{
    char *e = id ? vr_client_escape(c, id) : NULL;
    char *path = e ? vr_asprintf("/v1/os-variants?id=%s", e) : vr_strdup("/v1/os-variants");
    free(e);
    json_object *o = vr_client_json(c, "GET", path, NULL, NULL);
    free(path);
    if (!o)
        return -1;
    json_object *arr = NULL;
    json_object_object_get_ex(o, "os_variants", &arr);
    *out = vr_wire_array_from_json(&vr_wire_os_variant, arr, n);
    json_object_put(o);
    return 0;
}

/* POST /v1/install with r as its body: the answer, or NULL. */
static json_object *post(vireo_conn *c, const vireo_install_request *r)
{
    vr_strbuf b = {0};
    vr_wire_write(&b, &vr_wire_install_request, r);
    char *body = vr_strbuf_take(&b);
    json_object *o = vr_client_json(c, "POST", "/v1/install", body, "application/json");
    free(body);
    return o;
}

int vireo_install(vireo_conn *c, const vireo_install_request *r, vireo_install_plan *out)
{
    json_object *o = post(c, r);
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

int vireo_install_start(vireo_conn *c, const vireo_install_request *r)
{
    vireo_install_request as_job = *r; /* shallow: only the flags differ */
    as_job.job = true;
    as_job.dry_run = false;
    json_object *o = post(c, &as_job);
    if (!o)
        return -1;
    json_object *id = NULL;
    int rc = json_object_object_get_ex(o, "id", &id) ? json_object_get_int(id) : -1;
    if (rc < 0)
        vr_client_set_error(c, "failed", "POST /v1/install answered no job");
    json_object_put(o);
    return rc;
}
