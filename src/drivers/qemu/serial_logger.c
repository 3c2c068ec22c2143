/* vireo-serial-logger: the first serial port of every running domain of
 * one daemon, held for the whole run of each QEMU whatever becomes of the
 * daemon. One process for all of them, as libvirt's virtlogd: a logger
 * per domain cost each running domain about 1.5 MiB of resident memory
 * (its own copy of libc's pages), one costs a domain its buffers.
 *
 * vireod starts it (src/drivers/qemu/qemu_serial.c) when a domain with a
 * serial port starts and none runs, detached, with a listening control
 * socket (RUNTIME/serial-logger.sock, 0600) and --pidfile, where it
 * writes its pid for a restarted daemon. Over the control socket the
 * daemon hands it each domain (serial_logger_proto.h): its end of a
 * socketpair whose other end is QEMU's chardev (-chardev socket,fd=N),
 * handed over before QEMU runs, so nothing is lost and the guest needs no
 * -S; a listening unix socket (RUNTIME/qemu/NAME/serial0-log.sock, 0600)
 * where vireod connects, at start and again after a restart, to serve
 * `vireo console` and the web console; NAME-serial0.log opened for
 * appending (absent: not logged).
 * Everything a QEMU writes is appended to its log (each byte once: QEMU's
 * logfile= is not used), kept in a ring of the last 64 KiB (sent first to
 * each daemon that connects, so `console --history` survives a restart)
 * and sent to every connected daemon; what a daemon sends goes to QEMU.
 * A log never waits for a daemon: one that falls more than 1 MiB behind
 * is disconnected.
 *
 * A domain goes when its QEMU's end closes (QEMU exited, however) or on
 * the daemon's "stop" (the run's end), having logged what QEMU left in
 * the socket. The logger ends a moment after its last domain went, or on
 * SIGTERM (every domain's output logged first). poll(2) on a handful of
 * fds per domain; nothing else. */
#include "drivers/qemu/serial_logger_proto.h"

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
#define MAX_CLIENTS 8                    /* console connections per domain */
#define MAX_CONTROL 16                   /* control connections waiting for their message */
#define READ_BUDGET (64 * 1024)         /* from one QEMU per turn of the loop */
#define LEFT_BUDGET (16 * 1024 * 1024)  /* what a QEMU left at its end: its socket's buffer, at most */
#define LINGER_MS 2000                   /* idle, before it ends: a domain restarting finds it */

typedef struct {
    char *data;
    size_t off, len, cap; /* pending bytes are data[off, off + len) */
} buf;

typedef struct {
    int fd; /* -1: free slot */
    buf out;
} client;

typedef struct {
    char *name, *log_path;
    int serial_fd, listen_fd, log_fd;
    char *ring; /* RING_BYTES, made at the first output */
    size_t ring_start, ring_len;
    client clients[MAX_CLIENTS];
    buf input; /* from the daemons, for QEMU */
} domain;

static domain **domains;
static size_t n_domains;
static int control[MAX_CONTROL];

