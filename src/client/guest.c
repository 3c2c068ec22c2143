/* libvireo: guest and host helpers of a running domain (api_guest.c's
 * and api_save.c's endpoints): send-key, screenshot, reset, power
 * management, the guest's host name, guestinfo, the monitor escape hatch; save,
 * restore, managedsave and their job. */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* POST domains/KEY/WHAT with body (taken); the answer's "return" member
 * (taken by the caller) through *ret when ret is given. 0 or -1. */
static int call(vireo_conn *c, const char *method, const char *key, const char *what, json_object *body,
                json_object **ret)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/%s", k, what);
    json_object *o = vr_client_json(c, method, path, body ? json_object_to_json_string(body) : NULL, NULL);
    json_object_put(body);
    free(path);
    free(k);
    if (!o)
        return -1;
    json_object *r = NULL;
    if (ret && json_object_object_get_ex(o, "return", &r))
        *ret = json_object_get(r);
    json_object_put(o);
    return 0;
}

int vireo_domain_send_key(vireo_conn *c, const char *key, const char *codeset, const char *const *keys,
                          size_t n, unsigned hold_ms)
{
    json_object *b = json_object_new_object(), *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, json_object_new_string(keys[i]));
    json_object_object_add(b, "keys", arr);
    if (codeset)
        json_object_object_add(b, "codeset", json_object_new_string(codeset));
    if (hold_ms)
        json_object_object_add(b, "holdtime", json_object_new_int64(hold_ms));
    return call(c, "POST", key, "send-key", b, NULL);
}

char *vireo_domain_screenshot(vireo_conn *c, const char *key, unsigned screen, size_t *len)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/screenshot?screen=%u", k, screen);
    char *png = vr_client_get_bytes(c, path, len);
    free(path);
    free(k);
    return png;
}

int vireo_domain_reset(vireo_conn *c, const char *key)
{
    return call(c, "POST", key, "reset", NULL, NULL);
}

int vireo_domain_pm_suspend(vireo_conn *c, const char *key, const char *target)
{
    json_object *b = json_object_new_object();
    if (target)
        json_object_object_add(b, "target", json_object_new_string(target));
    return call(c, "POST", key, "pm-suspend", b, NULL);
}

int vireo_domain_pm_wakeup(vireo_conn *c, const char *key)
{
    return call(c, "POST", key, "pm-wakeup", NULL, NULL);
}

/* GET /v1/domains/KEY/WHAT's "return" string (free()); NULL with the error set. */
static char *get_return(vireo_conn *c, const char *key, const char *what)
{
    json_object *r = NULL;
    if (call(c, "GET", key, what, NULL, &r) < 0)
        return NULL;
    char *s = vr_strdup(json_object_get_string(r));
    json_object_put(r);
    return s;
}

char *vireo_domain_hostname(vireo_conn *c, const char *key)
{
    return get_return(c, key, "hostname");
}

int vireo_domain_guest_info(vireo_conn *c, const char *key, unsigned kinds, vireo_guest_field **out, size_t *n)
{
    static const char *const names[] = {"users", "os", "timezone", "hostname", "filesystem", "disks", "interfaces"};
    char types[96] = "";
    for (size_t i = 0; i < VR_ARRAY_LEN(names); i++)
        if (kinds & (1u << i))
            snprintf(types + strlen(types), sizeof(types) - strlen(types), "%s%s", *types ? "," : "", names[i]);
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/guestinfo%s%s", k, *types ? "?types=" : "", types);
    json_object *o = vr_client_json(c, "GET", path, NULL, NULL);
    free(path);
    free(k);
    *out = NULL;
    *n = 0;
    if (!o)
        return -1;
    *out = vr_calloc((size_t)json_object_object_length(o) + 1, sizeof(**out));
    json_object_object_foreach(o, field, v) {
        vireo_guest_field *f = &(*out)[(*n)++];
        f->key = vr_strdup(field);
        f->type = json_object_is_type(v, json_type_boolean) ? VIREO_GUEST_FIELD_BOOL
                  : json_object_is_type(v, json_type_int)   ? VIREO_GUEST_FIELD_NUMBER
                                                            : VIREO_GUEST_FIELD_STRING;
        f->value = vr_strdup(f->type == VIREO_GUEST_FIELD_BOOL ? (json_object_get_boolean(v) ? "yes" : "no")
                             : v                               ? json_object_get_string(v)
                                                               : "");
    }
    json_object_put(o);
    return 0;
}

void vireo_guest_fields_free(vireo_guest_field *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++) {
        free(f[i].key);
        free(f[i].value);
    }
    free(f);
}

