/* vr_domain_def -> QEMU argv. Each element of the definition has one
 * function below; the mapping is documented in docs/xml-domain.md. */
#include "drivers/qemu/qemu_command.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define DEFAULT_EMULATOR "qemu-system-x86_64"

typedef struct {
    const vr_domain_def *def;
    const vr_qemu_runtime *rt;
    bool q35, kvm;
    char **v;
    size_t n, cap;
    char **err;
    int failed;
} cmd;

static void add(cmd *c, const char *s)
{
    if (c->n + 2 > c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = vr_realloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = vr_strdup(s);
    c->v[c->n] = NULL;
}

__attribute__((format(printf, 3, 4)))
static void opt(cmd *c, const char *option, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vr_vasprintf(fmt, ap);
    va_end(ap);
    add(c, option);
    add(c, v);
    free(v);
}

__attribute__((format(printf, 2, 3)))
static int fail(cmd *c, const char *fmt, ...)
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
static char *socket_path(cmd *c, const char *name)
{
    char *path = vr_asprintf("%s/%s", c->rt->runtime_dir, name);
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        fail(c, "socket path %s is too long for a unix socket (at most %zu bytes); use a "
             "shorter runtime directory", path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
    }
    char *q = vr_qemu_quote(path);
    free(path);
    return q;
}

/* -chardev socket,id=ID,path=RUNTIME/FILE,server=on,wait=off[,logfile=...] */
static void socket_chardev(cmd *c, const char *id, const char *file, const char *log)
{
    char *path = socket_path(c, file);
    if (log) {
        char *q = vr_qemu_quote(log);
        opt(c, "-chardev", "socket,id=%s,path=%s,server=on,wait=off,logfile=%s,logappend=on",
            id, path, q);
        free(q);
    } else {
        opt(c, "-chardev", "socket,id=%s,path=%s,server=on,wait=off", id, path);
    }
    free(path);
}

/* ",bus=pci.0,addr=0x3" (and ".0xF", ",multifunction=on") */
static char *pci_opts(const cmd *c, const vr_address *a)
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

__attribute__((format(printf, 3, 4)))
static void device(cmd *c, const vr_address *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vr_vasprintf(fmt, ap);
    va_end(ap);
    char *p = pci_opts(c, a);
    opt(c, "-device", "%s%s", v, p);
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
    char *m = vr_strbuf_take(&b);
    add(c, "-machine");
    add(c, m);
    free(m);
    add(c, "-accel");
    add(c, c->rt->accel);
}

static void cpu(cmd *c)
{
    const vr_domain_def *def = c->def;
    /* Memory is given to QEMU in whole MiB, rounded up. */
    opt(c, "-m", "size=%lluM", (def->memory_kib + 1023) / 1024);
    const vr_cpu_def *cpu = &def->cpu;
    /* <vcpu current='N'>M</vcpu>: N online, room for M (setvcpus). */
    char max[32] = "";
    if (def->vcpus_current != def->vcpus)
        snprintf(max, sizeof(max), ",maxcpus=%u", def->vcpus);
    if (cpu->sockets)
        opt(c, "-smp", "%u%s,sockets=%u,dies=%u,cores=%u,threads=%u", def->vcpus_current, max,
            cpu->sockets, cpu->dies, cpu->cores, cpu->threads);
    else
        opt(c, "-smp", "%u%s", def->vcpus_current, max);
    switch (cpu->mode) {
    case VR_CPU_NONE:
        break;
    case VR_CPU_HOST_PASSTHROUGH:
    case VR_CPU_HOST_MODEL:
        /* Under TCG there is no host CPU to pass through: "max" is
         * every feature TCG can emulate, the closest thing. */
        if (!c->kvm)
            opt(c, "-cpu", "max");
        else if (cpu->migratable == VR_TRISTATE_OFF)
            opt(c, "-cpu", "host,migratable=off");
        else
            opt(c, "-cpu", "host");
        break;
    case VR_CPU_MAXIMUM:
        opt(c, "-cpu", "max");
        break;
    }
}

static void clock_and_lifecycle(cmd *c)
{
    const vr_domain_def *def = c->def;
    opt(c, "-rtc", "base=%s%s", def->clock.offset == VR_CLOCK_LOCALTIME ? "localtime" : "utc",
        def->clock.rtc_tickpolicy == VR_TICK_CATCHUP ? ",driftfix=slew" : "");
    /* The PIT's policy belongs to KVM's in-kernel PIT; TCG's has none. */
    if (c->kvm && def->clock.pit_tickpolicy)
        opt(c, "-global", "kvm-pit.lost_tick_policy=%s",
            def->clock.pit_tickpolicy == VR_TICK_DELAY ? "delay" : "discard");
    const char *pm = c->q35 ? "ICH9-LPC" : "PIIX4_PM";
    if (def->pm.suspend_to_mem)
        opt(c, "-global", "%s.disable_s3=%d", pm, def->pm.suspend_to_mem == VR_TRISTATE_OFF);
    if (def->pm.suspend_to_disk)
        opt(c, "-global", "%s.disable_s4=%d", pm, def->pm.suspend_to_disk == VR_TRISTATE_OFF);
    /* The other actions are the driver's: it sees the guest stop or
     * reset on QMP and acts. These two QEMU can do by itself. */
    if (def->on_reboot == VR_LIFECYCLE_DESTROY)
        add(c, "-no-reboot");
    if (def->on_poweroff == VR_LIFECYCLE_PRESERVE)
        add(c, "-no-shutdown");
}

static void firmware_and_kernel(cmd *c)
{
    const vr_os_def *os = &c->def->os;
    if (os->loader.path && os->loader.type == VR_LOADER_PFLASH) {
        char *q = vr_qemu_quote(os->loader.path);
        opt(c, "-drive", "if=pflash,format=raw,unit=0,file=%s%s", q,
            os->loader.readonly ? ",readonly=on" : "");
        free(q);
        if (os->nvram) {
            q = vr_qemu_quote(os->nvram);
            opt(c, "-drive", "if=pflash,format=raw,unit=1,file=%s", q);
            free(q);
        }
    } else if (os->loader.path) {
        add(c, "-bios");
        add(c, os->loader.path);
    }
    /* -kernel, -initrd and -append take their value whole: no quoting. */
    if (os->kernel) {
        add(c, "-kernel");
        add(c, os->kernel);
    }
    if (os->initrd) {
        add(c, "-initrd");
        add(c, os->initrd);
    }
    if (os->cmdline) {
        add(c, "-append");
        add(c, os->cmdline);
    }
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
        {"ehci", "usb-ehci"},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(map); i++)
        if (strcmp(model, map[i][0]) == 0)
            return map[i][1];
    return NULL;
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
            device(c, &p->addr, "pcie-root-port,port=0x%x,chassis=%u,id=pci.%u", p->port,
                   p->chassis, p->index);
        else
            device(c, &p->addr, "pci-bridge,chassis_nr=%u,id=pci.%u", p->chassis, p->index);
    }
    for (size_t i = 0; i < def->n_controllers; i++) {
        const vr_controller_def *k = &def->controllers[i];
        switch (k->type) {
        case VR_CONTROLLER_USB: {
            const char *dev = usb_device(k->model);
            if (!dev)
                break; /* model none */
            if (k->ports && strstr(k->model, "xhci"))
                device(c, &k->addr, "%s,id=usb,p2=%u,p3=%u", dev, k->ports, k->ports);
            else
                device(c, &k->addr, "%s,id=usb", dev);
            break;
        }
        case VR_CONTROLLER_SATA:
            /* q35's first AHCI is built in (its buses are ide.0-5). */
            if (!(c->q35 && k->index == 0))
                device(c, &k->addr, "ahci,id=sata%u", k->index);
            break;
        case VR_CONTROLLER_SCSI:
            device(c, &k->addr, "virtio-scsi-pci,id=scsi%u", k->index);
            break;
        case VR_CONTROLLER_VIRTIO_SERIAL: {
            char extra[64] = "";
            if (k->ports)
                snprintf(extra, sizeof(extra), ",max_ports=%u", k->ports);
            if (k->vectors)
                snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ",vectors=%u",
                         k->vectors);
            device(c, &k->addr, "virtio-serial-pci,id=virtio-serial%u%s", k->index, extra);
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
        fail(c, "disk %s uses volume '%s' of pool '%s', which has not been resolved to a path",
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
    opt(c, "-blockdev", "driver=%s,filename=%s,node-name=file-%s%s%s%s%s", proto, q,
        d->target_dev, ro, aio[d->io], discard[d->discard], node);
    opt(c, "-blockdev", "driver=%s,node-name=drive-%s,file=file-%s%s%s%s",
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
        const char *node, *wce;
        cache_opts(d, &node, &wce);
        if (d->shareable)
            wce = vr_str_starts(wce, ",write-cache=on") ? ",write-cache=on,share-rw=on"
                  : *wce                                ? ",write-cache=off,share-rw=on"
                                                        : ",share-rw=on";
        const vr_address *a = &d->addr;
        switch (d->bus) {
        case VR_DISK_BUS_VIRTIO:
            device(c, a, "virtio-blk-pci%s,id=%s%s%s", drive, d->target_dev, boot, wce);
            break;
        case VR_DISK_BUS_IDE:
            opt(c, "-device", "%s,bus=ide.%u,unit=%u%s,id=%s%s%s", cd ? "ide-cd" : "ide-hd",
                a->bus, a->unit, drive, d->target_dev, boot, wce);
            break;
        case VR_DISK_BUS_SATA: {
            /* One device per AHCI port: the port is the unit. */
            char bus[16];
            if (c->q35 && a->controller == 0)
                snprintf(bus, sizeof(bus), "ide.%u", a->unit);
            else
                snprintf(bus, sizeof(bus), "sata%u.%u", a->controller, a->unit);
            opt(c, "-device", "%s,bus=%s%s,id=%s%s%s", cd ? "ide-cd" : "ide-hd", bus, drive,
                d->target_dev, boot, wce);
            break;
        }
        case VR_DISK_BUS_SCSI:
            opt(c, "-device", "%s,bus=scsi%u.0,channel=0,scsi-id=%u,lun=%u%s,id=%s%s%s",
                cd ? "scsi-cd" : "scsi-hd", a->controller, a->target, a->unit, drive,
                d->target_dev, boot, wce);
            break;
        }
    }
}

/* ---- network ---------------------------------------------------------------------- */

static void interfaces(cmd *c, const unsigned *bootidx)
{
    static const char *const models[] = {"virtio-net-pci", "e1000", "rtl8139"};
    const vr_domain_def *def = c->def;
    size_t tap = 0;
    for (size_t i = 0; i < def->n_interfaces; i++) {
        const vr_interface_def *in = &def->interfaces[i];
        if (in->type == VR_NET_USER) {
            opt(c, "-netdev", "user,id=net%zu", i);
        } else {
            const char *src = vr_interface_source(in);
            if (tap >= c->rt->n_tap_fds || !c->rt->tap_fds || c->rt->tap_fds[tap] < 0) {
                fail(c, "interface %zu (%s '%s', mac %s) needs a tap file descriptor, but %zu "
                     "were passed", i, vr_net_type_name(in->type), src, in->mac,
                     c->rt->n_tap_fds);
                return;
            }
            opt(c, "-netdev", "tap,id=net%zu,fd=%d", i, c->rt->tap_fds[tap++]);
        }
        char boot[24] = "";
        if (bootidx[i])
            snprintf(boot, sizeof(boot), ",bootindex=%u", bootidx[i]);
        device(c, &in->addr, "%s,netdev=net%zu,id=nic%zu,mac=%s%s", models[in->model], i, i,
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
        socket_chardev(c, id, file, port == 0 ? c->rt->serial_log : NULL);
        if (port == 0)
            opt(c, "-serial", "chardev:%s", id);
        else
            opt(c, "-device", "isa-serial,chardev=%s,index=%u", id, port);
    }
    for (size_t i = 0; i < def->n_consoles; i++) {
        const vr_console_def *con = &def->consoles[i];
        if (con->target != VR_CONSOLE_VIRTIO)
            continue; /* a serial console is serial port 0 itself */
        char id[16], file[24];
        snprintf(id, sizeof(id), "console%u", con->port);
        snprintf(file, sizeof(file), "console%u.sock", con->port);
        socket_chardev(c, id, file, NULL);
        opt(c, "-device", "virtconsole,bus=%s,nr=%u,chardev=%s,id=%s",
            virtio_serial_bus(con->addr.controller, bus, sizeof(bus)), con->addr.port, id, id);
    }
    for (size_t i = 0; i < def->n_channels; i++) {
        const vr_channel_def *ch = &def->channels[i];
        socket_chardev(c, "qga0", "qga.sock", NULL);
        opt(c, "-device", "virtserialport,bus=%s,nr=%u,chardev=qga0,id=channel%zu,name=%s",
            virtio_serial_bus(ch->addr.controller, bus, sizeof(bus)), ch->addr.port, i,
            ch->target_name);
    }
}

/* ---- display and input ------------------------------------------------------------------ */

static void graphics(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_audios; i++)
        opt(c, "-audiodev", "none,id=audio%u", def->audios[i].id);
    if (def->n_graphics == 0) {
        opt(c, "-display", "none");
    } else {
        const vr_graphics_def *g = &def->graphics[0];
        bool v6 = strchr(g->listen, ':') != NULL;
        char host[64];
        snprintf(host, sizeof(host), v6 ? "[%s]" : "%s", g->listen);
        char audio[32] = "";
        if (def->n_audios)
            snprintf(audio, sizeof(audio), ",audiodev=audio%u", def->audios[0].id);
        /* Autoport: the first free display from 0 (port 5900) up. */
        if (g->autoport)
            opt(c, "-vnc", "%s:0,to=100%s", host, audio);
        else
            opt(c, "-vnc", "%s:%d%s", host, g->port - 5900, audio);
    }
    opt(c, "-vga", "none");
    for (size_t i = 0; i < def->n_videos; i++) {
        const vr_video_def *v = &def->videos[i];
        char heads[32] = "";
        if (v->heads > 1)
            snprintf(heads, sizeof(heads), ",max_outputs=%u", v->heads);
        char vgamem[32] = "";
        unsigned mem = v->model == VR_VIDEO_QXL ? v->vgamem : v->vram;
        if (mem)
            snprintf(vgamem, sizeof(vgamem), ",vgamem_mb=%u", mem / 1024);
        switch (v->model) {
        case VR_VIDEO_VIRTIO:
            device(c, &v->addr, "%s,id=video%zu%s", i == 0 ? "virtio-vga" : "virtio-gpu-pci", i,
                   heads);
            break;
        case VR_VIDEO_VGA:
            device(c, &v->addr, "VGA,id=video%zu%s", i, vgamem);
            break;
        case VR_VIDEO_CIRRUS:
            device(c, &v->addr, "cirrus-vga,id=video%zu%s", i, vgamem);
            break;
        case VR_VIDEO_QXL: {
            char sizes[64] = "";
            if (v->ram)
                snprintf(sizes, sizeof(sizes), ",ram_size=%llu", v->ram * 1024ULL);
            if (v->vram)
                snprintf(sizes + strlen(sizes), sizeof(sizes) - strlen(sizes), ",vram_size=%llu",
                         v->vram * 1024ULL);
            device(c, &v->addr, "%s,id=video%zu%s%s%s", i == 0 ? "qxl-vga" : "qxl", i, sizes,
                   vgamem, heads);
            break;
        }
        case VR_VIDEO_NONE:
            break;
        }
    }
}

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
            opt(c, "-device", "%s,id=input%zu,bus=usb.0,port=%u", usb[in->type], i, in->addr.port);
            break;
        case VR_INPUT_BUS_VIRTIO:
            device(c, &in->addr, "%s,id=input%zu", virtio[in->type], i);
            break;
        case VR_INPUT_BUS_PS2:
            break; /* the i8042 is part of the machine */
        }
    }
}

