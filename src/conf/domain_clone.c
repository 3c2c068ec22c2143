/* A clone's identity: format, drop <uuid> and <mac>, parse again. Going
 * through the XML (rather than clearing fields) keeps one path for
 * generated values: the parser's defaults step. */
#include "conf/domain_clone.h"
#include "conf/domain_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>

static void drop(xmlNode *n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

vr_domain_def *vr_domain_def_renew_identity(const vr_domain_def *def, char **err)
{
    xmlDoc *doc = vr_domain_def_tree(def, err);
    if (!doc)
        return NULL;
    xmlNode *root = xmlDocGetRootElement(doc);
    for (xmlNode *c = vr_xml_first(root), *next; c; c = next) {
        next = vr_xml_next(c);
        if (vr_xml_is(c, "uuid")) {
            drop(c);
        } else if (vr_xml_is(c, "devices")) {
            for (xmlNode *d = vr_xml_first(c); d; d = vr_xml_next(d)) {
                if (!vr_xml_is(d, "interface"))
                    continue;
                for (xmlNode *m = vr_xml_first(d), *mn; m; m = mn) {
                    mn = vr_xml_next(m);
                    if (vr_xml_is(m, "mac"))
                        drop(m);
                }
            }
        }
    }
    xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *s = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_NO_DECL);
    xmlSaveTree(s, root);
    xmlSaveClose(s);
    const char *out = (const char *)xmlBufferContent(buf);
    vr_domain_def *copy = vr_domain_def_parse(out, strlen(out), err);
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return copy;
}
