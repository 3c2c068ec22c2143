/* A vr_domain_def as libvirt-style XML: the elements in libvirt's order,
 * memory in KiB, every generated value written out, so that parsing
 * the result gives the same definition back. Built with libxml2's tree
 * API, which does all the escaping. */
#include "conf/domain_priv.h"
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define child vr_xml_new_child
#define text_child vr_xml_new_text_child
#define prop vr_xml_new_prop
#define propf vr_xml_new_propf

/* A device's user alias (kept in the definition, as libvirt keeps ua-
 * aliases) and its address. */
static void format_address(xmlNode *parent, const vr_address *a)
{
    if (a->alias)
        prop(child(parent, "alias"), "name", a->alias);
    if (a->type == VR_ADDR_NONE)
        return;
    xmlNode *n = child(parent, "address");
    prop(n, "type", vr_addr_type_names[a->type]);
    switch (a->type) {
    case VR_ADDR_PCI:
        propf(n, "domain", "0x%04x", a->domain);
        propf(n, "bus", "0x%02x", a->bus);
        propf(n, "slot", "0x%02x", a->slot);
        propf(n, "function", "0x%x", a->function);
        if (a->multifunction)
            prop(n, "multifunction", "on");
        break;
    case VR_ADDR_DRIVE:
        propf(n, "controller", "%u", a->controller);
        propf(n, "bus", "%u", a->bus);
        propf(n, "target", "%u", a->target);
        propf(n, "unit", "%u", a->unit);
        break;
    case VR_ADDR_VIRTIO_SERIAL:
        propf(n, "controller", "%u", a->controller);
        propf(n, "bus", "%u", a->bus);
        propf(n, "port", "%u", a->port);
        break;
    case VR_ADDR_USB:
        propf(n, "bus", "%u", a->bus);
        propf(n, "port", "%u", a->port);
        break;
    case VR_ADDR_ISA:
        if (a->iobase)
            propf(n, "iobase", "0x%x", a->iobase);
        if (a->irq)
            propf(n, "irq", "0x%x", a->irq);
        break;
    case VR_ADDR_NONE:
        break;
    }
}

static void format_boot(xmlNode *parent, unsigned order)
{
    if (order)
        propf(child(parent, "boot"), "order", "%u", order);
}

static const char *onoff(vr_tristate t)
{
    return t == VR_TRISTATE_ON ? "on" : "off";
}

static const char *yesno(vr_tristate t)
{
    return t == VR_TRISTATE_ON ? "yes" : "no";
}

/* ---- everything outside <devices> ----------------------------------------- */

static void format_metadata(xmlNode *root, const char *metadata)
{
    if (!metadata)
        return;
    char *err = NULL;
    xmlDoc *doc = vr_xml_read(metadata, strlen(metadata), "metadata", &err);
    free(err);
    if (!doc)
        return; /* only a caller that wrote garbage into def->metadata */
    xmlNode *copy = xmlDocCopyNode(xmlDocGetRootElement(doc), root->doc, 1);
    xmlAddChild(root, copy);
    xmlFreeDoc(doc);
}

/* An element kept whole (vr_kept_def) under `parent`, when it belongs
 * there. No element is kept today (<hyperv> and <tpm> run now); the
 * mechanism stays for the next element read before it can run. */
static void format_kept(xmlNode *parent, const vr_domain_def *def, const char *const *names)
{
    for (size_t i = 0; i < def->n_kept; i++) {
        bool here = false;
        for (const char *const *p = names; *p; p++)
            here |= strcmp(def->kept[i].name, *p) == 0;
        if (!here)
            continue;
        char *err = NULL;
        const char *xml = def->kept[i].xml;
        xmlDoc *doc = vr_xml_read(xml, strlen(xml), def->kept[i].name, &err);
        free(err);
        if (!doc)
            continue; /* only a caller that wrote garbage into def->kept */
        xmlAddChild(parent, xmlDocCopyNode(xmlDocGetRootElement(doc), parent->doc, 1));
        xmlFreeDoc(doc);
    }
}

