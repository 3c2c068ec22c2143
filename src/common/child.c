/* One fork/exec for every child of the daemon (child.h). */
#include "common/child.h"
#include "common/process.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The program, as messages name it. */
#define NAME(s) ((s)->program ? (s)->program : (s)->argv[0])

/* The daemon's environment with the spec's entries (and LC_ALL=C when
 * asked) over it, built before fork: the child only calls
 * async-signal-safe functions. */
static char **child_env(const vr_child_spec *s)
{
    size_t n = 0, extra = s->c_locale;
    while (environ[n])
        n++;
    for (char *const *e = s->env; e && *e; e++)
        extra++;
    char **env = vr_calloc(n + extra + 1, sizeof(*env));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t len = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        bool replaced = s->c_locale && strncmp(environ[i], "LC_ALL=", len) == 0 && len == 7;
        for (char *const *e = s->env; e && *e && !replaced; e++)
            replaced = strncmp(*e, environ[i], len) == 0;
        if (!replaced)
            env[k++] = environ[i];
    }
    if (s->c_locale)
        env[k++] = "LC_ALL=C";
    for (char *const *e = s->env; e && *e; e++)
        env[k++] = *e;
    env[k] = NULL;
    return env;
}

static bool kept(const vr_child_spec *s, int fd)
{
    for (size_t i = 0; i < s->n_keep_fds; i++)
        if (s->keep_fds[i] == fd)
            return true;
    return false;
}

/* In the child: never returns. */
static void become(const vr_child_spec *s, char **env, int in, int out, int err)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (s->new_session)
        setsid();
    if (!s->inherit_stdin)
        dup2(in, 0);
    if (s->out != VR_CHILD_OUT_INHERIT) {
        dup2(out, 1);
        dup2(err, 2);
    }
    for (int fd = 3; fd < 1024; fd++)
        if (!kept(s, fd))
            close(fd);
    /* The passed ones survive the exec even when made close-on-exec (as
     * the daemon's own copies may well be: no other child inherits them). */
    for (size_t i = 0; i < s->n_keep_fds; i++)
        fcntl(s->keep_fds[i], F_SETFD, 0);
    if (s->new_netns && unshare(CLONE_NEWNET) < 0) {
        static const char msg[] = "vireod: cannot make a network namespace for the child\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        _exit(126);
    }
    if (s->cpus && sched_setaffinity(0, sizeof(*s->cpus), s->cpus) < 0) {
        static const char msg[] = "vireod: cannot set the CPU affinity of the child\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        _exit(126);
    }
    if (s->uid != 0 && (setgroups(0, NULL) < 0 || setgid(s->gid) < 0 || setuid(s->uid) < 0)) {
        static const char msg[] = "vireod: cannot drop privileges for the child\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        _exit(126);
    }
    execvpe(NAME(s), s->argv, env);
    _exit(127);
}

typedef struct {
    int fds[2][2]; /* the pipes of stdout and (apart) stderr; -1 when unused */
    int devnull, log;
} plumbing;

static void plumbing_close(plumbing *p, bool child_ends)
{
    for (int i = 0; i < 2; i++)
        for (int k = child_ends ? 1 : 0; k < 2; k++)
            if (p->fds[i][k] >= 0) {
                close(p->fds[i][k]);
                p->fds[i][k] = -1;
            }
    if (p->devnull >= 0)
        close(p->devnull);
    if (p->log >= 0)
        close(p->log);
    p->devnull = p->log = -1;
}

static int plumb(const vr_child_spec *s, plumbing *p, char **err)
{
    *p = (plumbing){.fds = {{-1, -1}, {-1, -1}}, .devnull = -1, .log = -1};
    p->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (p->devnull < 0) {
        vr_set_error(err, "cannot run %s: /dev/null: %s", NAME(s), strerror(errno));
        return -1;
    }
    if (s->out == VR_CHILD_OUT_LOG) {
        p->log = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, s->log_mode ? s->log_mode : 0640);
        if (p->log < 0) {
            vr_set_error(err, "cannot run %s: its log %s: %s", NAME(s), s->log, strerror(errno));
            plumbing_close(p, false);
            return -1;
        }
    }
    if (s->out == VR_CHILD_OUT_CAPTURE) {
        for (int i = 0; i < (s->stderr_apart ? 2 : 1); i++)
            if (pipe2(p->fds[i], O_CLOEXEC) < 0) {
                vr_set_error(err, "cannot run %s: pipe: %s", NAME(s), strerror(errno));
                plumbing_close(p, false);
                return -1;
            }
    }
    return 0;
}

