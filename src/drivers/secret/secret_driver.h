/* Secrets: libvirt's secret objects (CHAP passwords for iSCSI, Ceph
 * keys, LUKS passphrases). Definitions in CONFIG/secrets/UUID.xml, each
 * value apart in CONFIG/secrets/UUID.value, both 0600 in a 0700
 * directory; ephemeral secrets stay in memory only. A value is never
 * written into a log, an XML form or a message; it is read from its
 * file when needed, not kept in memory. */
#pragma once
#include "common/errors.h"
#include "common/paths.h"
#include "conf/secret_conf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct vr_secret_driver vr_secret_driver;

typedef struct {
    vr_secret_def *def;
    bool has_value;
    unsigned char *mem_value; /* ephemeral secrets only */
    size_t mem_len;
} vr_secret;

/* The most a value may hold: keys and passwords, not files. */
#define VR_SECRET_VALUE_MAX (64u * 1024)

vr_secret_driver *vr_secret_driver_new(const vr_paths *paths);
void vr_secret_driver_free(vr_secret_driver *drv);

vr_secret *const *vr_secrets(vr_secret_driver *drv, size_t *n); /* sorted by uuid (the store's order) */
vr_secret *vr_secret_lookup(vr_secret_driver *drv, const char *uuid);
/* The secret for a usage ("iscsi" target name, "ceph" name ...), or NULL. */
vr_secret *vr_secret_lookup_usage(vr_secret_driver *drv, vr_secret_usage usage, const char *id);
/* Define (or redefine, same uuid) from XML; a usage another secret has
 * is refused. */
vr_err vr_secret_define(vr_secret_driver *drv, const char *xml, vr_secret **out, char **err);
vr_err vr_secret_undefine(vr_secret_driver *drv, vr_secret *s, char **err);
vr_err vr_secret_set_value(vr_secret_driver *drv, vr_secret *s, const unsigned char *value, size_t len,
                           char **err);
/* The value (malloc'ed, *len bytes, NUL after the end). `for_client`:
 * refused for private secrets (the daemon's own users, such as QEMU's
 * -object secret, pass false). Clear it with vr_secret_value_free. */
vr_err vr_secret_get_value(vr_secret_driver *drv, vr_secret *s, bool for_client, unsigned char **value,
                           size_t *len, char **err);
void vr_secret_value_free(unsigned char *value, size_t len);
/* "secret 3f2a… (iscsi 'iqn…')": how messages name a secret. */
char *vr_secret_what(const vr_secret *s);