static void format_sysinfo(xmlNode *root, const vr_domain_def *def)
{
    if (!def->n_smbios)
        return;
    xmlNode *n = child(root, "sysinfo"), *table = NULL;
    prop(n, "type", "smbios");
    for (size_t i = 0; i < def->n_smbios; i++) {
        const vr_smbios_entry *e = &def->smbios[i];
        if (!table || strcmp((const char *)table->name, e->table) != 0)
            table = child(n, e->table);
        prop(text_child(table, "entry", e->value), "name", e->name);
    }
}

static void format_os(xmlNode *root, const vr_os_def *os)
{
    xmlNode *n = child(root, "os");
    if (os->firmware)
        prop(n, "firmware", os->firmware);
    xmlNode *t = text_child(n, "type", "hvm");
    prop(t, "arch", os->arch);
    prop(t, "machine", os->machine);
    vr_format_os_firmware(n, os);
    if (os->loader.path) {
        xmlNode *l = text_child(n, "loader", os->loader.path);
        prop(l, "readonly", os->loader.readonly ? "yes" : "no");
        if (os->loader.secure)
            prop(l, "secure", yesno(os->loader.secure));
        prop(l, "type", vr_loader_type_names[os->loader.type]);
    }
    if (os->nvram) {
        xmlNode *v = text_child(n, "nvram", os->nvram);
        if (os->nvram_template)
            prop(v, "template", os->nvram_template);
    }
    if (os->kernel)
        text_child(n, "kernel", os->kernel);
    if (os->initrd)
        text_child(n, "initrd", os->initrd);
    if (os->cmdline)
        text_child(n, "cmdline", os->cmdline);
    for (size_t i = 0; i < os->n_boot_devs; i++)
        prop(child(n, "boot"), "dev", vr_boot_dev_names[os->boot_devs[i]]);
    if (os->bootmenu) {
        xmlNode *b = child(n, "bootmenu");
        prop(b, "enable", yesno(os->bootmenu));
        if (os->bootmenu_timeout)
            propf(b, "timeout", "%u", os->bootmenu_timeout);
    }
    if (os->smbios)
        prop(child(n, "smbios"), "mode", vr_smbios_mode_names[os->smbios]);
    if (os->bios_useserial)
        prop(child(n, "bios"), "useserial", "yes");
}

static void format_features(xmlNode *root, const vr_domain_def *def)
{
    if (!def->features.acpi && !def->features.apic && !def->features.pae && !def->features.vmport &&
        !def->features.smm && !def->features.kvm_hidden && !def->features.hyperv.present && !def->ioapic)
        return;
    xmlNode *n = child(root, "features");
    if (def->features.acpi)
        child(n, "acpi");
    if (def->features.apic)
        child(n, "apic");
    if (def->features.pae)
        child(n, "pae");
    vr_format_hyperv(n, &def->features.hyperv);
    if (def->features.kvm_hidden)
        prop(child(child(n, "kvm"), "hidden"), "state", onoff(def->features.kvm_hidden));
    if (def->features.vmport)
        prop(child(n, "vmport"), "state", onoff(def->features.vmport));
    if (def->features.smm)
        prop(child(n, "smm"), "state", onoff(def->features.smm));
    vr_format_ioapic(n, def);
}

