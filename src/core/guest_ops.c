/* Guest and host helpers (guest_ops.h). */
#include "core/guest_ops.h"
#include "drivers/qemu/qemu_keycodes.h"
#include "common/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void vr_core_send_key(vr_domain *dom, const char *codeset, const char *const *keys, size_t n,
                      unsigned hold_ms, vr_qemu_reply_fn cb, void *opaque)
{
    char *err = NULL;
    int qnum[VR_SEND_KEY_MAX];
    if (n == 0 || n > VR_SEND_KEY_MAX)
        err = vr_asprintf("send-key takes 1 to %d keys (got %zu)", VR_SEND_KEY_MAX, n);
    for (size_t i = 0; !err && i < n; i++)
        qnum[i] = vr_keycode_qnum(codeset, keys[i], &err);
    if (err) {
        cb(VR_ERR_INVALID, NULL, err, opaque);
        free(err);
        return;
    }
    vr_qemu_send_key(dom, qnum, n, hold_ms, cb, opaque);
}

const char *vr_core_keycode_set_name(unsigned number)
{
    return vr_keycode_set_name(number);
}

int vr_core_screenshot_open(const char *path, unsigned long long *size, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        vr_set_error(err, "QEMU wrote no screenshot at %s: %s", path, strerror(errno ? errno : EINVAL));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unlink(path);
    *size = (unsigned long long)st.st_size;
    return fd;
}

/* ---- guestinfo: one agent command per kind, in turn ---- */

static const struct {
    unsigned type;
    const char *key, *execute;
} info_kinds[] = {
    {VR_GUEST_INFO_USERS, "users", "guest-get-users"},
    {VR_GUEST_INFO_OS, "os", "guest-get-osinfo"},
    {VR_GUEST_INFO_TIMEZONE, "timezone", "guest-get-timezone"},
    {VR_GUEST_INFO_HOSTNAME, "hostname", "guest-get-host-name"},
    {VR_GUEST_INFO_FILESYSTEM, "fs", "guest-get-fsinfo"},
    {VR_GUEST_INFO_DISKS, "disks", "guest-get-disks"},
    {VR_GUEST_INFO_INTERFACES, "interfaces", "guest-network-get-interfaces"},
};

typedef struct {
    vr_qemu_driver *drv;
    char uuid[37];
    unsigned types;
    size_t next; /* the kind asked now; SIZE_MAX: the ping */
    json_object *info;
    vr_guest_info_fn cb;
    void *opaque;
} info_run;

static void info_end(info_run *r, const char *err)
{
    r->cb(err ? NULL : r->info, err, r->opaque);
    json_object_put(r->info);
    free(r);
}

static void info_answer(json_object *ret, const char *error, void *opaque);

/* Ask the next kind wanted, or answer when none is left. */
static void info_next(info_run *r)
{
    while (r->next < VR_ARRAY_LEN(info_kinds) && !(r->types & info_kinds[r->next].type))
        r->next++;
    if (r->next >= VR_ARRAY_LEN(info_kinds)) {
        info_end(r, NULL);
        return;
    }
    /* The domain may have stopped (and a transient one gone) meanwhile. */
    vr_domain *dom = vr_qemu_lookup(r->drv, r->uuid);
    char *err = NULL;
    json_object *cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string(info_kinds[r->next].execute));
    vr_err code = dom ? vr_qemu_agent_command(dom, cmd, 0, info_answer, r, &err) : VR_ERR_NOT_FOUND;
    json_object_put(cmd);
    if (code != VR_OK) {
        info_end(r, err ? err : "the domain is gone");
        free(err);
    }
}

static void info_answer(json_object *ret, const char *error, void *opaque)
{
    info_run *r = opaque;
    if (r->next == SIZE_MAX) {
        if (error) {
            info_end(r, error);
            return;
        }
        r->next = 0;
    } else {
        if (!error && ret)
            json_object_object_add(r->info, info_kinds[r->next].key, json_object_get(ret));
        r->next++;
    }
    info_next(r);
}

vr_err vr_core_guest_info(vr_domain *dom, unsigned types, vr_guest_info_fn cb, void *opaque, char **err)
{
    if (types & ~(unsigned)VR_GUEST_INFO_ALL) {
        vr_set_error(err, "guest info types 0x%x are not known (users, os, timezone, hostname, filesystem, "
                     "disks, interfaces: 0x1 to 0x40)", types & ~(unsigned)VR_GUEST_INFO_ALL);
        return VR_ERR_INVALID;
    }
    info_run *r = vr_calloc(1, sizeof(*r));
    r->drv = dom->drv;
    snprintf(r->uuid, sizeof(r->uuid), "%s", dom->def->uuid);
    r->types = types ? types : VR_GUEST_INFO_ALL;
    r->next = SIZE_MAX;
    r->info = json_object_new_object();
    r->cb = cb;
    r->opaque = opaque;
    json_object *ping = json_object_new_object();
    json_object_object_add(ping, "execute", json_object_new_string("guest-ping"));
    vr_err code = vr_qemu_agent_command(dom, ping, 0, info_answer, r, err);
    json_object_put(ping);
    if (code != VR_OK) {
        json_object_put(r->info);
        free(r);
    }
    return code;
}
