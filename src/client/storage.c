/* libvireo: storage pools and volumes. */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

static unsigned long long num(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? (unsigned long long)json_object_get_int64(v) : 0;
}

VR_CLIENT_WIRE_CLEAR(vireo_pool, vr_wire_pool, vireo_pool_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_pool, vr_wire_pool, vireo_pool_list_free)
VR_CLIENT_WIRE_CLEAR(vireo_vol, vr_wire_vol, vireo_vol_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_vol, vr_wire_vol, vireo_vol_list_free)

/* /v1/pools[/KEY[/rest]] with KEY escaped. */
/* A request body's text (freed by the caller); b put. */
static char *body_text(json_object *b)
{
    char *body = vr_strdup(json_object_to_json_string(b));
    json_object_put(b);
    return body;
}

static char *pool_path(vireo_conn *c, const char *key, const char *rest)
{
    return vr_client_path(c, "/v1/pools", key, rest);
}

static char *vol_path(vireo_conn *c, const char *pool, const char *name, const char *rest)
{
    char *n = vr_client_escape(c, name);
    char *tail = rest ? vr_asprintf("volumes/%s/%s", n, rest) : vr_asprintf("volumes/%s", n);
    char *p = pool_path(c, pool, tail);
    free(tail);
    free(n);
    return p;
}

/* A call whose answer is one object, converted by `conv` into out. */
static int call_obj(vireo_conn *c, const char *method, char *path, const char *body, const char *ct,
                    void (*conv)(json_object *, void *), void *out)
{
    json_object *o = vr_client_json(c, method, path, body, ct);
    free(path);
    if (!o)
        return -1;
    if (out && conv)
        conv(o, out);
    json_object_put(o);
    return 0;
}

static void conv_pool(json_object *o, void *p) { vr_wire_from_json(&vr_wire_pool, o, p); }
static void conv_vol(json_object *o, void *v) { vr_wire_from_json(&vr_wire_vol, o, v); }

/* A list (pools, a pool's volumes); takes the path. */
static int get_list(vireo_conn *c, char *path, const vr_wire_schema *s, const char *key, void **out, size_t *n)
{
    int rc = vr_client_get_list(c, path, s, key, out, n);
    free(path);
    return rc;
}

/* A GET answered with text (XML); takes the path. */
static char *get_text(vireo_conn *c, char *path)
{
    char *text = vr_client_get_text(c, path);
    free(path);
    return text;
}

int vireo_pool_list(vireo_conn *c, vireo_pool **out, size_t *n)
{
    return get_list(c, pool_path(c, NULL, NULL), &vr_wire_pool, "pools", (void **)out, n);
}

int vireo_pool_get(vireo_conn *c, const char *key, vireo_pool *out)
{
    return call_obj(c, "GET", pool_path(c, key, NULL), NULL, NULL, conv_pool, out);
}

int vireo_pool_define(vireo_conn *c, const char *xml, vireo_pool *out)
{
    return call_obj(c, "POST", pool_path(c, NULL, NULL), xml, "application/xml", conv_pool, out);
}

int vireo_pool_define_as(vireo_conn *c, const char *name, const char *type, const char *target,
                         vireo_pool *out)
{
    return vireo_pool_define_fields(c, &(vireo_pool_fields){.name = name, .type = type, .target = target}, out);
}

int vireo_pool_define_fields(vireo_conn *c, const vireo_pool_fields *f, vireo_pool *out)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "name", json_object_new_string(f->name ? f->name : ""));
    json_object_object_add(b, "type", json_object_new_string(f->type ? f->type : "dir"));
    const struct {
        const char *key, *val;
    } opt[] = {{"target", f->target}, {"source_dev", f->source_dev}, {"source_format", f->source_format},
               {"source_host", f->source_host}, {"source_path", f->source_path},
               {"source_name", f->source_name}, {"auth_type", f->auth_type},
               {"auth_username", f->auth_username}, {"secret_uuid", f->secret_uuid},
               {"source_initiator", f->source_initiator}};
    for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
        if (opt[i].val)
            json_object_object_add(b, opt[i].key, json_object_new_string(opt[i].val));
    char *body = body_text(b);
    int rc = call_obj(c, "POST", pool_path(c, NULL, NULL), body, "application/json", conv_pool, out);
    free(body);
    return rc;
}

