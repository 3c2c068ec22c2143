/* vireo osinfo-query os: the OS variants `install --os-variant` takes,
 * as libosinfo's osinfo-query lists them (its columns, Vireo's defaults
 * beside). Filters as osinfo-query's: short-id=ID, family=F. */
#include "cli/cli.h"
#include "install/install_plan.h"

#include <stdlib.h>
#include <string.h>

static int run(vr_cli *cli, int argc, char **argv)
{
    (void)cli;
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
    if (!vr_osinfo_print_matching(stdout, short_id, family) && short_id) {
        char *close = vr_osinfo_close_matches(short_id);
        int rc = vr_cli_error("error: no OS variant '%s'%s%s", short_id, close ? "; close matches: " : "",
                              close ? close : "");
        free(close);
        return rc;
    }
    return VR_EXIT_OK;
}

const vr_command vr_cmd_osinfo_query = {
    "osinfo-query",
    "List the OS variants install knows (libosinfo's osinfo-query os), with their defaults.",
    "os [short-id=ID] [family=linux|windows|other]",
    run,
};
