/* How many connections each listener may hold, from the process's file
 * descriptor limit (RLIMIT_NOFILE), so that clients can never take the
 * descriptors QEMU monitors, consoles, dnsmasq and disk files need, and
 * the world-open read-only socket can never starve the full one. */
#pragma once
#include "daemon/http_guard.h"

typedef struct {
    unsigned long nofile;  /* the soft limit, after raising it */
    unsigned long reserve; /* kept for everything but clients */
    vr_http_limits api, ro, web;
} vr_fd_budget;

/* Raise the soft limit to the hard one (up to 65536), then split it:
 * a quarter (at least 256) is the reserve; of the rest, counting two
 * descriptors a client (a WebSocket bridge holds a socket pair), the
 * full socket and the web port get two fifths each and the read-only
 * socket one fifth. One uid may hold half of the full socket, 32 on the
 * read-only one; one web address an eighth of the web port's. Every
 * listener shares the timeouts given. */
void vr_fd_budget_plan(vr_fd_budget *b, unsigned header_secs, unsigned idle_secs);
