/* libvireo: checkpoints and push backups (docs/api.md, "Checkpoints and
 * live backups"). */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

static char *cp_path(vireo_conn *c, const char *domain, const char *what, const char *name)
{
    char *d = vr_client_escape(c, domain), *n = name ? vr_client_escape(c, name) : NULL;
    char *p = n ? vr_asprintf("/v1/domains/%s/%s/%s", d, what, n) : vr_asprintf("/v1/domains/%s/%s", d, what);
    free(d);
    free(n);
    return p;
}

static void add_str(json_object *o, const char *key, const char *v)
{
    if (v)
        json_object_object_add(o, key, json_object_new_string(v));
}

VR_CLIENT_WIRE_LIST_FREE(vireo_checkpoint, vr_wire_checkpoint, vireo_checkpoint_list_free)

int vireo_checkpoint_list(vireo_conn *c, const char *domain, vireo_checkpoint **out, size_t *n)
{
    char *p = cp_path(c, domain, "checkpoints", NULL);
    int rc = vr_client_get_objects(c, p, "checkpoints", &vr_wire_checkpoint, (void **)out, n);
    free(p);
    return rc;
}

char *vireo_checkpoint_xml(vireo_conn *c, const char *domain, const char *name)
{
    char *p = cp_path(c, domain, "checkpoints", name), *s = vr_client_get_text(c, p);
    free(p);
    return s;
}

char *vireo_checkpoint_create(vireo_conn *c, const char *domain, const char *xml, const char *name,
                              const char *description)
{
    return vireo_checkpoint_create_flags(c, domain, xml, name, description, 0);
}

char *vireo_checkpoint_create_flags(vireo_conn *c, const char *domain, const char *xml, const char *name,
                                    const char *description, unsigned flags)
{
    json_object *b = json_object_new_object();
    add_str(b, "xml", xml);
    add_str(b, "name", name);
    add_str(b, "description", description);
    if (flags & VIREO_CHECKPOINT_CREATE_REDEFINE)
        json_object_object_add(b, "redefine", json_object_new_boolean(true));
    if (flags & VIREO_CHECKPOINT_CREATE_QUIESCE)
        json_object_object_add(b, "quiesce", json_object_new_boolean(true));
    char *p = cp_path(c, domain, "checkpoints", NULL);
    json_object *o = vr_client_json(c, "POST", p, json_object_to_json_string(b), "application/json");
    const char *made = o ? vr_client_str(o, "name") : NULL;
    char *r = made ? vr_strdup(made) : NULL;
    json_object_put(o);
    json_object_put(b);
    free(p);
    return r;
}

int vireo_checkpoint_delete(vireo_conn *c, const char *domain, const char *name, unsigned flags)
{
    char *p = cp_path(c, domain, "checkpoints", name);
    static const vr_client_flag_name names[] = {{VIREO_CHECKPOINT_DELETE_CHILDREN, "children"},
                                                {VIREO_CHECKPOINT_DELETE_METADATA_ONLY, "metadata_only"},
                                                {0, NULL}};
    char *q = vr_client_flag_query(p, flags, names);
    json_object *o = vr_client_json(c, "DELETE", q, NULL, NULL);
    int rc = o ? 0 : -1;
    json_object_put(o);
    free(q);
    free(p);
    return rc;
}

int vireo_backup_begin(vireo_conn *c, const char *domain, const char *backup_xml, const char *checkpoint_xml)
{
    json_object *b = json_object_new_object();
    add_str(b, "backup_xml", backup_xml);
    add_str(b, "checkpoint_xml", checkpoint_xml);
    char *p = cp_path(c, domain, "backup-begin", NULL);
    json_object *o = vr_client_json(c, "POST", p, json_object_to_json_string(b), "application/json");
    int rc = o ? 0 : -1;
    json_object_put(o);
    json_object_put(b);
    free(p);
    return rc;
}

char *vireo_backup_xml(vireo_conn *c, const char *domain)
{
    return vr_client_domain_text(c, domain, "backup-xml");
}
