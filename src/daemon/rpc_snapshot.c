/* libvirt protocol: domain snapshots (virsh snapshot-*, virt-manager's
 * snapshot page), over the QEMU driver's snapshots (qemu_snapshot.h)
 * and the core's create from XML, as api_snapshots.c uses them. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/snapshot_ops.h"

#include <stdlib.h>
#include <string.h>

/* libvirt's flag bits (libvirt-domain-snapshot.h). */
enum {
    CREATE_ATOMIC = 128,
    CREATE_VALIDATE = 512,
    REVERT_FORCE = 4,
    LIST_ROOTS = 1,
    LIST_METADATA = 2,
    LIST_LEAVES = 4,
    LIST_NO_LEAVES = 8,
    LIST_NO_METADATA = 16,
    LIST_INACTIVE = 32,
    LIST_ACTIVE = 64,
    LIST_DISK_ONLY = 128,
    LIST_INTERNAL = 256,
    LIST_EXTERNAL = 512,
    LIST_TOPOLOGICAL = 1024,
    LIST_ALL = 2047,
};

/* The domain's snapshots, oldest first (a parent before its children:
 * libvirt's topological order); false after answering. */
typedef struct {
    vr_domain *dom;
    vr_snapshot_def **list;
    vr_rpc_moment *tree; /* the list's names and parents */
    size_t n;
} snaps;

static bool load(vr_rpc_call *c, const vrp_dom *d, snaps *s)
{
    memset(s, 0, sizeof(*s));
    s->dom = vr_rpc_find_domain(c, d);
    if (!s->dom)
        return false;
    char *err = NULL;
    vr_err code = vr_qemu_snapshot_list(s->dom, &s->list, &s->n, &err);
    if (code == VR_OK) {
        s->tree = vr_calloc(s->n + 1, sizeof(*s->tree));
        for (size_t i = 0; i < s->n; i++)
            s->tree[i] = (vr_rpc_moment){s->list[i]->name, s->list[i]->parent};
    }
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN) == VR_RPC_OK;
}

static void unload(snaps *s)
{
    free(s->tree);
    vr_qemu_snapshot_list_free(s->list, s->n);
}

static vr_snapshot_def *named(vr_rpc_call *c, const snaps *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->list[i]->name, name) == 0)
            return s->list[i];
    vr_rpc_fail(c, VIR_ERR_NO_DOMAIN_SNAPSHOT, "no domain snapshot with matching name '%s'", name);
    return NULL;
}

/* The listing filters: each group filters only when one of its bits is
 * given. Every Vireo snapshot is internal, with metadata, not disk-only. */
static bool passes(const snaps *s, const vr_snapshot_def *snap, unsigned f)
{
    bool leaf = vr_rpc_moment_leaf(s->tree, s->n, snap->name);
    bool active = snap->state != VR_SNAP_SHUTOFF;
    return vr_rpc_filter(f, LIST_LEAVES, LIST_NO_LEAVES, leaf) &&
           vr_rpc_filter(f, LIST_METADATA, LIST_NO_METADATA, true) &&
           (!(f & (LIST_INACTIVE | LIST_ACTIVE | LIST_DISK_ONLY)) || (f & LIST_ACTIVE && active) ||
            (f & LIST_INACTIVE && !active)) &&
           vr_rpc_filter(f, LIST_INTERNAL, LIST_EXTERNAL, true);
}

/* Snapshots of the domain passing the flags; `parent`: only its children
 * (descendants with LIST_ROOTS, which then means "all depths", as
 * libvirt reuses the bit). Fills names or wire objects, returns the count. */
static int select_snaps(const snaps *s, const char *parent, unsigned f, const vrp_dom *d, vrp_snap *out,
                        char **names, int max)
{
    int k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const vr_snapshot_def *snap = s->list[i];
        bool in = parent ? vr_rpc_moment_under(s->tree, s->n, i, parent, f & LIST_ROOTS)
                         : !(f & LIST_ROOTS && snap->parent);
        if (!in)
            continue;
        if (!passes(s, snap, f))
            continue;
        if (out)
            vr_rpc_moment_wire(&out[k], d, snap->name);
        if (names && k < max)
            names[k] = vr_strdup(snap->name);
        k++;
    }
    return names && k > max ? max : k;
}

