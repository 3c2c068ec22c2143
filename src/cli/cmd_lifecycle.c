/* Domain lifecycle: define, undefine, create, start, shutdown, reboot,
 * destroy, suspend, resume, autostart. Messages follow virsh's. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What the run does differently from what the XML asks: one line each,
 * on stderr so scripts reading stdout see virsh's messages. */
static void print_notices(const vireo_domain *d)
{
    for (size_t i = 0; i < d->n_notices; i++)
        fprintf(stderr, "notice: %s\n", d->notices[i]);
}

static int run_define(vr_cli *cli, int argc, char **argv)
{
    const char *file = NULL;
    int rc;
    char *xml = NULL;
    vireo_conn *c = vr_cli_begin_file(cli, &vr_cmd_define, argc, argv, NULL, &file, &xml, &rc);
    if (!c)
        return rc;
    vireo_domain d = {0};
    int r = vireo_domain_define(c, xml, &d);
    free(xml);
    if (r == 0)
        printf("Domain '%s' defined from %s\n", d.name, file);
    else
        vr_cli_fail(c);
    vireo_domain_clear(&d);
    vireo_disconnect(c);
    return r == 0 ? VR_EXIT_OK : VR_EXIT_FAIL;
}

static int run_create(vr_cli *cli, int argc, char **argv)
{
    const char *file = NULL;
    bool paused = false, console = false;
    const vr_opt opts[] = {{"paused", false, &paused, NULL}, {"console", false, &console, NULL}, {0}};
    int rc;
    char *xml = NULL;
    vireo_conn *c = vr_cli_begin_file(cli, &vr_cmd_create, argc, argv, opts, &file, &xml, &rc);
    if (!c)
        return rc;
    vireo_domain d = {0};
    int r = vireo_domain_create(c, xml, paused ? VIREO_START_PAUSED : 0, &d);
    free(xml);
    rc = VR_EXIT_OK;
    if (r < 0) {
        rc = vr_cli_fail(c);
    } else {
        printf("Domain '%s' created from %s\n", d.name, file);
        fflush(stdout);
        print_notices(&d);
        if (console)
            rc = vr_cli_console(cli, c, d.name, true);
    }
    vireo_domain_clear(&d);
    vireo_disconnect(c);
    return rc;
}

static int run_start(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool paused = false, console = false, reset_nvram = false;
    const vr_opt opts[] = {{"paused", false, &paused, NULL}, {"console", false, &console, NULL},
                           {"reset-nvram", false, &reset_nvram, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_start, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_domain d = {0};
    unsigned flags = (paused ? VIREO_START_PAUSED : 0) | (reset_nvram ? VIREO_START_RESET_NVRAM : 0);
    if (vireo_domain_start_get(c, name, flags, &d) < 0) {
        rc = vr_cli_fail(c);
    } else {
        printf("Domain '%s' started\n", name);
        fflush(stdout);
        print_notices(&d);
        rc = console ? vr_cli_console(cli, c, name, true) : VR_EXIT_OK;
    }
    vireo_domain_clear(&d);
    vireo_disconnect(c);
    return rc;
}

static int run_undefine(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool storage = false, managed = false, nvram = false, keep_nvram = false, keep_tpm = false;
    const vr_opt opts[] = {{"remove-all-storage", false, &storage, NULL}, {"managed-save", false, &managed, NULL},
                           {"nvram", false, &nvram, NULL},
                           {"keep-nvram", false, &keep_nvram, NULL}, {"keep-tpm", false, &keep_tpm, NULL},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_undefine, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    if (nvram && keep_nvram) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_undefine, "--nvram and --keep-nvram exclude each other");
    }
    unsigned flags = (storage ? VIREO_UNDEFINE_REMOVE_STORAGE : 0) | (nvram ? VIREO_UNDEFINE_NVRAM : 0) |
                     (keep_nvram ? VIREO_UNDEFINE_KEEP_NVRAM : 0) | (keep_tpm ? VIREO_UNDEFINE_KEEP_TPM : 0) |
                     (managed ? VIREO_UNDEFINE_MANAGED_SAVE : 0);
    return vr_cli_done(c, vireo_domain_undefine(c, name, flags), "Domain", true, name, "has been undefined");
}

/* Wait for the domain to reach "shut off", through the event stream
 * opened before the request (so the stop cannot slip by unseen). */
static int wait_shutoff(vireo_conn *c, vireo_stream *ev, const char *name, int timeout_s)
{
    time_t deadline = time(NULL) + timeout_s;
    char buf[4096];
    for (;;) {
        vireo_domain d;
        if (vireo_domain_get(c, name, &d) < 0) {
            /* A transient domain is gone once it stopped. */
            return strcmp(vireo_last_error_code(c), "not_found") == 0 ? VR_EXIT_OK : vr_cli_fail(c);
        }
        bool off = strcmp(d.state, "shut off") == 0;
        vireo_domain_clear(&d);
        if (off)
            return VR_EXIT_OK;
        int left = (int)(deadline - time(NULL));
        if (left <= 0) {
            fprintf(stderr, "vireo: error: domain '%s' did not shut down within %d s "
                            "(the guest may ignore ACPI; 'vireo destroy %s' forces it off)\n",
                    name, timeout_s, name);
            return VR_EXIT_FAIL;
        }
        struct pollfd p = {.fd = vireo_stream_fd(ev), .events = POLLIN};
        if (vireo_stream_pending(ev) == 0 && poll(&p, 1, left * 1000) <= 0)
            continue;
        /* Only the wake-up matters: the state is asked again above. */
        if (vireo_stream_read(ev, buf, sizeof(buf)) <= 0) {
            fprintf(stderr, "vireo: error: lost the event stream\n");
            return VR_EXIT_FAIL;
        }
    }
}

static int run_shutdown(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *timeout = NULL, *mode = NULL;
    bool wait = false, has_timeout = false, has_mode = false;
    const vr_opt opts[] = {{"wait", false, &wait, NULL}, {"timeout", true, &has_timeout, &timeout},
                           {"mode", true, &has_mode, &mode}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_shutdown, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    bool agent = has_mode && strcmp(mode, "agent") == 0;
    if (has_mode && !agent && strcmp(mode, "acpi") != 0) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_shutdown, "--mode is acpi or agent, not '%s'", mode);
    }
    int secs = has_timeout ? atoi(timeout) : 120;
    if (has_timeout && secs <= 0) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_shutdown, "--timeout needs a positive number of seconds");
    }
    vireo_stream *ev = wait ? vireo_events_open(c) : NULL;
    if (wait && !ev) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    if (agent ? vr_cli_agent_shutdown(c, name) < 0 : vireo_domain_shutdown(c, name) < 0) {
        rc = agent ? VR_EXIT_FAIL : vr_cli_fail(c);
    } else {
        printf("Domain '%s' is being shutdown\n", name);
        fflush(stdout);
        rc = wait ? wait_shutoff(c, ev, name, secs) : VR_EXIT_OK;
        if (wait && rc == VR_EXIT_OK)
            printf("Domain '%s' is shut off\n", name);
    }
    vireo_stream_close(ev);
    vireo_disconnect(c);
    return rc;
}

