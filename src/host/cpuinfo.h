/* What /proc/cpuinfo says about virtualization support. */
#pragma once
#include <stdbool.h>

typedef struct {
    char vendor[32];  /* vendor_id: GenuineIntel, AuthenticAMD, ... */
    char model[128];  /* model name of the first processor */
    int processors;   /* number of "processor" stanzas */
    bool vmx;         /* Intel VT-x */
    bool svm;         /* AMD-V */
    bool hypervisor;  /* we are ourselves a guest of some hypervisor */
} vr_cpuinfo;

/* Parse the text of /proc/cpuinfo (kept separate from the read so that
 * recorded fixtures can be tested). Returns 0, or -1 when the text has
 * no processor at all. */
int vr_cpuinfo_parse(const char *text, vr_cpuinfo *out);

/* Read and parse /proc/cpuinfo (or $VIREO_CPUINFO, for tests). */
int vr_cpuinfo_read(vr_cpuinfo *out);
