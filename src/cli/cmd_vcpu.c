/* vCPUs and disk sizes of a running domain: setvcpus, vcpucount,
 * blockresize, as virsh has them (setvcpus prints nothing when it
 * succeeds; neither does vireo). */
#include "cli/cli.h"
#include "conf/units.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

static int run_setvcpus(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_setvcpus;
    const char *pos[1] = {0}, *count = NULL;
    bool has_count = false, live = false, config = false, current = false, maximum = false, guest = false;
    const vr_opt opts[] = {{"count", true, &has_count, &count, true}, {"live", false, &live, NULL},
                           {"config", false, &config, NULL}, {"current", false, &current, NULL},
                           {"maximum", false, &maximum, NULL}, {"guest", false, &guest, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (!count)
        return vr_cli_usage(cmd, "missing COUNT");
    if (guest)
        return vr_cli_usage(cmd, "--guest (through the guest agent) is not supported; the guest onlines a "
                                 "hot-plugged CPU itself");
    if (current && (live || config))
        return vr_cli_usage(cmd, "--current goes with neither --live nor --config");
    if (maximum && !config)
        return vr_cli_usage(cmd, "--maximum goes with --config (the maximum applies at the next start)");
    char *end;
    unsigned long n = strtoul(count, &end, 10);
    if (!*count || *end || n == 0 || n > 255)
        return vr_cli_usage(cmd, "COUNT '%s': a number of vCPUs from 1 to 255", count);
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    unsigned flags = (live ? VIREO_AFFECT_LIVE : 0) | (config ? VIREO_AFFECT_CONFIG : 0) |
                     (maximum ? VIREO_VCPU_MAXIMUM : 0);
    int rc = vireo_domain_set_vcpus(c, pos[0], (unsigned)n, flags) < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

/* virsh's table: maximum/current x config/live, the rows a domain has. */
static int run_vcpucount(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    bool json = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vcpucount, argc, argv, opts, pos, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vcpu_count o;
    if (vireo_domain_vcpu_count(c, pos[0], &o) < 0) {
        rc = vr_cli_fail(c);
    } else if (json) {
        vr_cli_print_json(vr_wire_to_json(&vr_wire_vcpu_count, &o));
        rc = VR_EXIT_OK;
    } else {
        const struct {
            int n;
            const char *which, *side;
        } rows[] = {{o.maximum_config, "maximum", "config"},
                    {o.maximum_live, "maximum", "live"},
                    {o.current_config, "current", "config"},
                    {o.current_live, "current", "live"}};
        for (size_t i = 0; i < 4; i++)
            if (rows[i].n >= 0)
                printf("%-12s %-12s %3d\n", rows[i].which, rows[i].side, rows[i].n);
        rc = VR_EXIT_OK;
    }
    vireo_disconnect(c);
    return rc;
}

static int run_blockresize(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_blockresize;
    const char *pos[1] = {0}, *path = NULL, *size = NULL;
    bool b[2] = {0};
    const vr_opt opts[] = {{"path", true, &b[0], &path, true}, {"size", true, &b[1], &size, true}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (!path || !size)
        return vr_cli_usage(cmd, "missing %s", !path ? "PATH" : "SIZE");
    unsigned long long bytes;
    char *err = NULL;
    /* virsh: a number without a unit is KiB. */
    if (vr_size_parse(size, 1024, &bytes, &err) < 0) {
        r = vr_cli_error("error: SIZE %s", err);
        free(err);
        return r;
    }
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = vireo_domain_block_resize(c, pos[0], path, bytes);
    if (r == 0)
        printf("Block device '%s' is resized\n", path);
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_setvcpus = {
    "setvcpus", "Change a domain's vCPUs: live (CPU hot-plug), for its next start, or its maximum.",
    "DOMAIN COUNT [--live] [--config] [--current] [--maximum]", run_setvcpus};
const vr_command vr_cmd_vcpucount = {
    "vcpucount", "A domain's vCPU counts: maximum and current, in its definition and live.",
    "DOMAIN [--json]", run_vcpucount};
const vr_command vr_cmd_blockresize = {
    "blockresize", "Grow a running domain's disk (SIZE in KiB, or with a unit: 3G); the guest sees it at once.",
    "DOMAIN TARGET|PATH SIZE", run_blockresize};