/* The fds the child's stdout and stderr get. */
static void outputs(const vr_child_spec *s, const plumbing *p, int *out, int *err)
{
    switch (s->out) {
    case VR_CHILD_OUT_NULL:
    case VR_CHILD_OUT_INHERIT:
        *out = *err = p->devnull;
        break;
    case VR_CHILD_OUT_LOG:
        *out = *err = p->log;
        break;
    case VR_CHILD_OUT_FD:
        *out = *err = s->out_fd;
        break;
    case VR_CHILD_OUT_CAPTURE:
        *out = p->fds[0][1];
        *err = s->stderr_apart ? p->fds[1][1] : p->fds[0][1];
        break;
    }
}

/* fork + exec (and for a detached child, the middle process that makes
 * it nobody's child). The child's pid or -1 with *err. */
static pid_t launch(const vr_child_spec *s, plumbing *p, char **err)
{
    int out = -1, errfd = -1;
    outputs(s, p, &out, &errfd);
    char **env = child_env(s);
    int report[2] = {-1, -1};
    if (s->detach && pipe2(report, O_CLOEXEC) < 0) {
        vr_set_error(err, "cannot run %s: pipe: %s", NAME(s), strerror(errno));
        free(env);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0 && !s->detach)
        become(s, env, p->devnull, out, errfd);
    if (pid == 0) {
        setsid();
        pid_t grandchild = fork();
        if (grandchild == 0)
            become(s, env, p->devnull, out, errfd);
        _exit(write(report[1], &grandchild, sizeof(grandchild)) == sizeof(grandchild) ? 0 : 1);
    }
    int fork_errno = errno;
    free(env);
    if (pid < 0 && s->detach) {
        close(report[0]);
        close(report[1]);
    }
    if (pid > 0 && s->detach) {
        close(report[1]);
        pid_t grandchild = -1;
        if (read(report[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
            grandchild = -1;
        close(report[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        fork_errno = EAGAIN;
        pid = grandchild;
    }
    if (pid < 0)
        vr_set_error(err, "cannot run %s: fork: %s", NAME(s), strerror(fork_errno));
    return pid;
}

int vr_child_run_or_warn(const vr_child_spec *s, vr_child_result *r)
{
    char *err = NULL;
    int rc = vr_child_run(s, r, &err);
    if (rc < 0)
        vr_log_warn("%s", err);
    free(err);
    return rc;
}

pid_t vr_child_spawn(const vr_child_spec *s, char **err)
{
    if (s->out == VR_CHILD_OUT_CAPTURE) {
        vr_set_error(err, "cannot run %s: output capture needs vr_child_run or vr_child_start", NAME(s));
        return -1;
    }
    plumbing p;
    if (plumb(s, &p, err) < 0)
        return -1;
    pid_t pid = launch(s, &p, err);
    plumbing_close(&p, false);
    return pid;
}

bool vr_child_ok(const vr_child_result *r)
{
    return !r->timed_out && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

char *vr_child_failure(const char *name, const char *install, const vr_child_result *r,
                       unsigned timeout_ms)
{
    if (vr_child_ok(r))
        return NULL;
    if (r->timed_out)
        return vr_asprintf("%s timed out after %u s and was stopped", name, (timeout_ms + 999) / 1000);
    if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 127)
        return install ? vr_asprintf("%s is missing (%s)", name, install)
                       : vr_asprintf("%s is missing", name);
    if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 126)
        return vr_asprintf("%s could not be given its CPU affinity, user or namespace", name);
    if (WIFSIGNALED(r->status))
        return vr_asprintf("%s was stopped by signal %d", name, WTERMSIG(r->status));
    return vr_asprintf("%s failed with status %d", name, WEXITSTATUS(r->status));
}

void vr_child_result_clear(vr_child_result *r)
{
    free(r->out);
    free(r->err);
    *r = (vr_child_result){0};
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kill_child(const vr_child_spec *s, pid_t pid)
{
    if (s->new_session)
        kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

int vr_child_run(const vr_child_spec *s, vr_child_result *r, char **err)
{
    *r = (vr_child_result){0};
    plumbing p;
    if (plumb(s, &p, err) < 0)
        return -1;
    pid_t pid = launch(s, &p, err);
    plumbing_close(&p, true);
    r->pid = pid;
    if (pid < 0 || s->detach) {
        plumbing_close(&p, false);
        return pid < 0 ? -1 : 0;
    }
    /* Read the pipes to their end and watch the child (its pidfd) for
     * the timeout; a child gone with a grandchild holding its pipes is
     * done too. */
    vr_strbuf buf[2] = {{0}, {0}};
    int pidfd = vr_pidfd_open(pid);
    long long deadline = s->timeout_ms ? now_ms() + s->timeout_ms : 0;
    bool exited = false;
    for (;;) {
        struct pollfd fds[3];
        int n = 0, which[3];
        for (int i = 0; i < 2; i++)
            if (p.fds[i][0] >= 0) {
                fds[n] = (struct pollfd){.fd = p.fds[i][0], .events = POLLIN};
                which[n++] = i;
            }
        if (!exited && pidfd >= 0) {
            fds[n] = (struct pollfd){.fd = pidfd, .events = POLLIN};
            which[n++] = -1;
        }
        if (n == 0)
            break;
        int wait = -1;
        if (exited) {
            wait = 1000; /* the child is gone: a pipe a grandchild still holds is not its output */
        } else if (deadline && !r->timed_out) {
            long long left = deadline - now_ms();
            wait = left > 0 ? (int)left : 0;
        }
        int rc = poll(fds, (nfds_t)n, wait);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc == 0 && exited)
            break;
        if (rc == 0) {
            kill_child(s, pid);
            r->timed_out = true;
            continue;
        }
        for (int k = 0; k < n; k++) {
            if (!fds[k].revents)
                continue;
            if (which[k] < 0) {
                exited = true;
                continue;
            }
            char chunk[4096];
            ssize_t got = read(fds[k].fd, chunk, sizeof(chunk));
            if (got > 0) {
                vr_strbuf_addn(&buf[which[k]], chunk, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(p.fds[which[k]][0]);
                p.fds[which[k]][0] = -1;
            }
        }
        if (pidfd < 0 && p.fds[0][0] < 0 && p.fds[1][0] < 0)
            break;
    }
    plumbing_close(&p, false);
    if (pidfd >= 0)
        close(pidfd);
    while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
        ;
    if (s->out == VR_CHILD_OUT_CAPTURE) {
        vr_strbuf_add(&buf[0], "");
        vr_strbuf_add(&buf[1], "");
        r->out = vr_strbuf_take(&buf[0]);
        r->err = vr_strbuf_take(&buf[1]);
    }
    return 0;
}

/* ---- on the event loop ---- */

struct vr_child {
    bool new_session, capture;
    pid_t pid;
    int pidfd;
    int pipes[2];
    struct event *exit_ev, *pipe_ev[2], *timer;
    vr_strbuf text[2];
    vr_child_result result;
    vr_child_chunk_fn chunk;
    vr_child_done_fn done;
    void *opaque;
};

pid_t vr_child_pid(const vr_child *c)
{
    return c->pid;
}

int vr_child_kill(vr_child *c, int sig)
{
    return kill(c->pid, sig);
}

static void take(vr_child *c, int i, const char *buf, size_t n)
{
    if (c->chunk && i == 0)
        c->chunk(buf, n, c->opaque);
    else
        vr_strbuf_addn(&c->text[i], buf, n);
}

static void on_pipe(evutil_socket_t fd, short what, void *arg)
{
    vr_child *c = arg;
    int i = fd == c->pipes[0] ? 0 : 1;
    char buf[4096];
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r > 0)
        take(c, i, buf, (size_t)r);
    else if (r == 0 || (errno != EAGAIN && errno != EINTR))
        event_del(c->pipe_ev[i]); /* EOF: the exit event finishes */
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    vr_child *c = arg;
    c->result.timed_out = true;
    /* Not reaped yet, so the pid is still the child's. */
    if (c->new_session)
        kill(-c->pid, SIGKILL);
    kill(c->pid, SIGKILL);
}

static void on_exit_ev(evutil_socket_t fd, short what, void *arg)
{
    vr_child *c = arg;
    /* The child is gone: what is left in the pipes is read now. */
    for (int i = 0; i < 2; i++) {
        if (c->pipes[i] < 0)
            continue;
        int flags = fcntl(c->pipes[i], F_GETFL);
        fcntl(c->pipes[i], F_SETFL, flags & ~O_NONBLOCK);
        struct pollfd pfd = {.fd = c->pipes[i], .events = POLLIN};
        char buf[4096];
        ssize_t r;
        /* A grandchild may hold the pipe: read only what is there. */
        while (poll(&pfd, 1, 0) > 0 && ((r = read(c->pipes[i], buf, sizeof(buf))) > 0 ||
                                         (r < 0 && errno == EINTR)))
            if (r > 0)
                take(c, i, buf, (size_t)r);
        event_free(c->pipe_ev[i]);
        close(c->pipes[i]);
    }
    while (waitpid(c->pid, &c->result.status, 0) < 0 && errno == EINTR)
        ;
    c->result.pid = c->pid;
    if (c->capture) {
        vr_strbuf_add(&c->text[0], "");
        vr_strbuf_add(&c->text[1], "");
        c->result.out = vr_strbuf_take(&c->text[0]);
        c->result.err = vr_strbuf_take(&c->text[1]);
    }
    event_free(c->exit_ev);
    if (c->timer)
        event_free(c->timer);
    close(c->pidfd);
    c->done(&c->result, c->opaque);
    vr_child_result_clear(&c->result);
    free(c);
}

vr_child *vr_child_start(struct event_base *base, const vr_child_spec *s, vr_child_chunk_fn chunk,
                         vr_child_done_fn done, void *opaque, char **err)
{
    if (s->detach) {
        vr_set_error(err, "cannot run %s: a detached child has no end to wait for", NAME(s));
        return NULL;
    }
    plumbing p;
    if (plumb(s, &p, err) < 0)
        return NULL;
    pid_t pid = launch(s, &p, err);
    plumbing_close(&p, true);
    if (pid < 0) {
        plumbing_close(&p, false);
        return NULL;
    }
    int pidfd = vr_pidfd_open(pid);
    if (pidfd < 0) {
        vr_set_error(err, "cannot watch %s: pidfd_open: %s", NAME(s), strerror(errno));
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        plumbing_close(&p, false);
        return NULL;
    }
    vr_child *c = vr_calloc(1, sizeof(*c));
    c->new_session = s->new_session;
    c->capture = s->out == VR_CHILD_OUT_CAPTURE;
    c->pid = pid;
    c->pidfd = pidfd;
    c->chunk = chunk;
    c->done = done;
    c->opaque = opaque;
    for (int i = 0; i < 2; i++) {
        c->pipes[i] = p.fds[i][0];
        p.fds[i][0] = -1;
        if (c->pipes[i] < 0)
            continue;
        fcntl(c->pipes[i], F_SETFL, fcntl(c->pipes[i], F_GETFL) | O_NONBLOCK);
        c->pipe_ev[i] = event_new(base, c->pipes[i], EV_READ | EV_PERSIST, on_pipe, c);
        event_add(c->pipe_ev[i], NULL);
    }
    plumbing_close(&p, false);
    c->exit_ev = event_new(base, pidfd, EV_READ, on_exit_ev, c);
    event_add(c->exit_ev, NULL);
    if (s->timeout_ms) {
        c->timer = evtimer_new(base, on_timeout, c);
        struct timeval tv = {s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000};
        evtimer_add(c->timer, &tv);
    }
    return c;
}

char *vr_child_helper_path(const char *name, const char *env)
{
    const char *set = env ? getenv(env) : NULL;
    if (set && *set)
        return vr_strdup(set);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = 0;
        char *beside = vr_asprintf("%s/%s", dirname(self), name);
        if (access(beside, X_OK) == 0)
            return beside;
        free(beside);
    }
    return vr_asprintf("%s/vireo/%s", VIREO_LIBEXECDIR, name);
}
