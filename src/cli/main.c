/* vireo: the command line. This file only parses global options and
 * dispatches; every command lives in its own cmd_*.c file. */
#include "config.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const vr_command *const vr_commands[] = {
    /* domains */
    &vr_cmd_list, &vr_cmd_define, &vr_cmd_undefine, &vr_cmd_create, &vr_cmd_start,
    &vr_cmd_shutdown, &vr_cmd_reboot, &vr_cmd_destroy, &vr_cmd_suspend, &vr_cmd_resume,
    &vr_cmd_autostart, &vr_cmd_dominfo, &vr_cmd_domstate, &vr_cmd_domid, &vr_cmd_domuuid,
    &vr_cmd_dumpxml, &vr_cmd_edit, &vr_cmd_domstats, &vr_cmd_vncdisplay, &vr_cmd_domdisplay,
    &vr_cmd_setmem, &vr_cmd_setmaxmem, &vr_cmd_dommemstat, &vr_cmd_setvcpus, &vr_cmd_vcpucount,
    &vr_cmd_console, &vr_cmd_event,
    &vr_cmd_domiflist, &vr_cmd_domifaddr, &vr_cmd_domblklist, &vr_cmd_domblkinfo, &vr_cmd_domblkerror, &vr_cmd_domrename,
    &vr_cmd_attach_disk, &vr_cmd_detach_disk, &vr_cmd_attach_interface, &vr_cmd_detach_interface,
    &vr_cmd_attach_device, &vr_cmd_detach_device, &vr_cmd_detach_device_alias, &vr_cmd_update_device, &vr_cmd_change_media,
    &vr_cmd_domif_setlink, &vr_cmd_domif_getlink, &vr_cmd_domiftune, &vr_cmd_blockresize,
    &vr_cmd_send_key, &vr_cmd_screenshot, &vr_cmd_reset, &vr_cmd_domhostname, &vr_cmd_dompmsuspend,
    &vr_cmd_dompmwakeup, &vr_cmd_qemu_monitor_command,
    &vr_cmd_save, &vr_cmd_restore, &vr_cmd_save_image_dumpxml, &vr_cmd_save_image_define,
    &vr_cmd_save_image_edit, &vr_cmd_managedsave, &vr_cmd_managedsave_remove, &vr_cmd_domjobinfo,
    &vr_cmd_domjobabort, &vr_cmd_domblkstat, &vr_cmd_domifstat, &vr_cmd_vcpuinfo, &vr_cmd_iothreadinfo, &vr_cmd_iothreadpin, &vr_cmd_iothreadadd, &vr_cmd_iothreaddel, &vr_cmd_vcpupin, &vr_cmd_schedinfo, &vr_cmd_blkdeviotune,
    &vr_cmd_emulatorpin, &vr_cmd_desc, &vr_cmd_metadata, &vr_cmd_blockcommit, &vr_cmd_blockpull, &vr_cmd_blockcopy, &vr_cmd_blockjob,
    &vr_cmd_install, &vr_cmd_osinfo_query, &vr_cmd_qemu_agent_command, &vr_cmd_domtime, &vr_cmd_guestinfo,
    &vr_cmd_domfsinfo,
    &vr_cmd_domfsfreeze,
    &vr_cmd_domfsthaw,
    &vr_cmd_domfstrim,
    /* networks */
    &vr_cmd_net_list, &vr_cmd_net_define, &vr_cmd_net_create, &vr_cmd_net_undefine,
    &vr_cmd_net_start, &vr_cmd_net_destroy, &vr_cmd_net_autostart, &vr_cmd_net_info,
    &vr_cmd_net_dumpxml, &vr_cmd_net_edit, &vr_cmd_net_dhcp_leases, &vr_cmd_net_update,
    &vr_cmd_net_event,
    /* storage */
    &vr_cmd_pool_list, &vr_cmd_pool_define, &vr_cmd_pool_define_as, &vr_cmd_pool_build,
    &vr_cmd_pool_start, &vr_cmd_pool_destroy, &vr_cmd_pool_undefine, &vr_cmd_pool_delete,
    &vr_cmd_pool_autostart, &vr_cmd_pool_info, &vr_cmd_pool_refresh, &vr_cmd_pool_dumpxml,
    &vr_cmd_pool_event, &vr_cmd_find_pool_sources, &vr_cmd_find_pool_sources_as, &vr_cmd_pool_capabilities,
    &vr_cmd_vol_list, &vr_cmd_vol_create_as, &vr_cmd_vol_create, &vr_cmd_vol_clone, &vr_cmd_vol_create_from,
    &vr_cmd_vol_delete, &vr_cmd_vol_resize, &vr_cmd_vol_wipe, &vr_cmd_vol_info, &vr_cmd_vol_dumpxml,
    &vr_cmd_vol_path, &vr_cmd_vol_upload, &vr_cmd_vol_download, &vr_cmd_job_list,
    &vr_cmd_job_cancel,
    &vr_cmd_secret_define, &vr_cmd_secret_dumpxml, &vr_cmd_secret_list, &vr_cmd_secret_undefine,
    &vr_cmd_secret_set_value, &vr_cmd_secret_get_value,
    /* snapshots and clones */
    &vr_cmd_snapshot_create_as, &vr_cmd_snapshot_list, &vr_cmd_snapshot_info,
    &vr_cmd_snapshot_revert, &vr_cmd_snapshot_delete, &vr_cmd_snapshot_current,
    &vr_cmd_snapshot_dumpxml, &vr_cmd_clone,
    /* guest images (libguestfs's tools) and templates */
    &vr_cmd_builder, &vr_cmd_sysprep, &vr_cmd_customize, &vr_cmd_sparsify, &vr_cmd_resize,
    &vr_cmd_template, &vr_cmd_backup, &vr_cmd_backup_restore,
    &vr_cmd_checkpoint_create_as, &vr_cmd_checkpoint_create, &vr_cmd_checkpoint_list, &vr_cmd_checkpoint_dumpxml,
    &vr_cmd_checkpoint_info, &vr_cmd_checkpoint_parent, &vr_cmd_checkpoint_delete, &vr_cmd_backup_begin,
    &vr_cmd_backup_dumpxml,
    /* host and connection */
    &vr_cmd_version, &vr_cmd_uri, &vr_cmd_hostname, &vr_cmd_nodeinfo, &vr_cmd_capabilities, &vr_cmd_domcapabilities, &vr_cmd_sysinfo, &vr_cmd_nodedev_list,
    &vr_cmd_nodedev_dumpxml, &vr_cmd_nodedev_info, &vr_cmd_nodedev_detach, &vr_cmd_nodedev_reattach,
    &vr_cmd_host_validate, &vr_cmd_completion, &vr_cmd_web_token,
};
const size_t vr_n_commands = sizeof(vr_commands) / sizeof(vr_commands[0]);

