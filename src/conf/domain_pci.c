/* Step 4 of parsing: PCI addresses. Given addresses are checked (the bus
 * exists, the slot is free and valid for that bus); missing ones are
 * assigned so that a definition keeps its guest-visible layout across
 * restarts and edits, the way libvirt does:
 *
 *  - pc (i440FX): 00.0 host bridge, 01.0/01.1/01.3 PIIX3 (ISA, IDE, power
 *    management), 01.2 free for a PIIX3 USB controller; the primary video
 *    on slot 2; everything else on the next free slot, then on
 *    pci-bridges.
 *  - q35: 00.0 host bridge, 1f.0/1f.2/1f.3 ICH9 (LPC, SATA, SMBus); the
 *    primary video on slot 1; pcie-root-ports packed eight to a slot;
 *    PCIe devices (virtio, xhci) each on a free root port, so they can
 *    be hot-unplugged, else on the root bus like conventional PCI
 *    devices. */
#include "conf/domain_priv.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* A PCI address assigned: the device's user alias stays. */
static void set_pci(vr_address *a, unsigned bus, unsigned slot, unsigned fn)
{
    a->type = VR_ADDR_PCI;
    a->domain = 0;
    a->bus = bus;
    a->slot = slot;
    a->function = fn;
    a->multifunction = false;
    a->controller = a->target = a->unit = a->port = a->iobase = a->irq = 0;
}

typedef enum { BUS_ROOT, BUS_ROOT_PORT, BUS_BRIDGE } bus_kind;

typedef struct {
    const char *what; /* NULL: free */
    long line;
} owner;

typedef struct {
    bus_kind kind;
    unsigned char used[32]; /* function bitmask per slot */
    owner owners[32][8];
} pci_bus;

typedef struct {
    vr_address *addr;
    const char *what;
    long line;
    bool pcie;                /* prefers a root port on q35 */
    const vr_controller_def *ctrl;
} pci_dev;

typedef struct {
    vr_domain_def *def;
    bool q35;
    pci_bus *bus[256];
    pci_dev *devs;
    size_t n_devs;
    char **err;
} pci_state;

static const char *const controller_what[] = {
    "<controller type='usb'>", "<controller type='pci'>", "<controller type='sata'>",
    "<controller type='ide'>", "<controller type='scsi'>", "<controller type='virtio-serial'>",
};

static void add_dev(pci_state *st, vr_address *addr, const char *what, long line, bool pcie,
                    const vr_controller_def *ctrl)
{
    pci_dev *d = VR_PUSH(st->devs, st->n_devs);
    *d = (pci_dev){.addr = addr, .what = what, .line = line, .pcie = pcie, .ctrl = ctrl};
}

static bool slot_free(const pci_bus *b, unsigned slot)
{
    return b->used[slot] == 0;
}

static void take(pci_bus *b, unsigned slot, unsigned fn, const char *what, long line)
{
    b->used[slot] |= (unsigned char)(1u << fn);
    b->owners[slot][fn] = (owner){what, line};
}

static int conflict(pci_state *st, const pci_dev *d, const owner *o)
{
    const vr_address *a = d->addr;
    /* Blame the element further down the document. */
    if (o->line > d->line && d->line > 0)
        return vr_dom_error(o->line, st->err, "PCI address %04x:%02x:%02x.%x of %s is already "
                            "used by %s (line %ld)", a->domain, a->bus, a->slot, a->function,
                            o->what, d->what, d->line);
    if (o->line > 0)
        return vr_dom_error(d->line, st->err, "PCI address %04x:%02x:%02x.%x of %s is already "
                            "used by %s (line %ld)", a->domain, a->bus, a->slot, a->function,
                            d->what, o->what, o->line);
    return vr_dom_error(d->line, st->err, "PCI address %04x:%02x:%02x.%x of %s is already used "
                        "by %s", a->domain, a->bus, a->slot, a->function, d->what, o->what);
}

