/* blkdeviotune, as virsh: a disk's I/O limits (<iotune>, QEMU's
 * throttling). Its options are libvirt's names with dashes (virsh's
 * underscores too), one per field of the "block iotune" schema; with
 * none, the values print as virsh prints them, field by field in
 * libvirt's order. */
#include "cli/cli.h"
#include "vireo/vireo.h"
#include "common/util.h"
#include "conf/units.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_FIELDS = 24 };

/* --total-bytes-sec 2M: bytes take virsh's scaled integers (default
 * bytes), the others a plain number; -1 after saying why. */
static int parse_value(const char *opt, const char *text, unsigned long long *out)
{
    char *err = NULL;
    bool bytes = strstr(opt, "bytes") && !strstr(opt, "length");
    if (bytes && vr_size_parse(text, 1, out, &err) == 0)
        return 0;
    if (!bytes && text[0] >= '0' && text[0] <= '9' && vr_size_parse(text, 1, out, &err) == 0 &&
        strspn(text, "0123456789") == strlen(text))
        return 0;
    vr_cli_error("error: --%s takes a whole number%s (0 removes the limit), not '%s'", opt,
                 bytes ? " of bytes per second, scaled like 2M" : "", text);
    free(err);
    return -1;
}

static int run_blkdeviotune(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_blkdeviotune;
    const vr_wire_schema *s = &vr_wire_block_iotune;
    const char *pos[2] = {0}, *values[MAX_FIELDS] = {0};
    bool given[MAX_FIELDS] = {0}, live = false, config = false, current = false;
    char *dashed[MAX_FIELDS] = {0};
    vr_opt opts[2 * MAX_FIELDS + 4] = {0};
    size_t n = 0;
    for (size_t i = 0; i < s->n_fields && i < MAX_FIELDS; i++) {
        dashed[i] = vr_strdup(s->fields[i].key);
        for (char *p = dashed[i]; *p; p++)
            *p = *p == '_' ? '-' : *p;
        opts[n++] = (vr_opt){dashed[i], true, &given[i], &values[i]};
        opts[n++] = (vr_opt){s->fields[i].key, true, &given[i], &values[i]};
    }
    opts[n++] = (vr_opt){"live", false, &live, NULL};
    opts[n++] = (vr_opt){"config", false, &config, NULL};
    opts[n++] = (vr_opt){"current", false, &current, NULL};
    vireo_block_iotune t = {0};
    const char *names[MAX_FIELDS];
    size_t n_names = 0, npos;
    int rc = vr_cli_parse(cmd, argc, argv, opts, pos, 2, 2, &npos);
    if (rc)
        rc = rc < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    else if (current && (live || config))
        rc = vr_cli_usage(cmd, "--current goes with neither --live nor --config");
    for (size_t i = 0; i < s->n_fields && i < MAX_FIELDS && !rc; i++) {
        if (!given[i])
            continue;
        names[n_names++] = s->fields[i].key;
        unsigned long long v = 0;
        if (s->fields[i].kind == VR_WIRE_STR)
            t.group_name = (char *)values[i];
        else if (parse_value(dashed[i], values[i], &v) < 0)
            rc = VR_EXIT_USAGE;
        else
            vr_wire_set_int(&s->fields[i], &t, (long long)v);
    }
    if (!rc && live && config && !n_names)
        rc = vr_cli_usage(cmd, "show either the --live or the --config values, not both");
    vireo_conn *c = rc ? NULL : vr_cli_begin(cli, cmd, argc, argv, opts, pos, 2, 2, &rc);
    unsigned flags = (live ? VIREO_AFFECT_LIVE : 0) | (config ? VIREO_AFFECT_CONFIG : 0);
    if (c && n_names) {
        rc = vireo_domain_set_block_iotune(c, pos[0], pos[1], &t, names, n_names, flags) < 0 ? vr_cli_fail(c)
                                                                                              : VR_EXIT_OK;
    } else if (c) {
        /* virsh: the live values of a running domain, else (or --config) the definition's */
        vireo_block_iotune now = {0};
        if (vireo_domain_get_block_iotune(c, pos[0], pos[1], config ? VIREO_AFFECT_CONFIG : 0, &now) < 0) {
            rc = vr_cli_fail(c);
        } else {
            json_object *o = vr_wire_to_json(s, &now), *v = NULL;
            for (size_t i = 0; i < s->n_fields; i++) {
                json_object_object_get_ex(o, s->fields[i].key, &v);
                printf("%-15s: %s\n", s->fields[i].key, v ? json_object_get_string(v) : "");
            }
            json_object_put(o);
            vireo_block_iotune_clear(&now);
            rc = VR_EXIT_OK;
        }
    }
    if (c)
        vireo_disconnect(c);
    for (size_t i = 0; i < MAX_FIELDS; i++)
        free(dashed[i]);
    return rc;
}

const vr_command vr_cmd_blkdeviotune = {
    "blkdeviotune",
    "Show or set a disk's I/O limits (<iotune>: bytes and operations per second, bursts, a group sharing "
    "them; 0 removes one).",
    "DOMAIN DEVICE [--total-bytes-sec N] [--read-bytes-sec N] [--write-bytes-sec N] [--total-iops-sec N] "
    "[--read-iops-sec N] [--write-iops-sec N] [--total-bytes-sec-max N] [--read-bytes-sec-max N] "
    "[--write-bytes-sec-max N] [--total-iops-sec-max N] [--read-iops-sec-max N] [--write-iops-sec-max N] "
    "[--size-iops-sec N] [--group-name NAME] [--total-bytes-sec-max-length SECONDS] "
    "[--read-bytes-sec-max-length SECONDS] [--write-bytes-sec-max-length SECONDS] "
    "[--total-iops-sec-max-length SECONDS] [--read-iops-sec-max-length SECONDS] "
    "[--write-iops-sec-max-length SECONDS] [--live] [--config] [--current]",
    run_blkdeviotune};
