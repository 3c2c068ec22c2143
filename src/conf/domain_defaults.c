/* Step 2 of parsing: complete the definition the way libvirt does at
 * define time, so that `dumpxml` shows everything that will run and a
 * second parse finds nothing left to fill in (format, parse, format is
 * a fixed point). Every step here only fills what is missing. */
#include "conf/domain_priv.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* ---- boot order, MACs ----------------------------------------------------- */

static int boot_defaults(vr_domain_def *def, char **err)
{
    long line = 0;
    for (size_t i = 0; i < def->n_disks && !line; i++)
        if (def->disks[i].boot_order)
            line = def->disks[i].line;
    for (size_t i = 0; i < def->n_interfaces && !line; i++)
        if (def->interfaces[i].boot_order)
            line = def->interfaces[i].line;
    if (line && def->os.n_boot_devs)
        return vr_dom_error(line, err, "per-device <boot order> cannot be combined with "
                            "<os><boot dev>; use one or the other");
    if (!line && !def->os.n_boot_devs)
        def->os.boot_devs[def->os.n_boot_devs++] = VR_BOOT_HD;
    return 0;
}

static bool mac_used(const vr_domain_def *def, const char *mac)
{
    for (size_t i = 0; i < def->n_interfaces; i++)
        if (strcmp(def->interfaces[i].mac, mac) == 0)
            return true;
    return false;
}

static void mac_defaults(vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_interfaces; i++) {
        vr_interface_def *in = &def->interfaces[i];
        if (in->mac[0])
            continue;
        char mac[VR_MAC_STRLEN];
        do
            vr_mac_generate(mac);
        while (mac_used(def, mac));
        memcpy(in->mac, mac, sizeof(mac));
    }
}

/* ---- disks ------------------------------------------------------------------- */

/* libvirt's virIndexToDiskName: 0 -> "a", 25 -> "z", 26 -> "aa". */
static char *disk_name(const char *prefix, int idx)
{
    char letters[16];
    int n = 0;
    do {
        letters[n++] = (char)('a' + idx % 26);
        idx = idx / 26 - 1;
    } while (idx >= 0 && n < (int)sizeof(letters));
    char *s = vr_malloc(strlen(prefix) + (size_t)n + 1);
    strcpy(s, prefix);
    size_t p = strlen(prefix);
    while (n > 0)
        s[p++] = letters[--n];
    s[p] = '\0';
    return s;
}

static bool dev_used(const vr_domain_def *def, const char *dev)
{
    for (size_t i = 0; i < def->n_disks; i++)
        if (def->disks[i].target_dev && strcmp(def->disks[i].target_dev, dev) == 0)
            return true;
    return false;
}

static void disk_defaults(vr_domain_def *def)
{
    static const char *const prefix[] = {"vd", "sd", "hd", "sd"}; /* by vr_disk_bus */
    for (size_t i = 0; i < def->n_disks; i++) {
        vr_disk_def *d = &def->disks[i];
        for (int idx = 0; !d->target_dev; idx++) {
            char *name = disk_name(prefix[d->bus], idx);
            if (dev_used(def, name))
                free(name);
            else
                d->target_dev = name;
        }
        if (d->bus == VR_DISK_BUS_VIRTIO || d->addr.type != VR_ADDR_NONE)
            continue;
        /* The drive address follows from the name, as in libvirt:
         * hda/hdb on IDE bus 0, hdc/hdd on bus 1; six SATA ports per
         * AHCI controller; seven units per SCSI controller. */
        unsigned idx = (unsigned)vr_disk_name_to_index(d->target_dev);
        d->addr.type = VR_ADDR_DRIVE;
        switch (d->bus) {
        case VR_DISK_BUS_IDE:
            d->addr.controller = idx / 4;
            d->addr.bus = (idx % 4) / 2;
            d->addr.unit = idx % 2;
            break;
        case VR_DISK_BUS_SATA:
            d->addr.controller = idx / 6;
            d->addr.unit = idx % 6;
            break;
        case VR_DISK_BUS_SCSI:
            d->addr.controller = idx / 7;
            d->addr.unit = idx % 7;
            break;
        case VR_DISK_BUS_VIRTIO:
            break;
        }
    }
}

