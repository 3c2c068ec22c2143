/* The storage driver: pools (directories) and their volumes (image
 * files), on the daemon's one event loop. The API routes call these
 * functions; they never touch XML, files or qemu-img themselves.
 *
 * Volumes are not cached: every listing reads the directory and the
 * image headers, so files added or removed behind Vireo's back show up
 * at once and nothing can go stale. pool-refresh only re-checks that
 * the directory is still there. */
#pragma once
#include "common/errors.h"
#include "common/paths.h"
#include "conf/storage_conf.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct vr_storage_driver vr_storage_driver;
typedef struct vr_pool vr_pool;

struct vr_pool {
    vr_storage_driver *drv;
    vr_pool_def *def;
    bool active;
    bool autostart;
    unsigned busy; /* copies and transfers under way in the pool */
    bool starting; /* a pool-start's check runs beside the loop (vr_storage_pool_start_async) */
    unsigned creating; /* volumes being created beside the loop (vr_storage_vol_create_async) */
};

/* A volume as found on disk. */
typedef struct {
    char *name;
    char *pool;
    char *path;
    vr_vol_format format;
    unsigned long long capacity, allocation;
    char *backing;              /* qcow2 backing file (absolute), or NULL */
    vr_vol_format backing_format;
    char *used_by;              /* a running domain using it, or NULL */
    bool block;                 /* a block device (a disk pool's partition), not a file */
} vr_vol_info;
void vr_vol_info_clear(vr_vol_info *v);
void vr_vol_info_list_free(vr_vol_info *v, size_t n);

/* Which running domain uses the image at `path` (a malloc'ed name), or
 * NULL. The daemon wires it to the QEMU driver. */
typedef char *(*vr_storage_user_fn)(const char *path, void *opaque);
/* Pool events, as libvirt has them. Lifecycle: defined (added/updated),
 * undefined, started, stopped (destroyed/vanished), created (pool-build)
 * and deleted (pool-delete). And refresh: pool-refresh (no detail) or a
 * change to one of its volumes (detail volume-created, volume-deleted,
 * volume-resized, volume-uploaded, volume-cloned; `volume` names it,
 * NULL otherwise). The daemon wires it to its event feed. */
typedef void (*vr_storage_event_fn)(const vr_pool *p, const char *event, const char *detail,
                                    const char *volume, void *opaque);

/* A secret's value for the storage driver (CHAP passwords): by uuid, or
 * by usage id when uuid is NULL; NUL-terminated, wiped and freed by the
 * caller. The daemon wires it to the secret store. */
typedef vr_err (*vr_storage_secret_fn)(const char *uuid, const char *usage, unsigned char **value, size_t *len,
                                       char **err, void *opaque);
void vr_storage_set_secret_fn(vr_storage_driver *drv, vr_storage_secret_fn fn, void *opaque);
/* QEMU runs as a user of its own (vireod --qemu-user) in group `gid`: a
 * pool's key and password files QEMU reads are that group's (0640), and
 * RUNTIME/storage lets the group reach them (0710, not list them). */
void vr_storage_set_qemu_group(vr_storage_driver *drv, gid_t gid);

/* Load pool definitions; on the first start ever, define the `default`
 * pool at STATE/images (built, started, autostart); start autostart
 * pools and those that were active before a daemon restart. */
vr_storage_driver *vr_storage_driver_new(struct event_base *base, const vr_paths *paths);
void vr_storage_driver_free(vr_storage_driver *drv);
void vr_storage_set_user_fn(vr_storage_driver *drv, vr_storage_user_fn fn, void *opaque);
void vr_storage_set_event_fn(vr_storage_driver *drv, vr_storage_event_fn fn, void *opaque);
struct event_base *vr_storage_base(vr_storage_driver *drv);

/* ---- pools ---- */

vr_pool *const *vr_storage_pools(vr_storage_driver *drv, size_t *n); /* sorted by name */
vr_pool *vr_storage_pool_lookup(vr_storage_driver *drv, const char *name_or_uuid);
/* Define from XML, or from a definition (taken, even on failure). */
vr_err vr_storage_pool_define(vr_storage_driver *drv, const char *xml, vr_pool **out, char **err);
vr_err vr_storage_pool_define_def(vr_storage_driver *drv, vr_pool_def *def, vr_pool **out, char **err);
vr_err vr_storage_pool_undefine(vr_pool *p, char **err);
vr_err vr_storage_pool_build(vr_pool *p, char **err);
/* pool-build's flags, as virsh's. */
enum { VR_POOL_BUILD_OVERWRITE = 1, VR_POOL_BUILD_NO_OVERWRITE = 2 };
/* flags: VR_POOL_BUILD_OVERWRITE (replace a partition table or file
 * system that is there), VR_POOL_BUILD_NO_OVERWRITE */
