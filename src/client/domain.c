/* libvireo: domains. */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

static void from_json(json_object *o, vireo_domain *d)
{
    vr_wire_from_json(&vr_wire_domain, o, d);
}

VR_CLIENT_WIRE_CLEAR(vireo_domain, vr_wire_domain, vireo_domain_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_domain, vr_wire_domain, vireo_domain_list_free)

int vireo_domain_list(vireo_conn *c, vireo_domain **out, size_t *n)
{
    return vr_client_get_list(c, "/v1/domains", &vr_wire_domain, "domains", (void **)out, n);
}

/* A call's answer o (put; NULL: the call failed) as the domain object
 * *out (NULL: not wanted): 0, or -1. */
static int domain_answer(json_object *o, vireo_domain *out)
{
    if (!o)
        return -1;
    if (out)
        from_json(o, out);
    json_object_put(o);
    return 0;
}

/* A call on /v1/domains/KEY[/what] whose answer is a domain object. */
int vr_client_domain_call(vireo_conn *c, const char *method, const char *key, const char *what,
                          const char *body, vireo_domain *out)
{
    char *path = vr_client_path(c, "/v1/domains", key, what);
    json_object *o = vr_client_json(c, method, path, body, "application/json");
    free(path);
    return domain_answer(o, out);
}

int vireo_domain_get(vireo_conn *c, const char *key, vireo_domain *out)
{
    return vr_client_domain_call(c, "GET", key, NULL, NULL, out);
}

int vireo_domain_define(vireo_conn *c, const char *xml, vireo_domain *out)
{
    return domain_answer(vr_client_json(c, "POST", "/v1/domains", xml, "application/xml"), out);
}

static const vr_client_flag_name start_flags[] = {
    {VIREO_START_PAUSED, "paused"}, {VIREO_START_RESET_NVRAM, "reset_nvram"}, {0, NULL}};

int vireo_domain_create(vireo_conn *c, const char *xml, unsigned flags, vireo_domain *out)
{
    char *path = vr_client_flag_query("/v1/domains?start=1", flags & VIREO_START_PAUSED, start_flags);
    int rc = domain_answer(vr_client_json(c, "POST", path, xml, "application/xml"), out);
    free(path);
    return rc;
}

int vireo_domain_start_get(vireo_conn *c, const char *key, unsigned flags, vireo_domain *out)
{
    char *action = vr_client_flag_query("start", flags, start_flags);
    int rc = vr_client_domain_call(c, "POST", key, action, "", out);
    free(action);
    return rc;
}

int vireo_domain_start(vireo_conn *c, const char *key, unsigned flags)
{
    return vireo_domain_start_get(c, key, flags, NULL);
}

int vireo_domain_undefine(vireo_conn *c, const char *key, unsigned flags)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s?remove_storage=%d&nvram=%d&keep_nvram=%d&keep_tpm=%d&managed_save=%d", k,
                             !!(flags & VIREO_UNDEFINE_REMOVE_STORAGE), !!(flags & VIREO_UNDEFINE_NVRAM),
                             !!(flags & VIREO_UNDEFINE_KEEP_NVRAM), !!(flags & VIREO_UNDEFINE_KEEP_TPM),
                             !!(flags & VIREO_UNDEFINE_MANAGED_SAVE));
    json_object *o = vr_client_json(c, "DELETE", path, NULL, NULL);
    free(path);
    free(k);
    json_object_put(o);
    return o ? 0 : -1;
}

int vireo_domain_shutdown(vireo_conn *c, const char *key) { return vr_client_domain_call(c, "POST", key, "shutdown", "", NULL); }
int vireo_domain_reboot(vireo_conn *c, const char *key) { return vr_client_domain_call(c, "POST", key, "reboot", "", NULL); }
int vireo_domain_destroy(vireo_conn *c, const char *key) { return vr_client_domain_call(c, "POST", key, "destroy", "", NULL); }
int vireo_domain_suspend(vireo_conn *c, const char *key) { return vr_client_domain_call(c, "POST", key, "suspend", "", NULL); }
int vireo_domain_resume(vireo_conn *c, const char *key) { return vr_client_domain_call(c, "POST", key, "resume", "", NULL); }

int vireo_domain_set_autostart(vireo_conn *c, const char *key, bool on)
{
    return vr_client_domain_call(c, "PUT", key, "autostart", on ? "{\"autostart\":true}" : "{\"autostart\":false}", NULL);
}

/* PUT /v1/domains/KEY/memory with one size member and the flags. */
static int set_memory(vireo_conn *c, const char *key, const char *member, unsigned long long kib,
                      unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, member, json_object_new_int64((int64_t)kib));
    json_object_object_add(b, "live", json_object_new_boolean(!!(flags & VIREO_MEM_LIVE)));
    json_object_object_add(b, "config", json_object_new_boolean(!!(flags & VIREO_MEM_CONFIG)));
    int rc = vr_client_domain_call(c, "PUT", key, "memory", json_object_to_json_string(b), NULL);
    json_object_put(b);
    return rc;
}

