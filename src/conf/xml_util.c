#include "conf/xml_util.h"
#include "conf/xml_limits.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>

/* What the error callbacks collected during one parse. */
typedef struct {
    char *msg;     /* the first error: later ones are usually consequences */
    bool doctype;  /* a DOCTYPE was seen and the parse stopped */
    long doctype_line;
} parse_sink;

/* libxml2 messages end with a newline and may contain more; keep one. */
static char *one_line(const char *s)
{
    char *m = vr_strdup(s ? s : "malformed XML");
    for (char *p = m; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    char *t = vr_str_trim(m);
    char *r = vr_strdup(t);
    free(m);
    return r;
}

static void record(parse_sink *s, const xmlError *e)
{
    if (s->msg || !e || e->level == XML_ERR_WARNING)
        return;
    char *m = one_line(e->message);
    s->msg = vr_asprintf("line %d: %s", e->line, m);
    free(m);
}

static void on_ctxt_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    record(ctxt->_private, e);
}

static void on_global_error(void *data, xmlErrorPtr e)
{
    record(data, e);
}

/* Replaces the SAX handler that would build the DTD: stop right there,
 * before any entity declaration is read. */
static void on_doctype(void *data, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    xmlParserCtxtPtr ctxt = data;
    parse_sink *s = ctxt->_private;
    s->doctype = true;
    s->doctype_line = ctxt->input ? ctxt->input->line : 0;
    xmlStopParser(ctxt);
}

xmlDoc *vr_xml_read(const char *xml, size_t len, const char *root, char **err)
{
    if (!xml || len == 0) {
        vr_set_error(err, "empty XML document");
        return NULL;
    }
    if (len > INT_MAX) {
        vr_set_error(err, "XML document too large");
        return NULL;
    }
    if (vr_xml_check_limits(xml, len, &len, err) < 0)
        return NULL;
    parse_sink sink = {0};
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        vr_set_error(err, "out of memory creating the XML parser");
        return NULL;
    }
    ctxt->_private = &sink;
    ctxt->sax->serror = on_ctxt_error;
    ctxt->sax->internalSubset = on_doctype;
    /* The thread's structured handler catches whatever does not come
     * through the context (encoding and buffer errors). */
    xmlStructuredErrorFunc old_fn = xmlStructuredError;
    void *old_ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&sink, on_global_error);
    int opts = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
               XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, opts);
    xmlSetStructuredErrorFunc(old_ctx, old_fn);
    bool wellformed = ctxt->wellFormed;
    xmlFreeParserCtxt(ctxt);

    if (sink.doctype) {
        vr_set_error(err, "line %ld: <!DOCTYPE> is not allowed (Vireo reads no DTD)",
                     sink.doctype_line);
    } else if (!doc || !wellformed || sink.msg) {
        vr_set_error(err, "%s", sink.msg ? sink.msg : "malformed XML");
    } else {
        xmlNode *top = xmlDocGetRootElement(doc);
        if (!top) {
            vr_set_error(err, "empty XML document");
        } else if (root && !vr_xml_is(top, root)) {
            vr_set_error(err, "line %ld: the root element is <%s>, expected <%s>",
                         vr_xml_line(top), (const char *)top->name, root);
        } else {
            free(sink.msg);
            return doc;
        }
    }
    free(sink.msg);
    xmlFreeDoc(doc);
    return NULL;
}

long vr_xml_line(const xmlNode *n)
{
    return xmlGetLineNo(n);
}

int vr_xml_error(const xmlNode *n, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = vr_vasprintf(fmt, ap);
    va_end(ap);
    char *line = vr_escape_line(m);
    vr_set_error(err, "line %ld: %s", vr_xml_line(n), line);
    free(line);
    free(m);
    return -1;
}

int vr_xml_line_error(long line, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = vr_vasprintf(fmt, ap);
    va_end(ap);
    char *m = vr_escape_line(raw);
    free(raw);
    if (line > 0)
        vr_set_error(err, "line %ld: %s", line, m);
    else
        vr_set_error(err, "%s", m);
    free(m);
    return -1;
}

