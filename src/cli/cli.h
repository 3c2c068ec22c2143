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

/* Command families, each defined in its own cmd_*.c file. */
extern const vr_command vr_cmd_host_validate;
