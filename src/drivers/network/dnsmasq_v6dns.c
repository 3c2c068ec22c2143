/* The parts of dnsmasq's configuration for IPv6 (router advertisements,
 * DHCPv6 ranges and hosts) and for <dns> beyond its hosts (forwarders,
 * SRV, TXT, enable='no', forwardPlainNames), and the lease hook that
 * tells the daemon about every lease as it changes. Written the way
 * libvirt writes them, so a network behaves as it did there. */
#include "drivers/network/dnsmasq_v6dns.h"
#include "common/file.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- <dns> ---------------------------------------------------------------------- */

void vr_dnsmasq_conf_dns(vr_strbuf *b, const vr_network_def *def)
{
    const vr_net_dns *dns = &def->dns;
    if (dns->disabled) {
        /* No DNS server at all; DHCP stays, and with port 0 dnsmasq
         * stops offering itself as the guests' name server. */
        vr_strbuf_add(b, "port=0\n");
        return;
    }
    if (dns->forward_plain_names == VR_NET_TRI_NO)
        vr_strbuf_add(b, "domain-needed\nlocal=//\n");
    bool any_server = false;
    for (size_t i = 0; i < dns->n_forwarders; i++) {
        const vr_net_dns_forwarder *f = &dns->forwarders[i];
        if (f->domain)
            vr_strbuf_addf(b, "server=/%s/%s\n", f->domain, f->addr ? f->addr : "");
        else
            vr_strbuf_addf(b, "server=%s\n", f->addr);
        any_server |= f->addr && !f->domain;
    }
    /* Forwarders for every name replace the host's resolv.conf. */
    if (any_server)
        vr_strbuf_add(b, "no-resolv\n");
    for (size_t i = 0; i < dns->n_txts; i++)
        vr_strbuf_addf(b, "txt-record=%s,\"%s\"\n", dns->txts[i].name, dns->txts[i].value);
    for (size_t i = 0; i < dns->n_srvs; i++) {
        const vr_net_dns_srv *s = &dns->srvs[i];
        const char *domain = s->domain ? s->domain : def->domain;
        vr_strbuf_addf(b, "srv-host=_%s._%s%s%s", s->service, s->protocol, domain ? "." : "",
                       domain ? domain : "");
        if (s->target)
            vr_strbuf_addf(b, ",%s,%u,%u,%u", s->target, s->port, s->priority, s->weight);
        vr_strbuf_add(b, "\n");
    }
}

/* ---- IPv6 ------------------------------------------------------------------------ */

static void addr6(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN])
{
    inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

unsigned long vr_dnsmasq_conf_ip6(vr_strbuf *b, const vr_network_def *def)
{
    const vr_net_ip6 *ip6 = &def->ip6;
    if (!ip6->present)
        return 0;
    char a[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN], e[INET6_ADDRSTRLEN];
    addr6(&ip6->address, a);
    vr_strbuf_addf(b, "listen-address=%s\nenable-ra\n", a);
    /* An isolated network has no way out: its router advertisements
     * carry a router lifetime of 0, so no guest takes it as a default
     * route, as libvirt does. */
    if (def->forward == VR_NET_FWD_NONE)
        vr_strbuf_addf(b, "ra-param=%s,0,0\n", def->bridge);
    char *subnet = vr_net_ip6_subnet_str(ip6);
    *strchr(subnet, '/') = '\0';
    unsigned long leases = 0;
    /* With a range, "slaac" sets the A flag too: guests without a DHCPv6
     * client (busybox, many minimal images) still get an address. */
    for (size_t i = 0; i < ip6->n_ranges; i++) {
        addr6(&ip6->ranges[i].start, s);
        addr6(&ip6->ranges[i].end, e);
        vr_strbuf_addf(b, "dhcp-range=%s,%s,slaac,%u\n", s, e, ip6->prefix);
        leases += 65536; /* dnsmasq's cap per range is ours too */
    }
    if (!ip6->n_ranges && ip6->n_hosts)
        vr_strbuf_addf(b, "dhcp-range=%s,static,%u\n", subnet, ip6->prefix);
    else if (!ip6->n_ranges)
        vr_strbuf_addf(b, "dhcp-range=%s,ra-only,%u\n", subnet, ip6->prefix);
    free(subnet);
    return leases + ip6->n_hosts;
}

void vr_dnsmasq_hosts6(vr_strbuf *dhcp, vr_strbuf *dns, const vr_network_def *def)
{
    char a[INET6_ADDRSTRLEN];
    for (size_t i = 0; i < def->ip6.n_hosts; i++) {
        const vr_net_dhcp6_host *h = &def->ip6.hosts[i];
        addr6(&h->ip, a);
        if (h->id)
            vr_strbuf_addf(dhcp, "id:%s,", h->id);
        vr_strbuf_addf(dhcp, "[%s]%s%s\n", a, h->name ? "," : "", h->name ? h->name : "");
    }
    for (size_t i = 0; i < def->n_dns_hosts; i++) {
        const vr_net_dns_host *h = &def->dns_hosts[i];
        if (!h->v6)
            continue;
        addr6(&h->ip6, a);
        vr_strbuf_add(dns, a);
        for (size_t k = 0; k < h->n_hostnames; k++)
            vr_strbuf_addf(dns, " %s", h->hostnames[k]);
        vr_strbuf_add(dns, "\n");
    }
}

/* ---- the lease hook ------------------------------------------------------------------ */

static char *hook_command; /* "'VIREOD' --lease-hook 'SOCKET'", or NULL: no hook */

bool vr_dnsmasq_set_lease_hook(const char *vireod, const char *socket)
{
    free(hook_command);
    hook_command = NULL;
    /* Quoted for sh in the hook script: a quote in a path would end it. */
    if (!vireod || strchr(vireod, '\'') || strchr(socket, '\''))
        return !vireod;
    hook_command = vr_asprintf("'%s' --lease-hook '%s'", vireod, socket);
    return true;
}

int vr_dnsmasq_conf_hook(vr_strbuf *b, const vr_network_def *def, const char *dir, char **err)
{
    if (!hook_command)
        return 0;
    /* dnsmasq runs the script with its own arguments only; this one adds
     * which network the lease is on. */
    char *path = vr_asprintf("%s/lease-hook", dir);
    char *script = vr_asprintf("#!/bin/sh\n# Written by vireod: dnsmasq's --dhcp-script for network "
                               "'%s'.\nexec %s '%s' \"$@\"\n", def->name, hook_command, def->name);
    int rc = vr_file_write_atomic(path, script, strlen(script), 0755);
    if (rc < 0)
        vr_set_error(err, "cannot write %s: %s", path, strerror(-rc));
    else
        vr_strbuf_addf(b, "dhcp-script=%s\nscript-on-renewal\n", path); /* renewals are events too */
    free(script);
    free(path);
    return rc < 0 ? -1 : 0;
}