vr_err vr_storage_pool_build_flags(vr_pool *p, unsigned flags, char **err);
vr_err vr_storage_pool_start(vr_pool *p, char **err);
/* pool-start without stalling the loop: a kind whose check goes over the
 * network (iscsi-direct: connect, login, REPORT LUNS) runs it in a worker
 * thread and calls `done` on the loop when it ends; other kinds start at
 * once and call `done` before this returns. err NULL on success. */
typedef void (*vr_pool_done_fn)(vr_err code, const char *err, void *opaque);
void vr_storage_pool_start_async(vr_pool *p, vr_pool_done_fn done, void *opaque);
vr_err vr_storage_pool_destroy(vr_pool *p, char **err);
vr_err vr_storage_pool_delete(vr_pool *p, char **err);
vr_err vr_storage_pool_refresh(vr_pool *p, char **err);
vr_err vr_storage_pool_set_autostart(vr_pool *p, bool on, char **err);
/* Filesystem figures and the number of volumes; zeros when inactive. */
void vr_storage_pool_stats(vr_pool *p, vr_pool_stats *st, size_t *n_volumes);
char *vr_storage_pool_xml(vr_pool *p);

/* ---- volumes ---- */

vr_err vr_storage_vol_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err);
vr_err vr_storage_vol_get(vr_pool *p, const char *name, vr_vol_info *out, char **err);
/* The volume (of an active pool) whose file is `path`. */
vr_err vr_storage_vol_by_path(vr_storage_driver *drv, const char *path, vr_pool **pool,
                              vr_vol_info *out, char **err);
/* The answer of vr_storage_vol_create_async: v the volume made (VR_OK). */
typedef void (*vr_vol_created_fn)(vr_err code, const char *err, const vr_vol_info *v, void *opaque);
/* vol-create, answered through done: beside the event loop where the
 * pool's creation waits on the network (an rbd pool's monitor: seconds
 * when it does not answer), the pool kept from stopping meanwhile; else
 * (dir, fs, disk, iscsi-direct pools) done is called before it returns. */
void vr_storage_vol_create_async(vr_pool *p, const vr_vol_def *def, const char *backing_volume,
                                 vr_vol_created_fn done, void *opaque);
/* backing_volume: a volume name in this pool or an absolute path. */
vr_err vr_storage_vol_create(vr_pool *p, const vr_vol_def *def, const char *backing_volume,
                             vr_vol_info *out, char **err);
vr_err vr_storage_vol_delete(vr_pool *p, const char *name, char **err);
vr_err vr_storage_vol_resize(vr_pool *p, const char *name, unsigned long long capacity, bool shrink,
                             char **err);
/* find-storage-pool-sources: libvirt's <sources> XML of what could be a
 * pool of `type` here: disk (blank, unused whole disks; spec unused),
 * iscsi-direct (the targets of the portal in `spec`, a <source> XML) or
 * rbd (the RBD pools of the cluster of spec's monitors, as its <auth>'s
 * user). `done` gets the XML (its own to free) or the error; the
 * discovery of iscsi-direct and rbd runs beside the loop (a portal or a
 * monitor that never answers makes it wait seconds), so `done` may come
 * after this returns; disk answers at once. */
typedef void (*vr_sources_done_fn)(vr_err code, char *xml, const char *err, void *opaque);
void vr_storage_find_sources(vr_storage_driver *drv, const char *type, const char *spec, vr_sources_done_fn done,
                             void *opaque);

/* vol-wipe (libvirt's "zero" algorithm): the volume reads as zeros, its
 * size and format stay; refused while a domain uses it. */
vr_err vr_storage_vol_wipe(vr_pool *p, const char *name, char **err);
char *vr_storage_vol_xml(const vr_vol_info *v);

/* Where a new volume `name` of pool p goes (PATH/NAME) after the name
 * check; VR_ERR_INVALID for pools whose volumes are not files (disk). */
vr_err vr_pool_vol_path(vr_pool *p, const char *name, char **path, char **err);

/* For <disk type='volume'>: the file and format of a volume. For a LUN
 * of an iscsi-direct pool the path is
 *   iscsi://HOST:PORT/IQN/LUN?initiator-name=IQN[&user=U&password-file=F]
 * where F is a 0600 file in RUNTIME/storage holding the CHAP password
 * (for QEMU's -object secret; never on a command line). */
vr_err vr_storage_resolve(vr_storage_driver *drv, const char *pool, const char *volume, char **path,
                          vr_vol_format *format, char **err);

/* Is `path` free to be removed or rewritten? VR_ERR_CONFLICT with a
 * message naming the running domain, the overlay that needs it as a
 * backing file, or the copy reading it. `what` names it ("volume 'x'"). */
