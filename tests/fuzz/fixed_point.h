/* The XML targets' one check: format → parse → format is a fixed point.
 * A definition that parses is written out; the text must parse again
 * and be written out identically. Anything else is a bug in src/conf
 * (a field the formatter drops, or writes in a form the parser refuses),
 * so the target aborts with both texts for libFuzzer to report. */
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *what;                                   /* "domain", "network", ... */
    void *(*parse)(const char *xml, size_t len, char **err);
    char *(*format)(const void *def);
    void (*free)(void *def);
} fz_xml_kind;

/* Runs the check on one input; returns 0 (libFuzzer's "keep going"). */
int fz_xml_fixed_point(const fz_xml_kind *kind, const uint8_t *data, size_t size);
