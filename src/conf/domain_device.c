/* Adding and removing one device through the XML of the whole
 * definition (see domain_device.h for why). */
#include "conf/domain_device.h"
#include "conf/domain_priv.h"
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The definition as a tree to edit, and its <devices> element. */
static xmlDoc *def_tree(const vr_domain_def *def, xmlNode **devices, char **err)
{
    xmlDoc *doc = vr_domain_def_tree(def, err);
    if (!doc)
        return NULL;
    xmlNode *root = xmlDocGetRootElement(doc);
    *devices = NULL;
    for (xmlNode *c = vr_xml_first(root); c && !*devices; c = vr_xml_next(c))
        if (vr_xml_is(c, "devices"))
            *devices = c;
    if (!*devices)
        *devices = xmlNewChild(root, NULL, BAD_CAST "devices", NULL);
    return doc;
}

/* A resolved volume path lives outside the XML: give it back by target. */
static void carry_paths(const vr_domain_def *from, vr_domain_def *to)
{
    for (size_t i = 0; i < to->n_disks; i++) {
        int k = vr_domain_def_find_disk(from, to->disks[i].target_dev);
        if (k >= 0 && from->disks[k].resolved_path && !to->disks[i].resolved_path)
            to->disks[i].resolved_path = vr_strdup(from->disks[k].resolved_path);
    }
}

static vr_domain_def *reparse(const vr_domain_def *old, xmlDoc *doc, char **err)
{
    vr_domain_def *def = vr_domain_def_from_tree(xmlDocGetRootElement(doc), false, err);
    if (def)
        carry_paths(old, def);
    return def;
}

/* The element on its own: a <disk> or an <interface>. */
static xmlDoc *read_device(const char *xml, vr_device_kind *kind, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, strlen(xml), NULL, err);
    if (!doc)
        return NULL;
    xmlNode *n = xmlDocGetRootElement(doc);
    if (vr_xml_is(n, "disk")) {
        *kind = VR_DEVICE_DISK;
    } else if (vr_xml_is(n, "interface")) {
        *kind = VR_DEVICE_INTERFACE;
    } else if (vr_xml_is(n, "memory")) {
        *kind = VR_DEVICE_MEMORY;
    } else {
        vr_set_error(err, "<%s> cannot be attached or detached: Vireo hot-plugs <disk>, <interface> and "
                          "<memory model='dimm'> elements (change other devices with 'vireo edit' and "
                          "restart)", (const char *)n->name);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

/* <memory> and <currentMemory> (KiB, as formatted) grow or shrink by a
 * DIMM's size; the parser then checks the result against <maxMemory>. */
static void resize_memory(xmlDoc *doc, unsigned long long kib, bool grow)
{
    for (xmlNode *c = vr_xml_first(xmlDocGetRootElement(doc)); c && kib; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "memory") && !vr_xml_is(c, "currentMemory"))
            continue;
        xmlChar *text = xmlNodeGetContent(c);
        unsigned long long v = strtoull((const char *)text, NULL, 10);
        /* A balloon below the DIMM keeps what it has. */
        char *s = vr_asprintf("%llu", grow ? v + kib : v > kib ? v - kib : v);
        xmlNodeSetContent(c, BAD_CAST s);
        xmlFree(text);
        free(s);
    }
}

vr_domain_def *vr_domain_def_with_device(const vr_domain_def *def, const char *xml, vr_device_kind *kind,
                                         size_t *index, char **err)
{
    xmlDoc *dev = read_device(xml, kind, err);
    if (!dev)
        return NULL;
    xmlNode *devices;
    xmlDoc *doc = def_tree(def, &devices, err);
    vr_domain_def *out = NULL;
    if (doc) {
        xmlAddChild(devices, xmlDocCopyNode(xmlDocGetRootElement(dev), doc, 1));
        if (*kind == VR_DEVICE_MEMORY)
            resize_memory(doc, vr_memdev_element_kib(xmlDocGetRootElement(dev)), true);
        out = reparse(def, doc, err);
        xmlFreeDoc(doc);
    }
    xmlFreeDoc(dev);
    /* The parser keeps document order: the new element is the last of its kind. */
    if (out)
        *index = *kind == VR_DEVICE_DISK        ? out->n_disks - 1
                 : *kind == VR_DEVICE_INTERFACE ? out->n_interfaces - 1
                                                : out->n_memdevs - 1;
    return out;
}

