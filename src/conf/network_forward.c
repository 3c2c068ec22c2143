/* Network kinds that the forward mode alone does not name: macvtap
 * networks (a pool of host NICs in <forward>, no bridge), and which
 * kinds own a bridge or serve DHCP. Drivers ask these instead of
 * comparing forward modes themselves.
 *
 * libvirt's macvtap network: <forward mode='bridge|vepa|private|
 * passthrough'> with <interface dev=...> children and no <bridge>.
 * Each guest gets a macvtap device on one NIC of the pool; nothing on
 * the host is configured for the network itself, so the elements that
 * configure a host bridge or serve the guests (<ip>, <dns>, <domain>,
 * <mac>, <mtu>, <bridge>) are refused by name. */
#include "conf/network_priv.h"
#include "conf/macvtap_mode.h"
#include "conf/xml_util.h"

#include <string.h>

const char *const vr_macvtap_mode_names[] = {"vepa", "bridge", "private", "passthrough", NULL};

bool vr_net_is_macvtap(const vr_network_def *def)
{
    switch (def->forward) {
    case VR_NET_FWD_VEPA:
    case VR_NET_FWD_PRIVATE:
    case VR_NET_FWD_PASSTHROUGH:
        return true;
    case VR_NET_FWD_BRIDGE:
        return !def->bridge;
    default:
        return false;
    }
}

int vr_net_macvtap_mode(const vr_network_def *def)
{
    switch (def->forward) {
    case VR_NET_FWD_VEPA: return VR_MACVTAP_VEPA;
    case VR_NET_FWD_PRIVATE: return VR_MACVTAP_PRIVATE;
    case VR_NET_FWD_PASSTHROUGH: return VR_MACVTAP_PASSTHROUGH;
    default: return VR_MACVTAP_BRIDGE;
    }
}

bool vr_net_owns_bridge(const vr_network_def *def)
{
    return def->forward != VR_NET_FWD_BRIDGE && !vr_net_is_macvtap(def);
}

bool vr_net_serves_dhcp(const vr_network_def *def)
{
    return vr_net_owns_bridge(def) && (def->ip.present || def->ip6.present);
}

static int not_with_macvtap(const vr_net_parse_state *st, const xmlNode *n, const char *what,
                            const char *why)
{
    return vr_xml_error(n, st->err, "%s is not allowed in a macvtap network (<forward mode='%s'> "
                        "with <interface dev=...>): %s", what,
                        vr_net_forward_name(st->def->forward), why);
}

int vr_net_check_macvtap(const vr_net_parse_state *st)
{
    const vr_network_def *def = st->def;
    const char *mode = vr_net_forward_name(def->forward);
    if (def->n_forward_ifs == 0) {
        if (def->forward == VR_NET_FWD_BRIDGE)
            return vr_xml_error(st->forward, st->err, "<forward mode='bridge'> needs <bridge "
                                "name='...'> (a host bridge the guests join) or <interface "
                                "dev='...'> children (host NICs the guests reach through "
                                "macvtap)");
        return vr_xml_error(st->forward, st->err, "<forward mode='%s'> needs <interface "
                            "dev='...'> children (the host NICs the guests reach through "
                            "macvtap)", mode);
    }
    if (def->bridge)
        return vr_xml_error(st->bridge, st->err, "<bridge name='%s'> is not allowed with "
                            "<forward mode='%s'> (macvtap attaches guests to the NICs in "
                            "<forward>, not to a bridge)", def->bridge, mode);
    const char *why_host = "the guests use the host NIC as it is";
    if (st->mac)
        return not_with_macvtap(st, st->mac, "<mac>", why_host);
    if (st->mtu)
        return not_with_macvtap(st, st->mtu, "<mtu>", why_host);
    const char *why_lan = "the guests get addresses and names from the NIC's LAN";
    if (st->ip || st->ip6)
        return not_with_macvtap(st, st->ip ? st->ip : st->ip6, "<ip>", why_lan);
    if (st->dns)
        return not_with_macvtap(st, st->dns, "<dns>", why_lan);
    if (st->domain)
        return not_with_macvtap(st, st->domain, "<domain>", why_lan);
    return 0;
}

/* A pool of more than one device only makes sense for macvtap: NAT and
 * routing go out of one device. */
int vr_net_check_forward_pool(const vr_net_parse_state *st)
{
    const vr_network_def *def = st->def;
    if (def->n_forward_ifs <= 1 || vr_net_is_macvtap(def))
        return 0;
    return vr_xml_error(st->forward, st->err, "<forward mode='%s'> takes one <interface "
                        "dev='...'> (the outgoing device), not %zu; several are for macvtap "
                        "networks", vr_net_forward_name(def->forward), def->n_forward_ifs);
}
