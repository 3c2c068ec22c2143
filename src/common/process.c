#include "common/process.h"
#include "common/file.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int vr_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_send_signal_(int fd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

struct vr_pidwatch {
    int fd;
    struct event *ev;
    vr_exit_fn cb;
    void *opaque;
};

static void on_pid_exit(evutil_socket_t fd, short what, void *arg)
{
    vr_pidwatch *w = arg;
    event_del(w->ev);
    w->cb(w->opaque);
}

vr_pidwatch *vr_pidwatch_new(struct event_base *base, pid_t pid, vr_exit_fn cb, void *opaque)
{
    int fd = vr_pidfd_open(pid);
    if (fd < 0)
        return NULL;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    vr_pidwatch *w = vr_calloc(1, sizeof(*w));
    w->fd = fd;
    w->cb = cb;
    w->opaque = opaque;
    w->ev = event_new(base, fd, EV_READ, on_pid_exit, w);
    event_add(w->ev, NULL);
    return w;
}

void vr_pidwatch_free(vr_pidwatch *w)
{
    if (!w)
        return;
    event_free(w->ev);
    close(w->fd);
    free(w);
}

int vr_pidwatch_kill(vr_pidwatch *w, int sig)
{
    return pidfd_send_signal_(w->fd, sig) < 0 ? -errno : 0;
}

pid_t vr_pidfile_read(const char *path)
{
    char *s = vr_file_read(path, NULL);
    if (!s)
        return 0;
    long v = strtol(s, NULL, 10);
    free(s);
    return v > 0 ? (pid_t)v : 0;
}


int vr_pid_signal(pid_t pid, int sig)
{
    int fd = vr_pidfd_open(pid);
    if (fd < 0)
        return -errno;
    int rc = pidfd_send_signal_(fd, sig) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

unsigned long long vr_proc_start_time(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    char *s = vr_file_read(path, NULL);
    /* "PID (COMM) S ..." : COMM may hold spaces and ')', so fields are
     * counted from the last ')'; starttime is field 22. */
    char *p = s ? strrchr(s, ')') : NULL;
    unsigned long long start = 0;
    for (int field = 2; p && *p && field < 22; p++)
        if (*p == ' ')
            field++;
    if (p && *p)
        start = strtoull(p, NULL, 10);
    free(s);
    return start;
}

bool vr_proc_is(pid_t pid, unsigned long long start_time)
{
    return pid > 0 && start_time && vr_proc_start_time(pid) == start_time;
}
