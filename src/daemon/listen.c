/* Listening unix sockets for the daemon's transports. */
#include "daemon/listen.h"
#include "common/util.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Bind the API socket. A socket file nobody answers on is a leftover of
 * a killed daemon and is replaced; one that answers means another
 * vireod is serving, which is an error. */
int vr_listen_unix(const char *path, mode_t mode, const char *who, char **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        vr_set_error(err, "socket path too long (max %zu bytes): %s", sizeof(sa.sun_path) - 1, path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        close(probe);
        vr_set_error(err, "%s is serving %s", who ? who : "another vireod", path);
        return VR_LISTEN_TAKEN;
    }
    if (probe >= 0)
        close(probe);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t old = umask(0177);
    int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc == 0)
        chmod(path, mode);
    if (rc < 0 || listen(fd, 128) < 0) {
        vr_set_error(err, "cannot listen on %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* The system socket is for root and group vireo; with no such group,
 * for root alone. */
mode_t vr_system_socket_mode(const char *path)
{
    struct group *g = getgrnam("vireo");
    if (!g)
        return 0600;
    if (chown(path, 0, g->gr_gid) < 0)
        return 0600;
    return 0660;
}

