#include "drivers/qemu/qemu_process.h"
#include "common/file.h"
#include "common/util.h"
#include "common/process.h"
#include "common/child.h"

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

/* Is one of pid's arguments `arg` (whole), or with `part`, one that
 * holds it? */
static bool has_arg(pid_t pid, const char *arg, bool part)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *cmd = vr_file_read(path, &len);
    if (!cmd)
        return false;
    bool found = false;
    for (size_t i = 0; i < len && !found; i += strlen(cmd + i) + 1)
        found = part ? strstr(cmd + i, arg) != NULL : strcmp(cmd + i, arg) == 0;
    free(cmd);
    return found;
}

bool vr_qemu_pid_is_domain(pid_t pid, const char *uuid)
{
    return has_arg(pid, uuid, false);
}

bool vr_qemu_pid_logs_serial(pid_t pid)
{
    return has_arg(pid, "id=serial0,", true) && has_arg(pid, ",logfile=", true);
}

typedef struct {
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

/* The launcher (QEMU before -daemonize forks) has exited. */
static void on_launcher_exit(const vr_child_result *r, void *arg)
{
    spawn_ctx *c = arg;
    int st = r->status;
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
    free(c->pidfile);
    free(c->logfile);
    free(c);
}

int vr_qemu_spawn(struct event_base *base, char *const argv[], const char *logfile,
                  const char *pidfile, const int *keep_fds, size_t n_keep,
                  const vr_qemu_identity *as, const cpu_set_t *cpus, vr_spawn_fn cb, void *opaque,
                  char **err)
{
    struct stat st;
    off_t start = stat(logfile, &st) == 0 ? st.st_size : 0;
    unlink(pidfile);
    spawn_ctx *c = vr_calloc(1, sizeof(*c));
    c->pidfile = vr_strdup(pidfile);
    c->logfile = vr_strdup(logfile);
    c->log_start = start;
    c->cb = cb;
    c->opaque = opaque;
    /* The taps are passed (the caller made them without CLOEXEC); the
     * system daemon's QEMUs run as an unprivileged user of their own;
     * <vcpu cpuset> is inherited by every thread QEMU makes. */
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_LOG, .log = logfile, .keep_fds = keep_fds,
                       .n_keep_fds = n_keep, .uid = as ? as->uid : 0, .gid = as ? as->gid : 0,
                       .cpus = cpus};
    if (!vr_child_start(base, &s, NULL, on_launcher_exit, c, err)) {
        free(c->pidfile);
        free(c->logfile);
        free(c);
        return -1;
    }
    return 0;
}
