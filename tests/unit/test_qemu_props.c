/* QEMU option properties (src/drivers/qemu/qemu_props.c): the key=value
 * form with QEMU's ',,' escape, the JSON form QMP takes, and that a
 * disk's -blockdev nodes and -device are the same properties as its
 * hot-plug's blockdev-add and device_add. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_props.h"

static void expect_forms(vr_qprops *p, const char *keyval, const char *json)
{
    char *kv = vr_qp_keyval(p);
    assert_string_equal(kv, keyval);
    free(kv);
    json_object *o = vr_qp_json(p);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), json);
    json_object_put(o);
    vr_qp_free(p);
}

static void escaping_and_types(void **state)
{
    (void)state;
    vr_qprops *p = vr_qp_new("driver", "virtio-blk-pci");
    vr_qp_str(p, "id", "a,b");
    vr_qp_str(p, "serial", NULL); /* adds nothing */
    vr_qp_uint(p, "bootindex", 2);
    vr_qp_bool(p, "share-rw", true);
    vr_qp_bool_word(p, "read-only", false);
    expect_forms(p, "virtio-blk-pci,id=a,,b,bootindex=2,share-rw=on,read-only=false",
                 "{\"driver\":\"virtio-blk-pci\",\"id\":\"a,b\",\"bootindex\":2,"
                 "\"share-rw\":true,\"read-only\":false}");
    /* A head holding commas is escaped too (-vnc unix:PATH). */
    p = vr_qp_new("vnc", "unix:/run/a,b.sock");
    expect_forms(p, "unix:/run/a,,b.sock", "{\"vnc\":\"unix:\\/run\\/a,b.sock\"}");
    p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "filename", ",,,");
    expect_forms(p, "filename=,,,,,,", "{\"filename\":\",,,\"}");
    char *q = vr_qemu_quote("a,b,,c");
    assert_string_equal(q, "a,,b,,,,c");
    free(q);
}

/* Dotted keys are nested objects in JSON, as QMP wants them. */
static void dotted_keys(void **state)
{
    (void)state;
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", "file");
    vr_qp_bool(p, "cache.direct", true);
    vr_qp_bool(p, "cache.no-flush", false);
    expect_forms(p, "driver=file,cache.direct=on,cache.no-flush=off",
                 "{\"driver\":\"file\",\"cache\":{\"direct\":true,\"no-flush\":false}}");
}

/* A domain with the one disk `disk` (its XML). */
static vr_domain_def *one_disk(const char *disk)
{
    char *xml = NULL, *err = NULL;
    if (asprintf(&xml, "<domain type='kvm'><name>d</name><memory unit='MiB'>128</memory>"
                       "<os><type>hvm</type></os><devices>%s</devices></domain>", disk) < 0)
        fail();
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
    if (!def)
        fail_msg("%s", err);
    free(xml);
    return def;
}

/* Numbered keys are QEMU's lists: arrays in JSON (an rbd node's
 * monitors and auth modes). */
static void numbered_keys(void **state)
{
    (void)state;
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", "rbd");
    vr_qp_str(p, "server.0.host", "m1");
    vr_qp_str(p, "server.0.port", "3300");
    vr_qp_str(p, "server.1.host", "m2");
    vr_qp_str(p, "auth-client-required.0", "cephx");
    vr_qp_str(p, "auth-client-required.1", "none");
    expect_forms(p, "driver=rbd,server.0.host=m1,server.0.port=3300,server.1.host=m2,"
                    "auth-client-required.0=cephx,auth-client-required.1=none",
                 "{\"driver\":\"rbd\",\"server\":[{\"host\":\"m1\",\"port\":\"3300\"},{\"host\":\"m2\"}],"
                 "\"auth-client-required\":[\"cephx\",\"none\"]}");
}

/* A LUN's hot-plug: QEMU's iscsi node as blockdev-add takes it (the LUN
 * a number), after its CHAP password's secret object. */
static void lun_json(void **state)
{
    (void)state;
    vr_domain_def *def = one_disk("<disk type='volume'><source pool='lab' volume='unit:0:0:2'/>"
                                  "<target dev='vdb' bus='virtio'/></disk>");
    const vr_disk_def *d = &def->disks[0];
    char *err = NULL;
    const char *url = "iscsi://10.0.0.1:3260/iqn.2026-12.t:x/2?initiator-name=iqn.i&user=u&password-file=/r/lab.chap";
    assert_true(vr_qemu_disk_on_network(d, url));
    assert_false(vr_qemu_disk_on_network(d, "/var/lib/a.img"));
    vr_qprops *secret = NULL;
    vr_qprops *node = vr_qemu_disk_net_node(d, url, "/run", &secret, &err);
    assert_non_null(node);
    expect_forms(secret, "secret,id=sec-vdb,file=/r/lab.chap,format=raw",
                 "{\"qom-type\":\"secret\",\"id\":\"sec-vdb\",\"file\":\"\\/r\\/lab.chap\",\"format\":\"raw\"}");
    expect_forms(node, "driver=iscsi,transport=tcp,portal=10.0.0.1:3260,target=iqn.2026-12.t:x,lun=2,"
                       "initiator-name=iqn.i,user=u,password-secret=sec-vdb,node-name=file-vdb",
                 "{\"driver\":\"iscsi\",\"transport\":\"tcp\",\"portal\":\"10.0.0.1:3260\","
                 "\"target\":\"iqn.2026-12.t:x\",\"lun\":2,\"initiator-name\":\"iqn.i\",\"user\":\"u\","
                 "\"password-secret\":\"sec-vdb\",\"node-name\":\"file-vdb\"}");
    assert_null(vr_qemu_disk_net_node(d, "iscsi://nohost", "/run", &secret, &err));
    assert_null(secret);
    assert_string_equal(err, "disk vdb: 'iscsi://nohost' is not an iscsi://HOST:PORT/IQN/LUN volume");
    free(err);
    vr_domain_def_free(def);
}

