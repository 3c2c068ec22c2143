/* Virtual networks: kept in the definition store (src/registry), start
 * and stop, the default network, dnsmasq supervision and taps for guests. */
#include "drivers/network/network_driver.h"
#include "conf/macvtap_mode.h"
#include "drivers/network/macvtap.h"
#include "drivers/network/netlink.h"
#include "drivers/network/dnsmasq_v6dns.h"
#include "drivers/network/lease_events.h"
#include "drivers/network/nft.h"
#include "drivers/network/tap.h"
#include "drivers/network/bandwidth.h"
#include "host/firewall.h"
#include "common/process.h"
#include "common/file.h"
#include "conf/stored_form.h"
#include "common/log.h"
#include "common/util.h"
#include "registry/registry.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct vr_net_driver {
    vr_net_config cfg;
    vr_registry *reg; /* every network, persistent or not; CONFIG/network */
    char *runtime_dir, *lease_dir;
    vr_lease_events *lease_events; /* what dnsmasq's lease hook tells */
};

static void emit(vr_network *net, const char *event, const char *detail)
{
    if (net->drv->cfg.on_event)
        net->drv->cfg.on_event(net, event, detail, net->drv->cfg.opaque);
}

static char *lease_path(const vr_net_driver *drv, const vr_network_def *def)
{
    return vr_asprintf("%s/%s.leases", drv->lease_dir, def->bridge);
}

vr_network *const *vr_net_list(vr_net_driver *drv, size_t *n)
{
    return (vr_network *const *)vr_registry_list(drv->reg, n);
}

vr_network *vr_net_lookup(vr_net_driver *drv, const char *key)
{
    return vr_registry_lookup(drv->reg, key);
}

static vr_network *new_network(vr_net_driver *drv, vr_network_def *def, bool persistent)
{
    vr_network *net = vr_calloc(1, sizeof(*net));
    net->drv = drv;
    net->def = def;
    net->persistent = persistent;
    return net;
}

static void net_free(vr_network *net)
{
    vr_pidwatch_free(net->dnsmasq_watch);
    vr_network_def_free(net->def);
    vr_network_def_free(net->next);
    free(net->run_dir);
    free(net->warning);
    free(net);
}

static void remove_net(vr_net_driver *drv, vr_network *net)
{
    vr_registry_remove(drv->reg, net->def->name);
    net_free(net);
}

/* Bridge names: vireoN, the smallest N no network and no link uses. */
static char *name_bridge(void *opaque)
{
    vr_net_driver *drv = opaque;
    for (unsigned n = 0;; n++) {
        char *name = vr_asprintf("vireo%u", n);
        bool used = vr_link_exists(name);
        size_t n_nets;
        vr_network *const *nets = vr_net_list(drv, &n_nets);
        for (size_t i = 0; i < n_nets && !used; i++)
            used = nets[i]->def->bridge && strcmp(nets[i]->def->bridge, name) == 0;
        if (!used)
            return name;
        free(name);
    }
}

static bool clash6(const vr_network_def *def, const vr_network_def *o, char **err)
{
    if (!def->ip6.present || !o->ip6.present ||
        !vr_net_subnets_overlap6(&def->ip6.address, def->ip6.prefix, &o->ip6.address, o->ip6.prefix))
        return false;
    char *theirs = vr_net_ip6_subnet_str(&o->ip6);
    vr_set_error(err, "the IPv6 subnet of network '%s' overlaps network '%s' (%s); pick another prefix",
                 def->name, o->name, theirs);
    free(theirs);
    return true;
}

/* Another network (defined, persistent or not) with an overlapping subnet
 * or the same bridge? */
