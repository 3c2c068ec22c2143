/* virt-install's option values: key=value[,key=value...], values may be
 * "quoted" (commas inside); a first item without '=' has key "" (the
 * positional value). Read by the daemon's install plan (src/core) and by
 * the CLI for what stays on the client (--cloud-init). */
#pragma once
#include <stddef.h>

typedef struct {
    char *key, *value;
} vr_kv;

vr_kv *vr_kv_split(const char *spec, size_t *n);
void vr_kv_free(vr_kv *items, size_t n);
