/* What an install makes, as data: the OS variants (osinfo.c) and the
 * plan of one install with the domain XML it gives (install_xml.c).
 * Pure code shared by `vireo install` (src/cli) and the daemon's
 * POST /v1/install that the web wizard uses. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- OS variants (osinfo.c) ---- */

typedef enum { VR_OS_LINUX, VR_OS_WINDOWS, VR_OS_OTHER } vr_os_family;

typedef struct {
    const char *id;           /* "debian12" */
    const char *name;         /* "Debian 12 (bookworm)" */
    const char *osinfo;       /* libosinfo id written into <metadata>, or NULL */
    vr_os_family family;
    unsigned min_mib, mem_mib; /* memory: warn below min; default */
    unsigned vcpus;
    unsigned disk_gib;        /* size of the disk made when none is given */
    const char *machine;      /* "q35" or "pc" */
    bool virtio;              /* virtio disk, NIC, RNG, balloon */
    bool uefi;                /* boots with UEFI firmware by default */
} vr_osinfo;

const vr_osinfo *vr_osinfo_find(const char *id);
/* The whole table (for listings such as GET /v1/os-variants). */
const vr_osinfo *vr_osinfo_all(size_t *n);
/* "debian13, debian12" -- the known ids closest to `id`, or NULL. */
char *vr_osinfo_close_matches(const char *id);

/* ---- the plan: what will be made ---- */

/* The one set of limits of an install (checked by the daemon's plan,
 * src/core/install_ops.c): memory in MiB (below the OS variant's
 * min_mib it is allowed, with a warning), vCPUs. */
#define VR_INSTALL_MEM_MIN_MIB 16ull
#define VR_INSTALL_MEM_MAX_MIB (16ull << 20) /* 16 TiB */
#define VR_INSTALL_VCPUS_MAX 255ull
#define VR_INSTALL_DISK_MAX_GIB (8ull << 30) /* a new disk: 8 EiB, what a byte count holds */

typedef enum {
    VR_SRC_NONE,
    VR_SRC_CDROM,    /* boot the ISO once, then the disk */
    VR_SRC_LOCATION, /* kernel + initrd from a tree or ISO, once */
    VR_SRC_PXE,      /* network boot once */
    VR_SRC_IMPORT,   /* boot the disks as they are */
    VR_SRC_KERNEL,   /* direct kernel boot, for good */
} vr_install_source;

typedef enum { VR_IDISK_VOLUME, VR_IDISK_FILE, VR_IDISK_BLOCK } vr_idisk_type;

typedef struct {
    vr_idisk_type type;
    bool cdrom, readonly;
    bool create;             /* a new volume made by install */
    bool install_only;       /* present in the install phase only (an install ISO) */
    bool empty_after;        /* the final definition keeps the drive, without media */
    char *pool, *volume;     /* type volume */
    char *path;              /* type file / block */
    char *format;            /* "qcow2", "raw" */
    unsigned long long bytes; /* size of a new volume */
    char *backing;           /* backing file or volume of a new qcow2 overlay */
    char *copy_from;         /* a new volume's content: this image on the daemon's host, copied
                                (qemu-img convert, a job's long part), or NULL */
    char *copy_format;       /* ... its format: "qcow2" or "raw" */
    char *bus;               /* "virtio", "sata", "scsi", "ide" */
    char *target;            /* "vda", ... */
    char *cache, *discard;   /* or NULL */
} vr_idisk;

typedef struct {
    char *type;              /* "network", "bridge", "user" */
    char *source;            /* network or bridge name */
    char *model;             /* "virtio", "e1000", "rtl8139" */
    char *mac;               /* or NULL */
} vr_inic;

typedef struct {
    char *name, *uuid;
    const vr_osinfo *os;
    char *virt_type;         /* "kvm" or "qemu" */
    char *machine;
    char *cpu_mode;          /* "host-passthrough", "host-model", "maximum" or NULL */
    unsigned long long mem_mib;
    unsigned vcpus;
    vr_install_source source;
    /* direct kernel boot: for good (KERNEL) or for the install (LOCATION) */
    char *kernel, *initrd, *cmdline;
    const char *boot_devs[3]; /* final boot order from --boot hd,cdrom,...; NULL-padded */
    bool uefi;               /* <os firmware='efi'>: the daemon picks OVMF at start */
    bool secure_boot;        /* ... with Secure Boot and Microsoft's keys (Windows 11) */
    bool tpm;                /* a TPM on swtpm (Windows 11, or --tpm) */
    bool tpm_tis;            /* ... its model tpm-tis (else tpm-crb) */
    bool tpm_12;             /* ... TPM 1.2 (else 2.0) */
    bool hyperv;             /* virt-install's Hyper-V enlightenments (Windows) */
    char *loader, *nvram, *nvram_template; /* an explicit firmware instead, or NULL */
    vr_idisk *disks;
    size_t n_disks;
    vr_inic *nics;
    size_t n_nics;
    bool vnc;
    char *vnc_listen;
    int vnc_port;            /* -1: autoport */
    bool guest_agent;
    char *title;
} vr_install_plan;

/* A new, zeroed disk at the end of the plan's list. */
vr_idisk *vr_install_add_disk(vr_install_plan *p);
/* Free what the plan owns: its disks, NICs and strings, except name,
 * uuid and title, which are the caller's. */
void vr_install_plan_clear(vr_install_plan *p);

/* The domain XML: the install phase (first boot from the install
 * media, on_reboot destroy) or the final definition. */
char *vr_install_xml(const vr_install_plan *p, bool install_phase);
/* Does this plan boot differently the first time? */
bool vr_install_two_phase(const vr_install_plan *p);
/* Buses: a CD-ROM's (IDE on pc, SATA on q35) and a disk's by default
 * (virtio for OSes that have the drivers). */
bool vr_install_is_q35(const char *machine);
const char *vr_install_cdrom_bus(const char *machine);
const char *vr_install_disk_bus(const vr_osinfo *os, const char *machine);
/* The NIC model an OS gets unless asked: virtio when it has the
 * drivers, e1000e for Windows on q35 (virt-install's), else e1000. */
const char *vr_install_nic_model(const vr_osinfo *os, const char *machine);
/* What the OS variant asks of the platform, as virt-install gives it:
 * UEFI when the OS boots that way (Windows 11: with Secure Boot and a
 * TPM 2.0), Hyper-V enlightenments for Windows. Both planners call it
 * once the machine is known. -1 with *err (free()) when the machine
 * cannot give it (Secure Boot needs q35's SMM). */
int vr_install_platform(vr_install_plan *p, char **err);
/* Name the disks' targets in order per bus family (vda, sda, hda...).
 * -1 with *err (free()) when a bus runs out of names. */
int vr_install_assign_targets(vr_install_plan *p, char **err);
/* XML text escaping (free()). */
char *vr_xml_escape(const char *s);
