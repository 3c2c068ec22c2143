/* Pool and volume XML: libvirt's shapes, the subset in docs/storage.md.
 * Every element and attribute outside it is refused by name and line,
 * as the domain parser does; values only the driver knows (sizes, the
 * volume path, <key>) are accepted on input and ignored, as libvirt
 * ignores them, so a `virsh pool-dumpxml` / `vol-dumpxml` reads back. */
#include "conf/storage_conf.h"
#include "conf/names.h"
#include "conf/storage_source.h"
#include "conf/units.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC_HINT "(see docs/storage.md)"
#define ATTRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ATTRS ((const char *const[]){NULL})

static const char *const pool_type_names[] = {"dir", "fs", "disk", "iscsi-direct", "rbd", NULL};
static const char *const vol_format_names[] = {"raw", "qcow2", "iso", NULL};

const char *vr_pool_type_name(vr_pool_type t) { return pool_type_names[t]; }
const char *vr_vol_format_name(vr_vol_format f) { return vol_format_names[f]; }
const char *vr_pool_types_supported(void) { return "dir, fs, disk, iscsi-direct, rbd"; }

bool vr_pool_type_parse(const char *s, vr_pool_type *out)
{
    for (int i = 0; s && pool_type_names[i]; i++) {
        if (strcmp(s, pool_type_names[i]) == 0) {
            *out = (vr_pool_type)i;
            return true;
        }
    }
    return false;
}

bool vr_vol_format_parse(const char *s, vr_vol_format *out)
{
    for (int i = 0; s && vol_format_names[i]; i++) {
        if (strcmp(s, vol_format_names[i]) == 0) {
            *out = (vr_vol_format)i;
            return true;
        }
    }
    return false;
}

/* ---- strict reading helpers (messages point at docs/storage.md) ---- */

static int unsupported(const xmlNode *n, char **err)
{
    return vr_xml_error(n, err, "<%s> is not supported by Vireo " DOC_HINT, (const char *)n->name);
}

static int check_attrs(const xmlNode *n, const char *const *allowed, char **err)
{
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        bool ok = !a->ns;
        if (ok) {
            ok = false;
            for (const char *const *k = allowed; *k; k++)
                ok |= strcmp(*k, (const char *)a->name) == 0;
        }
        if (!ok)
            return vr_xml_error(n, err, "attribute '%s' of <%s> is not supported by Vireo " DOC_HINT,
                                (const char *)a->name, (const char *)n->name);
    }
    return 0;
}

static int check_children(const xmlNode *n, const char *const *allowed, char **err)
{
    if (vr_xml_check_no_text(n, err) < 0)
        return -1;
    const xmlNode *seen[16] = {0};
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int found = -1;
        for (int k = 0; allowed[k]; k++)
            if (vr_xml_is(c, allowed[k]))
                found = k;
        if (found < 0)
            return unsupported(c, err);
        if (seen[found])
            return vr_xml_error(c, err, "duplicate <%s>", (const char *)c->name);
        seen[found] = c;
    }
    return 0;
}

static xmlNode *find(const xmlNode *n, const char *name)
{
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c))
        if (vr_xml_is(c, name))
            return c;
    return NULL;
}

static int leaf(const xmlNode *n, char **out, char **err)
{
    if (check_attrs(n, NO_ATTRS, err) < 0)
        return -1;
    return vr_xml_text(n, true, out, err);
}

/* <capacity unit='G'>10</capacity>: bytes. */
static int size_elem(const xmlNode *n, unsigned long long *bytes, char **err)
{
    if (check_attrs(n, ATTRS("unit"), err) < 0)
        return -1;
    char *text = NULL, *unit = vr_xml_attr(n, "unit"), *e = NULL;
    int rc = vr_xml_text(n, true, &text, err);
    unsigned long long v;
    char *what = vr_asprintf("<%s>", (const char *)n->name);
    if (rc == 0 && !vr_xml_parse_ull(text, 0, ~0ULL, 10, &v))
        rc = vr_xml_error(n, err, "<%s>%s</%s>: expected a number of bytes (or a unit= attribute)",
                          (const char *)n->name, text, (const char *)n->name);
    else if (rc == 0 && vr_units_to_bytes(v, unit, 1, what, bytes, &e) < 0)
        rc = vr_xml_error(n, err, "%s", e);
    free(what);
    free(e);
    free(text);
    free(unit);
    return rc;
}

