/* libvirt protocol: what snapshots' and checkpoints' procedures share
 * (rpc_snapshot.c, rpc_checkpoint.c): a domain's list of either as a
 * tree of names, its listing filters, the procedures that differ only
 * in the kind's driver call and its words. */
#include "daemon/rpc.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

bool vr_rpc_moment_leaf(const vr_rpc_moment *m, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (m[i].parent && strcmp(m[i].parent, name) == 0)
            return false;
    return true;
}

bool vr_rpc_moment_under(const vr_rpc_moment *m, size_t n, size_t i, const char *ancestor, bool any_depth)
{
    const vr_rpc_moment *at = &m[i];
    for (size_t depth = 0; at && at->parent && depth <= n; depth++) {
        if (strcmp(at->parent, ancestor) == 0)
            return true;
        if (!any_depth)
            return false;
        const vr_rpc_moment *up = NULL;
        for (size_t k = 0; k < n && !up; k++)
            if (strcmp(m[k].name, at->parent) == 0)
                up = &m[k];
        at = up;
    }
    return false;
}

void vr_rpc_moment_wire(vrp_snap *out, const vrp_dom *d, const char *name)
{
    out->name = vr_strdup(name);
    out->dom = *d;
    out->dom.name = vr_strdup(d->name);
}

bool vr_rpc_moments_load(vr_rpc_call *c, const vr_rpc_moment_kind *k, const vrp_dom *d, unsigned flags,
                         unsigned allowed, vr_rpc_moments *m)
{
    *m = (vr_rpc_moments){.kind = k, .dom = vr_rpc_find_domain(c, d)};
    if (!m->dom)
        return false;
    char *err = NULL;
    vr_err code = k->load(m, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN) == VR_RPC_OK && vr_rpc_flags_ok(c, flags, allowed);
}

void vr_rpc_moments_unload(vr_rpc_moments *m)
{
    if (m->kind && m->list)
        m->kind->unload(m);
    free(m->tree);
    m->tree = NULL;
    m->list = NULL;
}

bool vr_rpc_moments_load_named(vr_rpc_call *c, const vr_rpc_moment_kind *k, const vrp_snap *w, unsigned flags,
                               unsigned allowed, vr_rpc_moments *m, size_t *at)
{
    if (!vr_rpc_moments_load(c, k, &w->dom, flags, allowed, m))
        return false;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->tree[i].name, w->name) == 0) {
            *at = i;
            return true;
        }
    vr_rpc_fail(c, k->no_such, "no domain %s with matching name '%s'", k->what, w->name);
    return false;
}

int vr_rpc_moments_select(const vr_rpc_moments *m, const char *parent, unsigned f, const vrp_dom *d, vrp_snap *out,
                          char **names, int max)
{
    int k = 0;
    for (size_t i = 0; i < m->n; i++) {
        const vr_rpc_moment *t = &m->tree[i];
        bool in = parent ? vr_rpc_moment_under(m->tree, m->n, i, parent, f & VR_RPC_MOMENT_ROOTS)
                         : !(f & VR_RPC_MOMENT_ROOTS && t->parent);
        if (!in || !vr_rpc_filter(f, VR_RPC_MOMENT_LEAVES, VR_RPC_MOMENT_NO_LEAVES,
                                  vr_rpc_moment_leaf(m->tree, m->n, t->name)))
            continue;
        if (m->kind->passes && !m->kind->passes(m, i, f))
            continue;
        if (out)
            vr_rpc_moment_wire(&out[k], d, t->name);
        if (names && k < max)
            names[k] = vr_strdup(t->name);
        k++;
    }
    return names && k > max ? max : k;
}

vr_rpc_result vr_rpc_moment_reply(vr_rpc_call *c, const vrp_dom *d, const char *name)
{
    vr_rpc_moment_wire(&((vrp_snap_ret *)c->ret)->snap, d, name);
    return VR_RPC_OK;
}

