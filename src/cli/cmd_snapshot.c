/* Snapshots: snapshot-create-as, snapshot-list, snapshot-info,
 * snapshot-revert, snapshot-delete, snapshot-current, snapshot-dumpxml. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int done(vireo_conn *c, int rc)
{
    vireo_disconnect(c);
    return rc;
}

static json_object *snap_json(const vireo_snapshot *s)
{
    return vr_wire_to_json(&vr_wire_snapshot, s);
}

static const char *when(long long t, char buf[40])
{
    time_t tt = (time_t)t;
    struct tm tm;
    strftime(buf, 40, "%Y-%m-%d %H:%M:%S %z", localtime_r(&tt, &tm));
    return buf;
}

static int run_create_as(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *desc = NULL, *name = NULL;
    bool atomic = false, disk_only = false;
    /* --atomic is what every Vireo snapshot is: written to all of the
     * domain's disks or to none (qemu_snapshot.c undoes a partial one;
     * a --disk-only one switches every disk in one QMP transaction). */
    const vr_opt opts[] = {{"description", true, NULL, &desc}, {"name", true, NULL, &name},
                           {"atomic", false, &atomic, NULL}, {"disk-only", false, &disk_only, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_snapshot_create_as, argc, argv, opts, pos, 1, 2, &rc);
    if (!c)
        return rc;
    const char *snap = pos[1] ? pos[1] : name;
    char gen[32];
    if (!snap) {
        /* virsh names an unnamed snapshot after the time. */
        snprintf(gen, sizeof(gen), "snap%lld", (long long)time(NULL));
        snap = gen;
    }
    if (vireo_snapshot_create_flags(c, pos[0], snap, desc, disk_only ? VIREO_SNAPSHOT_DISK_ONLY : 0, NULL) < 0)
        return done(c, vr_cli_fail(c));
    printf("Domain snapshot %s created\n", snap);
    return done(c, VR_EXIT_OK);
}