int vr_xml_name_check(const xmlNode *n, vr_name_kind kind, const char *name, char **err)
{
    char *e = NULL;
    if (vr_name_check(kind, name, &e))
        return 0;
    vr_xml_error(n, err, "%s", e);
    free(e);
    return -1;
}

int vr_xml_uuid_take(const xmlNode *n, char *s, char out[VR_UUID_STRLEN], char **err)
{
    bool ok = vr_uuid_canonical(s, out);
    if (!ok)
        vr_xml_error(n, err, "<uuid> '%s' is not a valid UUID", s);
    free(s);
    return ok ? 0 : -1;
}

/* "<name>" or "<prefix:name>" for messages. */
static char *tag(const xmlNode *n)
{
    if (n->ns && n->ns->prefix)
        return vr_asprintf("<%s:%s>", (const char *)n->ns->prefix, (const char *)n->name);
    return vr_asprintf("<%s>", (const char *)n->name);
}

/* The domain's reference page is the default; other definitions name
 * their own through the *_doc variants. */
#define DOMAIN_DOC "docs/xml-domain.md"

int vr_xml_unsupported_doc(const xmlNode *n, const char *doc, char **err)
{
    char *t = tag(n);
    vr_xml_error(n, err, "%s is not supported by Vireo (see %s)", t, doc);
    free(t);
    return -1;
}

int vr_xml_unsupported(const xmlNode *n, char **err)
{
    return vr_xml_unsupported_doc(n, DOMAIN_DOC, err);
}

bool vr_xml_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !n->ns &&
           strcmp((const char *)n->name, name) == 0;
}

static xmlNode *next_elem(xmlNode *n)
{
    for (; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

xmlNode *vr_xml_first(const xmlNode *parent)
{
    return next_elem(parent->children);
}

xmlNode *vr_xml_next(const xmlNode *n)
{
    return next_elem(n->next);
}

static bool in_list(const char *s, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

int vr_xml_check_attrs_doc(const xmlNode *n, const char *const *allowed, const char *doc,
                           char **err)
{
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (a->ns || !in_list((const char *)a->name, allowed)) {
            char *t = tag(n);
            if (a->ns && a->ns->prefix)
                vr_xml_error(n, err, "attribute '%s:%s' of %s is not supported by Vireo "
                             "(see %s)", (const char *)a->ns->prefix, (const char *)a->name, t,
                             doc);
            else
                vr_xml_error(n, err, "attribute '%s' of %s is not supported by Vireo (see %s)",
                             (const char *)a->name, t, doc);
            free(t);
            return -1;
        }
    }
    return 0;
}

int vr_xml_check_attrs(const xmlNode *n, const char *const *allowed, char **err)
{
    return vr_xml_check_attrs_doc(n, allowed, DOMAIN_DOC, err);
}

static bool blank(const xmlChar *s)
{
    for (; s && *s; s++)
        if (!isspace(*s))
            return false;
    return true;
}

int vr_xml_check_no_text(const xmlNode *n, char **err)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            !blank(c->content)) {
            char *t = tag(n);
            char *text = one_line((const char *)c->content);
            if (strlen(text) > 40)
                strcpy(text + 37, "...");
            vr_xml_error(n, err, "unexpected text '%s' in %s", text, t);
            free(text);
            free(t);
            return -1;
        }
        if (c->type == XML_ENTITY_REF_NODE) {
            char *t = tag(n);
            vr_xml_error(n, err, "unexpected entity reference in %s", t);
            free(t);
            return -1;
        }
    }
    return 0;
}

int vr_xml_check_empty_doc(const xmlNode *n, const char *doc, char **err)
{
    xmlNode *c = vr_xml_first(n);
    if (c)
        return vr_xml_unsupported_doc(c, doc, err);
    return vr_xml_check_no_text(n, err);
}

int vr_xml_check_empty(const xmlNode *n, char **err)
{
    return vr_xml_check_empty_doc(n, DOMAIN_DOC, err);
}

char *vr_xml_attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    char *s = vr_strdup((const char *)v);
    xmlFree(v);
    return s;
}