static void format_cpu(xmlNode *root, const vr_domain_def *def)
{
    const vr_cpu_def *cpu = &def->cpu;
    if (!cpu->mode && !cpu->check && !cpu->migratable && !cpu->sockets && !def->n_numa_cells)
        return;
    xmlNode *n = child(root, "cpu");
    if (cpu->mode)
        prop(n, "mode", vr_cpu_mode_names[cpu->mode]);
    if (cpu->match)
        prop(n, "match", vr_cpu_match_names[cpu->match]);
    if (cpu->check)
        prop(n, "check", vr_cpu_check_names[cpu->check]);
    if (cpu->migratable)
        prop(n, "migratable", onoff(cpu->migratable));
    /* libvirt's order: model, topology, features. */
    if (cpu->model)
        prop(text_child(n, "model", cpu->model), "fallback", cpu->fallback_forbid ? "forbid" : "allow");
    if (cpu->sockets) {
        xmlNode *t = child(n, "topology");
        propf(t, "sockets", "%u", cpu->sockets);
        propf(t, "dies", "%u", cpu->dies);
        propf(t, "cores", "%u", cpu->cores);
        propf(t, "threads", "%u", cpu->threads);
    }
    for (size_t i = 0; i < cpu->n_features; i++) {
        xmlNode *f = child(n, "feature");
        prop(f, "policy", vr_feature_policy_names[cpu->features[i].policy]);
        prop(f, "name", cpu->features[i].name);
    }
    vr_format_numa(n, def);
}

static void format_clock(xmlNode *root, const vr_clock_def *clock)
{
    xmlNode *n = child(root, "clock");
    prop(n, "offset", vr_clock_offset_names[clock->offset]);
    if (clock->rtc_tickpolicy) {
        xmlNode *t = child(n, "timer");
        prop(t, "name", "rtc");
        prop(t, "tickpolicy", vr_tickpolicy_names[clock->rtc_tickpolicy]);
    }
    if (clock->pit_tickpolicy) {
        xmlNode *t = child(n, "timer");
        prop(t, "name", "pit");
        prop(t, "tickpolicy", vr_tickpolicy_names[clock->pit_tickpolicy]);
    }
    if (clock->hpet) {
        xmlNode *t = child(n, "timer");
        prop(t, "name", "hpet");
        prop(t, "present", yesno(clock->hpet));
    }
    if (clock->hypervclock) {
        xmlNode *t = child(n, "timer");
        prop(t, "name", "hypervclock");
        prop(t, "present", yesno(clock->hypervclock));
    }
}

static void format_pm(xmlNode *root, const vr_domain_def *def)
{
    if (!def->pm.suspend_to_mem && !def->pm.suspend_to_disk)
        return;
    xmlNode *n = child(root, "pm");
    if (def->pm.suspend_to_mem)
        prop(child(n, "suspend-to-mem"), "enabled", yesno(def->pm.suspend_to_mem));
    if (def->pm.suspend_to_disk)
        prop(child(n, "suspend-to-disk"), "enabled", yesno(def->pm.suspend_to_disk));
}

/* ---- devices ---------------------------------------------------------------- */

static void format_disk_auth(xmlNode *parent, const vr_disk_def *d)
{
    xmlNode *a = child(parent, "auth");
    prop(a, "username", d->auth_username);
    xmlNode *sec = child(a, "secret");
    prop(sec, "type", d->protocol == VR_DISK_PROTOCOL_ISCSI ? "iscsi" : "ceph");
    if (d->secret_uuid)
        prop(sec, "uuid", d->secret_uuid);
    else
        prop(sec, "usage", d->secret_usage);
}

static void format_disk_network_source(xmlNode *n, const vr_disk_def *d)
{
    xmlNode *s = child(n, "source");
    prop(s, "protocol", vr_disk_protocol_names[d->protocol]);
    prop(s, "name", d->source_name);
    for (size_t i = 0; i < d->n_hosts; i++) {
        xmlNode *h = child(s, "host");
        prop(h, "name", d->hosts[i].name);
        if (d->hosts[i].port)
            propf(h, "port", "%u", d->hosts[i].port);
    }
    if (d->source_snapshot)
        prop(child(s, "snapshot"), "name", d->source_snapshot);
    if (d->source_config)
        prop(child(s, "config"), "file", d->source_config);
    if (d->initiator_iqn)
        prop(child(child(s, "initiator"), "iqn"), "name", d->initiator_iqn);
    if (d->auth_username && d->auth_in_source)
        format_disk_auth(s, d);
}

