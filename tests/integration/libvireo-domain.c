/* A domain's life through libvireo alone (no CLI): define, start, the
 * console reaching VIREO-GUEST-READY, suspend/resume, stats, ACPI
 * shutdown seen on the event stream, a transient domain, errors. Run by
 * libvireo.sh, which starts a private vireod and sets VIREO_DEFAULT_URI. */
#include "vireo/vireo.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int checks;
#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "FAIL (%s:%d): ", __FILE__, __LINE__);                          \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fprintf(stderr, " [last error: %s]\n", c ? vireo_last_error(c) : "-");         \
            exit(1);                                                                        \
        }                                                                                   \
        printf("ok %d - ", ++checks);                                                       \
        printf(__VA_ARGS__);                                                                \
        printf("\n");                                                                       \
    } while (0)

static vireo_conn *c;

static char *tiny_xml(const char *name)
{
    const char *img = getenv("IMAGES");
    char *xml = NULL;
    if (asprintf(&xml,
                 "<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                 "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s/tiny-vmlinuz</kernel>"
                 "<initrd>%s/tiny-initrd.img</initrd><cmdline>console=ttyS0 cryptomgr.notests=1</cmdline></os>"
                 "<features><acpi/><apic/></features><devices>"
                 "<serial type='pty'><target port='0'/></serial>"
                 "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"
                 "</devices></domain>",
                 name, img, img) < 0)
        abort();
    return xml;
}

/* Read a stream until `needle` shows up or `secs` pass. */
static bool stream_wait(vireo_stream *s, const char *needle, int secs)
{
    static char seen[1 << 16];
    size_t n = 0;
    time_t end = time(NULL) + secs;
    while (time(NULL) < end) {
        struct pollfd p = {.fd = vireo_stream_fd(s), .events = POLLIN};
        if (vireo_stream_pending(s) == 0 && poll(&p, 1, 500) <= 0)
            continue;
        if (n > sizeof(seen) / 2) {
            memmove(seen, seen + n / 2, n - n / 2);
            n -= n / 2;
        }
        ssize_t r = vireo_stream_read(s, seen + n, sizeof(seen) - n - 1);
        if (r <= 0)
            return false;
        n += (size_t)r;
        seen[n] = '\0';
        if (strstr(seen, needle))
            return true;
    }
    return false;
}

static bool state_is(const char *name, const char *state, const char *reason)
{
    vireo_domain d;
    if (vireo_domain_get(c, name, &d) < 0)
        return false;
    bool ok = strcmp(d.state, state) == 0 && (!reason || strcmp(d.reason, reason) == 0);
    vireo_domain_clear(&d);
    return ok;
}

