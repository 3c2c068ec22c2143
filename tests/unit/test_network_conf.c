/* Network XML: libvirt's own networks parse, complete and round-trip to a
 * fixed point; everything outside the subset and every inconsistent
 * value is refused on one line naming the element, the value and its
 * line; the subnet helpers and net-update's DHCP host add/delete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/util.h"
#include "conf/network_conf.h"
#include "conf/macvtap_mode.h"

/* ---- helpers ------------------------------------------------------------- */

static char *fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/network/%s", FIXTURES, name);
    char *text = vr_file_read(path, NULL);
    if (!text)
        fail_msg("cannot read fixture %s", path);
    return text;
}

/* Hands out vireo0, vireo1, ... and counts its calls. */
typedef struct {
    int calls;
} namer_state;

static char *namer(void *opaque)
{
    namer_state *s = opaque;
    return vr_asprintf("vireo%d", s->calls++);
}

static vr_network_def *parse_with(const char *xml, namer_state *ns)
{
    char *err = NULL;
    vr_network_def *def = vr_network_def_parse(xml, strlen(xml), ns ? namer : NULL, ns, &err);
    if (!def)
        fail_msg("parse failed: %s\n%s", err, xml);
    assert_null(err);
    return def;
}

static vr_network_def *parse_ok(const char *xml)
{
    namer_state ns = {0};
    return parse_with(xml, &ns);
}

static vr_network_def *parse_fixture(const char *name, namer_state *ns)
{
    char *xml = fixture(name);
    vr_network_def *def = parse_with(xml, ns);
    free(xml);
    return def;
}

static void assert_one_line(const char *err)
{
    assert_non_null(err);
    assert_null(strchr(err, '\n'));
}

/* Refused, with a one-line message that starts with "line N: " and
 * contains `needle`; the namer is never called for a refused network. */
static void refused_at(const char *xml, long line, const char *needle)
{
    char *err = NULL;
    namer_state ns = {0};
    vr_network_def *def = vr_network_def_parse(xml, strlen(xml), namer, &ns, &err);
    if (def) {
        vr_network_def_free(def);
        fail_msg("accepted, expected line %ld: ...%s...\n%s", line, needle, xml);
    }
    assert_one_line(err);
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "line %ld: ", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("message '%s'\n  expected '%s...%s'", err, prefix, needle);
    assert_int_equal(ns.calls, 0);
    free(err);
}

/* `body` goes after "<network>\n<name>n</name>\n", so its first line is
 * line 3. */
static void refused(const char *body, long line, const char *needle)
{
    char *xml = vr_asprintf("<network>\n<name>n</name>\n%s</network>\n", body);
    refused_at(xml, line, needle);
    free(xml);
}

/* refused() of two pieces of body, `first` then `second`. */
static void refused_pair(const char *first, const char *second, long line, const char *needle)
{
    char *body = vr_asprintf("%s%s", first, second);
    refused(body, line, needle);
    free(body);
}

static vr_network_def *body_ok(const char *body)
{
    char *xml = vr_asprintf("<network>\n<name>n</name>\n%s</network>\n", body);
    vr_network_def *def = parse_ok(xml);
    free(xml);
    return def;
}

/* format -> parse -> format gives the same text. */
static char *assert_fixed_point(const vr_network_def *def)
{
    char *f1 = vr_network_def_format(def);
    vr_network_def *again = parse_with(f1, NULL);
    char *f2 = vr_network_def_format(again);
    assert_string_equal(f1, f2);
    vr_network_def_free(again);
    free(f2);
    return f1;
}

static void assert_ip(struct in_addr a, const char *want)
{
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static struct in_addr ip4(const char *s)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return a;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("'%s' not in:\n%s", needle, hay);
}

/* ---- libvirt's networks ------------------------------------------------------- */

/* The file Debian's libvirt-daemon-config-network installs as
 * /usr/share/libvirt/networks/default.xml. */
static void libvirt_default(void **state)
{
    (void)state;
    namer_state ns = {0};
    vr_network_def *def = parse_fixture("default.xml", &ns);
    assert_int_equal(ns.calls, 0); /* it names its bridge */
    assert_string_equal(def->name, "default");
    assert_int_equal(def->forward, VR_NET_FWD_NAT); /* <forward/> is NAT */
    assert_null(def->forward_dev);
    assert_string_equal(def->bridge, "virbr0");
    assert_false(def->stp); /* no stp given: off in Vireo (libvirt: on), so ports forward at once */
    assert_int_equal(def->delay, 0);
    assert_int_equal(strlen(def->uuid), 36);
    assert_true(strncmp(def->mac, "52:54:00:", 9) == 0);
    assert_int_equal(strlen(def->mac), 17);
    assert_true(def->ip.present);
    assert_ip(def->ip.address, "192.168.122.1");
    assert_int_equal(def->ip.prefix, 24);
    assert_int_equal(def->ip.line, 5);
    assert_int_equal(def->ip.n_ranges, 1);
    assert_ip(def->ip.ranges[0].start, "192.168.122.2");
    assert_ip(def->ip.ranges[0].end, "192.168.122.254");
    assert_int_equal(def->ip.ranges[0].line, 7);
    assert_int_equal(def->ip.n_hosts, 0);
    assert_null(def->domain);
    assert_int_equal(def->n_dns_hosts, 0);
    assert_string_equal(vr_net_forward_name(def->forward), "nat");
    char *out = assert_fixed_point(def);
    assert_contains(out, "<forward mode=\"nat\"/>");
    assert_contains(out, "<bridge name=\"virbr0\" stp=\"off\" delay=\"0\"/>");
    free(out);
    vr_network_def_free(def);
}

/* What `virsh net-dumpxml --inactive default` writes comes back the
 * same, quotes aside. */
static void libvirt_dumpxml(void **state)
{
    (void)state;
    char *xml = fixture("libvirt-dumpxml.xml");
    vr_network_def *def = parse_with(xml, NULL);
    char *out = vr_network_def_format(def);
    for (char *p = xml; *p; p++)
        if (*p == '\'')
            *p = '"';
    assert_string_equal(out, xml);
    free(out);
    free(xml);
    vr_network_def_free(def);
}

static void isolated(void **state)
{
    (void)state;
    namer_state ns = {0};
    vr_network_def *def = parse_fixture("isolated.xml", &ns);
    assert_int_equal(ns.calls, 0);
    assert_int_equal(def->forward, VR_NET_FWD_NONE);
    assert_string_equal(def->uuid, "8d2e7f1a-3b4c-4d5e-9f60-718293a4b5c6");
    assert_string_equal(def->bridge, "vireo-iso");
    assert_false(def->stp);
    assert_int_equal(def->delay, 2);
    assert_int_equal(def->mtu, 9000);
    assert_string_equal(def->mac, "52:54:00:ab:cd:ef");
    assert_string_equal(def->domain, "lab.example");
    assert_true(def->domain_local);
    assert_int_equal(def->ip.prefix, 24);
    char *out = assert_fixed_point(def);
    assert_null(strstr(out, "<forward"));
    assert_contains(out, "<bridge name=\"vireo-iso\" stp=\"off\" delay=\"2\"/>");
    assert_contains(out, "<mtu size=\"9000\"/>");
    assert_contains(out, "<domain name=\"lab.example\" localOnly=\"yes\"/>");
    assert_contains(out, "<ip address=\"10.10.0.1\" netmask=\"255.255.255.0\">");
    free(out);
    vr_network_def_free(def);
}

