#include "drivers/qemu/qemu_process.h"
#include "common/file.h"
#include "common/util.h"
#include "common/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

bool vr_qemu_pid_is_domain(pid_t pid, const char *uuid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *cmd = vr_file_read(path, &len);
    if (!cmd)
        return false;
    bool found = false;
    for (size_t i = 0; i < len && !found; i += strlen(cmd + i) + 1)
        found = strcmp(cmd + i, uuid) == 0;
    free(cmd);
    return found;
}

typedef struct {
    pid_t launcher;
    int fd;
    struct event *ev;
    char *pidfile, *logfile;
    off_t log_start;
    vr_spawn_fn cb;
    void *opaque;
} spawn_ctx;

/* QEMU's own complaint: the last non-empty line it logged since launch. */
static char *log_tail(const char *logfile, off_t from)
{
    size_t len = 0;
    char *text = vr_file_read(logfile, &len);
    if (!text)
        return NULL;
    char *start = (size_t)from <= len ? text + from : text;
    char *last = NULL;
    for (char *line = strtok(start, "\n"); line; line = strtok(NULL, "\n"))
        if (*vr_str_trim(line))
            last = line;
    char *out = last ? vr_strdup(vr_str_trim(last)) : NULL;
    free(text);
    return out;
}

static void on_launcher_exit(evutil_socket_t fd, short what, void *arg)
{
    spawn_ctx *c = arg;
    int st = 0;
    while (waitpid(c->launcher, &st, 0) < 0 && errno == EINTR)
        ;
    pid_t pid = 0;
    char *err = NULL;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        pid = vr_pidfile_read(c->pidfile);
        if (pid <= 0)
            err = vr_asprintf("QEMU started but wrote no pidfile %s", c->pidfile);
    } else {
        char *tail = log_tail(c->logfile, c->log_start);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 126)
            err = vr_strdup("could not switch to QEMU's own user to start it (see the domain log)");
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
            err = vr_strdup("could not run QEMU: the emulator binary is missing (apt-get install "
                            "qemu-system-x86, or fix <emulator>)");
        else
            err = vr_asprintf("QEMU failed to start: %s",
                              tail ? tail : "no message (see the domain log)");
        free(tail);
    }
    c->cb(pid, err, c->opaque);
    free(err);
    event_free(c->ev);
    close(c->fd);
    free(c->pidfile);
    free(c->logfile);
    free(c);
}

int vr_qemu_spawn(struct event_base *base, char *const argv[], const char *logfile,
                  const char *pidfile, const int *keep_fds, size_t n_keep,
                  const vr_qemu_identity *as, const cpu_set_t *cpus, vr_spawn_fn cb, void *opaque,
                  char **err)
{
    int log = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log < 0) {
        vr_set_error(err, "cannot open the domain log %s: %s", logfile, strerror(errno));
        return -1;
    }
    struct stat st;
    off_t start = fstat(log, &st) == 0 ? st.st_size : 0;
    unlink(pidfile);
    pid_t pid = fork();
    if (pid < 0) {
        vr_set_error(err, "fork: %s", strerror(errno));
        close(log);
        return -1;
    }
    if (pid == 0) {
        /* The child: only async-signal-safe calls until exec. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(log, 1);
        dup2(log, 2);
        /* Close everything but stdio and the fds QEMU must inherit
         * (taps), which the caller made without CLOEXEC. */
        for (int fd = 3; fd < 1024; fd++) {
            bool keep = false;
            for (size_t i = 0; i < n_keep; i++)
                keep |= keep_fds[i] == fd;
            if (!keep)
                close(fd);
        }
        /* <vcpu cpuset>: inherited by every thread QEMU makes. */
        if (cpus && sched_setaffinity(0, sizeof(*cpus), cpus) < 0) {
            static const char msg[] = "vireod: cannot set QEMU's CPU affinity (<vcpu cpuset>)\n";
            (void)!write(2, msg, sizeof(msg) - 1);
            _exit(126);
        }
        /* The system daemon's QEMUs run as an unprivileged user of their
         * own: drop everything before exec, groups first. */
        if (as && as->uid != 0) {
            if (setgroups(0, NULL) < 0 || setgid(as->gid) < 0 || setuid(as->uid) < 0) {
                static const char msg[] = "vireod: cannot drop privileges for QEMU\n";
                (void)!write(2, msg, sizeof(msg) - 1);
                _exit(126);
            }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    close(log);
    int fd = vr_pidfd_open(pid);
    if (fd < 0) {
        vr_set_error(err, "pidfd_open: %s", strerror(errno));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    spawn_ctx *c = vr_calloc(1, sizeof(*c));
    c->launcher = pid;
    c->fd = fd;
    c->pidfile = vr_strdup(pidfile);
    c->logfile = vr_strdup(logfile);
    c->log_start = start;
    c->cb = cb;
    c->opaque = opaque;
    c->ev = event_new(base, fd, EV_READ, on_launcher_exit, c);
    event_add(c->ev, NULL);
    return 0;
}
