/* An interface's <bandwidth> on its tap, as libvirt's virNetDevBandwidthSet
 * does it: inbound (to the guest: the tap's egress on the host) an htb
 * root qdisc with one class (rate = average, ceil = peak, burst) and sfq
 * under it where the kernel has sch_sfq; outbound (from the guest: the
 * tap's ingress) a police filter on the ingress qdisc that drops above
 * the average (a kernel without act_police: refused, saying so). Run with tc
 * (iproute2): libnl has no police action (docs/dependencies.md). */
#pragma once
#include "conf/domain_conf.h"

/* Replace whatever shaping `ifname` has with `bw` (none given: none). */
int vr_bandwidth_apply(const char *ifname, const vr_bandwidth_def *bw, char **err);
