/* Reading JSON request bodies: the object, and typed members with the
 * one-line 400 answers every route gives for a wrong type. */
#include "daemon/api.h"
#include "conf/units.h"

#include <stdlib.h>
#include <string.h>

/* The request body as a JSON object, or NULL after answering 400. */
json_object *vr_api_body_json(vr_api_call *c)
{
    json_object *o = json_tokener_parse(vr_req_body(c->req, NULL));
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        vr_req_reply_error(c->req, 400, "invalid", "expected a JSON object in the request body");
        return NULL;
    }
    return o;
}

/* A string member; a string with an embedded NUL is refused outright,
 * since the rest of it would silently be dropped. */
int vr_api_str(vr_api_call *c, json_object *o, const char *key, const char **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        vr_req_reply_error(c->req, 400, "invalid", "\"%s\" must be a string", key);
        return -1;
    }
    const char *s = json_object_get_string(v);
    if (strlen(s) != (size_t)json_object_get_string_len(v)) {
        vr_req_reply_error(c->req, 400, "invalid", "\"%s\" holds a NUL character", key);
        return -1;
    }
    *out = s;
    return 1;
}

bool vr_api_bool(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* A size: a number of bytes, or a string with virsh's units ("10G"). */
int vr_api_size(vr_api_call *c, json_object *o, const char *key, unsigned long long *out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    if (json_object_is_type(v, json_type_int)) {
        int64_t n = json_object_get_int64(v);
        if (n < 0) {
            vr_req_reply_error(c->req, 400, "invalid", "%s: '%lld': a size cannot be negative", key,
                               (long long)n);
            return -1;
        }
        *out = (unsigned long long)n;
        return 1;
    }
    char *err = NULL;
    if (!json_object_is_type(v, json_type_string) ||
        vr_size_parse(json_object_get_string(v), 1, out, &err) < 0) {
        vr_req_reply_error(c->req, 400, "invalid", "%s: %s", key, err ? err : "expected a size like 10G");
        free(err);
        return -1;
    }
    return 1;
}

int vr_api_obj(vr_api_call *c, json_object *o, const char *key, json_object **out)
{
    *out = NULL;
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    if (!json_object_is_type(v, json_type_object)) {
        vr_req_reply_error(c->req, 400, "invalid", "\"%s\" must be an object", key);
        return -1;
    }
    *out = v;
    return 1;
}

int vr_api_uint(vr_api_call *c, json_object *o, const char *key, unsigned long long lo,
                       unsigned long long hi, unsigned long long *out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    int64_t n = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || n < (int64_t)lo || (unsigned long long)n > hi) {
        vr_req_reply_error(c->req, 400, "invalid", "\"%s\" must be a whole number from %llu to %llu", key,
                           lo, hi);
        return -1;
    }
    *out = (unsigned long long)n;
    return 1;
}
