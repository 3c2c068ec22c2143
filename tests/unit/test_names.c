/* The one name rule (conf/names.h) for every kind of object, and the
 * UTF-8 check it and the API share: what each kind refuses, that the
 * message is one line of valid UTF-8 naming the kind and the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "conf/names.h"

static void refused(vr_name_kind kind, const char *name, const char *why)
{
    char *err = NULL;
    if (vr_name_check(kind, name, &err))
        fail_msg("%s name '%s' was accepted", vr_name_kind_str(kind), name);
    assert_non_null(err);
    if (!strstr(err, why))
        fail_msg("'%s': expected '%s' in '%s'", name, why, err);
    assert_true(vr_utf8_valid(err, strlen(err)));
    assert_null(strchr(err, '\n'));
    assert_null(strchr(err, '\t'));
    free(err);
}

/* What every kind refuses: the findings' " " and invalid UTF-8 pool
 * names among them, which were stored and then lost at restart. */
static void common_rule(void **state)
{
    static const vr_name_kind all[] = {VR_NAME_DOMAIN, VR_NAME_NETWORK, VR_NAME_POOL, VR_NAME_VOLUME,
                                       VR_NAME_SNAPSHOT};
    char long_name[300];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        vr_name_kind k = all[i];
        refused(k, "", "needs a name");
        refused(k, NULL, "needs a name");
        refused(k, ".", "cannot start with '.'");
        refused(k, "..", "'..' could leave");
        refused(k, "../ins", "'..' could leave");
        refused(k, "a/b", "'/' is not allowed");
        refused(k, "\xff\xfe", "valid UTF-8");
        refused(k, "a\xc0\xafz", "valid UTF-8");     /* overlong '/' */
        refused(k, "\xed\xa0\x80", "valid UTF-8");   /* a surrogate */
        refused(k, "tab\there", "control characters");
        refused(k, "del\x7f", "control characters");
        refused(k, long_name, "at most");
        refused(k, " ", "white space");
        refused(k, "x ", "white space");
        assert_true(vr_name_check(k, "web-1.0+x_y", NULL));
    }
}

/* Pools and volumes are file names: anything else UTF-8 is fine. */
static void file_kinds(void **state)
{
    assert_true(vr_name_check(VR_NAME_VOLUME, "disk image (copy).img", NULL));
    assert_true(vr_name_check(VR_NAME_VOLUME, "a..b", NULL));
    assert_true(vr_name_check(VR_NAME_POOL, "caf\xc3\xa9 \xe2\x82\xac", NULL));
    assert_true(vr_name_check(VR_NAME_POOL, "-leading-dash", NULL));
    char max[201];
    memset(max, 'v', 200);
    max[200] = '\0';
    assert_true(vr_name_check(VR_NAME_VOLUME, max, NULL));
}

/* Domains, networks and snapshots reach QEMU and dnsmasq. */
static void portable_kinds(void **state)
{
    refused(VR_NAME_DOMAIN, "a b", "A-Z a-z 0-9");
    refused(VR_NAME_DOMAIN, "-x", "cannot start with '-'");
    refused(VR_NAME_NETWORK, "caf\xc3\xa9", "A-Z a-z 0-9");
    refused(VR_NAME_SNAPSHOT, "semi;colon", "A-Z a-z 0-9");
    refused(VR_NAME_SNAPSHOT, "123", "snapshot id");
    refused(VR_NAME_SNAPSHOT, "a..b", "'..'");
    assert_true(vr_name_check(VR_NAME_SNAPSHOT, "v1.0-pre+fix_2", NULL));
    /* The course's snapshot name; other kinds keep to ASCII. */
    assert_true(vr_name_check(VR_NAME_SNAPSHOT, "instantánea1", NULL));
    refused(VR_NAME_DOMAIN, "máquina", "A-Z a-z 0-9");
    char max[65];
    memset(max, 'd', 64);
    max[64] = '\0';
    assert_true(vr_name_check(VR_NAME_DOMAIN, max, NULL));
    char *err = NULL;
    assert_false(vr_name_check(VR_NAME_DOMAIN, "bad\nname", &err));
    assert_string_equal(err, "domain name 'bad\\nname' is refused: control characters are not allowed in a name");
    free(err);
}

static void utf8(void **state)
{
    assert_true(vr_utf8_valid("", 0));
    assert_true(vr_utf8_valid("plain", 5));
    assert_true(vr_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
    assert_true(vr_utf8_valid("\xf4\x8f\xbf\xbf", 4));   /* U+10FFFF */
    assert_false(vr_utf8_valid("\xf4\x90\x80\x80", 4));  /* above U+10FFFF */
    assert_false(vr_utf8_valid("\xe2\x82", 2));          /* cut short */
    assert_false(vr_utf8_valid("\x80", 1));              /* a lone continuation */
    assert_false(vr_utf8_valid("\xe0\x80\xaf", 3));      /* overlong */
    assert_false(vr_utf8_valid("\xc3\x28", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(common_rule),
        cmocka_unit_test(file_kinds),
        cmocka_unit_test(portable_kinds),
        cmocka_unit_test(utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