static void usage(FILE *out)
{
    fprintf(out, "usage: vireo [-c URI] [-r] COMMAND [ARGS]\n\n"
                 "  -c, --connect URI  vireo:///system, vireo:///session, vireo+ssh://[user@]host/system|session\n"
                 "  -r, --readonly     a read-only connection\n\ncommands:\n");
    for (size_t i = 0; i < vr_n_commands; i++)
        fprintf(out, "  %-14s %s\n", vr_commands[i]->name, vr_commands[i]->summary);
    fprintf(out, "\nRun 'vireo COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    vr_cli cli = {.uri = getenv("VIREO_DEFAULT_URI")};
    cli.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--connect") == 0) && i + 1 < argc) {
            cli.uri = argv[++i];
        } else if (strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "--readonly") == 0) {
            /* Read-only connection, as virsh -r: libvireo picks the
             * read-only socket. */
            setenv("VIREO_READONLY", "1", 1);
        } else if (strcmp(argv[i], "--help-man") == 0) {
            /* The COMMANDS section of vireo(1), so the man page never
             * lags behind the command table (see docs/man/meson.build). */
            for (size_t k = 0; k < vr_n_commands; k++)
                printf(".TP\n.B %s\n%s\n.br\n%s\n", vr_commands[k]->name, vr_commands[k]->usage,
                       vr_commands[k]->summary);
            return VR_EXIT_OK;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return VR_EXIT_OK;
        } else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
            printf("vireo %s\n", VIREO_VERSION);
            return VR_EXIT_OK;
        } else {
            fprintf(stderr, "vireo: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return VR_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return VR_EXIT_USAGE;
    }
    for (size_t k = 0; k < vr_n_commands; k++)
        if (strcmp(vr_commands[k]->name, argv[i]) == 0)
            return vr_commands[k]->run(&cli, argc - i, argv + i);
    fprintf(stderr, "vireo: unknown command '%s'; 'vireo --help' lists them\n", argv[i]);
    return VR_EXIT_USAGE;
}
