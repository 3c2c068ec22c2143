/* vr_domain_def -> QEMU argv. Each element of the definition has one
 * function below; the mapping is documented in docs/xml-domain.md. */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define DEFAULT_EMULATOR "qemu-system-x86_64"

void vr_qc_add(cmd *c, const char *s)
{
    if (c->n + 2 > c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = vr_realloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = vr_strdup(s);
    c->v[c->n] = NULL;
}

void vr_qc_opt(cmd *c, const char *option, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vr_vasprintf(fmt, ap);
    va_end(ap);
    vr_qc_add(c, option);
    vr_qc_add(c, v);
    free(v);
}

int vr_qc_fail(cmd *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = vr_vasprintf(fmt, ap);
    va_end(ap);
    if (!c->failed)
        vr_set_error(c->err, "%s", m);
    free(m);
    c->failed = -1;
    return -1;
}

void vr_qc_props(cmd *c, const char *option, vr_qprops *p)
{
    char *v = vr_qp_keyval(p);
    vr_qc_add(c, option);
    vr_qc_add(c, v);
    free(v);
    vr_qp_free(p);
}

void vr_qc_device_props(cmd *c, const vr_address *a, vr_qprops *p)
{
    vr_qemu_pci_props(p, c->q35, a);
    vr_qc_props(c, "-device", p);
}

void vr_qemu_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

/* A path in the runtime dir, checked against sun_path. */
char *vr_qc_socket_path(cmd *c, const char *name)
{
    char *path = vr_asprintf("%s/%s", c->rt->runtime_dir, name);
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        vr_qc_fail(c, "socket path %s is too long for a unix socket (at most %zu bytes); use a "
             "shorter runtime directory", path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
    }
    return path;
}

/* -chardev socket,id=ID,path=RUNTIME/FILE,server=on,wait=off. No
 * logfile= for the serial port: QEMU logs a character again each time
 * the socket answers EAGAIN and the UART retries it (a reader behind
 * doubles characters), so the serial logger logs what it reads
 * (serial_logger.c). */
static void vr_qc_socket_chardev(cmd *c, const char *id, const char *file)
{
    char *path = vr_qc_socket_path(c, file);
    vr_qprops *p = vr_qp_new("backend", "socket");
    vr_qp_str(p, "id", id);
    vr_qp_str(p, "path", path);
    vr_qp_bool(p, "server", true);
    vr_qp_bool(p, "wait", false);
    vr_qc_props(c, "-chardev", p);
    free(path);
}

/* bus=pci.0,addr=0x3 (and ".0xF", multifunction=on) */
void vr_qemu_pci_props(vr_qprops *p, bool q35, const vr_address *a)
{
    if (a->type != VR_ADDR_PCI)
        return;
    if (a->bus == 0)
        vr_qp_str(p, "bus", q35 ? "pcie.0" : "pci.0");
    else
        vr_qp_strf(p, "bus", "pci.%u", a->bus);
    if (a->function)
        vr_qp_strf(p, "addr", "0x%x.0x%x", a->slot, a->function);
    else
        vr_qp_strf(p, "addr", "0x%x", a->slot);
    if (a->multifunction)
        vr_qp_bool(p, "multifunction", true);
}

/* Text already in key=value form (no value from the definition in it)
 * with the PCI address appended; values that come from a definition go
 * through vr_qc_device_props, which escapes them. */
void vr_qc_device(cmd *c, const vr_address *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vr_vasprintf(fmt, ap);
    va_end(ap);
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qemu_pci_props(p, c->q35, a);
    char *pci = vr_qp_keyval(p);
    vr_qc_opt(c, "-device", "%s%s%s", v, *pci ? "," : "", pci);
    free(pci);
    vr_qp_free(p);
    free(v);
}

/* "on"/"off" of a tristate that is set. */
static const char *onoff(vr_tristate t)
{
    return t == VR_TRISTATE_ON ? "on" : "off";
}

/* ---- machine, memory, CPU, clock, lifecycle -------------------------------- */

static void machine(cmd *c)
{
    const vr_domain_def *def = c->def;
    vr_qprops *p = vr_qp_new("type", def->os.machine);
    if (!def->features.acpi)
        vr_qp_bool(p, "acpi", false);
    if (def->features.vmport)
        vr_qp_str(p, "vmport", onoff(def->features.vmport));
    if (def->clock.hpet)
        vr_qp_str(p, "hpet", onoff(def->clock.hpet));
    if (def->features.smm)
        vr_qp_str(p, "smm", onoff(def->features.smm));
    if (def->mem_backing.nosharepages)
        vr_qp_bool(p, "mem-merge", false);
    if (vr_qc_machine_ram_backend(def))
        vr_qp_str(p, "memory-backend", "pc.ram");
    /* <ioapic driver='qemu'>: QEMU's IOAPIC beside KVM's LAPICs (TCG's
     * irqchip is QEMU's anyway). */
    if (c->kvm && def->ioapic)
        vr_qp_str(p, "kernel_irqchip", def->ioapic == VR_IOAPIC_QEMU ? "split" : "on");
    vr_qc_machine_pflash(c, p);
    vr_qc_props(c, "-machine", p);
    vr_qc_add(c, "-accel");
    vr_qc_add(c, c->rt->accel);
}

static void cpu(cmd *c)
{
    const vr_domain_def *def = c->def;
    vr_qc_memory(c);
    const vr_cpu_def *cpu = &def->cpu;
    /* <vcpu current='N'>M</vcpu>: N online, room for M (setvcpus). */
    char smp[16];
    snprintf(smp, sizeof(smp), "%u", def->vcpus_current);
    vr_qprops *sp = vr_qp_new("cpus", smp);
    if (def->vcpus_current != def->vcpus)
        vr_qp_uint(sp, "maxcpus", def->vcpus);
    if (cpu->sockets) {
        vr_qp_uint(sp, "sockets", cpu->sockets);
        vr_qp_uint(sp, "dies", cpu->dies);
        vr_qp_uint(sp, "cores", cpu->cores);
        vr_qp_uint(sp, "threads", cpu->threads);
    }
    vr_qc_props(c, "-smp", sp);
    vr_qprops *p = vr_qp_new(NULL, NULL);
    switch (cpu->mode) {
    case VR_CPU_NONE:
        break;
    case VR_CPU_HOST_PASSTHROUGH:
    case VR_CPU_HOST_MODEL:
        /* Under TCG there is no host CPU to pass through: "max" is
         * every feature TCG can emulate, the closest thing. */
        vr_qp_head(p, "model", c->kvm ? "host" : "max");
        if (c->kvm && cpu->migratable == VR_TRISTATE_OFF)
            vr_qp_bool(p, "migratable", false);
        break;
    case VR_CPU_MAXIMUM:
        vr_qp_head(p, "model", "max");
        break;
    case VR_CPU_CUSTOM:
        /* The emulator's own default (the model the definition got when
         * it had none, domain_defaults.c) goes without -cpu, as before
         * the definition named it; with features or kvm=off it is named. */
        if (cpu->n_features || def->features.kvm_hidden ||
            strcmp(cpu->model, vr_str_ends(c->v[0], "qemu-system-i386") ? "qemu32" : "qemu64") != 0)
            vr_qp_head(p, "model", cpu->model);
        break;
    }
    bool model = vr_qp_has_head(p) || cpu->mode == VR_CPU_CUSTOM;
    /* libvirt's policies: force, require and optional turn a feature on,
     * disable and forbid off. */
    for (size_t i = 0; model && i < cpu->n_features; i++)
        vr_qp_bool(p, cpu->features[i].name, cpu->features[i].policy < VR_FEATURE_DISABLE);
    if (model && def->features.kvm_hidden)
        vr_qp_bool(p, "kvm", def->features.kvm_hidden != VR_TRISTATE_ON);
    /* An i686 guest in qemu-system-x86_64 (an <emulator> that says so)
     * gets QEMU's 32-bit CPU unless the XML picks one. */
    if (!model && strcmp(def->os.arch, "i686") == 0 && def->emulator &&
        vr_str_ends(def->emulator, "qemu-system-x86_64"))
        vr_qp_head(p, "model", "qemu32");
    vr_qc_hyperv(c, p);
    if (vr_qp_empty(p))
        vr_qp_free(p);
    else
        vr_qc_props(c, "-cpu", p);
}

/* <sysinfo type='smbios'> with <smbios mode='sysinfo'>: QEMU's -smbios
 * type 0 (bios), 1 (system), 2 (baseBoard), 3 (chassis). */
static void smbios(cmd *c)
{
    static const char *const tables[] = {"bios", "system", "baseBoard", "chassis"};
    const vr_domain_def *def = c->def;
    if (def->os.smbios != VR_SMBIOS_SYSINFO)
        return;
    for (size_t t = 0; t < VR_ARRAY_LEN(tables); t++) {
        vr_qprops *p = vr_qp_new(NULL, NULL);
        vr_qp_uint(p, "type", t);
        bool any = false;
        for (size_t i = 0; i < def->n_smbios; i++) {
            const vr_smbios_entry *e = &def->smbios[i];
            if (strcmp(e->table, tables[t]) != 0)
                continue;
            vr_qp_str(p, e->name, e->value);
            any = true;
        }
        if (any)
            vr_qc_props(c, "-smbios", p);
        else
            vr_qp_free(p);
    }
}

/* -global DRIVER.PROPERTY=VALUE */
static void vr_qc_global(cmd *c, const char *driver, const char *property, const char *value)
{
    char *key = vr_asprintf("%s.%s", driver, property);
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, key, value);
    vr_qc_props(c, "-global", p);
    free(key);
}

