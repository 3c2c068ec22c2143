/* Hot-plug of disks and interfaces into a running QEMU, and the same
 * changes to the persistent definition.
 *
 * QEMU's names are the command line's (qemu_command.c): a disk's two
 * block nodes are file-TARGET and drive-TARGET and its device's id is
 * TARGET; a NIC is device nicK on netdev netK. K is the interface's
 * index at start; a hot-plugged NIC takes one past the highest K in use
 * (libvirt's rule for its netK aliases), and the
 * MAC -> K map of the run is kept in RUNTIME/qemu/NAME/nics, so detach
 * finds the device after other NICs came and went, and after a daemon
 * restart.
 *
 * One operation is a list of QMP steps run in order; when one fails,
 * the steps before it are undone (newest first) and nothing else
 * changes. A detach asks the guest to let go (device_del) and goes on
 * when QEMU reports DEVICE_DELETED; if the guest has not within
 * UNPLUG_WAIT_SECS the caller hears so, and the removal still completes
 * whenever the guest lets go. */
#include "conf/domain_device.h"
#include "drivers/qemu/qemu_blocknode.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define UNPLUG_WAIT_SECS 10

struct vr_unplug {
    struct vr_unplug *next;
    char *id;          /* the device's id */
    vr_hp *h;          /* the operation to go on with */
    struct event *timer;
    bool deleted;      /* DEVICE_DELETED came before device_del's answer */
    bool answered;     /* device_del answered */
};

/* ---- checks shared by every operation ---- */

bool vr_hp_active(const vr_domain *dom)
{
    return dom->state != VR_DOM_SHUTOFF && dom->pid > 0 && dom->qmp;
}

vr_err vr_hp_check(const vr_domain *dom, unsigned flags, const char *what, char **err)
{
    const char *name = dom->def->name;
    if (dom->starting) {
        vr_set_error(err, "domain '%s' is starting; try again once it runs", name);
        return VR_ERR_CONFLICT;
    }
    if ((flags & VR_AFFECT_LIVE) && !vr_hp_active(dom)) {
        vr_set_error(err, "domain '%s' is not running; use --config to %s its definition", name, what);
        return VR_ERR_CONFLICT;
    }
    if ((flags & VR_AFFECT_CONFIG) && !dom->persistent) {
        vr_set_error(err, "domain '%s' is transient and has no persistent definition; use --live", name);
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

const vr_domain_def *vr_hp_config_def(const vr_domain *dom)
{
    return dom->next ? dom->next : dom->def;
}

/* ---- the definitions, once QEMU confirmed ---- */

void vr_hp_live_replace(vr_domain *dom, vr_domain_def *def)
{
    vr_domain_def *old = dom->def;
    dom->def = def;
    /* Until now the live definition was the persistent one as well. */
    if (dom->persistent && !dom->next)
        dom->next = old;
    else
        vr_domain_def_free(old);
    int rc = vr_qemu_runtime_save_def(dom);
    if (rc < 0)
        vr_log_warn("domain %s: cannot save its live definition: %s", def->name, strerror(-rc));
}

vr_err vr_hp_config_replace(vr_domain *dom, vr_domain_def *def, char **err)
{
    vr_err code = vr_qemu_domain_save(dom->drv, def, err);
    if (code != VR_OK) {
        vr_domain_def_free(def);
        return code;
    }
    vr_qemu_domain_set_config(dom, def);
    vr_qemu_emit(dom, "defined", "updated");
    return VR_OK;
}

/* ---- QMP steps ---- */

static json_object *jstr(const char *s) { return json_object_new_string(s); }

vr_hp *vr_hp_new(vr_domain *dom, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_calloc(1, sizeof(*h));
    h->dom = dom;
    h->flags = flags;
    h->cb = cb;
    h->opaque = opaque;
    h->tapfd = -1;
    return h;
}

void vr_hp_step(vr_hp *h, const char *cmd, json_object *args, const char *undo, json_object *undo_args)
{
    h->steps = vr_realloc(h->steps, (h->n + 1) * sizeof(*h->steps));
    h->steps[h->n++] = (vr_hp_step_t){.cmd = cmd, .args = args, .undo = undo, .undo_args = undo_args,
                                      .fd = -1};
}

/* {"node-name": NODE} for blockdev-del and its kin. */
static json_object *node_arg(const char *key, const char *value)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, key, jstr(value));
    return a;
}

void vr_hp_finish(vr_hp *h, vr_err code, const char *err)
{
    if (code != VR_OK && h->on_fail)
        h->on_fail(h);
    if (h->cb)
        h->cb(code, err, h->opaque);
    for (size_t i = 0; i < h->n; i++) {
        json_object_put(h->steps[i].args);
        json_object_put(h->steps[i].undo_args);
    }
    free(h->steps);
    if (h->tapfd >= 0)
        close(h->tapfd);
    free(h->tap);
    free(h->id);
    free(h->key);
    free(h->top_node);
    free(h->secret_id);
    free(h->event);
    vr_domain_def_free(h->live);
    vr_domain_def_free(h->config);
    free(h);
}

