/* send-key's codesets (src/drivers/qemu/qemu_keycodes.c) on the tables
 * read out of libvirt.so.0 at build time: one key of each codeset, by
 * number and by name, lands on the qnum libvirt sends; the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_keycodes.h"

static void every_codeset(void **state)
{
    (void)state;
    static const struct {
        const char *codeset, *key;
        int qnum;
    } cases[] = {
        {NULL, "KEY_A", 0x1e},        {"linux", "30", 0x1e},      {"linux", "key_up", 0xc8},
        {"xt", "0x1e", 0x1e},         {"atset1", "0xe048", 0xc8}, {"atset2", "0x1c", 0x1e},
        {"atset3", "0x1c", 0x1e},     {"os_x", "ANSI_A", 0x1e},   {"os_x", "0", 0x1e},
        {"xt_kbd", "0x1e", 0x1e},     {"usb", "4", 0x1e},         {"win32", "VK_A", 0x1e},
        {"qnum", "0x1e", 0x1e},       {"usb", "0x52", 0xc8},      {"win32", "VK_CONTROL", 0x1d},
        {"os_x", "Option", 0x38}, /* a name the linker keeps inside "RightOption" */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err = NULL;
        int q = vr_keycode_qnum(cases[i].codeset, cases[i].key, &err);
        if (q != cases[i].qnum)
            fail_msg("%s %s: %#x, want %#x (%s)", cases[i].codeset ? cases[i].codeset : "(default)", cases[i].key,
                     q, cases[i].qnum, err ? err : "");
        free(err);
    }
    assert_string_equal(vr_keycode_set_name(0), "linux");
    assert_string_equal(vr_keycode_set_name(7), "usb");
    assert_string_equal(vr_keycode_set_name(9), "qnum");
    assert_null(vr_keycode_set_name(10));
}

static void refused(void **state)
{
    (void)state;
    static const struct {
        const char *codeset, *key, *says;
    } cases[] = {
        {"linux", "KEY_NOPE", "is not a key name of codeset linux"},
        {"usb", "KEY_A", "codeset usb has no key names"},
        {"usb", "0x3000", "is not a key of codeset usb"},
        {"rfb", "1", "codeset 'rfb' is not one of virsh's: linux, xt, atset1, atset2, atset3, os_x, xt_kbd, usb, "
                     "win32, qnum"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err = NULL;
        assert_int_equal(vr_keycode_qnum(cases[i].codeset, cases[i].key, &err), -1);
        if (!err || !strstr(err, cases[i].says))
            fail_msg("%s %s: '%s' does not say '%s'", cases[i].codeset, cases[i].key, err ? err : "", cases[i].says);
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(every_codeset), cmocka_unit_test(refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
