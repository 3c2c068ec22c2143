/* iothreadadd and iothreaddel: QMP object-add/object-del of an iothread
 * (QEMU's iothreadN, as qemu_command_memory.c names them at start) and
 * the definitions' <iothreads> and <iothreadids> (and a removed one's
 * <iothreadpin>). Any id from 1 to 65535 can be added, as libvirt; the
 * definition then lists its ids in <iothreadids>. One a disk or a
 * controller uses is never removed. */
#include "drivers/qemu/qemu_hotplug.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who in `def` uses iothread `id` ("disk vda"), or NULL. */
static char *user_of(const vr_domain_def *def, unsigned id)
{
    for (size_t i = 0; i < def->n_disks; i++)
        if (def->disks[i].iothread == id)
            return vr_asprintf("disk %s", def->disks[i].target_dev);
    for (size_t i = 0; i < def->n_controllers; i++)
        if (def->controllers[i].iothread == id)
            return vr_asprintf("controller scsi index %u", def->controllers[i].index);
    return NULL;
}

/* `def` with iothread `id` added or removed; NULL and err when it cannot. */
static vr_domain_def *with_iothread(const vr_domain_def *def, unsigned id, bool add, bool persistent, char **err)
{
    const char *which = persistent ? " in its persistent definition" : "";
    char *user = add ? NULL : user_of(def, id);
    bool has = vr_domain_has_iothread(def, id);
    if (id < 1 || id > VR_IOTHREAD_ID_MAX)
        vr_set_error(err, "iothread %u: an iothread id is from 1 to %u", id, VR_IOTHREAD_ID_MAX);
    else if (add && has)
        vr_set_error(err, "domain '%s' has iothread %u already%s (iothreadinfo lists them)", def->name, id, which);
    else if (add && def->iothreads >= VR_IOTHREADS_MAX)
        vr_set_error(err, "domain '%s' has %u iothreads%s, the most a domain has; remove one first (iothreaddel)",
                     def->name, def->iothreads, which);
    else if (!add && !has)
        vr_set_error(err, "domain '%s' has no iothread %u%s (iothreadinfo lists them)", def->name, id, which);
    else if (user)
        vr_set_error(err, "iothread %u of domain '%s' is used by %s%s; move it off first (edit its "
                          "<driver iothread>)", id, def->name, user, which);
    free(user);
    if (*err)
        return NULL;
    vr_domain_def *copy = vr_domain_def_copy(def);
    if (!copy) {
        vr_set_error(err, "cannot copy the definition of domain '%s'", def->name);
        return NULL;
    }
    if (add) { /* as libvirt: the ids are listed from now on */
        copy->iothread_ids = vr_realloc(copy->iothread_ids, (copy->n_iothread_ids + 1) * sizeof(unsigned));
        copy->iothread_ids[copy->n_iothread_ids++] = id;
        copy->iothreadids_listed = true;
    } else {
        for (size_t i = 0; i < copy->n_iothread_ids; i++)
            if (copy->iothread_ids[i] == id)
                memmove(&copy->iothread_ids[i], &copy->iothread_ids[i + 1],
                        (--copy->n_iothread_ids - i) * sizeof(unsigned));
    }
    copy->iothreads = (unsigned)copy->n_iothread_ids;
    vr_cputune *t = &copy->cputune; /* a removed iothread's <iothreadpin> goes with it */
    for (size_t i = 0; !add && i < t->n_iothreadpins; i++)
        if (t->iothreadpins[i].vcpu == id) {
            free(t->iothreadpins[i].cpuset);
            t->iothreadpins[i--] = t->iothreadpins[--t->n_iothreadpins];
        }
    return copy;
}

void vr_qemu_iothread_change(vr_domain *dom, unsigned id, bool add, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_hp *h = vr_hp_new(dom, vr_qemu_affect(dom, flags), cb, opaque);
    char *err = NULL;
    vr_err code = vr_hp_check(dom, h->flags, add ? "add an iothread to" : "remove an iothread from", &err);
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE) && !(h->live = with_iothread(dom->def, id, add, false, &err)))
        code = VR_ERR_CONFLICT;
    if (code == VR_OK && (h->flags & VR_AFFECT_CONFIG) &&
        !(h->config = with_iothread(vr_hp_config_def(dom), id, add, true, &err)))
        code = VR_ERR_CONFLICT;
    if (code == VR_OK && (h->flags & VR_AFFECT_LIVE)) {
        char qid[32];
        snprintf(qid, sizeof(qid), "iothread%u", id);
        json_object *del = json_object_new_object();
        json_object_object_add(del, "id", json_object_new_string(qid));
        if (add) {
            json_object *a = json_object_new_object();
            json_object_object_add(a, "qom-type", json_object_new_string("iothread"));
            json_object_object_add(a, "id", json_object_new_string(qid));
            vr_hp_step(h, "object-add", a, "object-del", del);
        } else {
            vr_hp_step(h, "object-del", del, NULL, NULL);
        }
    }
    vr_hp_go(h, code, err, h->flags & VR_AFFECT_LIVE, vr_hp_replace_end);
}
