/* What dnsmasq is told for IPv6 and libvirt's <dns>, and what Vireo reads
 * back from its lease files: the configuration Vireo writes for a
 * network (router advertisements, DHCPv6 ranges and hosts, forwarders,
 * SRV, TXT, DNS off, the lease hook) and IPv4 and DHCPv6 lease lines,
 * with the MAC taken out of a DUID-LL or DUID-LLT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "common/util.h"
#include "conf/network_conf.h"
#include "drivers/network/dnsmasq.h"
#include "drivers/network/dnsmasq_v6dns.h"

static vr_network_def *parse(const char *body)
{
    char *xml = vr_asprintf("<network><name>lab</name><bridge name='vrtest0'/>%s</network>", body);
    char *err = NULL;
    vr_network_def *def = vr_network_def_parse(xml, strlen(xml), NULL, NULL, &err);
    if (!def)
        fail_msg("parse: %s", err);
    free(xml);
    return def;
}

/* Write the network's dnsmasq files into a fresh directory; returns the
 * directory, *conf gets dnsmasq.conf, *hosts dhcp.hosts + dns.hosts. */
static char *write_conf(const vr_network_def *def, char **conf, char **hosts)
{
    char tmpl[] = "/tmp/vireo-dnsmasq-test.XXXXXX";
    char *dir = vr_strdup(mkdtemp(tmpl));
    char *err = NULL;
    if (vr_dnsmasq_write(def, dir, "/nonexistent/lab.leases", &err) < 0)
        fail_msg("write: %s", err);
    char *path = vr_asprintf("%s/dnsmasq.conf", dir);
    *conf = vr_file_read(path, NULL);
    free(path);
    path = vr_asprintf("%s/dhcp.hosts", dir);
    char *dhcp = vr_file_read(path, NULL);
    free(path);
    path = vr_asprintf("%s/dns.hosts", dir);
    char *dns = vr_file_read(path, NULL);
    free(path);
    *hosts = vr_asprintf("%s%s", dhcp, dns);
    free(dhcp);
    free(dns);
    return dir;
}

