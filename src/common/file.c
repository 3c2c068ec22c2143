#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

char *vr_file_last_line(const char *path, const char *fallback)
{
    char *text = vr_file_read(path, NULL), *last = NULL, *save = NULL;
    for (char *l = text ? strtok_r(text, "\r\n", &save) : NULL; l; l = strtok_r(NULL, "\r\n", &save))
        if (*vr_str_trim(l))
            last = l;
    char *out = vr_strdup(last ? vr_str_trim(last) : fallback);
    free(text);
    return out;
}

char *vr_file_first_line(const char *path)
{
    char *s = vr_file_read(path, NULL);
    if (s)
        s[strcspn(s, "\n")] = '\0';
    if (s && !*s) {
        free(s);
        s = NULL;
    }
    return s;
}

int vr_write_all(int fd, const void *buf, size_t n, bool sock)
{
    const char *p = buf;
    while (n) {
        ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -1 : (errno = EIO, -1);
        p += w;
        n -= (size_t)w;
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
    int rc = vr_write_all(fd, data, len, false) < 0 ? -errno : 0;
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

/* NAME.tmp.XXXXXX, as mkostemp fills the Xs. */
static bool is_leftover(const char *name)
{
    size_t len = strlen(name);
    if (len <= 11 || memcmp(name + len - 11, ".tmp.", 5) != 0)
        return false;
    for (const char *p = name + len - 6; *p; p++)
        if (!isalnum((unsigned char)*p))
            return false;
    return true;
}

int vr_file_remove_leftovers(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_type == DT_DIR && depth > 0) {
            char *sub = vr_asprintf("%s/%s", dir, e->d_name);
            n += vr_file_remove_leftovers(sub, depth - 1);
            free(sub);
        } else if (e->d_type == DT_REG && is_leftover(e->d_name)) {
            if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
                vr_log_info("removed %s/%s, left by an interrupted write", dir, e->d_name);
                n++;
            } else {
                vr_log_warn("cannot remove %s/%s, left by an interrupted write: %s", dir, e->d_name,
                            strerror(errno));
            }
        }
    }
    closedir(d);
    return n;
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

int vr_file_copy(const char *from, const char *to, mode_t mode)
{
    size_t len = 0;
    char *data = vr_file_read(from, &len);
    if (!data)
        return -errno;
    int rc = vr_file_write_atomic(to, data, len, mode);
    free(data);
    return rc;
}
