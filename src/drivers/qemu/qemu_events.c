/* QEMU's events beyond the lifecycle, as libvirt follows them: the
 * watchdog firing (WATCHDOG), a disk's I/O error (BLOCK_IO_ERROR) and a
 * graphics client coming and going (VNC_* and SPICE_*). Each becomes the
 * feed's event of libvirt's name, and the state change its action makes
 * (a guest paused by its watchdog or by an error). */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "conf/domain_device.h"
#include "common/log.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static json_object *obj(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object) ? v : NULL;
}

/* Paused by QEMU itself (the STOP that follows finds it paused already):
 * the state, its reason as virsh domstate --reason words it, and
 * libvirt's suspended event with its detail. */
static void paused_by(vr_domain *dom, const char *reason, const char *detail)
{
    if (dom->state != VR_DOM_RUNNING)
        return;
    dom->state = VR_DOM_PAUSED;
    dom->reason = reason;
    vr_qemu_emit(dom, "suspended", detail);
}

/* WATCHDOG {action}: QEMU's action names are libvirt's event's (reset,
 * shutdown, poweroff, pause, debug, none, inject-nmi). */
static void watchdog(vr_domain *dom, json_object *data)
{
    const char *action = str(data, "action");
    if (!action)
        action = "none";
    vr_log_info("domain %s: the watchdog fired (%s)", dom->def->name, action);
    vr_qemu_emit(dom, "watchdog", action);
    if (strcmp(action, "pause") == 0)
        paused_by(dom, "watchdog", "watchdog");
    else if (strcmp(action, "poweroff") == 0)
        dom->watchdog_poweroff = true; /* QEMU exits at once: not a crash */
}

/* The disk a BLOCK_IO_ERROR names: its device's id is the target
 * (qom-path /machine/peripheral/vda[/virtio-backend]), else its node
 * (drive-vda). */
static const vr_disk_def *event_disk(const vr_domain *dom, json_object *data)
{
    const char *qom = str(data, "qom-path"), *node = str(data, "node-name");
    char target[64] = "";
    if (qom && vr_str_starts(qom, "/machine/peripheral/"))
        snprintf(target, sizeof(target), "%.*s", (int)strcspn(qom + 20, "/"), qom + 20);
    else if (node && vr_str_starts(node, "drive-"))
        snprintf(target, sizeof(target), "%s", node + 6);
    for (size_t i = 0; target[0] && i < dom->def->n_disks; i++)
        if (dom->def->disks[i].target_dev && strcmp(dom->def->disks[i].target_dev, target) == 0)
            return &dom->def->disks[i];
    return NULL;
}

/* What virDomainGetDiskErrors reports for the disk (QEMU's io-status):
 * kept from the error that stopped the guest until it runs again. */
static void note_disk_error(vr_domain *dom, const char *target, int code)
{
    for (size_t i = 0; i < dom->n_io_errors; i++)
        if (strcmp(dom->io_errors[i].target, target) == 0) {
            dom->io_errors[i].code = code;
            return;
        }
    dom->io_errors = vr_realloc(dom->io_errors, (dom->n_io_errors + 1) * sizeof(*dom->io_errors));
    vr_qemu_io_error *e = &dom->io_errors[dom->n_io_errors++];
    e->target = vr_strdup(target);
    e->code = code;
}

void vr_qemu_io_errors_clear(vr_domain *dom)
{
    for (size_t i = 0; i < dom->n_io_errors; i++)
        free(dom->io_errors[i].target);
    free(dom->io_errors);
    dom->io_errors = NULL;
    dom->n_io_errors = 0;
}

/* BLOCK_IO_ERROR {qom-path, node-name, operation, action, nospace,
 * reason}: libvirt's io-error (action: stop is its pause, ignore its
 * none) and io-error-reason ("enospc" for a full disk, else QEMU's
 * reason), naming the disk's source and its device; stop pauses the
 * guest (paused, I/O error). */
static void io_error(vr_domain *dom, json_object *data)
{
    const char *qaction = str(data, "action"), *reason = str(data, "reason");
    const char *action = !qaction || strcmp(qaction, "ignore") == 0 ? "none"
                         : strcmp(qaction, "stop") == 0          ? "pause"
                                                                 : "report";
    json_object *nsp = NULL;
    bool nospace = data && json_object_object_get_ex(data, "nospace", &nsp) && json_object_get_boolean(nsp);
    const vr_disk_def *d = event_disk(dom, data);
    vr_event_facts f = {.path = d ? vr_disk_def_source(d) : NULL, .alias = d ? d->target_dev : NULL};
    if (!f.path)
        f.path = "";
    if (!f.alias)
        f.alias = "";
    vr_log_info("domain %s: I/O error on %s (%s): %s, %s", dom->def->name, f.alias, f.path, action,
                nospace ? "no space" : reason ? reason : "");
    vr_qemu_emit_facts(dom, "io-error", action, &f);
    f.reason = nospace ? "enospc" : reason ? reason : "";
    vr_qemu_emit_facts(dom, "io-error-reason", action, &f);
    if (strcmp(action, "pause") == 0) {
        if (d && d->target_dev)
            note_disk_error(dom, d->target_dev, nospace ? VR_IO_ERROR_NO_SPACE : VR_IO_ERROR_UNSPEC);
        paused_by(dom, "I/O error", "ioerror");
    }
}

