/* Step 3 of parsing: checks that need more than one element: names and
 * addresses that must be unique, references to controllers, and
 * combinations the machine cannot build. Runs on the completed
 * definition so generated values are checked like given ones. */
#include "conf/domain_priv.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *addr_name(vr_addr_type t)
{
    return t == VR_ADDR_NONE ? "none" : vr_addr_type_names[t];
}

/* A device on a PCI slot takes a PCI address or none (assigned later). */
static int want_pci(const vr_address *a, long line, const char *what, char **err)
{
    if (a->type != VR_ADDR_NONE && a->type != VR_ADDR_PCI)
        return vr_dom_error(line, err, "<address type='%s'> does not fit %s (it takes a PCI "
                            "address)", addr_name(a->type), what);
    return 0;
}

static int no_addr(const vr_address *a, long line, const char *what, char **err)
{
    if (a->type != VR_ADDR_NONE)
        return vr_dom_error(line, err, "%s takes no <address>", what);
    return 0;
}

/* ---- disks ---------------------------------------------------------------- */

static int check_disk(const vr_domain_def *def, size_t i, char **err)
{
    const vr_disk_def *d = &def->disks[i];
    const char *bus = vr_disk_bus_names[d->bus];
    for (size_t k = 0; k < i; k++)
        if (strcmp(def->disks[k].target_dev, d->target_dev) == 0)
            return vr_dom_error(d->line, err, "<target dev='%s'> is used by two disks (see line "
                                "%ld)", d->target_dev, def->disks[k].line);
    if (d->device == VR_DISK_DEVICE_CDROM && d->bus == VR_DISK_BUS_VIRTIO)
        return vr_dom_error(d->line, err, "a cdrom cannot be on bus virtio (use sata, scsi or "
                            "ide)");
    if (d->bus == VR_DISK_BUS_IDE && vr_domain_def_is_q35(def))
        return vr_dom_error(d->line, err, "<target bus='ide'> needs a pc machine (q35 has no IDE "
                            "controller; use sata)");
    if (d->readonly && d->device == VR_DISK_DEVICE_DISK &&
        (d->bus == VR_DISK_BUS_IDE || d->bus == VR_DISK_BUS_SATA))
        return vr_dom_error(d->line, err, "a <readonly/> disk on bus %s is not possible (QEMU's "
                            "IDE/SATA disks are writable; use virtio or scsi)", bus);
    if (d->shareable && d->format != VR_DISK_RAW)
        return vr_dom_error(d->line, err, "a <shareable/> disk must be raw (two guests writing one "
                            "qcow2 image corrupt it)");
    if (d->shareable && d->device == VR_DISK_DEVICE_CDROM)
        return vr_dom_error(d->line, err, "a cdrom cannot be <shareable/> (it is read-only already)");
    /* One group, one quota: QEMU's throttle group has one set of limits. */
    for (size_t k = 0; d->iotune.group_name && k < i; k++) {
        const vr_iotune *o = &def->disks[k].iotune;
        if (o->group_name && strcmp(o->group_name, d->iotune.group_name) == 0 && !vr_iotune_equal(o, &d->iotune))
            return vr_dom_error(d->line, err, "disks '%s' and '%s' share <group_name>%s</group_name> but not their "
                                "<iotune> limits: a group has one set of limits, give both the same",
                                def->disks[k].target_dev, d->target_dev, d->iotune.group_name);
    }
    if (d->io == VR_DISK_IO_NATIVE && d->cache != VR_DISK_CACHE_NONE &&
        d->cache != VR_DISK_CACHE_DIRECTSYNC)
        return vr_dom_error(d->line, err, "<driver io='native'> needs cache='none' or "
                            "cache='directsync'");
    if (d->bus == VR_DISK_BUS_VIRTIO)
        return want_pci(&d->addr, d->line, "a virtio disk", err);
    if (d->addr.type != VR_ADDR_DRIVE)
        return vr_dom_error(d->line, err, "<address type='%s'> does not fit a disk on bus %s "
                            "(it takes a drive address)", addr_name(d->addr.type), bus);
    const vr_address *a = &d->addr;
    switch (d->bus) {
    case VR_DISK_BUS_IDE:
        if (a->controller != 0 || a->bus > 1 || a->target != 0 || a->unit > 1)
            return vr_dom_error(d->line, err, "disk '%s': IDE has controller 0, buses 0-1 and "
                                "units 0-1 (drive address %u:%u:%u:%u)", d->target_dev,
                                a->controller, a->bus, a->target, a->unit);
        break;
    case VR_DISK_BUS_SATA:
        if (a->bus != 0 || a->target != 0 || a->unit > 5)
            return vr_dom_error(d->line, err, "disk '%s': a SATA controller has bus 0 and units "
                                "0-5 (drive address %u:%u:%u:%u)", d->target_dev,
                                a->controller, a->bus, a->target, a->unit);
        break;
    case VR_DISK_BUS_SCSI:
        if (a->bus != 0)
            return vr_dom_error(d->line, err, "disk '%s': a SCSI controller has bus 0 only",
                                d->target_dev);
        break;
    case VR_DISK_BUS_VIRTIO:
        break;
    }
    for (size_t k = 0; k < i; k++) {
        const vr_disk_def *o = &def->disks[k];
        if (o->bus == d->bus && o->addr.type == VR_ADDR_DRIVE &&
            o->addr.controller == a->controller && o->addr.bus == a->bus &&
            o->addr.target == a->target && o->addr.unit == a->unit)
            return vr_dom_error(d->line, err, "disks '%s' and '%s' have the same %s drive address "
                                "%u:%u:%u:%u", o->target_dev, d->target_dev, bus, a->controller,
                                a->bus, a->target, a->unit);
    }
    return 0;
}

