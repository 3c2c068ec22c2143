/* Internals shared by the QEMU driver's files: the driver state, the
 * domain registry and its files on disk. Not for the daemon. */
#pragma once
#include "drivers/qemu/qemu_driver.h"
#include "drivers/qemu/qemu_process.h"

#include <time.h>

struct vr_qemu_driver {
    struct event_base *base;
    const vr_paths *paths;
    struct vr_registry *reg; /* every domain, persistent or not; CONFIG/qemu (src/registry) */
    char *runtime_dir;   /* RUNTIME/qemu: NAME/ per running domain */
    char *log_dir;       /* LOG/qemu: NAME.log and NAME-serial0.log */
    int next_id;
    int kvm_probed;      /* 0 not yet, 1 usable, -1 not */
    bool accel_strict;   /* vireod --accel strict */
    vr_event_fn on_event;
    void *event_opaque;
    vr_qemu_net_hooks net;
    char **stale_ifnames; /* of runs that ended while the daemon was away, */
    size_t n_stale_ifnames; /* released once the net hooks are set */
    vr_qemu_identity qemu_as; /* uid 0: QEMU runs as the daemon */
    vr_qemu_volume_fn resolve_volume; /* set by the daemon; NULL: no storage */
    void *resolve_opaque;
    vr_qemu_secret_fn secret_fn; /* set by the daemon; NULL: no secret store */
    void *secret_opaque;
    vr_qemu_backup_end_fn backup_end; /* set by the daemon: a re-adopted backup's end */
};

/* Registry. add: parse, check name/uuid clashes, and (persistent) save.
 * adopted: the live definition of a running QEMU, parsed as it is (a new
 * one gets the root ports of vr_domain_def_parse_new). */
vr_err vr_qemu_domain_add(vr_qemu_driver *drv, const char *xml, bool persistent, bool adopted,
                          vr_domain **out, char **err);
void vr_qemu_domain_remove(vr_qemu_driver *drv, vr_domain *dom);
/* Write a persistent definition to CONFIG/qemu/NAME.xml (atomically). */
vr_err vr_qemu_domain_save(vr_qemu_driver *drv, const vr_domain_def *def, char **err);
/* def (taken) becomes the domain's persistent definition: the one for
 * its next start while it runs or starts, its definition when shut off.
 * In memory only: the caller has saved it. */
void vr_qemu_domain_set_config(vr_domain *dom, vr_domain_def *def);

/* Files. */
char *vr_qemu_log_path(const vr_domain *dom);
char *vr_qemu_serial_log_path(const vr_domain *dom);
/* Logs (qemu_log.c): rotated at start past this size, NAME.log.1 keeping
 * the one before; those of domains no longer defined are removed when
 * the daemon starts. docs/user-guide.md says so. */
#define VR_QEMU_LOG_MAX (1024 * 1024)
void vr_qemu_logs_rotate(const vr_domain *dom);
void vr_qemu_logs_prune(vr_qemu_driver *drv);
void vr_qemu_log_command(const char *log, char *const argv[]);
int vr_qemu_runtime_prepare(vr_domain *dom, char **err);
/* The live definition to RUNTIME/qemu/NAME/domain.xml, where re-adoption
 * reads it: at start, and again when a live change (setmem) alters it.
 * 0 or -errno. */
int vr_qemu_runtime_save_def(vr_domain *dom);
void vr_qemu_runtime_remove(vr_domain *dom);
void vr_qemu_runtime_remove_stale(const char *dir);

/* The taps of a run: written to and read from RUNTIME/qemu/NAME/taps so
 * a restarted daemon still knows them. */
void vr_qemu_taps_save(vr_domain *dom);
void vr_qemu_taps_load(vr_domain *dom);
void vr_qemu_taps_clear(vr_domain *dom);

/* Checks before a start that QEMU would report badly or late. */
vr_err vr_qemu_preflight(vr_domain *dom, char **err);
/* The same for one disk (also before a hot-plug): its volume resolved,
 * its image there and readable (writable unless read-only). */
