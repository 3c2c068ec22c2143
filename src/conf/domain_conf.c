/* The domain definition's life cycle: parse (the four steps in order),
 * copy, free, and the value tables shared by parser and formatter. */
#include "conf/domain_conf.h"
#include "conf/domain_priv.h"
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

const char *const vr_virt_type_names[] = {"qemu", "kvm", NULL};
const char *const vr_boot_dev_names[] = {"hd", "cdrom", "network", NULL};
const char *const vr_loader_type_names[] = {"", "pflash", "rom", NULL};
const char *const vr_cpu_mode_names[] = {"", "host-passthrough", "host-model", "maximum",
                                          "custom", NULL};
const char *const vr_cpu_check_names[] = {"", "none", "partial", "full", NULL};
const char *const vr_cpu_match_names[] = {"", "minimum", "exact", "strict", NULL};
const char *const vr_feature_policy_names[] = {"force", "require", "optional", "disable",
                                               "forbid", NULL};
const char *const vr_watchdog_model_names[] = {"i6300esb", "ib700", "itco", NULL};
const char *const vr_watchdog_action_names[] = {"reset", "shutdown", "poweroff", "pause",
                                                "none", "inject-nmi", NULL};
const char *const vr_panic_model_names[] = {"isa", "pci", NULL};
const char *const vr_smbios_mode_names[] = {"", "emulate", "sysinfo", NULL};
const char *const vr_clock_offset_names[] = {"utc", "localtime", NULL};
const char *const vr_tickpolicy_names[] = {"", "delay", "catchup", "discard", NULL};
const char *const vr_lifecycle_names[] = {"destroy", "restart", "preserve", "rename-restart", NULL};
const char *const vr_disk_type_names[] = {"file", "block", "volume", "network", NULL};
const char *const vr_disk_protocol_names[] = {"rbd", "iscsi", "http", "https", NULL};
const char *const vr_disk_device_names[] = {"disk", "cdrom", NULL};
const char *const vr_disk_format_names[] = {"raw", "qcow2", NULL};
const char *const vr_disk_cache_names[] = {"", "none", "writethrough", "writeback",
                                           "directsync", "unsafe", NULL};
const char *const vr_disk_io_names[] = {"", "native", "threads", "io_uring", NULL};
const char *const vr_disk_discard_names[] = {"", "unmap", "ignore", NULL};
const char *const vr_disk_error_policy_names[] = {"", "stop", "report", "ignore", "enospace", NULL};
const char *const vr_disk_bus_names[] = {"virtio", "sata", "ide", "scsi", NULL};
const char *const vr_net_type_names[] = {"user", "network", "bridge", "direct", NULL};
const char *const vr_net_model_names[] = {"virtio", "e1000", "rtl8139", "e1000e", NULL};
const char *const vr_console_target_names[] = {"serial", "virtio", NULL};
const char *const vr_video_model_names[] = {"virtio", "vga",   "cirrus", "qxl",
                                            "none",   "bochs", "ramfb",  NULL};
const char *const vr_graphics_type_names[] = {"vnc", "spice", NULL};
const char *const vr_listen_type_names[] = {"address", "none", "socket", NULL};
const char *const vr_sound_model_names[] = {"ich6", "ich9", "ac97", NULL};
const char *const vr_codec_type_names[] = {"duplex", "micro", "output", NULL};
const char *const vr_audio_type_names[] = {"none", "spice", NULL};
const char *const vr_channel_type_names[] = {"unix", "spicevmc", NULL};
const char *const vr_input_type_names[] = {"tablet", "mouse", "keyboard", NULL};
const char *const vr_input_bus_names[] = {"usb", "ps2", "virtio", NULL};
const char *const vr_memballoon_model_names[] = {"virtio", "none", NULL};
const char *const vr_controller_type_names[] = {"usb", "pci", "sata", "ide", "scsi",
                                                "virtio-serial", NULL};
const char *const vr_addr_type_names[] = {"", "pci", "drive", "virtio-serial", "usb", "isa", NULL};

const char *vr_virt_type_name(vr_virt_type t) { return vr_virt_type_names[t]; }
const char *vr_lifecycle_name(vr_lifecycle_action a) { return vr_lifecycle_names[a]; }
const char *vr_disk_bus_name(vr_disk_bus b) { return vr_disk_bus_names[b]; }
const char *vr_net_type_name(vr_net_type t) { return vr_net_type_names[t]; }
const char *vr_net_model_name(vr_net_model m) { return vr_net_model_names[m]; }

