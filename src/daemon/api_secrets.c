/* API: secrets (libvirt's secret objects). A value goes in as JSON
 * {"value": BASE64} or as the raw bytes (application/octet-stream), and
 * comes out only as {"value": BASE64}, only on a managing unix-socket
 * connection, never for a private secret. docs/api.md documents it. */
#include "daemon/api.h"
#include "core/secret_ops.h"
#include "core/views.h"
#include "wire/schemas.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static json_object *secret_json(const vr_secret *s)
{
    vireo_secret view;
    vr_core_secret_view(s, &view);
    return vr_wire_to_json(&vr_wire_secret, &view);
}

static void secret_row(size_t i, void *items, void *out) { vr_core_secret_view(((vr_secret **)items)[i], out); }

static vr_secret_driver *drv(vr_api_call *c) { return c->api->secrets; }

static vr_secret *find_secret(vr_api_call *c)
{
    vr_secret *s = vr_secret_lookup(drv(c), c->seg[1]);
    if (!s)
        vr_req_reply_error(c->req, 404, "not_found",
                           "secret '%s' not found (vireo secret-list shows the defined ones)", c->seg[1]);
    return s;
}

static void answer(vr_api_call *c, vr_err code, char *err, int status, json_object *ok)
{
    if (code != VR_OK) {
        json_object_put(ok);
        vr_api_reply_err(c->req, code, err);
    } else {
        vr_req_reply_json(c->req, status, ok ? ok : vr_api_ok());
    }
    free(err);
}

static void list_secrets(vr_api_call *c)
{
    size_t n;
    vr_secret *const *list = vr_secrets(drv(c), &n);
    vr_api_reply_list(c, &vr_wire_secret, "secrets", n, secret_row, (void *)list, false);
}

static void define_secret(vr_api_call *c)
{
    const char *body = vr_api_body_xml(c, "secret");
    if (!body)
        return;
    vr_secret *s = NULL;
    char *err = NULL;
    vr_err code = vr_secret_define(drv(c), body, &s, &err);
    answer(c, code, err, 201, code == VR_OK ? secret_json(s) : NULL);
}

static void get_secret(vr_api_call *c)
{
    vr_secret *s = find_secret(c);
    if (s)
        vr_req_reply_json(c->req, 200, secret_json(s));
}

static void secret_xml(vr_api_call *c)
{
    vr_secret *s = find_secret(c);
    if (s)
        vr_req_reply_text(c->req, 200, "application/xml", vr_secret_def_format(s->def));
}

static void undefine_secret(vr_api_call *c)
{
    vr_secret *s = find_secret(c);
    if (!s)
        return;
    char *err = NULL;
    answer(c, vr_secret_undefine(drv(c), s, &err), err, 200, NULL);
}

static void set_value(vr_api_call *c)
{
    vr_secret *s = find_secret(c);
    if (!s)
        return;
    const char *ct = vr_req_header(c->req, "Content-Type");
    char *err = NULL;
    vr_err code;
    if (ct && vr_str_starts(ct, "application/octet-stream")) {
        size_t n = 0;
        const char *body = vr_req_body(c->req, &n);
        code = vr_secret_set_value(drv(c), s, (const unsigned char *)body, n, &err);
    } else {
        json_object *o = vr_api_body_json(c);
        const char *b64 = NULL;
        if (!o)
            return;
        if (vr_api_str(c, o, "value", &b64) < 0) {
            json_object_put(o);
            return;
        }
        /* The value itself is never echoed. */
        code = b64 ? vr_core_secret_set_base64(drv(c), s, b64, &err) : VR_ERR_INVALID;
        json_object_put(o);
        if (!b64)
            err = vr_strdup("the secret value must be base64 (\"value\": \"...\")");
    }
    answer(c, code, err, 200, code == VR_OK ? secret_json(s) : NULL);
}

static void get_value(vr_api_call *c)
{
    vr_secret *s = find_secret(c);
    if (!s)
        return;
    if (c->api->read_only || c->api->web) {
        vr_req_reply_error(c->req, 403, "denied", "secret values are given only to a read-write connection "
                           "on the daemon's socket (not %s)", c->api->web ? "the web port" : "the read-only one");
        return;
    }
    char *b64 = NULL, *err = NULL;
    vr_err code = vr_core_secret_get_base64(drv(c), s, &b64, &err);
    if (code) {
        answer(c, code, err, 200, NULL);
        return;
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "value", json_object_new_string(b64));
    vr_core_secret_base64_free(b64);
    vr_req_reply_json(c->req, 200, o);
}

const vr_api_route vr_api_secret_routes[] = {
    {"GET", "secrets", list_secrets, VR_API_READ},
    {"POST", "secrets", define_secret},
    {"GET", "secrets/*", get_secret, VR_API_READ},
    {"DELETE", "secrets/*", undefine_secret},
    {"GET", "secrets/*/xml", secret_xml, VR_API_READ},
    {"PUT", "secrets/*/value", set_value},
    /* Declared read-write: the read-only socket never reaches it (and
     * the handler also refuses the web port). */
    {"GET", "secrets/*/value", get_value, VR_API_WRITE},
    {0},
};
