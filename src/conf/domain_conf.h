/* Domain definitions: the supported subset of libvirt's domain XML,
 * parsed, validated, completed and written back.
 *
 * After vr_domain_def_parse() a definition is complete: every value
 * libvirt would fill in at define time (UUID, MACs, PCI addresses, disk
 * target names and drive addresses, implicit controllers, defaults) is
 * set, so the drivers never guess and `dumpxml` shows what will run.
 * Anything outside the subset is refused with one line naming the
 * element and its line; nothing is dropped. The subset is documented
 * element by element in docs/xml-domain.md.
 *
 * The structures are plain data: the daemon and the drivers read the
 * fields directly. Strings are owned by the definition (malloc'ed) and
 * NULL when absent. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "conf/mac.h"
#include "conf/macvtap_mode.h"
#include "conf/uuid.h"

typedef enum { VR_VIRT_QEMU, VR_VIRT_KVM } vr_virt_type;

/* A yes/no setting the XML may leave out: DEFAULT keeps QEMU's own. */
typedef enum { VR_TRISTATE_DEFAULT, VR_TRISTATE_ON, VR_TRISTATE_OFF } vr_tristate;

/* ---- addresses ---------------------------------------------------- */

typedef enum {
    VR_ADDR_NONE,
    VR_ADDR_PCI,           /* domain, bus, slot, function, multifunction */
    VR_ADDR_DRIVE,         /* controller, bus, target, unit */
    VR_ADDR_VIRTIO_SERIAL, /* controller, bus, port */
    VR_ADDR_USB,           /* bus (= USB controller index), port */
    VR_ADDR_ISA,           /* iobase, irq (libvirt writes one for <panic model='isa'>) */
} vr_addr_type;

/* Where a device sits, and the name its user gave it: libvirt's device
 * info. `alias` is a user alias (<alias name='ua-...'/>, of any length,
 * kept in the definition as libvirt keeps it; NULL = none): it stays when
 * the address is assigned. The string is the definition's
 * (vr_domain_def_intern), so addresses copy freely within it. */
typedef struct {
    vr_addr_type type;
    unsigned domain, bus, slot, function;
    bool multifunction;
    unsigned controller, target, unit, port;
    unsigned iobase, irq; /* isa; 0 = not given */
    const char *alias;
} vr_address;

#include "conf/domain_tune.h"

/* ---- <os> ---------------------------------------------------------- */

typedef enum { VR_BOOT_HD, VR_BOOT_CDROM, VR_BOOT_NETWORK } vr_boot_dev;
typedef enum { VR_LOADER_NONE, VR_LOADER_PFLASH, VR_LOADER_ROM } vr_loader_type;
typedef enum { VR_SMBIOS_DEFAULT, VR_SMBIOS_EMULATE, VR_SMBIOS_SYSINFO } vr_smbios_mode;

#define VR_MAX_BOOT_DEVS 3

typedef struct {
    char *arch;    /* "x86_64" or "i686" */
    char *machine; /* "pc", "q35", "pc-i440fx-7.2", "pc-q35-7.2", ... */
    vr_boot_dev boot_devs[VR_MAX_BOOT_DEVS]; /* <boot dev=...>, in order */
    size_t n_boot_devs;
    char *kernel, *initrd, *cmdline;
    struct {
        char *path; /* NULL: the emulator's own BIOS (SeaBIOS) */
        bool readonly;
        vr_loader_type type;
        vr_tristate secure; /* <loader secure>: Secure Boot (SMM-protected flash) */
    } loader;
    char *nvram;          /* UEFI variable store (pflash unit 1) */
    char *nvram_template; /* copied to `nvram` by the driver when missing */
    char *firmware;       /* <os firmware='efi|bios'>: 'efi' lets the driver pick the UEFI
                             firmware from QEMU's descriptors at start (qemu_firmware.c) */
    /* <firmware><feature enabled name/>: what the picked firmware must
     * (ON) or must not (OFF) have; DEFAULT: either. */
    vr_tristate fw_secure_boot, fw_enrolled_keys;
    vr_tristate bootmenu; /* <bootmenu enable> */
    unsigned bootmenu_timeout; /* ms; 0 = not given */
    bool bios_useserial;  /* <bios useserial='yes'>: SeaBIOS on the serial port (sga) */
    vr_smbios_mode smbios;
} vr_os_def;

/* ---- <cpu>, <clock>, <features>, <pm> ------------------------------- */

typedef enum {
    VR_CPU_NONE, /* no <cpu>: QEMU's default model */
    VR_CPU_HOST_PASSTHROUGH,
    VR_CPU_HOST_MODEL,
    VR_CPU_MAXIMUM,
    VR_CPU_CUSTOM, /* <model> with <feature>s */
} vr_cpu_mode;

typedef enum { VR_CPU_MATCH_DEFAULT, VR_CPU_MATCH_MINIMUM, VR_CPU_MATCH_EXACT, VR_CPU_MATCH_STRICT } vr_cpu_match;
typedef enum {
    VR_FEATURE_FORCE,
    VR_FEATURE_REQUIRE,
    VR_FEATURE_OPTIONAL,
    VR_FEATURE_DISABLE,
    VR_FEATURE_FORBID,
} vr_feature_policy;

