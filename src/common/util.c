#include "common/util.h"
#include "common/strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *oom(void)
{
    fputs("vireo: out of memory\n", stderr);
    abort();
}

void *vr_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    return p ? p : oom();
}

void *vr_calloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    return p ? p : oom();
}

void *vr_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    return q ? q : oom();
}

char *vr_strdup(const char *s)
{
    char *p = strdup(s ? s : "");
    return p ? p : oom();
}

char *vr_strndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    return p ? p : oom();
}

char *vr_vasprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        return oom();
    return s;
}

char *vr_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vr_vasprintf(fmt, ap);
    va_end(ap);
    return s;
}

bool vr_str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool vr_str_ends(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

char *vr_str_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

void vr_set_error(char **err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = vr_vasprintf(fmt, ap);
    va_end(ap);
    free(*err);
    *err = msg;
}

bool vr_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p++;
        if (c < 0x80)
            continue;
        unsigned need, min;
        if (c >= 0xc2 && c <= 0xdf)
            need = 1, min = 0x80, c &= 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2, min = 0x800, c &= 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3, min = 0x10000, c &= 0x07;
        else
            return false;
        if ((size_t)(end - p) < need)
            return false;
        for (unsigned i = 0; i < need; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return false;
            c = (c << 6) | (*p & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return false;
    }
    return true;
}

char *vr_escape_line(const char *s)
{
    vr_strbuf b = {0};
    /* Text that is not UTF-8 (a name from a JSON body, a file name) has
     * its high bytes shown as \xNN too: the message goes into JSON. */
    bool utf8 = vr_utf8_valid(s, strlen(s));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            vr_strbuf_add(&b, "\\n");
        else if (*p == '\r')
            vr_strbuf_add(&b, "\\r");
        else if (*p == '\t')
            vr_strbuf_add(&b, "\\t");
        else if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !utf8))
            vr_strbuf_addf(&b, "\\x%02x", *p);
        else
            vr_strbuf_addn(&b, (const char *)p, 1);
    }
    return vr_strbuf_take(&b);
}
