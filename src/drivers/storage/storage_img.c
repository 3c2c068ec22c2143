/* qemu-img as a child: fork, exec with stdout+stderr into one pipe,
 * and either wait (short operations) or watch the pipe and a pidfd from
 * the event loop (copies). */
#include "drivers/storage/storage_img.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

const char *vr_img_binary(void)
{
    const char *b = getenv("VIREO_QEMU_IMG");
    return b && *b ? b : "qemu-img";
}

/* fork + exec with stdin from /dev/null and stdout/stderr to `out_fd`
 * (and `err_fd` when >= 0, else the same). */
static pid_t start(const char *bin, char *const argv[], int out_fd, int err_fd, char **err)
{
    pid_t pid = fork();
    if (pid < 0) {
        vr_set_error(err, "cannot run %s: fork: %s", bin, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out_fd, 1);
        dup2(err_fd >= 0 ? err_fd : out_fd, 2);
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        /* Messages in English whatever the daemon's locale: they are
         * passed on to users verbatim. */
        setenv("LC_ALL", "C", 1);
        execvp(bin, argv);
        _exit(127);
    }
    return pid;
}

/* qemu-img's complaint: the last non-empty line, without "qemu-img: ". */
static char *last_line(const char *bin, const char *text)
{
    const char *base = strrchr(bin, '/') ? strrchr(bin, '/') + 1 : bin;
    char *prefix = vr_asprintf("%s: ", base);
    char *copy = vr_strdup(text ? text : ""), *last = NULL, *save = NULL;
    for (char *l = strtok_r(copy, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save))
        if (*vr_str_trim(l))
            last = vr_str_trim(l);
    char *out = NULL;
    if (last)
        out = vr_strdup(vr_str_starts(last, prefix) ? last + strlen(prefix) : last);
    free(prefix);
    free(copy);
    return out;
}

static char *exit_error(const char *bin, const char *install, int status, const char *output)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return NULL;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return vr_asprintf("%s is missing (%s)", bin, install);
    char *msg = last_line(bin, output);
    if (msg)
        return msg;
    if (WIFSIGNALED(status))
        return vr_asprintf("%s was stopped by signal %d", bin, WTERMSIG(status));
    return vr_asprintf("%s failed with status %d", bin, WEXITSTATUS(status));
}

static void read_all(int fd, vr_strbuf *b)
{
    char buf[4096];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        vr_strbuf_addn(b, buf, (size_t)r);
    }
}

int vr_cmd_run(const char *bin, const char *install, char *const argv[], char **out, char **err)
{
    int o[2], e[2];
    if (pipe2(o, O_CLOEXEC) < 0)
        goto pipe_failed;
    if (pipe2(e, O_CLOEXEC) < 0) {
        close(o[0]);
        close(o[1]);
        goto pipe_failed;
    }
    pid_t pid = start(bin, argv, o[1], e[1], err);
    close(o[1]);
    close(e[1]);
    if (pid < 0) {
        close(o[0]);
        close(e[0]);
        return -1;
    }
    /* stderr is small; stdout (info --output=json) too: read stdout
     * first, then stderr, both to EOF. */
    vr_strbuf ob = {0}, eb = {0};
    read_all(o[0], &ob);
    read_all(e[0], &eb);
    close(o[0]);
    close(e[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    char *text = vr_strbuf_take(&eb);
    char *msg = exit_error(bin, install, st, text);
    free(text);
    char *stdout_text = vr_strbuf_take(&ob);
    if (msg) {
        vr_set_error(err, "%s", msg);
        free(msg);
        free(stdout_text);
        return -1;
    }
    if (out)
        *out = stdout_text;
    else
        free(stdout_text);
    return 0;
pipe_failed:
    vr_set_error(err, "cannot run %s: pipe: %s", bin, strerror(errno));
    return -1;
}

#define IMG_INSTALL "apt-get install qemu-utils, or set VIREO_QEMU_IMG"

int vr_img_run(char *const argv[], char **out, char **err)
{
    return vr_cmd_run(vr_img_binary(), IMG_INSTALL, argv, out, err);
}

/* ---- beside the loop ---- */

struct vr_img_proc {
    pid_t pid;
    int pidfd, out;
    struct event *exit_ev, *out_ev;
    vr_strbuf text;   /* everything it printed that was not progress */
    vr_strbuf line;   /* the line being read */
    vr_img_progress_fn progress;
    vr_img_exit_fn done;
    void *opaque;
};

/* Progress lines look like "    (42.17/100%)", ended by '\r'. */
static void take_line(vr_img_proc *p)
{
    if (!p->line.len)
        return;
    char *l = vr_strbuf_take(&p->line);
    double pct;
    if (sscanf(vr_str_trim(l), "(%lf/100%%)", &pct) == 1) {
        if (p->progress)
            p->progress(pct < 0 ? 0 : pct > 100 ? 100 : pct, p->opaque);
    } else {
        vr_strbuf_add(&p->text, l);
        vr_strbuf_add(&p->text, "\n");
    }
    free(l);
}

static void consume(vr_img_proc *p, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\r' || buf[i] == '\n')
            take_line(p);
        else
            vr_strbuf_addn(&p->line, buf + i, 1);
    }
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
    vr_img_proc *p = arg;
    char buf[4096];
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r > 0)
        consume(p, buf, (size_t)r);
    else if (r == 0 || (errno != EAGAIN && errno != EINTR))
        event_del(p->out_ev); /* EOF: the exit event finishes the job */
}