const char *vr_interface_source(const vr_interface_def *ifc)
{
    switch (ifc->type) {
    case VR_NET_NETWORK: return ifc->source_network;
    case VR_NET_BRIDGE: return ifc->source_bridge;
    case VR_NET_DIRECT: return ifc->source_dev;
    case VR_NET_USER: break;
    }
    return NULL;
}

bool vr_domain_def_is_q35(const vr_domain_def *def)
{
    const char *m = def->os.machine;
    return m && (strcmp(m, "q35") == 0 || vr_str_starts(m, "pc-q35-"));
}

const vr_controller_def *vr_domain_def_controller(const vr_domain_def *def,
                                                  vr_controller_type type, unsigned index)
{
    for (size_t i = 0; i < def->n_controllers; i++)
        if (def->controllers[i].type == type && def->controllers[i].index == index)
            return &def->controllers[i];
    return NULL;
}

int vr_domain_def_graphics_index(const vr_domain_def *def, vr_graphics_type type)
{
    for (size_t i = 0; i < def->n_graphics; i++)
        if (def->graphics[i].type == type)
            return (int)i;
    return -1;
}

int vr_domain_def_graphics_first(const vr_domain_def *def)
{
    int i = vr_domain_def_graphics_index(def, VR_GRAPHICS_VNC);
    return i >= 0 ? i : vr_domain_def_graphics_index(def, VR_GRAPHICS_SPICE);
}

bool vr_controller_needs_pci(const vr_controller_def *c)
{
    switch (c->type) {
    case VR_CONTROLLER_USB:
        return !c->model || strcmp(c->model, "none") != 0;
    case VR_CONTROLLER_PCI:
        return c->index > 0;
    case VR_CONTROLLER_SATA: /* q35's sata0 is built in at 00:1f.2: still an address */
    case VR_CONTROLLER_IDE:  /* PIIX3's IDE function, 00:01.1 */
    case VR_CONTROLLER_SCSI:
    case VR_CONTROLLER_VIRTIO_SERIAL:
        return true;
    }
    return false;
}

/* libvirt's virDiskNameToIndex: the letters after the prefix count in
 * base 26 with a = 0, like spreadsheet columns (z = 25, aa = 26). */
int vr_disk_name_to_index(const char *name)
{
    static const char *const prefixes[] = {"vd", "sd", "hd", NULL};
    const char *p = NULL;
    for (int i = 0; prefixes[i]; i++)
        if (vr_str_starts(name, prefixes[i]))
            p = name + 2;
    if (!p || !*p)
        return -1;
    long idx = 0;
    for (; *p; p++) {
        if (*p < 'a' || *p > 'z')
            return -1;
        idx = idx * 26 + (*p - 'a' + 1);
        if (idx > 100000)
            return -1;
    }
    return (int)idx - 1;
}

const char *vr_domain_def_intern(vr_domain_def *def, const char *s)
{
    for (size_t i = 0; i < def->n_aliases; i++)
        if (strcmp(def->aliases[i], s) == 0)
            return def->aliases[i];
    def->aliases = vr_realloc(def->aliases, (def->n_aliases + 1) * sizeof(*def->aliases));
    return def->aliases[def->n_aliases++] = vr_strdup(s);
}

