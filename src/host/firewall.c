#include "host/firewall.h"
#include "host/nft_lib.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <fnmatch.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* One rule, reduced to what matters here. */
typedef enum { R_OTHER, R_ACCEPT_IN, R_ACCEPT_OUT, R_JUMP, R_DROP_ALL } rule_kind;

typedef struct {
    const char *family, *table, *chain; /* borrowed from the JSON */
    rule_kind kind;
    const char *value;                  /* interface pattern or jump target */
    long handle;
} rule;

static const char *jstr(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static bool has(json_object *o, const char *key)
{
    return json_object_object_get_ex(o, key, NULL);
}

/* {"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"virbr1"}}:
 * which of iifname/oifname, and the pattern. */
static const char *if_match(json_object *e, bool *in)
{
    json_object *m, *left, *meta;
    if (!json_object_object_get_ex(e, "match", &m) || !json_object_object_get_ex(m, "left", &left) ||
        !json_object_object_get_ex(left, "meta", &meta))
        return NULL;
    const char *op = jstr(m, "op"), *key = jstr(meta, "key"), *right = jstr(m, "right");
    if (!op || strcmp(op, "==") != 0 || !key || !right)
        return NULL;
    if (strcmp(key, "iifname") != 0 && strcmp(key, "oifname") != 0)
        return NULL;
    *in = key[0] == 'i';
    return right;
}

/* Accept of one interface; jump or goto; a drop or reject with no
 * condition before it (counters and logs are not conditions). */
static void classify(json_object *expr, rule *r)
{
    size_t n = json_object_array_length(expr);
    const char *ifname = NULL;
    bool in = false, cond = false;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(expr, i), *v;
        bool last = i + 1 == n;
        if (has(e, "counter") || has(e, "log"))
            continue;
        if (!last) {
            const char *m = if_match(e, &in);
            if (m && !ifname && !cond)
                ifname = m;
            else
                cond = true;
            continue;
        }
        if (has(e, "accept") && ifname && !cond) {
            r->kind = in ? R_ACCEPT_IN : R_ACCEPT_OUT;
            r->value = ifname;
        } else if ((json_object_object_get_ex(e, "jump", &v) || json_object_object_get_ex(e, "goto", &v)) &&
                   !cond && !ifname) {
            r->kind = R_JUMP;
            r->value = jstr(v, "target");
        } else if ((has(e, "drop") || has(e, "reject")) && !cond && !ifname) {
            r->kind = R_DROP_ALL;
        }
    }
}

static bool same_chain(const rule *r, const char *family, const char *table, const char *chain)
{
    return strcmp(r->family, family) == 0 && strcmp(r->table, table) == 0 && strcmp(r->chain, chain) == 0;
}

static void push(char ***arr, size_t *n, const char *s)
{
    *arr = vr_realloc(*arr, (*n + 1) * sizeof(char *));
    (*arr)[(*n)++] = vr_strdup(s);
}

static void take_accept(vr_fw_block *b, const rule *r)
{
    if (r->kind == R_ACCEPT_IN)
        push(&b->in, &b->n_in, r->value);
    else if (r->kind == R_ACCEPT_OUT)
        push(&b->out, &b->n_out, r->value);
}

/* Walk a base chain of hook forward in rule order: accepts (its own and
 * those of chains it jumps to) up to the first unconditional drop.
 * Returns true when the chain drops what it did not accept. */
static bool walk(vr_fw_block *b, const rule *rules, size_t n, bool policy_drop)
{
    for (size_t i = 0; i < n; i++) {
        const rule *r = &rules[i];
        if (!same_chain(r, b->family, b->table, b->chain))
            continue;
        if (r->kind == R_DROP_ALL) {
            if (!policy_drop)
                b->rule_handle = r->handle;
            return true;
        }
        take_accept(b, r);
        if (r->kind == R_JUMP && r->value)
            for (size_t k = 0; k < n; k++)
                if (same_chain(&rules[k], b->family, b->table, r->value))
                    take_accept(b, &rules[k]);
    }
    return policy_drop;
}

static void free_block(vr_fw_block *b)
{
    free(b->family);
    free(b->table);
    free(b->chain);
    for (size_t i = 0; i < b->n_in; i++)
        free(b->in[i]);
    for (size_t i = 0; i < b->n_out; i++)
        free(b->out[i]);
    free(b->in);
    free(b->out);
}

void vr_fw_scan_free(vr_fw_scan *s)
{
    for (size_t i = 0; i < s->n; i++)
        free_block(&s->blocks[i]);
    free(s->blocks);
    for (size_t i = 0; i < s->n_bridges; i++)
        free(s->bridges[i]);
    free(s->bridges);
    *s = (vr_fw_scan){0};
}

static bool table_has_chain(json_object *items, const char *family, const char *table, const char *name)
{
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *c;
        if (!json_object_object_get_ex(json_object_array_get_idx(items, i), "chain", &c))
            continue;
        const char *f = jstr(c, "family"), *t = jstr(c, "table"), *nm = jstr(c, "name");
        if (f && t && nm && strcmp(f, family) == 0 && strcmp(t, table) == 0 && strcmp(nm, name) == 0)
            return true;
    }
    return false;
}

