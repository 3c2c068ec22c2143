/* Strict reading of untrusted XML definitions with libxml2.
 *
 * Everything Vireo reads is refused rather than half-understood: these
 * helpers make "unknown attribute", "unknown value" and "unexpected
 * element" one call each, and every message starts with the line of the
 * offending element so users can find it. Shared by the domain parser
 * and, later, the network and pool parsers. */
#pragma once
#include "conf/names.h"
#include "conf/uuid.h"

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#define VR_XML_DOC_HINT "(see docs/xml-domain.md)"

/* Parse a document: the limits of xml_limits.h checked first (a NUL
 * byte, too many attributes, elements, nesting: one line naming it), no
 * network access, no DTD (a DOCTYPE is refused outright, so no entity
 * can be declared, let alone expanded), blank text dropped. The root element must be `root`
 * (any element when `root` is NULL). On failure returns NULL
 * with *err = "line N: <libxml2's message>" on one line. Never prints. */
xmlDoc *vr_xml_read(const char *xml, size_t len, const char *root, char **err);

long vr_xml_line(const xmlNode *n);

/* Set *err to "line N: " followed by the message. Returns -1. */
int vr_xml_error(const xmlNode *n, char **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "line N: message" when line > 0 (a line vr_xml_line gave), else just
 * the message, on one line; the domain's and the network's parsers call
 * it as vr_dom_error and vr_net_error. Returns -1. */
int vr_xml_line_error(long line, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A <name>'s text against the name rule of its kind (conf/names.h): 0,
 * or -1 with the rule's message at n's line. */
int vr_xml_name_check(const xmlNode *n, vr_name_kind kind, const char *name, char **err);
/* A <uuid>'s text s (freed) in canonical form into out: 0, or -1 with
 * "line N: <uuid> 'S' is not a valid UUID". */
int vr_xml_uuid_take(const xmlNode *n, char *s, char out[VR_UUID_STRLEN], char **err);

/* "line N: <name> is not supported by Vireo (see docs/xml-domain.md)".
 * Returns -1. */
int vr_xml_unsupported(const xmlNode *n, char **err);

/* True when `n` is an element without namespace called `name`. */
bool vr_xml_is(const xmlNode *n, const char *name);

/* Element children only: comments are skipped, white space is skipped. */
xmlNode *vr_xml_first(const xmlNode *parent);
xmlNode *vr_xml_next(const xmlNode *n);

/* Refuse any attribute of `n` not in `allowed` (NULL-terminated; NULL
 * list = no attributes allowed) and any namespaced attribute. */
int vr_xml_check_attrs(const xmlNode *n, const char *const *allowed, char **err);
/* Refuse non-blank text directly inside `n` (an element that holds only
 * child elements). */
int vr_xml_check_no_text(const xmlNode *n, char **err);
/* Refuse any child element or text: for flags like <readonly/>. */
int vr_xml_check_empty(const xmlNode *n, char **err);

/* Attribute value (newly allocated) or NULL when absent. */
char *vr_xml_attr(const xmlNode *n, const char *name);

/* Text of a leaf element (newly allocated, never NULL); -1 when `n` has
 * child elements. `trim` strips surrounding white space. */
int vr_xml_text(const xmlNode *n, bool trim, char **out, char **err);

/* An attribute that must be one of `values` (NULL-terminated). Returns
 * 1 and sets *out to the index when present, 0 when absent (*out
 * untouched), -1 with *err naming the element, the value and the
 * supported values. */
int vr_xml_attr_enum(const xmlNode *n, const char *attr, const char *const *values, int *out,
                     char **err);
/* The same for the text of a leaf element. */
int vr_xml_text_enum(const xmlNode *n, const char *const *values, int *out, char **err);

/* An unsigned attribute in [min, max]; decimal, or hex with 0x.
 * Returns 1 / 0 (absent) / -1. */
int vr_xml_attr_uint(const xmlNode *n, const char *attr, unsigned long long min,
                     unsigned long long max, unsigned long long *out, char **err);

/* A two-valued attribute ("yes"/"no", "on"/"off"). Returns 1 / 0 / -1. */
int vr_xml_attr_bool(const xmlNode *n, const char *attr, const char *yes, const char *no,
                     bool *out, char **err);

/* The same three refusals for definitions documented on another page
 * than the domain's: `doc` is named in the hint, "(see docs/xml-network.md)".
 * The functions above are these with "docs/xml-domain.md". */
int vr_xml_unsupported_doc(const xmlNode *n, const char *doc, char **err);
int vr_xml_check_attrs_doc(const xmlNode *n, const char *const *allowed, const char *doc,
                           char **err);
int vr_xml_check_empty_doc(const xmlNode *n, const char *doc, char **err);

/* Parse an unsigned decimal number in [min, max] from text (surrounding
 * white space allowed). Returns false when it is not one. */
bool vr_xml_parse_ull(const char *s, unsigned long long min, unsigned long long max, int base,
                      unsigned long long *out);

/* The element `root` of `doc` as indented text without the XML
 * declaration, ending in a newline; frees the document. */
char *vr_xml_save_doc(xmlDoc *doc, xmlNode *root);
/* Building a tree to write (the formatters): libxml2 escapes. */
xmlNode *vr_xml_new_child(xmlNode *parent, const char *name);
xmlNode *vr_xml_new_text_child(xmlNode *parent, const char *name, const char *text);
void vr_xml_new_prop(xmlNode *n, const char *name, const char *value);
void vr_xml_new_propf(xmlNode *n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
