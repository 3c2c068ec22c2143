/* Image probing from headers: qcow2 v2/v3 with a backing file and its
 * format extension, iso, raw, and damaged headers refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/storage/storage_probe.h"

static void put(unsigned char *p, unsigned long long v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static size_t qcow2(unsigned char *b, unsigned version, const char *backing, const char *bfmt)
{
    memset(b, 0, 4096);
    memcpy(b, "QFI\xfb", 4);
    put(b + 4, version, 4);
    put(b + 24, 10ULL << 30, 8);
    size_t hdr = version == 3 ? 104 : 72;
    if (version == 3)
        put(b + 100, hdr, 4);
    size_t pos = hdr;
    if (bfmt) {
        put(b + pos, 0xe2792aca, 4);
        put(b + pos + 4, strlen(bfmt), 4);
        memcpy(b + pos + 8, bfmt, strlen(bfmt));
        pos += 8 + ((strlen(bfmt) + 7) & ~7u);
    }
    put(b + pos, 0, 8); /* end of extensions */
    if (backing) {
        put(b + 8, 512, 8);
        put(b + 16, strlen(backing), 4);
        memcpy(b + 512, backing, strlen(backing));
    }
    return 4096;
}

static void probes(void **state)
{
    unsigned char *b = calloc(1, 40000);
    vr_probe p;
    char *err = NULL;
    size_t n = qcow2(b, 3, "/srv/base.img", "raw");
    assert_int_equal(vr_probe_buffer(b, n, &p, &err), 0);
    assert_int_equal(p.format, VR_VOL_QCOW2);
    assert_true(p.virtual_size == 10ULL << 30);
    assert_string_equal(p.backing, "/srv/base.img");
    assert_true(p.backing_format_known);
    assert_int_equal(p.backing_format, VR_VOL_RAW);
    vr_probe_clear(&p);

    n = qcow2(b, 2, NULL, NULL);
    assert_int_equal(vr_probe_buffer(b, n, &p, &err), 0);
    assert_null(p.backing);
    assert_false(p.backing_format_known);
    vr_probe_clear(&p);

    qcow2(b, 3, "x", NULL);
    put(b + 16, 5000, 4); /* the name runs past what was read */
    assert_int_equal(vr_probe_buffer(b, 4096, &p, &err), -1);
    assert_non_null(strstr(err, "outside the header"));
    free(err);
    err = NULL;
    qcow2(b, 7, NULL, NULL);
    assert_int_equal(vr_probe_buffer(b, 4096, &p, &err), -1);
    free(err);

    memset(b, 0, 40000);
    memcpy(b + 32769, "CD001", 5);
    assert_int_equal(vr_probe_buffer(b, 40000, &p, &err), 0);
    assert_int_equal(p.format, VR_VOL_ISO);
    memset(b, 0, 40000);
    assert_int_equal(vr_probe_buffer(b, 100, &p, &err), 0);
    assert_int_equal(p.format, VR_VOL_RAW);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(probes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
