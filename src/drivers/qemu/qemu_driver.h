/* The QEMU driver: owns every domain object, its definition on disk and
 * its QEMU process. The daemon's API routes call these functions; they
 * never touch XML or processes themselves. Everything runs on the one
 * event loop; operations that wait on QEMU finish through a callback. */
#pragma once
#include "common/errors.h"
#include "common/paths.h"
#include "conf/domain_conf.h"

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

typedef enum {
    VR_DOM_SHUTOFF,
    VR_DOM_RUNNING,
    VR_DOM_PAUSED,
    VR_DOM_SHUTDOWN, /* the guest is shutting down */
} vr_dom_state;

typedef struct vr_qemu_driver vr_qemu_driver;
typedef struct vr_domain vr_domain;
typedef struct vr_console vr_console;

struct vr_domain {
    vr_qemu_driver *drv;
    vr_domain_def *def;     /* the definition (persistent, or the transient one) */
    vr_domain_def *next;    /* redefined while running: applies at next start */
    bool persistent;
    bool autostart;
    vr_dom_state state;
    const char *reason;     /* static: booted, user, shutdown, destroyed, crashed, ... */
    int id;                 /* -1 when not running */
    pid_t pid;
    time_t started_at;
    char *runtime_dir;      /* RUNTIME/qemu/NAME while running */
    struct vr_qmp *qmp;
    struct vr_pidwatch *watch;
    vr_console *console;
    struct event *kill_timer;
    bool starting, destroying, shutdown_event, rebooting;
    struct waiter *waiters; /* callers waiting for the process to exit */
};

/* Called for every lifecycle event: started, suspended, resumed,
 * shutdown, stopped, crashed, defined, undefined, rebooted. */
typedef void (*vr_event_fn)(const vr_domain *dom, const char *event, const char *detail, void *opaque);
/* An operation's end: err NULL on success. */
typedef void (*vr_done_fn)(vr_err code, const char *err, void *opaque);

/* Load definitions, re-adopt running QEMUs, start autostart domains. */
vr_qemu_driver *vr_qemu_driver_new(struct event_base *base, const vr_paths *paths,
                                   vr_event_fn on_event, void *opaque);
void vr_qemu_driver_free(vr_qemu_driver *drv);

/* The domains, sorted by name; the array is the driver's. */
vr_domain *const *vr_qemu_domains(vr_qemu_driver *drv, size_t *n);
/* By name, uuid, or running id. */
vr_domain *vr_qemu_lookup(vr_qemu_driver *drv, const char *key);

vr_err vr_qemu_define(vr_qemu_driver *drv, const char *xml, vr_domain **out, char **err);
vr_err vr_qemu_undefine(vr_domain *dom, bool remove_storage, char **err);
/* Transient: defined and started in one step, gone when it stops. */
void vr_qemu_create(vr_qemu_driver *drv, const char *xml, bool paused, vr_done_fn cb, void *opaque);
void vr_qemu_start(vr_domain *dom, bool paused, vr_done_fn cb, void *opaque);
vr_err vr_qemu_shutdown(vr_domain *dom, char **err);
vr_err vr_qemu_reboot(vr_domain *dom, char **err);
void vr_qemu_destroy(vr_domain *dom, vr_done_fn cb, void *opaque);
void vr_qemu_suspend(vr_domain *dom, vr_done_fn cb, void *opaque);
void vr_qemu_resume(vr_domain *dom, vr_done_fn cb, void *opaque);
vr_err vr_qemu_set_autostart(vr_domain *dom, bool on, char **err);
/* The XML to show: the live one while running, else the definition. */
char *vr_qemu_xml(const vr_domain *dom, bool inactive);

typedef void (*vr_stats_fn)(json_object *stats, const char *err, void *opaque);
void vr_qemu_stats(vr_domain *dom, vr_stats_fn cb, void *opaque);

const char *vr_dom_state_name(vr_dom_state s);
/* The accelerator the host gives domains of type 'kvm': probed once. */
bool vr_qemu_kvm_usable(vr_qemu_driver *drv);
struct event_base *vr_qemu_base(vr_qemu_driver *drv);
const vr_paths *vr_qemu_paths(vr_qemu_driver *drv);
