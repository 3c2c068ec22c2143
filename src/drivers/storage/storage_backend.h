/* One backend per pool kind: what differs between a directory, a
 * mounted file system and a partitioned disk. The driver
 * (storage_driver.c, storage_vol.c) keeps the registry, the active
 * flag, events and the checks every kind shares (the pool is active,
 * the name is valid, nobody uses the volume) and calls these for the
 * rest. Internal to the storage driver. */
#pragma once
#include "drivers/storage/storage_priv.h"

/* A volume's bytes through its pool's own client, for vol-upload and
 * vol-download of volumes that are not local files (rbd images). Each
 * call is synchronous: one chunk (storage_transfer.c's CHUNK) at a time. */
typedef struct vr_vol_io vr_vol_io;
struct vr_vol_io {
    ssize_t (*pread)(vr_vol_io *io, void *buf, size_t n, unsigned long long off);
    ssize_t (*pwrite)(vr_vol_io *io, const void *buf, size_t n, unsigned long long off);
    int (*zero)(vr_vol_io *io, unsigned long long off, unsigned long long n); /* a hole of an upload */
    int (*flush)(vr_vol_io *io);
    void (*close)(vr_vol_io *io);
};

typedef struct {
    /* Its volumes are files under the target directory (dir, fs): copies,
     * uploads and overlays work on them; others refuse those by name. */
    bool files;
    /* Is the pool's storage there and usable? VR_ERR_NOT_FOUND (with a
     * message that says what vanished) makes an active pool inactive. */
    vr_err (*check)(vr_pool *p, char **err);
    vr_err (*build)(vr_pool *p, unsigned flags, char **err);
    vr_err (*start)(vr_pool *p, char **err);
    vr_err (*stop)(vr_pool *p, char **err);
    vr_err (*remove)(vr_pool *p, char **err); /* pool-delete */
    /* Capacity figures of an active pool; n_volumes may be NULL. */
    void (*stats)(vr_pool *p, vr_pool_stats *st, size_t *n_volumes);
    /* pool-refresh: bring what the host knows up to date (NULL: nothing
     * to do, volumes are read afresh on every listing anyway). */
    vr_err (*refresh)(vr_pool *p, char **err);
    /* Every listing: the volumes as they are now. */
    vr_err (*list)(vr_pool *p, vr_vol_info **out, size_t *n, char **err);
    /* One volume by name (already checked); false when there is none.
     * The path filled in is the one QEMU opens (a file or a /dev node).
     * `users`: also ask which running domain has it open. */
    bool (*describe)(vr_pool *p, const char *name, vr_vol_info *v, bool users);
    /* The name is checked and unused; backing: a volume or a path. */
    vr_err (*create_vol)(vr_pool *p, const vr_vol_def *def, const char *backing, char **err);
    /* v is unused (checked by the driver). */
    vr_err (*delete_vol)(vr_pool *p, const vr_vol_info *v, char **err);
    vr_err (*resize_vol)(vr_pool *p, const vr_vol_info *v, unsigned long long capacity, bool shrink,
                         char **err);
    /* vol-wipe: the content becomes zeros, the size stays (v is unused). */
    vr_err (*wipe_vol)(vr_pool *p, const vr_vol_info *v, char **err);
    /* What QEMU opens for a <disk type='volume'> on it (NULL: the volume's
     * path). iscsi-direct: the LUN's URL with what QEMU's iscsi driver
     * needs beside it (vr_storage_resolve documents the form). */
    vr_err (*qemu_path)(vr_pool *p, const vr_vol_info *v, char **out, char **err);
    /* The volume's bytes when it is no local file (NULL: local files and
     * /dev nodes only); negative errno values from its calls. */
    vr_vol_io *(*open_io)(vr_pool *p, const vr_vol_info *v, bool write, char **err);
    /* pool-start's check beside the loop (NULL: start() on the loop): run
     * in a worker thread on a copy of the definition and the value of its
     * <auth>'s secret (NUL-terminated; NULL: no auth, or none to check
     * yet), taken on the loop by storage_driver.c. */
    vr_err (*check_run)(const vr_pool_def *def, const unsigned char *secret, size_t len, char **err);
    /* vol-create beside the loop, for a backend whose creation waits on
     * the network (NULL: create_vol on the loop): run in a worker thread
     * on the same copies as check_run and of the volume's name, size and
     * format; fills out with the volume made (its users left NULL). */
    vr_err (*create_vol_run)(const vr_pool_def *def, const unsigned char *secret, size_t len,
                             const vr_vol_def *vol, const char *backing, vr_vol_info *out, char **err);
} vr_pool_backend;

