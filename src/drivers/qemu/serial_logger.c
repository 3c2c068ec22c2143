/* vireo-serial-logger: one running domain's first serial port, held for
 * the whole run of its QEMU whatever becomes of the daemon (libvirt's
 * virtlogd, one per domain).
 *
 * vireod starts it (src/drivers/qemu/qemu_serial.c) just before QEMU,
 * detached, with three descriptors:
 *   --serial-fd  its end of a socketpair whose other end is QEMU's
 *                chardev (-chardev socket,fd=N): connected before the
 *                guest runs its first instruction, so nothing is lost
 *                and the guest needs no -S;
 *   --listen-fd  a listening unix socket (RUNTIME/qemu/NAME/serial0-log.sock,
 *                0600) where vireod connects, at start and again after a
 *                restart, to serve `vireo console` and the web console;
 *   --log-fd     NAME-serial0.log opened for appending (absent: not logged);
 * and --pidfile, where it writes its pid for a restarted daemon.
 * Everything QEMU writes is appended to the log (each byte once: it is
 * read here, QEMU's logfile= is not used), kept in a ring of the last
 * 64 KiB (sent first to each daemon that connects, so `console --history`
 * survives a restart) and sent to every connected daemon; what a daemon
 * sends goes to QEMU. The log never waits for a daemon: one that falls
 * more than 1 MiB behind is disconnected.
 *
 * It ends when QEMU's end closes (QEMU exited, however) or on SIGTERM
 * (the daemon's end of the run), having read what QEMU left in the
 * socket either way. poll(2) on a handful of fds; nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define RING_BYTES (64 * 1024)
#define CLIENT_MAX_PENDING (1024 * 1024) /* a daemon further behind is dropped */
#define INPUT_MAX_PENDING (64 * 1024)    /* typed but not yet taken by QEMU: stop reading */
#define MAX_CLIENTS 8

typedef struct {
    char *data;
    size_t off, len, cap; /* pending bytes are data[off, off + len) */
} buf;

typedef struct {
    int fd; /* -1: free slot */
    buf out;
} client;

static const char *domain = "?";
static const char *log_path = "-";
static int log_fd = -1;
static char ring[RING_BYTES];
static size_t ring_start, ring_len;
static client clients[MAX_CLIENTS];
static buf input; /* from the daemons, for QEMU */

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vireo-serial-logger %s: ", domain);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static bool buf_add(buf *b, const char *data, size_t n)
{
    if (!n)
        return true;
    if (b->off && b->off + b->len + n > b->cap) {
        memmove(b->data, b->data + b->off, b->len);
        b->off = 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return false;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->off + b->len, data, n);
    b->len += n;
    return true;
}

