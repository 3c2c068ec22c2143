/* backup-begin: a push backup of a running domain (libvirt's backup
 * XML), the copies made by QEMU (drivers/qemu/qemu_backup.h) into target
 * files made here with qemu-img, optionally with a new checkpoint taken
 * at the same instant. Targets default to the disk's file name with
 * "." and the checkpoint's name (or the time) after it, as libvirt does.
 * A failed or cancelled backup removes its target files and the
 * checkpoint it made. */
#pragma once
#include "conf/backup_conf.h"
#include "conf/checkpoint_conf.h"
#include "drivers/qemu/qemu_driver.h"

#include <json-c/json.h>

/* def and cp (may be NULL) are taken. `started` answers first (after it
 * failed nothing is left and `ended` never comes); `ended` at the end.
 * bundle (borrowed, or NULL): the plan of the vireo backup bundle this
 * is the first step of (backup_ops.c), kept in the backup's record: a
 * daemon restarted meanwhile finishes the bundle from it. */
void vr_core_backup_begin(vr_domain *dom, vr_backup_def *def, vr_checkpoint_def *cp, json_object *bundle,
                          vr_done_fn started, vr_done_fn ended, void *opaque);
/* The same from the two XML texts (either may be NULL: every disk, full,
 * no checkpoint). */
void vr_core_backup_begin_xml(vr_domain *dom, const char *backup_xml, const char *checkpoint_xml, vr_done_fn started,
                              vr_done_fn ended, void *opaque);

/* backup-dumpxml: the running backup's XML (malloc'ed), or NULL when
 * none runs. */
char *vr_core_backup_xml(const vr_domain *dom);

/* The end of a backup a restarted daemon re-adopted (the QEMU driver's
 * backup_end, vr_qemu_set_backup_end): as at the end of one begun here,
 * its scratch files (pull) or a failed one's targets go, and the
 * checkpoint a failed one made; a bundle's push backup hands over to the
 * bundle's run this daemon resumed (backup_ops.h). */
void vr_core_backup_adopted_end(vr_qemu_driver *drv, const char *domain, const char *owner, vr_err code,
                                const char *err);
