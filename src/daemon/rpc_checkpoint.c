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

/* libvirt's flag bits (libvirt-domain-checkpoint.h, libvirt-domain.h);
 * roots and leaves are rpc.h's VR_RPC_MOMENT_*. */
enum {
    LIST_ALL = 15, /* ROOTS, TOPOLOGICAL (always), LEAVES, NO_LEAVES */
    XML_SECURE = 1,    /* nothing secret is in one */
    XML_NO_DOMAIN = 2, /* Vireo's never carries the domain */
    DELETE_CHILDREN = 1,
    DELETE_METADATA_ONLY = 2,
};

static vr_checkpoint_def *at(const vr_rpc_moments *m, size_t i)
{
    return ((vr_checkpoint_def **)m->list)[i];
}

static vr_err load(vr_rpc_moments *m, char **err)
{
    (void)err;
    vr_checkpoint_def **list;
    vr_qemu_checkpoint_list(m->dom, &list, &m->n);
    m->list = list;
    m->tree = vr_calloc(m->n + 1, sizeof(*m->tree));
    for (size_t i = 0; i < m->n; i++)
        m->tree[i] = (vr_rpc_moment){list[i]->name, list[i]->parent};
    return VR_OK;
}

static void unload(vr_rpc_moments *m)
{
    vr_qemu_checkpoint_list_free(m->list, m->n);
}

static const vr_rpc_moment_kind checkpoints = {"checkpoint", VIR_ERR_NO_DOMAIN_CHECKPOINT, LIST_ALL, load, unload,
                                               NULL};

static vr_rpc_result list_all(vr_rpc_call *c) { return vr_rpc_moments_list_all(c, &checkpoints); }
static vr_rpc_result list_all_children(vr_rpc_call *c) { return vr_rpc_moments_list_all_children(c, &checkpoints); }
static vr_rpc_result lookup_by_name(vr_rpc_call *c) { return vr_rpc_moments_lookup(c, &checkpoints); }
static vr_rpc_result get_parent(vr_rpc_call *c) { return vr_rpc_moments_parent(c, &checkpoints); }

static vr_rpc_result fill_xml(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    (void)w;
    ((vrp_str_ret *)c->ret)->value = vr_checkpoint_def_format(at(m, i));
    return VR_RPC_OK;
}

static vr_rpc_result get_xml(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    return vr_rpc_moments_answer(c, &checkpoints, &a->snap, a->flags, XML_SECURE | XML_NO_DOMAIN, fill_xml);
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
    if (!vr_rpc_moment_xml_fits(c, &checkpoints, a->xml))
        return VR_RPC_FAILED;
    vr_rpc_dom_wire(&((vrp_snap_ret *)c->ret)->snap.dom, dom);
    vr_core_checkpoint_create(dom, a->xml, NULL, NULL, flags, on_created, c);
    return VR_RPC_LATER;
}

static void on_done(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_CHECKPOINT);
}

static vr_rpc_result start_delete(vr_rpc_call *c, const vr_rpc_moments *m, size_t i, const vrp_snap *w)
{
    (void)i;
    vr_core_checkpoint_delete(m->dom, w->name, ((vrp_snap_args *)c->args)->flags, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result delete(vr_rpc_call *c)
{
    vrp_snap_args *a = c->args;
    /* CHILDREN_ONLY: not done, refused. */
    return vr_rpc_moments_answer(c, &checkpoints, &a->snap, a->flags, DELETE_CHILDREN | DELETE_METADATA_ONLY,
                                 start_delete);
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