static vr_err clash(vr_net_driver *drv, const vr_network_def *def, const vr_network *self, char **err)
{
    size_t n;
    vr_network *const *nets = vr_net_list(drv, &n);
    for (size_t i = 0; i < n; i++) {
        const vr_network *o = nets[i];
        if (o == self)
            continue;
        if (def->bridge && o->def->bridge && strcmp(def->bridge, o->def->bridge) == 0) {
            vr_set_error(err, "bridge %s is already used by network '%s'", def->bridge, o->def->name);
            return VR_ERR_CONFLICT;
        }
        if (def->ip.present && o->def->ip.present &&
            vr_net_subnets_overlap(def->ip.address, def->ip.prefix, o->def->ip.address, o->def->ip.prefix)) {
            char a[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &o->def->ip.address, a, sizeof(a));
            vr_set_error(err, "the subnet of network '%s' overlaps network '%s' (%s/%u); pick another address",
                         def->name, o->def->name, a, o->def->ip.prefix);
            return VR_ERR_CONFLICT;
        }
        if (clash6(def, o->def, err))
            return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

static vr_err add(vr_net_driver *drv, const char *xml, bool persistent, vr_network **out, char **err)
{
    vr_network_def *def = vr_network_def_parse(xml, strlen(xml), name_bridge, drv, err);
    if (!def)
        return VR_ERR_INVALID;
    void *same = NULL;
    vr_err code = vr_registry_check(drv->reg, def, persistent, &same, err);
    vr_network *same_name = same;
    if (code == VR_OK && def->forward != VR_NET_FWD_BRIDGE)
        code = clash(drv, def, same_name, err);
    if (code == VR_OK && persistent)
        code = vr_registry_save(drv->reg, def, err);
    if (code != VR_OK) {
        vr_network_def_free(def);
        return code;
    }
    vr_network *net = same_name;
    if (net && net->active) {
        vr_network_def_free(net->next);
        net->next = def;
    } else if (net) {
        vr_network_def_free(net->def);
        net->def = def;
    } else {
        net = new_network(drv, def, persistent);
        vr_registry_add(drv->reg, net, def);
    }
    net->persistent |= persistent;
    if (persistent)
        emit(net, "defined", same_name ? "updated" : "added");
    *out = net;
    return VR_OK;
}

vr_err vr_net_define(vr_net_driver *drv, const char *xml, vr_network **out, char **err)
{
    return add(drv, xml, true, out, err);
}

vr_err vr_net_create(vr_net_driver *drv, const char *xml, vr_network **out, char **err)
{
    vr_err code = add(drv, xml, false, out, err);
    if (code != VR_OK)
        return code;
    code = vr_net_start(*out, err);
    if (code != VR_OK)
        remove_net(drv, *out);
    return code;
}

/* ---- start and stop ---- */

static void on_dnsmasq_exit(void *opaque);

static void watch_dnsmasq(vr_network *net)
{
    vr_pidwatch_free(net->dnsmasq_watch);
    net->dnsmasq_watch = net->dnsmasq > 0 ? vr_pidwatch_new(net->drv->cfg.base, net->dnsmasq, on_dnsmasq_exit, net) : NULL;
}

static void on_dnsmasq_exit(void *opaque)
{
    vr_network *net = opaque;
    if (!net->active)
        return;
    time_t now = time(NULL);
    if (now - net->restart_window > 60) {
        net->restart_window = now;
        net->restarts = 0;
    }
    if (++net->restarts > 5) {
        vr_log_error("network %s: dnsmasq keeps dying; giving up (see %s/dnsmasq.log)", net->def->name, net->run_dir);
        net->dnsmasq = 0;
        return;
    }
    char *err = NULL;
    vr_log_warn("network %s: dnsmasq (pid %d) exited; starting it again", net->def->name, (int)net->dnsmasq);
    net->dnsmasq = vr_dnsmasq_start(net->run_dir, &err);
    if (net->dnsmasq < 0) {
        vr_log_error("network %s: %s", net->def->name, err);
        net->dnsmasq = 0;
    }
    free(err);
    watch_dnsmasq(net);
}

static void enable_forwarding(bool ipv6)
{
    /* NAT and routing need it; it is per network namespace. */
    const char *knobs[] = {"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"};
    for (size_t i = 0; i < (ipv6 ? 2u : 1u); i++) {
        FILE *f = fopen(knobs[i], "we");
        if (f) {
            fputs("1\n", f);
            fclose(f);
        }
    }
}

/* Undo a start, in reverse: dnsmasq, rules, bridge, run directory. */
static void teardown(vr_network *net, bool bridge_ours)
{
    const vr_network_def *def = net->def;
    vr_pidwatch_free(net->dnsmasq_watch);
    net->dnsmasq_watch = NULL;
    if (net->dnsmasq > 0)
        kill(net->dnsmasq, SIGTERM);
    net->dnsmasq = 0;
    if (vr_net_owns_bridge(def)) {
        vr_nft_remove(def->bridge, NULL);
        vr_nft6_remove(def->bridge, NULL);
        if (bridge_ours)
            vr_link_delete(def->bridge, NULL);
    }
    if (net->run_dir) {
        DIR *d = opendir(net->run_dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char *p = vr_asprintf("%s/%s", net->run_dir, e->d_name);
            unlink(p);
            free(p);
        }
        if (d)
            closedir(d);
        rmdir(net->run_dir);
        free(net->run_dir);
        net->run_dir = NULL;
    }
    net->active = false;
}

/* Say when the kernel kept another forward delay than the one asked
 * (STP on: 2 s at the least), so that a slow first lease is explained. */
static void log_stp_kept(const vr_network_def *def)
{
    bool stp;
    unsigned cs;
    if (vr_bridge_stp_get(def->bridge, &stp, &cs) < 0)
        return;
    if (stp != def->stp || cs != def->delay * 100)
        vr_log_warn("network %s: bridge %s has STP %s and a forward delay of %u.%02u s (asked: STP %s, %u s); "
                    "new guests wait that long before their traffic flows",
                    def->name, def->bridge, stp ? "on" : "off", cs / 100, cs % 100, def->stp ? "on" : "off",
                    def->delay);
    else
        vr_log_info("network %s: bridge %s: STP %s, forward delay %u s", def->name, def->bridge,
                    stp ? "on" : "off", def->delay);
}

/* Networks on the host's own links (a host bridge; macvtap on host
 * NICs) make nothing: their run directory alone marks them active for a
 * restarted daemon. */
static vr_err mark_active(vr_network *net, char **err)
{
    const vr_network_def *def = net->def;
    net->run_dir = vr_asprintf("%s/%s", net->drv->runtime_dir, def->name);
    int rc = vr_mkdir_p(net->run_dir, 0755);
    if (rc < 0) {
        vr_set_error(err, "cannot create %s: %s", net->run_dir, strerror(-rc));
        teardown(net, false);
        return VR_ERR_FAILED;
    }
    net->active = true;
    vr_log_info("network %s: started (mode %s on the host's %s)", def->name, vr_net_forward_name(def->forward),
                def->bridge ? def->bridge : def->forward_dev);
    emit(net, "started", vr_net_forward_name(def->forward));
    return VR_OK;
}

/* A macvtap network's devices must be there and free to carry macvtaps. */
static vr_err start_macvtap(vr_network *net, char **err)
{
    const vr_network_def *def = net->def;
    for (size_t i = 0; i < def->n_forward_ifs; i++) {
        char *what = vr_asprintf("network '%s', <interface dev='%s'>", def->name, def->forward_ifs[i]);
        int rc = vr_macvtap_check_lower(def->forward_ifs[i], what, err);
        free(what);
        if (rc < 0)
            return VR_ERR_INVALID;
    }
    return mark_active(net, err);
}

vr_err vr_net_start(vr_network *net, char **err)
{
    vr_net_driver *drv = net->drv;
    vr_network_def *def = net->def;
    if (net->active) {
        vr_set_error(err, "network '%s' is already active", def->name);
        return VR_ERR_CONFLICT;
    }
    if (geteuid() != 0) {
        vr_set_error(err, "network '%s' needs root to make bridges; use vireo:///system", def->name);
        return VR_ERR_DENIED;
    }
    if (vr_net_is_macvtap(def))
        return start_macvtap(net, err);
    if (def->forward == VR_NET_FWD_BRIDGE) {
        if (!vr_link_is_bridge(def->bridge)) {
            vr_set_error(err, "network '%s' attaches guests to bridge %s, which %s on this host", def->name,
                         def->bridge, vr_link_exists(def->bridge) ? "is not a bridge" : "does not exist");
            return VR_ERR_INVALID;
        }
        return mark_active(net, err);
    }
    if (vr_link_exists(def->bridge)) {
        vr_set_error(err, "bridge %s already exists on this host; name another in <bridge name=...> "
                          "or leave the name out to get a free one", def->bridge);
        return VR_ERR_CONFLICT;
    }
    vr_err code = clash(drv, def, net, err);
    if (code != VR_OK)
        return code;
    net->run_dir = vr_asprintf("%s/%s", drv->runtime_dir, def->name);
    int rc = vr_mkdir_p(net->run_dir, 0755);
    if (rc < 0) {
        vr_set_error(err, "cannot create %s: %s", net->run_dir, strerror(-rc));
        teardown(net, false);
        return VR_ERR_FAILED;
    }
    if (vr_bridge_create(def->bridge, def->mac, def->mtu, def->stp, def->delay, def->ip.address,
                         def->ip.prefix, err) < 0) {
        teardown(net, false);
        return VR_ERR_FAILED;
    }
    log_stp_kept(def);
    if ((def->ip6.present && vr_link_add_addr6(def->bridge, &def->ip6.address, def->ip6.prefix, err) < 0) ||
        vr_nft_apply(def, err) < 0 || vr_nft6_apply(def, err) < 0) {
        teardown(net, true);
        return VR_ERR_FAILED;
    }
    if (def->forward == VR_NET_FWD_NAT || def->forward == VR_NET_FWD_ROUTE || def->forward == VR_NET_FWD_OPEN)
        enable_forwarding(def->ip6.present);
    /* Without <ip> the network is a plain switch: no DHCP, no DNS. */
    rc = 0;
    if (vr_net_serves_dhcp(def)) {
        char *leases = lease_path(drv, def);
        rc = vr_dnsmasq_write(def, net->run_dir, leases, err);
        free(leases);
        if (rc == 0)
            net->dnsmasq = vr_dnsmasq_start(net->run_dir, err);
    }
    if (rc < 0 || net->dnsmasq < 0) {
        net->dnsmasq = 0;
        teardown(net, true);
        return VR_ERR_FAILED;
    }
    net->active = true;
    net->restarts = 0;
    watch_dnsmasq(net);
    /* Traffic that leaves the host can still die in another firewall's
     * forward chain: say so once, with the fix; change nothing there. */
    free(net->warning);
    net->warning = NULL;
    if (def->forward == VR_NET_FWD_NAT || def->forward == VR_NET_FWD_ROUTE || def->forward == VR_NET_FWD_OPEN)
        net->warning = vr_fw_forward_warning(def->name, def->bridge);
    if (net->warning)
        vr_log_warn("%s", net->warning);
    vr_log_info("network %s: started on %s (dnsmasq pid %d)", def->name, def->bridge, (int)net->dnsmasq);
    emit(net, "started", vr_net_forward_name(def->forward));
    return VR_OK;
}

vr_err vr_net_destroy(vr_network *net, char **err)
{
    if (!net->active) {
        vr_set_error(err, "network '%s' is not active", net->def->name);
        return VR_ERR_CONFLICT;
    }
    char *users = net->drv->cfg.users ? net->drv->cfg.users(net->def->name, net->drv->cfg.opaque) : NULL;
    if (users) {
        vr_set_error(err, "network '%s' is in use by running domain(s) %s; shut them down first", net->def->name, users);
        free(users);
        return VR_ERR_CONFLICT;
    }
    teardown(net, true);
    emit(net, "stopped", "destroyed");
    if (net->next) {
        vr_network_def_free(net->def);
        net->def = net->next;
        net->next = NULL;
    }
    if (!net->persistent)
        remove_net(net->drv, net);
    return VR_OK;
}

vr_err vr_net_undefine(vr_network *net, char **err)
{
    vr_net_driver *drv = net->drv;
    if (!net->persistent) {
        vr_set_error(err, "network '%s' is transient; use net-destroy to end it", net->def->name);
        return VR_ERR_CONFLICT;
    }
    if (net->active) {
        char *users = drv->cfg.users ? drv->cfg.users(net->def->name, drv->cfg.opaque) : NULL;
        if (users) {
            vr_set_error(err, "network '%s' is in use by running domain(s) %s; shut them down first",
                         net->def->name, users);
            free(users);
            return VR_ERR_CONFLICT;
        }
    }
    if (vr_registry_delete(drv->reg, net->def->name, err) != VR_OK)
        return VR_ERR_FAILED;
    net->autostart = false;
    emit(net, "undefined", "removed");
    if (net->active)
        net->persistent = false; /* lives on until net-destroy, as in libvirt */
    else
        remove_net(drv, net);
    return VR_OK;
}

vr_err vr_net_set_autostart(vr_network *net, bool on, char **err)
{
    if (!net->persistent) {
        vr_set_error(err, "network '%s' is transient; define it to autostart it", net->def->name);
        return VR_ERR_CONFLICT;
    }
    vr_err code = vr_registry_set_autostart(net->drv->reg, net->def->name, on, err);
    if (code == VR_OK)
        net->autostart = on;
    return code;
}

vr_err vr_net_update_dhcp_host(vr_network *net, bool add_host, const char *xml, char **err)
{
    /* Change a copy, so a refused change leaves everything as it was. */
    char *text = vr_network_def_format(net->def);
    vr_network_def *copy = vr_network_def_parse(text, strlen(text), NULL, NULL, err);
    free(text);
    if (!copy)
        return VR_ERR_FAILED;
    int rc = add_host ? vr_network_def_dhcp_host_add(copy, xml, err) : vr_network_def_dhcp_host_delete(copy, xml, err);
    vr_err code = rc < 0 ? VR_ERR_INVALID : net->persistent ? vr_registry_save(net->drv->reg, copy, err) : VR_OK;
    if (code != VR_OK) {
        vr_network_def_free(copy);
        return code;
    }
    vr_network_def_free(net->def);
    net->def = copy;
    if (net->active && net->run_dir) {
        if (vr_dnsmasq_write_hosts(copy, net->run_dir, err) < 0)
            return VR_ERR_FAILED;
        if (net->dnsmasq > 0)
            kill(net->dnsmasq, SIGHUP); /* dnsmasq rereads dhcp-hostsfile */
    }
    return VR_OK;
}

bool vr_net_stp_in_force(const vr_network *net, bool *stp, unsigned *delay_cs)
{
    if (net->active)
        return net->def->bridge && vr_bridge_stp_get(net->def->bridge, stp, delay_cs) == 0;
    if (!vr_net_owns_bridge(net->def))
        return false; /* the host's bridge or NICs: not Vireo's to set */
    *stp = net->def->stp;
    *delay_cs = net->def->delay * 100;
    return true;
}

/* The live XML says what the kernel keeps (with STP on, at least a 2 s
 * delay); --inactive says what was asked. */
char *vr_net_xml(const vr_network *net, bool inactive)
{
    if (inactive)
        return vr_network_def_format(net->next ? net->next : net->def);
    vr_network_def live = *net->def;
    bool stp;
    unsigned delay_cs;
    if (net->active && vr_net_owns_bridge(&live) && vr_net_stp_in_force(net, &stp, &delay_cs)) {
        live.stp = stp;
        live.delay = (delay_cs + 99) / 100;
    }
    return vr_network_def_format(&live);
}

int vr_net_leases(const vr_network *net, vr_lease **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!vr_net_serves_dhcp(net->def))
        return 0;
    char *path = lease_path(net->drv, net->def);
    int rc = vr_leases_read(path, out, n);
    free(path);
    /* Expired leases are history, not addresses. */
    time_t now = time(NULL);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if ((*out)[i].expiry != 0 && (*out)[i].expiry < now) {
            free((*out)[i].hostname);
            free((*out)[i].client_id);
            continue;
        }
        (*out)[i].prefix = (*out)[i].family == 6 ? net->def->ip6.prefix : net->def->ip.prefix;
        (*out)[k++] = (*out)[i];
    }
    *n = k;
    return rc;
}

