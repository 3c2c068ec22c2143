/* libvireo: secrets. Values travel as base64 in JSON, or as plain text
 * in an application/octet-stream body; the library keeps no copy. */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

VR_CLIENT_WIRE_CLEAR(vireo_secret, vr_wire_secret, vireo_secret_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_secret, vr_wire_secret, vireo_secret_list_free)

static char *secret_path(vireo_conn *c, const char *uuid, const char *rest)
{
    return vr_client_path(c, "/v1/secrets", uuid, rest);
}

/* One call answered with a secret (into out when given). */
static int call(vireo_conn *c, const char *method, char *path, const char *body, const char *ct, vireo_secret *out)
{
    int rc = vr_client_call_into(c, method, path, body, ct, &vr_wire_secret, out);
    free(path);
    return rc;
}

int vireo_secret_list(vireo_conn *c, vireo_secret **out, size_t *n)
{
    return vr_client_get_objects(c, "/v1/secrets", "secrets", &vr_wire_secret, (void **)out, n);
}

int vireo_secret_get(vireo_conn *c, const char *uuid, vireo_secret *out)
{
    return call(c, "GET", secret_path(c, uuid, NULL), NULL, NULL, out);
}

int vireo_secret_define(vireo_conn *c, const char *xml, vireo_secret *out)
{
    return call(c, "POST", secret_path(c, NULL, NULL), xml, "application/xml", out);
}

int vireo_secret_undefine(vireo_conn *c, const char *uuid)
{
    return call(c, "DELETE", secret_path(c, uuid, NULL), NULL, NULL, NULL);
}

char *vireo_secret_xml(vireo_conn *c, const char *uuid)
{
    char *path = secret_path(c, uuid, "xml");
    char *text = vr_client_get_text(c, path);
    free(path);
    return text;
}

int vireo_secret_set_value(vireo_conn *c, const char *uuid, const char *base64)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "value", json_object_new_string(base64 ? base64 : ""));
    char *body = vr_strdup(json_object_to_json_string(b));
    json_object_put(b);
    int rc = call(c, "PUT", secret_path(c, uuid, "value"), body, "application/json", NULL);
    explicit_bzero(body, strlen(body));
    free(body);
    return rc;
}

int vireo_secret_set_value_plain(vireo_conn *c, const char *uuid, const char *text)
{
    return call(c, "PUT", secret_path(c, uuid, "value"), text ? text : "", "application/octet-stream", NULL);
}

char *vireo_secret_get_value(vireo_conn *c, const char *uuid)
{
    char *path = secret_path(c, uuid, "value");
    json_object *o = vr_client_json(c, "GET", path, NULL, NULL);
    free(path);
    if (!o)
        return NULL;
    const char *v = vr_client_str(o, "value");
    char *value = v ? vr_strdup(v) : NULL;
    if (v)
        explicit_bzero((char *)v, strlen(v));
    json_object_put(o);
    if (!value)
        vr_client_set_error(c, "failed", "vireod answered without a value");
    return value;
}