static void clock_and_lifecycle(cmd *c)
{
    const vr_domain_def *def = c->def;
    vr_qprops *rtc = vr_qp_new(NULL, NULL);
    vr_qp_str(rtc, "base", def->clock.offset == VR_CLOCK_LOCALTIME ? "localtime" : "utc");
    if (def->clock.rtc_tickpolicy == VR_TICK_CATCHUP)
        vr_qp_str(rtc, "driftfix", "slew");
    vr_qc_props(c, "-rtc", rtc);
    /* The PIT's policy belongs to KVM's in-kernel PIT; TCG's has none. */
    if (c->kvm && def->clock.pit_tickpolicy)
        vr_qc_global(c, "kvm-pit", "lost_tick_policy",
                     def->clock.pit_tickpolicy == VR_TICK_DELAY ? "delay" : "discard");
    const char *pm = c->q35 ? "ICH9-LPC" : "PIIX4_PM";
    if (def->pm.suspend_to_mem)
        vr_qc_global(c, pm, "disable_s3", def->pm.suspend_to_mem == VR_TRISTATE_OFF ? "1" : "0");
    if (def->pm.suspend_to_disk)
        vr_qc_global(c, pm, "disable_s4", def->pm.suspend_to_disk == VR_TRISTATE_OFF ? "1" : "0");
    /* The other actions are the driver's: it sees the guest stop or
     * reset on QMP and acts. These two QEMU can do by itself. */
    if (def->on_reboot == VR_LIFECYCLE_DESTROY)
        vr_qc_add(c, "-no-reboot");
    if (def->on_poweroff == VR_LIFECYCLE_PRESERVE)
        vr_qc_add(c, "-no-shutdown");
}

