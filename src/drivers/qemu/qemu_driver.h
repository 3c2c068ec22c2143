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

/* A disk's I/O error that paused the guest (virDomainGetDiskErrors'
 * codes: QEMU's io-status failed or nospace). */
enum { VR_IO_ERROR_NONE, VR_IO_ERROR_UNSPEC, VR_IO_ERROR_NO_SPACE };
typedef struct {
    char *target;
    int code;
} vr_qemu_io_error;

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
    char **ifnames;         /* tap per interface while running (NULL for user ones) */
    size_t n_ifnames;
    struct vr_qemu_grant *grants; /* files handed to QEMU's user, their owners before (qemu_grant.c) */
    size_t n_grants;
    bool starting, destroying, shutdown_event, rebooting;
    bool agent_connected; /* the guest agent opened its channel (VSERPORT_CHANGE) in this run */
    bool reset_nvram;       /* start --reset-nvram: the NVRAM from its template, this start */
    bool keep_tpm;          /* undefined while running with --keep-tpm */
    bool keep_nvram, remove_nvram; /* undefined while running with --keep-nvram / --nvram */
    bool restart_on_shutdown; /* an install phase: start again when it powers off (qemu_restart.c) */
    const char *accel;      /* the run's accelerator, "kvm" or "tcg"; NULL when not running */
    char **notices;         /* what the run does differently from what the XML asks (TCG for
                               type 'kvm', ...): one line each, shown by start and dominfo */
    size_t n_notices;
    struct waiter *waiters; /* callers waiting for the process to exit */
    struct vr_unplug *unplugs; /* devices asked out, the guest not done yet (qemu_hotplug.c) */
    struct vr_qemu_job *job; /* a save or restore under way (qemu_save.c), or NULL */
    bool saved;             /* QEMU ends because its state is saved: reason "saved" */
    bool watchdog_poweroff; /* the watchdog's poweroff: QEMU ends, reason "shutdown" */
    vr_qemu_io_error *io_errors; /* the I/O errors that paused it, until it runs again */
    size_t n_io_errors;
    bool incoming;          /* the next start takes a saved state (-incoming defer) */
    bool managed_save;      /* STATE/qemu/save/NAME.save exists: looked at when the domain is
                               made, kept by qemu_save.c (libvirt's hasManagedSave), so a
                               list of thousands asks the filesystem nothing */
    char *fw_loader, *fw_nvram; /* the loader its NVRAM last ran with, and that NVRAM
                               (STATE/qemu/nvram/UUID.loader, read when the domain is made;
                               NULL when none): vr_qemu_firmware_changed */
};

/* What an event carries beside its detail, where it has more (NULL
 * members are left out): an I/O error's disk (its source path and
 * device id) and reason; a graphics client's local and remote address
 * (family ipv4, ipv6 or unix; node; service), the server's auth scheme
 * and the client's x509 name and SASL user. */
typedef struct {
    const char *path, *alias, *reason;
    const char *local_family, *local_node, *local_service;
    const char *remote_family, *remote_node, *remote_service;
    const char *auth, *x509_dname, *sasl_username;
} vr_event_facts;

/* Called for every event: started, suspended, resumed, shutdown,
 * stopped, crashed, defined, undefined, rebooted, ... (facts: NULL, or
 * what the event carries beside its detail). */
typedef void (*vr_event_fn)(const vr_domain *dom, const char *event, const char *detail,
                            const vr_event_facts *facts, void *opaque);
/* An operation's end: err NULL on success. */
typedef void (*vr_done_fn)(vr_err code, const char *err, void *opaque);

/* Load definitions and re-adopt running QEMUs. */
vr_qemu_driver *vr_qemu_driver_new(struct event_base *base, const vr_paths *paths,
                                   vr_event_fn on_event, void *opaque);
/* Start the autostart domains (once the other drivers are wired). */
void vr_qemu_autostart(vr_qemu_driver *drv);
void vr_qemu_driver_free(vr_qemu_driver *drv);

/* The domains, sorted by name; the array is the driver's. */
vr_domain *const *vr_qemu_domains(const vr_qemu_driver *drv, size_t *n);
/* By name, uuid, or running id. */
vr_domain *vr_qemu_lookup(vr_qemu_driver *drv, const char *key);

/* domblkerror (virDomainGetDiskErrors): the disks whose I/O error paused
 * the running domain (none once it runs again); VR_ERR_CONFLICT when it
 * is not running. The list is the domain's until its next event. */
