/* libvireo: devices and vCPUs of a domain (api_devices.c's endpoints). */
#include "client/client.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static json_object *flags_body(unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "live", json_object_new_boolean(!!(flags & VIREO_AFFECT_LIVE)));
    json_object_object_add(b, "config", json_object_new_boolean(!!(flags & VIREO_AFFECT_CONFIG)));
    json_object_object_add(b, "persistent", json_object_new_boolean(!!(flags & VIREO_AFFECT_PERSISTENT)));
    return b;
}

static void add_str(json_object *b, const char *key, const char *value)
{
    if (value)
        json_object_object_add(b, key, json_object_new_string(value));
}

/* The call, with the body taken. */
static int call(vireo_conn *c, const char *method, const char *key, const char *what, json_object *b)
{
    int rc = vr_client_domain_call(c, method, key, what, json_object_to_json_string(b), NULL);
    json_object_put(b);
    return rc;
}

/* POST of a device's XML to devices[/what]. */
static int device_xml(vireo_conn *c, const char *key, const char *what, const char *xml, unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "xml", xml);
    return call(c, "POST", key, what, b);
}

int vireo_domain_attach_device(vireo_conn *c, const char *key, const char *xml, unsigned flags)
{
    return device_xml(c, key, "devices", xml, flags);
}

int vireo_domain_detach_device(vireo_conn *c, const char *key, const char *xml, unsigned flags)
{
    return device_xml(c, key, "devices/detach", xml, flags);
}

int vireo_domain_detach_device_alias(vireo_conn *c, const char *key, const char *alias, unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "alias", alias);
    return call(c, "POST", key, "devices/detach-alias", b);
}

int vireo_domain_update_device(vireo_conn *c, const char *key, const char *xml, unsigned flags)
{
    return device_xml(c, key, "devices/update", xml, flags);
}

int vireo_domain_set_link(vireo_conn *c, const char *key, const char *iface, bool down, unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "interface", iface);
    add_str(b, "state", down ? "down" : "up");
    return call(c, "PUT", key, "link", b);
}

static void add_rate(json_object *b, const char *key, const vireo_bandwidth *r)
{
    if (!r)
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "average", json_object_new_uint64(r->average));
    json_object_object_add(o, "peak", json_object_new_uint64(r->peak));
    json_object_object_add(o, "burst", json_object_new_uint64(r->burst));
    json_object_object_add(o, "floor", json_object_new_uint64(r->floor));
    json_object_object_add(b, key, o);
}

int vireo_domain_set_iftune(vireo_conn *c, const char *key, const char *iface, const vireo_bandwidth *in,
                            const vireo_bandwidth *out, unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "interface", iface);
    add_rate(b, "inbound", in);
    add_rate(b, "outbound", out);
    return call(c, "PUT", key, "iftune", b);
}

int vireo_domain_set_sched(vireo_conn *c, const char *key, const vireo_sched *s, unsigned flags)
{
    json_object *b = flags_body(flags);
    if (s->cpu_shares)
        json_object_object_add(b, "cpu_shares", json_object_new_uint64(s->cpu_shares));
    if (s->vcpu_period)
        json_object_object_add(b, "vcpu_period", json_object_new_uint64(s->vcpu_period));
    if (s->vcpu_quota)
        json_object_object_add(b, "vcpu_quota", json_object_new_int64(s->vcpu_quota));
    return call(c, "PUT", key, "schedinfo", b);
}

/* GET domains/KEY/WHAT[?interface=IFACE][&config=1]: the parsed answer,
 * or NULL with the error set. */
static json_object *get_settings(vireo_conn *c, const char *key, const char *what, const char *iface,
                                 unsigned flags)
{
    char *e = iface ? vr_client_escape(c, iface) : NULL;
    char *rest = vr_asprintf("%s?%s%s%s", what, e ? "interface=" : "", e ? e : "",
                             flags & VIREO_AFFECT_CONFIG ? "&config=1" : "");
    char *path = vr_client_path(c, "/v1/domains", key, rest);
    json_object *o = vr_client_json(c, "GET", path, NULL, NULL);
    free(path);
    free(rest);
    free(e);
    return o;
}

static unsigned long long get_u64(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? (unsigned long long)json_object_get_uint64(v) : 0;
}

int vireo_domain_get_link(vireo_conn *c, const char *key, const char *iface, unsigned flags, bool *down)
{
    json_object *o = get_settings(c, key, "link", iface, flags);
    const char *state = o ? vr_client_str(o, "state") : NULL;
    *down = state && strcmp(state, "down") == 0;
    json_object_put(o);
    return o ? 0 : -1;
}

static void get_rate(json_object *o, const char *key, vireo_bandwidth *r)
{
    json_object *d = NULL;
    json_object_object_get_ex(o, key, &d);
    *r = (vireo_bandwidth){get_u64(d, "average"), get_u64(d, "peak"), get_u64(d, "burst"), get_u64(d, "floor")};
}

int vireo_domain_get_iftune(vireo_conn *c, const char *key, const char *iface, unsigned flags, vireo_bandwidth *in,
                            vireo_bandwidth *out)
{
    json_object *o = get_settings(c, key, "iftune", iface, flags);
    if (!o)
        return -1;
    get_rate(o, "inbound", in);
    get_rate(o, "outbound", out);
    json_object_put(o);
    return 0;
}

int vireo_domain_get_sched(vireo_conn *c, const char *key, unsigned flags, vireo_sched *out)
{
    json_object *o = get_settings(c, key, "schedinfo", NULL, flags), *q = NULL;
    if (!o)
        return -1;
    json_object_object_get_ex(o, "vcpu_quota", &q);
    *out = (vireo_sched){get_u64(o, "cpu_shares"), get_u64(o, "vcpu_period"), q ? json_object_get_int64(q) : -1};
    json_object_put(o);
    return 0;
}

int vireo_domain_detach_disk(vireo_conn *c, const char *key, const char *disk, unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "disk", disk);
    return call(c, "POST", key, "devices/detach", b);
}

int vireo_domain_detach_interface(vireo_conn *c, const char *key, const char *type, const char *mac,
                                  unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "interface", type);
    add_str(b, "mac", mac);
    return call(c, "POST", key, "devices/detach", b);
}

int vireo_domain_change_media(vireo_conn *c, const char *key, const char *target, const char *source,
                              unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "target", target);
    add_str(b, "source", source);
    return call(c, "PUT", key, "media", b);
}

int vireo_domain_block_resize(vireo_conn *c, const char *key, const char *disk, unsigned long long bytes)
{
    json_object *b = json_object_new_object();
    add_str(b, "disk", disk);
    json_object_object_add(b, "size", json_object_new_int64((int64_t)bytes));
    return call(c, "POST", key, "blockresize", b);
}

int vireo_domain_set_vcpus(vireo_conn *c, const char *key, unsigned n, unsigned flags)
{
    json_object *b = flags_body(flags);
    json_object_object_add(b, "count", json_object_new_int64(n));
    json_object_object_add(b, "maximum", json_object_new_boolean(!!(flags & VIREO_VCPU_MAXIMUM)));
    return call(c, "PUT", key, "vcpus", b);
}

char *vireo_domain_vcpus_json(vireo_conn *c, const char *key)
{
    return vr_client_domain_text(c, key, "vcpus");
}