static void firmware_and_kernel(cmd *c)
{
    const vr_os_def *os = &c->def->os;
    vr_qc_firmware(c);
    /* -kernel, -initrd and -append take their value whole: no quoting. */
    if (os->kernel) {
        vr_qc_add(c, "-kernel");
        vr_qc_add(c, os->kernel);
    }
    if (os->initrd) {
        vr_qc_add(c, "-initrd");
        vr_qc_add(c, os->initrd);
    }
    if (os->cmdline) {
        vr_qc_add(c, "-append");
        vr_qc_add(c, os->cmdline);
    }
    if (os->bootmenu) {
        vr_qprops *p = vr_qp_new(NULL, NULL);
        vr_qp_str(p, "menu", onoff(os->bootmenu));
        if (os->bootmenu == VR_TRISTATE_ON && os->bootmenu_timeout)
            vr_qp_uint(p, "splash-time", os->bootmenu_timeout);
        vr_qc_props(c, "-boot", p);
    }
    /* SeaBIOS's screen on the serial port: the Serial Graphics Adapter. */
    if (os->bios_useserial)
        vr_qc_opt(c, "-device", "sga");
}

/* ---- boot order ---------------------------------------------------------------- */

/* bootindex per disk and interface. <boot order> gives it directly;
 * <os><boot dev> gives it to the first device of each kind, which is
 * what both SeaBIOS and OVMF honour. 0 = none. */
static void boot_indexes(const vr_domain_def *def, unsigned *disk_idx, unsigned *net_idx)
{
    for (size_t i = 0; i < def->n_disks; i++)
        disk_idx[i] = def->disks[i].boot_order;
    for (size_t i = 0; i < def->n_interfaces; i++)
        net_idx[i] = def->interfaces[i].boot_order;
    for (size_t k = 0; k < def->os.n_boot_devs; k++) {
        unsigned order = (unsigned)k + 1;
        switch (def->os.boot_devs[k]) {
        case VR_BOOT_HD:
        case VR_BOOT_CDROM: {
            vr_disk_device want = def->os.boot_devs[k] == VR_BOOT_HD ? VR_DISK_DEVICE_DISK
                                                                     : VR_DISK_DEVICE_CDROM;
            for (size_t i = 0; i < def->n_disks; i++)
                if (def->disks[i].device == want) {
                    disk_idx[i] = order;
                    break;
                }
            break;
        }
        case VR_BOOT_NETWORK:
            if (def->n_interfaces)
                net_idx[0] = order;
            break;
        }
    }
}

/* ---- controllers ---------------------------------------------------------------- */

