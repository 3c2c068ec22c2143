#include "drivers/network/macvtap.h"
#include "drivers/network/netlink.h"
#include "conf/macvtap_mode.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvtap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The link called `name`, or NULL. */
static struct rtnl_link *get_link(struct nl_sock *sk, const char *name)
{
    struct rtnl_link *link = NULL;
    return rtnl_link_get_kernel(sk, 0, name, &link) == 0 ? link : NULL;
}

int vr_macvtap_check_lower(const char *dev, const char *what, char **err)
{
    struct nl_sock *sk = vr_nl_socket(err);
    if (!sk)
        return -1;
    struct rtnl_link *link = get_link(sk, dev);
    int rc = 0;
    if (!link) {
        rc = -1;
        vr_set_error(err, "%s: device %s does not exist on this host (ip link shows the "
                     "devices)", what, dev);
    } else if (rtnl_link_get_master(link) > 0) {
        char master[IF_NAMESIZE] = "?";
        if_indextoname((unsigned)rtnl_link_get_master(link), master);
        rc = -1;
        vr_set_error(err, "%s: device %s is a port of bridge %s, so it cannot carry macvtap "
                     "devices; use the bridge instead (<forward mode='bridge'/><bridge "
                     "name='%s'/>) or take %s out of it", what, dev, master, master, dev);
    }
    if (link)
        rtnl_link_put(link);
    nl_socket_free(sk);
    return rc;
}

typedef struct {
    int lower;
    unsigned n;
} lower_count;

static void count_one(struct nl_object *obj, void *arg)
{
    lower_count *c = arg;
    struct rtnl_link *l = (struct rtnl_link *)obj;
    const char *kind = rtnl_link_get_type(l);
    if (kind && (strcmp(kind, "macvtap") == 0 || strcmp(kind, "macvlan") == 0) &&
        rtnl_link_get_link(l) == c->lower)
        c->n++;
}

unsigned vr_macvtap_count_on(const char *lower)
{
    lower_count c = {.lower = (int)if_nametoindex(lower)};
    if (c.lower == 0)
        return 0;
    struct nl_sock *sk = vr_nl_socket(NULL);
    if (!sk)
        return 0;
    struct nl_cache *cache = NULL;
    if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache) == 0) {
        nl_cache_foreach(cache, count_one, &c);
        nl_cache_free(cache);
    }
    nl_socket_free(sk);
    return c.n;
}

static const int kernel_modes[] = {
    [VR_MACVTAP_VEPA] = MACVLAN_MODE_VEPA,
    [VR_MACVTAP_BRIDGE] = MACVLAN_MODE_BRIDGE,
    [VR_MACVTAP_PRIVATE] = MACVLAN_MODE_PRIVATE,
    [VR_MACVTAP_PASSTHROUGH] = MACVLAN_MODE_PASSTHRU,
};

static int add_link(struct nl_sock *sk, const char *name, int lower, int mode, const char *mac)
{
    struct rtnl_link *link = rtnl_link_macvtap_alloc();
    if (!link)
        return -NLE_NOMEM;
    rtnl_link_set_name(link, name);
    rtnl_link_set_link(link, lower);
    rtnl_link_macvtap_set_mode(link, (uint32_t)kernel_modes[mode]);
    struct nl_addr *a = NULL;
    if (mac && nl_addr_parse(mac, AF_LLC, &a) == 0) {
        rtnl_link_set_addr(link, a);
        nl_addr_put(a);
    }
    rtnl_link_set_flags(link, IFF_UP);
    int rc = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(link);
    return rc;
}

/* Make the link: the wanted name, or the first free macvtapN (another
 * process may take a name between the look and the add: try the next). */
static char *make_link(struct nl_sock *sk, const char *want, const char *lower, int mode,
                       const char *mac, char **err)
{
    int lower_idx = (int)if_nametoindex(lower);
    if (!lower_idx) {
        vr_set_error(err, "device %s does not exist on this host", lower);
        return NULL;
    }
    for (unsigned n = 0; n < 4096; n++) {
        char *name = want ? vr_strdup(want) : vr_asprintf("macvtap%u", n);
        if (!want && vr_link_exists(name)) {
            free(name);
            continue;
        }
        int rc = add_link(sk, name, lower_idx, mode, mac);
        if (rc == 0)
            return name;
        if (rc == -NLE_EXIST && !want) {
            free(name);
            continue;
        }
        vr_set_error(err, "cannot create macvtap %s on %s (mode %s): %s", name, lower,
                     vr_macvtap_mode_names[mode], nl_geterror(rc));
        free(name);
        return NULL;
    }
    vr_set_error(err, "no free macvtap name on this host");
    return NULL;
}

/* /dev/tapN of the macvtap; udev makes it on most hosts, and where it
 * has not (containers, namespaces), a node of our own in node_dir that
 * lives only until it is open. */
static int open_node(const char *name, const char *node_dir, char **err)
{
    unsigned idx = if_nametoindex(name);
    char path[256], devno[32] = "";
    snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%u/dev", name, idx);
    FILE *f = fopen(path, "re");
    unsigned maj = 0, min = 0;
    bool ok = f && fgets(devno, sizeof(devno), f) && sscanf(devno, "%u:%u", &maj, &min) == 2;
    if (f)
        fclose(f);
    if (!ok) {
        vr_set_error(err, "cannot read the device number of macvtap %s (%s)", name, path);
        return -1;
    }
    dev_t want = makedev(maj, min);
    snprintf(path, sizeof(path), "/dev/tap%u", idx);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == want)
        return open(path, O_RDWR);
    snprintf(path, sizeof(path), "%s/tap%u", node_dir, idx);
    unlink(path);
    if (mknod(path, S_IFCHR | 0600, want) < 0) {
        vr_set_error(err, "cannot make the device node %s of macvtap %s: %s", path, name,
                     strerror(errno));
        return -1;
    }
    int fd = open(path, O_RDWR);
    int e = errno;
    unlink(path);
    errno = e;
    return fd;
}

/* virtio-net's header on the fd, as QEMU's own taps have it. */
static void vnet_hdr(int fd)
{
    struct ifreq ifr = {0};
    if (ioctl(fd, TUNGETIFF, &ifr) < 0)
        return;
    ifr.ifr_flags |= IFF_VNET_HDR;
    ioctl(fd, TUNSETIFF, &ifr);
}

int vr_macvtap_open(const char *want, const char *lower, int mode, const char *mac,
                    const char *node_dir, char **ifname, char **err)
{
    struct nl_sock *sk = vr_nl_socket(err);
    if (!sk)
        return -1;
    char *name = make_link(sk, want, lower, mode, mac, err);
    nl_socket_free(sk);
    if (!name)
        return -1;
    char *oerr = NULL;
    int fd = open_node(name, node_dir, &oerr);
    if (fd < 0) {
        if (oerr)
            vr_set_error(err, "%s", oerr);
        else
            vr_set_error(err, "cannot open the device of macvtap %s: %s", name, strerror(errno));
        free(oerr);
        vr_macvtap_delete(name);
        free(name);
        return -1;
    }
    vnet_hdr(fd);
    *ifname = name;
    return fd;
}

bool vr_macvtap_delete(const char *name)
{
    struct nl_sock *sk = vr_nl_socket(NULL);
    if (!sk)
        return false;
    struct rtnl_link *link = get_link(sk, name);
    bool deleted = false;
    if (link && rtnl_link_is_macvtap(link))
        deleted = rtnl_link_delete(sk, link) == 0;
    if (link)
        rtnl_link_put(link);
    nl_socket_free(sk);
    return deleted;
}
