/* Memory as libvirt models it: <memory> is what QEMU gets (-m), fixed
 * while it runs; <currentMemory> is the balloon target, which the
 * guest's virtio balloon driver reaches by handing pages back to the
 * host. Here: the target at start, setmem and setmaxmem. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/log.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* QEMU is up and answers QMP. */
static bool active(const vr_domain *dom)
{
    return dom->state != VR_DOM_SHUTOFF && dom->pid > 0 && dom->qmp;
}

static json_object *balloon_args(unsigned long long kib)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, "value", json_object_new_int64((int64_t)(kib * 1024)));
    return a;
}

static void on_start_balloon(json_object *ret, const char *error, void *opaque)
{
    char *name = opaque;
    /* The guest still runs, with all of <memory>: not worth failing
     * a start that succeeded. */
    if (error)
        vr_log_warn("domain %s: cannot set the balloon to <currentMemory>: %s", name, error);
    free(name);
}

void vr_qemu_balloon_at_start(vr_domain *dom)
{
    const vr_domain_def *def = dom->def;
    if (def->memballoon.model != VR_MEMBALLOON_VIRTIO || def->current_memory_kib >= def->memory_kib)
        return;
    vr_qmp_command(dom->qmp, "balloon", balloon_args(def->current_memory_kib), on_start_balloon,
                   vr_strdup(def->name));
}

/* ---- checks, all made before anything changes ---- */

unsigned vr_qemu_affect(const vr_domain *dom, unsigned flags)
{
    if (flags & (VR_MEM_LIVE | VR_MEM_CONFIG))
        return flags;
    return active(dom) ? VR_MEM_LIVE : VR_MEM_CONFIG;
}

