#include "core/access.h"

#include <grp.h>
#include <pwd.h>

bool vr_access_may_manage(uid_t uid, uid_t owner, bool session)
{
    if (uid == 0 || uid == owner)
        return true;
    if (session)
        return false;
    struct group *g = getgrnam("vireo");
    struct passwd *pw = getpwuid(uid);
    if (!g || !pw)
        return false;
    int n = 64;
    gid_t groups[64];
    if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
        return false;
    for (int i = 0; i < n; i++)
        if (groups[i] == g->gr_gid)
            return true;
    return false;
}

const char *vr_access_user_name(uid_t uid)
{
    struct passwd *pw = getpwuid(uid);
    return pw ? pw->pw_name : "?";
}

bool vr_access_read_only_allows(vr_access a)
{
    return a == VR_ACCESS_READ;
}