void vr_hp_replace_end(vr_hp *h)
{
    vr_domain *dom = h->dom;
    if (h->flags & VR_AFFECT_LIVE) {
        vr_hp_live_replace(dom, h->live);
        h->live = NULL;
        if (h->event)
            vr_qemu_emit(dom, "tunable", h->event);
    }
    char *err = NULL;
    vr_err code = VR_OK;
    if (h->flags & VR_AFFECT_CONFIG) {
        code = vr_hp_config_replace(dom, h->config, &err);
        h->config = NULL;
    }
    vr_hp_finish(h, code, err);
    free(err);
}

void vr_hp_go(vr_hp *h, vr_err code, char *err, bool live, void (*end)(vr_hp *h))
{
    if (code != VR_OK) {
        vr_hp_finish(h, code, err);
        free(err);
        return;
    }
    h->end = end;
    if (live)
        vr_hp_run(h);
    else
        end(h);
}

static void undo(vr_hp *h)
{
    for (size_t i = h->at; i-- > 0;) {
        vr_hp_step_t *s = &h->steps[i];
        if (s->undo && h->dom->qmp) {
            vr_qmp_command(h->dom->qmp, s->undo, s->undo_args, NULL, NULL);
            s->undo_args = NULL;
        }
    }
}

static void fail_step(vr_hp *h, const char *error)
{
    undo(h);
    char *m = vr_asprintf("QEMU refused %s for domain '%s': %s", h->steps[h->at].cmd, h->dom->def->name, error);
    vr_hp_finish(h, VR_ERR_FAILED, m);
    free(m);
}

static void on_step(json_object *ret, const char *error, void *opaque)
{
    vr_hp *h = opaque;
    if (error) {
        fail_step(h, error);
        return;
    }
    char *refused = h->steps[h->at].on_reply ? h->steps[h->at].on_reply(h, ret) : NULL;
    if (refused) {
        undo(h);
        vr_hp_finish(h, VR_ERR_INVALID, refused);
        free(refused);
        return;
    }
    h->at++;
    vr_hp_run(h);
}

static void run_unplug(vr_hp *h);

void vr_hp_run(vr_hp *h)
{
    if (h->at == h->n) {
        h->end(h);
        return;
    }
    vr_hp_step_t *s = &h->steps[h->at];
    if (s->unplug) {
        run_unplug(h);
        return;
    }
    json_object *args = s->args;
    s->args = NULL;
    if (s->fd >= 0) {
        char *err = NULL;
        if (vr_qmp_command_fd(h->dom->qmp, s->cmd, args, s->fd, on_step, h, &err) < 0) {
            undo(h);
            vr_hp_finish(h, VR_ERR_FAILED, err);
            free(err);
        }
        /* Sent with the command: the daemon's copy is no longer needed. */
        if (s->fd == h->tapfd) {
            close(h->tapfd);
            h->tapfd = -1;
        }
        return;
    }
    vr_qmp_command(h->dom->qmp, s->cmd, args, on_step, h);
}

/* ---- waiting for the guest to let a device go ---- */

static void unplug_free(struct vr_unplug *u)
{
    if (u->timer)
        event_free(u->timer);
    free(u->id);
    free(u);
}

static void unplug_unlink(vr_domain *dom, struct vr_unplug *u)
{
    for (struct vr_unplug **p = &dom->unplugs; *p; p = &(*p)->next)
        if (*p == u) {
            *p = u->next;
            return;
        }
}

static void unplug_done(vr_domain *dom, struct vr_unplug *u)
{
    unplug_unlink(dom, u);
    vr_hp *h = u->h;
    unplug_free(u);
    h->at++; /* past device_del */
    vr_hp_run(h);
}

/* The guest did not let the device go: libvirt's device-removal-failed
 * event, and the caller hears `m` (taken) now. The device stays in the
 * live definition; the rest happens (live only) if the guest ever lets
 * go. */
static void unplug_failed(struct vr_unplug *u, char *m)
{
    vr_hp *h = u->h;
    vr_log_warn("domain %s: %s", h->dom->def->name, m);
    vr_qemu_emit(h->dom, "device-removal-failed", u->id);
    if (h->cb)
        h->cb(VR_ERR_FAILED, m, h->opaque);
    h->cb = NULL;
    free(m);
}

#define UNPLUG_LATER "nothing changed yet: the device leaves when the guest lets it go"

static void on_unplug_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct vr_unplug *u = arg;
    event_free(u->timer);
    u->timer = NULL;
    unplug_failed(u, vr_asprintf("the guest of domain '%s' has not released %s within %d s (it must support "
                                 "ACPI hot-plug and not be paused); " UNPLUG_LATER,
                                 u->h->dom->def->name, u->id, UNPLUG_WAIT_SECS));
}

void vr_qemu_device_unplug_error(vr_domain *dom, json_object *data)
{
    json_object *dev = NULL;
    if (!data || !json_object_object_get_ex(data, "device", &dev) || !dev)
        return;
    for (struct vr_unplug *u = dom->unplugs; u; u = u->next)
        if (strcmp(u->id, json_object_get_string(dev)) == 0) {
            if (u->timer)
                evtimer_del(u->timer);
            unplug_failed(u, vr_asprintf("the guest of domain '%s' refused to release %s; " UNPLUG_LATER,
                                         dom->def->name, u->id));
            return;
        }
}