/* ---- controllers -------------------------------------------------------------- */

static vr_controller_def *add_controller(vr_domain_def *def, vr_controller_type type,
                                         unsigned index, const char *model)
{
    vr_controller_def *c = VR_PUSH(def->controllers, def->n_controllers);
    c->type = type;
    c->index = index;
    c->model = model ? vr_strdup(model) : NULL;
    return c;
}

static bool is_root_model(const char *m)
{
    return m && (strcmp(m, "pci-root") == 0 || strcmp(m, "pcie-root") == 0);
}

/* Missing indexes: the lowest free one of the same type, in document
 * order (a PCI root is always 0, other PCI controllers start at 1). */
static void controller_indexes(vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_controllers; i++) {
        vr_controller_def *c = &def->controllers[i];
        if (c->index != VR_UNSET)
            continue;
        if (c->type == VR_CONTROLLER_PCI && is_root_model(c->model)) {
            c->index = 0;
            continue;
        }
        /* ICH9's UHCI companions share their EHCI master's index. */
        if (c->type == VR_CONTROLLER_USB && c->model && vr_str_starts(c->model, "ich9-uhci")) {
            c->index = 0;
            for (size_t k = 0; k < def->n_controllers; k++)
                if (def->controllers[k].model &&
                    strcmp(def->controllers[k].model, "ich9-ehci1") == 0 &&
                    def->controllers[k].index != VR_UNSET)
                    c->index = def->controllers[k].index;
            continue;
        }
        unsigned idx = c->type == VR_CONTROLLER_PCI ? 1 : 0;
        while (vr_domain_def_controller(def, c->type, idx))
            idx++;
        c->index = idx;
    }
}

static void ensure_controller(vr_domain_def *def, vr_controller_type type, unsigned index,
                              const char *model)
{
    if (!vr_domain_def_controller(def, type, index))
        add_controller(def, type, index, model);
}

static void controller_defaults(vr_domain_def *def)
{
    controller_indexes(def);
    bool q35 = vr_domain_def_is_q35(def);
    ensure_controller(def, VR_CONTROLLER_PCI, 0, q35 ? "pcie-root" : "pci-root");
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        if (d->addr.type != VR_ADDR_DRIVE)
            continue;
        if (d->bus == VR_DISK_BUS_SATA)
            ensure_controller(def, VR_CONTROLLER_SATA, d->addr.controller, NULL);
        else if (d->bus == VR_DISK_BUS_SCSI)
            ensure_controller(def, VR_CONTROLLER_SCSI, d->addr.controller, "virtio-scsi");
        else if (d->bus == VR_DISK_BUS_IDE && d->addr.controller == 0)
            ensure_controller(def, VR_CONTROLLER_IDE, 0, NULL);
    }
    bool usb = def->n_redirdevs > 0 || def->n_usb_hostdevs > 0 || def->smartcard;
    for (size_t i = 0; i < def->n_inputs; i++)
        usb |= def->inputs[i].bus == VR_INPUT_BUS_USB;
    if (usb)
        ensure_controller(def, VR_CONTROLLER_USB, 0, "qemu-xhci");
    /* No model: qemu-xhci for USB (one controller for every USB speed,
     * on both machines), virtio-scsi for SCSI. */
    for (size_t i = 0; i < def->n_controllers; i++) {
        vr_controller_def *c = &def->controllers[i];
        if (!c->model && c->type == VR_CONTROLLER_USB)
            c->model = vr_strdup("qemu-xhci");
        if (!c->model && c->type == VR_CONTROLLER_SCSI)
            c->model = vr_strdup("virtio-scsi");
        /* libvirt's layout: uhci1 serves EHCI ports 0-1, uhci2 2-3, uhci3 4-5. */
        if (c->model && vr_str_starts(c->model, "ich9-uhci") && c->startport == VR_UNSET)
            c->startport = (unsigned)(c->model[strlen("ich9-uhci")] - '1') * 2;
    }
}

/* ---- virtio-serial and USB ports ----------------------------------------------- */

