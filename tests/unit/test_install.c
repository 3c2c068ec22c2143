/* vireo install without a daemon: the OS variant table and its close
 * matches, and the domain XML of install plans -- every shape install
 * writes must parse as Vireo's own XML subset and mean what it says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "install/install_plan.h"
#include "conf/domain_conf.h"

static void osinfo_lookup(void **state)
{
    (void)state;
    const vr_osinfo *o = vr_osinfo_find("debian12");
    assert_non_null(o);
    assert_int_equal(o->family, VR_OS_LINUX);
    assert_true(o->virtio);
    assert_string_equal(o->machine, "q35");
    assert_non_null(vr_osinfo_find("Win10"));
    assert_false(vr_osinfo_find("win10")->virtio);
    assert_true(vr_osinfo_find("win10")->min_mib >= 2048);
    assert_true(vr_osinfo_find("win11")->uefi);
    assert_non_null(vr_osinfo_find("generic"));
    assert_null(vr_osinfo_find("debian14"));
}

/* The table is libosinfo's database: every short-id of an OS and its
 * full id name it; resources and devices come from the database. */
static void osinfo_from_libosinfo(void **state)
{
    (void)state;
    size_t n;
    const vr_osinfo *all = vr_osinfo_all(&n);
    assert_true(n > 500); /* osinfo-db 0.20221130 has ~790; the old table had 22 */
    assert_string_equal(all[0].id, "generic");
    assert_null(all[0].osinfo);
    assert_ptr_equal(vr_osinfo_find("debianbullseye"), vr_osinfo_find("debian11"));
    assert_ptr_equal(vr_osinfo_find("http://debian.org/debian/11"), vr_osinfo_find("debian11"));
    const vr_osinfo *w11 = vr_osinfo_find("win11");
    assert_string_equal(w11->osinfo, "http://microsoft.com/win/11");
    assert_int_equal(w11->family, VR_OS_WINDOWS);
    assert_int_equal(w11->min_mib, 4096); /* <minimum><ram> 4 GiB */
    assert_int_equal(w11->disk_gib, 64);
    assert_string_equal(w11->machine, "q35");
    const vr_osinfo *d11 = vr_osinfo_find("debian11");
    assert_int_equal(d11->mem_mib, 1024); /* <recommended><ram> */
    assert_int_equal(d11->disk_gib, 20);
    assert_false(d11->uefi);
    /* Windows XP: no q35 in its devices, no virtio. */
    const vr_osinfo *xp = vr_osinfo_find("winxp");
    assert_string_equal(xp->machine, "pc");
    assert_false(xp->virtio);
    /* A supplement entry (data/osinfo) derives its devices from debian11. */
    assert_string_equal(vr_osinfo_find("debian13")->osinfo, "http://debian.org/debian/13");
    assert_true(vr_osinfo_find("debian13")->virtio);
}

static void osinfo_close_matches(void **state)
{
    (void)state;
    char *m = vr_osinfo_close_matches("debian14");
    assert_non_null(m);
    assert_true(strncmp(m, "debian13, debian12, debian11", 28) == 0);
    free(m);
    m = vr_osinfo_close_matches("centos9");
    assert_non_null(strstr(m, "centos-stream9"));
    free(m);
    m = vr_osinfo_close_matches("ubuntu25.04");
    assert_true(strncmp(m, "ubuntu24.04", 11) == 0);
    free(m);
    assert_null(vr_osinfo_close_matches("zzzzzzzz"));
}

static vr_domain_def *parse(const char *xml)
{
    char *err = NULL;
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
    if (!def)
        fail_msg("install XML refused: %s\n%s", err, xml);
    return def;
}

static vr_idisk disk(vr_idisk_type type, const char *where, const char *bus, const char *target, bool cdrom)
{
    vr_idisk d = {.type = type, .cdrom = cdrom, .readonly = cdrom, .bus = (char *)bus, .target = (char *)target,
                  .format = (char *)(cdrom ? "raw" : "qcow2")};
    if (type == VR_IDISK_VOLUME) {
        d.pool = (char *)"default";
        d.volume = (char *)where;
    } else {
        d.path = (char *)where;
    }
    return d;
}

