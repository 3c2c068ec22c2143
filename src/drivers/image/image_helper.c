/* vireo-image-helper's main: read the spec, run one operation, report.
 * See image.h for how vireod drives it. */

#include "drivers/image/image.h"

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

void img_progress(double percent, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("(%.2f/100%%) ", percent);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
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
    char *tmp = NULL;
    if (asprintf(&tmp, "%.*s/.vireo-tmp-%s-XXXXXX", (int)(slash - dst), dst, slash + 1) < 0)
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
    return tmp;
}

int img_out_commit(const char *tmp, const char *dst, bool force)
{
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

int img_run(const char *const argv[], const char *log)
{
    int p[2];
    if (pipe(p) < 0)
        return img_fail("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        return img_fail("cannot run %s: %s", argv[0], strerror(errno));
    if (pid == 0) {
        int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0600) : p[1];
        dup2(fd, 1);
        dup2(fd, 2);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        /* Only 0-2: mmdebstrap hands apt a pipe by its number, and the
         * shell apt runs (dash) takes single-digit fds only. */
        for (int other = 3; other < 1024; other++)
            close(other);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    /* The last line it printed names its failure. */
    char buf[4096], last[512] = "", line[512];
    size_t ll = 0;
    ssize_t r;
    while ((r = read(p[0], buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] == '\n') {
                line[ll] = 0;
                if (ll)
                    memcpy(last, line, ll + 1);
                ll = 0;
            } else if (ll + 1 < sizeof(line)) {
                line[ll++] = buf[i];
            }
        }
    }
    close(p[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return img_fail("%s is not installed (see docs/dependencies.md)", argv[0]);
    if (log)
        return img_fail("%s failed (its log: %s)", argv[0], log);
    return img_fail("%s failed: %s", argv[0], last[0] ? last : "no message");
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
    atexit(remove_pending);
    /* libguestfs: its own appliance, never libvirt's (which may be
     * absent or another vireod); TCG unless KVM really works. */
    setenv("LIBGUESTFS_BACKEND", "direct", 0);
    img_spec s;
    int rc = img_spec_parse(argv[1], &s);
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
        return 1;
    }
    json_object_put(s.json);
    json_object_put(result);
    return 0;
}
