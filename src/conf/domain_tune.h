/* The parts of a domain definition about memory layout, vCPU placement
 * and host sharing (domain_tune.c, domain_memdev.c, domain_fs.c):
 * <cpu><numa>, <memoryBacking>, <cputune>, <iothreads>, memory devices
 * (<memory model='dimm'>) and <filesystem>. Included by domain_conf.h;
 * the fields live in vr_domain_def. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Only through domain_conf.h, which defines vr_address first. */

typedef enum { VR_MEM_ACCESS_DEFAULT, VR_MEM_ACCESS_SHARED, VR_MEM_ACCESS_PRIVATE } vr_mem_access;
typedef enum { VR_MEM_SOURCE_DEFAULT, VR_MEM_SOURCE_ANONYMOUS, VR_MEM_SOURCE_MEMFD } vr_mem_source;

/* <cpu><numa><cell id cpus memory memAccess>: a guest NUMA node. */
typedef struct {
    unsigned id;
    char *cpus;                    /* guest vCPU list, "0-1" */
    unsigned long long memory_kib;
    vr_mem_access access;          /* memAccess */
    long line;
} vr_numa_cell;

/* <memoryBacking>: how QEMU allocates guest RAM. */
typedef struct {
    bool present;
    bool hugepages;    /* <hugepages/>: the host's default huge page size ... */
    unsigned long long hugepage_kib; /* ... or <page size>'s (0: the default) */
    char *hugepage_nodeset;          /* <page nodeset>: the guest cells it backs (NULL: all) */
    bool nosharepages; /* <nosharepages/>: kept (no KSM merging) */
    bool locked;       /* <locked/>: mlock'ed (QEMU -overcommit mem-lock=on) */
    vr_mem_source source;
    vr_mem_access access;
    long line;
} vr_memory_backing;

/* <numatune> (domain_numatune.c): which host NUMA nodes back the
 * guest's memory, with what policy -- host-nodes/policy on QEMU's memory
 * backends. Modes in libvirt's order. */
typedef enum {
    VR_NUMATUNE_STRICT, VR_NUMATUNE_PREFERRED, VR_NUMATUNE_INTERLEAVE, VR_NUMATUNE_RESTRICTIVE
} vr_numatune_mode;

/* <memnode cellid mode nodeset>: one guest cell's own. */
typedef struct {
    unsigned cellid;
    vr_numatune_mode mode;
    char *nodeset;
} vr_memnode;

typedef struct {
    bool present;
    bool memory;               /* <memory> given: mode and nodeset below */
    vr_numatune_mode mode;
    char *nodeset;             /* host NUMA nodes, "0-1" */
    vr_memnode *memnodes;
    size_t n_memnodes;
    long line;
} vr_numatune;

/* <cputune><vcpupin vcpu cpuset/>, and <iothreadpin iothread cpuset/>
 * (vcpu is then the iothread's id). */
typedef struct {
    unsigned vcpu;
    char *cpuset;
} vr_vcpupin;

/* <cputune>: pinning (sched_setaffinity on QEMU's threads) and CPU
 * bandwidth (cgroup v2's cpu controller). */
typedef struct {
    bool present;
    vr_vcpupin *vcpupins;
    size_t n_vcpupins;
    char *emulatorpin;               /* <emulatorpin cpuset> or NULL */
    vr_vcpupin *iothreadpins;        /* <iothreadpin iothread cpuset> */
    size_t n_iothreadpins;
    unsigned long long shares;       /* 0: not given */
    unsigned long long period;       /* microseconds; 0: not given */
    long long quota;                 /* microseconds, -1 unlimited; 0: not given */
    long line;
} vr_cputune;

/* <memory model='dimm'>: a pc-dimm, at boot or hot-plugged. */
typedef struct {
    unsigned long long size_kib;
    unsigned node;      /* <target><node>: guest NUMA node */
    unsigned slot;      /* <address type='dimm' slot>: assigned when absent */
    unsigned long long base; /* <address base>: 0 = QEMU picks */
    unsigned alias;     /* <alias name='dimmN'>: QEMU's ids dimmN and memdimmN; the
                         * lowest free N when absent, kept while the DIMM is */
    long line;
} vr_memdev_def;

/* <iommu model='intel'>: QEMU's intel-iommu (q35). */
typedef struct {
    bool present;
    vr_tristate intremap, caching_mode, eim, iotlb; /* <driver ...='on|off'> */
    long line;
} vr_iommu_def;
typedef enum { VR_IOAPIC_DEFAULT, VR_IOAPIC_QEMU, VR_IOAPIC_KVM } vr_ioapic_driver;

/* <vsock model='virtio'>: the guest's AF_VSOCK through vhost_vsock. */
typedef struct {
    bool present;
    bool auto_cid;   /* <cid auto='yes'>: the driver picks one at start */
    unsigned cid;    /* <cid address>; 0 = none given */
    vr_address addr;
    long line;
} vr_vsock_def;

/* <shmem name><model type='ivshmem-plain'/>: /dev/shm/NAME as a PCI device. */
typedef struct {
    char *name;
    unsigned long long size; /* bytes, a power of two; 4 MiB when not given */
    vr_address addr;
    long line;
} vr_shmem_def;

typedef enum { VR_FS_VIRTIOFS, VR_FS_9P } vr_fs_driver;
typedef enum { VR_FS_ACCESS_PASSTHROUGH, VR_FS_ACCESS_MAPPED, VR_FS_ACCESS_SQUASH } vr_fs_access;

/* <filesystem type='mount'>: a host directory the guest mounts by its
 * tag, through virtiofsd (virtio-fs) or QEMU's own 9p server. */
typedef struct {
    vr_fs_driver driver;  /* <driver type='virtiofs|path'> (path: 9p) */
    vr_fs_access access;  /* accessmode; virtiofs is passthrough only */
    char *source_dir;     /* <source dir> */
    char *tag;            /* <target dir>: the mount tag */
    bool readonly;        /* <readonly/> */
    unsigned queue;       /* virtiofs <driver queue>; 0: not given */
    vr_address addr;
    long line;
} vr_fs_def;