typedef struct {
    char *name;               /* QEMU's and libvirt's CPUID feature name: vmx, hle, ... */
    vr_feature_policy policy;
} vr_cpu_feature;

typedef enum {
    VR_CPU_CHECK_DEFAULT,
    VR_CPU_CHECK_NONE,
    VR_CPU_CHECK_PARTIAL,
    VR_CPU_CHECK_FULL,
} vr_cpu_check;

typedef struct {
    vr_cpu_mode mode;
    vr_cpu_check check;    /* kept for libvirt round trips; Vireo compares no CPU models */
    vr_cpu_match match;    /* the same */
    vr_tristate migratable;
    char *model;           /* <model>: QEMU's CPU model name (custom mode), or NULL */
    bool fallback_forbid;  /* <model fallback='forbid'> (kept; QEMU has no fallback) */
    vr_cpu_feature *features; /* <feature policy name> */
    size_t n_features;
    /* <topology>; all 0 when absent, else sockets*dies*cores*threads == vcpus */
    unsigned sockets, dies, cores, threads;
} vr_cpu_def;

typedef enum { VR_CLOCK_UTC, VR_CLOCK_LOCALTIME } vr_clock_offset;
typedef enum {
    VR_TICK_DEFAULT,
    VR_TICK_DELAY,
    VR_TICK_CATCHUP,
    VR_TICK_DISCARD,
} vr_tickpolicy;

typedef struct {
    vr_clock_offset offset;
    vr_tickpolicy rtc_tickpolicy; /* DEFAULT, DELAY or CATCHUP */
    vr_tickpolicy pit_tickpolicy; /* DEFAULT, DELAY or DISCARD */
    vr_tristate hpet;             /* <timer name='hpet' present=...> */
    vr_tristate hypervclock;      /* <timer name='hypervclock' present=...> (Hyper-V's) */
} vr_clock_def;

/* <features><hyperv>: Hyper-V enlightenments, QEMU's hv-* CPU properties
 * (domain_hyperv.c). Indexed by vr_hyperv_feature. */
typedef enum {
    VR_HV_RELAXED, VR_HV_VAPIC, VR_HV_SPINLOCKS, VR_HV_VPINDEX, VR_HV_RUNTIME, VR_HV_SYNIC,
    VR_HV_STIMER, VR_HV_RESET, VR_HV_VENDOR_ID, VR_HV_FREQUENCIES, VR_HV_REENLIGHTENMENT,
    VR_HV_TLBFLUSH, VR_HV_IPI, VR_HV_EVMCS, VR_HV_AVIC, VR_HV_EMSR_BITMAP, VR_HV_XMM_INPUT, VR_HV_COUNT
} vr_hyperv_feature;

/* libvirt's element names of the features, NULL-terminated. */
extern const char *const vr_hyperv_feature_names[];

typedef struct {
    bool present;          /* <hyperv> given */
    bool passthrough;      /* mode='passthrough': every one the host has */
    vr_tristate state[VR_HV_COUNT];
    unsigned spinlock_retries; /* <spinlocks retries> (state on) */
    char *vendor_id;       /* <vendor_id value> (state on) */
    vr_tristate stimer_direct; /* <stimer><direct state/></stimer> */
    vr_tristate tlbflush_direct, tlbflush_extended; /* <tlbflush><direct/><extended/></tlbflush> */
} vr_hyperv_def;

/* <devices><tpm> (domain_tpm.c): swtpm per domain, or the host's TPM. */
typedef enum { VR_TPM_TIS, VR_TPM_CRB } vr_tpm_model;
typedef enum { VR_TPM_EMULATOR, VR_TPM_PASSTHROUGH } vr_tpm_backend;

typedef struct {
    vr_tpm_model model;
    vr_tpm_backend backend;
    char *device;          /* passthrough: <device path>, /dev/tpm0 when absent */
    bool v12;              /* emulator version='1.2' (tpm-tis only); else 2.0 */
    vr_address addr;       /* its user alias only */
    long line;
} vr_tpm_def;

/* An element Vireo reads whole and keeps (dumpxml writes it back), but
 * cannot run yet: a start is refused with `reason`. */
typedef struct {
    char *xml;     /* the serialized element */
    char *name;    /* its name, for messages */
    char *reason;  /* why a start is refused */
    long line;
} vr_kept_def;


/* <sysinfo type='smbios'>: one -smbios entry per (table, name). */
typedef struct {
    char *table;  /* bios, system, baseBoard, chassis */
    char *name;   /* vendor, manufacturer, serial, ... */
    char *value;
} vr_smbios_entry;


typedef enum {
    VR_LIFECYCLE_DESTROY,
    VR_LIFECYCLE_RESTART,
    VR_LIFECYCLE_PRESERVE,
    VR_LIFECYCLE_RENAME_RESTART,
} vr_lifecycle_action;

/* ---- devices -------------------------------------------------------- */