extern const vr_pool_backend vr_backend_dir, vr_backend_fs, vr_backend_disk, vr_backend_iscsi_direct,
    vr_backend_rbd;
const vr_pool_backend *vr_pool_backend_of(const vr_pool *p);

/* The dir backend's parts that fs pools share (a mounted dir pool). */
vr_err vr_dir_check(vr_pool *p, char **err);
vr_err vr_dir_start(vr_pool *p, char **err);
vr_err vr_dir_build(vr_pool *p, unsigned flags, char **err);
vr_err vr_dir_remove(vr_pool *p, char **err);
void vr_dir_stats(vr_pool *p, vr_pool_stats *st, size_t *n_volumes);
vr_err vr_dir_vol_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err);
bool vr_dir_vol_describe(vr_pool *p, const char *name, vr_vol_info *v, bool users);
vr_err vr_dir_vol_create(vr_pool *p, const vr_vol_def *def, const char *backing, char **err);
vr_err vr_dir_vol_delete(vr_pool *p, const vr_vol_info *v, char **err);
vr_err vr_dir_vol_resize(vr_pool *p, const vr_vol_info *v, unsigned long long capacity, bool shrink,
                         char **err);
vr_err vr_dir_vol_wipe(vr_pool *p, const vr_vol_info *v, char **err);
/* A backend's members where its volumes are files in the target
 * directory, the dir backend's own: what fs pools (a mounted dir pool)
 * take as they are. Its pool calls (check, build, start, stop) follow. */
#define VR_DIR_FILE_VOLUMES                                                                                    \
    .files = true, .remove = vr_dir_remove, .stats = vr_dir_stats, .list = vr_dir_vol_list,                    \
    .describe = vr_dir_vol_describe, .create_vol = vr_dir_vol_create, .delete_vol = vr_dir_vol_delete,         \
    .resize_vol = vr_dir_vol_resize, .wipe_vol = vr_dir_vol_wipe

/* iSCSI helpers (storage_backend_iscsi.c): "HOST:PORT" ([v6]:PORT); a
 * TCP connect bounded to 3 s (`who` starts the message); SendTargets
 * discovery (the target IQNs, malloc'ed). */
char *vr_iscsi_portal(const char *host, unsigned port);
vr_err vr_iscsi_reach(const char *host, unsigned port, const char *who, char **err);
vr_err vr_iscsi_discover(const char *host, unsigned port, const char *initiator, char ***iqns, size_t *n,
                         char **err);

/* find-storage-pool-sources rbd: the cephx key of spec's user from the
 * secret store (base64, NULL without <auth>; on the loop; free it with
 * vr_rbd_key_free), then the Ceph pools tagged for RBD (rbd pool init)
 * on the cluster of spec's monitors, as that user (beside the loop: it
 * touches nothing the loop owns, and may wait the 5 s connect bound). */
vr_err vr_rbd_spec_key(vr_storage_driver *drv, const vr_pool_source *spec, char **key, char **err);
void vr_rbd_key_free(char *key);
vr_err vr_rbd_find_pools(const vr_pool_source *spec, const char *key, char ***names, size_t *n, char **err);

/* vol-clone in an rbd pool: a snapshot of `name`, protected, and a
 * Ceph clone of it named `new_name` (storage_backend_rbd.c). */
vr_err vr_rbd_clone(vr_pool *p, const char *name, const char *new_name, char **err);

/* An RBD image as qemu-img's option string (driver=raw,file.driver=rbd,
 * ...,file.key-secret=SECRET_ID) and the 0600 file of the pool's cephx key
 * for --object secret,id=SECRET_ID,file=...,format=base64 (*key_file NULL
 * for a pool without cephx). */
/* A LUN as qemu-img's --image-opts (QEMU's own iSCSI client), the CHAP
 * password (raw) in *pw_file (NULL without CHAP) for the secret object
 * secret_id. */
vr_err vr_iscsi_img_opts(vr_pool *p, const vr_vol_info *v, const char *secret_id, char **opts, char **pw_file,
                         char **err);
vr_err vr_rbd_img_opts(vr_pool *p, const char *image, const char *secret_id, char **opts, char **key_file,
                       char **err);

/* Which running domain uses `path` (malloc'ed), or NULL. */
char *vr_storage_user_of(vr_storage_driver *drv, const char *path);

/* Why two pools cannot both be defined ("its directory", "its device"),
 * or NULL: the same block device, or one target directory inside or
 * equal to another's. */
const char *vr_pool_defs_clash(const vr_pool_def *a, const vr_pool_def *b);
/* Do two definitions of a pool name the same storage (kind, directory,
 * device or target, portal)? An active pool's may not change. */
bool vr_pool_defs_same_storage(const vr_pool_def *a, const vr_pool_def *b);