vr_err vr_storage_path_check_unused(vr_storage_driver *drv, const char *path, const char *what,
                                    char **err);

/* ---- copies (qemu-img convert beside the loop) ---- */

typedef struct vr_storage_copy vr_storage_copy;
typedef void (*vr_copy_progress_fn)(double percent, void *opaque);
/* err NULL on success; the copy is freed after this returns. */
typedef void (*vr_copy_done_fn)(vr_err code, const char *err, void *opaque);

typedef struct {
    const char *src;
    vr_vol_format src_format;
    const char *dst;         /* must not exist; made as a temporary, renamed at the end */
    vr_vol_format dst_format;
    bool force_share;        /* the source is open in a paused QEMU */
    /* A network image (rbd, an iSCSI LUN as source) on either side: src
     * or dst is then qemu-img's option string of it (--image-opts,
     * --target-image-opts) and the secret file holds its cephx key in
     * base64 or, with src_secret_raw, the CHAP password as it is (NULL:
     * none); such a dst exists already and is written in place (-n). */
    bool src_opts, dst_opts;
    const char *src_secret, *dst_secret;
    bool src_secret_raw;
    /* dst (a partition of a disk pool) was made for this copy: written in
     * place (-n), removed again when the copy fails. dst_opts implies it. */
    bool dst_made;
    vr_pool *dst_pool;       /* its refresh event's pool when dst is no file of one */
    const char *dst_name;    /* ... and the volume's name there */
} vr_copy_spec;

/* Start a full copy. The destination's directory gets a hidden
 * temporary that becomes `dst` only when qemu-img succeeded, so a
 * failed or cancelled copy leaves nothing. NULL with *err and *code set. */
vr_storage_copy *vr_storage_copy_start(vr_storage_driver *drv, const vr_copy_spec *spec,
                                       vr_copy_progress_fn progress, vr_copy_done_fn done,
                                       void *opaque, vr_err *code, char **err);
void vr_storage_copy_cancel(vr_storage_copy *c);

/* vol-clone: a full copy of a volume into a new one of the same pool
 * and format. */
vr_storage_copy *vr_storage_vol_clone(vr_pool *p, const char *name, const char *new_name,
                                      vr_copy_progress_fn progress, vr_copy_done_fn done,
                                      void *opaque, vr_err *code, char **err);
/* vol-create-from --inputpool: the same into pool `dst` of another kind
 * (dir/fs files <-> rbd images) through qemu-img convert; into rbd the
 * image is raw, into files the source's format is kept. */
vr_storage_copy *vr_storage_vol_clone_to(vr_pool *p, const char *name, vr_pool *dst, const char *new_name,
                                         vr_copy_progress_fn progress, vr_copy_done_fn done, void *opaque,
                                         vr_err *code, char **err);

/* A qcow2 overlay at `dst` on `backing` (linked clones): quick. */
vr_err vr_storage_overlay(vr_storage_driver *drv, const char *backing, vr_vol_format backing_format,
                          const char *dst, char **err);

/* ---- upload and download through an upgraded API connection ---- */

typedef struct vr_transfer vr_transfer;
/* Called once the transfer ended (the socket may be closed now). */
typedef void (*vr_transfer_done_fn)(void *opaque);

/* Checks and the hidden temporary file, before the connection is taken
 * over: errors here are ordinary API answers. */
vr_err vr_storage_upload_prepare(vr_pool *p, const char *name, unsigned long long length,
                                 vr_transfer **out, char **err);
vr_err vr_storage_download_prepare(vr_pool *p, const char *name, vr_transfer **out, char **err);
/* Run it on the taken-over socket; `initial` are bytes already read.
 * The upload ends with one JSON line to the client ({"ok":true} or
 * {"error":...}); the download starts with {"length":N}. */
void vr_transfer_run(vr_transfer *t, int fd, const char *initial, size_t n, vr_transfer_done_fn done,
                     void *opaque);
void vr_transfer_abort(vr_transfer *t);
/* Or carry the bytes yourself (libvirt's streams). An upload prepared
 * with length 0 takes whatever comes until the commit; with a length,
 * exactly that many bytes. skip: a run of zeros left as a hole. commit
 * puts the upload in the volume's place (or leaves the volume as it was,
 * with *err) and frees t, as abort does. A download is read in order
 * until 0 (the end) or -1 (*err). */
vr_err vr_transfer_write(vr_transfer *t, const char *buf, size_t n, char **err);
vr_err vr_transfer_skip(vr_transfer *t, unsigned long long n, char **err);
vr_err vr_transfer_commit(vr_transfer *t, char **err);
ssize_t vr_transfer_read(vr_transfer *t, char *buf, size_t cap, char **err);
unsigned long long vr_transfer_length(const vr_transfer *t);