static bool abs_path_ok(const char *p)
{
    return p[0] == '/' && !strstr(p, "/../") && !vr_str_ends(p, "/..") && !strchr(p, '\n');
}

/* <permissions><mode>0711</mode><owner>0</owner><group>0</group> */
static int parse_permissions(const xmlNode *n, int *mode, long *owner, long *group, char **err)
{
    if (check_attrs(n, NO_ATTRS, err) < 0 ||
        check_children(n, ATTRS("mode", "owner", "group"), err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        char *t;
        if (leaf(c, &t, err) < 0)
            return -1;
        unsigned long long v;
        bool is_mode = vr_xml_is(c, "mode");
        bool ok = is_mode ? vr_xml_parse_ull(t, 0, 07777, 8, &v)
                          : (strcmp(t, "-1") == 0 ? (v = ~0ULL, true) : vr_xml_parse_ull(t, 0, 0x7fffffff, 10, &v));
        if (!ok) {
            vr_xml_error(c, err, "<%s>%s</%s>: expected %s", (const char *)c->name, t,
                         (const char *)c->name, is_mode ? "an octal mode like 0755" : "a numeric id");
            free(t);
            return -1;
        }
        free(t);
        if (is_mode)
            *mode = (int)v;
        else if (vr_xml_is(c, "owner"))
            *owner = v == ~0ULL ? -1 : (long)v;
        else if (group)
            *group = v == ~0ULL ? -1 : (long)v;
    }
    return 0;
}

/* ---- pools ---- */

void vr_pool_def_free(vr_pool_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->target_path);
    vr_pool_source_clear(&def->source);
    free(def);
}

vr_pool_def *vr_pool_def_copy(const vr_pool_def *def)
{
    vr_pool_def *d = vr_calloc(1, sizeof(*d));
    *d = *def;
    d->name = vr_strdup(def->name);
    d->target_path = def->target_path ? vr_strdup(def->target_path) : NULL;
    vr_pool_source_copy(&d->source, &def->source);
    return d;
}

static int set_target(vr_pool_def *def, const char *path, const xmlNode *n, char **err)
{
    if (!abs_path_ok(path)) {
        if (n)
            return vr_xml_error(n, err, "<path> '%s' must be an absolute path without '..'", path);
        vr_set_error(err, "pool target '%s' must be an absolute path without '..'", path);
        return -1;
    }
    char *p = vr_strdup(path);
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/')
        p[--len] = '\0';
    def->target_path = p;
    return 0;
}

static int parse_pool_target(vr_pool_def *def, const xmlNode *n, char **err)
{
    if (check_attrs(n, NO_ATTRS, err) < 0 || check_children(n, ATTRS("path", "permissions"), err) < 0)
        return -1;
    xmlNode *p = find(n, "path"), *perm = find(n, "permissions");
    if (!p)
        return vr_xml_error(n, err, "<target> needs a <path>");
    char *path;
    if (leaf(p, &path, err) < 0)
        return -1;
    int rc = set_target(def, path, p, err);
    free(path);
    if (rc < 0)
        return -1;
    return perm ? parse_permissions(perm, &def->mode, &def->owner, &def->group, err) : 0;
}

static int parse_pool(vr_pool_def *def, const xmlNode *root, char **err)
{
    if (check_attrs(root, ATTRS("type"), err) < 0)
        return -1;
    int t;
    int rc = vr_xml_attr_enum(root, "type", pool_type_names, &t, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(root, err, "<pool> needs type= (one of %s)", vr_pool_types_supported());
    def->type = (vr_pool_type)t;
    if (check_children(root, ATTRS("name", "uuid", "capacity", "allocation", "available", "source",
                                   "target"), err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "name")) {
            if (leaf(c, &def->name, err) < 0 || vr_xml_name_check(c, VR_NAME_POOL, def->name, err) < 0)
                return -1;
        } else if (vr_xml_is(c, "uuid")) {
            char *s;
            if (leaf(c, &s, err) < 0 || vr_xml_uuid_take(c, s, def->uuid, err) < 0)
                return -1;
        } else if (vr_xml_is(c, "source")) {
            /* A dir pool has no source; libvirt writes an empty one. */
            if (vr_pool_source_parse(def->type, c, &def->source, err) < 0)
                return -1;
        } else if (vr_xml_is(c, "target")) {
            if (parse_pool_target(def, c, err) < 0)
                return -1;
        } else {
            /* capacity, allocation, available: the driver's to say */
            unsigned long long ignored;
            if (size_elem(c, &ignored, err) < 0)
                return -1;
        }
    }
    if (!def->name)
        return vr_xml_error(root, err, "<pool> needs a <name>");
    char *e = NULL;
    if (vr_pool_source_complete(def->type, def->name, &def->source, &def->target_path, &e) < 0) {
        vr_xml_error(root, err, "%s", e);
        free(e);
        return -1;
    }
    if (!def->target_path && vr_pool_source_has_target(def->type))
        return vr_xml_error(root, err, "<pool type='%s'> needs <target><path>DIR</path></target>",
                            pool_type_names[def->type]);
    if (!def->uuid[0])
        vr_uuid_generate(def->uuid);
    return 0;
}