static void remove_dir(char *dir)
{
    const char *files[] = {"dnsmasq.conf", "dhcp.hosts", "dns.hosts", "lease-hook"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *p = vr_asprintf("%s/%s", dir, files[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
    free(dir);
}

static void has_line(const char *text, const char *line)
{
    char *want = vr_asprintf("\n%s\n", line), *hay = vr_asprintf("\n%s", text);
    if (!strstr(hay, want))
        fail_msg("no line '%s' in:\n%s", line, text);
    free(want);
    free(hay);
}

static void lacks(const char *text, const char *needle)
{
    if (strstr(text, needle))
        fail_msg("'%s' should not be in:\n%s", needle, text);
}

static void dual_stack(void **state)
{
    (void)state;
    vr_network_def *def = parse(
        "<forward mode='nat'/>"
        "<ip address='10.42.0.1' prefix='24'><dhcp><range start='10.42.0.10' end='10.42.0.50'/></dhcp></ip>"
        "<ip family='ipv6' address='fd42:0:0:1::1' prefix='64'><dhcp>"
        "<range start='fd42:0:0:1::100' end='fd42:0:0:1::1ff'/>"
        "<host id='0:3:0:1:52:54:0:12:34:56' name='paul' ip='fd42:0:0:1::5'/>"
        "<host name='ringo' ip='fd42:0:0:1::6'/></dhcp></ip>");
    vr_dnsmasq_set_lease_hook("/usr/sbin/vireod", "/run/vireo/network/lease-events.sock");
    char *conf, *hosts, *dir = write_conf(def, &conf, &hosts);
    has_line(conf, "listen-address=fd42:0:0:1::1");
    has_line(conf, "enable-ra");
    has_line(conf, "dhcp-range=fd42:0:0:1::100,fd42:0:0:1::1ff,slaac,64");
    has_line(conf, "dhcp-range=10.42.0.10,10.42.0.50,255.255.255.0");
    lacks(conf, "ra-param"); /* NAT: the host is the guests' default router */
    char *hook = vr_asprintf("dhcp-script=%s/lease-hook", dir);
    has_line(conf, hook);
    free(hook);
    has_line(conf, "script-on-renewal");
    has_line(hosts, "id:0:3:0:1:52:54:0:12:34:56,[fd42:0:0:1::5],paul");
    has_line(hosts, "[fd42:0:0:1::6],ringo");
    char *path = vr_asprintf("%s/lease-hook", dir);
    char *script = vr_file_read(path, NULL);
    free(path);
    has_line(script, "exec '/usr/sbin/vireod' --lease-hook '/run/vireo/network/lease-events.sock' 'lab' \"$@\"");
    free(script);
    /* A quote in a path cannot be put in the script: no hook then. */
    assert_false(vr_dnsmasq_set_lease_hook("/opt/it's/vireod", "/run/x.sock"));
    free(conf);
    free(hosts);
    remove_dir(dir);
    dir = write_conf(def, &conf, &hosts);
    lacks(conf, "dhcp-script");
    assert_true(vr_dnsmasq_set_lease_hook(NULL, NULL));
    free(conf);
    free(hosts);
    remove_dir(dir);
    vr_network_def_free(def);
}

static void ra_only_and_isolated(void **state)
{
    (void)state;
    vr_network_def *def = parse("<ip address='10.42.0.1' prefix='24'/>"
                                "<ip family='ipv6' address='fd42::1' prefix='64'/>");
    char *conf, *hosts, *dir = write_conf(def, &conf, &hosts);
    has_line(conf, "dhcp-range=fd42::,ra-only,64");
    /* Isolated: router advertisements with a router lifetime of 0. */
    has_line(conf, "ra-param=vrtest0,0,0");
    lacks(conf, "dhcp-leasefile"); /* no DHCP at all */
    free(conf);
    free(hosts);
    remove_dir(dir);
    vr_network_def_free(def);
}

static void ipv6_only(void **state)
{
    (void)state;
    vr_network_def *def = parse("<forward mode='route'/><ip family='ipv6' address='fd42::1' prefix='64'>"
                                "<dhcp><range start='fd42::100' end='fd42::1ff'/></dhcp></ip>");
    char *conf, *hosts, *dir = write_conf(def, &conf, &hosts);
    has_line(conf, "listen-address=fd42::1");
    lacks(conf, "listen-address=0.0.0.0"); /* no IPv4 address to listen on */
    lacks(conf, "255.255.255");
    has_line(conf, "dhcp-range=fd42::100,fd42::1ff,slaac,64");
    has_line(conf, "dhcp-leasefile=/nonexistent/lab.leases");
    free(conf);
    free(hosts);
    remove_dir(dir);
    vr_network_def_free(def);
}

static void dns_entries(void **state)
{
    (void)state;
    vr_network_def *def = parse(
        "<forward mode='nat'/><domain name='lab.test'/>"
        "<dns forwardPlainNames='no'>"
        "<forwarder domain='corp.example' addr='192.0.2.53'/>"
        "<forwarder addr='2001:db8::53'/>"
        "<forwarder domain='local.test'/>"
        "<txt name='info.lab.test' value='hello, world'/>"
        "<srv service='ldap' protocol='tcp' target='dir.lab.test' port='389' priority='10' weight='5'/>"
        "<srv service='sip' protocol='udp' domain='voice.test'/>"
        "<host ip='fd42::99'><hostname>six</hostname><hostname>sechs</hostname></host>"
        "<host ip='10.42.0.99'><hostname>four</hostname></host>"
        "</dns>"
        "<ip address='10.42.0.1' prefix='24'/><ip family='ipv6' address='fd42::1' prefix='64'/>");
    char *conf, *hosts, *dir = write_conf(def, &conf, &hosts);
    has_line(conf, "domain-needed");
    has_line(conf, "local=//");
    has_line(conf, "server=/corp.example/192.0.2.53");
    has_line(conf, "server=2001:db8::53");
    has_line(conf, "server=/local.test/");
    has_line(conf, "no-resolv");
    has_line(conf, "txt-record=info.lab.test,\"hello, world\"");
    /* No domain on the SRV: the network's. */
    has_line(conf, "srv-host=_ldap._tcp.lab.test,dir.lab.test,389,10,5");
    has_line(conf, "srv-host=_sip._udp.voice.test");
    has_line(hosts, "fd42::99 six sechs");
    has_line(hosts, "10.42.0.99 four");
    lacks(conf, "port=0");
    free(conf);
    free(hosts);
    remove_dir(dir);
    vr_network_def_free(def);

    /* DNS off, DHCP on. */
    def = parse("<dns enable='no'/><ip address='10.42.0.1' prefix='24'><dhcp>"
                "<range start='10.42.0.10' end='10.42.0.50'/></dhcp></ip>");
    dir = write_conf(def, &conf, &hosts);
    has_line(conf, "port=0");
    has_line(conf, "dhcp-range=10.42.0.10,10.42.0.50,255.255.255.0");
    free(conf);
    free(hosts);
    remove_dir(dir);
    vr_network_def_free(def);
}

static void leases(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/vireo-leases-test.XXXXXX";
    int fd = mkstemp(tmpl);
    const char *text =
        "1796413307 52:54:00:42:00:01 10.42.0.21 web1 01:52:54:00:42:00:01\n"
        "0 52:54:00:42:00:02 10.42.0.22 * *\n"
        "duid 00:01:00:01:32:a5:c5:bb:ea:68:79:11:0d:4d\n"
        "1796413400 1 fd42:0:0:1::12f client6 00:03:00:01:52:54:00:42:00:66\n"
        "1796413401 7 fd42:0:0:1::130 * 00:01:00:01:2c:aa:bb:cc:52:54:00:42:00:67\n"
        "1796413402 9 fd42:0:0:1::131 uuidclient 00:04:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00\n"
        "damaged line\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    vr_lease *l;
    size_t n;
    assert_int_equal(vr_leases_read(tmpl, &l, &n), 0);
    unlink(tmpl);
    assert_int_equal(n, 5);
    assert_int_equal(l[0].family, 4);
    assert_string_equal(l[0].mac, "52:54:00:42:00:01");
    assert_string_equal(l[0].hostname, "web1");
    assert_null(l[1].hostname);
    assert_int_equal(l[1].expiry, 0);
    assert_int_equal(l[2].family, 6);
    assert_string_equal(l[2].ip, "fd42:0:0:1::12f");
    assert_string_equal(l[2].mac, "52:54:00:42:00:66"); /* DUID-LL */
    assert_string_equal(l[2].hostname, "client6");
    assert_string_equal(l[2].client_id, "00:03:00:01:52:54:00:42:00:66");
    assert_string_equal(l[3].mac, "52:54:00:42:00:67"); /* DUID-LLT */
    assert_string_equal(l[4].mac, "");                  /* DUID-UUID: no MAC in it */
    vr_leases_free(l, n);

    char mac[18];
    assert_true(vr_duid_mac("0:3:0:1:52:54:0:12:34:56", mac));
    assert_string_equal(mac, "52:54:00:12:34:56");
    assert_false(vr_duid_mac("00:03:00:06:52:54:00:12:34:56", mac)); /* not Ethernet */
    assert_false(vr_duid_mac("00:03:00:01:52:54:00:12:34", mac));    /* short */
    assert_false(vr_duid_mac("00:03:00:01:52:54:00:12:34:56:78", mac));
    assert_false(vr_duid_mac("zz", mac));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dual_stack),
        cmocka_unit_test(ra_only_and_isolated),
        cmocka_unit_test(ipv6_only),
        cmocka_unit_test(dns_entries),
        cmocka_unit_test(leases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
