/* A running disk's block nodes as QEMU has them now, for every live
 * change of a disk's chain (snapshots, block jobs, detach).
 *
 * At start a disk is two nodes, file-TARGET (protocol) under
 * drive-TARGET (format). A disk-only snapshot puts ovN-TARGET on top,
 * a block copy's destination is copyN-TARGET; jobs move the top and drop
 * layers, so nothing may assume the start's names: the chain is read
 * from QEMU (query-block for the top, query-named-block-nodes for the
 * layers under it). Each image file is opened by one format node; the
 * nodes the daemon added (all but QEMU's own "#blockN") are deleted by
 * name when they leave the chain. */
#pragma once
#include "drivers/qemu/qemu_domain.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* query-block's entry for the disk whose device id is `target`, or NULL. */
json_object *vr_qb_block_of(json_object *query_block, const char *target);
/* A field of that entry's "inserted" (node-name, file, drv), or NULL. */
const char *vr_qb_inserted(json_object *block, const char *key);

/* One layer of a disk's chain: its format node, file and format. */
typedef struct {
    char *node, *file, *format;
} vr_qb_layer;

/* The chain under the format node `top`, top first, from
 * query-named-block-nodes' answer. Returns the number of layers (0 when
 * QEMU has no node `top`); *out is the caller's (vr_qb_chain_free). */
size_t vr_qb_chain(json_object *named_nodes, const char *top, vr_qb_layer **out);
void vr_qb_chain_free(vr_qb_layer *chain, size_t n);
/* The layer whose file is `path` (the same file however spelled), or -1. */
int vr_qb_chain_find(const vr_qb_layer *chain, size_t n, const char *path);

/* The blockdev-del arguments that take the layer's nodes out of QEMU,
 * appended to `dels` (a JSON array): its format node, then the protocol
 * node file-TARGET that drive-TARGET sits on. Nothing for QEMU's own
 * "#blockN" nodes (they go with their parent). */
void vr_qb_del_args(const vr_qb_layer *layer, const char *target, json_object *dels);

/* Both definitions' disk `target` now runs on `path` (a file, or a
 * block device when `block`) of `format`; the persistent one is saved. */
void vr_qb_set_disk_source(vr_domain *dom, const char *target, const char *path, const char *format, bool block);