static void routed(void **state)
{
    (void)state;
    namer_state ns = {0};
    vr_network_def *def = parse_fixture("routed.xml", &ns);
    assert_int_equal(def->forward, VR_NET_FWD_ROUTE);
    assert_string_equal(def->forward_dev, "eth0");
    /* <bridge> without a name: the namer names it. */
    assert_int_equal(ns.calls, 1);
    assert_string_equal(def->bridge, "vireo0");
    assert_int_equal(def->ip.prefix, 16);
    assert_int_equal(def->ip.n_ranges, 2);
    char *out = assert_fixed_point(def);
    assert_contains(out, "<forward dev=\"eth0\" mode=\"route\">\n    <interface dev=\"eth0\"/>\n"
                         "  </forward>");
    free(out);
    vr_network_def_free(def);

    /* The device given only as <interface>, libvirt's other spelling. */
    def = body_ok("<forward mode='nat'><interface dev='eth1'/></forward>\n"
                  "<ip address='10.0.0.1' prefix='8'/>\n");
    assert_string_equal(def->forward_dev, "eth1");
    free(assert_fixed_point(def));
    vr_network_def_free(def);

    def = body_ok("<forward mode='open'/>\n<ip address='10.0.0.1' prefix='8'/>\n");
    assert_int_equal(def->forward, VR_NET_FWD_OPEN);
    free(assert_fixed_point(def));
    vr_network_def_free(def);
}

static void bridge_mode(void **state)
{
    (void)state;
    namer_state ns = {0};
    vr_network_def *def = parse_fixture("bridge.xml", &ns);
    assert_int_equal(ns.calls, 0);
    assert_int_equal(def->forward, VR_NET_FWD_BRIDGE);
    assert_string_equal(def->bridge, "br0");
    assert_string_equal(def->mac, ""); /* none generated: the bridge is the host's */
    assert_false(def->ip.present);
    char *out = assert_fixed_point(def);
    assert_contains(out, "<forward mode=\"bridge\"/>\n  <bridge name=\"br0\"/>\n</network>");
    assert_null(strstr(out, "<mac"));
    free(out);
    vr_network_def_free(def);
}

/* The course's "red muy aislada": no <ip> at all, a plain switch. */
static void no_ip(void **state)
{
    (void)state;
    namer_state ns = {0};
    vr_network_def *def = parse_fixture("red-muy-aislada.xml", &ns);
    assert_int_equal(def->forward, VR_NET_FWD_NONE);
    assert_string_equal(def->bridge, "virbr3");
    assert_false(def->ip.present);
    assert_true(vr_net_owns_bridge(def));
    assert_false(vr_net_serves_dhcp(def));
    assert_false(vr_net_is_macvtap(def));
    char *out = assert_fixed_point(def);
    assert_contains(out, "<bridge name=\"virbr3\" stp=\"off\" delay=\"0\"/>");
    assert_null(strstr(out, "<ip"));
    assert_null(strstr(out, "<forward"));
    free(out);
    vr_network_def_free(def);
    /* Nothing would serve names on it. */
    refused("<dns>\n<host ip='10.0.0.2'><hostname>a</hostname></host>\n</dns>\n", 3,
            "<dns> needs an <ip address='...' netmask='...'>");
    refused("<domain name='lab.lan'/>\n", 3, "<domain> needs an <ip");
}

/* The course's red-macvtap.xml and libvirt's other macvtap modes. */
static void macvtap(void **state)
{
    (void)state;
    namer_state ns = {0};
    vr_network_def *def = parse_fixture("red-macvtap.xml", &ns);
    assert_int_equal(ns.calls, 0); /* no bridge is named for it */
    assert_int_equal(def->forward, VR_NET_FWD_BRIDGE);
    assert_true(vr_net_is_macvtap(def));
    assert_false(vr_net_owns_bridge(def));
    assert_null(def->bridge);
    assert_int_equal(def->n_forward_ifs, 1);
    assert_string_equal(def->forward_ifs[0], "enp1s0");
    assert_int_equal(vr_net_macvtap_mode(def), VR_MACVTAP_BRIDGE);
    char *out = assert_fixed_point(def);
    /* As libvirt writes it: dev= and the pool. */
    assert_contains(out, "<forward dev=\"enp1s0\" mode=\"bridge\">\n    <interface "
                         "dev=\"enp1s0\"/>\n  </forward>\n</network>");
    assert_null(strstr(out, "<bridge"));
    assert_null(strstr(out, "<mac"));
    free(out);
    vr_network_def_free(def);

    def = body_ok("<forward mode='passthrough'>\n<interface dev='eth1'/>\n<interface "
                  "dev='eth2'/>\n</forward>\n");
    assert_int_equal(def->forward, VR_NET_FWD_PASSTHROUGH);
    assert_int_equal(vr_net_macvtap_mode(def), VR_MACVTAP_PASSTHROUGH);
    assert_int_equal(def->n_forward_ifs, 2);
    assert_string_equal(def->forward_dev, "eth1");
    assert_string_equal(def->forward_ifs[1], "eth2");
    out = assert_fixed_point(def);
    assert_contains(out, "<interface dev=\"eth1\"/>\n    <interface dev=\"eth2\"/>");
    free(out);
    vr_network_def_free(def);

    /* dev= alone is a pool of one. */
    def = body_ok("<forward mode='vepa' dev='eth3'/>\n");
    assert_int_equal(def->n_forward_ifs, 1);
    assert_string_equal(def->forward_ifs[0], "eth3");
    assert_int_equal(vr_net_macvtap_mode(def), VR_MACVTAP_VEPA);
    vr_network_def_free(def);
    def = body_ok("<forward mode='private'><interface dev='eth3'/></forward>\n");
    assert_int_equal(vr_net_macvtap_mode(def), VR_MACVTAP_PRIVATE);
    vr_network_def_free(def);

    refused("<forward mode='vepa'/>\n", 3, "<forward mode='vepa'> needs <interface dev='...'> "
            "children");
    refused("<forward mode='private'>\n<interface dev='eth0'/>\n<interface dev='eth0'/>\n"
            "</forward>\n", 5, "<interface dev='eth0'> is given twice in <forward>");
    refused("<forward mode='vepa'>\n<interface dev='eth0'/>\n</forward>\n<bridge "
            "name='br0'/>\n", 6, "<bridge name='br0'> is not allowed with <forward mode='vepa'>");
    refused("<forward mode='bridge'>\n<interface dev='eth0'/>\n</forward>\n<ip "
            "address='10.0.0.1' prefix='24'/>\n", 6, "<ip> is not allowed in a macvtap network");
    refused("<forward mode='bridge'>\n<interface dev='eth0'/>\n</forward>\n<mac "
            "address='52:54:00:00:00:01'/>\n", 6, "<mac> is not allowed in a macvtap network");
    refused("<forward mode='bridge'>\n<interface dev='eth0'/>\n</forward>\n<mtu "
            "size='9000'/>\n", 6, "<mtu> is not allowed in a macvtap network");
    refused("<forward mode='passthrough'>\n<interface dev='e0'/>\n</forward>\n<dns/>\n", 6,
            "<dns> is not allowed in a macvtap network");
    refused("<forward mode='nat'>\n<interface dev='eth0'/>\n<interface dev='eth1'/>\n"
            "</forward>\n<ip address='10.0.0.1' prefix='24'/>\n", 3,
            "<forward mode='nat'> takes one <interface dev='...'> (the outgoing device), not 2");
}

static void dhcp_hosts(void **state)
{
    (void)state;
    vr_network_def *def = parse_fixture("dhcp-hosts.xml", NULL);
    const vr_net_ip *ip = &def->ip;
    assert_int_equal(ip->n_hosts, 3);
    assert_string_equal(ip->hosts[0].mac, "52:54:00:aa:00:01"); /* lowercased */
    assert_string_equal(ip->hosts[0].name, "web");
    assert_ip(ip->hosts[0].ip, "192.168.100.10");
    assert_int_equal(ip->hosts[0].line, 10);
    assert_null(ip->hosts[1].name);
    assert_string_equal(ip->hosts[2].mac, "");
    assert_string_equal(ip->hosts[2].name, "db");
    char *out = assert_fixed_point(def);
    assert_contains(out, "<host mac=\"52:54:00:aa:00:01\" name=\"web\" ip=\"192.168.100.10\"/>");
    assert_contains(out, "<host mac=\"52:54:00:aa:00:02\" ip=\"192.168.100.11\"/>");
    assert_contains(out, "<host name=\"db\" ip=\"192.168.100.12\"/>");
    free(out);
    vr_network_def_free(def);
}