static int check_boot_orders(const vr_domain_def *def, char **err)
{
    /* Gather (order, line) of every device and look for repeats. */
    size_t n = def->n_disks + def->n_interfaces;
    for (size_t i = 0; i < n; i++) {
        unsigned oi = i < def->n_disks ? def->disks[i].boot_order
                                       : def->interfaces[i - def->n_disks].boot_order;
        long li = i < def->n_disks ? def->disks[i].line : def->interfaces[i - def->n_disks].line;
        for (size_t k = 0; oi && k < i; k++) {
            unsigned ok = k < def->n_disks ? def->disks[k].boot_order
                                           : def->interfaces[k - def->n_disks].boot_order;
            if (ok == oi)
                return vr_dom_error(li, err, "<boot order='%u'> is used by two devices", oi);
        }
    }
    return 0;
}

/* ---- interfaces, serials, consoles, channels ------------------------------- */

static int check_interface(const vr_domain_def *def, size_t i, char **err)
{
    const vr_interface_def *in = &def->interfaces[i];
    for (size_t k = 0; k < i; k++) {
        const vr_interface_def *o = &def->interfaces[k];
        if (strcmp(o->mac, in->mac) == 0)
            return vr_dom_error(in->line, err, "<mac address='%s'> is used by two interfaces "
                                "(see line %ld)", in->mac, o->line);
        if (in->target_dev && o->target_dev && strcmp(in->target_dev, o->target_dev) == 0)
            return vr_dom_error(in->line, err, "<target dev='%s'> is used by two interfaces",
                                in->target_dev);
    }
    return want_pci(&in->addr, in->line, "an <interface>", err);
}

static unsigned vs_max_ports(const vr_domain_def *def, unsigned controller)
{
    const vr_controller_def *c =
        vr_domain_def_controller(def, VR_CONTROLLER_VIRTIO_SERIAL, controller);
    return c && c->ports ? c->ports : 31; /* QEMU's default max_ports */
}

