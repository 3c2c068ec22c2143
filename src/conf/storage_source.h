/* A pool's <source> per kind: what each kind takes, parsed strictly,
 * completed with libvirt's defaults and written back. Internal to
 * storage_conf.c. */
#pragma once
#include "conf/storage_conf.h"

#include <libxml/tree.h>

int vr_pool_source_parse(vr_pool_type t, const xmlNode *n, vr_pool_source *s, char **err);
/* The fields of pool-define-as that name a source, refused by name when
 * the kind takes no such thing. */
int vr_pool_source_from_fields(vr_pool_type t, const vr_pool_fields *f, vr_pool_source *s, char **err);
/* Defaults (format, target) and what is required; `target` may be
 * replaced with the kind's fixed one. -1 with *err. */
int vr_pool_source_complete(vr_pool_type t, const char *name, vr_pool_source *s, char **target, char **err);
/* Does the kind have a target directory (dir, fs, disk) or none (iscsi-direct)? */
bool vr_pool_source_has_target(vr_pool_type t);
void vr_pool_source_format(vr_pool_type t, xmlNode *parent, const vr_pool_source *s);
void vr_pool_source_copy(vr_pool_source *dst, const vr_pool_source *src);