vr_err vr_qemu_disk_errors(const vr_domain *dom, const vr_qemu_io_error **out, size_t *n, char **err);
/* libvirt's words for an I/O error code: "no error", "unspecified error", "no space". */
const char *vr_qemu_io_error_name(int code);

vr_err vr_qemu_define(vr_qemu_driver *drv, const char *xml, vr_domain **out, char **err);
/* virsh undefine's flags. STORAGE: its disk images too. A domain whose
 * NVRAM file exists is refused without NVRAM (remove it) or KEEP_NVRAM
 * (keep it); the TPM state goes unless KEEP_TPM (for a running domain:
 * when it stops); a domain with a managed save image is refused without
 * MANAGED_SAVE (remove the image too). */
#define VR_QEMU_UNDEFINE_STORAGE 1u
#define VR_QEMU_UNDEFINE_NVRAM 2u
#define VR_QEMU_UNDEFINE_KEEP_NVRAM 4u
#define VR_QEMU_UNDEFINE_KEEP_TPM 8u
#define VR_QEMU_UNDEFINE_MANAGED_SAVE 16u
vr_err vr_qemu_undefine(vr_domain *dom, unsigned flags, char **err);
/* NVRAM (qemu_nvram.c): undefine's check and removal; the new default
 * path of a renamed domain whose NVRAM has the default one (NULL when
 * not); a clone's own copy, `copy` re-pointed at it. */
vr_err vr_qemu_nvram_undefine_check(const vr_domain *dom, unsigned flags, char **err);
void vr_qemu_nvram_undefine(vr_domain *dom, unsigned flags, bool active);
/* A transient domain stopped: its NVRAM goes too -- the one Vireo made in
 * STATE/qemu/nvram, or any after undefine --nvram while it ran; kept
 * after --keep-nvram. */
void vr_qemu_nvram_stopped(vr_domain *dom);
/* The next start's firmware is not the one its NVRAM last ran with: UEFI
 * with no <loader> (changed in the Details tab: picked again at the
 * start) over an NVRAM that exists, or a <loader> other than the one
 * recorded at the last start (changed by hand: OVMF_CODE_4M.fd ->
 * OVMF_CODE_4M.secboot.fd). The web page's Start then offers new UEFI
 * variables (start --reset-nvram). */
bool vr_qemu_firmware_changed(const vr_domain *dom);
/* The record of the loader the NVRAM ran with: read (a domain made),
 * forgotten (undefined, or a transient one stopped). */
void vr_qemu_nvram_record_load(vr_domain *dom);
void vr_qemu_nvram_record_forget(vr_domain *dom);
char *vr_qemu_nvram_renamed(const vr_qemu_driver *drv, const vr_domain_def *def, const char *new_name);
vr_err vr_qemu_nvram_clone(vr_qemu_driver *drv, const vr_domain_def *orig, vr_domain_def *copy,
                           char **err);
/* Transient: defined and started in one step, gone when it stops. */
void vr_qemu_create(vr_qemu_driver *drv, const char *xml, bool paused, vr_done_fn cb, void *opaque);
void vr_qemu_start(vr_domain *dom, bool paused, vr_done_fn cb, void *opaque);
/* start with virsh's --reset-nvram: the NVRAM made anew from its template. */
#define VR_QEMU_START_PAUSED 1u
#define VR_QEMU_START_RESET_NVRAM 2u
void vr_qemu_start_flags(vr_domain *dom, unsigned flags, vr_done_fn cb, void *opaque);
vr_err vr_qemu_shutdown(vr_domain *dom, char **err);
vr_err vr_qemu_reboot(vr_domain *dom, char **err);
void vr_qemu_destroy(vr_domain *dom, vr_done_fn cb, void *opaque);
void vr_qemu_suspend(vr_domain *dom, vr_done_fn cb, void *opaque);
void vr_qemu_resume(vr_domain *dom, vr_done_fn cb, void *opaque);
vr_err vr_qemu_set_autostart(vr_domain *dom, bool on, char **err);
/* domrename: a shut-off persistent domain takes a new name (definition,
 * autostart link and snapshot metadata together). */
vr_err vr_qemu_rename(vr_domain *dom, const char *new_name, char **err);
/* The running install phase ends with the guest powering off: start the
 * domain again then, with its (final) definition, as virt-install does.
 * Kept in the run directory, so a restarted daemon still does it. */
