/* Guest and host helpers both transports call (the HTTP routes in
 * api_guest.c, later the libvirt protocol): the part of send-key and
 * screenshot that is not one QEMU command. */
#pragma once
#include "drivers/qemu/qemu_driver.h"

#include <stddef.h>

/* virsh's limit on keys pressed together. */
#define VR_SEND_KEY_MAX 16

/* send-key: each key a name or number of `codeset` (NULL: linux), at
 * most VR_SEND_KEY_MAX; nothing is sent unless every key resolves. */
void vr_core_send_key(vr_domain *dom, const char *codeset, const char *const *keys, size_t n,
                      unsigned hold_ms, vr_qemu_reply_fn cb, void *opaque);

/* libvirt's virKeycodeSet number (0 linux ... 9 qnum) as its name; NULL
 * when there is no such codeset. */
const char *vr_core_keycode_set_name(unsigned number);

/* The PNG QEMU wrote for a screenshot, opened and removed from the run
 * directory: its fd and size, or -1 with *err. */
int vr_core_screenshot_open(const char *path, unsigned long long *size, char **err);

/* guestinfo (virDomainGetGuestInfo): what the guest agent says, kind by
 * kind, libvirt's VIR_DOMAIN_GUEST_INFO_* bits (0: every kind). */
enum {
    VR_GUEST_INFO_USERS = 1 << 0,
    VR_GUEST_INFO_OS = 1 << 1,
    VR_GUEST_INFO_TIMEZONE = 1 << 2,
    VR_GUEST_INFO_HOSTNAME = 1 << 3,
    VR_GUEST_INFO_FILESYSTEM = 1 << 4,
    VR_GUEST_INFO_DISKS = 1 << 5,
    VR_GUEST_INFO_INTERFACES = 1 << 6,
    VR_GUEST_INFO_ALL = (1 << 7) - 1,
};
/* The agent's answers as one object keyed by kind ("users", "os",
 * "timezone", "hostname", "fs", "disks", "interfaces"), each the agent's
 * own "return" (guest-get-users, -osinfo, -timezone, -host-name,
 * -fsinfo, -disks, guest-network-get-interfaces). A kind whose command
 * the agent lacks or refuses is left out, as libvirt leaves it; an agent
 * that does not answer guest-ping fails the call. cb gets the object
 * (borrowed) or the error, from the loop. Not VR_OK: cb is never called. */
typedef void (*vr_guest_info_fn)(json_object *info, const char *err, void *opaque);
vr_err vr_core_guest_info(vr_domain *dom, unsigned types, vr_guest_info_fn cb, void *opaque, char **err);
