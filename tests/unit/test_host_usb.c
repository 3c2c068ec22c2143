/* virsh nodedev-list --cap usb_device from a fixture of sysfs's
 * /sys/bus/usb/devices: a root hub, a device behind a hub port, one
 * without strings; the interface entry left out; sorted by bus and
 * device; and a host without the directory (this one: a container)
 * has none and says why. */
#include "core/host_usb.h"
#include "wire/schemas.h"
#include "wire/wire.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void fixture_devices(void **state)
{
    (void)state;
    vireo_usb_device *d;
    size_t n;
    const char *why;
    vr_host_usb_devices(FIXTURES "/usb/devices", &d, &n, &why);
    assert_null(why);
    assert_int_equal(n, 3);
    assert_string_equal(d[0].name, "usb_usb1");
    assert_string_equal(d[0].vendor_id, "0x1d6b");
    assert_string_equal(d[1].name, "usb_1_1_2");
    assert_int_equal(d[1].bus, 1);
    assert_int_equal(d[1].device, 3);
    assert_string_equal(d[1].vendor_id, "0x046d");
    assert_string_equal(d[1].product_id, "0xc52b");
    assert_string_equal(d[1].vendor, "Logitech");
    assert_string_equal(d[1].product, "USB Receiver");
    assert_string_equal(d[2].name, "usb_2_1");
    assert_int_equal(d[2].bus, 2);
    assert_null(d[2].vendor);
    assert_null(d[2].product);
    vr_wire_array_free(&vr_wire_usb_device, d, n);
}

static void no_usb_bus(void **state)
{
    (void)state;
    vireo_usb_device *d;
    size_t n;
    const char *why;
    vr_host_usb_devices(FIXTURES "/usb/absent", &d, &n, &why);
    assert_int_equal(n, 0);
    assert_null(d);
    assert_non_null(strstr(why, "no USB bus"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(fixture_devices), cmocka_unit_test(no_usb_bus)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