static void dns_hosts(void **state)
{
    (void)state;
    vr_network_def *def = parse_fixture("dns-hosts.xml", NULL);
    assert_int_equal(def->n_dns_hosts, 2);
    assert_ip(def->dns_hosts[0].ip, "192.168.150.10");
    assert_int_equal(def->dns_hosts[0].n_hostnames, 2);
    assert_string_equal(def->dns_hosts[0].hostnames[1], "www.example.lan");
    assert_int_equal(def->dns_hosts[0].line, 6);
    /* A DNS host may live outside the subnet (it is only a name). */
    assert_ip(def->dns_hosts[1].ip, "10.0.0.5");
    assert_string_equal(def->domain, "example.lan");
    assert_false(def->domain_local);
    char *out = assert_fixed_point(def);
    assert_contains(out, "<dns>\n    <host ip=\"192.168.150.10\">\n      <hostname>www</hostname>"
                         "\n      <hostname>www.example.lan</hostname>\n    </host>");
    /* libvirt's order: domain, dns, ip. */
    assert_true(strstr(out, "<domain") < strstr(out, "<dns>"));
    assert_true(strstr(out, "<dns>") < strstr(out, "<ip "));
    free(out);
    vr_network_def_free(def);
}

static void generated_values(void **state)
{
    (void)state;
    const char *xml = "<network><name>g</name><ip address='10.1.0.1' prefix='24'/></network>";
    /* No namer: the bridge stays unnamed, and the result still parses. */
    /* STP is off unless asked: a bridge of taps alone cannot loop. */
    vr_network_def *def = parse_with(xml, NULL);
    assert_null(def->bridge);
    char *out = assert_fixed_point(def);
    assert_contains(out, "<bridge stp=\"off\" delay=\"0\"/>");
    free(out);
    vr_network_def_free(def);

    /* Each parse gets its own UUID and MAC. */
    namer_state ns = {.calls = 3};
    vr_network_def *a = parse_with(xml, &ns), *b = parse_with(xml, &ns);
    assert_string_equal(a->bridge, "vireo3");
    assert_string_equal(b->bridge, "vireo4");
    assert_string_not_equal(a->uuid, b->uuid);
    assert_string_not_equal(a->mac, b->mac);
    vr_network_def_free(a);
    vr_network_def_free(b);

    /* A prefix reads back as the netmask; stp given as 'on' stays. */
    def = body_ok("<bridge name='x0' stp='on' delay='30'/>\n"
                  "<ip address='172.16.5.1' prefix='20'>\n"
                  "<dhcp><range start='172.16.8.1' end='172.16.15.254'/></dhcp>\n</ip>\n");
    out = assert_fixed_point(def);
    assert_contains(out, "netmask=\"255.255.240.0\"");
    assert_contains(out, "delay=\"30\"");
    free(out);
    vr_network_def_free(def);

    /* A name, the value checks' edges. */
    def = body_ok("<bridge name='a.b_c-012345678'/>\n<ip address='10.0.0.1' "
                  "netmask='255.0.0.0'/>\n");
    assert_int_equal(def->ip.prefix, 8);
    vr_network_def_free(def);
}

/* ---- refusals ------------------------------------------------------------------ */

static void refuses_outside_subset(void **state)
{
    (void)state;
    char *err = NULL;
    const char *xml = "<network>\n<name>n</name>\n<portgroup name='x'/>\n</network>\n";
    assert_null(vr_network_def_parse(xml, strlen(xml), NULL, NULL, &err));
    assert_string_equal(err, "line 3: <portgroup> is not supported by Vireo (see "
                             "docs/xml-network.md)");
    free(err);

    refused_at("<network ipv6='yes'>\n<name>n</name>\n</network>\n", 1,
               "attribute 'ipv6' of <network> is not supported by Vireo (see "
               "docs/xml-network.md)");
    refused_at("<network connections='2'>\n<name>n</name>\n</network>\n", 1,
               "attribute 'connections' of <network> is live state");
    refused("<metadata/>\n", 3, "<metadata> is not supported by Vireo");
    refused("<route address='10.0.0.0' prefix='8' gateway='10.0.0.1'/>\n", 3, "<route>");
    refused("<bandwidth/>\n", 3, "<bandwidth>");
    refused("<forward mode='hostdev'/>\n", 3,
            "<forward mode='hostdev'> is not supported by Vireo (supported: nat, route, open, "
            "bridge, vepa, private, passthrough)");
    refused("<forward mode='hostdev' managed='yes'/>\n", 3, "attribute 'managed' of <forward>");
    refused("<forward mode='nat'>\n<nat>\n<port start='1024' end='65535'/>\n</nat>\n</forward>\n",
            4, "<nat> is not supported by Vireo");
    refused("<forward>\n<pf dev='eth0'/>\n</forward>\n", 4,
            "<pf> is not supported by Vireo (see docs/xml-network.md)");
    refused("<forward mode='nat'>\n<interface dev='eth0'/>\n<interface dev='eth1'/>\n</forward>\n",
            3, "<forward mode='nat'> takes one <interface dev='...'>");
    refused("<forward dev='eth0'>\n<interface dev='eth1'/>\n</forward>\n", 4,
            "<interface dev='eth1'> differs from <forward dev='eth0'>");
    refused("<forward>\n<interface/>\n</forward>\n", 4, "<interface> needs dev='...'");
    refused("<forward dev='a/b'/>\n", 3,
            "<forward dev='a/b'> is not a valid interface name (1 to 15 characters");
    refused("<bridge name='a-bridge-name-too-long'/>\n", 3,
            "<bridge name='a-bridge-name-too-long'> is not a valid interface name");
    refused("<bridge name='virbr%d'/>\n", 3, "<bridge name='virbr%d'> is not a valid");
    refused("<bridge name='..'/>\n", 3, "is not a valid interface name");
    refused("<bridge name='b' stp='yes'/>\n", 3,
            "<bridge stp='yes'> is not supported by Vireo (supported: on, off)");
    refused("<bridge name='b' delay='31'/>\n", 3,
            "<bridge delay='31'>: expected a number from 0 to 30");
    refused("<bridge name='b' macTableManager='libvirt'/>\n", 3,
            "attribute 'macTableManager' of <bridge>");
    refused("<bridge name='b'>\n<x/>\n</bridge>\n", 4, "<x> is not supported by Vireo (see "
            "docs/xml-network.md)");
    refused("<mtu size='10'/>\n", 3, "<mtu size='10'>: expected a number from 68 to 65535");
    refused("<mtu/>\n", 3, "<mtu> needs size='...'");
    refused("<mac address='01:00:5e:00:00:01'/>\n", 3,
            "<mac address='01:00:5e:00:00:01'> is a multicast address");
    refused("<mac address='52:54:00:zz:00:01'/>\n", 3, "is not a MAC address");
    refused("<mac/>\n", 3, "<mac> needs address='...'");
    refused("<domain name='bad name'/>\n", 3, "<domain name='bad name'> is not a valid DNS name");
    refused("<domain name='-x.lan'/>\n", 3, "is not a valid DNS name");
    refused("<domain/>\n", 3, "<domain> needs name='...'");
    refused("<domain name='a.lan' localOnly='maybe'/>\n", 3,
            "<domain localOnly='maybe'> is not supported by Vireo (supported: yes, no)");
    refused("<domain name='a.lan' register='yes'/>\n", 3, "attribute 'register' of <domain>");
    refused("<name>m</name>\n", 3, "duplicate <name>");
    refused("<bridge name='a'/>\n<bridge name='b'/>\n", 4, "duplicate <bridge>");
    refused("junk\n", 1, "unexpected text 'junk' in <network>");
}

