#include "cli/cli.h"

#include <stdarg.h>
#include <string.h>

int vr_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vireo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return VR_EXIT_FAIL;
}

int vr_cli_usage(const vr_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vireo %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nusage: vireo %s %s\n", cmd->name, cmd->usage);
    va_end(ap);
    return VR_EXIT_USAGE;
}

const char *vr_color(const vr_cli *cli, const char *name)
{
    if (!cli->color)
        return "";
    static const struct { const char *name, *code; } codes[] = {
        {"green", "\033[32m"}, {"yellow", "\033[33m"}, {"red", "\033[31m"},
        {"bold", "\033[1m"}, {"dim", "\033[2m"}, {"reset", "\033[0m"},
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(codes[i].name, name) == 0)
            return codes[i].code;
    return "";
}