/* The snapshot a call names, its flags checked against `allowed`; NULL
 * after answering. *s to unload either way. */
static vr_snapshot_def *load_named(vr_rpc_call *c, const vrp_snap *w, unsigned flags, unsigned allowed, snaps *s)
{
    return load(c, &w->dom, s) && vr_rpc_flags_ok(c, flags, allowed) ? named(c, s, w->name) : NULL;
}

/* ---- lists and counts ---- */

/* virDomainListAllSnapshots' answer (ListAllChildren's with `parent`):
 * the wire objects only when the caller asks for them. */
static vr_rpc_result reply_list(vr_rpc_call *c, const snaps *s, const vrp_dom *d, const char *parent, int need,
                                unsigned f)
{
    vrp_snap_list_ret *r = c->ret;
    if (need)
        r->snaps.snaps_val = vr_calloc(s->n + 1, sizeof(vrp_snap));
    r->count = select_snaps(s, parent, f, d, need ? r->snaps.snaps_val : NULL, NULL, 0);
    if (need)
        r->snaps.snaps_len = (unsigned)r->count;
    return VR_RPC_OK;
}

static vr_rpc_result list_all(vr_rpc_call *c)
{
    vrp_dom_list_flags_args *a = c->args;
    snaps s;
    if (!load(c, &a->dom, &s) || !vr_rpc_flags_ok(c, a->flags, LIST_ALL)) {
        unload(&s);
        return VR_RPC_FAILED;
    }
    vrp_dom d;
    vr_rpc_dom_wire(&d, s.dom);
    reply_list(c, &s, &d, NULL, a->need_results, a->flags);
    free(d.name);
    unload(&s);
    return VR_RPC_OK;
}

static vr_rpc_result list_all_children(vr_rpc_call *c)
{
    vrp_snap_children_args *a = c->args;
    snaps s;
    if (!load_named(c, &a->snap, a->flags, LIST_ALL, &s)) {
        unload(&s);
        return VR_RPC_FAILED;
    }
    reply_list(c, &s, &a->snap.dom, a->snap.name, a->need_results, a->flags);
    unload(&s);
    return VR_RPC_OK;
}

static vr_rpc_result count(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    snaps s;
    bool ok = load(c, &a->dom, &s) && vr_rpc_flags_ok(c, a->flags, LIST_ALL);
    if (ok)
        ((vrp_int_ret *)c->ret)->value = select_snaps(&s, NULL, a->flags, &a->dom, NULL, NULL, 0);
    unload(&s);
    return ok ? VR_RPC_OK : VR_RPC_FAILED;
}

static vr_rpc_result list_names(vr_rpc_call *c)
{
    vrp_snap_names_args *a = c->args;
    snaps s;
    if (!load(c, &a->dom, &s) || !vr_rpc_flags_ok(c, a->flags, LIST_ALL)) {
        unload(&s);
        return VR_RPC_FAILED;
    }
    vrp_snap_names_ret *r = c->ret;
    int max = a->max_names < 0 ? 0 : a->max_names;
    r->names.names_val = vr_calloc((size_t)max + 1, sizeof(char *));
    r->names.names_len = (unsigned)select_snaps(&s, NULL, a->flags, &a->dom, NULL, r->names.names_val, max);
    unload(&s);
    return VR_RPC_OK;
}

static vr_rpc_result num_children(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    snaps s;
    if (!load_named(c, &a->snap, a->flags, LIST_ALL, &s)) {
        unload(&s);
        return VR_RPC_FAILED;
    }
    ((vrp_int_ret *)c->ret)->value = select_snaps(&s, a->snap.name, a->flags, &a->snap.dom, NULL, NULL, 0);
    unload(&s);
    return VR_RPC_OK;
}

static vr_rpc_result list_children_names(vr_rpc_call *c)
{
    /* Same arguments as listing a domain's names, with the snapshot first. */
    vrp_snap_children_args *a = c->args;
    snaps s;
    if (!load_named(c, &a->snap, a->flags, LIST_ALL, &s)) {
        unload(&s);
        return VR_RPC_FAILED;
    }
    vrp_snap_names_ret *r = c->ret;
    int max = a->need_results < 0 ? 0 : a->need_results; /* maxnames on the wire */
    r->names.names_val = vr_calloc((size_t)max + 1, sizeof(char *));
    r->names.names_len =
        (unsigned)select_snaps(&s, a->snap.name, a->flags, &a->snap.dom, NULL, r->names.names_val, max);
    unload(&s);
    return VR_RPC_OK;
}