static void refuses_names(void **state)
{
    (void)state;
    refused_at("<network>\n<uuid>3e3fce45-4f53-4fa7-bb32-11f34168b82b</uuid>\n</network>\n", 1,
               "<network> needs a <name>");
    refused_at("<network>\n<name>.hidden</name>\n</network>\n", 2,
               "network name '.hidden' is refused: a name cannot start with '.'");
    refused_at("<network>\n<name>a/b</name>\n</network>\n", 2, "network name 'a/b' is refused: '/' is not allowed");
    refused_at("<network>\n<name>a\nb</name>\n</network>\n", 2, "network name 'a\\nb' is refused: control characters");
    char long_name[80];
    memset(long_name, 'x', 65);
    long_name[65] = '\0';
    char *xml = vr_asprintf("<network>\n<name>%s</name>\n</network>\n", long_name);
    refused_at(xml, 2, "a network name has at most 64 bytes");
    free(xml);
    refused("<uuid>not-a-uuid</uuid>\n", 3, "<uuid> 'not-a-uuid' is not a valid UUID");
    refused_at("<network>\n<name lang='en'>x</name>\n</network>\n", 2,
               "attribute 'lang' of <name>");
}

static void refuses_dns(void **state)
{
    (void)state;
    const char *ip = "<ip address='10.0.0.1' prefix='24'/>\n";
#define DNS_REFUSED(dns, line, needle) refused_pair(dns, ip, line, needle)
    DNS_REFUSED("<dns>\n<forwarder/>\n</dns>\n", 4,
                "<forwarder> needs addr= (a server), domain= (names kept local) or both");
    DNS_REFUSED("<dns enable='maybe'/>\n", 3, "<dns enable='maybe'>");
    DNS_REFUSED("<dns>\n<cname/>\n</dns>\n", 4, "<cname> is not supported by Vireo");
    DNS_REFUSED("<dns>\n<host ip='10.0.0.5'/>\n</dns>\n", 4,
                "<host> in <dns> needs at least one <hostname>");
    DNS_REFUSED("<dns>\n<host><hostname>a</hostname></host>\n</dns>\n", 4,
                "<host> needs ip='...'");
    DNS_REFUSED("<dns>\n<host ip='10.0.0.256'><hostname>a</hostname></host>\n</dns>\n", 4,
                "<host ip='10.0.0.256'> is not an IPv4 address");
    DNS_REFUSED("<dns>\n<host ip='fd00::5'><hostname>a</hostname></host>\n"
                "<host ip='fd00:0::5'><hostname>b</hostname></host>\n</dns>\n", 5,
                "<host ip='fd00::5'> is given twice in <dns> (see line 4)");
    DNS_REFUSED("<dns>\n<host ip='10.0.0.5'>\n<hostname>bad,name</hostname>\n</host>\n</dns>\n",
                5, "<hostname>bad,name</hostname> is not a valid DNS name");
    DNS_REFUSED("<dns>\n<host ip='10.0.0.5'>\n<hostname/>\n</host>\n</dns>\n", 5,
                "<hostname></hostname> is not a valid DNS name");
    DNS_REFUSED("<dns>\n<host ip='10.0.0.5'>\n<alias>x</alias>\n</host>\n</dns>\n", 5,
                "<alias> is not supported");
    DNS_REFUSED("<dns>\n<host ip='10.0.0.5'><hostname>a</hostname></host>\n"
                "<host ip='10.0.0.5'><hostname>b</hostname></host>\n</dns>\n", 5,
                "<host ip='10.0.0.5'> is given twice in <dns> (see line 4)");
    DNS_REFUSED("<dns/>\n<dns/>\n", 4, "duplicate <dns>");
#undef DNS_REFUSED
}

static void refuses_ip(void **state)
{
    (void)state;
    refused("<ip family='inet' address='10.0.0.1' prefix='8'/>\n", 3,
            "<ip family='inet'> is not supported by Vireo (supported: ipv4, ipv6)");
    refused("<ip family='ipv4' address='fd00::1' prefix='8'/>\n", 3,
            "<ip address='fd00::1'> is an IPv6 address in the IPv4 <ip>: IPv6 addresses go in "
            "<ip family='ipv6'>");
    refused("<ip address='10.0.0.1' prefix='8'/>\n<ip address='10.1.0.1' prefix='16'/>\n", 4,
            "a second IPv4 <ip> is not supported by Vireo (one subnet per network; the first "
            "is on line 3)");
    refused("<ip netmask='255.255.255.0'/>\n", 3, "<ip> needs address='...'");
    refused("<ip address='192.168.1.300' netmask='255.255.255.0'/>\n", 3,
            "<ip address='192.168.1.300'> is not an IPv4 address");
    refused("<ip address='010.0.0.1' prefix='8'/>\n", 3, "is not an IPv4 address");
    refused("<ip address='10.0.0.1'/>\n", 3, "<ip> needs netmask= or prefix=");
    refused("<ip address='10.0.0.1' netmask='255.0.0.0' prefix='8'/>\n", 3,
            "<ip> takes netmask= or prefix=, not both");
    refused("<ip address='10.0.0.1' netmask='255.0.255.0'/>\n", 3,
            "<ip netmask='255.0.255.0'> is not a contiguous netmask");
    refused("<ip address='10.0.0.1' netmask='24'/>\n", 3,
            "<ip netmask='24'> is not an IPv4 netmask");
    refused("<ip address='10.0.0.1' prefix='33'/>\n", 3,
            "<ip prefix='33'>: expected a number from 0 to 32");
    refused("<ip address='10.0.0.1' prefix='31'/>\n", 3,
            "<ip prefix='31'>: the prefix must be from 1 to 30");
    refused("<ip address='10.0.0.1' netmask='255.255.255.254'/>\n", 3,
            "<ip netmask='255.255.255.254'>: the prefix must be from 1 to 30");
    refused("<ip address='10.0.0.1' netmask='0.0.0.0'/>\n", 3,
            "<ip netmask='0.0.0.0'>: the prefix must be from 1 to 30");
    refused("<ip address='10.0.0.1' prefix='7'>\n<dhcp><range start='10.0.0.2' "
            "end='10.0.0.9'/></dhcp>\n</ip>\n", 3,
            "<ip prefix='7'>: a subnet served by DHCP needs a prefix from 8 to 30");
    refused("<ip address='192.168.100.0' netmask='255.255.255.0'/>\n", 3,
            "<ip address='192.168.100.0'> is the network address of the subnet "
            "192.168.100.0/24");
    refused("<ip address='192.168.100.255' prefix='24'/>\n", 3,
            "<ip address='192.168.100.255'> is the broadcast address of the subnet "
            "192.168.100.0/24");
    refused("<ip address='10.0.0.1' prefix='8' localPtr='yes'/>\n", 3,
            "attribute 'localPtr' of <ip>");
    refused("<ip address='10.0.0.1' prefix='8'>\n<tftp root='/srv/tftp'/>\n</ip>\n", 4,
            "<tftp> is not supported by Vireo (see docs/xml-network.md)");
    refused("<ip address='10.0.0.1' prefix='8'>\n<dhcp/>\n<dhcp/>\n</ip>\n", 5, "duplicate <dhcp>");
    refused("<ip address='10.0.0.1' prefix='8'>\n<dhcp>\n<bootp file='pxelinux.0'/>\n</dhcp>\n"
            "</ip>\n", 5, "<bootp> is not supported");
}

/* DHCP ranges and hosts inside <ip address='192.168.100.1' prefix='24'>,
 * the first child on line 5. */
static void dhcp_refused(const char *dhcp, long line, const char *needle)
{
    char *b = vr_asprintf("<ip address='192.168.100.1' prefix='24'>\n<dhcp>\n%s</dhcp>\n</ip>\n",
                          dhcp);
    refused(b, line, needle);
    free(b);
}

