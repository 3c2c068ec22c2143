/* The host's node devices (src/core/nodedev.c) against a sysfs tree this
 * test builds in a temp dir, shaped as this host's sysfs and a USB
 * controller it does not have: the names and parents virsh nodedev-list
 * --tree shows, and each kind's XML. The XML's shape (elements and
 * attributes, values aside) is held against what Debian 12's libvirt
 * printed for this host's devices (tests/fixtures/libvirt/nodedev-*.xml),
 * with the same facts in the tree. */
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "core/nodedev.h"
#include "wire/schemas.h"

#include <libxml/parser.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_tree.h"

static char *ids;

/* Attribute files of the device directory `dev` (under devices/): NAME=VALUE pairs. */
static void attrs(const char *dev, const char *const *kv)
{
    for (; *kv; kv += 2) {
        char *rel = vr_asprintf("devices/%s/%s", dev, kv[0]), *v = vr_asprintf("%s\n", kv[1]);
        fake_put(rel, v);
        free(rel);
        free(v);
    }
}

/* A PCI function at devices/pci0000:00/ADDR, its config space `cfg_len` bytes. */
static void pci(const char *addr, const char *cls, const char *vendor, const char *device, const char *driver,
                size_t cfg_len)
{
    char *dev = vr_asprintf("pci0000:00/%s", addr);
    attrs(dev, (const char *const[]){"class", cls, "vendor", vendor, "device", device, "numa_node", "-1", NULL});
    /* Zeros: no capability list; only its length tells PCI Express. */
    char *cfg = vr_calloc(1, cfg_len), *path = vr_asprintf("%s/devices/%s/config", fake_root, dev);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(cfg, 1, cfg_len, f), cfg_len);
    fclose(f);
    free(path);
    free(cfg);
    char *l = vr_asprintf("bus/pci/devices/%s", addr), *t = vr_asprintf("../../../devices/%s", dev);
    fake_link(t, l);
    free(l), free(t);
    if (driver) {
        l = vr_asprintf("devices/%s/driver", dev);
        t = vr_asprintf("../../../bus/pci/drivers/%s", driver);
        fake_link(t, l);
        free(l), free(t);
    }
    free(dev);
}

static void usb(const char *path, const char *const *kv)
{
    attrs(path, kv);
    const char *base = strrchr(path, '/') + 1;
    char *l = vr_asprintf("bus/usb/devices/%s", base), *t = vr_asprintf("../../../devices/%s", path);
    fake_link(t, l);
    free(l), free(t);
}

static void net(const char *path, const char *mac, const char *state)
{
    attrs(path, (const char *const[]){"address", mac, "operstate", state, "speed", "1000", NULL});
    char *l = vr_asprintf("class/net/%s", strrchr(path, '/') + 1), *t = vr_asprintf("../../devices/%s", path);
    fake_link(t, l);
    free(l), free(t);
}