static void on_device_del(json_object *ret, const char *error, void *opaque)
{
    struct vr_unplug *u = opaque;
    vr_hp *h = u->h;
    vr_domain *dom = h->dom;
    if (error) {
        unplug_unlink(dom, u);
        unplug_free(u);
        fail_step(h, error);
        return;
    }
    u->answered = true;
    if (u->deleted) {
        unplug_done(dom, u);
        return;
    }
    u->timer = evtimer_new(dom->drv->base, on_unplug_timeout, u);
    struct timeval tv = {.tv_sec = UNPLUG_WAIT_SECS};
    evtimer_add(u->timer, &tv);
}

bool vr_hp_unplugging(const vr_domain *dom, const char *id)
{
    for (const struct vr_unplug *u = dom->unplugs; u; u = u->next)
        if (strcmp(u->id, id) == 0)
            return true;
    return false;
}

void vr_hp_step_unplug(vr_hp *h, const char *id)
{
    vr_hp_step(h, "device_del", node_arg("id", id), NULL, NULL);
    h->steps[h->n - 1].unplug = true;
}

/* device_del, and a record DEVICE_DELETED completes. */
static void run_unplug(vr_hp *h)
{
    vr_hp_step_t *s = &h->steps[h->at];
    json_object *id = NULL;
    json_object_object_get_ex(s->args, "id", &id);
    struct vr_unplug *u = vr_calloc(1, sizeof(*u));
    u->id = vr_strdup(json_object_get_string(id));
    u->h = h;
    u->next = h->dom->unplugs;
    h->dom->unplugs = u;
    json_object *args = s->args;
    s->args = NULL;
    vr_qmp_command(h->dom->qmp, "device_del", args, on_device_del, u);
}

void vr_qemu_device_deleted(vr_domain *dom, json_object *data)
{
    json_object *dev = NULL;
    if (!data || !json_object_object_get_ex(data, "device", &dev) || !dev)
        return; /* a device's own parts (virtio backends) go unnamed */
    const char *id = json_object_get_string(dev);
    for (struct vr_unplug *u = dom->unplugs; u; u = u->next) {
        if (strcmp(u->id, id) != 0)
            continue;
        if (!u->answered)
            u->deleted = true;
        else
            unplug_done(dom, u);
        return;
    }
}

void vr_qemu_unplugs_end(vr_domain *dom, bool notify)
{
    while (dom->unplugs) {
        struct vr_unplug *u = dom->unplugs;
        dom->unplugs = u->next;
        vr_hp *h = u->h;
        /* An unanswered device_del hears "QEMU exited" from the monitor
         * itself, which frees the operation. */
        bool answered = u->answered;
        unplug_free(u);
        if (!answered)
            continue;
        if (!notify)
            h->cb = NULL;
        vr_hp_finish(h, VR_ERR_FAILED, "QEMU exited before the guest released the device");
    }
}

/* ---- NIC numbers of the run (RUNTIME/qemu/NAME/nics) ---- */

typedef struct {
    char mac[VR_MAC_STRLEN];
    int k;
} nic_entry;

static nic_entry *nics_load(const vr_domain *dom, size_t *n)
{
    char *path = vr_asprintf("%s/nics", dom->runtime_dir);
    char *text = vr_file_read(path, NULL);
    free(path);
    nic_entry *e = NULL;
    *n = 0;
    if (!text) {
        /* No hot-plug in this run yet: the start's numbering. */
        e = vr_calloc(dom->def->n_interfaces + 1, sizeof(*e));
        for (size_t i = 0; i < dom->def->n_interfaces; i++) {
            snprintf(e[i].mac, sizeof(e[i].mac), "%s", dom->def->interfaces[i].mac);
            e[i].k = (int)i;
        }
        *n = dom->def->n_interfaces;
        return e;
    }
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        nic_entry x = {0};
        if (sscanf(l, "%17s %d", x.mac, &x.k) != 2)
            continue;
        e = vr_realloc(e, (*n + 1) * sizeof(*e));
        e[(*n)++] = x;
    }
    free(text);
    return e;
}

static void nics_save(const vr_domain *dom, const nic_entry *e, size_t n)
{
    vr_strbuf b = {0};
    for (size_t i = 0; i < n; i++)
        vr_strbuf_addf(&b, "%s %d\n", e[i].mac, e[i].k);
    char *path = vr_asprintf("%s/nics", dom->runtime_dir);
    int rc = vr_file_write_atomic(path, b.s ? b.s : "", b.len, 0600);
    if (rc < 0)
        vr_log_warn("domain %s: cannot write %s: %s", dom->def->name, path, strerror(-rc));
    free(path);
    vr_strbuf_free(&b);
}

/* K of the NIC with `mac`, or with add a new one (recorded). */
static int nic_number(const vr_domain *dom, const char *mac, bool add)
{
    size_t n;
    nic_entry *e = nics_load(dom, &n);
    int k = -1;
    for (size_t i = 0; i < n && k < 0; i++)
        if (strcasecmp(e[i].mac, mac) == 0)
            k = e[i].k;
    if (k < 0 && add) {
        /* One past the highest in use, as libvirt numbers a hot-plugged
         * NIC's alias (netK): after detaching net1 of net0..net2 the next
         * is net3, not net1 again. */
        k = 0;
        for (size_t i = 0; i < n; i++)
            k = e[i].k >= k ? e[i].k + 1 : k;
        e = vr_realloc(e, (n + 1) * sizeof(*e));
        snprintf(e[n].mac, sizeof(e[n].mac), "%s", mac);
        e[n++].k = k;
        nics_save(dom, e, n);
    }
    free(e);
    return k;
}

