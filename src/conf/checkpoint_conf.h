/* Domain checkpoint metadata: libvirt's <domaincheckpoint> XML
 * (formatcheckpoint.html) as Vireo stores it per checkpoint: name,
 * description, creationTime, parent and the disks it covers, each
 * `checkpoint='bitmap'` with the name of its persistent dirty bitmap or
 * `checkpoint='no'`. The bitmaps themselves live in the qcow2 images;
 * libvirt's copy of the domain XML inside is not kept. */
#pragma once
#include "conf/stored_form.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;   /* the disk's target, "vda" */
    bool bitmap;  /* checkpoint='bitmap' (else 'no') */
    char *bitmap_name; /* the bitmap in the image (default: the checkpoint's name) */
} vr_checkpoint_disk;

typedef struct {
    char *name;
    char *description;       /* or NULL */
    char *parent;            /* the checkpoint before, or NULL */
    long long creation_time; /* unix seconds */
    vr_checkpoint_disk *disks;
    size_t n_disks;
} vr_checkpoint_def;

/* A stored checkpoint. */
vr_checkpoint_def *vr_checkpoint_def_parse(const char *xml, size_t len, char **err);
/* A client's request (checkpoint-create FILE, backup-begin's second
 * XML): the same, named `default_name` when it names none; <parent> and
 * <creationTime> are Vireo's to set and refused here. */
vr_checkpoint_def *vr_checkpoint_def_parse_new(const char *xml, size_t len, const char *default_name,
                                               char **err);
char *vr_checkpoint_def_format(const vr_checkpoint_def *def);
void vr_checkpoint_def_free(vr_checkpoint_def *def);
/* The disk entry for `target`, or NULL. */
vr_checkpoint_disk *vr_checkpoint_def_disk(const vr_checkpoint_def *def, const char *target);
void vr_checkpoint_def_add_disk(vr_checkpoint_def *def, const char *target, bool bitmap, const char *bitmap_name);

extern const vr_conf_kind vr_conf_checkpoint;
