/* The template mark in <metadata> (see domain_template.h). */
#include "conf/domain_template.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static bool is_mark(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST "template") == 0 && n->ns &&
           xmlStrcmp(n->ns->href, BAD_CAST VR_TEMPLATE_NS) == 0;
}

static xmlDoc *read_metadata(const char *metadata, char **err)
{
    return vr_xml_read(metadata, strlen(metadata), "metadata", err);
}

bool vr_domain_def_is_template(const vr_domain_def *def)
{
    if (!def->metadata || !strstr(def->metadata, VR_TEMPLATE_NS))
        return false;
    char *err = NULL;
    xmlDoc *doc = read_metadata(def->metadata, &err);
    free(err);
    bool found = false;
    for (xmlNode *c = doc ? xmlDocGetRootElement(doc)->children : NULL; c && !found; c = c->next)
        found = is_mark(c);
    xmlFreeDoc(doc);
    return found;
}

int vr_domain_def_set_template(vr_domain_def *def, bool on, char **err)
{
    if (vr_domain_def_is_template(def) == on)
        return 0;
    xmlDoc *doc = def->metadata ? read_metadata(def->metadata, err) : xmlNewDoc(BAD_CAST "1.0");
    if (!doc)
        return -1;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root) {
        root = xmlNewNode(NULL, BAD_CAST "metadata");
        xmlDocSetRootElement(doc, root);
    }
    if (on) {
        xmlNode *mark = xmlNewChild(root, NULL, BAD_CAST "template", NULL);
        xmlSetNs(mark, xmlNewNs(mark, BAD_CAST VR_TEMPLATE_NS, BAD_CAST "vireo"));
    } else {
        for (xmlNode *c = root->children, *next; c; c = next) {
            next = c->next;
            if (is_mark(c)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
        }
    }
    free(def->metadata);
    def->metadata = NULL;
    if (root->children) {
        xmlBuffer *buf = xmlBufferCreate();
        xmlNodeDump(buf, doc, root, 0, 0);
        def->metadata = vr_strdup((const char *)xmlBufferContent(buf));
        xmlBufferFree(buf);
    }
    xmlFreeDoc(doc);
    return 0;
}
