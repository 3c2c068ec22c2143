/* An interface's <bandwidth> (libvirt's "Quality of service"):
 * <inbound average peak burst floor/> is what reaches the guest,
 * <outbound average peak burst/> what it sends; average and peak in
 * KiB/s, burst in KiB. The network driver shapes the tap with them
 * (bandwidth.c there). `floor` needs QoS on the network (a network's
 * <bandwidth>), which Vireo does not do yet: refused by name. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>

/* The largest rate tc takes in its 32-bit kbps form, and a burst in KiB
 * whose bytes fit 32 bits. */
#define RATE_MAX 4294967295ULL
#define BURST_MAX 4194303ULL

/* Why a direction's values cannot be taken (malloc'ed), or NULL. */
static char *rate_problem(const char *name, const vr_bandwidth_rate *r)
{
    if (!r->set)
        return NULL;
    if (r->floor)
        return vr_asprintf("<%s floor> needs QoS on the network (a network's <bandwidth>), which is "
                           "not supported: remove floor (average, peak and burst are)", name);
    if (!r->average || r->average > RATE_MAX)
        return vr_asprintf("<%s> needs average='KiB/s' from 1 to %llu", name, RATE_MAX);
    if (r->peak && (r->peak < r->average || r->peak > RATE_MAX))
        return vr_asprintf("<%s peak='%llu'> is not from average='%llu' to %llu: peak is the highest "
                           "rate, give one at least the average", name, r->peak, r->average, RATE_MAX);
    if (r->burst > BURST_MAX)
        return vr_asprintf("<%s burst='%llu'> is over %llu KiB", name, r->burst, BURST_MAX);
    return NULL;
}

int vr_bandwidth_check(const vr_bandwidth_def *bw, char **err)
{
    char *why = rate_problem("inbound", &bw->in);
    if (!why)
        why = rate_problem("outbound", &bw->out);
    if (!why)
        return 0;
    vr_set_error(err, "%s", why);
    free(why);
    return -1;
}

static int parse_rate(vr_parse_state *st, const xmlNode *c, bool inbound, vr_bandwidth_rate *r)
{
    if (r->set)
        return vr_parse_duplicate(c, st->err);
    if (vr_xml_check_attrs(c, ATTRS("average", "peak", "burst", "floor"), st->err) < 0 ||
        vr_xml_check_empty(c, st->err) < 0)
        return -1;
    if (!inbound && xmlHasProp(c, (const xmlChar *)"floor"))
        return vr_xml_error(c, st->err, "<outbound> has no floor (libvirt's neither): remove it");
    if (vr_xml_attr_uint(c, "average", 0, ~0ULL, &r->average, st->err) < 0 ||
        vr_xml_attr_uint(c, "peak", 0, ~0ULL, &r->peak, st->err) < 0 ||
        vr_xml_attr_uint(c, "burst", 0, ~0ULL, &r->burst, st->err) < 0 ||
        vr_xml_attr_uint(c, "floor", 0, ~0ULL, &r->floor, st->err) < 0)
        return -1;
    r->set = true;
    char *why = rate_problem((const char *)c->name, r);
    if (!why)
        return 0;
    vr_xml_error(c, st->err, "%s", why);
    free(why);
    return -1;
}

int vr_parse_bandwidth(vr_parse_state *st, const xmlNode *n, vr_interface_def *in)
{
    if (in->bandwidth.in.set || in->bandwidth.out.set)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if (in->type != VR_NET_NETWORK && in->type != VR_NET_BRIDGE)
        return vr_xml_error(n, st->err, "<bandwidth> on a type='%s' interface: Vireo shapes the "
                            "taps it makes (type network or bridge); use one of those",
                            vr_net_type_names[in->type]);
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "inbound"))
            rc = parse_rate(st, c, true, &in->bandwidth.in);
        else if (vr_xml_is(c, "outbound"))
            rc = parse_rate(st, c, false, &in->bandwidth.out);
        else
            rc = vr_xml_unsupported(c, st->err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static void format_rate(xmlNode *bw, const char *name, const vr_bandwidth_rate *r)
{
    if (!r->set)
        return;
    xmlNode *n = vr_xml_new_child(bw, name);
    vr_xml_new_propf(n, "average", "%llu", r->average);
    if (r->peak)
        vr_xml_new_propf(n, "peak", "%llu", r->peak);
    if (r->burst)
        vr_xml_new_propf(n, "burst", "%llu", r->burst);
}

void vr_format_bandwidth(xmlNode *iface, const vr_bandwidth_def *bw)
{
    if (!bw->in.set && !bw->out.set)
        return;
    xmlNode *n = vr_xml_new_child(iface, "bandwidth");
    format_rate(n, "inbound", &bw->in);
    format_rate(n, "outbound", &bw->out);
}

static bool rate_equal(const vr_bandwidth_rate *a, const vr_bandwidth_rate *b)
{
    return a->set == b->set && a->average == b->average && a->peak == b->peak &&
           a->burst == b->burst && a->floor == b->floor;
}

bool vr_bandwidth_equal(const vr_bandwidth_def *a, const vr_bandwidth_def *b)
{
    return rate_equal(&a->in, &b->in) && rate_equal(&a->out, &b->out);
}