int vr_net_neighbours(const vr_network *net, const char *mac, vr_neighbour **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!net->active || !net->def->bridge)
        return 0;
    return vr_neighbours_of(net->def->bridge, mac, out, n);
}

/* The device of a macvtap network's pool for one more guest: in
 * passthrough mode one that no guest uses, else the least used. */
static const char *pick_device(const vr_network_def *def, char **err)
{
    bool passthrough = vr_net_macvtap_mode(def) == VR_MACVTAP_PASSTHROUGH;
    const char *best = NULL;
    unsigned best_n = UINT_MAX;
    for (size_t i = 0; i < def->n_forward_ifs; i++) {
        unsigned n = vr_macvtap_count_on(def->forward_ifs[i]);
        if ((passthrough && n) || n >= best_n)
            continue;
        best = def->forward_ifs[i];
        best_n = n;
    }
    if (!best)
        vr_set_error(err, "network '%s': all %zu devices of <forward mode='passthrough'> are in use "
                     "(each serves one guest); stop a guest on it or add an <interface dev='...'>",
                     def->name, def->n_forward_ifs);
    return best;
}

/* A macvtap on host NIC `dev` for a guest interface; `what` names where
 * the device came from in messages. */
static int macvtap_for(vr_net_driver *drv, const vr_interface_def *ifc, const char *dev, int mode,
                       const char *what, char **ifname, char **err)
{
    if (geteuid() != 0) {
        vr_set_error(err, "%s: macvtap devices need root; use vireo:///system", what);
        return -1;
    }
    if (vr_macvtap_check_lower(dev, what, err) < 0)
        return -1;
    const char *want = ifc->target_dev && *ifc->target_dev ? ifc->target_dev : NULL;
    if (want && vr_link_exists(want)) {
        vr_set_error(err, "interface %s (<target dev>) already exists", want);
        return -1;
    }
    return vr_macvtap_open(want, dev, mode, ifc->mac, drv->runtime_dir, ifname, err);
}