int vr_hp_nic_number(const vr_domain *dom, const char *mac)
{
    return nic_number(dom, mac, false);
}

static void nic_forget(const vr_domain *dom, const char *mac)
{
    size_t n;
    nic_entry *e = nics_load(dom, &n);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(e[i].mac, mac) == 0) {
            memmove(e + i, e + i + 1, (n - i - 1) * sizeof(*e));
            n--;
            break;
        }
    nics_save(dom, e, n);
    free(e);
}

/* ---- device arguments ---- */

/* Where a PCI device can be hot-plugged: any slot of pc's root bus or a
 * pci-bridge (ACPI hot-plug), a pcie-root-port on q35 (its root bus
 * takes none). */
static vr_err check_pci_slot(const vr_domain_def *def, const vr_address *addr, const char *what, char **err)
{
    if (addr->type == VR_ADDR_PCI && addr->bus == 0 && vr_domain_def_is_q35(def)) {
        vr_set_error(err, "domain '%s' has no free pcie-root-port for %s (q35 hot-plugs PCIe devices "
                          "into root ports only): detach a device, or add <controller type='pci' "
                          "model='pcie-root-port'/> with 'vireo edit' and restart it",
                     def->name, what);
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

/* blockdev-add of a disk's two nodes: the properties -blockdev gives
 * them at start (qemu_command.c), as JSON. */
int vr_hp_disk_nodes(vr_hp *h, const vr_disk_def *d, const char *path, char **err)
{
    char file_node[80], drive_node[80];
    snprintf(file_node, sizeof(file_node), "file-%s", d->target_dev);
    snprintf(drive_node, sizeof(drive_node), "drive-%s", d->target_dev);
    vr_qprops *secret = NULL, *file = NULL;
    if (vr_qemu_disk_on_network(d, path)) {
        /* A LUN or an RBD image: QEMU's own client, its password or key
         * first as the secret object the start gives it. */
        if (!(file = vr_qemu_disk_net_node(d, path, h->dom->runtime_dir, &secret, err)))
            return -1;
        if (secret) {
            char id[96];
            snprintf(id, sizeof(id), "sec-%s", d->target_dev);
            vr_hp_step(h, "object-add", vr_qp_json(secret), "object-del", node_arg("id", id));
            vr_qp_free(secret);
        }
    } else {
        file = vr_qemu_disk_file_node(d, path);
    }
    vr_qprops *format = vr_qemu_disk_format_node(d);
    vr_hp_step(h, "blockdev-add", vr_qp_json(file), "blockdev-del", node_arg("node-name", file_node));
    vr_hp_step(h, "blockdev-add", vr_qp_json(format), "blockdev-del", node_arg("node-name", drive_node));
    vr_qp_free(file);
    vr_qp_free(format);
    return 0;
}

/* device_add's arguments: the device -device gives at start. */
static json_object *device_json(vr_qprops *p)
{
    json_object *a = vr_qp_json(p);
    vr_qp_free(p);
    return a;
}

/* ---- attach ---- */

static void attach_end(vr_hp *h)
{
    vr_domain *dom = h->dom;
    if (h->flags & VR_AFFECT_LIVE) {
        if (h->kind == VR_DEVICE_INTERFACE) {
            /* The tap list stays parallel to the interfaces. */
            dom->ifnames = vr_realloc(dom->ifnames, (dom->n_ifnames + 1) * sizeof(char *));
            dom->ifnames[dom->n_ifnames++] = h->tap;
            h->tap = NULL;
            vr_qemu_taps_save(dom);
        }
        vr_log_info("domain %s: %s attached", dom->def->name, h->id);
        vr_qemu_emit(dom, "device-added", h->id);
    }
    vr_hp_replace_end(h);
}

/* The checks of a disk about to be hot-plugged, and its steps. */
static vr_err plan_disk(vr_hp *h, vr_disk_def *d, char **err)
{
    vr_domain *dom = h->dom;
    const char *name = dom->def->name;
    vr_err code = check_pci_slot(h->live, &d->addr, d->target_dev, err);
    if (code == VR_OK)
        code = vr_qemu_disk_preflight(dom->drv, name, d, err);
    if (code != VR_OK)
        return code;
    if ((code = vr_qemu_disk_check_shared(dom, d, true, err)) != VR_OK)
        return code;
    const char *path = vr_disk_def_source(d);
    if (vr_qemu_grant_disk(dom, d, err) < 0 || vr_qemu_disk_key_write(dom, d, err) < 0)
        return VR_ERR_FAILED;
    if (path && vr_hp_disk_nodes(h, d, path, err) < 0)
        return VR_ERR_INVALID;
    if (!path && d->device != VR_DISK_DEVICE_CDROM)
        return VR_ERR_INVALID;
    vr_hp_step(h, "device_add",
               device_json(vr_qemu_disk_device(d, vr_domain_def_is_q35(h->live), path != NULL, 0)),
               NULL, NULL);
    /* Its <iotune> before the guest's driver reads a block of it. */
    if (path && vr_iotune_any(&d->iotune))
        vr_hp_step(h, "block_set_io_throttle", vr_qemu_iotune_args(d), NULL, NULL);
    h->id = vr_strdup(d->target_dev);
    return VR_OK;
}

static vr_err plan_interface(vr_hp *h, const vr_interface_def *in, char **err)
{
    vr_domain *dom = h->dom;
    if (vr_domain_def_find_interface(dom->def, in->mac) >= 0) {
        vr_set_error(err, "domain '%s' has an interface with MAC %s already", dom->def->name, in->mac);
        return VR_ERR_CONFLICT;
    }
    vr_err code = check_pci_slot(h->live, &in->addr, "the interface", err);
    if (code != VR_OK)
        return code;
    if (in->type != VR_NET_USER) {
        if (!dom->drv->net.tap_for) {
            vr_set_error(err, "this daemon has no network driver for an interface of type %s",
                         vr_net_type_name(in->type));
            return VR_ERR_UNSUPPORTED;
        }
        h->tapfd = dom->drv->net.tap_for(dom->drv->net.opaque, in, &h->tap, err);
        if (h->tapfd < 0)
            return VR_ERR_FAILED;
    }
    int k = nic_number(dom, in->mac, false);
    if (k < 0) {
        /* Taken only once QEMU has the device: numbered now, forgotten on failure below. */
        k = nic_number(dom, in->mac, true);
        h->forget_mac = true;
    }
    char netdev[32], fdname[32], nic[32];
    snprintf(netdev, sizeof(netdev), "net%d", k);
    snprintf(fdname, sizeof(fdname), "fd-net%d", k);
    snprintf(nic, sizeof(nic), "nic%d", k);
    json_object *nd = json_object_new_object();
    json_object_object_add(nd, "id", jstr(netdev));
    if (in->type == VR_NET_USER) {
        json_object_object_add(nd, "type", jstr("user"));
    } else {
        vr_hp_step(h, "getfd", node_arg("fdname", fdname), "closefd", node_arg("fdname", fdname));
        h->steps[h->n - 1].fd = h->tapfd;
        json_object_object_add(nd, "type", jstr("tap"));
        json_object_object_add(nd, "fd", jstr(fdname));
    }
    vr_hp_step(h, "netdev_add", nd, "netdev_del", node_arg("id", netdev));
    vr_hp_step(h, "device_add",
               device_json(vr_qemu_nic_device(in, vr_domain_def_is_q35(h->live), netdev, nic, 0)),
               NULL, NULL);
    h->id = vr_strdup(nic);
    h->key = vr_strdup(in->mac);
    return VR_OK;
}

static void attach_failed_cb(vr_hp *h)
{
    if (h->forget_mac && h->key)
        nic_forget(h->dom, h->key);
}

void vr_qemu_attach_device(vr_domain *dom, const char *xml, unsigned flags, vr_done_fn cb, void *opaque)
{
    flags = vr_qemu_affect(dom, flags);
    char *err = NULL;
    vr_hp *h = vr_hp_new(dom, flags, cb, opaque);
    vr_err code = vr_hp_check(dom, flags, "add the device to", &err);
    size_t idx = 0;
    if (code == VR_OK && (flags & VR_AFFECT_CONFIG) &&
        !(h->config = vr_domain_def_with_device(vr_hp_config_def(dom), xml, &h->kind, &idx, &err)))
        code = VR_ERR_INVALID;
    if (code == VR_OK && (flags & VR_AFFECT_LIVE)) {
        const vr_disk_def *d = NULL;
        h->live = vr_domain_def_with_device(dom->def, xml, &h->kind, &h->index, &err);
        /* An XML without <mac> got one drawn in each completion: the
         * running NIC takes the definition's, one MAC as in libvirt
         * (detach finds it by that MAC in both). */
        if (h->live && h->config && h->kind == VR_DEVICE_INTERFACE)
            memcpy(h->live->interfaces[h->index].mac, h->config->interfaces[idx].mac, VR_MAC_STRLEN);
        if (!h->live) {
            code = VR_ERR_INVALID;
        } else if (h->kind == VR_DEVICE_DISK && ((d = &h->live->disks[h->index])->bus == VR_DISK_BUS_SATA ||
                                                 d->bus == VR_DISK_BUS_IDE)) {
            /* QEMU's AHCI and IDE take no device_add. */
            vr_set_error(&err, "disk %s is on bus %s, which takes no disk while the domain runs; use "
                               "--targetbus virtio (or scsi), or --config to add it at the next start",
                         d->target_dev, vr_disk_bus_name(d->bus));
            code = VR_ERR_UNSUPPORTED;
        } else if (h->live->n_controllers != dom->def->n_controllers) {
            vr_set_error(&err, "the device needs a controller that running domain '%s' does not have; "
                               "add it with 'vireo edit' and restart, or use --config",
                         dom->def->name);
            code = VR_ERR_UNSUPPORTED;
        } else if (h->kind == VR_DEVICE_DISK) {
            code = plan_disk(h, &h->live->disks[h->index], &err);
        } else if (h->kind == VR_DEVICE_MEMORY) {
            code = vr_qemu_plan_dimm(h, &err);
        } else {
            code = plan_interface(h, &h->live->interfaces[h->index], &err);
        }
    }
    h->on_fail = attach_failed_cb;
    vr_hp_go(h, code, err, flags & VR_AFFECT_LIVE, attach_end);
}

/* ---- detach ---- */

static void detach_end(vr_hp *h)
{
    vr_domain *dom = h->dom;
    char *err = NULL;
    vr_err code = VR_OK;
    if (h->flags & VR_AFFECT_LIVE) {
        /* Found again: the definition may have changed while the guest
         * took its time. */
        int i = h->kind == VR_DEVICE_DISK        ? vr_domain_def_find_disk(dom->def, h->key)
                : h->kind == VR_DEVICE_MEMORY ? vr_domain_def_find_memdev(dom->def, h->key)
                                              : vr_domain_def_find_interface(dom->def, h->key);
        vr_domain_def *live = i < 0 ? NULL : vr_domain_def_without_device(dom->def, h->kind, (size_t)i, &err);
        if (live) {
            if (h->kind == VR_DEVICE_INTERFACE) {
                nic_forget(dom, h->key);
                if ((size_t)i < dom->n_ifnames) {
                    /* A macvtap outlives QEMU's fd (a tap does not): it goes now,
                     * not with the domain's stop, which no longer lists it. */
                    if (dom->ifnames[i] && dom->drv->net.release)
                        dom->drv->net.release(dom->drv->net.opaque, dom->ifnames[i]);
                    free(dom->ifnames[i]);
                    memmove(dom->ifnames + i, dom->ifnames + i + 1, (dom->n_ifnames - (size_t)i - 1) * sizeof(char *));
                    dom->n_ifnames--;
                    vr_qemu_taps_save(dom);
                }
            }
            if (h->kind == VR_DEVICE_DISK) {
                /* Its key or CHAP password's file, if it had one, goes with it. */
                vr_disk_def *d = &dom->def->disks[i];
                char *key_file = d->type == VR_DISK_NETWORK ? vr_qemu_disk_key_file(dom->runtime_dir, d) : NULL;
                if (key_file && unlink(key_file) < 0 && errno != ENOENT)
                    vr_log_warn("domain %s: cannot remove %s: %s", dom->def->name, key_file, strerror(errno));
                free(key_file);
            }
            vr_hp_live_replace(dom, live);
            vr_log_info("domain %s: %s detached", dom->def->name, h->id);
            vr_qemu_emit(dom, "device-removed", h->id);
        } else if (i >= 0) {
            vr_log_warn("domain %s: %s left QEMU, but the live definition cannot drop it: %s",
                        dom->def->name, h->id, err);
            code = VR_ERR_FAILED;
        }
    }
    /* A caller who gave up waiting changed nothing persistent. */
    if (code == VR_OK && h->cb && (h->flags & VR_AFFECT_CONFIG)) {
        code = vr_hp_config_replace(dom, h->config, &err);
        h->config = NULL;
    }
    vr_hp_finish(h, code, err);
    free(err);
}

/* A detached disk's chain known: once the guest let go, each layer's
 * nodes leave QEMU, top first (qemu_blocknode.h). */
static char *detach_disk_chain(vr_hp *h, json_object *ret)
{
    vr_qb_layer *chain = NULL;
    size_t n = vr_qb_chain(ret, h->top_node, &chain);
    json_object *dels = json_object_new_array();
    vr_hp_step_unplug(h, h->id);
    for (size_t i = 0; i < n; i++)
        vr_qb_del_args(&chain[i], h->key, dels);
    for (size_t i = 0; i < json_object_array_length(dels); i++)
        vr_hp_step(h, "blockdev-del", json_object_get(json_object_array_get_idx(dels, i)), NULL, NULL);
    json_object_put(dels);
    /* The password's or key's object goes with the nodes that used it. */
    if (h->secret_id)
        vr_hp_step(h, "object-del", node_arg("id", h->secret_id), NULL, NULL);
    vr_qb_chain_free(chain, n);
    return NULL;
}

static char *detach_disk_top(vr_hp *h, json_object *ret)
{
    const char *top = vr_qb_inserted(vr_qb_block_of(ret, h->id), "node-name");
    if (!top)
        return vr_asprintf("QEMU has no image in disk %s of domain '%s'", h->id, h->dom->def->name);
    h->top_node = vr_strdup(top);
    vr_hp_step(h, "query-named-block-nodes", NULL, NULL, NULL);
    h->steps[h->n - 1].on_reply = detach_disk_chain;
    return NULL;
}

/* Common to every detach: the checks, the new persistent definition,
 * and the steps after the guest let go. index_live < 0: not live. */
static void detach(vr_hp *h, int index_config, int index_live)
{
    vr_domain *dom = h->dom;
    char *err = NULL;
    vr_err code = VR_OK;
    if ((h->flags & VR_AFFECT_CONFIG) &&
        !(h->config = vr_domain_def_without_device(vr_hp_config_def(dom), h->kind, (size_t)index_config, &err)))
        code = VR_ERR_INVALID;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE)) {
        if (h->kind == VR_DEVICE_DISK) {
            const vr_disk_def *d = &dom->def->disks[index_live];
            h->key = vr_strdup(d->target_dev);
            h->id = vr_strdup(d->target_dev);
            if (d->bus == VR_DISK_BUS_SATA || d->bus == VR_DISK_BUS_IDE) {
                vr_set_error(&err, "disk %s is on bus %s, which cannot give up a disk while the domain "
                                   "runs; use --config to remove it at the next start",
                             d->target_dev, vr_disk_bus_name(d->bus));
                code = VR_ERR_UNSUPPORTED;
            }
            const char *path = vr_disk_def_source(d);
            if (vr_qemu_disk_on_network(d, path)) {
                /* Its secret object sec-T, if the start or the attach gave it one. */
                vr_qprops *secret = NULL, *node = vr_qemu_disk_net_node(d, path, dom->runtime_dir, &secret, NULL);
                if (secret)
                    h->secret_id = vr_asprintf("sec-%s", d->target_dev);
                vr_qp_free(secret);
                vr_qp_free(node);
            }
            if (code == VR_OK && path) {
                /* The chain's nodes are read first: snapshots and block
                 * jobs may have changed them since start. */
                vr_hp_step(h, "query-block", NULL, NULL, NULL);
                h->steps[h->n - 1].on_reply = detach_disk_top;
            } else if (code == VR_OK) {
                vr_hp_step_unplug(h, h->id);
            }
        } else if (h->kind == VR_DEVICE_MEMORY) {
            vr_qemu_plan_dimm_unplug(h, &dom->def->memdevs[index_live]);
        } else {
            const vr_interface_def *in = &dom->def->interfaces[index_live];
            int k = nic_number(dom, in->mac, false);
            if (k < 0) {
                vr_set_error(&err, "the run of domain '%s' has no record of the interface with MAC %s",
                             dom->def->name, in->mac);
                code = VR_ERR_FAILED;
            } else {
                h->key = vr_strdup(in->mac);
                h->id = vr_asprintf("nic%d", k);
                char netdev[32];
                snprintf(netdev, sizeof(netdev), "net%d", k);
                vr_hp_step_unplug(h, h->id);
                vr_hp_step(h, "netdev_del", node_arg("id", netdev), NULL, NULL);
            }
        }
        if (code == VR_OK && vr_hp_unplugging(dom, h->id)) {
            vr_set_error(&err, "%s of domain '%s' is being detached already; the guest has not let it go yet",
                         h->id, dom->def->name);
            code = VR_ERR_CONFLICT;
        }
    }
    vr_hp_go(h, code, err, h->flags & VR_AFFECT_LIVE, detach_end);
}