static const char *usb_device(const char *model)
{
    static const char *const map[][2] = {
        {"qemu-xhci", "qemu-xhci"},       {"nec-xhci", "nec-usb-xhci"},
        {"piix3-uhci", "piix3-usb-uhci"}, {"piix4-uhci", "piix4-usb-uhci"},
        {"ehci", "usb-ehci"},             {"ich9-ehci1", "ich9-usb-ehci1"},
        {"ich9-uhci1", "ich9-usb-uhci1"}, {"ich9-uhci2", "ich9-usb-uhci2"},
        {"ich9-uhci3", "ich9-usb-uhci3"},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(map); i++)
        if (strcmp(model, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/* intel-iommu before the PCI devices it translates for (QEMU wants it
 * first); its options as the XML gives them. */
static void iommu(cmd *c)
{
    const vr_iommu_def *m = &c->def->iommu;
    if (!m->present)
        return;
    static const char *const names[] = {"intremap", "caching-mode", "eim", "device-iotlb"};
    const vr_tristate fields[] = {m->intremap, m->caching_mode, m->eim, m->iotlb};
    vr_qprops *p = vr_qp_new("driver", "intel-iommu");
    vr_qp_str(p, "id", "iommu0");
    for (int k = 0; k < 4; k++)
        if (fields[k])
            vr_qp_str(p, names[k], onoff(fields[k]));
    vr_qc_props(c, "-device", p);
}

static void controllers(cmd *c)
{
    const vr_domain_def *def = c->def;
    /* Buses before what sits on them: PCI controllers by index. */
    for (unsigned idx = 1; idx < 256; idx++) {
        const vr_controller_def *p = vr_domain_def_controller(def, VR_CONTROLLER_PCI, idx);
        if (!p)
            continue;
        bool root_port = strcmp(p->model, "pcie-root-port") == 0;
        vr_qprops *d = vr_qp_new("driver", root_port ? "pcie-root-port" : "pci-bridge");
        if (root_port) {
            vr_qp_strf(d, "port", "0x%x", p->port);
            vr_qp_uint(d, "chassis", p->chassis);
        } else {
            vr_qp_uint(d, "chassis_nr", p->chassis);
        }
        vr_qp_strf(d, "id", "pci.%u", p->index);
        vr_qc_device_props(c, &p->addr, d);
    }
    for (size_t i = 0; i < def->n_controllers; i++) {
        const vr_controller_def *k = &def->controllers[i];
        switch (k->type) {
        case VR_CONTROLLER_USB: {
            const char *dev = usb_device(k->model);
            if (!dev)
                break; /* model none */
            vr_qprops *p = vr_qp_new("driver", dev);
            /* ICH9's UHCI companions serve ports of their EHCI master. */
            if (vr_str_starts(k->model, "ich9-uhci")) {
                vr_qp_str(p, "masterbus", "usb.0");
                vr_qp_uint(p, "firstport", k->startport);
            } else {
                vr_qp_str(p, "id", "usb");
                if (k->ports && strstr(k->model, "xhci")) {
                    vr_qp_uint(p, "p2", k->ports);
                    vr_qp_uint(p, "p3", k->ports);
                }
            }
            vr_qc_device_props(c, &k->addr, p);
            break;
        }
        case VR_CONTROLLER_SATA:
            /* q35's first AHCI is built in (its buses are ide.0-5). */
            if (!(c->q35 && k->index == 0)) {
                vr_qprops *p = vr_qp_new("driver", "ahci");
                vr_qp_strf(p, "id", "sata%u", k->index);
                vr_qc_device_props(c, &k->addr, p);
            }
            break;
        case VR_CONTROLLER_SCSI: {
            vr_qprops *p = vr_qp_new("driver", "virtio-scsi-pci");
            vr_qp_strf(p, "id", "scsi%u", k->index);
            if (k->queues)
                vr_qp_uint(p, "num_queues", k->queues);
            if (k->iothread)
                vr_qp_strf(p, "iothread", "iothread%u", k->iothread);
            vr_qc_device_props(c, &k->addr, p);
            break;
        }
        case VR_CONTROLLER_VIRTIO_SERIAL: {
            vr_qprops *p = vr_qp_new("driver", "virtio-serial-pci");
            vr_qp_strf(p, "id", "virtio-serial%u", k->index);
            if (k->ports)
                vr_qp_uint(p, "max_ports", k->ports);
            if (k->vectors)
                vr_qp_uint(p, "vectors", k->vectors);
            vr_qc_device_props(c, &k->addr, p);
            break;
        }
        case VR_CONTROLLER_PCI:
        case VR_CONTROLLER_IDE: /* PIIX3's, built in */
            break;
        }
    }
}

/* ---- disks ------------------------------------------------------------------------- */

static const char *disk_path(cmd *c, const vr_disk_def *d)
{
    if (d->type != VR_DISK_VOLUME)
        return d->source_path;
    if (!d->resolved_path)
        vr_qc_fail(c, "disk %s uses volume '%s' of pool '%s', which has not been resolved to a path",
             d->target_dev, d->source_volume, d->source_pool);
    return d->resolved_path;
}

/* libvirt's mapping of the cache modes onto the nodes (cache.direct,
 * cache.no-flush) and the device (write-cache); -1: QEMU's default. */
static const struct {
    int direct, no_flush, write_cache;
} cache_modes[] = {
    [VR_DISK_CACHE_DEFAULT] = {-1, -1, -1},     [VR_DISK_CACHE_NONE] = {1, 0, 1},
    [VR_DISK_CACHE_WRITETHROUGH] = {0, 0, 0},   [VR_DISK_CACHE_WRITEBACK] = {0, 0, 1},
    [VR_DISK_CACHE_DIRECTSYNC] = {1, 0, 0},     [VR_DISK_CACHE_UNSAFE] = {0, 1, 1},
};

/* read-only, aio (the protocol node's), discard and cache of a node. */
static void node_options(vr_qprops *p, const vr_disk_def *d, bool aio)
{
    static const char *const aio_modes[] = {NULL, "native", "threads", "io_uring"};
    static const char *const discard[] = {NULL, "unmap", "ignore"};
    if (d->readonly)
        vr_qp_bool(p, "read-only", true);
    if (aio)
        vr_qp_str(p, "aio", aio_modes[d->io]);
    vr_qp_str(p, "discard", discard[d->discard]);
    if (cache_modes[d->cache].direct >= 0) {
        vr_qp_bool(p, "cache.direct", cache_modes[d->cache].direct);
        vr_qp_bool(p, "cache.no-flush", cache_modes[d->cache].no_flush);
    }
}

vr_qprops *vr_qemu_disk_file_node(const vr_disk_def *d, const char *path)
{
    const char *proto = "file";
    if (d->type == VR_DISK_BLOCK || (d->type == VR_DISK_VOLUME && vr_str_starts(path, "/dev/")))
        proto = d->device == VR_DISK_DEVICE_CDROM ? "host_cdrom" : "host_device";
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", proto);
    vr_qp_str(p, "filename", path);
    vr_qp_strf(p, "node-name", "file-%s", d->target_dev);
    node_options(p, d, true);
    return p;
}

vr_qprops *vr_qemu_disk_format_node(const vr_disk_def *d)
{
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", d->format == VR_DISK_QCOW2 ? "qcow2" : "raw");
    vr_qp_strf(p, "node-name", "drive-%s", d->target_dev);
    vr_qp_strf(p, "file", "file-%s", d->target_dev);
    node_options(p, d, false);
    return p;
}

/* <driver error_policy rerror_policy> as libvirt maps them: werror is the
 * policy (enospace spelled enospc), rerror the read policy, or the write
 * one where none is given and that one is not enospace. */
static void disk_error_policy(vr_qprops *p, const vr_disk_def *d)
{
    static const char *const qemu_names[] = {NULL, "stop", "report", "ignore", "enospc"};
    vr_disk_error_policy r = d->rerror_policy;
    if (!r && d->error_policy != VR_DISK_ERROR_POLICY_ENOSPACE)
        r = d->error_policy;
    vr_qp_str(p, "werror", qemu_names[d->error_policy]);
    vr_qp_str(p, "rerror", qemu_names[r]);
}

vr_qprops *vr_qemu_disk_device(const vr_disk_def *d, bool q35, bool has_medium, unsigned bootindex)
{
    bool cd = d->device == VR_DISK_DEVICE_CDROM;
    const vr_address *a = &d->addr;
    vr_qprops *p = vr_qp_new("driver", NULL);
    switch (d->bus) {
    case VR_DISK_BUS_VIRTIO:
        vr_qp_head(p, "driver", "virtio-blk-pci");
        if (d->iothread)
            vr_qp_strf(p, "iothread", "iothread%u", d->iothread);
        break;
    case VR_DISK_BUS_IDE:
        vr_qp_head(p, "driver", cd ? "ide-cd" : "ide-hd");
        vr_qp_strf(p, "bus", "ide.%u", a->bus);
        vr_qp_uint(p, "unit", a->unit);
        break;
    case VR_DISK_BUS_SATA:
        /* One device per AHCI port: the port is the unit. */
        vr_qp_head(p, "driver", cd ? "ide-cd" : "ide-hd");
        if (q35 && a->controller == 0)
            vr_qp_strf(p, "bus", "ide.%u", a->unit);
        else
            vr_qp_strf(p, "bus", "sata%u.%u", a->controller, a->unit);
        break;
    case VR_DISK_BUS_SCSI:
        vr_qp_head(p, "driver", cd ? "scsi-cd" : "scsi-hd");
        vr_qp_strf(p, "bus", "scsi%u.0", a->controller);
        vr_qp_uint(p, "channel", 0);
        vr_qp_uint(p, "scsi-id", a->target);
        vr_qp_uint(p, "lun", a->unit);
        break;
    }
    if (has_medium)
        vr_qp_strf(p, "drive", "drive-%s", d->target_dev);
    vr_qp_str(p, "id", d->target_dev);
    if (bootindex)
        vr_qp_uint(p, "bootindex", bootindex);
    /* The drive's serial number and write sharing (<shareable/>) go
     * with the write cache on the device. */
    if (cache_modes[d->cache].write_cache >= 0)
        vr_qp_str(p, "write-cache", cache_modes[d->cache].write_cache ? "on" : "off");
    vr_qp_str(p, "serial", d->serial);
    disk_error_policy(p, d);
    if (d->shareable)
        vr_qp_bool(p, "share-rw", true);
    vr_qemu_pci_props(p, q35, a);
    return p;
}

bool vr_qemu_disk_on_network(const vr_disk_def *d, const char *path)
{
    return d->type == VR_DISK_NETWORK ||
           (d->type == VR_DISK_VOLUME && path && (vr_str_starts(path, "iscsi://") || vr_str_starts(path, "rbd://")));
}

/* <source protocol='http|https' name='PATH'><host name port/>: QEMU's
 * curl driver at libvirt's URL, scheme://HOST[:PORT]/PATH (read-only). */
static vr_qprops *web_node(const vr_disk_def *d)
{
    const vr_disk_host *h = &d->hosts[0];
    char port[16] = "";
    if (h->port)
        snprintf(port, sizeof(port), ":%u", h->port);
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", vr_disk_protocol_names[d->protocol]);
    vr_qp_strf(p, "url", strchr(h->name, ':') ? "%s://[%s]%s%s%s" : "%s://%s%s%s%s", vr_disk_protocol_names[d->protocol],
               h->name, port, d->source_name[0] == '/' ? "" : "/", d->source_name);
    vr_qp_strf(p, "node-name", "file-%s", d->target_dev);
    return p;
}

vr_qprops *vr_qemu_disk_net_node(const vr_disk_def *d, const char *path, const char *runtime_dir, vr_qprops **secret,
                                 char **err)
{
    if (d->type == VR_DISK_NETWORK && vr_disk_protocol_is_web(d->protocol)) {
        *secret = NULL;
        vr_qprops *p = web_node(d);
        node_options(p, d, false);
        return p;
    }
    bool iscsi = d->type == VR_DISK_NETWORK ? d->protocol == VR_DISK_PROTOCOL_ISCSI : vr_str_starts(path, "iscsi://");
    vr_qprops *p = d->type != VR_DISK_NETWORK ? (iscsi ? vr_qc_iscsi_node(d, path, secret, err)
                                                       : vr_qc_rbd_node(d, path, secret, err))
                   : iscsi                   ? vr_qc_iscsi_network_node(d, runtime_dir, secret)
                                             : vr_qc_rbd_network_node(d, runtime_dir, secret);
    if (p)
        node_options(p, d, false);
    return p;
}

/* Two -blockdev nodes per medium: the host file (protocol) and the
 * image format on top; the device takes the format node. */
static void disk_backend(cmd *c, const vr_disk_def *d, const char *path)
{
    /* Images QEMU reaches over the network itself: their own protocol
     * node, after the secret object of its password or key. */
    if (vr_qemu_disk_on_network(d, path)) {
        vr_qprops *secret = NULL;
        char *err = NULL;
        vr_qprops *p = vr_qemu_disk_net_node(d, path, c->rt->runtime_dir, &secret, &err);
        if (secret)
            vr_qc_props(c, "-object", secret);
        if (p)
            vr_qc_props(c, "-blockdev", p);
        else
            vr_qc_fail(c, "%s", err);
        free(err);
    } else {
        vr_qc_props(c, "-blockdev", vr_qemu_disk_file_node(d, path));
    }
    vr_qc_props(c, "-blockdev", vr_qemu_disk_format_node(d));
}

static void disks(cmd *c, const unsigned *bootidx)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        const char *path = d->type == VR_DISK_NETWORK ? d->source_name : disk_path(c, d);
        if (path)
            disk_backend(c, d, path);
        else if (d->device != VR_DISK_DEVICE_CDROM)
            continue; /* the volume error is set */
        vr_qc_props(c, "-device", vr_qemu_disk_device(d, c->q35, path != NULL, bootidx[i]));
    }
}

/* ---- network ---------------------------------------------------------------------- */

vr_qprops *vr_qemu_nic_device(const vr_interface_def *in, bool q35, const char *netdev,
                              const char *id, unsigned bootindex)
{
    static const char *const models[] = {"virtio-net-pci", "e1000", "rtl8139", "e1000e"};
    vr_qprops *p = vr_qp_new("driver", models[in->model]);
    vr_qp_str(p, "netdev", netdev);
    vr_qp_str(p, "id", id);
    vr_qp_str(p, "mac", in->mac);
    if (bootindex)
        vr_qp_uint(p, "bootindex", bootindex);
    vr_qemu_pci_props(p, q35, &in->addr);
    return p;
}

static void interfaces(cmd *c, const unsigned *bootidx)
{
    const vr_domain_def *def = c->def;
    size_t tap = 0;
    for (size_t i = 0; i < def->n_interfaces; i++) {
        const vr_interface_def *in = &def->interfaces[i];
        vr_qprops *nd = vr_qp_new("type", in->type == VR_NET_USER ? "user" : "tap");
        vr_qp_strf(nd, "id", "net%zu", i);
        if (in->type != VR_NET_USER) {
            const char *src = vr_interface_source(in);
            if (tap >= c->rt->n_tap_fds || !c->rt->tap_fds || c->rt->tap_fds[tap] < 0) {
                vr_qc_fail(c, "interface %zu (%s '%s', mac %s) needs a tap file descriptor, but %zu "
                     "were passed", i, vr_net_type_name(in->type), src, in->mac,
                     c->rt->n_tap_fds);
                vr_qp_free(nd);
                return;
            }
            vr_qp_strf(nd, "fd", "%d", c->rt->tap_fds[tap++]);
        }
        vr_qc_props(c, "-netdev", nd);
        char netdev[32], id[32];
        snprintf(netdev, sizeof(netdev), "net%zu", i);
        snprintf(id, sizeof(id), "nic%zu", i);
        vr_qc_props(c, "-device", vr_qemu_nic_device(in, c->q35, netdev, id, bootidx[i]));
    }
}

/* ---- character devices --------------------------------------------------------------- */

/* A port of a virtio-serial controller: virtconsole or virtserialport. */
static void virtio_port(cmd *c, const char *driver, const vr_address *a, const char *chardev,
                        const char *id, const char *name)
{
    vr_qprops *p = vr_qp_new("driver", driver);
    vr_qp_strf(p, "bus", "virtio-serial%u.0", a->controller);
    vr_qp_uint(p, "nr", a->port);
    vr_qp_str(p, "chardev", chardev);
    vr_qp_str(p, "id", id);
    vr_qp_str(p, "name", name);
    vr_qc_props(c, "-device", p);
}

/* -chardev spicevmc,id=ID,name=NAME */
void vr_qc_spicevmc(cmd *c, const char *id, const char *name)
{
    vr_qprops *p = vr_qp_new("backend", "spicevmc");
    vr_qp_str(p, "id", id);
    vr_qp_str(p, "name", name);
    vr_qc_props(c, "-chardev", p);
}

static void chars(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_serials; i++) {
        unsigned port = def->serials[i].port;
        char id[16], file[24];
        snprintf(id, sizeof(id), "serial%u", port);
        snprintf(file, sizeof(file), "serial%u.sock", port);
        /* Port 0 is the console: connected from the start to the serial
         * logger, which logs everything it writes. */
        if (port == 0 && c->rt->serial_fd > 0) {
            vr_qprops *p = vr_qp_new("backend", "socket");
            vr_qp_str(p, "id", id);
            vr_qp_uint(p, "fd", (unsigned)c->rt->serial_fd);
            vr_qc_props(c, "-chardev", p);
        } else {
            vr_qc_socket_chardev(c, id, file);
        }
        if (port == 0) {
            vr_qc_opt(c, "-serial", "chardev:%s", id);
        } else {
            vr_qprops *p = vr_qp_new("driver", "isa-serial");
            vr_qp_str(p, "chardev", id);
            vr_qp_uint(p, "index", port);
            vr_qc_props(c, "-device", p);
        }
    }
    for (size_t i = 0; i < def->n_consoles; i++) {
        const vr_console_def *con = &def->consoles[i];
        if (con->target != VR_CONSOLE_VIRTIO)
            continue; /* a serial console is serial port 0 itself */
        char id[16], file[24];
        snprintf(id, sizeof(id), "console%u", con->port);
        snprintf(file, sizeof(file), "console%u.sock", con->port);
        vr_qc_socket_chardev(c, id, file);
        virtio_port(c, "virtconsole", &con->addr, id, id, NULL);
    }
    for (size_t i = 0; i < def->n_channels; i++) {
        const vr_channel_def *ch = &def->channels[i];
        /* The guest agent's socket is the driver's; the SPICE agent's
         * port goes to the SPICE client. */
        const char *chardev = ch->type == VR_CHANNEL_UNIX ? "qga0" : "vdagent0";
        if (ch->type == VR_CHANNEL_UNIX)
            vr_qc_socket_chardev(c, chardev, "qga.sock");
        else
            vr_qc_spicevmc(c, chardev, "vdagent");
        char id[32];
        snprintf(id, sizeof(id), "channel%zu", i);
        virtio_port(c, "virtserialport", &ch->addr, chardev, id, ch->target_name);
    }
}