bool vr_net_release(const char *ifname)
{
    return vr_macvtap_delete(ifname);
}

/* The network an interface names, started if it is autostarted; NULL
 * with *err when it is not defined or not active. */
static vr_network *usable_network(vr_net_driver *drv, const char *name, char **err)
{
    vr_network *net = vr_net_lookup(drv, name);
    if (!net) {
        /* Cockpit's and virt-install's new VMs use 'default' unasked. */
        vr_set_error(err, "network '%s' is not defined%s: define and start it (vireo net-define FILE; vireo "
                     "net-start %s), or give the interface a network that exists (vireo net-list --all)", name,
                     strcmp(name, "default") == 0 ? " (vireod makes it at its first start unless run with "
                                                   "--no-default-network)" : "", name);
        return NULL;
    }
    if (!net->active) {
        if (!net->autostart) {
            vr_set_error(err, "network '%s' is not active; start it with: vireo net-start %s", net->def->name,
                         net->def->name);
            return NULL;
        }
        if (vr_net_start(net, err) != VR_OK)
            return NULL;
    }
    return net;
}

int vr_net_replug(vr_net_driver *drv, const char *ifname, const vr_interface_def *ifc, char **err)
{
    const char *bridge = ifc->source_bridge;
    if (ifc->type == VR_NET_NETWORK) {
        vr_network *net = usable_network(drv, ifc->source_network, err);
        if (!net)
            return -1;
        if (vr_net_is_macvtap(net->def)) {
            vr_set_error(err, "network '%s' gives its guests macvtap devices, not bridge ports: a running "
                              "interface moves between bridges only (detach and attach it instead)",
                         net->def->name);
            return -1;
        }
        bridge = net->def->bridge;
    } else if (!vr_link_is_bridge(bridge)) {
        vr_set_error(err, "bridge %s %s on this host", bridge,
                     vr_link_exists(bridge) ? "is not a bridge" : "does not exist");
        return -1;
    }
    return vr_link_enslave_up(ifname, bridge, err);
}