static void cdrom_install_two_phases(void **state)
{
    (void)state;
    vr_idisk disks[3] = {
        disk(VR_IDISK_VOLUME, "web.qcow2", "virtio", "vda", false),
        disk(VR_IDISK_FILE, "/srv/iso/debian.iso", "sata", "sda", true),
        disk(VR_IDISK_VOLUME, "web-cidata.iso", "virtio", "vdb", false),
    };
    disks[1].empty_after = true;
    disks[2].readonly = true;
    disks[2].format = (char *)"raw";
    vr_inic nic = {.type = (char *)"network", .source = (char *)"default", .model = (char *)"virtio"};
    vr_install_plan p = {.name = (char *)"web", .os = vr_osinfo_find("debian12"), .virt_type = (char *)"qemu",
                         .machine = (char *)"q35", .cpu_mode = (char *)"maximum", .mem_mib = 2048, .vcpus = 2,
                         .source = VR_SRC_CDROM, .disks = disks, .n_disks = 3, .nics = &nic, .n_nics = 1,
                         .vnc = true, .vnc_port = -1, .guest_agent = true};
    assert_true(vr_install_two_phase(&p));

    char *xml = vr_install_xml(&p, true);
    vr_domain_def *d = parse(xml);
    assert_int_equal(d->type, VR_VIRT_QEMU);
    assert_int_equal(d->memory_kib, 2048 * 1024);
    assert_int_equal(d->vcpus, 2);
    assert_int_equal(d->os.n_boot_devs, 2);
    assert_int_equal(d->os.boot_devs[0], VR_BOOT_CDROM);
    assert_int_equal(d->os.boot_devs[1], VR_BOOT_HD);
    assert_int_equal(d->on_reboot, VR_LIFECYCLE_DESTROY);
    assert_int_equal(d->n_disks, 3);
    assert_int_equal(d->disks[1].device, VR_DISK_DEVICE_CDROM);
    assert_string_equal(d->disks[1].source_path, "/srv/iso/debian.iso");
    assert_true(d->disks[2].readonly);
    assert_int_equal(d->disks[2].bus, VR_DISK_BUS_VIRTIO);
    assert_int_equal(d->n_graphics, 1);
    assert_int_equal(d->videos[0].model, VR_VIDEO_VIRTIO);
    assert_int_equal(d->n_channels, 1);
    assert_non_null(d->metadata);
    assert_non_null(strstr(d->metadata, "http://debian.org/debian/12"));
    vr_domain_def_free(d);
    free(xml);

    xml = vr_install_xml(&p, false);
    d = parse(xml);
    assert_int_equal(d->os.n_boot_devs, 1);
    assert_int_equal(d->os.boot_devs[0], VR_BOOT_HD);
    assert_int_equal(d->on_reboot, VR_LIFECYCLE_RESTART);
    assert_int_equal(d->disks[1].device, VR_DISK_DEVICE_CDROM);
    assert_null(d->disks[1].source_path); /* ejected */
    assert_string_equal(d->disks[2].source_volume, "web-cidata.iso");
    vr_domain_def_free(d);
    free(xml);
}

static void windows_defaults(void **state)
{
    (void)state;
    vr_idisk disks[1] = {disk(VR_IDISK_VOLUME, "win.qcow2", "sata", "sda", false)};
    vr_inic nic = {.type = (char *)"user", .model = (char *)"e1000"};
    vr_install_plan p = {.name = (char *)"win", .os = vr_osinfo_find("win10"), .virt_type = (char *)"kvm",
                         .machine = (char *)"q35", .mem_mib = 4096, .vcpus = 2, .source = VR_SRC_IMPORT,
                         .disks = disks, .n_disks = 1, .nics = &nic, .n_nics = 1, .vnc = true, .vnc_port = 5905,
                         .vnc_listen = (char *)"0.0.0.0"};
    assert_false(vr_install_two_phase(&p));
    char *xml = vr_install_xml(&p, true); /* one phase: the final definition */
    vr_domain_def *d = parse(xml);
    assert_int_equal(d->type, VR_VIRT_KVM);
    assert_int_equal(d->disks[0].bus, VR_DISK_BUS_SATA);
    assert_int_equal(d->interfaces[0].model, VR_NET_MODEL_E1000);
    assert_int_equal(d->clock.offset, VR_CLOCK_LOCALTIME);
    assert_int_equal(d->memballoon.model, VR_MEMBALLOON_NONE);
    assert_int_equal(d->n_rngs, 0);
    assert_int_equal(d->n_channels, 0);
    assert_int_equal(d->videos[0].model, VR_VIDEO_VGA);
    assert_int_equal(d->graphics[0].port, 5905);
    assert_string_equal(d->graphics[0].listen, "0.0.0.0");
    assert_int_equal(d->on_reboot, VR_LIFECYCLE_RESTART);
    vr_domain_def_free(d);
    free(xml);
}

/* win11 as virt-install makes it: UEFI with Secure Boot and Microsoft's
 * keys (picked by the daemon at start), a TPM 2.0 CRB, the Hyper-V set;
 * refused on i440fx (no SMM for Secure Boot). */
