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

char *vr_qemu_quote(const char *s)
{
    vr_strbuf b = {0};
    for (const char *p = s; *p; p++) {
        if (*p == ',')
            vr_strbuf_add(&b, ",,");
        else
            vr_strbuf_addn(&b, p, 1);
    }
    return vr_strbuf_take(&b);
}

void vr_qemu_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

/* A path in the runtime dir, quoted, checked against sun_path. */
char *vr_qc_socket_path(cmd *c, const char *name)
{
    char *path = vr_asprintf("%s/%s", c->rt->runtime_dir, name);
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        vr_qc_fail(c, "socket path %s is too long for a unix socket (at most %zu bytes); use a "
             "shorter runtime directory", path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
    }
    char *q = vr_qemu_quote(path);
    free(path);
    return q;
}

/* -chardev socket,id=ID,path=RUNTIME/FILE,server=on,wait=off[,logfile=...] */
static void vr_qc_socket_chardev(cmd *c, const char *id, const char *file, const char *log)
{
    char *path = vr_qc_socket_path(c, file);
    if (log) {
        char *q = vr_qemu_quote(log);
        vr_qc_opt(c, "-chardev", "socket,id=%s,path=%s,server=on,wait=off,logfile=%s,logappend=on",
            id, path, q);
        free(q);
    } else {
        vr_qc_opt(c, "-chardev", "socket,id=%s,path=%s,server=on,wait=off", id, path);
    }
    free(path);
}

/* ",bus=pci.0,addr=0x3" (and ".0xF", ",multifunction=on") */
char *vr_qc_pci_opts(const cmd *c, const vr_address *a)
{
    if (a->type != VR_ADDR_PCI)
        return vr_strdup("");
    char bus[16];
    if (a->bus == 0)
        snprintf(bus, sizeof(bus), "%s", c->q35 ? "pcie.0" : "pci.0");
    else
        snprintf(bus, sizeof(bus), "pci.%u", a->bus);
    char fn[16] = "";
    if (a->function)
        snprintf(fn, sizeof(fn), ".0x%x", a->function);
    return vr_asprintf(",bus=%s,addr=0x%x%s%s", bus, a->slot, fn,
                       a->multifunction ? ",multifunction=on" : "");
}

void vr_qc_device(cmd *c, const vr_address *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vr_vasprintf(fmt, ap);
    va_end(ap);
    char *p = vr_qc_pci_opts(c, a);
    vr_qc_opt(c, "-device", "%s%s", v, p);
    free(p);
    free(v);
}

/* ---- machine, memory, CPU, clock, lifecycle -------------------------------- */

static void machine(cmd *c)
{
    const vr_domain_def *def = c->def;
    vr_strbuf b = {0};
    vr_strbuf_add(&b, def->os.machine);
    if (!def->features.acpi)
        vr_strbuf_add(&b, ",acpi=off");
    if (def->features.vmport)
        vr_strbuf_addf(&b, ",vmport=%s", def->features.vmport == VR_TRISTATE_ON ? "on" : "off");
    if (def->clock.hpet)
        vr_strbuf_addf(&b, ",hpet=%s", def->clock.hpet == VR_TRISTATE_ON ? "on" : "off");
    if (def->features.smm)
        vr_strbuf_addf(&b, ",smm=%s", def->features.smm == VR_TRISTATE_ON ? "on" : "off");
    if (def->mem_backing.nosharepages)
        vr_strbuf_add(&b, ",mem-merge=off");
    if (vr_qc_machine_ram_backend(def))
        vr_strbuf_add(&b, ",memory-backend=pc.ram");
    /* <ioapic driver='qemu'>: QEMU's IOAPIC beside KVM's LAPICs (TCG's
     * irqchip is QEMU's anyway). */
    if (c->kvm && def->ioapic)
        vr_strbuf_add(&b, def->ioapic == VR_IOAPIC_QEMU ? ",kernel_irqchip=split" : ",kernel_irqchip=on");
    vr_qc_machine_pflash(c, &b);
    char *m = vr_strbuf_take(&b);
    vr_qc_add(c, "-machine");
    vr_qc_add(c, m);
    free(m);
    vr_qc_add(c, "-accel");
    vr_qc_add(c, c->rt->accel);
}

