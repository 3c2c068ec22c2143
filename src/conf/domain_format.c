/* A vr_domain_def as libvirt-style XML: the elements in libvirt's order,
 * memory in KiB, every generated value written out, so that parsing
 * the result gives the same definition back. Built with libxml2's tree
 * API, which does all the escaping. */
#include "conf/domain_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <libxml/xmlsave.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static xmlNode *child(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

static xmlNode *text_child(xmlNode *parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void prop(xmlNode *n, const char *name, const char *value)
{
    xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

__attribute__((format(printf, 3, 4)))
static void propf(xmlNode *n, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vr_vasprintf(fmt, ap);
    va_end(ap);
    prop(n, name, v);
    free(v);
}

static void format_address(xmlNode *parent, const vr_address *a)
{
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

static void format_os(xmlNode *root, const vr_os_def *os)
{
    xmlNode *n = child(root, "os");
    xmlNode *t = text_child(n, "type", "hvm");
    prop(t, "arch", os->arch);
    prop(t, "machine", os->machine);
    if (os->loader.path) {
        xmlNode *l = text_child(n, "loader", os->loader.path);
        prop(l, "readonly", os->loader.readonly ? "yes" : "no");
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
}

static void format_features(xmlNode *root, const vr_domain_def *def)
{
    if (!def->features.acpi && !def->features.apic && !def->features.pae && !def->features.vmport)
        return;
    xmlNode *n = child(root, "features");
    if (def->features.acpi)
        child(n, "acpi");
    if (def->features.apic)
        child(n, "apic");
    if (def->features.pae)
        child(n, "pae");
    if (def->features.vmport)
        prop(child(n, "vmport"), "state", onoff(def->features.vmport));
}

static void format_cpu(xmlNode *root, const vr_cpu_def *cpu)
{
    if (!cpu->mode && !cpu->check && !cpu->migratable && !cpu->sockets)
        return;
    xmlNode *n = child(root, "cpu");
    if (cpu->mode)
        prop(n, "mode", vr_cpu_mode_names[cpu->mode]);
    if (cpu->check)
        prop(n, "check", vr_cpu_check_names[cpu->check]);
    if (cpu->migratable)
        prop(n, "migratable", onoff(cpu->migratable));
    if (cpu->sockets) {
        xmlNode *t = child(n, "topology");
        propf(t, "sockets", "%u", cpu->sockets);
        propf(t, "dies", "%u", cpu->dies);
        propf(t, "cores", "%u", cpu->cores);
        propf(t, "threads", "%u", cpu->threads);
    }
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
    if (d->type == VR_DISK_VOLUME) {
        xmlNode *s = child(n, "source");
        prop(s, "pool", d->source_pool);
        prop(s, "volume", d->source_volume);
    } else if (d->source_path) {
        prop(child(n, "source"), d->type == VR_DISK_FILE ? "file" : "dev", d->source_path);
    }
    xmlNode *t = child(n, "target");
    prop(t, "dev", d->target_dev);
    prop(t, "bus", vr_disk_bus_names[d->bus]);
    if (d->readonly)
        child(n, "readonly");
    if (d->shareable)
        child(n, "shareable");
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
    }
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
        prop(n, "type", "unix");
        prop(child(n, "source"), "mode", "bind");
        xmlNode *t = child(n, "target");
        prop(t, "type", "virtio");
        prop(t, "name", ch->target_name);
        format_address(n, &ch->addr);
    }
}

static void format_display(xmlNode *devs, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_inputs; i++) {
        xmlNode *n = child(devs, "input");
        prop(n, "type", vr_input_type_names[def->inputs[i].type]);
        prop(n, "bus", vr_input_bus_names[def->inputs[i].bus]);
        format_address(n, &def->inputs[i].addr);
    }
    for (size_t i = 0; i < def->n_graphics; i++) {
        const vr_graphics_def *g = &def->graphics[i];
        xmlNode *n = child(devs, "graphics");
        prop(n, "type", "vnc");
        propf(n, "port", "%d", g->autoport ? -1 : g->port);
        prop(n, "autoport", g->autoport ? "yes" : "no");
        prop(n, "listen", g->listen);
        xmlNode *l = child(n, "listen");
        prop(l, "type", "address");
        prop(l, "address", g->listen);
    }
    for (size_t i = 0; i < def->n_audios; i++) {
        xmlNode *n = child(devs, "audio");
        propf(n, "id", "%u", def->audios[i].id);
        prop(n, "type", "none");
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

static void format_devices(xmlNode *root, const vr_domain_def *def)
{
    xmlNode *devs = child(root, "devices");
    if (def->emulator)
        text_child(devs, "emulator", def->emulator);
    for (size_t i = 0; i < def->n_disks; i++)
        format_disk(devs, &def->disks[i]);
    for (size_t i = 0; i < def->n_controllers; i++)
        format_controller(devs, &def->controllers[i]);
    for (size_t i = 0; i < def->n_interfaces; i++)
        format_interface(devs, &def->interfaces[i]);
    format_chars(devs, def);
    format_display(devs, def);
    xmlNode *m = child(devs, "memballoon");
    prop(m, "model", vr_memballoon_model_names[def->memballoon.model]);
    format_address(m, &def->memballoon.addr);
    for (size_t i = 0; i < def->n_rngs; i++) {
        xmlNode *n = child(devs, "rng");
        prop(n, "model", "virtio");
        prop(text_child(n, "backend", def->rngs[i].backend), "model", "random");
        format_address(n, &def->rngs[i].addr);
    }
}

char *vr_domain_def_format(const vr_domain_def *def)
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
    snprintf(num, sizeof(num), "%llu", def->memory_kib);
    prop(text_child(root, "memory", num), "unit", "KiB");
    snprintf(num, sizeof(num), "%llu", def->current_memory_kib);
    prop(text_child(root, "currentMemory", num), "unit", "KiB");
    snprintf(num, sizeof(num), "%u", def->vcpus);
    xmlNode *vcpu = text_child(root, "vcpu", num);
    prop(vcpu, "placement", "static");
    if (def->vcpus_current != def->vcpus) {
        snprintf(num, sizeof(num), "%u", def->vcpus_current);
        prop(vcpu, "current", num);
    }
    format_os(root, &def->os);
    format_features(root, def);
    format_cpu(root, &def->cpu);
    format_clock(root, &def->clock);
    text_child(root, "on_poweroff", vr_lifecycle_names[def->on_poweroff]);
    text_child(root, "on_reboot", vr_lifecycle_names[def->on_reboot]);
    text_child(root, "on_crash", vr_lifecycle_names[def->on_crash]);
    format_pm(root, def);
    format_devices(root, def);
    if (def->seclabel_none)
        prop(child(root, "seclabel"), "type", "none");

    xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
    xmlSaveTree(save, root);
    xmlSaveClose(save);
    char *out = vr_asprintf("%s\n", (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return out;
}
