/* checkpoint-create-as, checkpoint-create, checkpoint-list,
 * checkpoint-dumpxml, checkpoint-info, checkpoint-parent,
 * checkpoint-delete, backup-begin and backup-dumpxml, with virsh's
 * arguments and messages (docs/backup.md). */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int run_create_as(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *desc = NULL;
    bool quiesce = false;
    const vr_opt opts[] = {{"description", true, NULL, &desc},
                           {"name", true, NULL, &pos[1]},
                           {"quiesce", false, &quiesce, NULL},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_checkpoint_create_as, argc, argv, opts, pos, 1, 2, &rc);
    if (!c)
        return rc;
    char *name = vireo_checkpoint_create_flags(c, pos[0], NULL, pos[1], desc,
                                               quiesce ? VIREO_CHECKPOINT_CREATE_QUIESCE : 0);
    rc = name ? (printf("Domain checkpoint %s created\n", name), VR_EXIT_OK) : vr_cli_fail(c);
    free(name);
    vireo_disconnect(c);
    return rc;
}

static int run_create(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    bool redefine = false, quiesce = false;
    const vr_opt opts[] = {{"redefine", false, &redefine, NULL}, {"quiesce", false, &quiesce, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_checkpoint_create, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    unsigned flags = (redefine ? VIREO_CHECKPOINT_CREATE_REDEFINE : 0) | (quiesce ? VIREO_CHECKPOINT_CREATE_QUIESCE : 0);
    char *xml = vr_cli_read_file(pos[1]);
    char *name = xml ? vireo_checkpoint_create_flags(c, pos[0], xml, NULL, NULL, flags) : NULL;
    if (name && redefine)
        printf("Domain checkpoint %s redefined\n", name);
    else if (name)
        printf("Domain checkpoint %s created from '%s'\n", name, pos[1]);
    rc = name ? VR_EXIT_OK : xml ? vr_cli_fail(c) : VR_EXIT_FAIL;
    free(name);
    free(xml);
    vireo_disconnect(c);
    return rc;
}

static bool is_child(const vireo_checkpoint *cp, const char *parent)
{
    return parent ? cp->parent && strcmp(cp->parent, parent) == 0 : !cp->parent;
}

/* --tree: each checkpoint under its parent, as virsh draws it. */
static void print_tree(const vireo_checkpoint *l, size_t n, const char *parent, const char *indent)
{
    size_t last = n;
    for (size_t i = 0; i < n; i++)
        if (is_child(&l[i], parent))
            last = i;
    for (size_t i = 0; i < n; i++) {
        if (!is_child(&l[i], parent))
            continue;
        if (parent)
            printf("%s+- %s\n", indent, l[i].name);
        else
            printf("%s\n", l[i].name);
        char *sub = parent ? vr_asprintf("%s%s", indent, i == last ? "   " : "|  ") : vr_strdup("");
        print_tree(l, n, l[i].name, sub);
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
    vireo_checkpoint *l = NULL;
    size_t n = 0;
    if (vireo_checkpoint_list(c, pos[0], &l, &n) < 0) {
        rc = vr_cli_fail(c);
    } else if (json) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, vr_wire_to_json(&vr_wire_checkpoint, &l[i]));
        vr_cli_print_json(arr);
        rc = VR_EXIT_OK;
    } else if (tree) {
        print_tree(l, n, NULL, "");
        rc = VR_EXIT_OK;
    } else if (names) {
        for (size_t i = 0; i < n; i++)
            puts(l[i].name);
        rc = VR_EXIT_OK;
    } else {
        const char *head3[] = {"Name", "Creation Time", "Parent"};
        vr_table *t = vr_table_new(parent ? 3 : 2, head3);
        for (size_t i = 0; i < n; i++) {
            time_t when = (time_t)l[i].creation_time;
            char stamp[64];
            strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S %z", localtime(&when));
            const char *row[] = {l[i].name, stamp, l[i].parent ? l[i].parent : ""};
            vr_table_add(t, row);
        }
        vr_table_print(t, stdout);
        vr_table_free(t);
        rc = VR_EXIT_OK;
    }
    vireo_checkpoint_list_free(l, n);
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

/* The one checkpoint in the domain's list (*l, *n), or NULL after the error. */
static const vireo_checkpoint *find(vireo_conn *c, const char *domain, const char *name, vireo_checkpoint **l,
                                    size_t *n)
{
    *l = NULL;
    *n = 0;
    if (vireo_checkpoint_list(c, domain, l, n) < 0) {
        vr_cli_fail(c);
        return NULL;
    }
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*l)[i].name, name) == 0)
            return &(*l)[i];
    vr_cli_error("error: checkpoint '%s' of domain '%s' not found (vireo checkpoint-list %s shows them)", name,
                 domain, domain);
    return NULL;
}

static int run_info(vr_cli *cli, int argc, char **argv, const vr_command *cmd, bool parent_only)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, NULL, pos, 2, 2, &rc);
    if (!c)
        return rc;
    vireo_checkpoint *l;
    size_t n;
    const vireo_checkpoint *cp = find(c, pos[0], pos[1], &l, &n);
    rc = cp ? VR_EXIT_OK : VR_EXIT_FAIL;
    const char *parent = cp ? cp->parent : NULL;
    if (cp && parent_only && !parent)
        rc = vr_cli_error("error: checkpoint '%s' has no parent", pos[1]);
    else if (cp && parent_only)
        puts(parent);
    else if (cp) {
        size_t children = 0;
        for (size_t i = 0; i < n; i++)
            children += is_child(&l[i], pos[1]);
        printf("%-15s %s\n%-15s %s\n%-15s %s\n%-15s %zu\n%-15s %zu\n", "Name:", pos[1], "Domain:", pos[0],
               "Parent:", parent ? parent : "-", "Children:", children, "Disks:", cp->n_disks);
    }
    vireo_checkpoint_list_free(l, n);
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
    "DOMAIN [NAME] [--description TEXT] [--quiesce]", run_create_as};
const vr_command vr_cmd_checkpoint_create = {
    "checkpoint-create",
    "Make a checkpoint from libvirt's <domaincheckpoint> XML in FILE (--redefine: its metadata only, for a bitmap "
    "the images hold).",
    "DOMAIN FILE [--redefine] [--quiesce]", run_create};
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