/* ---- input ---------------------------------------------------------------------------- */

static void inputs(cmd *c)
{
    static const char *const usb[] = {"usb-tablet", "usb-mouse", "usb-kbd"};
    static const char *const virtio[] = {"virtio-tablet-pci", "virtio-mouse-pci",
                                         "virtio-keyboard-pci"};
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_inputs; i++) {
        const vr_input_def *in = &def->inputs[i];
        if (in->bus == VR_INPUT_BUS_PS2)
            continue; /* the i8042 is part of the machine */
        bool on_usb = in->bus == VR_INPUT_BUS_USB;
        vr_qprops *p = vr_qp_new("driver", on_usb ? usb[in->type] : virtio[in->type]);
        vr_qp_strf(p, "id", "input%zu", i);
        if (on_usb) {
            vr_qp_str(p, "bus", "usb.0");
            vr_qp_uint(p, "port", in->addr.port);
        }
        vr_qc_device_props(c, &in->addr, p);
    }
}

/* <hostdev type='pci'>: QEMU's vfio-pci on its guest PCI address, as
 * libvirt writes it; hostdevN counts PCI ones first, then USB ones. The
 * group's /dev/vfio node is QEMU's to open (qemu_hostdev.c gave it). */
static void pci_hostdevs(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_pci_hostdevs; i++) {
        const vr_hostdev_pci_def *h = &def->pci_hostdevs[i];
        vr_qprops *p = vr_qp_new("driver", "vfio-pci");
        vr_qp_strf(p, "host", "%04x:%02x:%02x.%x", h->domain, h->bus, h->slot, h->function);
        vr_qp_strf(p, "id", "hostdev%zu", i);
        if (h->rombar)
            vr_qp_uint(p, "rombar", h->rombar == VR_TRISTATE_ON);
        if (h->rom_disabled)
            vr_qp_str(p, "romfile", "");
        else if (h->romfile)
            vr_qp_str(p, "romfile", h->romfile);
        vr_qc_device_props(c, &h->addr, p);
    }
}

