/* A domain's block devices: domblklist and domblkinfo, with virsh's
 * output. Both read GET domains/NAME/disks, which has every disk's
 * facts and sizes in one answer. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *field(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

/* The disks array of DOMAIN (*inactive, set by the options: the next
 * start's), or NULL
 * after printing the error. *root is what to put. */
static json_object *disks(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const vr_opt *opts,
                          const char **pos, size_t npos, const bool *inactive, json_object **root, int *rc)
{
    *root = NULL;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, 1, npos, rc);
    if (!c)
        return NULL;
    char *s = vireo_domain_disks_json(c, pos[0], inactive && *inactive ? VIREO_XML_INACTIVE : 0);
    if (!s) {
        *rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return NULL;
    }
    vireo_disconnect(c);
    *root = json_tokener_parse(s);
    free(s);
    json_object *arr = NULL;
    if (!*root || !json_object_object_get_ex(*root, "disks", &arr)) {
        *rc = vr_cli_error("the daemon's answer has no disks");
        return NULL;
    }
    *rc = VR_EXIT_OK;
    return arr;
}

static int run_domblklist(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    bool details = false, inactive = false, json = false;
    const vr_opt opts[] = {{"details", false, &details, NULL}, {"inactive", false, &inactive, NULL},
                           {"json", false, &json, NULL}, {0}};
    json_object *root;
    int rc;
    json_object *arr = disks(cli, &vr_cmd_domblklist, argc, argv, opts, pos, 1, &inactive, &root, &rc);
    if (arr && json) {
        vr_cli_print_json(json_object_get(arr));
    } else if (arr) {
        static const char *const h[] = {"Type", "Device", "Target", "Source"};
        vr_table *t = details ? vr_table_new(4, h) : vr_table_new(2, h + 2);
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *d = json_object_array_get_idx(arr, i);
            const char *src = field(d, "source");
            const char *cells[] = {field(d, "type"), field(d, "device"), field(d, "target"), src ? src : "-"};
            vr_table_add(t, details ? cells : cells + 2);
        }
        vr_table_print(t, stdout);
        vr_table_free(t);
    }
    json_object_put(root);
    return rc;
}

static long long num(json_object *d, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(d, key, &v) && v ? json_object_get_int64(v) : -1;
}

static const char *size_cell(long long v, bool human, char buf[32])
{
    if (v < 0)
        return "-";
    if (human)
        return vr_cli_size((unsigned long long)v, buf);
    snprintf(buf, 32, "%lld", v);
    return buf;
}

static int run_domblkinfo(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    bool all = false, human = false, json = false;
    const vr_opt opts[] = {{"all", false, &all, NULL}, {"human", false, &human, NULL},
                           {"json", false, &json, NULL}, {0}};
    json_object *root;
    int rc;
    json_object *arr = disks(cli, &vr_cmd_domblkinfo, argc, argv, opts, pos, 2, NULL, &root, &rc);
    if (!arr) {
        json_object_put(root);
        return rc;
    }
    if (!all == !pos[1]) {
        json_object_put(root);
        return vr_cli_usage(&vr_cmd_domblkinfo, all ? "give a TARGET or --all, not both"
                                                     : "give the disk's TARGET (vda) or source path, or --all");
    }
    json_object *chosen = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *d = json_object_array_get_idx(arr, i);
        const char *src = field(d, "source");
        if (all || strcmp(field(d, "target"), pos[1]) == 0 || (src && strcmp(src, pos[1]) == 0))
            json_object_array_add(chosen, json_object_get(d));
    }
    if (!all && json_object_array_length(chosen) == 0) {
        rc = vr_cli_error("error: domain '%s' has no disk '%s' (vireo domblklist %s lists them)", pos[0], pos[1],
                          pos[0]);
    } else if (json) {
        vr_cli_print_json(all ? json_object_get(chosen) : json_object_get(json_object_array_get_idx(chosen, 0)));
    } else if (all) {
        static const char *const h[] = {"Target", "Capacity", "Allocation", "Physical"};
        vr_table *t = vr_table_new(4, h);
        for (size_t i = 0; i < json_object_array_length(chosen); i++) {
            json_object *d = json_object_array_get_idx(chosen, i);
            char b[3][32];
            const char *cells[] = {field(d, "target"), size_cell(num(d, "capacity"), human, b[0]),
                                   size_cell(num(d, "allocation"), human, b[1]),
                                   size_cell(num(d, "physical"), human, b[2])};
            vr_table_add(t, cells);
        }
        vr_table_print(t, stdout);
        vr_table_free(t);
    } else {
        json_object *d = json_object_array_get_idx(chosen, 0);
        const char *why = field(d, "error");
        if (why || num(d, "capacity") < 0) {
            rc = vr_cli_error("error: cannot read disk %s of domain '%s': %s", field(d, "target"), pos[0],
                              why ? why : "no medium");
        } else {
            char b[32];
            printf("%-15s %s\n", "Capacity:", size_cell(num(d, "capacity"), human, b));
            printf("%-15s %s\n", "Allocation:", size_cell(num(d, "allocation"), human, b));
            printf("%-15s %s\n", "Physical:", size_cell(num(d, "physical"), human, b));
        }
    }
    json_object_put(chosen);
    json_object_put(root);
    return rc;
}

/* domblkerror DOMAIN: the disks whose I/O error paused it, as virsh
 * prints them ("vda: no space"), or "No errors found". */
static int run_domblkerror(vr_cli *cli, int argc, char **argv)
{
    bool json = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {0}};
    const char *pos[1];
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domblkerror, argc, argv, opts, pos, 1, 1, &rc);
    if (!c)
        return rc;
    char *s = vireo_domain_disk_errors_json(c, pos[0]);
    if (!s) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    vireo_disconnect(c);
    json_object *root = json_tokener_parse(s), *arr = NULL;
    free(s);
    if (!root || !json_object_object_get_ex(root, "errors", &arr)) {
        json_object_put(root);
        return vr_cli_error("the daemon's answer has no errors list");
    }
    if (json) {
        vr_cli_print_json(json_object_get(arr));
    } else if (json_object_array_length(arr) == 0) {
        printf("No errors found\n");
    } else {
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *e = json_object_array_get_idx(arr, i);
            printf("%s: %s\n", field(e, "disk"), field(e, "error"));
        }
    }
    json_object_put(root);
    return VR_EXIT_OK;
}

const vr_command vr_cmd_domblkerror = {"domblkerror",
                                       "Show the disks whose I/O error paused a running domain (resume once fixed).",
                                       "DOMAIN [--json]", run_domblkerror};
const vr_command vr_cmd_domblklist = {"domblklist", "List a domain's block devices (disks and CD-ROMs).",
                                      "DOMAIN [--details] [--inactive] [--json]", run_domblklist};
const vr_command vr_cmd_domblkinfo = {"domblkinfo",
                                      "A disk's capacity, allocation and physical size (--all: every disk).",
                                      "DOMAIN [TARGET|PATH | --all] [--human] [--json]", run_domblkinfo};
