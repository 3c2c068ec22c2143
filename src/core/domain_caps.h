/* Domain capabilities (libvirt's <domainCapabilities>): what a new
 * domain may ask for on this host, as virt-install and virt-manager read
 * it to choose the firmware, CPU mode, devices and machine. Each enum is
 * what this host's QEMU really offers (asked once: `-machine help`,
 * `-cpu help`, `-device help`) intersected with what Vireo honours
 * (docs/xml-domain.md), so a client never picks something the start
 * would refuse. Served by the libvirt protocol
 * (virConnectGetDomainCapabilities), GET /v1/host/domain-capabilities
 * and `vireo domcapabilities`. */
#pragma once
#include "common/errors.h"
#include "drivers/qemu/qemu_driver.h"

/* Each argument may be NULL (or empty) for the default: the QEMU on
 * PATH, x86_64, QEMU's default machine, kvm when usable else qemu. A
 * value this host cannot serve (another emulator or arch, an unknown
 * machine, kvm without usable KVM) answers VR_ERR_INVALID or
 * VR_ERR_UNSUPPORTED with *err naming it and what to use instead. */
vr_err vr_domain_caps_xml(vr_qemu_driver *qemu, const char *emulator, const char *arch, const char *machine,
                          const char *virttype, char **xml, char **err);

/* QEMU's named x86 CPU models (`-cpu help`, asked once; not host, max
 * or base), as the document's custom mode lists them and
 * virConnectGetCPUModelNames (virsh cpu-models) answers them; binary
 * NULL: the QEMU on PATH. The array and its strings are the caller's. */
char **vr_domain_caps_cpu_models(const char *binary, size_t *n);
