/* CPU lists as libvirt writes them ("0-3,6,^2"): host CPUs in <vcpu
 * cpuset> and <cputune>, guest vCPUs in <cell cpus>. */
#pragma once
#include <stdbool.h>

bool vr_cpulist_valid(const char *s);

/* The next entry of a valid list at *p: lo..hi (a single CPU: lo ==
 * hi), *exclude for a "^" entry. Advances *p; false at the end. */
bool vr_cpulist_next(const char **p, unsigned long *lo, unsigned long *hi, bool *exclude);

/* The members below `n` of a valid list: on[v] = 1 for each (on[] has
 * n entries, cleared first). */
void vr_cpulist_bits(const char *list, unsigned char *on, unsigned n);