typedef enum { VR_DISK_FILE, VR_DISK_BLOCK, VR_DISK_VOLUME, VR_DISK_NETWORK } vr_disk_type;
typedef enum { VR_DISK_DEVICE_DISK, VR_DISK_DEVICE_CDROM } vr_disk_device;
typedef enum { VR_DISK_RAW, VR_DISK_QCOW2 } vr_disk_format;
typedef enum {
    VR_DISK_CACHE_DEFAULT,
    VR_DISK_CACHE_NONE,
    VR_DISK_CACHE_WRITETHROUGH,
    VR_DISK_CACHE_WRITEBACK,
    VR_DISK_CACHE_DIRECTSYNC,
    VR_DISK_CACHE_UNSAFE,
} vr_disk_cache;
typedef enum {
    VR_DISK_IO_DEFAULT,
    VR_DISK_IO_NATIVE,
    VR_DISK_IO_THREADS,
    VR_DISK_IO_URING,
} vr_disk_io;
typedef enum {
    VR_DISK_DISCARD_DEFAULT,
    VR_DISK_DISCARD_UNMAP,
    VR_DISK_DISCARD_IGNORE,
} vr_disk_discard;
/* <driver error_policy rerror_policy>: what QEMU does on a write (read)
 * error, its werror (rerror); enospace (writes only) stops on a full
 * disk and reports other errors. */
typedef enum {
    VR_DISK_ERROR_POLICY_DEFAULT,
    VR_DISK_ERROR_POLICY_STOP,
    VR_DISK_ERROR_POLICY_REPORT,
    VR_DISK_ERROR_POLICY_IGNORE,
    VR_DISK_ERROR_POLICY_ENOSPACE,
} vr_disk_error_policy;
typedef enum {
    VR_DISK_BUS_VIRTIO,
    VR_DISK_BUS_SATA,
    VR_DISK_BUS_IDE,
    VR_DISK_BUS_SCSI,
} vr_disk_bus;

/* <disk type='network'>: one <host name port> of <source> (an rbd
 * monitor, or the iSCSI portal). */
typedef struct {
    char *name;
    unsigned port; /* 0: not given (Ceph's 6789, iSCSI's 3260) */
} vr_disk_host;

/* <source protocol=...> of a network disk. */
typedef enum {
    VR_DISK_PROTOCOL_RBD,
    VR_DISK_PROTOCOL_ISCSI,
    VR_DISK_PROTOCOL_HTTP,  /* a read-only image on a web server (QEMU's curl driver) */
    VR_DISK_PROTOCOL_HTTPS,
} vr_disk_protocol;
extern const char *const vr_disk_protocol_names[];
static inline bool vr_disk_protocol_is_web(vr_disk_protocol p)
{
    return p == VR_DISK_PROTOCOL_HTTP || p == VR_DISK_PROTOCOL_HTTPS;
}

/* A disk's <iotune> (domain_iotune.c): QEMU's I/O throttling, each
 * value as libvirt names it, in libvirt's order (the XML's, virsh
 * blkdeviotune's and the typed parameters' of virDomainGetBlockIoTune,
 * where group_name comes after size_iops_sec); 0 = not set. Bytes and
 * I/O operations per second; a _max is the burst rate, allowed for its
 * _max_length seconds. */
typedef enum {
    VR_IOTUNE_TOTAL_BYTES_SEC, VR_IOTUNE_READ_BYTES_SEC, VR_IOTUNE_WRITE_BYTES_SEC,
    VR_IOTUNE_TOTAL_IOPS_SEC, VR_IOTUNE_READ_IOPS_SEC, VR_IOTUNE_WRITE_IOPS_SEC,
    VR_IOTUNE_TOTAL_BYTES_SEC_MAX, VR_IOTUNE_READ_BYTES_SEC_MAX, VR_IOTUNE_WRITE_BYTES_SEC_MAX,
    VR_IOTUNE_TOTAL_IOPS_SEC_MAX, VR_IOTUNE_READ_IOPS_SEC_MAX, VR_IOTUNE_WRITE_IOPS_SEC_MAX,
    VR_IOTUNE_SIZE_IOPS_SEC,
    VR_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH, VR_IOTUNE_READ_BYTES_SEC_MAX_LENGTH,
    VR_IOTUNE_WRITE_BYTES_SEC_MAX_LENGTH, VR_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH,
    VR_IOTUNE_READ_IOPS_SEC_MAX_LENGTH, VR_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH,
    VR_IOTUNE_COUNT
} vr_iotune_field;
/* libvirt's names of the fields ("total_bytes_sec" ...), NULL-terminated. */
extern const char *const vr_iotune_names[];
/* The field of libvirt's name `name`: VR_IOTUNE_COUNT for "group_name",
 * -1 for none. */
int vr_iotune_field_index(const char *name);
/* QEMU's largest value of any of them (its THROTTLE_VALUE_MAX). */
#define VR_IOTUNE_VALUE_MAX 1000000000000000ULL

typedef struct {
    unsigned long long v[VR_IOTUNE_COUNT];
    char *group_name;   /* <group_name>: disks of one name share one quota (QEMU's throttle group) */
} vr_iotune;

/* Any limit set (the values of lengths and size aside as libvirt
 * counts them: a rate of bytes or operations, or a burst). */
