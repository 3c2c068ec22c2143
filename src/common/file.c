#include "common/file.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *vr_file_read(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = vr_malloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = vr_realloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int vr_file_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
    char *tmp = vr_asprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = -errno;
        free(tmp);
        return e;
    }
    int rc = write_all(fd, data, len);
    if (rc == 0 && fchmod(fd, mode) < 0)
        rc = -errno;
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc != 0) {
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    /* The rename is only durable once the directory entry is on disk. */
    char *dir = vr_strdup(path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
    return 0;
}

int vr_mkdir_p(const char *path, mode_t mode)
{
    char *p = vr_strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            int e = -errno;
            free(p);
            return e;
        }
        *s = '/';
    }
    int rc = 0;
    if (mkdir(p, mode) < 0 && errno != EEXIST)
        rc = -errno;
    free(p);
    return rc;
}

bool vr_path_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

int vr_autostart_link(const char *link, const char *target, bool on, char **err)
{
    if (unlink(link) < 0 && errno != ENOENT) {
        vr_set_error(err, "cannot remove %s: %s", link, strerror(errno));
        return -1;
    }
    if (on && symlink(target, link) < 0) {
        vr_set_error(err, "cannot create %s: %s", link, strerror(errno));
        return -1;
    }
    return 0;
}
