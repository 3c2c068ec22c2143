/* Guest and host helpers both transports call (the HTTP routes in
 * api_guest.c, later the libvirt protocol): the part of send-key and
 * screenshot that is not one QEMU command. */
#pragma once
#include "drivers/qemu/qemu_driver.h"

#include <vireo/vireo.h>

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
/* The agent's answers flattened into libvirt's keys, each with libvirt's
 * type (virDomainGetGuestInfo's typed parameters): "user.count" (uint),
 * "user.0.login-time" (ullong), "timezone.offset" (int),
 * "disk.0.partition" (bool), "os.id" (string) ... in libvirt's order. */
typedef enum { VR_GUEST_STRING, VR_GUEST_UINT, VR_GUEST_ULLONG, VR_GUEST_INT, VR_GUEST_BOOL } vr_guest_field_type;
typedef struct {
    char *key;
    vr_guest_field_type type;
    char *s; /* VR_GUEST_STRING */
    union {
        unsigned long long u; /* VR_GUEST_UINT, VR_GUEST_ULLONG */
        long long i;          /* VR_GUEST_INT */
        bool b;               /* VR_GUEST_BOOL */
    };
} vr_guest_field;
typedef struct {
    vr_guest_field *v;
    size_t n, cap;
} vr_guest_fields;

/* The kinds as the HTTP route's ?types= names them ("users,os,timezone,
 * hostname,filesystem,disks,interfaces"): their bits in *types, or -1
 * with *err naming the one not known. */
int vr_core_guest_info_types(const char *names, unsigned *types, char **err);

/* The agent asked kind by kind (guest-get-users, -osinfo, -timezone,
 * -host-name, -fsinfo, -disks, guest-network-get-interfaces), the
 * answers flattened as above; disks are named by the domain's targets
 * where the agent's PCI address matches one. A kind whose command the
 * agent lacks or refuses is left out, as libvirt leaves it; an agent
 * that does not answer guest-ping fails the call. cb gets the list
 * (borrowed) or the error, from the loop. Not VR_OK: cb is never called. */
typedef void (*vr_guest_info_fn)(const vr_guest_fields *info, const char *err, void *opaque);
vr_err vr_core_guest_info(vr_domain *dom, unsigned types, vr_guest_info_fn cb, void *opaque, char **err);

/* The domain's target (vdc) of a disk the agent describes (a
 * guest-get-fsinfo disk or a guest-get-disks address): matched by the PCI
 * address of its virtio device, as libvirt matches it; else the guest's
 * own name for it (vdb), which may differ; NULL without either. */
char *vr_core_guest_disk_alias(const vr_domain *dom, json_object *disk);

/* virDomainGetMessages: libvirt's DEPRECATION (1) and TAINTING (2)
 * messages (flags 0: both). Vireo keeps no deprecation messages; each
 * notice of the run (type 'kvm' under TCG, ...) is one "tainted: ..."
 * line. Each string and the array are the caller's to free(); *n 0 when none. */
#define VR_MESSAGE_DEPRECATION 1u
#define VR_MESSAGE_TAINTING 2u
char **vr_core_domain_messages(const vr_domain *dom, unsigned flags, size_t *n);

/* ---- domfsfreeze, domfsthaw, domfstrim, domfsinfo (the guest agent) ----
 * Each answers once through cb, from the loop; not VR_OK: nothing was
 * sent, *err says why and cb is never called. */

/* A count of filesystems (frozen, thawed) or a one-line error. */
typedef void (*vr_guest_count_fn)(int count, const char *err, void *opaque);

/* domfsinfo: each mounted filesystem as the agent reports it, its disks
 * named by the domain's targets (vr_core_guest_disk_alias). */
typedef struct {
    char *mountpoint, *name, *type;
    char **targets;
    size_t n_targets;
} vr_guest_fs;
typedef struct {
    vr_guest_fs *v;
    size_t n;
} vr_guest_fs_list;
typedef void (*vr_guest_fs_fn)(const vr_guest_fs_list *fs, const char *err, void *opaque);
vr_err vr_core_fs_info(vr_domain *dom, vr_guest_fs_fn cb, void *opaque, char **err);

/* domfsfreeze: every filesystem (guest-fsfreeze-freeze), or the
 * mountpoints given (guest-fsfreeze-freeze-list), each of which must be
 * one the agent lists as mounted (else nothing is frozen and cb gets an
 * error naming it and the mounted ones). */
vr_err vr_core_fs_freeze(vr_domain *dom, const char *const *mountpoints, size_t n, vr_guest_count_fn cb,
                         void *opaque, char **err);
/* domfsthaw: every frozen filesystem (guest-fsfreeze-thaw); the agent
 * thaws all at once, so mountpoints are refused (n > 0), as libvirt does. */
vr_err vr_core_fs_thaw(vr_domain *dom, size_t n_mountpoints, vr_guest_count_fn cb, void *opaque, char **err);
/* domfstrim: guest-fstrim of every mounted filesystem, extents shorter
 * than `minimum` bytes skipped; a mountpoint is refused as libvirt
 * refuses it (the agent trims all). count is the filesystems trimmed; the
 * agent's first error only when it trimmed none. */
vr_err vr_core_fs_trim(vr_domain *dom, const char *mountpoint, unsigned long long minimum, vr_guest_count_fn cb,
                       void *opaque, char **err);

/* domifaddr --source agent (virDomainInterfaceAddresses with the agent as
 * source): guest-network-get-interfaces as interfaces, `interface` the
 * guest's own name (eth0), its MAC and addresses (family, ip, prefix;
 * type, source and model NULL); the loopback left out, as libvirt leaves
 * it. cb gets the list (borrowed) or the error, once, from the loop; not
 * VR_OK: nothing was sent and cb is never called. */
typedef void (*vr_guest_ifaces_fn)(const vireo_interface *ifs, size_t n, const char *err, void *opaque);
vr_err vr_core_agent_interfaces(vr_domain *dom, vr_guest_ifaces_fn cb, void *opaque, char **err);
