/* Memory: setmem, setmaxmem, dommemstat, as virsh has them. Sizes take
 * virsh's units and, as there, mean KiB without one. virsh prints
 * nothing when setmem or setmaxmem succeeds; neither does vireo. */
#include "cli/cli.h"
#include "conf/units.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* DOMAIN SIZE [--live] [--config] [--current] (or virsh's --size SIZE):
 * the size in KiB, rounded up as virsh does, and the flags; connected.
 * NULL with *rc set when the command should end. */
static vireo_conn *memory_begin(vr_cli *cli, const vr_command *cmd, int argc, char **argv,
                                const char **name, unsigned long long *kib, unsigned *flags, int *rc)
{
    const char *pos[2] = {0}, *size = NULL;
    bool live = false, config = false, current = false, has_size = false;
    const vr_opt opts[] = {{"live", false, &live, NULL}, {"config", false, &config, NULL},
                           {"current", false, &current, NULL}, {"size", true, &has_size, &size}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 2, &npos);
    if (r) {
        *rc = r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
        return NULL;
    }
    if ((npos == 2) == has_size) {
        *rc = vr_cli_usage(cmd, has_size ? "give the size once" : "missing SIZE");
        return NULL;
    }
    if (current && (live || config)) {
        *rc = vr_cli_usage(cmd, "--current goes with neither --live nor --config");
        return NULL;
    }
    unsigned long long bytes;
    char *err = NULL;
    if (vr_size_parse(has_size ? size : pos[1], 1024, &bytes, &err) < 0) {
        *rc = vr_cli_error("error: SIZE %s", err);
        free(err);
        return NULL;
    }
    *name = pos[0];
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    *flags = (live ? VIREO_MEM_LIVE : 0) | (config ? VIREO_MEM_CONFIG : 0);
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        *rc = VR_EXIT_FAIL;
    return c;
}

/* setmem and setmaxmem differ only in the libvireo call. */
static int set_memory(vr_cli *cli, const vr_command *cmd, int argc, char **argv,
                      int (*call)(vireo_conn *, const char *, unsigned long long, unsigned))
{
    const char *name = NULL;
    unsigned long long kib;
    unsigned flags;
    int rc;
    vireo_conn *c = memory_begin(cli, cmd, argc, argv, &name, &kib, &flags, &rc);
    if (!c)
        return rc;
    rc = call(c, name, kib, flags) < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

static int run_setmem(vr_cli *cli, int argc, char **argv)
{
    return set_memory(cli, &vr_cmd_setmem, argc, argv, vireo_domain_set_memory);
}

static int run_setmaxmem(vr_cli *cli, int argc, char **argv)
{
    return set_memory(cli, &vr_cmd_setmaxmem, argc, argv, vireo_domain_set_max_memory);
}

static long long member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : -1;
}

/* virsh's lines for what QEMU reports without a stats period: the
 * balloon's actual size and QEMU's resident memory, in KiB. */
static int run_dommemstat(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_dommemstat, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    char *s = vireo_domain_stats_json(c, name);
    json_object *o = s ? json_tokener_parse(s) : NULL, *st = NULL;
    if (!s) {
        rc = vr_cli_fail(c);
    } else if (!json_object_object_get_ex(o, "state", &st) ||
               strcmp(json_object_get_string(st), "shut off") == 0) {
        rc = vr_cli_error("error: domain '%s' is not running", name);
    } else {
        printf("actual %lld\n", member(o, "memory_current_kib"));
        if (member(o, "memory_rss_kib") >= 0)
            printf("rss %lld\n", member(o, "memory_rss_kib"));
        rc = VR_EXIT_OK;
    }
    json_object_put(o);
    free(s);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_setmem = {
    "setmem", "Change a domain's current memory, the balloon target (SIZE in KiB, or with a unit: 160M, 1G).",
    "DOMAIN SIZE [--live] [--config] [--current]", run_setmem};
const vr_command vr_cmd_setmaxmem = {
    "setmaxmem", "Change a domain's maximum memory (<memory>) for its next start (SIZE as setmem's).",
    "DOMAIN SIZE [--config] [--live] [--current]", run_setmaxmem};
const vr_command vr_cmd_dommemstat = {
    "dommemstat", "Show a running domain's memory: the balloon's actual size and QEMU's resident set (KiB).",
    "DOMAIN", run_dommemstat};