vr_err vr_qemu_restart_after_install(vr_domain *dom, char **err);
/* At re-adoption: was the marker left? */
void vr_qemu_restart_load(vr_domain *dom);
/* At a QEMU exit: start again if marked and the guest shut down cleanly. */
void vr_qemu_restart_check(vr_domain *dom, const char *reason);
/* The XML to show: the live one while running, else the definition. */
/* secure: with graphics passwords (read-write callers that asked). */
char *vr_qemu_xml(const vr_domain *dom, bool inactive, bool secure);
/* A running domain's XML as libvirt shows it: `def` (dom->def or a copy
 * of it) with libvirt's automatic aliases, an interface's netN the
 * number its QEMU ids carry in this run (qemu_hotplug.c). */
char *vr_qemu_live_xml(const vr_domain *dom, const vr_domain_def *def, bool secure);

/* Memory (qemu_memory.c), as virsh setmem and setmaxmem. LIVE: the
 * running guest (its balloon target and live definition); CONFIG: the
 * persistent definition; both together, or neither: live when running,
 * else config (virsh's --current). Every check is made before anything
 * changes. */
#define VR_MEM_LIVE 1u
#define VR_MEM_CONFIG 2u
/* <currentMemory>: the live change sends QMP balloon and answers once
 * QEMU took the target (the guest's driver then reaches it). */
void vr_qemu_set_memory(vr_domain *dom, unsigned long long kib, unsigned flags, vr_done_fn cb,
                        void *opaque);
/* <memory>: the persistent definition only (QEMU cannot change it live);
 * a <currentMemory> above the new maximum comes down with it. */
vr_err vr_qemu_set_max_memory(vr_domain *dom, unsigned long long kib, unsigned flags, char **err);

/* Hot-plug (qemu_hotplug.c), as virsh attach-device, detach-device and
 * their shorthands, with the same LIVE and CONFIG flags as memory. The
 * device XML goes through the definition's own parser (conf/
 * domain_device.h); every check is made before anything changes; the
 * live definition changes only once QEMU confirmed, the persistent one
 * through the validated save of define. */
#define VR_AFFECT_LIVE VR_MEM_LIVE
#define VR_AFFECT_CONFIG VR_MEM_CONFIG
/* A <disk> or <interface> element. */
void vr_qemu_attach_device(vr_domain *dom, const char *xml, unsigned flags, vr_done_fn cb, void *opaque);
/* The device the element names (a disk by target, an interface by MAC). */
void vr_qemu_detach_device(vr_domain *dom, const char *xml, unsigned flags, vr_done_fn cb, void *opaque);
/* virsh detach-device-alias: the disk, interface or DIMM with this alias:
 * a user alias (ua-...) or a DIMM's dimmN; live, also Vireo's id of a
 * running device as the device events name it (a disk's target, nicN). */
void vr_qemu_detach_alias(vr_domain *dom, const char *alias, unsigned flags, vr_done_fn cb, void *opaque);
/* A disk by target (vdb) or source path. Live: QEMU asks the guest to
 * let go and the answer comes when it did, or an error after a while. */
void vr_qemu_detach_disk(vr_domain *dom, const char *key, unsigned flags, vr_done_fn cb, void *opaque);
/* An interface of `type` ("network", "bridge", "user"), by MAC, or the
 * only one of that type when mac is NULL. */
void vr_qemu_detach_interface(vr_domain *dom, const char *type, const char *mac, unsigned flags,
                              vr_done_fn cb, void *opaque);
/* change-media: a CD-ROM's medium. source NULL ejects; else it is
 * inserted (a medium there is replaced). */
void vr_qemu_change_media(vr_domain *dom, const char *target, const char *source, unsigned flags,
                          vr_done_fn cb, void *opaque);
/* update-device (qemu_update.c): the device the element `xml` names
 * changes in place: a CD-ROM's medium (as change-media), an interface's
 * <link state>; other changes are refused by name while it runs (the
 * persistent definition takes the whole element). */
void vr_qemu_update_device(vr_domain *dom, const char *xml, unsigned flags, vr_done_fn cb, void *opaque);
/* domif-setlink: the link of interface `iface` (MAC, tap or <target
 * dev>) up or down, live (QMP set_link) and/or in the definition. */
void vr_qemu_set_link(vr_domain *dom, const char *iface, bool down, unsigned flags, vr_done_fn cb, void *opaque);
/* domiftune: the <bandwidth> of interface `iface` (MAC, target dev or tap);
 * `in`/`out` NULL: that direction stays, one not set: it goes. */
void vr_qemu_set_iftune(vr_domain *dom, const char *iface, const vr_bandwidth_rate *in,
                        const vr_bandwidth_rate *out, unsigned flags, vr_done_fn cb, void *opaque);
