/* Domain XML: fixtures parse, complete and round-trip to a fixed point;
 * generated values (UUID, MACs, PCI and drive addresses, target names,
 * implicit controllers) are right; everything outside the subset is
 * refused on one line naming the element and its line. UUIDs and MACs
 * are tested here too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "common/util.h"
#include "conf/domain_conf.h"
#include "conf/domain_device.h"
#include "conf/mac.h"
#include "conf/uuid.h"

/* ---- helpers ------------------------------------------------------------- */

static char *fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/domain/%s", FIXTURES, name);
    char *text = vr_file_read(path, NULL);
    if (!text)
        fail_msg("cannot read fixture %s", path);
    return text;
}

static vr_domain_def *parse_ok(const char *xml)
{
    char *err = NULL;
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
    if (!def)
        fail_msg("parse failed: %s", err);
    assert_null(err);
    return def;
}

static vr_domain_def *parse_fixture(const char *name)
{
    char *xml = fixture(name);
    vr_domain_def *def = parse_ok(xml);
    free(xml);
    return def;
}

/* Refused, with a one-line message that starts with "line N: " and
 * contains `needle`. */
static void refused_at(const char *xml, long line, const char *needle)
{
    char *err = NULL;
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
    if (def) {
        vr_domain_def_free(def);
        fail_msg("accepted, expected line %ld: ...%s...\n%s", line, needle, xml);
    }
    assert_non_null(err);
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "line %ld: ", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("message '%s'\n  expected '%s...%s'", err, prefix, needle);
    assert_null(strchr(err, '\n'));
    free(err);
}

/* A domain whose <devices> content starts on line 6. */
#define HEAD                                                                                   \
    "<domain type='kvm'>\n<name>t</name>\n<memory unit='MiB'>64</memory>\n"                   \
    "<os><type>hvm</type></os>\n<devices>\n"
#define TAIL "</devices>\n</domain>\n"
#define Q35_HEAD                                                                               \
    "<domain type='kvm'>\n<name>t</name>\n<memory unit='MiB'>64</memory>\n"                   \
    "<os><type machine='q35'>hvm</type></os>\n<devices>\n"

static void dev_refused(const char *devices, long line, const char *needle)
{
    char *xml = NULL;
    if (asprintf(&xml, HEAD "%s" TAIL, devices) < 0)
        fail();
    refused_at(xml, line, needle);
    free(xml);
}

static vr_domain_def *dev_ok(const char *head, const char *devices)
{
    char *xml = NULL;
    if (asprintf(&xml, "%s%s" TAIL, head, devices) < 0)
        fail();
    vr_domain_def *def = parse_ok(xml);
    free(xml);
    return def;
}

/* format -> parse -> format gives the same text; so does copy. */
static void assert_fixed_point(const vr_domain_def *def)
{
    char *f1 = vr_domain_def_format(def);
    vr_domain_def *again = parse_ok(f1);
    char *f2 = vr_domain_def_format(again);
    assert_string_equal(f1, f2);
    vr_domain_def *copy = vr_domain_def_copy(def);
    assert_non_null(copy);
    char *f3 = vr_domain_def_format(copy);
    assert_string_equal(f1, f3);
    vr_domain_def_free(copy);
    vr_domain_def_free(again);
    free(f1);
    free(f2);
    free(f3);
}

static const vr_controller_def *ctrl(const vr_domain_def *def, vr_controller_type t, unsigned i)
{
    const vr_controller_def *c = vr_domain_def_controller(def, t, i);
    assert_non_null(c);
    return c;
}

static void assert_pci(const vr_address *a, unsigned bus, unsigned slot, unsigned fn)
{
    assert_int_equal(a->type, VR_ADDR_PCI);
    if (a->bus != bus || a->slot != slot || a->function != fn)
        fail_msg("PCI address %02x:%02x.%x, expected %02x:%02x.%x", a->bus, a->slot, a->function,
                 bus, slot, fn);
}

/* Every PCI address in the definition, for uniqueness checks. */
static size_t all_pci(const vr_domain_def *def, const vr_address **out, size_t cap)
{
    size_t n = 0;
#define TAKE(a)                                          \
    do {                                                 \
        if ((a)->type == VR_ADDR_PCI && n < cap)         \
            out[n++] = (a);                              \
    } while (0)
    for (size_t i = 0; i < def->n_disks; i++)
        TAKE(&def->disks[i].addr);
    for (size_t i = 0; i < def->n_controllers; i++)
        TAKE(&def->controllers[i].addr);
    for (size_t i = 0; i < def->n_interfaces; i++)
        TAKE(&def->interfaces[i].addr);
    for (size_t i = 0; i < def->n_videos; i++)
        TAKE(&def->videos[i].addr);
    for (size_t i = 0; i < def->n_inputs; i++)
        TAKE(&def->inputs[i].addr);
    for (size_t i = 0; i < def->n_rngs; i++)
        TAKE(&def->rngs[i].addr);
    TAKE(&def->memballoon.addr);
#undef TAKE
    return n;
}

static void assert_pci_unique(const vr_domain_def *def, bool q35)
{
    const vr_address *a[128];
    size_t n = all_pci(def, a, 128);
    for (size_t i = 0; i < n; i++) {
        if (a[i]->bus == 0) {
            assert_int_not_equal(a[i]->slot, 0); /* the host bridge */
            if (q35 && a[i]->slot == 0x1f)
                assert_int_equal(a[i]->function, 2); /* only the built-in SATA */
        }
        for (size_t k = 0; k < i; k++)
            if (a[k]->bus == a[i]->bus && a[k]->slot == a[i]->slot &&
                a[k]->function == a[i]->function)
                fail_msg("PCI address %02x:%02x.%x used twice", a[i]->bus, a[i]->slot,
                         a[i]->function);
    }
}

/* ---- fixtures ------------------------------------------------------------- */

