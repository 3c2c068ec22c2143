/* domblkstat and domifstat: a running domain's I/O counters as virsh
 * prints them, from the daemon's stats (QMP query-blockstats for disks,
 * the taps' counters for interfaces). */
#include "cli/cli.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* The stats of a running domain, or NULL after printing why. */
static json_object *stats(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const vr_opt *opts,
                          const char **pos, size_t min, int *rc)
{
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, min, 2, rc);
    if (!c)
        return NULL;
    char *s = vireo_domain_stats_json(c, pos[0]);
    json_object *o = s ? json_tokener_parse(s) : NULL, *st = NULL;
    if (!o) {
        *rc = vr_cli_fail(c);
    } else if (!json_object_object_get_ex(o, "cpu_time_ns", &st)) {
        *rc = vr_cli_error("error: domain '%s' is not running; its counters exist only while it runs", pos[0]);
        json_object_put(o);
        o = NULL;
    }
    free(s);
    vireo_disconnect(c);
    return o;
}

static long long get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

static int run_domblkstat(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    bool human = false;
    const vr_opt opts[] = {{"human", false, &human, NULL}, {0}};
    int rc;
    json_object *o = stats(cli, &vr_cmd_domblkstat, argc, argv, opts, pos, 1, &rc), *block = NULL;
    if (!o)
        return rc;
    json_object_object_get_ex(o, "block", &block);
    /* One disk by target, else the sum of all (virsh does the same). */
    long long sum[5] = {0};
    static const char *const keys[] = {"rd_operations", "rd_bytes", "wr_operations", "wr_bytes", "flush_operations"};
    static const char *const names[] = {"rd_req", "rd_bytes", "wr_req", "wr_bytes", "flush_operations"};
    static const char *const human_names[] = {"number of read operations:", "number of bytes read:",
                                              "number of write operations:", "number of bytes written:",
                                              "number of flush operations:"};
    bool found = false;
    for (size_t i = 0; block && i < json_object_array_length(block); i++) {
        json_object *d = json_object_array_get_idx(block, i);
        if (pos[1] && strcmp(str(d, "target"), pos[1]) != 0)
            continue;
        found = true;
        for (size_t k = 0; k < 5; k++)
            sum[k] += get(d, keys[k]);
    }
    if (pos[1] && !found) {
        json_object_put(o);
        return vr_cli_error("error: domain '%s' has no disk '%s' (domblklist shows its targets)", pos[0], pos[1]);
    }
    if (human)
        printf("Device: %s\n", pos[1] ? pos[1] : "");
    for (size_t k = 0; k < 5; k++) {
        if (human)
            printf("%-28s %lld\n", human_names[k], sum[k]);
        else
            printf("%s %s %lld\n", pos[1] ? pos[1] : "", names[k], sum[k]);
    }
    json_object_put(o);
    return VR_EXIT_OK;
}

static int run_domifstat(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    json_object *o = stats(cli, &vr_cmd_domifstat, argc, argv, NULL, pos, 2, &rc), *net = NULL;
    if (!o)
        return rc;
    json_object_object_get_ex(o, "net", &net);
    json_object *hit = NULL;
    /* The tap's name (vnet0) or the guest's MAC, as virsh takes either. */
    for (size_t i = 0; net && i < json_object_array_length(net) && !hit; i++) {
        json_object *d = json_object_array_get_idx(net, i);
        if (strcmp(str(d, "interface"), pos[1]) == 0 || strcasecmp(str(d, "mac"), pos[1]) == 0)
            hit = d;
    }
    if (!hit) {
        json_object_put(o);
        return vr_cli_error("error: domain '%s' has no interface '%s' with counters (give its tap or MAC from "
                            "domiflist; user-mode interfaces have none)", pos[0], pos[1]);
    }
    static const char *const keys[] = {"rx_bytes", "rx_packets", "rx_errs", "rx_drop",
                                       "tx_bytes", "tx_packets", "tx_errs", "tx_drop"};
    for (size_t k = 0; k < 8; k++)
        printf("%s %s %lld\n", str(hit, "interface"), keys[k], get(hit, keys[k]));
    json_object_put(o);
    return VR_EXIT_OK;
}

const vr_command vr_cmd_domblkstat = {
    "domblkstat", "A running domain's disk I/O counters: one disk by target, or all summed.",
    "DOMAIN [TARGET] [--human]", run_domblkstat};
const vr_command vr_cmd_domifstat = {
    "domifstat", "A running domain's interface counters (by its tap or MAC).", "DOMAIN INTERFACE", run_domifstat};
