/* libvireo: virtual networks, leases, a domain's interfaces. */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

VR_CLIENT_WIRE_CLEAR(vireo_network, vr_wire_network, vireo_network_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_network, vr_wire_network, vireo_network_list_free)
VR_CLIENT_WIRE_LIST_FREE(vireo_lease, vr_wire_lease, vireo_lease_list_free)
VR_CLIENT_WIRE_LIST_FREE(vireo_interface, vr_wire_interface, vireo_interface_list_free)

/* An array under `key` in the answer to GET path, each item converted. */
static int get_array(vireo_conn *c, const char *path, const char *key, size_t item, void (*conv)(json_object *, void *),
                     void **out, size_t *n)
{
    json_object *o = vr_client_json(c, "GET", path, NULL, NULL), *arr = NULL;
    if (!o)
        return -1;
    json_object_object_get_ex(o, key, &arr);
    size_t len = arr ? json_object_array_length(arr) : 0;
    char *items = vr_calloc(len ? len : 1, item);
    for (size_t i = 0; i < len; i++)
        conv(json_object_array_get_idx(arr, i), items + i * item);
    *out = items;
    *n = len;
    json_object_put(o);
    return 0;
}

static void conv_lease(json_object *o, void *p) { vr_wire_from_json(&vr_wire_lease, o, p); }

static void conv_iface(json_object *o, void *p)
{
    vr_wire_from_json(&vr_wire_interface, o, p);
}

int vireo_network_list(vireo_conn *c, vireo_network **out, size_t *n)
{
    return vr_client_get_list(c, "/v1/networks", &vr_wire_network, "networks", (void **)out, n);
}

static int net_call(vireo_conn *c, const char *method, const char *key, const char *what, const char *body,
                    const char *ctype, vireo_network *out)
{
    char *k = key ? vr_client_escape(c, key) : NULL;
    char *path = !k ? vr_asprintf("/v1/networks%s", what ? what : "")
                    : what ? vr_asprintf("/v1/networks/%s/%s", k, what) : vr_asprintf("/v1/networks/%s", k);
    json_object *o = vr_client_json(c, method, path, body, ctype);
    free(path);
    free(k);
    if (!o)
        return -1;
    if (out)
        vr_wire_from_json(&vr_wire_network, o, out);
    json_object_put(o);
    return 0;
}

int vireo_network_get(vireo_conn *c, const char *key, vireo_network *out) { return net_call(c, "GET", key, NULL, NULL, NULL, out); }
int vireo_network_define(vireo_conn *c, const char *xml, vireo_network *out) { return net_call(c, "POST", NULL, NULL, xml, "application/xml", out); }
int vireo_network_create(vireo_conn *c, const char *xml, vireo_network *out) { return net_call(c, "POST", NULL, "?start=1", xml, "application/xml", out); }
int vireo_network_undefine(vireo_conn *c, const char *key) { return net_call(c, "DELETE", key, NULL, NULL, NULL, NULL); }
int vireo_network_start(vireo_conn *c, const char *key) { return net_call(c, "POST", key, "start", "", NULL, NULL); }
int vireo_network_start_get(vireo_conn *c, const char *key, vireo_network *out) { return net_call(c, "POST", key, "start", "", NULL, out); }
int vireo_network_destroy(vireo_conn *c, const char *key) { return net_call(c, "POST", key, "destroy", "", NULL, NULL); }

int vireo_network_set_autostart(vireo_conn *c, const char *key, bool on)
{
    return net_call(c, "PUT", key, "autostart", on ? "{\"autostart\":true}" : "{\"autostart\":false}", "application/json", NULL);
}

int vireo_network_update_dhcp_host(vireo_conn *c, const char *key, bool add, const char *host_xml)
{
    return net_call(c, add ? "POST" : "DELETE", key, "dhcp-hosts", host_xml, "application/xml", NULL);
}

char *vireo_network_xml(vireo_conn *c, const char *key, unsigned flags)
{
    char *path = vr_client_path(c, "/v1/networks", key, flags & VIREO_XML_INACTIVE ? "xml?inactive=1" : "xml");
    char *xml = vr_client_get_text(c, path);
    free(path);
    return xml;
}

int vireo_network_leases(vireo_conn *c, const char *key, vireo_lease **out, size_t *n)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/networks/%s/leases", k);
    int rc = get_array(c, path, "leases", sizeof(**out), conv_lease, (void **)out, n);
    free(path);
    free(k);
    return rc;
}

int vireo_domain_interfaces(vireo_conn *c, const char *key, vireo_interface **out, size_t *n)
{
    return vireo_domain_interfaces_from(c, key, NULL, out, n);
}

int vireo_domain_interfaces_from(vireo_conn *c, const char *key, const char *source, vireo_interface **out,
                                 size_t *n)
{
    char *k = vr_client_escape(c, key), *s = source ? vr_client_escape(c, source) : NULL;
    char *path = vr_asprintf("/v1/domains/%s/interfaces%s%s", k, s ? "?source=" : "", s ? s : "");
    free(s);
    int rc = get_array(c, path, "interfaces", sizeof(**out), conv_iface, (void **)out, n);
    free(path);
    free(k);
    return rc;
}
