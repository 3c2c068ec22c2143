#include "drivers/network/dnsmasq.h"
#include "drivers/network/dnsmasq_v6dns.h"
#include "common/child.h"
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "host/resources.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *ip_str(struct in_addr a)
{
    char s[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, s, sizeof(s));
    return vr_strdup(s);
}

int vr_dnsmasq_write_hosts(const vr_network_def *def, const char *dir, char **err)
{
    vr_strbuf dhcp = {0}, dns = {0};
    for (size_t i = 0; i < def->ip.n_hosts; i++) {
        const vr_net_dhcp_host *h = &def->ip.hosts[i];
        char *ip = ip_str(h->ip);
        if (h->mac[0])
            vr_strbuf_addf(&dhcp, "%s,", h->mac);
        vr_strbuf_addf(&dhcp, "%s%s%s\n", ip, h->name ? "," : "", h->name ? h->name : "");
        free(ip);
    }
    for (size_t i = 0; i < def->n_dns_hosts; i++) {
        if (def->dns_hosts[i].v6)
            continue; /* vr_dnsmasq_hosts6 */
        char *ip = ip_str(def->dns_hosts[i].ip);
        vr_strbuf_add(&dns, ip);
        for (size_t k = 0; k < def->dns_hosts[i].n_hostnames; k++)
            vr_strbuf_addf(&dns, " %s", def->dns_hosts[i].hostnames[k]);
        vr_strbuf_add(&dns, "\n");
        free(ip);
    }
    vr_dnsmasq_hosts6(&dhcp, &dns, def);
    char *p1 = vr_asprintf("%s/dhcp.hosts", dir), *p2 = vr_asprintf("%s/dns.hosts", dir);
    int rc = vr_file_write_atomic(p1, dhcp.s ? dhcp.s : "", dhcp.len, 0644);
    if (rc == 0)
        rc = vr_file_write_atomic(p2, dns.s ? dns.s : "", dns.len, 0644);
    if (rc < 0)
        vr_set_error(err, "cannot write dnsmasq's host files in %s: %s", dir, strerror(-rc));
    free(p1);
    free(p2);
    vr_strbuf_free(&dhcp);
    vr_strbuf_free(&dns);
    return rc < 0 ? -1 : 0;
}

int vr_dnsmasq_write(const vr_network_def *def, const char *dir, const char *lease_file, char **err)
{
    vr_strbuf b = {0};
    char *addr = ip_str(def->ip.address);
    char *mask = ip_str(vr_net_prefix_mask(def->ip.prefix));
    vr_strbuf_addf(&b, "# Written by vireod for network '%s'. Do not edit: it is rewritten\n"
                       "# at every start (edit the network with 'vireo net-edit %s').\n",
                   def->name, def->name);
    vr_strbuf_add(&b, "strict-order\n");
    /* Its own log beside its files, not the host's syslog. */
    vr_strbuf_addf(&b, "log-facility=%s/dnsmasq.log\nlog-dhcp\n", dir);
    vr_strbuf_addf(&b, "pid-file=%s/dnsmasq.pid\n", dir);
    /* Only this bridge, bound dynamically so several networks coexist. */
    vr_strbuf_addf(&b, "except-interface=lo\nbind-dynamic\ninterface=%s\n", def->bridge);
    if (def->ip.present) /* else IPv6 only: vr_dnsmasq_conf_ip6 listens */
        vr_strbuf_addf(&b, "listen-address=%s\n", addr);
    if (def->domain) {
        vr_strbuf_addf(&b, "domain=%s\nexpand-hosts\n", def->domain);
        if (def->domain_local)
            vr_strbuf_addf(&b, "local=/%s/\n", def->domain);
    }
    vr_dnsmasq_conf_dns(&b, def);
    unsigned long leases = vr_dnsmasq_conf_ip6(&b, def);
    for (size_t i = 0; i < def->ip.n_ranges; i++) {
        char *s = ip_str(def->ip.ranges[i].start), *e = ip_str(def->ip.ranges[i].end);
        vr_strbuf_addf(&b, "dhcp-range=%s,%s,%s\n", s, e, mask);
        leases += ntohl(def->ip.ranges[i].end.s_addr) - ntohl(def->ip.ranges[i].start.s_addr) + 1;
        free(s);
        free(e);
    }
    bool dhcp6 = def->ip6.n_ranges || def->ip6.n_hosts;
    if (def->ip.n_ranges || def->ip.n_hosts || dhcp6) {
        if (!def->ip.n_ranges && def->ip.n_hosts) {
            /* Only fixed hosts: serve them, nobody else. */
            char *net = ip_str((struct in_addr){.s_addr = def->ip.address.s_addr & vr_net_prefix_mask(def->ip.prefix).s_addr});
            vr_strbuf_addf(&b, "dhcp-range=%s,static,%s\n", net, mask);
            free(net);
        }
        /* no-ping: before offering a new address dnsmasq pings it and
         * waits 3 s for an answer; on a network whose every address comes
         * from this dnsmasq that only makes each new guest wait. */
        vr_strbuf_addf(&b, "dhcp-no-override\ndhcp-authoritative\nno-ping\ndhcp-lease-max=%lu\n",
                       leases + def->ip.n_hosts);
        vr_strbuf_addf(&b, "dhcp-leasefile=%s\ndhcp-hostsfile=%s/dhcp.hosts\n", lease_file, dir);
        if (vr_dnsmasq_conf_hook(&b, def, dir, err) < 0) {
            vr_strbuf_free(&b);
            free(addr);
            free(mask);
            return -1;
        }
    }
    vr_strbuf_addf(&b, "addn-hosts=%s/dns.hosts\n", dir);
    char *path = vr_asprintf("%s/dnsmasq.conf", dir);
    int rc = vr_file_write_atomic(path, b.s, b.len, 0644);
    if (rc < 0)
        vr_set_error(err, "cannot write %s: %s", path, strerror(-rc));
    free(path);
    free(addr);
    free(mask);
    vr_strbuf_free(&b);
    if (rc < 0)
        return -1;
    return vr_dnsmasq_write_hosts(def, dir, err);
}