/* <hostdev type='usb'>: QEMU's usb-host on the guest's USB port, the
 * host device named by vendor and product (wherever it is plugged in; QEMU
 * takes it when it appears) and/or by its host bus and device number. */
static void usb_hostdevs(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_usb_hostdevs; i++) {
        const vr_hostdev_usb_def *h = &def->usb_hostdevs[i];
        vr_qprops *p = vr_qp_new("driver", "usb-host");
        vr_qp_strf(p, "id", "hostdev%zu", def->n_pci_hostdevs + i);
        vr_qp_str(p, "bus", "usb.0");
        vr_qp_uint(p, "port", h->addr.port);
        if (h->has_addr) {
            vr_qp_uint(p, "hostbus", h->bus);
            vr_qp_uint(p, "hostaddr", h->device);
        }
        if (h->has_id) {
            vr_qp_strf(p, "vendorid", "0x%04x", h->vendor);
            vr_qp_strf(p, "productid", "0x%04x", h->product);
        }
        vr_qc_props(c, "-device", p);
    }
}

/* -device DRIVER,id=ID%zu at `a` */
static void simple_device(cmd *c, const vr_address *a, const char *driver, const char *id, size_t i)
{
    vr_qprops *p = vr_qp_new("driver", driver);
    vr_qp_strf(p, "id", "%s%zu", id, i);
    vr_qc_device_props(c, a, p);
}