vr_pool_def *vr_pool_def_parse(const char *xml, size_t len, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "pool", err);
    if (!doc)
        return NULL;
    vr_pool_def *def = vr_calloc(1, sizeof(*def));
    def->mode = -1;
    def->owner = def->group = -1;
    int rc = parse_pool(def, xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        vr_pool_def_free(def);
        return NULL;
    }
    return def;
}

vr_pool_def *vr_pool_def_from_fields(const vr_pool_fields *f, char **err)
{
    if (!vr_name_check(VR_NAME_POOL, f->name, err))
        return NULL;
    vr_pool_type type;
    if (!vr_pool_type_parse(f->type, &type)) {
        vr_set_error(err, "pool type '%s' is not supported by Vireo (supported: %s)", f->type ? f->type : "",
                     vr_pool_types_supported());
        return NULL;
    }
    vr_pool_def *def = vr_calloc(1, sizeof(*def));
    def->type = type;
    def->name = vr_strdup(f->name);
    def->mode = -1;
    def->owner = def->group = -1;
    vr_uuid_generate(def->uuid);
    if (vr_pool_source_from_fields(type, f, &def->source, err) < 0 ||
        (f->target && *f->target && set_target(def, f->target, NULL, err) < 0) ||
        vr_pool_source_complete(type, def->name, &def->source, &def->target_path, err) < 0) {
        vr_pool_def_free(def);
        return NULL;
    }
    if (!def->target_path && vr_pool_source_has_target(type)) {
        vr_set_error(err, "pool '%s' needs a target directory (--target PATH)", f->name);
        vr_pool_def_free(def);
        return NULL;
    }
    return def;
}

vr_pool_def *vr_pool_def_new(const char *name, const char *type, const char *target, char **err)
{
    return vr_pool_def_from_fields(&(vr_pool_fields){.name = name, .type = type, .target = target}, err);
}

/* ---- formatting ---- */

static xmlNode *child(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

static xmlNode *text_child(xmlNode *parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void size_child(xmlNode *parent, const char *name, unsigned long long v)
{
    char num[32];
    snprintf(num, sizeof(num), "%llu", v);
    xmlNewProp(text_child(parent, name, num), BAD_CAST "unit", BAD_CAST "bytes");
}

static void permissions(xmlNode *parent, int mode, long owner, long group)
{
    if (mode < 0 && owner < 0 && group < 0)
        return;
    xmlNode *p = child(parent, "permissions");
    char num[32];
    if (mode >= 0) {
        snprintf(num, sizeof(num), "%04o", (unsigned)mode);
        text_child(p, "mode", num);
    }
    if (owner >= 0) {
        snprintf(num, sizeof(num), "%ld", owner);
        text_child(p, "owner", num);
    }
    if (group >= 0) {
        snprintf(num, sizeof(num), "%ld", group);
        text_child(p, "group", num);
    }
}

char *vr_pool_def_format(const vr_pool_def *def, const vr_pool_stats *stats)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "pool", NULL);
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "type", BAD_CAST pool_type_names[def->type]);
    text_child(root, "name", def->name);
    text_child(root, "uuid", def->uuid);
    vr_pool_stats zero = {0};
    const vr_pool_stats *s = stats ? stats : &zero;
    size_child(root, "capacity", s->capacity);
    size_child(root, "allocation", s->allocation);
    size_child(root, "available", s->available);
    vr_pool_source_format(def->type, root, &def->source);
    if (def->target_path) {
        xmlNode *t = child(root, "target");
        text_child(t, "path", def->target_path);
        permissions(t, def->mode, def->owner, def->group);
    }
    return vr_xml_save_doc(doc, root);
}

