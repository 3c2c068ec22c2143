/* One validation for create and load: a definition is stored only if
 * the text written parses back, through the same parser the next start
 * uses, to the same definition. The drivers save through here. */
#pragma once
#include "common/errors.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *what; /* "domain", "network", "pool", "snapshot" */
    char *(*format)(const void *def);
    void *(*parse)(const char *xml, size_t len, char **err);
    void (*free)(void *def);
    /* The definition's name and uuid (canonical text; NULL for kinds
     * without one): what the registry (src/registry) files it under. */
    const char *(*name)(const void *def);
    const char *(*uuid)(const void *def);
    /* Known by its uuid alone (secrets): `name` gives the uuid too, and
     * there is no autostart. */
    bool keyed_by_uuid;
} vr_conf_kind;

extern const vr_conf_kind vr_conf_domain, vr_conf_network, vr_conf_pool, vr_conf_snapshot, vr_conf_secret;

/* The XML to store for `def` (named `name` in messages), or NULL with
 * *err when it does not parse back to the same definition: it fails to
 * parse, or parses to one that formats differently. */
char *vr_conf_stored_form(const vr_conf_kind *kind, const void *def, const char *name, char **err);

/* vr_conf_stored_form, then an atomic write to `path`. VR_OK;
 * VR_ERR_INVALID when the definition cannot be stored as it is (nothing
 * is written); VR_ERR_FAILED when the write fails (a full disk is named
 * as such). */
vr_err vr_conf_save(const vr_conf_kind *kind, const void *def, const char *name, const char *path, char **err);
