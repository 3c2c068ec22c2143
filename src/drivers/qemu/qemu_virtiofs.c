/* virtiofsd, one per <filesystem> with <driver type='virtiofs'>: started
 * before QEMU (whose vhost-user-fs device connects to its socket,
 * RUNTIME/fsN.sock), stopped when the run ends. Like QEMU it outlives
 * the daemon: its pid is in RUNTIME/fsN.pid, so a restarted daemon that
 * re-adopts the domain still stops it with the domain. Debian 12's is
 * QEMU 7.2's C virtiofsd in qemu-system-common. */
#include "drivers/qemu/qemu_domain.h"
#include "common/child.h"
#include "common/file.h"
#include "common/log.h"
#include "common/process.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOCKET_WAIT_MS 5000

const char *vr_qemu_virtiofsd_path(void)
{
    const char *env = getenv("VIREO_VIRTIOFSD");
    return env && *env ? env : "/usr/lib/qemu/virtiofsd";
}

static char *fs_file(const vr_domain *dom, size_t i, const char *ext)
{
    return vr_asprintf("%s/fs%zu.%s", dom->runtime_dir, i, ext);
}

/* Is pid still the virtiofsd serving `sock`? (A pidfile can outlive its
 * process; the pid may be someone else's by now.) */
static bool is_ours(pid_t pid, const char *sock)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *cmd = vr_file_read(path, &len);
    bool found = false;
    for (size_t i = 0; cmd && i < len && !found; i += strlen(cmd + i) + 1)
        found = vr_str_starts(cmd + i, "--socket-path=") && strcmp(cmd + i + 14, sock) == 0;
    free(cmd);
    return found;
}

/* Double fork: virtiofsd is nobody's child (like QEMU after
 * -daemonize), so it needs no reaping and outlives the daemon. */
static pid_t launch(char *const argv[], const char *log)
{
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_LOG, .log = log, .detach = true};
    vr_child_result r;
    return vr_child_run_or_warn(&s, &r) < 0 ? -1 : r.pid;
}

/* The socket appears within milliseconds; a virtiofsd that exits first
 * (a bad source directory) is reported with the last line it logged. */
static int wait_socket(pid_t pid, const char *sock, const char *log, char **err)
{
    for (int waited = 0; waited < SOCKET_WAIT_MS; waited += 10) {
        struct stat st;
        if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
            return 0;
        if (kill(pid, 0) < 0)
            break;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    char *text = vr_file_read(log, NULL), *last = NULL;
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n"))
        if (*vr_str_trim(line))
            last = line;
    vr_set_error(err, "virtiofsd did not start (%s); see %s", last ? last : "no socket", log);
    free(text);
    return -1;
}

int vr_qemu_virtiofs_start(vr_domain *dom, char **err)
{
    const vr_domain_def *def = dom->def;
    char *log = vr_qemu_log_path(dom);
    int rc = 0;
    for (size_t i = 0; i < def->n_filesystems && rc == 0; i++) {
        const vr_fs_def *fs = &def->filesystems[i];
        if (fs->driver != VR_FS_VIRTIOFS)
            continue;
        char *sock = fs_file(dom, i, "sock"), *pidfile = fs_file(dom, i, "pid");
        char *sock_opt = vr_asprintf("--socket-path=%s", sock);
        char *source = vr_asprintf("source=%s", fs->source_dir);
        char *argv[] = {(char *)vr_qemu_virtiofsd_path(), "-f", sock_opt, "-o", source,
                        "-o", "cache=auto", NULL};
        unlink(sock);
        pid_t pid = launch(argv, log);
        if (pid <= 0) {
            vr_set_error(err, "cannot start %s for <filesystem> '%s': %s", argv[0], fs->tag,
                         strerror(errno));
            rc = -1;
        } else {
            char num[32];
            snprintf(num, sizeof(num), "%d\n", (int)pid);
            vr_file_write_atomic(pidfile, num, strlen(num), 0600);
            rc = wait_socket(pid, sock, log, err);
            /* QEMU's own user connects to it. */
            const vr_qemu_identity *as = &dom->drv->qemu_as;
            if (rc == 0 && as->uid && chown(sock, as->uid, as->gid) < 0)
                vr_log_warn("domain %s: cannot hand %s to QEMU's user: %s", def->name, sock,
                            strerror(errno));
        }
        free(sock);
        free(pidfile);
        free(sock_opt);
        free(source);
    }
    free(log);
    if (rc < 0)
        vr_qemu_virtiofs_stop(dom);
    return rc;
}

void vr_qemu_virtiofs_stop(vr_domain *dom)
{
    if (!dom->runtime_dir)
        return;
    for (size_t i = 0; i < dom->def->n_filesystems; i++) {
        char *sock = fs_file(dom, i, "sock"), *pidfile = fs_file(dom, i, "pid");
        pid_t pid = vr_pidfile_read(pidfile);
        /* It exits by itself once QEMU hangs up; a TERM makes sure. */
        if (pid > 0 && is_ours(pid, sock))
            vr_pid_signal(pid, SIGTERM);
        unlink(pidfile);
        unlink(sock);
        free(sock);
        free(pidfile);
    }
}
