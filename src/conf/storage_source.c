/* <source> per pool kind, as libvirt writes it:
 *   fs, disk:      <device path='/dev/X'/> <format type='...'/>
 *   iscsi-direct:  <host name='H' port='3260'/> <device path='IQN'/>
 *                  <initiator><iqn name='IQN'/></initiator>
 *                  <auth type='chap' username='U'><secret usage='...'|uuid='...'/></auth>
 *   rbd:           <host name='MON' [port='3300']/> (one per monitor) <name>CEPHPOOL</name>
 *                  <auth type='ceph' username='admin'><secret usage='...'|uuid='...'/></auth>
 * A dir pool's source is empty. Anything else inside <source> is
 * refused by name. */
#include "conf/storage_source.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC "docs/storage.md"

typedef struct {
    const char *const *formats; /* NULL: no <format> */
    bool device;                /* takes <device path> (required) */
    bool host;                  /* takes <host> (required): iscsi-direct's portal, rbd's monitor */
    bool initiator;             /* takes <initiator> (required): iscsi-direct */
    bool name;                  /* takes <name> (required): rbd's Ceph pool */
    const char *auth;           /* the <auth type> it takes ("chap", "ceph"), NULL: none */
    unsigned port;              /* <host>'s port when not given (0: none, the client's default) */
    const char *target;         /* the fixed target, "" for none, NULL: the pool's own directory */
} kind_info;

static const char *const fs_formats[] = {"auto", "ext4", "xfs", NULL};
/* libvirt's default for an unlabeled disk pool is dos, as parted's. */
static const char *const disk_formats[] = {"dos", "gpt", NULL};

static const kind_info kinds[] = {
    [VR_POOL_DIR] = {NULL, false, false, false, false, NULL, 0, NULL},
    [VR_POOL_FS] = {fs_formats, true, false, false, false, NULL, 0, NULL},
    [VR_POOL_DISK] = {disk_formats, true, false, false, false, NULL, 0, "/dev"},
    [VR_POOL_ISCSI_DIRECT] = {NULL, true, true, true, false, "chap", 3260, ""},
    [VR_POOL_RBD] = {NULL, false, true, false, true, "ceph", 0, ""},
};

static bool device_ok(vr_pool_type t, const char *p)
{
    if (t == VR_POOL_ISCSI_DIRECT) /* an IQN: one word */
        return *p && !strpbrk(p, " \t\n/");
    return p[0] == '/' && !strstr(p, "/../") && !strchr(p, '\n');
}