static int check_vs_addr(const vr_domain_def *def, const vr_address *a, long line,
                         const char *what, char **err)
{
    if (a->type != VR_ADDR_VIRTIO_SERIAL)
        return vr_dom_error(line, err, "<address type='%s'> does not fit %s (it takes a "
                            "virtio-serial address)", addr_name(a->type), what);
    if (a->port >= vs_max_ports(def, a->controller))
        return vr_dom_error(line, err, "%s: virtio-serial port %u is beyond the controller's "
                            "%u ports", what, a->port, vs_max_ports(def, a->controller));
    int users = 0;
    for (size_t i = 0; i < def->n_consoles; i++) {
        const vr_address *o = &def->consoles[i].addr;
        users += o->type == VR_ADDR_VIRTIO_SERIAL && o->controller == a->controller &&
                 o->port == a->port;
    }
    for (size_t i = 0; i < def->n_channels; i++) {
        const vr_address *o = &def->channels[i].addr;
        users += o->type == VR_ADDR_VIRTIO_SERIAL && o->controller == a->controller &&
                 o->port == a->port;
    }
    if (users > 1)
        return vr_dom_error(line, err, "virtio-serial port %u:%u is used twice", a->controller,
                            a->port);
    return 0;
}

static int check_chars(const vr_domain_def *def, char **err)
{
    for (size_t i = 0; i < def->n_serials; i++)
        for (size_t k = 0; k < i; k++)
            if (def->serials[k].port == def->serials[i].port)
                return vr_dom_error(def->serials[i].line, err, "serial port %u is given twice",
                                    def->serials[i].port);
    for (size_t i = 0; i < def->n_consoles; i++) {
        const vr_console_def *c = &def->consoles[i];
        if (c->target == VR_CONSOLE_SERIAL) {
            if (no_addr(&c->addr, c->line, "a serial <console>", err) < 0)
                return -1;
            continue;
        }
        if (check_vs_addr(def, &c->addr, c->line, "a virtio <console>", err) < 0)
            return -1;
        for (size_t k = 0; k < i; k++)
            if (def->consoles[k].target == VR_CONSOLE_VIRTIO && def->consoles[k].port == c->port)
                return vr_dom_error(c->line, err, "virtio console %u is given twice", c->port);
    }
    for (size_t i = 0; i < def->n_channels; i++) {
        const vr_channel_def *ch = &def->channels[i];
        for (size_t k = 0; k < i; k++)
            if (def->channels[k].type == ch->type)
                return vr_dom_error(ch->line, err, "only one <channel type='%s'> is supported",
                                    vr_channel_type_names[ch->type]);
        if (check_vs_addr(def, &ch->addr, ch->line, "a <channel>", err) < 0)
            return -1;
        if (ch->addr.port == 0)
            return vr_dom_error(ch->line, err, "virtio-serial port 0 is for consoles; a channel "
                                "needs port 1 or more");
    }
    return 0;
}

/* ---- inputs, graphics, video, audio -------------------------------------------- */

static unsigned usb_ports(const vr_controller_def *c)
{
    if (strcmp(c->model, "piix3-uhci") == 0 || strcmp(c->model, "piix4-uhci") == 0)
        return 2;
    if (strcmp(c->model, "ehci") == 0 || strcmp(c->model, "ich9-ehci1") == 0)
        return 6;
    if (vr_str_starts(c->model, "ich9-uhci"))
        return 2;
    return c->ports ? c->ports : 4; /* QEMU's xhci default: 4 USB 2 ports */
}

/* A USB device's guest address: usb, on a controller, within its ports. */
static int usb_port_fits(const vr_domain_def *def, const vr_address *a, long line, const char *what,
                         char **err)
{
    if (a->type != VR_ADDR_USB)
        return vr_dom_error(line, err, "<address type='%s'> does not fit a %s (it takes a usb "
                            "address)", addr_name(a->type), what);
    const vr_controller_def *c = vr_domain_def_controller(def, VR_CONTROLLER_USB, a->bus);
    if (!c || strcmp(c->model, "none") == 0)
        return vr_dom_error(line, err, "%s needs a USB controller on bus %u", what, a->bus);
    if (a->port > usb_ports(c))
        return vr_dom_error(line, err, "USB port %u is beyond the %u ports of the %s controller",
                            a->port, usb_ports(c), c->model);
    return 0;
}

static bool same_usb_port(const vr_address *o, const vr_address *a)
{
    return o->type == VR_ADDR_USB && o->bus == a->bus && o->port == a->port;
}

