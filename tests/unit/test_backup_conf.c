/* libvirt's checkpoint and backup XML (conf/checkpoint_conf.h,
 * conf/backup_conf.h): what parses, what it formats back to, and the
 * one-line refusals (pull mode, Vireo's own fields in a request). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "conf/backup_conf.h"
#include "conf/checkpoint_conf.h"

static void checkpoint_round_trip(void **state)
{
    const char *xml = "<domaincheckpoint><name>c1</name><description>before</description>"
                      "<parent><name>c0</name></parent><creationTime>1700000000</creationTime>"
                      "<disks><disk name='vda' checkpoint='bitmap' bitmap='c1'/><disk name='vdb' checkpoint='no'/>"
                      "</disks></domaincheckpoint>";
    char *err = NULL;
    vr_checkpoint_def *c = vr_checkpoint_def_parse(xml, strlen(xml), &err);
    assert_non_null(c);
    assert_string_equal(c->parent, "c0");
    assert_int_equal(c->creation_time, 1700000000);
    assert_int_equal(c->n_disks, 2);
    assert_true(c->disks[0].bitmap);
    assert_false(vr_checkpoint_def_disk(c, "vdb")->bitmap);
    char *out = vr_checkpoint_def_format(c), *err2 = NULL;
    vr_checkpoint_def *back = vr_checkpoint_def_parse(out, strlen(out), &err2);
    assert_non_null(back);
    char *again = vr_checkpoint_def_format(back);
    assert_string_equal(out, again);
    free(out);
    free(again);
    vr_checkpoint_def_free(c);
    vr_checkpoint_def_free(back);
}

static void refused_new(const char *xml, const char *why)
{
    char *err = NULL;
    vr_checkpoint_def *c = vr_checkpoint_def_parse_new(xml, strlen(xml), "1700000000", &err);
    assert_null(c);
    assert_non_null(err);
    if (!strstr(err, why))
        fail_msg("expected '%s' in '%s'", why, err);
    assert_null(strchr(err, '\n'));
    free(err);
}

static void checkpoint_requests(void **state)
{
    char *err = NULL;
    const char *bare = "<domaincheckpoint><description>x</description></domaincheckpoint>";
    vr_checkpoint_def *c = vr_checkpoint_def_parse_new(bare, strlen(bare), "1700000000", &err);
    assert_non_null(c);
    assert_string_equal(c->name, "1700000000"); /* libvirt's default: the time */
    vr_checkpoint_def_free(c);
    refused_new("<domaincheckpoint><parent><name>a</name></parent></domaincheckpoint>", "set by Vireo");
    refused_new("<domaincheckpoint><creationTime>5</creationTime></domaincheckpoint>", "set by Vireo");
    refused_new("<domaincheckpoint><disks><disk name='vda'/><disk name='vda'/></disks></domaincheckpoint>",
                "listed twice");
    refused_new("<domaincheckpoint><disks><disk name='vda' checkpoint='no' bitmap='b'/></disks></domaincheckpoint>",
                "checkpoint='bitmap' only");
    refused_new("<domaincheckpoint><name>a/b</name></domaincheckpoint>", "checkpoint name");
    refused_new("<domaincheckpoint><cookie/></domaincheckpoint>", "not supported");
}

static void backup_push(void **state)
{
    const char *xml = "<domainbackup mode='push'><incremental>c1</incremental><disks>"
                      "<disk name='vda' backup='yes' type='file'><target file='/b/vda.qcow2'/><driver type='qcow2'/></disk>"
                      "<disk name='vdb' backup='no'/></disks></domainbackup>";
    char *err = NULL;
    vr_backup_def *b = vr_backup_def_parse(xml, strlen(xml), &err);
    assert_non_null(b);
    assert_string_equal(b->incremental, "c1");
    assert_string_equal(vr_backup_def_disk(b, "vda")->target, "/b/vda.qcow2");
    assert_false(vr_backup_def_disk(b, "vdb")->backup);
    char *out = vr_backup_def_format(b);
    assert_non_null(strstr(out, "<target file=\"/b/vda.qcow2\"/>"));
    assert_non_null(strstr(out, "<incremental>c1</incremental>"));
    free(out);
    vr_backup_def_free(b);
}