/* Where the device is in the definitions the flags name; -1 after
 * answering when it is not in one of them. */
static int locate(vr_hp *h, int (*find)(const vr_domain_def *, const char *), const char *key,
                  const char *what, int *index_live)
{
    vr_domain *dom = h->dom;
    char *err = NULL;
    int ic = -1;
    *index_live = -1;
    vr_err code = vr_hp_check(dom, h->flags, "remove the device from", &err);
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE) && (*index_live = find(dom->def, key)) < 0) {
        vr_set_error(&err, "domain '%s' has no %s %s", dom->def->name, what, key);
        code = VR_ERR_NOT_FOUND;
    }
    if (code == VR_OK && (h->flags & VR_AFFECT_CONFIG) && (ic = find(vr_hp_config_def(dom), key)) < 0) {
        vr_set_error(&err, "the persistent definition of domain '%s' has no %s %s", dom->def->name, what, key);
        code = VR_ERR_NOT_FOUND;
    }
    if (code != VR_OK) {
        vr_hp_finish(h, code, err);
        free(err);
        return -2;
    }
    return ic;
}

void vr_qemu_detach_disk(vr_domain *dom, const char *key, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    h->kind = VR_DEVICE_DISK;
    int il, ic = locate(h, vr_domain_def_find_disk, key, "disk", &il);
    if (ic != -2)
        detach(h, ic, il);
}

