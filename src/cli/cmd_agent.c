/* Commands that ask QEMU's guest agent inside the guest, as virsh's do:
 * qemu-agent-command, domtime, guestinfo, domfsinfo, domfsfreeze,
 * domfsthaw, domfstrim, and the agent's half of shutdown (--mode agent).
 * Each is one agent command through vireo_domain_agent_json, but
 * guestinfo and the filesystem commands, which are the daemon's calls
 * (vireo_domain_guest_info, vireo_domain_fs_*). */
#include "cli/cli.h"
#include "common/util.h"
#include <vireo/vireo.h>

#include <errno.h>
#include <json-c/json.h>
#include "wire/schemas.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The agent's answer to `command` as JSON (taken by the caller); NULL
 * after printing the error. */
static json_object *ask(vireo_conn *c, const char *name, const char *command, int timeout)
{
    char *text = vireo_domain_agent_json(c, name, command, timeout);
    if (!text) {
        vr_cli_fail(c);
        return NULL;
    }
    json_object *o = json_tokener_parse(text);
    free(text);
    return o ? o : json_object_new_object();
}

/* ---- qemu-agent-command ---- */

static int run_agent_command(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *timeout = NULL;
    bool has_timeout = false, pretty = false, async = false, block = false;
    const vr_opt opts[] = {{"timeout", true, &has_timeout, &timeout}, {"pretty", false, &pretty, NULL},
                           {"async", false, &async, NULL}, {"block", false, &block, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_qemu_agent_command, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    int secs = has_timeout ? atoi(timeout) : block ? 3600 : 0;
    if (has_timeout && secs <= 0) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_qemu_agent_command, "--timeout needs a positive number of seconds");
    }
    json_object *ret = ask(c, pos[0], pos[1], secs);
    vireo_disconnect(c);
    if (!ret)
        return VR_EXIT_FAIL;
    /* virsh prints the agent's whole answer. */
    json_object *o = json_object_new_object();
    json_object_object_add(o, "return", ret);
    puts(json_object_to_json_string_ext(o, pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return VR_EXIT_OK;
}

/* ---- domtime ---- */

static int run_domtime(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *time_arg = NULL;
    bool sync = false, now = false, has_time = false, pretty = false;
    const vr_opt opts[] = {{"sync", false, &sync, NULL}, {"now", false, &now, NULL},
                           {"time", true, &has_time, &time_arg}, {"pretty", false, &pretty, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domtime, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    char *end = NULL;
    long long t = has_time ? strtoll(time_arg, &end, 10) : 0;
    if (has_time && (!*time_arg || *end || t < 0)) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_domtime, "--time takes seconds since the epoch, not '%s'", time_arg);
    }
    if (sync || now || has_time) {
        /* guest-set-time without a time reads the guest's RTC again (sync). */
        char cmd[128];
        if (has_time || now)
            snprintf(cmd, sizeof(cmd), "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":%lld}}",
                     (has_time ? t : (long long)time(NULL)) * 1000000000LL);
        else
            snprintf(cmd, sizeof(cmd), "{\"execute\":\"guest-set-time\"}");
        json_object *ret = ask(c, name, cmd, 0);
        vireo_disconnect(c);
        json_object_put(ret);
        return ret ? VR_EXIT_OK : VR_EXIT_FAIL;
    }
    json_object *ret = ask(c, name, "{\"execute\":\"guest-get-time\"}", 0);
    vireo_disconnect(c);
    if (!ret)
        return VR_EXIT_FAIL;
    long long secs = json_object_get_int64(ret) / 1000000000LL;
    if (pretty) {
        time_t tt = (time_t)secs;
        char buf[64];
        strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", gmtime(&tt));
        printf("Time: %s\n", buf);
    } else {
        printf("Time: %lld\n", secs);
    }
    json_object_put(ret);
    return VR_EXIT_OK;
}

/* ---- guestinfo ---- */

