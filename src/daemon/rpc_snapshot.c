/* libvirt protocol: domain snapshots (virsh snapshot-*, virt-manager's
 * snapshot page), over the QEMU driver's snapshots (qemu_snapshot.h)
 * and the core's create from XML, as api_snapshots.c uses them. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/snapshot_ops.h"

#include <stdlib.h>
#include <string.h>

/* libvirt's flag bits (libvirt-domain-snapshot.h); roots and leaves
 * are rpc.h's VR_RPC_MOMENT_*. */
enum {
    CREATE_ATOMIC = 128,
    CREATE_VALIDATE = 512,
    REVERT_FORCE = 4,
    LIST_METADATA = 2,
    LIST_NO_METADATA = 16,
    LIST_INACTIVE = 32,
    LIST_ACTIVE = 64,
    LIST_DISK_ONLY = 128,
    LIST_INTERNAL = 256,
    LIST_EXTERNAL = 512,
    LIST_TOPOLOGICAL = 1024,
    LIST_ALL = 2047,
};

static vr_snapshot_def *at(const vr_rpc_moments *m, size_t i)
{
    return ((vr_snapshot_def **)m->list)[i];
}

/* The domain's snapshots, oldest first (libvirt's topological order). */
static vr_err load(vr_rpc_moments *m, char **err)
{
    vr_snapshot_def **list = NULL;
    vr_err code = vr_qemu_snapshot_list(m->dom, &list, &m->n, err);
    m->list = list;
    if (code == VR_OK) {
        m->tree = vr_calloc(m->n + 1, sizeof(*m->tree));
        for (size_t i = 0; i < m->n; i++)
            m->tree[i] = (vr_rpc_moment){list[i]->name, list[i]->parent};
    }
    return code;
}

static void unload(vr_rpc_moments *m)
{
    vr_qemu_snapshot_list_free(m->list, m->n);
}

/* The listing filters beyond roots and leaves: each group filters only
 * when one of its bits is given. Every Vireo snapshot is internal, with
 * metadata, not disk-only. */
static bool passes(const vr_rpc_moments *m, size_t i, unsigned f)
{
    bool active = at(m, i)->state != VR_SNAP_SHUTOFF;
    return vr_rpc_filter(f, LIST_METADATA, LIST_NO_METADATA, true) &&
           (!(f & (LIST_INACTIVE | LIST_ACTIVE | LIST_DISK_ONLY)) || (f & LIST_ACTIVE && active) ||
            (f & LIST_INACTIVE && !active)) &&
           vr_rpc_filter(f, LIST_INTERNAL, LIST_EXTERNAL, true);
}

static const vr_rpc_moment_kind snapshots = {"snapshot", VIR_ERR_NO_DOMAIN_SNAPSHOT, LIST_ALL, load, unload,
                                             passes};

/* ---- lists and counts ---- */

static vr_rpc_result list_all(vr_rpc_call *c) { return vr_rpc_moments_list_all(c, &snapshots); }
static vr_rpc_result list_all_children(vr_rpc_call *c) { return vr_rpc_moments_list_all_children(c, &snapshots); }

static vr_rpc_result count(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_rpc_moments m;
    bool ok = vr_rpc_moments_load(c, &snapshots, &a->dom, a->flags, LIST_ALL, &m);
    if (ok)
        ((vrp_int_ret *)c->ret)->value = vr_rpc_moments_select(&m, NULL, a->flags, &a->dom, NULL, NULL, 0);
    vr_rpc_moments_unload(&m);
    return ok ? VR_RPC_OK : VR_RPC_FAILED;
}

/* The names of those under `parent` (NULL: the domain's), at most max. */
static void reply_names(vr_rpc_call *c, const vr_rpc_moments *m, const vrp_dom *d, const char *parent, unsigned f,
                        int max)
{
    vrp_snap_names_ret *r = c->ret;
    max = max < 0 ? 0 : max;
    r->names.names_val = vr_calloc((size_t)max + 1, sizeof(char *));
    r->names.names_len = (unsigned)vr_rpc_moments_select(m, parent, f, d, NULL, r->names.names_val, max);
}

static vr_rpc_result list_names(vr_rpc_call *c)
{
    vrp_snap_names_args *a = c->args;
    vr_rpc_moments m;
    bool ok = vr_rpc_moments_load(c, &snapshots, &a->dom, a->flags, LIST_ALL, &m);
    if (ok)
        reply_names(c, &m, &a->dom, NULL, a->flags, a->max_names);
    vr_rpc_moments_unload(&m);
    return ok ? VR_RPC_OK : VR_RPC_FAILED;
}

static vr_rpc_result count_children(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    ((vrp_int_ret *)c->ret)->value =
        vr_rpc_moments_select(m, m->tree[i].name, ((vrp_snap_args *)c->args)->flags, &w->dom, NULL, NULL, 0);
    return VR_RPC_OK;
}