/* The detach of the device found at ic / il (config / live), or the
 * lookup's error (code, err: freed) as the answer. */
static void detach_found(vr_hp *h, vr_err code, char *err, int ic, int il)
{
    if (code != VR_OK) {
        vr_hp_finish(h, code, err);
        free(err);
        return;
    }
    detach(h, ic, il);
}

/* An interface of `type` by MAC, or the only one of that type. */
static int find_iface(const vr_domain_def *def, const char *type, const char *mac)
{
    int found = -1, n = 0;
    for (size_t i = 0; i < def->n_interfaces; i++) {
        const vr_interface_def *in = &def->interfaces[i];
        if (strcmp(vr_net_type_name(in->type), type) != 0 || (mac && strcasecmp(in->mac, mac) != 0))
            continue;
        found = (int)i;
        n++;
    }
    return n == 1 ? found : n > 1 ? -2 : -1;
}

void vr_qemu_detach_interface(vr_domain *dom, const char *type, const char *mac, unsigned flags,
                              vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    h->kind = VR_DEVICE_INTERFACE;
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, "remove the interface from", &err);
    int il = -1, ic = -1;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE))
        il = find_iface(dom->def, type, mac);
    if (code == VR_OK && (h->flags & VR_AFFECT_CONFIG))
        ic = find_iface(vr_hp_config_def(dom), type, mac);
    if (code == VR_OK && (il == -2 || ic == -2)) {
        vr_set_error(&err, "domain '%s' has more than one interface of type %s; name one with --mac",
                     dom->def->name, type);
        code = VR_ERR_INVALID;
    } else if (code == VR_OK && (((h->flags & VR_AFFECT_LIVE) && il < 0) || ((h->flags & VR_AFFECT_CONFIG) && ic < 0))) {
        vr_set_error(&err, "domain '%s' has no interface of type %s%s%s%s", dom->def->name, type,
                     mac ? " with MAC " : "", mac ? mac : "",
                     (h->flags & VR_AFFECT_LIVE) && il >= 0 ? " in its persistent definition" : "");
        code = VR_ERR_NOT_FOUND;
    }
    detach_found(h, code, err, ic, il);
}