bool vr_iotune_any(const vr_iotune *t);
/* The same values (and group). */
bool vr_iotune_equal(const vr_iotune *a, const vr_iotune *b);
/* libvirt's and QEMU's rules, for the parser and for values from
 * elsewhere (blkdeviotune): total_* with read_* or write_*, a _max without
 * its rate or below it, a _max_length without its _max, size_iops_sec
 * without an iops rate, group_name without a limit, any value over
 * VR_IOTUNE_VALUE_MAX; -1 with *err naming the fields. */
int vr_iotune_check(const vr_iotune *t, char **err);
/* `*dst` takes `src`'s values and a copy of its group name. */
void vr_iotune_copy(vr_iotune *dst, const vr_iotune *src);

/* A blkdeviotune change: the values given, `given` a bit per field (1u
 * << vr_iotune_field) and VR_IOTUNE_GIVEN_GROUP for group_name. */
#define VR_IOTUNE_GIVEN_GROUP (1u << VR_IOTUNE_COUNT)
typedef struct {
    vr_iotune t;
    unsigned given;
} vr_iotune_change;
/* `old` changed as libvirt's virDomainSetBlockIoTune changes it: a rate
 * given takes its family (total, read and write of bytes, of iops, of
 * their _max) whole, the fields not given as 0; a family none of whose
 * fields is given, a length and the group not given stay; the group
 * goes with the last limit. Not checked (vr_iotune_check). */
void vr_iotune_apply(vr_iotune *t, const vr_iotune_change *ch);

typedef struct {
    vr_disk_type type;
    vr_disk_device device;
    vr_disk_format format;  /* <driver name='qemu' type=...> */
    vr_disk_cache cache;
    vr_disk_io io;
    vr_disk_discard discard;
    vr_disk_error_policy error_policy, rerror_policy;
    unsigned iothread;      /* <driver iothread='N'> (virtio disks): 0 = QEMU's main loop */
    char *source_path;      /* <source file=...> or <source dev=...>; NULL = empty cdrom */
    char *source_pool;      /* <source pool=... volume=...> (type volume) */
    char *source_volume;
    char *resolved_path;    /* volume disks: set by the storage driver, never in XML */
    /* type network: <source protocol='rbd' name='POOL/IMAGE'>, its
     * <host>s (monitors), <snapshot name>, <config file>, and <auth
     * username><secret type='ceph' uuid|usage> (in <source> or beside it:
     * written back where it was); or <source protocol='iscsi'
     * name='IQN[/LUN]'> with one <host> (the portal), <initiator><iqn
     * name/></initiator> and <auth> with <secret type='iscsi'> (CHAP). */
    vr_disk_protocol protocol;
    char *initiator_iqn;
    char *source_name;
    vr_disk_host *hosts;
    size_t n_hosts;
    char *source_snapshot;
    char *source_config;
    char *auth_username;
    char *secret_uuid, *secret_usage;
    bool auth_in_source;
    bool auth_secret_iscsi; /* <secret type='iscsi'> (parse's check against the protocol) */
    char *target_dev;       /* vda, sda, hdc, ... (unique) */
    vr_disk_bus bus;
    bool readonly;          /* always true for cdroms */
    bool shareable;         /* <shareable/>: other running domains may use the file too */
    char *serial;           /* <serial>: the drive's serial number, or NULL */
    unsigned boot_order;    /* <boot order=N>; 0 = none */
    vr_iotune iotune;       /* <iotune> */
    vr_address addr;        /* PCI for virtio, drive for the others */
    long line;              /* source line, for messages; 0 when generated */
} vr_disk_def;

typedef enum { VR_NET_USER, VR_NET_NETWORK, VR_NET_BRIDGE, VR_NET_DIRECT } vr_net_type;
typedef enum {
    VR_NET_MODEL_VIRTIO,
    VR_NET_MODEL_E1000,
    VR_NET_MODEL_RTL8139,
    VR_NET_MODEL_E1000E, /* what virt-install gives Windows */
} vr_net_model;

/* One direction of an interface's <bandwidth> (libvirt's units): average
 * and peak in KiB/s, burst in KiB; 0 = not given. `set`: the element is
 * there (average is then not 0). */
typedef struct {
    bool set;
    unsigned long long average, peak, burst, floor;
} vr_bandwidth_rate;

/* <bandwidth><inbound/> (to the guest) <outbound/> (from the guest). */
typedef struct {
    vr_bandwidth_rate in, out;
} vr_bandwidth_def;
/* The same limits both ways (domain_bandwidth.c). */
bool vr_bandwidth_equal(const vr_bandwidth_def *a, const vr_bandwidth_def *b);
/* The rules the parser applies, for values from elsewhere (domiftune):
 * an average when set, peak not below it, floor refused; -1 with *err. */
int vr_bandwidth_check(const vr_bandwidth_def *bw, char **err);

typedef struct {
    vr_net_type type;
    char *source_network; /* type network */
    char *source_bridge;  /* type bridge */
    char *source_dev;     /* type direct: the host NIC its macvtap sits on */
    vr_macvtap_mode source_mode; /* type direct: <source mode=...>, default vepa */
    char mac[VR_MAC_STRLEN];
    vr_net_model model;
    char *target_dev;     /* tap name wanted, or NULL */
    bool link_down;       /* <link state='down'/>: the guest sees no carrier */
    vr_bandwidth_def bandwidth; /* <bandwidth>: shaped on the tap (network, bridge) */
    unsigned boot_order;
    vr_address addr;
    long line;
} vr_interface_def;

