/* A growable string, for building command lines, tables and messages. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *s;
    size_t len, cap;
} vr_strbuf;

void vr_strbuf_add(vr_strbuf *b, const char *s);
void vr_strbuf_addn(vr_strbuf *b, const char *s, size_t n);
void vr_strbuf_addf(vr_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s percent-encoded for a URI: RFC 3986's unreserved characters and
 * those in `keep` stay, every other byte becomes %XX. */
void vr_strbuf_add_uri(vr_strbuf *b, const char *s, const char *keep);
/* Hand the string to the caller (never NULL) and reset the buffer. */
char *vr_strbuf_take(vr_strbuf *b);
void vr_strbuf_free(vr_strbuf *b);