static void backup_pull(void **state)
{
    const char *xml = "<domainbackup mode='pull'><server transport='tcp' name='127.0.0.1' port='10900'/>"
                      "<incremental>c1</incremental><disks><disk name='vda' backup='yes' type='file' "
                      "exportbitmap='changed'><scratch file='/s/vda.scratch'/></disk></disks></domainbackup>";
    char *err = NULL;
    vr_backup_def *b = vr_backup_def_parse(xml, strlen(xml), &err);
    assert_non_null(b);
    assert_true(b->pull);
    assert_false(b->unix_socket);
    assert_string_equal(b->host, "127.0.0.1");
    assert_int_equal(b->port, 10900);
    assert_string_equal(vr_backup_def_disk(b, "vda")->target, "/s/vda.scratch");
    assert_string_equal(vr_backup_def_disk(b, "vda")->export_bitmap, "changed");
    char *out = vr_backup_def_format(b);
    assert_non_null(strstr(out, "<server transport=\"tcp\" name=\"127.0.0.1\" port=\"10900\"/>"));
    assert_non_null(strstr(out, "<scratch file=\"/s/vda.scratch\"/>"));
    vr_backup_def *again = vr_backup_def_parse(out, strlen(out), &err);
    assert_non_null(again);
    char *out2 = vr_backup_def_format(again);
    assert_string_equal(out, out2);
    free(out);
    free(out2);
    vr_backup_def_free(again);
    vr_backup_def_free(b);
    const char *unix_xml = "<domainbackup mode='pull'><server transport='unix' socket='/run/nbd.sock'/></domainbackup>";
    b = vr_backup_def_parse(unix_xml, strlen(unix_xml), &err);
    assert_non_null(b);
    assert_true(b->unix_socket);
    assert_string_equal(b->socket, "/run/nbd.sock");
    vr_backup_def_free(b);
}

static void backup_refusals(void **state)
{
    static const struct {
        const char *xml, *why;
    } cases[] = {
        {"<domainbackup><server name='localhost'/></domainbackup>", "pull mode"},
        {"<domainbackup><disks><disk name='vda' exportname='x'/></disks></domainbackup>", "pull mode"},
        {"<domainbackup mode='pull'><server transport='unix'/></domainbackup>", "socket='/PATH'"},
        {"<domainbackup mode='pull'><server transport='tcp' socket='/s'/></domainbackup>", "not socket="},
        {"<domainbackup mode='pull'><server port='70000'/></domainbackup>", "port"},
        {"<domainbackup mode='pull'><disks><disk name='vda'><target file='/a'/></disk></disks></domainbackup>",
         "mode='pull' takes <scratch"},
        {"<domainbackup><disks><disk name='vda'><scratch file='/a'/></disk></disks></domainbackup>",
         "belongs to mode='pull'"},
        {"<domainbackup mode='pull'><disks><disk name='vda'><driver type='raw'/></disk></disks></domainbackup>",
         "qcow2"},
        {"<domainbackup><disks><disk name='vda'><target file='rel.qcow2'/></disk></disks></domainbackup>",
         "absolute path"},
        {"<domainbackup><disks><disk name='vda' type='block'/></disks></domainbackup>", "type"},
        {"<domainbackup><disks><disk name='vda' backup='no'><target file='/a'/></disk></disks></domainbackup>",
         "backup='no'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err = NULL;
        vr_backup_def *b = vr_backup_def_parse(cases[i].xml, strlen(cases[i].xml), &err);
        if (b)
            fail_msg("accepted: %s", cases[i].xml);
        if (!err || !strstr(err, cases[i].why))
            fail_msg("%s: expected '%s' in '%s'", cases[i].xml, cases[i].why, err ? err : "(none)");
        assert_null(strchr(err, '\n'));
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checkpoint_round_trip),
        cmocka_unit_test(checkpoint_requests),
        cmocka_unit_test(backup_push),
        cmocka_unit_test(backup_pull),
        cmocka_unit_test(backup_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