/* <serial type='pty'>: an ISA serial port. */
typedef struct {
    unsigned port; /* 0..3 */
    vr_address addr; /* its user alias only: an ISA port has no address here */
    long line;
} vr_serial_def;

typedef enum { VR_CONSOLE_SERIAL, VR_CONSOLE_VIRTIO } vr_console_target;

/* <console type='pty'>: target serial mirrors <serial> port `port`;
 * target virtio is a virtconsole on the virtio-serial bus. */
typedef struct {
    vr_console_target target;
    unsigned port;   /* serial: the mirrored serial port (only 0) */
    vr_address addr; /* virtio: virtio-serial address */
    long line;
} vr_console_def;

/* <channel type='unix'><target type='virtio' name=.../>: the QEMU guest
 * agent, whose socket the driver places in the runtime dir; or
 * <channel type='spicevmc'>: the SPICE agent's port (com.redhat.spice.0). */
typedef enum { VR_CHANNEL_UNIX, VR_CHANNEL_SPICEVMC } vr_channel_type;

typedef struct {
    vr_channel_type type;
    char *target_name; /* "org.qemu.guest_agent.0" or "com.redhat.spice.0" */
    vr_address addr;   /* virtio-serial address */
    long line;
} vr_channel_def;

typedef enum { VR_GRAPHICS_VNC, VR_GRAPHICS_SPICE } vr_graphics_type;
#define VR_GRAPHICS_MAX 2 /* one of each type */
typedef enum { VR_LISTEN_ADDRESS, VR_LISTEN_NONE, VR_LISTEN_SOCKET } vr_listen_type;

/* <graphics type='vnc|spice'> (domain_graphics.c). */
typedef struct {
    vr_graphics_type type;
    int port;          /* -1 with autoport, else 5900.. */
    bool autoport;
    int tls_port;      /* spice: 0 not given, -1 libvirt's "automatic when TLS is configured"
                          (no TLS: libvirt's spice_tls=0), else the TLS port */
    int default_mode;  /* spice defaultMode: 0 any, 1 secure, 2 insecure */
    vr_listen_type listen_type;
    char *listen;      /* LISTEN_ADDRESS: the address; "127.0.0.1" when not given */
    char *socket;      /* LISTEN_SOCKET: the path; NULL = one in the runtime dir */
    char *passwd;      /* NULL: none; handed to QEMU through a secret file, never argv */
    /* spice children, NULL when absent: <image compression>, <jpeg
     * compression>, <zlib compression>, <playback compression>,
     * <streaming mode>, <mouse mode> */
    char *image_compression, *jpeg_compression, *zlib_compression, *playback_compression;
    char *streaming_mode, *mouse_mode;
    long line;
} vr_graphics_def;

/* <hostdev mode='subsystem' type='usb'>: a USB device of the host given
 * to the guest (QEMU's usb-host), named by <vendor id>/<product id> (on
 * whichever port it is plugged in) or by its host <address bus device>. */
typedef struct {
    unsigned vendor, product; /* 0x0000-0xffff; with has_id */
    unsigned bus, device;     /* the host's bus and device numbers; with has_addr */
    bool has_id, has_addr;
    vr_tristate managed;      /* kept for libvirt round trips (USB needs no driver rebind) */
    vr_address addr;          /* usb: its port in the guest */
    long line;
} vr_hostdev_usb_def;

/* <hostdev mode='subsystem' type='pci'>: a PCI device of the host given
 * to the guest through VFIO (QEMU's vfio-pci), named by its host
 * <source><address domain bus slot function/>. managed='yes': the
 * daemon binds it to vfio-pci at start and gives it back at stop;
 * otherwise (libvirt's default) nodedev-detach must have done it. */
typedef struct {
    unsigned domain, bus, slot, function; /* the host address, 0000:01:00.0 */
    bool managed;
    bool driver_vfio;  /* <driver name='vfio'/> written (the only backend) */
    vr_tristate rombar; /* <rom bar='on|off'> */
    bool rom_disabled; /* <rom enabled='no'>: no ROM at all */
    char *romfile;     /* <rom file='...'> */
    vr_address addr;   /* PCI, in the guest */
    long line;
} vr_hostdev_pci_def;

/* <redirdev bus='usb' type='spicevmc'>: a USB device of the SPICE
 * client's, redirected over the SPICE connection (usb-redir). */
typedef struct {
    vr_address addr; /* usb */
    long line;
} vr_redirdev_def;

/* <smartcard mode='host|passthrough'> (domain_smartcard.c): a CCID
 * reader (usb-ccid) with the host's cards (host) or a remote one on a
 * character device (passthrough: spicevmc, or tcp to a vscclient). */
typedef enum { VR_SMARTCARD_HOST, VR_SMARTCARD_PASSTHROUGH } vr_smartcard_mode;