void vr_domain_def_free(vr_domain_def *def)
{
    if (!def)
        return;
    for (size_t i = 0; i < def->n_aliases; i++)
        free(def->aliases[i]);
    free(def->aliases);
    free(def->name);
    free(def->title);
    free(def->description);
    free(def->metadata);
    free(def->os.arch);
    free(def->os.machine);
    free(def->os.kernel);
    free(def->os.initrd);
    free(def->os.cmdline);
    free(def->os.loader.path);
    free(def->os.nvram);
    free(def->os.nvram_template);
    free(def->os.firmware);
    free(def->features.hyperv.vendor_id);
    if (def->tpm)
        free(def->tpm->device);
    free(def->tpm);
    free(def->cpuset);
    free(def->cpu.model);
    for (size_t i = 0; i < def->cpu.n_features; i++)
        free(def->cpu.features[i].name);
    free(def->cpu.features);
    for (size_t i = 0; i < def->n_kept; i++) {
        free(def->kept[i].xml);
        free(def->kept[i].name);
        free(def->kept[i].reason);
    }
    free(def->kept);
    for (size_t i = 0; i < def->n_smbios; i++) {
        free(def->smbios[i].table);
        free(def->smbios[i].name);
        free(def->smbios[i].value);
    }
    free(def->smbios);
    for (size_t i = 0; i < def->n_watchdogs; i++)
        free(def->watchdogs[i].action);
    free(def->watchdogs);
    free(def->panics);
    free(def->emulator);
    for (size_t i = 0; i < def->n_disks; i++) {
        vr_disk_def *d = &def->disks[i];
        free(d->source_path);
        free(d->source_pool);
        free(d->source_volume);
        free(d->resolved_path);
        free(d->source_name);
        free(d->initiator_iqn);
        for (size_t k = 0; k < d->n_hosts; k++)
            free(d->hosts[k].name);
        free(d->hosts);
        free(d->source_snapshot);
        free(d->source_config);
        free(d->auth_username);
        free(d->secret_uuid);
        free(d->secret_usage);
        free(d->target_dev);
        free(d->serial);
        free(d->iotune.group_name);
    }
    free(def->disks);
    for (size_t i = 0; i < def->n_controllers; i++)
        free(def->controllers[i].model);
    free(def->controllers);
    for (size_t i = 0; i < def->n_interfaces; i++) {
        free(def->interfaces[i].source_network);
        free(def->interfaces[i].source_bridge);
        free(def->interfaces[i].source_dev);
        free(def->interfaces[i].target_dev);
    }
    free(def->interfaces);
    free(def->serials);
    free(def->consoles);
    for (size_t i = 0; i < def->n_channels; i++)
        free(def->channels[i].target_name);
    free(def->channels);
    free(def->inputs);
    for (size_t i = 0; i < def->n_graphics; i++) {
        vr_graphics_def *g = &def->graphics[i];
        free(g->listen);
        free(g->socket);
        free(g->passwd);
        free(g->image_compression);
        free(g->jpeg_compression);
        free(g->zlib_compression);
        free(g->playback_compression);
        free(g->streaming_mode);
        free(g->mouse_mode);
    }
    free(def->graphics);
    free(def->audios);
    free(def->sounds);
    free(def->redirdevs);
    free(def->usb_hostdevs);
    for (size_t i = 0; i < def->n_pci_hostdevs; i++)
        free(def->pci_hostdevs[i].romfile);
    free(def->pci_hostdevs);
    free(def->videos);
    vr_smartcard_free(def->smartcard);
    for (size_t i = 0; i < def->n_rngs; i++) {
        free(def->rngs[i].backend);
        vr_rng_egd_free(&def->rngs[i].egd);
    }
    free(def->rngs);
    vr_domain_tune_free(def);
    free(def);
}

static vr_domain_def *parse(const char *xml, size_t len, bool new_def, char **err)
{
    xmlDoc *doc = vr_xml_read(xml, len, "domain", err);
    if (!doc)
        return NULL;
    vr_domain_def *def = vr_domain_def_from_tree(xmlDocGetRootElement(doc), new_def, err);
    xmlFreeDoc(doc);
    return def;
}

vr_domain_def *vr_domain_def_parse(const char *xml, size_t len, char **err)
{
    return parse(xml, len, false, err);
}

vr_domain_def *vr_domain_def_parse_new(const char *xml, size_t len, char **err)
{
    return parse(xml, len, true, err);
}

vr_domain_def *vr_domain_def_from_tree(const xmlNode *root, bool new_def, char **err)
{
    vr_domain_def *def = vr_calloc(1, sizeof(*def));
    int rc = vr_domain_parse_tree(root, def, err);
    if (rc == 0)
        rc = vr_domain_assign_defaults(def, err);
    if (rc == 0)
        rc = vr_domain_tune_complete(def, err);
    if (rc == 0)
        rc = vr_domain_validate(def, err);
    if (rc == 0)
        rc = vr_domain_assign_pci(def, new_def, err);
    if (rc < 0) {
        vr_domain_def_free(def);
        return NULL;
    }
    return def;
}

/* Format and parse again: the formatter and parser are tested to be
 * exact inverses, and this way a copy can never miss a new field. Only
 * resolved_path lives outside the XML. */
vr_domain_def *vr_domain_def_copy(const vr_domain_def *def)
{
    char *xml = vr_domain_def_format(def);
    char *err = NULL;
    vr_domain_def *copy = vr_domain_def_parse(xml, strlen(xml), &err);
    free(xml);
    free(err);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < def->n_disks && i < copy->n_disks; i++)
        if (def->disks[i].resolved_path)
            copy->disks[i].resolved_path = vr_strdup(def->disks[i].resolved_path);
    return copy;
}
