/* vireo osinfo-query os: the OS variants `install --os-variant` takes,
 * as libosinfo's osinfo-query lists them (its columns, Vireo's defaults
 * beside). Filters as osinfo-query's: short-id=ID, family=F. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vireo/vireo.h>

/* The daemon's table (its host's libosinfo, so a remote host's list),
 * in osinfo-query's columns and then the devices an install takes. */
int vr_cli_os_variants(vr_cli *cli, const char *short_id, const char *family)
{
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    vireo_os_variant *v;
    size_t n;
    if (vireo_os_variant_list(c, short_id, &v, &n) < 0) {
        int rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    vireo_disconnect(c);
    printf(" %-20s | %-44s | %-7s | %-8s | %-6s | %s\n", "Short ID", "Name", "Family", "Memory", "Disk", "Devices");
    for (int i = 0; i < 118; i++)
        putchar('-');
    putchar('\n');
    for (size_t i = 0; i < n; i++) {
        const vireo_os_variant *o = &v[i];
        if (family && strcmp(family, o->family) != 0)
            continue;
        char mem[16], disk[16];
        snprintf(mem, sizeof(mem), "%u MiB", o->memory_mib);
        snprintf(disk, sizeof(disk), "%u G", o->disk_gib);
        printf(" %-20s | %-44s | %-7s | %-8s | %-6s | %s %s%s\n", o->id, o->name, o->family, mem, disk,
               o->machine ? o->machine : "",
               o->virtio                             ? "virtio"
               : strcmp(o->family, "windows") == 0   ? "sata+e1000e"
                                                     : "ide+e1000",
               o->uefi ? " uefi" : "");
    }
    vireo_os_variant_list_free(v, n);
    return VR_EXIT_OK;
}

static int run(vr_cli *cli, int argc, char **argv)
{
    const char *pos[3] = {0};
    size_t npos;
    int r = vr_cli_parse(&vr_cmd_osinfo_query, argc, argv, NULL, pos, 1, 3, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (strcmp(pos[0], "os") != 0)
        return vr_cli_usage(&vr_cmd_osinfo_query, "only the 'os' type is listed, not '%s'", pos[0]);
    const char *short_id = NULL, *family = NULL;
    for (size_t i = 1; i < npos; i++) {
        if (strncmp(pos[i], "short-id=", 9) == 0)
            short_id = pos[i] + 9;
        else if (strncmp(pos[i], "family=", 7) == 0)
            family = pos[i] + 7;
        else
            return vr_cli_usage(&vr_cmd_osinfo_query, "unknown filter '%s' (short-id=ID or family=linux|windows|other)",
                                pos[i]);
    }
    return vr_cli_os_variants(cli, short_id, family);
}

const vr_command vr_cmd_osinfo_query = {
    "osinfo-query",
    "List the OS variants install knows (libosinfo's osinfo-query os), with their defaults.",
    "os [short-id=ID] [family=linux|windows|other]",
    run,
};