int vireo_pool_undefine(vireo_conn *c, const char *key)
{
    return call_obj(c, "DELETE", pool_path(c, key, NULL), NULL, NULL, NULL, NULL);
}

int vireo_pool_action(vireo_conn *c, const char *key, const char *action, vireo_pool *out)
{
    return call_obj(c, "POST", pool_path(c, key, action), "", "application/json", conv_pool, out);
}

int vireo_pool_build(vireo_conn *c, const char *key, unsigned flags, vireo_pool *out)
{
    static const vr_client_flag_name names[] = {
        {VIREO_POOL_BUILD_OVERWRITE, "overwrite"}, {VIREO_POOL_BUILD_NO_OVERWRITE, "no_overwrite"}, {0, NULL}};
    char *body = vr_client_flag_body(flags, names);
    int rc = call_obj(c, "POST", pool_path(c, key, "build"), body, "application/json", conv_pool, out);
    free(body);
    return rc;
}

int vireo_pool_set_autostart(vireo_conn *c, const char *key, bool on)
{
    return call_obj(c, "PUT", pool_path(c, key, "autostart"),
                    on ? "{\"autostart\":true}" : "{\"autostart\":false}", "application/json", NULL, NULL);
}

char *vireo_pool_xml(vireo_conn *c, const char *key)
{
    return get_text(c, pool_path(c, key, "xml"));
}

int vireo_vol_list(vireo_conn *c, const char *pool, vireo_vol **out, size_t *n)
{
    return get_list(c, pool_path(c, pool, "volumes"), &vr_wire_vol, "volumes", (void **)out, n);
}

int vireo_vol_get(vireo_conn *c, const char *pool, const char *name, vireo_vol *out)
{
    if (!pool) {
        char *p = vr_client_escape(c, name);
        char *path = vr_asprintf("/v1/volumes?path=%s", p);
        free(p);
        return call_obj(c, "GET", path, NULL, NULL, conv_vol, out);
    }
    return call_obj(c, "GET", vol_path(c, pool, name, NULL), NULL, NULL, conv_vol, out);
}

int vireo_vol_create_as(vireo_conn *c, const char *pool, const char *name, const char *capacity,
                        const char *format, const char *backing_vol, const char *backing_format,
                        vireo_vol *out)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "name", json_object_new_string(name ? name : ""));
    if (capacity)
        json_object_object_add(b, "capacity", json_object_new_string(capacity));
    if (format)
        json_object_object_add(b, "format", json_object_new_string(format));
    if (backing_vol)
        json_object_object_add(b, "backing_volume", json_object_new_string(backing_vol));
    if (backing_format)
        json_object_object_add(b, "backing_format", json_object_new_string(backing_format));
    char *body = body_text(b);
    int rc = call_obj(c, "POST", pool_path(c, pool, "volumes"), body, "application/json", conv_vol, out);
    free(body);
    return rc;
}

int vireo_vol_create_xml(vireo_conn *c, const char *pool, const char *xml, vireo_vol *out)
{
    return call_obj(c, "POST", pool_path(c, pool, "volumes"), xml, "application/xml", conv_vol, out);
}

int vireo_vol_delete(vireo_conn *c, const char *pool, const char *name)
{
    return call_obj(c, "DELETE", vol_path(c, pool, name, NULL), NULL, NULL, NULL, NULL);
}

char *vireo_find_pool_sources(vireo_conn *c, const char *type, const char *spec)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "type", json_object_new_string(type ? type : ""));
    if (spec)
        json_object_object_add(b, "spec", json_object_new_string(spec));
    char *body = body_text(b);
    char *xml = vr_client_text(c, "POST", "/v1/pool-sources", body, "application/json");
    free(body);
    return xml;
}