/* virsh's options, one kind each (none: every kind), and --json. */
static int run_guestinfo(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool kind[7] = {0}, json = false;
    const vr_opt opts[] = {{"user", false, &kind[0], NULL},     {"os", false, &kind[1], NULL},
                           {"timezone", false, &kind[2], NULL}, {"hostname", false, &kind[3], NULL},
                           {"filesystem", false, &kind[4], NULL}, {"disk", false, &kind[5], NULL},
                           {"interface", false, &kind[6], NULL}, {"json", false, &json, NULL},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_guestinfo, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    unsigned kinds = 0; /* VIREO_GUEST_INFO_USERS (1) ... _INTERFACES (0x40), in the options' order */
    for (unsigned i = 0; i < VR_ARRAY_LEN(kind); i++)
        kinds |= kind[i] ? 1u << i : 0;
    vireo_guest_field *f = NULL;
    size_t n = 0;
    if (vireo_domain_guest_info(c, name, kinds, &f, &n) < 0) {
        vr_cli_fail(c);
        vireo_disconnect(c);
        return VR_EXIT_FAIL;
    }
    vireo_disconnect(c);
    if (json) {
        json_object *o = json_object_new_object();
        for (size_t i = 0; i < n; i++)
            json_object_object_add(o, f[i].key,
                                   f[i].type == VIREO_GUEST_FIELD_BOOL ? json_object_new_boolean(*f[i].value == 'y')
                                   : f[i].type == VIREO_GUEST_FIELD_STRING ? json_object_new_string(f[i].value)
                                   : *f[i].value == '-' ? json_object_new_int64(strtoll(f[i].value, NULL, 10))
                                                        : json_object_new_uint64(strtoull(f[i].value, NULL, 10)));
        vr_cli_print_json(o);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%-20s: %s\n", f[i].key, f[i].value);
    }
    vireo_guest_fields_free(f, n);
    return VR_EXIT_OK;
}

/* ---- domfsinfo, domfsfreeze, domfsthaw, domfstrim ---- */

/* virsh's table; --json: the filesystems as the daemon answers them. */
static int run_domfsinfo(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool json = false;
    int rc;
    vireo_conn *c = vr_cli_begin_one(cli, &vr_cmd_domfsinfo, argc, argv, "json", &json, &name, &rc);
    if (!c)
        return rc;
    vireo_fs_info *fs = NULL;
    size_t n = 0;
    if (vireo_domain_fs_info(c, name, &fs, &n) < 0) {
        vr_cli_fail(c);
        vireo_disconnect(c);
        return VR_EXIT_FAIL;
    }
    vireo_disconnect(c);
    const char *h[] = {"Mountpoint", "Name", "Type", "Target"};
    vr_table *t = vr_table_new(4, h);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        /* Target: the domain's targets of its disks, as virsh joins them. */
        char targets[256] = "";
        for (size_t k = 0; k < fs[i].n_targets; k++)
            snprintf(targets + strlen(targets), sizeof(targets) - strlen(targets), "%s%s", k ? "," : "",
                     fs[i].targets[k]);
        const char *row[] = {fs[i].mountpoint, fs[i].name, fs[i].type, targets};
        vr_table_add(t, row);
        json_object_array_add(arr, vr_wire_to_json(&vr_wire_fs_info, &fs[i]));
    }
    vr_cli_print_list(json, arr, t);
    vireo_fs_info_free(fs, n);
    return VR_EXIT_OK;
}

#define MOUNTPOINTS_MAX 256

/* virsh's --mountpoint M (repeated, or M after the domain: its ARGV
 * option) as positionals: argv without each "--mountpoint" word (its
 * "=M" form split), in *copy (free()). */
static char **mountpoint_argv(int argc, char **argv, int *out_argc, char ***copy)
{
    char **v = vr_calloc((size_t)argc + 1, sizeof(char *));
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--mountpoint") == 0 && i + 1 < argc)
            continue; /* its value follows as a positional */
        v[n++] = i > 0 && strncmp(argv[i], "--mountpoint=", 13) == 0 ? argv[i] + 13 : argv[i];
    }
    *out_argc = n;
    *copy = v;
    return v;
}