int main(void)
{
    char *err = NULL;
    c = vireo_connect(NULL, &err);
    CHECK(c != NULL, "connect to %s", getenv("VIREO_DEFAULT_URI"));
    CHECK(strcmp(vireo_conn_uri(c), "vireo:///system") == 0, "canonical URI");

    char *xml = tiny_xml("lib1");
    vireo_domain d;
    CHECK(vireo_domain_define(c, xml, &d) == 0, "define");
    CHECK(strcmp(d.name, "lib1") == 0 && strcmp(d.state, "shut off") == 0 && d.id == -1 && d.persistent,
          "defined domain is shut off and persistent");
    CHECK(strlen(d.uuid) == 36, "uuid generated");
    char uuid[37];
    strcpy(uuid, d.uuid);
    vireo_domain_clear(&d);
    free(xml);

    vireo_stream *ev = vireo_events_open(c);
    CHECK(ev != NULL, "event stream");

    CHECK(vireo_domain_start(c, "lib1", 0) == 0, "start");
    CHECK(state_is(uuid, "running", "booted"), "running, looked up by uuid");
    vireo_stream *con = vireo_console_open(c, "lib1", VIREO_CONSOLE_HISTORY);
    CHECK(con != NULL, "console");
    CHECK(stream_wait(con, "VIREO-GUEST-READY", 90), "console shows VIREO-GUEST-READY");
    const char *cmd = "echo LIB-$((20+22))\n";
    CHECK(vireo_stream_write(con, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "type into the console");
    CHECK(stream_wait(con, "LIB-42", 30), "the guest's shell answered");

    CHECK(vireo_domain_suspend(c, "lib1") == 0 && state_is("lib1", "paused", "user"), "suspend");
    CHECK(vireo_domain_suspend(c, "lib1") < 0 && strcmp(vireo_last_error_code(c), "conflict") == 0,
          "suspend twice is a conflict");
    CHECK(vireo_domain_resume(c, "lib1") == 0 && state_is("lib1", "running", NULL), "resume");

    char *stats = vireo_domain_stats_json(c, "lib1");
    CHECK(stats && strstr(stats, "\"cpu_time_ns\""), "stats carry cpu time");
    free(stats);

    /* vcpucount, vcpuinfo and iothreadinfo read through their wire schemas. */
    vireo_vcpu_count vc;
    CHECK(vireo_domain_vcpu_count(c, "lib1", &vc) == 0 && vc.maximum_config == 1 && vc.current_live == 1 &&
              vc.maximum_live == 1,
          "vcpu count: one vCPU, config and live");
    vireo_vcpu_info vi;
    CHECK(vireo_domain_vcpu_info(c, "lib1", &vi) == 0 && vi.n_vcpus == 1 && vi.vcpus[0].vcpu == 0 &&
              vi.vcpus[0].thread > 0 && vi.vcpus[0].cpu >= 0 && vi.vcpus[0].cpu_time_ns > 0 &&
              strcmp(vi.vcpus[0].state, "running") == 0 && vi.vcpus[0].affinity && vi.emulator_affinity &&
              vi.host_cpus > 0,
          "vcpu info: vCPU 0's thread, its CPU, time and affinity");
    vireo_vcpu_info_clear(&vi);
    vireo_iothread_info ti;
    CHECK(vireo_domain_iothread_info(c, "lib1", 0, &ti) == 0 && ti.n_iothreads == 0 && ti.host_cpus > 0,
          "iothread info: none defined");
    vireo_iothread_info_clear(&ti);
    vireo_domain *list;
    size_t n;
    CHECK(vireo_domain_list(c, &list, &n) == 0 && n == 1 && list[0].id > 0, "list in one call");
    /* The list (the compact rows form) says what the domain's own answer says. */
    vireo_domain one;
    CHECK(vireo_domain_get(c, "lib1", &one) == 0, "get");
    CHECK(strcmp(list[0].name, one.name) == 0 && strcmp(list[0].uuid, one.uuid) == 0 && list[0].id == one.id &&
              strcmp(list[0].state, one.state) == 0 && strcmp(list[0].reason, one.reason) == 0 &&
              list[0].pid == one.pid && list[0].pid > 0 && list[0].started_at == one.started_at &&
              list[0].vcpus == one.vcpus && list[0].memory_kib == one.memory_kib &&
              list[0].persistent && strcmp(list[0].accel, one.accel) == 0 &&
              list[0].n_notices == one.n_notices && !list[0].managed_save,
          "the list's entry is the domain's answer, field for field");
    vireo_domain_clear(&one);
    vireo_domain_list_free(list, n);

    CHECK(vireo_domain_shutdown(c, "lib1") == 0, "ACPI shutdown sent");
    CHECK(stream_wait(ev, "\"event\":\"stopped\"", 60), "stopped event on the stream");
    CHECK(state_is("lib1", "shut off", "shutdown"), "shut off by the guest");
    vireo_stream_close(con);

    xml = tiny_xml("lib2");
    CHECK(vireo_domain_create(c, xml, VIREO_START_PAUSED, &d) == 0 && strcmp(d.state, "paused") == 0 &&
              !d.persistent,
          "create a transient domain, paused");
    vireo_domain_clear(&d);
    free(xml);
    CHECK(vireo_domain_destroy(c, "lib2") == 0, "destroy the transient domain");
    CHECK(vireo_domain_get(c, "lib2", &d) < 0 && strcmp(vireo_last_error_code(c), "not_found") == 0,
          "a transient domain is gone once stopped");

    CHECK(vireo_domain_get(c, "ghost", &d) < 0 && strcmp(vireo_last_error_code(c), "not_found") == 0 &&
              strstr(vireo_last_error(c), "ghost"),
          "unknown name: not_found, named");
    CHECK(vireo_domain_define(c, "<domain type='qemu'><name>x</name>", NULL) < 0 &&
              strcmp(vireo_last_error_code(c), "invalid") == 0,
          "malformed XML: invalid");
    char *dump = vireo_domain_xml(c, "lib1", 0);
    CHECK(dump && strstr(dump, uuid), "dumpxml through the API");
    free(dump);
    CHECK(vireo_domain_set_autostart(c, "lib1", true) == 0, "autostart on");
    CHECK(vireo_domain_get(c, "lib1", &d) == 0 && d.autostart, "autostart shows");
    vireo_domain_clear(&d);
    CHECK(vireo_domain_undefine(c, "lib1", 0) == 0, "undefine");
    CHECK(vireo_domain_list(c, &list, &n) == 0 && n == 0, "nothing left");
    vireo_domain_list_free(list, n);
    vireo_stream_close(ev);
    vireo_disconnect(c);
    return 0;
}