/* A <disk type='network'> of protocol iscsi hot-plugged: the same node
 * from the XML (portal with its default port, LUN from the name), its
 * CHAP password's secret object on the run's DEV.chap. */
static void iscsi_network_json(void **state)
{
    (void)state;
    vr_domain_def *def = one_disk("<disk type='network'><source protocol='iscsi' name='iqn.2026-12.t:x/3'>"
                                  "<host name='10.0.0.1'/><auth username='u'><secret type='iscsi' usage='s'/></auth>"
                                  "</source><target dev='vdc' bus='virtio'/></disk>");
    const vr_disk_def *d = &def->disks[0];
    assert_true(vr_qemu_disk_on_network(d, d->source_name));
    vr_qprops *secret = NULL;
    vr_qprops *node = vr_qemu_disk_net_node(d, d->source_name, "/run/q", &secret, NULL);
    expect_forms(secret, "secret,id=sec-vdc,file=/run/q/vdc.chap,format=raw",
                 "{\"qom-type\":\"secret\",\"id\":\"sec-vdc\",\"file\":\"\\/run\\/q\\/vdc.chap\",\"format\":\"raw\"}");
    expect_forms(node, "driver=iscsi,transport=tcp,portal=10.0.0.1:3260,target=iqn.2026-12.t:x,lun=3,"
                       "user=u,password-secret=sec-vdc,node-name=file-vdc",
                 "{\"driver\":\"iscsi\",\"transport\":\"tcp\",\"portal\":\"10.0.0.1:3260\","
                 "\"target\":\"iqn.2026-12.t:x\",\"lun\":3,\"user\":\"u\","
                 "\"password-secret\":\"sec-vdc\",\"node-name\":\"file-vdc\"}");
    vr_domain_def_free(def);
}

/* The hot-plug of a disk gets the nodes and device of the start. */
static void disk_json(void **state)
{
    (void)state;
    vr_domain_def *def = one_disk("<disk type='file'><driver name='qemu' type='qcow2' cache='none' io='native'/>"
                                  "<source file='/i/a,b.qcow2'/><target dev='vdb' bus='virtio'/>"
                                  "<serial>S1</serial><readonly/></disk>");
    const vr_disk_def *d = &def->disks[0];
    expect_forms(vr_qemu_disk_file_node(d, d->source_path),
                 "driver=file,filename=/i/a,,b.qcow2,node-name=file-vdb,read-only=on,aio=native,"
                 "cache.direct=on,cache.no-flush=off",
                 "{\"driver\":\"file\",\"filename\":\"\\/i\\/a,b.qcow2\",\"node-name\":\"file-vdb\","
                 "\"read-only\":true,\"aio\":\"native\",\"cache\":{\"direct\":true,\"no-flush\":false}}");
    expect_forms(vr_qemu_disk_format_node(d),
                 "driver=qcow2,node-name=drive-vdb,file=file-vdb,read-only=on,cache.direct=on,"
                 "cache.no-flush=off",
                 "{\"driver\":\"qcow2\",\"node-name\":\"drive-vdb\",\"file\":\"file-vdb\","
                 "\"read-only\":true,\"cache\":{\"direct\":true,\"no-flush\":false}}");
    expect_forms(vr_qemu_disk_device(d, false, true, 0),
                 "virtio-blk-pci,drive=drive-vdb,id=vdb,write-cache=on,serial=S1,bus=pci.0,addr=0x2",
                 "{\"driver\":\"virtio-blk-pci\",\"drive\":\"drive-vdb\",\"id\":\"vdb\","
                 "\"write-cache\":\"on\",\"serial\":\"S1\",\"bus\":\"pci.0\",\"addr\":\"0x2\"}");
    vr_domain_def_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaping_and_types),
        cmocka_unit_test(dotted_keys),
        cmocka_unit_test(numbered_keys),
        cmocka_unit_test(lun_json),
        cmocka_unit_test(iscsi_network_json),
        cmocka_unit_test(disk_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
