#include "fuzz_server.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/util.h"
#include "daemon/events.h"
#include "daemon/fd_budget.h"
#include "daemon/jobs.h"
#include "daemon/rpc.h"
#include "drivers/network/network_driver.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/storage/storage_driver.h"
#include "drivers/secret/secret_driver.h"

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
    vr_rpc *rpc;
    char root[64];
    struct sockaddr_un sa, rpc_sa;
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

/* The objects requests can name: defined, never started. The domain
 * gets a fixed uuid (FZ_DOMAIN_UUID): libvirt's calls name a domain by
 * uuid, so seeds can name it too. */
static void define_fixtures(void)
{
    char *err = NULL;
    char *xml = slurp("domain/minimal.xml"), *net = slurp("network/isolated.xml");
    const char *name_end = strstr(xml, "</name>");
    if (!name_end)
        abort();
    char *dom = vr_asprintf("%.*s</name><uuid>%s</uuid>%s", (int)(name_end - xml), xml, FZ_DOMAIN_UUID,
                            name_end + strlen("</name>"));
    free(xml);
    vr_domain *d = NULL;
    vr_network *n = NULL;
    if (vr_qemu_define(S.api.qemu, dom, &d, &err) != VR_OK || vr_net_define(S.api.net, net, &n, &err) != VR_OK) {
        fprintf(stderr, "fuzz server: fixtures do not define: %s\n", err);
        abort();
    }
    free(dom);
    free(net);
}

static int listen_socket(struct sockaddr_un *sa, const char *name)
{
    sa->sun_family = AF_UNIX;
    snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", S.root, name);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, 16) < 0) {
        fprintf(stderr, "fuzz server: cannot listen on %s: %s\n", sa->sun_path, strerror(errno));
        abort();
    }
    return fd;
}

/* The daemon's drivers on a private root, the fixtures defined: once. */
static void setup(bool read_only)
{
    if (S.base)
        return;
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
    S.api.secrets = vr_secret_driver_new(&S.paths);
    define_fixtures();
}

/* The daemon's own connection limits and deadlines (fd_budget.c). */
static vr_fd_budget budget(void)
{
    vr_fd_budget b;
    vr_fd_budget_plan(&b, 10, 60);
    return b;
}

void fz_server_start(vr_http_handler handler, bool read_only)
{
    setup(read_only);
    char *err = NULL;
    vr_fd_budget b = budget();
    vr_http_opts opts = {.name = read_only ? "read-only" : "api", .limits = read_only ? b.ro : b.api};
    S.http = vr_http_start(S.base, listen_socket(&S.sa, "api.sock"), handler ? handler : vr_api_handle, &S.api,
                           &opts, &err);
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

bool fz_send_some(int fd, const uint8_t *bytes, size_t len, size_t *sent)
{
    if (*sent >= len)
        return false;
    ssize_t w = send(fd, bytes + *sent, len - *sent, MSG_NOSIGNAL);
    if (w > 0) {
        *sent += (size_t)w;
        return true;
    }
    if (w < 0 && errno != EAGAIN)
        *sent = len; /* the server closed on us; recv tells */
    return false;
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
        bool moved = fz_send_some(fd, bytes, len, &sent);
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

void fz_rpc_start(void)
{
    /* As vireod serves libvirt-sock-ro (main.c): the daemon's API
     * (read_only false there too; the RPC's own flag is the rule), the
     * read-only socket's limits, the lifecycle event feed. */
    setup(false);
    vr_fd_budget b = budget();
    S.rpc = vr_rpc_start(S.base, listen_socket(&S.rpc_sa, "libvirt-sock-ro"), &S.api, true, "libvirt-sock-ro",
                         &b.rpc_ro);
    vr_events_listen(S.api.events, vr_rpc_event, S.rpc);
}

int fz_rpc_connect(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&S.rpc_sa, sizeof(S.rpc_sa)) < 0) {
        fprintf(stderr, "fuzz server: cannot connect to %s: %s\n", S.rpc_sa.sun_path, strerror(errno));
        abort();
    }
    return fd;
}

unsigned fz_rpc_connections(void) { return vr_rpc_connections(S.rpc); }

void fz_server_turn(void) { event_base_loop(S.base, EVLOOP_NONBLOCK); }