char *vireo_pool_capabilities(vireo_conn *c)
{
    return vr_client_get_text(c, "/v1/pool-capabilities");
}

int vireo_vol_wipe(vireo_conn *c, const char *pool, const char *name, const char *algorithm)
{
    json_object *b = json_object_new_object();
    if (algorithm)
        json_object_object_add(b, "algorithm", json_object_new_string(algorithm));
    char *body = body_text(b);
    int rc = call_obj(c, "POST", vol_path(c, pool, name, "wipe"), body, "application/json", NULL, NULL);
    free(body);
    return rc;
}

int vireo_vol_resize(vireo_conn *c, const char *pool, const char *name, const char *capacity,
                     unsigned flags, vireo_vol *out)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "capacity", json_object_new_string(capacity ? capacity : ""));
    json_object_object_add(b, "delta", json_object_new_boolean(!!(flags & VIREO_RESIZE_DELTA)));
    json_object_object_add(b, "shrink", json_object_new_boolean(!!(flags & VIREO_RESIZE_SHRINK)));
    char *body = body_text(b);
    int rc = call_obj(c, "POST", vol_path(c, pool, name, "resize"), body, "application/json", conv_vol, out);
    free(body);
    return rc;
}

char *vireo_vol_xml(vireo_conn *c, const char *pool, const char *name)
{
    return get_text(c, vol_path(c, pool, name, "xml"));
}

static void conv_id(json_object *o, void *out)
{
    *(int *)out = (int)num(o, "id");
}

int vireo_vol_clone(vireo_conn *c, const char *pool, const char *name, const char *new_name)
{
    return vireo_vol_clone_to(c, pool, name, NULL, new_name);
}

/* POST .../VOL/clone with {key: value[, "pool": dst_pool]}: a job id. */
static int clone_call(vireo_conn *c, const char *pool, const char *name, const char *dst_pool, const char *key,
                      const char *value)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, key, json_object_new_string(value ? value : ""));
    if (dst_pool)
        json_object_object_add(b, "pool", json_object_new_string(dst_pool));
    char *body = body_text(b);
    int id = -1;
    int rc = call_obj(c, "POST", vol_path(c, pool, name, "clone"), body, "application/json", conv_id, &id);
    free(body);
    return rc < 0 ? -1 : id;
}

int vireo_vol_clone_to(vireo_conn *c, const char *pool, const char *name, const char *dst_pool,
                       const char *new_name)
{
    return clone_call(c, pool, name, dst_pool, "name", new_name);
}

int vireo_vol_create_from(vireo_conn *c, const char *pool, const char *name, const char *dst_pool,
                          const char *xml)
{
    return clone_call(c, pool, name, dst_pool, "xml", xml);
}

int vireo_domain_clone(vireo_conn *c, const char *original, const char *name,
                       const char *const *files, size_t n_files, unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "name", json_object_new_string(name ? name : ""));
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n_files; i++)
        json_object_array_add(arr, json_object_new_string(files[i]));
    json_object_object_add(b, "files", arr);
    json_object_object_add(b, "auto", json_object_new_boolean(!!(flags & VIREO_CLONE_AUTO)));
    json_object_object_add(b, "linked", json_object_new_boolean(!!(flags & VIREO_CLONE_LINKED)));
    if (flags & VIREO_CLONE_FROM_TEMPLATE)
        json_object_object_add(b, "from_template", json_object_new_boolean(1));
    char *body = body_text(b);
    char *k = vr_client_escape(c, original);
    char *path = vr_asprintf("/v1/domains/%s/clone", k);
    free(k);
    int id = -1;
    int rc = call_obj(c, "POST", path, body, "application/json", conv_id, &id);
    free(body);
    return rc < 0 ? -1 : id;
}
