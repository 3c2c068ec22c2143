/* The host's SMBIOS facts as libvirt's <sysinfo type='smbios'> XML
 * (virsh sysinfo, GET /v1/host/sysinfo, virConnectGetSysinfo). */
#pragma once

struct _xmlDoc;

#define VR_HOST_DMI_DIR "/sys/class/dmi/id"
#define VR_HOST_CPUINFO "/proc/cpuinfo"

/* bios, system, baseBoard and chassis from the kernel's DMI files in
 * dmi_dir (an entry only for a file that is there and not empty; the
 * serials and uuid are root's to read); one processor per physical
 * package of cpuinfo with its version (model name) and signature, as
 * dmidecode words them. Never NULL: a host without SMBIOS tables (some
 * clouds, containers) answers its processors alone. */
char *vr_host_sysinfo_xml(const char *dmi_dir, const char *cpuinfo);

/* A document the core built (host capabilities, sysinfo, a node
 * device) as text: its root element indented, ending in a newline. The
 * document is freed. */
char *vr_host_xml_text(struct _xmlDoc *doc);
