/* The daemon's one child-process helper (src/common/child.c), with real
 * children (/bin/sh): output captured apart or mixed, the exit status,
 * a missing program, the environment, an fd passed, a log file, the
 * timeout, a detached child, and the start on the event loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/child.h"
#include "common/file.h"
#include "common/process.h"
#include "common/util.h"

static void run_sh(const char *script, vr_child_spec *s, vr_child_result *r)
{
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    s->argv = argv;
    char *err = NULL;
    assert_int_equal(vr_child_run(s, r, &err), 0);
    assert_null(err);
}

static void capture(void **state)
{
    (void)state;
    vr_child_spec s = {.out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true};
    vr_child_result r;
    run_sh("echo out; echo err >&2; exit 3", &s, &r);
    assert_string_equal(r.out, "out\n");
    assert_string_equal(r.err, "err\n");
    assert_false(vr_child_ok(&r));
    char *why = vr_child_failure("sh", NULL, &r, 0);
    assert_string_equal(why, "sh failed with status 3");
    free(why);
    vr_child_result_clear(&r);
    s = (vr_child_spec){.out = VR_CHILD_OUT_CAPTURE};
    run_sh("echo one; echo two >&2; read x; echo \"[$x]\"", &s, &r);
    assert_string_equal(r.out, "one\ntwo\n[]\n"); /* stdin is /dev/null */
    assert_string_equal(r.err, "");
    assert_true(vr_child_ok(&r));
    vr_child_result_clear(&r);
}

static void missing_program(void **state)
{
    (void)state;
    char *argv[] = {"vireo-no-such-program", NULL};
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_CAPTURE};
    vr_child_result r;
    char *err = NULL;
    assert_int_equal(vr_child_run(&s, &r, &err), 0);
    char *why = vr_child_failure("vireo-no-such-program", "apt-get install it", &r, 0);
    assert_string_equal(why, "vireo-no-such-program is missing (apt-get install it)");
    free(why);
    vr_child_result_clear(&r);
}

static void environment_and_fds(void **state)
{
    (void)state;
    setenv("VIREO_CHILD_KEEP", "kept", 1);
    setenv("VIREO_CHILD_OVER", "daemon's", 1);
    setenv("LC_ALL", "de_DE.UTF-8", 1);
    char *env[] = {"VIREO_CHILD_OVER=spec's", "VIREO_CHILD_NEW=new", NULL};
    int pfd[2];
    assert_int_equal(pipe(pfd), 0); /* not CLOEXEC: passed */
    int other = open("/dev/null", O_RDONLY); /* not passed: closed in the child */
    vr_child_spec s = {.out = VR_CHILD_OUT_CAPTURE, .env = env, .c_locale = true,
                       .keep_fds = &pfd[1], .n_keep_fds = 1};
    char *script = vr_asprintf("echo \"$VIREO_CHILD_KEEP $VIREO_CHILD_OVER $VIREO_CHILD_NEW $LC_ALL\";"
                               " echo through >&%d; [ -e /proc/self/fd/%d ] && echo leaked; true",
                               pfd[1], other);
    vr_child_result r;
    run_sh(script, &s, &r);
    assert_string_equal(r.out, "kept spec's new C\n");
    close(pfd[1]);
    char buf[32] = "";
    assert_int_equal(read(pfd[0], buf, sizeof(buf) - 1), 8);
    assert_string_equal(buf, "through\n");
    close(pfd[0]);
    close(other);
    free(script);
    vr_child_result_clear(&r);
    /* Without c_locale the daemon's locale stays. */
    s = (vr_child_spec){.out = VR_CHILD_OUT_CAPTURE};
    run_sh("echo $LC_ALL", &s, &r);
    assert_string_equal(r.out, "de_DE.UTF-8\n");
    vr_child_result_clear(&r);
    unsetenv("LC_ALL");
}

static void log_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/vireo-child-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *log = vr_asprintf("%s/tool.log", dir);
    vr_child_spec s = {.out = VR_CHILD_OUT_LOG, .log = log, .log_mode = 0600};
    vr_child_result r;
    run_sh("echo first", &s, &r);
    run_sh("echo second >&2", &s, &r);
    char *text = vr_file_read(log, NULL);
    assert_string_equal(text, "first\nsecond\n");
    free(text);
    unlink(log);
    rmdir(dir);
    free(log);
}

