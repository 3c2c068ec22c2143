/* Internals of the QEMU driver's live changes (qemu_hotplug.c, and
 * qemu_media.c, qemu_vcpus.c): one operation as a list of QMP steps run
 * in order, each with the step that undoes it should a later one fail,
 * and the definitions that take effect once QEMU confirmed. */
#pragma once
#include "conf/domain_device.h"
#include "drivers/qemu/qemu_domain.h"

#include <json-c/json.h>

typedef struct vr_hp vr_hp;

typedef struct {
    const char *cmd;
    json_object *args;
    const char *undo; /* NULL: nothing to undo */
    json_object *undo_args;
    int fd;           /* >= 0: passed along (getfd) */
    bool unplug;      /* device_del of h->id: go on once the guest let go */
    /* Sees the answer (of a query): an error message (malloc'ed) ends
     * the operation there. */
    char *(*on_reply)(vr_hp *h, json_object *ret);
} vr_hp_step_t;

struct vr_hp {
    vr_domain *dom;
    unsigned flags;          /* VR_AFFECT_LIVE, VR_AFFECT_CONFIG */
    vr_hp_step_t *steps;
    size_t n, at;
    void (*end)(vr_hp *h);   /* after the last step */
    void (*on_fail)(vr_hp *h); /* when it ends in an error */
    vr_domain_def *live, *config; /* the definitions to take effect */
    vr_device_kind kind;
    size_t index;
    char *id;                /* QEMU's device id */
    char *key;               /* the device in the definition: target or MAC */
    char *top_node;          /* a detached disk's top block node, as QEMU named it */
    char *secret_id;         /* a detached LUN's or RBD image's secret object (sec-T), or NULL */
    char *tap;               /* a new interface's tap */
    int tapfd;
    bool forget_mac;         /* a NIC number was taken for this attach */
    unsigned long long number; /* the operation's own value (a size, a count) */
    char *event;             /* a live change's tunable event (its detail), sent once it took effect */
    vr_done_fn cb;
    void *opaque;
};

vr_hp *vr_hp_new(vr_domain *dom, unsigned flags, vr_done_fn cb, void *opaque);
/* Append a step; args and undo_args are taken. */
void vr_hp_step(vr_hp *h, const char *cmd, json_object *args, const char *undo, json_object *undo_args);
/* device_del of `id`; the next step runs once the guest let it go. */
void vr_hp_step_unplug(vr_hp *h, const char *id);
/* Run the steps from h->at; h->end once all succeeded. */
void vr_hp_run(vr_hp *h);
/* Answer the caller and free the operation. */
void vr_hp_finish(vr_hp *h, vr_err code, const char *err);
/* Go on with a planned operation: on a failed plan answer with err
 * (freed); else `end` after the QMP steps when `live`, at once when not. */
void vr_hp_go(vr_hp *h, vr_err code, char *err, bool live, void (*end)(vr_hp *h));
/* An `end` that takes h->live and h->config as the flags say. */
void vr_hp_replace_end(vr_hp *h);
/* QEMU's number K of the run's NIC with this MAC (device nicK), or -1. */
int vr_hp_nic_number(const vr_domain *dom, const char *mac);
/* The two blockdev-add steps of a disk's medium (file-T and drive-T),
 * a LUN's or RBD image's after the object-add of its secret (sec-T);
 * -1 with *err when `path` is not a volume URL the node can be made of. */
int vr_hp_disk_nodes(vr_hp *h, const vr_disk_def *d, const char *path, char **err);

/* QEMU answers QMP. */
bool vr_hp_active(const vr_domain *dom);
/* The flags fit the domain: LIVE needs it running, CONFIG persistent.
 * `what` completes "use --config to WHAT its definition". */
vr_err vr_hp_check(const vr_domain *dom, unsigned flags, const char *what, char **err);
/* The persistent definition (the live one until a change sets them apart). */
const vr_domain_def *vr_hp_config_def(const vr_domain *dom);
/* Take `def` as the live definition (the old one stays the persistent
 * one when they were the same) and save it for re-adoption. */
void vr_hp_live_replace(vr_domain *dom, vr_domain_def *def);
/* Save `def` as the persistent definition and take it (taken either way). */
vr_err vr_hp_config_replace(vr_domain *dom, vr_domain_def *def, char **err);
/* Is device `id` being asked out already? */
bool vr_hp_unplugging(const vr_domain *dom, const char *id);

/* The steps of a DIMM's hot-plug, h->live->memdevs[h->index]
 * (qemu_memdev.c). */
vr_err vr_qemu_plan_dimm(vr_hp *h, char **err);
/* The steps of its unplug: device_del of dimmN, then object-del of its
 * backend memdimmN; h->id and h->key are dimmN. */
void vr_qemu_plan_dimm_unplug(vr_hp *h, const vr_memdev_def *m);