/* ---- one snapshot ---- */

static vr_rpc_result reply_snap(vr_rpc_call *c, const vrp_dom *d, const char *name)
{
    vr_rpc_moment_wire(&((vrp_snap_ret *)c->ret)->snap, d, name);
    return VR_RPC_OK;
}

static vr_rpc_result lookup_by_name(vr_rpc_call *c)
{
    vrp_snap_lookup_args *a = c->args;
    snaps s;
    vr_rpc_result res = VR_RPC_FAILED;
    if (load(c, &a->dom, &s) && vr_rpc_flags_ok(c, a->flags, 0) && named(c, &s, a->name))
        res = reply_snap(c, &a->dom, a->name);
    unload(&s);
    return res;
}

static const vr_snapshot_def *current(const snaps *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->list[i]->current)
            return s->list[i];
    return NULL;
}

static vr_rpc_result snapshot_current(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    snaps s;
    vr_rpc_result res = VR_RPC_FAILED;
    if (load(c, &a->dom, &s) && vr_rpc_flags_ok(c, a->flags, 0)) {
        const vr_snapshot_def *cur = current(&s);
        res = cur ? reply_snap(c, &a->dom, cur->name)
                  : vr_rpc_fail(c, VIR_ERR_NO_DOMAIN_SNAPSHOT, "the domain does not have a current snapshot");
    }
    unload(&s);
    return res;
}

static vr_rpc_result has_current(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    snaps s;
    bool ok = load(c, &a->dom, &s) && vr_rpc_flags_ok(c, a->flags, 0);
    if (ok)
        ((vrp_int_ret *)c->ret)->value = current(&s) != NULL;
    unload(&s);
    return ok ? VR_RPC_OK : VR_RPC_FAILED;
}

/* A fact of the snapshot a call names (flags: none known). */
static vr_rpc_result snap_answer(vr_rpc_call *c, vr_rpc_result (*fill)(vr_rpc_call *, const vr_snapshot_def *))
{
    vrp_snap_args *a = c->args;
    snaps s;
    vr_snapshot_def *snap = load_named(c, &a->snap, a->flags, 0, &s);
    vr_rpc_result res = snap ? fill(c, snap) : VR_RPC_FAILED;
    unload(&s);
    return res;
}

static vr_rpc_result fill_xml(vr_rpc_call *c, const vr_snapshot_def *snap)
{
    ((vrp_str_ret *)c->ret)->value = vr_snapshot_def_format(snap);
    return VR_RPC_OK;
}

static vr_rpc_result fill_current(vr_rpc_call *c, const vr_snapshot_def *snap)
{
    ((vrp_int_ret *)c->ret)->value = snap->current;
    return VR_RPC_OK;
}

/* Every Vireo snapshot has metadata (its file beside the definition). */
static vr_rpc_result fill_metadata(vr_rpc_call *c, const vr_snapshot_def *snap)
{
    ((vrp_int_ret *)c->ret)->value = 1;
    return VR_RPC_OK;
}

static vr_rpc_result fill_parent(vr_rpc_call *c, const vr_snapshot_def *snap)
{
    return snap->parent ? reply_snap(c, &((vrp_snap_args *)c->args)->snap.dom, snap->parent)
                        : vr_rpc_fail(c, VIR_ERR_NO_DOMAIN_SNAPSHOT, "snapshot '%s' does not have a parent",
                                      snap->name);
}

static vr_rpc_result get_xml(vr_rpc_call *c) { return snap_answer(c, fill_xml); }
static vr_rpc_result is_current(vr_rpc_call *c) { return snap_answer(c, fill_current); }
static vr_rpc_result has_metadata(vr_rpc_call *c) { return snap_answer(c, fill_metadata); }
static vr_rpc_result get_parent(vr_rpc_call *c) { return snap_answer(c, fill_parent); }

/* ---- create, revert, delete: the driver answers when QEMU has ---- */

static void on_done(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_SNAPSHOT);
}