vr_err vr_qemu_disk_preflight(vr_qemu_driver *drv, const char *name, vr_disk_def *d, char **err);
/* The running domain (and its disk) using the file at `path`, the same
 * file however spelled; NULL when none. */
vr_domain *vr_qemu_disk_holder(vr_qemu_driver *drv, const char *path, const vr_disk_def **disk);
/* Disk d of dom (starting, or hot-plugged) against the other running
 * domains: VR_ERR_CONFLICT with *err when one uses the same storage and
 * not both mark it <shareable/> (or both <readonly/>), or when dom has it
 * already. Network storage (an RBD image, a LUN: <disk type='network'>
 * or a volume of an rbd or iscsi-direct pool) by its protocol, its
 * image or IQN/LUN and a monitor or portal in common; local files too
 * when `files` (a start leaves them to QEMU's image locks). */
vr_err vr_qemu_disk_check_shared(vr_domain *dom, const vr_disk_def *d, bool files, char **err);

/* Hot-plug (qemu_hotplug.c). QEMU reported a device gone. */
void vr_qemu_device_deleted(vr_domain *dom, json_object *data);
/* QEMU's DEVICE_UNPLUG_GUEST_ERROR: the guest refused to let a device
 * being detached go (the device-removal-failed event; it stays). */
void vr_qemu_device_unplug_error(vr_domain *dom, json_object *data);
/* The run ended (or the daemon stops: notify false): unplugs still
 * waiting for the guest hear "QEMU exited" and are dropped. */
void vr_qemu_unplugs_end(vr_domain *dom, bool notify);
/* A new run's interfaces with <link state='down'/> lose their carrier
 * (qemu_update.c). */
void vr_qemu_links_at_start(vr_domain *dom);
/* Grant QEMU's user one more disk of a run (a hot-plugged one). */
int vr_qemu_grant_disk(vr_domain *dom, const vr_disk_def *d, char **err);
/* Options every QEMU of ours gets whatever the definition says. */
char **vr_qemu_argv_finish(const vr_qemu_driver *drv, char **argv);
/* Give QEMU's own user what this run needs: its run directory, its
 * serial log, its writable disks, its NVRAM. Nothing else becomes accessible. Each
 * file's owner and mode before are kept in dom->grants and in
 * RUNTIME/qemu/NAME/owners (qemu_grant.c). */
int vr_qemu_grant_files(vr_domain *dom, char **err);
/* A re-adopted run: its records from the run directory. */
void vr_qemu_grants_load(vr_domain *dom);
/* The run ended: give each file back to its owner unless another running
 * domain was handed it too (the last one gives it back). Never fails; a
 * file it cannot give back is named in a warning. Clears dom->grants. */
void vr_qemu_grants_restore(vr_domain *dom);
/* The same for a run found ended at daemon start, from its directory. */
void vr_qemu_grants_restore_dir(vr_qemu_driver *drv, const char *dir, const char *name);
void vr_qemu_grants_clear(vr_domain *dom);
/* Hand QEMU's user one more file of the run (a device node), remembered
 * as the others; `what` names it in errors. */
int vr_qemu_grant_path(vr_domain *dom, const char *path, const char *what, char **err);

/* PCI host devices (qemu_hostdev.c): refused before a start with the
 * reason (no IOMMU here, another running domain's, not on vfio-pci);
 * bound to vfio-pci (managed='yes') and their group's node handed to
 * QEMU at start; the managed ones given back when the run ends. */
vr_err vr_qemu_hostdev_preflight(const vr_domain *dom, char **err);
int vr_qemu_hostdev_prepare(vr_domain *dom, char **err);
void vr_qemu_hostdev_release(vr_domain *dom);

/* The TPM emulator (qemu_tpm.c): swtpm started before QEMU (its state
 * made at the first start, by swtpm_setup on the event loop), found
 * again at re-adoption, stopped with the run; its state removed at
 * undefine. vr_qemu_tpm_start calls `done` once, with NULL or why the
 * TPM could not be had: at once when no swtpm_setup is needed, else
 * from the loop when it has ended. */