static void misc_devices(cmd *c)
{
    const vr_domain_def *def = c->def;
    if (def->memballoon.model == VR_MEMBALLOON_VIRTIO) {
        vr_qprops *p = vr_qp_new("driver", "virtio-balloon-pci");
        vr_qp_str(p, "id", "balloon0");
        if (def->memballoon.stats_period)
            vr_qp_uint(p, "guest-stats-polling-interval", def->memballoon.stats_period);
        vr_qc_device_props(c, &def->memballoon.addr, p);
    }
    for (size_t i = 0; i < def->n_rngs; i++) {
        const vr_rng_def *r = &def->rngs[i];
        vr_qc_rng_backend(c, i, r);
        vr_qprops *p = vr_qp_new("driver", "virtio-rng-pci");
        vr_qp_strf(p, "rng", "objrng%zu", i);
        vr_qp_strf(p, "id", "rng%zu", i);
        if (r->rate_bytes) {
            vr_qp_uint(p, "max-bytes", r->rate_bytes);
            vr_qp_uint(p, "period", r->rate_period);
        }
        vr_qc_device_props(c, &r->addr, p);
    }
    /* One action for every watchdog (validation made them agree). */
    for (size_t i = 0; i < def->n_watchdogs; i++) {
        const vr_watchdog_def *w = &def->watchdogs[i];
        if (w->model == VR_WATCHDOG_I6300ESB)
            simple_device(c, &w->addr, "i6300esb", "watchdog", i);
        else if (w->model == VR_WATCHDOG_IB700)
            simple_device(c, &w->addr, "ib700", "watchdog", i);
        /* itco is part of q35's ICH9 LPC bridge: only its action. */
        if (i == 0) {
            vr_qprops *p = vr_qp_new(NULL, NULL);
            vr_qp_str(p, "watchdog", w->action);
            vr_qc_props(c, "-action", p);
        }
    }
    /* libvirt's ivshmem-plain: the host file mapped shared. */
    for (size_t i = 0; i < def->n_shmems; i++) {
        vr_qprops *o = vr_qp_new("qom-type", "memory-backend-file");
        vr_qp_strf(o, "id", "shmmem-shmem%zu", i);
        vr_qp_strf(o, "mem-path", "/dev/shm/%s", def->shmems[i].name);
        vr_qp_uint(o, "size", def->shmems[i].size);
        vr_qp_bool(o, "share", true);
        vr_qc_props(c, "-object", o);
        vr_qprops *p = vr_qp_new("driver", "ivshmem-plain");
        vr_qp_strf(p, "id", "shmem%zu", i);
        vr_qp_strf(p, "memdev", "shmmem-shmem%zu", i);
        vr_qc_device_props(c, &def->shmems[i].addr, p);
    }
    if (def->vsock.present) {
        unsigned cid = def->vsock.auto_cid && !def->vsock.cid ? c->rt->vsock_cid : def->vsock.cid;
        if (!cid)
            vr_qc_fail(c, "<vsock>: no guest context id (cid) was picked");
        vr_qprops *p = vr_qp_new("driver", "vhost-vsock-pci");
        vr_qp_str(p, "id", "vsock0");
        vr_qp_uint(p, "guest-cid", cid);
        vr_qc_device_props(c, &def->vsock.addr, p);
    }
    for (size_t i = 0; i < def->n_panics; i++)
        simple_device(c, &def->panics[i].addr,
                      def->panics[i].model == VR_PANIC_PCI ? "pvpanic-pci" : "pvpanic", "panic", i);
}

