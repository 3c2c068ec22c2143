/* Pool, volume and snapshot XML: the subset parses and formats back;
 * everything else is refused by element and line; names that could
 * leave a pool's directory are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "conf/snapshot_conf.h"
#include "conf/storage_conf.h"

static void expect_pool_error(const char *xml, const char *want)
{
    char *err = NULL;
    vr_pool_def *d = vr_pool_def_parse(xml, strlen(xml), &err);
    assert_null(d);
    assert_non_null(err);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
    assert_null(strchr(err, '\n'));
    free(err);
}

static void pool_roundtrip(void **state)
{
    const char *xml = "<pool type='dir'>\n  <name>images</name>\n"
                      "  <uuid>6B1D0F36-9A6E-4C4B-8E0F-1D2C3B4A5F60</uuid>\n"
                      "  <capacity unit='bytes'>1</capacity><source/>\n"
                      "  <target><path>/srv/images/</path><permissions><mode>0711</mode>"
                      "<owner>0</owner><group>-1</group></permissions></target>\n</pool>\n";
    char *err = NULL;
    vr_pool_def *d = vr_pool_def_parse(xml, strlen(xml), &err);
    assert_non_null(d);
    assert_string_equal(d->name, "images");
    assert_string_equal(d->uuid, "6b1d0f36-9a6e-4c4b-8e0f-1d2c3b4a5f60");
    assert_string_equal(d->target_path, "/srv/images");
    assert_int_equal(d->mode, 0711);
    assert_int_equal(d->owner, 0);
    assert_int_equal(d->group, -1);
    char *out = vr_pool_def_format(d, &(vr_pool_stats){.capacity = 10, .allocation = 4, .available = 6});
    assert_non_null(strstr(out, "<path>/srv/images</path>"));
    assert_non_null(strstr(out, "<capacity unit=\"bytes\">10</capacity>"));
    assert_non_null(strstr(out, "<mode>0711</mode>"));
    vr_pool_def *again = vr_pool_def_parse(out, strlen(out), &err);
    assert_non_null(again);
    char *out2 = vr_pool_def_format(again, &(vr_pool_stats){.capacity = 10, .allocation = 4, .available = 6});
    assert_string_equal(out, out2);
    free(out);
    free(out2);
    vr_pool_def_free(d);
    vr_pool_def_free(again);

    d = vr_pool_def_parse("<pool type='dir'><name>g</name><target><path>/x</path></target></pool>", 70, &err);
    assert_non_null(d);
    assert_int_equal(strlen(d->uuid), 36); /* generated */
    vr_pool_def_free(d);
}

static void pool_errors(void **state)
{
    expect_pool_error("<pool type='logical'><name>x</name></pool>",
                      "line 1: <pool type='logical'> is not supported by Vireo (supported: dir, fs, disk, iscsi-direct, rbd)");
    expect_pool_error("<pool type='dir'>\n<name>x</name>\n<source><host name='h'/></source></pool>",
                      "line 3: <host> is not supported by Vireo (see docs/storage.md)");
    expect_pool_error("<pool type='dir'><name>x</name><target><path>/x</path></target><foo/></pool>",
                      "<foo> is not supported");
    expect_pool_error("<pool type='dir' bar='1'><name>x</name></pool>", "attribute 'bar' of <pool>");
    expect_pool_error("<pool type='dir'><name>x</name></pool>", "needs <target><path>");
    expect_pool_error("<pool type='dir'><name>a/b</name><target><path>/x</path></target></pool>",
                      "'/' is not allowed");
    expect_pool_error("<pool type='dir'><name>x</name><target><path>rel</path></target></pool>",
                      "must be an absolute path");
    expect_pool_error("<pool type='dir'><name>x</name><target><path>/a/../b</path></target></pool>",
                      "without '..'");
    expect_pool_error("<pool type='dir'><name>x</name><name>y</name></pool>", "duplicate <name>");
    expect_pool_error("<pool type='dir'><name>x</name><target><path>/x</path><permissions><mode>999"
                      "</mode></permissions></target></pool>", "octal mode");
    expect_pool_error("<!DOCTYPE pool><pool type='dir'/>", "DOCTYPE");
    char *err = NULL;
    assert_null(vr_pool_def_new("p", "netfs", "/x", &err));
    assert_non_null(strstr(err, "not supported"));
    free(err);
}