/* <hostdev type='usb'>: its guest port free, and no two name one host device. */
static int check_usb_hostdevs(const vr_domain_def *def, char **err)
{
    for (size_t i = 0; i < def->n_usb_hostdevs; i++) {
        const vr_hostdev_usb_def *h = &def->usb_hostdevs[i];
        const vr_address *a = &h->addr;
        if (usb_port_fits(def, a, h->line, "<hostdev type='usb'>", err) < 0)
            return -1;
        bool taken = false;
        for (size_t k = 0; k < def->n_inputs; k++)
            taken |= same_usb_port(&def->inputs[k].addr, a);
        for (size_t k = 0; k < def->n_redirdevs; k++)
            taken |= same_usb_port(&def->redirdevs[k].addr, a);
        for (size_t k = 0; k < i; k++)
            taken |= same_usb_port(&def->usb_hostdevs[k].addr, a);
        if (taken)
            return vr_dom_error(h->line, err, "USB port %u:%u is used twice", a->bus, a->port);
        for (size_t k = 0; k < i; k++) {
            const vr_hostdev_usb_def *o = &def->usb_hostdevs[k];
            if ((h->has_id && o->has_id && h->vendor == o->vendor && h->product == o->product) ||
                (h->has_addr && o->has_addr && h->bus == o->bus && h->device == o->device))
                return vr_dom_error(h->line, err, "<hostdev type='usb'> names the same host device "
                                    "as the one on line %ld", o->line);
        }
    }
    return 0;
}

/* <hostdev type='pci'>: no two name one host device. */
static int check_pci_hostdevs(const vr_domain_def *def, char **err)
{
    for (size_t i = 0; i < def->n_pci_hostdevs; i++) {
        const vr_hostdev_pci_def *h = &def->pci_hostdevs[i];
        for (size_t k = 0; k < i; k++) {
            const vr_hostdev_pci_def *o = &def->pci_hostdevs[k];
            if (h->domain == o->domain && h->bus == o->bus && h->slot == o->slot && h->function == o->function)
                return vr_dom_error(h->line, err, "<hostdev type='pci'> names the same host device "
                                    "%04x:%02x:%02x.%x as the one on line %ld", h->domain, h->bus, h->slot,
                                    h->function, o->line);
        }
    }
    return 0;
}

static int check_inputs(const vr_domain_def *def, char **err)
{
    for (size_t i = 0; i < def->n_inputs; i++) {
        const vr_input_def *in = &def->inputs[i];
        const char *type = vr_input_type_names[in->type];
        switch (in->bus) {
        case VR_INPUT_BUS_PS2:
            if (no_addr(&in->addr, in->line, "a PS/2 <input>", err) < 0)
                return -1;
            for (size_t k = 0; k < i; k++)
                if (def->inputs[k].bus == VR_INPUT_BUS_PS2 && def->inputs[k].type == in->type)
                    return vr_dom_error(in->line, err, "the machine has one PS/2 %s; <input "
                                        "type='%s' bus='ps2'> is given twice", type, type);
            break;
        case VR_INPUT_BUS_VIRTIO:
            if (want_pci(&in->addr, in->line, "a virtio <input>", err) < 0)
                return -1;
            break;
        case VR_INPUT_BUS_USB: {
            const vr_address *a = &in->addr;
            if (a->type != VR_ADDR_USB)
                return vr_dom_error(in->line, err, "<address type='%s'> does not fit a USB "
                                    "<input> (it takes a usb address)", addr_name(a->type));
            const vr_controller_def *c = vr_domain_def_controller(def, VR_CONTROLLER_USB, a->bus);
            if (!c)
                return vr_dom_error(in->line, err, "<input type='%s' bus='usb'> is on USB bus %u "
                                    "but there is no <controller type='usb' index='%u'>", type,
                                    a->bus, a->bus);
            if (strcmp(c->model, "none") == 0)
                return vr_dom_error(in->line, err, "<input type='%s' bus='usb'> needs a USB "
                                    "controller, but its model is 'none'", type);
            if (a->port > usb_ports(c))
                return vr_dom_error(in->line, err, "USB port %u is beyond the %u ports of the %s "
                                    "controller", a->port, usb_ports(c), c->model);
            for (size_t k = 0; k < i; k++) {
                const vr_address *o = &def->inputs[k].addr;
                if (o->type == VR_ADDR_USB && o->bus == a->bus && o->port == a->port)
                    return vr_dom_error(in->line, err, "USB port %u:%u is used twice", a->bus,
                                        a->port);
            }
            break;
        }
        }
    }
    return 0;
}