/* Write what is pending without blocking: false when the peer is gone. */
static bool buf_flush(buf *b, int fd)
{
    while (b->len) {
        ssize_t w = send(fd, b->data + b->off, b->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        b->off += (size_t)w;
        b->len -= (size_t)w;
    }
    b->off = 0;
    return true;
}

static void drop_client(client *c, const char *why)
{
    if (why)
        say("a console connection is dropped: %s", why);
    close(c->fd);
    c->fd = -1;
    free(c->out.data);
    c->out = (buf){0};
}

static void ring_add(const char *data, size_t n)
{
    if (n >= RING_BYTES) {
        data += n - RING_BYTES;
        n = RING_BYTES;
    }
    for (size_t i = 0; i < n; i++) {
        ring[(ring_start + ring_len) % RING_BYTES] = data[i];
        if (ring_len < RING_BYTES)
            ring_len++;
        else
            ring_start = (ring_start + 1) % RING_BYTES;
    }
}

/* A regular file: a short write is a full disk. Named once; the log
 * stops there, the console goes on. */
static void log_write(const char *data, size_t n)
{
    while (log_fd >= 0 && n) {
        ssize_t w = write(log_fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            say("%s: cannot write: %s; the log stops here", log_path, w < 0 ? strerror(errno) : "no space");
            close(log_fd);
            log_fd = -1;
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

static void output(const char *data, size_t n)
{
    log_write(data, n);
    ring_add(data, n);
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client *c = &clients[i];
        if (c->fd < 0)
            continue;
        if (c->out.len + n > CLIENT_MAX_PENDING)
            drop_client(c, "it fell more than 1 MiB behind");
        else if (!buf_add(&c->out, data, n))
            drop_client(c, "out of memory");
    }
}

/* Read what QEMU wrote, to the end or until it would block. False once
 * QEMU's end is closed. */
static bool read_serial(int fd)
{
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n > 0) {
            output(chunk, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        return false;
    }
}

static void accept_client(int listen_fd)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    client *c = NULL;
    for (int i = 0; i < MAX_CLIENTS && !c; i++)
        if (clients[i].fd < 0)
            c = &clients[i];
    if (!c) {
        say("a console connection is refused: %d are open already", MAX_CLIENTS);
        close(fd);
        return;
    }
    c->fd = fd;
    /* The recent output first, in order, then what comes. */
    size_t first = ring_len < RING_BYTES - ring_start ? ring_len : RING_BYTES - ring_start;
    if (!buf_add(&c->out, ring + ring_start, first) ||
        !buf_add(&c->out, ring, ring_len - first))
        drop_client(c, "out of memory");
}

/* What a daemon sends is for the guest. */
static void read_client(client *c)
{
    char chunk[4096];
    ssize_t n = read(c->fd, chunk, sizeof(chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0)
        drop_client(c, NULL); /* the daemon went (a restart, a stop) */
    else if (!buf_add(&input, chunk, (size_t)n))
        drop_client(c, "out of memory");
}

static int fd_arg(const char *name, const char *text)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 0 || v > 65535) {
        fprintf(stderr, "vireo-serial-logger: --%s takes a file descriptor number, not '%s'\n", name, text);
        exit(2);
    }
    return (int)v;
}

static void usage(void)
{
    fprintf(stderr, "usage: vireo-serial-logger --domain NAME --socket PATH --pidfile PATH --serial-fd N "
                    "--listen-fd N [--log PATH --log-fd N]\n"
                    "(started by vireod for each running domain with a serial port; not run by hand)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"domain", required_argument, NULL, 'd'},    {"socket", required_argument, NULL, 's'},
        {"serial-fd", required_argument, NULL, 'f'}, {"listen-fd", required_argument, NULL, 'l'},
        {"log", required_argument, NULL, 'L'},       {"log-fd", required_argument, NULL, 'o'},
        {"pidfile", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    int serial_fd = -1, listen_fd = -1, opt;
    const char *pidfile = NULL;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': domain = optarg; break;
        case 's': break; /* the socket's path: in argv for ps and the daemon's check */
        case 'f': serial_fd = fd_arg("serial-fd", optarg); break;
        case 'l': listen_fd = fd_arg("listen-fd", optarg); break;
        case 'L': log_path = optarg; break;
        case 'o': log_fd = fd_arg("log-fd", optarg); break;
        case 'p': pidfile = optarg; break;
        default: usage();
        }
    }
    if (serial_fd < 0 || listen_fd < 0 || optind != argc)
        usage();
    for (int i = 0; i < MAX_CLIENTS; i++)
        clients[i].fd = -1;
    /* Where a restarted daemon finds it (it checks the argv too). */
    int pf = pidfile ? open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (pidfile && (pf < 0 || dprintf(pf, "%d\n", (int)getpid()) < 0))
        say("cannot write its pidfile %s: %s", pidfile, strerror(errno));
    if (pf >= 0)
        close(pf);

    /* SIGTERM and SIGINT end it through the loop (the socket drained
     * first); a hangup of the session it no longer has means nothing. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    int sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sig_fd < 0) {
        say("signalfd: %s", strerror(errno));
        return 1;
    }
    if (fcntl(serial_fd, F_SETFL, fcntl(serial_fd, F_GETFL) | O_NONBLOCK) < 0 ||
        fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK) < 0) {
        say("the descriptors it was given are not open: %s", strerror(errno));
        return 1;
    }

    bool running = true;
    while (running) {
        struct pollfd p[3 + MAX_CLIENTS];
        int which[3 + MAX_CLIENTS];
        int n = 0;
        p[n] = (struct pollfd){.fd = serial_fd, .events = POLLIN | (input.len ? POLLOUT : 0)};
        which[n++] = -1;
        p[n] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
        which[n++] = -2;
        p[n] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
        which[n++] = -3;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd < 0)
                continue;
            short ev = (input.len < INPUT_MAX_PENDING ? POLLIN : 0) | (clients[i].out.len ? POLLOUT : 0);
            p[n] = (struct pollfd){.fd = clients[i].fd, .events = ev};
            which[n++] = i;
        }
        if (poll(p, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            say("poll: %s", strerror(errno));
            break;
        }
        for (int k = 0; k < n; k++) {
            short re = p[k].revents;
            if (!re)
                continue;
            if (which[k] == -1) {
                if ((re & (POLLIN | POLLHUP | POLLERR)) && !read_serial(serial_fd))
                    running = false; /* QEMU is gone */
                if (running && (re & POLLOUT) && !buf_flush(&input, serial_fd))
                    running = false;
            } else if (which[k] == -2) {
                accept_client(listen_fd);
            } else if (which[k] == -3) {
                read_serial(serial_fd); /* what QEMU left in the socket is logged */
                running = false;
            } else {
                client *c = &clients[which[k]];
                if (c->fd < 0)
                    continue;
                if (re & (POLLIN | POLLHUP | POLLERR))
                    read_client(c);
                if (c->fd >= 0 && (re & POLLOUT) && !buf_flush(&c->out, c->fd))
                    drop_client(c, NULL);
            }
        }
    }
    /* The daemons get what is pending if they can take it now, then the
     * end (their console clients see it close, as QEMU's end). */
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].fd >= 0) {
            buf_flush(&clients[i].out, clients[i].fd);
            drop_client(&clients[i], NULL);
        }
    if (log_fd >= 0)
        close(log_fd);
    free(input.data);
    return 0;
}
