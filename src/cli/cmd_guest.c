/* Guest and host helpers of a running domain, with virsh's names, options
 * and messages: send-key, screenshot, reset, domhostname, dompmsuspend,
 * dompmwakeup, qemu-monitor-command. */
#include "cli/cli.h"
#include "common/strbuf.h"
#include "vireo/vireo.h"

#include <errno.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int run_send_key(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_send_key;
    const char *pos[1 + 16] = {0}, *codeset = NULL, *hold = NULL;
    bool b[2] = {0};
    const vr_opt opts[] = {{"codeset", true, &b[0], &codeset}, {"holdtime", true, &b[1], &hold}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 17, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (npos < 2)
        return vr_cli_usage(cmd, "missing KEYCODE (a key name as KEY_A, VK_A (win32), ANSI_A (os_x), or a number of the codeset)");
    char *end = NULL;
    unsigned long ms = hold ? strtoul(hold, &end, 10) : 0;
    if (hold && (!*hold || *end || ms > 60000))
        return vr_cli_usage(cmd, "--holdtime '%s': milliseconds from 0 to 60000", hold);
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = vireo_domain_send_key(c, pos[0], codeset, pos + 1, npos - 1, (unsigned)ms) < 0 ? vr_cli_fail(c)
                                                                                      : VR_EXIT_OK;
    vireo_disconnect(c);
    return r;
}

/* virsh's default name: DOMAIN-YYYY-MM-DD-HH:MM:SS, here .png. */
static char *default_file(const char *domain)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%d-%H:%M:%S", localtime_r(&t, &tm));
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "%s-%s.png", domain, when);
    return vr_strbuf_take(&b);
}

static int run_screenshot(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_screenshot;
    const char *pos[2] = {0}, *file = NULL, *screen = NULL;
    bool b[2] = {0};
    const vr_opt opts[] = {{"file", true, &b[0], &file, true}, {"screen", true, &b[1], &screen}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    char *end = NULL;
    unsigned long n = screen ? strtoul(screen, &end, 10) : 0;
    if (screen && (!*screen || *end || n > 15))
        return vr_cli_usage(cmd, "--screen '%s': a screen number (0 is the first video device)", screen);
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    size_t len = 0;
    char *png = vireo_domain_screenshot(c, pos[0], (unsigned)n, &len);
    char *name = file ? NULL : default_file(pos[0]);
    const char *path = file ? file : name;
    if (!png) {
        r = vr_cli_fail(c);
    } else {
        /* Written whole or not at all: a temporary beside it, renamed. */
        char *tmp = NULL;
        vr_strbuf tb = {0};
        vr_strbuf_addf(&tb, "%s.tmp%d", path, (int)getpid());
        tmp = vr_strbuf_take(&tb);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ssize_t w = fd >= 0 ? write(fd, png, len) : -1;
        int e = errno;
        if (fd >= 0 && (close(fd) < 0 || w != (ssize_t)len || rename(tmp, path) < 0)) {
            e = errno ? errno : EIO;
            unlink(tmp);
            fd = -1;
        }
        if (fd < 0)
            r = vr_cli_error("error: cannot write the screenshot to %s: %s", path, strerror(e));
        else {
            printf("Screenshot saved to %s, with type of image/png\n", path);
            r = VR_EXIT_OK;
        }
        free(tmp);
    }
    free(png);
    free(name);
    vireo_disconnect(c);
    return r;
}

static int run_reset(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_reset, argc, argv, NULL, pos, 1, 1, &rc);
    if (!c)
        return rc;
    return vr_cli_done(c, vireo_domain_reset(c, pos[0]), "Domain", true, pos[0], "was reset");
}

static int run_domhostname(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domhostname, argc, argv, NULL, pos, 1, 1, &rc);
    if (!c)
        return rc;
    char *name = vireo_domain_hostname(c, pos[0]);
    if (name)
        printf("%s\n", name);
    rc = name ? VR_EXIT_OK : vr_cli_fail(c);
    free(name);
    vireo_disconnect(c);
    return rc;
}

