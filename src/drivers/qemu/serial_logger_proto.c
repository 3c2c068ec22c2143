/* The serial logger's control messages: see serial_logger_proto.h. Only
 * libc, as the logger itself links nothing else. */
#include "drivers/qemu/serial_logger_proto.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

size_t vr_serial_logger_msg(char *buf, const char *verb, const char *name, const char *log_path)
{
    const char *fields[] = {verb, name, log_path};
    size_t n = 0;
    for (size_t i = 0; i < 3 && fields[i]; i++) {
        size_t len = strlen(fields[i]);
        if (n + len + 1 > VR_SERIAL_LOGGER_MSG_MAX)
            return 0;
        memcpy(buf + n, fields[i], len + 1);
        n += len + 1;
    }
    return n;
}

bool vr_serial_logger_send(int fd, const char *msg, size_t len, const int *fds, size_t n_fds)
{
    if (n_fds > VR_SERIAL_LOGGER_FDS) {
        errno = EINVAL;
        return false;
    }
    union {
        char buf[CMSG_SPACE(sizeof(int) * VR_SERIAL_LOGGER_FDS)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n_fds) {
        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
    }
    ssize_t w;
    do
        w = sendmsg(fd, &mh, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    if (w >= 0 && (size_t)w != len) {
        errno = EMSGSIZE; /* one message fits a socket's buffer whole */
        return false;
    }
    return w >= 0;
}
