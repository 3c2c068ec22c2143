/* domif-setlink, domif-getlink and domiftune, as virsh: an interface's link state
 * and its bandwidth
 * (<link state='down'/>: the guest sees no carrier), named by its tap
 * (domiflist's Interface) or its MAC. */
#include "cli/cli.h"
#include "vireo/vireo.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int run_domif_setlink(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_domif_setlink;
    const char *pos[3] = {0};
    bool config = false;
    const vr_opt opts[] = {{"config", false, &config, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, 3, 3, &rc);
    if (!c)
        return rc;
    if (strcmp(pos[2], "up") != 0 && strcmp(pos[2], "down") != 0) {
        vireo_disconnect(c);
        return vr_cli_usage(cmd, "the state is up or down, not '%s'", pos[2]);
    }
    /* virsh: live on a running domain, the definition with --config */
    int r = vireo_domain_set_link(c, pos[0], pos[1], strcmp(pos[2], "down") == 0,
                                  config ? VIREO_AFFECT_CONFIG : 0);
    if (r == 0)
        printf("Device updated successfully\n");
    rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

/* The MAC of the interface whose tap is `iface`, else `iface` itself. */
static int run_domif_getlink(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_domif_getlink;
    const char *pos[2] = {0};
    bool config = false;
    const vr_opt opts[] = {{"config", false, &config, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    bool down = false;
    if (vireo_domain_get_link(c, pos[0], pos[1], config ? VIREO_AFFECT_CONFIG : 0, &down) < 0) {
        rc = vr_cli_fail(c);
    } else {
        printf("%s %s\n", pos[1], down ? "down" : "up");
        rc = VR_EXIT_OK;
    }
    vireo_disconnect(c);
    return rc;
}

/* virsh's AVG[,PEAK[,BURST[,FLOOR]]]: up to `max` numbers; 0 when it is
 * one, else -1. */
static int parse_rate(const char *text, size_t max, vireo_bandwidth *r)
{
    unsigned long long *f[] = {&r->average, &r->peak, &r->burst, &r->floor};
    const char *p = text;
    for (size_t k = 0; k < max; k++) {
        char *end;
        if (*p < '0' || *p > '9')
            return -1;
        *f[k] = strtoull(p, &end, 10);
        if (*end == '\0')
            return 0;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
    return -1;
}

static void print_rate(const char *dir, const vireo_bandwidth *r, bool floor)
{
    const char *names[] = {"average", "peak", "burst", "floor"};
    unsigned long long v[] = {r->average, r->peak, r->burst, r->floor};
    for (size_t k = 0; k < (floor ? 4u : 3u); k++) {
        char *field = vr_asprintf("%s.%s", dir, names[k]);
        printf("%-15s: %llu\n", field, v[k]);
        free(field);
    }
}

static int run_domiftune(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_domiftune;
    const char *pos[2] = {0}, *inbound = NULL, *outbound = NULL;
    bool live = false, config = false, current = false, has_in = false, has_out = false, json = false;
    const vr_opt opts[] = {{"live", false, &live, NULL}, {"config", false, &config, NULL},
                           {"current", false, &current, NULL}, {"inbound", true, &has_in, &inbound},
                           {"outbound", true, &has_out, &outbound}, {"json", false, &json, NULL}, {0}};
    int rc;
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 2, 2, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (current && (live || config))
        return vr_cli_usage(cmd, "--current goes with neither --live nor --config");
    if (live && config && !has_in && !has_out)
        return vr_cli_usage(cmd, "show either --live or --config values, not both");
    if (json && (has_in || has_out))
        return vr_cli_error("error: --json shows the values; give it without --inbound and --outbound"),
               VR_EXIT_USAGE;
    vireo_bandwidth in = {0}, out = {0};
    /* one line, as every refusal of a value */
    if (has_in && parse_rate(inbound, 4, &in) < 0)
        return vr_cli_error("error: --inbound is AVERAGE[,PEAK[,BURST[,FLOOR]]] (KiB/s, KiB), not '%s'",
                            inbound), VR_EXIT_USAGE;
    if (has_out && parse_rate(outbound, 3, &out) < 0)
        return vr_cli_error("error: --outbound is AVERAGE[,PEAK[,BURST]] (KiB/s, KiB), not '%s'", outbound),
               VR_EXIT_USAGE;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    if (has_in || has_out) {
        unsigned flags = (live ? VIREO_AFFECT_LIVE : 0) | (config ? VIREO_AFFECT_CONFIG : 0);
        rc = vireo_domain_set_iftune(c, pos[0], pos[1], has_in ? &in : NULL, has_out ? &out : NULL, flags) < 0
                 ? vr_cli_fail(c) : VR_EXIT_OK;
    } else {
        /* virsh: the live values of a running domain, else (or --config) the definition's */
        if (vireo_domain_get_iftune(c, pos[0], pos[1], config ? VIREO_AFFECT_CONFIG : 0, &in, &out) < 0) {
            rc = vr_cli_fail(c);
        } else if (json) {
            vireo_iftune t = {in, out};
            vr_cli_print_json(vr_wire_to_json(&vr_wire_iftune, &t));
            rc = VR_EXIT_OK;
        } else {
            print_rate("inbound", &in, true);
            print_rate("outbound", &out, false);
            rc = VR_EXIT_OK;
        }
    }
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_domif_setlink = {
    "domif-setlink", "Set an interface's link up or down (the guest sees its carrier come or go).",
    "DOMAIN INTERFACE up|down [--config]", run_domif_setlink};
const vr_command vr_cmd_domif_getlink = {
    "domif-getlink", "Show an interface's link state (INTERFACE: its tap, as domiflist shows, or its MAC).",
    "DOMAIN INTERFACE [--config]", run_domif_getlink};
const vr_command vr_cmd_domiftune = {
    "domiftune", "Show or set an interface's bandwidth (<bandwidth>: KiB/s, burst in KiB; 0 removes a direction).",
    "DOMAIN INTERFACE [--inbound AVERAGE[,PEAK[,BURST[,FLOOR]]]] [--outbound AVERAGE[,PEAK[,BURST]]] "
    "[--live] [--config] [--current] [--json]", run_domiftune};