/* What rides on the SPICE connection needs SPICE graphics; redirected
 * USB devices need a free port on a real USB controller. */
static int check_spice(const vr_domain_def *def, char **err)
{
    bool spice = vr_domain_def_graphics_index(def, VR_GRAPHICS_SPICE) >= 0;
    for (size_t i = 0; i < def->n_channels; i++)
        if (def->channels[i].type == VR_CHANNEL_SPICEVMC && !spice)
            return vr_dom_error(def->channels[i].line, err, "<channel type='spicevmc'> needs "
                                "<graphics type='spice'>");
    for (size_t i = 0; i < def->n_audios; i++)
        if (def->audios[i].type == VR_AUDIO_SPICE && !spice)
            return vr_dom_error(def->audios[i].line, err, "<audio type='spice'> needs "
                                "<graphics type='spice'>");
    const vr_smartcard_def *sc = def->smartcard;
    if (sc && sc->mode == VR_SMARTCARD_PASSTHROUGH && !sc->tcp && !spice)
        return vr_dom_error(sc->line, err, "<smartcard mode='passthrough' type='spicevmc'> needs "
                            "<graphics type='spice'>");
    if (sc) {
        const vr_controller_def *c = vr_domain_def_controller(def, VR_CONTROLLER_USB, sc->usb.bus);
        if (!c || strcmp(c->model, "none") == 0)
            return vr_dom_error(sc->line, err, "<smartcard> is a USB reader and needs a USB controller");
        if (sc->usb.port > usb_ports(c))
            return vr_dom_error(sc->line, err, "<smartcard>: no free port of the %u of the %s controller",
                                usb_ports(c), c->model);
    }
    for (size_t i = 0; i < def->n_redirdevs; i++) {
        const vr_redirdev_def *r = &def->redirdevs[i];
        const vr_address *a = &r->addr;
        if (!spice)
            return vr_dom_error(r->line, err, "<redirdev type='spicevmc'> needs <graphics "
                                "type='spice'>");
        if (usb_port_fits(def, a, r->line, "<redirdev>", err) < 0)
            return -1;
        for (size_t k = 0; k < def->n_inputs; k++) {
            const vr_address *o = &def->inputs[k].addr;
            if (o->type == VR_ADDR_USB && o->bus == a->bus && o->port == a->port)
                return vr_dom_error(r->line, err, "USB port %u:%u is used twice", a->bus, a->port);
        }
        for (size_t k = 0; k < i; k++) {
            const vr_address *o = &def->redirdevs[k].addr;
            if (o->bus == a->bus && o->port == a->port)
                return vr_dom_error(r->line, err, "USB port %u:%u is used twice", a->bus, a->port);
        }
    }
    for (size_t i = 0; i < def->n_sounds; i++) {
        const vr_sound_def *s = &def->sounds[i];
        bool found = s->audio_id == 0;
        for (size_t k = 0; k < def->n_audios && !found; k++)
            found = def->audios[k].id == s->audio_id;
        if (!found)
            return vr_dom_error(s->line, err, "<sound> plays through <audio id='%u'>, which is "
                                "not defined", s->audio_id);
        if (want_pci(&s->addr, s->line, "a <sound>", err) < 0)
            return -1;
    }
    return 0;
}

