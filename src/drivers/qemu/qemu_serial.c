/* The serial loggers' side in the daemon: vireo-serial-logger
 * (serial_logger.c), one per daemon, holds the serial port 0 of every
 * running domain, as libvirt's virtlogd holds QEMU's output across
 * libvirtd restarts.
 *
 * At a start the daemon makes the port's socketpair, the domain's console
 * socket RUNTIME/qemu/NAME/serial0-log.sock (0600, listening from now on)
 * and opens its log, then hands the logger those descriptors over its
 * control socket RUNTIME/serial-logger.sock (serial_logger_proto.h); the
 * other end of the pair becomes QEMU's chardev (-chardev
 * socket,id=serial0,fd=N): the port is connected before the guest runs,
 * so a start needs no -S/cont round trip and the first byte is logged.
 * When no logger answers there, one is started first (detached: it
 * outlives the daemon like QEMU and swtpm), on a control socket the
 * daemon made, so the hand-over can be queued before it even runs. The
 * daemon's console (qemu_console.c) connects to the console socket at
 * start and again at re-adoption. A domain leaves the logger when QEMU's
 * end closes, or at the run's end ("stop"); the logger ends a moment
 * after its last domain left. Its own messages go to LOG/serial-logger.log. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_console.h"
#include "drivers/qemu/serial_logger_proto.h"
#include "common/child.h"
#include "common/file.h"
#include "common/log.h"
#include "common/process.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LOGGER "vireo-serial-logger"
/* The longest a start waits for the logger to take a domain: it answers
 * in a millisecond; this is for a logger stopped in a debugger. */
#define LOGGER_ANSWER_MS 10000

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

static pid_t running_logger(const vr_qemu_driver *drv);

static char *logger_file(const vr_qemu_driver *drv, const char *name)
{
    return vr_asprintf("%s/%s", drv->paths->runtime_dir, name);
}

/* A connection to the running logger's control socket, -1 when none
 * listens there (none runs, or it just ended). */
static int logger_connect(const vr_qemu_driver *drv)
{
    char *path = logger_file(drv, "serial-logger.sock");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = -1;
    if (strlen(path) < sizeof(sa.sun_path)) {
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            close(fd);
            fd = -1;
        }
    }
    free(path);
    return fd;
}

/* Start a logger on a control socket made here (so that it listens from
 * now on, before the logger runs); 0 or -1 with *err. */
static int logger_spawn(vr_qemu_driver *drv, char **err)
{
    char *helper = vr_child_helper_path(LOGGER, "VIREO_SERIAL_LOGGER");
    if (access(helper, X_OK) < 0) {
        vr_set_error(err, "its serial port needs %s, which is missing (%s); reinstall Vireo or set "
                          "VIREO_SERIAL_LOGGER", helper, strerror(errno));
        free(helper);
        return -1;
    }
    char *sock = logger_file(drv, "serial-logger.sock"), *pidfile = logger_file(drv, "serial-logger.pid");
    char *log = vr_asprintf("%s/serial-logger.log", drv->paths->log_dir);
    int rc = -1, cfd = listen_at(sock, err);
    if (cfd >= 0) {
        char control_fd[16];
        snprintf(control_fd, sizeof(control_fd), "%d", cfd);
        /* (It writes its pidfile itself: no fsync in the start's path.) */
        char *argv[] = {LOGGER, "--control", sock, "--control-fd", control_fd, "--pidfile", pidfile, NULL};
        int keep[] = {cfd};
        vr_child_spec s = {.program = helper, .argv = argv, .keep_fds = keep, .n_keep_fds = 1,
                           .out = VR_CHILD_OUT_LOG, .log = log, .detach = true};
        vr_child_result r;
        if (vr_child_run(&s, &r, err) == 0) {
            vr_log_info("serial logger (pid %d) started for the domains' serial ports", (int)r.pid);
            rc = 0;
        }
        close(cfd);
    }
    free(helper);
    free(sock);
    free(pidfile);
    free(log);
    return rc;
}

/* The logger's one-line answer on fd: 1 "ok", 0 an error (*err says
 * it), -1 none (the logger ended before it read the message). */
