/* Storage pools: pool-list, pool-define, pool-define-as, pool-build,
 * pool-start, pool-destroy, pool-undefine, pool-delete, pool-autostart,
 * pool-info, pool-refresh, pool-dumpxml. Messages follow virsh's. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* --json prints libvireo's pool in the one wire form (src/wire). */
static json_object *pool_json(const vireo_pool *p)
{
    return vr_wire_to_json(&vr_wire_pool, p);
}

static int run_list(vr_cli *cli, int argc, char **argv)
{
    bool all = false, inactive = false, details = false, json = false, name = false;
    const vr_opt opts[] = {{"all", false, &all, NULL}, {"inactive", false, &inactive, NULL},
                           {"details", false, &details, NULL}, {"json", false, &json, NULL},
                           {"name", false, &name, NULL}, {0}};
    size_t npos;
    int rc = vr_cli_parse(&vr_cmd_pool_list, argc, argv, opts, NULL, 0, 0, &npos);
    if (rc)
        return rc < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    vireo_pool *pools;
    size_t n;
    if (vireo_pool_list(c, &pools, &n) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    json_object *arr = json ? json_object_new_array() : NULL;
    const char *h[] = {"Name", "State", "Autostart", "Persistent", "Capacity", "Allocation", "Available"};
    vr_table *t = vr_table_new(details ? 7 : 3, h);
    if (!details) {
        vr_table_free(t);
        const char *h3[] = {"Name", "State", "Autostart"};
        t = vr_table_new(3, h3);
    }
    for (size_t i = 0; i < n; i++) {
        const vireo_pool *p = &pools[i];
        bool active = strcmp(p->state, "running") == 0;
        if ((inactive && active) || (!inactive && !all && !active))
            continue;
        if (json) {
            json_object_array_add(arr, pool_json(p));
        } else if (name) {
            puts(p->name);
        } else {
            const char *state = active ? "active" : "inactive";
            char a[32], b[32], v[32];
            const char *row[] = {p->name, state, p->autostart ? "yes" : "no",
                                 p->persistent ? "yes" : "no",
                                 active ? vr_cli_size(p->capacity, a) : "-",
                                 active ? vr_cli_size(p->allocation, b) : "-",
                                 active ? vr_cli_size(p->available, v) : "-"};
            if (details)
                vr_table_add(t, row);
            else
                vr_table_add(t, (const char *const[]){row[0], row[1], row[2]});
        }
    }
    if (json)
        vr_cli_print_json(arr);
    else if (!name)
        vr_table_print(t, stdout);
    vr_table_free(t);
    vireo_pool_list_free(pools, n);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_define(vr_cli *cli, int argc, char **argv)
{
    const char *file = NULL;
    int rc;
    char *xml = NULL;
    vireo_conn *c = vr_cli_begin_file(cli, &vr_cmd_pool_define, argc, argv, NULL, &file, &xml, &rc);
    if (!c)
        return rc;
    vireo_pool p = {0};
    int r = vireo_pool_define(c, xml, &p);
    free(xml);
    rc = vr_cli_done(c, r, "Pool", true, p.name ? p.name : "", "defined");
    vireo_pool_clear(&p);
    return rc;
}

static int run_define_as(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    vireo_pool_fields f = {0};
    const vr_opt opts[] = {{"target", true, NULL, &f.target},
                           {"source-dev", true, NULL, &f.source_dev},
                           {"source-format", true, NULL, &f.source_format},
                           {"source-host", true, NULL, &f.source_host},
                           {"source-path", true, NULL, &f.source_path},
                           {"source-name", true, NULL, &f.source_name},
                           {"auth-type", true, NULL, &f.auth_type},
                           {"auth-username", true, NULL, &f.auth_username},
                           {"secret-uuid", true, NULL, &f.secret_uuid},
                           {"source-initiator", true, NULL, &f.source_initiator},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_pool_define_as, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    if (!f.target && strcmp(pos[1], "dir") == 0) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_pool_define_as, "a dir pool needs --target PATH");
    }
    f.name = pos[0];
    f.type = pos[1];
    return vr_cli_done(c, vireo_pool_define_fields(c, &f, NULL), "Pool", true, pos[0], "defined");
}

/* The commands that only take a pool: build, start, destroy, delete, refresh. */
static int pool_action(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const char *action,
                       const char *done)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    return vr_cli_done(c, vireo_pool_action(c, name, action, NULL), "Pool", true, name, done);
}