int vireo_domain_fs_info(vireo_conn *c, const char *key, vireo_fs_info **out, size_t *n)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/fsinfo", k);
    *out = NULL;
    *n = 0;
    int rc = vr_client_get_objects(c, path, "filesystems", &vr_wire_fs_info, (void **)out, n);
    free(path);
    free(k);
    return rc;
}

VR_CLIENT_WIRE_LIST_FREE(vireo_fs_info, vr_wire_fs_info, vireo_fs_info_free)

/* POST domains/KEY/WHAT with body (taken): its "filesystems" count, or -1. */
static int fs_count(vireo_conn *c, const char *key, const char *what, json_object *body)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/%s", k, what);
    json_object *o = vr_client_json(c, "POST", path, json_object_to_json_string(body), "application/json"), *v;
    json_object_put(body);
    free(path);
    free(k);
    int n = o && json_object_object_get_ex(o, "filesystems", &v) ? json_object_get_int(v) : o ? 0 : -1;
    json_object_put(o);
    return n;
}

static json_object *mountpoints_body(const char *const *mountpoints, size_t n)
{
    json_object *b = json_object_new_object(), *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, json_object_new_string(mountpoints[i]));
    json_object_object_add(b, "mountpoints", arr);
    return b;
}

int vireo_domain_fs_freeze(vireo_conn *c, const char *key, const char *const *mountpoints, size_t n)
{
    return fs_count(c, key, "fsfreeze", mountpoints_body(mountpoints, n));
}

int vireo_domain_fs_thaw(vireo_conn *c, const char *key, const char *const *mountpoints, size_t n)
{
    return fs_count(c, key, "fsthaw", mountpoints_body(mountpoints, n));
}

int vireo_domain_fs_trim(vireo_conn *c, const char *key, const char *mountpoint, unsigned long long minimum)
{
    json_object *b = json_object_new_object();
    if (mountpoint)
        json_object_object_add(b, "mountpoint", json_object_new_string(mountpoint));
    json_object_object_add(b, "minimum", json_object_new_uint64(minimum));
    return fs_count(c, key, "fstrim", b);
}

char *vireo_domain_monitor_command(vireo_conn *c, const char *key, const char *command, bool hmp)
{
    json_object *b = json_object_new_object(), *r = NULL;
    json_object_object_add(b, "command", json_object_new_string(command));
    json_object_object_add(b, "hmp", json_object_new_boolean(hmp));
    if (call(c, "POST", key, "monitor", b, &r) < 0)
        return NULL;
    /* The human monitor answers text; QMP answers JSON, shown as virsh shows it. */
    char *out;
    if (hmp)
        out = vr_strdup(r ? json_object_get_string(r) : "");
    else {
        json_object *w = json_object_new_object();
        json_object_object_add(w, "return", r ? json_object_get(r) : json_object_new_object());
        out = vr_strdup(json_object_to_json_string_ext(w, JSON_C_TO_STRING_PLAIN));
        json_object_put(w);
    }
    json_object_put(r);
    return out;
}

static json_object *state_body(unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "running", json_object_new_boolean(!!(flags & VIREO_SAVE_RUNNING)));
    json_object_object_add(b, "paused", json_object_new_boolean(!!(flags & VIREO_SAVE_PAUSED)));
    return b;
}

int vireo_domain_save(vireo_conn *c, const char *key, const char *file, unsigned flags)
{
    return vireo_domain_save_xml(c, key, file, NULL, flags);
}

int vireo_domain_save_xml(vireo_conn *c, const char *key, const char *file, const char *xml, unsigned flags)
{
    json_object *b = state_body(flags);
    json_object_object_add(b, "file", json_object_new_string(file));
    if (xml)
        json_object_object_add(b, "xml", json_object_new_string(xml));
    return call(c, "POST", key, "save", b, NULL);
}

/* A call outside one domain's path: 0, or -1 with the error kept. */
static int top_call(vireo_conn *c, const char *method, const char *path, json_object *b, json_object **out)
{
    json_object *o = vr_client_json(c, method, path, b ? json_object_to_json_string(b) : NULL, NULL);
    json_object_put(b);
    if (out)
        *out = o;
    else
        json_object_put(o);
    return o ? 0 : -1;
}

int vireo_domain_restore(vireo_conn *c, const char *file, unsigned flags)
{
    return vireo_domain_restore_xml(c, file, NULL, flags);
}

int vireo_domain_restore_xml(vireo_conn *c, const char *file, const char *xml, unsigned flags)
{
    json_object *b = state_body(flags);
    json_object_object_add(b, "file", json_object_new_string(file));
    if (xml)
        json_object_object_add(b, "xml", json_object_new_string(xml));
    return top_call(c, "POST", "/v1/domains/restore", b, NULL);
}