static vr_rpc_result num_children(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    return vr_rpc_moments_answer(c, &snapshots, &a->snap, a->flags, LIST_ALL, count_children);
}

/* Same arguments as listing a domain's names, with the snapshot first;
 * need_results is maxnames on the wire. */
static vr_rpc_result children_names(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    vrp_snap_children_args *a = c->args;
    reply_names(c, m, &w->dom, m->tree[i].name, a->flags, a->need_results);
    return VR_RPC_OK;
}

static vr_rpc_result list_children_names(vr_rpc_call *c)
{
    vrp_snap_children_args *a = c->args;
    return vr_rpc_moments_answer(c, &snapshots, &a->snap, a->flags, LIST_ALL, children_names);
}

/* ---- one snapshot ---- */

static vr_rpc_result lookup_by_name(vr_rpc_call *c) { return vr_rpc_moments_lookup(c, &snapshots); }
static vr_rpc_result get_parent(vr_rpc_call *c) { return vr_rpc_moments_parent(c, &snapshots); }

static const vr_snapshot_def *current(const vr_rpc_moments *m)
{
    for (size_t i = 0; i < m->n; i++)
        if (at(m, i)->current)
            return at(m, i);
    return NULL;
}

static vr_rpc_result snapshot_current(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_rpc_moments m;
    vr_rpc_result res = VR_RPC_FAILED;
    if (vr_rpc_moments_load(c, &snapshots, &a->dom, a->flags, 0, &m)) {
        const vr_snapshot_def *cur = current(&m);
        res = cur ? vr_rpc_moment_reply(c, &a->dom, cur->name)
                  : vr_rpc_fail(c, VIR_ERR_NO_DOMAIN_SNAPSHOT, "the domain does not have a current snapshot");
    }
    vr_rpc_moments_unload(&m);
    return res;
}

static vr_rpc_result has_current(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_rpc_moments m;
    bool ok = vr_rpc_moments_load(c, &snapshots, &a->dom, a->flags, 0, &m);
    if (ok)
        ((vrp_int_ret *)c->ret)->value = current(&m) != NULL;
    vr_rpc_moments_unload(&m);
    return ok ? VR_RPC_OK : VR_RPC_FAILED;
}

static vr_rpc_result fill_xml(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    (void)w;
    ((vrp_str_ret *)c->ret)->value = vr_snapshot_def_format(at(m, i));
    return VR_RPC_OK;
}

static vr_rpc_result fill_current(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    (void)w;
    ((vrp_int_ret *)c->ret)->value = at(m, i)->current;
    return VR_RPC_OK;
}

/* Every Vireo snapshot has metadata (its file beside the definition). */
static vr_rpc_result fill_metadata(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    (void)m, (void)i, (void)w;
    ((vrp_int_ret *)c->ret)->value = 1;
    return VR_RPC_OK;
}

/* A fact of the snapshot a call names (flags: none known). */
static vr_rpc_result snap_answer(vr_rpc_call *c, vr_rpc_moment_fill fill)
{
    vrp_snap_args *a = c->args;
    return vr_rpc_moments_answer(c, &snapshots, &a->snap, a->flags, 0, fill);
}

static vr_rpc_result get_xml(vr_rpc_call *c) { return snap_answer(c, fill_xml); }
static vr_rpc_result is_current(vr_rpc_call *c) { return snap_answer(c, fill_current); }
static vr_rpc_result has_metadata(vr_rpc_call *c) { return snap_answer(c, fill_metadata); }

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
    if (!vr_rpc_moment_xml_fits(c, &snapshots, a->xml))
        return VR_RPC_FAILED;
    char *err = NULL;
    /* The answer's object is filled before the driver starts: it may
     * answer (and free the call) at once. */
    vrp_snap *out = &((vrp_snap_ret *)c->ret)->snap;
    vr_rpc_dom_wire(&out->dom, dom);
    vr_err code = vr_core_snapshot_create_xml(dom, a->xml, &out->name, on_done, c, &err);
    return code == VR_OK ? VR_RPC_LATER : vr_rpc_outcome(c, code, err, VR_RPC_XML);
}

static vr_rpc_result start_revert(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    (void)i;
    vr_qemu_snapshot_revert(m->dom, w->name, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result start_delete(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    (void)i;
    vr_qemu_snapshot_delete(m->dom, w->name, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result revert(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    return vr_rpc_moments_answer(c, &snapshots, &a->snap, a->flags, REVERT_FORCE, start_revert);
}

static vr_rpc_result delete(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    /* CHILDREN, METADATA_ONLY, CHILDREN_ONLY: not done; refused by
     * vr_rpc_flags_ok rather than ignored. */
    return vr_rpc_moments_answer(c, &snapshots, &a->snap, a->flags, 0, start_delete);
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