typedef struct {
    vr_smartcard_mode mode;
    bool tcp;              /* passthrough type='tcp' (else spicevmc) */
    bool bind;             /* tcp <source mode='bind'> */
    char *host, *service;  /* tcp */
    vr_address usb;        /* the reader's USB port: assigned, not written (libvirt's ccid controller) */
    long line;
} vr_smartcard_def;

typedef enum { VR_SOUND_ICH6, VR_SOUND_ICH9, VR_SOUND_AC97 } vr_sound_model;
typedef enum { VR_CODEC_DUPLEX, VR_CODEC_MICRO, VR_CODEC_OUTPUT } vr_codec_type;

/* <sound model=...>: an HDA controller with its codec, or an AC97. */
typedef struct {
    vr_sound_model model;
    vr_codec_type codec; /* HDA: <codec type>; duplex when not given */
    unsigned audio_id;   /* <audio id> it plays through; 0 = the first */
    vr_address addr;
    long line;
} vr_sound_def;

typedef enum {
    VR_VIDEO_VIRTIO,
    VR_VIDEO_VGA,
    VR_VIDEO_CIRRUS,
    VR_VIDEO_QXL,
    VR_VIDEO_NONE,
    VR_VIDEO_BOCHS,
    VR_VIDEO_RAMFB,
} vr_video_model;

typedef struct {
    vr_video_model model;
    unsigned heads;           /* 0 = not given (1) */
    unsigned vram, ram, vgamem; /* KiB; 0 = not given */
    bool primary;             /* set on the first video */
    vr_address addr;
    long line;
} vr_video_def;

typedef enum { VR_INPUT_TABLET, VR_INPUT_MOUSE, VR_INPUT_KEYBOARD } vr_input_type;
typedef enum { VR_INPUT_BUS_USB, VR_INPUT_BUS_PS2, VR_INPUT_BUS_VIRTIO } vr_input_bus;

typedef struct {
    vr_input_type type;
    vr_input_bus bus;
    vr_address addr; /* USB or PCI */
    long line;
} vr_input_def;

/* <backend model='egd' type='tcp|unix'>: an EGD daemon's socket
 * (domain_rng_egd.c); QEMU's rng-egd on a socket chardev. */
typedef enum { VR_EGD_NONE, VR_EGD_TCP, VR_EGD_UNIX } vr_egd_type;

typedef struct {
    vr_egd_type type;
    bool bind;           /* <source mode='bind'>: QEMU listens */
    char *host, *service; /* tcp */
    char *path;           /* unix */
} vr_rng_egd;

typedef struct {
    char *backend;   /* "/dev/urandom" or "/dev/random"; NULL: builtin (QEMU's getrandom) or egd */
    vr_rng_egd egd;
    unsigned rate_bytes, rate_period; /* <rate bytes period(ms)>; 0: no limit */
    vr_address addr;
    long line;
} vr_rng_def;        /* model virtio, backend model random, builtin or egd */

typedef enum { VR_WATCHDOG_I6300ESB, VR_WATCHDOG_IB700, VR_WATCHDOG_ITCO } vr_watchdog_model;

/* <watchdog model action>: QEMU's -action watchdog= says what happens. */
typedef struct {
    vr_watchdog_model model;
    char *action;    /* reset, shutdown, poweroff, pause, none, inject-nmi; NULL: reset */
    vr_address addr; /* PCI for i6300esb */
    long line;
} vr_watchdog_def;

typedef enum { VR_PANIC_ISA, VR_PANIC_PCI } vr_panic_model;

typedef struct {
    vr_panic_model model;
    vr_address addr;
    long line;
} vr_panic_def;

typedef enum { VR_MEMBALLOON_VIRTIO, VR_MEMBALLOON_NONE } vr_memballoon_model;

typedef struct {
    vr_memballoon_model model;
    unsigned stats_period; /* <stats period> seconds; 0 = none */
    vr_address addr;
    long line;
} vr_memballoon_def;

typedef enum {
    VR_CONTROLLER_USB,
    VR_CONTROLLER_PCI,
    VR_CONTROLLER_SATA,
    VR_CONTROLLER_IDE,
    VR_CONTROLLER_SCSI,
    VR_CONTROLLER_VIRTIO_SERIAL,
} vr_controller_type;

typedef struct {
    vr_controller_type type;
    unsigned index;
    /* usb: qemu-xhci, nec-xhci, piix3-uhci, piix4-uhci, ehci, none, and
     * ich9-ehci1 with its companions ich9-uhci1..3 (one controller of
     * four functions, all with the same index);
     * pci: pci-root, pcie-root, pcie-root-port, pci-bridge;
     * scsi: virtio-scsi; sata, ide, virtio-serial: NULL */
    char *model;
    unsigned ports;      /* usb (xhci) and virtio-serial; 0 = not given */
    unsigned vectors;    /* virtio-serial; 0 = not given */
    unsigned chassis;    /* pcie-root-port <target chassis>, pci-bridge <target chassisNr> */
    unsigned port;       /* pcie-root-port <target port> */
    unsigned startport;  /* ich9-uhci1..3: <master startport>, the EHCI ports it serves */
    unsigned queues;     /* virtio-scsi <driver queues>; 0 = not given */
    unsigned iothread;   /* virtio-scsi <driver iothread>; 0 = none */
    vr_address addr;
    long line;
} vr_controller_def;