/* VNC_* and SPICE_* {server, client}: libvirt's graphics event, each
 * side's family, address and port (SPICE says port where VNC says
 * service), the server's auth scheme and the client's identity. */
static void graphics(vr_domain *dom, const char *phase, json_object *data)
{
    json_object *server = obj(data, "server"), *client = obj(data, "client");
    if (!server || !client)
        return;
    const char *lservice = str(server, "service"), *rservice = str(client, "service");
    vr_event_facts f = {
        .local_family = str(server, "family"), .local_node = str(server, "host"),
        .local_service = lservice ? lservice : str(server, "port"),
        .remote_family = str(client, "family"), .remote_node = str(client, "host"),
        .remote_service = rservice ? rservice : str(client, "port"),
        .auth = str(server, "auth"), .x509_dname = str(client, "x509_dname"),
        .sasl_username = str(client, "sasl_username"),
    };
    const char **fill[] = {&f.local_family, &f.local_node, &f.local_service, &f.remote_family,
                           &f.remote_node, &f.remote_service, &f.auth};
    for (size_t i = 0; i < VR_ARRAY_LEN(fill); i++)
        if (!*fill[i])
            *fill[i] = i == 0 || i == 3 ? "ipv4" : "";
    vr_qemu_emit_facts(dom, "graphics", phase, &f);
}

bool vr_qemu_more_event(vr_domain *dom, const char *event, json_object *data)
{
    static const struct {
        const char *event, *phase;
    } phases[] = {
        {"VNC_CONNECTED", "connect"},     {"VNC_INITIALIZED", "initialize"},   {"VNC_DISCONNECTED", "disconnect"},
        {"SPICE_CONNECTED", "connect"},   {"SPICE_INITIALIZED", "initialize"}, {"SPICE_DISCONNECTED", "disconnect"},
    };
    if (strcmp(event, "WATCHDOG") == 0) {
        watchdog(dom, data);
        return true;
    }
    if (strcmp(event, "BLOCK_IO_ERROR") == 0) {
        io_error(dom, data);
        return true;
    }
    for (size_t i = 0; i < VR_ARRAY_LEN(phases); i++)
        if (strcmp(event, phases[i].event) == 0) {
            graphics(dom, phases[i].phase, data);
            return true;
        }
    return false;
}

/* A QEMU re-adopted in state io-error: its disks' io-status again. */
static void on_block_status(json_object *ret, const char *error, void *opaque)
{
    vr_domain *dom = opaque;
    (void)error;
    size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *b = json_object_array_get_idx(ret, i);
        const char *qdev = str(b, "qdev"), *status = str(b, "io-status");
        if (!qdev || !status || strcmp(status, "ok") == 0)
            continue;
        if (vr_str_starts(qdev, "/machine/peripheral/"))
            qdev += 20;
        char target[64];
        snprintf(target, sizeof(target), "%.*s", (int)strcspn(qdev, "/"), qdev);
        note_disk_error(dom, target, strcmp(status, "nospace") == 0 ? VR_IO_ERROR_NO_SPACE : VR_IO_ERROR_UNSPEC);
    }
}

void vr_qemu_io_errors_reread(vr_domain *dom)
{
    vr_qemu_io_errors_clear(dom);
    vr_qmp_command(dom->qmp, "query-block", NULL, on_block_status, dom);
}

vr_err vr_qemu_disk_errors(const vr_domain *dom, const vr_qemu_io_error **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    if (dom->state == VR_DOM_SHUTOFF) {
        vr_set_error(err, "domain '%s' is not running", dom->def->name);
        return VR_ERR_CONFLICT;
    }
    *out = dom->io_errors;
    *n = dom->n_io_errors;
    return VR_OK;
}

const char *vr_qemu_io_error_name(int code)
{
    return code == VR_IO_ERROR_NO_SPACE ? "no space" : code == VR_IO_ERROR_UNSPEC ? "unspecified error" : "no error";
}
