/* libvireo: the client API of Vireo. The CLI, the tests and third-party
 * programs reach vireod only through this header. Functions that can
 * fail return -1 (or NULL) and leave a message in vireo_last_error(). */
#ifndef VIREO_VIREO_H
#define VIREO_VIREO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vireo_conn vireo_conn;

/* Connect. uri NULL means $VIREO_DEFAULT_URI, else vireo:///system for
 * root and vireo:///session for others. Accepted: vireo:///system,
 * vireo:///session, qemu:///system, qemu:///session, each with an
 * optional ?socket=PATH. On failure returns NULL and *err (if given)
 * gets a message to free(). */
vireo_conn *vireo_connect(const char *uri, char **err);
void vireo_disconnect(vireo_conn *c);
const char *vireo_conn_uri(const vireo_conn *c);
const char *vireo_conn_socket(const vireo_conn *c);

/* The last failure on this connection: a one-line message, and a code
 * (invalid, denied, not_found, conflict, unsupported, failed). */
const char *vireo_last_error(const vireo_conn *c);
const char *vireo_last_error_code(const vireo_conn *c);

typedef struct {
    char *name;
    char uuid[37];
    int id;                 /* -1 when not running */
    char *state;            /* "running", "paused", "shut off", "in shutdown" */
    char *reason;           /* "booted", "user", "shutdown", "destroyed", "crashed", ... */
    char *type;             /* "qemu" or "kvm" */
    bool persistent;
    bool autostart;
    unsigned vcpus;
    unsigned long long memory_kib;
    unsigned long long current_memory_kib;
    char *title;            /* NULL when none */
    int pid;                /* QEMU's pid, 0 when not running */
    long long started_at;   /* unix time, 0 when not running */
    char *accel;            /* "kvm" or "tcg": the run's, or a start's here when shut off;
                               NULL when a start would be refused (vireod --accel strict) */
    char **notices;         /* what the run does differently from what the XML asks, one
                               line each (TCG for type 'kvm', ...); n_notices of them */
    size_t n_notices;
    unsigned vcpus_max;     /* <vcpu>: the most it can have (vcpus is the current count) */
    bool vnc;               /* it has a graphical console (VNC or SPICE) */
    bool managed_save;      /* a managed save image waits for the next start */
    bool is_template;       /* sealed by vireo template: it does not start; clone --from-template */
    bool firmware_changed;  /* UEFI: the next start's firmware is not the one its NVRAM last ran
                               with (a start may want VIREO_START_RESET_NVRAM) */
    bool agent_connected;   /* running, and its guest agent opened its channel (libvirt's
                               agent-lifecycle "connected") */
} vireo_domain;

void vireo_domain_clear(vireo_domain *d);
void vireo_domain_list_free(vireo_domain *list, size_t n);

/* Every domain, sorted by name, in one round trip. */
int vireo_domain_list(vireo_conn *c, vireo_domain **out, size_t *n);
/* `key` is a name, a uuid or a running id everywhere below. */
int vireo_domain_get(vireo_conn *c, const char *key, vireo_domain *out);
/* Define (or redefine) from libvirt domain XML. out may be NULL. */
int vireo_domain_define(vireo_conn *c, const char *xml, vireo_domain *out);

#define VIREO_START_PAUSED 1u
#define VIREO_START_RESET_NVRAM 2u /* the UEFI NVRAM anew from its template */
/* A transient domain: defined and started; gone once it stops. */
int vireo_domain_create(vireo_conn *c, const char *xml, unsigned flags, vireo_domain *out);
int vireo_domain_start(vireo_conn *c, const char *key, unsigned flags);
/* The same, with the domain as it now runs in *out (its accelerator and
 * notices). */
int vireo_domain_start_get(vireo_conn *c, const char *key, unsigned flags, vireo_domain *out);

#define VIREO_UNDEFINE_REMOVE_STORAGE 1u
/* A domain whose UEFI NVRAM file exists needs one of these two (virsh's). */
#define VIREO_UNDEFINE_NVRAM 2u      /* remove the NVRAM file too */
#define VIREO_UNDEFINE_KEEP_NVRAM 4u /* keep it */
#define VIREO_UNDEFINE_KEEP_TPM 8u   /* keep the TPM emulator's state (else removed) */
#define VIREO_UNDEFINE_MANAGED_SAVE 16u /* also its managed save image (else refused) */
int vireo_domain_undefine(vireo_conn *c, const char *key, unsigned flags);
int vireo_domain_shutdown(vireo_conn *c, const char *key);  /* ACPI, returns at once */
int vireo_domain_reboot(vireo_conn *c, const char *key);    /* ACPI */
int vireo_domain_destroy(vireo_conn *c, const char *key);   /* returns once QEMU is gone */
int vireo_domain_suspend(vireo_conn *c, const char *key);
int vireo_domain_resume(vireo_conn *c, const char *key);
int vireo_domain_set_autostart(vireo_conn *c, const char *key, bool on);

/* Memory, as virsh setmem and setmaxmem: LIVE changes the running
 * guest, CONFIG the persistent definition; both, or neither (live when
 * running, else config). Sizes in KiB. */
#define VIREO_MEM_LIVE 1u
#define VIREO_MEM_CONFIG 2u
/* The balloon target (<currentMemory>); at most <memory>. A live change
 * returns once QEMU took the target; the guest gets there by itself
 * (memory_current_kib in the stats shows where it is). */
int vireo_domain_set_memory(vireo_conn *c, const char *key, unsigned long long kib, unsigned flags);
/* <memory>: CONFIG only (refused for a running domain's live side);
 * <currentMemory> comes down with it when above. */
int vireo_domain_set_max_memory(vireo_conn *c, const char *key, unsigned long long kib, unsigned flags);

/* Devices and vCPUs changed as virsh does (attach-device, detach-disk,
 * change-media, setvcpus ...): LIVE the running guest, CONFIG the
 * persistent definition, PERSISTENT both when running and config when
 * not; none: live when running, else config. Live changes return once
 * QEMU (and, for a detach, the guest) confirmed. */
#define VIREO_AFFECT_LIVE 1u
#define VIREO_AFFECT_CONFIG 2u
#define VIREO_AFFECT_PERSISTENT 4u
/* A <disk> or <interface> element. */
int vireo_domain_attach_device(vireo_conn *c, const char *key, const char *xml, unsigned flags);
/* The device the element names (a disk by target, an interface by MAC). */
int vireo_domain_detach_device(vireo_conn *c, const char *key, const char *xml, unsigned flags);
/* detach-device-alias: the disk, interface or DIMM with this alias (a
 * user alias ua-..., a DIMM's dimmN; live, also a running device's id as
 * the device events name it: a disk's target, nicN). */
int vireo_domain_detach_device_alias(vireo_conn *c, const char *key, const char *alias, unsigned flags);
/* A disk by target (vdb) or source path. */
int vireo_domain_detach_disk(vireo_conn *c, const char *key, const char *disk, unsigned flags);
/* An interface of `type` (network, bridge, user) by MAC, or the only one
 * of that type when mac is NULL. */
int vireo_domain_detach_interface(vireo_conn *c, const char *key, const char *type, const char *mac,
                                  unsigned flags);
