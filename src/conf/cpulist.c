#include "conf/cpulist.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool vr_cpulist_valid(const char *s)
{
    bool any = false;
    while (*s) {
        if (*s == '^')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
        if (*s == '-') {
            s++;
            if (!isdigit((unsigned char)*s))
                return false;
            while (isdigit((unsigned char)*s))
                s++;
        }
        any = true;
        if (*s == ',')
            s++;
        else if (*s)
            return false;
    }
    return any;
}

bool vr_cpulist_next(const char **p, unsigned long *lo, unsigned long *hi, bool *exclude)
{
    const char *s = *p;
    if (!*s)
        return false;
    *exclude = *s == '^';
    if (*exclude)
        s++;
    char *end;
    *lo = *hi = strtoul(s, &end, 10);
    if (*end == '-')
        *hi = strtoul(end + 1, &end, 10);
    if (*end == ',')
        end++;
    *p = end;
    return true;
}

void vr_cpulist_bits(const char *list, unsigned char *on, unsigned n)
{
    unsigned long lo, hi;
    bool exclude;
    memset(on, 0, n);
    while (vr_cpulist_next(&list, &lo, &hi, &exclude))
        for (unsigned long v = lo; v <= hi && v < n; v++)
            on[v] = !exclude;
}
