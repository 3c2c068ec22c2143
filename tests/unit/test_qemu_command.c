/* The QEMU command line built from definitions: the fixed options, the
 * accelerator's CPU choice, tap fds, comma quoting, boot order, and the
 * device options of the fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "conf/domain_conf.h"
#include "drivers/qemu/qemu_command.h"

#define RT "/run/vireo/d"

static vr_qemu_runtime rt_tcg(void)
{
    return (vr_qemu_runtime){.accel = "tcg", .runtime_dir = RT, .pidfile = RT "/qemu.pid"};
}

static vr_domain_def *parse(const char *xml)
{
    char *err = NULL;
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
    if (!def)
        fail_msg("parse failed: %s", err);
    return def;
}

static vr_domain_def *parse_fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/domain/%s", FIXTURES, name);
    char *xml = vr_file_read(path, NULL);
    assert_non_null(xml);
    vr_domain_def *def = parse(xml);
    free(xml);
    return def;
}

/* A kvm domain with `devices` and extra top-level elements. */
static vr_domain_def *domain(const char *top, const char *devices)
{
    char *xml = NULL;
    const char *os = strstr(top, "<os>") ? "" : "<os><type>hvm</type></os>";
    if (asprintf(&xml, "<domain type='kvm'><name>d</name><memory unit='MiB'>128</memory>"
                       "%s%s<devices>%s</devices></domain>", os, top, devices) < 0)
        fail();
    vr_domain_def *def = parse(xml);
    free(xml);
    return def;
}

static char **build(const vr_domain_def *def, const vr_qemu_runtime *rt)
{
    char *err = NULL;
    char **argv = vr_qemu_build_argv(def, rt, &err);
    if (!argv)
        fail_msg("build failed: %s", err);
    assert_null(err);
    return argv;
}

static char *build_error(const vr_domain_def *def, const vr_qemu_runtime *rt)
{
    char *err = NULL;
    char **argv = vr_qemu_build_argv(def, rt, &err);
    if (argv) {
        vr_qemu_argv_free(argv);
        fail_msg("built, expected an error");
    }
    assert_non_null(err);
    assert_null(strchr(err, '\n'));
    return err;
}

/* Is `option value` a consecutive pair in argv? */
static bool has(char **argv, const char *option, const char *value)
{
    for (char **p = argv; p[0] && p[1]; p++)
        if (strcmp(p[0], option) == 0 && (!value || strcmp(p[1], value) == 0))
            return true;
    return false;
}

static bool has_flag(char **argv, const char *flag)
{
    for (char **p = argv; *p; p++)
        if (strcmp(*p, flag) == 0)
            return true;
    return false;
}

/* The value of the first `option` whose value contains `needle`. */
static const char *value_with(char **argv, const char *option, const char *needle)
{
    for (char **p = argv; p[0] && p[1]; p++)
        if (strcmp(p[0], option) == 0 && strstr(p[1], needle))
            return p[1];
    return NULL;
}

static void expect(char **argv, const char *option, const char *value)
{
    if (!has(argv, option, value)) {
        fprintf(stderr, "argv:");
        for (char **p = argv; *p; p++)
            fprintf(stderr, " %s", *p);
        fprintf(stderr, "\n");
        fail_msg("missing: %s %s", option, value ? value : "");
    }
}

typedef struct {
    const char *top, *devices, *option, *value;
} argv_case;

/* Each case's domain builds an argv with `option value` in it. */
static void expect_cases(const argv_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        vr_domain_def *def = domain(cases[i].top, cases[i].devices);
        vr_qemu_runtime rt = rt_tcg();
        char **argv = build(def, &rt);
        expect(argv, cases[i].option, cases[i].value);
        vr_qemu_argv_free(argv);
        vr_domain_def_free(def);
    }
}

/* <cpu><numa>, DIMMs, <memoryBacking>, <iothreads>, <filesystem>: the
 * memory backends and devices libvirt gives QEMU 7.2. */