static bool vs_port_used(const vr_domain_def *def, unsigned controller, unsigned port)
{
    for (size_t i = 0; i < def->n_consoles; i++) {
        const vr_address *a = &def->consoles[i].addr;
        if (a->type == VR_ADDR_VIRTIO_SERIAL && a->controller == controller && a->port == port)
            return true;
    }
    for (size_t i = 0; i < def->n_channels; i++) {
        const vr_address *a = &def->channels[i].addr;
        if (a->type == VR_ADDR_VIRTIO_SERIAL && a->controller == controller && a->port == port)
            return true;
    }
    return false;
}

/* QEMU keeps port 0 of a virtio-serial bus for a virtconsole: consoles
 * take the lowest free port from 0, channels from 1. */
static void vs_assign(vr_domain_def *def, vr_address *a, unsigned first)
{
    if (a->type == VR_ADDR_NONE) {
        a->type = VR_ADDR_VIRTIO_SERIAL;
        a->controller = 0;
        a->port = VR_UNSET;
    }
    if (a->type != VR_ADDR_VIRTIO_SERIAL || a->port != VR_UNSET)
        return;
    unsigned p = first;
    while (vs_port_used(def, a->controller, p))
        p++;
    a->port = p;
}

static void virtio_serial_defaults(vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_consoles; i++)
        if (def->consoles[i].target == VR_CONSOLE_VIRTIO)
            vs_assign(def, &def->consoles[i].addr, 0);
    for (size_t i = 0; i < def->n_channels; i++)
        vs_assign(def, &def->channels[i].addr, 1);
    for (size_t i = 0; i < def->n_consoles; i++)
        if (def->consoles[i].addr.type == VR_ADDR_VIRTIO_SERIAL)
            ensure_controller(def, VR_CONTROLLER_VIRTIO_SERIAL, def->consoles[i].addr.controller,
                              NULL);
    for (size_t i = 0; i < def->n_channels; i++)
        if (def->channels[i].addr.type == VR_ADDR_VIRTIO_SERIAL)
            ensure_controller(def, VR_CONTROLLER_VIRTIO_SERIAL, def->channels[i].addr.controller,
                              NULL);
}

static bool usb_port_used(const vr_domain_def *def, unsigned bus, unsigned port)
{
    for (size_t i = 0; i < def->n_inputs; i++) {
        const vr_address *a = &def->inputs[i].addr;
        if (a->type == VR_ADDR_USB && a->bus == bus && a->port == port)
            return true;
    }
    for (size_t i = 0; i < def->n_redirdevs; i++) {
        const vr_address *a = &def->redirdevs[i].addr;
        if (a->type == VR_ADDR_USB && a->bus == bus && a->port == port)
            return true;
    }
    for (size_t i = 0; i < def->n_usb_hostdevs; i++) {
        const vr_address *a = &def->usb_hostdevs[i].addr;
        if (a->type == VR_ADDR_USB && a->bus == bus && a->port == port)
            return true;
    }
    const vr_address *sc = def->smartcard ? &def->smartcard->usb : NULL;
    return sc && sc->type == VR_ADDR_USB && sc->bus == bus && sc->port == port;
}

/* The lowest free port of the device's USB bus (bus 0 when not given). */
static void usb_assign(vr_domain_def *def, vr_address *a)
{
    if (a->type == VR_ADDR_NONE) {
        a->type = VR_ADDR_USB;
        a->bus = 0;
        a->port = VR_UNSET;
    }
    if (a->type != VR_ADDR_USB || a->port != VR_UNSET)
        return;
    unsigned p = 1;
    while (usb_port_used(def, a->bus, p))
        p++;
    a->port = p;
}

static void usb_defaults(vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_inputs; i++)
        if (def->inputs[i].bus == VR_INPUT_BUS_USB)
            usb_assign(def, &def->inputs[i].addr);
    for (size_t i = 0; i < def->n_redirdevs; i++)
        usb_assign(def, &def->redirdevs[i].addr);
    for (size_t i = 0; i < def->n_usb_hostdevs; i++)
        usb_assign(def, &def->usb_hostdevs[i].addr);
    /* The smartcard's reader last: its port is never written, so the
     * ports that are written never depend on it. */
    if (def->smartcard)
        usb_assign(def, &def->smartcard->usb);
}

