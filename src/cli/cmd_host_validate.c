/* vireo host-validate: is this host ready to run VMs? Works without the
 * daemon (it is what a user runs before anything is set up). */
#include "cli/cli.h"
#include "common/util.h"
#include "host/validate.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static const char *status_color(vr_check_status s)
{
    return s == VR_CHECK_PASS ? "green" : s == VR_CHECK_WARN ? "yellow" : "red";
}

static void print_text(const vr_cli *cli, const vr_checklist *l, vr_accel accel)
{
    size_t width = 0;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i].title) > width)
            width = strlen(l->v[i].title);
    for (size_t i = 0; i < l->n; i++) {
        const vr_check *c = &l->v[i];
        printf("%-*s : %s%s%s  %s\n", (int)width, c->title, vr_color(cli, status_color(c->status)),
               vr_check_status_name(c->status), vr_color(cli, "reset"), c->detail ? c->detail : "");
        if (c->hint)
            printf("%-*s   %shint: %s%s\n", (int)width, "", vr_color(cli, "dim"), c->hint,
                   vr_color(cli, "reset"));
    }
    printf("\nAccelerator: %s%s%s\n", vr_color(cli, "bold"),
           accel == VR_ACCEL_KVM ? "KVM (hardware virtualization)" : "TCG (software emulation)",
           vr_color(cli, "reset"));
}

static void print_json(const vr_checklist *l, vr_accel accel)
{
    json_object *root = vr_checklist_json(l, accel);
    puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
}

static int run(vr_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"state-dir", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool json = false;
    const char *state_dir = "/var/lib/vireo";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 's': state_dir = optarg; break;
        case 'h':
            printf("usage: vireo %s %s\n\n%s\n", vr_cmd_host_validate.name,
                   vr_cmd_host_validate.usage, vr_cmd_host_validate.summary);
            return VR_EXIT_OK;
        default: return vr_cli_usage(&vr_cmd_host_validate, "unknown option");
        }
    }
    if (optind < argc)
        return vr_cli_usage(&vr_cmd_host_validate, "unexpected argument '%s'", argv[optind]);

    vr_host_facts facts;
    vr_host_facts_gather(&facts, state_dir);
    vr_checklist list;
    vr_host_validate(&facts, &list);
    vr_check verdict;
    vr_accel accel = vr_kvm_verdict(&facts.cpu, facts.cpu_ok, &facts.kvm, &verdict);
    vr_check_clear(&verdict);
    if (json)
        print_json(&list, accel);
    else
        print_text(cli, &list, accel);
    bool failed = false;
    for (size_t i = 0; i < list.n; i++)
        failed |= list.v[i].status == VR_CHECK_FAIL;
    vr_checklist_free(&list);
    vr_host_facts_free(&facts);
    return failed ? VR_EXIT_FAIL : VR_EXIT_OK;
}

const vr_command vr_cmd_host_validate = {
    .name = "host-validate",
    .summary = "Check that this host can run VMs: CPU extensions, KVM, kernel features, tools, resources.",
    .usage = "[--json] [--state-dir DIR]",
    .run = run,
};
