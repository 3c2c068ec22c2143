/* Who may do what on the daemon's unix sockets, from the peer's
 * credentials (SO_PEERCRED): the one rule every transport applies. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* May uid manage the daemon (change anything)? Root and the daemon's own
 * user always; on the system daemon also members of group vireo. */
bool vr_access_may_manage(uid_t uid, uid_t owner, bool session);
/* The user's login name for messages, or "?". */
const char *vr_access_user_name(uid_t uid);