/* ---- the bus topology ---------------------------------------------------- */

static void make_buses(pci_state *st)
{
    st->bus[0] = vr_calloc(1, sizeof(pci_bus));
    st->bus[0]->kind = BUS_ROOT;
    for (size_t i = 0; i < st->def->n_controllers; i++) {
        const vr_controller_def *c = &st->def->controllers[i];
        if (c->type != VR_CONTROLLER_PCI || c->index == 0)
            continue;
        pci_bus *b = vr_calloc(1, sizeof(pci_bus));
        b->kind = strcmp(c->model, "pcie-root-port") == 0 ? BUS_ROOT_PORT : BUS_BRIDGE;
        st->bus[c->index] = b;
    }
    /* The machine's own functions. */
    take(st->bus[0], 0, 0, "the host bridge", 0);
    if (st->q35) {
        take(st->bus[0], 0x1f, 0, "the ICH9 LPC bridge", 0);
        take(st->bus[0], 0x1f, 2, "the built-in SATA controller", 0);
        take(st->bus[0], 0x1f, 3, "the ICH9 SMBus controller", 0);
    } else {
        take(st->bus[0], 1, 0, "the PIIX3 ISA bridge", 0);
        take(st->bus[0], 1, 1, "the built-in IDE controller", 0);
        take(st->bus[0], 1, 3, "the PIIX4 power management", 0);
    }
}

/* The controllers QEMU builds into the machine have fixed addresses. */
static int builtin_addr(pci_state *st, vr_controller_def *c, bool *builtin)
{
    unsigned slot = 0, fn = 0;
    *builtin = false;
    if (c->type == VR_CONTROLLER_SATA && c->index == 0 && st->q35)
        slot = 0x1f, fn = 2;
    else if (c->type == VR_CONTROLLER_IDE && c->index == 0 && !st->q35)
        slot = 1, fn = 1;
    else
        return 0;
    *builtin = true;
    vr_address *a = &c->addr;
    if (a->type == VR_ADDR_NONE) {
        set_pci(a, 0, slot, fn);
        return 0;
    }
    if (a->bus != 0 || a->slot != slot || a->function != fn)
        return vr_dom_error(c->line, st->err, "%s index 0 is built into the %s machine at "
                            "0000:00:%02x.%x", controller_what[c->type], st->q35 ? "q35" : "pc",
                            slot, fn);
    return 0;
}