int vr_net_tap_for(vr_net_driver *drv, const vr_interface_def *ifc, char **ifname, char **err)
{
    const char *bridge = ifc->source_bridge;
    if (ifc->type == VR_NET_DIRECT) {
        char *what = vr_asprintf("<interface type='direct'><source dev='%s'>", ifc->source_dev);
        int fd = macvtap_for(drv, ifc, ifc->source_dev, (int)ifc->source_mode, what, ifname, err);
        free(what);
        return fd;
    }
    if (ifc->type == VR_NET_NETWORK) {
        vr_network *net = usable_network(drv, ifc->source_network, err);
        if (!net)
            return -1;
        if (vr_net_is_macvtap(net->def)) {
            if (ifc->bandwidth.in.set || ifc->bandwidth.out.set) {
                vr_set_error(err, "<bandwidth> on an interface of network '%s', whose guests get "
                             "macvtap devices: Vireo shapes only the taps it makes; use a bridged "
                             "or NAT network", net->def->name);
                return -1;
            }
            const char *dev = pick_device(net->def, err);
            if (!dev)
                return -1;
            char *what = vr_asprintf("network '%s', <interface dev='%s'>", net->def->name, dev);
            int fd = macvtap_for(drv, ifc, dev, vr_net_macvtap_mode(net->def), what, ifname, err);
            free(what);
            return fd;
        }
        bridge = net->def->bridge;
    } else if (!vr_link_is_bridge(bridge)) {
        vr_set_error(err, "bridge %s %s on this host", bridge, vr_link_exists(bridge) ? "is not a bridge" : "does not exist");
        return -1;
    }
    const char *pattern = ifc->target_dev && *ifc->target_dev ? ifc->target_dev : "vnet%d";
    if (strchr(pattern, '%') == NULL && vr_link_exists(pattern)) {
        vr_set_error(err, "interface %s (<target dev>) already exists", pattern);
        return -1;
    }
    int fd = vr_tap_open(pattern, ifc->mac, bridge, ifname, err);
    if (fd >= 0 && (ifc->bandwidth.in.set || ifc->bandwidth.out.set) &&
        vr_bandwidth_apply(*ifname, &ifc->bandwidth, err) < 0) {
        close(fd); /* the tap goes with its last fd */
        free(*ifname);
        *ifname = NULL;
        return -1;
    }
    return fd;
}

