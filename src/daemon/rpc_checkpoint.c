/* libvirt protocol: checkpoints and push backups (virsh checkpoint-*,
 * backup-begin, backup-dumpxml), over the same core calls as the HTTP
 * routes in api_backup.c (core/checkpoint_ops.h, core/livebackup_ops.h).
 * A checkpoint travels as {name, domain}, the snapshot's shape. */
#include "daemon/rpc.h"
#include "common/util.h"
#include "core/checkpoint_ops.h"
#include "core/livebackup_ops.h"

#include <stdlib.h>
#include <string.h>

/* libvirt's flag bits (libvirt-domain-checkpoint.h, libvirt-domain.h). */
enum {
    LIST_ROOTS = 1, /* LIST_DESCENDANTS for children: every depth */
    LIST_TOPOLOGICAL = 2,
    LIST_LEAVES = 4,
    LIST_NO_LEAVES = 8,
    LIST_ALL = 15,
    XML_SECURE = 1,    /* nothing secret is in one */
    XML_NO_DOMAIN = 2, /* Vireo's never carries the domain */
    DELETE_CHILDREN = 1,
    DELETE_METADATA_ONLY = 2,
};

/* The domain's checkpoints, oldest first (a parent before its
 * children); false after answering. */
typedef struct {
    vr_domain *dom;
    vr_checkpoint_def **list;
    vr_rpc_moment *tree; /* the list's names and parents */
    size_t n;
} cps;

static bool load(vr_rpc_call *c, const vrp_dom *d, cps *s)
{
    memset(s, 0, sizeof(*s));
    s->dom = vr_rpc_find_domain(c, d);
    if (!s->dom)
        return false;
    vr_qemu_checkpoint_list(s->dom, &s->list, &s->n);
    s->tree = vr_calloc(s->n + 1, sizeof(*s->tree));
    for (size_t i = 0; i < s->n; i++)
        s->tree[i] = (vr_rpc_moment){s->list[i]->name, s->list[i]->parent};
    return true;
}

static void unload(cps *s)
{
    free(s->tree);
    vr_qemu_checkpoint_list_free(s->list, s->n);
}

static const vr_checkpoint_def *find(const cps *s, const char *name)
{
    for (size_t i = 0; name && i < s->n; i++)
        if (strcmp(s->list[i]->name, name) == 0)
            return s->list[i];
    return NULL;
}

/* The checkpoint a call names, its flags checked; NULL after answering. */
static const vr_checkpoint_def *load_named(vr_rpc_call *c, const vrp_dom *d, const char *name, unsigned flags,
                                           unsigned allowed, cps *s)
{
    if (!load(c, d, s) || !vr_rpc_flags_ok(c, flags, allowed))
        return NULL;
    const vr_checkpoint_def *cp = find(s, name);
    if (!cp)
        vr_rpc_fail(c, VIR_ERR_NO_DOMAIN_CHECKPOINT, "no domain checkpoint with matching name '%s'", name);
    return cp;
}

/* The list answer: checkpoints under `parent` (NULL: the domain's, only
 * roots with LIST_ROOTS) that pass the leaf filter. */
static vr_rpc_result reply_list(vr_rpc_call *c, const cps *s, const vrp_dom *d, const char *parent, int need,
                                unsigned f)
{
    vrp_snap_list_ret *r = c->ret;
    if (need)
        r->snaps.snaps_val = vr_calloc(s->n + 1, sizeof(vrp_snap));
    int k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const vr_checkpoint_def *cp = s->list[i];
        bool in = parent ? vr_rpc_moment_under(s->tree, s->n, i, parent, f & LIST_ROOTS)
                         : !(f & LIST_ROOTS && cp->parent);
        if (!in)
            continue;
        if (!vr_rpc_filter(f, LIST_LEAVES, LIST_NO_LEAVES, vr_rpc_moment_leaf(s->tree, s->n, cp->name)))
            continue;
        if (need)
            vr_rpc_moment_wire(&r->snaps.snaps_val[k], d, cp->name);
        k++;
    }
    r->count = k;
    if (need)
        r->snaps.snaps_len = (unsigned)k;
    return VR_RPC_OK;
}

static vr_rpc_result list_all(vr_rpc_call *c)
{
    vrp_dom_list_flags_args *a = c->args;
    cps s;
    vr_rpc_result res = VR_RPC_FAILED;
    if (load(c, &a->dom, &s) && vr_rpc_flags_ok(c, a->flags, LIST_ALL)) {
        vrp_dom d;
        vr_rpc_dom_wire(&d, s.dom);
        res = reply_list(c, &s, &d, NULL, a->need_results, a->flags);
        free(d.name);
    }
    unload(&s);
    return res;
}

static vr_rpc_result list_all_children(vr_rpc_call *c)
{
    vrp_snap_children_args *a = c->args;
    cps s;
    vr_rpc_result res = VR_RPC_FAILED;
    if (load_named(c, &a->snap.dom, a->snap.name, a->flags, LIST_ALL, &s))
        res = reply_list(c, &s, &a->snap.dom, a->snap.name, a->need_results, a->flags);
    unload(&s);
    return res;
}

static vr_rpc_result reply_checkpoint(vr_rpc_call *c, const vrp_dom *d, const char *name)
{
    vr_rpc_moment_wire(&((vrp_snap_ret *)c->ret)->snap, d, name);
    return VR_RPC_OK;
}

static vr_rpc_result lookup_by_name(vr_rpc_call *c)
{
    vrp_snap_lookup_args *a = c->args;
    cps s;
    vr_rpc_result res = VR_RPC_FAILED;
    if (load_named(c, &a->dom, a->name, a->flags, 0, &s))
        res = reply_checkpoint(c, &a->dom, a->name);
    unload(&s);
    return res;
}

