/* <domainbackup>, push and pull mode, read strictly (backup_conf.h). */
#include "conf/backup_conf.h"
#include "conf/names.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
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
        free(def->disks[i].export_name);
        free(def->disks[i].export_bitmap);
    }
    free(def->host);
    free(def->socket);
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

/* <target file='...'/> (push) or <scratch file='...'/> (pull) and
 * <driver type='qcow2|raw'/> inside a <disk>. */
static int parse_disk_children(vr_backup_disk *bd, const xmlNode *d, bool pull, char **err)
{
    static const char *const target_attrs[] = {"file", NULL}, *const driver_attrs[] = {"type", NULL};
    static const char *const formats[] = {"qcow2", "raw", NULL};
    const char *file_elem = pull ? "scratch" : "target";
    for (xmlNode *c = vr_xml_first(d); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, file_elem) && !bd->target) {
            if (vr_xml_check_attrs_doc(c, target_attrs, DOC, err) < 0 || vr_xml_check_empty_doc(c, DOC, err) < 0)
                return -1;
            bd->target = vr_xml_attr(c, "file");
            if (!bd->target || bd->target[0] != '/')
                return vr_xml_error(c, err, "<%s file='...'/> of disk '%s' must be an absolute path", file_elem,
                                    bd->name);
        } else if (vr_xml_is(c, pull ? "target" : "scratch")) {
            return vr_xml_error(c, err, "<%s> of disk '%s' belongs to mode='%s'; mode='%s' takes <%s file='...'/>",
                                (const char *)c->name, bd->name, pull ? "push" : "pull", pull ? "pull" : "push",
                                file_elem);
        } else if (vr_xml_is(c, "driver")) {
            int f = 0;
            if (vr_xml_check_attrs_doc(c, driver_attrs, DOC, err) < 0 || vr_xml_check_empty_doc(c, DOC, err) < 0 ||
                vr_xml_attr_enum(c, "type", formats, &f, err) < 0)
                return -1;
            if (pull && f == 1)
                return vr_xml_error(c, err, "the scratch file of disk '%s' is qcow2 (it reads through to the disk); "
                                    "leave out <driver type='raw'/>", bd->name);
            bd->raw = f == 1;
        } else {
            return vr_xml_unsupported_doc(c, DOC, err);
        }
    }
    return 0;
}

