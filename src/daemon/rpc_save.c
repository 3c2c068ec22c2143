/* libvirt protocol: save, restore and managed save, and the job they
 * run (domjobinfo, domjobabort), over the QEMU driver's calls that the
 * HTTP routes in api_save.c use (qemu_save.c). */
#include "daemon/rpc.h"
#include "core/domain_ops.h"
#include "common/util.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* virDomainSaveRestoreFlags. */
enum { SAVE_BYPASS_CACHE = 1, SAVE_RUNNING = 2, SAVE_PAUSED = 4, SAVE_ALLOWED = 7 };

static void on_done(vr_err code, const char *err, void *opaque)
{
    vr_rpc_done(opaque, code, err, VR_RPC_DOMAIN);
}

/* libvirt's RUNNING/PAUSED as Vireo's (the cache is never bypassed:
 * accepted, as libvirt accepts it where O_DIRECT is unusable). */
static bool save_flags(vr_rpc_call *c, unsigned flags, const char *const *dxml, unsigned *out)
{
    if (!vr_rpc_flags_ok(c, flags, SAVE_ALLOWED))
        return false;
    if ((flags & SAVE_RUNNING) && (flags & SAVE_PAUSED)) {
        vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "running and paused flags are mutually exclusive");
        return false;
    }
    if (dxml && *dxml) {
        vr_rpc_fail(c, VIR_ERR_CONFIG_UNSUPPORTED, "vireod restores the definition saved in the image; an "
                    "altered one (--xml) is not supported");
        return false;
    }
    *out = (flags & SAVE_RUNNING ? VR_SAVE_RUNNING : 0) | (flags & SAVE_PAUSED ? VR_SAVE_PAUSED : 0);
    return true;
}

/* The file is the daemon's: a relative path would name a file in its
 * working directory, which the client never meant. */
static bool absolute(vr_rpc_call *c, const char *path)
{
    if (path[0] == '/')
        return true;
    vr_rpc_fail(c, VIR_ERR_INVALID_ARG, "'%s' is not an absolute path (the file is on vireod's host)", path);
    return false;
}

