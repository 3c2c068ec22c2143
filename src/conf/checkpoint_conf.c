/* <domaincheckpoint>, read strictly and written in libvirt's element
 * order (checkpoint_conf.h). */
#include "conf/checkpoint_conf.h"
#include "conf/names.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC "docs/backup.md"

void vr_checkpoint_def_free(vr_checkpoint_def *def)
{
    if (!def)
        return;
    for (size_t i = 0; i < def->n_disks; i++) {
        free(def->disks[i].name);
        free(def->disks[i].bitmap_name);
    }
    free(def->disks);
    free(def->name);
    free(def->description);
    free(def->parent);
    free(def);
}

vr_checkpoint_disk *vr_checkpoint_def_disk(const vr_checkpoint_def *def, const char *target)
{
    for (size_t i = 0; i < def->n_disks; i++)
        if (strcmp(def->disks[i].name, target) == 0)
            return &def->disks[i];
    return NULL;
}

void vr_checkpoint_def_add_disk(vr_checkpoint_def *def, const char *target, bool bitmap, const char *bitmap_name)
{
    def->disks = vr_realloc(def->disks, (def->n_disks + 1) * sizeof(*def->disks));
    def->disks[def->n_disks++] = (vr_checkpoint_disk){
        .name = vr_strdup(target), .bitmap = bitmap, .bitmap_name = bitmap && bitmap_name ? vr_strdup(bitmap_name) : NULL};
}

static int parse_disks(vr_checkpoint_def *def, const xmlNode *disks, char **err)
{
    static const char *const attrs[] = {"name", "checkpoint", "bitmap", NULL};
    static const char *const kinds[] = {"no", "bitmap", NULL};
    if (disks->properties)
        return vr_xml_error(disks, err, "<disks> takes no attributes");
    if (vr_xml_check_no_text(disks, err) < 0)
        return -1;
    for (xmlNode *d = vr_xml_first(disks); d; d = vr_xml_next(d)) {
        if (!vr_xml_is(d, "disk"))
            return vr_xml_unsupported_doc(d, DOC, err);
        if (vr_xml_check_attrs_doc(d, attrs, DOC, err) < 0 || vr_xml_check_empty_doc(d, DOC, err) < 0)
            return -1;
        int kind = 1;
        if (vr_xml_attr_enum(d, "checkpoint", kinds, &kind, err) < 0)
            return -1;
        char *name = vr_xml_attr(d, "name"), *bitmap = vr_xml_attr(d, "bitmap");
        int rc = 0;
        if (!name || !*name)
            rc = vr_xml_error(d, err, "<disk> needs name='TARGET' (the disk's target, as domblklist shows it)");
        else if (vr_checkpoint_def_disk(def, name))
            rc = vr_xml_error(d, err, "disk '%s' is listed twice", name);
        else if (bitmap && kind == 0)
            rc = vr_xml_error(d, err, "disk '%s': bitmap= goes with checkpoint='bitmap' only", name);
        else if (bitmap && !vr_name_check(VR_NAME_CHECKPOINT, bitmap, err))
            rc = -1;
        else
            vr_checkpoint_def_add_disk(def, name, kind == 1, bitmap);
        free(name);
        free(bitmap);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int parse(vr_checkpoint_def *def, const xmlNode *root, bool fresh, char **err)
{
    if (root->properties)
        return vr_xml_error(root, err, "<domaincheckpoint> takes no attributes");
    if (vr_xml_check_no_text(root, err) < 0)
        return -1;
    bool have_name = false; /* def->name may hold a default already */
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c)) {
        if (fresh && (vr_xml_is(c, "parent") || vr_xml_is(c, "creationTime")))
            return vr_xml_error(c, err, "<%s> is set by Vireo when the checkpoint is made; leave it out "
                                "(redefining a checkpoint is not supported)", (const char *)c->name);
        if (vr_xml_is(c, "disks")) {
            if (parse_disks(def, c, err) < 0)
                return -1;
            continue;
        }
        if (vr_xml_is(c, "parent")) {
            xmlNode *p = vr_xml_first(c);
            if (!p || !vr_xml_is(p, "name") || vr_xml_next(p) || def->parent)
                return vr_xml_error(c, err, "<parent> holds one <name>");
            if (vr_xml_text(p, true, &def->parent, err) < 0)
                return -1;
            continue;
        }
        if (!vr_xml_is(c, "name") && !vr_xml_is(c, "description") && !vr_xml_is(c, "creationTime"))
            return vr_xml_unsupported_doc(c, DOC, err);
        if (c->properties)
            return vr_xml_error(c, err, "<%s> takes no attributes", (const char *)c->name);
        char *s = NULL;
        if (vr_xml_text(c, !vr_xml_is(c, "description"), &s, err) < 0)
            return -1;
        int rc = 0;
        unsigned long long v = 0;
        if (vr_xml_is(c, "name") && !have_name) {
            free(def->name);
            def->name = s;
            s = NULL;
            have_name = true;
            if (!vr_name_check(VR_NAME_CHECKPOINT, def->name, err))
                rc = -1;
        } else if (vr_xml_is(c, "description") && !def->description) {
            def->description = s;
            s = NULL;
        } else if (vr_xml_is(c, "creationTime")) {
            if (!vr_xml_parse_ull(s, 0, 1ULL << 40, 10, &v))
                rc = vr_xml_error(c, err, "<creationTime>%s</creationTime>: expected unix seconds", s);
            def->creation_time = (long long)v;
        } else {
            rc = vr_xml_error(c, err, "<%s> is given twice", (const char *)c->name);
        }
        free(s);
        if (rc < 0)
            return -1;
    }
    if (!def->name)
        return vr_xml_error(root, err, "<domaincheckpoint> needs a <name>");
    return 0;
}

