/* Installs (virt-install's job), planned once: every transport hands
 * the request's inputs (vireo_install_request, the src/wire schema
 * "install request") to vr_core_install_plan, which checks them against
 * this host's drivers and makes the plan -- the domain definition of
 * each phase, the volumes to create, the warnings, the restart rule --
 * before anything is made; vr_core_install_run then makes it, and on a
 * failure removes what it made. The CLI (vireo install) and the web
 * wizard both reach it through POST /v1/install. */
#pragma once
#include "drivers/qemu/qemu_driver.h"
#include "vireo/vireo.h"

struct vr_net_driver;
struct vr_storage_driver;

typedef struct {
    vr_qemu_driver *qemu;
    struct vr_net_driver *net;         /* NULL: no networks here */
    struct vr_storage_driver *storage;
    bool session;                      /* a user's own daemon: user-mode networking by default */
} vr_install_env;

typedef struct vr_core_install vr_core_install;

/* The plan of request r (copied; r stays the caller's), or NULL with
 * *code and *err (a one-line message naming the option). Makes nothing. */
vr_core_install *vr_core_install_plan(const vr_install_env *env, const vireo_install_request *r, vr_err *code,
                                      char **err);
void vr_core_install_free(vr_core_install *x);
/* The plan as its wire struct (clear with vr_wire_clear(&vr_wire_install_plan, out)). */
void vr_core_install_view(const vr_core_install *x, vireo_install_plan *out);

/* Make it: the volumes (a copy_from= disk copied beside the loop, the
 * long part), inactive networks started, the definition, then (for an
 * install, or unless no_start) the start; an install's final definition
 * is defined while the install phase runs, and the daemon starts the
 * installed system when the installer powers off unless noreboot.
 * progress (may be NULL) gets the percent done and what happens now;
 * done gets the domain (NULL on failure, after everything made was
 * removed); x stays the caller's to free, after done. */
typedef void (*vr_core_install_progress)(double percent, const char *step, void *opaque);
typedef void (*vr_core_install_done)(vr_core_install *x, vr_domain *dom, vr_err code, const char *err,
                                     void *opaque);
void vr_core_install_run(vr_core_install *x, vr_core_install_progress progress, vr_core_install_done done,
                         void *opaque);
/* Stop it while its volumes are made (a copy is killed, what was made
 * removed; done then reports the cancel); false once the domain is being
 * defined, when it goes on to its end. */
bool vr_core_install_cancel(vr_core_install *x);