static vr_rpc_result save_with(vr_rpc_call *c, const vrp_dom *d, const char *to, const char *const *dxml,
                               unsigned flags)
{
    vr_domain *dom = vr_rpc_find_domain(c, d);
    unsigned f;
    if (!dom || !save_flags(c, flags, dxml, &f) || !absolute(c, to))
        return VR_RPC_FAILED;
    vr_qemu_save(dom, to, f, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result save(vr_rpc_call *c)
{
    vrp_save_args *a = c->args;
    return save_with(c, &a->dom, a->to, NULL, 0);
}

static vr_rpc_result save_flags_call(vr_rpc_call *c)
{
    vrp_save_flags_args *a = c->args;
    return save_with(c, &a->dom, a->to, (const char *const *)a->dxml, a->flags);
}

static vr_rpc_result restore_with(vr_rpc_call *c, const char *from, const char *const *dxml, unsigned flags)
{
    unsigned f;
    if (!save_flags(c, flags, dxml, &f) || !absolute(c, from))
        return VR_RPC_FAILED;
    vr_qemu_restore(c->api->qemu, from, f, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result restore(vr_rpc_call *c)
{
    return restore_with(c, ((vrp_restore_args *)c->args)->from, NULL, 0);
}

static vr_rpc_result restore_flags(vr_rpc_call *c)
{
    vrp_restore_flags_args *a = c->args;
    return restore_with(c, a->from, (const char *const *)a->dxml, a->flags);
}

static vr_rpc_result managed_save(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    unsigned f;
    if (!dom || !save_flags(c, a->flags, NULL, &f))
        return VR_RPC_FAILED;
    vr_qemu_save(dom, NULL, f | VR_SAVE_MANAGED, on_done, c);
    return VR_RPC_LATER;
}

static vr_rpc_result managed_save_remove(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_qemu_managed_save_remove(dom, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

static vr_rpc_result has_managed_save(vr_rpc_call *c)
{
    vrp_dom_flags_args *a = c->args;
    vr_domain *dom = vr_rpc_find_domain(c, &a->dom);
    if (!dom || !vr_rpc_flags_ok(c, a->flags, 0))
        return VR_RPC_FAILED;
    ((vrp_int_ret *)c->ret)->value = vr_qemu_has_managed_save(dom);
    return VR_RPC_OK;
}

/* ---- the job: a save or restore under way ---- */

static long long job_num(json_object *job, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(job, key, &v) ? json_object_get_int64(v) : 0;
}

/* virDomainJobType: NONE 0, UNBOUNDED 2 (a save's size is not known
 * until QEMU has written it). */
static json_object *job_of(vr_rpc_call *c, int *type)
{
    vr_domain *dom = vr_rpc_find_domain(c, &((vrp_dom_args *)c->args)->dom);
    if (!dom)
        return NULL;
    json_object *job = vr_qemu_job_info(dom), *t = NULL;
    json_object_object_get_ex(job, "type", &t);
    *type = t && strcmp(json_object_get_string(t), "none") != 0 ? 2 : 0;
    return job;
}

static bool is_backup(json_object *job)
{
    json_object *op = NULL;
    return json_object_object_get_ex(job, "operation", &op) && strcmp(json_object_get_string(op), "backup") == 0;
}

static vr_rpc_result job_info(vr_rpc_call *c)
{
    vrp_job_info_ret *r = c->ret;
    json_object *job = job_of(c, &r->type);
    if (!job)
        return VR_RPC_FAILED;
    r->time_elapsed = (unsigned long long)job_num(job, "elapsed_ms");
    r->data_total = (unsigned long long)job_num(job, "data_total");
    r->data_processed = (unsigned long long)job_num(job, "data_processed");
    r->data_remaining = (unsigned long long)job_num(job, "data_remaining");
    if (is_backup(job)) { /* libvirt counts a backup's bytes as a file's */
        r->file_total = r->data_total;
        r->file_processed = r->data_processed;
        r->file_remaining = r->data_remaining;
    }
    json_object_put(job);
    return VR_RPC_OK;
}

/* virDomainGetJobStats: the same facts as typed parameters (libvirt's
 * VIR_DOMAIN_JOB_* field names). */
static vr_rpc_result job_stats(vr_rpc_call *c)
{
    enum { TP_INT = 1, TP_ULLONG = 4, JOB_STATS_COMPLETED = 1, JOB_STATS_KEEP_COMPLETED = 2 };
    vrp_job_stats_ret *r = c->ret;
    unsigned flags = ((vrp_dom_flags_args *)c->args)->flags;
    if (!vr_rpc_flags_ok(c, flags, JOB_STATS_COMPLETED | JOB_STATS_KEEP_COMPLETED))
        return VR_RPC_FAILED;
    json_object *job = job_of(c, &r->type);
    if (!job)
        return VR_RPC_FAILED;
    if (flags & JOB_STATS_COMPLETED)
        r->type = 0; /* no record of finished jobs is kept: none */
    /* libvirt's fields per operation: a save's or restore's data_*; a
     * push backup's disk_* (virsh: "File processed"); a pull backup's
     * disk_temp_* ("Temporary disk space use") */
    static const char *const save_fields[][2] = {{"time_elapsed", "elapsed_ms"}, {"data_total", "data_total"},
                                                 {"data_processed", "data_processed"},
                                                 {"data_remaining", "data_remaining"}, {0}};
    static const char *const push_fields[][2] = {{"time_elapsed", "elapsed_ms"}, {"disk_total", "data_total"},
                                                 {"disk_processed", "data_processed"},
                                                 {"disk_remaining", "data_remaining"}, {0}};
    static const char *const pull_fields[][2] = {{"time_elapsed", "elapsed_ms"},
                                                 {"disk_temp_used", "disk_temp_used"},
                                                 {"disk_temp_total", "disk_temp_total"}, {0}};
    json_object *op = NULL;
    if (r->type && json_object_object_get_ex(job, "operation", &op)) {
        /* virDomainJobOperation: save 2, restore 3, backup 9 */
        const char *name = json_object_get_string(op);
        bool backup = strcmp(name, "backup") == 0;
        const char *const(*fields)[2] = !backup ? save_fields
                                        : json_object_object_get_ex(job, "disk_temp_total", NULL) ? pull_fields
                                                                                                  : push_fields;
        r->params.params_val = vr_calloc(VR_ARRAY_LEN(save_fields) + 1, sizeof(vrp_typed_param));
        vrp_typed_param *p = &r->params.params_val[r->params.params_len++];
        p->field = vr_strdup("operation");
        p->value.type = TP_INT;
        p->value.vrp_typed_value_u.i = backup ? 9 : strcmp(name, "restore") == 0 ? 3 : 2;
        for (size_t i = 0; fields[i][0]; i++) {
            p = &r->params.params_val[r->params.params_len++];
            p->field = vr_strdup(fields[i][0]);
            p->value.type = TP_ULLONG;
            p->value.vrp_typed_value_u.ul = (unsigned long long)job_num(job, fields[i][1]);
        }
    }
    json_object_put(job);
    return VR_RPC_OK;
}

static vr_rpc_result abort_job(vr_rpc_call *c)
{
    vr_domain *dom = vr_rpc_find_domain(c, &((vrp_dom_args *)c->args)->dom);
    if (!dom)
        return VR_RPC_FAILED;
    char *err = NULL;
    vr_err code = vr_qemu_job_abort(dom, &err);
    return vr_rpc_outcome(c, code, err, VR_RPC_DOMAIN);
}

const vr_rpc_proc vr_rpc_save_procs[] = {
    VR_RPC_PROC(54, "virDomainRestore", vrp_restore_args, vrp_void, restore, WRITE),
    VR_RPC_PROC(55, "virDomainSave", vrp_save_args, vrp_void, save, WRITE),
    VR_RPC_PROC(163, "virDomainGetJobInfo", vrp_dom_args, vrp_job_info_ret, job_info, READ),
    VR_RPC_PROC(164, "virDomainAbortJob", vrp_dom_args, vrp_void, abort_job, WRITE),
    VR_RPC_PROC(182, "virDomainManagedSave", vrp_dom_flags_args, vrp_void, managed_save, WRITE),
    VR_RPC_PROC(183, "virDomainHasManagedSaveImage", vrp_dom_flags_args, vrp_int_ret, has_managed_save, READ),
    VR_RPC_PROC(184, "virDomainManagedSaveRemove", vrp_dom_flags_args, vrp_void, managed_save_remove, WRITE),
    VR_RPC_PROC(232, "virDomainSaveFlags", vrp_save_flags_args, vrp_void, save_flags_call, WRITE),
    VR_RPC_PROC(233, "virDomainRestoreFlags", vrp_restore_flags_args, vrp_void, restore_flags, WRITE),
    VR_RPC_PROC(298, "virDomainGetJobStats", vrp_dom_flags_args, vrp_job_stats_ret, job_stats, READ),
    {0},
};