/* update-device: the device FILE's element names changes in place (a
 * CD-ROM's medium, an interface's <link state>); domif-setlink: an
 * interface's (MAC or tap) link up or down. VIREO_AFFECT_* flags. */
int vireo_domain_update_device(vireo_conn *c, const char *key, const char *xml, unsigned flags);
int vireo_domain_set_link(vireo_conn *c, const char *key, const char *iface, bool down, unsigned flags);
/* domif-getlink: the link state of a running domain's interface, or
 * (VIREO_AFFECT_CONFIG, or shut off) the definition's. */
int vireo_domain_get_link(vireo_conn *c, const char *key, const char *iface, unsigned flags, bool *down);
/* Its wire form, GET …/link: "up" or "down". */
typedef struct {
    char *state;
} vireo_link;
/* domiftune: one direction of an interface's <bandwidth>: average and
 * peak in KiB/s, burst in KiB (0: not given); average 0 removes it. */
typedef struct {
    unsigned long long average, peak, burst, floor;
} vireo_bandwidth;
/* Both directions, as GET …/iftune answers them (floor: inbound only). */
typedef struct {
    vireo_bandwidth inbound, outbound;
} vireo_iftune;
/* The interface (MAC, target dev or tap) shaped so; in/out NULL: that
 * direction stays as it is. VIREO_AFFECT_* flags. */
int vireo_domain_set_iftune(vireo_conn *c, const char *key, const char *iface, const vireo_bandwidth *in,
                            const vireo_bandwidth *out, unsigned flags);
/* Its <bandwidth> now (live, or VIREO_AFFECT_CONFIG: the definition's);
 * 0 where unset. */
int vireo_domain_get_iftune(vireo_conn *c, const char *key, const char *iface, unsigned flags, vireo_bandwidth *in,
                            vireo_bandwidth *out);
/* schedinfo --set: <cputune>'s CPU bandwidth, libvirt's scheduler
 * parameters; the nonzero ones are set (quota -1: no limit).
 * VIREO_AFFECT_* flags. The values are read back from the domain's XML. */
typedef struct {
    unsigned long long cpu_shares, vcpu_period;
    long long vcpu_quota;
} vireo_sched;
int vireo_domain_set_sched(vireo_conn *c, const char *key, const vireo_sched *s, unsigned flags);
/* The values now (live, or VIREO_AFFECT_CONFIG), unset ones as the
 * kernel's defaults (1024, 100000, -1). */
int vireo_domain_get_sched(vireo_conn *c, const char *key, unsigned flags, vireo_sched *out);
/* blkdeviotune: a disk's <iotune>, QEMU's I/O throttling, as libvirt's
 * virDomainGetBlockIoTune names it and in its order (the schema "block
 * iotune": docs/api.md). Bytes and operations per second, a _max the
 * burst rate for its _max_length seconds; 0: no limit; group_name NULL:
 * the disk's own limits, else a quota shared by the disks naming it. */
typedef struct {
    unsigned long long total_bytes_sec, read_bytes_sec, write_bytes_sec;
    unsigned long long total_iops_sec, read_iops_sec, write_iops_sec;
    unsigned long long total_bytes_sec_max, read_bytes_sec_max, write_bytes_sec_max;
    unsigned long long total_iops_sec_max, read_iops_sec_max, write_iops_sec_max;
    unsigned long long size_iops_sec;
    char *group_name;
    unsigned long long total_bytes_sec_max_length, read_bytes_sec_max_length, write_bytes_sec_max_length;
    unsigned long long total_iops_sec_max_length, read_iops_sec_max_length, write_iops_sec_max_length;
} vireo_block_iotune;
/* Set the values `names` names (n of them: "total_bytes_sec" ...,
 * "group_name"; 0 or "" removes one) on disk (target or source), as
 * virsh blkdeviotune does: a rate takes its family (total, read, write)
 * whole. VIREO_AFFECT_* flags. */
int vireo_domain_set_block_iotune(vireo_conn *c, const char *key, const char *disk, const vireo_block_iotune *t,
                                  const char *const *names, size_t n, unsigned flags);
/* Its values now (live, or VIREO_AFFECT_CONFIG: the definition's);
 * free with vireo_block_iotune_clear. */
int vireo_domain_get_block_iotune(vireo_conn *c, const char *key, const char *disk, unsigned flags,
                                  vireo_block_iotune *out);
void vireo_block_iotune_clear(vireo_block_iotune *t);
/* A CD-ROM's medium: source NULL ejects, else it is inserted. */
int vireo_domain_change_media(vireo_conn *c, const char *key, const char *target, const char *source,
                              unsigned flags);
/* Grow a running domain's disk (target or path) to `bytes`. */
int vireo_domain_block_resize(vireo_conn *c, const char *key, const char *disk, unsigned long long bytes);
/* The vCPUs online (or, with MAXIMUM and CONFIG, the <vcpu> maximum). */
#define VIREO_VCPU_MAXIMUM 8u
int vireo_domain_set_vcpus(vireo_conn *c, const char *key, unsigned n, unsigned flags);
/* vcpucount: the vCPUs of each side; -1 where the domain has no such
 * side (the live ones when shut off). */
typedef struct {
    int maximum_config, maximum_live, current_config, current_live;
} vireo_vcpu_count;
int vireo_domain_vcpu_count(vireo_conn *c, const char *key, vireo_vcpu_count *out);

#define VIREO_XML_INACTIVE 1u
#define VIREO_XML_SECURE 2u
/* The domain XML (free()); the live one while running unless INACTIVE;
 * SECURE: with graphics passwords (read-write connections only). */
char *vireo_domain_xml(vireo_conn *c, const char *key, unsigned flags);
/* Statistics as a JSON object text (free()): state, vcpus, cpu_time_ns,
 * memory_max_kib, memory_current_kib (the balloon's actual size while
 * running), memory_rss_kib (QEMU's resident memory), block[], net[]. */
char *vireo_domain_stats_json(vireo_conn *c, const char *key);
/* A domain's disks as JSON text (free()): {"disks":[{target, type,
 * device, bus, format, readonly, source, pool, volume, capacity,
 * allocation, physical, error}]} (domblklist, domblkinfo); flags
 * VIREO_XML_INACTIVE: those of the next start. */
char *vireo_domain_disks_json(vireo_conn *c, const char *key, unsigned flags);
/* domblkerror as JSON text (free()): {"errors":[{disk, error}]}, the
 * disks whose I/O error paused the running domain, error "no space" or
 * "unspecified error"; empty once it runs again. */
char *vireo_domain_disk_errors_json(vireo_conn *c, const char *key);
/* domrename: a shut-off domain takes a new name (its snapshots and
 * autostart follow). */
int vireo_domain_rename(vireo_conn *c, const char *key, const char *new_name);
/* Where a running domain's VNC server listens, as JSON text (free()):
 * type "vnc", host, port, display (port - 5900). */
char *vireo_domain_display_json(vireo_conn *c, const char *key);
/* One command to QEMU's guest agent in a running domain (it needs the
 * org.qemu.guest_agent.0 channel and qemu-ga in the guest): `command` is
 * its JSON, {"execute":"guest-info"}; the answer's "return" value as JSON
 * text (free()), "null" for guest-shutdown. timeout: seconds, 0 = the
 * daemon's 10. NULL with the error set (no agent answering, ...). */
