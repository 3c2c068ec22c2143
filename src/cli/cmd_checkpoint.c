/* checkpoint-create-as, checkpoint-create, checkpoint-list,
 * checkpoint-dumpxml, checkpoint-info, checkpoint-parent,
 * checkpoint-delete, backup-begin and backup-dumpxml, with virsh's
 * arguments and messages (docs/backup.md). */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int run_create_as(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *desc = NULL;
    const vr_opt opts[] = {{"description", true, NULL, &desc}, {"name", true, NULL, &pos[1]}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_checkpoint_create_as, argc, argv, opts, pos, 1, 2, &rc);
    if (!c)
        return rc;
    char *name = vireo_checkpoint_create(c, pos[0], NULL, pos[1], desc);
    rc = name ? (printf("Domain checkpoint %s created\n", name), VR_EXIT_OK) : vr_cli_fail(c);
    free(name);
    vireo_disconnect(c);
    return rc;
}

static int run_create(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_checkpoint_create, argc, argv, NULL, pos, 2, 2, &rc);
    if (!c)
        return rc;
    char *xml = vr_cli_read_file(pos[1]), *name = xml ? vireo_checkpoint_create(c, pos[0], xml, NULL, NULL) : NULL;
    rc = name ? (printf("Domain checkpoint %s created from '%s'\n", name, pos[1]), VR_EXIT_OK)
              : xml ? vr_cli_fail(c) : VR_EXIT_FAIL;
    free(name);
    free(xml);
    vireo_disconnect(c);
    return rc;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

/* --tree: each checkpoint under its parent, as virsh draws it. */
static void print_tree(json_object *arr, const char *parent, const char *indent)
{
    size_t n = json_object_array_length(arr), last = n;
    for (size_t i = 0; i < n; i++) {
        const char *p = jstr(json_object_array_get_idx(arr, i), "parent");
        if ((!p && !parent) || (p && parent && strcmp(p, parent) == 0))
            last = i;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        const char *p = jstr(o, "parent"), *name = jstr(o, "name");
        if (!((!p && !parent) || (p && parent && strcmp(p, parent) == 0)))
            continue;
        if (parent)
            printf("%s+- %s\n", indent, name);
        else
            printf("%s\n", name);
        char *sub = parent ? vr_asprintf("%s%s", indent, i == last ? "   " : "|  ") : vr_strdup("");
        print_tree(arr, name, sub);
        free(sub);
    }
}

static int run_list(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    bool tree = false, parent = false, names = false, json = false;
    const vr_opt opts[] = {{"tree", false, &tree, NULL},
                           {"parent", false, &parent, NULL},
                           {"name", false, &names, NULL},
                           {"json", false, &json, NULL},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_checkpoint_list, argc, argv, opts, pos, 1, 1, &rc);
    if (!c)
        return rc;
    char *s = vireo_checkpoint_list_json(c, pos[0]);
    json_object *o = s ? json_tokener_parse(s) : NULL, *arr = NULL;
    if (!o || !json_object_object_get_ex(o, "checkpoints", &arr)) {
        rc = s ? vr_cli_error("the daemon's checkpoint list is not JSON") : vr_cli_fail(c);
    } else if (json) {
        vr_cli_print_json(json_object_get(arr));
        rc = VR_EXIT_OK;
    } else if (tree) {
        print_tree(arr, NULL, "");
        rc = VR_EXIT_OK;
    } else if (names) {
        for (size_t i = 0; i < json_object_array_length(arr); i++)
            puts(jstr(json_object_array_get_idx(arr, i), "name"));
        rc = VR_EXIT_OK;
    } else {
        const char *head3[] = {"Name", "Creation Time", "Parent"};
        vr_table *t = vr_table_new(parent ? 3 : 2, head3);
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *e = json_object_array_get_idx(arr, i), *tv = NULL;
            json_object_object_get_ex(e, "creation_time", &tv);
            time_t when = (time_t)json_object_get_int64(tv);
            char stamp[64];
            strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S %z", localtime(&when));
            const char *p = jstr(e, "parent");
            const char *row[] = {jstr(e, "name"), stamp, p ? p : ""};
            vr_table_add(t, row);
        }
        vr_table_print(t, stdout);
        vr_table_free(t);
        rc = VR_EXIT_OK;
    }
    json_object_put(o);
    free(s);
    vireo_disconnect(c);
    return rc;
}

static int run_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_checkpoint_dumpxml, argc, argv, NULL, pos, 2, 2, &rc);
    return c ? vr_cli_print_text(c, vireo_checkpoint_xml(c, pos[0], pos[1])) : rc;
}

/* The one checkpoint's entry of the list, or NULL after the error. */
static json_object *find(vireo_conn *c, const char *domain, const char *name, json_object **list)
{
    char *s = vireo_checkpoint_list_json(c, domain);
    json_object *arr = NULL, *hit = NULL;
    *list = s ? json_tokener_parse(s) : NULL;
    free(s);
    if (!*list || !json_object_object_get_ex(*list, "checkpoints", &arr)) {
        vr_cli_fail(c);
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(arr) && !hit; i++)
        if (strcmp(jstr(json_object_array_get_idx(arr, i), "name"), name) == 0)
            hit = json_object_array_get_idx(arr, i);
    if (!hit)
        vr_cli_error("error: checkpoint '%s' of domain '%s' not found (vireo checkpoint-list %s shows them)", name,
                     domain, domain);
    return hit;
}

