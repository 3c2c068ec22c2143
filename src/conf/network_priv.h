/* Internals shared by the steps of network parsing (parse, validate,
 * complete) and by net-update. Not for drivers. */
#pragma once
#include <libxml/tree.h>

#include "conf/network_conf.h"
#include "conf/xml_util.h"

#define VR_NET_DOC "docs/xml-network.md"

#define NET_ATTRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NET_NO_ATTRS ((const char *const[]){NULL})

/* Indexed by vr_net_forward; index 0 (isolated) has no mode name. */
extern const char *const vr_net_forward_names[];

/* What validation needs to know about the document beyond the
 * definition itself: the elements (for their lines) and which of the
 * optional attributes were written. Lives as long as the document. */
typedef struct {
    vr_network_def *def;
    char **err;
    const xmlNode *root, *forward, *bridge, *mtu, *mac, *domain, *dns, *ip;
    const xmlNode *ip6, *nat;    /* <ip family='ipv6'>, <forward><nat> */
    bool stp_given, delay_given; /* on <bridge> */
    bool netmask_given;          /* <ip netmask=> rather than prefix= */
} vr_net_parse_state;

/* Step 1 (network_parse.c): the XML tree into st->def, each element and
 * attribute checked on its own. */
int vr_network_parse_tree(vr_net_parse_state *st);

/* Step 2 (network_validate.c): checks across elements. */
int vr_network_validate(const vr_net_parse_state *st);
/* Its part for macvtap networks and device pools (network_forward.c). */
int vr_net_check_macvtap(const vr_net_parse_state *st);
int vr_net_check_forward_pool(const vr_net_parse_state *st);

/* IPv6 (network_ip6.c): one <ip family='ipv6'>, its checks against
 * itself and the rest, written back; freed. */
int vr_net_parse_ip6(vr_net_parse_state *st, const xmlNode *n);
int vr_net_validate_ip6(const vr_net_parse_state *st);
void vr_net_format_ip6(xmlNode *root, const vr_net_ip6 *ip6);
void vr_net_ip6_clear(vr_net_ip6 *ip6);

/* <dns> beyond its hosts (network_dns.c): its attributes, one child
 * (<forwarder>, <srv>, <txt>; returns 0 when `n` is none of them), the
 * checks, written back into `dns` (created on demand), freed. */
int vr_net_parse_dns_attrs(vr_net_parse_state *st, const xmlNode *n);
int vr_net_parse_dns_child(vr_net_parse_state *st, const xmlNode *n, bool *taken);
int vr_net_validate_dns(const vr_net_parse_state *st);
bool vr_net_dns_has_content(const vr_network_def *def);
void vr_net_format_dns(xmlNode *dns, const vr_network_def *def);
void vr_net_dns_clear(vr_net_dns *dns);

/* network_parse.c's element checks, for the files above. */
int vr_net_check_leaf(const xmlNode *n, const char *const *allowed, char **err);
int vr_net_check_parent(const xmlNode *n, const char *const *allowed, char **err);
int vr_net_unsupported(const xmlNode *n, char **err);
int vr_net_missing(const xmlNode *n, const char *attr, char **err);
int vr_net_attr_dns_name(const xmlNode *n, const char *attr, char **out, char **err);

/* One <dhcp><host/> element; shared with net-update. `need_ip` is false
 * for a delete, which matches by MAC or name. *have_ip says whether
 * ip= was given. */
int vr_net_parse_dhcp_host(const xmlNode *n, bool need_ip, vr_net_dhcp_host *h, bool *have_ip,
                           char **err);

/* Is `h` (not yet in the list) acceptable next to `others` in `ip`:
 * inside the subnet, not the host's own address, no MAC, name or IP
 * already used. `update` words the duplicate message for net-update
 * (the other host's line means nothing there). */
int vr_net_check_dhcp_host(const vr_network_def *def, const vr_net_dhcp_host *h,
                           const vr_net_dhcp_host *others, size_t n_others, bool update,
                           char **err);

/* Names: networks follow the one name rule (conf/names.h); interfaces
 * (bridges, forward devices) are what the kernel accepts; host and
 * domain names are DNS names, which also keeps them safe in dnsmasq's
 * files. */
bool vr_net_valid_ifname(const char *s);
bool vr_net_valid_dns_name(const char *s);

/* An IPv6 address attribute: 1 / 0 (absent) / -1. */
int vr_net_attr_ipv6(const xmlNode *n, const char *attr, struct in6_addr *out, char **err);
const char *vr_net_ipv6_str(const struct in6_addr *a, char buf[]);

/* Dotted-quad IPv4 only (inet_pton: no octal, no short forms). */
bool vr_net_parse_ipv4(const char *s, struct in_addr *out);
/* "192.168.122.1" into a caller's buffer of INET_ADDRSTRLEN. */
const char *vr_net_ipv4_str(struct in_addr a, char buf[]);

void vr_net_dhcp_host_clear(vr_net_dhcp_host *h);

/* "line N: message" when line > 0, else the message. Returns -1. */
#define vr_net_error vr_xml_line_error

/* Append a zeroed element to a (pointer, count) array; returns it. */
#define VR_NET_PUSH(arr, n) \
    ((arr) = vr_realloc((arr), ((n) + 1) * sizeof(*(arr))), \
     memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])
