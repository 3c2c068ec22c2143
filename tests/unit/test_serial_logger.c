/* vireo-serial-logger (src/drivers/qemu/serial_logger.c), the real
 * program: the test plays QEMU (the other end of its socketpair) and the
 * daemon (connections to its listening socket). What QEMU writes is in
 * the log once and reaches a daemon, a daemon that connects later gets
 * the last 64 KiB first, what a daemon sends reaches QEMU, a daemon that
 * never reads is dropped without holding up the log, and the logger ends
 * when QEMU's end closes or on SIGTERM, having logged what was left. */
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
    char dir[64], sock[96], log[96], pidfile[96];
    pid_t pid;
    int qemu; /* our end of the serial socketpair: we are QEMU */
} logger;

static const char *program(void)
{
    const char *p = getenv("VIREO_SERIAL_LOGGER");
    assert_non_null(p);
    return p;
}

static void start(logger *l)
{
    memset(l, 0, sizeof(*l));
    strcpy(l->dir, "/tmp/vireo-serial-logger.XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    snprintf(l->sock, sizeof(l->sock), "%s/serial0-log.sock", l->dir);
    snprintf(l->log, sizeof(l->log), "%s/t-serial0.log", l->dir);
    snprintf(l->pidfile, sizeof(l->pidfile), "%s/serial0-log.pid", l->dir);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, l->sock);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(lfd, 8), 0);
    int log_fd = open(l->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    assert_true(log_fd >= 0);
    char serial_fd[16], listen_fd[16], log_fd_text[16];
    snprintf(serial_fd, sizeof(serial_fd), "%d", sv[1]);
    snprintf(listen_fd, sizeof(listen_fd), "%d", lfd);
    snprintf(log_fd_text, sizeof(log_fd_text), "%d", log_fd);
    l->pid = fork();
    assert_true(l->pid >= 0);
    if (l->pid == 0) {
        fcntl(sv[1], F_SETFD, 0);
        fcntl(lfd, F_SETFD, 0);
        fcntl(log_fd, F_SETFD, 0);
        execl(program(), "vireo-serial-logger", "--domain", "t", "--socket", l->sock, "--pidfile",
              l->pidfile, "--serial-fd", serial_fd, "--listen-fd", listen_fd, "--log", l->log,
              "--log-fd", log_fd_text, (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    close(lfd);
    close(log_fd);
    l->qemu = sv[0];
}

static int connect_daemon(const logger *l)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, l->sock);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
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
static char *log_with(const logger *l, size_t len)
{
    struct stat st;
    for (int i = 0; i < 500 && (stat(l->log, &st) < 0 || (size_t)st.st_size < len); i++)
        usleep(10000);
    int fd = open(l->log, O_RDONLY);
    assert_true(fd >= 0);
    char *buf = calloc(1, len + 2);
    ssize_t r = read(fd, buf, len + 1);
    close(fd);
    assert_int_equal(r, (ssize_t)len);
    return buf;
}

/* Its exit status once it ends (5 s at most). */
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

static void finish(logger *l)
{
    if (l->qemu >= 0)
        close(l->qemu);
    if (l->pid > 0 && waitpid(l->pid, NULL, WNOHANG) == 0) {
        kill(l->pid, SIGKILL);
        waitpid(l->pid, NULL, 0);
    }
    unlink(l->sock);
    unlink(l->log);
    unlink(l->pidfile);
    rmdir(l->dir);
}

static void logs_serves_and_types(void **state)
{
    (void)state;
    logger l;
    start(&l);
    send_all(l.qemu, "boot line 1\n", 12);
    free(log_with(&l, 12));
    /* A daemon that connects later gets what came before, then what comes. */
    int d = connect_daemon(&l);
    expect_recv(d, "boot line 1\n");
    send_all(l.qemu, "line 2\n", 7);
    expect_recv(d, "line 2\n");
    /* What the daemon sends is the guest's input. */
    send_all(d, "ls\n", 3);
    char typed[4] = {0};
    recv_exactly(l.qemu, typed, 3);
    assert_string_equal(typed, "ls\n");
    char *log = log_with(&l, 19);
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
    /* QEMU's end closes: the daemon reads the end, the logger exits 0. */
    close(l.qemu);
    l.qemu = -1;
    char c;
    struct pollfd p = {.fd = d, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(read(d, &c, 1), 0);
    assert_int_equal(ended(&l), 0);
    close(d);
    finish(&l);
}

/* A daemon restart: what the guest prints while no daemon is connected is
 * logged, and the next daemon gets it first. */
static void output_while_no_daemon(void **state)
{
    (void)state;
    logger l;
    start(&l);
    int d = connect_daemon(&l);
    send_all(l.qemu, "a\n", 2);
    expect_recv(d, "a\n");
    close(d);
    send_all(l.qemu, "b\n", 2);
    free(log_with(&l, 4));
    d = connect_daemon(&l);
    expect_recv(d, "a\nb\n");
    close(d);
    finish(&l);
}

/* The replay is the last 64 KiB, in order. */
static void ring_keeps_the_last_64k(void **state)
{
    (void)state;
    logger l;
    start(&l);
    size_t n = 100 * 1024;
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    send_all(l.qemu, data, n);
    free(log_with(&l, n));
    int d = connect_daemon(&l);
    char *got = malloc(64 * 1024);
    recv_exactly(d, got, 64 * 1024);
    assert_memory_equal(got, data + n - 64 * 1024, 64 * 1024);
    free(got);
    free(data);
    close(d);
    finish(&l);
}

/* A daemon that never reads is dropped; the log takes everything. */
static void a_stuck_daemon_does_not_hold_the_log(void **state)
{
    (void)state;
    logger l;
    start(&l);
    int d = connect_daemon(&l);
    /* Accepted (it replays nothing, then passes this on) before the flood. */
    send_all(l.qemu, "up\n", 3);
    expect_recv(d, "up\n");
    size_t chunk = 64 * 1024, total = 3;
    char *data = malloc(chunk);
    memset(data, 'x', chunk);
    for (int i = 0; i < 40; i++) {
        send_all(l.qemu, data, chunk);
        total += chunk;
    }
    free(log_with(&l, total));
    /* Its connection ends after what the kernel had buffered. */
    char buf[65536];
    ssize_t r = -1;
    size_t read_total = 0;
    struct pollfd p = {.fd = d, .events = POLLIN};
    while (poll(&p, 1, 5000) == 1 && (r = read(d, buf, sizeof(buf))) > 0)
        read_total += (size_t)r;
    assert_int_equal(r, 0);
    assert_true(read_total < total);
    free(data);
    close(d);
    finish(&l);
}

/* SIGTERM (the run's end): what QEMU left in the socket is logged first. */
static void sigterm_logs_what_is_left(void **state)
{
    (void)state;
    logger l;
    start(&l);
    send_all(l.qemu, "first\n", 6);
    free(log_with(&l, 6));
    /* Stopped, so the next line is still in the socket at SIGTERM. */
    kill(l.pid, SIGSTOP);
    send_all(l.qemu, "last words\n", 11);
    kill(l.pid, SIGTERM);
    kill(l.pid, SIGCONT);
    assert_int_equal(ended(&l), 0);
    char *log = log_with(&l, 17);
    assert_string_equal(log, "first\nlast words\n");
    free(log);
    finish(&l);
}

static void bad_arguments(void **state)
{
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(program(), "vireo-serial-logger", "--serial-fd", "x", "--listen-fd", "4", (char *)NULL);
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
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
