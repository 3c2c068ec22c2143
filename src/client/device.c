/* libvireo: devices and vCPUs of a domain (api_devices.c's endpoints). */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

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

/* METHOD domains/KEY/WHAT with the flags and up to two strings (a NULL
 * key or value: none): what most device calls send. */
static int call_strs(vireo_conn *c, const char *method, const char *key, const char *what, unsigned flags,
                     const char *k1, const char *v1, const char *k2, const char *v2)
{
    json_object *b = flags_body(flags);
    add_str(b, k1, v1);
    if (k2)
        add_str(b, k2, v2);
    return call(c, method, key, what, b);
}

/* POST of a device's XML to devices[/what]. */
static int device_xml(vireo_conn *c, const char *key, const char *what, const char *xml, unsigned flags)
{
    return call_strs(c, "POST", key, what, flags, "xml", xml, NULL, NULL);
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
    return call_strs(c, "PUT", key, "link", flags, "interface", iface, "state", down ? "down" : "up");
}

/* One direction given, through the wire's table (the one GET answers with). */
static void add_rate(json_object *b, const char *key, const vireo_bandwidth *r)
{
    if (r)
        json_object_object_add(b, key, vr_wire_to_json(&vr_wire_bandwidth, r));
}

/* The body's flags beside the members of a wire struct. */
static void add_wire(json_object *b, const vr_wire_schema *s, const void *obj)
{
    json_object *o = vr_wire_to_json(s, obj);
    json_object_object_foreach(o, k, v) json_object_object_add(b, k, json_object_get(v));
    json_object_put(o);
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
    add_wire(b, &vr_wire_sched, s); /* 0: not given */
    return call(c, "PUT", key, "schedinfo", b);
}

/* GET domains/KEY/WHAT[?interface=IFACE][&config=1]: its answer read
 * through the wire's schema s into out: 0, or -1. */
static int get_settings(vireo_conn *c, const char *key, const char *what, const char *iface, unsigned flags,
                        const vr_wire_schema *s, void *out)
{
    char *e = iface ? vr_client_escape(c, iface) : NULL;
    char *rest = vr_asprintf("%s?%s%s%s", what, e ? "interface=" : "", e ? e : "",
                             flags & VIREO_AFFECT_CONFIG ? "&config=1" : "");
    char *path = vr_client_path(c, "/v1/domains", key, rest);
    int rc = vr_client_call_into(c, "GET", path, NULL, NULL, s, out);
    free(path);
    free(rest);
    free(e);
    return rc;
}

int vireo_domain_get_link(vireo_conn *c, const char *key, const char *iface, unsigned flags, bool *down)
{
    vireo_link l;
    if (get_settings(c, key, "link", iface, flags, &vr_wire_link, &l) < 0)
        return -1;
    *down = l.state && strcmp(l.state, "down") == 0;
    vr_wire_clear(&vr_wire_link, &l);
    return 0;
}

int vireo_domain_get_iftune(vireo_conn *c, const char *key, const char *iface, unsigned flags, vireo_bandwidth *in,
                            vireo_bandwidth *out)
{
    vireo_iftune t;
    if (get_settings(c, key, "iftune", iface, flags, &vr_wire_iftune, &t) < 0)
        return -1;
    *in = t.inbound;
    *out = t.outbound;
    return 0;
}

int vireo_domain_get_sched(vireo_conn *c, const char *key, unsigned flags, vireo_sched *out)
{
    return get_settings(c, key, "schedinfo", NULL, flags, &vr_wire_sched, out);
}

/* The schema's field named `name`, or NULL. */
static const vr_wire_field *iotune_field(const char *name)
{
    for (size_t i = 0; i < vr_wire_block_iotune.n_fields; i++)
        if (strcmp(vr_wire_block_iotune.fields[i].key, name) == 0)
            return &vr_wire_block_iotune.fields[i];
    return NULL;
}

int vireo_domain_set_block_iotune(vireo_conn *c, const char *key, const char *disk, const vireo_block_iotune *t,
                                  const char *const *names, size_t n, unsigned flags)
{
    json_object *b = flags_body(flags);
    add_str(b, "disk", disk);
    json_object *all = vr_wire_to_json(&vr_wire_block_iotune, t), *v = NULL;
    for (size_t i = 0; i < n; i++) {
        const vr_wire_field *f = iotune_field(names[i]);
        if (f && json_object_object_get_ex(all, f->key, &v))
            /* group_name NULL: "" removes it */
            json_object_object_add(b, f->key, v ? json_object_get(v) : json_object_new_string(""));
        else if (!f)
            /* the daemon refuses it by name */
            json_object_object_add(b, names[i], json_object_new_int(0));
    }
    json_object_put(all);
    return call(c, "PUT", key, "blkdeviotune", b);
}

int vireo_domain_get_block_iotune(vireo_conn *c, const char *key, const char *disk, unsigned flags,
                                  vireo_block_iotune *out)
{
    char *e = vr_client_escape(c, disk);
    char *rest = vr_asprintf("blkdeviotune?disk=%s%s", e, flags & VIREO_AFFECT_CONFIG ? "&config=1" : "");
    char *path = vr_client_path(c, "/v1/domains", key, rest);
    json_object *o = vr_client_json(c, "GET", path, NULL, NULL);
    free(path);
    free(rest);
    free(e);
    if (!o)
        return -1;
    vr_wire_from_json(&vr_wire_block_iotune, o, out);
    json_object_put(o);
    return 0;
}

void vireo_block_iotune_clear(vireo_block_iotune *t)
{
    vr_wire_clear(&vr_wire_block_iotune, t);
}

int vireo_domain_detach_disk(vireo_conn *c, const char *key, const char *disk, unsigned flags)
{
    return call_strs(c, "POST", key, "devices/detach", flags, "disk", disk, NULL, NULL);
}

int vireo_domain_detach_interface(vireo_conn *c, const char *key, const char *type, const char *mac,
                                  unsigned flags)
{
    return call_strs(c, "POST", key, "devices/detach", flags, "interface", type, "mac", mac);
}

int vireo_domain_change_media(vireo_conn *c, const char *key, const char *target, const char *source,
                              unsigned flags)
{
    return call_strs(c, "PUT", key, "media", flags, "target", target, "source", source);
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

int vireo_domain_vcpu_count(vireo_conn *c, const char *key, vireo_vcpu_count *out)
{
    return get_settings(c, key, "vcpus", NULL, 0, &vr_wire_vcpu_count, out);
}
