/* Virtual network definitions: the supported subset of libvirt's network
 * XML, parsed, validated, completed and written back (docs/xml-network.md).
 *
 * After vr_network_def_parse() a definition is complete: uuid, bridge
 * name (when the caller gives a generator), MAC of the bridge are set, so
 * `net-dumpxml` shows what will run. Anything outside the subset is
 * refused with one line naming the element and its line. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include "conf/mac.h"
#include "conf/uuid.h"

typedef enum {
    VR_NET_FWD_NONE,   /* isolated: guests and host only */
    VR_NET_FWD_NAT,    /* masquerade to the outside */
    VR_NET_FWD_ROUTE,  /* routed, no NAT */
    VR_NET_FWD_OPEN,   /* routed, no firewall rules at all */
    VR_NET_FWD_BRIDGE, /* guests join an existing host bridge (or, with a device pool and
                          no <bridge>, a host NIC through macvtap); no IP, no DHCP */
    VR_NET_FWD_VEPA,        /* macvtap on a host NIC from the pool (network_forward.c) */
    VR_NET_FWD_PRIVATE,
    VR_NET_FWD_PASSTHROUGH,
} vr_net_forward;

typedef struct {
    char mac[VR_MAC_STRLEN]; /* "" when matched by name only */
    char *name;              /* hostname, or NULL */
    struct in_addr ip;
    long line;
} vr_net_dhcp_host;

typedef struct {
    struct in_addr start, end;
    long line;
} vr_net_dhcp_range;

typedef struct {
    struct in_addr ip;
    char **hostnames;        /* at least one */
    size_t n_hostnames;
    long line;
    bool v6;                 /* ip= is IPv6: ip6 holds it, ip is unused */
    struct in6_addr ip6;
} vr_net_dns_host;

/* IPv6 (network_ip6.c): <ip family='ipv6'> with DHCPv6. */
typedef struct {
    struct in6_addr start, end;
    long line;
} vr_net_dhcp6_range;

typedef struct {
    char *id;                /* DUID as dnsmasq writes it (hex pairs with ':'), or NULL */
    char *name;              /* hostname, or NULL; one of id and name is set */
    struct in6_addr ip;
    long line;
} vr_net_dhcp6_host;

typedef struct {
    bool present;
    struct in6_addr address; /* the host's address on the bridge */
    unsigned prefix;
    vr_net_dhcp6_range *ranges;
    size_t n_ranges;
    vr_net_dhcp6_host *hosts;
    size_t n_hosts;
    long line;
} vr_net_ip6;

/* <dns> beyond its hosts (network_dns.c). */
typedef struct {
    char *addr;              /* upstream server, or NULL: names of `domain` stay local */
    char *domain;            /* only names under it, or NULL: every name */
    long line;
} vr_net_dns_forwarder;

typedef struct {
    char *service, *protocol; /* _service._protocol */
    char *domain, *target;    /* NULL: the network's domain / no target */
    unsigned port, priority, weight;
    long line;
} vr_net_dns_srv;

typedef struct {
    char *name, *value;
    long line;
} vr_net_dns_txt;

typedef enum { VR_NET_TRI_DEFAULT, VR_NET_TRI_YES, VR_NET_TRI_NO } vr_net_tristate;

typedef struct {
    bool disabled;                       /* <dns enable='no'>: no DNS, DHCP kept */
    vr_net_tristate forward_plain_names; /* <dns forwardPlainNames=...> */
    vr_net_dns_forwarder *forwarders;
    size_t n_forwarders;
    vr_net_dns_srv *srvs;
    size_t n_srvs;
    vr_net_dns_txt *txts;
    size_t n_txts;
} vr_net_dns;

/* One IPv4 <ip> element (IPv6 is vr_net_ip6). */
typedef struct {
    bool present;
    struct in_addr address;  /* the host's address on the bridge */
    unsigned prefix;         /* from prefix= or netmask= */
    vr_net_dhcp_range *ranges;
    size_t n_ranges;
    vr_net_dhcp_host *hosts;
    size_t n_hosts;
    long line;
} vr_net_ip;

