#include "common/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per kind of warning: BURST lines in each WINDOW seconds, then silence
 * counted and reported once the window is over. */
#define BURST 5
#define WINDOW 10
#define KINDS 64

typedef struct {
    const char *key; /* the format, or the kind given to vr_log_keyed */
    vr_log_level level;
    time_t start;
    unsigned logged, suppressed;
} log_kind;

static vr_log_level min_level = VR_LOG_INFO;
static log_kind kinds[KINDS];

void vr_log_set_level(vr_log_level l) { min_level = l; }

static void emit(vr_log_level l, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void emit(vr_log_level l, const char *fmt, va_list ap)
{
    static const char *names[] = {"debug", "info", "warning", "error"};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    /* One write per line (stderr is unbuffered: three calls were three
     * writes), so lines from the workers' threads never interleave. */
    char line[1024], *out = line;
    int head = snprintf(line, sizeof(line), "%s.%03ld %s: ", when, ts.tv_nsec / 1000000, names[l]);
    va_list again;
    va_copy(again, ap);
    int body = vsnprintf(line + head, sizeof(line) - (size_t)head, fmt, ap);
    if (body < 0)
        body = 0;
    size_t len = (size_t)head + (size_t)body;
    if (len + 2 > sizeof(line) && (out = malloc(len + 2))) {
        memcpy(out, line, (size_t)head);
        vsnprintf(out + head, (size_t)body + 1, fmt, again);
    } else if (!out) {
        out = line; /* no memory: the line cut at the buffer's end */
        len = sizeof(line) - 2;
    }
    va_end(again);
    out[len] = '\n';
    fwrite(out, 1, len + 1, stderr);
    if (out != line)
        free(out);
}

static void emit_line(vr_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit_line(vr_log_level l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(l, fmt, ap);
    va_end(ap);
}

/* A kind is named without its trailing newline (libmicrohttpd's have one). */
static int kind_len(const char *kind)
{
    size_t n = strlen(kind);
    while (n && (kind[n - 1] == '\n' || kind[n - 1] == ' '))
        n--;
    return (int)n;
}

/* Report the silence of every kind whose window is over (so a flood that
 * stopped still gets its summary with the next line of any kind). */
static void close_windows(time_t now)
{
    for (size_t i = 0; i < KINDS; i++) {
        log_kind *k = &kinds[i];
        if (!k->key || now - k->start < WINDOW)
            continue;
        if (k->suppressed)
            emit_line(k->level, "(suppressed %u similar in %d s: %.*s)", k->suppressed, (int)(now - k->start),
                      kind_len(k->key), k->key);
        *k = (log_kind){0};
    }
}

/* May a line of this kind go out now? */
static bool admit(vr_log_level l, const char *key)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    close_windows(ts.tv_sec);
    log_kind *k = NULL, *free_slot = NULL, *oldest = &kinds[0];
    for (size_t i = 0; i < KINDS && !k; i++) {
        if (kinds[i].key == key)
            k = &kinds[i];
        else if (!kinds[i].key && !free_slot)
            free_slot = &kinds[i];
        else if (kinds[i].start < oldest->start)
            oldest = &kinds[i];
    }
    if (!k) {
        /* More kinds at once than slots: the oldest one gives way, its
         * silence reported first. */
        k = free_slot ? free_slot : oldest;
        if (k->suppressed)
            emit_line(k->level, "(suppressed %u similar: %.*s)", k->suppressed, kind_len(k->key), k->key);
        *k = (log_kind){.key = key, .level = l, .start = ts.tv_sec};
    }
    if (k->logged < BURST) {
        k->logged++;
        return true;
    }
    k->suppressed++;
    return false;
}

static void vlog(vr_log_level l, const char *kind, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void vlog(vr_log_level l, const char *kind, const char *fmt, va_list ap)
{
    if (l < min_level || (l >= VR_LOG_WARN && !admit(l, kind)))
        return;
    emit(l, fmt, ap);
}

void vr_log_keyed(vr_log_level l, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(l, kind, fmt, ap);
    va_end(ap);
}

void vr_log(vr_log_level l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(l, fmt, fmt, ap);
    va_end(ap);
}