vr_domain_def *vr_domain_def_without_device(const vr_domain_def *def, vr_device_kind kind, size_t index,
                                            char **err)
{
    xmlNode *devices;
    xmlDoc *doc = def_tree(def, &devices, err);
    if (!doc)
        return NULL;
    const char *name = kind == VR_DEVICE_DISK ? "disk" : kind == VR_DEVICE_INTERFACE ? "interface" : "memory";
    if (kind == VR_DEVICE_MEMORY && index < def->n_memdevs)
        resize_memory(doc, def->memdevs[index].size_kib, false);
    size_t seen = 0;
    for (xmlNode *c = vr_xml_first(devices); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, name) || seen++ != index)
            continue;
        xmlUnlinkNode(c);
        xmlFreeNode(c);
        break;
    }
    vr_domain_def *out = reparse(def, doc, err);
    xmlFreeDoc(doc);
    return out;
}

const char *vr_disk_def_source(const vr_disk_def *d)
{
    return d->type == VR_DISK_NETWORK ? d->source_name : d->type == VR_DISK_VOLUME ? d->resolved_path : d->source_path;
}

int vr_domain_def_find_disk(const vr_domain_def *def, const char *key)
{
    for (size_t i = 0; i < def->n_disks; i++)
        if (strcmp(def->disks[i].target_dev, key) == 0)
            return (int)i;
    for (size_t i = 0; i < def->n_disks; i++) {
        const char *path = vr_disk_def_source(&def->disks[i]);
        if (path && strcmp(path, key) == 0)
            return (int)i;
    }
    return -1;
}

int vr_domain_def_find_interface(const vr_domain_def *def, const char *mac)
{
    for (size_t i = 0; i < def->n_interfaces; i++)
        if (strcasecmp(def->interfaces[i].mac, mac) == 0)
            return (int)i;
    return -1;
}

/* The first child element called `name`, and its attribute `attr`. */
static char *child_attr(const xmlNode *n, const char *name, const char *attr)
{
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c))
        if (vr_xml_is(c, name))
            return vr_xml_attr(c, attr);
    return NULL;
}

int vr_domain_def_find_alias(const vr_domain_def *def, const char *alias, vr_device_kind *kind)
{
    for (size_t i = 0; *alias && i < def->n_disks; i++)
        if (def->disks[i].addr.alias && strcmp(def->disks[i].addr.alias, alias) == 0) {
            *kind = VR_DEVICE_DISK;
            return (int)i;
        }
    for (size_t i = 0; *alias && i < def->n_interfaces; i++)
        if (def->interfaces[i].addr.alias && strcmp(def->interfaces[i].addr.alias, alias) == 0) {
            *kind = VR_DEVICE_INTERFACE;
            return (int)i;
        }
    int i = vr_domain_def_find_memdev(def, alias);
    if (i >= 0)
        *kind = VR_DEVICE_MEMORY;
    return i;
}

/* The disk whose user alias is `alias`; -1 with *err when none. */
static int find_disk_alias(const vr_domain_def *def, const char *alias, size_t *index, char **err)
{
    vr_device_kind kind;
    int i = vr_domain_def_find_alias(def, alias, &kind);
    if (i >= 0 && kind == VR_DEVICE_DISK) {
        *index = (size_t)i;
        return 0;
    }
    vr_set_error(err, "domain '%s' has no disk with alias '%s'", def->name, alias);
    return -1;
}

static int find_disk_element(const vr_domain_def *def, const xmlNode *n, size_t *index, char **err)
{
    char *key = child_attr(n, "target", "dev");
    char *alias = key ? NULL : child_attr(n, "alias", "name");
    if (alias) {
        int rc = find_disk_alias(def, alias, index, err);
        free(alias);
        return rc;
    }
    if (!key && !(key = child_attr(n, "source", "file")) && !(key = child_attr(n, "source", "dev")) &&
        !(key = child_attr(n, "source", "name"))) {
        vr_set_error(err, "the <disk> names no disk: give its <target dev='...'/> or its <alias name='ua-...'/>");
        return -1;
    }
    int i = vr_domain_def_find_disk(def, key);
    if (i < 0)
        vr_set_error(err, "domain '%s' has no disk '%s'", def->name, key);
    free(key);
    if (i < 0)
        return -1;
    *index = (size_t)i;
    return 0;
}

/* An interface by its MAC and its user alias, either or both as given
 * (libvirt's virDomainNetFindIdx: both must match). */
