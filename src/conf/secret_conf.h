/* Secret definitions: libvirt's secret XML (docs/storage.md, "Secrets").
 * The definition never holds the value: values are kept apart by the
 * secret driver and never written into XML, logs or messages. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "conf/uuid.h"

typedef enum {
    VR_SECRET_USAGE_NONE,
    VR_SECRET_USAGE_VOLUME, /* <volume>PATH</volume> */
    VR_SECRET_USAGE_CEPH,   /* <name>NAME</name> */
    VR_SECRET_USAGE_ISCSI,  /* <target>NAME</target> */
    VR_SECRET_USAGE_TLS,    /* <name>NAME</name> */
    VR_SECRET_USAGE_VTPM,   /* <name>NAME</name> */
} vr_secret_usage;

typedef struct {
    char uuid[VR_UUID_STRLEN];
    char *description;    /* or NULL */
    bool ephemeral;       /* kept in memory only, never on disk */
    bool private_;        /* the value can be set but never read back */
    vr_secret_usage usage;
    char *usage_id;       /* the usage's volume, name or target; NULL for none */
} vr_secret_def;

/* Parse and validate; a missing uuid is generated. NULL with *err. */
vr_secret_def *vr_secret_def_parse(const char *xml, size_t len, char **err);
char *vr_secret_def_format(const vr_secret_def *def);
void vr_secret_def_free(vr_secret_def *def);
/* "none", "volume", "ceph", "iscsi", "tls", "vtpm" */
const char *vr_secret_usage_name(vr_secret_usage u);
/* Parse a usage type name; false when there is none such. */
bool vr_secret_usage_parse(const char *s, vr_secret_usage *out);
