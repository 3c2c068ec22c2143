/* virsh sysinfo's XML from a fixture of the kernel's DMI files and a
 * two-socket /proc/cpuinfo: entries only for non-empty files, text
 * escaped, one processor per physical package; and a host without DMI
 * files (a container, some clouds) answers its processors alone. */
#include "common/file.h"
#include "core/host_sysinfo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void fixture_host(void **state)
{
    (void)state;
    char *xml = vr_host_sysinfo_xml(FIXTURES "/sysinfo/dmi", FIXTURES "/sysinfo/cpuinfo");
    char *want = vr_file_read(FIXTURES "/sysinfo/expected.xml", NULL);
    assert_non_null(want);
    assert_string_equal(xml, want);
    free(xml);
    free(want);
}

static void no_dmi(void **state)
{
    (void)state;
    char *xml = vr_host_sysinfo_xml(FIXTURES "/sysinfo/absent", FIXTURES "/sysinfo/cpuinfo");
    assert_non_null(strstr(xml, "<sysinfo type=\"smbios\">\n  <processor>"));
    assert_null(strstr(xml, "<bios>"));
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(fixture_host), cmocka_unit_test(no_dmi)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
