/* <dns> as libvirt has it, beyond its <host> entries (network_parse.c):
 * enable='no' (DHCP without DNS), forwardPlainNames, <forwarder>,
 * <srv> and <txt>. Every value that reaches dnsmasq's configuration is
 * checked here, so no comma, quote or newline can change its meaning. */
#include "conf/network_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const protocols[] = {"tcp", "udp", NULL};

int vr_net_parse_dns_attrs(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_dns *dns = &st->def->dns;
    if (vr_net_check_parent(n, NET_ATTRS("enable", "forwardPlainNames"), st->err) < 0)
        return -1;
    bool enable = true, plain = true;
    int rc = vr_xml_attr_bool(n, "enable", "yes", "no", &enable, st->err);
    if (rc < 0)
        return -1;
    dns->disabled = !enable;
    rc = vr_xml_attr_bool(n, "forwardPlainNames", "yes", "no", &plain, st->err);
    if (rc < 0)
        return -1;
    if (rc == 1)
        dns->forward_plain_names = plain ? VR_NET_TRI_YES : VR_NET_TRI_NO;
    return 0;
}

static int parse_forwarder(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_dns *dns = &st->def->dns;
    if (vr_net_check_leaf(n, NET_ATTRS("addr", "domain"), st->err) < 0)
        return -1;
    vr_net_dns_forwarder *f = VR_NET_PUSH(dns->forwarders, dns->n_forwarders);
    f->line = vr_xml_line(n);
    f->addr = vr_xml_attr(n, "addr");
    struct in6_addr any;
    if (f->addr && inet_pton(AF_INET, f->addr, &any) != 1 && inet_pton(AF_INET6, f->addr, &any) != 1)
        return vr_xml_error(n, st->err, "<forwarder addr='%s'> is not an IPv4 or IPv6 address",
                            f->addr);
    if (vr_net_attr_dns_name(n, "domain", &f->domain, st->err) < 0)
        return -1;
    if (!f->addr && !f->domain)
        return vr_xml_error(n, st->err, "<forwarder> needs addr= (a server), domain= (names "
                            "kept local) or both");
    return 0;
}

/* An SRV service label: 1 to 15 of letters, digits and '-' (RFC 6335). */
static bool valid_service(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 15 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-')
            return false;
    return true;
}

static int srv_number(const xmlNode *n, const char *attr, unsigned long long min, unsigned *out,
                      char **err)
{
    unsigned long long v = 0;
    int rc = vr_xml_attr_uint(n, attr, min, 65535, &v, err);
    *out = (unsigned)v;
    return rc;
}

static int parse_srv(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_dns *dns = &st->def->dns;
    char **err = st->err;
    if (vr_net_check_leaf(n, NET_ATTRS("service", "protocol", "domain", "target", "port",
                                       "priority", "weight"), err) < 0)
        return -1;
    vr_net_dns_srv *s = VR_NET_PUSH(dns->srvs, dns->n_srvs);
    s->line = vr_xml_line(n);
    s->service = vr_xml_attr(n, "service");
    if (!s->service)
        return vr_net_missing(n, "service", err);
    if (!valid_service(s->service))
        return vr_xml_error(n, err, "<srv service='%s'> is not a service name (1 to 15 of "
                            "A-Z a-z 0-9 -)", s->service);
    int proto;
    int rc = vr_xml_attr_enum(n, "protocol", protocols, &proto, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_net_missing(n, "protocol", err);
    s->protocol = vr_strdup(protocols[proto]);
    if (vr_net_attr_dns_name(n, "domain", &s->domain, err) < 0)
        return -1;
    /* "." is the standard "no such service here" target. */
    char *target = vr_xml_attr(n, "target");
    if (target && strcmp(target, ".") == 0) {
        s->target = target;
    } else {
        free(target);
        if (vr_net_attr_dns_name(n, "target", &s->target, err) < 0)
            return -1;
    }
    if ((rc = srv_number(n, "port", 1, &s->port, err)) < 0)
        return -1;
    if (rc == 1 && !s->target)
        return vr_xml_error(n, err, "<srv port='%u'> needs target='...' (the host that "
                            "serves it)", s->port);
    if (srv_number(n, "priority", 0, &s->priority, err) < 0 ||
        srv_number(n, "weight", 0, &s->weight, err) < 0)
        return -1;
    return 0;
}

/* Printable ASCII without '"' and '\': dnsmasq reads the value quoted. */
static bool valid_txt(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 255)
        return false;
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return false;
    return true;
}

static int parse_txt(vr_net_parse_state *st, const xmlNode *n)
{
    vr_net_dns *dns = &st->def->dns;
    if (vr_net_check_leaf(n, NET_ATTRS("name", "value"), st->err) < 0)
        return -1;
    vr_net_dns_txt *t = VR_NET_PUSH(dns->txts, dns->n_txts);
    t->line = vr_xml_line(n);
    int rc = vr_net_attr_dns_name(n, "name", &t->name, st->err);
    if (rc <= 0)
        return rc < 0 ? -1 : vr_net_missing(n, "name", st->err);
    t->value = vr_xml_attr(n, "value");
    if (!t->value)
        return vr_net_missing(n, "value", st->err);
    if (!valid_txt(t->value))
        return vr_xml_error(n, st->err, "<txt value='%s'> must be 1 to 255 printable ASCII "
                            "characters without '\"' and '\\'", t->value);
    return 0;
}

