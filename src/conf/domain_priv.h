/* Internals shared by the steps of domain parsing: the name tables of
 * the XML values and the steps themselves. Not for drivers. */
#pragma once
#include <libxml/tree.h>

#include "conf/domain_conf.h"
#include "conf/xml_util.h"

/* NULL-terminated and indexed by the enum of the same name, so one table
 * serves parsing (value -> enum) and formatting (enum -> value). */
extern const char *const vr_virt_type_names[];
extern const char *const vr_boot_dev_names[];
extern const char *const vr_loader_type_names[]; /* index 0 unused */
extern const char *const vr_cpu_mode_names[];     /* index 0 unused */
extern const char *const vr_cpu_check_names[];    /* index 0 unused */
extern const char *const vr_cpu_match_names[];    /* index 0 unused */
extern const char *const vr_feature_policy_names[];
extern const char *const vr_watchdog_model_names[];
extern const char *const vr_watchdog_action_names[];
extern const char *const vr_panic_model_names[];
extern const char *const vr_smbios_mode_names[];  /* index 0 unused */
extern const char *const vr_clock_offset_names[];
extern const char *const vr_tickpolicy_names[];   /* index 0 unused */
extern const char *const vr_lifecycle_names[];
extern const char *const vr_disk_type_names[];
extern const char *const vr_disk_device_names[];
extern const char *const vr_disk_format_names[];
extern const char *const vr_disk_cache_names[];   /* index 0 unused */
extern const char *const vr_disk_io_names[];      /* index 0 unused */
extern const char *const vr_disk_discard_names[]; /* index 0 unused */
extern const char *const vr_disk_error_policy_names[]; /* index 0 unused */
extern const char *const vr_disk_bus_names[];
extern const char *const vr_net_type_names[];
extern const char *const vr_net_model_names[];
extern const char *const vr_console_target_names[];
extern const char *const vr_video_model_names[];
extern const char *const vr_graphics_type_names[];
extern const char *const vr_listen_type_names[];
extern const char *const vr_sound_model_names[];
extern const char *const vr_codec_type_names[];
extern const char *const vr_audio_type_names[];
extern const char *const vr_channel_type_names[];
extern const char *const vr_input_type_names[];
extern const char *const vr_input_bus_names[];
extern const char *const vr_memballoon_model_names[];
extern const char *const vr_controller_type_names[];
extern const char *const vr_addr_type_names[];    /* index 0 unused */

/* Formatting of the Windows guests' elements (their parsers' files). */
void vr_format_hyperv(xmlNode *features, const vr_hyperv_def *hv);
void vr_format_tpm(xmlNode *devs, const vr_tpm_def *t);
/* libvirt's automatic aliases on the devices of a formatted <devices>
 * that have no <alias> (domain_alias.c). */
void vr_domain_live_aliases(xmlNode *devices, const vr_domain_def *def, const int *nics);
void vr_format_os_firmware(xmlNode *os_node, const vr_os_def *os);

/* A controller index or serial port not given in the XML; replaced by
 * the defaults step, never seen outside parsing. */
#define VR_UNSET ((unsigned)-1)

#define VR_GUEST_AGENT_NAME "org.qemu.guest_agent.0"
#define VR_SPICE_AGENT_NAME "com.redhat.spice.0"
#define VR_MAX_VCPUS 255

/* Step 1 (domain_parse.c): the XML tree into `def`, each element and
 * attribute checked on its own. */
int vr_domain_parse_tree(const xmlNode *root, vr_domain_def *def, char **err);

/* Steps 1 to 4 on a tree already read: what vr_domain_def_parse does
 * after libxml2 (domain_device.c edits trees in between). */
vr_domain_def *vr_domain_def_from_tree(const xmlNode *root, bool new_def, char **err);
/* The definition as a libxml2 tree to edit (its XML, secrets included,
 * read back); NULL with *err. */
xmlDoc *vr_domain_def_tree(const vr_domain_def *def, char **err);

/* Step 2 (domain_defaults.c): fill in what libvirt fills in at define
 * time, except PCI addresses. */
int vr_domain_assign_defaults(vr_domain_def *def, char **err);

/* Step 3 (domain_validate.c): checks across elements (duplicates,
 * references, combinations the machine cannot do). */
int vr_domain_validate(const vr_domain_def *def, char **err);

/* Step 4 (domain_pci.c): check given PCI addresses, assign the missing
 * ones; with add_root_ports (a new definition on q35) first add the
 * pcie-root-ports its PCIe devices and hot-plug need. */
int vr_domain_assign_pci(vr_domain_def *def, bool add_root_ports, char **err);

/* "line N: message" when line > 0, else just the message. Returns -1. */
#define vr_dom_error vr_xml_line_error

/* Append a zeroed element to a (pointer, count) array; returns it. */
#define VR_PUSH(arr, n) \
    ((arr) = vr_realloc((arr), ((n) + 1) * sizeof(*(arr))), \
     memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

/* Is this controller one the PCI bus needs a slot for? */
bool vr_controller_needs_pci(const vr_controller_def *c);