static vr_rpc_result get_xml(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    cps s;
    const vr_checkpoint_def *cp = load_named(c, &a->snap.dom, a->snap.name, a->flags, XML_SECURE | XML_NO_DOMAIN, &s);
    if (cp)
        ((vrp_str_ret *)c->ret)->value = vr_checkpoint_def_format(cp);
    unload(&s);
    return cp ? VR_RPC_OK : VR_RPC_FAILED;
}

static vr_rpc_result get_parent(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    cps s;
    const vr_checkpoint_def *cp = load_named(c, &a->snap.dom, a->snap.name, a->flags, 0, &s);
    vr_rpc_result res = !cp          ? VR_RPC_FAILED
                        : cp->parent ? reply_checkpoint(c, &a->snap.dom, cp->parent)
                                     : vr_rpc_fail(c, VIR_ERR_NO_DOMAIN_CHECKPOINT,
                                                   "checkpoint '%s' does not have a parent", cp->name);
    unload(&s);
    return res;
}

/* ---- create, delete: the core answers when QEMU (or qemu-img) has ---- */

static void on_created(vr_err code, const char *err, const char *name, void *opaque)
{
    vr_rpc_call *c = opaque;
    if (code == VR_OK)
        ((vrp_snap_ret *)c->ret)->snap.name = vr_strdup(name);
    vr_rpc_done(c, code, err, VR_RPC_XML);
}

static vr_rpc_result create_xml(vr_rpc_call *c)
{
    vrp_snap_create_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    /* REDEFINE (1) and QUIESCE (2) as vireo's; REDEFINE_VALIDATE (4):
     * a redefinition always checks the images' bitmaps. */
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 1u | 2u | 4u))
        return VR_RPC_FAILED;
    unsigned flags = (a->flags & 1u ? VR_CHECKPOINT_CREATE_REDEFINE : 0) | (a->flags & 2u ? VR_CHECKPOINT_CREATE_QUIESCE : 0);
    if (strlen(a->xml) > VR_API_BODY_SMALL)
        return vr_rpc_fail(c, VIR_ERR_XML_ERROR, "the checkpoint XML is %zu bytes; vireod takes at most %u KiB",
                           strlen(a->xml), VR_API_BODY_SMALL / 1024);
    vr_rpc_dom_wire(&((vrp_snap_ret *)c->ret)->snap.dom, dom);
    vr_core_checkpoint_create(dom, a->xml, NULL, NULL, flags, on_created, c);
    return VR_RPC_LATER;
}

static void on_done(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_CHECKPOINT);
}

static vr_rpc_result delete(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    cps s;
    /* CHILDREN_ONLY: not done, refused. */
    bool ok = load_named(c, &a->snap.dom, a->snap.name, a->flags, DELETE_CHILDREN | DELETE_METADATA_ONLY, &s);
    if (ok)
        vr_core_checkpoint_delete(s.dom, a->snap.name, a->flags, on_done, c);
    unload(&s);
    return ok ? VR_RPC_LATER : VR_RPC_FAILED;
}

/* ---- backup-begin, backup-dumpxml ---- */

static void on_backup_ended(vr_err code, const char *err, void *opaque)
{
    (void)code, (void)err, (void)opaque; /* told by the backup's job event and the daemon's log */
}

static vr_rpc_result backup_begin(vr_rpc_call *c)
{
    vrp_backup_begin_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    /* REUSE_EXTERNAL: the targets are always made here; refused. */
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    vr_core_backup_begin_xml(dom, a->backup_xml, a->checkpoint_xml ? *a->checkpoint_xml : NULL, on_done,
                             on_backup_ended, c);
    return VR_RPC_LATER;
}

static vr_rpc_result backup_xml(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    char *xml = vr_core_backup_xml(dom);
    if (!xml)
        return vr_rpc_fail(c, VIR_ERR_OPERATION_INVALID, "domain '%s' has no backup running (backup-begin "
                           "starts one)", dom->def->name);
    ((vrp_str_ret *)c->ret)->value = xml;
    return VR_RPC_OK;
}

const vr_rpc_proc vr_rpc_checkpoint_procs[] = {
    VR_RPC_PROC(411, "virDomainCheckpointCreateXML", vrp_snap_create_args, vrp_snap_ret, create_xml, WRITE),
    VR_RPC_PROC(412, "virDomainCheckpointGetXMLDesc", vrp_snap_args, vrp_str_ret, get_xml, READ),
    VR_RPC_PROC(413, "virDomainListAllCheckpoints", vrp_dom_list_flags_args, vrp_snap_list_ret, list_all, READ),
    VR_RPC_PROC(414, "virDomainCheckpointListAllChildren", vrp_snap_children_args, vrp_snap_list_ret,
                list_all_children, READ),
    VR_RPC_PROC(415, "virDomainCheckpointLookupByName", vrp_snap_lookup_args, vrp_snap_ret, lookup_by_name, READ),
    VR_RPC_PROC(416, "virDomainCheckpointGetParent", vrp_snap_args, vrp_snap_ret, get_parent, READ),
    VR_RPC_PROC(417, "virDomainCheckpointDelete", vrp_snap_args, vrp_void, delete, WRITE),
    VR_RPC_PROC(421, "virDomainBackupBegin", vrp_backup_begin_args, vrp_void, backup_begin, WRITE),
    VR_RPC_PROC(422, "virDomainBackupGetXMLDesc", vrp_dom_flags_args, vrp_str_ret, backup_xml, READ),
    {0},
};