static void refuses_dhcp(void **state)
{
    (void)state;
    dhcp_refused("<range start='192.168.100.2'/>\n", 5, "<range> needs end='...'");
    dhcp_refused("<range start='192.168.100.x' end='192.168.100.9'/>\n", 5,
                 "<range start='192.168.100.x'> is not an IPv4 address");
    dhcp_refused("<range start='192.168.100.2' end='192.168.100.9'>\n<lease expiry='1'/>\n"
                 "</range>\n", 6, "<lease> is not supported");
    dhcp_refused("<range start='192.168.100.2' end='192.168.100.9'/>\n"
                 "<range start='192.168.101.2' end='192.168.101.9'/>\n", 6,
                 "<range start='192.168.101.2' end='192.168.101.9'>: 192.168.101.2 is outside "
                 "the subnet 192.168.100.0/24");
    dhcp_refused("<range start='192.168.100.2' end='192.168.100.255'/>\n", 5,
                 "192.168.100.255 is the broadcast address of the subnet 192.168.100.0/24");
    dhcp_refused("<range start='192.168.100.0' end='192.168.100.9'/>\n", 5,
                 "192.168.100.0 is the network address");
    dhcp_refused("<range start='192.168.100.9' end='192.168.100.2'/>\n", 5,
                 "<range start='192.168.100.9' end='192.168.100.2'>: start is after end");
    dhcp_refused("<range start='192.168.100.1' end='192.168.100.9'/>\n", 5,
                 "<range start='192.168.100.1' end='192.168.100.9'> contains the host's own "
                 "address 192.168.100.1");
    dhcp_refused("<host ip='192.168.100.5'/>\n", 5, "<host> needs mac= or name=");
    dhcp_refused("<host mac='52:54:00:00:00:05'/>\n", 5, "<host> needs ip='...'");
    dhcp_refused("<host mac='52:54:00:00:00' ip='192.168.100.5'/>\n", 5,
                 "<host mac='52:54:00:00:00'> is not a MAC address");
    dhcp_refused("<host mac='ff:ff:ff:ff:ff:ff' ip='192.168.100.5'/>\n", 5,
                 "is a multicast address");
    dhcp_refused("<host name='a b' ip='192.168.100.5'/>\n", 5,
                 "<host name='a b'> is not a valid DNS name");
    dhcp_refused("<host id='0:1:0:1' name='a' ip='192.168.100.5'/>\n", 5,
                 "attribute 'id' of <host>");
    dhcp_refused("<host name='a' ip='192.168.100.5'>\n<lease expiry='1'/>\n</host>\n", 6,
                 "<lease> is not supported");
    dhcp_refused("<host name='a' ip='10.0.0.5'/>\n", 5,
                 "<host ip='10.0.0.5'> is outside the subnet 192.168.100.0/24");
    dhcp_refused("<host name='a' ip='192.168.100.255'/>\n", 5,
                 "<host ip='192.168.100.255'> is the broadcast address");
    dhcp_refused("<host name='a' ip='192.168.100.1'/>\n", 5,
                 "<host ip='192.168.100.1'> is the host's own address");
    dhcp_refused("<host mac='52:54:00:00:00:05' ip='192.168.100.5'/>\n"
                 "<host mac='52:54:00:00:00:05' ip='192.168.100.6'/>\n", 6,
                 "<host mac='52:54:00:00:00:05'> is given twice (see line 5)");
    dhcp_refused("<host mac='52:54:00:00:00:05' ip='192.168.100.5'/>\n"
                 "<host mac='52:54:00:00:00:06' ip='192.168.100.6'/>\n"
                 "<host mac='52:54:00:00:00:07' ip='192.168.100.5'/>\n", 7,
                 "<host ip='192.168.100.5'> is given twice (see line 5)");
    dhcp_refused("<host name='web' ip='192.168.100.5'/>\n"
                 "<host name='WEB' ip='192.168.100.6'/>\n", 6,
                 "<host name='WEB'> is given twice (see line 5)");
    dhcp_refused("<range start='192.168.100.2' end='192.168.100.9'/>\n<tftp/>\n", 6,
                 "<tftp> is not supported");
}

static void refuses_mode_conflicts(void **state)
{
    (void)state;
    const char *ip = "<ip address='10.0.0.1' prefix='24'/>\n";
    refused("<forward mode='bridge'/>\n", 3,
            "<forward mode='bridge'> needs <bridge name='...'> (a host bridge the guests join) "
            "or <interface dev='...'> children");
    refused("<forward mode='bridge'/>\n<bridge stp='off'/>\n", 3,
            "<forward mode='bridge'> needs <bridge name='...'>");
    refused("<forward mode='bridge'/>\n<bridge name='br0' stp='on'/>\n", 4,
            "<bridge stp> is not allowed with <forward mode='bridge'>");
    refused("<forward mode='bridge'/>\n<bridge name='br0' delay='0'/>\n", 4,
            "<bridge delay> is not allowed with <forward mode='bridge'>");
    refused("<forward mode='bridge' dev='eth0'/>\n<bridge name='br0'/>\n", 3,
            "<forward dev='eth0'> is not allowed with mode='bridge'");
    refused("<forward mode='bridge'/>\n<bridge name='br0'/>\n<mac address='52:54:00:00:00:01'/>\n",
            5, "<mac> is not allowed with <forward mode='bridge'>");
    refused("<forward mode='bridge'/>\n<bridge name='br0'/>\n<ip address='10.0.0.1' "
            "prefix='24'/>\n", 5, "<ip> is not allowed with <forward mode='bridge'>");
    refused("<forward mode='bridge'/>\n<bridge name='br0'/>\n<dns/>\n", 5,
            "<dns> is not allowed with <forward mode='bridge'>");
    refused("<forward mode='bridge'/>\n<bridge name='br0'/>\n<domain name='x.lan'/>\n", 5,
            "<domain> is not allowed with <forward mode='bridge'>");
    refused("<forward mode='nat'/>\n", 3, "<forward mode='nat'> needs an <ip address=");
    refused("<forward/>\n<bridge name='v'/>\n", 3, "<forward mode='nat'> needs an <ip");
    refused("<forward mode='route'/>\n", 3, "<forward mode='route'> needs an <ip");
    refused("<forward mode='open'/>\n", 3, "<forward mode='open'> needs an <ip");
    char *b = vr_asprintf("<forward mode='open' dev='eth0'/>\n%s", ip);
    refused(b, 3, "<forward dev='eth0'> is not allowed with mode='open'");
    free(b);
}

static void malformed_xml(void **state)
{
    (void)state;
    char *err = NULL;
    const char *xml = "<network>\n<name>n</name>\n";
    assert_null(vr_network_def_parse(xml, strlen(xml), NULL, NULL, &err));
    assert_one_line(err);
    assert_true(strncmp(err, "line ", 5) == 0);
    free(err);
    err = NULL;
    refused_at("<domain type='kvm'/>", 1, "the root element is <domain>, expected <network>");
    refused_at("<!DOCTYPE network [<!ENTITY x 'y'>]>\n<network><name>&x;</name></network>", 1,
               "<!DOCTYPE> is not allowed");
    assert_null(vr_network_def_parse("", 0, NULL, NULL, &err));
    assert_string_equal(err, "empty XML document");
    free(err);
}

/* ---- helpers ----------------------------------------------------------------------- */