static void timeout(void **state)
{
    (void)state;
    vr_child_spec s = {.out = VR_CHILD_OUT_CAPTURE, .timeout_ms = 200, .new_session = true};
    vr_child_result r;
    run_sh("echo started; exec sleep 30", &s, &r);
    assert_true(r.timed_out);
    assert_true(WIFSIGNALED(r.status));
    assert_string_equal(r.out, "started\n");
    char *why = vr_child_failure("sleep", NULL, &r, s.timeout_ms);
    assert_string_equal(why, "sleep timed out after 1 s and was stopped");
    free(why);
    vr_child_result_clear(&r);
}

static void detached(void **state)
{
    (void)state;
    vr_child_spec s = {.out = VR_CHILD_OUT_NULL, .detach = true};
    vr_child_result r;
    run_sh("exec sleep 30", &s, &r);
    assert_true(r.pid > 0);
    /* Nobody's child: not ours to wait for. */
    assert_int_equal(waitpid(r.pid, NULL, WNOHANG), -1);
    assert_int_equal(kill(r.pid, SIGKILL), 0);
}

typedef struct {
    struct event_base *base;
    char chunks[256];
    int status, calls;
    char *err_text;
} async_state;

static void on_chunk(const char *buf, size_t n, void *opaque)
{
    async_state *a = opaque;
    size_t len = strlen(a->chunks);
    assert_true(len + n < sizeof(a->chunks));
    memcpy(a->chunks + len, buf, n);
    a->chunks[len + n] = 0;
}

static void on_done(const vr_child_result *r, void *opaque)
{
    async_state *a = opaque;
    a->status = r->status;
    a->err_text = vr_strdup(r->err);
    a->calls++;
    event_base_loopexit(a->base, NULL);
}

static void on_loop(void **state)
{
    (void)state;
    async_state a = {.base = event_base_new()};
    char *argv[] = {"sh", "-c", "echo progress; echo oops >&2; exit 2", NULL};
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true};
    char *err = NULL;
    vr_child *c = vr_child_start(a.base, &s, on_chunk, on_done, &a, &err);
    assert_non_null(c);
    assert_true(vr_child_pid(c) > 0);
    event_base_dispatch(a.base);
    assert_int_equal(a.calls, 1);
    assert_string_equal(a.chunks, "progress\n");
    assert_string_equal(a.err_text, "oops\n");
    assert_true(WIFEXITED(a.status) && WEXITSTATUS(a.status) == 2);
    free(a.err_text);
    /* The timeout on the loop. */
    a = (async_state){.base = a.base};
    char *slow[] = {"sleep", "30", NULL};
    s = (vr_child_spec){.argv = slow, .out = VR_CHILD_OUT_NULL, .timeout_ms = 100};
    assert_non_null(vr_child_start(a.base, &s, NULL, on_done, &a, &err));
    event_base_dispatch(a.base);
    assert_int_equal(a.calls, 1);
    assert_true(WIFSIGNALED(a.status) && WTERMSIG(a.status) == SIGKILL);
    free(a.err_text);
    event_base_free(a.base);
}

/* A pid with its start time names one process (how a restarted daemon
 * knows an image helper is still the one that wrote its state). */
static void start_time(void **state)
{
    (void)state;
    unsigned long long me = vr_proc_start_time(getpid());
    assert_true(me > 0);
    assert_true(vr_proc_start_time(getpid()) == me);
    assert_true(vr_proc_is(getpid(), me));
    assert_false(vr_proc_is(getpid(), me + 1));
    assert_false(vr_proc_is(getpid(), 0));
    /* A child started later started no earlier; once reaped it is gone. */
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    assert_true(pid > 0);
    unsigned long long child = vr_proc_start_time(pid);
    assert_true(child >= me);
    assert_true(vr_proc_is(pid, child));
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_true(vr_proc_start_time(pid) == 0);
    assert_false(vr_proc_is(pid, child));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capture),     cmocka_unit_test(missing_program),
        cmocka_unit_test(environment_and_fds), cmocka_unit_test(log_file),
        cmocka_unit_test(timeout),     cmocka_unit_test(detached),
        cmocka_unit_test(on_loop),     cmocka_unit_test(start_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
