/* Domain snapshot metadata: the subset of libvirt's <domainsnapshot>
 * XML that Vireo keeps per snapshot (name, description, creationTime,
 * state, parent, and <active> for the current one, as libvirt stores it
 * in its own files). The snapshot itself lives inside the qcow2 images
 * (internal snapshots); this is what the images do not record. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

typedef enum { VR_SNAP_RUNNING, VR_SNAP_PAUSED, VR_SNAP_SHUTOFF } vr_snap_state;

typedef struct {
    char *name;
    char *description;   /* or NULL */
    char *parent;        /* the snapshot this one was taken after, or NULL */
    long long creation_time; /* unix seconds */
    vr_snap_state state; /* the domain's state when it was taken */
    bool current;
} vr_snapshot_def;


vr_snapshot_def *vr_snapshot_def_parse(const char *xml, size_t len, char **err);
/* A client's request for a new snapshot (virDomainSnapshotCreateXML):
 * the same subset, with `default_name` when it names none. */
vr_snapshot_def *vr_snapshot_def_parse_new(const char *xml, size_t len, const char *default_name, char **err);
char *vr_snapshot_def_format(const vr_snapshot_def *def);
void vr_snapshot_def_free(vr_snapshot_def *def);
const char *vr_snap_state_name(vr_snap_state s);