char *vr_qemu_swtpm_dir(const vr_qemu_driver *drv, const char *uuid);
typedef void (*vr_qemu_tpm_done_fn)(vr_domain *dom, const char *err, void *opaque);
void vr_qemu_tpm_start(vr_domain *dom, vr_qemu_tpm_done_fn done, void *opaque);
void vr_qemu_tpm_adopt(vr_domain *dom);
void vr_qemu_tpm_stop(vr_domain *dom);
void vr_qemu_tpm_remove_state(vr_qemu_driver *drv, const vr_domain_def *def);

/* The serial logger (qemu_serial.c): vireo-serial-logger, one per
 * daemon, holds serial port 0 of each run, writes NAME-serial0.log and
 * serves the console on RUNTIME/qemu/NAME/serial0-log.sock; it outlives
 * the daemon. start: the port handed to it (before QEMU; the logger
 * started when none runs) when the domain has a port 0, *qemu_fd then the
 * connected socket QEMU's chardev gets (fd=N; the caller closes it once
 * QEMU has it), else -1; -1 with *err when it cannot run. console: the
 * daemon's console of a running QEMU (the logger's, or for a QEMU from
 * before the logger its own serial socket); NULL when there is none.
 * adopt: a restarted daemon's note of the logger it found. stop: the
 * run ended. discard_empty: a start failed; the log it opened for a QEMU
 * that wrote nothing goes (a log with content stays). */
int vr_qemu_serial_start(vr_domain *dom, int *qemu_fd, char **err);
vr_console *vr_qemu_serial_console(vr_domain *dom, pid_t qemu_pid);
void vr_qemu_serial_adopt(vr_domain *dom);
void vr_qemu_serial_discard_empty(vr_domain *dom);
void vr_qemu_serial_stop(vr_domain *dom);

/* STATE/qemu/nvram: the UEFI variable stores, NAME_VARS.fd each. */
char *vr_qemu_nvram_dir(const vr_qemu_driver *drv);
/* Before a start (qemu_nvram.c): the firmware picked and the NVRAM made
 * (a persistent definition that got its firmware saved with it). */
int vr_qemu_firmware_prepare(vr_domain *dom, char **err);

/* Re-adoption of QEMUs a previous daemon started. */
int vr_qemu_attach_process(vr_domain *dom, pid_t pid, char **err);
void vr_qemu_adopt_all(vr_qemu_driver *drv);

void vr_qemu_emit(vr_domain *dom, const char *event, const char *detail);
void vr_qemu_emit_facts(vr_domain *dom, const char *event, const char *detail, const vr_event_facts *facts);

/* qemu_events.c: QEMU's WATCHDOG, BLOCK_IO_ERROR, VNC_* and SPICE_*
 * events (false: not one of them); a disk's I/O errors forgotten (the
 * guest runs again, or QEMU ended), or read again from QEMU (a
 * re-adopted QEMU stopped by one). */
bool vr_qemu_more_event(vr_domain *dom, const char *event, json_object *data);
void vr_qemu_io_errors_clear(vr_domain *dom);
void vr_qemu_io_errors_reread(vr_domain *dom);
/* The job domjobinfo shows and domjobabort ends: a save or restore
 * (qemu_save.c), a backup (qemu_backup.c). One at a time per domain. */
struct vr_qemu_job {
    const char *operation; /* "save", "restore", "backup" */
    struct timespec started;
    unsigned long long processed, remaining, total;
    bool pull;             /* a pull backup: no data moves, the scratch files fill */
    unsigned long long temp_used, temp_total; /* pull: what the scratch files hold, of the most they may */
    bool abort;            /* domjobabort asked: the job's poller ends it */
};
void vr_qemu_job_start(vr_domain *dom, const char *operation);
void vr_qemu_job_end(vr_qemu_driver *drv, const char *name);
/* The displays' needs before QEMU starts (qemu_graphics.c): the port for
 * SPICE with autoport (0 when none is needed) and each display's
 * password file (malloc'ed paths by display index, NULL when no
 * password; free them on failure too). */
