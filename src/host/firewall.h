/* Other firewalls on the host that drop what Vireo's NAT and routed
 * networks forward: Docker sets iptables' FORWARD policy to drop,
 * firewalld ends its forward chain in a reject. Every base chain of
 * hook forward is its own verdict in nftables, so an accept in Vireo's
 * table does not save a packet another table drops; the guests then
 * silently lose the outside world.
 *
 * Read-only: the ruleset is listed through libnftables as JSON and the
 * blocking chains named, with the exact nft or iptables command that
 * lets a bridge's traffic through. Nothing is ever changed here. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *family, *table, *chain;
    bool policy_drop;   /* policy drop; else an unconditional drop/reject rule */
    long rule_handle;   /* that rule's handle, when not the policy */
    bool iptables;      /* iptables-nft's filter FORWARD: fixed with iptables */
    bool docker_user;   /* its table has Docker's DOCKER-USER chain */
    char **in, **out;   /* interfaces (nft patterns, "virbr*") accepted before it drops */
    size_t n_in, n_out;
} vr_fw_block;

typedef struct {
    vr_fw_block *blocks;
    size_t n;
    char **bridges;     /* bridges of Vireo's own tables (vireo_<bridge>) */
    size_t n_bridges;
} vr_fw_scan;

/* Read `json` (the output of `nft -j list ruleset`). -1 when it is not
 * such a listing. Tables named vireo_* are Vireo's and never block. */
int vr_fw_scan_parse(const char *json, vr_fw_scan *out, char **err);
/* The same on this host's ruleset (needs root: CAP_NET_ADMIN). */
int vr_fw_scan_live(vr_fw_scan *out, char **err);
void vr_fw_scan_free(vr_fw_scan *s);

/* Does the chain let `bridge`'s traffic through both ways? */
bool vr_fw_block_lets(const vr_fw_block *b, const char *bridge);

/* The words host-validate and net-start share: what the chain does
 * ("table inet filter, chain forward (hook forward) has policy drop"),
 * and the commands that accept `bridge`'s traffic in it. */
char *vr_fw_block_what(const vr_fw_block *b);
char *vr_fw_block_fix(const vr_fw_block *b, const char *bridge);

/* net-start's one-line warning for a NAT, routed or open network on
 * `bridge` (IPv4: ip6 tables are left out), or NULL when nothing drops
 * its traffic or the ruleset cannot be read. */
char *vr_fw_forward_warning(const char *network, const char *bridge);
