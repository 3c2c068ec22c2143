/* libvireo: domains. */
#include "client/client.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static long long num(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : 0;
}

static bool flag(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static void from_json(json_object *o, vireo_domain *d)
{
    memset(d, 0, sizeof(*d));
    d->name = vr_strdup(str(o, "name"));
    snprintf(d->uuid, sizeof(d->uuid), "%s", str(o, "uuid") ? str(o, "uuid") : "");
    json_object *id = NULL;
    d->id = json_object_object_get_ex(o, "id", &id) && id ? json_object_get_int(id) : -1;
    d->state = vr_strdup(str(o, "state"));
    d->reason = vr_strdup(str(o, "reason"));
    d->type = vr_strdup(str(o, "type"));
    d->persistent = flag(o, "persistent");
    d->autostart = flag(o, "autostart");
    d->vcpus = (unsigned)num(o, "vcpus");
    d->memory_kib = (unsigned long long)num(o, "memory_kib");
    d->current_memory_kib = (unsigned long long)num(o, "current_memory_kib");
    d->title = str(o, "title") ? vr_strdup(str(o, "title")) : NULL;
    d->pid = (int)num(o, "pid");
    d->started_at = num(o, "started_at");
    d->accel = str(o, "accel") ? vr_strdup(str(o, "accel")) : NULL;
    json_object *notices = NULL;
    if (json_object_object_get_ex(o, "notices", &notices) && json_object_is_type(notices, json_type_array)) {
        d->n_notices = json_object_array_length(notices);
        d->notices = vr_calloc(d->n_notices + 1, sizeof(char *));
        for (size_t i = 0; i < d->n_notices; i++)
            d->notices[i] = vr_strdup(json_object_get_string(json_object_array_get_idx(notices, i)));
    }
}

void vireo_domain_clear(vireo_domain *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->state);
    free(d->reason);
    free(d->type);
    free(d->title);
    free(d->accel);
    for (size_t i = 0; i < d->n_notices; i++)
        free(d->notices[i]);
    free(d->notices);
    memset(d, 0, sizeof(*d));
}

void vireo_domain_list_free(vireo_domain *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vireo_domain_clear(&list[i]);
    free(list);
}

int vireo_domain_list(vireo_conn *c, vireo_domain **out, size_t *n)
{
    json_object *o = vr_client_json(c, "GET", "/v1/domains", NULL, NULL), *arr = NULL;
    if (!o)
        return -1;
    json_object_object_get_ex(o, "domains", &arr);
    size_t len = arr ? json_object_array_length(arr) : 0;
    *out = vr_calloc(len ? len : 1, sizeof(**out));
    for (size_t i = 0; i < len; i++)
        from_json(json_object_array_get_idx(arr, i), &(*out)[i]);
    *n = len;
    json_object_put(o);
    return 0;
}

/* A call on /v1/domains/KEY[/what] whose answer is a domain object. */
int vr_client_domain_call(vireo_conn *c, const char *method, const char *key, const char *what,
                          const char *body, vireo_domain *out)
{
    char *k = vr_client_escape(c, key);
    char *path = what ? vr_asprintf("/v1/domains/%s/%s", k, what) : vr_asprintf("/v1/domains/%s", k);
    json_object *o = vr_client_json(c, method, path, body, "application/json");
    free(path);
    free(k);
    if (!o)
        return -1;
    if (out)
        from_json(o, out);
    json_object_put(o);
    return 0;
}

int vireo_domain_get(vireo_conn *c, const char *key, vireo_domain *out)
{
    return vr_client_domain_call(c, "GET", key, NULL, NULL, out);
}

int vireo_domain_define(vireo_conn *c, const char *xml, vireo_domain *out)
{
    json_object *o = vr_client_json(c, "POST", "/v1/domains", xml, "application/xml");
    if (!o)
        return -1;
    if (out)
        from_json(o, out);
    json_object_put(o);
    return 0;
}

int vireo_domain_create(vireo_conn *c, const char *xml, unsigned flags, vireo_domain *out)
{
    const char *path = flags & VIREO_START_PAUSED ? "/v1/domains?start=1&paused=1" : "/v1/domains?start=1";
    json_object *o = vr_client_json(c, "POST", path, xml, "application/xml");
    if (!o)
        return -1;
    if (out)
        from_json(o, out);
    json_object_put(o);
    return 0;
}

int vireo_domain_start_get(vireo_conn *c, const char *key, unsigned flags, vireo_domain *out)
{
    const char *action = (flags & VIREO_START_PAUSED) && (flags & VIREO_START_RESET_NVRAM)
                             ? "start?paused=1&reset_nvram=1"
                         : flags & VIREO_START_PAUSED       ? "start?paused=1"
                         : flags & VIREO_START_RESET_NVRAM ? "start?reset_nvram=1"
                                                            : "start";
    return vr_client_domain_call(c, "POST", key, action, "", out);
}

int vireo_domain_start(vireo_conn *c, const char *key, unsigned flags)
{
    return vireo_domain_start_get(c, key, flags, NULL);
}

int vireo_domain_undefine(vireo_conn *c, const char *key, unsigned flags)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s?remove_storage=%d&nvram=%d&keep_nvram=%d&keep_tpm=%d", k,
                             !!(flags & VIREO_UNDEFINE_REMOVE_STORAGE), !!(flags & VIREO_UNDEFINE_NVRAM),
                             !!(flags & VIREO_UNDEFINE_KEEP_NVRAM), !!(flags & VIREO_UNDEFINE_KEEP_TPM));
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
    char *k = vr_client_escape(c, key);
    const char *q = (flags & VIREO_XML_INACTIVE) && (flags & VIREO_XML_SECURE) ? "?inactive=1&security_info=1"
                    : flags & VIREO_XML_INACTIVE                              ? "?inactive=1"
                    : flags & VIREO_XML_SECURE                                ? "?security_info=1"
                                                                              : "";
    char *path = vr_asprintf("/v1/domains/%s/xml%s", k, q);
    char *xml = vr_client_get_text(c, path);
    free(path);
    free(k);
    return xml;
}

/* GET /v1/domains/KEY/WHAT as text. */
static char *domain_get_text(vireo_conn *c, const char *key, const char *what)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/%s", k, what);
    char *s = vr_client_get_text(c, path);
    free(path);
    free(k);
    return s;
}

char *vireo_domain_stats_json(vireo_conn *c, const char *key) { return domain_get_text(c, key, "stats"); }
char *vireo_domain_display_json(vireo_conn *c, const char *key) { return domain_get_text(c, key, "display"); }
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
    return domain_get_text(c, key, flags & VIREO_XML_INACTIVE ? "disks?inactive=1" : "disks");
}

char *vireo_host_json(vireo_conn *c) { return vr_client_get_text(c, "/v1/host"); }
char *vireo_version_json(vireo_conn *c) { return vr_client_get_text(c, "/v1/version"); }
