/* Checkpoints (libvirt's checkpoint-* commands): the metadata kept per
 * domain in CONFIG/qemu/checkpoint/DOMAIN/NAME.xml, and the persistent
 * dirty bitmaps of a running domain changed through QMP, all disks in
 * one `transaction`. A shut-off domain's bitmaps are qemu-img's job
 * (src/core/checkpoint_ops.c): the driver never runs storage tools. */
#pragma once
#include "conf/checkpoint_conf.h"
#include "drivers/qemu/qemu_driver.h"

#include <json-c/json.h>

char *vr_qemu_checkpoint_dir(const vr_qemu_driver *drv, const char *domain);
/* Oldest first (the caller frees: vr_qemu_checkpoint_list_free). */
void vr_qemu_checkpoint_list(vr_domain *dom, vr_checkpoint_def ***out, size_t *n);
void vr_qemu_checkpoint_list_free(vr_checkpoint_def **list, size_t n);
vr_err vr_qemu_checkpoint_get(vr_domain *dom, const char *name, vr_checkpoint_def **out, char **err);
/* The newest checkpoint's name (the parent of the next), or NULL. */
char *vr_qemu_checkpoint_last(vr_domain *dom);
vr_err vr_qemu_checkpoint_save(vr_domain *dom, const vr_checkpoint_def *def, char **err);
vr_err vr_qemu_checkpoint_forget(vr_domain *dom, const char *name, char **err);
/* Undefine: the domain's checkpoint metadata goes (the bitmaps stay in
 * the images, harmless; a domain defined later under the name starts
 * with none). libvirt refuses instead unless --checkpoints-metadata. */
void vr_qemu_checkpoint_forget_all(vr_qemu_driver *drv, const char *domain);

/* One change to a disk's bitmaps. */
/* CHECK changes nothing: the disk must hold the bitmap (a running
 * image's bitmaps reach its file only when QEMU closes it, so only QEMU
 * knows); a missing one fails the whole with VR_ERR_NOT_FOUND. */
typedef enum { VR_BITMAP_ADD, VR_BITMAP_MERGE, VR_BITMAP_REMOVE, VR_BITMAP_CHECK } vr_bitmap_op_kind;
typedef struct {
    vr_bitmap_op_kind kind;
    const char *target; /* the disk, "vda" */
    const char *bitmap; /* ADD, REMOVE: the bitmap; MERGE: the one merged in */
    const char *into;   /* MERGE: the bitmap that takes it */
} vr_bitmap_op;
/* All ops in one QMP transaction on the running domain's top nodes:
 * all or none. ADD makes a persistent, enabled bitmap. */
/* The transaction action of one op on the node `node`. */
json_object *vr_qemu_bitmap_action(vr_bitmap_op_kind kind, const char *node, const char *bitmap, const char *into);
void vr_qemu_bitmap_transaction(vr_domain *dom, const vr_bitmap_op *ops, size_t n, vr_done_fn cb, void *opaque);
