/* libvirt's secret XML:
 *   <secret ephemeral='no' private='yes'>
 *     <uuid>…</uuid> <description>…</description>
 *     <usage type='iscsi'><target>NAME</target></usage>
 *   </secret>
 * parsed strictly: anything else is refused by name and line. */
#include "conf/secret_conf.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define DOC "docs/storage.md"

static const char *const usage_names[] = {"none", "volume", "ceph", "iscsi", "tls", "vtpm", NULL};
/* The element that names each usage's object. */
static const char *const usage_elems[] = {NULL, "volume", "name", "target", "name", "name"};

const char *vr_secret_usage_name(vr_secret_usage u) { return usage_names[u]; }

bool vr_secret_usage_parse(const char *s, vr_secret_usage *out)
{
    for (int i = 0; s && usage_names[i]; i++) {
        if (strcmp(s, usage_names[i]) == 0) {
            *out = (vr_secret_usage)i;
            return true;
        }
    }
    return false;
}

void vr_secret_def_free(vr_secret_def *def)
{
    if (!def)
        return;
    free(def->description);
    free(def->usage_id);
    free(def);
}

static int leaf_text(const xmlNode *n, char **out, char **err)
{
    if (vr_xml_check_attrs_doc(n, NULL, DOC, err) < 0)
        return -1;
    free(*out);
    *out = NULL;
    return vr_xml_text(n, true, out, err);
}

static int parse_usage(vr_secret_def *def, const xmlNode *n, char **err)
{
    if (vr_xml_check_attrs_doc(n, (const char *const[]){"type", NULL}, DOC, err) < 0 ||
        vr_xml_check_no_text(n, err) < 0)
        return -1;
    int t;
    int rc = vr_xml_attr_enum(n, "type", usage_names, &t, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, err, "<usage> needs type= (volume, ceph, iscsi, tls or vtpm)");
    def->usage = (vr_secret_usage)t;
    const char *want = usage_elems[t];
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!want || !vr_xml_is(c, want) || def->usage_id)
            return vr_xml_unsupported_doc(c, DOC, err);
        if (leaf_text(c, &def->usage_id, err) < 0)
            return -1;
        if (!*def->usage_id || strchr(def->usage_id, '\n'))
            return vr_xml_error(c, err, "<%s> must be one non-empty line", want);
    }
    if (want && !def->usage_id)
        return vr_xml_error(n, err, "<usage type='%s'> needs <%s>", usage_names[t], want);
    return 0;
}

static int parse_secret(vr_secret_def *def, const xmlNode *root, char **err)
{
    if (vr_xml_check_attrs_doc(root, (const char *const[]){"ephemeral", "private", NULL}, DOC, err) < 0 ||
        vr_xml_attr_bool(root, "ephemeral", "yes", "no", &def->ephemeral, err) < 0 ||
        vr_xml_attr_bool(root, "private", "yes", "no", &def->private_, err) < 0 ||
        vr_xml_check_no_text(root, err) < 0)
        return -1;
    bool seen_uuid = false, seen_desc = false, seen_usage = false;
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c)) {
        bool *seen = vr_xml_is(c, "uuid") ? &seen_uuid : vr_xml_is(c, "description") ? &seen_desc
                     : vr_xml_is(c, "usage")                                          ? &seen_usage
                                                                                     : NULL;
        if (!seen)
            return vr_xml_unsupported_doc(c, DOC, err);
        if (*seen)
            return vr_xml_error(c, err, "duplicate <%s>", (const char *)c->name);
        *seen = true;
        if (seen == &seen_usage) {
            if (parse_usage(def, c, err) < 0)
                return -1;
        } else if (seen == &seen_desc) {
            if (leaf_text(c, &def->description, err) < 0)
                return -1;
        } else {
            char *s = NULL;
            if (leaf_text(c, &s, err) < 0 || vr_xml_uuid_take(c, s, def->uuid, err) < 0)
                return -1;
        }
    }
    if (!def->uuid[0])
        vr_uuid_generate(def->uuid);
    return 0;
}

vr_secret_def *vr_secret_def_parse(const char *xml, size_t len, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "secret", err);
    if (!doc)
        return NULL;
    vr_secret_def *def = vr_calloc(1, sizeof(*def));
    int rc = parse_secret(def, xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        vr_secret_def_free(def);
        return NULL;
    }
    return def;
}

char *vr_secret_def_format(const vr_secret_def *def)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "secret", NULL);
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "ephemeral", BAD_CAST(def->ephemeral ? "yes" : "no"));
    xmlNewProp(root, BAD_CAST "private", BAD_CAST(def->private_ ? "yes" : "no"));
    xmlNewTextChild(root, NULL, BAD_CAST "uuid", BAD_CAST def->uuid);
    if (def->description)
        xmlNewTextChild(root, NULL, BAD_CAST "description", BAD_CAST def->description);
    if (def->usage != VR_SECRET_USAGE_NONE) {
        xmlNode *u = xmlNewChild(root, NULL, BAD_CAST "usage", NULL);
        xmlNewProp(u, BAD_CAST "type", BAD_CAST usage_names[def->usage]);
        xmlNewTextChild(u, NULL, BAD_CAST usage_elems[def->usage], BAD_CAST def->usage_id);
    }
    return vr_xml_save_doc(doc, root);
}