/* ---- volumes ---- */

void vr_vol_def_free(vr_vol_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->path);
    free(def->backing_path);
    free(def->compat);
    free(def);
}

static int parse_format(const xmlNode *n, vr_vol_format *out, char **err)
{
    if (check_attrs(n, ATTRS("type"), err) < 0 || vr_xml_check_empty(n, err) < 0)
        return -1;
    int i;
    int rc = vr_xml_attr_enum(n, "type", vol_format_names, &i, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, err, "<format> needs type='raw', 'qcow2' or 'iso'");
    *out = (vr_vol_format)i;
    return 0;
}

/* qcow2's <compat> and <features>: the lazy_refcounts feature only. */
static int parse_qcow2_options(vr_vol_def *def, const xmlNode *c, char **err)
{
    if (vr_xml_is(c, "compat")) {
        if (leaf(c, &def->compat, err) < 0)
            return -1;
        if (strcmp(def->compat, "0.10") != 0 && strcmp(def->compat, "1.1") != 0)
            return vr_xml_error(c, err, "<compat>%s</compat>: qcow2 knows 0.10 and 1.1", def->compat);
        return 0;
    }
    if (check_attrs(c, NO_ATTRS, err) < 0 || check_children(c, ATTRS("lazy_refcounts"), err) < 0)
        return -1;
    for (xmlNode *f = vr_xml_first(c); f; f = vr_xml_next(f)) {
        if (check_attrs(f, NO_ATTRS, err) < 0 || vr_xml_check_empty(f, err) < 0)
            return -1;
        def->lazy_refcounts = true;
    }
    return 0;
}

static int parse_vol_target(vr_vol_def *def, const xmlNode *n, char **err)
{
    if (check_attrs(n, NO_ATTRS, err) < 0 ||
        check_children(n, ATTRS("path", "format", "permissions", "compat", "features"), err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc = 0;
        if (vr_xml_is(c, "compat") || vr_xml_is(c, "features")) {
            rc = parse_qcow2_options(def, c, err);
        } else if (vr_xml_is(c, "path")) {
            /* The pool decides where its volumes live. */
            char *ignored;
            rc = leaf(c, &ignored, err);
            if (rc == 0)
                free(ignored);
        } else if (vr_xml_is(c, "format")) {
            rc = parse_format(c, &def->format, err);
        } else {
            rc = parse_permissions(c, &def->mode, &(long){0}, NULL, err);
        }
        if (rc < 0)
            return -1;
    }
    if ((def->compat || def->lazy_refcounts) && def->format != VR_VOL_QCOW2)
        return vr_xml_error(n, err, "<compat> and <features> are qcow2's; this volume's format is %s",
                            vr_vol_format_name(def->format));
    if (def->lazy_refcounts && def->compat && strcmp(def->compat, "0.10") == 0)
        return vr_xml_error(n, err, "<lazy_refcounts/> needs <compat>1.1</compat>");
    return 0;
}

static int parse_backing(vr_vol_def *def, const xmlNode *n, char **err)
{
    if (check_attrs(n, NO_ATTRS, err) < 0 || check_children(n, ATTRS("path", "format"), err) < 0)
        return -1;
    xmlNode *p = find(n, "path"), *f = find(n, "format");
    if (!p)
        return vr_xml_error(n, err, "<backingStore> needs a <path>");
    if (leaf(p, &def->backing_path, err) < 0)
        return -1;
    if (!abs_path_ok(def->backing_path))
        return vr_xml_error(p, err, "<path> '%s' must be an absolute path without '..'", def->backing_path);
    def->backing_format = VR_VOL_RAW;
    if (f && parse_format(f, &def->backing_format, err) < 0)
        return -1;
    def->backing_format_set = f != NULL;
    if (!f)
        return vr_xml_error(n, err, "<backingStore> needs <format type='raw|qcow2'/> (Vireo never "
                            "guesses a backing file's format)");
    if (def->backing_format == VR_VOL_ISO)
        return vr_xml_error(f, err, "an iso cannot be a backing store");
    return 0;
}

static int parse_vol(vr_vol_def *def, const xmlNode *root, char **err)
{
    if (check_attrs(root, ATTRS("type"), err) < 0)
        return -1;
    int i;
    if (vr_xml_attr_enum(root, "type", ATTRS("file"), &i, err) < 0)
        return -1;
    if (check_children(root, ATTRS("name", "key", "capacity", "allocation", "physical", "target",
                                   "backingStore"), err) < 0)
        return -1;
    xmlNode *cap = NULL;
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c)) {
        int rc = 0;
        unsigned long long ignored;
        if (vr_xml_is(c, "name")) {
            rc = leaf(c, &def->name, err);
            if (rc == 0)
                rc = vr_xml_name_check(c, VR_NAME_VOLUME, def->name, err);
        } else if (vr_xml_is(c, "key")) {
            char *k;
            if ((rc = leaf(c, &k, err)) == 0)
                free(k);
        } else if (vr_xml_is(c, "capacity")) {
            cap = c;
            rc = size_elem(c, &def->capacity, err);
        } else if (vr_xml_is(c, "allocation")) {
            rc = size_elem(c, &def->allocation, err);
        } else if (vr_xml_is(c, "physical")) {
            rc = size_elem(c, &ignored, err);
        } else if (vr_xml_is(c, "target")) {
            rc = parse_vol_target(def, c, err);
        } else {
            rc = parse_backing(def, c, err);
        }
        if (rc < 0)
            return -1;
    }
    if (!def->name)
        return vr_xml_error(root, err, "<volume> needs a <name>");
    if (!cap && !def->backing_path)
        return vr_xml_error(root, err, "<volume> needs a <capacity>");
    if (cap && def->capacity == 0 && !def->backing_path)
        return vr_xml_error(cap, err, "<capacity> must be more than 0");
    if (def->backing_path && def->format != VR_VOL_QCOW2)
        return vr_xml_error(root, err, "a volume with a <backingStore> must have <format type='qcow2'/>");
    if (def->format == VR_VOL_ISO)
        return vr_xml_error(root, err, "iso volumes are read-only: upload one with vol-upload "
                            "into a raw volume instead of creating it");
    return 0;
}

