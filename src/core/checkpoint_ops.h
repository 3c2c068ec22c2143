/* Checkpoints (checkpoint-create-as, checkpoint-create, checkpoint-delete):
 * a persistent dirty bitmap named after the checkpoint on every qcow2
 * disk, made or removed through QEMU when the domain runs (one
 * transaction) or with `qemu-img bitmap` when it is shut off, and the
 * metadata the QEMU driver keeps. A checkpoint's bitmap records every
 * write since it was made; backup-begin with <incremental> copies what
 * it marks. */
#pragma once
#include "conf/checkpoint_conf.h"
#include "drivers/qemu/qemu_checkpoint.h"

/* The new checkpoint completed from the domain (in place): every disk of
 * the domain listed (checkpoint='bitmap' unless the XML said 'no'),
 * parent and creation time set. Refused: a name in use, a disk the
 * domain lacks, a raw or read-only disk asked to hold a bitmap. */
vr_err vr_core_checkpoint_plan(vr_domain *dom, vr_checkpoint_def *def, char **err);
/* The bitmap additions of a planned checkpoint (ops and their strings
 * borrow from def; free only the array). */
vr_bitmap_op *vr_core_checkpoint_adds(const vr_checkpoint_def *def, size_t *n);

/* name: the checkpoint made (NULL on failure). */
typedef void (*vr_checkpoint_done_fn)(vr_err code, const char *err, const char *name, void *opaque);
#define VR_CHECKPOINT_CREATE_REDEFINE 1u /* metadata only, of bitmaps the images hold (libvirt's REDEFINE) */
#define VR_CHECKPOINT_CREATE_QUIESCE 2u  /* the guest's file systems frozen by its agent around the bitmaps */
/* xml: a <domaincheckpoint>, or NULL for `name` and `description` alone;
 * no name at all: the time in seconds, as libvirt names them. REDEFINE
 * takes the stored form (<parent>, <creationTime> kept) and refuses a
 * disk whose image lacks the bitmap. */
void vr_core_checkpoint_create(vr_domain *dom, const char *xml, const char *name, const char *description,
                               unsigned flags, vr_checkpoint_done_fn cb, void *opaque);

#define VR_CHECKPOINT_DELETE_CHILDREN 1u      /* its descendants go too */
#define VR_CHECKPOINT_DELETE_METADATA_ONLY 2u /* the bitmaps stay in the images */
/* The bitmap of each deleted checkpoint is merged into its parent's (so
 * the parent still marks every write since the parent), then removed;
 * its children get its parent. */
void vr_core_checkpoint_delete(vr_domain *dom, const char *name, unsigned flags, vr_done_fn cb, void *opaque);
