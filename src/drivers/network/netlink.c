#include "drivers/network/netlink.h"
#include "conf/network_conf.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static struct nl_sock *sock_open(char **err)
{
    struct nl_sock *sk = nl_socket_alloc();
    if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
        vr_set_error(err, "cannot open a netlink socket (are you root?)");
        if (sk)
            nl_socket_free(sk);
        return NULL;
    }
    return sk;
}

struct nl_sock *vr_nl_socket(char **err)
{
    return sock_open(err);
}

bool vr_link_exists(const char *name)
{
    return if_nametoindex(name) != 0;
}

bool vr_link_is_bridge(const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
    return access(path, F_OK) == 0;
}

/* Bridge knobs that rtnetlink in libnl 3.7 does not carry: sysfs of the
 * current network namespace. */
static int bridge_sysfs_write(const char *br, const char *knob, unsigned value, char **err)
{
    char path[128], text[16];
    snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/%s", br, knob);
    int len = snprintf(text, sizeof(text), "%u\n", value);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, (size_t)len) != len) {
        vr_set_error(err, "cannot set %s of bridge %s to %u: %s", knob, br, value, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int bridge_sysfs_read(const char *br, const char *knob, unsigned *value)
{
    char path[128];
    snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/%s", br, knob);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int rc = fscanf(f, "%u", value) == 1 ? 0 : -1;
    fclose(f);
    return rc;
}

int vr_bridge_stp_get(const char *name, bool *stp, unsigned *delay_cs)
{
    unsigned state;
    if (bridge_sysfs_read(name, "stp_state", &state) < 0 || bridge_sysfs_read(name, "forward_delay", delay_cs) < 0)
        return -1;
    *stp = state != 0;
    return 0;
}

/* The forward delay first, while STP is still off: with STP on the
 * kernel refuses delays under its 2 s minimum (and clamps the delay it
 * has to that minimum when STP is switched on). Forward delay is in
 * centiseconds in sysfs. */
static int bridge_set_stp(const char *name, bool stp, unsigned delay, char **err)
{
    if (bridge_sysfs_write(name, "forward_delay", delay * 100, err) < 0)
        return -1;
    return stp ? bridge_sysfs_write(name, "stp_state", 1, err) : 0;
}

int vr_link_delete(const char *name, char **err)
{
    struct nl_sock *sk = sock_open(err);
    if (!sk)
        return -1;
    struct rtnl_link *link = rtnl_link_alloc();
    rtnl_link_set_name(link, name);
    int rc = rtnl_link_delete(sk, link);
    rtnl_link_put(link);
    nl_socket_free(sk);
    if (rc < 0 && rc != -NLE_NODEV && rc != -NLE_OBJ_NOTFOUND) {
        vr_set_error(err, "cannot delete %s: %s", name, nl_geterror(rc));
        return -1;
    }
    return 0;
}

static int set_up(struct nl_sock *sk, const char *name, const char *mac, unsigned mtu, char **err)
{
    struct rtnl_link *orig = NULL;
    int rc = rtnl_link_get_kernel(sk, 0, name, &orig);
    if (rc < 0) {
        vr_set_error(err, "cannot find %s: %s", name, nl_geterror(rc));
        return -1;
    }
    struct rtnl_link *change = rtnl_link_alloc();
    rtnl_link_set_flags(change, IFF_UP);
    if (mtu)
        rtnl_link_set_mtu(change, mtu);
    if (mac && *mac) {
        struct nl_addr *a = NULL;
        if (nl_addr_parse(mac, AF_LLC, &a) == 0) {
            rtnl_link_set_addr(change, a);
            nl_addr_put(a);
        }
    }
    rc = rtnl_link_change(sk, orig, change, 0);
    rtnl_link_put(change);
    rtnl_link_put(orig);
    if (rc < 0) {
        vr_set_error(err, "cannot bring %s up: %s", name, nl_geterror(rc));
        return -1;
    }
    return 0;
}

int vr_bridge_create(const char *name, const char *mac, unsigned mtu, bool stp, unsigned delay,
                     struct in_addr addr, unsigned prefix, char **err)
{
    struct nl_sock *sk = sock_open(err);
    if (!sk)
        return -1;
    int rc = rtnl_link_bridge_add(sk, name);
    if (rc < 0) {
        vr_set_error(err, "cannot create bridge %s: %s", name, nl_geterror(rc));
        nl_socket_free(sk);
        return -1;
    }
    if (bridge_set_stp(name, stp, delay, err) < 0)
        goto undo;
    if (prefix) {
        struct rtnl_addr *a = rtnl_addr_alloc();
        struct nl_addr *local = nl_addr_build(AF_INET, &addr, sizeof(addr));
        nl_addr_set_prefixlen(local, (int)prefix);
        rtnl_addr_set_ifindex(a, (int)if_nametoindex(name));
        rtnl_addr_set_local(a, local);
        struct in_addr mask = vr_net_prefix_mask(prefix);
        struct in_addr bcast = {.s_addr = addr.s_addr | ~mask.s_addr};
        struct nl_addr *b = nl_addr_build(AF_INET, &bcast, sizeof(bcast));
        rtnl_addr_set_broadcast(a, b);
        rc = rtnl_addr_add(sk, a, 0);
        nl_addr_put(b);
        nl_addr_put(local);
        rtnl_addr_put(a);
        if (rc < 0) {
            vr_set_error(err, "cannot give %s its address: %s", name, nl_geterror(rc));
            goto undo;
        }
    }
    if (set_up(sk, name, mac, mtu, err) < 0)
        goto undo;
    nl_socket_free(sk);
    return 0;
undo:
    nl_socket_free(sk);
    vr_link_delete(name, NULL);
    return -1;
}

int vr_link_enslave_up(const char *port, const char *bridge, char **err)
{
    struct nl_sock *sk = sock_open(err);
    if (!sk)
        return -1;
    int master = (int)if_nametoindex(bridge), slave = (int)if_nametoindex(port);
    int rc = master && slave ? rtnl_link_enslave_ifindex(sk, master, slave) : -NLE_NODEV;
    if (rc < 0) {
        vr_set_error(err, "cannot attach %s to bridge %s: %s", port, bridge, nl_geterror(rc));
        nl_socket_free(sk);
        return -1;
    }
    rc = set_up(sk, port, NULL, 0, err);
    nl_socket_free(sk);
    return rc;
}

typedef struct {
    struct in_addr net;
    unsigned prefix;
    bool hit;
} route_scan;

static void check_route(struct nl_object *obj, void *arg)
{
    route_scan *s = arg;
    struct rtnl_route *r = (struct rtnl_route *)obj;
    if (rtnl_route_get_table(r) != RT_TABLE_MAIN || rtnl_route_get_family(r) != AF_INET)
        return;
    struct nl_addr *dst = rtnl_route_get_dst(r);
    unsigned plen = dst ? nl_addr_get_prefixlen(dst) : 0;
    if (!dst || plen == 0)
        return; /* the default route covers everything; it is no LAN */
    struct in_addr d;
    memcpy(&d, nl_addr_get_binary_addr(dst), sizeof(d));
    if (vr_net_subnets_overlap(d, plen, s->net, s->prefix))
        s->hit = true;
}

bool vr_subnet_routed(struct in_addr net, unsigned prefix)
{
    struct nl_sock *sk = sock_open(NULL);
    if (!sk)
        return false;
    struct nl_cache *cache = NULL;
    route_scan s = {.net = net, .prefix = prefix};
    if (rtnl_route_alloc_cache(sk, AF_INET, 0, &cache) == 0) {
        nl_cache_foreach(cache, check_route, &s);
        nl_cache_free(cache);
    }
    nl_socket_free(sk);
    return s.hit;
}

/* ---- IPv6 address of a bridge, neighbours ---------------------------------------- */

int vr_link_add_addr6(const char *name, const struct in6_addr *addr, unsigned prefix, char **err)
{
    struct nl_sock *sk = sock_open(err);
    if (!sk)
        return -1;
    struct rtnl_addr *a = rtnl_addr_alloc();
    struct nl_addr *local = nl_addr_build(AF_INET6, addr, sizeof(*addr));
    nl_addr_set_prefixlen(local, (int)prefix);
    rtnl_addr_set_ifindex(a, (int)if_nametoindex(name));
    rtnl_addr_set_local(a, local);
    /* No duplicate address detection: the bridge is new and its subnet
     * ours, and dnsmasq can bind the address at once. */
    rtnl_addr_set_flags(a, IFA_F_NODAD);
    int rc = rtnl_addr_add(sk, a, 0);
    nl_addr_put(local);
    rtnl_addr_put(a);
    nl_socket_free(sk);
    if (rc < 0) {
        vr_set_error(err, "cannot give %s its IPv6 address: %s", name, nl_geterror(rc));
        return -1;
    }
    return 0;
}

typedef struct {
    int ifindex;
    const char *mac;
    vr_neighbour *list;
    size_t n;
} neigh_scan;

static void check_neigh(struct nl_object *obj, void *arg)
{
    neigh_scan *s = arg;
    struct rtnl_neigh *ne = (struct rtnl_neigh *)obj;
    struct nl_addr *ll = rtnl_neigh_get_lladdr(ne), *dst = rtnl_neigh_get_dst(ne);
    if (rtnl_neigh_get_ifindex(ne) != s->ifindex || !ll || !dst ||
        (rtnl_neigh_get_state(ne) & (NUD_FAILED | NUD_INCOMPLETE | NUD_NOARP)))
        return;
    char mac[32];
    nl_addr2str(ll, mac, sizeof(mac));
    int family = nl_addr_get_family(dst);
    if (strcasecmp(mac, s->mac) != 0 || (family != AF_INET && family != AF_INET6))
        return;
    /* Link-local addresses are no way to reach a guest from elsewhere. */
    if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)nl_addr_get_binary_addr(dst)))
        return;
    s->list = vr_realloc(s->list, (s->n + 1) * sizeof(*s->list));
    vr_neighbour *v = &s->list[s->n++];
    v->family = family;
    inet_ntop(family, nl_addr_get_binary_addr(dst), v->ip, sizeof(v->ip));
}

int vr_neighbours_of(const char *dev, const char *mac, vr_neighbour **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct nl_sock *sk = sock_open(NULL);
    if (!sk)
        return -1;
    struct nl_cache *cache = NULL;
    neigh_scan s = {.ifindex = (int)if_nametoindex(dev), .mac = mac};
    int rc = s.ifindex ? rtnl_neigh_alloc_cache(sk, &cache) : -NLE_NODEV;
    if (rc == 0) {
        nl_cache_foreach(cache, check_neigh, &s);
        nl_cache_free(cache);
    }
    nl_socket_free(sk);
    *out = s.list;
    *n = s.n;
    return rc == 0 ? 0 : -1;
}