char *vireo_domain_agent_json(vireo_conn *c, const char *key, const char *command, int timeout);

/* Guest and host helpers of a running domain (virsh's names). */
/* send-key: keys pressed together (at most 16), each a name or number of
 * codeset "linux" (NULL; KEY_A, 30), "xt" or "qnum"; hold_ms 0 is QEMU's
 * default (100 ms). */
int vireo_domain_send_key(vireo_conn *c, const char *key, const char *codeset, const char *const *keys,
                          size_t n, unsigned hold_ms);
/* screenshot: screen N (its N-th video device) as PNG bytes (free()),
 * *len of them; NULL on failure. */
char *vireo_domain_screenshot(vireo_conn *c, const char *key, unsigned screen, size_t *len);
/* reset: the machine's reset line, as pressing a reset button. */
int vireo_domain_reset(vireo_conn *c, const char *key);
/* dompmsuspend (target "mem", "disk", "hybrid"; NULL is mem) through the
 * guest agent; dompmwakeup of a guest suspended to RAM. */
int vireo_domain_pm_suspend(vireo_conn *c, const char *key, const char *target);
int vireo_domain_pm_wakeup(vireo_conn *c, const char *key);
/* domhostname: the guest's host name from its agent (free()). */
char *vireo_domain_hostname(vireo_conn *c, const char *key);
/* guestinfo: what the guest agent reports, flattened into libvirt's keys
 * (virsh guestinfo's: "os.id", "user.count", "fs.0.name" ...), in its
 * order; kinds a mask of VIREO_GUEST_INFO_* (0: every kind). Each value
 * as virsh prints it (a number in decimal, a bool "yes"/"no"), its type
 * beside it. 0 with *out (vireo_guest_fields_free) and *n, or -1. */
#define VIREO_GUEST_INFO_USERS 0x1u
#define VIREO_GUEST_INFO_OS 0x2u
#define VIREO_GUEST_INFO_TIMEZONE 0x4u
#define VIREO_GUEST_INFO_HOSTNAME 0x8u
#define VIREO_GUEST_INFO_FILESYSTEM 0x10u
#define VIREO_GUEST_INFO_DISKS 0x20u
#define VIREO_GUEST_INFO_INTERFACES 0x40u
typedef enum { VIREO_GUEST_FIELD_STRING, VIREO_GUEST_FIELD_NUMBER, VIREO_GUEST_FIELD_BOOL } vireo_guest_field_type;
typedef struct {
    char *key;
    char *value;
    vireo_guest_field_type type;
} vireo_guest_field;
int vireo_domain_guest_info(vireo_conn *c, const char *key, unsigned kinds, vireo_guest_field **out, size_t *n);
void vireo_guest_fields_free(vireo_guest_field *f, size_t n);
/* domfsinfo: the guest's mounted filesystems from its agent, each disk
 * under one named by the domain's target ("vda") where its PCI address
 * matches one, else by the guest's name for it. 0 with *out
 * (vireo_fs_info_free) and *n, or -1. */
typedef struct {
    char *mountpoint, *name, *type;
    char **targets;
    size_t n_targets;
} vireo_fs_info;
int vireo_domain_fs_info(vireo_conn *c, const char *key, vireo_fs_info **out, size_t *n);
void vireo_fs_info_free(vireo_fs_info *f, size_t n);
/* domfsfreeze (the mountpoints given, n 0: every one), domfsthaw (every
 * frozen one; mountpoints are refused), domfstrim (every mounted one,
 * extents under `minimum` bytes skipped; mountpoint must be NULL): the
 * number of filesystems frozen, thawed or trimmed, or -1. */
int vireo_domain_fs_freeze(vireo_conn *c, const char *key, const char *const *mountpoints, size_t n);
int vireo_domain_fs_thaw(vireo_conn *c, const char *key, const char *const *mountpoints, size_t n);
int vireo_domain_fs_trim(vireo_conn *c, const char *key, const char *mountpoint, unsigned long long minimum);
/* qemu-monitor-command: QMP JSON text (or a human monitor line with hmp);
 * QEMU's answer (free()): {"return": ...} for QMP, the text for hmp. */
char *vireo_domain_monitor_command(vireo_conn *c, const char *key, const char *command, bool hmp);

/* save FILE (an absolute path on the daemon's host): the running domain's
 * state to the file, then it is shut off (reason "saved"); restore runs it
 * again. RUNNING/PAUSED: how restore leaves it (default: as saved).
 * Both return once done. */
#define VIREO_SAVE_RUNNING 1u
#define VIREO_SAVE_PAUSED 2u
int vireo_domain_save(vireo_conn *c, const char *key, const char *file, unsigned flags);
int vireo_domain_restore(vireo_conn *c, const char *file, unsigned flags);
/* save --xml, restore --xml: the image holds (runs) `xml` instead of the
 * domain's own, which must fit what QEMU saved (same devices; paths may
 * change). save-image-dumpxml (`secure`: with passwords) and
 * save-image-define (the image's XML and, with RUNNING/PAUSED, state). */
int vireo_domain_save_xml(vireo_conn *c, const char *key, const char *file, const char *xml, unsigned flags);
int vireo_domain_restore_xml(vireo_conn *c, const char *file, const char *xml, unsigned flags);
char *vireo_save_image_xml(vireo_conn *c, const char *file, bool secure);
int vireo_save_image_define(vireo_conn *c, const char *file, const char *xml, unsigned flags);
/* managedsave: the same into the domain's own image, which the next
 * start resumes; managedsave-remove drops it. */
int vireo_domain_managed_save(vireo_conn *c, const char *key, unsigned flags);
int vireo_domain_managed_save_remove(vireo_conn *c, const char *key);
/* domjobinfo as JSON text (free()): {"type": "none"} or {"type":
 * "unbounded", "operation", "elapsed_ms", "data_processed",
 * "data_remaining", "data_total"}; domjobabort. */
char *vireo_domain_job_json(vireo_conn *c, const char *key);
int vireo_domain_job_abort(vireo_conn *c, const char *key);

/* A running domain's vCPU thread: the host CPU it ran on last and its
 * CPU time (-1 both when the thread is gone), the host CPUs it may run
 * on ("0-1,3"; NULL when unknown). */
typedef struct {
    unsigned vcpu;
    long long thread;
    int cpu;
    char *state; /* "running" or "paused" */
    long long cpu_time_ns;
    char *affinity;
} vireo_vcpu;
typedef struct {
    vireo_vcpu *vcpus;
    size_t n_vcpus;
    char *emulator_affinity; /* QEMU's other threads */
    int host_cpus;
} vireo_vcpu_info;
/* vcpuinfo (vireo_vcpu_info_clear frees it). vcpupin and emulatorpin: the
 * running domain's threads to the host CPUs of cpulist ("0-3,^2");
 * VIREO_AFFECT_CONFIG (<cputune>) is refused for now. */
int vireo_domain_vcpu_info(vireo_conn *c, const char *key, vireo_vcpu_info *out);
void vireo_vcpu_info_clear(vireo_vcpu_info *v);
int vireo_domain_vcpu_pin(vireo_conn *c, const char *key, unsigned vcpu, const char *cpulist, unsigned flags);
/* An iothread: its thread (0 in the definition's list) and the host CPUs
 * it may run on. */
