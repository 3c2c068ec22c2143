/* find-storage-pool-sources: what could become a pool here.
 *   disk:          whole block devices with no partition table and no file
 *                  system, that nobody holds (the "disks without a label").
 *   iscsi-direct:  the targets a portal offers (SendTargets discovery).
 *   rbd:           the RBD pools of the cluster a srcSpec's monitors
 *                  belong to (librados), each with the spec's monitors
 *                  and auth, ready to be a pool's <source>.
 * The answer is libvirt's <sources> XML, written by src/conf. */
#include "drivers/storage/storage_backend.h"
#include "drivers/storage/storage_blockdev.h"
#include "conf/storage_source.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"
#include "common/worker.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* A whole disk worth offering: it has a size, is not a RAM disk or a
 * device-mapper node, is free, and blkid finds nothing on it. */
static bool blank_disk(vr_storage_driver *drv, const char *name, char **dev)
{
    if (vr_str_starts(name, "ram") || vr_str_starts(name, "zram") || vr_str_starts(name, "dm-") ||
        vr_str_starts(name, "sr"))
        return false;
    char *size_file = vr_asprintf("/sys/block/%s/size", name);
    char *size = vr_file_read(size_file, NULL);
    free(size_file);
    bool sized = size && strtoull(size, NULL, 10) > 0;
    free(size);
    if (!sized)
        return false;
    *dev = vr_asprintf("/dev/%s", name);
    char *e = NULL, *fs = NULL, *pt = NULL;
    bool blank = vr_blockdev_check_free(drv, *dev, "find-storage-pool-sources", &e) == VR_OK &&
                 vr_blockdev_probe(*dev, &fs, &pt, &e) == 0 && !fs && !pt;
    free(e);
    free(fs);
    free(pt);
    if (!blank) {
        free(*dev);
        *dev = NULL;
    }
    return blank;
}

static vr_err find_disks(vr_storage_driver *drv, vr_pool_source **out, size_t *n)
{
    DIR *d = opendir("/sys/block");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *dev = NULL;
        if (e->d_name[0] == '.' || !blank_disk(drv, e->d_name, &dev))
            continue;
        *out = vr_realloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = (vr_pool_source){.device = dev};
    }
    if (d)
        closedir(d);
    return VR_OK;
}

/* A discovery beside the loop: the worker reads only its own copies
 * (the parsed spec, the key) and fills names; the answer is written on
 * the loop. */
typedef struct {
    vr_pool_type type;
    vr_pool_source spec;
    char *key;     /* rbd: the cephx key (base64), NULL without <auth> */
    char **names;  /* rbd: Ceph pools; iscsi-direct: target IQNs */
    size_t n;
    vr_err code;
    char *err;
    vr_sources_done_fn done;
    void *opaque;
} find_job;

/* libiscsi wants an initiator name even for discovery. */
#define DISCOVERY_INITIATOR "iqn.2026-12.org.vireo:discovery"

static unsigned portal_port(const vr_pool_source *s) { return s->port ? s->port : 3260; }

static void find_worker(void *arg)
{
    find_job *j = arg;
    if (j->type == VR_POOL_RBD)
        j->code = vr_rbd_find_pools(&j->spec, j->key, &j->names, &j->n, &j->err);
    else
        j->code = vr_iscsi_discover(j->spec.host, portal_port(&j->spec),
                                    j->spec.initiator ? j->spec.initiator : DISCOVERY_INITIATOR, &j->names, &j->n,
                                    &j->err);
}

/* Each name found as a <source>: rbd's with the spec's monitors and
 * auth and the pool's <name>, ready to be a pool's <source>; an iSCSI
 * target with its portal. */
static void on_found(void *arg)
{
    find_job *j = arg;
    vr_pool_source *list = vr_calloc(j->n ? j->n : 1, sizeof(*list));
    for (size_t i = 0; i < j->n; i++) {
        if (j->type == VR_POOL_RBD) {
            vr_pool_source_copy(&list[i], &j->spec);
            free(list[i].name);
            list[i].name = j->names[i];
        } else {
            list[i] = (vr_pool_source){.host = vr_strdup(j->spec.host), .port = portal_port(&j->spec),
                                       .device = j->names[i]};
        }
    }
    char *xml = j->code ? NULL : vr_pool_sources_format(j->type, list, j->n);
    vr_pool_source_free_list(list, j->n);
    j->done(j->code, xml, j->code ? j->err : NULL, j->opaque);
    free(j->names);
    vr_rbd_key_free(j->key);
    vr_pool_source_clear(&j->spec);
    free(j->err);
    free(j);
}

/* The spec of an rbd or iscsi-direct discovery, checked on the loop;
 * rbd's key taken from the secret store here. */
static vr_err find_prepare(vr_storage_driver *drv, find_job *j, const char *spec, char **err)
{
    const char *kind = j->type == VR_POOL_RBD ? "rbd" : "iscsi-direct";
    const char *need = j->type == VR_POOL_RBD
                           ? "a monitor: <source><host name='MON' port='3300'/><auth type='ceph' username='admin'>"
                             "<secret uuid='UUID'/></auth></source>"
                           : "the portal: <source><host name='HOST' port='3260'/></source>";
    if (spec && vr_pool_source_parse_xml(j->type, spec, &j->spec, err) < 0)
        return VR_ERR_INVALID;
    if (!j->spec.host) {
        vr_set_error(err, "find-storage-pool-sources %s needs %s", kind, need);
        return VR_ERR_INVALID;
    }
    return j->type == VR_POOL_RBD ? vr_rbd_spec_key(drv, &j->spec, &j->key, err) : VR_OK;
}

void vr_storage_find_sources(vr_storage_driver *drv, const char *type, const char *spec, vr_sources_done_fn done,
                             void *opaque)
{
    vr_pool_type t;
    char *err = NULL, *xml = NULL;
    vr_err e = VR_OK;
    if (!vr_pool_type_parse(type, &t) || (t != VR_POOL_DISK && t != VR_POOL_ISCSI_DIRECT && t != VR_POOL_RBD)) {
        vr_set_error(&err, "find-storage-pool-sources: Vireo finds sources of disk, iscsi-direct and rbd pools, not '%s'",
                     type ? type : "");
        e = VR_ERR_UNSUPPORTED;
    } else if (t == VR_POOL_DISK) {
        vr_pool_source *list = NULL;
        size_t n = 0;
        if (!(e = find_disks(drv, &list, &n)))
            xml = vr_pool_sources_format(t, list, n);
        vr_pool_source_free_list(list, n);
    } else {
        find_job *j = vr_calloc(1, sizeof(*j));
        *j = (find_job){.type = t, .done = done, .opaque = opaque};
        int rc = 0;
        if (!(e = find_prepare(drv, j, spec, &err)) && !(rc = vr_worker_run(drv->base, find_worker, on_found, j))) {
            vr_log_info("find-storage-pool-sources %s: the discovery at %s runs beside the event loop", type,
                        j->spec.host);
            return;
        }
        if (rc) {
            vr_set_error(&err, "find-storage-pool-sources: cannot run the discovery beside the event loop: %s",
                         strerror(-rc));
            e = VR_ERR_FAILED;
        }
        vr_rbd_key_free(j->key);
        vr_pool_source_clear(&j->spec);
        free(j);
    }
    done(e, xml, err, opaque);
    free(err);
}
