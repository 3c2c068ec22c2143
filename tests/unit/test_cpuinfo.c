/* Parsing /proc/cpuinfo: vendor, model, vmx/svm/hypervisor flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/file.h"
#include "host/cpuinfo.h"

static vr_cpuinfo load(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/cpuinfo/%s", FIXTURES, name);
    char *text = vr_file_read(path, NULL);
    assert_non_null(text);
    vr_cpuinfo c;
    assert_int_equal(vr_cpuinfo_parse(text, &c), 0);
    free(text);
    return c;
}

static void pvm_guest(void **state)
{
    vr_cpuinfo c = load("amd-epyc-pvm-guest.txt");
    assert_string_equal(c.vendor, "AuthenticAMD");
    assert_string_equal(c.model, "AMD EPYC");
    assert_int_equal(c.processors, 2);
    assert_false(c.vmx);
    assert_false(c.svm);
    assert_true(c.hypervisor);
}

static void intel_vtx(void **state)
{
    vr_cpuinfo c = load("intel-vtx-baremetal.txt");
    assert_string_equal(c.vendor, "GenuineIntel");
    assert_true(c.vmx);
    assert_false(c.svm);
    assert_false(c.hypervisor);
}

static void intel_disabled(void **state)
{
    vr_cpuinfo c = load("intel-vtx-disabled.txt");
    assert_false(c.vmx);
    assert_false(c.hypervisor);
}

static void amd_svm(void **state)
{
    vr_cpuinfo c = load("amd-svm-baremetal.txt");
    assert_true(c.svm);
    assert_false(c.vmx);
    assert_string_equal(c.model, "AMD Ryzen 7 5800X 8-Core Processor");
}

static void whole_words_only(void **state)
{
    /* "svm_lock" or "vmx_x" must not count as svm/vmx; the "vmx flags"
     * line is not the flags line. */
    vr_cpuinfo c;
    assert_int_equal(vr_cpuinfo_parse("processor : 0\nflags : fpu svm_lock xvmx\n"
                                      "vmx flags : vnmi\n", &c), 0);
    assert_false(c.svm);
    assert_false(c.vmx);
}

static void empty_is_error(void **state)
{
    vr_cpuinfo c;
    assert_int_equal(vr_cpuinfo_parse("", &c), -1);
    assert_int_equal(vr_cpuinfo_parse("garbage without colons\n", &c), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pvm_guest),     cmocka_unit_test(intel_vtx),
        cmocka_unit_test(intel_disabled), cmocka_unit_test(amd_svm),
        cmocka_unit_test(whole_words_only), cmocka_unit_test(empty_is_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
