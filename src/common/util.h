/* Small helpers every part of Vireo uses: allocation that never returns
 * NULL, string helpers and error formatting. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define VR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* A macro's value as a string literal: VR_STR(64) is "64". */
#define VR_STR_(x) #x
#define VR_STR(x) VR_STR_(x)

/* Allocation failures abort: a manager that half-applies a change because
 * malloc failed is worse than one that stops. */
void *vr_malloc(size_t n);
void *vr_calloc(size_t n, size_t m);
void *vr_realloc(void *p, size_t n);
char *vr_strdup(const char *s);
char *vr_strndup(const char *s, size_t n);
char *vr_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *vr_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

bool vr_str_starts(const char *s, const char *prefix);
bool vr_str_ends(const char *s, const char *suffix);
/* Strip leading and trailing white space in place; returns s advanced. */
char *vr_str_trim(char *s);

/* An error message slot: functions that can fail take `char **err` and
 * set it to a newly allocated one-line message. */
void vr_set_error(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Is s[0..len) well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF)? Names and API strings are checked
 * with it before they reach a file or a JSON answer. */
bool vr_utf8_valid(const char *s, size_t len);

/* Messages quote user values: control characters (a newline in a
 * <name>) are written as \n, \t, \xNN so a message stays one line, and
 * so are the high bytes of text that is not UTF-8. */
char *vr_escape_line(const char *s);