int vr_xml_text(const xmlNode *n, bool trim, char **out, char **err)
{
    xmlNode *c = vr_xml_first(n);
    if (c) {
        char *t = tag(n);
        vr_xml_error(c, err, "%s holds text only", t);
        free(t);
        return -1;
    }
    vr_strbuf b = {0};
    for (const xmlNode *k = n->children; k; k = k->next) {
        if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) {
            vr_strbuf_add(&b, (const char *)k->content);
        } else if (k->type == XML_ENTITY_REF_NODE) {
            char *t = tag(n);
            vr_xml_error(n, err, "unexpected entity reference in %s", t);
            free(t);
            vr_strbuf_free(&b);
            return -1;
        }
    }
    char *s = vr_strbuf_take(&b);
    if (trim) {
        char *t = vr_strdup(vr_str_trim(s));
        free(s);
        s = t;
    }
    *out = s;
    return 0;
}

static char *join(const char *const *values)
{
    vr_strbuf b = {0};
    for (const char *const *v = values; *v; v++) {
        if (v != values)
            vr_strbuf_add(&b, ", ");
        vr_strbuf_add(&b, *v);
    }
    return vr_strbuf_take(&b);
}

static int find(const char *s, const char *const *values)
{
    for (int i = 0; values[i]; i++)
        if (strcmp(s, values[i]) == 0)
            return i;
    return -1;
}

int vr_xml_attr_enum(const xmlNode *n, const char *attr, const char *const *values, int *out,
                     char **err)
{
    char *v = vr_xml_attr(n, attr);
    if (!v)
        return 0;
    int i = find(v, values);
    if (i < 0) {
        char *list = join(values);
        vr_xml_error(n, err, "<%s %s='%s'> is not supported by Vireo (supported: %s)",
                     (const char *)n->name, attr, v, list);
        free(list);
        free(v);
        return -1;
    }
    free(v);
    *out = i;
    return 1;
}

int vr_xml_text_enum(const xmlNode *n, const char *const *values, int *out, char **err)
{
    char *v;
    if (vr_xml_text(n, true, &v, err) < 0)
        return -1;
    int i = find(v, values);
    if (i < 0) {
        char *list = join(values);
        vr_xml_error(n, err, "<%s>%s</%s> is not supported by Vireo (supported: %s)",
                     (const char *)n->name, v, (const char *)n->name, list);
        free(list);
        free(v);
        return -1;
    }
    free(v);
    *out = i;
    return 1;
}

bool vr_xml_parse_ull(const char *s, unsigned long long min, unsigned long long max, int base,
                      unsigned long long *out)
{
    while (isspace((unsigned char)*s))
        s++;
    /* strtoull would accept a sign and wrap "-1" around. */
    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || end == s)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int vr_xml_attr_uint(const xmlNode *n, const char *attr, unsigned long long min,
                     unsigned long long max, unsigned long long *out, char **err)
{
    char *v = vr_xml_attr(n, attr);
    if (!v)
        return 0;
    /* Hex with 0x (PCI addresses), decimal otherwise: never octal, so
     * "08" means eight. */
    const char *t = v;
    while (isspace((unsigned char)*t))
        t++;
    int base = (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) ? 16 : 10;
    if (!vr_xml_parse_ull(v, min, max, base, out)) {
        vr_xml_error(n, err, "<%s %s='%s'>: expected a number from %llu to %llu",
                     (const char *)n->name, attr, v, min, max);
        free(v);
        return -1;
    }
    free(v);
    return 1;
}

int vr_xml_attr_bool(const xmlNode *n, const char *attr, const char *yes, const char *no,
                     bool *out, char **err)
{
    const char *values[] = {yes, no, NULL};
    int i;
    int rc = vr_xml_attr_enum(n, attr, values, &i, err);
    if (rc == 1)
        *out = i == 0;
    return rc;
}

char *vr_xml_save_doc(xmlDoc *doc, xmlNode *root)
{
    xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *s = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
    xmlSaveTree(s, root);
    xmlSaveClose(s);
    char *out = vr_asprintf("%s\n", (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return out;
}

xmlNode *vr_xml_new_child(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

xmlNode *vr_xml_new_text_child(xmlNode *parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

void vr_xml_new_prop(xmlNode *n, const char *name, const char *value)
{
    xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

void vr_xml_new_propf(xmlNode *n, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vr_vasprintf(fmt, ap);
    va_end(ap);
    vr_xml_new_prop(n, name, v);
    free(v);
}
