/* Limits on an XML document, checked by one linear pass before libxml2
 * sees it. libxml2 2.9 checks an element's attributes for duplicates
 * pair by pair, so one <domain> with 200k attributes kept the daemon's
 * loop busy for minutes; within these limits the largest document an
 * endpoint takes parses in milliseconds. docs/api.md lists them. */
#pragma once
#include <stddef.h>

#define VR_XML_MAX_ATTRS 64        /* attributes of one element, xmlns ones included */
#define VR_XML_MAX_NODES 5000      /* elements and attributes in one document */
#define VR_XML_MAX_DEPTH 64        /* elements inside each other */
#define VR_XML_MAX_NAME 128        /* bytes of an element or attribute name */

/* Check xml[0..len) against the limits. Returns -1 with *err = "line N:
 * element <domain> has more than 64 attributes" (or the element count,
 * depth, node count, name length; or a NUL byte) when one is passed. Otherwise 0,
 * and *parse_len is how much of the text libxml2 needs to read: all of
 * it, or, when the pass met markup that is not well-formed, the text up
 * to that point and a little beyond, where libxml2 stops with its own
 * message, so nothing after a syntax error is ever parsed unchecked. */
int vr_xml_check_limits(const char *xml, size_t len, size_t *parse_len, char **err);