/* ---- loading, re-finding active networks, the default network ---- */

/* Stored definitions keep the bridge they were given; one written by
 * hand without one gets a free name, as at define. */
static void *parse_stored(const char *xml, size_t len, char **err, void *opaque)
{
    return vr_network_def_parse(xml, len, name_bridge, opaque, err);
}

static void *adopt_definition(void *def, bool autostart, void *opaque)
{
    vr_network *net = new_network(opaque, def, true);
    net->autostart = autostart;
    return net;
}

/* A network whose run directory survived a daemon restart is still
 * active if its bridge is there: keep it running, re-watch dnsmasq. */
static void refind(vr_net_driver *drv)
{
    size_t n;
    vr_network *const *nets = vr_net_list(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_network *net = nets[i];
        char *dir = vr_asprintf("%s/%s", drv->runtime_dir, net->def->name);
        if (!vr_path_exists(dir)) {
            free(dir);
            continue;
        }
        net->run_dir = dir;
        if (vr_net_owns_bridge(net->def) && !vr_link_is_bridge(net->def->bridge)) {
            vr_log_warn("network %s: its bridge vanished while the daemon was away; cleaning up", net->def->name);
            net->dnsmasq = vr_dnsmasq_running(dir);
            teardown(net, false);
            continue;
        }
        net->active = true;
        net->dnsmasq = vr_dnsmasq_running(dir);
        if (vr_net_serves_dhcp(net->def) && net->dnsmasq <= 0) {
            net->dnsmasq = 0;
            on_dnsmasq_exit(net); /* start it again */
        } else {
            watch_dnsmasq(net);
        }
        vr_log_info("network %s: found active on %s", net->def->name,
                    net->def->bridge ? net->def->bridge : net->def->forward_dev);
    }
}