/* <audio type='none|spice'>: libvirt adds one for graphics and sound;
 * none is -audiodev none (QEMU opens no host sound backend), spice
 * plays over the SPICE connection. */
typedef enum { VR_AUDIO_NONE, VR_AUDIO_SPICE } vr_audio_type;

typedef struct {
    unsigned id;
    vr_audio_type type;
    long line;
} vr_audio_def;

/* ---- the domain ----------------------------------------------------- */

/* <memory> and <currentMemory> bounds: the parser and setmem/setmaxmem
 * (the QEMU driver) hold definitions to the same range. */
#define VR_MIN_MEMORY_KIB 1024ULL                     /* 1 MiB */
#define VR_MAX_MEMORY_KIB (16ULL * 1024 * 1024 * 1024) /* 16 TiB */

typedef struct {
    vr_virt_type type;
    char *name;
    char uuid[VR_UUID_STRLEN];
    char *title, *description;
    char *metadata; /* the whole <metadata> element, serialized, or NULL */

    unsigned long long memory_kib, current_memory_kib;
    unsigned long long max_memory_kib; /* <maxMemory>: 0 = none; QEMU's maxmem */
    unsigned max_memory_slots;
    unsigned vcpus;         /* <vcpu>: the maximum (QEMU's maxcpus) */
    unsigned vcpus_current; /* <vcpu current=...>: those online at start; == vcpus when absent */
    char *cpuset;           /* <vcpu cpuset>: host CPUs QEMU runs on, or NULL */

    vr_os_def os;
    struct {
        bool acpi, apic, pae;
        vr_tristate vmport;
        vr_tristate smm;        /* <smm state> */
        vr_tristate kvm_hidden; /* <kvm><hidden state> */
        vr_hyperv_def hyperv;
    } features;
    vr_kept_def *kept;          /* read whole, kept, refused at start (none today) */
    size_t n_kept;
    char **aliases; /* the strings of its devices' user aliases (vr_address) */
    size_t n_aliases;
    vr_smbios_entry *smbios;    /* <sysinfo type='smbios'> */
    size_t n_smbios;
    vr_cpu_def cpu;
    vr_clock_def clock;
    vr_lifecycle_action on_poweroff, on_reboot, on_crash;
    struct {
        vr_tristate suspend_to_mem, suspend_to_disk;
    } pm;
    bool seclabel_none; /* <seclabel type='none'/> */

    char *emulator; /* <devices><emulator>, or NULL */
    vr_disk_def *disks;
    size_t n_disks;
    vr_controller_def *controllers;
    size_t n_controllers;
    vr_interface_def *interfaces;
    size_t n_interfaces;
    vr_serial_def *serials;
    size_t n_serials;
    vr_console_def *consoles;
    size_t n_consoles;
    vr_channel_def *channels;
    size_t n_channels;
    vr_input_def *inputs;
    size_t n_inputs;
    vr_graphics_def *graphics;
    size_t n_graphics;
    vr_audio_def *audios;
    size_t n_audios;
    vr_sound_def *sounds;
    size_t n_sounds;
    vr_smartcard_def *smartcard; /* at most one */
    vr_redirdev_def *redirdevs;
    size_t n_redirdevs;
    vr_hostdev_usb_def *usb_hostdevs;
    size_t n_usb_hostdevs;
    vr_hostdev_pci_def *pci_hostdevs;
    size_t n_pci_hostdevs;
    vr_video_def *videos;
    size_t n_videos;
    vr_memballoon_def memballoon;
    vr_rng_def *rngs;
    size_t n_rngs;
    vr_watchdog_def *watchdogs;
    size_t n_watchdogs;
    vr_panic_def *panics;
    size_t n_panics;

    /* domain_tune.h */
    vr_numa_cell *numa_cells;   /* <cpu><numa>; <memory> is their sum (plus DIMMs) */
    size_t n_numa_cells;
    vr_memory_backing mem_backing;
    vr_cputune cputune;
    vr_numatune numatune;
    unsigned iothreads;         /* <iothreads>: 0 = none */
    unsigned *iothread_ids;     /* <iothreadids>, completed: the `iothreads` ids, any in 1..65535 */
    size_t n_iothread_ids;
    bool iothreadids_listed;    /* written as <iothreadids> (given so, or changed by iothreadadd) */
    vr_memdev_def *memdevs;     /* <memory model='dimm'> */
    size_t n_memdevs;
    vr_fs_def *filesystems;
    size_t n_filesystems;
    vr_iommu_def iommu;         /* <iommu model='intel'> */
    vr_vsock_def vsock;         /* <vsock> */
    vr_shmem_def *shmems;       /* <shmem> */
    size_t n_shmems;
    vr_ioapic_driver ioapic;    /* <features><ioapic driver> */
    vr_tpm_def *tpm;   /* at most one; NULL: none */
} vr_domain_def;

/* Parse, validate and complete a definition. NULL with *err set to a
 * one-line message on any error. */
vr_domain_def *vr_domain_def_parse(const char *xml, size_t len, char **err);