static int run_list(vr_cli *cli, int argc, char **argv)
{
    const char *dom = NULL;
    bool json = false, parent = false, name = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {"parent", false, &parent, NULL},
                           {"name", false, &name, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_snapshot_list, argc, argv, opts, &dom, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_snapshot *s;
    size_t n;
    if (vireo_snapshot_list(c, dom, &s, &n) < 0)
        return done(c, vr_cli_fail(c));
    json_object *arr = json ? json_object_new_array() : NULL;
    const char *h[] = {"Name", "Creation Time", "State", "Parent"};
    vr_table *t = vr_table_new(parent ? 4 : 3, h);
    for (size_t i = 0; i < n; i++) {
        char b[40];
        if (json) {
            json_object_array_add(arr, snap_json(&s[i]));
        } else if (name) {
            puts(s[i].name);
        } else {
            const char *row[] = {s[i].name, when(s[i].creation_time, b), s[i].state, s[i].parent ? s[i].parent : "-"};
            vr_table_add(t, row);
        }
    }
    if (json)
        vr_cli_print_json(arr);
    else if (!name)
        vr_table_print(t, stdout);
    vr_table_free(t);
    vireo_snapshot_list_free(s, n);
    return done(c, VR_EXIT_OK);
}

static int run_info(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    bool current = false, json = false;
    const vr_opt opts[] = {{"current", false, &current, NULL}, {"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_snapshot_info, argc, argv, opts, pos, 1, 2, &rc);
    if (!c)
        return rc;
    vireo_snapshot *l = NULL, s = {0};
    size_t n = 0;
    if (vireo_snapshot_list(c, pos[0], &l, &n) < 0)
        return done(c, vr_cli_fail(c));
    const vireo_snapshot *hit = NULL;
    for (size_t i = 0; i < n; i++)
        if ((pos[1] && strcmp(l[i].name, pos[1]) == 0) || (!pos[1] && l[i].current))
            hit = &l[i];
    if (!hit) {
        if (pos[1] && vireo_snapshot_get(c, pos[0], pos[1], &s) < 0)
            rc = vr_cli_fail(c);
        else
            rc = vr_cli_error("error: domain '%s' has no current snapshot", pos[0]);
        vireo_snapshot_clear(&s);
        vireo_snapshot_list_free(l, n);
        return done(c, rc);
    }
    size_t children = 0;
    for (size_t i = 0; i < n; i++)
        children += l[i].parent && strcmp(l[i].parent, hit->name) == 0;
    if (json) {
        vr_cli_print_json(snap_json(hit));
    } else {
        char b[40];
        printf("%-15s %s\n", "Name:", hit->name);
        printf("%-15s %s\n", "Domain:", pos[0]);
        printf("%-15s %s\n", "Current:", hit->current ? "yes" : "no");
        printf("%-15s %s\n", "State:", hit->state);
        printf("%-15s %s\n", "Location:", "internal");
        printf("%-15s %s\n", "Parent:", hit->parent ? hit->parent : "-");
        printf("%-15s %zu\n", "Children:", children);
        printf("%-15s %s\n", "Created:", when(hit->creation_time, b));
        if (hit->description)
            printf("%-15s %s\n", "Description:", hit->description);
    }
    vireo_snapshot_list_free(l, n);
    return done(c, VR_EXIT_OK);
}

static int run_revert(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    bool current = false;
    const vr_opt opts[] = {{"current", false, &current, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_snapshot_revert, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    if (vireo_snapshot_revert(c, pos[0], pos[1]) < 0)
        return done(c, vr_cli_fail(c));
    printf("Domain '%s' reverted to snapshot %s\n", pos[0], pos[1]);
    return done(c, VR_EXIT_OK);
}

static int run_delete(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_snapshot_delete, argc, argv, NULL, pos, 2, 2, &rc);
    if (!c)
        return rc;
    if (vireo_snapshot_delete(c, pos[0], pos[1]) < 0)
        return done(c, vr_cli_fail(c));
    printf("Domain snapshot %s deleted\n", pos[1]);
    return done(c, VR_EXIT_OK);
}

static int run_current(vr_cli *cli, int argc, char **argv)
{
    const char *dom = NULL;
    bool name = false;
    int rc;
    vireo_conn *c = vr_cli_begin_one(cli, &vr_cmd_snapshot_current, argc, argv, "name", &name, &dom, &rc);
    if (!c)
        return rc;
    vireo_snapshot *l;
    size_t n;
    if (vireo_snapshot_list(c, dom, &l, &n) < 0)
        return done(c, vr_cli_fail(c));
    const vireo_snapshot *cur = NULL;
    for (size_t i = 0; i < n; i++)
        if (l[i].current)
            cur = &l[i];
    if (!cur) {
        rc = vr_cli_error("error: domain '%s' has no current snapshot", dom);
    } else if (name) {
        puts(cur->name);
    } else {
        char *xml = vireo_snapshot_xml(c, dom, cur->name);
        rc = xml ? (fputs(xml, stdout), VR_EXIT_OK) : vr_cli_fail(c);
        free(xml);
    }
    vireo_snapshot_list_free(l, n);
    return done(c, rc);
}

static int run_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_snapshot_dumpxml, argc, argv, NULL, pos, 2, 2, &rc);
    if (!c)
        return rc;
    char *xml = vireo_snapshot_xml(c, pos[0], pos[1]);
    rc = xml ? (fputs(xml, stdout), VR_EXIT_OK) : vr_cli_fail(c);
    free(xml);
    return done(c, rc);
}

const vr_command vr_cmd_snapshot_create_as = {
    "snapshot-create-as", "Take a snapshot (qcow2 internal; with memory when the domain runs).",
    "DOMAIN [NAME | --name NAME] [--description TEXT] [--atomic] [--disk-only]", run_create_as};
const vr_command vr_cmd_snapshot_list = {"snapshot-list", "A domain's snapshots, oldest first.",
                                         "DOMAIN [--parent] [--name] [--json]", run_list};
const vr_command vr_cmd_snapshot_info = {"snapshot-info", "One snapshot (the current one with --current).",
                                         "DOMAIN [NAME | --current] [--json]", run_info};
const vr_command vr_cmd_snapshot_revert = {"snapshot-revert", "Bring the domain back to a snapshot.",
                                           "DOMAIN NAME", run_revert};
const vr_command vr_cmd_snapshot_delete = {"snapshot-delete", "Delete a snapshot.", "DOMAIN NAME",
                                           run_delete};
const vr_command vr_cmd_snapshot_current = {"snapshot-current", "The current snapshot's XML (or --name).",
                                            "DOMAIN [--name]", run_current};
const vr_command vr_cmd_snapshot_dumpxml = {"snapshot-dumpxml", "A snapshot's XML.", "DOMAIN NAME",
                                            run_dumpxml};