static void misc_devices(cmd *c)
{
    const vr_domain_def *def = c->def;
    if (def->memballoon.model == VR_MEMBALLOON_VIRTIO)
        device(c, &def->memballoon.addr, "virtio-balloon-pci,id=balloon0");
    for (size_t i = 0; i < def->n_rngs; i++) {
        opt(c, "-object", "rng-random,id=objrng%zu,filename=%s", i, def->rngs[i].backend);
        device(c, &def->rngs[i].addr, "virtio-rng-pci,rng=objrng%zu,id=rng%zu", i, i);
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
    add(&c, def->emulator ? def->emulator : rt->emulator ? rt->emulator : DEFAULT_EMULATOR);
    opt(&c, "-name", "guest=%s,debug-threads=on", def->name);
    opt(&c, "-uuid", "%s", def->uuid);
    add(&c, "-no-user-config");
    add(&c, "-nodefaults");
    machine(&c);
    add(&c, "-daemonize");
    add(&c, "-pidfile");
    add(&c, rt->pidfile);
    char *qmp = socket_path(&c, "qmp.sock");
    opt(&c, "-chardev", "socket,id=qmp,path=%s,server=on,wait=off", qmp);
    free(qmp);
    opt(&c, "-mon", "chardev=qmp,mode=control");
    cpu(&c);
    clock_and_lifecycle(&c);
    firmware_and_kernel(&c);
    opt(&c, "-msg", "timestamp=on");
    if (rt->start_paused)
        add(&c, "-S");

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
        opt(&c, "-boot", "strict=on");
    controllers(&c);
    disks(&c, disk_boot);
    interfaces(&c, net_boot);
    free(disk_boot);
    free(net_boot);
    chars(&c);
    graphics(&c);
    inputs(&c);
    misc_devices(&c);
    if (c.failed) {
        vr_qemu_argv_free(c.v);
        return NULL;
    }
    return c.v;
}
