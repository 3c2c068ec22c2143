/* Sizes with units: libvirt's unit names, overflow, and virsh-style
 * size strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "conf/units.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)
#define PiB (1024ULL * TiB)
#define EiB (1024ULL * PiB)

static void scales(void **state)
{
    static const struct {
        const char *unit;
        unsigned long long scale;
    } cases[] = {
        {"b", 1}, {"bytes", 1}, {"B", 1},
        {"k", KiB}, {"K", KiB}, {"KiB", KiB}, {"kib", KiB}, {"KB", 1000}, {"kB", 1000},
        {"M", MiB}, {"MiB", MiB}, {"MB", 1000000},
        {"G", GiB}, {"GiB", GiB}, {"GB", 1000000000ULL},
        {"T", TiB}, {"TiB", TiB}, {"TB", 1000000000000ULL},
        {"P", PiB}, {"PiB", PiB}, {"PB", 1000000000000000ULL},
        {"E", EiB}, {"EiB", EiB}, {"EB", 1000000000000000000ULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long long s = 0;
        assert_true(vr_unit_scale(cases[i].unit, 7, &s));
        assert_true(s == cases[i].scale);
    }
    unsigned long long s = 0;
    assert_true(vr_unit_scale(NULL, 1024, &s));
    assert_true(s == 1024);
    assert_true(vr_unit_scale("", 1, &s));
    assert_true(s == 1);
}

static void bad_units(void **state)
{
    const char *bad[] = {"XB", "Ki", "KiBB", "kb2", "Z", "ZiB", "iB", " K", "MIBS", "bit"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned long long s;
        assert_false(vr_unit_scale(bad[i], 1, &s));
    }
}

static void to_bytes(void **state)
{
    unsigned long long b = 0;
    char *err = NULL;
    assert_int_equal(vr_units_to_bytes(512, "MiB", 1024, "<memory>", &b, &err), 0);
    assert_true(b == 512 * MiB);
    assert_int_equal(vr_units_to_bytes(524288, NULL, 1024, "<memory>", &b, &err), 0);
    assert_true(b == 512 * MiB);
    assert_int_equal(vr_units_to_bytes(0, "KiB", 1024, "<memory>", &b, &err), 0);
    assert_true(b == 0);
    /* 16 EiB does not fit in 64 bits. */
    assert_int_equal(vr_units_to_bytes(16, "EiB", 1, "<memory>", &b, &err), -1);
    assert_non_null(strstr(err, "too large"));
    assert_non_null(strstr(err, "<memory>"));
    assert_int_equal(vr_units_to_bytes(15, "EiB", 1, "<memory>", &b, &err), 0);
    assert_true(b == 15 * EiB);
    assert_int_equal(vr_units_to_bytes(18446744073709551615ULL, "b", 1, "x", &b, &err), 0);
    assert_int_equal(vr_units_to_bytes(18446744073709551615ULL, "k", 1, "x", &b, &err), -1);
    assert_int_equal(vr_units_to_bytes(1, "XB", 1, "<memory>", &b, &err), -1);
    assert_non_null(strstr(err, "unknown unit 'XB'"));
    free(err);
}

static void sizes(void **state)
{
    static const struct {
        const char *s;
        unsigned long long bytes;
    } cases[] = {
        {"10G", 10 * GiB}, {"512M", 512 * MiB}, {"1.5GiB", 1536 * MiB}, {"4096", 4096},
        {"2 TB", 2000000000000ULL}, {"  8k ", 8 * KiB}, {"0", 0}, {"0.5K", 512},
        {"1.1K", 1126} /* 1126.4 bytes: rounded down */, {"15E", 15 * EiB},
        {"1.000000000000000000001G", GiB}, {"7b", 7}, {"3bytes", 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long long b = 1;
        char *err = NULL;
        assert_int_equal(vr_size_parse(cases[i].s, 1, &b, &err), 0);
        assert_null(err);
        assert_true(b == cases[i].bytes);
    }
    /* The default unit applies to bare numbers only. */
    unsigned long long b;
    assert_int_equal(vr_size_parse("20", MiB, &b, NULL), 0);
    assert_true(b == 20 * MiB);
    assert_int_equal(vr_size_parse("20G", MiB, &b, NULL), 0);
    assert_true(b == 20 * GiB);
}

static void expect_error(const char *s, const char *needle)
{
    unsigned long long b = 42;
    char *err = NULL;
    assert_int_equal(vr_size_parse(s, 1, &b, &err), -1);
    assert_non_null(err);
    if (!strstr(err, needle))
        fail_msg("'%s': message '%s' lacks '%s'", s, err, needle);
    assert_null(strchr(err, '\n'));
    assert_true(b == 42);
    free(err);
}

static void size_errors(void **state)
{
    expect_error("-1", "'-1': a size cannot be negative");
    expect_error("-5G", "cannot be negative");
    expect_error("12XB", "'12XB': unknown unit 'XB'");
    expect_error("10 apples", "unknown unit 'apples'");
    expect_error("", "empty size");
    expect_error(NULL, "empty size");
    expect_error("G", "is not a size");
    expect_error("+5", "is not a size");
    expect_error("1.G", "digits must follow");
    expect_error("16E", "too large");
    expect_error("16EiB", "too large");
    expect_error("99999999999999999999", "too large");
    expect_error("18446744073709551616", "too large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scales),    cmocka_unit_test(bad_units), cmocka_unit_test(to_bytes),
        cmocka_unit_test(sizes),     cmocka_unit_test(size_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