typedef struct {
    unsigned id;
    long long thread;
    char *affinity;
} vireo_iothread;
typedef struct {
    vireo_iothread *iothreads;
    size_t n_iothreads;
    int host_cpus;
} vireo_iothread_info;
/* iothreadinfo, live or with VIREO_AFFECT_CONFIG from the definition
 * (vireo_iothread_info_clear frees it); iothreadpin: live only. */
int vireo_domain_iothread_info(vireo_conn *c, const char *key, unsigned flags, vireo_iothread_info *out);
void vireo_iothread_info_clear(vireo_iothread_info *t);
int vireo_domain_iothread_pin(vireo_conn *c, const char *key, unsigned id, const char *cpulist, unsigned flags);
/* iothreadadd (add) / iothreaddel of iothread `id`, LIVE/CONFIG flags. */
int vireo_domain_iothread_change(vireo_conn *c, const char *key, unsigned id, bool add, unsigned flags);
int vireo_domain_emulator_pin(vireo_conn *c, const char *key, const char *cpulist, unsigned flags);
/* desc: the <description> (or with TITLE the <title>); *text NULL when
 * none (free()). flags: VIREO_DESC_TITLE, VIREO_XML_INACTIVE (the
 * persistent definition's). Setting takes the VIREO_AFFECT_* flags too;
 * empty text removes it. */
#define VIREO_DESC_TITLE 16u
int vireo_domain_description(vireo_conn *c, const char *key, unsigned flags, char **text);
int vireo_domain_set_description(vireo_conn *c, const char *key, const char *text, unsigned flags);
/* metadata: the <metadata> element of namespace `uri` (*xml NULL when
 * none; VIREO_XML_INACTIVE: the persistent definition's); set it to
 * `xml` with namespace prefix `prefix`, or remove it (xml NULL), with the
 * VIREO_AFFECT_* flags. */
int vireo_domain_metadata(vireo_conn *c, const char *key, const char *uri, unsigned flags, char **xml);
int vireo_domain_set_metadata(vireo_conn *c, const char *key, const char *uri, const char *prefix, const char *xml,
                              unsigned flags);

/* Block jobs on a running disk's chain: blockcommit, blockpull and
 * blockcopy start one (op "blockcommit", "blockpull", "blockcopy") and
 * return once it runs, or with VIREO_BLOCK_JOB_WAIT once it is done (a
 * copy or an active commit: once ready, or with PIVOT/FINISH once
 * switched/finished). blockjob: the disk's running job as JSON text
 * (free()): {"job": {"id", "type", "status", "current-progress",
 * "total-progress"} | null}; pivot switches the disk to a ready job's
 * result, abort ends the job with the disk where it was (a ready copy
 * is then complete); both return once the job ended. */
#define VIREO_BLOCK_JOB_ACTIVE 1u          /* commit: the top layer too */
#define VIREO_BLOCK_JOB_SHALLOW 2u         /* commit: into the next layer; copy: the top only */
#define VIREO_BLOCK_JOB_PIVOT 4u
#define VIREO_BLOCK_JOB_FINISH 8u          /* copy */
#define VIREO_BLOCK_JOB_WAIT 16u
#define VIREO_BLOCK_JOB_REUSE_EXTERNAL 32u /* copy: the destination exists */
#define VIREO_BLOCK_JOB_BLOCKDEV 64u       /* copy: the destination is a block device */
typedef struct {
    const char *top, *base;    /* blockcommit: images of the chain (NULL: the top, the bottom) */
    const char *dest, *format; /* blockcopy: destination, raw|qcow2 (NULL: the disk's) */
    unsigned flags;            /* VIREO_BLOCK_JOB_* */
} vireo_block_job_params;
int vireo_domain_block_job_start(vireo_conn *c, const char *key, const char *op, const char *disk,
                                 const vireo_block_job_params *p);
char *vireo_domain_block_job_json(vireo_conn *c, const char *key, const char *disk);
int vireo_domain_block_job_pivot(vireo_conn *c, const char *key, const char *disk);
int vireo_domain_block_job_abort(vireo_conn *c, const char *key, const char *disk);

/* Host facts as JSON text (free()): hostname, uri, arch, kernel, cpus,
 * memory_kib, accelerator, domain_types. */
char *vireo_host_json(vireo_conn *c);
/* libvirt's <domainCapabilities> XML (free()); each argument NULL for
 * the host's default (virttype "qemu" or "kvm", a machine type). */
/* sysinfo: libvirt's <sysinfo type='smbios'> XML of the daemon's host. */
char *vireo_host_sysinfo(vireo_conn *c);
char *vireo_domain_capabilities(vireo_conn *c, const char *virttype, const char *machine);
/* {"version", "api", "hypervisor"} as JSON text (free()). */
char *vireo_version_json(vireo_conn *c);

/* Byte streams: the serial console of a running domain (both ways) and
 * the event feed (JSON lines, one per lifecycle event). */
typedef struct vireo_stream vireo_stream;
#define VIREO_CONSOLE_HISTORY 1u /* start with what the console printed lately */
vireo_stream *vireo_console_open(vireo_conn *c, const char *key, unsigned flags);
vireo_stream *vireo_events_open(vireo_conn *c);
/* For poll(): readable when vireo_stream_read has data (check
 * vireo_stream_pending first: bytes may already be buffered). */
int vireo_stream_fd(const vireo_stream *s);
size_t vireo_stream_pending(const vireo_stream *s);
/* 0 at end of stream, -1 on error (errno set). */
ssize_t vireo_stream_read(vireo_stream *s, void *buf, size_t n);
ssize_t vireo_stream_write(vireo_stream *s, const void *buf, size_t n);
void vireo_stream_close(vireo_stream *s);

/* Any API call, for what has no typed function yet. body may be NULL.
 * Returns the HTTP status (or -1 when the daemon could not be reached);
 * *response gets the body (free()). */
int vireo_call(vireo_conn *c, const char *method, const char *path, const char *body,
               const char *content_type, char **response);


/* ---- virtual networks ---- */

typedef struct {
    char *start, *end; /* IPv4 addresses */
} vireo_dhcp_range;

/* A static DHCP host (<dhcp><host>): mac or name NULL when not given. */
typedef struct {
    char *mac, *name, *ip;
} vireo_dhcp_host;

typedef struct {
    char *name;
    char uuid[37];
    bool active;
    bool persistent;
    bool autostart;
    char *forward;     /* "nat", "route", "open", "bridge", "none" (isolated) */
    char *bridge;      /* the host bridge, NULL when none yet */
    char *address;     /* the host's address on it, NULL for mode bridge, macvtap, no <ip> */
    unsigned prefix;
    char *address6;    /* its IPv6 address, NULL without <ip family='ipv6'> */
    unsigned prefix6;
    int stp;           /* STP in force on the bridge: 1 on, 0 off, -1 unknown */
    int forward_delay_ms; /* the bridge's forward delay in force, -1 unknown */
    char *warning;     /* from a start: another firewall on the host drops the network's
                          traffic, with the command that fixes it; NULL otherwise */
    vireo_dhcp_range *dhcp; /* its DHCP ranges (n_dhcp); NULL without an IPv4 <ip> */
    size_t n_dhcp;
    vireo_dhcp_host *dhcp_hosts; /* its static hosts (n_dhcp_hosts); NULL without an IPv4 <ip> */
    size_t n_dhcp_hosts;
    char **devices;    /* a macvtap network's host interfaces (n_devices); NULL otherwise */
    size_t n_devices;
} vireo_network;

