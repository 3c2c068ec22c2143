/* vireod: the Vireo daemon. This file only wires: options, paths, the
 * listening socket, the event loop, the drivers and the API. */
#include "config.h"
#include "common/file.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/util.h"
#include "daemon/api.h"
#include "daemon/events.h"
#include "daemon/http.h"
#include "drivers/qemu/qemu_driver.h"

#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vireod [--root DIR] [--socket PATH] [--verbose]\n\n"
            "  --root DIR     keep every path (config, state, runtime, logs, socket) under DIR\n"
            "  --socket PATH  serve the API on PATH (default RUNTIME/vireod.sock)\n"
            "  --verbose      log debug messages\n");
}

/* Bind the API socket. A socket file nobody answers on is a leftover of
 * a killed daemon and is replaced; one that answers means another
 * vireod is serving, which is an error. */
static int listen_unix(const char *path, char **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        vr_set_error(err, "socket path too long (max %zu bytes): %s", sizeof(sa.sun_path) - 1, path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        close(probe);
        vr_set_error(err, "another vireod is already serving %s", path);
        return -1;
    }
    if (probe >= 0)
        close(probe);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t old = umask(0117);
    int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0 || listen(fd, 128) < 0) {
        vr_set_error(err, "cannot listen on %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    vr_log_info("signal %d: stopping (running domains keep running)", (int)sig);
    event_base_loopbreak(arg);
}

static void on_domain_event(const vr_domain *dom, const char *event, const char *detail, void *opaque)
{
    vr_events *ev = ((vr_api *)opaque)->events;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "time", json_object_new_double((double)ts.tv_sec + (double)ts.tv_nsec / 1e9));
    json_object_object_add(o, "kind", json_object_new_string("domain"));
    json_object_object_add(o, "name", json_object_new_string(dom->def->name));
    json_object_object_add(o, "uuid", json_object_new_string(dom->def->uuid));
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "detail", json_object_new_string(detail ? detail : ""));
    vr_log_info("event: domain %s %s (%s)", dom->def->name, event, detail ? detail : "");
    vr_events_publish(ev, o);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"root", required_argument, NULL, 'r'},
        {"socket", required_argument, NULL, 's'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0},
    };
    const char *root = NULL, *socket_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "hvV", opts, NULL)) != -1) {
        switch (c) {
        case 'r': root = optarg; break;
        case 's': socket_path = optarg; break;
        case 'v': vr_log_set_level(VR_LOG_DEBUG); break;
        case 'V': printf("vireod %s\n", VIREO_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vireod: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    char *abs_root = NULL;
    if (root && !(abs_root = realpath(root, NULL))) {
        if (vr_mkdir_p(root, 0755) < 0 || !(abs_root = realpath(root, NULL))) {
            fprintf(stderr, "vireod: cannot use --root %s: %s\n", root, strerror(errno));
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);

    vr_paths paths;
    vr_paths_init(&paths, abs_root, socket_path);
    const char *what = NULL;
    int rc = vr_paths_mkdirs(&paths, &what);
    if (rc < 0) {
        fprintf(stderr, "vireod: cannot create %s: %s\n", what, strerror(-rc));
        return 1;
    }
    char *err = NULL;
    int lfd = listen_unix(paths.socket, &err);
    if (lfd < 0) {
        fprintf(stderr, "vireod: %s\n", err);
        return 1;
    }

    struct event_base *base = event_base_new();
    vr_api api = {.paths = &paths, .uri = "vireo:///system"};
    api.events = vr_events_new(base);
    api.qemu = vr_qemu_driver_new(base, &paths, on_domain_event, &api);
    vr_http *http = vr_http_start(base, lfd, vr_api_handle, &api, &err);
    if (!http) {
        fprintf(stderr, "vireod: %s\n", err);
        return 1;
    }
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    event_add(sigterm, NULL);
    event_add(sigint, NULL);
    vr_log_info("vireod %s serving %s on %s", VIREO_VERSION, api.uri, paths.socket);

    event_base_dispatch(base);

    /* Subscribers and consoles go first: they hold upgraded connections
     * the HTTP server must still be there to close. */
    vr_events_free(api.events);
    vr_qemu_driver_free(api.qemu);
    vr_http_stop(http);
    unlink(paths.socket);
    event_free(sigterm);
    event_free(sigint);
    event_base_free(base);
    vr_paths_free(&paths);
    free(abs_root);
    return 0;
}
