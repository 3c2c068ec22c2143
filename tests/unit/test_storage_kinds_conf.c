/* Pool kinds beyond dir in XML (disk, fs, iscsi-direct, rbd) and secrets:
 * libvirt's shapes parse, format back to themselves, take libvirt's
 * defaults, and refuse what a kind does not take by element and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "conf/secret_conf.h"
#include "conf/storage_conf.h"

/* Parse, format, parse again: the same text both times. */
static vr_pool_def *roundtrip(const char *xml)
{
    char *err = NULL;
    vr_pool_def *d = vr_pool_def_parse(xml, strlen(xml), &err);
    if (!d)
        fail_msg("'%s' refused: %s", xml, err);
    char *out = vr_pool_def_format(d, NULL);
    vr_pool_def *again = vr_pool_def_parse(out, strlen(out), &err);
    assert_non_null(again);
    char *out2 = vr_pool_def_format(again, NULL);
    assert_string_equal(out, out2);
    free(out);
    free(out2);
    vr_pool_def_free(again);
    return d;
}

static void refused(const char *xml, const char *want)
{
    char *err = NULL;
    vr_pool_def *d = vr_pool_def_parse(xml, strlen(xml), &err);
    assert_null(d);
    if (!err || !strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err ? err : "(none)", want);
    assert_null(strchr(err, '\n'));
    free(err);
}

static void disk_pools(void **state)
{
    (void)state;
    vr_pool_def *d = roundtrip("<pool type='disk'><name>pool-disk</name><source><device path='/dev/vdb'/>"
                               "<format type='gpt'/></source><target><path>/dev</path></target></pool>");
    assert_int_equal(d->type, VR_POOL_DISK);
    assert_string_equal(d->source.device, "/dev/vdb");
    assert_string_equal(d->source.format, "gpt");
    vr_pool_def_free(d);
    /* libvirt's defaults: dos, and the target /dev */
    d = roundtrip("<pool type='disk'><name>p</name><source><device path='/dev/vdc'/></source></pool>");
    assert_string_equal(d->source.format, "dos");
    assert_string_equal(d->target_path, "/dev");
    vr_pool_def_free(d);
    refused("<pool type='disk'><name>p</name><source><format type='gpt'/></source></pool>", "needs its block device");
    refused("<pool type='disk'><name>p</name><source><device path='/dev/vdb'/><format type='bsd'/></source></pool>",
            "line 1: <format type='bsd'> is not a format of disk pools (one of dos|gpt)");
    refused("<pool type='disk'><name>p</name><source><device path='/dev/vdb'/></source>"
            "<target><path>/srv</path></target></pool>", "target is /dev");
    refused("<pool type='disk'><name>p</name><source><device path='/dev/vdb'/><host name='h'/></source></pool>",
            "<host> is not supported");
}

static void fs_pools(void **state)
{
    (void)state;
    vr_pool_def *d = roundtrip("<pool type='fs'><name>data</name><source><device path='/dev/vdc'/></source>"
                               "<target><path>/srv/data</path></target></pool>");
    assert_string_equal(d->source.format, "auto");
    vr_pool_def_free(d);
    refused("<pool type='fs'><name>p</name><source><device path='/dev/vdc'/></source></pool>", "needs <target>");
    refused("<pool type='fs'><name>p</name><source><device path='dev/vdc'/></source>"
            "<target><path>/x</path></target></pool>", "must be an absolute path");
}

static void iscsi_direct_pools(void **state)
{
    (void)state;
    vr_pool_def *d = roundtrip("<pool type='iscsi-direct'><name>lab</name><source>"
                               "<host name='10.0.0.5'/><device path='iqn.2026-12.lab:store'/>"
                               "<initiator><iqn name='iqn.2026-12.lab:host1'/></initiator>"
                               "<auth type='chap' username='u'><secret usage='lab-chap'/></auth></source></pool>");
    assert_int_equal(d->source.port, 3260);
    assert_null(d->target_path);
    assert_string_equal(d->source.secret_usage, "lab-chap");
    vr_pool_def_free(d);
    refused("<pool type='iscsi-direct'><name>p</name><source><host name='h'/><device path='iqn.x:y'/></source></pool>",
            "the initiator's IQN");
    refused("<pool type='iscsi-direct'><name>p</name><source><host name='h' port='0'/><device path='iqn.x:y'/>"
            "<initiator><iqn name='iqn.x:z'/></initiator></source></pool>", "port");
    refused("<pool type='iscsi-direct'><name>p</name><source><host name='h'/><device path='iqn.x:y'/>"
            "<initiator><iqn name='iqn.x:z'/></initiator><auth type='chap' username='u'/></source></pool>",
            "needs <secret uuid='...'/> or <secret usage='...'/>");
    refused("<pool type='iscsi-direct'><name>p</name><source><host name='h'/><device path='iqn.x:y'/>"
            "<initiator><iqn name='iqn.x:z'/></initiator></source><target><path>/x</path></target></pool>",
            "has no target");
}

/* rbd: libvirt's <source> of a Ceph pool (its monitors, the pool's name,
 * cephx auth by a secret); no port means Ceph's own defaults. */
