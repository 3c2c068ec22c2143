/* Sizes with units, as libvirt XML and virsh write them.
 *
 * Units follow libvirt: "b"/"bytes" are bytes; a single letter k, M, G,
 * T, P, E or the same letter followed by "iB" is a power of 1024; the
 * letter followed by "B" (KB, MB, ...) is a power of 1000. The letter is
 * case-insensitive, as in libvirt. Every multiplication is checked for
 * overflow: a size that does not fit in 64 bits is an error, never a
 * wrapped value. */
#pragma once
#include <stdbool.h>

/* Bytes per `unit`. NULL or "" gives `dflt`. Returns false for an
 * unknown unit. */
bool vr_unit_scale(const char *unit, unsigned long long dflt, unsigned long long *scale);

/* value * unit in bytes. Returns 0, or -1 with *err set (unknown unit,
 * overflow). `what` names the thing in messages, e.g. "<memory>". */
int vr_units_to_bytes(unsigned long long value, const char *unit, unsigned long long dflt_scale,
                      const char *what, unsigned long long *bytes, char **err);

/* A virsh-style size: a number with an optional fraction and an
 * optional unit ("10G", "512M", "1.5GiB", "4096", "2 TB"). A number
 * without unit is multiplied by `dflt_scale` (1 for bytes). A fraction
 * that does not come to a whole number of bytes is rounded down.
 * Returns 0, or -1 with *err set to a one-line message that quotes the
 * input ("-1": negative; "12XB": unknown unit). */
int vr_size_parse(const char *s, unsigned long long dflt_scale, unsigned long long *bytes,
                  char **err);

/* The list of accepted units, for messages. */
const char *vr_units_help(void);