static void format_disk(xmlNode *devs, const vr_disk_def *d)
{
    xmlNode *n = child(devs, "disk");
    prop(n, "type", vr_disk_type_names[d->type]);
    prop(n, "device", vr_disk_device_names[d->device]);
    xmlNode *drv = child(n, "driver");
    prop(drv, "name", "qemu");
    prop(drv, "type", vr_disk_format_names[d->format]);
    if (d->cache)
        prop(drv, "cache", vr_disk_cache_names[d->cache]);
    if (d->io)
        prop(drv, "io", vr_disk_io_names[d->io]);
    if (d->discard)
        prop(drv, "discard", vr_disk_discard_names[d->discard]);
    if (d->error_policy)
        prop(drv, "error_policy", vr_disk_error_policy_names[d->error_policy]);
    if (d->rerror_policy)
        prop(drv, "rerror_policy", vr_disk_error_policy_names[d->rerror_policy]);
    if (d->iothread)
        propf(drv, "iothread", "%u", d->iothread);
    if (d->auth_username && !d->auth_in_source)
        format_disk_auth(n, d);
    if (d->type == VR_DISK_NETWORK) {
        format_disk_network_source(n, d);
    } else if (d->type == VR_DISK_VOLUME) {
        xmlNode *s = child(n, "source");
        prop(s, "pool", d->source_pool);
        prop(s, "volume", d->source_volume);
    } else if (d->source_path) {
        prop(child(n, "source"), d->type == VR_DISK_FILE ? "file" : "dev", d->source_path);
    }
    xmlNode *t = child(n, "target");
    prop(t, "dev", d->target_dev);
    prop(t, "bus", vr_disk_bus_names[d->bus]);
    vr_format_iotune(n, &d->iotune);
    if (d->readonly)
        child(n, "readonly");
    if (d->shareable)
        child(n, "shareable");
    if (d->serial)
        text_child(n, "serial", d->serial);
    format_boot(n, d->boot_order);
    format_address(n, &d->addr);
}

static void format_controller(xmlNode *devs, const vr_controller_def *c)
{
    xmlNode *n = child(devs, "controller");
    prop(n, "type", vr_controller_type_names[c->type]);
    propf(n, "index", "%u", c->index);
    if (c->model)
        prop(n, "model", c->model);
    if (c->ports)
        propf(n, "ports", "%u", c->ports);
    if (c->vectors)
        propf(n, "vectors", "%u", c->vectors);
    if (c->model && strcmp(c->model, "pcie-root-port") == 0) {
        prop(child(n, "model"), "name", c->model);
        xmlNode *t = child(n, "target");
        propf(t, "chassis", "%u", c->chassis);
        propf(t, "port", "0x%x", c->port);
    } else if (c->model && strcmp(c->model, "pci-bridge") == 0) {
        prop(child(n, "model"), "name", c->model);
        propf(child(n, "target"), "chassisNr", "%u", c->chassis);
    } else if (c->model && vr_str_starts(c->model, "ich9-uhci")) {
        propf(child(n, "master"), "startport", "%u", c->startport);
    }
    vr_format_controller_driver(n, c);
    format_address(n, &c->addr);
}

static void format_interface(xmlNode *devs, const vr_interface_def *in)
{
    xmlNode *n = child(devs, "interface");
    prop(n, "type", vr_net_type_names[in->type]);
    prop(child(n, "mac"), "address", in->mac);
    if (in->type == VR_NET_NETWORK)
        prop(child(n, "source"), "network", in->source_network);
    else if (in->type == VR_NET_BRIDGE)
        prop(child(n, "source"), "bridge", in->source_bridge);
    else if (in->type == VR_NET_DIRECT) {
        xmlNode *src = child(n, "source");
        prop(src, "dev", in->source_dev);
        prop(src, "mode", vr_macvtap_mode_names[in->source_mode]);
    }
    if (in->target_dev)
        prop(child(n, "target"), "dev", in->target_dev);
    prop(child(n, "model"), "type", vr_net_model_names[in->model]);
    vr_format_bandwidth(n, &in->bandwidth);
    if (in->link_down)
        prop(child(n, "link"), "state", "down");
    format_boot(n, in->boot_order);
    format_address(n, &in->addr);
}