typedef struct {
    char *network;
    long long expiry;  /* unix time; 0 = never (and for --source arp) */
    char mac[18];      /* "" for an IPv6 lease whose DUID holds no MAC */
    char ip[46];       /* IPv4 or IPv6 */
    unsigned prefix;
    unsigned family;   /* 4 or 6 */
    char *hostname;    /* NULL when the guest sent none */
    char *client_id;   /* NULL when none */
} vireo_lease;

typedef struct {
    char *interface;   /* the tap on the host (NULL when none: user networking, not running) */
    char *type;        /* "network", "bridge", "user" */
    char *source;      /* network or bridge name, NULL for user */
    char *model;
    char mac[18];
    vireo_lease *addresses; /* from the network's DHCP leases */
    size_t n_addresses;
} vireo_interface;

void vireo_network_clear(vireo_network *n);
void vireo_network_list_free(vireo_network *list, size_t n);
void vireo_lease_list_free(vireo_lease *list, size_t n);
void vireo_interface_list_free(vireo_interface *list, size_t n);

int vireo_network_list(vireo_conn *c, vireo_network **out, size_t *n);
int vireo_network_get(vireo_conn *c, const char *key, vireo_network *out);
int vireo_network_define(vireo_conn *c, const char *xml, vireo_network *out);
/* Transient: defined and started; gone after net-destroy. */
int vireo_network_create(vireo_conn *c, const char *xml, vireo_network *out);
int vireo_network_undefine(vireo_conn *c, const char *key);
int vireo_network_start(vireo_conn *c, const char *key);
/* Start, and say how the network is now (with its warning, if any). */
int vireo_network_start_get(vireo_conn *c, const char *key, vireo_network *out);
int vireo_network_destroy(vireo_conn *c, const char *key);
int vireo_network_set_autostart(vireo_conn *c, const char *key, bool on);
char *vireo_network_xml(vireo_conn *c, const char *key, unsigned flags); /* VIREO_XML_INACTIVE */
int vireo_network_leases(vireo_conn *c, const char *key, vireo_lease **out, size_t *n);
/* net-update KEY add|delete ip-dhcp-host '<host mac=... ip=... name=.../>' */
int vireo_network_update_dhcp_host(vireo_conn *c, const char *key, bool add, const char *host_xml);
/* A domain's interfaces with their addresses (domiflist, domifaddr). */
int vireo_domain_interfaces(vireo_conn *c, const char *key, vireo_interface **out, size_t *n);
/* The same with the addresses from `source`: "lease" (DHCP, the default)
 * or "arp" (the host's ARP and IPv6 neighbour tables: SLAAC addresses). */
int vireo_domain_interfaces_from(vireo_conn *c, const char *key, const char *source, vireo_interface **out,
                                 size_t *n);

/* ---- storage: pools and volumes (docs/storage.md) ---- */

typedef struct {
    char *name;
    char uuid[37];
    char *type;              /* "dir", "fs", "disk" */
    char *state;             /* "running" or "inactive" */
    bool persistent, autostart;
    char *path;              /* the pool's directory */
    unsigned long long capacity, allocation, available; /* bytes; 0 when inactive */
    unsigned volumes;
} vireo_pool;

void vireo_pool_clear(vireo_pool *p);
void vireo_pool_list_free(vireo_pool *list, size_t n);
int vireo_pool_list(vireo_conn *c, vireo_pool **out, size_t *n);
/* `key` is a pool name or uuid. out may be NULL everywhere below. */
int vireo_pool_get(vireo_conn *c, const char *key, vireo_pool *out);
int vireo_pool_define(vireo_conn *c, const char *xml, vireo_pool *out);
int vireo_pool_define_as(vireo_conn *c, const char *name, const char *type, const char *target,
                         vireo_pool *out);
/* pool-define-as with virsh's source options; NULL = not given. */
typedef struct {
    const char *name, *type, *target;
    const char *source_dev, *source_format, *source_host, *source_path, *source_name;
    const char *auth_type, *auth_username, *secret_uuid, *source_initiator;
} vireo_pool_fields;
int vireo_pool_define_fields(vireo_conn *c, const vireo_pool_fields *f, vireo_pool *out);
/* pool-build: VIREO_POOL_BUILD_OVERWRITE replaces a partition table or
 * file system that is there (disk, fs pools); NO_OVERWRITE never does. */
enum { VIREO_POOL_BUILD_OVERWRITE = 1, VIREO_POOL_BUILD_NO_OVERWRITE = 2 };
int vireo_pool_build(vireo_conn *c, const char *key, unsigned flags, vireo_pool *out);
int vireo_pool_undefine(vireo_conn *c, const char *key);
/* action: "build", "start", "destroy", "delete" (its directory), "refresh" */
int vireo_pool_action(vireo_conn *c, const char *key, const char *action, vireo_pool *out);
int vireo_pool_set_autostart(vireo_conn *c, const char *key, bool on);
char *vireo_pool_xml(vireo_conn *c, const char *key);

/* ---- secrets (libvirt's secret objects: CHAP passwords, Ceph keys) ---- */

typedef struct {
    char uuid[37];
    char *usage_type;  /* "none", "volume", "ceph", "iscsi", "tls", "vtpm" */
    char *usage_id;    /* the usage's target, name or volume; NULL for none */
    char *description; /* or NULL */
    bool ephemeral, private_, has_value;
} vireo_secret;

void vireo_secret_clear(vireo_secret *s);
void vireo_secret_list_free(vireo_secret *list, size_t n);
int vireo_secret_list(vireo_conn *c, vireo_secret **out, size_t *n);
int vireo_secret_get(vireo_conn *c, const char *uuid, vireo_secret *out);
/* libvirt's secret XML; out may be NULL. */
int vireo_secret_define(vireo_conn *c, const char *xml, vireo_secret *out);
int vireo_secret_undefine(vireo_conn *c, const char *uuid);
char *vireo_secret_xml(vireo_conn *c, const char *uuid);
/* The value as base64 text, or as plain text (no NUL bytes). */
int vireo_secret_set_value(vireo_conn *c, const char *uuid, const char *base64);
int vireo_secret_set_value_plain(vireo_conn *c, const char *uuid, const char *text);
/* The value as base64 (malloc'ed; wipe and free it), or NULL: private
 * secrets, and read-only connections, get none. */
char *vireo_secret_get_value(vireo_conn *c, const char *uuid);

typedef struct {
    char *name, *pool, *path;
    char *type;              /* "file", or "block" (a disk pool's partition) */
    char *format;            /* "raw", "qcow2", "iso" */
    unsigned long long capacity, allocation; /* bytes */
    char *backing_path;      /* qcow2 overlays, else NULL */
    char *backing_format;
    char *used_by;           /* a running domain using it, or NULL */
} vireo_vol;

