#include "daemon/fd_budget.h"
#include "common/log.h"

#include <sys/resource.h>

#define MAX_NOFILE 65536ul
#define RO_PER_UID 32u

static unsigned at_most(unsigned long v, unsigned long max) { return (unsigned)(v < max ? v : max); }
static unsigned at_least(unsigned v, unsigned min) { return v > min ? v : min; }

void vr_fd_budget_plan(vr_fd_budget *b, unsigned header_secs, unsigned idle_secs)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max && rl.rlim_cur < MAX_NOFILE) {
        rlim_t want = rl.rlim_max < MAX_NOFILE ? rl.rlim_max : MAX_NOFILE;
        struct rlimit raised = {.rlim_cur = want, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            rl.rlim_cur = want;
    }
    unsigned long nofile = rl.rlim_cur == RLIM_INFINITY ? MAX_NOFILE : (unsigned long)rl.rlim_cur;
    unsigned long reserve = nofile / 4 > 256 ? nofile / 4 : 256;
    unsigned long clients = nofile > reserve ? (nofile - reserve) / 2 : 0;
    b->nofile = nofile;
    b->reserve = reserve;
    vr_http_limits common = {.header_secs = header_secs, .idle_secs = idle_secs};
    b->api = b->ro = b->web = common;
    b->api.max_conns = at_least(at_most(clients * 2 / 5, 4096), 8);
    b->web.max_conns = b->api.max_conns;
    b->ro.max_conns = at_least(at_most(clients / 5, 1024), 4);
    b->api.max_per_peer = at_least(b->api.max_conns / 2, 4);
    b->ro.max_per_peer = at_most(RO_PER_UID, b->ro.max_conns);
    b->web.max_per_peer = at_least(b->web.max_conns / 8, 4);
    vr_log_info("connections: %lu file descriptors, %lu kept back; at most %u on the socket (%u per uid), "
                "%u on the read-only socket (%u per uid), %u on the web port (%u per address); "
                "headers within %u s, idle for %u s",
                nofile, reserve, b->api.max_conns, b->api.max_per_peer, b->ro.max_conns, b->ro.max_per_peer,
                b->web.max_conns, b->web.max_per_peer, header_secs, idle_secs);
}
