/* Snapshot operations shared by the transports (the HTTP API's
 * snapshots routes and libvirt's virDomainSnapshot* procedures). */
#pragma once
#include "drivers/qemu/qemu_snapshot.h"

/* A snapshot's name when the client gives none: the time in seconds, as
 * libvirt names one, after "snapshot-" (QEMU takes a name of digits
 * alone for a snapshot id) (free()). */
char *vr_core_snapshot_default_name(void);
/* snapshot-create from libvirt's <domainsnapshot> XML (name and
 * description; no name: the default). VR_OK: the snapshot is under way
 * and cb answers once QEMU is done (perhaps at once); *name is its name
 * (free()), set before the driver starts. Else the
 * XML was refused, *err says why, and cb is not called. */
vr_err vr_core_snapshot_create_xml(vr_domain *dom, const char *xml, char **name, vr_done_fn cb, void *opaque,
                                   char **err);