/* Interface `iface` (MAC, target dev or tap) as the live definition
 * has it (flags: live, the default for a running domain, or config: the
 * persistent one): its <bandwidth>, <link state> (domiftune, domif-getlink).
 * The pointer lives as long as that definition. */
vr_err vr_qemu_iface_get(vr_domain *dom, const char *iface, unsigned flags, const vr_interface_def **out,
                         char **err);
/* schedinfo (qemu_tune.c): <cputune>'s CPU bandwidth, libvirt's
 * scheduler parameters cpu_shares (<shares>, 2-262144), vcpu_period
 * (<period>, 1000-1000000 us) and vcpu_quota (<quota>, -1 or 1000 us and
 * up) of the whole QEMU. The values (flags: live, the default for a
 * running domain, or config), unset ones as the kernel's defaults
 * (1024, 100000, -1). */
typedef struct {
    unsigned long long shares, period;
    long long quota;
} vr_qemu_sched;
vr_err vr_qemu_sched_get(vr_domain *dom, unsigned flags, vr_qemu_sched *out, char **err);
/* Set the nonzero members of `set`: live into the run's cgroup (made now
 * if the start made none; cgroup v2's cpu controller or v1's cpu
 * hierarchy), with libvirt's tunable event (cputune.cpu_shares ...);
 * config in the persistent definition. */
vr_err vr_qemu_sched_set(vr_domain *dom, const vr_qemu_sched *set, unsigned flags, char **err);
/* blkdeviotune (qemu_iotune.c): the <iotune> of disk `disk` (target or
 * source), libvirt's virDomainSetBlockIoTune: the change as libvirt
 * makes it (vr_iotune_apply), checked, live through QMP (with libvirt's
 * tunable event, blkdeviotune.*) and/or in the persistent definition;
 * the disks of its group take the same limits. */
void vr_qemu_set_block_iotune(vr_domain *dom, const char *disk, const vr_iotune_change *ch, unsigned flags,
                              vr_done_fn cb, void *opaque);
/* Its values (flags: live, the default for a running domain, or
 * config); out->group_name is the caller's. */
vr_err vr_qemu_get_block_iotune(vr_domain *dom, const char *disk, unsigned flags, vr_iotune *out, char **err);
/* blockresize: a running domain's disk (target or path) grows to
 * `bytes` (rounded up to 512); shrinking is refused. */
void vr_qemu_block_resize(vr_domain *dom, const char *key, unsigned long long bytes, vr_done_fn cb,
                          void *opaque);
/* setvcpus (qemu_vcpus.c): with MAXIMUM (CONFIG only) the <vcpu> count,
 * else the current one: live through CPU hot-plug. */
#define VR_VCPU_MAXIMUM 4u
void vr_qemu_set_vcpus(vr_domain *dom, unsigned n, unsigned flags, vr_done_fn cb, void *opaque);

typedef void (*vr_stats_fn)(json_object *stats, const char *err, void *opaque);
void vr_qemu_stats(vr_domain *dom, vr_stats_fn cb, void *opaque);
/* utime + stime of the whole QEMU process in nanoseconds (what libvirt
 * calls cpu.time), read from /proc without QMP; -1 when not running. */
long long vr_qemu_cpu_time_ns(const vr_domain *dom);

/* Where the running domain's display def->graphics[idx] (VNC or SPICE)
 * listens (QMP query-vnc, query-spice): type ("vnc", "spice"), host and
 * port, or err when it has none (no such display, not running). */
typedef void (*vr_display_fn)(const char *type, const char *host, int port, const char *err,
                              void *opaque);
void vr_qemu_display_address(vr_domain *dom, int idx, vr_display_fn cb, void *opaque);
/* virDomainOpenGraphics: the client's connected socket `fd` becomes a
 * client of the running domain's display def->graphics[idx] (QMP getfd,
 * then add_client), asked for the display's password unless skipauth.
 * QEMU gets its own copy; the caller closes fd. cb gets VR_OK, or the
 * code and a one-line error (not running, no such display, QEMU's
 * refusal), perhaps before this returns. */
void vr_qemu_display_add_client(vr_domain *dom, int idx, int fd, bool skipauth, vr_done_fn cb, void *opaque);

/* qemu_agent.c: QEMU's guest agent. `cmd` ({"execute", "arguments"}) is
 * sent after guest-sync; cb gets the agent's "return" (borrowed; NULL for
 * guest-shutdown and guest-suspend-*, which answer nothing) or a one-line
 * error, from the loop. timeout: seconds (0: 10). Not VR_OK: nothing was
 * sent and cb is never called. */
