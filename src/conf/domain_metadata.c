/* <metadata> per namespace (domain_metadata.h), with libxml2. */
#include "conf/domain_metadata.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static char *dump(xmlDoc *doc, xmlNode *n)
{
    xmlBuffer *buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, n, 0, 0);
    char *s = vr_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return s;
}

/* The <metadata> document (an empty one when there is none yet). */
static xmlDoc *open_metadata(const char *metadata, char **err)
{
    if (metadata)
        return vr_xml_read(metadata, strlen(metadata), "metadata", err);
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlDocSetRootElement(doc, xmlNewNode(NULL, BAD_CAST "metadata"));
    return doc;
}

static xmlNode *find(xmlNode *root, const char *uri)
{
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c))
        if (c->ns && c->ns->href && strcmp((const char *)c->ns->href, uri) == 0)
            return c;
    return NULL;
}

int vr_metadata_get(const char *metadata, const char *uri, char **out, char **err)
{
    *out = NULL;
    if (!metadata)
        return 0;
    xmlDoc *doc = open_metadata(metadata, err);
    if (!doc)
        return -1;
    xmlNode *hit = find(xmlDocGetRootElement(doc), uri);
    if (hit)
        *out = dump(doc, hit);
    xmlFreeDoc(doc);
    return 0;
}

/* A namespace prefix: an XML name without ':' (letters, digits, -_.). */
static bool prefix_ok(const char *key)
{
    if (!key || !(isalpha((unsigned char)key[0]) || key[0] == '_'))
        return false;
    for (const char *p = key; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
            return false;
    return true;
}

/* The element and, recursively, its children without a namespace go in `ns`. */
static void set_ns(xmlNode *n, xmlNs *ns)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (!n->ns)
            xmlSetNs(n, ns);
        set_ns(n->children, ns);
    }
}

int vr_metadata_set(const char *metadata, const char *uri, const char *key, const char *xml, char **out,
                    char **err)
{
    *out = NULL;
    if (!uri || !*uri) {
        vr_set_error(err, "metadata needs the namespace URI of the application's element");
        return -1;
    }
    if (xml && !prefix_ok(key)) {
        vr_set_error(err, "--key '%s' is not a namespace prefix (letters, digits, - _ .; needed with --set)",
                     key ? key : "");
        return -1;
    }
    xmlDoc *doc = open_metadata(metadata, err);
    if (!doc)
        return -1;
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *old = find(root, uri);
    if (old) {
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    }
    if (xml) {
        char *e = NULL;
        xmlDoc *frag = vr_xml_read(xml, strlen(xml), NULL, &e);
        if (!frag) {
            vr_set_error(err, "the metadata is not one well-formed XML element: %s", e);
            free(e);
            xmlFreeDoc(doc);
            return -1;
        }
        xmlNode *copy = xmlDocCopyNode(xmlDocGetRootElement(frag), doc, 1);
        xmlFreeDoc(frag);
        xmlAddChild(root, copy);
        /* The element may declare the namespace itself (metadata --edit
         * shows it so): that declaration serves. */
        xmlNs *ns = xmlSearchNsByHref(doc, copy, BAD_CAST uri);
        if (!ns)
            ns = xmlNewNs(copy, BAD_CAST uri, BAD_CAST key);
        if (!ns) {
            vr_set_error(err, "the element declares prefix '%s' for another namespace than %s", key, uri);
            xmlFreeDoc(doc);
            return -1;
        }
        xmlSetNs(copy, ns);
        set_ns(copy->children, ns);
    }
    if (vr_xml_first(root))
        *out = dump(doc, root);
    xmlFreeDoc(doc);
    return 0;
}