#define SIMPLE(fn, call, msg)                                                          \
    static int fn(vr_cli *cli, int argc, char **argv)                                  \
    {                                                                                  \
        const char *name = NULL;                                                       \
        int rc;                                                                        \
        vireo_conn *c = vr_cli_begin(cli, &vr_cmd_##call, argc, argv, NULL, &name, 1, 1, &rc); \
        if (!c)                                                                        \
            return rc;                                                                 \
        return vr_cli_done(c, vireo_domain_##call(c, name), "Domain", true, name, msg); \
    }
SIMPLE(run_reboot, reboot, "is being rebooted")
SIMPLE(run_destroy, destroy, "destroyed")
SIMPLE(run_suspend, suspend, "suspended")
SIMPLE(run_resume, resume, "resumed")

static int run_autostart(vr_cli *cli, int argc, char **argv)
{
    return vr_cli_run_autostart(cli, &vr_cmd_autostart, argc, argv, "Domain", true, vireo_domain_set_autostart);
}

/* virsh's words: "Domain successfully renamed". */
static int run_domrename(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domrename, argc, argv, NULL, pos, 2, 2, &rc);
    if (!c)
        return rc;
    rc = vireo_domain_rename(c, pos[0], pos[1]) < 0 ? vr_cli_fail(c) : (puts("Domain successfully renamed"), VR_EXIT_OK);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_define = {"define", "Define (or redefine) a domain from an XML file.", "FILE", run_define};
const vr_command vr_cmd_create = {"create", "Create and start a transient domain from an XML file.",
                                  "FILE [--paused] [--console]", run_create};
const vr_command vr_cmd_start = {"start", "Start a defined domain.", "DOMAIN [--paused] [--console] [--reset-nvram]",
                                 run_start};
const vr_command vr_cmd_undefine = {"undefine", "Remove a domain's definition (a running one lives on until it stops).",
                                    "DOMAIN [--remove-all-storage] [--managed-save] [--nvram | --keep-nvram] [--keep-tpm]",
                                    run_undefine};
const vr_command vr_cmd_shutdown = {"shutdown", "Ask the guest to power off (ACPI power button, or "
                                    "--mode agent: the guest agent).",
                                    "DOMAIN [--mode acpi|agent] [--wait [--timeout SECONDS]]", run_shutdown};
const vr_command vr_cmd_reboot = {"reboot", "Ask the guest to reboot (ACPI).", "DOMAIN", run_reboot};
const vr_command vr_cmd_destroy = {"destroy", "Force a domain off at once (like pulling the plug).", "DOMAIN", run_destroy};
const vr_command vr_cmd_suspend = {"suspend", "Pause a running domain.", "DOMAIN", run_suspend};
const vr_command vr_cmd_resume = {"resume", "Resume a paused domain.", "DOMAIN", run_resume};
const vr_command vr_cmd_autostart = {"autostart", "Start the domain when the daemon starts (--disable: don't).",
                                     "DOMAIN [--disable]", run_autostart};
const vr_command vr_cmd_domrename = {"domrename", "Rename a shut-off domain (its snapshots and autostart follow).",
                                     "DOMAIN NEW_NAME", run_domrename};
