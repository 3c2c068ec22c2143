/* vireo-serial-logger (src/drivers/qemu/serial_logger.c), the real
 * program: the test plays QEMU (the other end of each domain's
 * socketpair) and the daemon (the control messages that hand a domain
 * over, and connections to a domain's console socket). What QEMU writes
 * is in the log once and reaches a daemon, a daemon that connects later
 * gets the last 64 KiB first, what a daemon sends reaches QEMU, a daemon
 * that never reads is dropped without holding up the log, domains of one
 * logger stay apart, a domain leaves when QEMU's end closes or on "stop"
 * having logged what was left, and the logger ends a moment after its
 * last domain or on SIGTERM. */
#include "drivers/qemu/serial_logger_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct {
    char dir[64], control[96], pidfile[96];
    pid_t pid;
} logger;

typedef struct {
    char name[32], sock[128], log[128];
    int qemu; /* our end of the serial socketpair: we are QEMU */
} dom;

static const char *program(void)
{
    const char *p = getenv("VIREO_SERIAL_LOGGER");
    assert_non_null(p);
    return p;
}

static int listen_at(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 8), 0);
    return fd;
}

static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The logger, as the daemon starts it: on a control socket made first. */
static void start(logger *l)
{
    memset(l, 0, sizeof(*l));
    strcpy(l->dir, "/tmp/vireo-serial-logger.XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    snprintf(l->control, sizeof(l->control), "%s/serial-logger.sock", l->dir);
    snprintf(l->pidfile, sizeof(l->pidfile), "%s/serial-logger.pid", l->dir);
    int cfd = listen_at(l->control);
    char control_fd[16];
    snprintf(control_fd, sizeof(control_fd), "%d", cfd);
    l->pid = fork();
    assert_true(l->pid >= 0);
    if (l->pid == 0) {
        fcntl(cfd, F_SETFD, 0);
        execl(program(), "vireo-serial-logger", "--control", l->control, "--control-fd", control_fd,
              "--pidfile", l->pidfile, (char *)NULL);
        _exit(127);
    }
    close(cfd);
}

/* One control message; its answer line ("" when none is given). */
static void control(const logger *l, const char *verb, const char *name, const char *log, const int *fds,
                    size_t n_fds, char *answer, size_t size)
{
    char msg[VR_SERIAL_LOGGER_MSG_MAX];
    size_t len = vr_serial_logger_msg(msg, verb, name, log);
    assert_true(len > 0);
    int fd = connect_to(l->control);
    assert_true(fd >= 0);
    assert_true(vr_serial_logger_send(fd, msg, len, fds, n_fds));
    size_t got = 0;
    if (answer) {
        while (got < size - 1 && (!got || answer[got - 1] != '\n')) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            assert_int_equal(poll(&p, 1, 5000), 1);
            ssize_t r = read(fd, answer + got, size - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        answer[got] = '\0';
    }
    close(fd);
}

/* A domain handed to the logger, as a start does: its port's pair, its
 * console socket, its log. */
static void add(const logger *l, dom *d, const char *name)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->name, sizeof(d->name), "%s", name);
    snprintf(d->sock, sizeof(d->sock), "%s/%s-log.sock", l->dir, name);
    snprintf(d->log, sizeof(d->log), "%s/%s-serial0.log", l->dir, name);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    int lfd = listen_at(d->sock);
    int log_fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    assert_true(log_fd >= 0);
    int fds[] = {sv[1], lfd, log_fd};
    char answer[256];
    control(l, "add", name, d->log, fds, 3, answer, sizeof(answer));
    assert_string_equal(answer, "ok\n");
    close(sv[1]);
    close(lfd);
    close(log_fd);
    d->qemu = sv[0];
}

static void drop(dom *d)
{
    if (d->qemu >= 0)
        close(d->qemu);
    d->qemu = -1;
    unlink(d->sock);
    unlink(d->log);
}

static int connect_daemon(const dom *d)
{
    int fd = connect_to(d->sock);
    assert_true(fd >= 0);
    return fd;
}

static void send_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
}

/* Exactly n bytes from fd (5 s at most). */
static void recv_exactly(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&p, 1, 5000), 1);
        ssize_t r = read(fd, buf + got, n - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
}

static void expect_recv(int fd, const char *want)
{
    size_t n = strlen(want);
    char *buf = calloc(1, n + 1);
    recv_exactly(fd, buf, n);
    assert_string_equal(buf, want);
    free(buf);
}

/* The log's content once it has `len` bytes (5 s at most). */
static char *log_with(const dom *d, size_t len)
{
    struct stat st;
    for (int i = 0; i < 500 && (stat(d->log, &st) < 0 || (size_t)st.st_size < len); i++)
        usleep(10000);
    int fd = open(d->log, O_RDONLY);
    assert_true(fd >= 0);
    char *buf = calloc(1, len + 2);
    ssize_t r = read(fd, buf, len + 1);
    close(fd);
    assert_int_equal(r, (ssize_t)len);
    return buf;
}