static int run_build(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool overwrite = false, no_overwrite = false;
    const vr_opt opts[] = {{"overwrite", false, &overwrite, NULL}, {"no-overwrite", false, &no_overwrite, NULL},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_pool_build, argc, argv, opts, &name, 1, 1, &rc);
    if (!c)
        return rc;
    unsigned flags = (overwrite ? VIREO_POOL_BUILD_OVERWRITE : 0) | (no_overwrite ? VIREO_POOL_BUILD_NO_OVERWRITE : 0);
    return vr_cli_done(c, vireo_pool_build(c, name, flags, NULL), "Pool", true, name, "built");
}
static int run_start(vr_cli *cli, int argc, char **argv)
{
    return pool_action(cli, &vr_cmd_pool_start, argc, argv, "start", "started");
}
static int run_destroy(vr_cli *cli, int argc, char **argv)
{
    return pool_action(cli, &vr_cmd_pool_destroy, argc, argv, "destroy", "destroyed");
}
static int run_delete(vr_cli *cli, int argc, char **argv)
{
    return pool_action(cli, &vr_cmd_pool_delete, argc, argv, "delete", "deleted");
}
static int run_refresh(vr_cli *cli, int argc, char **argv)
{
    return pool_action(cli, &vr_cmd_pool_refresh, argc, argv, "refresh", "refreshed");
}

static int run_undefine(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_pool_undefine, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    return vr_cli_done(c, vireo_pool_undefine(c, name), "Pool", true, name, "has been undefined");
}

static int run_autostart(vr_cli *cli, int argc, char **argv)
{
    return vr_cli_run_autostart(cli, &vr_cmd_pool_autostart, argc, argv, "Pool", true, vireo_pool_set_autostart);
}

static int run_info(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool json = false;
    int rc;
    vireo_conn *c = vr_cli_begin_one(cli, &vr_cmd_pool_info, argc, argv, "json", &json, &name, &rc);
    if (!c)
        return rc;
    vireo_pool p;
    if (vireo_pool_get(c, name, &p) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    if (json) {
        vr_cli_print_json(pool_json(&p));
    } else {
        bool active = strcmp(p.state, "running") == 0;
        char b[32];
        printf("%-15s %s\n", "Name:", p.name);
        printf("%-15s %s\n", "UUID:", p.uuid);
        printf("%-15s %s\n", "State:", p.state);
        printf("%-15s %s\n", "Persistent:", p.persistent ? "yes" : "no");
        printf("%-15s %s\n", "Autostart:", p.autostart ? "yes" : "no");
        printf("%-15s %s\n", "Path:", p.path);
        if (active) {
            printf("%-15s %s\n", "Capacity:", vr_cli_size(p.capacity, b));
            printf("%-15s %s\n", "Allocation:", vr_cli_size(p.allocation, b));
            printf("%-15s %s\n", "Available:", vr_cli_size(p.available, b));
            printf("%-15s %u\n", "Volumes:", p.volumes);
        }
    }
    vireo_pool_clear(&p);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_pool_dumpxml, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    char *xml = vireo_pool_xml(c, name);
    rc = xml ? (fputs(xml, stdout), VR_EXIT_OK) : vr_cli_fail(c);
    free(xml);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_pool_list = {"pool-list", "List storage pools (active ones; --all adds the others).",
                                     "[--all | --inactive] [--details] [--name] [--json]", run_list};
const vr_command vr_cmd_pool_define = {"pool-define", "Define a pool from libvirt pool XML.", "FILE",
                                       run_define};
const vr_command vr_cmd_pool_define_as = {
    "pool-define-as", "Define a pool from options.",
    "NAME dir|fs|disk|iscsi-direct [--target PATH] [--source-dev DEV|IQN] [--source-format FMT] "
    "[--source-host HOST[:PORT]] [--source-initiator IQN] [--source-path PATH] [--source-name NAME] "
    "[--auth-type chap|ceph] [--auth-username USER] [--secret-uuid UUID]",
    run_define_as};
const vr_command vr_cmd_pool_build = {"pool-build",
                                      "Create the pool's directory; write a disk's partition table or "
                                      "make an fs pool's file system.",
                                      "POOL [--overwrite|--no-overwrite]", run_build};
const vr_command vr_cmd_pool_start = {"pool-start", "Start (activate) a pool.", "POOL", run_start};
const vr_command vr_cmd_pool_destroy = {"pool-destroy", "Stop a pool (its files stay).", "POOL",
                                        run_destroy};
const vr_command vr_cmd_pool_undefine = {"pool-undefine", "Remove an inactive pool's definition.",
                                         "POOL", run_undefine};
const vr_command vr_cmd_pool_delete = {"pool-delete", "Remove an inactive pool's (empty) directory.",
                                       "POOL", run_delete};
const vr_command vr_cmd_pool_autostart = {"pool-autostart", "Start the pool with the daemon.",
                                          "POOL [--disable]", run_autostart};
const vr_command vr_cmd_pool_info = {"pool-info", "A pool's state and space.", "POOL [--json]", run_info};
const vr_command vr_cmd_pool_refresh = {"pool-refresh", "Check the pool's directory again.", "POOL",
                                        run_refresh};
const vr_command vr_cmd_pool_dumpxml = {"pool-dumpxml", "A pool's XML.", "POOL", run_dumpxml};