static void windows11_platform(void **state)
{
    (void)state;
    vr_idisk disks[1] = {disk(VR_IDISK_VOLUME, "w.qcow2", "virtio", "vda", false)};
    vr_install_plan p = {.name = (char *)"w11", .os = vr_osinfo_find("win11"), .virt_type = (char *)"qemu",
                         .machine = (char *)"q35", .mem_mib = 4096, .vcpus = 2, .source = VR_SRC_IMPORT,
                         .disks = disks, .n_disks = 1, .vnc = true, .vnc_port = -1};
    char *err = NULL;
    assert_int_equal(vr_install_platform(&p, &err), 0);
    assert_true(p.uefi && p.secure_boot && p.tpm && p.hyperv);
    assert_string_equal(vr_install_nic_model(p.os, p.machine), "e1000e");
    char *xml = vr_install_xml(&p, false);
    vr_domain_def *d = parse(xml);
    assert_string_equal(d->os.firmware, "efi");
    assert_int_equal(d->os.fw_secure_boot, VR_TRISTATE_ON);
    assert_int_equal(d->os.fw_enrolled_keys, VR_TRISTATE_ON);
    assert_null(d->os.loader.path);
    assert_non_null(d->tpm);
    assert_int_equal(d->tpm->model, VR_TPM_CRB);
    assert_int_equal(d->features.hyperv.state[VR_HV_RELAXED], VR_TRISTATE_ON);
    assert_int_equal(d->features.hyperv.spinlock_retries, 8191);
    assert_int_equal(d->clock.hypervclock, VR_TRISTATE_ON);
    assert_int_equal(d->inputs[0].type, VR_INPUT_TABLET);
    vr_domain_def_free(d);
    free(xml);
    vr_install_plan pc = {.os = vr_osinfo_find("win11"), .machine = (char *)"pc"};
    assert_int_equal(vr_install_platform(&pc, &err), -1);
    assert_non_null(strstr(err, "use --machine q35"));
    free(err);
    /* win10: BIOS, Hyper-V; --boot uefi without Secure Boot. */
    vr_install_plan w10 = {.os = vr_osinfo_find("win10"), .machine = (char *)"q35"};
    assert_int_equal(vr_install_platform(&w10, &err), 0);
    assert_true(!w10.uefi && !w10.tpm && w10.hyperv);
    w10.uefi = true;
    assert_int_equal(vr_install_platform(&w10, &err), 0);
    assert_true(w10.uefi && !w10.secure_boot);
}

static void kernel_boot_escaped(void **state)
{
    (void)state;
    vr_install_plan p = {.name = (char *)"kern", .os = vr_osinfo_find("debian12"), .virt_type = (char *)"qemu",
                         .machine = (char *)"pc", .mem_mib = 256, .vcpus = 1, .source = VR_SRC_KERNEL,
                         .kernel = (char *)"/srv/k & <v>'s/vmlinuz", .initrd = (char *)"/srv/initrd.img",
                         .cmdline = (char *)"console=ttyS0 x=\"a b\" y=<1>&2"};
    char *xml = vr_install_xml(&p, false);
    vr_domain_def *d = parse(xml);
    assert_string_equal(d->os.kernel, "/srv/k & <v>'s/vmlinuz");
    assert_string_equal(d->os.initrd, "/srv/initrd.img");
    assert_string_equal(d->os.cmdline, "console=ttyS0 x=\"a b\" y=<1>&2");
    assert_int_equal(d->n_disks, 0);
    assert_int_equal(d->n_interfaces, 0);
    assert_int_equal(d->n_graphics, 0);
    assert_int_equal(d->n_serials, 1);
    vr_domain_def_free(d);
    free(xml);
}

static void location_and_uefi(void **state)
{
    (void)state;
    vr_idisk disks[1] = {disk(VR_IDISK_FILE, "/srv/debian.iso", "sata", "sda", true)};
    disks[0].empty_after = true;
    vr_install_plan p = {.name = (char *)"di", .os = vr_osinfo_find("debian12"), .virt_type = (char *)"qemu",
                         .machine = (char *)"q35", .mem_mib = 1024, .vcpus = 1, .source = VR_SRC_LOCATION,
                         .kernel = (char *)"/pool/di-install-kernel", .initrd = (char *)"/pool/di-install-initrd",
                         .cmdline = (char *)"console=ttyS0", .disks = disks, .n_disks = 1, .uefi = true,
                         .loader = (char *)"/usr/share/OVMF/OVMF_CODE_4M.fd", .nvram = (char *)"/pool/di_VARS.fd",
                         .nvram_template = (char *)"/usr/share/OVMF/OVMF_VARS_4M.fd"};
    char *xml = vr_install_xml(&p, true);
    vr_domain_def *d = parse(xml);
    assert_string_equal(d->os.kernel, "/pool/di-install-kernel");
    assert_string_equal(d->os.cmdline, "console=ttyS0");
    assert_string_equal(d->os.loader.path, "/usr/share/OVMF/OVMF_CODE_4M.fd");
    assert_int_equal(d->os.loader.type, VR_LOADER_PFLASH);
    assert_string_equal(d->os.nvram, "/pool/di_VARS.fd");
    assert_string_equal(d->disks[0].source_path, "/srv/debian.iso");
    vr_domain_def_free(d);
    free(xml);
    xml = vr_install_xml(&p, false);
    d = parse(xml);
    assert_null(d->os.kernel);
    assert_null(d->disks[0].source_path);
    assert_int_equal(d->os.boot_devs[0], VR_BOOT_HD);
    assert_string_equal(d->os.nvram, "/pool/di_VARS.fd");
    vr_domain_def_free(d);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(osinfo_lookup),
        cmocka_unit_test(osinfo_from_libosinfo),
        cmocka_unit_test(osinfo_close_matches),
        cmocka_unit_test(cdrom_install_two_phases),
        cmocka_unit_test(windows_defaults),
        cmocka_unit_test(windows11_platform),
        cmocka_unit_test(kernel_boot_escaped),
        cmocka_unit_test(location_and_uefi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
