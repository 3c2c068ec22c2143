/* vireo: the command line. This file only parses global options and
 * dispatches; every command lives in its own cmd_*.c file. */
#include "config.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const vr_command *const commands[] = {
    &vr_cmd_host_validate,
};

static void usage(FILE *out)
{
    fprintf(out, "usage: vireo [-c URI] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-16s %s\n", commands[i]->name, commands[i]->summary);
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
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(commands[k]->name, argv[i]) == 0)
            return commands[k]->run(&cli, argc - i, argv + i);
    fprintf(stderr, "vireo: unknown command '%s'; 'vireo --help' lists them\n", argv[i]);
    return VR_EXIT_USAGE;
}