bool vr_rpc_moment_xml_fits(vr_rpc_call *c, const vr_rpc_moment_kind *k, const char *xml)
{
    if (strlen(xml) <= VR_API_BODY_SMALL)
        return true;
    vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the %s XML is %zu bytes; vireod takes at most %u KiB", k->what, strlen(xml),
                VR_API_BODY_SMALL / 1024);
    return false;
}

/* The list answer: the wire objects only when the caller asks for them. */
static vr_rpc_result reply_list(vr_rpc_call *c, const vr_rpc_moments *m, const vrp_dom *d, const char *parent,
                                int need, unsigned f)
{
    vrp_snap_list_ret *r = c->ret;
    if (need)
        r->snaps.snaps_val = vr_calloc(m->n + 1, sizeof(vrp_snap));
    r->count = vr_rpc_moments_select(m, parent, f, d, need ? r->snaps.snaps_val : NULL, NULL, 0);
    if (need)
        r->snaps.snaps_len = (unsigned)r->count;
    return VR_RPC_OK;
}

vr_rpc_result vr_rpc_moments_list_all(vr_rpc_call *c, const vr_rpc_moment_kind *k)
{
    vrp_dom_list_flags_args *a = c->args;
    vr_rpc_moments m;
    vr_rpc_result res = VR_RPC_FAILED;
    if (vr_rpc_moments_load(c, k, &a->dom, a->flags, k->list_flags, &m)) {
        vrp_dom d;
        vr_rpc_dom_wire(&d, m.dom);
        res = reply_list(c, &m, &d, NULL, a->need_results, a->flags);
        free(d.name);
    }
    vr_rpc_moments_unload(&m);
    return res;
}

vr_rpc_result vr_rpc_moments_answer(vr_rpc_call *c, const vr_rpc_moment_kind *k, const vrp_snap *w, unsigned flags,
                                    unsigned allowed, vr_rpc_moment_fill fill)
{
    vr_rpc_moments m;
    size_t at;
    vr_rpc_result res = vr_rpc_moments_load_named(c, k, w, flags, allowed, &m, &at) ? fill(c, &m, at, w)
                                                                                     : VR_RPC_FAILED;
    vr_rpc_moments_unload(&m);
    return res;
}

static vr_rpc_result fill_children(vr_rpc_call *c, const vr_rpc_moments *m, size_t at, const vrp_snap *w)
{
    vrp_snap_children_args *a = c->args;
    return reply_list(c, m, &w->dom, m->tree[at].name, a->need_results, a->flags);
}

static vr_rpc_result fill_self(vr_rpc_call *c, const vr_rpc_moments *m, size_t at, const vrp_snap *w)
{
    return vr_rpc_moment_reply(c, &w->dom, m->tree[at].name);
}

static vr_rpc_result fill_parent(vr_rpc_call *c, const vr_rpc_moments *m, size_t at, const vrp_snap *w)
{
    const vr_rpc_moment *t = &m->tree[at];
    return t->parent ? vr_rpc_moment_reply(c, &w->dom, t->parent)
                     : vr_rpc_fail(c, m->kind->no_such, "%s '%s' does not have a parent", m->kind->what, t->name);
}

vr_rpc_result vr_rpc_moments_list_all_children(vr_rpc_call *c, const vr_rpc_moment_kind *k)
{
    vrp_snap_children_args *a = c->args;
    return vr_rpc_moments_answer(c, k, &a->snap, a->flags, k->list_flags, fill_children);
}

vr_rpc_result vr_rpc_moments_lookup(vr_rpc_call *c, const vr_rpc_moment_kind *k)
{
    vrp_snap_lookup_args *a = c->args;
    vrp_snap w = {.name = a->name, .dom = a->dom};
    return vr_rpc_moments_answer(c, k, &w, a->flags, 0, fill_self);
}

vr_rpc_result vr_rpc_moments_parent(vr_rpc_call *c, const vr_rpc_moment_kind *k)
{
    vrp_snap_args *a = c->args;
    return vr_rpc_moments_answer(c, k, &a->snap, a->flags, 0, fill_parent);
}