void vireo_vol_clear(vireo_vol *v);
void vireo_vol_list_free(vireo_vol *list, size_t n);
int vireo_vol_list(vireo_conn *c, const char *pool, vireo_vol **out, size_t *n);
/* pool NULL: `name` is the volume's path. */
int vireo_vol_get(vireo_conn *c, const char *pool, const char *name, vireo_vol *out);
/* capacity in virsh's units ("10G", "512MiB", bytes); format NULL = raw;
 * backing_vol: a volume of the pool or a path (format NULL = probed). */
int vireo_vol_create_as(vireo_conn *c, const char *pool, const char *name, const char *capacity,
                        const char *format, const char *backing_vol, const char *backing_format,
                        vireo_vol *out);
int vireo_vol_create_xml(vireo_conn *c, const char *pool, const char *xml, vireo_vol *out);
int vireo_vol_delete(vireo_conn *c, const char *pool, const char *name);
#define VIREO_RESIZE_DELTA 1u  /* capacity is added to the current one */
#define VIREO_RESIZE_SHRINK 2u /* allow making it smaller (data past the end is lost) */
/* find-storage-pool-sources: libvirt's <sources> XML (malloc'ed) for
 * type "disk" (spec NULL) or "iscsi-direct" (spec: <source><host name=''
 * port=''/></source>); NULL with the error set. */
char *vireo_find_pool_sources(vireo_conn *c, const char *type, const char *spec);
/* pool-capabilities: libvirt's <storagepoolCapabilities> XML. */
char *vireo_pool_capabilities(vireo_conn *c);
/* vol-wipe: algorithm NULL or "zero" (the only one). */
int vireo_vol_wipe(vireo_conn *c, const char *pool, const char *name, const char *algorithm);
int vireo_vol_resize(vireo_conn *c, const char *pool, const char *name, const char *capacity,
                     unsigned flags, vireo_vol *out);
char *vireo_vol_xml(vireo_conn *c, const char *pool, const char *name);
/* A full copy into a new volume: returns the job's id (follow it with
 * vireo_job_wait), or -1. */
int vireo_vol_clone(vireo_conn *c, const char *pool, const char *name, const char *new_name);
/* The same into another pool: a job id. */
int vireo_vol_clone_to(vireo_conn *c, const char *pool, const char *name, const char *dst_pool,
                       const char *new_name);
/* vol-create-from: a copy of volume `name` of `pool` into `dst_pool`
 * named, sized and formatted by the <volume> XML (the daemon refuses a
 * format the copy is not): a job id; its result is {"pool","volume"}. */
int vireo_vol_create_from(vireo_conn *c, const char *pool, const char *name, const char *dst_pool,
                          const char *xml);

/* Bytes moved so far of `total`; called often, ending with done == total. */
typedef void (*vireo_progress_fn)(unsigned long long done, unsigned long long total, void *opaque);
/* Replace the volume's content with `length` bytes read from fd. The
 * volume changes only once all of them arrived. */
int vireo_vol_upload(vireo_conn *c, const char *pool, const char *name, int fd,
                     unsigned long long length, vireo_progress_fn progress, void *opaque);
/* Write the volume's content (its file, as is) to fd. */
int vireo_vol_download(vireo_conn *c, const char *pool, const char *name, int fd,
                       vireo_progress_fn progress, void *opaque);

/* ---- jobs: long operations (copies, clones) ---- */

typedef struct {
    int id;
    char *kind;              /* "vol-clone", "clone" */
    char *target;
    char *state;             /* "running", "completed", "failed", "cancelled" */
    char *step;              /* what it does now, or NULL */
    double progress;         /* percent */
    char *error, *error_code;  /* when failed */
    char *result;            /* JSON text of the result when completed, or NULL */
    long long started_at;    /* unix time */
    long long finished_at;   /* unix time; 0 while running */
} vireo_job;

void vireo_job_clear(vireo_job *j);
void vireo_job_list_free(vireo_job *list, size_t n);
int vireo_job_list(vireo_conn *c, vireo_job **out, size_t *n);
int vireo_job_get(vireo_conn *c, int id, vireo_job *out);
int vireo_job_cancel(vireo_conn *c, int id);
typedef void (*vireo_job_progress_fn)(const vireo_job *j, void *opaque);
/* Poll until the job ends. 0 when it completed; -1 when it failed (its
 * message is the connection's last error). out may be NULL. */
int vireo_job_wait(vireo_conn *c, int id, vireo_job_progress_fn progress, void *opaque, vireo_job *out);

/* ---- snapshots ---- */

typedef struct {
    char *name;
    char *description;       /* or NULL */
    char *state;             /* the domain's when taken: "running", "paused", "shutoff" */
    char *parent;            /* or NULL */
    long long creation_time; /* unix seconds */
    bool current;
} vireo_snapshot;

void vireo_snapshot_clear(vireo_snapshot *s);
void vireo_snapshot_list_free(vireo_snapshot *list, size_t n);
int vireo_snapshot_list(vireo_conn *c, const char *domain, vireo_snapshot **out, size_t *n);
int vireo_snapshot_get(vireo_conn *c, const char *domain, const char *name, vireo_snapshot *out);
/* Running domains are snapshotted with their memory; every writable
 * disk must be qcow2. */
int vireo_snapshot_create(vireo_conn *c, const char *domain, const char *name,
                          const char *description, vireo_snapshot *out);
/* DISK_ONLY: an external snapshot of a running domain: every writable
 * disk goes on a new qcow2 overlay beside its image (IMAGE.NAME). */
#define VIREO_SNAPSHOT_DISK_ONLY 1u
int vireo_snapshot_create_flags(vireo_conn *c, const char *domain, const char *name, const char *description,
                                unsigned flags, vireo_snapshot *out);
int vireo_snapshot_revert(vireo_conn *c, const char *domain, const char *name);
int vireo_snapshot_delete(vireo_conn *c, const char *domain, const char *name);
char *vireo_snapshot_xml(vireo_conn *c, const char *domain, const char *name);

/* ---- clone (virt-clone) ---- */

#define VIREO_CLONE_AUTO 1u   /* name the copies after the clone */
#define VIREO_CLONE_LINKED 2u /* qcow2 overlays instead of copies */
#define VIREO_CLONE_FROM_TEMPLATE 4u /* the original is a template: linked, auto-named */
/* A new domain from a shut off or paused one: new uuid and MACs, disks
 * copied to files[i] (in disk order) or, with AUTO, beside the
 * originals. Returns the job's id, or -1. */
int vireo_domain_clone(vireo_conn *c, const char *original, const char *name,
                       const char *const *files, size_t n_files, unsigned flags);

/* ---- image tools (virt-builder, virt-sysprep, virt-customize,
 *      virt-sparsify, virt-resize) and templates ---- */

/* What a tool works on and the editing options; unset fields are NULL,
 * 0 or false. Paths are on the daemon's host. */