static int find_interface_named(const vr_domain_def *def, const char *mac, const char *alias, size_t *index,
                                char **err)
{
    for (size_t i = 0; i < def->n_interfaces; i++) {
        const vr_interface_def *in = &def->interfaces[i];
        bool alias_ok = !alias || (in->addr.alias && strcmp(in->addr.alias, alias) == 0);
        if ((!mac || strcasecmp(in->mac, mac) == 0) && alias_ok) {
            *index = i;
            return 0;
        }
    }
    vr_set_error(err, "domain '%s' has no interface%s%s%s%s%s", def->name, mac ? " with MAC " : "", mac ? mac : "",
                 mac && alias ? " and" : "", alias ? " with alias " : "", alias ? alias : "");
    return -1;
}

static int find_interface_element(const vr_domain_def *def, const xmlNode *n, size_t *index, char **err)
{
    char *mac = child_attr(n, "mac", "address");
    char *alias = child_attr(n, "alias", "name");
    if (alias && !vr_str_starts(alias, "ua-")) {
        free(alias); /* a live-only name, dropped as the parser drops it */
        alias = NULL;
    }
    if (mac || alias) {
        int rc = find_interface_named(def, mac, alias, index, err);
        free(mac);
        free(alias);
        return rc;
    }
    char *type = vr_xml_attr(n, "type");
    char *net = child_attr(n, "source", "network"), *bridge = child_attr(n, "source", "bridge");
    int found = -1, matches = 0;
    for (size_t i = 0; i < def->n_interfaces; i++) {
        const vr_interface_def *in = &def->interfaces[i];
        if ((type && strcmp(type, vr_net_type_name(in->type)) != 0) ||
            (net && (!in->source_network || strcmp(net, in->source_network) != 0)) ||
            (bridge && (!in->source_bridge || strcmp(bridge, in->source_bridge) != 0)))
            continue;
        found = (int)i;
        matches++;
    }
    if (matches > 1)
        vr_set_error(err, "domain '%s' has %d such interfaces: name one by its <mac address='...'/>",
                     def->name, matches);
    else if (!matches)
        vr_set_error(err, "domain '%s' has no such interface", def->name);
    free(type);
    free(net);
    free(bridge);
    if (matches != 1)
        return -1;
    *index = (size_t)found;
    return 0;
}

int vr_domain_def_find_live_device(const vr_domain_def *def, const char *xml, const int *nics,
                                   vr_device_kind *kind, size_t *index, char **err)
{
    xmlDoc *doc = read_device(xml, kind, err);
    if (!doc)
        return -1;
    const xmlNode *n = xmlDocGetRootElement(doc);
    char *alias = *kind == VR_DEVICE_MEMORY ? NULL : child_attr(n, "alias", "name");
    char *target = *kind == VR_DEVICE_DISK ? child_attr(n, "target", "dev") : NULL;
    char *mac = *kind == VR_DEVICE_INTERFACE ? child_attr(n, "mac", "address") : NULL;
    int rc = 1; /* not named by a live alias: as in the definition */
    if (alias && !vr_str_starts(alias, "ua-") && !target) {
        vr_device_kind k;
        int i = vr_domain_def_find_live_alias(def, alias, nics, &k);
        if (i >= 0 && k == *kind && (!mac || strcasecmp(def->interfaces[i].mac, mac) == 0)) {
            *index = (size_t)i;
            rc = 0;
        } else {
            vr_set_error(err, "domain '%s' has no %s with alias '%s'%s%s (see dumpxml)", def->name,
                         *kind == VR_DEVICE_DISK ? "disk" : "interface", alias, mac ? " and MAC " : "",
                         mac ? mac : "");
            rc = -1;
        }
    }
    free(alias);
    free(target);
    free(mac);
    xmlFreeDoc(doc);
    return rc <= 0 ? rc : vr_domain_def_find_device(def, xml, kind, index, err);
}

int vr_domain_def_find_device(const vr_domain_def *def, const char *xml, vr_device_kind *kind, size_t *index,
                              char **err)
{
    xmlDoc *doc = read_device(xml, kind, err);
    if (!doc)
        return -1;
    const xmlNode *n = xmlDocGetRootElement(doc);
    int rc = *kind == VR_DEVICE_DISK        ? find_disk_element(def, n, index, err)
             : *kind == VR_DEVICE_INTERFACE ? find_interface_element(def, n, index, err)
                                            : vr_memdev_find_element(def, n, index, err);
    xmlFreeDoc(doc);
    return rc;
}