static int run_dompmsuspend(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_dompmsuspend;
    const char *pos[1] = {0}, *target = NULL, *duration = NULL;
    bool b[2] = {0};
    const vr_opt opts[] = {{"target", true, &b[0], &target, true}, {"duration", true, &b[1], &duration}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (!target)
        return vr_cli_usage(cmd, "missing TARGET (mem, disk or hybrid)");
    if (strcmp(target, "mem") != 0 && strcmp(target, "disk") != 0 && strcmp(target, "hybrid") != 0)
        return vr_cli_usage(cmd, "TARGET '%s' is not one of mem, disk, hybrid", target);
    if (duration && strcmp(duration, "0") != 0)
        return vr_cli_usage(cmd, "--duration is not supported (QEMU has no timed wake-up); wake it with dompmwakeup");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    return vr_cli_done(c, vireo_domain_pm_suspend(c, pos[0], target), "Domain", true, pos[0],
                       "successfully suspended");
}

static int run_dompmwakeup(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_dompmwakeup, argc, argv, NULL, pos, 1, 1, &rc);
    if (!c)
        return rc;
    return vr_cli_done(c, vireo_domain_pm_wakeup(c, pos[0]), "Domain", true, pos[0], "successfully woken up");
}

static int run_monitor(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_qemu_monitor_command;
    const char *pos[64] = {0};
    bool hmp = false, pretty = false;
    const vr_opt opts[] = {{"hmp", false, &hmp, NULL}, {"pretty", false, &pretty, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 64, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (npos < 2)
        return vr_cli_usage(cmd, "missing CMD");
    if (hmp && pretty)
        return vr_cli_usage(cmd, "--pretty is for QMP answers, not --hmp text");
    /* virsh joins the words of the command with spaces. */
    vr_strbuf b = {0};
    for (size_t i = 1; i < npos; i++)
        vr_strbuf_addf(&b, "%s%s", i > 1 ? " " : "", pos[i]);
    char *text = vr_strbuf_take(&b);
    vireo_conn *c = vr_cli_connect(cli);
    char *out = c ? vireo_domain_monitor_command(c, pos[0], text, hmp) : NULL;
    if (!c) {
        r = VR_EXIT_FAIL;
    } else if (!out) {
        r = vr_cli_fail(c);
    } else {
        json_object *o = pretty ? json_tokener_parse(out) : NULL;
        if (o)
            vr_cli_print_json(o);
        else
            printf("%s%s", out, *out && out[strlen(out) - 1] == '\n' ? "" : "\n");
        r = VR_EXIT_OK;
    }
    free(out);
    free(text);
    if (c)
        vireo_disconnect(c);
    return r;
}

const vr_command vr_cmd_send_key = {
    "send-key", "Press keys on a running domain's keyboard together, then release them (up to 16).",
    "DOMAIN [--codeset linux|xt|atset1|atset2|atset3|os_x|xt_kbd|usb|win32|qnum] [--holdtime MS] KEYCODE...", run_send_key};
const vr_command vr_cmd_screenshot = {
    "screenshot", "Save a running domain's screen as PNG (default file DOMAIN-DATE.png).",
    "DOMAIN [FILE] [--screen N]", run_screenshot};
const vr_command vr_cmd_reset = {
    "reset", "Reset a running domain at once, as its reset button would (no guest shutdown).",
    "DOMAIN", run_reset};
const vr_command vr_cmd_domhostname = {
    "domhostname", "A running domain's host name, from its guest agent.", "DOMAIN", run_domhostname};
const vr_command vr_cmd_dompmsuspend = {
    "dompmsuspend", "Suspend a running guest to RAM or disk through its guest agent.",
    "DOMAIN mem|disk|hybrid", run_dompmsuspend};
const vr_command vr_cmd_dompmwakeup = {
    "dompmwakeup", "Wake a guest suspended to RAM (dompmsuspend mem).", "DOMAIN", run_dompmwakeup};
const vr_command vr_cmd_qemu_monitor_command = {
    "qemu-monitor-command", "Send a command to a domain's QEMU monitor (QMP JSON, or --hmp); logged, "
    "read-write connections only. Changes made here are not tracked by Vireo.",
    "DOMAIN [--hmp] [--pretty] CMD...", run_monitor};