static void collect(pci_state *st)
{
    vr_domain_def *def = st->def;
    /* The primary video first: it gets the slot guests expect. */
    if (def->n_videos > 0 && def->videos[0].model != VR_VIDEO_NONE &&
        def->videos[0].model != VR_VIDEO_RAMFB)
        add_dev(st, &def->videos[0].addr, "<video>", def->videos[0].line,
                def->videos[0].model == VR_VIDEO_VIRTIO, NULL);
    /* Root ports and bridges before the devices that may sit on them,
     * in index order. */
    for (unsigned idx = 1; idx < 256; idx++) {
        vr_controller_def *c = (vr_controller_def *)vr_domain_def_controller(def,
                                                                         VR_CONTROLLER_PCI, idx);
        if (c)
            add_dev(st, &c->addr, controller_what[c->type], c->line, false, c);
    }
    for (size_t i = 0; i < def->n_controllers; i++) {
        vr_controller_def *c = &def->controllers[i];
        if (c->type == VR_CONTROLLER_PCI || !vr_controller_needs_pci(c))
            continue;
        bool pcie = c->type == VR_CONTROLLER_SCSI || c->type == VR_CONTROLLER_VIRTIO_SERIAL ||
                    (c->type == VR_CONTROLLER_USB && strstr(c->model, "xhci"));
        add_dev(st, &c->addr, controller_what[c->type], c->line, pcie, c);
    }
    for (size_t i = 0; i < def->n_filesystems; i++)
        add_dev(st, &def->filesystems[i].addr, "<filesystem>", def->filesystems[i].line, true, NULL);
    for (size_t i = 0; i < def->n_interfaces; i++)
        add_dev(st, &def->interfaces[i].addr, "<interface>", def->interfaces[i].line,
                def->interfaces[i].model == VR_NET_MODEL_VIRTIO ||
                    def->interfaces[i].model == VR_NET_MODEL_E1000E, NULL);
    for (size_t i = 0; i < def->n_disks; i++)
        if (def->disks[i].bus == VR_DISK_BUS_VIRTIO)
            add_dev(st, &def->disks[i].addr, "<disk>", def->disks[i].line, true, NULL);
    /* A host PCI device: on a root port of q35, as libvirt puts one. */
    for (size_t i = 0; i < def->n_pci_hostdevs; i++)
        add_dev(st, &def->pci_hostdevs[i].addr, "<hostdev>", def->pci_hostdevs[i].line, true, NULL);
    for (size_t i = 1; i < def->n_videos; i++)
        if (def->videos[i].model != VR_VIDEO_RAMFB)
            add_dev(st, &def->videos[i].addr, "<video>", def->videos[i].line,
                    def->videos[i].model == VR_VIDEO_VIRTIO, NULL);
    for (size_t i = 0; i < def->n_inputs; i++)
        if (def->inputs[i].bus == VR_INPUT_BUS_VIRTIO)
            add_dev(st, &def->inputs[i].addr, "<input>", def->inputs[i].line, true, NULL);
    for (size_t i = 0; i < def->n_watchdogs; i++)
        if (def->watchdogs[i].model == VR_WATCHDOG_I6300ESB)
            add_dev(st, &def->watchdogs[i].addr, "<watchdog>", def->watchdogs[i].line, false, NULL);
    for (size_t i = 0; i < def->n_panics; i++)
        if (def->panics[i].model == VR_PANIC_PCI)
            add_dev(st, &def->panics[i].addr, "<panic>", def->panics[i].line, false, NULL);
    /* libvirt's order: sound cards before the balloon and RNGs. */
    for (size_t i = 0; i < def->n_sounds; i++)
        add_dev(st, &def->sounds[i].addr, "<sound>", def->sounds[i].line, false, NULL);
    if (def->memballoon.model == VR_MEMBALLOON_VIRTIO)
        add_dev(st, &def->memballoon.addr, "<memballoon>", def->memballoon.line, true, NULL);
    for (size_t i = 0; i < def->n_rngs; i++)
        add_dev(st, &def->rngs[i].addr, "<rng>", def->rngs[i].line, true, NULL);
    for (size_t i = 0; i < def->n_shmems; i++)
        add_dev(st, &def->shmems[i].addr, "<shmem>", def->shmems[i].line, false, NULL);
    if (def->vsock.present)
        add_dev(st, &def->vsock.addr, "<vsock>", def->vsock.line, true, NULL);
}

/* ---- given addresses -------------------------------------------------------- */

static int check_given(pci_state *st, pci_dev *d)
{
    vr_address *a = d->addr;
    pci_bus *b = st->bus[a->bus];
    if (!b)
        return vr_dom_error(d->line, st->err, "%s is on PCI bus %u, but there is no <controller "
                            "type='pci' index='%u'>", d->what, a->bus, a->bus);
    if (d->ctrl && d->ctrl->type == VR_CONTROLLER_PCI) {
        if (a->bus >= d->ctrl->index)
            return vr_dom_error(d->line, st->err, "PCI controller %u must sit on a bus with a "
                                "lower index, not on bus %u", d->ctrl->index, a->bus);
        if (strcmp(d->ctrl->model, "pcie-root-port") == 0 && b->kind != BUS_ROOT)
            return vr_dom_error(d->line, st->err, "a pcie-root-port sits on the root bus (bus 0)");
    }
    if (b->kind == BUS_ROOT_PORT && a->slot != 0)
        return vr_dom_error(d->line, st->err, "%s: a pcie-root-port (bus %u) has slot 0 only",
                            d->what, a->bus);
    if (b->kind == BUS_BRIDGE && a->slot == 0)
        return vr_dom_error(d->line, st->err, "%s: slot 0 of a pci-bridge (bus %u) is not usable",
                            d->what, a->bus);
    if (b->used[a->slot] & (1u << a->function))
        return conflict(st, d, &b->owners[a->slot][a->function]);
    take(b, a->slot, a->function, d->what, d->line);
    return 0;
}

