/* The end of an install phase: virt-install starts the guest again once
 * its installer powers off, and so does the daemon for installs made
 * through POST /v1/install (the web wizard), where no client stays to
 * do it. The wish is kept as a marker file in the run directory, so a
 * daemon restarted during the install still honours it. Only a clean
 * shutdown restarts: a destroyed or crashed installer stays off. */
#include "drivers/qemu/qemu_driver.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARKER "restart-on-shutdown"

vr_err vr_qemu_restart_after_install(vr_domain *dom, char **err)
{
    if (!dom->runtime_dir || dom->state == VR_DOM_SHUTOFF) {
        vr_set_error(err, "domain '%s' is not running", dom->def->name);
        return VR_ERR_CONFLICT;
    }
    char *path = vr_asprintf("%s/" MARKER, dom->runtime_dir);
    int rc = vr_file_write_atomic(path, "1\n", 2, 0600);
    free(path);
    if (rc < 0) {
        vr_set_error(err, "cannot mark '%s' to start again after its install: %s", dom->def->name,
                     strerror(rc < -1 ? -rc : errno));
        return VR_ERR_FAILED;
    }
    dom->restart_on_shutdown = true;
    return VR_OK;
}

void vr_qemu_restart_load(vr_domain *dom)
{
    char *path = vr_asprintf("%s/" MARKER, dom->runtime_dir);
    dom->restart_on_shutdown = access(path, F_OK) == 0;
    free(path);
}

typedef struct {
    vr_qemu_driver *drv;
    char *name;
} restart_ctx;

static void on_restarted(vr_err code, const char *err, void *opaque)
{
    char *name = opaque;
    if (code == VR_OK)
        vr_log_info("domain %s: installed; started again from its disk", name);
    else
        vr_log_error("domain %s: installed, but starting it again failed: %s", name, err);
    free(name);
}

static void restart_now(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    restart_ctx *r = arg;
    /* Looked up again: it may have been undefined or started meanwhile. */
    vr_domain *dom = vr_qemu_lookup(r->drv, r->name);
    if (dom && dom->state == VR_DOM_SHUTOFF && !dom->starting)
        vr_qemu_start(dom, false, on_restarted, vr_strdup(r->name));
    free(r->name);
    free(r);
}

void vr_qemu_restart_check(vr_domain *dom, const char *reason)
{
    if (!dom->restart_on_shutdown)
        return;
    dom->restart_on_shutdown = false;
    if (!dom->persistent || strcmp(reason, "shutdown") != 0) {
        vr_log_info("domain %s: the install phase ended (%s); left off", dom->def->name, reason);
        return;
    }
    restart_ctx *r = vr_calloc(1, sizeof(*r));
    *r = (restart_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name)};
    /* After this exit's events have gone out: clients see "stopped"
     * (the install ended) and then "started". */
    event_base_once(vr_qemu_base(dom->drv), -1, EV_TIMEOUT, restart_now, r, NULL);
}
