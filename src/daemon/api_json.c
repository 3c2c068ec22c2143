/* Reading JSON request bodies: the object, and typed members with the
 * one-line 400 answers every route gives for a wrong type. */
#include "daemon/api.h"
#include "conf/units.h"
#include "common/util.h"
#include "wire/wire.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The body after the document: white space only. A NUL byte anywhere
 * (\0garbage after a document) is refused by name. Returns false after
 * answering 400. */
static bool nothing_after(vr_api_call *c, const char *body, size_t len, size_t end, const char *what)
{
    const char *nul = memchr(body, '\0', len);
    if (nul) {
        vr_req_reply_error(c->req, 400, "invalid", "the request body holds a NUL byte at offset %zu; "
                           "send the %s alone", (size_t)(nul - body), what);
        return false;
    }
    for (size_t i = end; i < len; i++) {
        if (!strchr(" \t\r\n", body[i])) {
            vr_req_reply_error(c->req, 400, "invalid", "the request body goes on after the %s "
                               "(at offset %zu); send the %s alone", what, i, what);
            return false;
        }
    }
    return true;
}

/* The request body as a JSON object, or NULL after answering 400. The
 * whole body must be the one object, in valid UTF-8 (json-c checks it
 * as it reads): what a client sends reaches files and other clients'
 * JSON answers. */
json_object *vr_api_body_json(vr_api_call *c)
{
    size_t len;
    const char *body = vr_req_body(c->req, &len);
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                    JSON_TOKENER_VALIDATE_UTF8);
    json_object *o = len <= INT_MAX ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        if (e == json_tokener_error_parse_utf8_string)
            vr_req_reply_error(c->req, 400, "invalid", "the JSON request body is not valid UTF-8 "
                               "(at offset %zu)", end);
        else if (!nothing_after(c, body, len, len, "JSON object"))
            return NULL;
        else
            vr_req_reply_error(c->req, 400, "invalid", "expected a JSON object in the request body%s%s",
                               o || e == json_tokener_success ? "" : ": ",
                               o || e == json_tokener_success ? "" : json_tokener_error_desc(e));
        return NULL;
    }
    if (!nothing_after(c, body, len, end, "JSON object")) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

vr_domain *vr_api_domain_body(vr_api_call *c, json_object **body)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom || !body)
        return dom;
    *body = vr_api_body_json(c);
    return *body ? dom : NULL;
}

const char *vr_api_body_xml(vr_api_call *c, const char *what)
{
    size_t len;
    const char *body = vr_req_body(c->req, &len);
    if (len == 0) {
        vr_req_reply_error(c->req, 400, "invalid", "no %s XML in the request body", what);
        return NULL;
    }
    /* libxml2 itself refuses text after the root element and bytes
     * that are not UTF-8; a NUL would end the text early. */
    return nothing_after(c, body, len, len, "XML document") ? body : NULL;
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
    size_t len = (size_t)json_object_get_string_len(v);
    if (strlen(s) != len) {
        vr_req_reply_error(c->req, 400, "invalid", "\"%s\" holds a NUL character", key);
        return -1;
    }
    /* The body was valid UTF-8, but \ud800 escapes decode to bytes that
     * are not. */
    if (!vr_utf8_valid(s, len)) {
        vr_req_reply_error(c->req, 400, "invalid", "\"%s\" is not valid UTF-8 (a lone surrogate escape?)", key);
        return -1;
    }
    *out = s;
    return 1;
}

bool vr_api_need_str(vr_api_call *c, json_object *o, const char *key, const char **out, const char *expected)
{
    int rc = vr_api_str(c, o, key, out);
    if (rc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "%s", expected);
    return rc > 0;
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

int vr_api_wire(vr_api_call *c, json_object *o, const vr_wire_schema *s, void *out)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const vr_wire_field *f = &s->fields[i];
        json_object *v = NULL;
        const char *str;
        unsigned long long u;
        int rc = 0;
        if (!json_object_object_get_ex(o, f->key, &v) || !v)
            continue;
        switch (f->kind) {
        case VR_WIRE_STR:
        case VR_WIRE_CHARS:
            rc = vr_api_str(c, o, f->key, &str);
            break;
        case VR_WIRE_UINT:
            rc = vr_api_uint(c, o, f->key, 0, UINT_MAX, &u);
            break;
        case VR_WIRE_U64:
            rc = vr_api_uint(c, o, f->key, 0, INT64_MAX, &u);
            break;
        case VR_WIRE_INT:
        case VR_WIRE_I64:
            if (!json_object_is_type(v, json_type_int) ||
                (f->kind == VR_WIRE_INT && (json_object_get_int64(v) < INT_MIN || json_object_get_int64(v) > INT_MAX))) {
                vr_req_reply_error(c->req, 400, "invalid", "\"%s\" must be a whole number", f->key);
                rc = -1;
            }
            break;
        case VR_WIRE_BOOL:
            if (!json_object_is_type(v, json_type_boolean)) {
                vr_req_reply_error(c->req, 400, "invalid", "\"%s\" must be true or false", f->key);
                rc = -1;
            }
            break;
        default:
            break; /* the rest is read as vr_wire_from_json reads it */
        }
        if (rc < 0)
            return -1;
    }
    vr_wire_from_json(s, o, out);
    return 1;
}