/* ---- assignment -------------------------------------------------------------- */

static void place(pci_state *st, pci_dev *d, unsigned bus, unsigned slot, unsigned fn)
{
    set_pci(d->addr, bus, slot, fn);
    take(st->bus[bus], slot, fn, d->what, d->line);
}

static bool find_slot(pci_state *st, const pci_dev *d, unsigned *bus, unsigned *slot)
{
    if (st->q35 && d->pcie)
        for (unsigned i = 1; i < 256; i++)
            if (st->bus[i] && st->bus[i]->kind == BUS_ROOT_PORT && slot_free(st->bus[i], 0)) {
                *bus = i, *slot = 0;
                return true;
            }
    for (unsigned s = 1; s < 32; s++)
        if (slot_free(st->bus[0], s)) {
            *bus = 0, *slot = s;
            return true;
        }
    for (unsigned i = 1; i < 256; i++)
        if (st->bus[i] && st->bus[i]->kind == BUS_BRIDGE)
            for (unsigned s = 1; s < 32; s++)
                if (slot_free(st->bus[i], s)) {
                    *bus = i, *slot = s;
                    return true;
                }
    return false;
}

static int no_slot(pci_state *st, const pci_dev *d)
{
    return vr_dom_error(d->line, st->err, "no free PCI slot for %s (add a <controller "
                        "type='pci' model='%s'/>)", d->what,
                        st->q35 ? "pcie-root-port" : "pci-bridge");
}

/* Root ports are packed eight to a slot, function 0 multifunction. */
static int place_root_port(pci_state *st, pci_dev *d, unsigned *pack_slot, unsigned *pack_fn)
{
    if (*pack_slot == 0 || *pack_fn == 8 || (st->bus[0]->used[*pack_slot] & (1u << *pack_fn))) {
        unsigned s = 1;
        while (s < 32 && !slot_free(st->bus[0], s))
            s++;
        if (s == 32)
            return no_slot(st, d);
        *pack_slot = s;
        *pack_fn = 0;
    }
    place(st, d, 0, *pack_slot, *pack_fn);
    if (*pack_fn == 1)
        for (size_t i = 0; i < st->n_devs; i++) {
            vr_address *a = st->devs[i].addr;
            if (a->type == VR_ADDR_PCI && a->bus == 0 && a->slot == *pack_slot && a->function == 0)
                a->multifunction = true;
        }
    (*pack_fn)++;
    return 0;
}

static int place_ich9_usb(pci_state *st, pci_dev *d)
{
    const vr_domain_def *def = st->def;
    const char *model = d->ctrl->model;
    size_t members = 0;
    unsigned bus = 0, slot = 0;
    for (size_t i = 0; i < def->n_controllers; i++) {
        const vr_controller_def *o = &def->controllers[i];
        if (o->type != VR_CONTROLLER_USB || o->index != d->ctrl->index ||
            !vr_str_starts(o->model, "ich9-"))
            continue;
        members++;
        if (o != d->ctrl && o->addr.type == VR_ADDR_PCI && !slot)
            bus = o->addr.bus, slot = o->addr.slot;
    }
    unsigned fn = strcmp(model, "ich9-ehci1") == 0 ? (members > 1 ? 7 : 0)
                                                    : (unsigned)(model[strlen("ich9-uhci")] - '1');
    if (!slot && !find_slot(st, &(pci_dev){.pcie = false}, &bus, &slot))
        return no_slot(st, d);
    if (st->bus[bus]->used[slot] & (1u << fn))
        return conflict(st, d, &st->bus[bus]->owners[slot][fn]);
    place(st, d, bus, slot, fn);
    d->addr->multifunction = fn == 0 && members > 1;
    return 0;
}