static int check_watchdogs_and_panics(const vr_domain_def *def, char **err)
{
    bool q35 = vr_domain_def_is_q35(def);
    for (size_t i = 0; i < def->n_watchdogs; i++) {
        const vr_watchdog_def *w = &def->watchdogs[i];
        for (size_t k = 0; k < i; k++) {
            if (def->watchdogs[k].model == w->model)
                return vr_dom_error(w->line, err, "<watchdog model='%s'> is given twice",
                                    vr_watchdog_model_names[w->model]);
            if (strcmp(def->watchdogs[k].action, w->action) != 0)
                return vr_dom_error(w->line, err, "<watchdog action='%s'> differs from the "
                                    "first watchdog's '%s' (QEMU has one watchdog action)",
                                    w->action, def->watchdogs[k].action);
        }
        int rc;
        if (w->model == VR_WATCHDOG_I6300ESB)
            rc = want_pci(&w->addr, w->line, "an i6300esb <watchdog>", err);
        else if (w->model == VR_WATCHDOG_ITCO && !q35)
            rc = vr_dom_error(w->line, err, "<watchdog model='itco'> is part of q35's ICH9; a "
                              "pc machine has none (use i6300esb)");
        else
            rc = no_addr(&w->addr, w->line, "this <watchdog>", err);
        if (rc < 0)
            return -1;
    }
    for (size_t i = 0; i < def->n_panics; i++) {
        const vr_panic_def *p = &def->panics[i];
        if (i > 0)
            return vr_dom_error(p->line, err, "only one <panic> is supported");
        if (p->model == VR_PANIC_PCI && want_pci(&p->addr, p->line, "a pci <panic>", err) < 0)
            return -1;
        /* pvpanic's fixed port, which libvirt writes back. */
        if (p->model == VR_PANIC_ISA && p->addr.type != VR_ADDR_ISA &&
            no_addr(&p->addr, p->line, "an isa <panic>", err) < 0)
            return -1;
        if (p->model == VR_PANIC_ISA && p->addr.type == VR_ADDR_ISA && p->addr.iobase &&
            p->addr.iobase != 0x505)
            return vr_dom_error(p->line, err, "<panic model='isa'> sits at iobase 0x505, not 0x%x",
                                p->addr.iobase);
    }
    return 0;
}

static int check_display(const vr_domain_def *def, char **err)
{
    /* One display of each type, as libvirt allows QEMU (one -vnc, one
     * -spice). */
    for (size_t i = 0; i < def->n_graphics; i++)
        if (vr_domain_def_graphics_index(def, def->graphics[i].type) != (int)i)
            return vr_dom_error(def->graphics[i].line, err, "a second <graphics type='%s'>: a domain has at most "
                                "one VNC and one SPICE display; remove one of them",
                                vr_graphics_type_names[def->graphics[i].type]);
    for (size_t i = 0; i < def->n_audios; i++)
        for (size_t k = 0; k < i; k++)
            if (def->audios[k].id == def->audios[i].id)
                return vr_dom_error(def->audios[i].line, err, "<audio id='%u'> is given twice",
                                    def->audios[i].id);
    for (size_t i = 0; i < def->n_videos; i++) {
        const vr_video_def *v = &def->videos[i];
        const char *model = vr_video_model_names[v->model];
        if (v->model == VR_VIDEO_NONE) {
            if (def->n_videos > 1)
                return vr_dom_error(v->line, err, "<model type='none'> must be the only <video>");
            if (no_addr(&v->addr, v->line, "<video> of model none", err) < 0)
                return -1;
            continue;
        }
        if (i > 0 && v->primary)
            return vr_dom_error(v->line, err, "only the first <video> can be primary");
        if (i > 0 && v->model != VR_VIDEO_VIRTIO && v->model != VR_VIDEO_QXL &&
            v->model != VR_VIDEO_RAMFB)
            return vr_dom_error(v->line, err, "a second <video> must be virtio or qxl, not %s",
                                model);
        /* ramfb is a memory-mapped framebuffer, not a PCI device. */
        if (v->model == VR_VIDEO_RAMFB ? no_addr(&v->addr, v->line, "<video> of model ramfb", err) < 0
                                       : want_pci(&v->addr, v->line, "a <video>", err) < 0)
            return -1;
    }
    return 0;
}

/* ---- controllers ---------------------------------------------------------------- */

