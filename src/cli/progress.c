/* A progress bar on stderr for copies and transfers, drawn only when
 * stderr is a terminal (scripts get no control characters), and human
 * sizes as virsh prints them ("10.00 GiB"). */
#include "cli/cli.h"

#include <stdio.h>
#include <unistd.h>

void vr_cli_progress(const char *label, double percent)
{
    if (!isatty(STDERR_FILENO))
        return;
    if (percent < 0)
        percent = 0;
    if (percent > 100)
        percent = 100;
    int width = 30, fill = (int)(percent * width / 100);
    fprintf(stderr, "\r%-24.24s [", label);
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : ' ', stderr);
    fprintf(stderr, "] %5.1f%%", percent);
    fflush(stderr);
}

void vr_cli_progress_end(void)
{
    if (isatty(STDERR_FILENO))
        fputc('\n', stderr);
}

const char *vr_cli_size(unsigned long long bytes, char buf[32])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, 32, "%llu B", bytes);
    else
        snprintf(buf, 32, "%.2f %s", v, units[u]);
    return buf;
}