static void rbd_pools(void **state)
{
    (void)state;
    vr_pool_def *d = roundtrip("<pool type='rbd'><name>ceph</name><source><host name='mon1' port='3300'/>"
                               "<name>rbdpool</name><auth type='ceph' username='libvirt'>"
                               "<secret uuid='2ec115d7-3a88-3ceb-bc12-0ac909a6fd87'/></auth></source></pool>");
    assert_int_equal(d->type, VR_POOL_RBD);
    assert_string_equal(d->source.name, "rbdpool");
    assert_string_equal(d->source.auth_user, "libvirt");
    assert_int_equal(d->source.port, 3300);
    assert_null(d->target_path);
    char *out = vr_pool_def_format(d, NULL);
    assert_non_null(strstr(out, "<name>rbdpool</name>\n    <auth type=\"ceph\" username=\"libvirt\">"));
    free(out);
    vr_pool_def_free(d);
    d = roundtrip("<pool type='rbd'><name>c</name><source><host name='mon1'/><name>p</name></source></pool>");
    assert_int_equal(d->source.port, 0);
    out = vr_pool_def_format(d, NULL);
    assert_non_null(strstr(out, "<host name=\"mon1\"/>"));
    free(out);
    vr_pool_def_free(d);
    refused("<pool type='rbd'><name>c</name><source><host name='m'/></source></pool>", "an rbd pool needs a monitor");
    refused("<pool type='rbd'><name>c</name><source><host name='m'/><name>a/b</name></source></pool>",
            "<name> must be the Ceph pool's name");
    /* Every monitor of the cluster, in order (the port each its own). */
    d = roundtrip("<pool type='rbd'><name>c</name><source><host name='m1' port='3300'/><host name='m2'/>"
                  "<host name='2001:db8::3' port='6789'/><name>p</name></source></pool>");
    assert_int_equal(d->source.n_more_hosts, 2);
    assert_string_equal(d->source.more_hosts[0].name, "m2");
    assert_int_equal(d->source.more_hosts[0].port, 0);
    assert_int_equal(d->source.more_hosts[1].port, 6789);
    out = vr_pool_def_format(d, NULL);
    assert_non_null(strstr(out, "<host name=\"m1\" port=\"3300\"/>\n    <host name=\"m2\"/>\n    "
                                "<host name=\"2001:db8::3\" port=\"6789\"/>"));
    free(out);
    vr_pool_def_free(d);
    refused("<pool type='rbd'><name>c</name><source><host name='m'/><host port='1'/><name>p</name></source></pool>",
            "<host> needs name=");
    refused("<pool type='iscsi-direct'><name>c</name><source><host name='m'/><host name='n'/>"
            "<device path='iqn.2026-12.org.x:t'/><initiator><iqn name='iqn.2026-12.org.x:i'/></initiator></source></pool>",
            "a second <host>: Vireo takes one portal");
    refused("<pool type='rbd'><name>c</name><source><host name='m'/><name>p</name><auth type='chap' username='u'>"
            "<secret uuid='x'/></auth></source></pool>",
            "type='chap'");
    refused("<pool type='rbd'><name>c</name><source><host name='m'/><name>p</name></source>"
            "<target><path>/x</path></target></pool>",
            "an rbd pool has no target (its volumes are the Ceph pool's images)");
    refused("<pool type='iscsi-direct'><name>c</name><source><name>p</name></source></pool>", "<name>");
}

static void fields(void **state)
{
    (void)state;
    char *err = NULL;
    vr_pool_fields f = {.name = "p", .type = "disk", .source_dev = "/dev/vdb", .source_host = "h"};
    assert_null(vr_pool_def_from_fields(&f, &err));
    assert_string_equal(err, "a disk pool takes no --source-host (see docs/storage.md for what each pool kind takes)");
    free(err);
    err = NULL;
    f = (vr_pool_fields){.name = "p", .type = "iscsi-direct", .source_dev = "iqn.a:b", .source_host = "h:3261",
                         .source_initiator = "iqn.a:c", .auth_username = "u"};
    assert_null(vr_pool_def_from_fields(&f, &err));
    assert_string_equal(err, "CHAP needs both --auth-username and --secret-uuid");
    free(err);
    err = NULL;
    f.auth_username = NULL;
    vr_pool_def *d = vr_pool_def_from_fields(&f, &err);
    assert_non_null(d);
    assert_string_equal(d->source.host, "h");
    assert_int_equal(d->source.port, 3261);
    vr_pool_def_free(d);
}

static void secrets(void **state)
{
    (void)state;
    const char *xml = "<secret ephemeral='no' private='yes'><uuid>0b2f6a3e-1c9d-4e7a-9b1f-2a3c4d5e6f70</uuid>"
                      "<description>chap</description><usage type='iscsi'><target>lab</target></usage></secret>";
    char *err = NULL;
    vr_secret_def *s = vr_secret_def_parse(xml, strlen(xml), &err);
    assert_non_null(s);
    assert_true(s->private_);
    assert_int_equal(s->usage, VR_SECRET_USAGE_ISCSI);
    assert_string_equal(s->usage_id, "lab");
    char *out = vr_secret_def_format(s);
    vr_secret_def *again = vr_secret_def_parse(out, strlen(out), &err);
    char *out2 = vr_secret_def_format(again);
    assert_string_equal(out, out2);
    free(out);
    free(out2);
    vr_secret_def_free(s);
    vr_secret_def_free(again);
    const char *bad[][2] = {
        {"<secret><usage type='iscsi'/></secret>", "<usage type='iscsi'> needs <target>"},
        {"<secret><usage type='ceph'><target>x</target></usage></secret>", "<target> is not supported"},
        {"<secret><value>c2VjcmV0</value></secret>", "<value> is not supported"},
        {"<secret private='maybe'/>", "private"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        assert_null(vr_secret_def_parse(bad[i][0], strlen(bad[i][0]), &err));
        if (!err || !strstr(err, bad[i][1]))
            fail_msg("'%s': error '%s' lacks '%s'", bad[i][0], err ? err : "(none)", bad[i][1]);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(disk_pools), cmocka_unit_test(fs_pools), cmocka_unit_test(iscsi_direct_pools), cmocka_unit_test(rbd_pools),
        cmocka_unit_test(fields),     cmocka_unit_test(secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