static void memory_and_sharing(void **state)
{
    (void)state;
    static const argv_case cases[] = {
        {"<vcpu>4</vcpu><cpu><numa><cell id='0' cpus='0-1' memory='64' unit='MiB'/>"
         "<cell id='1' cpus='2,3' memory='64' unit='MiB'/></numa></cpu>", "", "-numa",
         "node,nodeid=1,cpus=2-3,memdev=ram-node1"},
        {"<vcpu>4</vcpu><cpu><numa><cell id='0' cpus='0-1' memory='64' unit='MiB'/>"
         "<cell id='1' cpus='2,3' memory='64' unit='MiB'/></numa></cpu>", "", "-object",
         "memory-backend-ram,id=ram-node0,size=65536K"},
        {"<vcpu>2</vcpu><cpu><numa><cell id='0' cpus='0-1' memory='100' unit='MiB' "
         "memAccess='shared'/></numa></cpu>", "", "-object",
         "memory-backend-memfd,id=ram-node0,size=102400K,share=on"},
        {"<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>", "",
         "-machine", "pc,acpi=off,memory-backend=pc.ram"},
        {"<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>", "",
         "-object", "memory-backend-memfd,id=pc.ram,size=131072K,share=on"},
        {"<memoryBacking><locked/></memoryBacking>", "", "-overcommit", "mem-lock=on"},
        {"<maxMemory slots='4' unit='MiB'>1024</maxMemory>",
         "<memory model='dimm'><target><size unit='MiB'>32</size><node>0</node></target></memory>",
         "-m", "size=96M,slots=4,maxmem=1024M"},
        {"<maxMemory slots='4' unit='MiB'>1024</maxMemory>",
         "<memory model='dimm'><target><size unit='MiB'>32</size></target></memory>",
         "-device", "pc-dimm,node=0,memdev=memdimm0,id=dimm0,slot=0"},
        {"<maxMemory slots='4' unit='MiB'>1024</maxMemory>",
         "<memory model='dimm'><target><size unit='MiB'>32</size></target></memory>",
         "-object", "memory-backend-ram,id=memdimm0,size=32768K"},
        {"<iothreads>2</iothreads>", "<controller type='scsi' model='virtio-scsi'><driver "
         "queues='4' iothread='2'/></controller>", "-device",
         "virtio-scsi-pci,id=scsi0,num_queues=4,iothread=iothread2,bus=pci.0,addr=0x2"},
        {"<iothreads>2</iothreads>", "", "-object", "iothread,id=iothread2"},
        {"<iothreads>2</iothreads>", "<disk type='file' device='disk'><driver name='qemu' type='raw' iothread='2'/>"
         "<source file='/d.img'/><target dev='vda' bus='virtio'/></disk>", "-device",
         "virtio-blk-pci,iothread=iothread2,drive=drive-vda,id=vda,bootindex=1,bus=pci.0,addr=0x2"},
        {"", "<shmem name='board'><model type='ivshmem-plain'/><size unit='M'>8</size></shmem>",
         "-object", "memory-backend-file,id=shmmem-shmem0,mem-path=/dev/shm/board,size=8388608,share=on"},
        {"", "<vsock model='virtio'><cid auto='no' address='7'/></vsock>", "-device",
         "vhost-vsock-pci,id=vsock0,guest-cid=7,bus=pci.0,addr=0x3"},
        {"<os><type machine='q35'>hvm</type></os><features><ioapic driver='qemu'/></features>",
         "<iommu model='intel'><driver intremap='on' caching_mode='on'/></iommu>", "-device",
         "intel-iommu,id=iommu0,intremap=on,caching-mode=on"},
        {"", "<rng model='virtio'><backend model='random'>/dev/urandom</backend><rate bytes='1024'/>"
         "</rng>", "-device", "virtio-rng-pci,rng=objrng0,id=rng0,max-bytes=1024,period=1000,bus=pci.0,"
         "addr=0x3"},
        {"", "<filesystem type='mount' accessmode='mapped'><source dir='/srv/a,b'/>"
         "<target dir='share'/><readonly/></filesystem>", "-fsdev",
         "local,id=fsdev-fs0,path=/srv/a,,b,security_model=mapped-xattr,readonly=on"},
        {"", "<filesystem type='mount'><source dir='/srv'/><target dir='share'/></filesystem>",
         "-device", "virtio-9p-pci,id=fs0,fsdev=fsdev-fs0,mount_tag=share,bus=pci.0,addr=0x2"},
        {"<memoryBacking><access mode='shared'/></memoryBacking>",
         "<filesystem type='mount'><driver type='virtiofs' queue='1024'/><source dir='/srv'/>"
         "<target dir='share'/></filesystem>", "-device",
         "vhost-user-fs-pci,id=fs0,chardev=chr-vu-fs0,tag=share,queue-size=1024,bus=pci.0,addr=0x2"},
        {"<memoryBacking><access mode='shared'/></memoryBacking>",
         "<filesystem type='mount'><driver type='virtiofs'/><source dir='/srv'/>"
         "<target dir='share'/></filesystem>", "-chardev",
         "socket,id=chr-vu-fs0,path=" RT "/fs0.sock"},
    };
    expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* <numatune>: host-nodes and policy on the memory backends, libvirt's
 * mapping (strict is bind; a <memnode> wins for its cell; without cells
 * the machine's RAM gets a backend to carry them). */
static void numatune_backends(void **state)
{
    (void)state;
#define CELLS "<vcpu>2</vcpu><cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/>" \
              "<cell id='1' cpus='1' memory='64' unit='MiB'/></numa></cpu>"
    static const argv_case cases[] = {
        {"<numatune><memory mode='strict' nodeset='0'/></numatune>", "", "-object",
         "memory-backend-ram,id=pc.ram,size=131072K,host-nodes=0,policy=bind"},
        {"<numatune><memory mode='strict' nodeset='0'/></numatune>", "", "-machine",
         "pc,acpi=off,memory-backend=pc.ram"},
        {"<numatune><memory mode='interleave' nodeset='0-2,^1'/><memnode cellid='1' mode='preferred' "
         "nodeset='3'/></numatune>" CELLS, "", "-object",
         "memory-backend-ram,id=ram-node0,size=65536K,host-nodes=0,host-nodes=2,policy=interleave"},
        {"<numatune><memory mode='interleave' nodeset='0-2,^1'/><memnode cellid='1' mode='preferred' "
         "nodeset='3'/></numatune>" CELLS, "", "-object",
         "memory-backend-ram,id=ram-node1,size=65536K,host-nodes=3,policy=preferred"},
        {"<numatune><memnode cellid='0' mode='strict' nodeset='0'/></numatune>" CELLS, "", "-object",
         "memory-backend-ram,id=ram-node1,size=65536K"},
        /* <hugepages><page size nodeset>: memfd hugetlb of that size, for the cells it names. */
        {"<memoryBacking><hugepages><page size='2' unit='M' nodeset='1'/></hugepages></memoryBacking>" CELLS, "",
         "-object", "memory-backend-memfd,id=ram-node1,size=65536K,hugetlb=on,hugetlbsize=2097152"},
        {"<memoryBacking><hugepages><page size='2' unit='M' nodeset='1'/></hugepages></memoryBacking>" CELLS, "",
         "-object", "memory-backend-ram,id=ram-node0,size=65536K"},
    };
#undef CELLS
    expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* <rng><backend model='egd'>: a socket chardev to the EGD daemon and
 * rng-egd on it, as libvirt names them. */
static void rng_egd(void **state)
{
    (void)state;
    static const argv_case cases[] = {
        {"", "<rng model='virtio'><backend model='egd' type='tcp'><source host='127.0.0.1' service='7000'/>"
         "</backend></rng>", "-chardev", "socket,id=charrng0,host=127.0.0.1,port=7000"},
        {"", "<rng model='virtio'><backend model='egd' type='tcp'><source host='127.0.0.1' service='7000'/>"
         "</backend></rng>", "-object", "rng-egd,id=objrng0,chardev=charrng0"},
        {"", "<rng model='virtio'><backend model='egd' type='unix'><source mode='bind' path='/run/egd,1'/>"
         "<protocol type='raw'/></backend></rng>", "-chardev",
         "socket,id=charrng0,path=/run/egd,,1,server=on,wait=off"},
    };
    expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* <smartcard>: the CCID reader on a USB port (qemu-xhci added for it),
 * the card on the reader's bus. */
static void smartcard_argv(void **state)
{
    (void)state;
    static const argv_case cases[] = {
        {"", "<smartcard mode='host'/>", "-device", "usb-ccid,id=ccid0,bus=usb.0,port=1"},
        {"", "<smartcard mode='host'/>", "-device",
         "ccid-card-emulated,backend=nss-emulated,id=smartcard0,bus=ccid0.0"},
        {"", "<graphics type='spice' port='5901'/><smartcard mode='passthrough' type='spicevmc'/>", "-chardev",
         "spicevmc,id=charsmartcard0,name=smartcard"},
        {"", "<graphics type='spice' port='5901'/><smartcard mode='passthrough' type='spicevmc'/>", "-device",
         "ccid-card-passthru,chardev=charsmartcard0,id=smartcard0,bus=ccid0.0"},
        {"", "<smartcard mode='passthrough' type='tcp'><source mode='connect' host='127.0.0.1' service='2001'/>"
         "<protocol type='raw'/></smartcard>", "-chardev", "socket,id=charsmartcard0,host=127.0.0.1,port=2001"},
        {"", "<input type='tablet' bus='usb'/><smartcard mode='host'/>", "-device",
         "usb-ccid,id=ccid0,bus=usb.0,port=2"},
    };
    expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* SPICE over TLS: tls-port and the certificate directory the driver
 * checked; defaultMode as libvirt maps it; no directory, no argv. */
static void spice_tls(void **state)
{
    (void)state;
    vr_domain_def *def = domain("", "<graphics type='spice' port='5901' tlsPort='5902' autoport='no' "
                                    "defaultMode='secure'/>");
    vr_qemu_runtime rt = rt_tcg();
    rt.spice_tls_dir = "/etc/pki/libvirt-spice";
    char **argv = build(def, &rt);
    assert_true(has(argv, "-spice", "port=5901,addr=127.0.0.1,tls-port=5902,x509-dir=/etc/pki/libvirt-spice,"
                                    "tls-channel=default,disable-ticketing=on,seamless-migration=on"));
    vr_qemu_argv_free(argv);
    rt.spice_tls_dir = NULL;
    char *e = build_error(def, &rt);
    assert_non_null(strstr(e, "certificate directory"));
    free(e);
    vr_domain_def_free(def);
}

static void minimal(void **state)
{
    vr_domain_def *def = parse_fixture("minimal.xml");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    assert_string_equal(argv[0], "qemu-system-x86_64");
    expect(argv, "-name", "guest=minimal,debug-threads=on");
    expect(argv, "-uuid", def->uuid);
    assert_true(has_flag(argv, "-no-user-config"));
    assert_true(has_flag(argv, "-nodefaults"));
    expect(argv, "-machine", "pc,acpi=off"); /* no <acpi/>: libvirt's meaning */
    expect(argv, "-accel", "tcg");
    assert_true(has_flag(argv, "-daemonize"));
    expect(argv, "-pidfile", RT "/qemu.pid");
    expect(argv, "-chardev", "socket,id=qmp,path=" RT "/qmp.sock,server=on,wait=off");
    expect(argv, "-mon", "chardev=qmp,mode=control");
    expect(argv, "-m", "size=256M");
    expect(argv, "-smp", "1");
    expect(argv, "-rtc", "base=utc");
    expect(argv, "-display", "none");
    expect(argv, "-vga", "none");
    expect(argv, "-device", "virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x2");
    assert_false(has(argv, "-cpu", NULL));
    assert_false(has_flag(argv, "-S"));
    assert_false(has_flag(argv, "-no-reboot"));
    assert_false(has_flag(argv, "-no-shutdown"));
    assert_false(has(argv, "-boot", NULL)); /* nothing to boot from */
    assert_false(has(argv, "-serial", NULL));
    vr_qemu_argv_free(argv);

    /* The runtime's emulator is the fallback; the definition's wins. */
    rt.emulator = "/opt/qemu/bin/qemu-system-x86_64";
    rt.start_paused = true;
    argv = build(def, &rt);
    assert_string_equal(argv[0], "/opt/qemu/bin/qemu-system-x86_64");
    assert_true(has_flag(argv, "-S"));
    vr_qemu_argv_free(argv);
    def->emulator = strdup("/usr/bin/qemu-system-x86_64");
    argv = build(def, &rt);
    assert_string_equal(argv[0], "/usr/bin/qemu-system-x86_64");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void cpu_by_accel(void **state)
{
    static const struct {
        const char *cpu, *kvm, *tcg;
    } cases[] = {
        {"<cpu mode='host-passthrough'/>", "host", "max"},
        {"<cpu mode='host-model'/>", "host", "max"},
        {"<cpu mode='maximum'/>", "max", "max"},
        {"<cpu mode='host-passthrough' migratable='off'/>", "host,migratable=off", "max"},
        {"", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vr_domain_def *def = domain(cases[i].cpu, "");
        vr_qemu_runtime rt = rt_tcg();
        char **argv = build(def, &rt);
        if (cases[i].tcg)
            expect(argv, "-cpu", cases[i].tcg);
        else
            assert_false(has(argv, "-cpu", NULL));
        expect(argv, "-accel", "tcg");
        vr_qemu_argv_free(argv);
        rt.accel = "kvm";
        argv = build(def, &rt);
        if (cases[i].kvm)
            expect(argv, "-cpu", cases[i].kvm);
        else
            assert_false(has(argv, "-cpu", NULL));
        expect(argv, "-accel", "kvm");
        vr_qemu_argv_free(argv);
        vr_domain_def_free(def);
    }
    vr_domain_def *def = domain("<vcpu>4</vcpu><cpu><topology sockets='2' cores='2' "
                                "threads='1'/></cpu>", "");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    expect(argv, "-smp", "4,sockets=2,dies=1,cores=2,threads=1");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void tap_fds(void **state)
{
    vr_domain_def *def = domain("", "<interface type='user'><mac address='52:54:00:00:00:01'/>"
                                    "</interface>"
                                    "<interface type='network'><source network='default'/>"
                                    "<mac address='52:54:00:00:00:02'/></interface>"
                                    "<interface type='bridge'><source bridge='br0'/>"
                                    "<model type='e1000'/><mac address='52:54:00:00:00:03'/>"
                                    "</interface>");
    vr_qemu_runtime rt = rt_tcg();
    char *err = build_error(def, &rt);
    assert_non_null(strstr(err, "interface 1 (network 'default', mac 52:54:00:00:00:02) needs a "
                                "tap file descriptor, but 0 were passed"));
    free(err);
    int one[] = {7};
    rt.tap_fds = one;
    rt.n_tap_fds = 1;
    err = build_error(def, &rt);
    assert_non_null(strstr(err, "interface 2 (bridge 'br0'"));
    free(err);
    int two[] = {10, 11};
    rt.tap_fds = two;
    rt.n_tap_fds = 2;
    char **argv = build(def, &rt);
    expect(argv, "-netdev", "user,id=net0");
    expect(argv, "-netdev", "tap,id=net1,fd=10");
    expect(argv, "-netdev", "tap,id=net2,fd=11");
    expect(argv, "-device", "virtio-net-pci,netdev=net0,id=nic0,mac=52:54:00:00:00:01,bus=pci.0,"
                            "addr=0x2");
    expect(argv, "-device", "e1000,netdev=net2,id=nic2,mac=52:54:00:00:00:03,bus=pci.0,addr=0x4");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void comma_quoting(void **state)
{
    char *q = vr_qemu_quote("a,b,,c");
    assert_string_equal(q, "a,,b,,,,c");
    free(q);
    vr_domain_def *def = domain(
        "<os><type>hvm</type><loader type='pflash' readonly='yes'>/fw/co,de.fd</loader>"
        "<nvram>/nv/va,rs.fd</nvram><kernel>/k,1</kernel><cmdline>console=ttyS0,115200</cmdline>"
        "</os>",
        "<disk><source file='/var/a,b/c,d.qcow2'/><driver name='qemu' type='qcow2'/></disk>"
        "<serial type='pty'/>");
    vr_qemu_runtime rt = rt_tcg();
    rt.runtime_dir = "/run/x,y";
    char **argv = build(def, &rt);
    expect(argv, "-chardev", "socket,id=qmp,path=/run/x,,y/qmp.sock,server=on,wait=off");
    expect(argv, "-blockdev", "driver=file,filename=/var/a,,b/c,,d.qcow2,node-name=file-vda");
    expect(argv, "-chardev", "socket,id=serial0,path=/run/x,,y/serial0.sock,server=on,wait=off");
    expect(argv, "-blockdev", "driver=file,filename=/fw/co,,de.fd,node-name=libvirt-pflash0-storage,"
                              "auto-read-only=true,discard=unmap");
    expect(argv, "-blockdev", "driver=file,filename=/nv/va,,rs.fd,node-name=libvirt-pflash1-storage,"
                              "auto-read-only=true,discard=unmap");
    /* -kernel and -append are not key=value lists: taken whole. */
    expect(argv, "-kernel", "/k,1");
    expect(argv, "-append", "console=ttyS0,115200");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void boot_order(void **state)
{
    /* Per-device <boot order> becomes bootindex. */
    vr_domain_def *def = domain("", "<disk><source file='/a'/><boot order='2'/></disk>"
                                    "<disk><source file='/b'/></disk>"
                                    "<interface type='user'><boot order='1'/></interface>");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    assert_non_null(value_with(argv, "-device", "virtio-blk-pci,drive=drive-vda,id=vda,"
                                                "bootindex=2"));
    assert_null(value_with(argv, "-device", "id=vdb,bootindex"));
    assert_non_null(value_with(argv, "-device", "id=nic0,mac="));
    assert_non_null(strstr(value_with(argv, "-device", "id=nic0,"), "bootindex=1"));
    expect(argv, "-boot", "strict=on");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);

    /* <os><boot dev> gives the first device of each kind its place. */
    def = domain("<os><type>hvm</type><boot dev='cdrom'/><boot dev='hd'/><boot dev='network'/>"
                 "</os>",
                 "<disk><source file='/a'/></disk><disk><source file='/b'/></disk>"
                 "<disk device='cdrom'><source file='/c.iso'/></disk>"
                 "<interface type='user'/><interface type='user'/>");
    argv = build(def, &rt);
    assert_non_null(value_with(argv, "-device", "ide-cd,bus=ide.0,unit=0,drive=drive-hda,id=hda,"
                                                "bootindex=1"));
    assert_non_null(value_with(argv, "-device", "id=vda,bootindex=2"));
    assert_null(value_with(argv, "-device", "id=vdb,bootindex"));
    assert_non_null(strstr(value_with(argv, "-device", "id=nic0,"), "bootindex=3"));
    assert_null(strstr(value_with(argv, "-device", "id=nic1,"), "bootindex"));
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void lifecycle_and_features(void **state)
{
    vr_domain_def *def = domain("<features><acpi/><apic/></features><on_reboot>destroy</on_reboot>"
                                "<on_poweroff>preserve</on_poweroff>"
                                "<clock offset='localtime'/>", "");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    expect(argv, "-machine", "pc");
    assert_true(has_flag(argv, "-no-reboot"));
    assert_true(has_flag(argv, "-no-shutdown"));
    expect(argv, "-rtc", "base=localtime");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void firmware(void **state)
{
    /* A loader without type is mapped like -bios, as in libvirt. */
    vr_domain_def *def = domain("<os><type>hvm</type><loader>/usr/share/seabios/bios-256k.bin"
                                "</loader></os>", "");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    expect(argv, "-bios", "/usr/share/seabios/bios-256k.bin");
    assert_false(has(argv, "-drive", NULL));
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
    /* A writable single-file OVMF. */
    def = domain("<os><type>hvm</type><loader type='pflash'>/vars/OVMF.fd</loader></os>", "");
    argv = build(def, &rt);
    expect(argv, "-machine", "pc,acpi=off,pflash0=libvirt-pflash0-format");
    expect(argv, "-blockdev", "node-name=libvirt-pflash0-format,read-only=false,driver=raw,"
                              "file=libvirt-pflash0-storage");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
    /* Secure Boot: code and variables as nodes on -machine, SMM, and
     * flash writes only from SMM. */
    def = domain("<os><type machine='q35'>hvm</type><loader type='pflash' readonly='yes' "
                 "secure='yes'>/c.fd</loader><nvram template='/t.fd'>/n/w_VARS.fd</nvram></os>"
                 "<features><smm state='on'/></features>", "");
    argv = build(def, &rt);
    expect(argv, "-machine", "q35,acpi=off,smm=on,pflash0=libvirt-pflash0-format,pflash1=libvirt-pflash1-format");
    expect(argv, "-blockdev", "node-name=libvirt-pflash0-format,read-only=true,driver=raw,"
                              "file=libvirt-pflash0-storage");
    expect(argv, "-blockdev", "node-name=libvirt-pflash1-format,read-only=false,driver=raw,"
                              "file=libvirt-pflash1-storage");
    expect(argv, "-global", "driver=cfi.pflash01,property=secure,value=on");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

/* <hyperv> and hypervclock as hv-* properties; under TCG without the
 * ones only KVM takes, which vr_qemu_hyperv_left_out names. */
static void hyperv_and_tpm(void **state)
{
    vr_domain_def *def = domain(
        "<features><hyperv><relaxed state='on'/><vapic state='on'/>"
        "<spinlocks state='on' retries='8191'/><vpindex state='on'/><synic state='on'/>"
        "<stimer state='on'><direct state='on'/></stimer><vendor_id state='on' value='KVMKVMKVM'/>"
        "</hyperv></features><clock offset='localtime'><timer name='hypervclock' present='yes'/>"
        "</clock>", "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    expect(argv, "-cpu", "qemu64,hv-time=on,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,"
                         "hv-synic=on,hv-stimer=on,hv-stimer-direct=on,hv-vendor-id=KVMKVMKVM");
    expect(argv, "-chardev", "socket,id=chrtpm,path=/run/vireo/d/swtpm.sock");
    expect(argv, "-tpmdev", "emulator,id=tpm-tpm0,chardev=chrtpm");
    expect(argv, "-device", "tpm-crb,tpmdev=tpm-tpm0,id=tpm0");
    vr_qemu_argv_free(argv);
    char *left = vr_qemu_hyperv_left_out(def, false);
    assert_string_equal(left, "<vpindex>");
    free(left);
    assert_null(vr_qemu_hyperv_left_out(def, true));
    rt.accel = "kvm";
    argv = build(def, &rt);
    assert_true(has(argv, "-cpu", NULL));
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
    /* libvirt 9's newer ones, which QEMU 7.2 takes under TCG as well. */
    def = domain("<features><hyperv><tlbflush state='on'><direct state='on'/><extended state='on'/></tlbflush>"
                 "<ipi state='on'/><evmcs state='off'/><avic state='on'/><emsr_bitmap state='on'/>"
                 "<xmm_input state='on'/></hyperv></features>", "");
    rt = rt_tcg();
    argv = build(def, &rt);
    expect(argv, "-cpu", "qemu64,hv-tlbflush=on,hv-tlbflush-direct=on,hv-tlbflush-ext=on,hv-ipi=on,hv-evmcs=off,"
                         "hv-avic=on,hv-emsr-bitmap=on,hv-xmm-input=on");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void volumes(void **state)
{
    vr_domain_def *def = domain("", "<disk type='volume'><source pool='default' volume='v.img'/>"
                                    "</disk>");
    vr_qemu_runtime rt = rt_tcg();
    char *err = build_error(def, &rt);
    assert_string_equal(err, "disk vda uses volume 'v.img' of pool 'default', which has not been "
                             "resolved to a path");
    free(err);
    def->disks[0].resolved_path = strdup("/var/lib/vireo/pools/default/v.img");
    char **argv = build(def, &rt);
    expect(argv, "-blockdev", "driver=file,filename=/var/lib/vireo/pools/default/v.img,"
                              "node-name=file-vda");
    expect(argv, "-blockdev", "driver=raw,node-name=drive-vda,file=file-vda");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

/* A LUN of an iscsi-direct pool: QEMU's iscsi driver, the CHAP password
 * through a secret object's file, nothing of it on the command line. */
static void iscsi_volumes(void **state)
{
    vr_domain_def *def = domain("", "<disk type='volume'><source pool='lab' volume='unit:0:0:1'/></disk>");
    vr_qemu_runtime rt = rt_tcg();
    def->disks[0].resolved_path = strdup("iscsi://10.0.0.5:3260/iqn.2026-12.lab:store/1?initiator-name="
                                         "iqn.2026-12.lab:host1&user=u1&password-file=/run/vireo/storage/lab.chap");
    char **argv = build(def, &rt);
    expect(argv, "-object", "secret,id=sec-vda,file=/run/vireo/storage/lab.chap,format=raw");
    expect(argv, "-blockdev", "driver=iscsi,transport=tcp,portal=10.0.0.5:3260,target=iqn.2026-12.lab:store,"
                              "lun=1,initiator-name=iqn.2026-12.lab:host1,user=u1,password-secret=sec-vda,"
                              "node-name=file-vda");
    expect(argv, "-blockdev", "driver=raw,node-name=drive-vda,file=file-vda");
    vr_qemu_argv_free(argv);
    free(def->disks[0].resolved_path);
    def->disks[0].resolved_path = strdup("iscsi://10.0.0.5:3260/iqn.2026-12.lab:store/2?initiator-name=iqn.x:y");
    argv = build(def, &rt);
    assert_non_null(value_with(argv, "-blockdev", "lun=2,initiator-name=iqn.x:y,node-name=file-vda"));
    assert_null(value_with(argv, "-object", "secret"));
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void serial_and_agent(void **state)
{
    vr_domain_def *def = domain("", "<console type='pty'/><channel type='unix'><target "
                                    "type='virtio' name='org.qemu.guest_agent.0'/></channel>");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    /* No logfile=: the serial logger logs what it reads (serial_logger.c).
     * Without its socket, port 0 listens on a socket of its own. */
    expect(argv, "-chardev", "socket,id=serial0,path=" RT "/serial0.sock,server=on,wait=off");
    expect(argv, "-serial", "chardev:serial0");
    assert_non_null(value_with(argv, "-device", "virtio-serial-pci,id=virtio-serial0,bus=pci.0"));
    expect(argv, "-chardev", "socket,id=qga0,path=" RT "/qga.sock,server=on,wait=off");
    expect(argv, "-device", "virtserialport,bus=virtio-serial0.0,nr=1,chardev=qga0,id=channel0,"
                            "name=org.qemu.guest_agent.0");
    vr_qemu_argv_free(argv);
    /* With it (the driver's start), port 0 is the connected socket the
     * logger holds the other end of; the agent's socket is unchanged. */
    rt.serial_fd = 17;
    argv = build(def, &rt);
    expect(argv, "-chardev", "socket,id=serial0,fd=17");
    expect(argv, "-serial", "chardev:serial0");
    assert_null(value_with(argv, "-chardev", "serial0.sock"));
    expect(argv, "-chardev", "socket,id=qga0,path=" RT "/qga.sock,server=on,wait=off");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);

    /* A virtio console has its own socket and port 0 of the bus. */
    def = domain("", "<console type='pty'><target type='virtio'/></console>");
    rt = rt_tcg();
    argv = build(def, &rt);
    expect(argv, "-chardev", "socket,id=console0,path=" RT "/console0.sock,server=on,wait=off");
    expect(argv, "-device", "virtconsole,bus=virtio-serial0.0,nr=0,chardev=console0,id=console0");
    assert_false(has(argv, "-serial", NULL));
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void vnc(void **state)
{
    static const struct {
        const char *graphics, *vnc;
    } cases[] = {
        /* libvirt gives graphics an <audio type='none'> when none is given. */
        {"<graphics type='vnc'/>", "127.0.0.1:0,to=100,audiodev=audio1"},
        {"<graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'/>",
         "0.0.0.0:0,to=100,audiodev=audio1"},
        {"<graphics type='vnc' port='5905' autoport='no'/>", "127.0.0.1:5,audiodev=audio1"},
        {"<graphics type='vnc'><listen type='address' address='::1'/></graphics>",
         "[::1]:0,to=100,audiodev=audio1"},
        {"<graphics type='vnc'/><audio id='1' type='none'/>", "127.0.0.1:0,to=100,audiodev=audio1"},
        {"<graphics type='vnc'><listen type='none'/></graphics>", "none,audiodev=audio1"},
        {"<graphics type='vnc'><listen type='socket' socket='/run/v.sock'/></graphics>",
         "unix:/run/v.sock,audiodev=audio1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vr_domain_def *def = domain("", cases[i].graphics);
        vr_qemu_runtime rt = rt_tcg();
        char **argv = build(def, &rt);
        expect(argv, "-vnc", cases[i].vnc);
        assert_false(has(argv, "-display", NULL));
        expect(argv, "-device", "VGA,id=video0,bus=pci.0,addr=0x2"); /* the implicit video */
        vr_qemu_argv_free(argv);
        vr_domain_def_free(def);
    }
}

/* <hostdev type='usb'> as libvirt maps it: usb-host on the guest's port,
 * by vendor and product or by the host's bus and device numbers. */
static void usb_host(void **state)
{
    (void)state;
    vr_domain_def *def = domain("<os><type machine='pc'>hvm</type></os>",
        "<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x046d'/>"
        "<product id='0xc52b'/></source></hostdev>"
        "<hostdev mode='subsystem' type='usb'><source><address bus='2' device='5'/></source></hostdev>");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    expect(argv, "-device", "usb-host,id=hostdev0,bus=usb.0,port=1,vendorid=0x046d,productid=0xc52b");
    expect(argv, "-device", "usb-host,id=hostdev1,bus=usb.0,port=2,hostbus=2,hostaddr=5");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

/* SPICE as libvirt maps it: the port the driver found for autoport,
 * the password through a secret object, the agent's channel and USB
 * redirection on spicevmc chardevs, its own audio backend. */
static void spice(void **state)
{
    vr_domain_def *def = domain("<os><type machine='q35'>hvm</type></os>",
        "<graphics type='spice' port='-1' tlsPort='-1' autoport='yes' passwd='s3cret'>"
        "<image compression='off'/><streaming mode='filter'/></graphics>"
        "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>"
        "<redirdev bus='usb' type='spicevmc'/><redirdev bus='usb' type='spicevmc'/>"
        "<input type='tablet' bus='usb'/>"
        "<video><model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1'/></video>");
    vr_qemu_runtime rt = rt_tcg();
    rt.spice_port = 5901;
    rt.graphics_secrets[0] = RT "/graphics0.secret";
    char **argv = build(def, &rt);
    expect(argv, "-object", "secret,id=graphics0-secret,file=" RT "/graphics0.secret,format=raw");
    expect(argv, "-spice", "port=5901,addr=127.0.0.1,password-secret=graphics0-secret,"
                           "image-compression=off,streaming-video=filter,seamless-migration=on");
    for (char **p = argv; *p; p++)
        assert_null(strstr(*p, "s3cret"));
    expect(argv, "-audiodev", "spice,id=audio1");
    expect(argv, "-chardev", "spicevmc,id=vdagent0,name=vdagent");
    expect(argv, "-device", "virtserialport,bus=virtio-serial0.0,nr=1,chardev=vdagent0,"
                            "id=channel0,name=com.redhat.spice.0");
    expect(argv, "-chardev", "spicevmc,id=charredir0,name=usbredir");
    expect(argv, "-device", "usb-redir,chardev=charredir0,id=redir0,bus=usb.0,port=2");
    expect(argv, "-device", "usb-redir,chardev=charredir1,id=redir1,bus=usb.0,port=3");
    expect(argv, "-device", "qxl-vga,id=video0,ram_size=67108864,vram_size=67108864,"
                            "vgamem_mb=16,bus=pcie.0,addr=0x1");
    vr_qemu_argv_free(argv);
    /* Without the driver's port or secret file it cannot run. */
    rt.spice_port = 0;
    char *err = build_error(def, &rt);
    assert_non_null(strstr(err, "SPICE with autoport needs the port"));
    free(err);
    vr_domain_def_free(def);

    def = domain("", "<graphics type='spice'><listen type='none'/></graphics>");
    rt = rt_tcg();
    argv = build(def, &rt);
    expect(argv, "-spice", "unix=on,addr=" RT "/spice.sock,disable-ticketing=on,"
                           "seamless-migration=on");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void sound_and_video(void **state)
{
    static const struct {
        const char *devices, *option, *value;
    } cases[] = {
        {"<sound model='ich9'/>", "-device", "ich9-intel-hda,id=sound0,bus=pci.0,addr=0x2"},
        {"<sound model='ich9'/>", "-device",
         "hda-duplex,id=sound0-codec0,bus=sound0.0,cad=0,audiodev=audio1"},
        {"<sound model='ich6'><codec type='micro'/></sound>", "-device",
         "hda-micro,id=sound0-codec0,bus=sound0.0,cad=0,audiodev=audio1"},
        {"<sound model='ich6'/>", "-device", "intel-hda,id=sound0,bus=pci.0,addr=0x2"},
        {"<sound model='ac97'/>", "-device", "AC97,id=sound0,audiodev=audio1,bus=pci.0,addr=0x2"},
        {"<sound model='ac97'/>", "-audiodev", "none,id=audio1"},
        {"<graphics type='vnc'/><video><model type='bochs' vram='16384'/></video>", "-device",
         "bochs-display,id=video0,vgamem=16777216,bus=pci.0,addr=0x2"},
        {"<graphics type='vnc'/><video><model type='ramfb'/></video>", "-device", "ramfb,id=video0"},
        {"<graphics type='vnc'/><video><model type='cirrus'/></video>", "-device",
         "cirrus-vga,id=video0,bus=pci.0,addr=0x2"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vr_domain_def *def = domain("", cases[i].devices);
        vr_qemu_runtime rt = rt_tcg();
        char **argv = build(def, &rt);
        expect(argv, cases[i].option, cases[i].value);
        vr_qemu_argv_free(argv);
        vr_domain_def_free(def);
    }
}

/* ICH9's USB set as virt-install writes it: one controller of four
 * functions on one slot, the companions serving the EHCI's ports. */
static void usb_ich9(void **state)
{
    vr_domain_def *def = domain("<os><type machine='q35'>hvm</type></os>",
        "<controller type='usb' index='0' model='ich9-ehci1'/>"
        "<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/></controller>"
        "<controller type='usb' index='0' model='ich9-uhci2'><master startport='2'/></controller>"
        "<controller type='usb' index='0' model='ich9-uhci3'><master startport='4'/></controller>"
        "<input type='tablet' bus='usb'/>");
    vr_qemu_runtime rt = rt_tcg();
    char **argv = build(def, &rt);
    expect(argv, "-device", "ich9-usb-ehci1,id=usb,bus=pcie.0,addr=0x1.0x7");
    expect(argv, "-device", "ich9-usb-uhci1,masterbus=usb.0,firstport=0,bus=pcie.0,addr=0x1,"
                            "multifunction=on");
    expect(argv, "-device", "ich9-usb-uhci2,masterbus=usb.0,firstport=2,bus=pcie.0,addr=0x1.0x1");
    expect(argv, "-device", "ich9-usb-uhci3,masterbus=usb.0,firstport=4,bus=pcie.0,addr=0x1.0x2");
    expect(argv, "-device", "usb-tablet,id=input0,bus=usb.0,port=1");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);

    static const struct {
        const char *controller, *device;
    } models[] = {
        {"<controller type='usb' model='qemu-xhci' ports='15'/>",
         "qemu-xhci,id=usb,p2=15,p3=15,bus=pci.0,addr=0x2"},
        {"<controller type='usb' model='nec-xhci'/>", "nec-usb-xhci,id=usb,bus=pci.0,addr=0x2"},
        {"<controller type='usb' model='piix3-uhci'/>", "piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2"},
        {"<controller type='usb' model='piix4-uhci'/>", "piix4-usb-uhci,id=usb,bus=pci.0,addr=0x2"},
    };
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        def = domain("", models[i].controller);
        argv = build(def, &rt);
        expect(argv, "-device", models[i].device);
        vr_qemu_argv_free(argv);
        vr_domain_def_free(def);
    }
}

/* CPU model and features, vCPUs and memory beyond what runs at start,
 * SMBIOS, boot menu, disk serial and sharing, watchdog, panic, balloon
 * statistics, RNG and NIC models: the platform as virt-install writes
 * it. */
static void platform(void **state)
{
    static const argv_case cases[] = {
        {"<cpu mode='custom' match='exact'><model fallback='allow'>Skylake-Client</model>"
         "<feature policy='require' name='spec-ctrl'/><feature policy='force' name='vmx'/>"
         "<feature policy='disable' name='hle'/></cpu>", "", "-cpu",
         "Skylake-Client,spec-ctrl=on,vmx=on,hle=off"},
        {"<cpu mode='host-passthrough'/><features><kvm><hidden state='on'/></kvm></features>", "",
         "-cpu", "max,kvm=off"},
        /* No <cpu>: the default model the definition got is named for kvm=off */
        {"<features><kvm><hidden state='on'/></kvm></features>", "", "-cpu", "qemu64,kvm=off"},
        {"<cpu mode='custom'><model>qemu64</model><feature name='vmx'/></cpu>", "", "-cpu", "qemu64,vmx=on"},
        {"<vcpu current='2'>4</vcpu>", "", "-smp", "2,maxcpus=4"},
        {"<vcpu current='2'>4</vcpu><cpu><topology sockets='1' dies='1' cores='2' threads='2'/>"
         "</cpu>", "", "-smp", "2,maxcpus=4,sockets=1,dies=1,cores=2,threads=2"},
        {"<maxMemory slots='16' unit='GiB'>4</maxMemory>", "", "-m", "size=128M,slots=16,maxmem=4096M"},
        {"<features><acpi/><smm state='on'/></features>", "", "-machine", "pc,smm=on"},
        {"<sysinfo type='smbios'><bios><entry name='vendor'>Vireo, Inc</entry></bios><system>"
         "<entry name='manufacturer'>Vireo</entry><entry name='serial'>0001</entry></system>"
         "</sysinfo><os><type>hvm</type><smbios mode='sysinfo'/></os>", "", "-smbios",
         "type=1,manufacturer=Vireo,serial=0001"},
        {"<sysinfo type='smbios'><bios><entry name='vendor'>Vireo, Inc</entry></bios></sysinfo>"
         "<os><type>hvm</type><smbios mode='sysinfo'/></os>", "", "-smbios",
         "type=0,vendor=Vireo,, Inc"},
        {"<os><type>hvm</type><bootmenu enable='yes' timeout='3000'/><bios useserial='yes'/></os>",
         "", "-boot", "menu=on,splash-time=3000"},
        {"<os><type>hvm</type><bios useserial='yes'/></os>", "", "-device", "sga"},
        {"", "<disk><source file='/a.img'/><target dev='vda'/><shareable/><serial>DATA01</serial>"
         "</disk>", "-device", "virtio-blk-pci,drive=drive-vda,id=vda,bootindex=1,serial=DATA01,share-rw=on,"
         "bus=pci.0,addr=0x2"},
        {"", "<watchdog model='i6300esb' action='poweroff'/>", "-device",
         "i6300esb,id=watchdog0,bus=pci.0,addr=0x2"},
        {"", "<watchdog model='ib700' action='pause'/>", "-action", "watchdog=pause"},
        {"", "<panic model='isa'><address type='isa' iobase='0x505'/></panic>", "-device",
         "pvpanic,id=panic0"},
        {"", "<memballoon model='virtio'><stats period='10'/></memballoon>", "-device",
         "virtio-balloon-pci,id=balloon0,guest-stats-polling-interval=10,bus=pci.0,addr=0x2"},
        {"", "<rng model='virtio'><backend model='builtin'/></rng>", "-object",
         "rng-builtin,id=objrng0"},
        {"", "<interface type='user'><mac address='52:54:00:00:00:01'/><model type='e1000e'/>"
         "</interface>", "-device", "e1000e,netdev=net0,id=nic0,mac=52:54:00:00:00:01,bus=pci.0,"
         "addr=0x2"},
    };
    expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void full_fixture(void **state)
{
    vr_domain_def *def = parse_fixture("full.xml");
    def->disks[2].resolved_path = strdup("/pools/default/scratch.qcow2");
    int fds[] = {20, 21};
    vr_qemu_runtime rt = rt_tcg();
    rt.tap_fds = fds;
    rt.n_tap_fds = 2;
    char **argv = build(def, &rt);
    assert_string_equal(argv[0], "/usr/bin/qemu-system-x86_64");
    expect(argv, "-machine", "pc-i440fx-7.2,vmport=off,hpet=off,pflash0=libvirt-pflash0-format,"
                             "pflash1=libvirt-pflash1-format");
    expect(argv, "-m", "size=2048M");
    expect(argv, "-smp", "4,sockets=1,dies=1,cores=2,threads=2");
    expect(argv, "-rtc", "base=localtime,driftfix=slew");
    expect(argv, "-global", "PIIX4_PM.disable_s3=1");
    expect(argv, "-global", "PIIX4_PM.disable_s4=0");
    assert_false(has(argv, "-global", "kvm-pit.lost_tick_policy=delay")); /* TCG has no kvm-pit */
    expect(argv, "-blockdev", "driver=file,filename=/var/lib/vireo/nvram/full,,1_VARS.fd,"
                              "node-name=libvirt-pflash1-storage,auto-read-only=true,discard=unmap");
    expect(argv, "-device", "pci-bridge,chassis_nr=1,id=pci.1,bus=pci.0,addr=0x1e");
    expect(argv, "-device", "qemu-xhci,id=usb,p2=8,p3=8,bus=pci.0,addr=0x3");
    expect(argv, "-device", "virtio-serial-pci,id=virtio-serial0,max_ports=16,vectors=4,bus=pci.0,"
                            "addr=0x6");
    expect(argv, "-device", "ahci,id=sata0,bus=pci.0,addr=0x7");
    expect(argv, "-blockdev", "driver=file,filename=/var/lib/vireo/images/full,,root.qcow2,"
                              "node-name=file-vda,aio=native,discard=unmap,cache.direct=on,"
                              "cache.no-flush=off");
    expect(argv, "-blockdev", "driver=qcow2,node-name=drive-vda,file=file-vda,discard=unmap,"
                              "cache.direct=on,cache.no-flush=off");
    expect(argv, "-device", "virtio-blk-pci,drive=drive-vda,id=vda,bootindex=1,write-cache=on,"
                            "bus=pci.0,addr=0xa");
    expect(argv, "-blockdev", "driver=host_device,filename=/dev/vg0/data,node-name=file-sda,"
                              "aio=threads,cache.direct=off,cache.no-flush=off");
    expect(argv, "-device", "scsi-hd,bus=scsi0.0,channel=0,scsi-id=0,lun=0,drive=drive-sda,id=sda,"
                            "write-cache=off");
    assert_non_null(value_with(argv, "-blockdev", "filename=/pools/default/scratch.qcow2,"
                                                  "node-name=file-vdb,read-only=on,aio=io_uring"));
    expect(argv, "-device", "ide-cd,bus=ide.1,unit=0,drive=drive-hdc,id=hdc,bootindex=3");
    expect(argv, "-device", "ide-hd,bus=sata0.1,drive=drive-sdb,id=sdb,write-cache=off");
    expect(argv, "-device", "ide-cd,bus=sata0.2,id=sdc"); /* empty tray */
    assert_non_null(value_with(argv, "-device", "rtl8139,netdev=net2,id=nic2,mac=52:54:00:"));
    assert_non_null(strstr(value_with(argv, "-device", "rtl8139,"), ",bus=pci.1,addr=0x3"));
    expect(argv, "-device", "isa-serial,chardev=serial1,index=1");
    expect(argv, "-device", "virtconsole,bus=virtio-serial0.0,nr=0,chardev=console1,id=console1");
    expect(argv, "-audiodev", "none,id=audio1");
    expect(argv, "-vnc", "0.0.0.0:1,audiodev=audio1");
    expect(argv, "-device", "qxl-vga,id=video0,ram_size=67108864,vram_size=67108864,vgamem_mb=16,"
                            "bus=pci.0,addr=0x2");
    expect(argv, "-device", "virtio-gpu-pci,id=video1,max_outputs=2,bus=pci.0,addr=0xc");
    expect(argv, "-device", "usb-tablet,id=input0,bus=usb.0,port=1");
    assert_non_null(value_with(argv, "-device", "virtio-keyboard-pci,id=input2,"));
    assert_null(value_with(argv, "-device", "id=input1")); /* PS/2: built in */
    expect(argv, "-object", "rng-random,id=objrng0,filename=/dev/random");
    expect(argv, "-device", "virtio-rng-pci,rng=objrng0,id=rng0,bus=pci.0,addr=0xe");
    expect(argv, "-device", "virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x5");
    assert_true(has_flag(argv, "-no-reboot"));
    assert_true(has_flag(argv, "-no-shutdown"));
    vr_qemu_argv_free(argv);

    rt.accel = "kvm";
    argv = build(def, &rt);
    expect(argv, "-global", "kvm-pit.lost_tick_policy=delay");
    expect(argv, "-cpu", "host");
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void q35_fixture(void **state)
{
    vr_domain_def *def = parse_fixture("virt-install.xml");
    int fds[] = {5};
    vr_qemu_runtime rt = rt_tcg();
    rt.tap_fds = fds;
    rt.n_tap_fds = 1;
    char **argv = build(def, &rt);
    expect(argv, "-machine", "q35,vmport=off,hpet=off");
    expect(argv, "-device", "pcie-root-port,port=0x10,chassis=1,id=pci.1,bus=pcie.0,addr=0x2,"
                            "multifunction=on");
    expect(argv, "-device", "pcie-root-port,port=0x1d,chassis=14,id=pci.14,bus=pcie.0,"
                            "addr=0x3.0x5");
    expect(argv, "-device", "qemu-xhci,id=usb,p2=15,p3=15,bus=pci.1,addr=0x0");
    expect(argv, "-device", "virtio-vga,id=video0,bus=pcie.0,addr=0x1");
    /* The built-in AHCI of q35: no -device, its buses are ide.N. */
    assert_null(value_with(argv, "-device", "ahci"));
    expect(argv, "-device", "ide-cd,bus=ide.0,drive=drive-sda,id=sda");
    expect(argv, "-global", "ICH9-LPC.disable_s3=1");
    expect(argv, "-global", "ICH9-LPC.disable_s4=1");
    expect(argv, "-vnc", "127.0.0.1:0,to=100,audiodev=audio1");
    expect(argv, "-netdev", "tap,id=net0,fd=5");
    /* The root ports come before the devices that sit on them. */
    size_t port = 0, nic = 0;
    for (size_t i = 0; argv[i]; i++) {
        if (strstr(argv[i], "id=pci.3,"))
            port = i;
        if (strstr(argv[i], "virtio-net-pci"))
            nic = i;
    }
    assert_true(port && nic && port < nic);
    vr_qemu_argv_free(argv);
    vr_domain_def_free(def);
}

static void runtime_errors(void **state)
{
    vr_domain_def *def = domain("", "");
    vr_qemu_runtime rt = rt_tcg();
    rt.accel = "hvf";
    char *err = build_error(def, &rt);
    assert_non_null(strstr(err, "'hvf' is neither kvm nor tcg"));
    free(err);
    rt = rt_tcg();
    rt.runtime_dir = NULL;
    free(build_error(def, &rt));
    rt = rt_tcg();
    rt.runtime_dir = "/run/vireo/a/very/long/runtime/directory/that/does/not/fit/in/a/unix/"
                     "socket/address/at/all/not/even/close/to/fitting";
    err = build_error(def, &rt);
    assert_non_null(strstr(err, "too long for a unix socket"));
    free(err);
    vr_domain_def_free(def);
}

/* <iotune>: block_set_io_throttle's arguments on the device (QEMU's
 * names, the six rates always, the others when set, the group when
 * named); the start held at -S only for a throttled disk with a medium. */
static void iotune_throttle(void **state)
{
    (void)state;
    vr_domain_def *def = domain("", "<disk type='file'><source file='/i/a.img'/><target dev='vdb'/><iotune>"
                                    "<read_bytes_sec>2097152</read_bytes_sec><read_bytes_sec_max>4194304"
                                    "</read_bytes_sec_max><read_bytes_sec_max_length>3</read_bytes_sec_max_length>"
                                    "<group_name>g 1</group_name></iotune></disk>");
    json_object *a = vr_qemu_iotune_args(&def->disks[0]);
    assert_string_equal(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                        "{\"id\":\"/machine/peripheral/vdb/virtio-backend\",\"bps\":0,\"bps_rd\":2097152,\"bps_wr\":0,\"iops\":0,\"iops_rd\":0,"
                        "\"iops_wr\":0,\"bps_rd_max\":4194304,\"bps_rd_max_length\":3,\"group\":\"g 1\"}");
    json_object_put(a);
    assert_true(vr_qemu_iotune_wanted(def));
    vr_domain_def_free(def);
    def = domain("", "<disk type='file' device='cdrom'><target dev='hdc'/><iotune><total_iops_sec>5"
                     "</total_iops_sec></iotune></disk>");
    assert_false(vr_qemu_iotune_wanted(def));
    vr_domain_def_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal),         cmocka_unit_test(cpu_by_accel),
        cmocka_unit_test(tap_fds),         cmocka_unit_test(comma_quoting),
        cmocka_unit_test(boot_order),      cmocka_unit_test(lifecycle_and_features),
        cmocka_unit_test(volumes),         cmocka_unit_test(iscsi_volumes),
        cmocka_unit_test(serial_and_agent),
        cmocka_unit_test(firmware),
        cmocka_unit_test(hyperv_and_tpm),
        cmocka_unit_test(numatune_backends),
        cmocka_unit_test(rng_egd),
        cmocka_unit_test(iotune_throttle),
        cmocka_unit_test(smartcard_argv),
        cmocka_unit_test(spice_tls),
        cmocka_unit_test(vnc),             cmocka_unit_test(full_fixture),
        cmocka_unit_test(q35_fixture),     cmocka_unit_test(runtime_errors),
        cmocka_unit_test(spice),           cmocka_unit_test(usb_host),           cmocka_unit_test(sound_and_video),
        cmocka_unit_test(usb_ich9),        cmocka_unit_test(platform),
        cmocka_unit_test(memory_and_sharing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
