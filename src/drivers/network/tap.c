#include "drivers/network/tap.h"
#include "drivers/network/netlink.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void set_mac(const char *ifname, const char *guest_mac)
{
    unsigned m[6];
    if (!guest_mac || sscanf(guest_mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
        return;
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
    ifr.ifr_hwaddr.sa_data[0] = (char)0xfe;
    for (int i = 1; i < 6; i++)
        ifr.ifr_hwaddr.sa_data[i] = (char)m[i];
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0) {
        ioctl(s, SIOCSIFHWADDR, &ifr);
        close(s);
    }
}

int vr_tap_open(const char *pattern, const char *guest_mac, const char *bridge, char **ifname,
                char **err)
{
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
        vr_set_error(err, "cannot open /dev/net/tun: %s (modprobe tun; vireo host-validate checks it)",
                     strerror(errno));
        return -1;
    }
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", pattern);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        vr_set_error(err, "cannot create a tap (%s): %s", pattern, strerror(errno));
        close(fd);
        return -1;
    }
    set_mac(ifr.ifr_name, guest_mac);
    if (vr_link_enslave_up(ifr.ifr_name, bridge, err) < 0) {
        close(fd); /* the tap goes with its last fd */
        return -1;
    }
    *ifname = vr_strdup(ifr.ifr_name);
    return fd;
}
