/* benchtool: the measuring helpers of bench/run, with no dependency but libc.
 *
 *   benchtool time CMD [ARG...]
 *       run CMD (its stdout to /dev/null), wait for it; print
 *       "T0_US WALL_US MAXRSS_KIB STATUS" where
 *       T0_US is the wall clock (µs since the epoch) just before fork and
 *       WALL_US the monotonic time until CMD ended. Exit status 0 even
 *       when CMD failed (STATUS says so).
 *   benchtool par CMDFILE
 *       one command per line (words split on spaces, no quoting); start
 *       them all at once, wait for all; print "T0_US WALL_US FAILED".
 *   benchtool waitlogs TIMEOUT_S STRING FILE...
 *       poll the files (every 2 ms; they may not exist yet) until each
 *       contains STRING; print one line per file, "FIRST_BYTE_US FOUND_US"
 *       (wall clock, µs since the epoch). Exit 1 on timeout (the lines
 *       of files not found say "- -").
 *   benchtool rss PID...
 *       print the sum of VmRSS (KiB) of the live PIDs.
 *   benchtool private PID...
 *       print the sum of Private_Dirty (KiB, /proc/PID/smaps_rollup): the
 *       memory the processes own, without the shared libraries' pages.
 *   benchtool now
 *       the wall clock in µs since the epoch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static int cmd_time(char **argv)
{
    long long t0 = now_us(CLOCK_REALTIME), m0 = now_us(CLOCK_MONOTONIC);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execvp(argv[0], argv);
        fprintf(stderr, "benchtool: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            die("wait4");
    long long wall = now_us(CLOCK_MONOTONIC) - m0;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%lld %lld %ld %d\n", t0, wall, ru.ru_maxrss, rc);
    return 0;
}

static int cmd_par(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        die(file);
    char *lines[256];
    size_t n = 0, cap = 0;
    char *line = NULL;
    while (n < 256 && getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = 0;
        if (*line)
            lines[n++] = strdup(line);
    }
    fclose(f);
    long long t0 = now_us(CLOCK_REALTIME), m0 = now_us(CLOCK_MONOTONIC);
    for (size_t i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            char *argv[64];
            int argc = 0;
            for (char *tok = strtok(lines[i], " "); tok && argc < 63; tok = strtok(NULL, " "))
                argv[argc++] = tok;
            argv[argc] = NULL;
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 1);
            execvp(argv[0], argv);
            _exit(127);
        }
    }
    int failed = 0, status;
    for (size_t i = 0; i < n; i++) {
        if (wait(&status) < 0)
            die("wait");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    printf("%lld %lld %d\n", t0, now_us(CLOCK_MONOTONIC) - m0, failed);
    return 0;
}

struct watch {
    const char *path;
    off_t off;
    long long first, found;
    char tail[256];
    size_t tlen;
};

static void poll_file(struct watch *w, const char *s, size_t slen)
{
    int fd = open(w->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[65536 + 256];
    for (;;) {
        memcpy(buf, w->tail, w->tlen);
        ssize_t r = pread(fd, buf + w->tlen, 65536, w->off);
        if (r <= 0)
            break;
        long long t = now_us(CLOCK_REALTIME);
        if (!w->first)
            w->first = t;
        w->off += r;
        size_t len = w->tlen + (size_t)r;
        if (memmem(buf, len, s, slen)) {
            w->found = t;
            break;
        }
        w->tlen = len < slen - 1 ? len : slen - 1;
        memmove(w->tail, buf + len - w->tlen, w->tlen);
    }
    close(fd);
}

static int cmd_waitlogs(double timeout, const char *s, int n, char **paths)
{
    size_t slen = strlen(s);
    if (slen == 0 || slen > 200)
        return 2;
    struct watch *w = calloc((size_t)n, sizeof(*w));
    for (int i = 0; i < n; i++)
        w[i].path = paths[i];
    long long end = now_us(CLOCK_MONOTONIC) + (long long)(timeout * 1e6);
    int left = n;
    while (left > 0 && now_us(CLOCK_MONOTONIC) < end) {
        for (int i = 0; i < n; i++)
            if (!w[i].found) {
                poll_file(&w[i], s, slen);
                if (w[i].found)
                    left--;
            }
        if (left > 0)
            usleep(2000);
    }
    for (int i = 0; i < n; i++) {
        if (w[i].found)
            printf("%lld %lld\n", w[i].first, w[i].found);
        else
            printf("- -\n");
    }
    return left ? 1 : 0;
}

/* The KiB value of the line "KEY: N kB" in /proc/PID/FILE; 0 when gone. */
static long proc_kib(const char *pid, const char *file, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s/%s", pid, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long kib = 0;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, klen) && line[klen] == ':') {
            kib = atol(line + klen + 1);
            break;
        }
    fclose(f);
    return kib;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "time"))
        return cmd_time(argv + 2);
    if (argc == 3 && !strcmp(argv[1], "par"))
        return cmd_par(argv[2]);
    if (argc >= 5 && !strcmp(argv[1], "waitlogs"))
        return cmd_waitlogs(atof(argv[2]), argv[3], argc - 4, argv + 4);
    if (argc >= 2 && (!strcmp(argv[1], "rss") || !strcmp(argv[1], "private"))) {
        int rss = !strcmp(argv[1], "rss");
        long sum = 0;
        for (int i = 2; i < argc; i++)
            if (*argv[i])
                sum += rss ? proc_kib(argv[i], "status", "VmRSS") : proc_kib(argv[i], "smaps_rollup", "Private_Dirty");
        printf("%ld\n", sum);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "now")) {
        printf("%lld\n", now_us(CLOCK_REALTIME));
        return 0;
    }
    fprintf(stderr, "usage: benchtool time CMD... | par FILE | waitlogs TIMEOUT STRING FILE... | rss PID... |"
                    " private PID... | now\n");
    return 2;
}