typedef void (*vr_agent_fn)(json_object *ret, const char *error, void *opaque);
bool vr_qemu_agent_configured(const vr_domain_def *def);
vr_err vr_qemu_agent_command(vr_domain *dom, json_object *cmd, int timeout, vr_agent_fn cb,
                             void *opaque, char **err);
/* One argument-less command by name (qemu_guest.c); cb also answers a
 * command that could not be sent. */
void vr_qemu_agent_execute(vr_domain *dom, const char *execute, int timeout, vr_agent_fn cb, void *opaque);

/* Guest and host helpers (qemu_guest.c). Each answers once through cb;
 * ret (borrowed) is what QEMU or the guest agent returned. */
typedef void (*vr_qemu_reply_fn)(vr_err code, json_object *ret, const char *err, void *opaque);
/* reset: the machine's reset line (QMP system_reset), no guest shutdown. */
void vr_qemu_reset(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque);
/* send-key: keys as QEMU's qnum codes (qemu_keycodes.h), pressed in
 * order and released together after hold_ms (0: QEMU's 100 ms). */
void vr_qemu_send_key(vr_domain *dom, const int *qnum, size_t n, unsigned hold_ms, vr_qemu_reply_fn cb,
                      void *opaque);
/* screenshot: QEMU writes screen N (video device N) as PNG into the run
 * directory; ret is {"path": FILE}, which the caller reads and removes. */
void vr_qemu_screenshot(vr_domain *dom, unsigned screen, vr_qemu_reply_fn cb, void *opaque);
/* dompmsuspend (target mem, disk or hybrid) through the guest agent;
 * dompmwakeup (QMP system_wakeup) of a guest that suspended itself. */
void vr_qemu_pm_suspend(vr_domain *dom, const char *target, vr_qemu_reply_fn cb, void *opaque);
void vr_qemu_pm_wakeup(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque);
/* domhostname: the guest agent's answer (ret is the name string). */
void vr_qemu_guest_hostname(vr_domain *dom, vr_qemu_reply_fn cb, void *opaque);
/* qemu-monitor-command: a QMP command as JSON text, or with hmp a human
 * monitor line. Logged; QEMU's answer is passed back as it is. */
void vr_qemu_monitor_command(vr_domain *dom, const char *text, bool hmp, vr_qemu_reply_fn cb, void *opaque);

/* vCPU threads (qemu_affinity.c), live only. vcpuinfo answers each
 * vCPU's thread, the host CPU it ran on last and its CPU time (-1 both
 * when the thread is gone), the CPUs it may run on ("0-1"; NULL when
 * unknown), and the same for QEMU's other threads. vcpupin: one vCPU's
 * thread to the CPUs of `cpulist` ("0-3,^2"); emulatorpin: every other
 * QEMU thread. */
typedef struct {
    unsigned vcpu;
    long thread;
    int cpu;
    long long cpu_time_ns;
    char *affinity;
} vr_qemu_vcpu;
typedef struct {
    vr_qemu_vcpu *v;
    size_t n;
    bool paused;
    char *emulator_affinity;
    int host_cpus;
} vr_qemu_vcpus;
/* The answer (borrowed: valid during the call), or NULL with err. */
typedef void (*vr_qemu_vcpus_fn)(vr_err code, const vr_qemu_vcpus *v, const char *err, void *opaque);
void vr_qemu_vcpu_info(vr_domain *dom, vr_qemu_vcpus_fn cb, void *opaque);
void vr_qemu_vcpu_pin(vr_domain *dom, unsigned vcpu, const char *cpulist, vr_qemu_reply_fn cb, void *opaque);
void vr_qemu_emulator_pin(vr_domain *dom, const char *cpulist, vr_qemu_reply_fn cb, void *opaque);
/* vcpupin/emulatorpin with virsh's flags (vcpu -1: the emulator
 * threads): VR_AFFECT_LIVE pins the threads, VR_AFFECT_CONFIG writes
 * <cputune> in the definition; the live definition records a live pin. */
void vr_qemu_pin(vr_domain *dom, int vcpu, const char *cpulist, unsigned flags, vr_qemu_reply_fn cb, void *opaque);

/* iothreads (qemu_affinity.c). iothreadinfo answers each iothread by
 * id with its thread (0 from the definition) and the CPUs it may run on
 * ("0-1"): QMP query-iothreads on a running domain (sorted by id), else
 * (or with VR_AFFECT_CONFIG) the definition's <iothreads> and
 * <iothreadpin>. iothreadpin: vr_qemu_pin for iothread `id` (thread
 * and/or <cputune><iothreadpin>). */