int vr_net_parse_dns_child(vr_net_parse_state *st, const xmlNode *n, bool *taken)
{
    *taken = true;
    if (vr_xml_is(n, "forwarder"))
        return parse_forwarder(st, n);
    if (vr_xml_is(n, "srv"))
        return parse_srv(st, n);
    if (vr_xml_is(n, "txt"))
        return parse_txt(st, n);
    *taken = false;
    return 0;
}

bool vr_net_dns_has_content(const vr_network_def *def)
{
    const vr_net_dns *d = &def->dns;
    return def->n_dns_hosts || d->disabled || d->forward_plain_names != VR_NET_TRI_DEFAULT ||
           d->n_forwarders || d->n_srvs || d->n_txts;
}

int vr_net_validate_dns(const vr_net_parse_state *st)
{
    const vr_network_def *def = st->def;
    const vr_net_dns *dns = &def->dns;
    if (!dns->disabled)
        return 0;
    /* As libvirt: a disabled DNS with entries is a mistake to point out. */
    if (def->n_dns_hosts || dns->n_forwarders || dns->n_srvs || dns->n_txts ||
        dns->forward_plain_names != VR_NET_TRI_DEFAULT)
        return vr_xml_error(st->dns, st->err, "<dns enable='no'> cannot have hosts, forwarders, "
                            "SRV or TXT records or forwardPlainNames: there is no DNS server "
                            "to serve them");
    if (st->domain && def->domain_local)
        return vr_xml_error(st->domain, st->err, "<domain localOnly='yes'> needs DNS, which "
                            "<dns enable='no'> turns off");
    return 0;
}

static void prop_num(xmlNode *n, const char *name, unsigned v)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "%u", v);
    xmlNewProp(n, BAD_CAST name, BAD_CAST buf);
}

static void prop_opt(xmlNode *n, const char *name, const char *v)
{
    if (v)
        xmlNewProp(n, BAD_CAST name, BAD_CAST v);
}

/* libvirt's order: attributes, forwarders, txt, srv (hosts follow, by
 * the caller). */
void vr_net_format_dns(xmlNode *n, const vr_network_def *def)
{
    const vr_net_dns *dns = &def->dns;
    if (dns->disabled)
        xmlNewProp(n, BAD_CAST "enable", BAD_CAST "no");
    if (dns->forward_plain_names != VR_NET_TRI_DEFAULT)
        xmlNewProp(n, BAD_CAST "forwardPlainNames",
                   BAD_CAST(dns->forward_plain_names == VR_NET_TRI_YES ? "yes" : "no"));
    for (size_t i = 0; i < dns->n_forwarders; i++) {
        xmlNode *f = xmlNewChild(n, NULL, BAD_CAST "forwarder", NULL);
        prop_opt(f, "domain", dns->forwarders[i].domain);
        prop_opt(f, "addr", dns->forwarders[i].addr);
    }
    for (size_t i = 0; i < dns->n_txts; i++) {
        xmlNode *t = xmlNewChild(n, NULL, BAD_CAST "txt", NULL);
        prop_opt(t, "name", dns->txts[i].name);
        prop_opt(t, "value", dns->txts[i].value);
    }
    for (size_t i = 0; i < dns->n_srvs; i++) {
        const vr_net_dns_srv *s = &dns->srvs[i];
        xmlNode *x = xmlNewChild(n, NULL, BAD_CAST "srv", NULL);
        prop_opt(x, "service", s->service);
        prop_opt(x, "protocol", s->protocol);
        prop_opt(x, "domain", s->domain);
        prop_opt(x, "target", s->target);
        if (s->port)
            prop_num(x, "port", s->port);
        if (s->priority)
            prop_num(x, "priority", s->priority);
        if (s->weight)
            prop_num(x, "weight", s->weight);
    }
}

void vr_net_dns_clear(vr_net_dns *dns)
{
    for (size_t i = 0; i < dns->n_forwarders; i++) {
        free(dns->forwarders[i].addr);
        free(dns->forwarders[i].domain);
    }
    free(dns->forwarders);
    for (size_t i = 0; i < dns->n_srvs; i++) {
        vr_net_dns_srv *s = &dns->srvs[i];
        free(s->service);
        free(s->protocol);
        free(s->domain);
        free(s->target);
    }
    free(dns->srvs);
    for (size_t i = 0; i < dns->n_txts; i++) {
        free(dns->txts[i].name);
        free(dns->txts[i].value);
    }
    free(dns->txts);
    memset(dns, 0, sizeof(*dns));
}