static void cpu(cmd *c)
{
    const vr_domain_def *def = c->def;
    vr_qc_memory(c);
    const vr_cpu_def *cpu = &def->cpu;
    /* <vcpu current='N'>M</vcpu>: N online, room for M (setvcpus). */
    char smp[32];
    if (def->vcpus_current != def->vcpus)
        snprintf(smp, sizeof(smp), "%u,maxcpus=%u", def->vcpus_current, def->vcpus);
    else
        snprintf(smp, sizeof(smp), "%u", def->vcpus);
    if (cpu->sockets)
        vr_qc_opt(c, "-smp", "%s,sockets=%u,dies=%u,cores=%u,threads=%u", smp, cpu->sockets,
                  cpu->dies, cpu->cores, cpu->threads);
    else
        vr_qc_opt(c, "-smp", "%s", smp);
    vr_strbuf b = {0};
    switch (cpu->mode) {
    case VR_CPU_NONE:
        break;
    case VR_CPU_HOST_PASSTHROUGH:
    case VR_CPU_HOST_MODEL:
        /* Under TCG there is no host CPU to pass through: "max" is
         * every feature TCG can emulate, the closest thing. */
        if (!c->kvm)
            vr_strbuf_add(&b, "max");
        else if (cpu->migratable == VR_TRISTATE_OFF)
            vr_strbuf_add(&b, "host,migratable=off");
        else
            vr_strbuf_add(&b, "host");
        break;
    case VR_CPU_MAXIMUM:
        vr_strbuf_add(&b, "max");
        break;
    case VR_CPU_CUSTOM:
        vr_strbuf_add(&b, cpu->model);
        break;
    }
    /* libvirt's policies: force, require and optional turn a feature on,
     * disable and forbid off. */
    for (size_t i = 0; b.len && i < cpu->n_features; i++)
        vr_strbuf_addf(&b, ",%s=%s", cpu->features[i].name,
                       cpu->features[i].policy >= VR_FEATURE_DISABLE ? "off" : "on");
    if (b.len && def->features.kvm_hidden)
        vr_strbuf_addf(&b, ",kvm=%s", def->features.kvm_hidden == VR_TRISTATE_ON ? "off" : "on");
    /* An i686 guest in qemu-system-x86_64 (an <emulator> that says so)
     * gets QEMU's 32-bit CPU unless the XML picks one. */
    if (!b.len && strcmp(def->os.arch, "i686") == 0 && def->emulator &&
        vr_str_ends(def->emulator, "qemu-system-x86_64"))
        vr_strbuf_add(&b, "qemu32");
    vr_qc_hyperv(c, &b);
    char *v = vr_strbuf_take(&b);
    if (v && *v)
        vr_qc_opt(c, "-cpu", "%s", v);
    free(v);
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
        vr_strbuf b = {0};
        vr_strbuf_addf(&b, "type=%zu", t);
        bool any = false;
        for (size_t i = 0; i < def->n_smbios; i++) {
            const vr_smbios_entry *e = &def->smbios[i];
            if (strcmp(e->table, tables[t]) != 0)
                continue;
            char *q = vr_qemu_quote(e->value);
            vr_strbuf_addf(&b, ",%s=%s", e->name, q);
            free(q);
            any = true;
        }
        char *v = vr_strbuf_take(&b);
        if (any)
            vr_qc_opt(c, "-smbios", "%s", v);
        free(v);
    }
}

static void clock_and_lifecycle(cmd *c)
{
    const vr_domain_def *def = c->def;
    vr_qc_opt(c, "-rtc", "base=%s%s", def->clock.offset == VR_CLOCK_LOCALTIME ? "localtime" : "utc",
        def->clock.rtc_tickpolicy == VR_TICK_CATCHUP ? ",driftfix=slew" : "");
    /* The PIT's policy belongs to KVM's in-kernel PIT; TCG's has none. */
    if (c->kvm && def->clock.pit_tickpolicy)
        vr_qc_opt(c, "-global", "kvm-pit.lost_tick_policy=%s",
            def->clock.pit_tickpolicy == VR_TICK_DELAY ? "delay" : "discard");
    const char *pm = c->q35 ? "ICH9-LPC" : "PIIX4_PM";
    if (def->pm.suspend_to_mem)
        vr_qc_opt(c, "-global", "%s.disable_s3=%d", pm, def->pm.suspend_to_mem == VR_TRISTATE_OFF);
    if (def->pm.suspend_to_disk)
        vr_qc_opt(c, "-global", "%s.disable_s4=%d", pm, def->pm.suspend_to_disk == VR_TRISTATE_OFF);
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
    if (os->bootmenu == VR_TRISTATE_ON && os->bootmenu_timeout)
        vr_qc_opt(c, "-boot", "menu=on,splash-time=%u", os->bootmenu_timeout);
    else if (os->bootmenu)
        vr_qc_opt(c, "-boot", "menu=%s", os->bootmenu == VR_TRISTATE_ON ? "on" : "off");
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
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "intel-iommu,id=iommu0");
    for (int k = 0; k < 4; k++)
        if (fields[k])
            vr_strbuf_addf(&b, ",%s=%s", names[k], fields[k] == VR_TRISTATE_ON ? "on" : "off");
    char *v = vr_strbuf_take(&b);
    vr_qc_opt(c, "-device", "%s", v);
    free(v);
}