typedef struct {
    unsigned id;
    long thread;
    char *affinity;
} vr_qemu_iothread;
typedef struct {
    vr_qemu_iothread *v;
    size_t n;
    int host_cpus;
} vr_qemu_iothreads;
typedef void (*vr_qemu_iothreads_fn)(vr_err code, const vr_qemu_iothreads *t, const char *err, void *opaque);
void vr_qemu_iothread_info(vr_domain *dom, unsigned flags, vr_qemu_iothreads_fn cb, void *opaque);
void vr_qemu_iothread_pin(vr_domain *dom, unsigned id, const char *cpulist, unsigned flags, vr_qemu_reply_fn cb,
                          void *opaque);
/* iothreadadd (add) / iothreaddel (qemu_iothread.c), with the LIVE/CONFIG
 * flags of devices: QMP object-add/object-del and <iothreads> N+1 / N-1.
 * Ids are 1..N: add N+1, remove N; one a disk or controller uses is
 * refused, naming it. */
void vr_qemu_iothread_change(vr_domain *dom, unsigned id, bool add, unsigned flags, vr_done_fn cb, void *opaque);

/* desc (qemu_desc.c): <title> (one line) or <description>, with the
 * LIVE/CONFIG flags of memory; empty text removes it. The getter reads
 * the live definition, or with inactive the persistent one; NULL: none. */
vr_err vr_qemu_set_description(vr_domain *dom, bool title, const char *text, unsigned flags, char **err);
const char *vr_qemu_description(const vr_domain *dom, bool title, bool inactive);
/* metadata: the element of namespace `uri` set to `xml` (prefix `key`),
 * or removed when xml is NULL; the getter's *out is NULL when none. */
vr_err vr_qemu_set_metadata(vr_domain *dom, const char *uri, const char *key, const char *xml, unsigned flags,
                            char **err);
vr_err vr_qemu_metadata(const vr_domain *dom, const char *uri, bool inactive, char **out, char **err);

/* External snapshot chains (qemu_snapshot_external.c), on a running domain.
 * snapshot_external: disk targets[i] goes on the new qcow2 overlays[i]
 * (made beforehand with the disk's image as backing), all together or
 * none; the definitions name the overlays after, and the snapshot's
 * metadata (state disk-snapshot) is recorded. */
void vr_qemu_snapshot_external(vr_domain *dom, const char *name, const char *description,
                               char *const *targets, char *const *overlays, size_t n, vr_done_fn cb,
                               void *opaque);
/* Block jobs on a running disk's chain (qemu_blockjob.c): virsh's
 * blockcommit, blockpull, blockcopy and blockjob. */
typedef enum { VR_BLOCK_COMMIT, VR_BLOCK_PULL, VR_BLOCK_COPY } vr_block_job_kind;
enum {
    VR_BJ_ACTIVE = 1 << 0,         /* commit: the active (top) layer too; waits ready */
    VR_BJ_SHALLOW = 1 << 1,        /* commit: top into the layer under it; copy: the top only */
    VR_BJ_PIVOT = 1 << 2,          /* once ready: the disk switches to the result */
    VR_BJ_FINISH = 1 << 3,         /* copy, once ready: ends, the disk stays on its image */
    VR_BJ_WAIT = 1 << 4,           /* answer once done (ready, without PIVOT/FINISH) */
    VR_BJ_REUSE_EXTERNAL = 1 << 5, /* copy: the destination exists already */
    VR_BJ_BLOCKDEV = 1 << 6,       /* copy: the destination is a block device */
};
typedef struct {
    const char *top, *base;    /* commit: images in the chain (NULL: the top / the bottom) */
    const char *dest, *format; /* copy: made and granted beforehand (vr_core_block_job_start) */
    unsigned flags;            /* VR_BJ_* */
} vr_block_job_params;
/* Start a job; cb answers once it runs, or with VR_BJ_WAIT once done.
 * One job per disk. */
void vr_qemu_block_job_start(vr_domain *dom, const char *target, vr_block_job_kind kind,
                             const vr_block_job_params *p, vr_done_fn cb, void *opaque);
/* blockjob --pivot: a ready copy or active commit completes, the disk
 * switches to its result (both definitions); cb once done. */
void vr_qemu_block_job_pivot(vr_domain *dom, const char *target, vr_done_fn cb, void *opaque);
/* blockjob --abort: the job ends, the disk stays where it was (a ready
 * copy is then a complete one: blockcopy --finish); cb once ended. */