/* libvirt's default network, on a subnet nobody uses here: 192.168.122.0/24
 * unless that is routed on the host (a LAN), else the next free one. */
static void make_default(vr_net_driver *drv)
{
    for (unsigned third = 122; third < 255; third++) {
        struct in_addr net = {.s_addr = htonl(0xc0a80000u | (third << 8))};
        bool used = vr_subnet_routed(net, 24);
        size_t n_nets;
        vr_network *const *nets = vr_net_list(drv, &n_nets);
        for (size_t i = 0; i < n_nets && !used; i++)
            used = nets[i]->def->ip.present &&
                   vr_net_subnets_overlap(net, 24, nets[i]->def->ip.address, nets[i]->def->ip.prefix);
        if (used)
            continue;
        char *xml = vr_asprintf("<network><name>default</name><forward mode='nat'/>"
                                "<ip address='192.168.%u.1' netmask='255.255.255.0'><dhcp>"
                                "<range start='192.168.%u.2' end='192.168.%u.254'/></dhcp></ip></network>",
                                third, third, third);
        vr_network *n = NULL;
        char *err = NULL;
        if (vr_net_define(drv, xml, &n, &err) != VR_OK || vr_net_set_autostart(n, true, &err) != VR_OK)
            vr_log_error("cannot create the default network: %s", err);
        else if (third != 122)
            vr_log_warn("default network: 192.168.122.0/24 is already in use on this host, so it uses "
                        "192.168.%u.0/24 instead", third);
        else
            vr_log_info("default network defined: 192.168.122.0/24 (NAT, DHCP, autostart)");
        free(err);
        free(xml);
        return;
    }
    vr_log_error("cannot create the default network: every 192.168.N.0/24 is in use");
}

