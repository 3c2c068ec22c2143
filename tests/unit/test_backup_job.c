/* domjobinfo's JSON (vr_qemu_job_info), which the HTTP route sends as it
 * is and the libvirt protocol maps to libvirt's fields: no job; a push
 * backup's bytes copied, left and in all (QEMU's query-jobs progress);
 * a pull backup's scratch files' use of the most they may hold, with no
 * data_* keys (a pull moves no data itself: docs/backup.md). */
#include "drivers/qemu/qemu_domain.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static long long num(json_object *o, const char *key)
{
    json_object *v = NULL;
    assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_int64(v);
}

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void no_job(void **state)
{
    (void)state;
    vr_domain dom = {0};
    json_object *o = vr_qemu_job_info(&dom);
    assert_string_equal(str(o, "type"), "none");
    assert_null(str(o, "operation"));
    json_object_put(o);
}

static void push_backup(void **state)
{
    (void)state;
    vr_domain dom = {0};
    vr_qemu_job_start(&dom, "backup");
    dom.job->processed = 3 << 20;
    dom.job->remaining = 1 << 20;
    dom.job->total = 4 << 20;
    json_object *o = vr_qemu_job_info(&dom);
    assert_string_equal(str(o, "type"), "unbounded");
    assert_string_equal(str(o, "operation"), "backup");
    assert_true(num(o, "elapsed_ms") >= 0);
    assert_int_equal(num(o, "data_processed"), 3 << 20);
    assert_int_equal(num(o, "data_remaining"), 1 << 20);
    assert_int_equal(num(o, "data_total"), 4 << 20);
    assert_null(str(o, "mode"));
    assert_false(json_object_object_get_ex(o, "disk_temp_used", NULL));
    json_object_put(o);
    free(dom.job);
}

static void pull_backup(void **state)
{
    (void)state;
    vr_domain dom = {0};
    vr_qemu_job_start(&dom, "backup");
    dom.job->pull = true;
    dom.job->temp_used = 5 << 20;
    dom.job->temp_total = 128 << 20;
    json_object *o = vr_qemu_job_info(&dom);
    assert_string_equal(str(o, "operation"), "backup");
    assert_string_equal(str(o, "mode"), "pull");
    assert_int_equal(num(o, "disk_temp_used"), 5 << 20);
    assert_int_equal(num(o, "disk_temp_total"), 128 << 20);
    assert_false(json_object_object_get_ex(o, "data_processed", NULL));
    assert_false(json_object_object_get_ex(o, "data_total", NULL));
    json_object_put(o);
    free(dom.job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_job),
        cmocka_unit_test(push_backup),
        cmocka_unit_test(pull_backup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
