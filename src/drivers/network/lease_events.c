/* Live DHCP leases: the hook dnsmasq runs, and the daemon's socket that
 * hears it (see lease_events.h). One datagram per change, fields split
 * by tabs: NETWORK ACTION MAC-OR-DUID IP HOSTNAME. Nothing in it is
 * trusted: the daemon checks every field before it becomes an event. */
#include "drivers/network/lease_events.h"
#include "drivers/network/dnsmasq.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct vr_lease_events {
    int fd;
    struct event *ev;
    char *path;
    vr_lease_event_fn fn;
    void *opaque;
};

static bool unix_addr(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa->sun_path))
        return false;
    strcpy(sa->sun_path, path);
    return true;
}

/* ---- the hook (a process of its own, started by dnsmasq) ------------------------ */

int vr_lease_hook_main(int argc, char **argv)
{
    /* SOCKET NETWORK ACTION MAC IP [HOSTNAME] */
    if (argc < 5)
        return 0;
    const char *sock = argv[0], *net = argv[1], *action = argv[2], *mac = argv[3], *ip = argv[4];
    const char *host = argc > 5 ? argv[5] : "";
    /* For DHCPv6 dnsmasq gives the DUID as the second argument and the
     * MAC, when it knows it, in the environment. */
    const char *env_mac = getenv("DNSMASQ_MAC");
    if (env_mac && *env_mac)
        mac = env_mac;
    char msg[1024];
    int len = snprintf(msg, sizeof(msg), "%s\t%s\t%s\t%s\t%s", net, action, mac, ip, host);
    struct sockaddr_un sa;
    if (len <= 0 || (size_t)len >= sizeof(msg) || !unix_addr(sock, &sa))
        return 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        /* The daemon may be away (restarting): the lease file has it. */
        (void)sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&sa, sizeof(sa));
        close(fd);
    }
    return 0;
}

/* ---- the daemon's side ------------------------------------------------------------ */

static const char *kind_of(const char *action)
{
    if (strcmp(action, "add") == 0)
        return "added";
    if (strcmp(action, "old") == 0)
        return "renewed";
    if (strcmp(action, "del") == 0)
        return "released";
    return NULL; /* "tftp", "init": no lease change */
}

static bool is_mac(const char *s)
{
    unsigned v[6];
    int used = 0;
    return strlen(s) == 17 && sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3],
                                     &v[4], &v[5], &used) == 6 && used == 17;
}

static bool printable_name(const char *s)
{
    for (; *s; s++)
        if (*s <= ' ' || *s > '~')
            return false;
    return true;
}

static void handle(vr_lease_events *le, char *msg)
{
    char *f[5] = {0};
    size_t n = 0;
    /* strsep keeps empty fields (no hostname). */
    for (char *p = msg; n < 5 && (f[n] = strsep(&p, "\t")) != NULL; n++)
        ;
    if (n < 5)
        return;
    const char *kind = kind_of(f[1]);
    struct in6_addr any;
    bool v6 = inet_pton(AF_INET6, f[3], &any) == 1;
    if (!kind || (!v6 && inet_pton(AF_INET, f[3], &any) != 1) || !printable_name(f[0]) ||
        !printable_name(f[4]) || strlen(f[4]) > 255)
        return;
    char mac[18] = "";
    if (is_mac(f[2]))
        snprintf(mac, sizeof(mac), "%s", f[2]);
    else if (v6)
        vr_duid_mac(f[2], mac);
    le->fn(f[0], kind, mac, f[3], f[4], le->opaque);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    vr_lease_events *le = arg;
    char buf[1024];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
        buf[n] = '\0';
        handle(le, buf);
    }
}

vr_lease_events *vr_lease_events_open(struct event_base *base, const char *path,
                                      vr_lease_event_fn fn, void *opaque, char **err)
{
    struct sockaddr_un sa;
    if (!unix_addr(path, &sa)) {
        vr_set_error(err, "socket path %s is too long", path);
        return NULL;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        vr_set_error(err, "socket: %s", strerror(errno));
        return NULL;
    }
    unlink(path); /* a previous daemon's */
    mode_t old = umask(0077);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0) {
        vr_set_error(err, "cannot bind %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    vr_lease_events *le = vr_calloc(1, sizeof(*le));
    le->fd = fd;
    le->path = vr_strdup(path);
    le->fn = fn;
    le->opaque = opaque;
    le->ev = event_new(base, fd, EV_READ | EV_PERSIST, on_readable, le);
    event_add(le->ev, NULL);
    return le;
}

void vr_lease_events_close(vr_lease_events *le)
{
    if (!le)
        return;
    event_free(le->ev);
    close(le->fd);
    unlink(le->path);
    free(le->path);
    free(le);
}