static vr_err check_target(const vr_domain *dom, unsigned flags, char **err)
{
    const char *name = dom->def->name;
    if (dom->starting) {
        vr_set_error(err, "domain '%s' is starting; try again once it runs", name);
        return VR_ERR_CONFLICT;
    }
    if ((flags & VR_MEM_LIVE) && !active(dom)) {
        vr_set_error(err, "domain '%s' is not running; use --config to change the memory it starts with",
                     name);
        return VR_ERR_CONFLICT;
    }
    if ((flags & VR_MEM_CONFIG) && !dom->persistent) {
        vr_set_error(err, "domain '%s' is transient and has no persistent definition; use --live", name);
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

/* A <currentMemory> of `kib` in `def`; `live`: def runs now, so its
 * <memory> cannot be raised before a restart. */
static vr_err check_current(const vr_domain_def *def, unsigned long long kib, bool live, char **err)
{
    if (kib < VR_MIN_MEMORY_KIB) {
        vr_set_error(err, "%llu KiB is less than the minimum of 1 MiB", kib);
        return VR_ERR_INVALID;
    }
    if (kib > def->memory_kib) {
        vr_set_error(err, "%llu KiB is more than the maximum memory of domain '%s' (%llu KiB); %s", kib,
                     def->name, def->memory_kib,
                     live ? "raise it with 'vireo setmaxmem --config' and restart the domain"
                          : "raise it first with 'vireo setmaxmem --config' (or edit <memory>)");
        return VR_ERR_INVALID;
    }
    return VR_OK;
}

/* ---- changing the persistent definition ---- */

/* Set <memory> (max_kib, 0 = keep; <currentMemory> follows it down) and
 * <currentMemory> (cur_kib, 0 = keep) in the persistent definition and
 * save it; on a failed save nothing changes. While QEMU runs, the
 * change goes to a copy that the next start uses, as a redefinition
 * would. */
static vr_err change_config(vr_domain *dom, unsigned long long max_kib, unsigned long long cur_kib,
                            char **err)
{
    vr_err code = check_target(dom, VR_MEM_CONFIG, err);
    if (code != VR_OK)
        return code;
    vr_domain_def *fresh = NULL;
    if (dom->state != VR_DOM_SHUTOFF && !dom->next && !(fresh = vr_domain_def_copy(dom->def))) {
        vr_set_error(err, "cannot copy the definition of domain '%s'", dom->def->name);
        return VR_ERR_FAILED;
    }
    vr_domain_def *def = fresh ? fresh : dom->next ? dom->next : dom->def;
    unsigned long long old_max = def->memory_kib, old_cur = def->current_memory_kib;
    if (max_kib) {
        def->memory_kib = max_kib;
        if (def->current_memory_kib > max_kib)
            def->current_memory_kib = max_kib;
    }
    if (cur_kib && (code = check_current(def, cur_kib, false, err)) == VR_OK)
        def->current_memory_kib = cur_kib;
    if (code == VR_OK)
        code = vr_qemu_domain_save(dom->drv, def, err);
    if (code != VR_OK) {
        def->memory_kib = old_max;
        def->current_memory_kib = old_cur;
        vr_domain_def_free(fresh);
        return code;
    }
    if (fresh)
        dom->next = fresh;
    vr_qemu_emit(dom, "defined", "updated");
    return VR_OK;
}

/* ---- setmem ---- */

typedef struct {
    vr_domain *dom;
    unsigned long long kib;
    unsigned flags;
    vr_done_fn cb;
    void *opaque;
} setmem_ctx;

static void on_balloon(json_object *ret, const char *error, void *opaque)
{
    setmem_ctx *c = opaque;
    vr_domain *dom = c->dom;
    vr_err code = VR_OK;
    char *err = NULL;
    if (error) {
        /* Also "QEMU exited": the domain is still there while its
         * monitor's callers hear back. */
        err = vr_asprintf("QEMU refused the balloon target of domain '%s': %s", dom->def->name, error);
        code = VR_ERR_FAILED;
    } else {
        /* The live definition says the target, as libvirt's does; the
         * run directory's copy keeps it for a restarted daemon. */
        dom->def->current_memory_kib = c->kib;
        int rc = vr_qemu_runtime_save_def(dom);
        if (rc < 0)
            vr_log_warn("domain %s: cannot save its live definition: %s", dom->def->name, strerror(-rc));
        if (c->flags & VR_MEM_CONFIG)
            code = change_config(dom, 0, c->kib, &err);
    }
    c->cb(code, err, c->opaque);
    free(err);
    free(c);
}

void vr_qemu_set_memory(vr_domain *dom, unsigned long long kib, unsigned flags, vr_done_fn cb, void *opaque)
{
    char *err = NULL;
    flags = vr_qemu_affect(dom, flags);
    vr_err code = check_target(dom, flags, &err);
    if (code == VR_OK && (flags & VR_MEM_LIVE))
        code = check_current(dom->def, kib, true, &err);
    if (code == VR_OK && (flags & VR_MEM_LIVE) && dom->def->memballoon.model != VR_MEMBALLOON_VIRTIO) {
        vr_set_error(&err, "domain '%s' has no memory balloon (<memballoon model='none'>); use --config "
                          "to change the memory it starts with", dom->def->name);
        code = VR_ERR_UNSUPPORTED;
    }
    if (code == VR_OK && (flags & VR_MEM_CONFIG))
        code = check_current(dom->next ? dom->next : dom->def, kib, false, &err);
    /* A live change must not leak into the persistent definition, which
     * is the live one until something sets them apart. */
    if (code == VR_OK && (flags & VR_MEM_LIVE) && dom->persistent && !dom->next &&
        !(dom->next = vr_domain_def_copy(dom->def))) {
        vr_set_error(&err, "cannot copy the definition of domain '%s'", dom->def->name);
        code = VR_ERR_FAILED;
    }
    if (code != VR_OK || !(flags & VR_MEM_LIVE)) {
        if (code == VR_OK)
            code = change_config(dom, 0, kib, &err);
        cb(code, err, opaque);
        free(err);
        return;
    }
    setmem_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (setmem_ctx){.dom = dom, .kib = kib, .flags = flags, .cb = cb, .opaque = opaque};
    vr_qmp_command(dom->qmp, "balloon", balloon_args(kib), on_balloon, c);
}

/* ---- setmaxmem ---- */

vr_err vr_qemu_set_max_memory(vr_domain *dom, unsigned long long kib, unsigned flags, char **err)
{
    flags = vr_qemu_affect(dom, flags);
    vr_err code = check_target(dom, flags, err);
    if (code != VR_OK)
        return code;
    if (flags & VR_MEM_LIVE) {
        vr_set_error(err, "the maximum memory of domain '%s' cannot change while it runs; use --config "
                          "(it applies at the next start)", dom->def->name);
        return VR_ERR_CONFLICT;
    }
    if (kib < VR_MIN_MEMORY_KIB || kib > VR_MAX_MEMORY_KIB) {
        vr_set_error(err, "%llu KiB is outside the range of <memory>: from 1 MiB to 16 TiB", kib);
        return VR_ERR_INVALID;
    }
    return change_config(dom, kib, 0, err);
}