static int find_by_xml(const vr_domain_def *def, const char *xml, vr_device_kind *kind, char **err)
{
    size_t i;
    return vr_domain_def_find_device(def, xml, kind, &i, err) < 0 ? -1 : (int)i;
}

/* The same in the running domain, where the element may name its device
 * by the automatic alias of the live XML. */
static int find_live_by_xml(const vr_domain *dom, const char *xml, vr_device_kind *kind, char **err)
{
    size_t i;
    int *nics = vr_hp_nic_numbers(dom, dom->def);
    int rc = vr_domain_def_find_live_device(dom->def, xml, nics, kind, &i, err);
    free(nics);
    return rc < 0 ? -1 : (int)i;
}

void vr_qemu_detach_device(vr_domain *dom, const char *xml, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, "remove the device from", &err);
    int il = -1, ic = -1;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE) && (il = find_live_by_xml(dom, xml, &h->kind, &err)) < 0)
        code = VR_ERR_NOT_FOUND;
    if (code == VR_OK && (h->flags & VR_AFFECT_CONFIG) &&
        (ic = find_by_xml(vr_hp_config_def(dom), xml, &h->kind, &err)) < 0)
        code = VR_ERR_NOT_FOUND;
    detach_found(h, code, err, ic, il);
}

int *vr_hp_nic_numbers(const vr_domain *dom, const vr_domain_def *def)
{
    if (def->n_interfaces == 0)
        return NULL;
    int *k = vr_calloc(def->n_interfaces, sizeof(*k));
    for (size_t i = 0; i < def->n_interfaces; i++)
        k[i] = nic_number(dom, def->interfaces[i].mac, false);
    return k;
}