/* exportname= and exportbitmap= of a pull backup's disk. */
static int parse_exports(vr_backup_disk *bd, const xmlNode *d, bool pull, char **err)
{
    static const char *const names[] = {"exportname", "exportbitmap", NULL};
    for (size_t k = 0; names[k]; k++) {
        char *v = vr_xml_attr(d, names[k]);
        if (!v)
            continue;
        int rc = 0;
        if (!pull)
            rc = vr_xml_error(d, err, "%s= of disk '%s' belongs to pull mode (use mode='pull' or leave it out)",
                              names[k], bd->name);
        else if (!bd->backup)
            rc = vr_xml_error(d, err, "disk '%s' has backup='no': it takes no %s=", bd->name, names[k]);
        else if (!vr_name_check(VR_NAME_CHECKPOINT, v, err))
            rc = -1;
        if (rc < 0) {
            free(v);
            return -1;
        }
        *(k == 0 ? &bd->export_name : &bd->export_bitmap) = v;
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
        char *name = vr_xml_attr(d, "name");
        int type = 0, rc = 0;
        bool yes = true;
        if (!name || !*name)
            rc = vr_xml_error(d, err, "<disk> needs name='TARGET' (the disk's target, as domblklist shows it)");
        else if (vr_backup_def_disk(def, name))
            rc = vr_xml_error(d, err, "disk '%s' is listed twice", name);
        else if (vr_xml_attr_bool(d, "backup", "yes", "no", &yes, err) < 0 ||
                 vr_xml_attr_enum(d, "type", types, &type, err) < 0)
            rc = -1;
        if (rc == 0) {
            vr_backup_disk *bd = vr_backup_def_add_disk(def, name);
            bd->backup = yes;
            rc = parse_disk_children(bd, d, def->pull, err);
            if (rc == 0 && !yes && vr_xml_first(d))
                rc = vr_xml_error(d, err, "disk '%s' has backup='no': it takes no <target>, <scratch> or <driver>",
                                  name);
            if (rc == 0)
                rc = parse_exports(bd, d, def->pull, err);
        }
        free(name);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* <server transport='tcp' name='HOST' port='N'/> or
 * <server transport='unix' socket='/PATH'/>: where QEMU's NBD server listens. */
static int parse_server(vr_backup_def *def, const xmlNode *c, char **err)
{
    static const char *const attrs[] = {"transport", "name", "port", "socket", NULL};
    static const char *const transports[] = {"tcp", "unix", NULL};
    int t = 0;
    unsigned long long port = 10809;
    if (!def->pull)
        return vr_xml_error(c, err, "<server> belongs to pull mode (use mode='pull' or leave it out)");
    if (def->host || def->socket)
        return vr_xml_error(c, err, "<server> is given twice");
    if (vr_xml_check_attrs_doc(c, attrs, DOC, err) < 0 || vr_xml_check_empty_doc(c, DOC, err) < 0 ||
        vr_xml_attr_enum(c, "transport", transports, &t, err) < 0 ||
        vr_xml_attr_uint(c, "port", 1, 65535, &port, err) < 0)
        return -1;
    def->unix_socket = t == 1;
    def->port = (unsigned)port;
    char *name = vr_xml_attr(c, "name"), *sock = vr_xml_attr(c, "socket");
    int rc = 0;
    if (def->unix_socket && (name || xmlHasProp(c, BAD_CAST "port")))
        rc = vr_xml_error(c, err, "<server transport='unix'> takes socket='/PATH', not name= or port=");
    else if (def->unix_socket && (!sock || sock[0] != '/'))
        rc = vr_xml_error(c, err, "<server transport='unix'> needs socket='/PATH' (an absolute path)");
    else if (!def->unix_socket && sock)
        rc = vr_xml_error(c, err, "<server transport='tcp'> takes name='HOST' port='N', not socket= (or give "
                          "transport='unix')");
    else if (name && (!*name || strpbrk(name, " /")))
        rc = vr_xml_error(c, err, "<server name='%s'>: expected a host name or address", name);
    if (rc == 0 && def->unix_socket) {
        def->socket = sock;
        sock = NULL;
    } else if (rc == 0) {
        def->host = name ? name : vr_strdup("localhost");
        name = NULL;
    }
    free(name);
    free(sock);
    return rc;
}

static int parse(vr_backup_def *def, const xmlNode *root, char **err)
{
    static const char *const attrs[] = {"mode", NULL};
    static const char *const modes[] = {"push", "pull", NULL};
    int mode = 0;
    if (vr_xml_check_attrs_doc(root, attrs, DOC, err) < 0 || vr_xml_attr_enum(root, "mode", modes, &mode, err) < 0)
        return -1;
    def->pull = mode == 1;
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
            if (parse_server(def, c, err) < 0)
                return -1;
        } else {
            return vr_xml_unsupported_doc(c, DOC, err);
        }
    }
    if (def->pull && !def->host && !def->socket) { /* no <server>: NBD's own port on localhost */
        def->host = vr_strdup("localhost");
        def->port = 10809;
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
    vr_xml_new_prop(root, "mode", def->pull ? "pull" : "push");
    if (def->pull) {
        xmlNode *srv = vr_xml_new_child(root, "server");
        vr_xml_new_prop(srv, "transport", def->unix_socket ? "unix" : "tcp");
        if (def->unix_socket) {
            vr_xml_new_prop(srv, "socket", def->socket);
        } else {
            char port[16];
            snprintf(port, sizeof(port), "%u", def->port);
            vr_xml_new_prop(srv, "name", def->host);
            vr_xml_new_prop(srv, "port", port);
        }
    }
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
        if (bd->export_name)
            vr_xml_new_prop(d, "exportname", bd->export_name);
        if (bd->export_bitmap)
            vr_xml_new_prop(d, "exportbitmap", bd->export_bitmap);
        if (bd->target)
            vr_xml_new_prop(vr_xml_new_child(d, def->pull ? "scratch" : "target"), "file", bd->target);
        vr_xml_new_prop(vr_xml_new_child(d, "driver"), "type", bd->raw ? "raw" : "qcow2");
    }
    return vr_xml_save_doc(doc, root);
}
