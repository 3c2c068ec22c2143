/* vireo list: the domains, as virsh lists them. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static int run(vr_cli *cli, int argc, char **argv)
{
    bool all = false, inactive = false, name = false, uuid = false, json = false, title = false;
    const vr_opt opts[] = {
        {"all", false, &all, NULL}, {"inactive", false, &inactive, NULL},
        {"name", false, &name, NULL}, {"uuid", false, &uuid, NULL},
        {"json", false, &json, NULL}, {"title", false, &title, NULL}, {0},
    };
    size_t npos;
    int rc = vr_cli_parse(&vr_cmd_list, argc, argv, opts, NULL, 0, 0, &npos);
    if (rc)
        return rc < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    vireo_domain *doms;
    size_t n;
    if (vireo_domain_list(c, &doms, &n) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    json_object *arr = json ? json_object_new_array() : NULL;
    const char *headers[] = {"Id", "Name", "State", "Title"};
    vr_table *t = vr_table_new(title ? 4 : 3, headers);
    for (size_t i = 0; i < n; i++) {
        const vireo_domain *d = &doms[i];
        bool active = strcmp(d->state, "shut off") != 0;
        if ((inactive && active) || (!inactive && !all && !active))
            continue;
        if (json) {
            json_object_array_add(arr, vr_wire_to_json(&vr_wire_domain, d));
        } else if (name || uuid) {
            if (name && uuid)
                printf("%-36s  %s\n", d->uuid, d->name);
            else
                puts(name ? d->name : d->uuid);
        } else {
            char id[16];
            snprintf(id, sizeof(id), "%d", d->id);
            const char *row[] = {d->id > 0 ? id : "-", d->name, d->state, d->title ? d->title : ""};
            vr_table_add(t, row);
        }
    }
    if (json)
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    else if (!name && !uuid)
        vr_table_print(t, stdout);
    json_object_put(arr);
    vr_table_free(t);
    vireo_domain_list_free(doms, n);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

const vr_command vr_cmd_list = {
    .name = "list",
    .summary = "List domains (running ones; --all adds those shut off).",
    .usage = "[--all | --inactive] [--name] [--uuid] [--title] [--json]",
    .run = run,
};
