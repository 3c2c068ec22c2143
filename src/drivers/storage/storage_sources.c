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
#include "common/util.h"

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

/* rbd: the spec names the monitors and the auth; each RBD pool of the
 * cluster is answered as a <source> of them and its <name>. */
static vr_err find_rbd(vr_storage_driver *drv, const char *spec, vr_pool_source **out, size_t *n, char **err)
{
    vr_pool_source s = {0};
    if (spec && vr_pool_source_parse_xml(VR_POOL_RBD, spec, &s, err) < 0)
        return VR_ERR_INVALID;
    if (!s.host) {
        vr_pool_source_clear(&s);
        vr_set_error(err, "find-storage-pool-sources rbd needs a monitor: <source><host name='MON' port='3300'/>"
                          "<auth type='ceph' username='admin'><secret uuid='UUID'/></auth></source>");
        return VR_ERR_INVALID;
    }
    char **names = NULL;
    size_t k = 0;
    vr_err e = vr_rbd_find_pools(drv, &s, &names, &k, err);
    for (size_t i = 0; i < k; i++) {
        *out = vr_realloc(*out, (*n + 1) * sizeof(**out));
        vr_pool_source *o = &(*out)[(*n)++];
        vr_pool_source_copy(o, &s);
        free(o->name);
        o->name = names[i];
    }
    free(names);
    vr_pool_source_clear(&s);
    return e;
}

vr_err vr_storage_find_sources(vr_storage_driver *drv, const char *type, const char *spec, char **xml,
                               char **err)
{
    vr_pool_type t;
    if (!vr_pool_type_parse(type, &t) || (t != VR_POOL_DISK && t != VR_POOL_ISCSI_DIRECT && t != VR_POOL_RBD)) {
        vr_set_error(err, "find-storage-pool-sources: Vireo finds sources of disk, iscsi-direct and rbd pools, not '%s'",
                     type ? type : "");
        return VR_ERR_UNSUPPORTED;
    }
    vr_pool_source *list = NULL;
    size_t n = 0;
    vr_err e = VR_OK;
    if (t == VR_POOL_DISK) {
        e = find_disks(drv, &list, &n);
    } else if (t == VR_POOL_RBD) {
        e = find_rbd(drv, spec, &list, &n, err);
    } else {
        vr_pool_source s;
        if (!spec || vr_pool_source_parse_xml(t, spec, &s, err) < 0) {
            if (!spec)
                vr_set_error(err, "find-storage-pool-sources iscsi-direct needs the portal: "
                                  "<source><host name='HOST' port='3260'/></source>");
            return VR_ERR_INVALID;
        }
        if (!s.host) {
            vr_set_error(err, "find-storage-pool-sources iscsi-direct needs <host name='HOST'/> in its <source>");
            vr_pool_source_clear(&s);
            return VR_ERR_INVALID;
        }
        unsigned port = s.port ? s.port : 3260;
        /* libiscsi wants an initiator name even for discovery. */
        const char *init = s.initiator ? s.initiator : "iqn.2026-12.org.vireo:discovery";
        char **iqns = NULL;
        size_t k = 0;
        e = vr_iscsi_discover(s.host, port, init, &iqns, &k, err);
        for (size_t i = 0; i < k; i++) {
            list = vr_realloc(list, (n + 1) * sizeof(*list));
            list[n++] = (vr_pool_source){.host = vr_strdup(s.host), .port = port, .device = iqns[i]};
        }
        free(iqns);
        vr_pool_source_clear(&s);
    }
    if (!e)
        *xml = vr_pool_sources_format(t, list, n);
    vr_pool_source_free_list(list, n);
    return e;
}