static int run_info(vr_cli *cli, int argc, char **argv, const vr_command *cmd, bool parent_only)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, NULL, pos, 2, 2, &rc);
    if (!c)
        return rc;
    json_object *list = NULL, *cp = find(c, pos[0], pos[1], &list);
    rc = cp ? VR_EXIT_OK : VR_EXIT_FAIL;
    const char *parent = cp ? jstr(cp, "parent") : NULL;
    if (cp && parent_only && !parent)
        rc = vr_cli_error("error: checkpoint '%s' has no parent", pos[1]);
    else if (cp && parent_only)
        puts(parent);
    else if (cp) {
        json_object *arr = NULL, *disks = NULL;
        size_t children = 0;
        json_object_object_get_ex(list, "checkpoints", &arr);
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            const char *p = jstr(json_object_array_get_idx(arr, i), "parent");
            children += p && strcmp(p, pos[1]) == 0;
        }
        json_object_object_get_ex(cp, "disks", &disks);
        printf("%-15s %s\n%-15s %s\n%-15s %s\n%-15s %zu\n%-15s %zu\n", "Name:", pos[1], "Domain:", pos[0],
               "Parent:", parent ? parent : "-", "Children:", children, "Disks:",
               disks ? json_object_array_length(disks) : 0);
    }
    json_object_put(list);
    vireo_disconnect(c);
    return rc;
}

static int run_checkpoint_info(vr_cli *cli, int argc, char **argv)
{
    return run_info(cli, argc, argv, &vr_cmd_checkpoint_info, false);
}

static int run_parent(vr_cli *cli, int argc, char **argv)
{
    return run_info(cli, argc, argv, &vr_cmd_checkpoint_parent, true);
}

static int run_delete(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    bool children = false, meta = false;
    const vr_opt opts[] = {{"children", false, &children, NULL}, {"metadata", false, &meta, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_checkpoint_delete, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    unsigned flags = (children ? VIREO_CHECKPOINT_DELETE_CHILDREN : 0) |
                     (meta ? VIREO_CHECKPOINT_DELETE_METADATA_ONLY : 0);
    rc = vireo_checkpoint_delete(c, pos[0], pos[1], flags) < 0
             ? vr_cli_fail(c)
             : (printf("Domain checkpoint %s deleted%s\n", pos[1], children ? " (and its children)" : ""), VR_EXIT_OK);
    vireo_disconnect(c);
    return rc;
}

static int run_backup_begin(vr_cli *cli, int argc, char **argv)
{
    const char *pos[3] = {0};
    const vr_opt opts[] = {{"backupxml", true, NULL, &pos[1]}, {"checkpointxml", true, NULL, &pos[2]}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_backup_begin, argc, argv, opts, pos, 1, 3, &rc);
    if (!c)
        return rc;
    char *bxml = pos[1] ? vr_cli_read_file(pos[1]) : NULL, *cxml = pos[2] ? vr_cli_read_file(pos[2]) : NULL;
    if ((pos[1] && !bxml) || (pos[2] && !cxml))
        rc = VR_EXIT_FAIL;
    else
        rc = vireo_backup_begin(c, pos[0], bxml, cxml) < 0 ? vr_cli_fail(c) : (puts("Backup started"), VR_EXIT_OK);
    free(bxml);
    free(cxml);
    vireo_disconnect(c);
    return rc;
}

static int run_backup_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_backup_dumpxml, argc, argv, NULL, pos, 1, 1, &rc);
    return c ? vr_cli_print_text(c, vireo_backup_xml(c, pos[0])) : rc;
}

const vr_command vr_cmd_checkpoint_create_as = {
    "checkpoint-create-as", "Make a checkpoint: a dirty bitmap on every qcow2 disk, for incremental backups.",
    "DOMAIN [NAME] [--description TEXT]", run_create_as};
const vr_command vr_cmd_checkpoint_create = {
    "checkpoint-create", "Make a checkpoint from libvirt's <domaincheckpoint> XML in FILE.", "DOMAIN FILE",
    run_create};
const vr_command vr_cmd_checkpoint_list = {
    "checkpoint-list", "A domain's checkpoints, oldest first.", "DOMAIN [--tree] [--parent] [--name] [--json]",
    run_list};
const vr_command vr_cmd_checkpoint_dumpxml = {
    "checkpoint-dumpxml", "A checkpoint's <domaincheckpoint> XML.", "DOMAIN CHECKPOINT", run_dumpxml};
const vr_command vr_cmd_checkpoint_info = {
    "checkpoint-info", "A checkpoint's parent, children and disks.", "DOMAIN CHECKPOINT", run_checkpoint_info};
const vr_command vr_cmd_checkpoint_parent = {
    "checkpoint-parent", "The name of a checkpoint's parent.", "DOMAIN CHECKPOINT", run_parent};
const vr_command vr_cmd_checkpoint_delete = {
    "checkpoint-delete", "Delete a checkpoint: its bitmaps merge into its parent's.",
    "DOMAIN CHECKPOINT [--children] [--metadata]", run_delete};
const vr_command vr_cmd_backup_begin = {
    "backup-begin", "Copy a running domain's disks while it runs (push), or export them over NBD (pull); domjobabort ends it.",
    "DOMAIN [[--backupxml] FILE] [[--checkpointxml] FILE]", run_backup_begin};
const vr_command vr_cmd_backup_dumpxml = {
    "backup-dumpxml", "The running backup's <domainbackup> XML, targets filled in.", "DOMAIN", run_backup_dumpxml};