/* The same for a definition being defined or created (not one read back
 * from disk or a running domain): on q35 it also gets the
 * pcie-root-ports libvirt adds at define time, one for each PCIe device
 * without an address, and VR_SPARE_ROOT_PORTS free ones so that disks
 * and interfaces can be hot-plugged (QEMU hot-plugs no root port, and
 * q35's root bus takes no hot-plugged device). */
vr_domain_def *vr_domain_def_parse_new(const char *xml, size_t len, char **err);
#define VR_SPARE_ROOT_PORTS 4

/* libvirt-format XML, generated values included. Parsing the result
 * gives the same definition back (format, parse, format is a fixed
 * point). */
char *vr_domain_def_format(const vr_domain_def *def);
/* The same for a reader: !secure leaves out what libvirt keeps behind
 * VIR_DOMAIN_XML_SECURE (graphics passwords). vr_domain_def_format is
 * the secure form: stored definitions and editing keep everything. */
char *vr_domain_def_format_public(const vr_domain_def *def, bool secure);
/* A running domain's XML as libvirt shows it: the public form with
 * libvirt's automatic alias on each device that has no user alias
 * (vr_domain_live_alias; `nics` as there). */
char *vr_domain_def_format_live(const vr_domain_def *def, bool secure, const int *nics);

/* A deep copy (resolved_path included). NULL only if `def` was changed
 * into something invalid since it was parsed. */
vr_domain_def *vr_domain_def_copy(const vr_domain_def *def);

void vr_domain_def_free(vr_domain_def *def);

/* `s` as a string `def` owns (a device's user alias), freed with it. */
const char *vr_domain_def_intern(vr_domain_def *def, const char *s);

/* vcpupin/emulatorpin/iothreadpin --config: a copy of `def` whose
 * <cputune> pins vCPU `vcpu` (-1: the emulator threads,
 * VR_PIN_IOTHREAD(id): that iothread) to `cpuset`, checked as define
 * checks it (NULL with *err). */
#define VR_PIN_IOTHREAD(id) (-1 - (int)(id))
vr_domain_def *vr_domain_def_with_pin(const vr_domain_def *def, int vcpu, const char *cpuset, char **err);

/* iothreads: at most 64, each an id from 1 to 65535 (<iothreadids>). */
#define VR_IOTHREADS_MAX 64u
#define VR_IOTHREAD_ID_MAX 65535u
#define VR_IOTHREAD_LIST_SIZE (VR_IOTHREADS_MAX * 6 + 1)
bool vr_domain_has_iothread(const vr_domain_def *def, unsigned id);
/* Its iothread ids, "1,2,7", into buf (VR_IOTHREAD_LIST_SIZE). */
const char *vr_domain_iothread_list(const vr_domain_def *def, char *buf, size_t size);

/* ---- helpers for the drivers ---------------------------------------- */

/* Is the machine a Q35 (PCIe) one? Otherwise it is an i440FX "pc". */
bool vr_domain_def_is_q35(const vr_domain_def *def);

/* The controller of `type` with `index`, or NULL. */
const vr_controller_def *vr_domain_def_controller(const vr_domain_def *def,
                                                  vr_controller_type type, unsigned index);

/* A domain has at most one display of each type (libvirt's rule for
 * QEMU): the index in def->graphics of the one of `type`, or -1. */
int vr_domain_def_graphics_index(const vr_domain_def *def, vr_graphics_type type);
/* The display virsh's domdisplay and vncdisplay report: VNC when there
 * is one, else SPICE (virsh's order of schemes); -1 when none. */
int vr_domain_def_graphics_first(const vr_domain_def *def);

const char *vr_virt_type_name(vr_virt_type t);
const char *vr_lifecycle_name(vr_lifecycle_action a);
const char *vr_disk_bus_name(vr_disk_bus b);
const char *vr_net_type_name(vr_net_type t);
/* What an interface is attached to: its network, bridge or host NIC;
 * NULL for user networking. */
const char *vr_interface_source(const vr_interface_def *ifc);
const char *vr_net_model_name(vr_net_model m);

/* "vda" -> 0, "sdb" -> 1, "hdaa" -> 26; -1 when not a disk name. */
int vr_disk_name_to_index(const char *name);

/* The machine used when <type machine=...> is absent (see docs). */
#define VR_DEFAULT_MACHINE "pc"

/* The DIMMs' memory, KiB (part of <memory>, not of QEMU's -m size). */
unsigned long long vr_domain_dimm_kib(const vr_domain_def *def);
/* Is all guest RAM shared with other processes (virtiofsd)? Through
 * <memoryBacking><access mode='shared'/>, or memAccess on every cell. */
bool vr_domain_shared_memory(const vr_domain_def *def);

/* <numatune>'s mode names (strict, preferred, interleave, restrictive),
 * and the <memnode> of guest cell `cellid`, or NULL (domain_numatune.c). */
extern const char *const vr_numatune_mode_names[];
const vr_memnode *vr_numatune_cell(const vr_domain_def *def, unsigned cellid);
/* Whether guest cell `cellid` (-1: RAM outside cells) is in huge pages
 * (domain_hugepages.c). */
bool vr_domain_cell_hugepages(const vr_domain_def *def, int cellid);