typedef struct {
    char *name;
    char uuid[VR_UUID_STRLEN];
    vr_net_forward forward;
    char *forward_dev;       /* <forward dev=...>: the outgoing interface, or NULL */
    char **forward_ifs;      /* every <forward><interface dev=...>, forward_dev first: the
                                macvtap device pool (at most one for nat/route) */
    size_t n_forward_ifs;
    char *bridge;            /* <bridge name=...>; generated (vireoN) when absent, except mode bridge where it is required */
    bool stp;                /* <bridge stp='on'|'off'>, default off (libvirt: on) */
    unsigned delay;          /* <bridge delay=...> seconds, default 0 */
    char mac[VR_MAC_STRLEN]; /* the bridge's MAC; generated when absent (not for mode bridge) */
    unsigned mtu;            /* <mtu size=...>; 0 = the kernel's default */
    char *domain;            /* <domain name=...>: DNS domain of the guests, or NULL */
    bool domain_local;       /* <domain localOnly='yes'> */
    vr_net_ip ip;            /* absent for mode bridge and macvtap; optional when isolated */
    vr_net_dns_host *dns_hosts;
    size_t n_dns_hosts;
    vr_net_ip6 ip6;          /* <ip family='ipv6'>, routed unless nat_ipv6 */
    bool nat_ipv6;           /* <forward mode='nat'><nat ipv6='yes'/> */
    vr_net_dns dns;          /* forwarders, SRV, TXT, enable, forwardPlainNames */
} vr_network_def;

/* Called during parse when the definition names no bridge (and the
 * mode is not bridge): returns a newly allocated name such as "vireo3".
 * NULL generator: the bridge stays NULL. */
typedef char *(*vr_net_bridge_namer)(void *opaque);

vr_network_def *vr_network_def_parse(const char *xml, size_t len, vr_net_bridge_namer namer,
                                     void *opaque, char **err);
char *vr_network_def_format(const vr_network_def *def);
void vr_network_def_free(vr_network_def *def);

const char *vr_net_forward_name(vr_net_forward f);

/* The network kinds beyond the forward mode (network_forward.c).
 * macvtap: guests attach to a host NIC of the pool through macvtap
 * devices (modes vepa, private, passthrough, and bridge without <bridge>). */
bool vr_net_is_macvtap(const vr_network_def *def);
/* The macvtap mode of a macvtap network (an int: vr_macvtap_mode). */
int vr_net_macvtap_mode(const vr_network_def *def);
/* Does the network make and own a bridge (every kind but mode bridge
 * and macvtap)? */
bool vr_net_owns_bridge(const vr_network_def *def);
/* Does it run dnsmasq (a bridge of its own with an <ip>)? */
bool vr_net_serves_dhcp(const vr_network_def *def);

/* The subnet helpers drivers and validation share. */
struct in_addr vr_net_prefix_mask(unsigned prefix);
bool vr_net_in_subnet(struct in_addr addr, struct in_addr net, unsigned prefix);
/* Do two subnets overlap? */
bool vr_net_subnets_overlap(struct in_addr a, unsigned pa, struct in_addr b, unsigned pb);

/* The same for IPv6 (network_ip6.c). */
bool vr_net_in_subnet6(const struct in6_addr *addr, const struct in6_addr *net, unsigned prefix);
bool vr_net_subnets_overlap6(const struct in6_addr *a, unsigned pa, const struct in6_addr *b,
                             unsigned pb);
/* "fd00:1::/64" of the def's IPv6 subnet, newly allocated. */
char *vr_net_ip6_subnet_str(const vr_net_ip6 *ip6);

/* Add or delete one <host mac= name= ip=/> in the definition's DHCP
 * (net-update ... ip-dhcp-host). `xml` is the <host> element alone.
 * add: refused if the MAC, name or IP is already used or the IP is
 * outside the subnet; delete: matched by MAC (or name when no MAC),
 * refused when absent. */
int vr_network_def_dhcp_host_add(vr_network_def *def, const char *xml, char **err);
int vr_network_def_dhcp_host_delete(vr_network_def *def, const char *xml, char **err);
