#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static vr_log_level min_level = VR_LOG_INFO;

void vr_log_set_level(vr_log_level l) { min_level = l; }

void vr_log(vr_log_level l, const char *fmt, ...)
{
    if (l < min_level)
        return;
    static const char *names[] = {"debug", "info", "warning", "error"};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s.%03ld %s: ", when, ts.tv_nsec / 1000000, names[l]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