static void format_chars(xmlNode *devs, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_serials; i++) {
        xmlNode *n = child(devs, "serial");
        prop(n, "type", "pty");
        xmlNode *t = child(n, "target");
        prop(t, "type", "isa-serial");
        propf(t, "port", "%u", def->serials[i].port);
        prop(child(t, "model"), "name", "isa-serial");
        format_address(n, &def->serials[i].addr);
    }
    for (size_t i = 0; i < def->n_consoles; i++) {
        const vr_console_def *c = &def->consoles[i];
        xmlNode *n = child(devs, "console");
        prop(n, "type", "pty");
        xmlNode *t = child(n, "target");
        prop(t, "type", vr_console_target_names[c->target]);
        propf(t, "port", "%u", c->port);
        format_address(n, &c->addr);
    }
    for (size_t i = 0; i < def->n_channels; i++) {
        const vr_channel_def *ch = &def->channels[i];
        xmlNode *n = child(devs, "channel");
        prop(n, "type", vr_channel_type_names[ch->type]);
        if (ch->type == VR_CHANNEL_UNIX)
            prop(child(n, "source"), "mode", "bind");
        xmlNode *t = child(n, "target");
        prop(t, "type", "virtio");
        prop(t, "name", ch->target_name);
        format_address(n, &ch->addr);
    }
}

static void format_graphics(xmlNode *devs, const vr_graphics_def *g, bool secure)
{
    xmlNode *n = child(devs, "graphics");
    prop(n, "type", vr_graphics_type_names[g->type]);
    if (g->listen_type == VR_LISTEN_ADDRESS) {
        /* A running autoport display shows the port it got (its live
         * copy carries it, as libvirt shows it); a stored one -1. */
        propf(n, "port", "%d", g->port > 0 ? g->port : -1);
        if (g->tls_port)
            propf(n, "tlsPort", "%d", g->tls_port);
        prop(n, "autoport", g->autoport ? "yes" : "no");
        prop(n, "listen", g->listen);
    }
    /* libvirt's place: after the listen address. */
    if (g->default_mode)
        prop(n, "defaultMode", g->default_mode == 1 ? "secure" : "insecure");
    if (g->passwd && secure)
        prop(n, "passwd", g->passwd);
    xmlNode *l = child(n, "listen");
    prop(l, "type", vr_listen_type_names[g->listen_type]);
    if (g->listen_type == VR_LISTEN_ADDRESS)
        prop(l, "address", g->listen);
    if (g->socket)
        prop(l, "socket", g->socket);
    const struct {
        const char *name, *attr, *value;
    } kids[] = {
        {"image", "compression", g->image_compression},
        {"jpeg", "compression", g->jpeg_compression},
        {"zlib", "compression", g->zlib_compression},
        {"playback", "compression", g->playback_compression},
        {"streaming", "mode", g->streaming_mode},
        {"mouse", "mode", g->mouse_mode},
    };
    for (size_t k = 0; k < VR_ARRAY_LEN(kids); k++)
        if (kids[k].value)
            prop(child(n, kids[k].name), kids[k].attr, kids[k].value);
}