static const char *device_hint(vr_pool_type t)
{
    return t == VR_POOL_ISCSI_DIRECT ? "the target's IQN (iqn.YYYY-MM.domain:name)"
                                     : "an absolute path without '..'";
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

static int attr_once(const xmlNode *n, const char *attr, char **slot, char **err)
{
    if (*slot)
        return vr_xml_error(n, err, "duplicate <%s>", (const char *)n->name);
    *slot = vr_xml_attr(n, attr);
    if (!*slot || !**slot)
        return vr_xml_error(n, err, "<%s> needs %s=", (const char *)n->name, attr);
    return 0;
}

static int parse_host(const xmlNode *c, unsigned dflt, char **host, unsigned *port_out, char **err)
{
    unsigned long long port = dflt;
    if (vr_xml_check_attrs_doc(c, (const char *const[]){"name", "port", NULL}, DOC, err) < 0 ||
        vr_xml_check_empty_doc(c, DOC, err) < 0 || attr_once(c, "name", host, err) < 0 ||
        vr_xml_attr_uint(c, "port", 1, 65535, &port, err) < 0)
        return -1;
    *port_out = (unsigned)port;
    return 0;
}

/* A further <host> of an rbd pool: one more monitor. */
static int parse_more_host(const xmlNode *c, vr_pool_source *s, char **err)
{
    s->more_hosts = vr_realloc(s->more_hosts, (s->n_more_hosts + 1) * sizeof(*s->more_hosts));
    vr_pool_host *h = &s->more_hosts[s->n_more_hosts++];
    *h = (vr_pool_host){0};
    return parse_host(c, 0, &h->name, &h->port, err);
}

static int parse_initiator(const xmlNode *c, vr_pool_source *s, char **err)
{
    if (vr_xml_check_attrs_doc(c, NULL, DOC, err) < 0 || vr_xml_check_no_text(c, err) < 0)
        return -1;
    for (xmlNode *i = vr_xml_first(c); i; i = vr_xml_next(i)) {
        if (!vr_xml_is(i, "iqn"))
            return vr_xml_unsupported_doc(i, DOC, err);
        if (vr_xml_check_attrs_doc(i, (const char *const[]){"name", NULL}, DOC, err) < 0 ||
            vr_xml_check_empty_doc(i, DOC, err) < 0 || attr_once(i, "name", &s->initiator, err) < 0)
            return -1;
    }
    return s->initiator ? 0 : vr_xml_error(c, err, "<initiator> needs <iqn name='...'/>");
}

static int parse_auth(const xmlNode *c, const char *type, vr_pool_source *s, char **err)
{
    if (vr_xml_check_attrs_doc(c, (const char *const[]){"type", "username", NULL}, DOC, err) < 0 ||
        vr_xml_check_no_text(c, err) < 0)
        return -1;
    int t;
    int rc = vr_xml_attr_enum(c, "type", (const char *const[]){type, NULL}, &t, err);
    if (rc <= 0)
        return rc < 0 ? -1 : vr_xml_error(c, err, "<auth> needs type='%s'", type);
    if (attr_once(c, "username", &s->auth_user, err) < 0)
        return -1;
    for (xmlNode *i = vr_xml_first(c); i; i = vr_xml_next(i)) {
        if (!vr_xml_is(i, "secret") || s->secret_uuid || s->secret_usage)
            return vr_xml_unsupported_doc(i, DOC, err);
        if (vr_xml_check_attrs_doc(i, (const char *const[]){"uuid", "usage", NULL}, DOC, err) < 0 ||
            vr_xml_check_empty_doc(i, DOC, err) < 0)
            return -1;
        s->secret_uuid = vr_xml_attr(i, "uuid");
        s->secret_usage = vr_xml_attr(i, "usage");
        if (!s->secret_uuid == !s->secret_usage)
            return vr_xml_error(i, err, "<secret> needs uuid= or usage= (one of them)");
    }
    if (!s->secret_uuid && !s->secret_usage)
        return vr_xml_error(c, err, "<auth type='%s'> needs <secret uuid='...'/> or <secret usage='...'/>", type);
    return 0;
}

/* rbd's <name>: a Ceph pool name, one word (no '/', '@', ':'). */
static bool ceph_name_ok(const char *v) { return *v && !strpbrk(v, " \t\n/@:=,"); }

static int parse_name(const xmlNode *c, vr_pool_source *s, char **err)
{
    if (vr_xml_check_attrs_doc(c, NULL, DOC, err) < 0)
        return -1;
    if (vr_xml_text(c, true, &s->name, err) < 0)
        return -1;
    if (!ceph_name_ok(s->name))
        return vr_xml_error(c, err, "<name> must be the Ceph pool's name (one word, no '/', '@' or ':')");
    return 0;
}

int vr_pool_source_parse(vr_pool_type t, const xmlNode *n, vr_pool_source *s, char **err)
{
    const kind_info *k = &kinds[t];
    if (vr_xml_check_attrs_doc(n, NULL, DOC, err) < 0 || vr_xml_check_no_text(n, err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "device") && k->device) {
            rc = vr_xml_check_attrs_doc(c, (const char *const[]){"path", NULL}, DOC, err) < 0 ||
                         vr_xml_check_empty_doc(c, DOC, err) < 0 || attr_once(c, "path", &s->device, err) < 0
                     ? -1
                     : 0;
            if (rc == 0 && !device_ok(t, s->device))
                rc = vr_xml_error(c, err, "<device path='%s'> must be %s", s->device, device_hint(t));
        } else if (vr_xml_is(c, "format") && k->formats) {
            rc = vr_xml_check_attrs_doc(c, (const char *const[]){"type", NULL}, DOC, err) < 0 ||
                         vr_xml_check_empty_doc(c, DOC, err) < 0 || attr_once(c, "type", &s->format, err) < 0
                     ? -1
                     : 0;
            if (rc == 0 && one_of(s->format, k->formats) < 0) {
                char *j = joined(k->formats);
                rc = vr_xml_error(c, err, "<format type='%s'> is not a format of %s pools (one of %s)", s->format,
                                  vr_pool_type_name(t), j);
                free(j);
            }
        } else if (vr_xml_is(c, "host") && k->host) {
            rc = !s->host          ? parse_host(c, k->port, &s->host, &s->port, err)
                 : t == VR_POOL_RBD ? parse_more_host(c, s, err) /* every monitor of the cluster */
                                    : vr_xml_error(c, err, "a second <host>: Vireo takes one portal");
        } else if (vr_xml_is(c, "name") && k->name) {
            rc = s->name ? vr_xml_error(c, err, "duplicate <name>") : parse_name(c, s, err);
        } else if (vr_xml_is(c, "initiator") && k->initiator) {
            rc = s->initiator ? vr_xml_error(c, err, "duplicate <initiator>") : parse_initiator(c, s, err);
        } else if (vr_xml_is(c, "auth") && k->auth) {
            rc = s->auth_user ? vr_xml_error(c, err, "duplicate <auth>") : parse_auth(c, k->auth, s, err);
        } else {
            rc = vr_xml_unsupported_doc(c, DOC, err);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* "host" or "host:port" (pool-define-as --source-host). */
static int split_host(const char *v, unsigned dflt, vr_pool_source *s, char **err)
{
    const char *colon = strrchr(v, ':');
    unsigned port = dflt;
    if (colon) {
        char *end = NULL;
        unsigned long p = strtoul(colon + 1, &end, 10);
        if (!*(colon + 1) || *end || p < 1 || p > 65535) {
            vr_set_error(err, "--source-host '%s': the port after ':' must be 1-65535", v);
            return -1;
        }
        port = (unsigned)p;
    }
    s->host = colon ? vr_strndup(v, (size_t)(colon - v)) : vr_strdup(v);
    s->port = port;
    return 0;
}

int vr_pool_source_from_fields(vr_pool_type t, const vr_pool_fields *f, vr_pool_source *s, char **err)
{
    const kind_info *k = &kinds[t];
    /* Options of other kinds (netfs, rbd ...): named, never ignored. */
    const struct {
        const char *opt, *val;
    } unused[] = {
        {"--source-path", f->source_path},
        {"--source-name", k->name ? NULL : f->source_name},
        {"--source-dev", k->device ? NULL : f->source_dev},
        {"--source-format", k->formats ? NULL : f->source_format},
        {"--source-host", k->host ? NULL : f->source_host},
        {"--source-initiator", k->initiator ? NULL : f->source_initiator},
        {"--auth-type", k->auth ? NULL : f->auth_type},
        {"--auth-username", k->auth ? NULL : f->auth_username},
        {"--secret-uuid", k->auth ? NULL : f->secret_uuid},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(unused); i++) {
        if (unused[i].val) {
            vr_set_error(err, "a %s pool takes no %s (see docs/storage.md for what each pool kind takes)",
                         vr_pool_type_name(t), unused[i].opt);
            return -1;
        }
    }
    if (f->source_dev && !device_ok(t, f->source_dev)) {
        vr_set_error(err, "--source-dev '%s' must be %s", f->source_dev, device_hint(t));
        return -1;
    }
    if (f->source_format && one_of(f->source_format, k->formats) < 0) {
        char *j = joined(k->formats);
        vr_set_error(err, "--source-format '%s' is not a format of %s pools (one of %s)", f->source_format,
                     vr_pool_type_name(t), j);
        free(j);
        return -1;
    }
    if (f->auth_type && strcmp(f->auth_type, k->auth) != 0) {
        vr_set_error(err, "--auth-type '%s': a %s pool takes %s", f->auth_type, vr_pool_type_name(t), k->auth);
        return -1;
    }
    if (!f->auth_username != !f->secret_uuid) {
        vr_set_error(err, "%s needs both --auth-username and --secret-uuid", t == VR_POOL_RBD ? "cephx" : "CHAP");
        return -1;
    }
    if (f->source_name && !ceph_name_ok(f->source_name)) {
        vr_set_error(err, "--source-name '%s' must be the Ceph pool's name (one word, no '/', '@' or ':')",
                     f->source_name);
        return -1;
    }
    if (f->source_host && split_host(f->source_host, k->port, s, err) < 0)
        return -1;
    s->name = f->source_name ? vr_strdup(f->source_name) : NULL;
    s->device = f->source_dev ? vr_strdup(f->source_dev) : NULL;
    s->format = f->source_format ? vr_strdup(f->source_format) : NULL;
    s->initiator = f->source_initiator ? vr_strdup(f->source_initiator) : NULL;
    s->auth_user = f->auth_username ? vr_strdup(f->auth_username) : NULL;
    s->secret_uuid = f->secret_uuid ? vr_strdup(f->secret_uuid) : NULL;
    return 0;
}

int vr_pool_source_complete(vr_pool_type t, const char *name, vr_pool_source *s, char **target, char **err)
{
    const kind_info *k = &kinds[t];
    if (k->device && !s->device) {
        vr_set_error(err, t == VR_POOL_ISCSI_DIRECT
                              ? "an iscsi-direct pool needs the target's IQN (<source><device path='iqn...'/>, "
                                "or --source-dev IQN)"
                              : "a %s pool needs its block device (<source><device path='/dev/X'/>, "
                                "or --source-dev /dev/X)",
                     vr_pool_type_name(t));
        return -1;
    }
    if (t == VR_POOL_RBD && (!s->host || !s->name)) {
        vr_set_error(err, "an rbd pool needs a monitor (<host name='...'/>, --source-host HOST[:PORT]) and the "
                          "Ceph pool's name (<name>POOL</name>, --source-name POOL)");
        return -1;
    }
    if (k->initiator && (!s->host || !s->initiator)) {
        vr_set_error(err, "an iscsi-direct pool needs its portal (<host name='...'/>, --source-host HOST[:PORT]) "
                          "and the initiator's IQN (<initiator><iqn name='...'/></initiator>, --source-initiator IQN)");
        return -1;
    }
    if (k->formats && !s->format)
        s->format = vr_strdup(k->formats[0]);
    if (!k->target)
        return 0;
    if (!*k->target) {
        if (*target) {
            vr_set_error(err, "pool '%s': an %s pool has no target (its volumes are %s)", name,
                         vr_pool_type_name(t), t == VR_POOL_RBD ? "the Ceph pool's images" : "the target's LUNs");
            return -1;
        }
        return 0;
    }
    if (*target && strcmp(*target, k->target) != 0) {
        vr_set_error(err, "pool '%s': a %s pool's target is %s, where the kernel puts its partitions "
                          "(not %s)", name, vr_pool_type_name(t), k->target, *target);
        return -1;
    }
    if (!*target)
        *target = vr_strdup(k->target);
    return 0;
}

bool vr_pool_source_has_target(vr_pool_type t)
{
    return !kinds[t].target || *kinds[t].target;
}

void vr_pool_source_format(vr_pool_type t, xmlNode *parent, const vr_pool_source *s)
{
    xmlNode *src = xmlNewChild(parent, NULL, BAD_CAST "source", NULL);
    for (size_t i = 0; s->host && i <= s->n_more_hosts; i++) {
        xmlNode *h = xmlNewChild(src, NULL, BAD_CAST "host", NULL);
        unsigned p = i ? s->more_hosts[i - 1].port : s->port;
        char port[16];
        snprintf(port, sizeof(port), "%u", p);
        xmlNewProp(h, BAD_CAST "name", BAD_CAST(i ? s->more_hosts[i - 1].name : s->host));
        if (p)
            xmlNewProp(h, BAD_CAST "port", BAD_CAST port);
    }
    if (s->name)
        xmlNewTextChild(src, NULL, BAD_CAST "name", BAD_CAST s->name);
    if (s->device)
        xmlNewProp(xmlNewChild(src, NULL, BAD_CAST "device", NULL), BAD_CAST "path", BAD_CAST s->device);
    if (s->format)
        xmlNewProp(xmlNewChild(src, NULL, BAD_CAST "format", NULL), BAD_CAST "type", BAD_CAST s->format);
    if (s->initiator) {
        xmlNode *i = xmlNewChild(src, NULL, BAD_CAST "initiator", NULL);
        xmlNewProp(xmlNewChild(i, NULL, BAD_CAST "iqn", NULL), BAD_CAST "name", BAD_CAST s->initiator);
    }
    if (s->auth_user) {
        xmlNode *a = xmlNewChild(src, NULL, BAD_CAST "auth", NULL);
        xmlNewProp(a, BAD_CAST "type", BAD_CAST kinds[t].auth);
        xmlNewProp(a, BAD_CAST "username", BAD_CAST s->auth_user);
        xmlNode *sec = xmlNewChild(a, NULL, BAD_CAST "secret", NULL);
        if (s->secret_uuid)
            xmlNewProp(sec, BAD_CAST "uuid", BAD_CAST s->secret_uuid);
        else
            xmlNewProp(sec, BAD_CAST "usage", BAD_CAST s->secret_usage);
    }
}

static char *dup0(const char *s) { return s ? vr_strdup(s) : NULL; }

void vr_pool_source_copy(vr_pool_source *dst, const vr_pool_source *src)
{
    dst->device = dup0(src->device);
    dst->format = dup0(src->format);
    dst->host = dup0(src->host);
    dst->port = src->port;
    dst->more_hosts = src->n_more_hosts ? vr_calloc(src->n_more_hosts, sizeof(*dst->more_hosts)) : NULL;
    dst->n_more_hosts = src->n_more_hosts;
    for (size_t i = 0; i < src->n_more_hosts; i++)
        dst->more_hosts[i] = (vr_pool_host){vr_strdup(src->more_hosts[i].name), src->more_hosts[i].port};
    dst->name = dup0(src->name);
    dst->initiator = dup0(src->initiator);
    dst->auth_user = dup0(src->auth_user);
    dst->secret_uuid = dup0(src->secret_uuid);
    dst->secret_usage = dup0(src->secret_usage);
}

void vr_pool_source_clear(vr_pool_source *s)
{
    free(s->device);
    free(s->format);
    free(s->host);
    for (size_t i = 0; i < s->n_more_hosts; i++)
        free(s->more_hosts[i].name);
    free(s->more_hosts);
    free(s->name);
    free(s->initiator);
    free(s->auth_user);
    free(s->secret_uuid);
    free(s->secret_usage);
    memset(s, 0, sizeof(*s));
}

/* ---- pool-capabilities ---- */

static void enum_of(xmlNode *parent, const char *name, const char *const *values)
{
    xmlNode *e = xmlNewChild(parent, NULL, BAD_CAST "enum", NULL);
    xmlNewProp(e, BAD_CAST "name", BAD_CAST name);
    for (int i = 0; values[i]; i++)
        xmlNewTextChild(e, NULL, BAD_CAST "value", BAD_CAST values[i]);
}

char *vr_pool_capabilities_format(void)
{
    /* libvirt's pool types, in its order: the ones without a Vireo
     * backend are listed with supported='no', as libvirt lists the ones
     * it was built without. */
    static const char *const libvirt_types[] = {"dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct",
                                                "scsi", "mpath", "rbd", "sheepdog", "gluster", "zfs", "vstorage",
                                                NULL};
    static const char *const file_formats[] = {"raw", "qcow2", NULL};
    static const char *const raw_only[] = {"raw", NULL};
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "storagepoolCapabilities", NULL);
    xmlDocSetRootElement(doc, root);
    for (int i = 0; libvirt_types[i]; i++) {
        vr_pool_type t;
        bool ours = vr_pool_type_parse(libvirt_types[i], &t);
        xmlNode *p = xmlNewChild(root, NULL, BAD_CAST "pool", NULL);
        xmlNewProp(p, BAD_CAST "type", BAD_CAST libvirt_types[i]);
        xmlNewProp(p, BAD_CAST "supported", BAD_CAST(ours ? "yes" : "no"));
        if (!ours)
            continue;
        const kind_info *k = &kinds[t];
        if (k->formats) {
            xmlNode *po = xmlNewChild(p, NULL, BAD_CAST "poolOptions", NULL);
            xmlNewProp(xmlNewChild(po, NULL, BAD_CAST "defaultFormat", NULL), BAD_CAST "type", BAD_CAST k->formats[0]);
            enum_of(po, "sourceFormatType", k->formats);
        }
        const char *const *vol = t == VR_POOL_DIR || t == VR_POOL_FS ? file_formats : raw_only;
        xmlNode *vo = xmlNewChild(p, NULL, BAD_CAST "volOptions", NULL);
        xmlNewProp(xmlNewChild(vo, NULL, BAD_CAST "defaultFormat", NULL), BAD_CAST "type", BAD_CAST "raw");
        enum_of(vo, "targetFormatType", vol);
    }
    return vr_xml_save_doc(doc, root);
}