char *vr_qemu_live_xml(const vr_domain *dom, const vr_domain_def *def, bool secure)
{
    int *nics = vr_hp_nic_numbers(dom, def);
    char *xml = vr_domain_def_format_live(def, secure, nics);
    free(nics);
    return xml;
}

/* What a live alias names: a user alias, a DIMM's dimmN, libvirt's
 * automatic alias of a disk or interface as the live XML shows it
 * (virtio-disk1, sata0-0-0, net1), or Vireo's ids of the running devices,
 * as the device events give them (a disk's target, an interface's nicK).
 * -1 when none. */
static int find_live_id(const vr_domain *dom, const char *alias, vr_device_kind *kind)
{
    int i = vr_domain_def_find_alias(dom->def, alias, kind);
    if (i < 0) {
        int *nics = vr_hp_nic_numbers(dom, dom->def);
        i = vr_domain_def_find_live_alias(dom->def, alias, nics, kind);
        free(nics);
    }
    for (size_t k = 0; i < 0 && k < dom->def->n_disks; k++)
        if (strcmp(dom->def->disks[k].target_dev, alias) == 0) {
            *kind = VR_DEVICE_DISK;
            i = (int)k;
        }
    unsigned n;
    char end;
    if (i < 0 && sscanf(alias, "nic%u%c", &n, &end) == 1)
        for (size_t k = 0; i < 0 && k < dom->def->n_interfaces; k++)
            if (nic_number(dom, dom->def->interfaces[k].mac, false) == (int)n) {
                *kind = VR_DEVICE_INTERFACE;
                i = (int)k;
            }
    return i;
}

void vr_qemu_detach_alias(vr_domain *dom, const char *alias, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, "remove the device from", &err);
    int il = -1, ic = -1;
    vr_device_kind kl = VR_DEVICE_DISK, kc = VR_DEVICE_DISK;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE) && (il = find_live_id(dom, alias, &kl)) < 0) {
        vr_set_error(&err, "domain '%s' has no device with alias '%s' (the running domain's <alias name> of a disk, "
                           "interface or DIMM: see dumpxml)",
                     dom->def->name, alias);
        code = VR_ERR_NOT_FOUND;
    }
    if (code == VR_OK && (h->flags & VR_AFFECT_CONFIG) &&
        (ic = vr_domain_def_find_alias(vr_hp_config_def(dom), alias, &kc)) < 0) {
        vr_set_error(&err, "the persistent definition of domain '%s' has no device with alias '%s' (a user alias "
                           "<alias name='ua-...'/> or a DIMM's dimmN: see dumpxml --inactive)",
                     dom->def->name, alias);
        code = VR_ERR_NOT_FOUND;
    }
    if (code == VR_OK && il >= 0 && ic >= 0 && kl != kc) {
        vr_set_error(&err, "alias '%s' names another device in the persistent definition of domain '%s' than in "
                           "the running one; detach it with --live and --config apart",
                     alias, dom->def->name);
        code = VR_ERR_INVALID;
    }
    h->kind = il >= 0 ? kl : kc;
    detach_found(h, code, err, ic, il);
}