static vr_checkpoint_def *parse_doc(const char *xml, size_t len, const char *default_name, bool fresh, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "domaincheckpoint", err);
    if (!doc)
        return NULL;
    vr_checkpoint_def *def = vr_calloc(1, sizeof(*def));
    def->name = default_name ? vr_strdup(default_name) : NULL;
    int rc = parse(def, xmlDocGetRootElement(doc), fresh, err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        vr_checkpoint_def_free(def);
        return NULL;
    }
    for (size_t i = 0; i < def->n_disks; i++)
        if (def->disks[i].bitmap && !def->disks[i].bitmap_name)
            def->disks[i].bitmap_name = vr_strdup(def->name);
    return def;
}

vr_checkpoint_def *vr_checkpoint_def_parse(const char *xml, size_t len, char **err)
{
    return parse_doc(xml, len, NULL, false, err);
}

vr_checkpoint_def *vr_checkpoint_def_parse_new(const char *xml, size_t len, const char *default_name, char **err)
{
    return parse_doc(xml, len, default_name, true, err);
}

char *vr_checkpoint_def_format(const vr_checkpoint_def *def)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "domaincheckpoint", NULL);
    xmlDocSetRootElement(doc, root);
    vr_xml_new_text_child(root, "name", def->name);
    if (def->description)
        vr_xml_new_text_child(root, "description", def->description);
    if (def->parent)
        vr_xml_new_text_child(vr_xml_new_child(root, "parent"), "name", def->parent);
    char num[32];
    snprintf(num, sizeof(num), "%lld", def->creation_time);
    vr_xml_new_text_child(root, "creationTime", num);
    if (def->n_disks) {
        xmlNode *disks = vr_xml_new_child(root, "disks");
        for (size_t i = 0; i < def->n_disks; i++) {
            xmlNode *d = vr_xml_new_child(disks, "disk");
            vr_xml_new_prop(d, "name", def->disks[i].name);
            vr_xml_new_prop(d, "checkpoint", def->disks[i].bitmap ? "bitmap" : "no");
            if (def->disks[i].bitmap)
                vr_xml_new_prop(d, "bitmap", def->disks[i].bitmap_name);
        }
    }
    return vr_xml_save_doc(doc, root);
}

static char *kind_format(const void *d) { return vr_checkpoint_def_format(d); }
static void *kind_parse(const char *x, size_t n, char **e) { return vr_checkpoint_def_parse(x, n, e); }
static void kind_free(void *d) { vr_checkpoint_def_free(d); }
static const char *kind_name(const void *d) { return ((const vr_checkpoint_def *)d)->name; }

const vr_conf_kind vr_conf_checkpoint = {"checkpoint", kind_format, kind_parse, kind_free, kind_name, NULL, false};