/* ",A=a,B=b" for the ones that are not 0 (B's key may end in its
 * value's prefix: "iothread=iothread"). */
static void two_opts(char *buf, size_t n, const char *a, unsigned av, const char *b, unsigned bv)
{
    buf[0] = 0;
    if (av)
        snprintf(buf, n, ",%s=%u", a, av);
    if (bv)
        snprintf(buf + strlen(buf), n - strlen(buf), strchr(b, '=') ? ",%s%u" : ",%s=%u", b, bv);
}

static void controllers(cmd *c)
{
    const vr_domain_def *def = c->def;
    /* Buses before what sits on them: PCI controllers by index. */
    for (unsigned idx = 1; idx < 256; idx++) {
        const vr_controller_def *p = vr_domain_def_controller(def, VR_CONTROLLER_PCI, idx);
        if (!p)
            continue;
        if (strcmp(p->model, "pcie-root-port") == 0)
            vr_qc_device(c, &p->addr, "pcie-root-port,port=0x%x,chassis=%u,id=pci.%u", p->port,
                   p->chassis, p->index);
        else
            vr_qc_device(c, &p->addr, "pci-bridge,chassis_nr=%u,id=pci.%u", p->chassis, p->index);
    }
    for (size_t i = 0; i < def->n_controllers; i++) {
        const vr_controller_def *k = &def->controllers[i];
        switch (k->type) {
        case VR_CONTROLLER_USB: {
            const char *dev = usb_device(k->model);
            if (!dev)
                break; /* model none */
            /* ICH9's UHCI companions serve ports of their EHCI master. */
            if (vr_str_starts(k->model, "ich9-uhci"))
                vr_qc_device(c, &k->addr, "%s,masterbus=usb.0,firstport=%u", dev, k->startport);
            else if (k->ports && strstr(k->model, "xhci"))
                vr_qc_device(c, &k->addr, "%s,id=usb,p2=%u,p3=%u", dev, k->ports, k->ports);
            else
                vr_qc_device(c, &k->addr, "%s,id=usb", dev);
            break;
        }
        case VR_CONTROLLER_SATA:
            /* q35's first AHCI is built in (its buses are ide.0-5). */
            if (!(c->q35 && k->index == 0))
                vr_qc_device(c, &k->addr, "ahci,id=sata%u", k->index);
            break;
        case VR_CONTROLLER_SCSI: {
            char extra[64];
            two_opts(extra, sizeof(extra), "num_queues", k->queues, "iothread=iothread", k->iothread);
            vr_qc_device(c, &k->addr, "virtio-scsi-pci,id=scsi%u%s", k->index, extra);
            break;
        }
        case VR_CONTROLLER_VIRTIO_SERIAL: {
            char extra[64];
            two_opts(extra, sizeof(extra), "max_ports", k->ports, "vectors", k->vectors);
            vr_qc_device(c, &k->addr, "virtio-serial-pci,id=virtio-serial%u%s", k->index, extra);
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

/* libvirt's mapping of the cache modes onto -blockdev and the device. */
static void cache_opts(const vr_disk_def *d, const char **node, const char **wce)
{
    *node = "";
    *wce = "";
    switch (d->cache) {
    case VR_DISK_CACHE_DEFAULT:
        break;
    case VR_DISK_CACHE_NONE:
        *node = ",cache.direct=on,cache.no-flush=off";
        *wce = ",write-cache=on";
        break;
    case VR_DISK_CACHE_WRITETHROUGH:
        *node = ",cache.direct=off,cache.no-flush=off";
        *wce = ",write-cache=off";
        break;
    case VR_DISK_CACHE_WRITEBACK:
        *node = ",cache.direct=off,cache.no-flush=off";
        *wce = ",write-cache=on";
        break;
    case VR_DISK_CACHE_DIRECTSYNC:
        *node = ",cache.direct=on,cache.no-flush=off";
        *wce = ",write-cache=off";
        break;
    case VR_DISK_CACHE_UNSAFE:
        *node = ",cache.direct=off,cache.no-flush=on";
        *wce = ",write-cache=on";
        break;
    }
}

/* Two -blockdev nodes per medium: the host file (protocol) and the
 * image format on top; the device takes the format node. */
static void disk_backend(cmd *c, const vr_disk_def *d, const char *path)
{
    static const char *const aio[] = {"", ",aio=native", ",aio=threads", ",aio=io_uring"};
    static const char *const discard[] = {"", ",discard=unmap", ",discard=ignore"};
    const char *node, *wce;
    cache_opts(d, &node, &wce);
    const char *proto = "file";
    if (d->type == VR_DISK_BLOCK || (d->type == VR_DISK_VOLUME && vr_str_starts(path, "/dev/")))
        proto = d->device == VR_DISK_DEVICE_CDROM ? "host_cdrom" : "host_device";
    const char *ro = d->readonly ? ",read-only=on" : "";
    char *q = vr_qemu_quote(path);
    if (d->type == VR_DISK_VOLUME && vr_str_starts(path, "iscsi://")) {
        char *opts = vr_asprintf("%s%s%s", ro, discard[d->discard], node);
        vr_qc_iscsi_node(c, d, path, opts);
        free(opts);
    } else if (d->type == VR_DISK_VOLUME && vr_str_starts(path, "rbd://")) {
        char *opts = vr_asprintf("%s%s%s", ro, discard[d->discard], node);
        vr_qc_rbd_node(c, d, path, opts);
        free(opts);
    } else {
        vr_qc_opt(c, "-blockdev", "driver=%s,filename=%s,node-name=file-%s%s%s%s%s", proto, q,
            d->target_dev, ro, aio[d->io], discard[d->discard], node);
    }
    vr_qc_opt(c, "-blockdev", "driver=%s,node-name=drive-%s,file=file-%s%s%s%s",
        d->format == VR_DISK_QCOW2 ? "qcow2" : "raw", d->target_dev, d->target_dev, ro,
        discard[d->discard], node);
    free(q);
}

static void disks(cmd *c, const unsigned *bootidx)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        const char *path = disk_path(c, d);
        bool cd = d->device == VR_DISK_DEVICE_CDROM;
        char drive[64] = "";
        if (path) {
            disk_backend(c, d, path);
            snprintf(drive, sizeof(drive), ",drive=drive-%s", d->target_dev);
        } else if (!cd) {
            continue; /* the volume error is set */
        }
        char boot[24] = "";
        if (bootidx[i])
            snprintf(boot, sizeof(boot), ",bootindex=%u", bootidx[i]);
        const char *node, *wce0;
        cache_opts(d, &node, &wce0);
        /* The drive's serial number and write sharing (<shareable/>) go
         * with the write cache on the device. */
        char wce[96];
        snprintf(wce, sizeof(wce), "%s%s%s%s", wce0, d->serial ? ",serial=" : "",
                 d->serial ? d->serial : "", d->shareable ? ",share-rw=on" : "");
        const vr_address *a = &d->addr;
        switch (d->bus) {
        case VR_DISK_BUS_VIRTIO:
            vr_qc_device(c, a, "virtio-blk-pci%s,id=%s%s%s", drive, d->target_dev, boot, wce);
            break;
        case VR_DISK_BUS_IDE:
            vr_qc_opt(c, "-device", "%s,bus=ide.%u,unit=%u%s,id=%s%s%s", cd ? "ide-cd" : "ide-hd",
                a->bus, a->unit, drive, d->target_dev, boot, wce);
            break;
        case VR_DISK_BUS_SATA: {
            /* One device per AHCI port: the port is the unit. */
            char bus[16];
            if (c->q35 && a->controller == 0)
                snprintf(bus, sizeof(bus), "ide.%u", a->unit);
            else
                snprintf(bus, sizeof(bus), "sata%u.%u", a->controller, a->unit);
            vr_qc_opt(c, "-device", "%s,bus=%s%s,id=%s%s%s", cd ? "ide-cd" : "ide-hd", bus, drive,
                d->target_dev, boot, wce);
            break;
        }
        case VR_DISK_BUS_SCSI:
            vr_qc_opt(c, "-device", "%s,bus=scsi%u.0,channel=0,scsi-id=%u,lun=%u%s,id=%s%s%s",
                cd ? "scsi-cd" : "scsi-hd", a->controller, a->target, a->unit, drive,
                d->target_dev, boot, wce);
            break;
        }
    }
}

/* ---- network ---------------------------------------------------------------------- */

static void interfaces(cmd *c, const unsigned *bootidx)
{
    static const char *const models[] = {"virtio-net-pci", "e1000", "rtl8139", "e1000e"};
    const vr_domain_def *def = c->def;
    size_t tap = 0;
    for (size_t i = 0; i < def->n_interfaces; i++) {
        const vr_interface_def *in = &def->interfaces[i];
        if (in->type == VR_NET_USER) {
            vr_qc_opt(c, "-netdev", "user,id=net%zu", i);
        } else {
            const char *src = vr_interface_source(in);
            if (tap >= c->rt->n_tap_fds || !c->rt->tap_fds || c->rt->tap_fds[tap] < 0) {
                vr_qc_fail(c, "interface %zu (%s '%s', mac %s) needs a tap file descriptor, but %zu "
                     "were passed", i, vr_net_type_name(in->type), src, in->mac,
                     c->rt->n_tap_fds);
                return;
            }
            vr_qc_opt(c, "-netdev", "tap,id=net%zu,fd=%d", i, c->rt->tap_fds[tap++]);
        }
        char boot[24] = "";
        if (bootidx[i])
            snprintf(boot, sizeof(boot), ",bootindex=%u", bootidx[i]);
        vr_qc_device(c, &in->addr, "%s,netdev=net%zu,id=nic%zu,mac=%s%s", models[in->model], i, i,
               in->mac, boot);
    }
}

/* ---- character devices --------------------------------------------------------------- */

static const char *virtio_serial_bus(unsigned controller, char *buf, size_t n)
{
    snprintf(buf, n, "virtio-serial%u.0", controller);
    return buf;
}

static void chars(cmd *c)
{
    const vr_domain_def *def = c->def;
    char bus[32];
    for (size_t i = 0; i < def->n_serials; i++) {
        unsigned port = def->serials[i].port;
        char id[16], file[24];
        snprintf(id, sizeof(id), "serial%u", port);
        snprintf(file, sizeof(file), "serial%u.sock", port);
        /* Port 0 is the console: QEMU logs everything it writes. */
        vr_qc_socket_chardev(c, id, file, port == 0 ? c->rt->serial_log : NULL);
        if (port == 0)
            vr_qc_opt(c, "-serial", "chardev:%s", id);
        else
            vr_qc_opt(c, "-device", "isa-serial,chardev=%s,index=%u", id, port);
    }
    for (size_t i = 0; i < def->n_consoles; i++) {
        const vr_console_def *con = &def->consoles[i];
        if (con->target != VR_CONSOLE_VIRTIO)
            continue; /* a serial console is serial port 0 itself */
        char id[16], file[24];
        snprintf(id, sizeof(id), "console%u", con->port);
        snprintf(file, sizeof(file), "console%u.sock", con->port);
        vr_qc_socket_chardev(c, id, file, NULL);
        vr_qc_opt(c, "-device", "virtconsole,bus=%s,nr=%u,chardev=%s,id=%s",
            virtio_serial_bus(con->addr.controller, bus, sizeof(bus)), con->addr.port, id, id);
    }
    for (size_t i = 0; i < def->n_channels; i++) {
        const vr_channel_def *ch = &def->channels[i];
        /* The guest agent's socket is the driver's; the SPICE agent's
         * port goes to the SPICE client. */
        const char *chardev = ch->type == VR_CHANNEL_UNIX ? "qga0" : "vdagent0";
        if (ch->type == VR_CHANNEL_UNIX)
            vr_qc_socket_chardev(c, chardev, "qga.sock", NULL);
        else
            vr_qc_opt(c, "-chardev", "spicevmc,id=%s,name=vdagent", chardev);
        vr_qc_opt(c, "-device", "virtserialport,bus=%s,nr=%u,chardev=%s,id=channel%zu,name=%s",
            virtio_serial_bus(ch->addr.controller, bus, sizeof(bus)), ch->addr.port, chardev, i,
            ch->target_name);
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
        switch (in->bus) {
        case VR_INPUT_BUS_USB:
            vr_qc_opt(c, "-device", "%s,id=input%zu,bus=usb.0,port=%u", usb[in->type], i, in->addr.port);
            break;
        case VR_INPUT_BUS_VIRTIO:
            vr_qc_device(c, &in->addr, "%s,id=input%zu", virtio[in->type], i);
            break;
        case VR_INPUT_BUS_PS2:
            break; /* the i8042 is part of the machine */
        }
    }
}

static void misc_devices(cmd *c)
{
    const vr_domain_def *def = c->def;
    if (def->memballoon.model == VR_MEMBALLOON_VIRTIO && def->memballoon.stats_period)
        vr_qc_device(c, &def->memballoon.addr, "virtio-balloon-pci,id=balloon0,"
                     "guest-stats-polling-interval=%u", def->memballoon.stats_period);
    else if (def->memballoon.model == VR_MEMBALLOON_VIRTIO)
        vr_qc_device(c, &def->memballoon.addr, "virtio-balloon-pci,id=balloon0");
    for (size_t i = 0; i < def->n_rngs; i++) {
        if (def->rngs[i].backend)
            vr_qc_opt(c, "-object", "rng-random,id=objrng%zu,filename=%s", i,
                      def->rngs[i].backend);
        else
            vr_qc_opt(c, "-object", "rng-builtin,id=objrng%zu", i);
        char rate[64] = "";
        if (def->rngs[i].rate_bytes)
            snprintf(rate, sizeof(rate), ",max-bytes=%u,period=%u", def->rngs[i].rate_bytes,
                     def->rngs[i].rate_period);
        vr_qc_device(c, &def->rngs[i].addr, "virtio-rng-pci,rng=objrng%zu,id=rng%zu%s", i, i, rate);
    }
    /* One action for every watchdog (validation made them agree). */
    for (size_t i = 0; i < def->n_watchdogs; i++) {
        const vr_watchdog_def *w = &def->watchdogs[i];
        if (w->model == VR_WATCHDOG_I6300ESB)
            vr_qc_device(c, &w->addr, "i6300esb,id=watchdog%zu", i);
        else if (w->model == VR_WATCHDOG_IB700)
            vr_qc_opt(c, "-device", "ib700,id=watchdog%zu", i);
        /* itco is part of q35's ICH9 LPC bridge: only its action. */
        if (i == 0)
            vr_qc_opt(c, "-action", "watchdog=%s", w->action);
    }
    /* libvirt's ivshmem-plain: the host file mapped shared. */
    for (size_t i = 0; i < def->n_shmems; i++) {
        char *name = vr_qemu_quote(def->shmems[i].name);
        vr_qc_opt(c, "-object", "memory-backend-file,id=shmmem-shmem%zu,mem-path=/dev/shm/%s,"
                  "size=%llu,share=on", i, name, def->shmems[i].size);
        free(name);
        vr_qc_device(c, &def->shmems[i].addr, "ivshmem-plain,id=shmem%zu,memdev=shmmem-shmem%zu", i, i);
    }
    if (def->vsock.present) {
        unsigned cid = def->vsock.auto_cid && !def->vsock.cid ? c->rt->vsock_cid : def->vsock.cid;
        if (!cid)
            vr_qc_fail(c, "<vsock>: no guest context id (cid) was picked");
        vr_qc_device(c, &def->vsock.addr, "vhost-vsock-pci,id=vsock0,guest-cid=%u", cid);
    }
    for (size_t i = 0; i < def->n_panics; i++) {
        if (def->panics[i].model == VR_PANIC_PCI)
            vr_qc_device(c, &def->panics[i].addr, "pvpanic-pci,id=panic%zu", i);
        else
            vr_qc_opt(c, "-device", "pvpanic,id=panic%zu", i);
    }
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
    vr_qc_opt(&c, "-name", "guest=%s,debug-threads=on", def->name);
    vr_qc_opt(&c, "-uuid", "%s", def->uuid);
    vr_qc_add(&c, "-no-user-config");
    vr_qc_add(&c, "-nodefaults");
    machine(&c);
    vr_qc_add(&c, "-daemonize");
    vr_qc_add(&c, "-pidfile");
    vr_qc_add(&c, rt->pidfile);
    char *qmp = vr_qc_socket_path(&c, "qmp.sock");
    vr_qc_opt(&c, "-chardev", "socket,id=qmp,path=%s,server=on,wait=off", qmp);
    free(qmp);
    vr_qc_opt(&c, "-mon", "chardev=qmp,mode=control");
    cpu(&c);
    smbios(&c);
    clock_and_lifecycle(&c);
    firmware_and_kernel(&c);
    vr_qc_opt(&c, "-msg", "timestamp=on");
    if (rt->start_paused)
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
