/* Commands that ask QEMU's guest agent inside the guest, as virsh's do:
 * qemu-agent-command, domtime, guestinfo, domfsinfo, and the agent's
 * halves of domifaddr (--source agent) and shutdown (--mode agent).
 * Each is one agent command through vireo_domain_agent_json. */
#include "cli/cli.h"
#include "common/util.h"
#include <vireo/vireo.h>

#include <json-c/json.h>
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

/* The same for what a guest may not offer (an agent without that
 * command, a guest without /etc/os-release): NULL, nothing printed. */
static json_object *ask_optional(vireo_conn *c, const char *name, const char *command)
{
    char *text = vireo_domain_agent_json(c, name, command, 0);
    if (!text)
        return NULL;
    json_object *o = json_tokener_parse(text);
    free(text);
    return o ? o : json_object_new_object();
}

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
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

static void field(const char *key, const char *value)
{
    if (value)
        printf("%-20s: %s\n", key, value);
}

static int run_guestinfo(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_guestinfo, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    /* virsh's keys. The agent's version first: it fails when no agent
     * answers, and the rest is not asked then. */
    json_object *info = ask(c, name, "{\"execute\":\"guest-info\"}", 0);
    if (!info) {
        vireo_disconnect(c);
        return VR_EXIT_FAIL;
    }
    field("agent.version", str(info, "version"));
    json_object_put(info);
    json_object *host = ask_optional(c, name, "{\"execute\":\"guest-get-host-name\"}");
    field("hostname", host ? str(host, "host-name") : NULL);
    json_object_put(host);
    json_object *os = ask_optional(c, name, "{\"execute\":\"guest-get-osinfo\"}");
    static const char *const os_keys[][2] = {
        {"os.id", "id"}, {"os.name", "name"}, {"os.pretty-name", "pretty-name"},
        {"os.version", "version"}, {"os.kernel-release", "kernel-release"},
        {"os.kernel-version", "kernel-version"}, {"os.machine", "machine"}};
    for (size_t i = 0; os && i < VR_ARRAY_LEN(os_keys); i++)
        field(os_keys[i][0], str(os, os_keys[i][1]));
    json_object_put(os);
    json_object *tz = ask_optional(c, name, "{\"execute\":\"guest-get-timezone\"}");
    if (tz) {
        field("timezone.name", str(tz, "zone"));
        field("timezone.offset", str(tz, "offset"));
    }
    json_object_put(tz);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

/* ---- domfsinfo ---- */

static int run_domfsinfo(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool json = false;
    int rc;
    vireo_conn *c = vr_cli_begin_one(cli, &vr_cmd_domfsinfo, argc, argv, "json", &json, &name, &rc);
    if (!c)
        return rc;
    json_object *ret = ask(c, name, "{\"execute\":\"guest-get-fsinfo\"}", 0);
    vireo_disconnect(c);
    if (!ret)
        return VR_EXIT_FAIL;
    if (json) {
        vr_cli_print_json(ret);
        return VR_EXIT_OK;
    }
    const char *h[] = {"Mountpoint", "Name", "Type", "Target"};
    vr_table *t = vr_table_new(4, h);
    size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *fs = json_object_array_get_idx(ret, i), *disks = NULL;
        /* Target: the disks' device names as the guest sees them. */
        char targets[256] = "";
        if (json_object_object_get_ex(fs, "disk", &disks))
            for (size_t k = 0; k < json_object_array_length(disks); k++) {
                const char *dev = str(json_object_array_get_idx(disks, k), "dev");
                if (dev)
                    snprintf(targets + strlen(targets), sizeof(targets) - strlen(targets), "%s%s",
                             *targets ? "," : "", dev);
            }
        const char *row[] = {str(fs, "mountpoint") ? str(fs, "mountpoint") : "-",
                             str(fs, "name") ? str(fs, "name") : "-", str(fs, "type") ? str(fs, "type") : "-",
                             *targets ? targets : "-"};
        vr_table_add(t, row);
    }
    vr_table_print(t, stdout);
    vr_table_free(t);
    json_object_put(ret);
    return VR_EXIT_OK;
}

/* ---- domifaddr --source agent ---- */

int vr_cli_agent_ifaddr(vireo_conn *c, const char *name, bool json)
{
    json_object *ret = ask(c, name, "{\"execute\":\"guest-network-get-interfaces\"}", 0);
    if (!ret)
        return VR_EXIT_FAIL;
    const char *h[] = {"Name", "MAC address", "Protocol", "Address"};
    vr_table *t = vr_table_new(4, h);
    json_object *arr = json_object_new_array();
    size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *ifc = json_object_array_get_idx(ret, i), *ips = NULL;
        const char *ifname = str(ifc, "name"), *mac = str(ifc, "hardware-address");
        if (ifname && strcmp(ifname, "lo") == 0)
            continue; /* virsh leaves the loopback out too */
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        json_object_object_add(o, "interface", ifname ? json_object_new_string(ifname) : NULL);
        json_object_object_add(o, "mac", mac ? json_object_new_string(mac) : NULL);
        bool any = false;
        if (json_object_object_get_ex(ifc, "ip-addresses", &ips))
            for (size_t k = 0; k < json_object_array_length(ips); k++) {
                json_object *ip = json_object_array_get_idx(ips, k), *prefix = NULL;
                json_object_object_get_ex(ip, "prefix", &prefix);
                char addr[80];
                snprintf(addr, sizeof(addr), "%s/%d", str(ip, "ip-address") ? str(ip, "ip-address") : "?",
                         prefix ? json_object_get_int(prefix) : 0);
                const char *type = str(ip, "ip-address-type");
                const char *row[] = {any ? "-" : ifname ? ifname : "-", any ? "-" : mac ? mac : "-",
                                     type ? type : "-", addr};
                vr_table_add(t, row);
                json_object_array_add(a, json_object_new_string(addr));
                any = true;
            }
        json_object_object_add(o, "addresses", a);
        json_object_array_add(arr, o);
    }
    vr_cli_print_list(json, arr, t);
    json_object_put(ret);
    return VR_EXIT_OK;
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
const vr_command vr_cmd_guestinfo = {"guestinfo", "Show what the guest agent reports: its version, host name, OS, time zone.",
                                     "DOMAIN", run_guestinfo};
const vr_command vr_cmd_domfsinfo = {"domfsinfo", "List the guest's mounted filesystems (guest agent).",
                                     "DOMAIN [--json]", run_domfsinfo};