int vireo_domain_set_memory(vireo_conn *c, const char *key, unsigned long long kib, unsigned flags)
{
    return set_memory(c, key, "current_kib", kib, flags);
}

int vireo_domain_set_max_memory(vireo_conn *c, const char *key, unsigned long long kib, unsigned flags)
{
    return set_memory(c, key, "max_kib", kib, flags);
}

char *vireo_domain_xml(vireo_conn *c, const char *key, unsigned flags)
{
    static const vr_client_flag_name names[] = {
        {VIREO_XML_INACTIVE, "inactive"}, {VIREO_XML_SECURE, "security_info"}, {0, NULL}};
    char *what = vr_client_flag_query("xml", flags, names);
    char *xml = vr_client_domain_text(c, key, what);
    free(what);
    return xml;
}

char *vr_client_domain_text(vireo_conn *c, const char *key, const char *what)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/%s", k, what);
    char *s = vr_client_get_text(c, path);
    free(path);
    free(k);
    return s;
}

char *vireo_domain_stats_json(vireo_conn *c, const char *key) { return vr_client_domain_text(c, key, "stats"); }
char *vireo_domain_display_json(vireo_conn *c, const char *key) { return vr_client_domain_text(c, key, "display"); }
int vireo_domain_rename(vireo_conn *c, const char *key, const char *new_name)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "name", json_object_new_string(new_name));
    int rc = vr_client_domain_call(c, "POST", key, "rename", json_object_to_json_string(b), NULL);
    json_object_put(b);
    return rc;
}

char *vireo_domain_disks_json(vireo_conn *c, const char *key, unsigned flags)
{
    return vr_client_domain_text(c, key, flags & VIREO_XML_INACTIVE ? "disks?inactive=1" : "disks");
}

char *vireo_domain_disk_errors_json(vireo_conn *c, const char *key)
{
    return vr_client_domain_text(c, key, "blkerrors");
}

char *vireo_host_json(vireo_conn *c) { return vr_client_get_text(c, "/v1/host"); }
char *vireo_host_sysinfo(vireo_conn *c) { return vr_client_get_text(c, "/v1/host/sysinfo"); }

int vireo_usb_device_list(vireo_conn *c, vireo_usb_device **out, size_t *n, char **none)
{
    json_object *o = vr_client_json(c, "GET", "/v1/host/usb-devices", NULL, NULL), *arr = NULL, *why = NULL;
    if (!o)
        return -1;
    json_object_object_get_ex(o, "usb_devices", &arr);
    *out = vr_wire_array_from_json(&vr_wire_usb_device, arr, n);
    if (none)
        *none = json_object_object_get_ex(o, "none", &why) && json_object_is_type(why, json_type_string)
                    ? vr_strdup(json_object_get_string(why))
                    : NULL;
    json_object_put(o);
    return 0;
}

int vireo_nodedev_list(vireo_conn *c, const char *cap, vireo_nodedev **out, size_t *n)
{
    char *q = cap ? vr_client_escape(c, cap) : NULL, *path = q ? vr_asprintf("/v1/nodedevs?cap=%s", q) : NULL;
    int rc = vr_client_get_list(c, path ? path : "/v1/nodedevs", &vr_wire_nodedev, "nodedevs", (void **)out, n);
    free(q);
    free(path);
    return rc;
}

void vireo_nodedev_list_free(vireo_nodedev *list, size_t n) { vr_wire_array_free(&vr_wire_nodedev, list, n); }

char *vireo_nodedev_xml(vireo_conn *c, const char *name)
{
    char *n = vr_client_escape(c, name), *path = vr_asprintf("/v1/nodedevs/%s/xml", n);
    char *xml = vr_client_get_text(c, path);
    free(n);
    free(path);
    return xml;
}

static int pci_device_op(vireo_conn *c, const char *name, const char *op)
{
    char *n = vr_client_escape(c, name), *path = vr_asprintf("/v1/host/pci-devices/%s/%s", n, op);
    json_object *o = vr_client_json(c, "POST", path, NULL, NULL);
    free(n);
    free(path);
    json_object_put(o);
    return o ? 0 : -1;
}

int vireo_pci_device_detach(vireo_conn *c, const char *name) { return pci_device_op(c, name, "detach"); }
int vireo_pci_device_reattach(vireo_conn *c, const char *name) { return pci_device_op(c, name, "reattach"); }

void vireo_usb_device_list_free(vireo_usb_device *list, size_t n) { vr_wire_array_free(&vr_wire_usb_device, list, n); }
char *vireo_domain_capabilities(vireo_conn *c, const char *virttype, const char *machine)
{
    char *vt = virttype ? vr_client_escape(c, virttype) : vr_strdup(""),
         *m = machine ? vr_client_escape(c, machine) : vr_strdup("");
    char *path = vr_asprintf("/v1/host/domain-capabilities?virttype=%s&machine=%s", vt, m);
    char *xml = vr_client_get_text(c, path);
    free(path);
    free(vt);
    free(m);
    return xml;
}
char *vireo_version_json(vireo_conn *c) { return vr_client_get_text(c, "/v1/version"); }