static int setup(void **state)
{
    (void)state;
    fake_tree_make("vireo-nodedev");
    pci("0000:00:00.0", "0x060000", "0x8086", "0x0d57", NULL, 4096);
    pci("0000:00:02.0", "0x018000", "0x1af4", "0x1042", "virtio-pci", 256);
    pci("0000:00:03.0", "0x020000", "0x1af4", "0x1041", "virtio-pci", 256);
    pci("0000:00:14.0", "0x0c0330", "0x8086", "0xa36d", "xhci_hcd", 256);
    /* 00:14.0 is in IOMMU group 3 with nothing else. */
    fake_link("../../../../kernel/iommu_groups/3", "devices/pci0000:00/0000:00:14.0/iommu_group");
    fake_link("../../../../devices/pci0000:00/0000:00:14.0", "kernel/iommu_groups/3/devices/0000:00:14.0");
    usb("pci0000:00/0000:00:14.0/usb1",
        (const char *const[]){"idVendor", "1d6b", "idProduct", "0002", "busnum", "1", "devnum", "1",
                              "manufacturer", "Linux 6.1.0 xhci-hcd", "product", "xHCI Host Controller", NULL});
    usb("pci0000:00/0000:00:14.0/usb1/1-1",
        (const char *const[]){"idVendor", "046d", "idProduct", "c52b", "busnum", "1", "devnum", "2",
                              "manufacturer", "Logitech", "product", "USB Receiver", NULL});
    fake_link("../../../../bus/usb/drivers/usb", "devices/pci0000:00/0000:00:14.0/usb1/1-1/driver");
    /* An interface of 1-1: not a node device of its own here. */
    attrs("pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0", (const char *const[]){"bInterfaceClass", "03", NULL});
    fake_link("../../../devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0", "bus/usb/devices/1-1:1.0");
    net("pci0000:00/0000:00:03.0/virtio2/net/eth0", "02:fc:00:00:00:01", "up");
    net("virtual/net/lo", "00:00:00:00:00:00", "unknown");
    ids = vr_asprintf("%s/pci.ids", fake_root);
    FILE *f = fopen(ids, "w");
    assert_non_null(f);
    fputs("# pci.ids, the lines this test needs\n1af4  Red Hat, Inc.\n\t1041  Virtio 1.0 network device\n"
          "\t1042  Virtio 1.0 block device\n\t\t1af4 1100  QEMU Virtual Machine\n8086  Intel Corporation\n"
          "\t0d4c  Ethernet Connection (11) I219-LM\nC 00  Unclassified device\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_tree_remove();
    free(ids);
    return 0;
}

static void names_and_parents(void **state)
{
    (void)state;
    vr_nodedev_list l;
    vr_nodedev_scan(fake_root, &l);
    static const char *const want[][2] = {
        {"computer", NULL},
        {"net_eth0_02_fc_00_00_00_01", "pci_0000_00_03_0"}, /* past virtio2, not a node device */
        {"net_lo_00_00_00_00_00_00", "computer"},
        {"pci_0000_00_00_0", "computer"},
        {"pci_0000_00_02_0", "computer"},
        {"pci_0000_00_03_0", "computer"},
        {"pci_0000_00_14_0", "computer"},
        {"usb_1_1", "usb_usb1"},
        {"usb_usb1", "pci_0000_00_14_0"},
    };
    assert_int_equal(l.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < l.n; i++) {
        assert_string_equal(l.devs[i].name, want[i][0]);
        if (want[i][1])
            assert_string_equal(l.devs[i].parent, want[i][1]);
        else
            assert_null(l.devs[i].parent);
    }
    assert_string_equal(vr_nodedev_find(&l, "usb_1_1")->path, "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1");
    assert_int_equal(vr_nodedev_find(&l, "usb_1_1")->kind, VR_NODEDEV_USB);
    assert_null(vr_nodedev_find(&l, "usb_1_1_1_0"));
    vr_nodedev_kind k;
    assert_true(vr_nodedev_cap_kind("usb_device", &k));
    assert_int_equal(k, VR_NODEDEV_USB);
    assert_int_equal(vr_nodedev_cap_flag(k), 4);
    assert_false(vr_nodedev_cap_kind("scsi_host", &k));
    vr_nodedev_list_free(&l);

    /* A sysfs without the directory: computer alone. */
    char *bare = vr_asprintf("%s/nothing", fake_root);
    vr_nodedev_scan(bare, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.devs[0].name, "computer");
    vr_nodedev_list_free(&l);
    free(bare);
}

static char *xml_of(const char *name)
{
    vr_nodedev_list l;
    vr_nodedev_scan(fake_root, &l);
    const vr_nodedev *d = vr_nodedev_find(&l, name);
    assert_non_null(d);
    char *xml = vr_nodedev_xml(fake_root, ids, d);
    vr_nodedev_list_free(&l);
    return xml;
}

static void pci_usb_net_xml(void **state)
{
    (void)state;
    char *x = xml_of("pci_0000_00_02_0");
    assert_string_equal(x, "<device>\n"
                           "  <name>pci_0000_00_02_0</name>\n"
                           "  <path>/sys/devices/pci0000:00/0000:00:02.0</path>\n"
                           "  <parent>computer</parent>\n"
                           "  <driver>\n"
                           "    <name>virtio-pci</name>\n"
                           "  </driver>\n"
                           "  <capability type=\"pci\">\n"
                           "    <class>0x018000</class>\n"
                           "    <domain>0</domain>\n"
                           "    <bus>0</bus>\n"
                           "    <slot>2</slot>\n"
                           "    <function>0</function>\n"
                           "    <product id=\"0x1042\">Virtio 1.0 block device</product>\n"
                           "    <vendor id=\"0x1af4\">Red Hat, Inc.</vendor>\n"
                           "  </capability>\n"
                           "</device>\n");
    free(x);
    x = xml_of("pci_0000_00_14_0");
    assert_non_null(strstr(x, "<product id=\"0xa36d\"/>\n    <vendor id=\"0x8086\">Intel Corporation</vendor>\n"
                              "    <iommuGroup number=\"3\">\n"
                              "      <address domain=\"0x0000\" bus=\"0x00\" slot=\"0x14\" function=\"0x0\"/>\n"
                              "    </iommuGroup>\n  </capability>"));
    free(x);
    x = xml_of("usb_1_1");
    assert_string_equal(x, "<device>\n"
                           "  <name>usb_1_1</name>\n"
                           "  <path>/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1</path>\n"
                           "  <devnode type=\"dev\">/dev/bus/usb/001/002</devnode>\n"
                           "  <parent>usb_usb1</parent>\n"
                           "  <driver>\n"
                           "    <name>usb</name>\n"
                           "  </driver>\n"
                           "  <capability type=\"usb_device\">\n"
                           "    <bus>1</bus>\n"
                           "    <device>2</device>\n"
                           "    <product id=\"0xc52b\">USB Receiver</product>\n"
                           "    <vendor id=\"0x046d\">Logitech</vendor>\n"
                           "  </capability>\n"
                           "</device>\n");
    free(x);
    x = xml_of("net_eth0_02_fc_00_00_00_01");
    assert_non_null(strstr(x, "<interface>eth0</interface>\n    <address>02:fc:00:00:00:01</address>\n"
                              "    <link speed=\"1000\" state=\"up\"/>\n    <capability type=\"80203\"/>\n"));
    free(x);
}

/* GET /v1/nodedevs' list: the capability filter (several by commas, a
 * libvirt one Vireo lists none of, an unknown one refused) and the facts. */
static void summaries(void **state)
{
    (void)state;
    vireo_nodedev *d;
    size_t n;
    char *err;
    assert_int_equal(vr_nodedev_summaries(fake_root, ids, "pci", &d, &n, &err), VR_OK);
    assert_int_equal(n, 4);
    assert_string_equal(d[3].name, "pci_0000_00_14_0");
    assert_string_equal(d[3].parent, "computer");
    assert_string_equal(d[3].capabilities[0], "pci");
    assert_string_equal(d[3].driver, "xhci_hcd");
    assert_string_equal(d[3].vendor, "Intel Corporation");
    assert_null(d[3].product); /* not in this pci.ids */
    assert_int_equal(d[3].iommu_group, 3);
    assert_string_equal(d[1].product, "Virtio 1.0 block device");
    assert_int_equal(d[1].iommu_group, -1);
    vr_wire_array_free(&vr_wire_nodedev, d, n);
    assert_int_equal(vr_nodedev_summaries(fake_root, ids, "usb_device,system", &d, &n, &err), VR_OK);
    assert_int_equal(n, 3);
    assert_string_equal(d[0].name, "computer");
    assert_null(d[0].parent);
    assert_string_equal(d[1].name, "usb_1_1");
    assert_string_equal(d[1].vendor, "Logitech");
    assert_string_equal(d[1].driver, "usb");
    assert_string_equal(d[2].parent, "pci_0000_00_14_0");
    vr_wire_array_free(&vr_wire_nodedev, d, n);
    assert_int_equal(vr_nodedev_summaries(fake_root, ids, NULL, &d, &n, &err), VR_OK);
    assert_int_equal(n, 9);
    vr_wire_array_free(&vr_wire_nodedev, d, n);
    assert_int_equal(vr_nodedev_summaries(fake_root, ids, "scsi_host", &d, &n, &err), VR_OK);
    assert_int_equal(n, 0);
    vr_wire_array_free(&vr_wire_nodedev, d, n);
    assert_int_equal(vr_nodedev_summaries(fake_root, ids, "pci,disk", &d, &n, &err), VR_ERR_INVALID);
    assert_null(d);
    assert_non_null(strstr(err, "unknown node device capability 'disk': give one of libvirt's"));
    free(err);
    char *xml;
    assert_int_equal(vr_nodedev_xml_of(fake_root, ids, "usb_9_9", &xml, &err), VR_ERR_NOT_FOUND);
    assert_null(xml);
    assert_string_equal(err, "no node device 'usb_9_9': `vireo nodedev-list` lists them");
    free(err);
    assert_int_equal(vr_nodedev_xml_of(fake_root, ids, "usb_1_1", &xml, &err), VR_OK);
    assert_non_null(strstr(xml, "<parent>usb_usb1</parent>"));
    free(xml);
}

/* Each element's path and attribute names, one a line, values aside;
 * elements named in `skip` (and what is under them) left out. */
static void shape(xmlNodePtr n, const char *at, const char *const *skip, vr_strbuf *out)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        bool skipped = false;
        for (const char *const *s = skip; *s; s++)
            skipped |= strcmp((const char *)n->name, *s) == 0;
        if (skipped)
            continue;
        char *path = vr_asprintf("%s/%s", at, (const char *)n->name);
        vr_strbuf_add(out, path);
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            vr_strbuf_addf(out, " @%s", (const char *)a->name);
        vr_strbuf_add(out, "\n");
        shape(n->children, path, skip, out);
        free(path);
    }
}