static void on_lease(const char *network, const char *kind, const char *mac, const char *ip,
                     const char *hostname, void *opaque)
{
    vr_net_driver *drv = opaque;
    vr_network *net = vr_registry_by_name(drv->reg, network);
    if (net)
        drv->cfg.on_lease(net, kind, mac, ip, hostname, drv->cfg.opaque);
}

/* Every network's dnsmasq runs the hook, which reports to this socket. */
static void open_lease_events(vr_net_driver *drv)
{
    if (!drv->cfg.lease_hook || !drv->cfg.on_lease)
        return;
    char *sock = vr_asprintf("%s/lease-events.sock", drv->runtime_dir), *err = NULL;
    drv->lease_events = vr_lease_events_open(drv->cfg.base, sock, on_lease, drv, &err);
    if (!drv->lease_events)
        vr_log_error("no live lease events: %s", err);
    else if (!vr_dnsmasq_set_lease_hook(drv->cfg.lease_hook, sock))
        vr_log_error("no live lease events: the path of vireod or of %s has a quote (')", sock);
    free(err);
    free(sock);
}

vr_net_driver *vr_net_driver_new(const vr_net_config *cfg)
{
    vr_net_driver *drv = vr_calloc(1, sizeof(*drv));
    drv->cfg = *cfg;
    drv->reg = vr_registry_new(&vr_conf_network, cfg->paths->config_dir, "network", 1);
    drv->runtime_dir = vr_asprintf("%s/network", cfg->paths->runtime_dir);
    drv->lease_dir = vr_asprintf("%s/dnsmasq", cfg->paths->state_dir);
    /* dnsmasq (run as nobody) reads these. */
    const char *dirs[] = {drv->runtime_dir, drv->lease_dir};
    for (size_t i = 0; i < VR_ARRAY_LEN(dirs); i++) {
        int rc = vr_mkdir_p(dirs[i], 0755);
        if (rc < 0)
            vr_log_error("cannot create %s: %s", dirs[i], strerror(-rc));
    }
    /* dnsmasq's files (NAME/). */
    vr_file_remove_leftovers(drv->runtime_dir, 1);
    open_lease_events(drv);
    vr_registry_load(drv->reg, parse_stored, adopt_definition, drv);
    if (vr_registry_first_start(drv->reg) && cfg->make_default && geteuid() == 0)
        make_default(drv);
    refind(drv);
    size_t n;
    vr_network *const *nets = vr_net_list(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_network *net = nets[i];
        char *err = NULL;
        if (net->autostart && !net->active && vr_net_start(net, &err) != VR_OK)
            vr_log_error("autostart of network %s failed: %s", net->def->name, err);
        free(err);
    }
    return drv;
}

void vr_net_driver_free(vr_net_driver *drv)
{
    if (!drv)
        return;
    vr_lease_events_close(drv->lease_events);
    vr_dnsmasq_set_lease_hook(NULL, NULL);
    /* Networks stay up: the next daemon finds them. */
    size_t n;
    vr_network *const *nets = vr_net_list(drv, &n);
    for (size_t i = 0; i < n; i++)
        net_free(nets[i]);
    vr_registry_free(drv->reg);
    free(drv->runtime_dir);
    free(drv->lease_dir);
    free(drv);
}