static void subnet_helpers(void **state)
{
    (void)state;
    assert_ip(vr_net_prefix_mask(0), "0.0.0.0");
    assert_ip(vr_net_prefix_mask(1), "128.0.0.0");
    assert_ip(vr_net_prefix_mask(8), "255.0.0.0");
    assert_ip(vr_net_prefix_mask(20), "255.255.240.0");
    assert_ip(vr_net_prefix_mask(24), "255.255.255.0");
    assert_ip(vr_net_prefix_mask(30), "255.255.255.252");
    assert_ip(vr_net_prefix_mask(32), "255.255.255.255");

    assert_true(vr_net_in_subnet(ip4("192.168.122.77"), ip4("192.168.122.1"), 24));
    assert_false(vr_net_in_subnet(ip4("192.168.123.77"), ip4("192.168.122.1"), 24));
    assert_true(vr_net_in_subnet(ip4("192.168.123.77"), ip4("192.168.122.1"), 23));
    assert_true(vr_net_in_subnet(ip4("8.8.8.8"), ip4("10.0.0.0"), 0));
    assert_false(vr_net_in_subnet(ip4("10.0.0.2"), ip4("10.0.0.1"), 32));

    assert_true(vr_net_subnets_overlap(ip4("192.168.122.1"), 24, ip4("192.168.122.200"), 24));
    assert_false(vr_net_subnets_overlap(ip4("192.168.122.1"), 24, ip4("192.168.123.1"), 24));
    /* One inside the other, either way round. */
    assert_true(vr_net_subnets_overlap(ip4("10.0.0.0"), 8, ip4("10.20.30.0"), 24));
    assert_true(vr_net_subnets_overlap(ip4("10.20.30.0"), 24, ip4("10.0.0.0"), 8));
    assert_false(vr_net_subnets_overlap(ip4("10.0.0.0"), 8, ip4("11.0.0.0"), 8));
    assert_false(vr_net_subnets_overlap(ip4("172.16.0.0"), 12, ip4("172.32.0.1"), 24));
    assert_true(vr_net_subnets_overlap(ip4("172.16.0.0"), 12, ip4("172.31.255.1"), 24));

    assert_string_equal(vr_net_forward_name(VR_NET_FWD_ROUTE), "route");
    assert_string_equal(vr_net_forward_name(VR_NET_FWD_OPEN), "open");
    assert_string_equal(vr_net_forward_name(VR_NET_FWD_BRIDGE), "bridge");
}

/* ---- net-update ip-dhcp-host -------------------------------------------------------- */

/* Refused, def untouched (same text before and after). */
static void update_refused(vr_network_def *def, bool add, const char *xml, const char *needle)
{
    char *before = vr_network_def_format(def);
    char *err = NULL;
    int rc = add ? vr_network_def_dhcp_host_add(def, xml, &err)
                 : vr_network_def_dhcp_host_delete(def, xml, &err);
    assert_int_equal(rc, -1);
    assert_one_line(err);
    if (!strstr(err, needle))
        fail_msg("message '%s'\n  expected '...%s...'", err, needle);
    char *after = vr_network_def_format(def);
    assert_string_equal(before, after);
    free(err);
    free(before);
    free(after);
}

static void dhcp_host_add(void **state)
{
    (void)state;
    vr_network_def *def = parse_fixture("dhcp-hosts.xml", NULL);
    char *err = NULL;
    assert_int_equal(vr_network_def_dhcp_host_add(
                         def, "<host mac='52:54:00:00:00:99' name='new' ip='192.168.100.50'/>",
                         &err), 0);
    assert_null(err);
    assert_int_equal(def->ip.n_hosts, 4);
    assert_string_equal(def->ip.hosts[3].name, "new");
    char *out = assert_fixed_point(def);
    assert_contains(out, "<host mac=\"52:54:00:00:00:99\" name=\"new\" ip=\"192.168.100.50\"/>");
    free(out);

    update_refused(def, true, "<host mac='52:54:00:AA:00:01' ip='192.168.100.51'/>",
                   "<host mac='52:54:00:aa:00:01'> is already in the DHCP hosts of network 'lab'");
    update_refused(def, true, "<host name='Web' ip='192.168.100.51'/>",
                   "<host name='Web'> is already in the DHCP hosts");
    update_refused(def, true, "<host name='x' ip='192.168.100.12'/>",
                   "<host ip='192.168.100.12'> is already in the DHCP hosts");
    update_refused(def, true, "<host name='x' ip='192.168.101.5'/>",
                   "<host ip='192.168.101.5'> is outside the subnet 192.168.100.0/24");
    update_refused(def, true, "<host name='x' ip='192.168.100.1'/>", "is the host's own address");
    update_refused(def, true, "<host name='x'/>", "line 1: <host> needs ip='...'");
    update_refused(def, true, "<host ip='192.168.100.60'/>", "<host> needs mac= or name=");
    update_refused(def, true, "<host name='x' ip='fd00::5'/>",
                   "net-update of IPv6 DHCP hosts (id= or an IPv6 ip=) is not supported yet: "
                   "change them with 'vireo net-edit lab'");
    update_refused(def, false, "<host id='0:3:0:1:52:54:0:0:0:1'/>", "net-update of IPv6 DHCP hosts");
    update_refused(def, true, "<host name='x' ip='192.168.100.60' id='1'/>",
                   "attribute 'id' of <host> is not supported by Vireo (see docs/xml-network.md)");
    update_refused(def, true, "<range start='192.168.100.2' end='192.168.100.3'/>",
                   "the root element is <range>, expected <host>");
    update_refused(def, true, "<host name='x'", "line 1: ");
    update_refused(def, true, "", "empty XML document");
    vr_network_def_free(def);

    /* A network without <ip> has no DHCP to add to. */
    def = parse_fixture("bridge.xml", NULL);
    update_refused(def, true, "<host name='x' ip='10.0.0.5'/>",
                   "network 'host-bridge' has no <ip>, so no DHCP hosts");
    vr_network_def_free(def);

    /* The first host makes the subnet DHCP-served: the same prefix rule. */
    def = body_ok("<ip address='10.0.0.1' prefix='4'/>\n");
    update_refused(def, true, "<host name='x' ip='10.0.0.5'/>",
                   "a subnet served by DHCP needs a prefix from 8 to 30");
    vr_network_def_free(def);
}

static void dhcp_host_delete(void **state)
{
    (void)state;
    vr_network_def *def = parse_fixture("dhcp-hosts.xml", NULL);
    char *err = NULL;

    update_refused(def, false, "<host mac='52:54:00:00:00:77'/>",
                   "network 'lab' has no DHCP host with mac='52:54:00:00:00:77'");
    update_refused(def, false, "<host name='nobody'/>",
                   "network 'lab' has no DHCP host with name='nobody'");
    update_refused(def, false, "<host mac='52:54:00:aa:00:01' ip='192.168.100.99'/>",
                   "the DHCP host mac='52:54:00:aa:00:01' of network 'lab' has "
                   "ip='192.168.100.10', not ip='192.168.100.99'");
    update_refused(def, false, "<host mac='52:54:00:aa:00:02' name='other'/>",
                   "the DHCP host mac='52:54:00:aa:00:02' of network 'lab' has no name, not "
                   "name='other'");
    update_refused(def, false, "<host mac='52:54:00:aa:00:01' name='other'/>",
                   "has name='web', not name='other'");
    update_refused(def, false, "<host ip='192.168.100.10'/>", "<host> needs mac= or name=");

    /* By MAC (any case, with the other attributes agreeing). */
    assert_int_equal(vr_network_def_dhcp_host_delete(
                         def, "<host mac='52:54:00:AA:00:01' name='WEB' ip='192.168.100.10'/>",
                         &err), 0);
    assert_null(err);
    assert_int_equal(def->ip.n_hosts, 2);
    assert_string_equal(def->ip.hosts[0].mac, "52:54:00:aa:00:02");
    /* By name, for a host that has no MAC. */
    assert_int_equal(vr_network_def_dhcp_host_delete(def, "<host name='db'/>", &err), 0);
    assert_int_equal(def->ip.n_hosts, 1);
    assert_int_equal(vr_network_def_dhcp_host_delete(def, "<host mac='52:54:00:aa:00:02'/>",
                                                     &err), 0);
    assert_int_equal(def->ip.n_hosts, 0);
    char *out = assert_fixed_point(def);
    assert_null(strstr(out, "<host"));
    assert_contains(out, "<range start=\"192.168.100.128\" end=\"192.168.100.254\"/>");
    free(out);

    /* Deleted, it can be added back. */
    assert_int_equal(vr_network_def_dhcp_host_add(
                         def, "<host mac='52:54:00:aa:00:01' name='web' ip='192.168.100.10'/>",
                         &err), 0);
    assert_int_equal(def->ip.n_hosts, 1);
    vr_network_def_free(def);
}