char **vr_qemu_build_argv(const vr_domain_def *def, const vr_qemu_runtime *rt, char **err)
{
    if (!rt || !rt->runtime_dir || !rt->pidfile || !rt->accel) {
        vr_set_error(err, "QEMU command line: runtime_dir, pidfile and accel are required");
        return NULL;
    }
    if (strcmp(rt->accel, "kvm") != 0 && strcmp(rt->accel, "tcg") != 0) {
        vr_set_error(err, "QEMU command line: accelerator '%s' is neither kvm nor tcg", rt->accel);
        return NULL;
    }
    cmd c = {.def = def, .rt = rt, .q35 = vr_domain_def_is_q35(def),
             .kvm = strcmp(rt->accel, "kvm") == 0, .err = err};
    /* i686 runs in qemu-system-i386 (Debian's qemu-system-x86 ships it),
     * whose CPUs are 32-bit, as libvirt picks it for that arch. */
    bool i686 = strcmp(def->os.arch, "i686") == 0;
    vr_qc_add(&c, def->emulator       ? def->emulator
                  : rt->emulator      ? rt->emulator
                  : i686              ? "qemu-system-i386"
                                      : DEFAULT_EMULATOR);
    vr_qprops *name = vr_qp_new(NULL, NULL);
    vr_qp_str(name, "guest", def->name);
    vr_qp_bool(name, "debug-threads", true);
    vr_qc_props(&c, "-name", name);
    vr_qc_opt(&c, "-uuid", "%s", def->uuid);
    vr_qc_add(&c, "-no-user-config");
    vr_qc_add(&c, "-nodefaults");
    machine(&c);
    vr_qc_add(&c, "-daemonize");
    vr_qc_add(&c, "-pidfile");
    vr_qc_add(&c, rt->pidfile);
    vr_qc_socket_chardev(&c, "qmp", "qmp.sock");
    vr_qc_opt(&c, "-mon", "chardev=qmp,mode=control");
    cpu(&c);
    smbios(&c);
    clock_and_lifecycle(&c);
    firmware_and_kernel(&c);
    vr_qc_opt(&c, "-msg", "timestamp=on");
    /* A throttled disk: its limits are set before the first instruction
     * (block_set_io_throttle, then cont: qemu_driver.c). */
    if (rt->start_paused || (!rt->incoming && vr_qemu_iotune_wanted(def)))
        vr_qc_add(&c, "-S");
    /* The state arrives later through migrate-incoming (qemu_save.c). */
    if (rt->incoming)
        vr_qc_opt(&c, "-incoming", "defer");

    unsigned *disk_boot = vr_calloc(def->n_disks + 1, sizeof(unsigned));
    unsigned *net_boot = vr_calloc(def->n_interfaces + 1, sizeof(unsigned));
    boot_indexes(def, disk_boot, net_boot);
    bool any_boot = false;
    for (size_t i = 0; i < def->n_disks; i++)
        any_boot |= disk_boot[i] != 0;
    for (size_t i = 0; i < def->n_interfaces; i++)
        any_boot |= net_boot[i] != 0;
    /* Boot only from the devices given, never fall through to others. */
    if (any_boot)
        vr_qc_opt(&c, "-boot", "strict=on");
    iommu(&c);
    controllers(&c);
    vr_qc_filesystems(&c);
    disks(&c, disk_boot);
    interfaces(&c, net_boot);
    free(disk_boot);
    free(net_boot);
    chars(&c);
    vr_qc_graphics(&c);
    inputs(&c);
    vr_qc_redirdevs(&c);
    pci_hostdevs(&c);
    usb_hostdevs(&c);
    vr_qc_smartcard(&c);
    vr_qc_sound(&c);
    misc_devices(&c);
    vr_qc_dimms(&c);
    vr_qc_tpm(&c);
    if (c.failed) {
        vr_qemu_argv_free(c.v);
        return NULL;
    }
    return c.v;
}