static void volumes(void **state)
{
    const char *xml = "<volume type='file'><name>web.qcow2</name><key>/ignored</key>"
                      "<capacity unit='G'>10</capacity><allocation>0</allocation>"
                      "<target><path>/ignored</path><format type='qcow2'/>"
                      "<permissions><mode>0640</mode></permissions></target>"
                      "<backingStore><path>/srv/base.img</path><format type='raw'/></backingStore></volume>";
    char *err = NULL;
    vr_vol_def *v = vr_vol_def_parse(xml, strlen(xml), &err);
    assert_non_null(v);
    assert_string_equal(v->name, "web.qcow2");
    assert_true(v->capacity == 10ULL << 30);
    assert_int_equal(v->format, VR_VOL_QCOW2);
    assert_int_equal(v->mode, 0640);
    assert_string_equal(v->backing_path, "/srv/base.img");
    assert_int_equal(v->backing_format, VR_VOL_RAW);
    assert_true(v->backing_format_set);
    v->path = strdup("/srv/web.qcow2");
    char *out = vr_vol_def_format(v);
    assert_non_null(strstr(out, "<capacity unit=\"bytes\">10737418240</capacity>"));
    assert_non_null(strstr(out, "<backingStore>"));
    vr_vol_def *again = vr_vol_def_parse(out, strlen(out), &err);
    assert_non_null(again);
    free(out);
    vr_vol_def_free(v);
    vr_vol_def_free(again);

    /* What virt-install and virt-manager write for a new qcow2 disk. */
    const char *virtinst = "<volume><name>w.qcow2</name><capacity>107374182</capacity>"
                           "<target><format type='qcow2'/><compat>1.1</compat>"
                           "<features><lazy_refcounts/></features></target></volume>";
    v = vr_vol_def_parse(virtinst, strlen(virtinst), &err);
    assert_non_null(v);
    assert_string_equal(v->compat, "1.1");
    assert_true(v->lazy_refcounts);
    vr_vol_def_free(v);

    const struct { const char *xml, *want; } bad[] = {
        {"<volume><name>x</name><capacity>1</capacity><target><format type='raw'/>"
         "<features><lazy_refcounts/></features></target></volume>", "qcow2's; this volume's format is raw"},
        {"<volume><name>x</name><capacity>1</capacity><target><format type='qcow2'/>"
         "<features><extended_l2/></features></target></volume>", "<extended_l2>"},
        {"<volume><name>x</name><capacity>1</capacity><target><format type='qcow2'/>"
         "<compat>2</compat></target></volume>", "qcow2 knows 0.10 and 1.1"},
        {"<volume><name>x</name></volume>", "needs a <capacity>"},
        {"<volume><name>x</name><capacity unit='XB'>1</capacity></volume>", "unknown unit 'XB'"},
        {"<volume><name>x</name><capacity>-1</capacity></volume>", "expected a number"},
        {"<volume><name>x</name><capacity>0</capacity></volume>", "more than 0"},
        {"<volume><name>../x</name><capacity>1</capacity></volume>", "refused"},
        {"<volume><name>x</name><capacity>1</capacity><target><format type='vmdk'/></target></volume>",
         "<format type='vmdk'> is not supported by Vireo"},
        {"<volume><name>x</name><capacity>1</capacity>\n<target><encryption/></target></volume>",
         "line 2: <encryption> is not supported"},
        {"<volume type='block'><name>x</name><capacity>1</capacity></volume>", "type='block'"},
        {"<volume><name>x</name><capacity>1</capacity><backingStore><path>/b</path></backingStore>"
         "</volume>", "needs <format"},
        {"<volume><name>x</name><capacity>1</capacity><target><format type='iso'/></target></volume>",
         "read-only"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        assert_null(vr_vol_def_parse(bad[i].xml, strlen(bad[i].xml), &err));
        if (!err || !strstr(err, bad[i].want))
            fail_msg("case %zu: error '%s' lacks '%s'", i, err ? err : "(none)", bad[i].want);
        free(err);
    }
}

static void snapshots(void **state)
{
    vr_snapshot_def s = {.name = "before", .description = "a <b> & c", .parent = "root",
                         .creation_time = 1795500000, .state = VR_SNAP_PAUSED, .current = true};
    char *xml = vr_snapshot_def_format(&s);
    char *err = NULL;
    vr_snapshot_def *p = vr_snapshot_def_parse(xml, strlen(xml), &err);
    assert_non_null(p);
    assert_string_equal(p->name, "before");
    assert_string_equal(p->description, "a <b> & c");
    assert_string_equal(p->parent, "root");
    assert_true(p->creation_time == 1795500000);
    assert_int_equal(p->state, VR_SNAP_PAUSED);
    assert_true(p->current);
    free(xml);
    vr_snapshot_def_free(p);
    const char *x = "<domainsnapshot><name>a</name><memory snapshot='internal'/></domainsnapshot>";
    err = NULL;
    assert_null(vr_snapshot_def_parse(x, strlen(x), &err));
    assert_non_null(strstr(err, "<memory> takes no attributes"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_roundtrip), cmocka_unit_test(pool_errors),
        cmocka_unit_test(volumes),        cmocka_unit_test(snapshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
