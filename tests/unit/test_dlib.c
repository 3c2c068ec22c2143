/* Libraries opened at first use (src/common/dlib.c): a table typed from
 * a library's header is filled on the first call, a missing library or
 * symbol answers one line naming the Debian package, every later call
 * answers the same without trying again, and threads share one load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/dlib.h"

/* libm: always there, and its functions are easy to check. */
#define M_FUNCS(X) X(cos) X(sqrt)
VR_DLIB_LOCAL(M_FUNCS, "libc6", "libm.so.6");

static void *load_m(void *arg)
{
    (void)arg;
    return vr_dlib_load(&dl_lib, NULL) ? &dl_lib : NULL;
}

static void fills_the_table_once_for_every_thread(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, load_m, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(t[i], &r);
        assert_ptr_equal(r, &dl_lib);
    }
    assert_int_equal(dl_lib.state, 1);
    assert_true(dl.cos(0.0) == 1.0);
    assert_true(dl.sqrt(49.0) == 7.0);
    char *err = NULL;
    assert_true(vr_dlib_load(&dl_lib, &err));
    assert_null(err);
}

static void a_missing_library_names_its_package(void **state)
{
    (void)state;
    static void *slot;
    static const vr_dlib_sym syms[] = {{"anything", &slot}};
    static const char *const sonames[] = {"libvireo-test-missing.so.9"};
    static vr_dlib lib = VR_DLIB_INIT(sonames, syms, "libvireo-missing9");
    char *err = NULL;
    assert_false(vr_dlib_load(&lib, &err));
    const char *want = "cannot load libvireo-test-missing.so.9 (install Debian's libvireo-missing9): ";
    assert_non_null(err);
    assert_memory_equal(err, want, strlen(want));
    assert_null(strchr(err, '\n'));
    /* Asked again: the same answer, remembered. */
    char *again = NULL;
    assert_false(vr_dlib_load(&lib, &again));
    assert_string_equal(again, err);
    assert_int_equal(lib.state, -1);
    assert_null(slot);
    free(err);
    free(again);
}

static void a_missing_symbol_asks_for_a_newer_package(void **state)
{
    (void)state;
    static void *slot;
    static const vr_dlib_sym syms[] = {{"vr_no_such_function", &slot}};
    static const char *const sonames[] = {"libm.so.6"};
    static vr_dlib lib = VR_DLIB_INIT(sonames, syms, "libc6");
    char *err = NULL;
    assert_false(vr_dlib_load(&lib, &err));
    assert_string_equal(err, "libm.so.6 lacks vr_no_such_function (a newer libc6 is needed)");
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fills_the_table_once_for_every_thread),
        cmocka_unit_test(a_missing_library_names_its_package),
        cmocka_unit_test(a_missing_symbol_asks_for_a_newer_package),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
