/* <domainbackup>, push mode, read strictly (backup_conf.h). */
#include "conf/backup_conf.h"
#include "conf/names.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define DOC "docs/backup.md"

void vr_backup_def_free(vr_backup_def *def)
{
    if (!def)
        return;
    for (size_t i = 0; i < def->n_disks; i++) {
        free(def->disks[i].name);
        free(def->disks[i].target);
    }
    free(def->disks);
    free(def->incremental);
    free(def);
}

vr_backup_disk *vr_backup_def_disk(const vr_backup_def *def, const char *target)
{
    for (size_t i = 0; i < def->n_disks; i++)
        if (strcmp(def->disks[i].name, target) == 0)
            return &def->disks[i];
    return NULL;
}

vr_backup_disk *vr_backup_def_add_disk(vr_backup_def *def, const char *target)
{
    def->disks = vr_realloc(def->disks, (def->n_disks + 1) * sizeof(*def->disks));
    def->disks[def->n_disks] = (vr_backup_disk){.name = vr_strdup(target), .backup = true};
    return &def->disks[def->n_disks++];
}

/* <target file='...'/> and <driver type='qcow2|raw'/> inside a <disk>. */
static int parse_disk_children(vr_backup_disk *bd, const xmlNode *d, char **err)
{
    static const char *const target_attrs[] = {"file", NULL}, *const driver_attrs[] = {"type", NULL};
    static const char *const formats[] = {"qcow2", "raw", NULL};
    for (xmlNode *c = vr_xml_first(d); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "target") && !bd->target) {
            if (vr_xml_check_attrs_doc(c, target_attrs, DOC, err) < 0 || vr_xml_check_empty_doc(c, DOC, err) < 0)
                return -1;
            bd->target = vr_xml_attr(c, "file");
            if (!bd->target || bd->target[0] != '/')
                return vr_xml_error(c, err, "<target file='...'/> of disk '%s' must be an absolute path", bd->name);
        } else if (vr_xml_is(c, "driver")) {
            int f = 0;
            if (vr_xml_check_attrs_doc(c, driver_attrs, DOC, err) < 0 || vr_xml_check_empty_doc(c, DOC, err) < 0 ||
                vr_xml_attr_enum(c, "type", formats, &f, err) < 0)
                return -1;
            bd->raw = f == 1;
        } else {
            return vr_xml_unsupported_doc(c, DOC, err);
        }
    }
    return 0;
}

static int parse_disks(vr_backup_def *def, const xmlNode *disks, char **err)
{
    static const char *const attrs[] = {"name", "backup", "type", "exportname", "exportbitmap", "index", NULL};
    static const char *const types[] = {"file", NULL};
    if (disks->properties)
        return vr_xml_error(disks, err, "<disks> takes no attributes");
    for (xmlNode *d = vr_xml_first(disks); d; d = vr_xml_next(d)) {
        if (!vr_xml_is(d, "disk"))
            return vr_xml_unsupported_doc(d, DOC, err);
        if (vr_xml_check_attrs_doc(d, attrs, DOC, err) < 0)
            return -1;
        char *name = vr_xml_attr(d, "name"), *exp = vr_xml_attr(d, "exportname");
        int type = 0, rc = 0;
        bool yes = true;
        if (exp || (exp = vr_xml_attr(d, "exportbitmap")))
            rc = vr_xml_error(d, err, "export names belong to pull mode, which Vireo does not do (use mode='push')");
        else if (!name || !*name)
            rc = vr_xml_error(d, err, "<disk> needs name='TARGET' (the disk's target, as domblklist shows it)");
        else if (vr_backup_def_disk(def, name))
            rc = vr_xml_error(d, err, "disk '%s' is listed twice", name);
        else if (vr_xml_attr_bool(d, "backup", "yes", "no", &yes, err) < 0 ||
                 vr_xml_attr_enum(d, "type", types, &type, err) < 0)
            rc = -1;
        if (rc == 0) {
            vr_backup_disk *bd = vr_backup_def_add_disk(def, name);
            bd->backup = yes;
            rc = parse_disk_children(bd, d, err);
            if (rc == 0 && !yes && vr_xml_first(d))
                rc = vr_xml_error(d, err, "disk '%s' has backup='no': it takes no <target> or <driver>", name);
        }
        free(name);
        free(exp);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int parse(vr_backup_def *def, const xmlNode *root, char **err)
{
    static const char *const attrs[] = {"mode", NULL};
    static const char *const modes[] = {"push", "pull", NULL};
    int mode = 0;
    if (vr_xml_check_attrs_doc(root, attrs, DOC, err) < 0 || vr_xml_attr_enum(root, "mode", modes, &mode, err) < 0)
        return -1;
    if (mode == 1)
        return vr_xml_error(root, err, "<domainbackup mode='pull'> (an NBD export for a client to read) is not "
                            "supported by Vireo; use mode='push', which writes the copy to files");
    if (vr_xml_check_no_text(root, err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "incremental") && !def->incremental) {
            if (c->properties || vr_xml_text(c, true, &def->incremental, err) < 0)
                return c->properties ? vr_xml_error(c, err, "<incremental> takes no attributes") : -1;
            if (!vr_name_check(VR_NAME_CHECKPOINT, def->incremental, err))
                return -1;
        } else if (vr_xml_is(c, "disks")) {
            if (parse_disks(def, c, err) < 0)
                return -1;
        } else if (vr_xml_is(c, "server")) {
            return vr_xml_error(c, err, "<server> belongs to pull mode, which Vireo does not do (use mode='push')");
        } else {
            return vr_xml_unsupported_doc(c, DOC, err);
        }
    }
    return 0;
}

vr_backup_def *vr_backup_def_parse(const char *xml, size_t len, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "domainbackup", err);
    if (!doc)
        return NULL;
    vr_backup_def *def = vr_calloc(1, sizeof(*def));
    int rc = parse(def, xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        vr_backup_def_free(def);
        return NULL;
    }
    return def;
}

char *vr_backup_def_format(const vr_backup_def *def)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "domainbackup", NULL);
    xmlDocSetRootElement(doc, root);
    vr_xml_new_prop(root, "mode", "push");
    if (def->incremental)
        vr_xml_new_text_child(root, "incremental", def->incremental);
    xmlNode *disks = vr_xml_new_child(root, "disks");
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_backup_disk *bd = &def->disks[i];
        xmlNode *d = vr_xml_new_child(disks, "disk");
        vr_xml_new_prop(d, "name", bd->name);
        vr_xml_new_prop(d, "backup", bd->backup ? "yes" : "no");
        if (!bd->backup)
            continue;
        vr_xml_new_prop(d, "type", "file");
        if (bd->target)
            vr_xml_new_prop(vr_xml_new_child(d, "target"), "file", bd->target);
        vr_xml_new_prop(vr_xml_new_child(d, "driver"), "type", bd->raw ? "raw" : "qcow2");
    }
    return vr_xml_save_doc(doc, root);
}