void vr_qemu_block_job_abort(vr_domain *dom, const char *target, vr_done_fn cb, void *opaque);
/* blockjob --info: the disk's job as query-jobs shows it (ret NULL: none);
 * with `abort`, vr_qemu_block_job_abort (ret NULL). */
void vr_qemu_block_job_query(vr_domain *dom, const char *target, bool abort, vr_qemu_reply_fn cb, void *opaque);
/* After a daemon restart: take back the block jobs the run directory
 * has records of (their QEMU jobs followed again; a job that ended
 * meanwhile concluded). */
void vr_qemu_block_jobs_adopt(vr_domain *dom);
/* The same for a backup-begin job (push or pull, qemu_backup.c): its
 * record (RUN/backup.json) read back, its QEMU jobs followed again. */
void vr_qemu_backup_adopt(vr_domain *dom);
/* The run directory `dir` of domain `name` ended while no daemon ran:
 * a backup it recorded failed with it (its end goes to backup_end once
 * the loop runs). */
void vr_qemu_backup_stale(vr_qemu_driver *drv, const char *dir, const char *name);
/* The previous slice's call, kept for its callers (the libvirt
 * protocol's): a commit of the active layer pivoted, or a pull, answered
 * once done. */
typedef vr_block_job_kind vr_block_job;
#define VR_BLOCK_COMMIT_ACTIVE VR_BLOCK_COMMIT
void vr_qemu_block_job(vr_domain *dom, const char *target, vr_block_job kind, vr_done_fn cb, void *opaque);

/* save, restore, managedsave (qemu_save.c). RUNNING or PAUSED: how
 * restore leaves the domain (default: as it was when saved). A save
 * answers once QEMU has written everything and exited (the domain is
 * then shut off, reason "saved"); a failed save leaves it running and no
 * file. MANAGED: the file is the domain's own managed save image. */
#define VR_SAVE_RUNNING 1u
#define VR_SAVE_PAUSED 2u
#define VR_SAVE_MANAGED 4u
void vr_qemu_save(vr_domain *dom, const char *path, unsigned flags, vr_done_fn cb, void *opaque);
/* The domain of the image runs again: the defined one of that name and
 * uuid (shut off), else a new transient one. */
void vr_qemu_restore(vr_qemu_driver *drv, const char *path, unsigned flags, vr_done_fn cb, void *opaque);
/* save --xml, restore --xml: the definition in the image is `xml`
 * instead, checked to fit what QEMU saved (same name, uuid, machine,
 * vCPUs, memory, disk targets and buses, NIC MACs and models; paths may
 * change). NULL: as vr_qemu_save/vr_qemu_restore. */
void vr_qemu_save_xml(vr_domain *dom, const char *path, const char *xml, unsigned flags, vr_done_fn cb,
                      void *opaque);
void vr_qemu_restore_xml(vr_qemu_driver *drv, const char *path, const char *xml, unsigned flags, vr_done_fn cb,
                         void *opaque);
/* save-image-dumpxml: the image's definition (passwords only when
 * `secure`); save-image-define: replaced by `xml` (checked as above) and
 * its state set by VR_SAVE_RUNNING/PAUSED, in place. */
vr_err vr_qemu_save_image_xml(const char *path, bool secure, char **xml, char **err);
vr_err vr_qemu_save_image_define(const char *path, const char *xml, unsigned flags, char **err);
/* start of a domain with a managed save image resumes it (vr_qemu_start
 * does so itself) and removes the image once it runs. */
void vr_qemu_managed_restore(vr_domain *dom, bool paused, vr_done_fn cb, void *opaque);
/* What dom->managed_save says (no filesystem call). */
bool vr_qemu_has_managed_save(const vr_domain *dom);
/* The filesystem asked again, dom->managed_save set from it: what start,
 * undefine and rename go by (an image removed by hand is seen). */
bool vr_qemu_managed_save_check(vr_domain *dom);
char *vr_qemu_managed_save_path(const vr_domain *dom);
vr_err vr_qemu_managed_save_remove(vr_domain *dom, char **err);
/* domjobinfo: {"type": "none"} or {"type": "unbounded", "operation",
 * "elapsed_ms", "data_processed", "data_remaining", "data_total"}. */
json_object *vr_qemu_job_info(const vr_domain *dom);
/* domjobabort: the running save is cancelled (the domain runs on), a
 * running restore ends (the image stays). */
