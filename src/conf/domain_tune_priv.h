/* Step functions of domain_tune.c, domain_memdev.c and domain_fs.c for
 * the parser, the formatter and the other steps. Internal to src/conf. */
#pragma once
#include "conf/cpulist.h"
#include "conf/domain_parse.h"

/* Step 1: elements of <domain> (the table in domain_parse.c) ... */
int vr_parse_memory_backing(vr_parse_state *st, const xmlNode *n);
int vr_parse_cputune(vr_parse_state *st, const xmlNode *n);
int vr_parse_iothreads(vr_parse_state *st, const xmlNode *n);
int vr_parse_iothreadids(vr_parse_state *st, const xmlNode *n);
/* domain_hugepages.c: <memoryBacking><hugepages><page size unit nodeset/> */
int vr_parse_hugepages(vr_parse_state *st, const xmlNode *n, vr_memory_backing *mb);
void vr_format_hugepages(xmlNode *backing, const vr_memory_backing *mb);
int vr_domain_hugepages_complete(const vr_domain_def *def, char **err);
/* domain_smartcard.c */
int vr_parse_smartcard(vr_parse_state *st, const xmlNode *n);
void vr_format_smartcard(xmlNode *devs, const vr_domain_def *def);
void vr_smartcard_free(vr_smartcard_def *sc);
/* domain_numatune.c */
int vr_parse_numatune(vr_parse_state *st, const xmlNode *n);
int vr_domain_numatune_complete(const vr_domain_def *def, char **err);
void vr_format_numatune(xmlNode *root, const vr_domain_def *def);
void vr_domain_numatune_free(vr_domain_def *def);
/* ... <cpu><numa> ... */
int vr_parse_numa(vr_parse_state *st, const xmlNode *n);
/* ... and devices: <memory model='dimm'>, <filesystem>, a virtio-scsi
 * controller's <driver queues iothread>. */
int vr_parse_memdev(vr_parse_state *st, const xmlNode *n);
int vr_parse_filesystem(vr_parse_state *st, const xmlNode *n);
int vr_parse_controller_driver(vr_parse_state *st, const xmlNode *n, vr_controller_def *c);
/* domain_iommu.c: <iommu> and <features><ioapic>. */
int vr_parse_iommu(vr_parse_state *st, const xmlNode *n);
int vr_parse_ioapic(vr_parse_state *st, const xmlNode *n);
/* domain_hostdev.c: <hostdev> (USB and PCI). */
int vr_parse_hostdev(vr_parse_state *st, const xmlNode *n);
void vr_format_pci_hostdevs(xmlNode *devs, const vr_domain_def *def);
void vr_format_usb_hostdevs(xmlNode *devs, const vr_domain_def *def);
/* domain_shmem.c */
int vr_parse_shmem(vr_parse_state *st, const xmlNode *n);
void vr_format_shmems(xmlNode *devs, const vr_domain_def *def);
/* domain_rng_egd.c: <rng><backend model='egd'> */
int vr_parse_rng_egd(vr_parse_state *st, const xmlNode *n, vr_rng_egd *egd);
void vr_format_rng_egd(xmlNode *rng, const vr_rng_egd *egd);
void vr_rng_egd_free(vr_rng_egd *egd);
/* domain_bandwidth.c: an <interface>'s <bandwidth> */
int vr_parse_bandwidth(vr_parse_state *st, const xmlNode *n, vr_interface_def *in);
void vr_format_bandwidth(xmlNode *iface, const vr_bandwidth_def *bw);
/* domain_iotune.c: a <disk>'s <iotune> */
int vr_parse_iotune(vr_parse_state *st, const xmlNode *n, vr_iotune *t);
void vr_format_iotune(xmlNode *disk, const vr_iotune *t);
/* domain_vsock.c */
int vr_parse_vsock(vr_parse_state *st, const xmlNode *n);
void vr_format_vsock(xmlNode *devs, const vr_domain_def *def);
int vr_domain_iommu_complete(const vr_domain_def *def, char **err);
void vr_format_iommu(xmlNode *devs, const vr_domain_def *def);
void vr_format_ioapic(xmlNode *features, const vr_domain_def *def);

/* The size a <memory model='dimm'> element gives, KiB, as the parser
 * reads it; 0 when it gives none (the parse of the whole says why). */
unsigned long long vr_memdev_element_kib(const xmlNode *n);
/* The DIMM of `def` the element names (detach-device), as
 * vr_domain_def_find_device says; -1 with *err. */
int vr_memdev_find_element(const vr_domain_def *def, const xmlNode *n, size_t *index, char **err);
/* N of a DIMM's alias dimmN; -1 when it is not one. */
int vr_memdev_alias_number(const char *name, unsigned *n);

/* Step 2: NUMA memory, DIMM slots, the checks across elements. */
int vr_domain_tune_complete(vr_domain_def *def, char **err);
int vr_domain_memdevs_complete(vr_domain_def *def, char **err);
int vr_domain_fs_complete(vr_domain_def *def, char **err);

/* Format, each into its parent at libvirt's place. */
void vr_format_numa(xmlNode *cpu, const vr_domain_def *def);
void vr_format_memory_backing(xmlNode *root, const vr_domain_def *def);
void vr_format_cputune(xmlNode *root, const vr_domain_def *def); /* and <iothreads> */
void vr_format_memdevs(xmlNode *devs, const vr_domain_def *def);
void vr_format_filesystems(xmlNode *devs, const vr_domain_def *def);
void vr_format_controller_driver(xmlNode *ctrl, const vr_controller_def *c);
/* The address writer of domain_format.c, for the devices above. */
void vr_format_address(xmlNode *parent, const vr_address *a);

void vr_domain_tune_free(vr_domain_def *def);
