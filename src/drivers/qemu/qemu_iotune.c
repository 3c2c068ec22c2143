/* A disk's <iotune> on QEMU: its limits at start and hot-plug, and
 * blkdeviotune (libvirt's virDomainSetBlockIoTune/GetBlockIoTune).
 *
 * QEMU offers two ways. A `throttle-group` object and a `throttle`
 * filter node in the -blockdev chain hold the limits from the first
 * instruction, and change live through qom-set of the group's `limits`;
 * or `block_set_io_throttle` on the device (its qdev id, the target dev)
 * throttles its BlockBackend, above every node. Vireo takes the second,
 * as libvirt does for <iotune>: the node graph stays what the rest of
 * the driver knows (file-T, drive-T: snapshots, blockcommit, blockcopy's
 * pivot, backups, change-media and re-adoption name those nodes, and a
 * filter on top would be one more node each of them must step over),
 * the limits follow the device across a pivot, a <group_name> is QEMU's
 * group of that name (created by the first disk naming it), and a live
 * change is the same one command. What it costs (limits only once QEMU
 * runs) is paid back by starting such a domain with -S: the throttles
 * are set before the `cont` that runs the first instruction
 * (qemu_driver.c), so no I/O goes unthrottled. */
#include "conf/domain_device.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "drivers/qemu/qmp.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static void on_throttle_set(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    char *what = opaque;
    if (error)
        vr_log_warn("%s: <iotune> not applied: %s", what, error);
    free(what);
}

void vr_qemu_iotune_at_start(vr_domain *dom)
{
    for (size_t i = 0; i < dom->def->n_disks; i++) {
        const vr_disk_def *d = &dom->def->disks[i];
        if (vr_iotune_any(&d->iotune) && vr_disk_def_source(d))
            vr_qmp_command(dom->qmp, "block_set_io_throttle", vr_qemu_iotune_args(d), on_throttle_set,
                           vr_asprintf("domain %s: disk %s", dom->def->name, d->target_dev));
    }
}

/* ---- blkdeviotune ---- */

/* Disk `key` (target or source) of `def`, or -1 with *err. */
static int find_disk(const vr_domain *dom, const vr_domain_def *def, const char *key, bool config, char **err)
{
    int i = vr_domain_def_find_disk(def, key);
    if (i < 0)
        vr_set_error(err, "domain '%s' has no disk %s%s (domblklist shows them)", dom->def->name, key,
                     config ? " in its persistent definition" : "");
    return i;
}

/* The change on disk i of `def`, and on every disk of its group (one
 * group, one set of limits: QEMU's group takes the new ones for all). */
static vr_err change_disk(vr_domain_def *def, size_t i, const vr_iotune_change *ch, char **err)
{
    vr_disk_def *d = &def->disks[i];
    vr_iotune t = {0};
    vr_iotune_copy(&t, &d->iotune);
    vr_iotune_apply(&t, ch);
    if (vr_iotune_check(&t, err) < 0) {
        free(t.group_name);
        return VR_ERR_INVALID;
    }
    vr_iotune_copy(&d->iotune, &t);
    free(t.group_name);
    for (size_t k = 0; d->iotune.group_name && k < def->n_disks; k++) {
        vr_iotune *o = &def->disks[k].iotune;
        if (k != i && o->group_name && strcmp(o->group_name, d->iotune.group_name) == 0)
            vr_iotune_copy(o, &d->iotune);
    }
    return VR_OK;
}

/* libvirt's tunable event: the disk, then each value given. */
static char *event_detail(const vr_disk_def *d, const vr_iotune_change *ch)
{
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "blkdeviotune.disk=%s", d->target_dev);
    for (int i = 0; i < VR_IOTUNE_COUNT; i++)
        if (ch->given & (1u << i))
            vr_strbuf_addf(&b, " blkdeviotune.%s=%llu", vr_iotune_names[i], ch->t.v[i]);
    /* last: the name may hold spaces, the reader takes the rest */
    if (ch->given & VR_IOTUNE_GIVEN_GROUP)
        vr_strbuf_addf(&b, " blkdeviotune.group_name=%s", ch->t.group_name ? ch->t.group_name : "");
    return vr_strbuf_take(&b);
}

void vr_qemu_set_block_iotune(vr_domain *dom, const char *disk, const vr_iotune_change *ch, unsigned flags,
                              vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, "tune the disk in", &err);
    if (code == VR_OK && !ch->given) {
        vr_set_error(&err, "nothing to set: give a limit (total_bytes_sec, read_iops_sec ...) or group_name");
        code = VR_ERR_INVALID;
    }
    const vr_domain_def *defs[2] = {h->flags & VR_AFFECT_LIVE ? dom->def : NULL,
                                    h->flags & VR_AFFECT_CONFIG ? vr_hp_config_def(dom) : NULL};
    vr_domain_def **out[2] = {&h->live, &h->config};
    for (size_t k = 0; k < 2 && code == VR_OK; k++) {
        if (!defs[k])
            continue;
        int i = find_disk(dom, defs[k], disk, k == 1, &err);
        if (i < 0) {
            code = VR_ERR_NOT_FOUND;
            break;
        }
        *out[k] = vr_domain_def_copy(defs[k]);
        code = change_disk(*out[k], (size_t)i, ch, &err);
        if (code != VR_OK || k != 0)
            continue;
        const vr_disk_def *d = &h->live->disks[i];
        if (!vr_disk_def_source(d)) {
            vr_set_error(&err, "disk %s of domain '%s' has no medium to throttle; insert one (change-media) or "
                               "use --config", d->target_dev, dom->def->name);
            code = VR_ERR_INVALID;
            break;
        }
        vr_hp_step(h, "block_set_io_throttle", vr_qemu_iotune_args(d), NULL, NULL);
        h->event = event_detail(d, ch);
    }
    vr_hp_go(h, code, err, h->flags & VR_AFFECT_LIVE, vr_hp_replace_end);
}

vr_err vr_qemu_get_block_iotune(vr_domain *dom, const char *disk, unsigned flags, vr_iotune *out, char **err)
{
    unsigned f = vr_qemu_affect(dom, flags);
    if ((f & VR_AFFECT_LIVE) && (f & VR_AFFECT_CONFIG)) {
        vr_set_error(err, "ask for the live or the persistent values, not both: drop --live or --config");
        return VR_ERR_INVALID;
    }
    vr_err code = vr_hp_check(dom, f, "read", err);
    if (code != VR_OK)
        return code;
    const vr_domain_def *def = f & VR_AFFECT_CONFIG ? vr_hp_config_def(dom) : dom->def;
    int i = find_disk(dom, def, disk, f & VR_AFFECT_CONFIG, err);
    if (i < 0)
        return VR_ERR_NOT_FOUND;
    *out = (vr_iotune){0};
    vr_iotune_copy(out, &def->disks[i].iotune);
    return VR_OK;
}