static int check_controller(const vr_domain_def *def, size_t i, char **err)
{
    const vr_controller_def *c = &def->controllers[i];
    const char *type = vr_controller_type_names[c->type];
    bool q35 = vr_domain_def_is_q35(def);
    for (size_t k = 0; k < i; k++) {
        const vr_controller_def *o = &def->controllers[k];
        /* ICH9's EHCI and its UHCI companions are one USB controller. */
        bool ich9_set = c->type == VR_CONTROLLER_USB && vr_str_starts(c->model, "ich9-") &&
                        o->type == VR_CONTROLLER_USB && vr_str_starts(o->model, "ich9-") &&
                        strcmp(c->model, o->model) != 0;
        if (o->type == c->type && o->index == c->index && !ich9_set)
            return vr_dom_error(c->line, err, "<controller type='%s' index='%u'> is given twice",
                                type, c->index);
    }
    switch (c->type) {
    case VR_CONTROLLER_PCI: {
        bool root = strcmp(c->model, "pci-root") == 0 || strcmp(c->model, "pcie-root") == 0;
        const char *want_root = q35 ? "pcie-root" : "pci-root";
        if (root != (c->index == 0))
            return vr_dom_error(c->line, err, "PCI controller %u: index 0 is the machine's root "
                                "bus (model %s) and only it", c->index, want_root);
        if (root && strcmp(c->model, want_root) != 0)
            return vr_dom_error(c->line, err, "the root PCI controller of a %s machine is "
                                "model='%s', not '%s'", q35 ? "q35" : "pc", want_root, c->model);
        if (root)
            return no_addr(&c->addr, c->line, "the root PCI controller", err);
        if (strcmp(c->model, "pcie-root-port") == 0 && !q35)
            return vr_dom_error(c->line, err, "model='pcie-root-port' needs a q35 machine (use "
                                "pci-bridge on pc)");
        if (strcmp(c->model, "pci-bridge") == 0 && q35)
            return vr_dom_error(c->line, err, "model='pci-bridge' is supported on pc machines "
                                "only (use pcie-root-port on q35)");
        break;
    }
    case VR_CONTROLLER_USB:
        if (c->index != 0)
            return vr_dom_error(c->line, err, "only one USB controller (index 0) is supported");
        if (strcmp(c->model, "none") == 0)
            return no_addr(&c->addr, c->line, "<controller model='none'>", err);
        break;
    case VR_CONTROLLER_IDE:
        if (q35)
            return vr_dom_error(c->line, err, "q35 machines have no IDE controller (use sata)");
        if (c->index != 0)
            return vr_dom_error(c->line, err, "pc machines have one IDE controller (index 0)");
        break;
    case VR_CONTROLLER_SATA:
    case VR_CONTROLLER_SCSI:
    case VR_CONTROLLER_VIRTIO_SERIAL:
        break;
    }
    char *what = vr_asprintf("<controller type='%s'>", type);
    int rc = want_pci(&c->addr, c->line, what, err);
    free(what);
    return rc;
}

int vr_domain_validate(const vr_domain_def *def, char **err)
{
    for (size_t i = 0; i < def->n_disks; i++)
        if (check_disk(def, i, err) < 0)
            return -1;
    for (size_t i = 0; i < def->n_controllers; i++)
        if (check_controller(def, i, err) < 0)
            return -1;
    for (size_t i = 0; i < def->n_interfaces; i++)
        if (check_interface(def, i, err) < 0)
            return -1;
    if (check_boot_orders(def, err) < 0 || check_chars(def, err) < 0 ||
        check_inputs(def, err) < 0 || check_usb_hostdevs(def, err) < 0 || check_pci_hostdevs(def, err) < 0 || check_display(def, err) < 0 || check_spice(def, err) < 0 ||
        check_watchdogs_and_panics(def, err) < 0)
        return -1;
    const vr_memballoon_def *m = &def->memballoon;
    if (m->model == VR_MEMBALLOON_NONE && no_addr(&m->addr, m->line, "<memballoon model='none'>",
                                                  err) < 0)
        return -1;
    if (m->model == VR_MEMBALLOON_VIRTIO && want_pci(&m->addr, m->line, "<memballoon>", err) < 0)
        return -1;
    for (size_t i = 0; i < def->n_rngs; i++)
        if (want_pci(&def->rngs[i].addr, def->rngs[i].line, "an <rng>", err) < 0)
            return -1;
    return 0;
}