static void format_display(xmlNode *devs, const vr_domain_def *def, bool secure)
{
    for (size_t i = 0; i < def->n_inputs; i++) {
        xmlNode *n = child(devs, "input");
        prop(n, "type", vr_input_type_names[def->inputs[i].type]);
        prop(n, "bus", vr_input_bus_names[def->inputs[i].bus]);
        format_address(n, &def->inputs[i].addr);
    }
    for (size_t i = 0; i < def->n_graphics; i++)
        format_graphics(devs, &def->graphics[i], secure);
    for (size_t i = 0; i < def->n_sounds; i++) {
        const vr_sound_def *s = &def->sounds[i];
        xmlNode *n = child(devs, "sound");
        prop(n, "model", vr_sound_model_names[s->model]);
        if (s->model != VR_SOUND_AC97)
            prop(child(n, "codec"), "type", vr_codec_type_names[s->codec]);
        if (s->audio_id)
            propf(child(n, "audio"), "id", "%u", s->audio_id);
        format_address(n, &s->addr);
    }
    for (size_t i = 0; i < def->n_audios; i++) {
        xmlNode *n = child(devs, "audio");
        propf(n, "id", "%u", def->audios[i].id);
        prop(n, "type", vr_audio_type_names[def->audios[i].type]);
    }
    for (size_t i = 0; i < def->n_videos; i++) {
        const vr_video_def *v = &def->videos[i];
        xmlNode *n = child(devs, "video");
        xmlNode *m = child(n, "model");
        prop(m, "type", vr_video_model_names[v->model]);
        if (v->ram)
            propf(m, "ram", "%u", v->ram);
        if (v->vram)
            propf(m, "vram", "%u", v->vram);
        if (v->vgamem)
            propf(m, "vgamem", "%u", v->vgamem);
        if (v->heads)
            propf(m, "heads", "%u", v->heads);
        if (v->primary)
            prop(m, "primary", "yes");
        format_address(n, &v->addr);
    }
}

static xmlNode *format_devices(xmlNode *root, const vr_domain_def *def, bool secure)
{
    xmlNode *devs = child(root, "devices");
    if (def->emulator)
        text_child(devs, "emulator", def->emulator);
    for (size_t i = 0; i < def->n_disks; i++)
        format_disk(devs, &def->disks[i]);
    for (size_t i = 0; i < def->n_controllers; i++)
        format_controller(devs, &def->controllers[i]);
    vr_format_filesystems(devs, def);
    for (size_t i = 0; i < def->n_interfaces; i++)
        format_interface(devs, &def->interfaces[i]);
    vr_format_smartcard(devs, def);
    format_chars(devs, def);
    format_display(devs, def, secure);
    for (size_t i = 0; i < def->n_redirdevs; i++) {
        xmlNode *n = child(devs, "redirdev");
        prop(n, "bus", "usb");
        prop(n, "type", "spicevmc");
        format_address(n, &def->redirdevs[i].addr);
    }
    for (size_t i = 0; i < def->n_watchdogs; i++) {
        xmlNode *n = child(devs, "watchdog");
        prop(n, "model", vr_watchdog_model_names[def->watchdogs[i].model]);
        prop(n, "action", def->watchdogs[i].action);
        format_address(n, &def->watchdogs[i].addr);
    }
    xmlNode *m = child(devs, "memballoon");
    prop(m, "model", vr_memballoon_model_names[def->memballoon.model]);
    if (def->memballoon.stats_period)
        propf(child(m, "stats"), "period", "%u", def->memballoon.stats_period);
    format_address(m, &def->memballoon.addr);
    for (size_t i = 0; i < def->n_rngs; i++) {
        xmlNode *n = child(devs, "rng");
        prop(n, "model", "virtio");
        if (def->rngs[i].backend)
            prop(text_child(n, "backend", def->rngs[i].backend), "model", "random");
        else if (def->rngs[i].egd.type)
            vr_format_rng_egd(n, &def->rngs[i].egd);
        else
            prop(child(n, "backend"), "model", "builtin");
        if (def->rngs[i].rate_bytes) {
            xmlNode *r = child(n, "rate");
            propf(r, "bytes", "%u", def->rngs[i].rate_bytes);
            propf(r, "period", "%u", def->rngs[i].rate_period);
        }
        format_address(n, &def->rngs[i].addr);
    }
    vr_format_tpm(devs, def->tpm);
    vr_format_pci_hostdevs(devs, def);
    vr_format_usb_hostdevs(devs, def);
    static const char *const kept[] = {"hostdev", NULL};
    format_kept(devs, def, kept);
    for (size_t i = 0; i < def->n_panics; i++) {
        xmlNode *n = child(devs, "panic");
        prop(n, "model", vr_panic_model_names[def->panics[i].model]);
        format_address(n, &def->panics[i].addr);
    }
    vr_format_shmems(devs, def);
    vr_format_memdevs(devs, def);
    vr_format_iommu(devs, def);
    vr_format_vsock(devs, def);
    return devs;
}

