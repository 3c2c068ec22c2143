/* <domainsnapshot> metadata, read strictly and written in libvirt's
 * element order. */
#include "conf/snapshot_conf.h"
#include "conf/names.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"running", "paused", "shutoff", NULL};

const char *vr_snap_state_name(vr_snap_state s) { return state_names[s]; }

void vr_snapshot_def_free(vr_snapshot_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->description);
    free(def->parent);
    free(def);
}

static int text(const xmlNode *n, char **out, char **err)
{
    if (n->properties)
        return vr_xml_error(n, err, "<%s> takes no attributes", (const char *)n->name);
    return vr_xml_text(n, false, out, err);
}

static int parse(vr_snapshot_def *def, const xmlNode *root, char **err)
{
    if (root->properties)
        return vr_xml_error(root, err, "<domainsnapshot> takes no attributes");
    if (vr_xml_check_no_text(root, err) < 0)
        return -1;
    bool have_name = false; /* def->name may hold a default already */
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c)) {
        char *s = NULL;
        if (vr_xml_is(c, "parent")) {
            xmlNode *p = vr_xml_first(c);
            if (!p || !vr_xml_is(p, "name") || vr_xml_next(p) || def->parent)
                return vr_xml_error(c, err, "<parent> holds one <name>");
            if (text(p, &def->parent, err) < 0)
                return -1;
            continue;
        }
        if (text(c, &s, err) < 0)
            return -1;
        if (vr_xml_is(c, "name") && !have_name) {
            free(def->name);
            def->name = s;
            have_name = true;
            if (!vr_name_check(VR_NAME_SNAPSHOT, s, err))
                return -1;
            continue;
        }
        if (vr_xml_is(c, "description") && !def->description) {
            def->description = s;
            continue;
        }
        int rc = 0;
        unsigned long long v = 0;
        if (vr_xml_is(c, "state")) {
            int i = -1;
            for (int k = 0; state_names[k]; k++)
                if (strcmp(vr_str_trim(s), state_names[k]) == 0)
                    i = k;
            if (i < 0)
                rc = vr_xml_error(c, err, "<state>%s</state> is not supported by Vireo (supported: "
                                  "running, paused, shutoff)", s);
            else
                def->state = (vr_snap_state)i;
        } else if (vr_xml_is(c, "creationTime")) {
            if (!vr_xml_parse_ull(s, 0, 1ULL << 40, 10, &v))
                rc = vr_xml_error(c, err, "<creationTime>%s</creationTime>: expected unix seconds", s);
            def->creation_time = (long long)v;
        } else if (vr_xml_is(c, "active")) {
            if (!vr_xml_parse_ull(s, 0, 1, 10, &v))
                rc = vr_xml_error(c, err, "<active>%s</active>: expected 0 or 1", s);
            def->current = v == 1;
        } else {
            rc = vr_xml_error(c, err, "<%s> is not supported by Vireo (see docs/storage.md)",
                              (const char *)c->name);
        }
        free(s);
        if (rc < 0)
            return -1;
    }
    if (!def->name)
        return vr_xml_error(root, err, "<domainsnapshot> needs a <name>");
    return 0;
}

vr_snapshot_def *vr_snapshot_def_parse(const char *xml, size_t len, char **err)
{
    return vr_snapshot_def_parse_new(xml, len, NULL, err);
}

vr_snapshot_def *vr_snapshot_def_parse_new(const char *xml, size_t len, const char *default_name, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "domainsnapshot", err);
    if (!doc)
        return NULL;
    vr_snapshot_def *def = vr_calloc(1, sizeof(*def));
    def->state = VR_SNAP_SHUTOFF;
    def->name = default_name ? vr_strdup(default_name) : NULL;
    int rc = parse(def, xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        vr_snapshot_def_free(def);
        return NULL;
    }
    return def;
}

char *vr_snapshot_def_format(const vr_snapshot_def *def)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "domainsnapshot", NULL);
    xmlDocSetRootElement(doc, root);
    xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST def->name);
    if (def->description)
        xmlNewTextChild(root, NULL, BAD_CAST "description", BAD_CAST def->description);
    xmlNewTextChild(root, NULL, BAD_CAST "state", BAD_CAST state_names[def->state]);
    if (def->parent) {
        xmlNode *p = xmlNewChild(root, NULL, BAD_CAST "parent", NULL);
        xmlNewTextChild(p, NULL, BAD_CAST "name", BAD_CAST def->parent);
    }
    char num[32];
    snprintf(num, sizeof(num), "%lld", def->creation_time);
    xmlNewTextChild(root, NULL, BAD_CAST "creationTime", BAD_CAST num);
    xmlNewTextChild(root, NULL, BAD_CAST "active", BAD_CAST(def->current ? "1" : "0"));
    return vr_xml_save_doc(doc, root);
}
