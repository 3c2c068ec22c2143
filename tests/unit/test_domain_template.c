/* The template mark (conf/domain_template.h): set and cleared in
 * <metadata> without touching what other applications keep there, kept
 * through format and parse, and not fooled by a look-alike element in
 * another namespace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "conf/domain_template.h"

static vr_domain_def *parse(const char *metadata)
{
    char xml[2048];
    snprintf(xml, sizeof(xml),
             "<domain type='qemu'><name>t</name><memory unit='MiB'>64</memory>%s"
             "<os><type arch='x86_64'>hvm</type></os></domain>", metadata);
    char *err = NULL;
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), &err);
    if (!def)
        fail_msg("parse: %s", err);
    return def;
}

/* format, parse again: what a define after dumpxml does */
static vr_domain_def *round_trip(vr_domain_def *def)
{
    char *xml = vr_domain_def_format(def), *err = NULL;
    vr_domain_def *again = vr_domain_def_parse(xml, strlen(xml), &err);
    if (!again)
        fail_msg("parse of formatted: %s", err);
    free(xml);
    vr_domain_def_free(def);
    return again;
}

static void mark_without_metadata(void **state)
{
    vr_domain_def *def = parse("");
    assert_false(vr_domain_def_is_template(def));
    char *err = NULL;
    assert_int_equal(vr_domain_def_set_template(def, true, &err), 0);
    assert_true(vr_domain_def_is_template(def));
    def = round_trip(def);
    assert_true(vr_domain_def_is_template(def));
    assert_int_equal(vr_domain_def_set_template(def, false, &err), 0);
    assert_false(vr_domain_def_is_template(def));
    assert_null(def->metadata); /* nothing else was there */
    vr_domain_def_free(def);
}

static void others_metadata_kept(void **state)
{
    vr_domain_def *def = parse("<metadata><app:x xmlns:app='urn:app'>keep me</app:x></metadata>");
    char *err = NULL;
    assert_int_equal(vr_domain_def_set_template(def, true, &err), 0);
    def = round_trip(def);
    assert_true(vr_domain_def_is_template(def));
    assert_non_null(strstr(def->metadata, "keep me"));
    assert_int_equal(vr_domain_def_set_template(def, false, &err), 0);
    assert_false(vr_domain_def_is_template(def));
    assert_non_null(strstr(def->metadata, "keep me"));
    vr_domain_def_free(def);
}

static void look_alike_is_not_a_mark(void **state)
{
    vr_domain_def *def = parse("<metadata><template xmlns='urn:other'/><x:template xmlns:x='"
                               VR_TEMPLATE_NS "-not'/></metadata>");
    assert_false(vr_domain_def_is_template(def));
    vr_domain_def_free(def);
    def = parse("<metadata><v:template xmlns:v='" VR_TEMPLATE_NS "'/></metadata>");
    assert_true(vr_domain_def_is_template(def)); /* any prefix */
    vr_domain_def_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mark_without_metadata),
        cmocka_unit_test(others_metadata_kept),
        cmocka_unit_test(look_alike_is_not_a_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
