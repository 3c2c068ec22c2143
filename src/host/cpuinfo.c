#include "host/cpuinfo.h"
#include "common/file.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the space-separated flag list contain `flag` as a whole word? */
static bool has_flag(const char *list, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = list; (p = strstr(p, flag)); p += n) {
        bool starts = p == list || p[-1] == ' ' || p[-1] == '\t';
        bool ends = p[n] == '\0' || p[n] == ' ' || p[n] == '\n' || p[n] == '\t';
        if (starts && ends)
            return true;
    }
    return false;
}

static void copy_value(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v);
}

int vr_cpuinfo_parse(const char *text, vr_cpuinfo *out)
{
    memset(out, 0, sizeof(*out));
    char *copy = vr_strdup(text);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *key = vr_str_trim(line);
        char *val = vr_str_trim(colon + 1);
        if (strcmp(key, "processor") == 0) {
            out->processors++;
        } else if (strcmp(key, "vendor_id") == 0 && !out->vendor[0]) {
            copy_value(out->vendor, sizeof(out->vendor), val);
        } else if (strcmp(key, "model name") == 0 && !out->model[0]) {
            copy_value(out->model, sizeof(out->model), val);
        } else if (strcmp(key, "flags") == 0 && out->processors <= 1) {
            /* The first processor speaks for all: mixed flags across
             * cores do not happen on the x86 hosts we serve. */
            out->vmx = has_flag(val, "vmx");
            out->svm = has_flag(val, "svm");
            out->hypervisor = has_flag(val, "hypervisor");
        }
    }
    free(copy);
    return out->processors > 0 ? 0 : -1;
}

int vr_cpuinfo_read(vr_cpuinfo *out)
{
    const char *path = getenv("VIREO_CPUINFO");
    char *text = vr_file_read(path ? path : "/proc/cpuinfo", NULL);
    if (!text) {
        memset(out, 0, sizeof(*out));
        return -1;
    }
    int rc = vr_cpuinfo_parse(text, out);
    free(text);
    return rc;
}