static void minimal_defaults(void **state)
{
    vr_domain_def *def = parse_fixture("minimal.xml");
    assert_string_equal(def->name, "minimal");
    assert_int_equal(def->type, VR_VIRT_QEMU);
    assert_int_equal(strlen(def->uuid), 36);
    assert_int_equal(def->uuid[14], '4'); /* version 4 */
    assert_non_null(strchr("89ab", def->uuid[19]));
    assert_true(def->memory_kib == 262144);
    assert_true(def->current_memory_kib == 262144);
    assert_int_equal(def->vcpus, 1);
    assert_string_equal(def->os.arch, "x86_64");
    assert_string_equal(def->os.machine, VR_DEFAULT_MACHINE);
    assert_string_equal(def->os.machine, "pc");
    assert_false(vr_domain_def_is_q35(def));
    assert_int_equal(def->os.n_boot_devs, 1);
    assert_int_equal(def->os.boot_devs[0], VR_BOOT_HD);
    assert_false(def->features.acpi);
    /* No <cpu>: the machine type's default model, named as libvirt names it. */
    assert_int_equal(def->cpu.mode, VR_CPU_CUSTOM);
    assert_string_equal(def->cpu.model, "qemu64");
    assert_int_equal(def->clock.offset, VR_CLOCK_UTC);
    assert_int_equal(def->on_poweroff, VR_LIFECYCLE_DESTROY);
    assert_int_equal(def->on_reboot, VR_LIFECYCLE_RESTART);
    assert_int_equal(def->on_crash, VR_LIFECYCLE_DESTROY);
    assert_null(def->emulator);
    assert_null(def->metadata);
    /* libvirt's implicit devices: the PCI root and a virtio balloon. */
    assert_string_equal(ctrl(def, VR_CONTROLLER_PCI, 0)->model, "pci-root");
    assert_int_equal(def->memballoon.model, VR_MEMBALLOON_VIRTIO);
    assert_pci(&def->memballoon.addr, 0, 2, 0);
    assert_int_equal(def->n_disks + def->n_interfaces + def->n_videos + def->n_graphics, 0);

    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<memory unit=\"KiB\">262144</memory>"));
    assert_non_null(strstr(xml, "<currentMemory unit=\"KiB\">262144</currentMemory>"));
    assert_non_null(strstr(xml, def->uuid));
    assert_non_null(strstr(xml, "machine=\"pc\""));
    assert_non_null(strstr(xml, "<cpu mode=\"custom\" match=\"exact\" check=\"none\">\n"
                                "    <model fallback=\"forbid\">qemu64</model>\n  </cpu>"));
    assert_null(strstr(xml, "<?xml"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

static void full_domain(void **state)
{
    vr_domain_def *def = parse_fixture("full.xml");
    assert_int_equal(def->type, VR_VIRT_KVM);
    assert_string_equal(def->name, "full-1.0_test+x");
    assert_string_equal(def->uuid, "7d5f2c1a-3b4e-4f60-8a9b-0c1d2e3f4a5b");
    assert_string_equal(def->title, "Everything Vireo supports");
    assert_non_null(strstr(def->description, "with <markup> & entities."));
    assert_non_null(strstr(def->metadata, "xmlns:app=\"http://example.org/app/1.0\""));
    assert_non_null(strstr(def->metadata, "<app:owner name=\"alice\">ops &amp; dev</app:owner>"));
    assert_true(def->memory_kib == 2 * 1024 * 1024);
    assert_true(def->current_memory_kib == 1536 * 1024);
    assert_int_equal(def->vcpus, 4);
    assert_int_equal(def->cpu.mode, VR_CPU_HOST_PASSTHROUGH);
    assert_int_equal(def->cpu.check, VR_CPU_CHECK_NONE);
    assert_int_equal(def->cpu.migratable, VR_TRISTATE_ON);
    assert_int_equal(def->cpu.sockets * def->cpu.dies * def->cpu.cores * def->cpu.threads, 4);
    assert_string_equal(def->os.machine, "pc-i440fx-7.2");
    assert_int_equal(def->os.loader.type, VR_LOADER_PFLASH);
    assert_true(def->os.loader.readonly);
    assert_string_equal(def->os.loader.path, "/usr/share/OVMF/OVMF_CODE_4M.fd");
    assert_string_equal(def->os.nvram, "/var/lib/vireo/nvram/full,1_VARS.fd");
    assert_string_equal(def->os.nvram_template, "/usr/share/OVMF/OVMF_VARS_4M.fd");
    assert_int_equal(def->os.n_boot_devs, 0); /* per-device boot orders instead */
    assert_true(def->features.acpi && def->features.apic && def->features.pae);
    assert_int_equal(def->features.vmport, VR_TRISTATE_OFF);
    assert_int_equal(def->clock.offset, VR_CLOCK_LOCALTIME);
    assert_int_equal(def->clock.rtc_tickpolicy, VR_TICK_CATCHUP);
    assert_int_equal(def->clock.pit_tickpolicy, VR_TICK_DELAY);
    assert_int_equal(def->clock.hpet, VR_TRISTATE_OFF);
    assert_int_equal(def->on_poweroff, VR_LIFECYCLE_PRESERVE);
    assert_int_equal(def->on_reboot, VR_LIFECYCLE_DESTROY);
    assert_int_equal(def->on_crash, VR_LIFECYCLE_RENAME_RESTART);
    assert_int_equal(def->pm.suspend_to_mem, VR_TRISTATE_OFF);
    assert_int_equal(def->pm.suspend_to_disk, VR_TRISTATE_ON);
    assert_true(def->seclabel_none);
    assert_string_equal(def->emulator, "/usr/bin/qemu-system-x86_64");

    assert_int_equal(def->n_disks, 6);
    const vr_disk_def *d = &def->disks[0];
    assert_int_equal(d->format, VR_DISK_QCOW2);
    assert_int_equal(d->cache, VR_DISK_CACHE_NONE);
    assert_int_equal(d->io, VR_DISK_IO_NATIVE);
    assert_int_equal(d->discard, VR_DISK_DISCARD_UNMAP);
    assert_string_equal(d->source_path, "/var/lib/vireo/images/full,root.qcow2");
    assert_int_equal(d->boot_order, 1);
    assert_int_equal(def->disks[1].type, VR_DISK_BLOCK);
    assert_string_equal(def->disks[1].source_path, "/dev/vg0/data");
    assert_int_equal(def->disks[1].bus, VR_DISK_BUS_SCSI);
    d = &def->disks[2];
    assert_int_equal(d->type, VR_DISK_VOLUME);
    assert_string_equal(d->source_pool, "default");
    assert_string_equal(d->source_volume, "scratch.qcow2");
    assert_null(d->source_path);
    assert_null(d->resolved_path);
    assert_int_equal(d->bus, VR_DISK_BUS_VIRTIO); /* from the name vdb */
    assert_true(d->readonly);
    d = &def->disks[3];
    assert_int_equal(d->device, VR_DISK_DEVICE_CDROM);
    assert_int_equal(d->bus, VR_DISK_BUS_IDE);
    assert_int_equal(d->addr.type, VR_ADDR_DRIVE);
    assert_int_equal(d->addr.bus, 1); /* hdc: secondary channel, master */
    assert_int_equal(d->addr.unit, 0);
    assert_int_equal(def->disks[4].addr.unit, 1);
    d = &def->disks[5];
    assert_null(d->source_path); /* an empty cdrom */
    assert_true(d->readonly);
    assert_int_equal(d->addr.unit, 2);

    assert_int_equal(def->n_interfaces, 3);
    assert_int_equal(def->interfaces[0].type, VR_NET_USER);
    assert_int_equal(def->interfaces[0].model, VR_NET_MODEL_E1000);
    assert_string_equal(def->interfaces[1].mac, "52:54:00:ab:cd:ef");
    assert_string_equal(def->interfaces[1].source_network, "default");
    assert_string_equal(def->interfaces[1].target_dev, "vr-full0");
    assert_int_equal(def->interfaces[1].boot_order, 2);
    assert_string_equal(def->interfaces[2].source_bridge, "br0");
    assert_int_equal(def->interfaces[2].model, VR_NET_MODEL_RTL8139);
    assert_true(vr_str_starts(def->interfaces[2].mac, "52:54:00:"));
    assert_pci(&def->interfaces[2].addr, 1, 3, 0);

    assert_int_equal(def->n_serials, 2);
    assert_int_equal(def->serials[1].port, 1);
    assert_int_equal(def->n_consoles, 2);
    assert_int_equal(def->consoles[0].target, VR_CONSOLE_SERIAL);
    assert_int_equal(def->consoles[1].target, VR_CONSOLE_VIRTIO);
    assert_int_equal(def->consoles[1].addr.port, 0);
    assert_int_equal(def->n_channels, 1);
    assert_string_equal(def->channels[0].target_name, "org.qemu.guest_agent.0");
    assert_int_equal(def->channels[0].addr.port, 1);
    assert_int_equal(def->n_inputs, 3);
    assert_int_equal(def->inputs[0].addr.type, VR_ADDR_USB);
    assert_int_equal(def->inputs[0].addr.port, 1);
    assert_int_equal(def->n_graphics, 1);
    assert_false(def->graphics[0].autoport);
    assert_int_equal(def->graphics[0].port, 5901);
    assert_string_equal(def->graphics[0].listen, "0.0.0.0");
    assert_int_equal(def->n_audios, 1);
    assert_int_equal(def->n_videos, 2);
    assert_int_equal(def->videos[0].model, VR_VIDEO_QXL);
    assert_true(def->videos[0].primary);
    assert_int_equal(def->videos[0].vgamem, 16384);
    assert_pci(&def->videos[0].addr, 0, 2, 0); /* pc: the primary video on slot 2 */
    assert_int_equal(def->videos[1].heads, 2);
    assert_pci(&def->memballoon.addr, 0, 5, 0);
    assert_string_equal(def->rngs[0].backend, "/dev/random");

    assert_string_equal(ctrl(def, VR_CONTROLLER_USB, 0)->model, "qemu-xhci");
    assert_int_equal(ctrl(def, VR_CONTROLLER_USB, 0)->ports, 8);
    assert_pci(&ctrl(def, VR_CONTROLLER_PCI, 1)->addr, 0, 0x1e, 0);
    assert_int_equal(ctrl(def, VR_CONTROLLER_PCI, 1)->chassis, 1);
    assert_pci(&ctrl(def, VR_CONTROLLER_IDE, 0)->addr, 0, 1, 1); /* PIIX3's own */
    assert_int_equal(ctrl(def, VR_CONTROLLER_VIRTIO_SERIAL, 0)->ports, 16);
    assert_int_equal(ctrl(def, VR_CONTROLLER_VIRTIO_SERIAL, 0)->vectors, 4);
    assert_pci_unique(def, false);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

static void virt_install_q35(void **state)
{
    vr_domain_def *def = parse_fixture("virt-install.xml");
    assert_true(vr_domain_def_is_q35(def));
    assert_true(def->memory_kib == 2097152); /* no unit: KiB */
    assert_non_null(strstr(def->metadata, "libosinfo:os id=\"http://debian.org/debian/12\""));
    /* 14 root ports without index or address: indexes 1-14, packed
     * eight to a slot from slot 2, function 0 multifunction. */
    for (unsigned i = 1; i <= 14; i++) {
        const vr_controller_def *c = ctrl(def, VR_CONTROLLER_PCI, i);
        assert_string_equal(c->model, "pcie-root-port");
        unsigned slot = i <= 8 ? 2 : 3, fn = (i - 1) % 8;
        assert_pci(&c->addr, 0, slot, fn);
        assert_int_equal(c->addr.multifunction, fn == 0);
        assert_int_equal(c->chassis, i);
        assert_int_equal(c->port, slot << 3 | fn);
    }
    assert_string_equal(ctrl(def, VR_CONTROLLER_PCI, 0)->model, "pcie-root");
    /* The primary video sits on slot 1, PCIe devices each on a root port. */
    assert_pci(&def->videos[0].addr, 0, 1, 0);
    assert_true(def->videos[0].primary);
    assert_int_equal(def->disks[0].addr.bus >= 1, 1);
    assert_int_equal(def->disks[0].addr.slot, 0);
    assert_int_equal(def->interfaces[0].addr.slot, 0);
    assert_int_equal(def->interfaces[0].addr.bus >= 1, 1);
    /* Implicit: q35's built-in SATA at 1f.2, the virtio-serial bus for
     * the agent, and the serial port behind the console. */
    assert_pci(&ctrl(def, VR_CONTROLLER_SATA, 0)->addr, 0, 0x1f, 2);
    assert_non_null(ctrl(def, VR_CONTROLLER_VIRTIO_SERIAL, 0));
    assert_int_equal(def->disks[1].addr.type, VR_ADDR_DRIVE);
    assert_int_equal(def->n_serials, 1);
    assert_int_equal(def->serials[0].port, 0);
    assert_int_equal(def->consoles[0].target, VR_CONSOLE_SERIAL);
    assert_int_equal(def->channels[0].addr.type, VR_ADDR_VIRTIO_SERIAL);
    assert_int_equal(def->channels[0].addr.port, 1);
    assert_true(def->graphics[0].autoport);
    assert_string_equal(def->graphics[0].listen, "127.0.0.1");
    assert_int_equal(def->os.boot_devs[0], VR_BOOT_HD);
    assert_pci_unique(def, true);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

/* `virsh dumpxml --inactive` of the same domain after libvirt defined
 * it: every address given is kept, and the output matches libvirt's. */
static void libvirt_dumpxml(void **state)
{
    vr_domain_def *def = parse_fixture("libvirt-dumpxml.xml");
    assert_pci(&def->disks[0].addr, 4, 0, 0);
    assert_pci(&ctrl(def, VR_CONTROLLER_USB, 0)->addr, 2, 0, 0);
    assert_pci(&ctrl(def, VR_CONTROLLER_PCI, 2)->addr, 0, 2, 1);
    assert_int_equal(ctrl(def, VR_CONTROLLER_PCI, 2)->port, 0x11);
    assert_pci(&def->rngs[0].addr, 6, 0, 0);
    assert_int_equal(def->inputs[1].bus, VR_INPUT_BUS_PS2);
    assert_int_equal(def->n_audios, 1);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x02\" "
                                "function=\"0x0\" multifunction=\"on\"/>"));
    assert_non_null(strstr(xml, "<target chassis=\"6\" port=\"0x15\"/>"));
    assert_non_null(strstr(xml, "<address type=\"usb\" bus=\"0\" port=\"1\"/>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

/* libvirt's layout of a pc machine: the built-in IDE at 01.1, a PIIX3
 * USB controller at 01.2, the primary video at 02.0. All accepted as
 * given, none of them in conflict with the machine's own functions. */
static void libvirt_pc_layout(void **state)
{
    vr_domain_def *def = dev_ok(
        HEAD,
        "<controller type='usb' index='0' model='piix3-uhci'><address type='pci' domain='0x0000' "
        "bus='0x00' slot='0x01' function='0x2'/></controller>\n"
        "<controller type='pci' index='0' model='pci-root'/>\n"
        "<controller type='ide' index='0'><address type='pci' domain='0x0000' bus='0x00' "
        "slot='0x01' function='0x1'/></controller>\n"
        "<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>\n"
        "<input type='mouse' bus='ps2'/>\n<input type='keyboard' bus='ps2'/>\n"
        "<graphics type='vnc' port='-1' autoport='yes'><listen type='address'/></graphics>\n"
        "<video><model type='cirrus' vram='16384' heads='1' primary='yes'/><address type='pci' "
        "domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></video>\n"
        "<memballoon model='virtio'><address type='pci' domain='0x0000' bus='0x00' slot='0x05' "
        "function='0x0'/></memballoon>\n");
    assert_pci(&ctrl(def, VR_CONTROLLER_USB, 0)->addr, 0, 1, 2);
    assert_pci(&ctrl(def, VR_CONTROLLER_IDE, 0)->addr, 0, 1, 1);
    assert_pci(&def->videos[0].addr, 0, 2, 0);
    assert_int_equal(def->videos[0].vram, 16384);
    assert_fixed_point(def);
    vr_domain_def_free(def);

    /* Without addresses the PIIX3 USB controller still lands on 01.2. */
    def = dev_ok(HEAD, "<controller type='usb' model='piix3-uhci'/>\n<input type='tablet'/>\n");
    assert_pci(&ctrl(def, VR_CONTROLLER_USB, 0)->addr, 0, 1, 2);
    vr_domain_def_free(def);

    /* The built-in IDE cannot move. */
    dev_refused("<controller type='ide' index='0'><address type='pci' slot='0x04'/></controller>\n",
                6, "is built into the pc machine at 0000:00:01.1");
    dev_refused("<input type='tablet' bus='usb'><address type='usb' bus='0' port='3'/></input>\n"
                "<controller type='usb' model='piix3-uhci'/>\n", 6,
                "USB port 3 is beyond the 2 ports of the piix3-uhci controller");
}

/* ---- generated values ------------------------------------------------------ */

static void memory_units(void **state)
{
    static const struct {
        const char *mem;
        unsigned long long kib;
    } cases[] = {
        {"<memory unit='MiB'>512</memory>", 524288},
        {"<memory unit='M'>512</memory>", 524288},
        {"<memory unit='GB'>1</memory>", 976563}, /* 10^9 bytes, rounded up to KiB */
        {"<memory unit='b'>1048577</memory>", 1025},
        {"<memory unit='bytes'>1048576</memory>", 1024},
        {"<memory unit='KiB'>1024</memory>", 1024},
        {"<memory>  2048 </memory>", 2048},
        {"<memory unit='TiB'>16</memory>", 17179869184ULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *xml = NULL;
        if (asprintf(&xml, "<domain type='qemu'><name>m</name>%s<os><type>hvm</type></os>"
                           "</domain>", cases[i].mem) < 0)
            fail();
        vr_domain_def *def = parse_ok(xml);
        if (def->memory_kib != cases[i].kib)
            fail_msg("%s: %llu KiB", cases[i].mem, def->memory_kib);
        char *out = vr_domain_def_format(def);
        char want[96];
        snprintf(want, sizeof(want), "<memory unit=\"KiB\">%llu</memory>", cases[i].kib);
        assert_non_null(strstr(out, want));
        free(out);
        vr_domain_def_free(def);
        free(xml);
    }
}

static void generated_macs_and_names(void **state)
{
    vr_domain_def *def = dev_ok(HEAD,
                                "<interface type='user'/>\n<interface type='user'/>\n"
                                "<disk><source file='/a.img'/></disk>\n"
                                "<disk><source file='/b.img'/></disk>\n"
                                "<disk device='cdrom'/>\n<disk device='cdrom'><target bus='sata'/>"
                                "</disk>\n");
    for (size_t i = 0; i < 2; i++) {
        unsigned char raw[VR_MAC_LEN];
        assert_true(vr_mac_parse(def->interfaces[i].mac, raw));
        assert_true(vr_str_starts(def->interfaces[i].mac, "52:54:00:"));
        assert_int_equal(def->interfaces[i].model, VR_NET_MODEL_VIRTIO);
    }
    assert_string_not_equal(def->interfaces[0].mac, def->interfaces[1].mac);
    assert_string_equal(def->disks[0].target_dev, "vda");
    assert_string_equal(def->disks[1].target_dev, "vdb");
    assert_int_equal(def->disks[1].bus, VR_DISK_BUS_VIRTIO);
    /* pc: a cdrom without target goes on IDE, named after its bus. */
    assert_string_equal(def->disks[2].target_dev, "hda");
    assert_int_equal(def->disks[2].bus, VR_DISK_BUS_IDE);
    assert_string_equal(def->disks[3].target_dev, "sda");
    assert_int_equal(def->disks[3].addr.type, VR_ADDR_DRIVE);
    assert_non_null(vr_domain_def_controller(def, VR_CONTROLLER_SATA, 0));
    assert_non_null(vr_domain_def_controller(def, VR_CONTROLLER_IDE, 0));
    assert_pci_unique(def, false);
    assert_fixed_point(def);
    vr_domain_def_free(def);

    /* q35: a cdrom goes on the built-in SATA controller. */
    def = dev_ok(Q35_HEAD, "<disk device='cdrom'/>\n");
    assert_string_equal(def->disks[0].target_dev, "sda");
    assert_int_equal(def->disks[0].bus, VR_DISK_BUS_SATA);
    assert_int_equal(def->disks[0].addr.unit, 0);
    assert_pci(&ctrl(def, VR_CONTROLLER_SATA, 0)->addr, 0, 0x1f, 2);
    vr_domain_def_free(def);
}

static void implicit_controllers(void **state)
{
    vr_domain_def *def = dev_ok(HEAD,
                                "<disk><source file='/a'/><target dev='sdb'/></disk>\n"
                                "<input type='tablet'/>\n<channel type='unix'><target "
                                "type='virtio' name='org.qemu.guest_agent.0'/></channel>\n"
                                "<console type='pty'><target type='virtio'/></console>\n"
                                "<graphics type='vnc'/>\n");
    /* sdb without bus: SCSI, like libvirt, on a virtio-scsi controller. */
    assert_int_equal(def->disks[0].bus, VR_DISK_BUS_SCSI);
    assert_int_equal(def->disks[0].addr.unit, 1);
    assert_string_equal(ctrl(def, VR_CONTROLLER_SCSI, 0)->model, "virtio-scsi");
    assert_string_equal(ctrl(def, VR_CONTROLLER_USB, 0)->model, "qemu-xhci");
    assert_int_equal(def->inputs[0].bus, VR_INPUT_BUS_USB);
    assert_non_null(ctrl(def, VR_CONTROLLER_VIRTIO_SERIAL, 0));
    /* Port 0 is the virtconsole's, the agent takes 1. */
    assert_int_equal(def->consoles[0].addr.port, 0);
    assert_int_equal(def->channels[0].addr.port, 1);
    assert_int_equal(def->n_serials, 0); /* a virtio console needs no serial port */
    /* Graphics without video: a VGA, primary, on slot 2. */
    assert_int_equal(def->n_videos, 1);
    assert_int_equal(def->videos[0].model, VR_VIDEO_VGA);
    assert_pci(&def->videos[0].addr, 0, 2, 0);
    assert_pci_unique(def, false);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

static void pci_assignment(void **state)
{
    /* Given slots 2 and 3 are kept; generated ones skip them. */
    vr_domain_def *def = dev_ok(HEAD,
                                "<interface type='user'/>\n"
                                "<interface type='user'><address type='pci' slot='0x03'/>"
                                "</interface>\n"
                                "<memballoon model='virtio'><address type='pci' domain='0x0000' "
                                "bus='0x00' slot='0x02' function='0x0'/></memballoon>\n"
                                "<rng model='virtio'><backend model='random'/></rng>\n");
    assert_pci(&def->interfaces[0].addr, 0, 4, 0);
    assert_pci(&def->interfaces[1].addr, 0, 3, 0);
    assert_pci(&def->memballoon.addr, 0, 2, 0);
    assert_pci(&def->rngs[0].addr, 0, 5, 0);
    assert_string_equal(def->rngs[0].backend, "/dev/urandom");
    assert_fixed_point(def);
    vr_domain_def_free(def);

    /* q35 without root ports: the root bus, never 00 or 1f. */
    def = dev_ok(Q35_HEAD, "<interface type='user'/>\n<interface type='user'/>\n");
    assert_pci(&def->interfaces[0].addr, 0, 1, 0);
    assert_pci(&def->interfaces[1].addr, 0, 2, 0);
    vr_domain_def_free(def);

    /* q35, a new definition (define): a root port for each PCIe device
     * (the two NICs, the balloon) and VR_SPARE_ROOT_PORTS free ones for
     * hot-plug, packed eight to slot 1; its dumpxml defined again gets
     * none more, and the pc machine gets none. */
    const char *xml = Q35_HEAD "<interface type='user'/>\n<interface type='user'/>\n" TAIL;
    char *err = NULL;
    def = vr_domain_def_parse_new(xml, strlen(xml), &err);
    assert_non_null(def);
    unsigned ports = 0;
    for (size_t i = 0; i < def->n_controllers; i++)
        if (def->controllers[i].model && strcmp(def->controllers[i].model, "pcie-root-port") == 0)
            ports++;
    assert_int_equal(ports, 3 + VR_SPARE_ROOT_PORTS);
    assert_pci(&ctrl(def, VR_CONTROLLER_PCI, 1)->addr, 0, 1, 0);
    assert_true(ctrl(def, VR_CONTROLLER_PCI, 1)->addr.multifunction);
    assert_pci(&ctrl(def, VR_CONTROLLER_PCI, 2)->addr, 0, 1, 1);
    assert_pci(&def->interfaces[0].addr, 1, 0, 0);
    assert_pci(&def->interfaces[1].addr, 2, 0, 0);
    assert_pci(&def->memballoon.addr, 3, 0, 0);
    assert_pci_unique(def, true);
    assert_fixed_point(def);
    char *dumped = vr_domain_def_format(def);
    vr_domain_def *again = vr_domain_def_parse_new(dumped, strlen(dumped), &err);
    assert_non_null(again);
    assert_int_equal(again->n_controllers, def->n_controllers);
    vr_domain_def_free(again);
    free(dumped);
    vr_domain_def_free(def);
    xml = HEAD "<interface type='user'/>\n" TAIL;
    def = vr_domain_def_parse_new(xml, strlen(xml), &err);
    assert_non_null(def);
    assert_null(vr_domain_def_controller(def, VR_CONTROLLER_PCI, 1));
    vr_domain_def_free(def);

    /* pc: slots 2-31 take 30 NICs; one more is too many. */
    char many[4096] = "<memballoon model='none'/>";
    for (int i = 0; i < 30; i++)
        strcat(many, "<interface type='user'/>");
    def = dev_ok(HEAD, many);
    assert_pci_unique(def, false);
    assert_pci(&def->interfaces[29].addr, 0, 31, 0);
    vr_domain_def_free(def);
    strcat(many, "\n<interface type='user'/>\n");
    dev_refused(many, 7, "no free PCI slot for <interface> (add a <controller type='pci' "
                "model='pci-bridge'/>)");

    /* pc: a pci-bridge takes the overflow. */
    char bridged[4096] = "<controller type='pci' model='pci-bridge'/>";
    for (int i = 0; i < 40; i++)
        strcat(bridged, "<interface type='user'/>");
    def = dev_ok(HEAD, bridged);
    assert_pci_unique(def, false);
    /* The bridge on slot 2, 29 NICs on slots 3-31, 11 behind the bridge
     * (its slots start at 1), then the balloon. */
    assert_pci(&ctrl(def, VR_CONTROLLER_PCI, 1)->addr, 0, 2, 0);
    assert_pci(&def->interfaces[28].addr, 0, 31, 0);
    assert_pci(&def->interfaces[29].addr, 1, 1, 0);
    assert_pci(&def->interfaces[39].addr, 1, 11, 0);
    assert_pci(&def->memballoon.addr, 1, 12, 0);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

/* NUMA cells, DIMMs, <memoryBacking>, <cputune>, <iothreads>,
 * <filesystem>: read, completed as libvirt completes them, written back
 * to a fixed point; the mistakes refused naming the element. */
static void tune_elements(void **state)
{
    (void)state;
    vr_domain_def *def = parse_ok(
        "<domain type='kvm'><name>t</name><maxMemory slots='8' unit='GiB'>8</maxMemory>"
        "<memory unit='GiB'>4</memory><memoryBacking><source type='memfd'/>"
        "<access mode='shared'/></memoryBacking><vcpu>4</vcpu><iothreads>2</iothreads>"
        "<cputune><vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='1' cpuset='0-1,^1'/>"
        "<emulatorpin cpuset='0'/><shares>2048</shares></cputune>"
        "<os><type machine='q35'>hvm</type></os><cpu><numa>"
        "<cell id='0' cpus='0-1' memory='1000000'/><cell cpus='2-3' memory='512' unit='MiB'/>"
        "</numa></cpu><devices>"
        "<controller type='scsi' model='virtio-scsi'><driver queues='2' iothread='1'/></controller>"
        "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/>"
        "<source dir='/srv'/><target dir='share'/></filesystem>"
        "<memory model='dimm'><target><size unit='MiB'>127</size><node>1</node></target></memory>"
        "<memory model='dimm'><target><size unit='MiB'>128</size><node>0</node></target>"
        "<address type='dimm' slot='0'/></memory>"
        "</devices></domain>");
    /* Cells rounded up to MiB; <memory> = cells + DIMMs (127 MiB -> 128). */
    assert_int_equal(def->numa_cells[0].memory_kib, 977 * 1024);
    assert_int_equal(def->memory_kib, 977 * 1024 + 512 * 1024 + 256 * 1024);
    assert_int_equal(def->memdevs[0].slot, 1);
    assert_int_equal(def->memdevs[1].slot, 0);
    assert_true(vr_domain_shared_memory(def));
    assert_int_equal(def->filesystems[0].addr.type, VR_ADDR_PCI);
    assert_fixed_point(def);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<cell id=\"1\" cpus=\"2-3\" memory=\"524288\" unit=\"KiB\"/>"));
    assert_non_null(strstr(xml, "<address type=\"dimm\" slot=\"1\"/>"));
    assert_non_null(strstr(xml, "<driver queues=\"2\" iothread=\"1\"/>"));
    assert_non_null(strstr(xml, "<alias name=\"dimm1\"/>"));
    free(xml);
    /* Detach: a DIMM named by its alias, slot or size (and node); the
     * other keeps its alias (QEMU's id), <memory> shrinks. */
    vr_device_kind kind;
    size_t at = 9;
    char *err = NULL;
    assert_int_equal(vr_domain_def_find_device(def, "<memory model='dimm'><target><size unit='MiB'>1"
                                               "</size></target><alias name='dimm1'/></memory>", &kind, &at, &err), 0);
    assert_int_equal(kind, VR_DEVICE_MEMORY);
    assert_int_equal(at, 1);
    assert_int_equal(vr_domain_def_find_device(def, "<memory model='dimm'><target><size unit='MiB'>1"
                                               "</size></target><address type='dimm' slot='1'/></memory>", &kind, &at, &err), 0);
    assert_int_equal(at, 0);
    assert_int_equal(vr_domain_def_find_device(def, "<memory model='dimm'><target><size unit='MiB'>128"
                                               "</size><node>0</node></target></memory>", &kind, &at, &err), 0);
    assert_int_equal(at, 1);
    assert_int_equal(vr_domain_def_find_device(def, "<memory model='dimm'><target><size unit='MiB'>64"
                                               "</size></target></memory>", &kind, &at, &err), -1);
    assert_non_null(strstr(err, "has no such DIMM"));
    free(err);
    err = NULL;
    vr_domain_def *less = vr_domain_def_without_device(def, VR_DEVICE_MEMORY, 0, &err);
    assert_non_null(less);
    assert_int_equal(less->n_memdevs, 1);
    assert_int_equal(less->memdevs[0].alias, 1);
    assert_int_equal(vr_domain_def_find_memdev(less, "dimm1"), 0);
    assert_int_equal(less->memory_kib, def->memory_kib - 128 * 1024);
    vr_domain_def_free(less);
    vr_domain_def_free(def);

    /* <iothreadids>: any ids, <iothreads> raised to their number, the
     * missing ones the smallest unused from 1 (as libvirt); written back. */
    def = parse_ok("<domain type='kvm'><name>t</name><memory unit='MiB'>256</memory><iothreads>4</iothreads>"
                   "<iothreadids><iothread id='7'/><iothread id='2'/></iothreadids>"
                   "<cputune><iothreadpin iothread='7' cpuset='0'/></cputune>"
                   "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
                   "<driver name='qemu' iothread='7'/><source file='/a'/><target dev='vda' bus='virtio'/>"
                   "</disk></devices></domain>");
    assert_int_equal(def->iothreads, 4);
    assert_int_equal(def->n_iothread_ids, 4);
    unsigned want[] = {7, 2, 1, 3};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(def->iothread_ids[i], want[i]);
    assert_fixed_point(def);
    xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<iothreads>4</iothreads>\n  <iothreadids>\n    <iothread id=\"7\"/>\n"
                                "    <iothread id=\"2\"/>\n    <iothread id=\"1\"/>\n    <iothread id=\"3\"/>"));
    free(xml);
    vr_domain_def_free(def);
    def = parse_ok("<domain type='kvm'><name>t</name><memory unit='MiB'>256</memory><iothreads>2</iothreads>"
                   "<os><type>hvm</type></os></domain>");
    assert_int_equal(def->n_iothread_ids, 2);
    assert_int_equal(def->iothread_ids[1], 2);
    xml = vr_domain_def_format(def);
    assert_null(strstr(xml, "iothreadids")); /* 1..N not listed: not written */
    free(xml);
    vr_domain_def_free(def);

#define T(top, devs) "<domain type='kvm'>\n<name>t</name>\n<memory unit='MiB'>256</memory>\n" \
                     top "\n<os><type>hvm</type></os>\n<devices>\n" devs "\n</devices></domain>"
    refused_at(T("<vcpu>2</vcpu>", "<filesystem type='mount'><driver type='virtiofs'/><source "
                 "dir='/srv'/><target dir='s'/></filesystem>"), 7,
               "<filesystem> with <driver type='virtiofs'> needs the guest's memory shared");
    refused_at(T("<vcpu>2</vcpu>", "<memory model='dimm'><target><size>1024</size></target></memory>"),
               7, "needs <maxMemory slots=...>");
    refused_at(T("<vcpu>2</vcpu><cpu><numa><cell cpus='0-2' memory='1024'/></numa></cpu>", ""), 4,
               "<cell id='0' cpus='0-2'> names vCPU 2");
    refused_at(T("<vcpu>2</vcpu><cpu><numa><cell id='1' memory='1024'/></numa></cpu>", ""), 4,
               "cells are numbered 0, 1, ... in order");
    refused_at(T("<vcpu>2</vcpu><cputune><vcpupin vcpu='5' cpuset='0'/></cputune>", ""), 4,
               "<vcpupin vcpu='5'>: the domain has vCPUs 0 to 1");
    refused_at(T("<memoryBacking><hugepages><page size='1' unit='G' nodeset='x'/></hugepages></memoryBacking>",
                 ""), 4, "<page nodeset='x'> is not a list of guest NUMA cells");
    refused_at(T("<iothreads>1</iothreads>", "<controller type='scsi'><driver iothread='2'/>"
                 "</controller>"), 7, "the domain has 1 <iothreads>");
    refused_at(T("<iothreadids><iothread id='3'/><iothread id='3'/></iothreadids>", ""), 4,
               "<iothread id='3'> is given twice in <iothreadids>");
    refused_at(T("<iothreadids><iothread/></iothreadids>", ""), 4, "needs an id");
    refused_at(T("<iothreadids><iothread id='1' thread_pool_min='2'/></iothreadids>", ""), 4, "thread_pool_min");
    refused_at(T("<iothreads>1</iothreads><iothreadids><iothread id='4'/></iothreadids>",
                 "<disk type='file' device='disk'><driver name='qemu' iothread='1'/><source file='/a'/>"
                 "<target dev='vda' bus='virtio'/></disk>"), 7, "the domain has 1 <iothreads> (ids 4)");
    refused_at(T("", "<filesystem type='mount'><source dir='/srv'/><target dir='a'/></filesystem>"
                 "<filesystem type='mount'><source dir='/tmp'/><target dir='a'/></filesystem>"), 7,
               "<target dir='a'> is the tag of another <filesystem>");
#undef T
}

/* <interface type='direct'>: macvtap on a host NIC, libvirt's default
 * mode vepa written back. */
static void direct_interface(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD, "<interface type='direct'><source dev='eth0' "
                                      "mode='bridge'/></interface>\n<interface type='direct'>"
                                      "<source dev='eth1'/><target dev='macvtap9'/></interface>\n");
    assert_int_equal(def->n_interfaces, 2);
    assert_int_equal(def->interfaces[0].type, VR_NET_DIRECT);
    assert_string_equal(def->interfaces[0].source_dev, "eth0");
    assert_string_equal(vr_interface_source(&def->interfaces[0]), "eth0");
    assert_int_equal(def->interfaces[0].source_mode, VR_MACVTAP_BRIDGE);
    assert_int_equal(def->interfaces[1].source_mode, VR_MACVTAP_VEPA);
    assert_string_equal(def->interfaces[1].target_dev, "macvtap9");
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<interface type=\"direct\">"));
    assert_non_null(strstr(xml, "<source dev=\"eth0\" mode=\"bridge\"/>"));
    assert_non_null(strstr(xml, "<source dev=\"eth1\" mode=\"vepa\"/>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

/* <bandwidth>: libvirt's units kept as given, written back in place;
 * floor, a peak below the average, a direct interface refused. */
static void interface_bandwidth(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD, "<interface type='bridge'><source bridge='br0'/><bandwidth>"
                                      "<inbound average='1000' peak='2000' burst='256'/>"
                                      "<outbound average='500'/></bandwidth></interface>\n");
    const vr_bandwidth_def *bw = &def->interfaces[0].bandwidth;
    assert_true(bw->in.set && bw->out.set);
    assert_int_equal(bw->in.average, 1000);
    assert_int_equal(bw->in.peak, 2000);
    assert_int_equal(bw->in.burst, 256);
    assert_int_equal(bw->out.average, 500);
    assert_int_equal(bw->out.peak, 0);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<inbound average=\"1000\" peak=\"2000\" burst=\"256\"/>"));
    assert_non_null(strstr(xml, "<outbound average=\"500\"/>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
    dev_refused("<interface type='network'><source network='default'/><bandwidth>"
                "<inbound average='10' floor='5'/></bandwidth></interface>\n", 6,
                "<inbound floor> needs QoS on the network");
    dev_refused("<interface type='network'><source network='default'/><bandwidth>"
                "<inbound average='10' peak='5'/></bandwidth></interface>\n", 6, "peak='5'");
    dev_refused("<interface type='network'><source network='default'/><bandwidth>"
                "<outbound peak='5'/></bandwidth></interface>\n", 6, "<outbound> needs average");
    dev_refused("<interface type='direct'><source dev='eth0'/><bandwidth>"
                "<inbound average='10'/></bandwidth></interface>\n", 6, "type='direct' interface");
}

#define IOTUNE_DISK(body)                                                                      \
    "<disk type='file' device='disk'><source file='/i/a.img'/><target dev='vda'/>"           \
    "<iotune>" body "</iotune></disk>\n"

/* <iotune>: every value libvirt writes, in its order, group_name after
 * size_iops_sec; libvirt's and QEMU's rules refused by field name. */
static void disk_iotune(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD, IOTUNE_DISK("<read_bytes_sec_max_length>4</read_bytes_sec_max_length>"
                                                  "<group_name>g1</group_name><read_bytes_sec>2097152</read_bytes_sec>"
                                                  "<read_bytes_sec_max>4194304</read_bytes_sec_max>"
                                                  "<total_iops_sec>100</total_iops_sec><size_iops_sec>4096</size_iops_sec>")
                                      "<disk type='file'><source file='/i/b.img'/><target dev='vdb'/></disk>\n");
    const vr_iotune *t = &def->disks[0].iotune;
    assert_int_equal(t->v[VR_IOTUNE_READ_BYTES_SEC], 2097152);
    assert_int_equal(t->v[VR_IOTUNE_READ_BYTES_SEC_MAX], 4194304);
    assert_int_equal(t->v[VR_IOTUNE_READ_BYTES_SEC_MAX_LENGTH], 4);
    assert_int_equal(t->v[VR_IOTUNE_TOTAL_IOPS_SEC], 100);
    assert_string_equal(t->group_name, "g1");
    assert_false(vr_iotune_any(&def->disks[1].iotune));
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<target dev=\"vda\" bus=\"virtio\"/>\n      <iotune>\n"
                                "        <read_bytes_sec>2097152</read_bytes_sec>\n"
                                "        <total_iops_sec>100</total_iops_sec>\n"
                                "        <read_bytes_sec_max>4194304</read_bytes_sec_max>\n"
                                "        <size_iops_sec>4096</size_iops_sec>\n"
                                "        <group_name>g1</group_name>\n"
                                "        <read_bytes_sec_max_length>4</read_bytes_sec_max_length>\n"
                                "      </iotune>"));
    assert_null(strstr(xml + (strstr(xml, "vdb") - xml), "<iotune>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);

    dev_refused(IOTUNE_DISK("<total_bytes_sec>1</total_bytes_sec><read_bytes_sec>1</read_bytes_sec>"), 6,
                "total_bytes_sec cannot be set with read_bytes_sec or write_bytes_sec");
    dev_refused(IOTUNE_DISK("<total_iops_sec_max>9</total_iops_sec_max><write_iops_sec_max>9</write_iops_sec_max>"),
                6, "total_iops_sec_max cannot be set with");
    dev_refused(IOTUNE_DISK("<write_bytes_sec_max>9</write_bytes_sec_max>"), 6,
                "write_bytes_sec_max needs write_bytes_sec");
    dev_refused(IOTUNE_DISK("<read_iops_sec>9</read_iops_sec><read_iops_sec_max>5</read_iops_sec_max>"), 6,
                "read_iops_sec_max 5 is below read_iops_sec 9");
    dev_refused(IOTUNE_DISK("<read_iops_sec>9</read_iops_sec><read_iops_sec_max_length>5</read_iops_sec_max_length>"),
                6, "read_iops_sec_max_length needs read_iops_sec_max");
    dev_refused(IOTUNE_DISK("<group_name>g</group_name>"), 6, "group_name 'g' needs a limit");
    dev_refused(IOTUNE_DISK("<size_iops_sec>512</size_iops_sec><total_bytes_sec>5</total_bytes_sec>"), 6,
                "size_iops_sec needs an operations limit");
    dev_refused(IOTUNE_DISK("<total_bytes_sec>-1</total_bytes_sec>"), 6, "is not a number");
    dev_refused(IOTUNE_DISK("<total_bytes_sec>1000000000000001</total_bytes_sec>"), 6, "over QEMU's largest");
    dev_refused(IOTUNE_DISK("<total_bytes_sec>1</total_bytes_sec><total_bytes_sec>2</total_bytes_sec>"), 6,
                "total_bytes_sec");
    dev_refused(IOTUNE_DISK("<bogus_sec>1</bogus_sec>"), 6, "bogus_sec");
    dev_refused(IOTUNE_DISK("<total_bytes_sec>5</total_bytes_sec><group_name>g</group_name>")
                "<disk type='file'><source file='/i/b.img'/><target dev='vdb'/><iotune><total_bytes_sec>6"
                "</total_bytes_sec><group_name>g</group_name></iotune></disk>\n",
                7, "disks 'vda' and 'vdb' share <group_name>g</group_name>");
}

/* blkdeviotune's change: a rate takes its family, lengths follow their
 * burst, the group goes with the last limit. */
static void iotune_apply(void **state)
{
    (void)state;
    vr_iotune t = {.v = {[VR_IOTUNE_READ_BYTES_SEC] = 100, [VR_IOTUNE_WRITE_BYTES_SEC] = 50,
                         [VR_IOTUNE_TOTAL_IOPS_SEC] = 10, [VR_IOTUNE_TOTAL_IOPS_SEC_MAX] = 20,
                         [VR_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH] = 3},
                   .group_name = strdup("g")};
    vr_iotune_change ch = {.t = {.v = {[VR_IOTUNE_TOTAL_BYTES_SEC] = 7}},
                           .given = 1u << VR_IOTUNE_TOTAL_BYTES_SEC};
    vr_iotune_apply(&t, &ch);
    assert_int_equal(t.v[VR_IOTUNE_TOTAL_BYTES_SEC], 7);
    assert_int_equal(t.v[VR_IOTUNE_READ_BYTES_SEC], 0);
    assert_int_equal(t.v[VR_IOTUNE_WRITE_BYTES_SEC], 0);
    assert_int_equal(t.v[VR_IOTUNE_TOTAL_IOPS_SEC], 10);
    assert_int_equal(vr_iotune_check(&t, NULL), 0);
    ch = (vr_iotune_change){.given = 1u << VR_IOTUNE_TOTAL_IOPS_SEC_MAX};
    vr_iotune_apply(&t, &ch);
    assert_int_equal(t.v[VR_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH], 0);
    assert_string_equal(t.group_name, "g");
    ch = (vr_iotune_change){.given = (1u << VR_IOTUNE_TOTAL_BYTES_SEC) | (1u << VR_IOTUNE_TOTAL_IOPS_SEC)};
    vr_iotune_apply(&t, &ch);
    assert_false(vr_iotune_any(&t));
    assert_null(t.group_name);
}

static void metadata_verbatim(void **state)
{
    /* A namespace declared on <domain> is carried into the kept copy. */
    const char *xml = "<domain type='kvm' xmlns:x='urn:x'>\n<name>m</name>\n"
                      "<memory>65536</memory>\n<os><type>hvm</type></os>\n"
                      "<metadata><x:a k='1'><x:b>t&amp;t</x:b></x:a><y:c xmlns:y='urn:y'/>"
                      "</metadata>\n</domain>\n";
    vr_domain_def *def = parse_ok(xml);
    assert_non_null(strstr(def->metadata, "xmlns:x=\"urn:x\""));
    assert_non_null(strstr(def->metadata, "<x:b>t&amp;t</x:b>"));
    assert_non_null(strstr(def->metadata, "<y:c xmlns:y=\"urn:y\"/>"));
    char *out = vr_domain_def_format(def);
    vr_domain_def *again = parse_ok(out);
    assert_string_equal(def->metadata, again->metadata);
    vr_domain_def_free(again);
    free(out);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

static void copy_keeps_resolved_path(void **state)
{
    vr_domain_def *def = dev_ok(HEAD, "<disk type='volume'><source pool='p' volume='v'/>"
                                      "</disk>\n");
    def->disks[0].resolved_path = strdup("/pools/p/v");
    vr_domain_def *copy = vr_domain_def_copy(def);
    assert_non_null(copy);
    assert_string_equal(copy->disks[0].resolved_path, "/pools/p/v");
    assert_ptr_not_equal(copy->disks[0].resolved_path, def->disks[0].resolved_path);
    char *f = vr_domain_def_format(def);
    assert_null(strstr(f, "/pools/p/v")); /* never in the XML */
    free(f);
    vr_domain_def_free(copy);
    vr_domain_def_free(def);
}

/* ---- refusals ----------------------------------------------------------------- */

/* The course's first domain file, as written: libvirt's output-only
 * <source index> dropped, the versioned q35 machine kept exactly, the
 * SATA CD-ROM on q35's AHCI, SPICE with the audio libvirt adds. */
static void course_dominio(void **state)
{
    vr_domain_def *def = parse_fixture("../course/dominio.xml");
    assert_int_equal(def->type, VR_VIRT_KVM);
    assert_string_equal(def->os.machine, "pc-q35-6.2");
    assert_true(vr_domain_def_is_q35(def));
    assert_int_equal(def->n_disks, 2);
    assert_int_equal(def->disks[1].device, VR_DISK_DEVICE_CDROM);
    assert_int_equal(def->disks[1].bus, VR_DISK_BUS_SATA);
    assert_int_equal(def->n_graphics, 1);
    assert_int_equal(def->graphics[0].type, VR_GRAPHICS_SPICE);
    assert_true(def->graphics[0].autoport);
    assert_int_equal(def->n_audios, 1);
    assert_int_equal(def->audios[0].type, VR_AUDIO_SPICE);
    char *xml = vr_domain_def_format(def);
    assert_null(strstr(xml, ".iso\" index="));
    assert_non_null(strstr(xml, "netinst.iso\"/>"));
    assert_non_null(strstr(xml, "<type arch=\"x86_64\" machine=\"pc-q35-6.2\">hvm</type>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

/* A Windows guest's elements: firmware features, Hyper-V, TPM, read
 * into their structures and written back where they belong. */
static void windows_elements(void **state)
{
    vr_domain_def *def = parse_ok(
        "<domain type='kvm'><name>w</name><memory unit='MiB'>64</memory>"
        "<os firmware='efi'><type machine='q35'>hvm</type><firmware>"
        "<feature enabled='yes' name='secure-boot'/><feature enabled='no' name='enrolled-keys'/>"
        "</firmware></os>"
        "<features><acpi/><hyperv mode='custom'><relaxed state='on'/>"
        "<spinlocks state='on' retries='8191'/><stimer state='on'><direct state='on'/></stimer>"
        "<vendor_id state='on' value='KVM Hv'/></hyperv></features>"
        "<clock offset='localtime'><timer name='hypervclock' present='yes'/></clock>"
        "<devices><tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm></devices>"
        "</domain>");
    assert_int_equal(def->n_kept, 0);
    assert_int_equal(def->os.fw_secure_boot, VR_TRISTATE_ON);
    assert_int_equal(def->os.fw_enrolled_keys, VR_TRISTATE_OFF);
    assert_true(def->features.hyperv.present);
    assert_int_equal(def->features.hyperv.state[VR_HV_RELAXED], VR_TRISTATE_ON);
    assert_int_equal(def->features.hyperv.spinlock_retries, 8191);
    assert_int_equal(def->features.hyperv.stimer_direct, VR_TRISTATE_ON);
    assert_string_equal(def->features.hyperv.vendor_id, "KVM Hv");
    assert_non_null(def->tpm);
    assert_int_equal(def->tpm->model, VR_TPM_CRB);
    assert_int_equal(def->tpm->backend, VR_TPM_EMULATOR);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<feature enabled=\"yes\" name=\"secure-boot\"/>"));
    assert_non_null(strstr(xml, "<stimer state=\"on\">"));
    assert_non_null(strstr(xml, "<spinlocks state=\"on\" retries=\"8191\"/>"));
    assert_non_null(strstr(xml, "<backend type=\"emulator\" version=\"2.0\"/>"));
    assert_non_null(strstr(xml, "<os firmware=\"efi\">"));
    assert_non_null(strstr(xml, "<timer name=\"hypervclock\" present=\"yes\"/>"));
    /* <hyperv> inside <features>, <tpm> inside <devices>. */
    assert_true(strstr(xml, "<hyperv") > strstr(xml, "<features>") &&
                strstr(xml, "<hyperv") < strstr(xml, "</features>"));
    assert_true(strstr(xml, "<tpm") > strstr(xml, "<devices>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
}

/* virt-install's newer Hyper-V children (libvirt 9): <tlbflush> with
 * <direct>/<extended>, <emsr_bitmap>, <xmm_input>, in libvirt's order. */
static void hyperv_newer_children(void **state)
{
    vr_domain_def *def = parse_ok(
        "<domain type='kvm'><name>w</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
        "<features><hyperv mode='custom'><xmm_input state='on'/><tlbflush state='on'><direct state='on'/>"
        "<extended state='off'/></tlbflush><ipi state='on'/><evmcs state='off'/><avic state='on'/>"
        "<emsr_bitmap state='on'/></hyperv></features></domain>");
    const vr_hyperv_def *hv = &def->features.hyperv;
    assert_int_equal(hv->state[VR_HV_XMM_INPUT], VR_TRISTATE_ON);
    assert_int_equal(hv->state[VR_HV_EMSR_BITMAP], VR_TRISTATE_ON);
    assert_int_equal(hv->tlbflush_direct, VR_TRISTATE_ON);
    assert_int_equal(hv->tlbflush_extended, VR_TRISTATE_OFF);
    char *xml = vr_domain_def_format(def);
    const char *tlb = strstr(xml, "<tlbflush state=\"on\">");
    assert_non_null(tlb);
    assert_true(strstr(tlb, "<direct state=\"on\"/>") < strstr(tlb, "<extended state=\"off\"/>"));
    assert_true(strstr(tlb, "<extended state=\"off\"/>") < strstr(tlb, "</tlbflush>"));
    /* libvirt's order: ... avic, emsr_bitmap, xmm_input. */
    assert_true(strstr(xml, "<avic") < strstr(xml, "<emsr_bitmap") &&
                strstr(xml, "<emsr_bitmap") < strstr(xml, "<xmm_input"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
    char *err = NULL;
    const char *bad = "<domain type='kvm'><name>w</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                      "<features><hyperv><tlbflush state='on'><flush/></tlbflush></hyperv></features></domain>";
    assert_null(vr_domain_def_parse(bad, strlen(bad), &err));
    assert_non_null(strstr(err, "<flush>"));
    free(err);
}

/* <tpm> version='1.2': tpm-tis only, written back as given. */
static void tpm_version_12(void **state)
{
    vr_domain_def *def = parse_ok("<domain type='kvm'><name>t</name><memory unit='MiB'>64</memory><os><type>hvm</type>"
                                  "</os><devices><tpm model='tpm-tis'><backend type='emulator' version='1.2'/></tpm>"
                                  "</devices></domain>");
    assert_true(def->tpm->v12);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<backend type=\"emulator\" version=\"1.2\"/>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
    char *err = NULL;
    const char *crb = "<domain type='kvm'><name>t</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                      "<devices><tpm model='tpm-crb'><backend type='emulator' version='1.2'/></tpm></devices></domain>";
    assert_null(vr_domain_def_parse(crb, strlen(crb), &err));
    assert_non_null(strstr(err, "use model='tpm-tis'"));
    free(err);
}

/* HEAD BODY TAIL is refused with a message that holds `why`. */
static void refused_with(const char *head, const char *body, const char *tail, const char *why)
{
    char *x = NULL, *err = NULL;
    assert_true(asprintf(&x, "%s%s%s", head, body, tail) > 0);
    assert_null(vr_domain_def_parse(x, strlen(x), &err));
    if (!strstr(err, why))
        fail_msg("%s: %s", body, err);
    free(err);
    free(x);
}

/* <numatune>: written back as given; a memnode needs its cell; numad's
 * placement refused with what to give instead. */
static void numatune_parse(void **state)
{
    (void)state;
    vr_domain_def *def = parse_ok(
        "<domain type='kvm'><name>n</name><memory unit='MiB'>128</memory><vcpu>2</vcpu>"
        "<numatune><memory mode='preferred' nodeset='0'/><memnode cellid='0' mode='strict' nodeset='0'/>"
        "</numatune><os><type>hvm</type></os><cpu><numa><cell id='0' cpus='0-1' memory='128' unit='MiB'/>"
        "</numa></cpu></domain>");
    assert_int_equal(def->numatune.mode, VR_NUMATUNE_PREFERRED);
    assert_string_equal(def->numatune.nodeset, "0");
    assert_int_equal(def->numatune.n_memnodes, 1);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<numatune>"));
    assert_non_null(strstr(xml, "<memory mode=\"preferred\" nodeset=\"0\"/>"));
    assert_non_null(strstr(xml, "<memnode cellid=\"0\" mode=\"strict\" nodeset=\"0\"/>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
    static const struct {
        const char *body, *why;
    } bad[] = {
        {"<numatune><memnode cellid='3' mode='strict' nodeset='0'/></numatune>", "no <cpu><numa><cell id='3'>"},
        {"<numatune><memory placement='auto'/></numatune>", "numad"},
        {"<numatune><memory mode='strict'/></numatune>", "needs nodeset"},
        {"<numatune><memory mode='strict' nodeset='x'/></numatune>", "not a node list"},
        {"<numatune><memory mode='firm' nodeset='0'/></numatune>", "firm"},
        {"<memoryBacking><hugepages><page size='2' unit='M' nodeset='4'/></hugepages></memoryBacking>",
         "no <cpu><numa><cell id='4'>"},
        {"<memoryBacking><hugepages><page size='3' unit='M'/></hugepages></memoryBacking>", "no huge page size"},
        {"<memoryBacking><hugepages><page size='2' unit='M'/><page size='1' unit='G'/></hugepages>"
         "</memoryBacking>", "one huge page size"},
        {"<iothreads>1</iothreads><devices><disk type='file' device='disk'><driver name='qemu' iothread='2'/>"
         "<source file='/d.img'/><target dev='vda' bus='virtio'/></disk></devices>",
         "<driver iothread='2'>: the domain has 1 <iothreads>"},
        {"<iothreads>1</iothreads><devices><disk type='file' device='disk'><driver name='qemu' iothread='1'/>"
         "<source file='/d.img'/><target dev='sda' bus='sata'/></disk></devices>", "is for bus='virtio' disks"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused_with("<domain type='kvm'><name>n</name><memory unit='MiB'>64</memory>", bad[i].body,
                     "<os><type>hvm</type></os></domain>", bad[i].why);
}

/* <rng><backend model='egd'>, as virt-install writes it (no mode: connect). */
static void rng_egd_parse(void **state)
{
    (void)state;
    vr_domain_def *def = parse_ok(
        "<domain type='kvm'><name>r</name><memory unit='MiB'>64</memory><os><type>hvm</type></os><devices>"
        "<rng model='virtio'><backend model='egd' type='tcp'><source host='127.0.0.1' service='7000'/>"
        "</backend></rng><rng model='virtio'><backend model='egd' type='unix'><source path='/run/egd.sock'/>"
        "</backend></rng></devices></domain>");
    assert_int_equal(def->n_rngs, 2);
    assert_int_equal(def->rngs[0].egd.type, VR_EGD_TCP);
    assert_string_equal(def->rngs[0].egd.service, "7000");
    assert_string_equal(def->rngs[1].egd.path, "/run/egd.sock");
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<source mode=\"connect\" host=\"127.0.0.1\" service=\"7000\"/>"));
    assert_non_null(strstr(xml, "<protocol type=\"raw\"/>"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
    static const struct {
        const char *backend, *why;
    } bad[] = {
        {"<backend model='egd' type='udp'><source host='h' service='1'/></backend>", "type='udp'"},
        {"<backend model='egd' type='tcp'><source host='h'/></backend>", "service='PORT'"},
        {"<backend model='egd' type='unix'/>", "needs a <source> (path)"},
        {"<backend model='egd' type='unix'><source path='rel.sock'/></backend>", "absolute"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused_with("<domain type='kvm'><name>r</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                     "<devices><rng model='virtio'>", bad[i].backend, "</rng></devices></domain>", bad[i].why);
}

/* <smartcard>: virt-install's two forms define and round-trip (mode='host'
 * with its stray type='tcp' kept out, as libvirt does); what QEMU cannot
 * run from XML alone is refused by name. */
static void smartcard_parse(void **state)
{
    (void)state;
    static const char *const ok_forms[][2] = {
        {"<smartcard mode=\"host\" type=\"tcp\"/>", "<smartcard mode=\"host\"/>"},
        {"<smartcard mode=\"passthrough\" type=\"spicevmc\"/>", "<smartcard mode=\"passthrough\" type=\"spicevmc\"/>"},
    };
    for (size_t i = 0; i < 2; i++) {
        char *x = NULL;
        assert_true(asprintf(&x, "<domain type='kvm'><name>s</name><memory unit='MiB'>64</memory><os><type>hvm"
                                 "</type></os><devices><graphics type='spice'/>%s</devices></domain>",
                             ok_forms[i][0]) > 0);
        vr_domain_def *def = parse_ok(x);
        char *xml = vr_domain_def_format(def);
        assert_non_null(strstr(xml, ok_forms[i][1]));
        free(xml);
        assert_fixed_point(def);
        vr_domain_def_free(def);
        free(x);
    }
    static const struct {
        const char *body, *why;
    } bad[] = {
        {"<smartcard mode='host-certificates'/>", "NSS database of certificates"},
        {"<smartcard mode='passthrough' type='spicevmc'/>", "needs <graphics type='spice'>"},
        {"<smartcard mode='passthrough' type='tcp'/>", "needs <source host service>"},
        {"<smartcard mode='host'/><smartcard mode='host'/>", "at most one <smartcard>"},
        {"<controller type='usb' model='none'/><smartcard mode='host'/>", "needs a USB controller"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused_with("<domain type='kvm'><name>s</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                     "<devices>", bad[i].body, "</devices></domain>", bad[i].why);
}

static void refuses_outside_subset(void **state)
{
    /* The brief's own example, word for word. */
    char *err = NULL;
    const char *xml = HEAD "<parallel type='pty'/>\n" TAIL;
    assert_null(vr_domain_def_parse(xml, strlen(xml), &err));
    assert_string_equal(err, "line 6: <parallel> is not supported by Vireo (see "
                             "docs/xml-domain.md)");
    free(err);

    dev_refused("<disk type='nvme' device='disk'/>\n", 6,
                "<disk type='nvme'> is not supported by Vireo (supported: file, block, volume, network)");
    dev_refused("<disk device='floppy'/>\n", 6, "<disk device='floppy'>");
    dev_refused("<interface type='hostdev'/>\n", 6,
                "<interface type='hostdev'> is not supported by Vireo (supported: user, network, "
                "bridge, direct)");
    dev_refused("<interface type='direct'/>\n", 6, "<interface type='direct'> needs a <source>");
    dev_refused("<interface type='direct'>\n<source mode='bridge'/>\n</interface>\n", 7,
                "<source> of a type='direct' interface needs dev='...'");
    dev_refused("<interface type='direct'>\n<source dev='eth0' mode='bridged'/>\n"
                "</interface>\n", 7, "<source mode='bridged'> is not supported by Vireo "
                "(supported: vepa, bridge, private, passthrough)");
    dev_refused("<interface type='direct'>\n<source dev='eth0' network='x'/>\n</interface>\n",
                7, "attribute 'network' of <source> is not supported");
    dev_refused("<interface type='user'>\n<model type='vmxnet3'/>\n</interface>\n", 7,
                "<model type='vmxnet3'> is not supported");
    dev_refused("<graphics type='rdp'/>\n", 6, "<graphics type='rdp'>");
    /* One display of each type, as libvirt gives QEMU: VNC and SPICE together define. */
    dev_refused("<graphics type='spice'/>\n<graphics type='vnc'/>\n<graphics type='vnc' port='5905'/>\n", 8,
                "a second <graphics type='vnc'>: a domain has at most one VNC and one SPICE display; "
                "remove one of them");
    dev_refused("<graphics type='spice'/>\n<graphics type='spice'/>\n", 7, "a second <graphics type='spice'>");
    const char *both = HEAD "<graphics type='vnc'/>\n<graphics type='spice'/>\n"
                            "<channel type='spicevmc'/>\n" TAIL;
    vr_domain_def *two = vr_domain_def_parse(both, strlen(both), &err);
    assert_non_null(two);
    assert_int_equal(two->n_graphics, 2);
    assert_int_equal(vr_domain_def_graphics_index(two, VR_GRAPHICS_SPICE), 1);
    assert_int_equal(vr_domain_def_graphics_first(two), 0);
    /* The SPICE display carries the default sound backend. */
    assert_int_equal(two->n_audios, 1);
    assert_int_equal(two->audios[0].type, VR_AUDIO_SPICE);
    char *out = vr_domain_def_format(two);
    assert_non_null(strstr(out, "<graphics type=\"vnc\""));
    assert_non_null(strstr(out, "<graphics type=\"spice\""));
    free(out);
    vr_domain_def_free(two);
    dev_refused("<graphics type='spice' defaultMode='secure'/>\n", 6,
                "<graphics defaultMode='secure'> needs a tlsPort");
    dev_refused("<graphics type='spice'><gl enable='no'/></graphics>\n", 6,
                "<gl> is not supported by Vireo");
    dev_refused("<channel type='spicevmc'/>\n", 6,
                "<channel type='spicevmc'> needs <graphics type='spice'>");
    dev_refused("<redirdev bus='usb' type='spicevmc'/>\n", 6,
                "<redirdev type='spicevmc'> needs <graphics type='spice'>");
    dev_refused("<redirdev bus='usb' type='tcp'/>\n", 6, "<redirdev type='tcp'>");
    dev_refused("<sound model='sb16'/>\n", 6, "<sound model='sb16'> is not supported by Vireo");
    dev_refused("<sound model='ich9'><audio id='2'/></sound>\n", 6,
                "<sound> plays through <audio id='2'>, which is not defined");
    dev_refused("<smartcard mode='passthrough' type='spicevmc'><alias name='ua-sc'/></smartcard>\n", 6,
                "<alias name='ua-sc'>: Vireo keeps user aliases on devices with an address (disk, interface, "
                "controller, ...), not on <smartcard>");
    dev_refused("<disk type='file'><source file='/a'/><target dev='vda'/><alias name='ua-x'/></disk>\n"
                "<disk type='file'><source file='/b'/><target dev='vdb'/><alias name='ua-x'/></disk>\n", 7,
                "<alias name='ua-x'> is given to two devices");
    dev_refused("<disk type='file'><source file='/a'/><alias name='ua-x'/><alias name='ua-y'/></disk>\n", 6,
                "duplicate <alias>");
    dev_refused("<disk>\n<driver name='qemu' type='vmdk'/>\n<source file='/a'/>\n</disk>\n", 7,
                "<driver type='vmdk'> is not supported by Vireo (supported: raw, qcow2)");
    dev_refused("<disk>\n<source file='/a'/>\n<serial>a b</serial>\n</disk>\n", 8,
                "<serial>a b</serial>: 1 to 20 characters");
    dev_refused("<watchdog model='itco' action='reset'/>\n", 6,
                "<watchdog model='itco'> is part of q35's ICH9");
    dev_refused("<watchdog model='i6300esb' action='reset'/><watchdog model='ib700' "
                "action='pause'/>\n", 6, "differs from the first watchdog's 'reset'");
    dev_refused("<watchdog model='i6300esb' action='dump'/>\n", 6,
                "<watchdog action='dump'> is not supported by Vireo: libvirt writes a core dump");
    dev_refused("<disk>\n<driver name='qemu' rerror_policy='enospace'/>\n<source file='/a'/>\n</disk>\n", 7,
                "<driver rerror_policy='enospace'> is for writes only");
    dev_refused("<disk>\n<driver name='qemu' error_policy='pause'/>\n<source file='/a'/>\n</disk>\n", 7,
                "<driver error_policy='pause'> is not supported by Vireo (supported: stop, report, ignore, enospace)");
    dev_refused("<panic model='hyperv'/>\n", 6, "<panic model='hyperv'>");
    dev_refused("<disk>\n<source file='relative.img'/>\n</disk>\n", 7,
                "<source file> 'relative.img' must be an absolute path");
    dev_refused("<disk><target dev='xvda'/><source file='/a'/></disk>\n", 6,
                "<target dev='xvda'> is not a disk name");
    dev_refused("<serial type='file'/>\n", 6, "<serial type='file'>");
    dev_refused("<console type='pty'><source path='/dev/pts/3'/></console>\n", 6,
                "<source> is not supported");
    dev_refused("<channel type='unix'>\n<target type='virtio' name='org.libguestfs.channel.0'/>\n"
                "</channel>\n", 7, "<target name='org.libguestfs.channel.0'>");
    dev_refused("<channel type='unix'>\n<source mode='bind' path='/tmp/x.sock'/>\n</channel>\n", 7,
                "<source path> of a channel is chosen by Vireo");
    dev_refused("<input type='passthrough'/>\n", 6, "<input type='passthrough'>");
    dev_refused("<input type='tablet' bus='ps2'/>\n", 6, "does not exist");
    dev_refused("<video>\n<model type='vmvga'/>\n</video>\n", 7, "<model type='vmvga'>");
    dev_refused("<video><model type='virtio'/></video>\n<video>\n<model type='vga'/>\n</video>\n",
                7, "a second <video> must be virtio or qxl");
    dev_refused("<video>\n<model type='virtio'><acceleration accel3d='yes'/></model>\n</video>\n",
                7, "<acceleration> is not supported");
    dev_refused("<rng model='virtio'>\n<backend model='egd' type='tcp'/>\n</rng>\n", 7,
                "<backend model='egd'> needs a <source> (host and service)");
    dev_refused("<rng model='virtio'>\n<backend model='random'>/dev/hwrng</backend>\n</rng>\n", 7,
                "/dev/hwrng");
    dev_refused("<memballoon model='none'>\n<stats period='10'/>\n</memballoon>\n", 7,
                "<stats> is not supported");
    dev_refused("<controller type='scsi' model='lsilogic'/>\n", 6,
                "<controller model='lsilogic'> is not supported by Vireo (supported: virtio-scsi)");
    dev_refused("<controller type='fdc'/>\n", 6, "<controller type='fdc'>");
    dev_refused("<controller type='usb' model='none'/>\n<input type='tablet' bus='usb'/>\n", 7,
                "its model is 'none'");
    dev_refused("<disk>\n<source file='/a'/>\n<address type='isa' iobase='0x1f0'/>\n</disk>\n", 6,
                "<address type='isa'> does not fit a virtio disk");
    dev_refused("<graphics type='vnc' port='5800'/>\n", 6, "expected -1 (automatic) or a port");
    dev_refused("<graphics type='vnc' listen='localhost'/>\n", 6, "is not an IP address");
    dev_refused("<interface type='bridge'>\n<source bridge='a-bridge-name-too-long'/>\n"
                "</interface>\n", 7, "is not a valid interface name");
    dev_refused("<interface type='network'/>\n", 6, "<interface type='network'> needs a <source>");
    dev_refused("<interface type='user'>\n<mac address='01:00:5e:00:00:01'/>\n</interface>\n", 7,
                "is a multicast address");
    dev_refused("<interface type='user'>\n<mac address='52:54:00:zz:00:01'/>\n</interface>\n", 7,
                "is not a MAC address");
    dev_refused("<emulator>/usr/bin/qemu-system-x86_64</emulator>\n<emulator>/x</emulator>\n", 7,
                "duplicate <emulator>");
    dev_refused("junk\n", 5, "unexpected text 'junk' in <devices>");
    dev_refused("<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'/>\n", 6,
                "<qemu:commandline> is not supported by Vireo");
}

static void refuses_conflicts(void **state)
{
    dev_refused("<disk><source file='/a'/><target dev='vda'/></disk>\n"
                "<disk><source file='/b'/><target dev='vdb'/></disk>\n"
                "<disk><source file='/c'/><target dev='vda'/></disk>\n", 8,
                "<target dev='vda'> is used by two disks (see line 6)");
    dev_refused("<interface type='user'><mac address='52:54:00:00:00:01'/></interface>\n"
                "<interface type='user'><mac address='52:54:00:00:00:01'/></interface>\n", 7,
                "<mac address='52:54:00:00:00:01'> is used by two interfaces (see line 6)");
    dev_refused("<disk><source file='/a'/><address type='pci' slot='0x03'/></disk>\n"
                "<interface type='user'><address type='pci' slot='0x03'/></interface>\n", 7,
                "PCI address 0000:00:03.0 of <interface> is already used by <disk> (line 6)");
    dev_refused("<interface type='user'><address type='pci' slot='0x01' function='0x1'/>"
                "</interface>\n", 6, "already used by the built-in IDE controller");
    dev_refused("<interface type='user'><address type='pci' bus='0x03' slot='0x01'/>"
                "</interface>\n", 6, "there is no <controller type='pci' index='3'>");
    dev_refused("<interface type='user'><address type='pci' slot='0x04' function='0x1'/>"
                "</interface>\n<interface type='user'><address type='pci' slot='0x04'/>"
                "</interface>\n", 7, "needs <address multifunction='on'>");
    dev_refused("<controller type='pci' model='pcie-root-port'/>\n", 6, "needs a q35 machine");
    dev_refused("<disk><source file='/a'/><target dev='sda' bus='sata'/><address type='pci'/>"
                "</disk>\n", 6, "does not fit a disk on bus sata");
    dev_refused("<disk device='cdrom'><target dev='vdc' bus='virtio'/></disk>\n", 6,
                "a cdrom cannot be on bus virtio");
    dev_refused("<disk><source file='/a'/><target dev='sda' bus='sata'/><readonly/></disk>\n", 6,
                "a <readonly/> disk on bus sata");
    dev_refused("<disk><driver name='qemu' io='native'/><source file='/a'/></disk>\n", 6,
                "<driver io='native'> needs cache='none'");
    dev_refused("<disk><source file='/a'/><target dev='hda'/>"
                "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>\n"
                "<disk device='cdrom'><target dev='hdb'/>"
                "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>\n", 7,
                "have the same ide drive address 0:0:0:0");
    dev_refused("<disk><source file='/a'/><target dev='hde'/></disk>\n", 6,
                "IDE has controller 0, buses 0-1 and units 0-1");
    dev_refused("<disk><source file='/a'/><boot order='1'/></disk>\n"
                "<interface type='user'><boot order='1'/></interface>\n", 7,
                "<boot order='1'> is used by two devices");
    dev_refused("<serial type='pty'><target port='1'/></serial>\n"
                "<serial type='pty'><target port='1'/></serial>\n", 7, "serial port 1 is given "
                "twice");
    dev_refused("<console type='pty'/>\n<console type='pty'><target type='serial'/></console>\n",
                7, "only the first <console> can be the serial port");

    /* q35 has no IDE. */
    char *xml = NULL;
    if (asprintf(&xml, Q35_HEAD "<disk><source file='/a'/><target dev='hda' bus='ide'/></disk>\n"
                       TAIL) < 0)
        fail();
    refused_at(xml, 6, "<target bus='ide'> needs a pc machine");
    free(xml);
    if (asprintf(&xml, Q35_HEAD "<controller type='pci' model='pci-bridge'/>\n" TAIL) < 0)
        fail();
    refused_at(xml, 6, "pci-bridge' is supported on pc machines only");
    free(xml);
}

/* A running domain's XML carries libvirt's automatic aliases
 * (qemu_alias.c's names: virtio-disk1 by the target's index, sataC-B-U
 * by the drive address, q35's built-in AHCI "ide", netN the run's
 * number, serial0 on the serial port and its console), a user alias
 * instead where there is one; the stored form has none. */
static void live_aliases(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(Q35_HEAD, "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' "
                                          "bus='virtio'/></disk>\n"
                                          "<disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' "
                                          "bus='virtio'/><alias name='ua-b'/></disk>\n"
                                          "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>\n"
                                          "<interface type='user'><model type='virtio'/></interface>\n"
                                          "<interface type='user'><model type='virtio'/></interface>\n"
                                          "<serial type='pty'/><console type='pty'/>\n"
                                          "<input type='tablet' bus='usb'/>\n");
    int nics[] = {0, 3};
    char *live = vr_domain_def_format_live(def, false, nics);
    char *flat = vr_strdup(live);
    size_t k = 0;
    for (const char *p = live; *p; p++)
        if (*p != ' ' && *p != '\n')
            flat[k++] = *p;
    flat[k] = 0;
    const char *want[] = {
        "<targetdev=\"vda\"bus=\"virtio\"/><aliasname=\"virtio-disk0\"/><addresstype=\"pci\"",
        "<aliasname=\"ua-b\"/><addresstype=\"pci\"",
        "<aliasname=\"sata0-0-0\"/><addresstype=\"drive\"controller=\"0\"bus=\"0\"",
        "<aliasname=\"net0\"/>", "<aliasname=\"net3\"/>", "<aliasname=\"pcie.0\"/>",
        "<aliasname=\"ide\"/>", "<aliasname=\"usb\"/>", "<aliasname=\"input0\"/>", "<aliasname=\"balloon0\"/>",
        "<modelname=\"isa-serial\"/></target><aliasname=\"serial0\"/></serial>",
        "<targettype=\"serial\"port=\"0\"/><aliasname=\"serial0\"/></console>",
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(want); i++)
        if (!strstr(flat, want[i]))
            fail_msg("%s not in the live XML:\n%s", want[i], live);
    assert_null(strstr(flat, "virtio-disk1")); /* vdb has its user alias */
    char *stored = vr_domain_def_format(def);
    assert_null(strstr(stored, "virtio-disk0"));
    assert_null(strstr(stored, "serial0"));
    /* detach-device-alias on the running domain finds them. */
    vr_device_kind kind = VR_DEVICE_MEMORY;
    assert_int_equal(vr_domain_def_find_live_alias(def, "sata0-0-0", nics, &kind), 2);
    assert_int_equal(kind, VR_DEVICE_DISK);
    assert_int_equal(vr_domain_def_find_live_alias(def, "net3", nics, &kind), 1);
    assert_int_equal(kind, VR_DEVICE_INTERFACE);
    assert_int_equal(vr_domain_def_find_live_alias(def, "net1", nics, &kind), -1);
    assert_int_equal(vr_domain_def_find_live_alias(def, "virtio-disk1", nics, &kind), -1);
    /* detach-device and update-device on the running domain: an element
     * naming its device by that alias (an interface's MAC, when given,
     * must match too, as libvirt's virDomainNetFindIdx). */
    size_t at = 9;
    char *err = NULL, el[256];
    assert_int_equal(vr_domain_def_find_live_device(def, "<interface type='user'><alias name='net3'/></interface>",
                                                    nics, &kind, &at, &err), 0);
    assert_int_equal(kind, VR_DEVICE_INTERFACE);
    assert_int_equal(at, 1);
    snprintf(el, sizeof(el), "<interface type='user'><mac address='%s'/><alias name='net3'/></interface>",
             def->interfaces[0].mac);
    assert_int_equal(vr_domain_def_find_live_device(def, el, nics, &kind, &at, &err), -1);
    assert_non_null(strstr(err, "has no interface with alias 'net3' and MAC "));
    free(err);
    err = NULL;
    assert_int_equal(vr_domain_def_find_live_device(def, "<disk><alias name='sata0-0-0'/></disk>", nics, &kind,
                                                    &at, &err), 0);
    assert_int_equal(at, 2);
    assert_int_equal(vr_domain_def_find_live_device(def, "<disk><target dev='vda'/><alias name='sata0-0-0'/></disk>",
                                                    nics, &kind, &at, &err), 0);
    assert_int_equal(at, 0); /* the target names a disk, as libvirt's */
    /* Parsed back (a live XML given to define), the automatic ones drop
     * (the CPU model QEMU runs is in the definition too). */
    vr_domain_def *again = parse_ok(live);
    char *again_xml = vr_domain_def_format(again);
    assert_string_equal(again_xml, stored);
    free(again_xml);
    vr_domain_def_free(again);
    free(stored);
    free(flat);
    free(live);
    vr_domain_def_free(def);
}

/* The aliases libvirt 9.0 gave the same domain (live-aliases.xml) when
 * it ran it (fixtures/libvirt/live-aliases.xml, recorded with Debian's libvirt):
 * every one Vireo's live XML writes is libvirt's, on as many devices. */
static void live_aliases_as_libvirt(void **state)
{
    (void)state;
    char *in = fixture("live-aliases.xml"), *theirs = fixture("../libvirt/live-aliases.xml");
    vr_domain_def *def = parse_ok(in);
    char *ours = vr_domain_def_format_live(def, false, NULL);
    size_t n = 0;
    for (const char *p = ours; (p = strstr(p, "<alias name=\"")); n++) {
        p += strlen("<alias name=\"");
        const char *end = strchr(p, '"');
        char want[128];
        snprintf(want, sizeof(want), "<alias name='%.*s'/>", (int)(end - p), p);
        if (!strstr(theirs, want))
            fail_msg("%s is not among libvirt's aliases of the domain", want);
    }
    /* libvirt's 30 less its ten pcie-root-ports (pci.1 ... pci.10) and two
     * implicit PS/2 inputs, which Vireo's definition does not list */
    assert_int_equal(n, 18);
    free(ours);
    vr_domain_def_free(def);
    free(theirs);
    free(in);
}

/* The <cpu> element in `s`, malloc'ed, with every blank and newline
 * dropped and ' made ", or NULL. */
static char *flat_cpu(const char *s)
{
    const char *a = strstr(s, "<cpu"), *gt = a ? strchr(a, '>') : NULL;
    const char *b = !gt ? NULL : gt[-1] == '/' ? gt + 1 : strstr(gt, "</cpu>");
    if (!b)
        return NULL;
    if (*b == '<')
        b += strlen("</cpu>");
    char *out = vr_malloc((size_t)(b - a) + 1);
    size_t k = 0;
    for (const char *p = a; p < b; p++)
        if (*p != ' ' && *p != '\n')
            out[k++] = *p == '\'' ? '"' : *p;
    out[k] = 0;
    return out;
}

/* What libvirt 9.0 fills in a definition's <cpu> at define time
 * (fixtures/libvirt/cpu-defaults.xml, recorded with Debian's libvirt): no
 * <cpu>, a custom one without <model> or only a <topology> get the
 * machine type's default model qemu64; host-model and host-passthrough
 * their check. Vireo's inactive <cpu> of each input is libvirt's. */
static void cpu_defaults_as_libvirt(void **state)
{
    (void)state;
    char *cases = fixture("../libvirt/cpu-defaults.xml");
    size_t n = 0;
    for (const char *c = cases; (c = strstr(c, "<case name=")); c++, n++) {
        const char *in = strstr(c, "<domain"), *in_end = strstr(c, "</domain>");
        assert_non_null(in_end);
        char *input = vr_strndup(in, (size_t)(in_end - in) + strlen("</domain>"));
        char *theirs = flat_cpu(strstr(c, "<libvirt>"));
        vr_domain_def *def = parse_ok(input);
        char *xml = vr_domain_def_format(def);
        char *ours = flat_cpu(xml);
        if (!ours || strcmp(ours, theirs) != 0)
            fail_msg("%.40s: Vireo's <cpu> is %s, libvirt's %s", c, ours ? ours : "missing", theirs);
        assert_fixed_point(def);
        free(ours);
        free(xml);
        vr_domain_def_free(def);
        free(theirs);
        free(input);
    }
    assert_int_equal(n, 7);
    free(cases);
}

/* User aliases (ua-...) are kept in the definition, as libvirt keeps
 * them in the inactive XML; auto aliases (virtio-disk0, net0) are live
 * only and dropped. Written back where libvirt writes them (before the
 * address, also one the parser assigned) and read back the same. */
/* <hostdev type='usb'>: by vendor and product or by host address, on
 * the next USB port (a qemu-xhci added for it), written back as libvirt
 * writes it; a PCI one beside them. Bad ones name the element. */
static void usb_hostdevs(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD, "<input type='tablet' bus='usb'/>\n"
        "<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x046D'/>"
        "<product id='0xc52b'/></source></hostdev>\n"
        "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='3'/></source></hostdev>\n"
        "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' "
        "slot='0x00' function='0x0'/></source></hostdev>\n");
    assert_int_equal(def->n_usb_hostdevs, 2);
    assert_int_equal(def->usb_hostdevs[0].vendor, 0x046d);
    assert_int_equal(def->usb_hostdevs[0].addr.port, 2);
    assert_int_equal(def->usb_hostdevs[1].bus, 1);
    assert_int_equal(def->usb_hostdevs[1].addr.port, 3);
    assert_int_equal(def->n_kept, 0);
    assert_int_equal(def->n_pci_hostdevs, 1);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<hostdev mode=\"subsystem\" type=\"usb\" managed=\"yes\">\n"
                                "      <source>\n        <vendor id=\"0x046d\"/>\n        <product id=\"0xc52b\"/>\n"
                                "      </source>\n      <address type=\"usb\" bus=\"0\" port=\"2\"/>"));
    assert_non_null(strstr(xml, "<address bus=\"1\" device=\"3\"/>"));
    assert_non_null(strstr(xml, "type=\"pci\""));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
    dev_refused("<hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/></source></hostdev>\n", 6,
                "needs both <vendor id> and <product id>");
    dev_refused("<hostdev mode='subsystem' type='usb'><source/></hostdev>\n", 6, "names no device");
    dev_refused("<hostdev mode='subsystem' type='usb'/>\n", 6, "needs a <source>");
    dev_refused("<hostdev mode='subsystem' type='usb'><source><vendor id='0x10000'/><product id='1'/>"
                "</source></hostdev>\n", 6, "id");
    dev_refused("<hostdev mode='capabilities' type='usb'><source><address bus='1' device='2'/></source></hostdev>\n",
                6, "mode");
    dev_refused("<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source></hostdev>\n"
                "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source></hostdev>\n",
                7, "names the same host device as the one on line 6");
    dev_refused("<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>\n"
                "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source>"
                "<address type='usb' bus='0' port='1'/></hostdev>\n", 7, "USB port 0:1 is used twice");
    /* A child that stands once, twice; one no hostdev takes. */
    dev_refused("<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source>"
                "<source><address bus='1' device='3'/></source></hostdev>\n", 6, "duplicate <source>");
    dev_refused("<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source>"
                "<shmem/></hostdev>\n", 6, "<shmem> is not supported");
    dev_refused("<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='1' slot='0' function='0'/>"
                "</source><rom bar='on'/><rom bar='off'/></hostdev>\n", 6, "duplicate <rom>");
    dev_refused("<hostdev mode='subsystem' type='pci'><driver name='vfio'/><driver name='vfio'/></hostdev>\n", 6,
                "duplicate <driver>");
}

/* <hostdev type='pci'>: the host address, managed (libvirt's default
 * no), <driver name='vfio'>, <rom>, a guest PCI address given or
 * assigned; written back as libvirt writes it. Bad ones name the element. */
static void pci_hostdevs(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD,
        "<hostdev mode='subsystem' type='pci' managed='yes'><driver name='vfio'/><source><address "
        "domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source><rom bar='off' file='/srv/gpu.rom'/>"
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x09' function='0x0'/></hostdev>\n"
        "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0x3' slot='0x1f' function='7'/>"
        "</source></hostdev>\n");
    assert_int_equal(def->n_pci_hostdevs, 2);
    const vr_hostdev_pci_def *h = &def->pci_hostdevs[0];
    assert_true(h->managed && h->driver_vfio);
    assert_int_equal(h->bus, 1);
    assert_int_equal(h->function, 1);
    assert_int_equal(h->rombar, VR_TRISTATE_OFF);
    assert_string_equal(h->romfile, "/srv/gpu.rom");
    assert_int_equal(h->addr.slot, 9);
    h = &def->pci_hostdevs[1];
    assert_false(h->managed);
    assert_int_equal(h->slot, 0x1f);
    assert_int_equal(h->addr.type, VR_ADDR_PCI);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
                                "      <driver name=\"vfio\"/>\n      <source>\n"
                                "        <address domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" function=\"0x1\"/>\n"
                                "      </source>\n      <rom bar=\"off\" file=\"/srv/gpu.rom\"/>\n"
                                "      <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x09\""));
    assert_non_null(strstr(xml, "<hostdev mode=\"subsystem\" type=\"pci\" managed=\"no\">"));
    free(xml);
    assert_fixed_point(def);
    vr_domain_def_free(def);
    dev_refused("<hostdev mode='subsystem' type='pci'/>\n", 6, "needs a <source>");
    dev_refused("<hostdev mode='subsystem' type='pci'><source/></hostdev>\n", 6, "lspci -D");
    dev_refused("<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='1' slot='0x20' "
                "function='0'/></source></hostdev>\n", 6, "slot");
    dev_refused("<hostdev mode='subsystem' type='pci'><driver name='kvm'/><source><address domain='0' "
                "bus='1' slot='0' function='0'/></source></hostdev>\n", 6, "vfio");
    dev_refused("<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='1' slot='0' "
                "function='0'/></source><rom file='gpu.rom'/></hostdev>\n", 6, "absolute path");
    dev_refused("<hostdev mode='subsystem' type='scsi'/>\n", 6, "type");
    dev_refused("<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='1' slot='0' function='0'/>"
                "</source></hostdev>\n<hostdev mode='subsystem' type='pci' managed='yes'><source><address "
                "domain='0' bus='0x1' slot='0' function='0'/></source></hostdev>\n", 7,
                "names the same host device 0000:01:00.0 as the one on line 6");
}

static void user_aliases_round_trip(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD, "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' "
                                      "bus='virtio'/><alias name='ua-boot_disk-1'/></disk>\n"
                                      "<disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' "
                                      "bus='virtio'/><alias name='virtio-disk1'/></disk>\n"
                                      "<interface type='user'><model type='virtio'/><alias name='ua-uplink'/>"
                                      "</interface>\n"
                                      "<controller type='usb' model='qemu-xhci'><alias name='ua-usb'/></controller>\n");
    assert_string_equal(def->disks[0].addr.alias, "ua-boot_disk-1");
    assert_null(def->disks[1].addr.alias);
    assert_int_equal(def->disks[0].addr.type, VR_ADDR_PCI); /* assigned, the alias kept */
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<target dev=\"vda\" bus=\"virtio\"/>\n      <alias name=\"ua-boot_disk-1\"/>\n"
                                "      <address type=\"pci\""));
    assert_non_null(strstr(xml, "<alias name=\"ua-uplink\"/>"));
    assert_non_null(strstr(xml, "<alias name=\"ua-usb\"/>"));
    assert_null(strstr(xml, "virtio-disk1"));
    vr_domain_def *again = parse_ok(xml);
    char *xml2 = vr_domain_def_format(again);
    assert_string_equal(xml2, xml);
    assert_string_equal(again->disks[0].addr.alias, "ua-boot_disk-1");
    assert_string_equal(again->interfaces[0].addr.alias, "ua-uplink");
    vr_domain_def *copy = vr_domain_def_copy(again);
    assert_string_equal(copy->disks[0].addr.alias, "ua-boot_disk-1");
    vr_domain_def_free(copy);
    /* detach-device and update-device find an interface by its MAC and
     * its user alias, each when given, both matching (libvirt's
     * virDomainNetFindIdx); detach-device-alias by the alias alone. */
    vr_device_kind kind;
    size_t at = 9;
    char *err = NULL;
    const char *mac = again->interfaces[0].mac;
    char el[256];
    snprintf(el, sizeof(el), "<interface type='user'><alias name='ua-uplink'/></interface>");
    assert_int_equal(vr_domain_def_find_device(again, el, &kind, &at, &err), 0);
    assert_int_equal(kind, VR_DEVICE_INTERFACE);
    assert_int_equal(at, 0);
    snprintf(el, sizeof(el), "<interface type='user'><mac address='%s'/><alias name='ua-other'/></interface>", mac);
    assert_int_equal(vr_domain_def_find_device(again, el, &kind, &at, &err), -1);
    assert_non_null(strstr(err, "has no interface with MAC "));
    assert_non_null(strstr(err, " and with alias ua-other"));
    free(err);
    err = NULL;
    snprintf(el, sizeof(el), "<interface type='user'><mac address='%s'/><alias name='ua-uplink'/></interface>", mac);
    assert_int_equal(vr_domain_def_find_device(again, el, &kind, &at, &err), 0);
    assert_int_equal(vr_domain_def_find_alias(again, "ua-uplink", &kind), 0);
    assert_int_equal(kind, VR_DEVICE_INTERFACE);
    assert_int_equal(vr_domain_def_find_alias(again, "ua-boot_disk-1", &kind), 0);
    assert_int_equal(kind, VR_DEVICE_DISK);
    assert_int_equal(vr_domain_def_find_alias(again, "ua-usb", &kind), -1); /* a controller: not detachable */
    assert_int_equal(vr_domain_def_find_alias(again, "", &kind), -1);
    free(xml2);
    free(xml);
    vr_domain_def_free(again);
    vr_domain_def_free(def);
    /* A user alias of any length, as libvirt's. */
    char long_alias[400];
    snprintf(long_alias, sizeof(long_alias), "<disk type='file'><source file='/a'/><alias name='ua-%0200d'/></disk>\n", 7);
    def = dev_ok(HEAD, long_alias);
    assert_int_equal(strlen(def->disks[0].addr.alias), 203);
    assert_int_equal(vr_domain_def_find_alias(def, def->disks[0].addr.alias, &kind), 0);
    xml = vr_domain_def_format(def);
    again = parse_ok(xml);
    assert_string_equal(again->disks[0].addr.alias, def->disks[0].addr.alias);
    free(xml);
    vr_domain_def_free(again);
    vr_domain_def_free(def);
    /* libvirt keeps one on a serial port, a TPM and a host device too. */
    def = dev_ok(HEAD, "<serial type='pty'><target port='0'/><alias name='ua-ser'/></serial>\n"
                       "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/><alias name='ua-tpm'/></tpm>\n"
                       "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product id='0x5678'/>"
                       "</source><alias name='ua-usbdev'/></hostdev>\n");
    assert_string_equal(def->serials[0].addr.alias, "ua-ser");
    assert_string_equal(def->tpm->addr.alias, "ua-tpm");
    xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<model name=\"isa-serial\"/>\n      </target>\n      <alias name=\"ua-ser\"/>"));
    assert_non_null(strstr(xml, "<alias name=\"ua-tpm\"/>\n    </tpm>"));
    assert_non_null(strstr(xml, "<alias name=\"ua-usbdev\"/>"));
    again = parse_ok(xml);
    xml2 = vr_domain_def_format(again);
    assert_string_equal(xml2, xml);
    char *live = vr_domain_def_format_live(again, false, NULL);
    assert_non_null(strstr(live, "<alias name=\"ua-ser\"/>"));
    /* The user alias stands for serial0, also on the port's console
     * (libvirt's console shares its serial port's device info). */
    assert_null(strstr(live, "\"serial0\""));
    free(live);
    free(xml2);
    free(xml);
    vr_domain_def_free(again);
    vr_domain_def_free(def);
    /* As libvirt's parser (domain_conf.c, virDomainDeviceInfoParseXML:
     * ua- and [A-Za-z0-9_-] only, else no user alias): a malformed one is
     * dropped, not refused; "ua-" alone is one. <graphics> has no device
     * info in libvirt: its alias is dropped. */
    def = dev_ok(HEAD, "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>"
                       "<alias name='ua-a.b'/></disk>\n"
                       "<disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' bus='virtio'/>"
                       "<alias name='ua-'/></disk>\n"
                       "<graphics type='vnc'><alias name='ua-vnc'/></graphics>\n");
    assert_null(def->disks[0].addr.alias);
    assert_string_equal(def->disks[1].addr.alias, "ua-");
    xml = vr_domain_def_format(def);
    assert_null(strstr(xml, "ua-a.b"));
    assert_null(strstr(xml, "ua-vnc"));
    free(xml);
    vr_domain_def_free(def);
}

static void refuses_domain_values(void **state)
{
    static const struct {
        const char *xml;
        long line;
        const char *needle;
    } cases[] = {
        {"<domain type='xen'>\n<name>x</name>\n</domain>", 1,
         "<domain type='xen'> is not supported by Vireo (supported: qemu, kvm)"},
        {"<domain>\n<name>x</name>\n</domain>", 1, "<domain> needs type='kvm' or type='qemu'"},
        {"<domain type='kvm' id='3'>\n</domain>", 1, "attribute 'id' of <domain>"},
        {"<domain type='kvm'>\n<memory>65536</memory>\n<os><type>hvm</type></os>\n</domain>", 1,
         "<domain> needs a <name>"},
        {"<domain type='kvm'>\n<name>.hidden</name>\n</domain>", 2,
         "domain name '.hidden' is refused: a name cannot start with '.'"},
        {"<domain type='kvm'>\n<name>-x</name>\n</domain>", 2, "cannot start with '-'"},
        {"<domain type='kvm'>\n<name>a b</name>\n</domain>", 2, "domain name 'a b' is refused: use 1 to 64 of"},
        {"<domain type='kvm'>\n<name></name>\n</domain>", 2, "a domain needs a name"},
        {"<domain type='kvm'>\n<name>"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</name>\n</domain>", 2,
         "a domain name has at most 64 bytes (this one has 65)"},
        {"<domain type='kvm'>\n<name>x</name>\n<name>y</name>\n</domain>", 3, "duplicate <name>"},
        {"<domain type='kvm'>\n<name>x</name>\n<uuid>not-a-uuid</uuid>\n</domain>", 3,
         "<uuid> 'not-a-uuid' is not a valid UUID"},
        {"<domain type='kvm'>\n<name>x</name>\n<os><type>hvm</type></os>\n</domain>", 1,
         "<domain> needs a <memory>"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory>0</memory>\n</domain>", 3,
         "<memory>0</memory> is less than the minimum of 1 MiB"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory unit='KiB'>1023</memory>\n</domain>", 3,
         "is less than the minimum of 1 MiB"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory unit='PiB'>1</memory>\n</domain>", 3,
         "<memory unit='PiB'>1</memory> is more than the maximum of 16 TiB"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory unit='EiB'>20</memory>\n</domain>", 3,
         "is too large"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory unit='XB'>1</memory>\n</domain>", 3,
         "unknown unit 'XB'"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory>-5</memory>\n</domain>", 3,
         "'-5' is not a number"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory>65536</memory>\n"
         "<currentMemory>65537</currentMemory>\n<os><type>hvm</type></os>\n</domain>", 4,
         "<currentMemory> (65537 KiB) is more than <memory> (65536 KiB)"},
        {"<domain type='kvm'>\n<name>x</name>\n<vcpu>0</vcpu>\n</domain>", 3,
         "<vcpu>0</vcpu>: expected a number from 1 to 255"},
        {"<domain type='kvm'>\n<name>x</name>\n<vcpu>256</vcpu>\n</domain>", 3, "from 1 to 255"},
        {"<domain type='kvm'>\n<name>x</name>\n<vcpu placement='auto'>2</vcpu>\n</domain>", 3,
         "<vcpu placement='auto'>"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory unit='MiB'>64</memory>\n<maxMemory "
         "slots='4' unit='MiB'>64</maxMemory>\n<os><type>hvm</type></os>\n</domain>", 4,
         "<maxMemory> (65536 KiB) must be more than <memory> (65536 KiB)"},
        {"<domain type='kvm'>\n<name>x</name>\n<maxMemory unit='MiB'>64</maxMemory>\n</domain>", 3,
         "<maxMemory> needs slots"},
        {"<domain type='kvm'>\n<name>x</name>\n<vcpu current='3'>2</vcpu>\n</domain>", 3,
         "<vcpu current='3'> is more than the maximum of 2 vCPUs"},
        {"<domain type='kvm'>\n<name>x</name>\n<vcpu cpuset='0-'>2</vcpu>\n</domain>", 3,
         "<vcpu cpuset='0-'> is not a CPU list"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory>65536</memory>\n</domain>", 1,
         "needs <os><type>hvm</type></os>"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type>linux</type>\n</os>\n</domain>", 4,
         "<type>linux</type> is not supported by Vireo (supported: hvm)"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type arch='aarch64'>hvm</type>\n</os>\n"
         "</domain>", 4, "<type arch='aarch64'> is not supported"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type machine='microvm'>hvm</type>\n</os>\n"
         "</domain>", 4, "<type machine='microvm'> is not supported"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type machine='pc-q35-'>hvm</type>\n</os>\n"
         "</domain>", 4, "<type machine='pc-q35-'>"},
        {"<domain type='kvm'>\n<name>x</name>\n<os firmware='xen'>\n<type>hvm</type>\n</os>\n"
         "</domain>", 3, "<os firmware='xen'>"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type>hvm</type>\n<boot dev='fd'/>\n</os>\n"
         "</domain>", 5, "<boot dev='fd'> is not supported"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type>hvm</type>\n<bootmenu/>\n"
         "</os>\n</domain>", 5, "<bootmenu> needs enable='yes' or 'no'"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type>hvm</type>\n<smbios mode='host'/>\n"
         "</os>\n</domain>", 5, "<smbios mode='host'> is not supported"},
        {"<domain type='kvm'>\n<name>x</name>\n<os>\n<type>hvm</type>\n<nvram>/v</nvram>\n</os>\n"
         "</domain>", 3, "<nvram> needs a <loader type='pflash'>"},
        {"<domain type='kvm'>\n<name>x</name>\n<cpu mode='host'>\n</cpu>\n</domain>", 3,
         "<cpu mode='host'> is not supported by Vireo (supported: host-passthrough, "
         "host-model, maximum, custom)"},
        {"<domain type='kvm'>\n<name>x</name>\n<cpu mode='host-model'>\n<model>Skylake</model>\n"
         "</cpu>\n</domain>", 3, "<model> goes with <cpu mode='custom'>"},
        {"<domain type='kvm'>\n<name>x</name>\n<cpu>\n<numa/>\n</cpu>\n</domain>", 4,
         "<numa> needs at least one <cell>"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory>65536</memory>\n<vcpu>2</vcpu>\n"
         "<os><type>hvm</type></os>\n<cpu>\n<topology sockets='1' cores='1' threads='1'/>\n"
         "</cpu>\n</domain>", 6, "= 1 vCPUs, but <vcpu> is 2"},
        {"<domain type='kvm'>\n<name>x</name>\n<clock offset='variable'/>\n</domain>", 3,
         "<clock offset='variable'>"},
        {"<domain type='kvm'>\n<name>x</name>\n<clock>\n<timer name='tsc'/>\n</clock>\n</domain>",
         4, "<timer name='tsc'>"},
        {"<domain type='kvm'>\n<name>x</name>\n<on_crash>coredump-destroy</on_crash>\n</domain>",
         3, "<on_crash>coredump-destroy</on_crash> is not supported"},
        {"<domain type='kvm'>\n<name>x</name>\n<features>\n<hyperv/>\n<hyperv/>\n</features>\n"
         "</domain>", 5, "duplicate <hyperv>"},
        {"<domain type='kvm'>\n<name>x</name>\n<seclabel type='dynamic'/>\n</domain>", 3,
         "<seclabel type='dynamic'> is not supported"},
        {"<domain type='kvm'>\n<name>x</name>\n<memtune/>\n</domain>", 3,
         "<memtune> is not supported"},
        {"<domain type='kvm'>\n<name>x</name>\n<memory>65536</memory>\n"
         "<os><type>hvm</type><boot dev='hd'/></os>\n<devices>\n<disk>\n<source file='/a'/>\n"
         "<boot order='1'/>\n</disk>\n</devices>\n</domain>", 6,
         "per-device <boot order> cannot be combined with <os><boot dev>"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        refused_at(cases[i].xml, cases[i].line, cases[i].needle);
}

/* libxml2's message with its line, on one line, and nothing on stderr. */
static void malformed_xml(void **state)
{
    fflush(stderr);
    int saved = dup(2);
    char tmpl[] = "/tmp/vireo-test-stderr-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    dup2(fd, 2);

    refused_at("<domain type='kvm'>\n<name>x</name>\n<memory>1</memory\n</domain>\n", 4,
               "expected '>'");
    refused_at("<domain type='kvm'>\n<name>x</nam>\n</domain>\n", 2,
               "Opening and ending tag mismatch");
    refused_at("<domain type='kvm'>\n<name>&foo;</name>\n</domain>\n", 2,
               "Entity 'foo' not defined");
    refused_at("<?xml version='1.0'?>\n<!DOCTYPE domain [\n<!ENTITY a 'aaaa'>\n]>\n"
               "<domain type='kvm'><name>&a;</name></domain>\n", 2, "<!DOCTYPE> is not allowed");
    refused_at("<network>\n<name>x</name>\n</network>\n", 1, "the root element is <network>, "
               "expected <domain>");
    char *err = NULL;
    assert_null(vr_domain_def_parse("", 0, &err));
    assert_non_null(err);
    free(err);
    err = NULL;
    assert_null(vr_domain_def_parse("   ", 3, &err));
    assert_non_null(err);
    free(err);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(tmpl);
    assert_int_equal(size, 0);
}

/* ---- small value types --------------------------------------------------------- */

static void uuids(void **state)
{
    char a[VR_UUID_STRLEN], b[VR_UUID_STRLEN];
    vr_uuid_generate(a);
    vr_uuid_generate(b);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(a[i], '-');
        else
            assert_true(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
    }
    assert_int_equal(a[14], '4');
    char c[VR_UUID_STRLEN];
    assert_true(vr_uuid_canonical("7D5F2C1A3B4E4F608A9B0C1D2E3F4A5B", c));
    assert_string_equal(c, "7d5f2c1a-3b4e-4f60-8a9b-0c1d2e3f4a5b");
    assert_true(vr_uuid_canonical(c, b));
    assert_string_equal(b, c);
    const char *bad[] = {"", "7d5f2c1a-3b4e-4f60-8a9b-0c1d2e3f4a5", "7d5f2c1a-3b4e-4f60-8a9b-0c1d2e3f4a5bb",
                         "7d5f2c1a3-b4e-4f60-8a9b-0c1d2e3f4a5b", "gd5f2c1a-3b4e-4f60-8a9b-0c1d2e3f4a5b",
                         "7d5f2c1a-3b4e-4f60-8a9b+0c1d2e3f4a5b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(vr_uuid_canonical(bad[i], c));
    assert_false(vr_uuid_canonical(NULL, c));
}

static void macs(void **state)
{
    unsigned char raw[VR_MAC_LEN];
    char s[VR_MAC_STRLEN];
    assert_true(vr_mac_parse("52:54:00:AB:cd:0F", raw));
    vr_mac_format(raw, s);
    assert_string_equal(s, "52:54:00:ab:cd:0f");
    assert_true(vr_mac_parse("2:4:0:a:b:c", raw)); /* libvirt accepts short octets */
    vr_mac_format(raw, s);
    assert_string_equal(s, "02:04:00:0a:0b:0c");
    const char *bad[] = {"", "52:54:00:ab:cd", "52:54:00:ab:cd:ef:01", "52-54-00-ab-cd-ef",
                         "52:54:00:ab:cd:eg", "525:4:00:ab:cd:ef", "52:54:00:ab:cd:ef "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(vr_mac_parse(bad[i], raw));
    assert_true(vr_mac_parse("01:00:5e:00:00:01", raw));
    assert_true(vr_mac_is_multicast(raw));
    char a[VR_MAC_STRLEN], b[VR_MAC_STRLEN];
    int same = 0;
    for (int i = 0; i < 8; i++) {
        vr_mac_generate(a);
        vr_mac_generate(b);
        assert_true(vr_str_starts(a, "52:54:00:"));
        assert_true(vr_mac_parse(a, raw));
        assert_false(vr_mac_is_multicast(raw));
        same += strcmp(a, b) == 0;
    }
    assert_true(same < 8);
}

static void disk_names(void **state)
{
    assert_int_equal(vr_disk_name_to_index("vda"), 0);
    assert_int_equal(vr_disk_name_to_index("sdz"), 25);
    assert_int_equal(vr_disk_name_to_index("hdaa"), 26);
    assert_int_equal(vr_disk_name_to_index("vdab"), 27);
    assert_int_equal(vr_disk_name_to_index("vd"), -1);
    assert_int_equal(vr_disk_name_to_index("xvda"), -1);
    assert_int_equal(vr_disk_name_to_index("vda1"), -1);
    assert_int_equal(vr_disk_name_to_index("vdA"), -1);
}

/* <disk type='network'> of protocol rbd: monitors, snapshot, config and
 * <auth> (in <source> or beside it) read, written back where they were,
 * to a fixed point; the mistakes refused naming the element. */
static void rbd_network_disk(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD,
        "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
        "<source protocol='rbd' name='vms/web'><host name='192.0.2.20' port='6789'/>"
        "<host name='mon2'/><snapshot name='s1'/><config file='/etc/ceph/ceph.conf'/>"
        "<auth username='admin'><secret type='ceph' uuid='2EC115D7-3A88-3CEB-BC12-0AC909A6FD87'/></auth>"
        "</source><target dev='vda' bus='virtio'/></disk>"
        "<disk type='network'><auth username='lv'><secret type='ceph' usage='client.lv secret'/></auth>"
        "<source protocol='rbd' name='vms/data'><host name='192.0.2.21'/></source>"
        "<target dev='vdb'/></disk>");
    const vr_disk_def *d = &def->disks[0];
    assert_int_equal(d->type, VR_DISK_NETWORK);
    assert_string_equal(d->source_name, "vms/web");
    assert_int_equal(d->n_hosts, 2);
    assert_string_equal(d->hosts[0].name, "192.0.2.20");
    assert_int_equal(d->hosts[0].port, 6789);
    assert_int_equal(d->hosts[1].port, 0);
    assert_string_equal(d->source_snapshot, "s1");
    assert_string_equal(d->source_config, "/etc/ceph/ceph.conf");
    assert_string_equal(d->auth_username, "admin");
    assert_string_equal(d->secret_uuid, "2ec115d7-3a88-3ceb-bc12-0ac909a6fd87");
    assert_true(d->auth_in_source);
    d = &def->disks[1];
    assert_false(d->auth_in_source);
    assert_string_equal(d->secret_usage, "client.lv secret");
    assert_null(d->secret_uuid);
    assert_fixed_point(def);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<source protocol=\"rbd\" name=\"vms/web\">"));
    assert_non_null(strstr(xml, "<host name=\"192.0.2.20\" port=\"6789\"/>"));
    assert_non_null(strstr(xml, "<host name=\"mon2\"/>"));
    assert_null(strstr(xml, "</host>"));
    assert_non_null(strstr(xml, "<auth username=\"lv\">\n        <secret type=\"ceph\" usage=\"client.lv secret\"/>\n"
                                "      </auth>\n      <source protocol=\"rbd\" name=\"vms/data\">"));
    free(xml);
    vr_domain_def_free(def);

    dev_refused("<disk type='network'><source protocol='nbd' name='x/y'><host name='h'/></source></disk>", 6,
                "'nbd'");
    dev_refused("<disk type='network'><source protocol='rbd' name='image'><host name='h'/></source></disk>", 6,
                "name='POOL/IMAGE'");
    dev_refused("<disk type='network'><source protocol='rbd' name='p/i'/></disk>", 6, "<host name='MON'");
    dev_refused("<disk type='network'><target dev='vda'/></disk>", 6, "needs <source protocol='rbd'");
    dev_refused("<disk type='network'><source name='p/i'><host name='h'/></source></disk>", 6,
                "needs protocol='rbd' (Ceph), protocol='iscsi' or protocol='http'|'https'");
    dev_refused("<disk type='network'><source protocol='rbd' name='p/i'><host name='h' port='0'/></source></disk>",
                6, "port");
    dev_refused("<disk type='network'><source protocol='rbd' name='p/i'><host name='h'/>"
                "<auth username='a'><secret type='ceph'/></auth></source></disk>", 6, "uuid='...' or usage='...'");
    dev_refused("<disk type='network'><source protocol='rbd' name='p/i'><host name='h'/>"
                "<auth username='a'/></source></disk>", 6, "needs <secret type='ceph|iscsi'");
    dev_refused("<disk type='network'><source protocol='rbd' name='p/i'><host name='h'/>"
                "<auth username='a'><secret type='iscsi' usage='x'/></auth></source></disk>", 6, "type");
    dev_refused("<disk type='file'><auth username='a'/><source file='/a.img'/></disk>", 6,
                "<auth> belongs to <disk type='network'>");
}

/* <disk type='network'> of protocol iscsi, as libvirt writes it: the
 * portal, the LUN in the name, <initiator> and CHAP <auth> with a secret
 * of type iscsi; a fixed point; what QEMU's client cannot do refused. */
static void iscsi_network_disk(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD,
        "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
        "<source protocol='iscsi' name='iqn.2013-07.com.example:iscsi-nopool/2'>"
        "<host name='example.com' port='3260'/>"
        "<auth username='myuser'><secret type='iscsi' usage='libvirtiscsi'/></auth>"
        "<initiator><iqn name='iqn.2013-07.com.example:client'/></initiator>"
        "</source><target dev='vda' bus='virtio'/></disk>"
        "<disk type='network'><source protocol='iscsi' name='iqn.2013-07.com.example:t'>"
        "<host name='192.0.2.9'/></source><target dev='vdb'/></disk>");
    const vr_disk_def *d = &def->disks[0];
    assert_int_equal(d->protocol, VR_DISK_PROTOCOL_ISCSI);
    assert_string_equal(d->source_name, "iqn.2013-07.com.example:iscsi-nopool/2");
    assert_int_equal(d->n_hosts, 1);
    assert_int_equal(d->hosts[0].port, 3260);
    assert_string_equal(d->auth_username, "myuser");
    assert_string_equal(d->secret_usage, "libvirtiscsi");
    assert_string_equal(d->initiator_iqn, "iqn.2013-07.com.example:client");
    assert_null(def->disks[1].auth_username);
    assert_fixed_point(def);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<source protocol=\"iscsi\" name=\"iqn.2013-07.com.example:iscsi-nopool/2\">"));
    assert_non_null(strstr(xml, "<secret type=\"iscsi\" usage=\"libvirtiscsi\"/>"));
    assert_non_null(strstr(xml, "<initiator>\n          <iqn name=\"iqn.2013-07.com.example:client\"/>"));
    free(xml);
    vr_domain_def_free(def);

    dev_refused("<disk type='network'><source protocol='iscsi' name='iqn.x:t/1'/></disk>", 6,
                "needs its portal: <host name='HOST' port='3260'/>");
    dev_refused("<disk type='network'><source protocol='iscsi' name='iqn.x:t/one'><host name='h'/></source></disk>",
                6, "needs name='IQN/LUN'");
    dev_refused("<disk type='network'><source protocol='iscsi' name='iqn.x:t/1'><host name='h'/>"
                "<host name='h2'/></source></disk>", 6, "takes one <host>");
    dev_refused("<disk type='network'><source protocol='iscsi' name='iqn.x:t/1'><host name='h'/>"
                "<snapshot name='s'/></source></disk>", 6, "<snapshot> belongs to <source protocol='rbd'>");
    dev_refused("<disk type='network'><source protocol='iscsi' name='iqn.x:t/1'><host name='h' transport='rdma'/>"
                "</source></disk>", 6, "rdma");
    dev_refused("<disk type='network'><source protocol='iscsi' name='iqn.x:t/1'><host name='h'/>"
                "<auth username='a'><secret type='ceph' usage='x'/></auth></source></disk>", 6,
                "<auth> of a protocol='iscsi' disk needs <secret type='iscsi'>");
    dev_refused("<disk type='network'><source protocol='rbd' name='p/i'><host name='h'/>"
                "<initiator><iqn name='x'/></initiator></source></disk>", 6,
                "<initiator> belongs to <source protocol='iscsi'>");
}

/* <disk type='network'> of protocol http or https, as virt-install writes
 * a CD-ROM at a URL (Cockpit's Create VM from a URL): one <host>, the path
 * as name (with or without its slash), read-only; a fixed point. */
static void web_network_disk(void **state)
{
    (void)state;
    vr_domain_def *def = dev_ok(HEAD,
        "<disk type='network' device='cdrom'><driver name='qemu'/><source protocol='http' name='tiny.iso'>"
        "<host name='127.0.0.1' port='8088'/></source><target dev='hdc' bus='ide'/><readonly/></disk>"
        "<disk type='network'><source protocol='https' name='/i/base.qcow2'><host name='example.com'/></source>"
        "<target dev='vda'/><readonly/></disk>");
    assert_int_equal(def->disks[0].protocol, VR_DISK_PROTOCOL_HTTP);
    assert_string_equal(def->disks[0].source_name, "tiny.iso");
    assert_int_equal(def->disks[0].hosts[0].port, 8088);
    assert_true(def->disks[0].readonly);
    assert_int_equal(def->disks[1].protocol, VR_DISK_PROTOCOL_HTTPS);
    assert_fixed_point(def);
    char *xml = vr_domain_def_format(def);
    assert_non_null(strstr(xml, "<source protocol=\"http\" name=\"tiny.iso\">\n        <host name=\"127.0.0.1\" "
                                "port=\"8088\"/>"));
    free(xml);
    vr_domain_def_free(def);

    dev_refused("<disk type='network'><source protocol='http' name='/a.iso'/><target dev='vda'/><readonly/></disk>",
                6, "needs its server: <host name='HOST' port='80'/>");
    dev_refused("<disk type='network'><source protocol='https' name='/a.img'><host name='h'/></source>"
                "<target dev='vda'/></disk>", 6, "a protocol='https' disk is read-only");
    dev_refused("<disk type='network'><source protocol='http' name='/a.iso'><host name='h'/><host name='g'/>"
                "</source><readonly/></disk>", 6, "takes one <host> (the web server)");
    dev_refused("<disk type='network'><source protocol='http'><host name='h'/></source><readonly/></disk>", 6,
                "needs name='PATH'");
    dev_refused("<disk type='network'><source protocol='http' name='/a.iso'><host name='h'/>"
                "<auth username='a'><secret type='ceph' usage='x'/></auth></source><readonly/></disk>", 6,
                "<auth> of a protocol='http' disk is not supported");
    dev_refused("<disk type='network'><source protocol='http' name='/a.iso'><host name='h'/>"
                "<snapshot name='s'/></source><readonly/></disk>", 6, "an image on a web server has none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_defaults),
        cmocka_unit_test(iscsi_network_disk),
        cmocka_unit_test(web_network_disk),
        cmocka_unit_test(full_domain),
        cmocka_unit_test(virt_install_q35),
        cmocka_unit_test(libvirt_dumpxml),
        cmocka_unit_test(libvirt_pc_layout),
        cmocka_unit_test(memory_units),
        cmocka_unit_test(generated_macs_and_names),
        cmocka_unit_test(implicit_controllers),
        cmocka_unit_test(pci_assignment),
        cmocka_unit_test(tune_elements),
        cmocka_unit_test(metadata_verbatim),
        cmocka_unit_test(direct_interface),
        cmocka_unit_test(interface_bandwidth),
        cmocka_unit_test(disk_iotune),
        cmocka_unit_test(iotune_apply),
        cmocka_unit_test(copy_keeps_resolved_path),
        cmocka_unit_test(course_dominio),
        cmocka_unit_test(windows_elements),
        cmocka_unit_test(hyperv_newer_children),
        cmocka_unit_test(tpm_version_12),
        cmocka_unit_test(numatune_parse),
        cmocka_unit_test(rng_egd_parse),
        cmocka_unit_test(smartcard_parse),
        cmocka_unit_test(rbd_network_disk),
        cmocka_unit_test(refuses_outside_subset),
        cmocka_unit_test(refuses_conflicts),
        cmocka_unit_test(user_aliases_round_trip),
        cmocka_unit_test(usb_hostdevs),
        cmocka_unit_test(live_aliases),
        cmocka_unit_test(live_aliases_as_libvirt),
        cmocka_unit_test(cpu_defaults_as_libvirt),
        cmocka_unit_test(pci_hostdevs),
        cmocka_unit_test(refuses_domain_values),
        cmocka_unit_test(malformed_xml),
        cmocka_unit_test(uuids),
        cmocka_unit_test(macs),
        cmocka_unit_test(disk_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