vr_vol_def *vr_vol_def_parse(const char *xml, size_t len, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "volume", err);
    if (!doc)
        return NULL;
    vr_vol_def *def = vr_calloc(1, sizeof(*def));
    def->mode = -1;
    int rc = parse_vol(def, xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        vr_vol_def_free(def);
        return NULL;
    }
    return def;
}

char *vr_vol_def_format(const vr_vol_def *def)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "volume", NULL);
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "type", BAD_CAST(def->block ? "block" : "file"));
    text_child(root, "name", def->name);
    if (def->path)
        text_child(root, "key", def->path);
    size_child(root, "capacity", def->capacity);
    size_child(root, "allocation", def->allocation);
    xmlNode *t = child(root, "target");
    if (def->path)
        text_child(t, "path", def->path);
    xmlNewProp(child(t, "format"), BAD_CAST "type", BAD_CAST vol_format_names[def->format]);
    permissions(t, def->mode, -1, -1);
    if (def->backing_path) {
        xmlNode *b = child(root, "backingStore");
        text_child(b, "path", def->backing_path);
        xmlNewProp(child(b, "format"), BAD_CAST "type", BAD_CAST vol_format_names[def->backing_format]);
    }
    return vr_xml_save_doc(doc, root);
}

/* ---- find-storage-pool-sources ---- */

int vr_pool_source_parse_xml(vr_pool_type t, const char *xml, vr_pool_source *s, char **err)
{
    memset(s, 0, sizeof(*s));
    xmlDoc *doc = vr_xml_read(xml, strlen(xml), "source", err);
    if (!doc)
        return -1;
    int rc = vr_pool_source_parse(t, xmlDocGetRootElement(doc), s, err);
    xmlFreeDoc(doc);
    if (rc < 0)
        vr_pool_source_clear(s);
    return rc;
}

char *vr_pool_sources_format(vr_pool_type t, const vr_pool_source *list, size_t n)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "sources", NULL);
    xmlDocSetRootElement(doc, root);
    for (size_t i = 0; i < n; i++)
        vr_pool_source_format(t, root, &list[i]);
    return vr_xml_save_doc(doc, root);
}

void vr_pool_source_free_list(vr_pool_source *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        vr_pool_source_clear(&list[i]);
    free(list);
}
