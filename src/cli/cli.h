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
/* Read a whole file ("-" = stdin) for define/create; prints the error. */
char *vr_cli_read_file(const char *path);
/* Options of a command: "--name" alone sets *set; with has_arg,
 * "--name VALUE" or "--name=VALUE" sets *value. */
typedef struct {
    const char *name;
    bool has_arg;
    bool *set;
    const char **value;
} vr_opt;
/* Parse argv[1..] (GNU style: options anywhere). Positionals land in
 * pos[] (at most max_pos). Returns -1 after printing a usage error, 1
 * when --help was printed, else 0 with *npos set. */
int vr_cli_parse(const vr_command *cmd, int argc, char **argv, const vr_opt *opts,
                 const char **pos, size_t min_pos, size_t max_pos, size_t *npos);
/* "--help" for a command. */
int vr_cli_help(const vr_command *cmd);

/* Tables that line up, virsh style: a header, a rule, rows. */
typedef struct vr_table vr_table;
vr_table *vr_table_new(size_t ncols, const char *const *headers);
void vr_table_add(vr_table *t, const char *const *cells);
void vr_table_print(vr_table *t, FILE *out);
void vr_table_free(vr_table *t);

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
    vr_cmd_dumpxml, vr_cmd_edit, vr_cmd_domstats;
extern const vr_command vr_cmd_console, vr_cmd_event;
extern const vr_command vr_cmd_version, vr_cmd_uri, vr_cmd_hostname, vr_cmd_nodeinfo,
    vr_cmd_capabilities;
extern const vr_command vr_cmd_completion;

/* The interactive/scripted console loop, shared by console, start
 * --console and create --console. */
int vr_cli_console(vr_cli *cli, struct vireo_conn *c, const char *name, bool history);
