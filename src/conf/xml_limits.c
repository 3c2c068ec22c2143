/* The pre-parse pass of xml_limits.h: a small tokenizer that knows
 * start tags, end tags, comments, CDATA sections and processing
 * instructions, and counts. Anything else stops it (see parse_len). */
#include "conf/xml_limits.h"
#include "common/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* How far past a syntax error libxml2 may look before it reports it. */
#define LOOKAHEAD 64

typedef struct {
    const char *x;
    size_t len, i;
    long line;
} scan;

static bool at(const scan *s, const char *tok)
{
    size_t n = strlen(tok);
    return s->len - s->i >= n && memcmp(s->x + s->i, tok, n) == 0;
}

static void step(scan *s)
{
    if (s->x[s->i] == '\n')
        s->line++;
    s->i++;
}

/* Past `end`; false when the text ends first. */
static bool skip_past(scan *s, const char *end)
{
    while (s->i < s->len && !at(s, end))
        step(s);
    if (s->i >= s->len)
        return false;
    s->i += strlen(end);
    return true;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(scan *s)
{
    while (s->i < s->len && is_ws(s->x[s->i]))
        step(s);
}

/* A name: up to white space or one of the delimiters. Returns its length. */
static size_t name(scan *s, const char **start)
{
    *start = s->x + s->i;
    size_t n = 0;
    while (s->i < s->len && !is_ws(s->x[s->i]) && !strchr("=/>'\"<", s->x[s->i]))
        s->i++, n++;
    return n;
}

/* Shown element names are cut to the limit: they may be huge. */
static int refuse(const scan *s, char **err, const char *what, const char *el, size_t el_len)
{
    int shown = (int)(el_len > VR_XML_MAX_NAME ? VR_XML_MAX_NAME : el_len);
    vr_set_error(err, "line %ld: element <%.*s%s> %s", s->line, shown, el, el_len > (size_t)shown ? "..." : "",
                 what);
    return -1;
}

static int too_many_nodes(const scan *s, char **err)
{
    vr_set_error(err, "line %ld: the document has more than " VR_STR(VR_XML_MAX_NODES)
                 " elements and attributes", s->line);
    return -1;
}

/* One start tag, s->i just past '<'. 1: it was whole, 0: not well-formed
 * (stop scanning), -1: a limit was passed. */
static int start_tag(scan *s, size_t *depth, size_t *nodes, char **err)
{
    const char *el;
    size_t el_len = name(s, &el);
    if (el_len == 0)
        return 0;
    if (el_len > VR_XML_MAX_NAME)
        return refuse(s, err, "has a name over " VR_STR(VR_XML_MAX_NAME) " bytes", el, el_len);
    size_t attrs = 0;
    for (;;) {
        bool spaced = s->i < s->len && is_ws(s->x[s->i]);
        skip_ws(s);
        if (s->i >= s->len)
            return 0;
        if (s->x[s->i] == '>') {
            s->i++;
            if (++*depth > VR_XML_MAX_DEPTH)
                return refuse(s, err, "is nested more than " VR_STR(VR_XML_MAX_DEPTH) " elements deep", el,
                              el_len);
            return 1;
        }
        if (at(s, "/>")) {
            s->i += 2;
            return 1;
        }
        const char *an;
        size_t an_len = name(s, &an);
        if (an_len == 0 || !spaced)
            return 0;
        if (an_len > VR_XML_MAX_NAME)
            return refuse(s, err, "has an attribute name over " VR_STR(VR_XML_MAX_NAME) " bytes", el, el_len);
        if (++attrs > VR_XML_MAX_ATTRS)
            return refuse(s, err, "has more than " VR_STR(VR_XML_MAX_ATTRS) " attributes", el, el_len);
        if (++*nodes > VR_XML_MAX_NODES)
            return too_many_nodes(s, err);
        skip_ws(s);
        if (s->i >= s->len || s->x[s->i] != '=')
            return 0;
        s->i++;
        skip_ws(s);
        if (s->i >= s->len || (s->x[s->i] != '"' && s->x[s->i] != '\''))
            return 0;
        char quote[2] = {s->x[s->i], '\0'};
        s->i++;
        if (!skip_past(s, quote))
            return 0;
    }
}

int vr_xml_check_limits(const char *xml, size_t len, size_t *parse_len, char **err)
{
    const char *nul = memchr(xml, '\0', len);
    if (nul) {
        vr_set_error(err, "the XML holds a NUL byte at offset %zu; nothing may follow the document",
                     (size_t)(nul - xml));
        return -1;
    }
    scan s = {.x = xml, .len = len, .line = 1};
    size_t depth = 0, nodes = 0;
    *parse_len = len;
    while (s.i < len) {
        if (xml[s.i] != '<') {
            step(&s);
            continue;
        }
        size_t tag = s.i;
        bool whole;
        if (at(&s, "<!--"))
            whole = skip_past(&s, "-->");
        else if (at(&s, "<![CDATA["))
            whole = skip_past(&s, "]]>");
        else if (at(&s, "<?"))
            whole = skip_past(&s, "?>");
        else if (at(&s, "<!"))
            whole = false; /* a DOCTYPE: libxml2 refuses it right there */
        else if (at(&s, "</")) {
            whole = skip_past(&s, ">");
            depth -= depth > 0;
        } else {
            s.i++;
            if (++nodes > VR_XML_MAX_NODES)
                return too_many_nodes(&s, err);
            int rc = start_tag(&s, &depth, &nodes, err);
            if (rc < 0)
                return -1;
            whole = rc == 1;
        }
        if (!whole) {
            size_t stop = (s.i > tag ? s.i : tag) + LOOKAHEAD;
            *parse_len = stop < len ? stop : len;
            return 0;
        }
    }
    return 0;
}