void vr_format_address(xmlNode *parent, const vr_address *a)
{
    format_address(parent, a);
}

char *vr_domain_def_format(const vr_domain_def *def) { return vr_domain_def_format_public(def, true); }

xmlDoc *vr_domain_def_tree(const vr_domain_def *def, char **err)
{
    char *xml = vr_domain_def_format(def);
    xmlDoc *doc = vr_xml_read(xml, strlen(xml), "domain", err);
    free(xml);
    return doc;
}

/* `live`: libvirt's automatic aliases on a running domain's devices
 * (domain_alias.c); a stored definition has none. */
static char *format_domain(const vr_domain_def *def, bool secure, bool live, const int *nics)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL);
    xmlDocSetRootElement(doc, root);
    prop(root, "type", vr_virt_type_names[def->type]);
    text_child(root, "name", def->name);
    text_child(root, "uuid", def->uuid);
    if (def->title)
        text_child(root, "title", def->title);
    if (def->description)
        text_child(root, "description", def->description);
    format_metadata(root, def->metadata);
    char num[32];
    if (def->max_memory_kib) {
        snprintf(num, sizeof(num), "%llu", def->max_memory_kib);
        xmlNode *mm = text_child(root, "maxMemory", num);
        propf(mm, "slots", "%u", def->max_memory_slots);
        prop(mm, "unit", "KiB");
    }
    snprintf(num, sizeof(num), "%llu", def->memory_kib);
    prop(text_child(root, "memory", num), "unit", "KiB");
    snprintf(num, sizeof(num), "%llu", def->current_memory_kib);
    prop(text_child(root, "currentMemory", num), "unit", "KiB");
    vr_format_memory_backing(root, def);
    snprintf(num, sizeof(num), "%u", def->vcpus);
    xmlNode *vcpu = text_child(root, "vcpu", num);
    prop(vcpu, "placement", "static");
    if (def->cpuset)
        prop(vcpu, "cpuset", def->cpuset);
    if (def->vcpus_current != def->vcpus) {
        snprintf(num, sizeof(num), "%u", def->vcpus_current);
        prop(vcpu, "current", num);
    }
    vr_format_cputune(root, def);
    vr_format_numatune(root, def);
    format_sysinfo(root, def);
    format_os(root, &def->os);
    format_features(root, def);
    format_cpu(root, def);
    format_clock(root, &def->clock);
    text_child(root, "on_poweroff", vr_lifecycle_names[def->on_poweroff]);
    text_child(root, "on_reboot", vr_lifecycle_names[def->on_reboot]);
    text_child(root, "on_crash", vr_lifecycle_names[def->on_crash]);
    format_pm(root, def);
    xmlNode *devs = format_devices(root, def, secure);
    if (live)
        vr_domain_live_aliases(devs, def, nics);
    if (def->seclabel_none)
        prop(child(root, "seclabel"), "type", "none");

    return vr_xml_save_doc(doc, root);
}

char *vr_domain_def_format_public(const vr_domain_def *def, bool secure) { return format_domain(def, secure, false, NULL); }

char *vr_domain_def_format_live(const vr_domain_def *def, bool secure, const int *nics)
{
    return format_domain(def, secure, true, nics);
}