static int assign(pci_state *st, pci_dev *d, unsigned *pack_slot, unsigned *pack_fn)
{
    if (d->ctrl && d->ctrl->type == VR_CONTROLLER_PCI) {
        if (strcmp(d->ctrl->model, "pcie-root-port") == 0)
            return place_root_port(st, d, pack_slot, pack_fn);
        unsigned s = 1;
        while (s < 32 && !slot_free(st->bus[0], s))
            s++;
        if (s == 32)
            return no_slot(st, d);
        place(st, d, 0, s, 0);
        return 0;
    }
    const vr_domain_def *def = st->def;
    if (def->n_videos > 0 && d->addr == &def->videos[0].addr) {
        unsigned s = st->q35 ? 1 : 2;
        if (slot_free(st->bus[0], s)) {
            place(st, d, 0, s, 0);
            return 0;
        }
    }
    /* ICH9's USB set shares one slot as the real chip has it: the
     * companions uhci1..3 on functions 0-2, the EHCI master on 7. */
    if (d->ctrl && d->ctrl->type == VR_CONTROLLER_USB && vr_str_starts(d->ctrl->model, "ich9-"))
        return place_ich9_usb(st, d);
    /* A PIIX3 USB controller goes where the real chip has it. */
    if (!st->q35 && d->ctrl && d->ctrl->type == VR_CONTROLLER_USB &&
        strcmp(d->ctrl->model, "piix3-uhci") == 0 && !(st->bus[0]->used[1] & (1u << 2))) {
        place(st, d, 0, 1, 2);
        return 0;
    }
    unsigned bus, slot;
    if (!find_slot(st, d, &bus, &slot))
        return no_slot(st, d);
    place(st, d, bus, slot, 0);
    return 0;
}

/* QEMU hides functions 1-7 of a slot whose function 0 is not
 * multifunction; the machine's own slots are multifunction already. */
static int check_multifunction(pci_state *st)
{
    for (size_t i = 0; i < st->n_devs; i++) {
        const pci_dev *d = &st->devs[i];
        const vr_address *a = d->addr;
        if (a->function == 0)
            continue;
        if (a->bus == 0 && a->slot == (st->q35 ? 0x1fu : 1u))
            continue;
        const pci_dev *fn0 = NULL;
        for (size_t k = 0; k < st->n_devs && !fn0; k++) {
            const vr_address *b = st->devs[k].addr;
            if (b->bus == a->bus && b->slot == a->slot && b->function == 0)
                fn0 = &st->devs[k];
        }
        if (!fn0)
            return vr_dom_error(d->line, st->err, "%s is on PCI function %02x:%02x.%x but "
                                "nothing is on function 0 of that slot", d->what, a->bus,
                                a->slot, a->function);
        if (!fn0->addr->multifunction)
            return vr_dom_error(fn0->line, st->err, "PCI slot %02x:%02x holds several functions, "
                                "so %s on function 0 needs <address multifunction='on'>",
                                a->bus, a->slot, fn0->what);
    }
    return 0;
}

/* Free root ports after the given addresses are taken, and the PCIe
 * devices still waiting for a slot: what add_root_ports weighs. */
static void root_port_balance(const pci_state *st, unsigned *free_ports, unsigned *waiting)
{
    *free_ports = *waiting = 0;
    for (unsigned i = 1; i < 256; i++)
        if (st->bus[i] && st->bus[i]->kind == BUS_ROOT_PORT && slot_free(st->bus[i], 0))
            (*free_ports)++;
    for (size_t i = 0; i < st->n_devs; i++)
        if (st->devs[i].pcie && st->devs[i].addr->type == VR_ADDR_NONE)
            (*waiting)++;
}