typedef struct {
    const char *domain;                  /* sysprep/customize: a shut-off domain ... */
    const char *const *add;              /* ... or image files */
    size_t n_add;
    const char *input, *output;          /* sparsify/resize IN OUT; builder --output */
    const char *pool, *volume;           /* builder --pool POOL --name VOL */
    const char *format;                  /* "qcow2" or "raw" */
    const char *os;                      /* builder: "debian-12" ... */
    const char *expand;                  /* resize: the partition to grow ("/dev/sda3") */
    unsigned long long size;             /* bytes: builder's disk, resize's new size */
    bool force;                          /* replace an existing output */
    bool compress;                       /* sparsify: compressed qcow2 */
    bool in_place;                       /* sparsify: trim the input itself */
    const char *hostname;
    const char *root_password;           /* "password:X", "random" or "disabled" */
    const char *timezone;
    const char *const *ssh_users;        /* --ssh-inject USER:file:KEY: users ... */
    const char *const *ssh_keys;         /* ... and the public keys' text */
    size_t n_ssh;
    const char *const *install;          /* packages */
    size_t n_install;
    const char *const *run;              /* commands run in the image now */
    size_t n_run;
    const char *const *firstboot;        /* commands run once at the next boot */
    size_t n_firstboot;
    const char *const *operations;       /* sysprep's --operations */
    size_t n_operations;
} vireo_image_params;

/* tool: "build", "list", "sysprep", "customize", "sparsify", "resize".
 * Returns the job's id (its result: JSON, e.g. builder's root_password,
 * list's "os"), or -1. */
int vireo_image_start(vireo_conn *c, const char *tool, const vireo_image_params *p);
/* Seal a shut-off domain (sysprep with p's options) and mark it a
 * template: it no longer starts; clone it with VIREO_CLONE_FROM_TEMPLATE. */
int vireo_domain_template(vireo_conn *c, const char *domain, const vireo_image_params *p);

/* ---- checkpoints and push backups of running domains ---- */
typedef struct {
    char *name;
    char *description;       /* or NULL */
    char *parent;            /* the checkpoint before, or NULL */
    long long creation_time; /* unix seconds */
    char **disks;            /* the disks with a bitmap in it ("vda") */
    size_t n_disks;
} vireo_checkpoint;

void vireo_checkpoint_list_free(vireo_checkpoint *list, size_t n);
/* A domain's checkpoints, oldest first. */
int vireo_checkpoint_list(vireo_conn *c, const char *domain, vireo_checkpoint **out, size_t *n);
/* libvirt's <domaincheckpoint> XML of one checkpoint. */
char *vireo_checkpoint_xml(vireo_conn *c, const char *domain, const char *name);
/* xml (a <domaincheckpoint>) or name/description (any may be NULL: the
 * name is then the time in seconds). Returns the checkpoint's name. */
char *vireo_checkpoint_create(vireo_conn *c, const char *domain, const char *xml, const char *name,
                              const char *description);
/* REDEFINE: xml's metadata only (its <parent>, <creationTime> kept), for
 * bitmaps the images hold; QUIESCE: the guest agent freezes the guest's
 * file systems while the bitmaps are made. */
#define VIREO_CHECKPOINT_CREATE_REDEFINE 1u
#define VIREO_CHECKPOINT_CREATE_QUIESCE 2u
char *vireo_checkpoint_create_flags(vireo_conn *c, const char *domain, const char *xml, const char *name,
                                    const char *description, unsigned flags);
#define VIREO_CHECKPOINT_DELETE_CHILDREN 1u
#define VIREO_CHECKPOINT_DELETE_METADATA_ONLY 2u
int vireo_checkpoint_delete(vireo_conn *c, const char *domain, const char *name, unsigned flags);
/* A push backup (libvirt's <domainbackup>, NULL: every disk, full) with
 * an optional new checkpoint; answers once it runs (domjobinfo follows it). */
int vireo_backup_begin(vireo_conn *c, const char *domain, const char *backup_xml, const char *checkpoint_xml);
/* The running backup's XML, targets filled in. */
char *vireo_backup_xml(vireo_conn *c, const char *domain);

/* ---- backups of shut-off domains (definition, disks, NVRAM) ---- */

/* Copy into the daemon host's directory dir (made if missing); job id.
 * A running domain's disks are copied live (a push backup). */
int vireo_domain_backup(vireo_conn *c, const char *domain, const char *dir);
/* The same, of a running domain, copying only what changed since the
 * backup in `base` (an earlier bundle of it); NULL base: in full. */
int vireo_domain_backup_incremental(vireo_conn *c, const char *domain, const char *dir, const char *base);
/* Define the domain of a backup again, its files copied back where they
 * were (refused when the domain or any of them exists); job id. */
int vireo_domain_backup_restore(vireo_conn *c, const char *dir);

/* ---- the daemon, the host, the event feed (their wire forms) ---- */

typedef struct {
    char *version, *api, *hypervisor;
} vireo_version;

typedef struct {
    char *hostname, *uri, *arch, *kernel;
    int cpus;
    unsigned long long memory_kib;
    char *accelerator;    /* "kvm" or "tcg" */
    char **domain_types;  /* "qemu", and "kvm" where usable */
    size_t n_domain_types;
    char *pci_passthrough_refused; /* why <hostdev type='pci'> cannot start here (no IOMMU …) */
} vireo_host;

/* A USB device of the host (GET /v1/host/usb-devices, virsh nodedev-list
 * --cap usb_device): what <hostdev type='usb'> names. */
typedef struct {
    char *name;                   /* libvirt's node device name: usb_1_2 */
    unsigned bus, device;         /* busnum, devnum: <address bus device> */
    char *vendor_id, *product_id; /* "0x046d": <vendor id>, <product id> */
    char *vendor, *product;       /* the device's own strings; NULL when it has none */
} vireo_usb_device;

/* nodedev-list --cap usb_device: the USB devices of the daemon's host
 * (*out to free with vireo_usb_device_list_free); *none, when not NULL,
 * gets why the list is empty (free()), else NULL. 0, or -1 with the
 * connection's error. */
int vireo_usb_device_list(vireo_conn *c, vireo_usb_device **out, size_t *n, char **none);
void vireo_usb_device_list_free(vireo_usb_device *list, size_t n);
/* A node device of the host (GET /v1/nodedevs, virsh nodedev-list):
 * the computer, a PCI function, a USB device or hub, a network interface,
 * by libvirt's names, with the facts a list shows. */
typedef struct {
    char *name;             /* libvirt's: computer, pci_0000_00_02_0, usb_usb1, net_eth0_52_54_00_12_34_56 */
    char *parent;           /* NULL for computer */
    char **capabilities;    /* libvirt's: "system", "pci", "usb_device", "net" */
    size_t n_capabilities;
    char *driver;           /* the driver bound to it (virtio-pci, vfio-pci); NULL when none */
    char *vendor, *product; /* PCI: pci.ids' names; USB: the device's own strings; NULL when unnamed */
    int iommu_group;        /* PCI: its IOMMU group; -1 (null) without one */
} vireo_nodedev;

/* virsh nodedev-list [--cap CAP[,CAP...]]: the daemon's host's devices by
 * name (*out to free with vireo_nodedev_list_free); cap NULL for all.
 * 0, or -1 with the connection's error (an unknown capability). */
int vireo_nodedev_list(vireo_conn *c, const char *cap, vireo_nodedev **out, size_t *n);
void vireo_nodedev_list_free(vireo_nodedev *list, size_t n);
/* virsh nodedev-dumpxml NAME: libvirt's <device> XML (free()), or NULL
 * with the error (no such device). */