char *vireo_save_image_xml(vireo_conn *c, const char *file, bool secure)
{
    char *f = vr_client_escape(c, file);
    char *path = vr_asprintf("/v1/save-image?file=%s%s", f, secure ? "&secure=1" : "");
    json_object *o = NULL, *r = NULL;
    char *xml = NULL;
    if (top_call(c, "GET", path, NULL, &o) == 0 && json_object_object_get_ex(o, "return", &r))
        xml = vr_strdup(json_object_get_string(r));
    json_object_put(o);
    free(path);
    free(f);
    return xml;
}

int vireo_save_image_define(vireo_conn *c, const char *file, const char *xml, unsigned flags)
{
    json_object *b = state_body(flags);
    json_object_object_add(b, "file", json_object_new_string(file));
    json_object_object_add(b, "xml", json_object_new_string(xml));
    return top_call(c, "PUT", "/v1/save-image", b, NULL);
}

int vireo_domain_managed_save(vireo_conn *c, const char *key, unsigned flags)
{
    return call(c, "POST", key, "managedsave", state_body(flags), NULL);
}

int vireo_domain_managed_save_remove(vireo_conn *c, const char *key)
{
    return call(c, "DELETE", key, "managedsave", NULL, NULL);
}

char *vireo_domain_job_json(vireo_conn *c, const char *key)
{
    return vr_client_domain_text(c, key, "job");
}

int vireo_domain_job_abort(vireo_conn *c, const char *key)
{
    return call(c, "POST", key, "job/abort", NULL, NULL);
}

/* GET domains/KEY/WHAT's "return" read through schema s into out: 0, or -1. */
static int get_return_into(vireo_conn *c, const char *key, const char *what, const vr_wire_schema *s, void *out)
{
    json_object *r = NULL;
    memset(out, 0, s->size);
    if (call(c, "GET", key, what, NULL, &r) < 0)
        return -1;
    vr_wire_from_json(s, r, out);
    json_object_put(r);
    return 0;
}

int vireo_domain_vcpu_info(vireo_conn *c, const char *key, vireo_vcpu_info *out)
{
    return get_return_into(c, key, "vcpuinfo", &vr_wire_vcpu_info, out);
}

VR_CLIENT_WIRE_CLEAR(vireo_vcpu_info, vr_wire_vcpu_info, vireo_vcpu_info_clear)

int vireo_domain_iothread_info(vireo_conn *c, const char *key, unsigned flags, vireo_iothread_info *out)
{
    return get_return_into(c, key, flags & VIREO_AFFECT_CONFIG ? "iothreadinfo?config=1" : "iothreadinfo",
                           &vr_wire_iothread_info, out);
}

VR_CLIENT_WIRE_CLEAR(vireo_iothread_info, vr_wire_iothread_info, vireo_iothread_info_clear)

static json_object *pin_body(const char *cpulist, unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "cpulist", json_object_new_string(cpulist));
    json_object_object_add(b, "live", json_object_new_boolean(!!(flags & VIREO_AFFECT_LIVE)));
    json_object_object_add(b, "config", json_object_new_boolean(!!(flags & VIREO_AFFECT_CONFIG)));
    return b;
}

int vireo_domain_vcpu_pin(vireo_conn *c, const char *key, unsigned vcpu, const char *cpulist, unsigned flags)
{
    json_object *b = pin_body(cpulist, flags);
    json_object_object_add(b, "vcpu", json_object_new_int64(vcpu));
    return call(c, "PUT", key, "vcpupin", b, NULL);
}

int vireo_domain_iothread_change(vireo_conn *c, const char *key, unsigned id, bool add, unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "iothread", json_object_new_int64(id));
    json_object_object_add(b, "live", json_object_new_boolean(!!(flags & VIREO_AFFECT_LIVE)));
    json_object_object_add(b, "config", json_object_new_boolean(!!(flags & VIREO_AFFECT_CONFIG)));
    return call(c, "POST", key, add ? "iothreadadd" : "iothreaddel", b, NULL);
}

int vireo_domain_iothread_pin(vireo_conn *c, const char *key, unsigned id, const char *cpulist, unsigned flags)
{
    json_object *b = pin_body(cpulist, flags);
    json_object_object_add(b, "iothread", json_object_new_int64(id));
    return call(c, "PUT", key, "iothreadpin", b, NULL);
}