static void add_chain(vr_fw_scan *out, json_object *items, json_object *c, const rule *rules, size_t n)
{
    const char *family = jstr(c, "family"), *table = jstr(c, "table"), *name = jstr(c, "name");
    const char *hook = jstr(c, "hook"), *policy = jstr(c, "policy");
    if (!family || !table || !name || !hook || strcmp(hook, "forward") != 0 ||
        strncmp(table, "vireo_", 6) == 0)
        return;
    vr_fw_block b = {.family = vr_strdup(family), .table = vr_strdup(table), .chain = vr_strdup(name),
                     .policy_drop = policy && strcmp(policy, "drop") == 0};
    b.iptables = (strcmp(family, "ip") == 0 || strcmp(family, "ip6") == 0) && strcmp(table, "filter") == 0 &&
                 strcmp(name, "FORWARD") == 0;
    b.docker_user = b.iptables && table_has_chain(items, family, table, "DOCKER-USER");
    if (!walk(&b, rules, n, b.policy_drop)) {
        free_block(&b);
        return;
    }
    out->blocks = vr_realloc(out->blocks, (out->n + 1) * sizeof(*out->blocks));
    out->blocks[out->n++] = b;
}

int vr_fw_scan_parse(const char *json, vr_fw_scan *out, char **err)
{
    *out = (vr_fw_scan){0};
    json_object *root = json_tokener_parse(json), *items = NULL;
    if (!root || !json_object_object_get_ex(root, "nftables", &items) ||
        !json_object_is_type(items, json_type_array)) {
        json_object_put(root);
        vr_set_error(err, "the nftables listing is not JSON of the form {\"nftables\": [...]}");
        return -1;
    }
    size_t len = json_object_array_length(items), n_rules = 0;
    rule *rules = vr_calloc(len ? len : 1, sizeof(*rules));
    for (size_t i = 0; i < len; i++) {
        json_object *it = json_object_array_get_idx(items, i), *r, *t, *expr, *h;
        if (json_object_object_get_ex(it, "table", &t)) {
            const char *name = jstr(t, "name"), *family = jstr(t, "family");
            if (name && family && strcmp(family, "ip") == 0 && strncmp(name, "vireo_", 6) == 0)
                push(&out->bridges, &out->n_bridges, name + 6);
        }
        if (!json_object_object_get_ex(it, "rule", &r) || !json_object_object_get_ex(r, "expr", &expr) ||
            !json_object_is_type(expr, json_type_array))
            continue;
        rule *x = &rules[n_rules];
        *x = (rule){.family = jstr(r, "family"), .table = jstr(r, "table"), .chain = jstr(r, "chain")};
        if (!x->family || !x->table || !x->chain)
            continue;
        x->handle = json_object_object_get_ex(r, "handle", &h) ? json_object_get_int64(h) : 0;
        classify(expr, x);
        n_rules++;
    }
    for (size_t i = 0; i < len; i++) {
        json_object *c;
        if (json_object_object_get_ex(json_object_array_get_idx(items, i), "chain", &c))
            add_chain(out, items, c, rules, n_rules);
    }
    free(rules);
    json_object_put(root);
    return 0;
}

int vr_fw_scan_live(vr_fw_scan *out, char **err)
{
    *out = (vr_fw_scan){0};
    char *json = NULL;
    if (vr_nftables_run("list ruleset", NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE, &json,
                        "cannot list the nftables ruleset", err) < 0)
        return -1;
    /* An empty ruleset lists as nothing at all on some versions. */
    int rc = *json ? vr_fw_scan_parse(json, out, err) : 0;
    free(json);
    return rc;
}

static bool any_matches(char *const *pats, size_t n, const char *ifname)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(pats[i], ifname, 0) == 0)
            return true;
    return false;
}

bool vr_fw_block_lets(const vr_fw_block *b, const char *bridge)
{
    return any_matches(b->in, b->n_in, bridge) && any_matches(b->out, b->n_out, bridge);
}

char *vr_fw_block_what(const vr_fw_block *b)
{
    if (b->policy_drop)
        return vr_asprintf("table %s %s, chain %s (hook forward) has policy drop", b->family, b->table,
                           b->chain);
    return vr_asprintf("table %s %s, chain %s (hook forward) ends in an unconditional drop or reject "
                       "(rule handle %ld)", b->family, b->table, b->chain, b->rule_handle);
}

char *vr_fw_block_fix(const vr_fw_block *b, const char *bridge)
{
    if (b->iptables) {
        const char *tool = strcmp(b->family, "ip6") == 0 ? "ip6tables" : "iptables";
        /* Docker rewrites FORWARD; DOCKER-USER is the chain it leaves to the admin. */
        const char *chain = b->docker_user ? "DOCKER-USER" : "FORWARD";
        return vr_asprintf("%s -I %s -i %s -j ACCEPT; %s -I %s -o %s -j ACCEPT", tool, chain, bridge, tool,
                           chain, bridge);
    }
    return vr_asprintf("nft insert rule %s %s %s iifname \"%s\" accept; nft insert rule %s %s %s oifname "
                       "\"%s\" accept", b->family, b->table, b->chain, bridge, b->family, b->table, b->chain,
                       bridge);
}

char *vr_fw_forward_warning(const char *network, const char *bridge)
{
    vr_fw_scan s;
    if (vr_fw_scan_live(&s, NULL) < 0)
        return NULL;
    char *warning = NULL;
    for (size_t i = 0; i < s.n && !warning; i++) {
        const vr_fw_block *b = &s.blocks[i];
        if (strcmp(b->family, "ip6") == 0 || vr_fw_block_lets(b, bridge))
            continue;
        char *what = vr_fw_block_what(b), *fix = vr_fw_block_fix(b, bridge);
        warning = vr_asprintf("network '%s': the host's firewall drops its guests' traffic: %s; to "
                              "accept %s's traffic: %s", network, what, bridge, fix);
        free(what);
        free(fix);
    }
    vr_fw_scan_free(&s);
    return warning;
}
