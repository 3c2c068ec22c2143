/* Internals shared by the storage driver's files. Not for the daemon. */
#pragma once
#include "drivers/storage/storage_driver.h"

#include <sys/types.h>

struct vr_storage_driver {
    struct event_base *base;
    const vr_paths *paths;
    struct vr_registry *reg; /* every pool; CONFIG/storage (src/registry) */
    char *runtime_dir;   /* RUNTIME/storage: NAME.active per started pool */
    /* Paths copies write to or read from right now. */
    char **busy_dst, **busy_src;
    size_t n_dst, n_src;
    vr_storage_user_fn user_fn;
    void *user_opaque;
    vr_storage_event_fn event_fn;
    void *event_opaque;
    vr_storage_secret_fn secret_fn;
    void *secret_opaque;
    gid_t qemu_gid; /* QEMU's own group (vr_storage_set_qemu_group), 0: QEMU runs as the daemon */
};

/* A pool's secret for QEMU (an rbd pool's cephx key, an iSCSI pool's
 * CHAP password) written atomically to `path` in RUNTIME/storage: 0600,
 * or root:QEMU's group 0640 when QEMU runs as a user of its own, so its
 * QEMUs read it and nobody else does. -errno on failure. */
int vr_storage_write_secret(vr_storage_driver *drv, const char *path, const void *data, size_t len);

/* Tell the daemon (see vr_storage_event_fn). */
void vr_storage_emit(vr_pool *p, const char *event, const char *detail, const char *volume);

/* Hidden temporaries start with this; pools list no dot-files, and
 * names cannot start with '.', so they never clash with a volume. */
#define VR_STORAGE_TMP_PREFIX ".vireo-tmp-"

/* The pool is active and its directory is there. A directory that
 * vanished makes the pool inactive (the definition stays). */
vr_err vr_pool_ready(vr_pool *p, char **err);
/* A hidden temporary beside `dst` (created, 0600). */
char *vr_storage_tmp_near(const char *dst, int *fd, char **err);
/* rename tmp -> dst without replacing an existing dst (or replacing
 * when `replace`); fsyncs the directory. */
int vr_storage_commit(const char *tmp, const char *dst, bool replace, char **err);
/* Check the login of active pools that started unchecked (CHAP pools at
 * the daemon's start, before the secret store was wired). */
void vr_storage_recheck_pools(vr_storage_driver *drv);
/* What a worker thread gets instead of the pool (common/worker.h): a
 * copy of its definition and the value of its <auth>'s secret (NULL:
 * none, or no secret store yet). */
typedef struct {
    vr_pool_def *def;
    unsigned char *secret;
    size_t secret_len;
} vr_pool_copies;
vr_err vr_pool_copies_take(vr_pool *p, vr_pool_copies *c, char **err);
void vr_pool_copies_free(vr_pool_copies *c);
/* Remove leftover temporaries of a crashed daemon. */
void vr_storage_clean_tmp(const char *dir);

void vr_storage_busy_add(char ***list, size_t *n, const char *path);
void vr_storage_busy_del(char ***list, size_t *n, const char *path);
bool vr_storage_busy_has(char **list, size_t n, const char *path);
