/* Which backend serves a pool, and what two pools may not share. */
#include "drivers/storage/storage_backend.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const vr_pool_backend *vr_pool_backend_of(const vr_pool *p)
{
    switch (p->def->type) {
    case VR_POOL_FS:
        return &vr_backend_fs;
    case VR_POOL_DISK:
        return &vr_backend_disk;
    case VR_POOL_ISCSI_DIRECT:
        return &vr_backend_iscsi_direct;
    case VR_POOL_RBD:
        return &vr_backend_rbd;
    case VR_POOL_DIR:
        break;
    }
    return &vr_backend_dir;
}

/* `inner` is `outer` or a directory below it. */
static bool dir_within(const char *inner, const char *outer)
{
    size_t n = strlen(outer);
    return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/' || strcmp(outer, "/") == 0);
}

void vr_storage_set_qemu_group(vr_storage_driver *drv, gid_t gid)
{
    drv->qemu_gid = gid;
    if (gid && (chown(drv->runtime_dir, 0, gid) < 0 || chmod(drv->runtime_dir, 0710) < 0))
        vr_log_error("cannot give QEMU's group the way into %s: %s", drv->runtime_dir, strerror(errno));
}

int vr_storage_write_secret(vr_storage_driver *drv, const char *path, const void *data, size_t len)
{
    int rc = vr_file_write_atomic(path, data, len, drv->qemu_gid ? 0640 : 0600);
    if (rc == 0 && drv->qemu_gid && chown(path, 0, drv->qemu_gid) < 0)
        rc = -errno;
    return rc;
}

void vr_storage_set_secret_fn(vr_storage_driver *drv, vr_storage_secret_fn fn, void *opaque)
{
    drv->secret_fn = fn;
    drv->secret_opaque = opaque;
    /* CHAP pools that started with the daemon, before the store was
     * there, get their login checked now (beside the loop). */
    vr_storage_recheck_pools(drv);
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool vr_pool_defs_same_storage(const vr_pool_def *a, const vr_pool_def *b)
{
    return a->type == b->type && same_str(a->target_path, b->target_path) &&
           same_str(a->source.device, b->source.device) && same_str(a->source.host, b->source.host) &&
           a->source.port == b->source.port && same_str(a->source.name, b->source.name);
}

/* Monitor i of an rbd pool (0: the first <host>). */
static const char *mon_name(const vr_pool_source *s, size_t i, unsigned *port)
{
    *port = i ? s->more_hosts[i - 1].port : s->port;
    return i ? s->more_hosts[i - 1].name : s->host;
}

/* Do two rbd pools name a monitor in common (the same cluster)? */
static bool share_monitor(const vr_pool_source *a, const vr_pool_source *b)
{
    for (size_t i = 0; i <= a->n_more_hosts; i++)
        for (size_t j = 0; j <= b->n_more_hosts; j++) {
            unsigned pa, pb;
            const char *ha = mon_name(a, i, &pa), *hb = mon_name(b, j, &pb);
            if (strcmp(ha, hb) == 0 && pa == pb)
                return true;
        }
    return false;
}

const char *vr_pool_defs_clash(const vr_pool_def *a, const vr_pool_def *b)
{
    if (a->source.device && b->source.device && strcmp(a->source.device, b->source.device) == 0 &&
        a->type != VR_POOL_ISCSI_DIRECT && b->type != VR_POOL_ISCSI_DIRECT)
        return "its device";
    if (a->type == VR_POOL_RBD && b->type == VR_POOL_RBD && share_monitor(&a->source, &b->source))
        return strcmp(a->source.name, b->source.name) == 0 ? "its Ceph pool" : NULL;
    if (a->type == VR_POOL_ISCSI_DIRECT && b->type == VR_POOL_ISCSI_DIRECT &&
        strcmp(a->source.host, b->source.host) == 0 && a->source.port == b->source.port)
        return strcmp(a->source.device, b->source.device) == 0 ? "its target" : NULL;
    /* A disk pool's target is always /dev: it names no directory of its
     * own; an iscsi-direct pool has none. */
    if (a->type == VR_POOL_DISK || b->type == VR_POOL_DISK || !a->target_path || !b->target_path)
        return NULL;
    if (strcmp(a->target_path, b->target_path) == 0)
        return "its directory";
    /* Nesting matters where a mount is involved (an fs pool's mount
     * would hide, or be hidden by, the other pool's files). Directory
     * pools may nest, as in libvirt: virt-install defines a pool for an
     * ISO's directory, which may hold the default pool's. */
    bool mount = a->type == VR_POOL_FS || b->type == VR_POOL_FS;
    if (mount && (dir_within(a->target_path, b->target_path) || dir_within(b->target_path, a->target_path)))
        return "its directory (one pool's directory is inside the other's, and one of them is a mount)";
    return NULL;
}
