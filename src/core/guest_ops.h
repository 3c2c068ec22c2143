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
