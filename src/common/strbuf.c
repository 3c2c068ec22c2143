#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(vr_strbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->s = vr_realloc(b->s, cap);
    b->cap = cap;
}

void vr_strbuf_addn(vr_strbuf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void vr_strbuf_add(vr_strbuf *b, const char *s)
{
    vr_strbuf_addn(b, s, strlen(s));
}

void vr_strbuf_addf(vr_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vr_vasprintf(fmt, ap);
    va_end(ap);
    vr_strbuf_add(b, s);
    free(s);
}

void vr_strbuf_add_uri(vr_strbuf *b, const char *s, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p) || strchr(keep, *p)) {
            vr_strbuf_addn(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            vr_strbuf_addn(b, e, 3);
        }
    }
}

char *vr_strbuf_take(vr_strbuf *b)
{
    char *s = b->s ? b->s : vr_strdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void vr_strbuf_free(vr_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}
