/* The daemon log's rate limit (src/common/log.c): a flood of one warning
 * gives a few lines, other kinds and info lines are untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* Run fn with stderr in a temporary file; the number of lines it wrote
 * that contain `needle`. */
static int lines_with(void (*fn)(void), const char *needle)
{
    char path[] = "/tmp/vireo-test-log.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof(line), f))
        n += strstr(line, needle) != NULL;
    fclose(f);
    unlink(path);
    return n;
}

static void flood_one_kind(void)
{
    for (int i = 0; i < 1000; i++)
        vr_log_warn("refusing connection %d", i);
}

static void flood_info(void)
{
    for (int i = 0; i < 100; i++)
        vr_log_info("domain %d started", i);
}

static void two_kinds(void)
{
    for (int i = 0; i < 100; i++) {
        vr_log_warn("kind A %d", i);
        vr_log_error("kind B %d", i);
    }
}

static void keyed(void)
{
    static const char kind[] = "Server reached connection limit.\n";
    for (int i = 0; i < 100; i++)
        vr_log_keyed(VR_LOG_WARN, kind, "http: %s %d", "limit", i);
}

static void one_warning_kind_gives_a_burst(void **state)
{
    assert_int_equal(lines_with(flood_one_kind, "refusing connection"), 5);
}

static void info_is_never_dropped(void **state)
{
    assert_int_equal(lines_with(flood_info, "started"), 100);
}

static void kinds_are_limited_apart(void **state)
{
    assert_int_equal(lines_with(two_kinds, "kind A"), 5);
    assert_int_equal(lines_with(two_kinds, "kind B"), 0); /* its burst went in the first run */
}

static void keyed_messages_share_their_kind(void **state)
{
    assert_int_equal(lines_with(keyed, "http: limit"), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_warning_kind_gives_a_burst),
        cmocka_unit_test(info_is_never_dropped),
        cmocka_unit_test(kinds_are_limited_apart),
        cmocka_unit_test(keyed_messages_share_their_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