int vireo_domain_emulator_pin(vireo_conn *c, const char *key, const char *cpulist, unsigned flags)
{
    return call(c, "PUT", key, "emulatorpin", pin_body(cpulist, flags), NULL);
}

int vireo_domain_description(vireo_conn *c, const char *key, unsigned flags, char **text)
{
    static const vr_client_flag_name names[] = {
        {VIREO_DESC_TITLE, "title"}, {VIREO_XML_INACTIVE, "inactive"}, {0, NULL}};
    json_object *r = NULL;
    char *what = vr_client_flag_query("description", flags, names);
    *text = NULL;
    int rc = call(c, "GET", key, what, NULL, &r);
    free(what);
    if (rc < 0)
        return -1;
    if (r)
        *text = vr_strdup(json_object_get_string(r));
    json_object_put(r);
    return 0;
}

int vireo_domain_set_description(vireo_conn *c, const char *key, const char *text, unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "text", json_object_new_string(text ? text : ""));
    json_object_object_add(b, "title", json_object_new_boolean(!!(flags & VIREO_DESC_TITLE)));
    json_object_object_add(b, "live", json_object_new_boolean(!!(flags & VIREO_AFFECT_LIVE)));
    json_object_object_add(b, "config", json_object_new_boolean(!!(flags & VIREO_AFFECT_CONFIG)));
    return call(c, "PUT", key, "description", b, NULL);
}

static json_object *disk_body(const char *disk)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "disk", json_object_new_string(disk));
    return b;
}

int vireo_domain_block_job_start(vireo_conn *c, const char *key, const char *op, const char *disk,
                                 const vireo_block_job_params *p)
{
    static const struct {
        const char *key;
        unsigned flag;
    } flags[] = {{"active", VIREO_BLOCK_JOB_ACTIVE},   {"shallow", VIREO_BLOCK_JOB_SHALLOW},
                 {"pivot", VIREO_BLOCK_JOB_PIVOT},     {"finish", VIREO_BLOCK_JOB_FINISH},
                 {"wait", VIREO_BLOCK_JOB_WAIT},       {"reuse_external", VIREO_BLOCK_JOB_REUSE_EXTERNAL},
                 {"blockdev", VIREO_BLOCK_JOB_BLOCKDEV}};
    json_object *b = disk_body(disk);
    const char *strs[][2] = {{"top", p->top}, {"base", p->base}, {"dest", p->dest}, {"format", p->format}};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        if (strs[i][1])
            json_object_object_add(b, strs[i][0], json_object_new_string(strs[i][1]));
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (p->flags & flags[i].flag)
            json_object_object_add(b, flags[i].key, json_object_new_boolean(true));
    return call(c, "POST", key, op, b, NULL);
}

char *vireo_domain_block_job_json(vireo_conn *c, const char *key, const char *disk)
{
    char *d = vr_client_escape(c, disk);
    char *what = vr_asprintf("blockjob?disk=%s", d);
    char *s = vr_client_domain_text(c, key, what);
    free(what);
    free(d);
    return s;
}

int vireo_domain_block_job_abort(vireo_conn *c, const char *key, const char *disk)
{
    return call(c, "POST", key, "blockjob/abort", disk_body(disk), NULL);
}

int vireo_domain_block_job_pivot(vireo_conn *c, const char *key, const char *disk)
{
    return call(c, "POST", key, "blockjob/pivot", disk_body(disk), NULL);
}

int vireo_domain_metadata(vireo_conn *c, const char *key, const char *uri, unsigned flags, char **xml)
{
    json_object *r = NULL;
    char *u = vr_client_escape(c, uri);
    char *what = vr_asprintf("metadata?uri=%s%s", u, flags & VIREO_XML_INACTIVE ? "&inactive=1" : "");
    *xml = NULL;
    int rc = call(c, "GET", key, what, NULL, &r);
    free(what);
    free(u);
    if (rc == 0 && r)
        *xml = vr_strdup(json_object_get_string(r));
    json_object_put(r);
    return rc;
}

int vireo_domain_set_metadata(vireo_conn *c, const char *key, const char *uri, const char *prefix, const char *xml,
                              unsigned flags)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "uri", json_object_new_string(uri));
    if (prefix)
        json_object_object_add(b, "key", json_object_new_string(prefix));
    if (xml)
        json_object_object_add(b, "xml", json_object_new_string(xml));
    json_object_object_add(b, "live", json_object_new_boolean(!!(flags & VIREO_AFFECT_LIVE)));
    json_object_object_add(b, "config", json_object_new_boolean(!!(flags & VIREO_AFFECT_CONFIG)));
    return call(c, "PUT", key, "metadata", b, NULL);
}