/* libvirt gives graphics and sound a host audio backend when none is
 * defined: SPICE's when a display is SPICE (which carries sound), else
 * none. */
static void audio_defaults(vr_domain_def *def)
{
    if (def->n_audios || (def->n_graphics == 0 && def->n_sounds == 0))
        return;
    vr_audio_def *a = VR_PUSH(def->audios, def->n_audios);
    a->id = 1;
    a->type = vr_domain_def_graphics_index(def, VR_GRAPHICS_SPICE) >= 0 ? VR_AUDIO_SPICE : VR_AUDIO_NONE;
}

/* ---- serial console, video ------------------------------------------------------ */

static void serial_defaults(vr_domain_def *def)
{
    if (def->n_consoles == 0 || def->consoles[0].target != VR_CONSOLE_SERIAL)
        return;
    for (size_t i = 0; i < def->n_serials; i++)
        if (def->serials[i].port == 0)
            return;
    /* libvirt: a serial console without its serial port gets one. */
    vr_serial_def *s = VR_PUSH(def->serials, def->n_serials);
    s->port = 0;
    /* Keep port 0 first: it is the one QEMU's -serial gets. */
    vr_serial_def tmp = *s;
    memmove(def->serials + 1, def->serials, (def->n_serials - 1) * sizeof(*def->serials));
    def->serials[0] = tmp;
}

static void video_defaults(vr_domain_def *def)
{
    if (def->n_graphics > 0 && def->n_videos == 0) {
        vr_video_def *v = VR_PUSH(def->videos, def->n_videos);
        v->model = VR_VIDEO_VGA;
    }
    if (def->n_videos > 0 && def->videos[0].model != VR_VIDEO_NONE)
        def->videos[0].primary = true;
}

/* ---- <cpu> ------------------------------------------------------------------------ */

static const char *default_cpu_model(const vr_domain_def *def)
{
    return def->os.arch && strcmp(def->os.arch, "i686") == 0 ? "qemu32" : "qemu64";
}

/* libvirt 9.0 at define time (tests/fixtures/libvirt/cpu-defaults.xml):
 * no <cpu>, or a custom one without <model>, gets the machine type's
 * default model, the one QEMU runs without -cpu (qemu64 on x86_64's pc
 * and q35, qemu32 for i686); host-model is checked 'partial' and
 * host-passthrough 'none', migratable. The inactive XML then names the
 * CPU (Cockpit's and virt-manager's CPU type of a shut off VM). */
static void cpu_defaults(vr_domain_def *def)
{
    vr_cpu_def *cpu = &def->cpu;
    if (cpu->mode == VR_CPU_NONE || (cpu->mode == VR_CPU_CUSTOM && !cpu->model)) {
        cpu->mode = VR_CPU_CUSTOM;
        cpu->model = vr_strdup(default_cpu_model(def));
        cpu->fallback_forbid = true;
        if (!cpu->match)
            cpu->match = VR_CPU_MATCH_EXACT;
        if (!cpu->check)
            cpu->check = VR_CPU_CHECK_NONE;
    } else if (cpu->mode == VR_CPU_HOST_MODEL && !cpu->check) {
        cpu->check = VR_CPU_CHECK_PARTIAL;
    } else if (cpu->mode == VR_CPU_HOST_PASSTHROUGH) {
        if (!cpu->check)
            cpu->check = VR_CPU_CHECK_NONE;
        if (!cpu->migratable)
            cpu->migratable = VR_TRISTATE_ON;
    }
}

int vr_domain_assign_defaults(vr_domain_def *def, char **err)
{
    if (!def->uuid[0])
        vr_uuid_generate(def->uuid);
    if (boot_defaults(def, err) < 0)
        return -1;
    mac_defaults(def);
    cpu_defaults(def);
    disk_defaults(def);
    serial_defaults(def);
    controller_defaults(def);
    virtio_serial_defaults(def);
    usb_defaults(def);
    video_defaults(def);
    audio_defaults(def);
    return 0;
}