/* ---- IPv6 and libvirt's <dns> -------------------------------------------------- */

static const char *const dual_body =
    "<forward mode='nat'><nat ipv6='yes'/></forward>\n"
    "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip>\n"
    "<ip family='ipv6' address='fd00:1:2:3::1' prefix='64'>\n"
    "<dhcp>\n"
    "<range start='fd00:1:2:3::100' end='fd00:1:2:3::1ff'/>\n"
    "<host id='0:3:0:1:52:54:0:12:34:56' name='paul' ip='fd00:1:2:3::5'/>\n"
    "<host name='ringo' ip='fd00:1:2:3::6'/>\n"
    "</dhcp>\n"
    "</ip>\n";

static void ipv6_dual_stack(void **state)
{
    (void)state;
    vr_network_def *def = body_ok(dual_body);
    assert_true(def->ip.present);
    assert_true(def->ip6.present);
    assert_true(def->nat_ipv6);
    assert_int_equal(def->ip6.prefix, 64);
    assert_int_equal(def->ip6.line, 5);
    assert_int_equal(def->ip6.n_ranges, 1);
    assert_int_equal(def->ip6.n_hosts, 2);
    assert_string_equal(def->ip6.hosts[0].id, "0:3:0:1:52:54:0:12:34:56");
    assert_string_equal(def->ip6.hosts[0].name, "paul");
    assert_null(def->ip6.hosts[1].id);
    char *subnet = vr_net_ip6_subnet_str(&def->ip6);
    assert_string_equal(subnet, "fd00:1:2:3::/64");
    free(subnet);
    char *out = assert_fixed_point(def);
    assert_contains(out, "<forward mode=\"nat\">\n    <nat ipv6=\"yes\"/>\n  </forward>");
    assert_contains(out, "<ip family=\"ipv6\" address=\"fd00:1:2:3::1\" prefix=\"64\">");
    assert_contains(out, "<range start=\"fd00:1:2:3::100\" end=\"fd00:1:2:3::1ff\"/>");
    assert_contains(out, "<host id=\"0:3:0:1:52:54:0:12:34:56\" name=\"paul\" ip=\"fd00:1:2:3::5\"/>");
    assert_contains(out, "<host name=\"ringo\" ip=\"fd00:1:2:3::6\"/>");
    /* The IPv4 <ip> stays first, as libvirt writes them. */
    assert_true(strstr(out, "<ip address=") < strstr(out, "<ip family=\"ipv6\""));
    free(out);
    vr_network_def_free(def);

    /* IPv6 only, routed: the network needs no IPv4 <ip>. */
    def = body_ok("<forward mode='route'/>\n<ip family='ipv6' address='fd00::1' prefix='64'>"
                  "<dhcp><range start='fd00::10' end='fd00::20'/></dhcp></ip>\n");
    assert_false(def->ip.present);
    assert_true(def->ip6.present);
    assert_true(vr_net_serves_dhcp(def));
    out = assert_fixed_point(def);
    assert_null(strstr(out, "<ip address="));
    free(out);
    vr_network_def_free(def);
    refused("<forward mode='vepa'><interface dev='eth0'/></forward>\n<ip family='ipv6' "
            "address='fd00::1' prefix='64'/>\n", 4, "<ip> is not allowed in a macvtap network");

    /* Written in the other order and without family=: the same network. */
    def = body_ok("<ip address='fd00::1' prefix='64'/>\n<ip address='10.0.0.1' prefix='24'/>\n");
    assert_true(def->ip6.present);
    assert_int_equal(def->ip6.n_ranges, 0);
    assert_false(def->nat_ipv6);
    free(assert_fixed_point(def));
    vr_network_def_free(def);
}

static void dns_libvirt(void **state)
{
    (void)state;
    vr_network_def *def = body_ok(
        "<domain name='lab.test'/>\n"
        "<dns forwardPlainNames='no'>\n"
        "<forwarder domain='example.com' addr='192.0.2.53'/>\n"
        "<forwarder addr='2001:db8::53'/>\n"
        "<forwarder domain='local.test'/>\n"
        "<txt name='info' value='hello, world'/>\n"
        "<srv service='ldap' protocol='tcp' domain='lab.test' target='dir.lab.test' port='389' "
        "priority='10' weight='5'/>\n"
        "<srv service='sip' protocol='udp'/>\n"
        "<host ip='fd00::7'><hostname>six</hostname></host>\n"
        "<host ip='10.0.0.7'><hostname>four</hostname><hostname>vier</hostname></host>\n"
        "</dns>\n"
        "<ip address='10.0.0.1' prefix='24'/>\n<ip family='ipv6' address='fd00::1' prefix='64'/>\n");
    const vr_net_dns *dns = &def->dns;
    assert_false(dns->disabled);
    assert_int_equal(dns->forward_plain_names, VR_NET_TRI_NO);
    assert_int_equal(dns->n_forwarders, 3);
    assert_null(dns->forwarders[1].domain);
    assert_null(dns->forwarders[2].addr);
    assert_int_equal(dns->n_txts, 1);
    assert_int_equal(dns->n_srvs, 2);
    assert_int_equal(dns->srvs[0].port, 389);
    assert_null(dns->srvs[1].target);
    assert_int_equal(def->n_dns_hosts, 2);
    assert_true(def->dns_hosts[0].v6);
    assert_false(def->dns_hosts[1].v6);
    char *out = assert_fixed_point(def);
    assert_contains(out, "<dns forwardPlainNames=\"no\">");
    assert_contains(out, "<forwarder domain=\"example.com\" addr=\"192.0.2.53\"/>");
    assert_contains(out, "<forwarder addr=\"2001:db8::53\"/>");
    assert_contains(out, "<forwarder domain=\"local.test\"/>");
    assert_contains(out, "<txt name=\"info\" value=\"hello, world\"/>");
    assert_contains(out, "<srv service=\"ldap\" protocol=\"tcp\" domain=\"lab.test\" "
                         "target=\"dir.lab.test\" port=\"389\" priority=\"10\" weight=\"5\"/>");
    assert_contains(out, "<srv service=\"sip\" protocol=\"udp\"/>");
    assert_contains(out, "<host ip=\"fd00::7\">\n      <hostname>six</hostname>");
    free(out);
    vr_network_def_free(def);

    /* DNS off, DHCP kept. */
    def = body_ok("<dns enable='no'/>\n<ip address='10.0.0.1' prefix='24'><dhcp><range "
                  "start='10.0.0.2' end='10.0.0.9'/></dhcp></ip>\n");
    assert_true(def->dns.disabled);
    out = assert_fixed_point(def);
    assert_contains(out, "<dns enable=\"no\"/>");
    free(out);
    vr_network_def_free(def);
}

