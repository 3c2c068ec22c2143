/* The children the daemon starts (QEMU, dnsmasq, qemu-img, swtpm,
 * virtiofsd, the image helper, ssh ...), all through one fork/exec:
 * argv, extra environment, the fds to pass, the user to drop to, where
 * stdout and stderr go (a buffer, a log file, an fd, nowhere), its own
 * session, a timeout, and either a synchronous run (short tools) or a
 * start whose end is a callback on the event loop.
 *
 * In the child, between fork and exec: signals unblocked and SIGPIPE
 * back to default, stdin from /dev/null, every fd above 2 closed but
 * those passed, then the namespace, the CPU affinity and the user. Exit 127 means the program is missing, 126
 * that the affinity or the user could not be set (vr_child_failure says
 * so in words). */
#pragma once
#include <event2/event.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum {
    VR_CHILD_OUT_NULL,    /* stdout and stderr to /dev/null */
    VR_CHILD_OUT_CAPTURE, /* into vr_child_result.out (stderr into .err, or .out too) */
    VR_CHILD_OUT_LOG,     /* appended to `log` (created 0640) */
    VR_CHILD_OUT_FD,      /* to `out_fd` */
    VR_CHILD_OUT_INHERIT, /* ours (an editor on the user's terminal) */
} vr_child_out;

typedef struct {
    const char *program;     /* what is run; NULL: argv[0]. Looked up in PATH unless it
                                holds a '/' */
    char *const *argv;
    char *const *env;        /* NULL-terminated "NAME=VALUE" set on top of the daemon's; or NULL */
    bool c_locale;           /* LC_ALL=C: a tool whose messages are passed on to users verbatim
                                speaks English whatever the daemon's locale */
    const int *keep_fds;     /* passed under their own numbers (close-on-exec or not) */
    size_t n_keep_fds;
    uid_t uid;               /* not 0: drop to uid/gid, supplementary groups cleared */
    gid_t gid;
    vr_child_out out;
    bool stderr_apart;       /* CAPTURE: stderr in .err rather than mixed into .out */
    const char *log;         /* VR_CHILD_OUT_LOG */
    mode_t log_mode;         /* the log's mode when it is created; 0: 0640 */
    int out_fd;              /* VR_CHILD_OUT_FD */
    bool inherit_stdin;      /* our stdin (a terminal ssh asks a password on), not /dev/null */
    bool new_session;        /* setsid(): its own session and process group */
    bool new_netns;          /* a network namespace of its own, gone with it (exit 126
                                when the kernel refuses one) */
    bool detach;             /* double fork: nobody's child, outlives the daemon, never reaped
                                (vr_child_run returns at once with .pid set) */
    const cpu_set_t *cpus;   /* CPU affinity, inherited by its threads; NULL: the daemon's */
    unsigned timeout_ms;     /* 0: none; else SIGKILL (its group with new_session) at the
                                deadline and .timed_out */
} vr_child_spec;

typedef struct {
    pid_t pid;
    int status;              /* waitpid's status (0 for a detached child) */
    bool timed_out;
    char *out, *err;         /* VR_CHILD_OUT_CAPTURE; "" when it printed nothing */
} vr_child_result;

/* Did it exit with status 0? */
bool vr_child_ok(const vr_child_result *r);
/* Why it failed, in one line: "NAME is missing (INSTALL)", "... was
 * stopped by signal N", "... timed out after N s", "... failed with
 * status N" (the caller prefers the tool's own last line where it has
 * one). NULL when it succeeded. */
char *vr_child_failure(const char *name, const char *install, const vr_child_result *r,
                       unsigned timeout_ms);
void vr_child_result_clear(vr_child_result *r);

/* Run to the end (or the timeout). 0, or -1 with *err when it could not
 * be started at all; its exit status is in *r either way. */
int vr_child_run(const vr_child_spec *spec, vr_child_result *r, char **err);
/* The same, for a caller whose own answer only says that it failed: why
 * it could not start goes to the log as a warning. */
int vr_child_run_or_warn(const vr_child_spec *spec, vr_child_result *r);

/* Start and return its pid, for a caller that watches and reaps it
 * itself (waitpid); -1 with *err. Capture is not available here. */
pid_t vr_child_spawn(const vr_child_spec *spec, char **err);

/* Start and return; `done` is called once on the loop when it has
 * exited (and its output is read to the end), with the result, which the
 * callee may not keep. `chunk`, when given, sees the output as it comes
 * (CAPTURE: it is then not kept in .out). NULL with *err when it could
 * not be started. */
typedef struct vr_child vr_child;
typedef void (*vr_child_chunk_fn)(const char *buf, size_t n, void *opaque);
typedef void (*vr_child_done_fn)(const vr_child_result *r, void *opaque);
vr_child *vr_child_start(struct event_base *base, const vr_child_spec *spec, vr_child_chunk_fn chunk,
                         vr_child_done_fn done, void *opaque, char **err);
pid_t vr_child_pid(const vr_child *c);
/* Signal it (before `done`, its pid is still its own). */
int vr_child_kill(vr_child *c, int sig);

/* A program of Vireo's own that the daemon runs (vireo-image-helper,
 * vireo-serial-logger): $ENV when set, else beside the running
 * executable (the build tree), else in LIBEXECDIR/vireo. Malloc'ed. */
char *vr_child_helper_path(const char *name, const char *env);
