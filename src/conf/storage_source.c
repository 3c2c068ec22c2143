/* <source> of fs and disk pools: <device path='/dev/X'/> and
 * <format type='...'/>, as libvirt writes them. A dir pool's source is
 * empty. Anything else inside <source> is refused by name. */
#include "conf/storage_source.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define DOC "docs/storage.md"

typedef struct {
    const char *const *formats; /* NULL: the kind has no source */
    const char *target;         /* the fixed target, or NULL: the pool's own */
} kind_info;

static const char *const fs_formats[] = {"auto", "ext4", "xfs", NULL};
/* libvirt's default for an unlabeled disk pool is dos, as parted's. */
static const char *const disk_formats[] = {"dos", "gpt", NULL};

static const kind_info kinds[] = {
    [VR_POOL_DIR] = {NULL, NULL},
    [VR_POOL_FS] = {fs_formats, NULL},
    [VR_POOL_DISK] = {disk_formats, "/dev"},
};

static bool device_ok(const char *p)
{
    return p[0] == '/' && !strstr(p, "/../") && !strchr(p, '\n');
}

static int one_of(const char *v, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return i;
    return -1;
}

static char *joined(const char *const *list)
{
    char *s = vr_strdup(list[0]);
    for (int i = 1; list[i]; i++) {
        char *n = vr_asprintf("%s|%s", s, list[i]);
        free(s);
        s = n;
    }
    return s;
}

int vr_pool_source_parse(vr_pool_type t, const xmlNode *n, vr_pool_source *s, char **err)
{
    const kind_info *k = &kinds[t];
    if (vr_xml_check_attrs_doc(n, NULL, DOC, err) < 0 || vr_xml_check_no_text(n, err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        bool dev = vr_xml_is(c, "device"), fmt = vr_xml_is(c, "format");
        if (!k->formats || (!dev && !fmt))
            return vr_xml_unsupported_doc(c, DOC, err);
        if (vr_xml_check_attrs_doc(c, (const char *const[]){dev ? "path" : "type", NULL}, DOC, err) < 0 ||
            vr_xml_check_empty_doc(c, DOC, err) < 0)
            return -1;
        char **slot = dev ? &s->device : &s->format;
        if (*slot)
            return vr_xml_error(c, err, "duplicate <%s>", (const char *)c->name);
        *slot = vr_xml_attr(c, dev ? "path" : "type");
        if (!*slot)
            return vr_xml_error(c, err, "<%s> needs %s=", (const char *)c->name, dev ? "path" : "type");
        if (dev && !device_ok(*slot))
            return vr_xml_error(c, err, "<device path='%s'> must be an absolute path without '..'", *slot);
        if (fmt && one_of(*slot, k->formats) < 0) {
            char *j = joined(k->formats);
            vr_xml_error(c, err, "<format type='%s'> is not a format of %s pools (one of %s)", *slot,
                         vr_pool_type_name(t), j);
            free(j);
            return -1;
        }
    }
    return 0;
}

int vr_pool_source_from_fields(vr_pool_type t, const vr_pool_fields *f, vr_pool_source *s, char **err)
{
    const kind_info *k = &kinds[t];
    /* Options of later kinds (iscsi, rbd, netfs): named, never ignored. */
    const struct {
        const char *opt, *val;
    } unused[] = {
        {"--source-host", f->source_host}, {"--source-path", f->source_path},
        {"--source-name", f->source_name}, {"--auth-type", f->auth_type},
        {"--auth-username", f->auth_username}, {"--secret-uuid", f->secret_uuid},
        {"--source-dev", k->formats ? NULL : f->source_dev},
        {"--source-format", k->formats ? NULL : f->source_format},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(unused); i++) {
        if (unused[i].val) {
            vr_set_error(err, "a %s pool takes no %s (see docs/storage.md for what each pool kind takes)",
                         vr_pool_type_name(t), unused[i].opt);
            return -1;
        }
    }
    if (f->source_dev && !device_ok(f->source_dev)) {
        vr_set_error(err, "--source-dev '%s' must be an absolute path without '..'", f->source_dev);
        return -1;
    }
    if (f->source_format && one_of(f->source_format, k->formats) < 0) {
        char *j = joined(k->formats);
        vr_set_error(err, "--source-format '%s' is not a format of %s pools (one of %s)", f->source_format,
                     vr_pool_type_name(t), j);
        free(j);
        return -1;
    }
    s->device = f->source_dev ? vr_strdup(f->source_dev) : NULL;
    s->format = f->source_format ? vr_strdup(f->source_format) : NULL;
    return 0;
}

int vr_pool_source_complete(vr_pool_type t, const char *name, vr_pool_source *s, char **target, char **err)
{
    const kind_info *k = &kinds[t];
    if (!k->formats)
        return 0;
    if (!s->device) {
        vr_set_error(err, "a %s pool needs its block device (<source><device path='/dev/X'/>, "
                          "or --source-dev /dev/X)", vr_pool_type_name(t));
        return -1;
    }
    if (!s->format)
        s->format = vr_strdup(k->formats[0]);
    if (!k->target)
        return 0;
    if (*target && strcmp(*target, k->target) != 0) {
        vr_set_error(err, "pool '%s': a %s pool's target is %s, where the kernel puts its partitions "
                          "(not %s)", name, vr_pool_type_name(t), k->target, *target);
        return -1;
    }
    if (!*target)
        *target = vr_strdup(k->target);
    return 0;
}

void vr_pool_source_format(vr_pool_type t, xmlNode *parent, const vr_pool_source *s)
{
    xmlNode *src = xmlNewChild(parent, NULL, BAD_CAST "source", NULL);
    if (!kinds[t].formats)
        return;
    if (s->device)
        xmlNewProp(xmlNewChild(src, NULL, BAD_CAST "device", NULL), BAD_CAST "path", BAD_CAST s->device);
    if (s->format)
        xmlNewProp(xmlNewChild(src, NULL, BAD_CAST "format", NULL), BAD_CAST "type", BAD_CAST s->format);
}

void vr_pool_source_copy(vr_pool_source *dst, const vr_pool_source *src)
{
    dst->device = src->device ? vr_strdup(src->device) : NULL;
    dst->format = src->format ? vr_strdup(src->format) : NULL;
}

void vr_pool_source_clear(vr_pool_source *s)
{
    free(s->device);
    free(s->format);
    memset(s, 0, sizeof(*s));
}
