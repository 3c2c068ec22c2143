/* vireo-image-helper's main: read the spec, run one operation, report.
 * See image.h for how vireod drives it. */

#include "drivers/image/image.h"
#include "common/child.h"
#include "common/process.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *error_msg;
static json_object *result;
/* Temporaries being written (the output, an overlay): removed on
 * failure, on exit and on SIGTERM (a cancelled job). */
#define MAX_PENDING 4
static char pending[MAX_PENDING][PATH_MAX];
/* The job's directory (spec "job_dir"): what a restarted vireod needs to
 * take the job back (image_ops.c). NULL: nothing is written there. */
static const char *job_dir;

/* FILE in the job's directory, written whole (temp + rename): a reader
 * sees the old or the new text. */
static void job_file(const char *name, const char *text)
{
    if (!job_dir)
        return;
    char path[PATH_MAX], tmp[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", job_dir, name);
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", job_dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    bool ok = fputs(text, f) >= 0;
    if (fclose(f) != 0 || !ok || rename(tmp, path) < 0)
        unlink(tmp);
}

void img_progress(double percent, const char *fmt, ...)
{
    char *step = NULL, *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&step, fmt, ap) < 0)
        step = NULL;
    va_end(ap);
    if (asprintf(&line, "(%.2f/100%%) %s\n", percent, step ? step : "") < 0)
        line = NULL;
    if (line) {
        fputs(line, stdout);
        fflush(stdout);
        /* The last line also in the job's directory, for a daemon that
         * re-adopted the job (the pipe went with the one that started it). */
        job_file("progress", line);
    }
    free(step);
    free(line);
}

int img_fail(const char *fmt, ...)
{
    if (error_msg)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&error_msg, fmt, ap) < 0)
        error_msg = NULL;
    va_end(ap);
    /* One line: libguestfs's messages may span several. */
    for (char *p = error_msg; p && *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -1;
}

int img_gfs_fail(guestfs_h *g, const char *what)
{
    const char *e = g ? guestfs_last_error(g) : NULL;
    return img_fail("%s: %s", what, e ? e : "libguestfs failed");
}

int img_gfs_failf(guestfs_h *g, const char *fmt, ...)
{
    char *what = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&what, fmt, ap) < 0)
        what = NULL;
    va_end(ap);
    img_gfs_fail(g, what ? what : fmt);
    free(what);
    return -1;
}

json_object *img_result(void)
{
    if (!result)
        result = json_object_new_object();
    return result;
}

static void remove_pending(void)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        if (pending[i][0])
            unlink(pending[i]);
        pending[i][0] = 0;
    }
}

static void untrack(const char *path)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (strcmp(pending[i], path) == 0)
            pending[i][0] = 0;
}

void img_tmp_drop(const char *path)
{
    unlink(path);
    untrack(path);
}

/* A cancelled job: remove the half-made output and take the whole
 * process group with us (the appliance's QEMU, mmdebstrap). */
static void on_term(int sig)
{
    (void)sig;
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i][0])
            unlink(pending[i]);
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);
    _exit(143);
}

char *img_tmp_beside(const char *dst)
{
    const char *slash = strrchr(dst, '/');
    if (!slash || dst[0] != '/') {
        img_fail("%s must be an absolute path", dst);
        return NULL;
    }
    /* Named after this process (pid.start time): a pool's sweep of
     * leftovers, when a restarted daemon starts the pool while we work,
     * keeps what a live helper writes (storage_driver.c). */
    char *tmp = NULL;
    if (asprintf(&tmp, "%.*s/.vireo-tmp-%d.%llu-%s-XXXXXX", (int)(slash - dst), dst, (int)getpid(),
                 vr_proc_start_time(getpid()), slash + 1) < 0)
        return NULL;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        img_fail("cannot write in the directory of %s: %s", dst, strerror(errno));
        free(tmp);
        return NULL;
    }
    close(fd);
    for (int i = 0; i < MAX_PENDING; i++) {
        if (!pending[i][0]) {
            snprintf(pending[i], sizeof(pending[i]), "%s", tmp);
            break;
        }
    }
    /* Named in the job's directory: a helper killed with SIGKILL cannot
     * remove it, the daemon that finds the job ended does. */
    if (job_dir) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/partial", job_dir);
        FILE *f = fopen(path, "a");
        if (f) {
            fprintf(f, "%s\n", tmp);
            fclose(f);
        }
    }
    return tmp;
}

/* Is a daemon following this job? JOBDIR/owner holds "PID START_TIME" of
 * the vireod that started it, or of the last one that re-adopted it. */
static bool owner_alive(void)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/owner", job_dir);
    FILE *f = fopen(path, "r");
    int pid = 0;
    unsigned long long start = 0;
    bool ok = f && fscanf(f, "%d %llu", &pid, &start) == 2;
    if (f)
        fclose(f);
    return ok && vr_proc_is(pid, start);
}

/* The result goes where a daemon registers it (a pool's volume, a path a
 * client waits for) only while one follows the job: a helper whose
 * daemon ended waits for one to re-adopt it, then gives up, removes its
 * output and ends; the daemon that comes back later reports the job
 * interrupted. VIREO_IMAGE_ORPHAN_WAIT (seconds, 60) is that wait. */