static void add_root_port(vr_domain_def *def)
{
    unsigned idx = 1;
    while (idx < 256 && vr_domain_def_controller(def, VR_CONTROLLER_PCI, idx))
        idx++;
    if (idx == 256)
        return; /* every PCI index is taken: the devices say so when they find no slot */
    vr_controller_def *c = VR_PUSH(def->controllers, def->n_controllers);
    c->type = VR_CONTROLLER_PCI;
    c->index = idx;
    c->model = vr_strdup("pcie-root-port");
}

/* One pass; *short_by (when not NULL) asks for the number of root ports
 * missing and returns before anything is assigned if some are. */
static int assign_pass(vr_domain_def *def, unsigned *short_by, char **err)
{
    pci_state st = {.def = def, .q35 = vr_domain_def_is_q35(def), .err = err};
    int rc = 0;
    make_buses(&st);
    collect(&st);
    for (size_t i = 0; i < st.n_devs && rc == 0; i++) {
        pci_dev *d = &st.devs[i];
        bool builtin = false;
        if (d->ctrl)
            rc = builtin_addr(&st, (vr_controller_def *)d->ctrl, &builtin);
        if (rc == 0 && builtin) {
            /* Own the machine's function under the controller's name. */
            owner *o = &st.bus[0]->owners[d->addr->slot][d->addr->function];
            *o = (owner){d->what, d->line};
        } else if (rc == 0 && d->addr->type == VR_ADDR_PCI) {
            rc = check_given(&st, d);
        }
    }
    if (rc == 0 && short_by) {
        unsigned free_ports, waiting;
        root_port_balance(&st, &free_ports, &waiting);
        unsigned want = waiting + VR_SPARE_ROOT_PORTS;
        *short_by = free_ports < want ? want - free_ports : 0;
        if (*short_by)
            goto out;
    }
    unsigned pack_slot = 0, pack_fn = 0;
    for (size_t i = 0; i < st.n_devs && rc == 0; i++)
        if (st.devs[i].addr->type == VR_ADDR_NONE)
            rc = assign(&st, &st.devs[i], &pack_slot, &pack_fn);
    if (rc == 0)
        rc = check_multifunction(&st);
    /* Root ports: libvirt's chassis (the index) and port (slot << 3 |
     * function) when not given; bridges: chassisNr = index. */
    for (size_t i = 0; i < def->n_controllers && rc == 0; i++) {
        vr_controller_def *c = &def->controllers[i];
        if (c->type != VR_CONTROLLER_PCI || c->index == 0)
            continue;
        if (!c->chassis)
            c->chassis = c->index;
        if (!c->port && strcmp(c->model, "pcie-root-port") == 0)
            c->port = c->addr.slot << 3 | c->addr.function;
    }
out:
    for (unsigned i = 0; i < 256; i++)
        free(st.bus[i]);
    free(st.devs);
    return rc;
}

int vr_domain_assign_pci(vr_domain_def *def, bool add_root_ports, char **err)
{
    /* libvirt gives each new PCIe device on q35 a root port of its own
     * at define time; Vireo also keeps VR_SPARE_ROOT_PORTS free, since
     * QEMU cannot hot-plug a root port and q35's root bus takes no
     * hot-plugged device. Only a new definition grows: a running
     * domain's ports are the ones QEMU has. */
    if (add_root_ports && vr_domain_def_is_q35(def)) {
        unsigned short_by = 0;
        if (assign_pass(def, &short_by, err) < 0)
            return -1;
        for (unsigned i = 0; i < short_by; i++)
            add_root_port(def);
    }
    return assign_pass(def, NULL, err);
}