__attribute__((format(printf, 2, 3))) static void say(const domain *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vireo-serial-logger%s%s: ", d ? " " : "", d ? d->name : "");
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

static void drop_client(const domain *d, client *c, const char *why)
{
    if (why)
        say(d, "a console connection is dropped: %s", why);
    close(c->fd);
    c->fd = -1;
    free(c->out.data);
    c->out = (buf){0};
}

static void ring_add(domain *d, const char *data, size_t n)
{
    if (!d->ring && !(d->ring = malloc(RING_BYTES)))
        return; /* no replay then; the log and the console go on */
    if (n >= RING_BYTES) {
        data += n - RING_BYTES;
        n = RING_BYTES;
    }
    for (size_t i = 0; i < n; i++) {
        d->ring[(d->ring_start + d->ring_len) % RING_BYTES] = data[i];
        if (d->ring_len < RING_BYTES)
            d->ring_len++;
        else
            d->ring_start = (d->ring_start + 1) % RING_BYTES;
    }
}

/* A regular file: a short write is a full disk. Named once; the log
 * stops there, the console goes on. */
static void log_write(domain *d, const char *data, size_t n)
{
    while (d->log_fd >= 0 && n) {
        ssize_t w = write(d->log_fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            say(d, "%s: cannot write: %s; the log stops here", d->log_path,
                w < 0 ? strerror(errno) : "no space");
            close(d->log_fd);
            d->log_fd = -1;
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

static void output(domain *d, const char *data, size_t n)
{
    log_write(d, data, n);
    ring_add(d, data, n);
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client *c = &d->clients[i];
        if (c->fd < 0)
            continue;
        if (c->out.len + n > CLIENT_MAX_PENDING)
            drop_client(d, c, "it fell more than 1 MiB behind");
        else if (!buf_add(&c->out, data, n))
            drop_client(d, c, "out of memory");
    }
}

/* Read what QEMU wrote, until it would block or `budget` bytes (so that
 * a guest flooding its port leaves the others their turn). False once
 * QEMU's end is closed. */
static bool read_serial(domain *d, size_t budget)
{
    char chunk[16384];
    for (size_t got = 0; got < budget;) {
        ssize_t n = read(d->serial_fd, chunk, sizeof(chunk));
        if (n > 0) {
            output(d, chunk, (size_t)n);
            got += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        return false;
    }
    return true;
}

static void accept_client(domain *d)
{
    int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    client *c = NULL;
    for (int i = 0; i < MAX_CLIENTS && !c; i++)
        if (d->clients[i].fd < 0)
            c = &d->clients[i];
    if (!c) {
        say(d, "a console connection is refused: %d are open already", MAX_CLIENTS);
        close(fd);
        return;
    }
    c->fd = fd;
    /* The recent output first, in order, then what comes. */
    size_t first = d->ring_len < RING_BYTES - d->ring_start ? d->ring_len : RING_BYTES - d->ring_start;
    if (d->ring_len && (!buf_add(&c->out, d->ring + d->ring_start, first) ||
                        !buf_add(&c->out, d->ring, d->ring_len - first)))
        drop_client(d, c, "out of memory");
}

/* What a daemon sends is for the guest. */
static void read_client(domain *d, client *c)
{
    char chunk[4096];
    ssize_t n = read(c->fd, chunk, sizeof(chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0)
        drop_client(d, c, NULL); /* the daemon went (a restart, a stop) */
    else if (!buf_add(&d->input, chunk, (size_t)n))
        drop_client(d, c, "out of memory");
}

/* The domain's run is over: what QEMU left is logged, the daemons get
 * what is pending if they can take it now, then the end (their console
 * clients see it close, as QEMU's end). */
static void domain_end(size_t i)
{
    domain *d = domains[i];
    read_serial(d, LEFT_BUDGET);
    for (int k = 0; k < MAX_CLIENTS; k++)
        if (d->clients[k].fd >= 0) {
            buf_flush(&d->clients[k].out, d->clients[k].fd);
            drop_client(d, &d->clients[k], NULL);
        }
    close(d->serial_fd);
    close(d->listen_fd);
    if (d->log_fd >= 0)
        close(d->log_fd);
    free(d->input.data);
    free(d->ring);
    free(d->name);
    free(d->log_path);
    free(d);
    domains[i] = domains[--n_domains];
}

static long find_domain(const char *name)
{
    for (size_t i = 0; i < n_domains; i++)
        if (!strcmp(domains[i]->name, name))
            return (long)i;
    return -1;
}

static void nonblocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* "add": the domain's descriptors are taken (fds[0..n_fds)); the reply
 * or NULL on success. A domain of that name still held (its last run's
 * QEMU end not yet closed) ends first. */
static const char *domain_add(const char *name, const char *log_path, int *fds, size_t n_fds)
{
    if (n_fds < 2)
        return "add needs the serial port's and the console socket's descriptors";
    long old = find_domain(name);
    if (old >= 0)
        domain_end((size_t)old);
    domain **grown = realloc(domains, (n_domains + 1) * sizeof(*domains));
    domain *d = calloc(1, sizeof(*d));
    if (grown)
        domains = grown;
    if (!grown || !d || !(d->name = strdup(name)) || !(d->log_path = strdup(log_path))) {
        if (d)
            free(d->name);
        free(d);
        return "out of memory";
    }
    d->serial_fd = fds[0];
    d->listen_fd = fds[1];
    d->log_fd = n_fds > 2 ? fds[2] : -1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        d->clients[i].fd = -1;
    nonblocking(d->serial_fd);
    nonblocking(d->listen_fd);
    domains[n_domains++] = d;
    return NULL;
}

/* One control message, whole (serial_logger_proto.h); the connection is
 * closed after it. */
static void read_control(int k)
{
    int fd = control[k];
    char msg[VR_SERIAL_LOGGER_MSG_MAX + 1];
    union {
        char buf[CMSG_SPACE(sizeof(int) * VR_SERIAL_LOGGER_FDS)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = msg, .iov_len = VR_SERIAL_LOGGER_MSG_MAX};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = sizeof(u.buf)};
    ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    int fds[VR_SERIAL_LOGGER_FDS];
    size_t n_fds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < got; i++) {
                int one;
                memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                if (n_fds < VR_SERIAL_LOGGER_FDS)
                    fds[n_fds++] = one;
                else
                    close(one);
            }
        }
    const char *reply = "the message is not one this logger knows";
    bool answer = true, taken = false;
    if (n > 0) {
        msg[n] = '\0';
        /* Fields end with NUL: verb, name and, for add, the log path. */
        const char *verb = msg, *name = NULL, *log_path = "";
        size_t at = strlen(verb) + 1;
        if ((size_t)n > at) {
            name = msg + at;
            at += strlen(name) + 1;
            if ((size_t)n > at)
                log_path = msg + at;
        }
        if (name && !strcmp(verb, "add")) {
            reply = domain_add(name, log_path, fds, n_fds);
            taken = !reply;
            if (!reply)
                reply = "ok";
        } else if (name && !strcmp(verb, "stop")) {
            long i = find_domain(name);
            if (i >= 0)
                domain_end((size_t)i);
            answer = false;
        }
    } else {
        answer = false; /* closed without a message */
    }
    if (!taken)
        for (size_t i = 0; i < n_fds; i++)
            close(fds[i]);
    if (answer && strcmp(reply, "ok")) {
        say(NULL, "a control message is refused: %s", reply);
        dprintf(fd, "error: %s\n", reply);
    } else if (answer) {
        dprintf(fd, "ok\n");
    }
    close(fd);
    control[k] = -1;
}

static void accept_control(int listen_fd)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int k = 0;
        while (k < MAX_CONTROL && control[k] >= 0)
            k++;
        if (k == MAX_CONTROL) {
            say(NULL, "a control connection is refused: %d are waiting already", MAX_CONTROL);
            close(fd);
            continue;
        }
        control[k] = fd;
    }
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
    fprintf(stderr, "usage: vireo-serial-logger --control PATH --control-fd N [--pidfile PATH]\n"
                    "(started by vireod for the serial ports of its running domains; not run by hand)\n");
    exit(2);
}

static bool control_waiting(void)
{
    for (int k = 0; k < MAX_CONTROL; k++)
        if (control[k] >= 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"control", required_argument, NULL, 'c'},
        {"control-fd", required_argument, NULL, 'f'},
        {"pidfile", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    int control_fd = -1, opt;
    const char *pidfile = NULL;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': break; /* the socket's path: in argv for ps and the daemon's check */
        case 'f': control_fd = fd_arg("control-fd", optarg); break;
        case 'p': pidfile = optarg; break;
        default: usage();
        }
    }
    if (control_fd < 0 || optind != argc)
        usage();
    for (int k = 0; k < MAX_CONTROL; k++)
        control[k] = -1;
    /* Where a restarted daemon finds it (it checks the argv too). */
    int pf = pidfile ? open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (pidfile && (pf < 0 || dprintf(pf, "%d\n", (int)getpid()) < 0))
        say(NULL, "cannot write its pidfile %s: %s", pidfile, strerror(errno));
    if (pf >= 0)
        close(pf);

    /* SIGTERM and SIGINT end it through the loop (the sockets drained
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
        say(NULL, "signalfd: %s", strerror(errno));
        return 1;
    }
    if (fcntl(control_fd, F_SETFL, fcntl(control_fd, F_GETFL) | O_NONBLOCK) < 0) {
        say(NULL, "the control socket it was given is not open: %s", strerror(errno));
        return 1;
    }

    bool running = true;
    struct pollfd *p = NULL;
    long *which = NULL; /* what p[k] is: see below */
    while (running) {
        /* Idle (no domain, no message waiting): a while longer, then the end. */
        int timeout = n_domains || control_waiting() ? -1 : LINGER_MS;
        size_t cap = 2 + MAX_CONTROL + n_domains * (2 + MAX_CLIENTS), n = 0;
        struct pollfd *np = realloc(p, cap * sizeof(*p));
        long *nw = realloc(which, cap * sizeof(*which));
        if (np)
            p = np;
        if (nw)
            which = nw;
        if (!np || !nw) {
            say(NULL, "out of memory");
            break;
        }
        /* which: -1 control socket, -2 signals, -3-k control connection k,
         * i*(2+MAX_CLIENTS) + 0 serial, +1 listen, +2+c client c of domain i. */
        p[n] = (struct pollfd){.fd = control_fd, .events = POLLIN};
        which[n++] = -1;
        p[n] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
        which[n++] = -2;
        for (int k = 0; k < MAX_CONTROL; k++)
            if (control[k] >= 0) {
                p[n] = (struct pollfd){.fd = control[k], .events = POLLIN};
                which[n++] = -3 - k;
            }
        for (size_t i = 0; i < n_domains; i++) {
            domain *d = domains[i];
            long base = (long)i * (2 + MAX_CLIENTS);
            p[n] = (struct pollfd){.fd = d->serial_fd, .events = POLLIN | (d->input.len ? POLLOUT : 0)};
            which[n++] = base;
            p[n] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
            which[n++] = base + 1;
            for (int c = 0; c < MAX_CLIENTS; c++) {
                if (d->clients[c].fd < 0)
                    continue;
                short ev = (d->input.len < INPUT_MAX_PENDING ? POLLIN : 0) |
                           (d->clients[c].out.len ? POLLOUT : 0);
                p[n] = (struct pollfd){.fd = d->clients[c].fd, .events = ev};
                which[n++] = base + 2 + c;
            }
        }
        int r = poll(p, (nfds_t)n, timeout);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            say(NULL, "poll: %s", strerror(errno));
            break;
        }
        if (r == 0)
            break; /* idle for LINGER_MS: a next start makes a new one */
        /* Domains that end are marked and removed after the pass, and
         * control messages (which add and end domains) read after that,
         * so that the indexes in `which` hold during the pass. */
        bool *ending = calloc(n_domains + 1, sizeof(bool));
        if (!ending) {
            say(NULL, "out of memory");
            break;
        }
        bool accept_more = false, read_more[MAX_CONTROL] = {false};
        for (size_t k = 0; k < n; k++) {
            short re = p[k].revents;
            long w = which[k];
            if (!re)
                continue;
            if (w == -1) {
                accept_more = true;
            } else if (w == -2) {
                running = false;
            } else if (w <= -3) {
                read_more[-3 - w] = true;
            } else {
                size_t i = (size_t)w / (2 + MAX_CLIENTS);
                long slot = w % (2 + MAX_CLIENTS);
                domain *d = domains[i];
                if (ending[i])
                    continue;
                if (slot == 0) {
                    if ((re & (POLLIN | POLLHUP | POLLERR)) && !read_serial(d, READ_BUDGET))
                        ending[i] = true; /* QEMU is gone */
                    else if ((re & POLLOUT) && !buf_flush(&d->input, d->serial_fd))
                        ending[i] = true;
                } else if (slot == 1) {
                    accept_client(d);
                } else {
                    client *c = &d->clients[slot - 2];
                    if (c->fd < 0)
                        continue;
                    if (re & (POLLIN | POLLHUP | POLLERR))
                        read_client(d, c);
                    if (c->fd >= 0 && (re & POLLOUT) && !buf_flush(&c->out, c->fd))
                        drop_client(d, c, NULL);
                }
            }
        }
        /* Highest first: domain_end moves the last domain into the gap. */
        for (size_t i = n_domains; i-- > 0;)
            if (ending[i])
                domain_end(i);
        free(ending);
        for (int k = 0; k < MAX_CONTROL; k++)
            if (read_more[k] && control[k] >= 0)
                read_control(k);
        if (accept_more)
            accept_control(control_fd);
    }
    /* SIGTERM (or the end of the idle wait): every domain's output that
     * QEMU left is logged. */
    while (n_domains)
        domain_end(n_domains - 1);
    free(domains);
    free(p);
    free(which);
    return 0;
}