vr_err vr_qemu_job_abort(vr_domain *dom, char **err);

const char *vr_dom_state_name(vr_dom_state s);

/* <disk type='volume'>: the daemon hands the driver a way to find a
 * volume's file and format (the storage driver), so the QEMU driver
 * never includes storage internals. Returns VR_OK, or a code with *err. */
typedef vr_err (*vr_qemu_volume_fn)(const char *pool, const char *volume, char **path,
                                    vr_disk_format *format, char **err, void *opaque);
void vr_qemu_set_volume_resolver(vr_qemu_driver *drv, vr_qemu_volume_fn fn, void *opaque);
/* A backup re-adopted after a daemon restart has no caller waiting: its
 * end goes here, with the text its starter gave as `owner`
 * (vr_qemu_backup_spec), so the core finishes it as it would have (the
 * files removed, a failed backup's checkpoint deleted). */
typedef void (*vr_qemu_backup_end_fn)(vr_qemu_driver *drv, const char *domain, const char *owner, vr_err code,
                                      const char *err);
void vr_qemu_set_backup_end(vr_qemu_driver *drv, vr_qemu_backup_end_fn fn);
/* <disk type='network'> with <auth>: the value of the secret it names
 * (by uuid, or by usage when uuid is NULL), from the daemon's secret store.
 * *value is malloc'ed; VR_OK, or a code with *err naming the secret. */
typedef vr_err (*vr_qemu_secret_fn)(const char *uuid, const char *usage, unsigned char **value, size_t *len,
                                    char **err, void *opaque);
void vr_qemu_set_secret_fn(vr_qemu_driver *drv, vr_qemu_secret_fn fn, void *opaque);
/* A disk's image file: the source, or the resolved volume. NULL for an
 * empty CD-ROM, or with *err when a volume cannot be resolved. */
char *vr_qemu_disk_path(vr_qemu_driver *drv, const vr_disk_def *d, char **err);
/* The name (malloc'ed) of a running domain with a disk on `path` (the
 * same file, however spelled), or NULL. Storage asks before deleting,
 * resizing or overwriting an image. */
char *vr_qemu_path_user(vr_qemu_driver *drv, const char *path);
/* How guest interfaces of type network and bridge get their tap: the
 * network driver provides it; the daemon wires the two. */
typedef struct {
    int (*tap_for)(void *opaque, const vr_interface_def *ifc, char **ifname, char **err);
    /* The guest is gone: its interface's device goes too when it outlives
     * QEMU (macvtap). Called for every name tap_for gave, also for runs
     * that ended while the daemon was away. */
    void (*release)(void *opaque, const char *ifname);
    /* update-device: the running tap `ifname` onto the bridge of `ifc`'s
     * <source network|bridge> now. */
    int (*replug)(void *opaque, const char *ifname, const vr_interface_def *ifc, char **err);
    /* domiftune, update-device: the running tap `ifname` shaped as `bw` now. */
    int (*set_bandwidth)(void *opaque, const char *ifname, const vr_bandwidth_def *bw, char **err);
    void *opaque;
} vr_qemu_net_hooks;
void vr_qemu_set_net_hooks(vr_qemu_driver *drv, const vr_qemu_net_hooks *hooks);
/* Running domains with an interface on `network`: a newly allocated
 * comma-separated list of names, or NULL when none. */
char *vr_qemu_network_users(vr_qemu_driver *drv, const char *network);

/* Run QEMU as this user (the system daemon's vireo-qemu), with QEMU's
 * seccomp sandbox on. uid 0 = as the daemon itself. */
void vr_qemu_set_user(vr_qemu_driver *drv, uid_t uid, gid_t gid);

/* The accelerator the host gives domains of type 'kvm': probed once. */
bool vr_qemu_kvm_usable(vr_qemu_driver *drv);
/* vireod --accel strict: a domain of type 'kvm' on a host without
 * usable KVM is refused at start instead of running under TCG. */
void vr_qemu_set_accel_strict(vr_qemu_driver *drv, bool strict);
/* The accelerator `def` runs with here ("kvm" or "tcg"), and the notices
 * that go with it (appended, malloc'ed; notices may be NULL). NULL with
 * *err when it cannot run (type 'kvm' without KVM under --accel strict). */
const char *vr_qemu_plan_accel(vr_qemu_driver *drv, const vr_domain_def *def, char ***notices,
                               size_t *n_notices, char **err);
struct event_base *vr_qemu_base(vr_qemu_driver *drv);
const vr_paths *vr_qemu_paths(vr_qemu_driver *drv);