int vr_qemu_graphics_prepare(vr_domain *dom, int *spice_port, char *secrets[VR_GRAPHICS_MAX], char **err);
/* A secret's value in a 0600 file of the run, QEMU's user its owner;
 * `what` names it in the error. */
int vr_qemu_write_secret_file(vr_domain *dom, const char *path, const void *data, size_t len, const char *what,
                              char **err);
/* The cephx keys and CHAP passwords of the <disk type='network'>s with
 * <auth>, from the secret store into vr_qemu_disk_key_file (after the
 * run dir is made); of one disk (a hot-plug). */
int vr_qemu_disk_keys_write(vr_domain *dom, char **err);
int vr_qemu_disk_key_write(vr_domain *dom, const vr_disk_def *d, char **err);
/* The certificate directory of a SPICE display with a tlsPort, or NULL:
 * none needed (*err NULL) or its files missing (*err says which). */
char *vr_qemu_spice_tls_dir(const vr_domain *dom, char **err);
/* What the definition holds that cannot run here (qemu_preflight.c). */
vr_err vr_qemu_preflight_xml(vr_domain *dom, char **err);
/* A host CPU list ("0-3,6,^2") as a CPU set of this host
 * (qemu_preflight.c); -1 with *err, which starts with `what` ("<vcpu
 * cpuset"), when it names no CPU or one the host does not have. */
int vr_qemu_cpuset(const char *spec, const char *what, cpu_set_t *out, char **err);

/* qemu_tune.c: huge pages, pinning and CPU bandwidth (<cputune>).
 * preflight: before a start (also makes the run's cgroup); apply: once
 * QEMU runs; release: the run ended. */
vr_err vr_qemu_tune_preflight(vr_domain *dom, char **err);
/* Where libusb (QEMU's usb-host) finds the host's USB devices. */
#define VR_QEMU_USBFS "/dev/bus/usb"
void vr_qemu_tune_apply(vr_domain *dom);
/* qemu_iotune.c: the <iotune> limits of the disks with a medium, once
 * QEMU is up (and held at -S: vr_qemu_iotune_wanted). */
void vr_qemu_iotune_at_start(vr_domain *dom);
void vr_qemu_tune_release(vr_domain *dom);

/* qemu_virtiofs.c: a virtiofsd per virtiofs <filesystem>, before QEMU;
 * stopped (by the pids in the run directory) when the run ends. */
const char *vr_qemu_virtiofsd_path(void);
int vr_qemu_virtiofs_start(vr_domain *dom, char **err);
void vr_qemu_virtiofs_stop(vr_domain *dom);
/* The run is over: its accelerator and notices go (qemu_accel.c). */
void vr_qemu_notices_clear(vr_domain *dom);

/* virsh's --live/--config: neither means live when running, else config
 * (--current); the flags to act on (qemu_memory.c). */
unsigned vr_qemu_affect(const vr_domain *dom, unsigned flags);

/* Right after QEMU is up: the balloon target to <currentMemory> when it
 * is below <memory> (qemu_memory.c). A failure is logged, never fatal. */
void vr_qemu_balloon_at_start(vr_domain *dom);

/* The guest agent (qemu_agent.c): one command over the domain's
 * org.qemu.guest_agent.0 channel; ret is borrowed. no_reply: the command
 * says nothing when it works (guest-suspend-*), so silence until the
 * timeout is success. */
typedef void (*vr_agent_fn)(json_object *ret, const char *err, void *opaque);
bool vr_qemu_has_agent(const vr_domain_def *def);
void vr_qemu_agent_call(vr_domain *dom, const char *cmd, json_object *args, bool no_reply, int timeout_s,
                        vr_agent_fn cb, void *opaque);