static vr_rpc_result create_xml(vr_rpc_call *c)
{
    vrp_snap_create_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, CREATE_ATOMIC | CREATE_VALIDATE))
        return VR_RPC_FAILED;
    if (strlen(a->xml) > VR_API_BODY_SMALL)
        return vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the snapshot XML is %zu bytes; vireod takes at most %u KiB",
                           strlen(a->xml), VR_API_BODY_SMALL / 1024);
    char *err = NULL;
    /* The answer's object is filled before the driver starts: it may
     * answer (and free the call) at once. */
    vrp_snap *out = &((vrp_snap_ret *)c->ret)->snap;
    vr_rpc_dom_wire(&out->dom, dom);
    vr_err code = vr_core_snapshot_create_xml(dom, a->xml, &out->name, on_done, c, &err);
    return code == VR_OK ? VR_RPC_LATER : vr_rpc_outcome(c, code, err, VR_RPC_XML);
}

static vr_rpc_result revert(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    snaps s;
    bool ok = load_named(c, &a->snap, a->flags, REVERT_FORCE, &s) != NULL;
    if (ok)
        vr_qemu_snapshot_revert(s.dom, a->snap.name, on_done, c);
    unload(&s);
    return ok ? VR_RPC_LATER : VR_RPC_FAILED;
}

static vr_rpc_result delete(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    snaps s;
    /* CHILDREN, METADATA_ONLY, CHILDREN_ONLY: not done; refused by
     * vr_rpc_flags_ok rather than ignored. */
    bool ok = load_named(c, &a->snap, a->flags, 0, &s) != NULL;
    if (ok)
        vr_qemu_snapshot_delete(s.dom, a->snap.name, on_done, c);
    unload(&s);
    return ok ? VR_RPC_LATER : VR_RPC_FAILED;
}

const vr_rpc_proc vr_rpc_snapshot_procs[] = {
    VR_RPC_PROC(185, "virDomainSnapshotCreateXML", vrp_snap_create_args, vrp_snap_ret, create_xml, WRITE),
    VR_RPC_PROC(186, "virDomainSnapshotGetXMLDesc", vrp_snap_args, vrp_str_ret, get_xml, READ),
    VR_RPC_PROC(187, "virDomainSnapshotNum", vrp_dom_flags_args, vrp_int_ret, count, READ),
    VR_RPC_PROC(188, "virDomainSnapshotListNames", vrp_snap_names_args, vrp_snap_names_ret, list_names, READ),
    VR_RPC_PROC(189, "virDomainSnapshotLookupByName", vrp_snap_lookup_args, vrp_snap_ret, lookup_by_name, READ),
    VR_RPC_PROC(190, "virDomainHasCurrentSnapshot", vrp_dom_flags_args, vrp_int_ret, has_current, READ),
    VR_RPC_PROC(191, "virDomainSnapshotCurrent", vrp_dom_flags_args, vrp_snap_ret, snapshot_current, READ),
    VR_RPC_PROC(192, "virDomainRevertToSnapshot", vrp_snap_args, vrp_void, revert, WRITE),
    VR_RPC_PROC(193, "virDomainSnapshotDelete", vrp_snap_args, vrp_void, delete, WRITE),
    VR_RPC_PROC(244, "virDomainSnapshotGetParent", vrp_snap_args, vrp_snap_ret, get_parent, READ),
    VR_RPC_PROC(246, "virDomainSnapshotNumChildren", vrp_snap_args, vrp_int_ret, num_children, READ),
    VR_RPC_PROC(247, "virDomainSnapshotListChildrenNames", vrp_snap_children_args, vrp_snap_names_ret,
                list_children_names, READ),
    VR_RPC_PROC(271, "virDomainSnapshotIsCurrent", vrp_snap_args, vrp_int_ret, is_current, READ),
    VR_RPC_PROC(272, "virDomainSnapshotHasMetadata", vrp_snap_args, vrp_int_ret, has_metadata, READ),
    VR_RPC_PROC(274, "virDomainListAllSnapshots", vrp_dom_list_flags_args, vrp_snap_list_ret, list_all, READ),
    VR_RPC_PROC(275, "virDomainSnapshotListAllChildren", vrp_snap_children_args, vrp_snap_list_ret,
                list_all_children, READ),
    {0},
};
