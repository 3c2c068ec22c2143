/* The vireo command line: global state shared by every subcommand and
 * the table of subcommands (one file per command family). */
#pragma once
#include <stdbool.h>
#include <stdio.h>

typedef struct {
    const char *uri;  /* -c URI, or NULL for the default */
    bool color;       /* stdout is a tty and NO_COLOR is unset */
} vr_cli;

typedef struct {
    const char *name;
    const char *summary;
    const char *usage;  /* arguments after the name */
    int (*run)(vr_cli *cli, int argc, char **argv);
} vr_command;

/* Exit codes: 0 ok, 1 the operation failed, 2 bad usage. */
enum { VR_EXIT_OK = 0, VR_EXIT_FAIL = 1, VR_EXIT_USAGE = 2 };

/* Print "vireo: message" on stderr; returns VR_EXIT_FAIL. */
int vr_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage error for a command; returns VR_EXIT_USAGE. */
int vr_cli_usage(const vr_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ANSI colours, only when cli->color. */
const char *vr_color(const vr_cli *cli, const char *name);

/* Connect to the daemon at cli->uri; prints the error and returns NULL
 * when it cannot. */
struct vireo_conn *vr_cli_connect(vr_cli *cli);
/* Print libvireo's last error as "vireo: error: ..."; returns VR_EXIT_FAIL. */
int vr_cli_fail(struct vireo_conn *c);
/* Print a document a call answered (taken), or the call's error when it
 * is NULL; disconnects and returns the exit status. */
int vr_cli_print_text(struct vireo_conn *c, char *text);
/* Read a whole file ("-" = stdin) for define/create; prints the error. */
char *vr_cli_read_file(const char *path);
/* Options of a command: "--name" alone sets *set; with has_arg,
 * "--name VALUE" or "--name=VALUE" sets *value. */
typedef struct {
    const char *name;
    bool has_arg;
    bool *set;
    const char **value;
    /* virsh's habit: the option's value may also come as the next
     * positional argument (`vol-info VOL POOL` for `--pool POOL`). */
    bool positional;
} vr_opt;
/* Parse argv[1..] (GNU style: options anywhere). Positionals land in
 * pos[] (at most max_pos). Returns -1 after printing a usage error, 1
 * when --help was printed, else 0 with *npos set. */
int vr_cli_parse(const vr_command *cmd, int argc, char **argv, const vr_opt *opts,
                 const char **pos, size_t min_pos, size_t max_pos, size_t *npos);
/* edit/net-edit: $VISUAL/$EDITOR on the XML that get() returns, define()
 * the result; on an error, offer to edit again (on a tty). kind is
 * "Domain" or "Network" for the messages. */
int vr_cli_edit_xml(struct vireo_conn *c, const char *kind, const char *name,
                    char *(*get)(struct vireo_conn *, const char *),
                    int (*define)(struct vireo_conn *, const char *));
/* desc --edit, metadata --edit: `text` in $VISUAL/$EDITOR; the edited
 * text (free()), or NULL after saying why. */
char *vr_cli_edit_text(const char *text);
/* Parse a command's arguments (see vr_cli_parse) and connect. NULL when
 * the command should end, with *rc its exit status. */
struct vireo_conn *vr_cli_begin(vr_cli *cli, const vr_command *cmd, int argc, char **argv,
                                const vr_opt *opts, const char **pos, size_t min, size_t max, int *rc);
/* The same for a command on one object (*name) with at most one switch
 * (--json, --inactive, --disable): *on says whether it was given. */
struct vireo_conn *vr_cli_begin_one(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const char *flag,
                                    bool *on, const char **name, int *rc);
/* NAME [--disable]: net-autostart, pool-autostart (set: the libvireo call;
 * kind and quote as vr_cli_done). */
int vr_cli_run_autostart(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const char *kind, bool quote,
                         int (*set)(struct vireo_conn *, const char *, bool));
/* The same for a command whose one positional argument is an XML file
 * (define, create...): *file is it, *xml its text (free()), read after
 * connecting; NULL when the command should end. */
struct vireo_conn *vr_cli_begin_file(vr_cli *cli, const vr_command *cmd, int argc, char **argv,
                                     const vr_opt *opts, const char **file, char **xml, int *rc);
/* End a command that changed one object: on success print
 * "KIND 'NAME' WHAT" (virsh prints network names unquoted: quote=false),
 * else the error; disconnect either way. Returns the exit status. */
int vr_cli_done(struct vireo_conn *c, int result, const char *kind, bool quote, const char *name,
                const char *what);
/* End a command that prints a document (XML): print `text` (taken) when
 * the call gave one, else the error; disconnect. The exit status. */
int vr_cli_print_text(struct vireo_conn *c, char *text);
/* Print a JSON value (taken) the way every --json does. */
struct json_object;
void vr_cli_print_json(struct json_object *o);
/* "--help" for a command. */
int vr_cli_help(const vr_command *cmd);

/* Tables that line up, virsh style: a header, a rule, rows. */
typedef struct vr_table vr_table;
vr_table *vr_table_new(size_t ncols, const char *const *headers);
void vr_table_add(vr_table *t, const char *const *cells);
void vr_table_print(vr_table *t, FILE *out);
void vr_table_free(vr_table *t);
/* A listing's end: the objects as --json prints them, or the table;
 * both are freed. */
struct json_object;
void vr_cli_print_list(bool json, struct json_object *arr, vr_table *t);

/* A progress bar on stderr (only on a terminal); end it with _end. */
void vr_cli_progress(const char *label, double percent);
void vr_cli_progress_end(void);
/* Follow a job to its end with a progress bar; prints the error.
 * result (may be NULL) gets the completed job's JSON result text. */
int vr_cli_wait_job(struct vireo_conn *c, int id, const char *label, char **result);
/* "10.00 GiB" */
const char *vr_cli_size(unsigned long long bytes, char buf[32]);

/* Every command, for dispatch, help and completion. */
extern const vr_command *const vr_commands[];
extern const size_t vr_n_commands;

/* Command families, each defined in its own cmd_*.c file. */
extern const vr_command vr_cmd_host_validate;
extern const vr_command vr_cmd_list;
extern const vr_command vr_cmd_define, vr_cmd_undefine, vr_cmd_create, vr_cmd_start,
    vr_cmd_shutdown, vr_cmd_reboot, vr_cmd_destroy, vr_cmd_suspend, vr_cmd_resume,
    vr_cmd_autostart;
extern const vr_command vr_cmd_dominfo, vr_cmd_domstate, vr_cmd_domid, vr_cmd_domuuid,
    vr_cmd_dumpxml, vr_cmd_edit, vr_cmd_domstats, vr_cmd_vncdisplay, vr_cmd_domdisplay;
extern const vr_command vr_cmd_setmem, vr_cmd_setmaxmem, vr_cmd_dommemstat;
extern const vr_command vr_cmd_console, vr_cmd_event, vr_cmd_net_event, vr_cmd_pool_event;
extern const vr_command vr_cmd_version, vr_cmd_uri, vr_cmd_hostname, vr_cmd_nodeinfo,
    vr_cmd_capabilities, vr_cmd_domcapabilities, vr_cmd_sysinfo, vr_cmd_nodedev_list,
    vr_cmd_nodedev_dumpxml, vr_cmd_nodedev_info, vr_cmd_nodedev_detach, vr_cmd_nodedev_reattach;
extern const vr_command vr_cmd_completion;
extern const vr_command vr_cmd_web_token;
extern const vr_command vr_cmd_pool_list, vr_cmd_pool_define, vr_cmd_pool_define_as,
    vr_cmd_pool_build, vr_cmd_pool_start, vr_cmd_pool_destroy, vr_cmd_pool_undefine,
    vr_cmd_pool_delete, vr_cmd_pool_autostart, vr_cmd_pool_info, vr_cmd_pool_refresh,
    vr_cmd_pool_dumpxml;
extern const vr_command vr_cmd_vol_list, vr_cmd_vol_create_as, vr_cmd_vol_create, vr_cmd_vol_clone,
    vr_cmd_vol_create_from,
    vr_cmd_vol_delete, vr_cmd_vol_resize, vr_cmd_vol_wipe, vr_cmd_vol_info, vr_cmd_vol_dumpxml, vr_cmd_vol_path,
    vr_cmd_vol_upload, vr_cmd_vol_download, vr_cmd_job_list, vr_cmd_job_cancel;
extern const vr_command vr_cmd_snapshot_create_as, vr_cmd_snapshot_list, vr_cmd_snapshot_info,
    vr_cmd_snapshot_revert, vr_cmd_snapshot_delete, vr_cmd_snapshot_current,
    vr_cmd_snapshot_dumpxml;
extern const vr_command vr_cmd_find_pool_sources, vr_cmd_find_pool_sources_as, vr_cmd_pool_capabilities;
extern const vr_command vr_cmd_secret_define, vr_cmd_secret_dumpxml, vr_cmd_secret_list,
    vr_cmd_secret_undefine, vr_cmd_secret_set_value, vr_cmd_secret_get_value;
extern const vr_command vr_cmd_clone;
extern const vr_command vr_cmd_builder, vr_cmd_sysprep, vr_cmd_customize, vr_cmd_template,
    vr_cmd_sparsify, vr_cmd_resize, vr_cmd_backup, vr_cmd_backup_restore;
extern const vr_command vr_cmd_checkpoint_create_as, vr_cmd_checkpoint_create, vr_cmd_checkpoint_list,
    vr_cmd_checkpoint_dumpxml, vr_cmd_checkpoint_info, vr_cmd_checkpoint_parent, vr_cmd_checkpoint_delete,
    vr_cmd_backup_begin, vr_cmd_backup_dumpxml;
extern const vr_command vr_cmd_domblklist, vr_cmd_domblkinfo, vr_cmd_domblkerror, vr_cmd_domrename;
extern const vr_command vr_cmd_attach_disk, vr_cmd_detach_disk, vr_cmd_attach_interface,
    vr_cmd_detach_interface, vr_cmd_attach_device, vr_cmd_detach_device, vr_cmd_detach_device_alias, vr_cmd_change_media, vr_cmd_update_device,
    vr_cmd_domif_setlink, vr_cmd_domif_getlink, vr_cmd_domiftune;
extern const vr_command vr_cmd_setvcpus, vr_cmd_vcpucount, vr_cmd_blockresize;
extern const vr_command vr_cmd_send_key, vr_cmd_screenshot, vr_cmd_reset, vr_cmd_domhostname,
    vr_cmd_dompmsuspend, vr_cmd_dompmwakeup, vr_cmd_qemu_monitor_command;
extern const vr_command vr_cmd_save, vr_cmd_restore, vr_cmd_managedsave, vr_cmd_managedsave_remove,
    vr_cmd_domjobinfo, vr_cmd_domjobabort, vr_cmd_save_image_dumpxml, vr_cmd_save_image_define,
    vr_cmd_save_image_edit;
extern const vr_command vr_cmd_domblkstat, vr_cmd_domifstat;
extern const vr_command vr_cmd_iothreadinfo, vr_cmd_iothreadpin, vr_cmd_iothreadadd, vr_cmd_iothreaddel;
extern const vr_command vr_cmd_vcpuinfo, vr_cmd_vcpupin, vr_cmd_emulatorpin, vr_cmd_desc, vr_cmd_metadata,
    vr_cmd_schedinfo, vr_cmd_blkdeviotune;
extern const vr_command vr_cmd_blockcommit, vr_cmd_blockpull, vr_cmd_blockcopy, vr_cmd_blockjob;
extern const vr_command vr_cmd_install;
extern const vr_command vr_cmd_osinfo_query;
/* The daemon's OS variants as osinfo-query lists them (short_id, family:
 * filters or NULL); osinfo-query and install --os-variant list. */
int vr_cli_os_variants(vr_cli *cli, const char *short_id, const char *family);
/* The guest agent (cmd_agent.c); also shutdown --mode agent, through
 * the function below. */
extern const vr_command vr_cmd_qemu_agent_command, vr_cmd_domtime, vr_cmd_guestinfo, vr_cmd_domfsinfo;
extern const vr_command vr_cmd_domfsfreeze, vr_cmd_domfsthaw, vr_cmd_domfstrim;
int vr_cli_agent_shutdown(struct vireo_conn *c, const char *name); /* 0 or -1 (printed) */
extern const vr_command vr_cmd_net_list, vr_cmd_net_define, vr_cmd_net_create, vr_cmd_net_undefine,
    vr_cmd_net_start, vr_cmd_net_destroy, vr_cmd_net_autostart, vr_cmd_net_info, vr_cmd_net_dumpxml,
    vr_cmd_net_edit, vr_cmd_net_dhcp_leases, vr_cmd_net_update, vr_cmd_domiflist, vr_cmd_domifaddr;

/* The interactive/scripted console loop, shared by console, start
 * --console and create --console. */
int vr_cli_console(vr_cli *cli, struct vireo_conn *c, const char *name, bool history);