pid_t vr_dnsmasq_running(const char *dir)
{
    char *pidfile = vr_asprintf("%s/dnsmasq.pid", dir);
    char *s = vr_file_read(pidfile, NULL);
    free(pidfile);
    pid_t pid = s ? (pid_t)strtol(s, NULL, 10) : 0;
    free(s);
    if (pid <= 0)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *cmd = vr_file_read(path, &len);
    char *conf = vr_asprintf("--conf-file=%s/dnsmasq.conf", dir);
    bool ours = false;
    for (size_t i = 0; cmd && i < len && !ours; i += strlen(cmd + i) + 1)
        ours = strcmp(cmd + i, conf) == 0;
    free(conf);
    free(cmd);
    return ours ? pid : 0;
}

pid_t vr_dnsmasq_start(const char *dir, char **err)
{
    char *bin = vr_which("dnsmasq");
    if (!bin) {
        vr_set_error(err, "dnsmasq is not installed: apt-get install dnsmasq-base (or: make deps)");
        return -1;
    }
    char *conf = vr_asprintf("--conf-file=%s/dnsmasq.conf", dir);
    char *log = vr_asprintf("%s/dnsmasq.log", dir);
    char *pidfile = vr_asprintf("%s/dnsmasq.pid", dir);
    unlink(pidfile);
    /* dnsmasq forks into the background once its sockets are bound;
     * the launcher's exit status says whether that went well. */
    char *argv[] = {bin, conf, NULL};
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_LOG, .log = log, .log_mode = 0644};
    vr_child_result r;
    pid_t running = 0;
    if (vr_child_run(&s, &r, err) < 0) {
        /* *err says why */
    } else if (!vr_child_ok(&r)) {
        char *text = vr_file_read(log, NULL);
        char *last = NULL;
        for (char *l = text ? strtok(text, "\n") : NULL; l; l = strtok(NULL, "\n"))
            last = l;
        vr_set_error(err, "dnsmasq failed to start: %s", last ? last : "see its log");
        free(text);
    } else if (!(running = vr_dnsmasq_running(dir))) {
        vr_set_error(err, "dnsmasq started but wrote no pid file %s", pidfile);
    }
    free(bin);
    free(conf);
    free(log);
    free(pidfile);
    return running > 0 ? running : -1;
}

/* The MAC inside a DUID-LLT (type 1) or DUID-LL (type 3) of Ethernet
 * (hardware type 1), as most DHCPv6 clients make them: "00:01:00:01:
 * TT:TT:TT:TT:MM:..." or "00:03:00:01:MM:...". Else false. */
bool vr_duid_mac(const char *duid, char mac[18])
{
    unsigned v[20];
    int n = 0, used = 0;
    const char *p = duid;
    while (n < 20 && sscanf(p, "%2x%n", &v[n], &used) == 1) {
        n++;
        p += used;
        if (*p != ':')
            break;
        p++;
    }
    if (*p || n < 4 || v[0] != 0 || v[2] != 0 || v[3] != 1)
        return false;
    int at = v[1] == 1 ? 8 : v[1] == 3 ? 4 : -1;
    if (at < 0 || n != at + 6)
        return false;
    snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", v[at], v[at + 1], v[at + 2], v[at + 3],
             v[at + 4], v[at + 5]);
    return true;
}

int vr_leases_read(const char *path, vr_lease **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *text = vr_file_read(path, NULL);
    if (!text)
        return errno == ENOENT ? 0 : -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "duid ", 5) == 0)
            continue;
        long long expiry;
        char mac[18], ip[46], host[256], cid[256] = "*";
        /* IPv4: "EXPIRY MAC IP HOSTNAME CLIENT-ID"; IPv6 (after the
         * server's "duid" line): "EXPIRY IAID IP HOSTNAME DUID". */
        int got = sscanf(line, "%lld %17s %45s %255s %255s", &expiry, mac, ip, host, cid);
        if (got < 4)
            continue;
        bool v6 = strchr(ip, ':') != NULL;
        if (v6 && !vr_duid_mac(cid, mac))
            mac[0] = '\0'; /* not tied to an interface, still a lease */
        *out = vr_realloc(*out, (*n + 1) * sizeof(**out));
        vr_lease *l = &(*out)[(*n)++];
        memset(l, 0, sizeof(*l));
        l->expiry = expiry;
        l->family = v6 ? 6 : 4;
        memcpy(l->mac, mac, sizeof(l->mac));
        memcpy(l->ip, ip, sizeof(l->ip));
        l->hostname = strcmp(host, "*") != 0 ? vr_strdup(host) : NULL;
        l->client_id = strcmp(cid, "*") != 0 ? vr_strdup(cid) : NULL;
    }
    free(text);
    return 0;
}

void vr_leases_free(vr_lease *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(l[i].hostname);
        free(l[i].client_id);
    }
    free(l);
}
