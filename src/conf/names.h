/* The one rule for the names of everything Vireo stores: domains,
 * networks, pools, volumes, snapshots and checkpoints. A name becomes a file name, a
 * JSON string and an XML text, so for every kind it is non-empty,
 * bounded, valid UTF-8, without control characters, without '/', not
 * starting with '.' (so never "." or ".."), without white space at
 * either end (an XML reader would trim it away). Kinds whose names are
 * also read by QEMU (domains: -name; snapshots: the monitor) or written
 * into dnsmasq's files (networks) keep to A-Z a-z 0-9 _ . + -.
 * docs/xml-domain.md and docs/api.md describe it for users. */
#pragma once
#include <stdbool.h>

typedef enum {
    VR_NAME_DOMAIN,
    VR_NAME_NETWORK,
    VR_NAME_POOL,
    VR_NAME_VOLUME,
    VR_NAME_SNAPSHOT,
    VR_NAME_CHECKPOINT,
} vr_name_kind;

/* True when `name` may name an object of `kind`; otherwise false with
 * *err = "<kind> name '<name>' is refused: <why>" (one line: control
 * characters in the name are shown escaped). NULL is refused too. */
bool vr_name_check(vr_name_kind kind, const char *name, char **err);

/* "domain", "network", ... */
const char *vr_name_kind_str(vr_name_kind kind);