static int logger_answer(int fd, const char *name, char **err)
{
    char line[512];
    size_t got = 0;
    while (got < sizeof(line) - 1 && (!got || line[got - 1] != '\n')) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, LOGGER_ANSWER_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            vr_set_error(err, "domain '%s' cannot start: its serial logger did not take its serial port "
                              "within %d s; see the logger's log in the daemon's log directory",
                         name, LOGGER_ANSWER_MS / 1000);
            return 0;
        }
        ssize_t n = r > 0 ? read(fd, line + got, sizeof(line) - 1 - got) : -1;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    line[got] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (!strcmp(line, "ok"))
        return 1;
    vr_set_error(err, "domain '%s' cannot start: its serial logger refused its serial port (%s)", name,
                 line);
    return 0;
}

/* Hand the logger a domain's descriptors, starting a logger when none
 * answers (or the one found ended meanwhile); 0 or -1 with *err. */
static int logger_add(vr_domain *dom, const int *fds, size_t n_fds, char **err)
{
    char msg[VR_SERIAL_LOGGER_MSG_MAX];
    char *log = vr_qemu_serial_log_path(dom);
    size_t len = vr_serial_logger_msg(msg, "add", dom->def->name, n_fds > 2 ? log : "");
    free(log);
    if (!len) {
        vr_set_error(err, "domain '%s' cannot start: its name and log path are too long for the serial "
                          "logger", dom->def->name);
        return -1;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = logger_connect(dom->drv);
        if (fd < 0) {
            char *why = NULL;
            if (logger_spawn(dom->drv, &why) < 0) {
                vr_set_error(err, "domain '%s' cannot start: %s", dom->def->name, why);
                free(why);
                return -1;
            }
            fd = logger_connect(dom->drv);
        }
        int answer = -1;
        if (fd >= 0 && vr_serial_logger_send(fd, msg, len, fds, n_fds))
            answer = logger_answer(fd, dom->def->name, err);
        if (fd >= 0)
            close(fd);
        if (answer >= 0)
            return answer ? 0 : -1;
        /* It ended (idle) between our connect and its read: a new one. */
        char *sock = logger_file(dom->drv, "serial-logger.sock");
        unlink(sock);
        free(sock);
    }
    vr_set_error(err, "domain '%s' cannot start: no serial logger took its serial port; see the "
                      "logger's log in the daemon's log directory", dom->def->name);
    return -1;
}

int vr_qemu_serial_start(vr_domain *dom, int *qemu_fd, char **err)
{
    *qemu_fd = -1;
    if (!has_port0(dom->def))
        return 0;
    char *sock = run_file(dom, "serial0-log.sock"), *log = vr_qemu_serial_log_path(dom);
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
        int fds[] = {sv[1], lfd, log_fd};
        if (logger_add(dom, fds, log_fd < 0 ? 2 : 3, err) == 0) {
            vr_log_info("domain %s: serial logger (pid %d) holds its serial port", dom->def->name,
                        (int)running_logger(dom->drv));
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
    free(sock);
    free(log);
    return rc;
}

/* The logger's pid from its pidfile, while it is still that logger (its
 * argv names the control socket); 0 when none runs. */
static pid_t running_logger(const vr_qemu_driver *drv)
{
    char *pidfile = logger_file(drv, "serial-logger.pid"), *sock = logger_file(drv, "serial-logger.sock");
    pid_t pid = vr_pidfile_read(pidfile);
    if (pid > 0 && !vr_qemu_pid_is_domain(pid, sock))
        pid = 0;
    free(pidfile);
    free(sock);
    return pid > 0 ? pid : 0;
}

void vr_qemu_serial_adopt(vr_domain *dom)
{
    pid_t pid = has_port0(dom->def) ? running_logger(dom->drv) : 0;
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
    if (!dom->runtime_dir || !has_port0(dom->def))
        return;
    /* Usually gone already (QEMU's end closed); the logger reads what
     * QEMU left before it lets the domain go either way. Not answered. */
    char msg[VR_SERIAL_LOGGER_MSG_MAX];
    size_t len = vr_serial_logger_msg(msg, "stop", dom->def->name, NULL);
    int fd = len ? logger_connect(dom->drv) : -1;
    if (fd >= 0 && vr_serial_logger_send(fd, msg, len, NULL, 0))
        vr_log_info("domain %s: its serial port leaves the serial logger", dom->def->name);
    if (fd >= 0)
        close(fd);
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
