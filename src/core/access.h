/* Who may do what on the daemon's unix sockets, from the peer's
 * credentials (SO_PEERCRED) and the socket (read-write or read-only):
 * the one rule every transport applies. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* May uid manage the daemon (change anything)? Root and the daemon's own
 * user always; on the system daemon also members of group vireo. */
bool vr_access_may_manage(uid_t uid, uid_t owner, bool session);
/* The user's login name for messages, or "?". */
const char *vr_access_user_name(uid_t uid);

/* What an operation does, declared beside it in each transport's table
 * (an HTTP route, a libvirt procedure). The read-only sockets
 * (vireod-ro.sock, libvirt-sock-ro) serve the reads only. */
typedef enum {
    VR_ACCESS_WRITE = 0, /* changes something: the default */
    VR_ACCESS_READ,      /* reads what the daemon knows */
    VR_ACCESS_CONSOLE,   /* attaches to what takes input: a serial console, a display, its screen */
    VR_ACCESS_GUEST,     /* reads what is the guest's own: its agent's answers (guestinfo, domhostname,
                            domtime, domfsinfo, domifaddr --source agent: its users, files, addresses)
                            and its disks' bytes (vol-download): read-write only, as libvirt rules */
} vr_access;

/* May a read-only connection do it? Only VR_ACCESS_READ. */
bool vr_access_read_only_allows(vr_access a);