/* Its exit status once it ends (5 s at most, past its 2 s linger). */
static int ended(logger *l)
{
    int st = 0;
    for (int i = 0; i < 500; i++) {
        pid_t r = waitpid(l->pid, &st, WNOHANG);
        if (r == l->pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10000);
    }
    fail_msg("the logger did not end");
    return -1;
}

static void finish(logger *l, dom *d)
{
    if (d)
        drop(d);
    if (l->pid > 0 && waitpid(l->pid, NULL, WNOHANG) == 0) {
        kill(l->pid, SIGKILL);
        waitpid(l->pid, NULL, 0);
    }
    unlink(l->control);
    unlink(l->pidfile);
    rmdir(l->dir);
}

static void logs_serves_and_types(void **state)
{
    (void)state;
    logger l;
    dom d;
    start(&l);
    add(&l, &d, "t");
    send_all(d.qemu, "boot line 1\n", 12);
    free(log_with(&d, 12));
    /* A daemon that connects later gets what came before, then what comes. */
    int c = connect_daemon(&d);
    expect_recv(c, "boot line 1\n");
    send_all(d.qemu, "line 2\n", 7);
    expect_recv(c, "line 2\n");
    /* What the daemon sends is the guest's input. */
    send_all(c, "ls\n", 3);
    char typed[4] = {0};
    recv_exactly(d.qemu, typed, 3);
    assert_string_equal(typed, "ls\n");
    char *log = log_with(&d, 19);
    assert_string_equal(log, "boot line 1\nline 2\n");
    free(log);
    /* Its pidfile names it, 0600. */
    struct stat st;
    assert_int_equal(stat(l.pidfile, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *f = fopen(l.pidfile, "r");
    int pid = 0;
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    assert_int_equal(pid, l.pid);
    /* QEMU's end closes: the daemon reads the end; the logger, now
     * without a domain, exits 0 a moment later. */
    close(d.qemu);
    d.qemu = -1;
    char ch;
    struct pollfd p = {.fd = c, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(read(c, &ch, 1), 0);
    assert_int_equal(ended(&l), 0);
    close(c);
    /* Nothing listens on its control socket then: the daemon starts another. */
    assert_int_equal(connect_to(l.control), -1);
    finish(&l, &d);
}

/* A daemon restart: what the guest prints while no daemon is connected is
 * logged, and the next daemon gets it first. */
static void output_while_no_daemon(void **state)
{
    (void)state;
    logger l;
    dom d;
    start(&l);
    add(&l, &d, "t");
    int c = connect_daemon(&d);
    send_all(d.qemu, "a\n", 2);
    expect_recv(c, "a\n");
    close(c);
    send_all(d.qemu, "b\n", 2);
    free(log_with(&d, 4));
    c = connect_daemon(&d);
    expect_recv(c, "a\nb\n");
    close(c);
    finish(&l, &d);
}

/* The replay is the last 64 KiB, in order. */
static void ring_keeps_the_last_64k(void **state)
{
    (void)state;
    logger l;
    dom d;
    start(&l);
    add(&l, &d, "t");
    size_t n = 100 * 1024;
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    send_all(d.qemu, data, n);
    free(log_with(&d, n));
    int c = connect_daemon(&d);
    char *got = malloc(64 * 1024);
    recv_exactly(c, got, 64 * 1024);
    assert_memory_equal(got, data + n - 64 * 1024, 64 * 1024);
    free(got);
    free(data);
    close(c);
    finish(&l, &d);
}

/* A daemon that never reads is dropped; the log takes everything. */
static void a_stuck_daemon_does_not_hold_the_log(void **state)
{
    (void)state;
    logger l;
    dom d;
    start(&l);
    add(&l, &d, "t");
    int c = connect_daemon(&d);
    /* Accepted (it replays nothing, then passes this on) before the flood. */
    send_all(d.qemu, "up\n", 3);
    expect_recv(c, "up\n");
    size_t chunk = 64 * 1024, total = 3;
    char *data = malloc(chunk);
    memset(data, 'x', chunk);
    for (int i = 0; i < 40; i++) {
        send_all(d.qemu, data, chunk);
        total += chunk;
    }
    free(log_with(&d, total));
    /* Its connection ends after what the kernel had buffered. */
    char buf[65536];
    ssize_t r = -1;
    size_t read_total = 0;
    struct pollfd p = {.fd = c, .events = POLLIN};
    while (poll(&p, 1, 5000) == 1 && (r = read(c, buf, sizeof(buf))) > 0)
        read_total += (size_t)r;
    assert_int_equal(r, 0);
    assert_true(read_total < total);
    free(data);
    close(c);
    finish(&l, &d);
}

/* SIGTERM: what each QEMU left in its socket is logged first. */
static void sigterm_logs_what_is_left(void **state)
{
    (void)state;
    logger l;
    dom a, b;
    start(&l);
    add(&l, &a, "a");
    add(&l, &b, "b");
    send_all(a.qemu, "first\n", 6);
    free(log_with(&a, 6));
    /* Stopped, so the next lines are still in the sockets at SIGTERM. */
    kill(l.pid, SIGSTOP);
    send_all(a.qemu, "last words\n", 11);
    send_all(b.qemu, "b's last\n", 9);
    kill(l.pid, SIGTERM);
    kill(l.pid, SIGCONT);
    assert_int_equal(ended(&l), 0);
    char *log = log_with(&a, 17);
    assert_string_equal(log, "first\nlast words\n");
    free(log);
    log = log_with(&b, 9);
    assert_string_equal(log, "b's last\n");
    free(log);
    drop(&b);
    finish(&l, &a);
}

/* Domains of one logger stay apart; one leaving (its QEMU ended, or the
 * daemon's stop) leaves the others served; a name added again replaces
 * its last run. */
static void domains_stay_apart(void **state)
{
    (void)state;
    logger l;
    dom a, b;
    start(&l);
    add(&l, &a, "a");
    add(&l, &b, "b");
    int ca = connect_daemon(&a), cb = connect_daemon(&b);
    send_all(a.qemu, "to a\n", 5);
    send_all(b.qemu, "to b\n", 5);
    expect_recv(ca, "to a\n");
    expect_recv(cb, "to b\n");
    send_all(cb, "typed in b\n", 11);
    char typed[12] = {0};
    recv_exactly(b.qemu, typed, 11);
    assert_string_equal(typed, "typed in b\n");
    /* a's QEMU ends: a's console sees the end, b goes on. */
    close(a.qemu);
    a.qemu = -1;
    char ch;
    struct pollfd p = {.fd = ca, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(read(ca, &ch, 1), 0);
    close(ca);
    send_all(b.qemu, "still b\n", 8);
    expect_recv(cb, "still b\n");
    char *log = log_with(&a, 5);
    assert_string_equal(log, "to a\n");
    free(log);
    /* b stopped by the daemon with output still in the socket: logged. */
    kill(l.pid, SIGSTOP);
    send_all(b.qemu, "b at stop\n", 10);
    control(&l, "stop", "b", NULL, NULL, 0, NULL, 0);
    kill(l.pid, SIGCONT);
    p.fd = cb;
    assert_int_equal(poll(&p, 1, 5000), 1);
    char rest[16] = {0};
    recv_exactly(cb, rest, 10);
    assert_string_equal(rest, "b at stop\n");
    close(cb);
    log = log_with(&b, 23);
    assert_string_equal(log, "to b\nstill b\nb at stop\n");
    free(log);
    /* b again (a new run): its console starts from the new run. */
    drop(&b);
    add(&l, &b, "b");
    send_all(b.qemu, "run 2\n", 6);
    cb = connect_daemon(&b);
    expect_recv(cb, "run 2\n");
    close(cb);
    drop(&a);
    finish(&l, &b);
}

/* A message it cannot take is answered with the reason, and the logger
 * goes on; with no domain ever handed over it ends after its linger. */
static void refusals_and_idle_end(void **state)
{
    (void)state;
    logger l;
    dom d;
    start(&l);
    char answer[256];
    control(&l, "add", "nofds", "", NULL, 0, answer, sizeof(answer));
    assert_string_equal(answer, "error: add needs the serial port's and the console socket's descriptors\n");
    control(&l, "frobnicate", "x", NULL, NULL, 0, answer, sizeof(answer));
    assert_string_equal(answer, "error: the message is not one this logger knows\n");
    add(&l, &d, "t");
    send_all(d.qemu, "ok\n", 3);
    free(log_with(&d, 3));
    drop(&d);
    assert_int_equal(ended(&l), 0);
    finish(&l, NULL);
}

static void bad_arguments(void **state)
{
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(program(), "vireo-serial-logger", "--control-fd", "x", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 2);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logs_serves_and_types),
        cmocka_unit_test(output_while_no_daemon),
        cmocka_unit_test(ring_keeps_the_last_64k),
        cmocka_unit_test(a_stuck_daemon_does_not_hold_the_log),
        cmocka_unit_test(sigterm_logs_what_is_left),
        cmocka_unit_test(domains_stay_apart),
        cmocka_unit_test(refusals_and_idle_end),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
