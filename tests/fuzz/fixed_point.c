#include "fixed_point.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parsers take text: the input gets the terminating NUL libFuzzer
 * does not give. Its length is passed too, so a NUL inside the input
 * reaches the parser as it would from a client. */
static char *terminated(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static void __attribute__((noreturn)) fail(const fz_xml_kind *kind, const char *why, const char *first,
                                           const char *second)
{
    fprintf(stderr, "fuzz %s: %s\n--- first format ---\n%s\n--- second ---\n%s\n", kind->what, why, first,
            second ? second : "(none)");
    abort();
}

int fz_xml_fixed_point(const fz_xml_kind *kind, const uint8_t *data, size_t size)
{
    char *input = terminated(data, size), *err = NULL;
    void *def = kind->parse(input, size, &err);
    free(input);
    if (!def) {
        /* Refused: the parser must always say why. */
        if (!err || !*err)
            fail(kind, "parse failed without an error message", "", NULL);
        free(err);
        return 0;
    }
    if (err)
        fail(kind, "parse succeeded but set an error", err, NULL);
    char *first = kind->format(def);
    kind->free(def);
    if (!first)
        fail(kind, "a parsed definition did not format", "", NULL);
    void *again = kind->parse(first, strlen(first), &err);
    if (!again) {
        fprintf(stderr, "fuzz %s: the formatted text does not parse: %s\n", kind->what, err ? err : "?");
        fail(kind, "format output refused by the parser", first, NULL);
    }
    char *second = kind->format(again);
    kind->free(again);
    if (!second || strcmp(first, second) != 0)
        fail(kind, "format -> parse -> format is not a fixed point", first, second);
    free(first);
    free(second);
    return 0;
}