/* domfsfreeze / domfsthaw DOMAIN [[--mountpoint] M]...: virsh's line. */
static int run_freeze_thaw(vr_cli *cli, const vr_command *cmd, int argc, char **argv, bool freeze)
{
    const char *pos[1 + MOUNTPOINTS_MAX] = {0}, *unused = NULL;
    bool has_mp = false;
    const vr_opt opts[] = {{"mountpoint", true, &has_mp, &unused}, {0}};
    char **copy = NULL;
    int n = 0, rc;
    char **args = mountpoint_argv(argc, argv, &n, &copy);
    vireo_conn *c = vr_cli_begin(cli, cmd, n, args, opts, pos, 1, VR_ARRAY_LEN(pos), &rc);
    size_t count = 0;
    while (count + 1 < VR_ARRAY_LEN(pos) && pos[count + 1])
        count++;
    if (c) {
        int done = freeze ? vireo_domain_fs_freeze(c, pos[0], pos + 1, count)
                          : vireo_domain_fs_thaw(c, pos[0], pos + 1, count);
        if (done < 0) {
            rc = vr_cli_fail(c);
        } else {
            printf("%s %d filesystem(s)\n", freeze ? "Froze" : "Thawed", done);
            rc = VR_EXIT_OK;
        }
        vireo_disconnect(c);
    }
    free(copy);
    return rc;
}

static int run_domfsfreeze(vr_cli *cli, int argc, char **argv)
{
    return run_freeze_thaw(cli, &vr_cmd_domfsfreeze, argc, argv, true);
}

static int run_domfsthaw(vr_cli *cli, int argc, char **argv)
{
    return run_freeze_thaw(cli, &vr_cmd_domfsthaw, argc, argv, false);
}

/* domfstrim DOMAIN [--minimum BYTES] [--mountpoint M]: silent, as virsh. */
static int run_domfstrim(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *minimum = NULL, *mountpoint = NULL;
    bool has_min = false, has_mp = false;
    const vr_opt opts[] = {{"minimum", true, &has_min, &minimum}, {"mountpoint", true, &has_mp, &mountpoint}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domfstrim, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    char *end = NULL;
    errno = 0;
    unsigned long long min = has_min ? strtoull(minimum, &end, 10) : 0;
    if (has_min && (!*minimum || *end || *minimum == '-' || errno)) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_domfstrim, "--minimum takes a number of bytes, not '%s'", minimum);
    }
    rc = vireo_domain_fs_trim(c, name, has_mp ? mountpoint : NULL, min) < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

/* ---- shutdown --mode agent ---- */

int vr_cli_agent_shutdown(vireo_conn *c, const char *name)
{
    json_object *ret = ask(c, name, "{\"execute\":\"guest-shutdown\",\"arguments\":{\"mode\":\"powerdown\"}}", 0);
    json_object_put(ret);
    return ret ? 0 : -1;
}

const vr_command vr_cmd_qemu_agent_command = {
    "qemu-agent-command", "Send a command (JSON) to QEMU's guest agent in the guest; print its answer.",
    "DOMAIN '{\"execute\":\"guest-info\"}' [--timeout SECONDS | --block] [--pretty]", run_agent_command};
const vr_command vr_cmd_domtime = {"domtime", "Show the guest's clock (guest agent); --sync, --now or --time set it.",
                                   "DOMAIN [--pretty] [--sync | --now | --time SECONDS]", run_domtime};
const vr_command vr_cmd_guestinfo = {
    "guestinfo", "Show what the guest agent reports (virsh's keys): users, OS, time zone, host name, filesystems, "
    "disks, interfaces; the kinds given, or all.",
    "DOMAIN [--user] [--os] [--timezone] [--hostname] [--filesystem] [--disk] [--interface] [--json]",
    run_guestinfo};
const vr_command vr_cmd_domfsinfo = {
    "domfsinfo", "List the guest's mounted filesystems and the domain's disks under them (guest agent).",
    "DOMAIN [--json]", run_domfsinfo};
const vr_command vr_cmd_domfsfreeze = {
    "domfsfreeze", "Freeze the guest's mounted filesystems, or those given (guest agent); domfsthaw thaws them.",
    "DOMAIN [--mountpoint MOUNTPOINT]...", run_domfsfreeze};
const vr_command vr_cmd_domfsthaw = {"domfsthaw", "Thaw the guest's frozen filesystems (guest agent).", "DOMAIN",
                                     run_domfsthaw};
const vr_command vr_cmd_domfstrim = {
    "domfstrim", "Discard the unused blocks of the guest's mounted filesystems (guest agent), extents under "
    "--minimum bytes skipped.",
    "DOMAIN [--minimum BYTES]", run_domfstrim};
