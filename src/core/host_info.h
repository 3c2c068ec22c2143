/* Facts about this host as clients see them: the HTTP API's GET /host,
 * and the libvirt protocol's node info and capabilities XML. */
#pragma once
#include "drivers/qemu/qemu_driver.h"

#include <stdbool.h>

typedef struct {
    char hostname[256];
    char arch[65];   /* uname's machine: x86_64 */
    char kernel[65];
    int cpus;        /* online */
    unsigned mhz;    /* of the first processor, 0 when unknown */
    unsigned long long memory_kib;
    bool kvm;        /* domains of type kvm run at hardware speed */
} vr_host_info;

void vr_host_info_get(vr_qemu_driver *qemu, vr_host_info *out);
/* The host's CPUs as virNodeGetCPUMap (virsh nodecpumap) reports them:
 * how many are present (the highest present number + 1), and which are
 * online (/sys/devices/system/cpu/present and online): online[i] = 1,
 * cleared first, for i below max; *n_online counts them. 0 when sysfs
 * says nothing. */
unsigned vr_host_cpu_map(unsigned char *online, unsigned max, unsigned *n_online);
/* Free memory in bytes (MemFree), as virNodeGetFreeMemory reports it. */
unsigned long long vr_host_free_memory(void);
/* The host's memory as virNodeGetMemoryStats reports it, in KiB, from
 * /proc/meminfo: MemTotal, MemFree, Buffers and Cached. false when it
 * cannot be read. */
typedef struct {
    unsigned long long total, free, buffers, cached;
} vr_host_memory;
bool vr_host_memory_stats(vr_host_memory *out);
/* A CPU's times as virNodeGetCPUStats reports them, in nanoseconds, from
 * /proc/stat (cpu = -1: the line of all CPUs): kernel (system, irq and
 * softirq), user (with nice), idle and iowait, libvirt's sums. false when
 * the host has no such CPU (or /proc/stat cannot be read). */
typedef struct {
    unsigned long long kernel, user, idle, iowait;
} vr_host_cpu_times;
bool vr_host_cpu_stats(int cpu, vr_host_cpu_times *out);
/* The capabilities document (libvirt's <capabilities>): the host's
 * architecture and the guests it runs: hvm on x86_64 with QEMU's binary
 * and machine types (asked from QEMU once), domain type qemu always and
 * kvm where usable. NULL with *err when QEMU is not installed. */
char *vr_host_capabilities_xml(vr_qemu_driver *qemu, char **err);
/* QEMU's machine types ("pc-i440fx-7.2"; an alias such as "pc" names
 * its canonical type), from `BINARY -machine help`, asked once per
 * daemon: QEMU does not change under it. The array is the cache's. */
typedef struct {
    char *name, *canonical;
    bool is_default; /* QEMU's own default ("(default)" in its list) */
} vr_host_machine;
vr_host_machine *vr_host_machines(const char *binary, size_t *n);
#define VR_HOST_QEMU "qemu-system-x86_64"
/* The most vCPUs a domain may have on QEMU's pc and q35 machines. */
#define VR_HOST_MAX_VCPUS 255