static void refuses_ipv6(void **state)
{
    (void)state;
    const char *v4 = "<ip address='10.0.0.1' prefix='24'/>\n";
#define V6_REFUSED(v6, line, needle) refused_pair(v4, v6, line, needle)
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'>\n<dhcp>\n"
               "<range start='fd00::10' end='fd01::20'/>\n</dhcp>\n</ip>\n", 6,
               "<range start='fd00::10' end='fd01::20'>: fd01::20 is outside the subnet fd00::/64");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'>\n<dhcp>\n"
               "<range start='fd00::20' end='fd00::10'/>\n</dhcp>\n</ip>\n", 6, "start is after end");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'>\n<dhcp>\n"
               "<range start='fd00::1' end='fd00::10'/>\n</dhcp>\n</ip>\n", 6,
               "contains the host's own address fd00::1");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='48'>\n<dhcp>\n"
               "<range start='fd00::10' end='fd00::20'/>\n</dhcp>\n</ip>\n", 4,
               "<ip family='ipv6' prefix='48'>: DHCPv6 needs prefix='64'");
    V6_REFUSED("<ip family='ipv6' address='fd00::' prefix='64'/>\n", 4,
               "<ip address='fd00::'> is the subnet-router anycast address of the subnet fd00::/64");
    V6_REFUSED("<ip family='ipv6' address='fe80::1' prefix='64'/>\n", 4,
               "<ip address='fe80::1'> is not a unicast global or unique-local address");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' netmask='ffff::'/>\n", 4,
               "<ip family='ipv6'> takes prefix=, not netmask=");
    V6_REFUSED("<ip family='ipv6' address='fd00::1'/>\n", 4, "<ip family='ipv6'> needs prefix=");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='127'/>\n", 4,
               "<ip prefix='127'>: expected a number from 8 to 126");
    V6_REFUSED("<ip family='ipv6' address='10.0.0.9' prefix='64'/>\n", 4,
               "<ip address='10.0.0.9'> is not an IPv6 address");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'/>\n"
               "<ip family='ipv6' address='fd01::1' prefix='64'/>\n", 5,
               "a second IPv6 <ip> is not supported by Vireo (one IPv6 subnet per network; the "
               "first is on line 4)");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'><dhcp>\n"
               "<host mac='52:54:00:00:00:01' ip='fd00::5'/>\n</dhcp></ip>\n", 5,
               "<host mac=...> is for IPv4: an IPv6 <host> is matched by id='DUID' or name=");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'><dhcp>\n"
               "<host ip='fd00::5'/>\n</dhcp></ip>\n", 5, "an IPv6 <host> needs id='DUID' or name=");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'><dhcp>\n"
               "<host id='zz:1' ip='fd00::5'/>\n</dhcp></ip>\n", 5, "<host id='zz:1'> is not a DUID");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'><dhcp>\n"
               "<host name='a' ip='fd00::5'/>\n<host name='A' ip='fd00::6'/>\n</dhcp></ip>\n", 6,
               "<host name='A'> is given twice (see line 5)");
    V6_REFUSED("<ip family='ipv6' address='fd00::1' prefix='64'><dhcp>\n"
               "<host name='a' ip='fd01::5'/>\n</dhcp></ip>\n", 5,
               "<host ip='fd01::5'> is outside the subnet fd00::/64");
#undef V6_REFUSED
    refused("<forward mode='route'><nat ipv6='yes'/></forward>\n<ip address='10.0.0.1' "
            "prefix='24'/>\n", 3, "<nat ipv6='yes'> goes with <forward mode='nat'>");
    refused("<forward mode='nat'><nat ipv6='yes'/></forward>\n<ip address='10.0.0.1' "
            "prefix='24'/>\n", 3, "<nat ipv6='yes'> needs an <ip family='ipv6'>");
    refused("<forward mode='nat'><nat ipv6='maybe'/></forward>\n<ip address='10.0.0.1' "
            "prefix='24'/>\n", 3, "<nat ipv6='maybe'>");
    refused("<forward mode='bridge'/>\n<bridge name='br0'/>\n<ip family='ipv6' address='fd00::1' "
            "prefix='64'/>\n", 5, "<ip> is not allowed with <forward mode='bridge'>");
}

static void refuses_dns_entries(void **state)
{
    (void)state;
    const char *ip = "<ip address='10.0.0.1' prefix='24'/>\n";
#define DNS_REFUSED(dns, line, needle) refused_pair(dns, ip, line, needle)
    DNS_REFUSED("<dns>\n<srv service='www' protocol='tcp' target='w.example' port='70000'/>\n</dns>\n",
                4, "<srv port='70000'>: expected a number from 1 to 65535");
    DNS_REFUSED("<dns>\n<srv service='www' protocol='tcp' target='w.example' port='0'/>\n</dns>\n",
                4, "<srv port='0'>: expected a number from 1 to 65535");
    DNS_REFUSED("<dns>\n<srv service='www' protocol='tcp' port='80'/>\n</dns>\n", 4,
                "<srv port='80'> needs target='...'");
    DNS_REFUSED("<dns>\n<srv protocol='tcp'/>\n</dns>\n", 4, "<srv> needs service='...'");
    DNS_REFUSED("<dns>\n<srv service='a_b' protocol='tcp'/>\n</dns>\n", 4,
                "<srv service='a_b'> is not a service name");
    DNS_REFUSED("<dns>\n<srv service='www' protocol='sctp'/>\n</dns>\n", 4, "<srv protocol='sctp'>");
    DNS_REFUSED("<dns>\n<srv service='www' protocol='tcp' target='a,b'/>\n</dns>\n", 4,
                "<srv target='a,b'> is not a valid DNS name");
    DNS_REFUSED("<dns>\n<txt name='x' value='say \"hi\"'/>\n</dns>\n", 4,
                "<txt value='say \"hi\"'> must be 1 to 255 printable ASCII characters");
    DNS_REFUSED("<dns>\n<txt name='x'/>\n</dns>\n", 4, "<txt> needs value='...'");
    DNS_REFUSED("<dns>\n<txt name='bad name' value='v'/>\n</dns>\n", 4,
                "<txt name='bad name'> is not a valid DNS name");
    DNS_REFUSED("<dns>\n<forwarder addr='8.8.8'/>\n</dns>\n", 4,
                "<forwarder addr='8.8.8'> is not an IPv4 or IPv6 address");
    DNS_REFUSED("<dns>\n<forwarder addr='8.8.8.8' port='53'/>\n</dns>\n", 4,
                "attribute 'port' of <forwarder>");
    DNS_REFUSED("<dns enable='no'>\n<host ip='10.0.0.5'><hostname>a</hostname></host>\n</dns>\n", 3,
                "<dns enable='no'> cannot have hosts, forwarders, SRV or TXT records");
    DNS_REFUSED("<dns enable='no' forwardPlainNames='yes'/>\n", 3, "<dns enable='no'> cannot have");
    DNS_REFUSED("<domain name='x.test' localOnly='yes'/>\n<dns enable='no'/>\n", 3,
                "<domain localOnly='yes'> needs DNS");
#undef DNS_REFUSED
}

static void subnet6_helpers(void **state)
{
    (void)state;
    struct in6_addr a, b;
    inet_pton(AF_INET6, "fd00:1::5", &a);
    inet_pton(AF_INET6, "fd00:1::", &b);
    assert_true(vr_net_in_subnet6(&a, &b, 64));
    assert_true(vr_net_subnets_overlap6(&a, 64, &b, 32));
    inet_pton(AF_INET6, "fd00:2::", &b);
    assert_false(vr_net_in_subnet6(&a, &b, 64));
    assert_true(vr_net_in_subnet6(&a, &b, 30)); /* fd00:0000-0003 share /30 */
    assert_false(vr_net_subnets_overlap6(&a, 64, &b, 64));
    inet_pton(AF_INET6, "fd00:1:0:0:8000::", &b);
    assert_true(vr_net_in_subnet6(&a, &b, 64));
    assert_false(vr_net_in_subnet6(&a, &b, 65)); /* a bit past a byte boundary */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(libvirt_default),
        cmocka_unit_test(libvirt_dumpxml),
        cmocka_unit_test(isolated),
        cmocka_unit_test(routed),
        cmocka_unit_test(bridge_mode),
        cmocka_unit_test(no_ip),
        cmocka_unit_test(macvtap),
        cmocka_unit_test(dhcp_hosts),
        cmocka_unit_test(dns_hosts),
        cmocka_unit_test(generated_values),
        cmocka_unit_test(refuses_outside_subset),
        cmocka_unit_test(refuses_names),
        cmocka_unit_test(refuses_dns),
        cmocka_unit_test(refuses_ip),
        cmocka_unit_test(refuses_dhcp),
        cmocka_unit_test(refuses_mode_conflicts),
        cmocka_unit_test(malformed_xml),
        cmocka_unit_test(subnet_helpers),
        cmocka_unit_test(dhcp_host_add),
        cmocka_unit_test(dhcp_host_delete),
        cmocka_unit_test(ipv6_dual_stack),
        cmocka_unit_test(dns_libvirt),
        cmocka_unit_test(refuses_ipv6),
        cmocka_unit_test(refuses_dns_entries),
        cmocka_unit_test(subnet6_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
