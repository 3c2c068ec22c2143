/* vireo clone: virt-clone's job, with its flags. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static int run(vr_cli *cli, int argc, char **argv)
{
    /* --file may be given once per disk: collect them before the
     * generic parser, which keeps only the last value of an option. */
    const char **files = vr_calloc((size_t)argc + 1, sizeof(*files));
    char **rest = vr_calloc((size_t)argc + 1, sizeof(*rest));
    size_t nfiles = 0;
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        if ((strcmp(argv[i], "--file") == 0 || strcmp(argv[i], "-f") == 0) && i + 1 < argc)
            files[nfiles++] = argv[++i];
        else if (vr_str_starts(argv[i], "--file="))
            files[nfiles++] = argv[i] + 7;
        else
            rest[nrest++] = argv[i];
    }
    const char *original = NULL, *name = NULL, *from_template = NULL;
    bool auto_clone = false, linked = false, print_xml = false;
    const vr_opt opts[] = {{"original", true, NULL, &original}, {"o", true, NULL, &original},
                           {"name", true, NULL, &name}, {"n", true, NULL, &name},
                           {"from-template", true, NULL, &from_template},
                           {"auto-clone", false, &auto_clone, NULL}, {"linked", false, &linked, NULL},
                           {"print-xml", false, &print_xml, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(&vr_cmd_clone, nrest, rest, opts, NULL, 0, 0, &npos);
    int rc = VR_EXIT_OK;
    if (r) {
        rc = r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    } else if (original && from_template) {
        rc = vr_cli_usage(&vr_cmd_clone, "--original and --from-template name the same thing: give one");
    } else if (!original && !from_template) {
        rc = vr_cli_usage(&vr_cmd_clone, "--original NAME (or --from-template TEMPLATE) is required");
    } else if (!name) {
        rc = vr_cli_usage(&vr_cmd_clone, "--name NEW is required (virt-clone's --auto-clone naming "
                          "of the domain is not done: say the name)");
    }
    if (r || rc) {
        free(files);
        free(rest);
        return rc;
    }
    vireo_conn *c = vr_cli_connect(cli);
    if (!c) {
        free(files);
        free(rest);
        return VR_EXIT_FAIL;
    }
    unsigned flags = (auto_clone ? VIREO_CLONE_AUTO : 0) | (linked ? VIREO_CLONE_LINKED : 0) |
                     (from_template ? VIREO_CLONE_FROM_TEMPLATE : 0);
    if (from_template)
        original = from_template;
    int id = vireo_domain_clone(c, original, name, files, nfiles, flags);
    if (id < 0) {
        rc = vr_cli_fail(c);
    } else {
        char *label = vr_asprintf("Cloning %s", original);
        rc = vr_cli_wait_job(c, id, label, NULL);
        free(label);
        if (rc == VR_EXIT_OK)
            printf("Clone '%s' created successfully.\n", name);
    }
    vireo_disconnect(c);
    free(files);
    free(rest);
    return rc;
}

const vr_command vr_cmd_clone = {
    "clone",
    "Clone a shut off (or paused) domain: new uuid and MACs, disks copied (or --linked overlays); "
    "--from-template makes linked clones of a template.",
    "--original NAME | --from-template TEMPLATE --name NEW [--auto-clone] [--linked] [--file PATH]...",
    run,
};
