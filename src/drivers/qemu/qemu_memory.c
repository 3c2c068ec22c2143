/* Memory as libvirt models it: <memory> is what QEMU gets (-m), fixed
 * while it runs; <currentMemory> is the balloon target, which the
 * guest's virtio balloon driver reaches by handing pages back to the
 * host. Here: the target at start. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/log.h"
#include "common/util.h"

#include <stdlib.h>

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
