#include "conf/units.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char letters[] = "kmgtpe";

const char *vr_units_help(void)
{
    return "b, KiB (k), MiB (M), GiB (G), TiB (T), PiB (P), EiB (E), KB, MB, GB, TB, PB, EB";
}

bool vr_unit_scale(const char *unit, unsigned long long dflt, unsigned long long *scale)
{
    if (!unit || !*unit) {
        *scale = dflt;
        return true;
    }
    if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "bytes") == 0) {
        *scale = 1;
        return true;
    }
    const char *l = strchr(letters, tolower((unsigned char)unit[0]));
    if (!l || !*l)
        return false;
    unsigned long long base;
    if (unit[1] == '\0' || strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (strcasecmp(unit + 1, "B") == 0)
        base = 1000;
    else
        return false;
    /* At most 1024^6 = 2^60: no overflow possible here. */
    unsigned long long s = 1;
    for (long p = l - letters; p >= 0; p--)
        s *= base;
    *scale = s;
    return true;
}

int vr_units_to_bytes(unsigned long long value, const char *unit, unsigned long long dflt_scale,
                      const char *what, unsigned long long *bytes, char **err)
{
    unsigned long long scale;
    if (!vr_unit_scale(unit, dflt_scale, &scale)) {
        vr_set_error(err, "%s: unknown unit '%s' (use %s)", what, unit, vr_units_help());
        return -1;
    }
    if (__builtin_mul_overflow(value, scale, bytes)) {
        vr_set_error(err, "%s: %llu %s is too large", what, value, unit && *unit ? unit : "");
        return -1;
    }
    return 0;
}

int vr_size_parse(const char *s, unsigned long long dflt_scale, unsigned long long *bytes,
                  char **err)
{
    const char *p = s ? s : "";
    while (isspace((unsigned char)*p))
        p++;
    if (!*p) {
        vr_set_error(err, "empty size (write a number with an optional unit, e.g. 10G)");
        return -1;
    }
    if (*p == '-') {
        vr_set_error(err, "'%s': a size cannot be negative", s);
        return -1;
    }
    if (!isdigit((unsigned char)*p)) {
        vr_set_error(err, "'%s' is not a size (write a number with an optional unit, e.g. 10G)", s);
        return -1;
    }
    unsigned long long whole = 0;
    bool overflow = false;
    for (; isdigit((unsigned char)*p); p++) {
        if (__builtin_mul_overflow(whole, 10, &whole) ||
            __builtin_add_overflow(whole, (unsigned)(*p - '0'), &whole))
            overflow = true;
    }
    /* The fraction keeps at most 18 digits so that 10^digits fits in 64
     * bits; later digits cannot change a whole number of bytes anyway
     * for any unit up to EiB (2^60 < 10^19). */
    unsigned long long frac = 0, frac_div = 1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) {
            vr_set_error(err, "'%s' is not a size (digits must follow the '.')", s);
            return -1;
        }
        for (int n = 0; isdigit((unsigned char)*p); p++, n++) {
            if (n < 18) {
                frac = frac * 10 + (unsigned)(*p - '0');
                frac_div *= 10;
            }
        }
    }
    while (*p == ' ')
        p++;
    char *unit = vr_strdup(p);
    vr_str_trim(unit);
    unsigned long long scale;
    if (!vr_unit_scale(unit, dflt_scale, &scale)) {
        vr_set_error(err, "'%s': unknown unit '%s' (use %s)", s, unit, vr_units_help());
        free(unit);
        return -1;
    }
    free(unit);
    unsigned long long total;
    unsigned __int128 part = (unsigned __int128)frac * scale / frac_div;
    if (overflow || __builtin_mul_overflow(whole, scale, &total) ||
        __builtin_add_overflow(total, (unsigned long long)part, &total)) {
        vr_set_error(err, "'%s' is too large (the limit is 16 EiB)", s);
        return -1;
    }
    *bytes = total;
    return 0;
}