char *vireo_nodedev_xml(vireo_conn *c, const char *name);
/* virsh nodedev-detach / nodedev-reattach: the PCI device `name`
 * (pci_0000_01_00_0) to vfio-pci, for a <hostdev type='pci'
 * managed='no'>, or back to its host driver (POST
 * /v1/host/pci-devices/NAME/detach|reattach). 0, or -1 with the error. */
int vireo_pci_device_detach(vireo_conn *c, const char *name);
int vireo_pci_device_reattach(vireo_conn *c, const char *name);

typedef struct {
    int cpus;
    double cpu_percent;   /* -1 (null) before a first window */
    int cpu_window_ms;
    unsigned long long memory_total_kib, memory_available_kib, memory_used_kib;
    int domains_total, domains_running;
} vireo_host_stats;

/* One line of GET /v1/events. */
typedef struct {
    double time;          /* unix seconds */
    char *kind;           /* "domain", "network", "pool" */
    char *name, *uuid, *event, *detail;
    char *type;           /* libvirt's name of the event, as virsh event prints it: "lifecycle",
                             "reboot", "tunable", "device-removal-failed" ... */
    char *volume;         /* pool refresh events; else NULL (left out) */
    char *mac, *ip, *hostname; /* lease events; else NULL (left out) */
    char *path, *alias;   /* io-error, io-error-reason: the disk's source and device id */
    char *reason;         /* io-error-reason: "enospc" (a full disk), else QEMU's reason */
    /* graphics: the server's address (family "ipv4", "ipv6" or "unix", node,
       service) and the client's, the auth scheme, the client's identity */
    char *local_family, *local_node, *local_service;
    char *remote_family, *remote_node, *remote_service;
    char *auth, *x509_dname, *sasl_username;
} vireo_event;

/* A running domain in the feed's periodic sample ({"kind":"stats",
 * "mono", "domains":{NAME: this}}). */
typedef struct {
    long long cpu_time_ns;
    int vcpus;
    char **addresses;
    size_t n_addresses;
} vireo_sample_domain;

/* ---- installs (virt-install's job), planned by the daemon ---- */

/* The inputs of one install, as virt-install's options give them: the
 * daemon reads them into its one plan (src/core/install_ops.c). Strings
 * are NULL when not given. */
typedef struct {
    char *name;
    char *memory;      /* MiB */
    char *vcpus;
    char *os_variant;  /* "debian12"; NULL: generic */
    char *cdrom;       /* an ISO on the daemon's host */
    char *cdrom_volume; /* or one in a pool: "POOL/VOLUME" */
    bool location;     /* a --location install: the installer's kernel and initrd boot once */
    char *install_kernel, *install_initrd; /* their paths on the daemon's host (NULL in a dry run: the
                                              plan names volumes for them) */
    char *location_iso; /* the tree's ISO, attached while installing, or NULL */
    char *location_volume; /* or that ISO as a volume, "POOL/VOLUME" (a remote install uploads it) */
    char *extra_args;
    bool import, pxe;
    char **disks;      /* "size=10,pool=default", "vol=POOL/NAME", "path=F,device=cdrom", "none" */
    size_t n_disks;
    char **networks;   /* "network=default", "bridge=br0", "user", "none" */
    size_t n_networks;
    char **boots;      /* "hd,cdrom", "uefi", "kernel=K,initrd=I,kernel_args=A" */
    size_t n_boots;
    char *graphics;    /* "vnc[,listen=A][,port=N]" or "none"; NULL: vnc */
    char *machine, *virt_type, *cpu, *uuid, *title;
    char *tpm;         /* virt-install's --tpm: "emulator", "default", "none" or
                          "model=tpm-tis,backend.version=1.2"; NULL: as the OS asks */
    bool cloud_init;   /* a cloud-init seed: the client makes it */
    char *seed_volume; /* ... and uploaded it into the plan's media pool */
    bool drivers;      /* a drivers ISO (virtio-win) is among the disks: virtio disk and NICs */
    bool noreboot;     /* leave the installed system off when the installer ends */
    bool autostart;
    bool no_start;     /* only define (an import or kernel boot; an install always starts) */
    bool dry_run;      /* plan only: nothing is made */
    bool job;          /* answer at once with the install's job (202), not once it is made */
} vireo_install_request;

/* A volume the plan makes (role "disk") or wants the client to upload
 * into (roles "seed", "kernel", "initrd"). */
typedef struct {
    char *role;
    char *pool, *name, *path;
    unsigned long long capacity; /* bytes; 0 for uploads and overlays of their backing's size */
    char *format;
    char *backing;
    char *copy_from;   /* its content: an image on the daemon's host copied in (--disk copy_from=) */
} vireo_install_volume;

/* The plan the daemon made of a request (and, unless a dry run, made). */
typedef struct {
    bool install_phase; /* it boots the install media once, then the final definition */
    bool restart;       /* the daemon starts the installed system when the installer powers off */
    char *name, *uuid, *os_variant, *virt_type, *machine;
    unsigned long long memory_mib;
    unsigned vcpus;
    bool vnc;
    char *vnc_listen;
    int vnc_port;       /* -1: the first free display */
    char *media_pool;   /* where seeds and the installer's kernel go */
    vireo_install_volume *volumes;
    size_t n_volumes;
    char **networks_started; /* inactive networks the install starts */
    size_t n_networks_started;
    char **warnings;    /* "warning: ..." and "notice: ..." lines */
    size_t n_warnings;
    char *xml_install;  /* the install phase's definition, or NULL */
    char *xml_final;
} vireo_install_plan;

/* A known OS variant and its defaults (GET /v1/os-variants). */
typedef struct {
    char *id, *name;
    char *family;          /* "linux", "windows", "other" */
    unsigned memory_mib, min_memory_mib, vcpus, disk_gib;
    bool uefi;             /* boots with UEFI */
    bool secure_boot;      /* ... with Secure Boot and a TPM 2.0 (Windows 11) */
    char *machine;         /* "q35" or "pc" */
    bool virtio;           /* virtio disk and NIC (else SATA/IDE and e1000(e)) */
} vireo_os_variant;

void vireo_install_request_clear(vireo_install_request *r);
void vireo_install_plan_clear(vireo_install_plan *p);
/* POST /v1/install: plan (r->dry_run) or plan and make. 0 with *out
 * filled, -1 with the connection's error. */
int vireo_install(vireo_conn *c, const vireo_install_request *r, vireo_install_plan *out);
/* The same made as a job the caller follows (vireo_job_wait: its step
 * and percent while disks are copied; its result, JSON: {"domain",
 * "uuid", "install": the plan}); vireo_job_cancel stops it while its
 * volumes are made, leaving nothing. The job's id, or -1. */
int vireo_install_start(vireo_conn *c, const vireo_install_request *r);
/* GET /v1/os-variants[?id=ID]: the daemon's OS table (its host's
 * libosinfo), or the one variant ID names (its short-id or an alias;
 * not_found with the close matches otherwise). 0 with *out (free with
 * vireo_os_variant_list_free), -1 with the connection's error. */
int vireo_os_variant_list(vireo_conn *c, const char *id, vireo_os_variant **out, size_t *n);
void vireo_os_variant_list_free(vireo_os_variant *list, size_t n);

#ifdef __cplusplus
}
#endif
#endif
