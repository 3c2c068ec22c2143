/* virt-install's key=value option lists (install_kv.h). */
#include "install/install_kv.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

vr_kv *vr_kv_split(const char *spec, size_t *n)
{
    vr_kv *items = NULL;
    *n = 0;
    const char *p = spec;
    while (*p) {
        vr_strbuf item = {0};
        vr_strbuf_add(&item, "");
        bool quoted = false;
        for (; *p && (quoted || *p != ','); p++) {
            if (*p == '"') {
                quoted = !quoted;
                continue;
            }
            vr_strbuf_addn(&item, p, 1);
        }
        if (*p == ',')
            p++;
        char *s = vr_strbuf_take(&item);
        char *eq = strchr(s, '=');
        items = vr_realloc(items, (*n + 1) * sizeof(*items));
        if (eq) {
            *eq = '\0';
            items[*n].key = vr_strdup(s);
            items[*n].value = vr_strdup(eq + 1);
            free(s);
        } else {
            items[*n].key = vr_strdup("");
            items[*n].value = s;
        }
        (*n)++;
    }
    return items;
}

void vr_kv_free(vr_kv *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].key);
        free(items[i].value);
    }
    free(items);
}