static char *shape_of(const char *xml, const char *const *skip)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "x.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    vr_strbuf b = {0};
    shape(xmlDocGetRootElement(doc), "", skip, &b);
    xmlFreeDoc(doc);
    return vr_strbuf_take(&b);
}

/* Vireo's XML against libvirt's for the same device: the same elements
 * and attributes, but for those named in `skip` (left out, and said so
 * in docs/libvirt-protocol.md). */
static void same_shape(const char *fixture, const char *name, const char *const *skip)
{
    char *path = vr_asprintf("%s/libvirt/nodedev-%s.xml", FIXTURES, fixture);
    char *theirs = vr_file_read(path, NULL);
    assert_non_null(theirs);
    char *ours = xml_of(name);
    char *a = shape_of(theirs, skip), *b = shape_of(ours, skip);
    assert_string_equal(b, a);
    free(a), free(b), free(theirs), free(ours), free(path);
}

static void libvirt_shapes(void **state)
{
    (void)state;
    static const char *const none[] = {NULL};
    static const char *const features[] = {"feature", NULL};
    same_shape("computer", "computer", none);
    same_shape("pci_0000_00_00_0", "pci_0000_00_00_0", none);
    same_shape("pci_0000_00_02_0", "pci_0000_00_02_0", none);
    same_shape("net_lo_00_00_00_00_00_00", "net_lo_00_00_00_00_00_00", features);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_parents),
        cmocka_unit_test(pci_usb_net_xml),
        cmocka_unit_test(summaries),
        cmocka_unit_test(libvirt_shapes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