static void on_exit_ev(evutil_socket_t fd, short what, void *arg)
{
    vr_img_proc *p = arg;
    /* The child is gone, so the pipe ends soon: take what is left. */
    int flags = fcntl(p->out, F_GETFL);
    fcntl(p->out, F_SETFL, flags & ~O_NONBLOCK);
    char buf[4096];
    ssize_t r;
    while ((r = read(p->out, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
        if (r > 0)
            consume(p, buf, (size_t)r);
    take_line(p);
    int st = 0;
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
        ;
    char *text = vr_strbuf_take(&p->text);
    char *err = exit_error(vr_img_binary(), IMG_INSTALL, st, text);
    free(text);
    event_free(p->exit_ev);
    event_free(p->out_ev);
    close(p->pidfd);
    close(p->out);
    vr_strbuf_free(&p->line);
    vr_img_exit_fn done = p->done;
    void *opaque = p->opaque;
    free(p);
    done(err, opaque);
    free(err);
}

vr_img_proc *vr_img_spawn(struct event_base *base, char *const argv[], vr_img_progress_fn progress,
                          vr_img_exit_fn done, void *opaque, char **err)
{
    int o[2];
    if (pipe2(o, O_CLOEXEC) < 0) {
        vr_set_error(err, "cannot run %s: pipe: %s", vr_img_binary(), strerror(errno));
        return NULL;
    }
    pid_t pid = start(vr_img_binary(), argv, o[1], -1, err);
    close(o[1]);
    if (pid < 0) {
        close(o[0]);
        return NULL;
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        vr_set_error(err, "pidfd_open: %s", strerror(errno));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(o[0]);
        return NULL;
    }
    fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    fcntl(o[0], F_SETFL, fcntl(o[0], F_GETFL) | O_NONBLOCK);
    vr_img_proc *p = vr_calloc(1, sizeof(*p));
    p->pid = pid;
    p->pidfd = pidfd;
    p->out = o[0];
    p->progress = progress;
    p->done = done;
    p->opaque = opaque;
    p->exit_ev = event_new(base, pidfd, EV_READ, on_exit_ev, p);
    p->out_ev = event_new(base, o[0], EV_READ | EV_PERSIST, on_output, p);
    event_add(p->exit_ev, NULL);
    event_add(p->out_ev, NULL);
    vr_log_debug("qemu-img started (pid %d)", (int)pid);
    return p;
}

void vr_img_kill(vr_img_proc *p)
{
    syscall(SYS_pidfd_send_signal, p->pidfd, SIGTERM, NULL, 0);
}
