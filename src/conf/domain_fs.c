/* <filesystem type='mount'>: a host directory shared with the guest,
 * which mounts it by the tag of <target dir>. <driver type='virtiofs'>
 * goes through virtiofsd and needs the guest's RAM shared with it
 * (refused otherwise, as libvirt refuses it); <driver type='path'> (the
 * default, as in libvirt) is QEMU's own 9p server. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const driver_names[] = {"virtiofs", "path", NULL};
static const char *const access_names[] = {"passthrough", "mapped", "squash", NULL};

/* virtio-fs's tag is at most 36 bytes (the config space's field). */
#define FS_TAG_MAX 36

static int dir_attr(vr_parse_state *st, const xmlNode *c, char **out)
{
    if (*out)
        return vr_parse_duplicate(c, st->err);
    if (vr_xml_check_attrs(c, ATTRS("dir"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
        return -1;
    *out = vr_xml_attr(c, "dir");
    if (!*out || !**out)
        return vr_xml_error(c, st->err, "<%s> needs dir", (const char *)c->name);
    return 0;
}

static int parse_driver(vr_parse_state *st, const xmlNode *c, vr_fs_def *fs, bool *seen)
{
    if (*seen)
        return vr_parse_duplicate(c, st->err);
    *seen = true;
    if (vr_xml_check_attrs(c, ATTRS("type", "queue"), st->err) < 0 ||
        vr_xml_check_empty(c, st->err) < 0)
        return -1;
    int i, rc = vr_xml_attr_enum(c, "type", driver_names, &i, st->err);
    if (rc < 0)
        return -1;
    fs->driver = rc ? (vr_fs_driver)i : VR_FS_9P;
    unsigned long long q;
    if ((rc = vr_xml_attr_uint(c, "queue", 1, 1024, &q, st->err)) < 0)
        return -1;
    if (rc && fs->driver != VR_FS_VIRTIOFS)
        return vr_xml_error(c, st->err, "<driver queue> is for type='virtiofs'");
    fs->queue = rc ? (unsigned)q : 0;
    return 0;
}

int vr_parse_filesystem(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (vr_xml_check_attrs(n, ATTRS("type", "accessmode"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i, rc = vr_xml_attr_enum(n, "type", ATTRS("mount"), &i, st->err);
    if (rc < 0)
        return -1;
    vr_fs_def *fs = VR_PUSH(def->filesystems, def->n_filesystems);
    fs->line = vr_xml_line(n);
    fs->driver = VR_FS_9P;
    if ((rc = vr_xml_attr_enum(n, "accessmode", access_names, &i, st->err)) < 0)
        return -1;
    fs->access = rc ? (vr_fs_access)i : VR_FS_ACCESS_PASSTHROUGH;
    bool have_driver = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "driver"))
            rc = parse_driver(st, c, fs, &have_driver);
        else if (vr_xml_is(c, "source"))
            rc = dir_attr(st, c, &fs->source_dir);
        else if (vr_xml_is(c, "target"))
            rc = dir_attr(st, c, &fs->tag);
        else if (vr_xml_is(c, "readonly"))
            rc = vr_parse_flag(st, c, &fs->readonly);
        else if (vr_parse_is_devinfo(c))
            rc = vr_parse_address(st, c, &fs->addr);
        else
            rc = vr_xml_unsupported(c, st->err);
        if (rc < 0)
            return -1;
    }
    if (!fs->source_dir || !fs->tag)
        return vr_xml_error(n, st->err, "<filesystem> needs <source dir> and <target dir>");
    if (vr_parse_abs_path(st, n, "<source dir>", fs->source_dir) < 0)
        return -1;
    if (strlen(fs->tag) > FS_TAG_MAX || strchr(fs->tag, ','))
        return vr_xml_error(n, st->err, "<target dir='%s'>: a mount tag is at most %d bytes, "
                            "without commas", fs->tag, FS_TAG_MAX);
    if (fs->addr.type != VR_ADDR_NONE && fs->addr.type != VR_ADDR_PCI)
        return vr_xml_error(n, st->err, "<filesystem> sits on PCI: <address type='pci'>");
    if (fs->driver == VR_FS_VIRTIOFS && fs->access != VR_FS_ACCESS_PASSTHROUGH)
        return vr_xml_error(n, st->err, "<filesystem accessmode='%s'> with <driver "
                            "type='virtiofs'>: virtiofs is passthrough only",
                            access_names[fs->access]);
    if (fs->driver == VR_FS_VIRTIOFS && fs->readonly)
        return vr_xml_error(n, st->err, "<filesystem> with <driver type='virtiofs'> cannot be "
                            "<readonly/> (QEMU 7.2's virtiofsd has no read-only mode); use "
                            "<driver type='path'/> (9p)");
    return 0;
}

int vr_domain_fs_complete(vr_domain_def *def, char **err)
{
    for (size_t i = 0; i < def->n_filesystems; i++) {
        const vr_fs_def *fs = &def->filesystems[i];
        for (size_t k = 0; k < i; k++)
            if (strcmp(def->filesystems[k].tag, fs->tag) == 0)
                return vr_dom_error(fs->line, err, "<target dir='%s'> is the tag of another "
                                    "<filesystem> (line %ld)", fs->tag, def->filesystems[k].line);
        if (fs->driver == VR_FS_VIRTIOFS && !vr_domain_shared_memory(def))
            return vr_dom_error(fs->line, err, "<filesystem> with <driver type='virtiofs'> needs "
                                "the guest's memory shared with virtiofsd: add <memoryBacking>"
                                "<source type='memfd'/><access mode='shared'/></memoryBacking>");
    }
    return 0;
}

void vr_format_filesystems(xmlNode *devs, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_filesystems; i++) {
        const vr_fs_def *fs = &def->filesystems[i];
        xmlNode *n = vr_xml_new_child(devs, "filesystem");
        vr_xml_new_prop(n, "type", "mount");
        vr_xml_new_prop(n, "accessmode", access_names[fs->access]);
        xmlNode *d = vr_xml_new_child(n, "driver");
        vr_xml_new_prop(d, "type", driver_names[fs->driver]);
        if (fs->queue)
            vr_xml_new_propf(d, "queue", "%u", fs->queue);
        vr_xml_new_prop(vr_xml_new_child(n, "source"), "dir", fs->source_dir);
        vr_xml_new_prop(vr_xml_new_child(n, "target"), "dir", fs->tag);
        if (fs->readonly)
            vr_xml_new_child(n, "readonly");
        vr_format_address(n, &fs->addr);
    }
}
