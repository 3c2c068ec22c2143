/* The host side of PCI passthrough (src/host/vfio.c) against a sysfs tree
 * this test builds in a temp dir: the real host here has no IOMMU and no
 * PCI device to give, so the code takes its sysfs root as a parameter and
 * runs on this fixture. Group 7 holds a GPU (bound to its host driver) and
 * its audio function (bound to nothing); group 9 is empty of anything but
 * one NIC on vfio-pci. The driver_override, unbind and drivers_probe
 * writes land in plain files the test reads back. */
#include "common/file.h"
#include "common/util.h"
#include "host/vfio.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_tree.h"

/* A device under bus/pci/devices, in `group`, bound to `driver` (NULL: none). */
static void device(const char *addr, int group, const char *driver)
{
    char *d = vr_asprintf("bus/pci/devices/%s", addr);
    fake_dir(d);
    char *f = vr_asprintf("%s/driver_override", d);
    fake_put(f, "(null)\n");
    free(f);
    char *gl = vr_asprintf("%s/iommu_group", d), *gt = vr_asprintf("../../../../kernel/iommu_groups/%d", group);
    fake_link(gt, gl);
    char *members = vr_asprintf("kernel/iommu_groups/%d/devices", group);
    fake_dir(members);
    char *m = vr_asprintf("%s/%s", members, addr), *mt = vr_asprintf("../../../../bus/pci/devices/%s", addr);
    fake_link(mt, m);
    if (driver) {
        char *dl = vr_asprintf("%s/driver", d), *dt = vr_asprintf("../../../../bus/pci/drivers/%s", driver);
        fake_link(dt, dl);
        free(dl);
        free(dt);
    }
    free(d);
    free(gl);
    free(gt);
    free(members);
    free(m);
    free(mt);
}

static int setup(void **state)
{
    (void)state;
    fake_tree_make("vireo-vfio");
    fake_dir("bus/pci/drivers/nouveau");
    fake_put("bus/pci/drivers/nouveau/unbind", "");
    fake_dir("bus/pci/drivers/vfio-pci");
    fake_put("bus/pci/drivers/vfio-pci/unbind", "");
    fake_put("bus/pci/drivers_probe", "");
    device("0000:01:00.0", 7, "nouveau");
    device("0000:01:00.1", 7, NULL);
    device("0000:02:00.0", 9, "vfio-pci");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_tree_remove();
    return 0;
}

static void names(void **state)
{
    (void)state;
    char a[13];
    assert_true(vr_vfio_parse_name("pci_0000_01_00_0", a));
    assert_string_equal(a, "0000:01:00.0");
    assert_true(vr_vfio_parse_name("0000:0a:1f.7", a));
    assert_string_equal(a, "0000:0a:1f.7");
    assert_false(vr_vfio_parse_name("usb_1_1_2", a));
    assert_false(vr_vfio_parse_name("pci_0000_01_00_0x", a));
    assert_false(vr_vfio_parse_name("pci_0000_01_20_0", a));
}

static void iommu_and_groups(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(vr_vfio_no_iommu(fake_root));
    assert_int_equal(vr_vfio_group(fake_root, "0000:01:00.1", &err), 7);
    assert_int_equal(vr_vfio_group(fake_root, "0000:02:00.0", &err), 9);
    assert_int_equal(vr_vfio_group(fake_root, "0000:03:00.0", &err), -1);
    assert_non_null(strstr(err, "no PCI device 0000:03:00.0"));
    free(err);
    err = NULL;
    /* A host without iommu_groups (this one): the reason names the IOMMU. */
    char *bare = vr_asprintf("%s/bare", fake_root);
    assert_int_equal(vr_mkdir_p(bare, 0755), 0);
    assert_non_null(strstr(vr_vfio_no_iommu(bare), "has no IOMMU"));
    assert_int_equal(vr_vfio_group(bare, "0000:01:00.0", &err), -1);
    assert_non_null(strstr(err, "intel_iommu=on"));
    free(err);
    free(bare);
}

/* Group 9 is all on vfio-pci; group 7 names its GPU on nouveau, and is
 * ready once the GPU is detached (its audio function has no driver). */
static void group_ready_and_detach(void **state)
{
    (void)state;
    char *err = NULL;
    int g = -1;
    assert_int_equal(vr_vfio_group_ready(fake_root, "0000:02:00.0", &g, &err), 0);
    assert_int_equal(g, 9);
    assert_int_equal(vr_vfio_group_ready(fake_root, "0000:01:00.1", &g, &err), -1);
    assert_non_null(strstr(err, "IOMMU group 7"));
    assert_non_null(strstr(err, "0000:01:00.0 (nouveau)"));
    assert_null(strstr(err, "0000:01:00.1 ("));
    free(err);
    err = NULL;

    /* managed='yes' / nodedev-detach: override, unbind, probe. */
    assert_int_equal(vr_vfio_detach(fake_root, "0000:01:00.0", &err), 0);
    fake_expect("bus/pci/devices/0000:01:00.0/driver_override", "vfio-pci");
    fake_expect("bus/pci/drivers/nouveau/unbind", "0000:01:00.0");
    fake_expect("bus/pci/drivers_probe", "0000:01:00.0");
    /* What the kernel would do on that probe: the link to vfio-pci. */
    char *l = vr_asprintf("%s/bus/pci/devices/0000:01:00.0/driver", fake_root);
    assert_int_equal(unlink(l), 0);
    assert_int_equal(symlink("../../../../bus/pci/drivers/vfio-pci", l), 0);
    free(l);
    assert_int_equal(vr_vfio_group_ready(fake_root, "0000:01:00.0", &g, &err), 0);
    assert_int_equal(g, 7);

    /* Already on vfio-pci: nothing written. */
    fake_put("bus/pci/drivers_probe", "");
    assert_int_equal(vr_vfio_detach(fake_root, "0000:02:00.0", &err), 0);
    fake_expect("bus/pci/drivers_probe", "");

    /* The domain stopped / nodedev-reattach: override cleared, unbound
     * from vfio-pci, the host's driver probed. */
    assert_int_equal(vr_vfio_reattach(fake_root, "0000:01:00.0", &err), 0);
    fake_expect("bus/pci/devices/0000:01:00.0/driver_override", "\n");
    fake_expect("bus/pci/drivers/vfio-pci/unbind", "0000:01:00.0");
    fake_expect("bus/pci/drivers_probe", "0000:01:00.0");
}

/* A fixture root is never /sys: no modprobe; a missing vfio-pci says so. */
static void no_vfio_driver(void **state)
{
    (void)state;
    char *cmd = vr_asprintf("rm -rf '%s/bus/pci/drivers/vfio-pci'", fake_root);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    char *err = NULL;
    assert_int_equal(vr_vfio_detach(fake_root, "0000:01:00.1", &err), -1);
    assert_non_null(strstr(err, "modprobe vfio-pci"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test_setup_teardown(iommu_and_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(group_ready_and_detach, setup, teardown),
        cmocka_unit_test_setup_teardown(no_vfio_driver, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
