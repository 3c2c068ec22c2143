/* The serial logger of a run: vireo-serial-logger (serial_logger.c), one
 * per running domain with a serial port 0, as libvirt's virtlogd holds
 * QEMU's output across libvirtd restarts.
 *
 * Started before QEMU, detached (it outlives the daemon like QEMU and
 * swtpm), with its end of a socketpair whose other end becomes QEMU's
 * chardev (-chardev socket,id=serial0,fd=N): the port is connected
 * before the guest runs, so a start needs no -S/cont round trip and
 * the first byte is logged. The daemon's console (qemu_console.c)
 * connects to the logger's socket, RUNTIME/qemu/NAME/serial0-log.sock
 * (made by the daemon, 0600, listening before the logger even runs), at
 * start and again at re-adoption. The logger ends when QEMU's end
 * closes; the run's end also stops it by its pidfile. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_console.h"
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LOGGER "vireo-serial-logger"

static bool has_port0(const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_serials; i++)
        if (def->serials[i].port == 0)
            return true;
    return false;
}

static char *run_file(const vr_domain *dom, const char *name)
{
    return vr_asprintf("%s/%s", dom->runtime_dir, name);
}

/* The logger's listening socket, made here so that it listens from now
 * on; -1 with *err. */
static int listen_at(const char *path, char **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        vr_set_error(err, "socket path %s is too long for a unix socket (at most %zu bytes); use a "
                          "shorter runtime directory", path, sizeof(sa.sun_path) - 1);
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
        listen(fd, 8) < 0) {
        vr_set_error(err, "cannot make the serial logger's socket %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void fd_text(char *buf, size_t n, int fd)
{
    snprintf(buf, n, "%d", fd);
}

int vr_qemu_serial_start(vr_domain *dom, int *qemu_fd, char **err)
{
    *qemu_fd = -1;
    if (!has_port0(dom->def))
        return 0;
    char *helper = vr_child_helper_path(LOGGER, "VIREO_SERIAL_LOGGER");
    if (access(helper, X_OK) < 0) {
        vr_set_error(err, "domain '%s' cannot start: its serial port needs %s, which is missing (%s); "
                          "reinstall Vireo or set VIREO_SERIAL_LOGGER", dom->def->name, helper, strerror(errno));
        free(helper);
        return -1;
    }
    char *sock = run_file(dom, "serial0-log.sock"), *pidfile = run_file(dom, "serial0-log.pid");
    char *log = vr_qemu_serial_log_path(dom), *qemu_log = vr_qemu_log_path(dom);
    int sv[2] = {-1, -1}, rc = -1;
    int lfd = listen_at(sock, err);
    if (lfd >= 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        vr_set_error(err, "cannot make the serial port's socket pair: %s", strerror(errno));
    /* The daemon opens the log (its rotation was at the start's
     * beginning); a log it cannot open leaves the console working. */
    int log_fd = sv[0] < 0 ? -1 : open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
    if (sv[0] >= 0 && log_fd < 0)
        vr_log_warn("serial log %s: cannot open: %s; the output is not logged", log, strerror(errno));
    if (sv[0] >= 0) {
        char serial_fd[16], listen_fd[16], log_fd_text[16];
        fd_text(serial_fd, sizeof(serial_fd), sv[1]);
        fd_text(listen_fd, sizeof(listen_fd), lfd);
        fd_text(log_fd_text, sizeof(log_fd_text), log_fd);
        /* (It writes its pidfile itself: no fsync in the start's path.) */
        char *argv[] = {LOGGER, "--domain", dom->def->name, "--socket", sock, "--pidfile", pidfile,
                        "--serial-fd", serial_fd, "--listen-fd", listen_fd, "--log", log,
                        "--log-fd", log_fd_text, NULL};
        if (log_fd < 0)
            argv[11] = NULL;
        int keep[] = {sv[1], lfd, log_fd};
        vr_child_spec s = {.program = helper, .argv = argv, .keep_fds = keep,
                           .n_keep_fds = log_fd < 0 ? 2 : 3, .out = VR_CHILD_OUT_LOG,
                           .log = qemu_log, .detach = true};
        vr_child_result r;
        if (vr_child_run(&s, &r, err) == 0) {
            vr_log_info("domain %s: serial logger (pid %d) holds its serial port", dom->def->name,
                        (int)r.pid);
            *qemu_fd = sv[0];
            sv[0] = -1;
            rc = 0;
        }
    }
    /* The logger has its copies; QEMU gets the other end. */
    for (int i = 0; i < 2; i++)
        if (sv[i] >= 0)
            close(sv[i]);
    if (lfd >= 0)
        close(lfd);
    if (log_fd >= 0)
        close(log_fd);
    free(helper);
    free(sock);
    free(pidfile);
    free(log);
    free(qemu_log);
    return rc;
}

/* The logger's pid from the run directory, while it is still that
 * logger (its argv names the run's socket). */
static pid_t running_logger(const vr_domain *dom)
{
    char *pidfile = run_file(dom, "serial0-log.pid"), *sock = run_file(dom, "serial0-log.sock");
    pid_t pid = vr_pidfile_read(pidfile);
    if (pid > 0 && !vr_qemu_pid_is_domain(pid, sock))
        pid = 0;
    free(pidfile);
    free(sock);
    return pid > 0 ? pid : 0;
}

void vr_qemu_serial_adopt(vr_domain *dom)
{
    pid_t pid = running_logger(dom);
    if (pid)
        vr_log_info("domain %s: serial logger (pid %d) re-adopted", dom->def->name, (int)pid);
}

void vr_qemu_serial_discard_empty(vr_domain *dom)
{
    char *log = vr_qemu_serial_log_path(dom);
    struct stat st;
    if (stat(log, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        unlink(log);
    free(log);
}

void vr_qemu_serial_stop(vr_domain *dom)
{
    if (!dom->runtime_dir)
        return;
    /* Usually gone already (QEMU's end closed); it reads what QEMU left
     * before it ends either way. */
    pid_t pid = running_logger(dom);
    if (pid && vr_pid_signal(pid, SIGTERM) == 0)
        vr_log_info("domain %s: serial logger (pid %d) stopped", dom->def->name, (int)pid);
}

/* The other end closed: QEMU ended (its pid watch follows), or the
 * logger did while QEMU runs. Either way there is no console to attach
 * to until the next start: a client is told so rather than left waiting. */
static void on_console_gone(void *opaque)
{
    vr_domain *dom = opaque;
    vr_log_info("domain %s: its serial console closed (QEMU or its serial logger ended)",
                dom->def->name);
    vr_console_free(dom->console);
    dom->console = NULL;
}

vr_console *vr_qemu_serial_console(vr_domain *dom, pid_t qemu_pid)
{
    vr_console *con = NULL;
    char *cerr = NULL;
    char *logger = run_file(dom, "serial0-log.sock"), *qemu_sock = run_file(dom, "serial0.sock");
    if (vr_path_exists(logger)) {
        con = vr_console_open(dom->drv->base, logger, NULL, on_console_gone, dom, &cerr);
        if (!con)
            vr_log_warn("domain %s: its serial logger is gone (%s); the serial output is no longer "
                        "logged or served", dom->def->name, cerr);
    } else if (vr_path_exists(qemu_sock)) {
        /* A QEMU started before the logger existed: the daemon holds its
         * serial socket itself and logs what it reads, unless QEMU logs
         * it (logfile=, older still). */
        char *log = vr_qemu_pid_logs_serial(qemu_pid) ? NULL : vr_qemu_serial_log_path(dom);
        con = vr_console_open(dom->drv->base, qemu_sock, log, on_console_gone, dom, &cerr);
        free(log);
        if (!con)
            vr_log_warn("domain %s: %s", dom->def->name, cerr);
    }
    free(cerr);
    free(logger);
    free(qemu_sock);
    return con;
}
