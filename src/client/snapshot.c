/* libvireo: domain snapshots. */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

VR_CLIENT_WIRE_CLEAR(vireo_snapshot, vr_wire_snapshot, vireo_snapshot_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_snapshot, vr_wire_snapshot, vireo_snapshot_list_free)

static char *snap_path(vireo_conn *c, const char *domain, const char *name, const char *rest)
{
    char *d = vr_client_escape(c, domain);
    char *p;
    if (!name) {
        p = vr_asprintf("/v1/domains/%s/snapshots", d);
    } else {
        char *n = vr_client_escape(c, name);
        p = rest ? vr_asprintf("/v1/domains/%s/snapshots/%s/%s", d, n, rest)
                 : vr_asprintf("/v1/domains/%s/snapshots/%s", d, n);
        free(n);
    }
    free(d);
    return p;
}

static int call(vireo_conn *c, const char *method, char *path, const char *body, vireo_snapshot *out)
{
    int rc = vr_client_call_into(c, method, path, body, body ? "application/json" : NULL, &vr_wire_snapshot, out);
    free(path);
    return rc;
}

int vireo_snapshot_list(vireo_conn *c, const char *domain, vireo_snapshot **out, size_t *n)
{
    char *path = snap_path(c, domain, NULL, NULL);
    int rc = vr_client_get_objects(c, path, "snapshots", &vr_wire_snapshot, (void **)out, n);
    free(path);
    return rc;
}

int vireo_snapshot_get(vireo_conn *c, const char *domain, const char *name, vireo_snapshot *out)
{
    return call(c, "GET", snap_path(c, domain, name, NULL), NULL, out);
}

int vireo_snapshot_create(vireo_conn *c, const char *domain, const char *name,
                          const char *description, vireo_snapshot *out)
{
    return vireo_snapshot_create_flags(c, domain, name, description, 0, out);
}

int vireo_snapshot_create_flags(vireo_conn *c, const char *domain, const char *name, const char *description,
                                unsigned flags, vireo_snapshot *out)
{
    json_object *b = json_object_new_object();
    if (flags & VIREO_SNAPSHOT_DISK_ONLY)
        json_object_object_add(b, "disk_only", json_object_new_boolean(true));
    json_object_object_add(b, "name", json_object_new_string(name ? name : ""));
    if (description)
        json_object_object_add(b, "description", json_object_new_string(description));
    char *body = vr_strdup(json_object_to_json_string(b));
    json_object_put(b);
    int rc = call(c, "POST", snap_path(c, domain, NULL, NULL), body, out);
    free(body);
    return rc;
}

int vireo_snapshot_revert(vireo_conn *c, const char *domain, const char *name)
{
    return call(c, "POST", snap_path(c, domain, name, "revert"), "", NULL);
}

int vireo_snapshot_delete(vireo_conn *c, const char *domain, const char *name)
{
    return call(c, "DELETE", snap_path(c, domain, name, NULL), NULL, NULL);
}

char *vireo_snapshot_xml(vireo_conn *c, const char *domain, const char *name)
{
    char *path = snap_path(c, domain, name, "xml");
    char *xml = vr_client_get_text(c, path);
    free(path);
    return xml;
}