static int wait_for_owner(const char *dst)
{
    if (!job_dir)
        return 0;
    const char *env = getenv("VIREO_IMAGE_ORPHAN_WAIT");
    unsigned wait = env && *env ? (unsigned)strtoul(env, NULL, 10) : 60;
    for (unsigned i = 0;; i++) {
        if (owner_alive())
            return 0;
        if (i == 0)
            img_progress(99, "waiting up to %u s for vireod to take the job back before writing %s", wait, dst);
        if (i >= wait)
            return img_fail("interrupted: vireod ended during the job and none took it back within %u s of its "
                            "end; %s was not written (run it again)", wait, dst);
        sleep(1);
    }
}

int img_out_commit(const char *tmp, const char *dst, bool force)
{
    if (wait_for_owner(dst) < 0)
        return -1;
    chmod(tmp, 0600);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, force ? 0 : RENAME_NOREPLACE) < 0)
        return img_fail(errno == EEXIST ? "%s appeared meanwhile; nothing was replaced (use --force)"
                                        : "cannot put the result at %s: %s",
                        dst, strerror(errno));
    untrack(tmp);
    char *dir = strdup(dst);
    *strrchr(dir, '/') = 0;
    int dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
    return 0;
}

/* Through the one process helper (src/common/child.h), as every child
 * of vireod: stdin from /dev/null and only fds 0-2 open in the child
 * (mmdebstrap hands apt a pipe by its number, and the shell apt runs
 * (dash) takes single-digit fds only), in this helper's process group,
 * so a cancel (SIGTERM to the group) reaches it. */
int img_run(const char *const argv[], const char *log)
{
    vr_child_spec spec = {.argv = (char *const *)argv, .out = log ? VR_CHILD_OUT_LOG : VR_CHILD_OUT_CAPTURE,
                          .log = log, .log_mode = 0600};
    vr_child_result r;
    char *err = NULL;
    if (vr_child_run(&spec, &r, &err) < 0) {
        int rc = img_fail("cannot run %s: %s", argv[0], err);
        free(err);
        return rc;
    }
    /* The last line it printed names its failure. */
    char *last = NULL;
    for (char *line = r.out ? strtok(r.out, "\n") : NULL; line; line = strtok(NULL, "\n"))
        if (*line)
            last = line;
    int rc = 0;
    if (!vr_child_ok(&r)) {
        if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 127)
            rc = img_fail("%s is not installed (see docs/dependencies.md)", argv[0]);
        else if (log)
            rc = img_fail("%s failed (its log: %s)", argv[0], log);
        else
            rc = img_fail("%s failed: %s", argv[0], last ? last : "no message");
    }
    vr_child_result_clear(&r);
    return rc;
}

static const struct {
    const char *name;
    int (*fn)(const img_spec *s);
} ops[] = {
    {"build", img_op_build},         {"list", img_op_list},
    {"sysprep", img_op_sysprep},     {"customize", img_op_customize},
    {"sparsify", img_op_sparsify},   {"resize", img_op_resize},
};

static int write_result(const img_spec *s)
{
    if (!s->result_file)
        return 0;
    const char *text = json_object_to_json_string_ext(img_result(), JSON_C_TO_STRING_PLAIN);
    FILE *f = fopen(s->result_file, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        return img_fail("cannot write %s: %s", s->result_file, strerror(errno));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: vireo-image-helper SPEC.json (run by vireod)\n");
        return 2;
    }
    /* Our own process group, so a cancel reaches every child. */
    setpgid(0, 0);
    signal(SIGTERM, on_term);
    /* The daemon's pipe may close under us (a daemon killed or stopped):
     * the work goes on, its progress only in the job's directory. */
    signal(SIGPIPE, SIG_IGN);
    atexit(remove_pending);
    /* libguestfs: its own appliance, never libvirt's (which may be
     * absent or another vireod); TCG unless KVM really works. */
    setenv("LIBGUESTFS_BACKEND", "direct", 0);
    img_spec s;
    int rc = img_spec_parse(argv[1], &s);
    if (rc == 0 && (job_dir = s.job_dir)) {
        /* Who we are, for a restarted daemon: a pid alone could be
         * another process by then, a pid with its start time cannot. */
        char state[96];
        snprintf(state, sizeof(state), "{\"pid\":%d,\"start_time\":%llu}\n", (int)getpid(),
                 vr_proc_start_time(getpid()));
        job_file("state", state);
    }
    if (rc == 0) {
        rc = img_fail("unknown operation '%s'", s.op);
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
            if (strcmp(ops[i].name, s.op) == 0) {
                free(error_msg);
                error_msg = NULL;
                rc = ops[i].fn(&s);
                break;
            }
        }
    }
    if (rc == 0)
        rc = write_result(&s);
    if (rc < 0) {
        remove_pending();
        fflush(stdout);
        fprintf(stderr, "%s\n", error_msg ? error_msg : "failed");
        char *line = NULL;
        if (asprintf(&line, "%s\n", error_msg ? error_msg : "failed") >= 0)
            job_file("error", line);
        free(line);
        return 1;
    }
    json_object_put(s.json);
    json_object_put(result);
    return 0;
}
