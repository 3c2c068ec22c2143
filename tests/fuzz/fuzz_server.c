#include "fuzz_server.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/util.h"
#include "daemon/events.h"
#include "daemon/fd_budget.h"
#include "daemon/jobs.h"
#include "drivers/network/network_driver.h"
#include "drivers/storage/storage_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef FIXTURES
#error FIXTURES must name tests/fixtures
#endif

static struct {
    struct event_base *base;
    vr_paths paths;
    vr_api api;
    vr_http *http;
    char root[64];
    struct sockaddr_un sa;
} S;

vr_api *fz_server_api(void) { return &S.api; }

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void cleanup(void)
{
    if (S.root[0])
        nftw(S.root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *slurp(const char *name)
{
    char *path = vr_asprintf("%s/%s", FIXTURES, name), *text = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "fuzz server: cannot read %s: %s\n", path, strerror(errno));
        abort();
    }
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    free(path);
    if (n < 0)
        abort();
    return text;
}

/* The objects requests can name: defined, never started. */
static void define_fixtures(void)
{
    char *err = NULL;
    char *dom = slurp("domain/minimal.xml"), *net = slurp("network/isolated.xml");
    vr_domain *d = NULL;
    vr_network *n = NULL;
    if (vr_qemu_define(S.api.qemu, dom, &d, &err) != VR_OK || vr_net_define(S.api.net, net, &n, &err) != VR_OK) {
        fprintf(stderr, "fuzz server: fixtures do not define: %s\n", err);
        abort();
    }
    free(dom);
    free(net);
}

static int listen_socket(void)
{
    S.sa.sun_family = AF_UNIX;
    snprintf(S.sa.sun_path, sizeof(S.sa.sun_path), "%s/api.sock", S.root);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&S.sa, sizeof(S.sa)) < 0 || listen(fd, 16) < 0) {
        fprintf(stderr, "fuzz server: cannot listen on %s: %s\n", S.sa.sun_path, strerror(errno));
        abort();
    }
    return fd;
}

void fz_server_start(vr_http_handler handler, bool read_only)
{
    signal(SIGPIPE, SIG_IGN);
    vr_log_set_level(VR_LOG_ERROR);
    const char *tmp = getenv("TMPDIR");
    snprintf(S.root, sizeof(S.root), "%s/vireo-fuzz-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(S.root))
        abort();
    atexit(cleanup);
    vr_paths_init(&S.paths, S.root, NULL);
    const char *what = NULL;
    if (vr_paths_mkdirs(&S.paths, &what) < 0)
        abort();
    S.base = event_base_new();
    S.api = (vr_api){.paths = &S.paths, .uri = "vireo:///system", .owner = geteuid(), .read_only = read_only};
    S.api.events = vr_events_new(S.base);
    vr_net_config netcfg = {.base = S.base, .paths = &S.paths, .make_default = false, .opaque = &S.api};
    S.api.net = vr_net_driver_new(&netcfg);
    S.api.qemu = vr_qemu_driver_new(S.base, &S.paths, NULL, &S.api);
    S.api.jobs = vr_jobs_new();
    S.api.storage = vr_storage_driver_new(S.base, &S.paths);
    define_fixtures();
    char *err = NULL;
    /* The daemon's own connection limits and deadlines (fd_budget.c). */
    vr_fd_budget budget;
    vr_fd_budget_plan(&budget, 10, 60);
    vr_http_opts opts = {.name = read_only ? "read-only" : "api", .limits = read_only ? budget.ro : budget.api};
    S.http = vr_http_start(S.base, listen_socket(), handler ? handler : vr_api_handle, &S.api, &opts, &err);
    if (!S.http) {
        fprintf(stderr, "fuzz server: %s\n", err);
        abort();
    }
}

/* The complete answers in `in` so far (headers and Content-Length bytes
 * of body): their statuses. */
static size_t parse_answers(const char *in, size_t len, fz_answer *ans, size_t max)
{
    size_t n = 0, off = 0;
    while (off < len) {
        const char *head = in + off;
        const char *end = memmem(head, len - off, "\r\n\r\n", 4);
        if (!end || strncmp(head, "HTTP/1.", 7) != 0)
            return n;
        int code = atoi(head + 9);
        const char *cl = memmem(head, (size_t)(end - head), "Content-Length: ", 16);
        size_t body = cl ? strtoul(cl + 16, NULL, 10) : 0;
        size_t total = (size_t)(end + 4 - head) + body;
        if (total > len - off)
            return n;
        if (n < max)
            ans[n] = (fz_answer){code, memmem(head, (size_t)(end - head), "application/json", 16) != NULL};
        n++;
        off += total;
    }
    return n;
}

size_t fz_server_roundtrip(const uint8_t *bytes, size_t len, fz_answer *ans, size_t max)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&S.sa, sizeof(S.sa)) < 0)
        abort();
    char *in = NULL;
    size_t in_len = 0, sent = 0, answers = 0;
    int idle = 0;
    /* A few quiet turns of the loop after everything is sent: MHD has
     * then read all it can and answered what it could. */
    while (idle < 4) {
        bool moved = false;
        if (sent < len) {
            ssize_t w = send(fd, bytes + sent, len - sent, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w, moved = true;
            else if (w < 0 && errno != EAGAIN)
                sent = len; /* the server closed on us */
        }
        event_base_loop(S.base, EVLOOP_NONBLOCK);
        char buf[16384];
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r == 0)
            break;
        if (r > 0) {
            in = vr_realloc(in, in_len + (size_t)r);
            memcpy(in + in_len, buf, (size_t)r);
            in_len += (size_t)r;
            moved = true;
            answers = parse_answers(in, in_len, ans, max);
        }
        idle = moved || sent < len ? 0 : idle + 1;
    }
    close(fd);
    /* Let MHD see the close and free the connection. */
    for (int i = 0; i < 3; i++)
        event_base_loop(S.base, EVLOOP_NONBLOCK);
    free(in);
    return answers;
}

void fz_expect_no_5xx(const fz_answer *ans, size_t n, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (ans[i].vireo && ans[i].status >= 500) {
            fprintf(stderr, "fuzz: answer %zu is %d for a request of %zu bytes\n", i, ans[i].status, len);
            abort();
        }
    }
}
