/* vireod: the Vireo daemon. This file only wires: options, paths, the
 * listening socket, the event loop, the drivers and the API. */
#include "config.h"
#include "common/file.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/util.h"
#include "core/event_types.h"
#include "core/image_ops.h"
#include "core/livebackup_ops.h"
#include "daemon/api.h"
#include "daemon/events.h"
#include "daemon/fd_budget.h"
#include "daemon/http.h"
#include "drivers/network/network_driver.h"
#include "drivers/network/lease_events.h"
#include "drivers/network/bandwidth.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/storage/storage_driver.h"
#include "drivers/secret/secret_driver.h"
#include "daemon/jobs.h"
#include "daemon/remote_hosts.h"
#include "daemon/rpc.h"
#include "daemon/listen.h"
#include "daemon/rpc_paths.h"
#include "daemon/web.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
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
            "  --socket PATH  serve the API on PATH (default RUNTIME/vireod.sock); libvirt's\n"
            "                 protocol is served beside it on libvirt-sock and libvirt-sock-ro\n"
            "  --session      a user's own daemon (vireo:///session): XDG paths, no privileges\n"
            "  --timeout SECS exit after SECS idle: no running domain and no client\n"
            "  --qemu-user USER|none\n"
            "                 run QEMU as USER with its seccomp sandbox (system default:\n"
            "                 vireo-qemu when that user exists and --root is not given)\n"
            "  --accel auto|strict\n"
            "                 a domain of type 'kvm' on a host without usable KVM: run it under\n"
            "                 TCG emulation with a notice (auto, the default), or refuse (strict)\n"
            "  --no-default-network\n"
            "                 do not create the 'default' NAT network on the first start\n"
            "  --web [ADDR:]PORT\n"
            "                 also serve the web UI and the API (behind a token) over HTTP\n"
            "                 (default 127.0.0.1:8480); vireo web-token prints the token\n"
            "  --web-root DIR the built web UI (default: found next to the binary)\n"
            "  --web-cert FILE, --web-key FILE\n"
            "                 serve the web UI over HTTPS with this certificate and key (PEM)\n"
            "  --web-session SECONDS\n"
            "                 how long a web login lasts (default 604800, 7 days)\n"
            "  --header-timeout SECS\n"
            "                 a client must send a request's headers within SECS (default 10)\n"
            "  --idle-timeout SECS\n"
            "                 close a connection idle for SECS between requests (default 60)\n"
            "  --libvirt-paths\n"
            "                 also serve libvirt's protocol on libvirt's own sockets\n"
            "                 (/run/libvirt/libvirt-sock, virtqemud-sock and their -ro; a\n"
            "                 session daemon: $XDG_RUNTIME_DIR/libvirt/) when no libvirt\n"
            "                 daemon holds them, so qemu:///system with no ?socket= reaches vireod;\n"
            "                 a system daemon also makes /var/lib/libvirt/boot (virt-install's)\n"
            "  --verbose      log debug messages\n"
            "  --lease-hook SOCKET NETWORK ACTION MAC IP [HOST]\n"
            "                 (run by dnsmasq when a DHCP lease changes; see vireod(8))\n");
}

/* A positive number of seconds for `option`, or false after saying so. */
static bool positive_secs(const char *option, const char *arg, int *out)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v <= 0 || v > 1000000000) {
        fprintf(stderr, "vireod: %s needs a positive number of seconds, not '%s'\n", option, arg);
        return false;
    }
    *out = (int)v;
    return true;
}

typedef struct {
    vr_api *api;
    vr_http *http, *http_ro;
    vr_rpc *rpc, *rpc_ro;
    const vr_rpc_paths *lpaths;
    vr_web *web; /* a browser on the web port (its event feed) counts as a client */
    int timeout;
    time_t idle_since;
} idle_state;

/* A session daemon leaves by itself once nothing needs it. */
static void on_idle_check(evutil_socket_t fd, short what, void *arg)
{
    idle_state *st = arg;
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(st->api->qemu, &n);
    bool busy = vr_http_connections(st->http) > 0 || (st->http_ro && vr_http_connections(st->http_ro) > 0) ||
                vr_rpc_connections(st->rpc) > 0 || vr_rpc_connections(st->rpc_ro) > 0 ||
                vr_rpc_paths_connections(st->lpaths) > 0 || (st->web && vr_web_connections(st->web) > 0);
    for (size_t i = 0; i < n && !busy; i++)
        busy = doms[i]->state != VR_DOM_SHUTOFF || doms[i]->starting;
    time_t now = time(NULL);
    if (busy || !st->idle_since)
        st->idle_since = busy ? 0 : now;
    else if (now - st->idle_since >= st->timeout) {
        vr_log_info("idle for %d s with no running domain and no client: exiting", st->timeout);
        event_base_loopbreak(vr_qemu_base(st->api->qemu));
    }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    vr_log_info("signal %d: stopping (running domains keep running)", (int)sig);
    event_base_loopbreak(arg);
}

/* One event on the feed (the wire schema "event"): `volume` (pool
 * refresh events) and a lease's mac, ip and hostname are left out when
 * NULL. */
static void publish_event(vr_api *api, vireo_event *e)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    e->time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (!e->detail)
        e->detail = "";
    e->type = (char *)vr_core_event_type(e->kind, e->event);
    vr_events_publish(api->events, vr_wire_to_json(&vr_wire_event, e));
}

static void publish(vr_api *api, const char *kind, const char *name, const char *uuid,
                    const char *event, const char *detail, const char *volume)
{
    vr_log_info("event: %s %s %s (%s%s%s)", kind, name, event, detail ? detail : "", volume ? " " : "",
                volume ? volume : "");
    vireo_event e = {.kind = (char *)kind, .name = (char *)name, .uuid = (char *)uuid, .event = (char *)event,
                     .detail = (char *)detail, .volume = (char *)volume};
    publish_event(api, &e);
}

static void on_domain_event(const vr_domain *dom, const char *event, const char *detail,
                            const vr_event_facts *f, void *opaque)
{
    if (!f) {
        publish(opaque, "domain", dom->def->name, dom->def->uuid, event, detail, NULL);
        return;
    }
    vr_log_info("event: domain %s %s (%s)", dom->def->name, event, detail ? detail : "");
#define FACT(m) .m = (char *)f->m
    vireo_event e = {.kind = "domain", .name = dom->def->name, .uuid = dom->def->uuid, .event = (char *)event,
                     .detail = (char *)detail, FACT(path), FACT(alias), FACT(reason), FACT(local_family),
                     FACT(local_node), FACT(local_service), FACT(remote_family), FACT(remote_node),
                     FACT(remote_service), FACT(auth), FACT(x509_dname), FACT(sasl_username)};
#undef FACT
    publish_event(opaque, &e);
}

static void on_network_event(const vr_network *net, const char *event, const char *detail, void *opaque)
{
    publish(opaque, "network", net->def->name, net->def->uuid, event, detail, NULL);
}

static void on_pool_event(const vr_pool *p, const char *event, const char *detail, const char *volume,
                          void *opaque)
{
    publish(opaque, "pool", p->def->name, p->def->uuid, event, detail, volume);
}

/* A lease added, renewed or released: an event with its facts, and a
 * fresh sample so the web VM list's addresses follow at once. */
static void on_lease_event(const vr_network *net, const char *kind, const char *mac, const char *ip,
                           const char *hostname, void *opaque)
{
    vr_api *api = opaque;
    vr_log_info("event: network %s lease %s %s %s %s", net->def->name, kind, mac, ip, hostname);
    vireo_event e = {.kind = "network", .name = net->def->name, .uuid = net->def->uuid, .event = "lease",
                     .detail = (char *)kind, .mac = (char *)mac, .ip = (char *)ip, .hostname = (char *)hostname};
    publish_event(api, &e);
    vr_events_sample_now(api->events);
}

static char *network_users(const char *network, void *opaque)
{
    return vr_qemu_network_users(((vr_api *)opaque)->qemu, network);
}

static int tap_for(void *opaque, const vr_interface_def *ifc, char **ifname, char **err)
{
    return vr_net_tap_for(((vr_api *)opaque)->net, ifc, ifname, err);
}

static int replug(void *opaque, const char *ifname, const vr_interface_def *ifc, char **err)
{
    return vr_net_replug(((vr_api *)opaque)->net, ifname, ifc, err);
}

static int set_bandwidth(void *opaque, const char *ifname, const vr_bandwidth_def *bw, char **err)
{
    (void)opaque;
    return vr_bandwidth_apply(ifname, bw, err);
}

static void release_if(void *opaque, const char *ifname)
{
    (void)opaque;
    if (vr_net_release(ifname))
        vr_log_info("macvtap %s deleted", ifname);
}

/* The two seams between the QEMU and storage drivers: volume disks
 * resolve through storage, and storage asks QEMU who uses an image. */
static vr_err resolve_volume(const char *pool, const char *volume, char **path, vr_disk_format *format,
                             char **err, void *opaque)
{
    vr_vol_format f = VR_VOL_RAW;
    vr_err e = vr_storage_resolve(((vr_api *)opaque)->storage, pool, volume, path, &f, err);
    *format = f == VR_VOL_QCOW2 ? VR_DISK_QCOW2 : VR_DISK_RAW;
    return e;
}

/* The storage driver's CHAP passwords and cephx keys, and the QEMU
 * driver's cephx keys of network disks, from the secret store; by
 * usage: an iscsi secret first, then a ceph one. */
static vr_err secret_value(const char *uuid, const char *usage, unsigned char **value, size_t *len, char **err,
                             void *opaque)
{
    vr_secret_driver *sd = ((vr_api *)opaque)->secrets;
    vr_secret *s = uuid ? vr_secret_lookup(sd, uuid) : vr_secret_lookup_usage(sd, VR_SECRET_USAGE_ISCSI, usage);
    if (!s && !uuid)
        s = vr_secret_lookup_usage(sd, VR_SECRET_USAGE_CEPH, usage);
    if (!s) {
        vr_set_error(err, "secret %s '%s' is not defined (vireo secret-list)", uuid ? "uuid" : "with usage",
                     uuid ? uuid : usage);
        return VR_ERR_NOT_FOUND;
    }
    return vr_secret_get_value(sd, s, false, value, len, err);
}

static char *image_user(const char *path, void *opaque)
{
    return vr_qemu_path_user(((vr_api *)opaque)->qemu, path);
}

int main(int argc, char **argv)
{
    /* dnsmasq's --dhcp-script: report one lease change and exit. */
    if (argc > 1 && strcmp(argv[1], "--lease-hook") == 0)
        return vr_lease_hook_main(argc - 2, argv + 2);
    static const struct option opts[] = {
        {"root", required_argument, NULL, 'r'},
        {"socket", required_argument, NULL, 's'},
        {"verbose", no_argument, NULL, 'v'},
        {"no-default-network", no_argument, NULL, 'n'},
        {"session", no_argument, NULL, 'S'},
        {"timeout", required_argument, NULL, 't'},
        {"qemu-user", required_argument, NULL, 'q'},
        {"accel", required_argument, NULL, 'A'},
        {"web", optional_argument, NULL, 'w'},
        {"web-root", required_argument, NULL, 'W'},
        {"web-cert", required_argument, NULL, 'C'},
        {"web-key", required_argument, NULL, 'K'},
        {"web-session", required_argument, NULL, 'E'},
        {"header-timeout", required_argument, NULL, 'H'},
        {"idle-timeout", required_argument, NULL, 'I'},
        {"libvirt-paths", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0},
    };
    const char *root = NULL, *socket_path = NULL;
    bool default_network = true, session = false;
    int timeout = 0, header_secs = 10, idle_secs = 60;
    bool web_on = false;
    vr_web_opts web_opts = {0};
    const char *qemu_user = NULL;
    gid_t qemu_gid = 0; /* QEMU's own group, when it runs as a user of its own */
    bool accel_strict = false, libvirt_paths = false;
    int c;
    while ((c = getopt_long(argc, argv, "hvV", opts, NULL)) != -1) {
        switch (c) {
        case 'r': root = optarg; break;
        case 's': socket_path = optarg; break;
        case 'v': vr_log_set_level(VR_LOG_DEBUG); break;
        case 'n': default_network = false; break;
        case 'S': session = true; break;
        case 'w':
            web_on = true;
            web_opts.spec = optarg;
            if (!optarg && optind < argc && argv[optind][0] != '-')
                web_opts.spec = argv[optind++];
            break;
        case 'W': web_opts.root = optarg; break;
        case 'C': web_opts.cert = optarg; break;
        case 'K': web_opts.key = optarg; break;
        case 'E':
            if (!positive_secs("--web-session", optarg, &web_opts.session_secs))
                return 2;
            break;
        case 'q': qemu_user = optarg; break;
        case 'L': libvirt_paths = true; break;
        case 'A':
            if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "strict") != 0) {
                fprintf(stderr, "vireod: --accel takes auto or strict, not '%s'\n", optarg);
                return 2;
            }
            accel_strict = strcmp(optarg, "strict") == 0;
            break;
        case 'H':
        case 'I':
            if (!positive_secs(c == 'H' ? "--header-timeout" : "--idle-timeout", optarg,
                               c == 'H' ? &header_secs : &idle_secs))
                return 2;
            break;
        case 't':
            if (!positive_secs("--timeout", optarg, &timeout))
                return 2;
            break;
        case 'V': printf("vireod %s\n", VIREO_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vireod: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    /* Web options are checked before anything is made. */
    if ((web_opts.cert || web_opts.key || web_opts.root || web_opts.session_secs) && !web_on) {
        fprintf(stderr, "vireod: --web-cert, --web-key, --web-root and --web-session go with --web\n");
        return 2;
    }
    if (!web_opts.cert != !web_opts.key) {
        fprintf(stderr, "vireod: HTTPS needs both --web-cert and --web-key\n");
        return 2;
    }
    const char *pems[] = {web_opts.cert, web_opts.key};
    for (size_t i = 0; web_opts.cert && i < 2; i++)
        if (access(pems[i], R_OK) != 0) {
            fprintf(stderr, "vireod: cannot read %s: %s\n", pems[i], strerror(errno));
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

    if (session && root) {
        fprintf(stderr, "vireod: --session and --root do not go together\n");
        return 2;
    }
    vr_paths paths;
    if (session)
        vr_paths_init_session(&paths, socket_path);
    else
        vr_paths_init(&paths, abs_root, socket_path);
    const char *what = NULL;
    int rc = vr_paths_mkdirs(&paths, &what);
    if (rc < 0) {
        fprintf(stderr, "vireod: cannot create %s: %s\n", what, strerror(-rc));
        return 1;
    }
    char *err = NULL;
    int lfd = vr_listen_unix(paths.socket, 0600, NULL, &err);
    int ro_fd = -1;
    if (lfd >= 0 && !session) {
        chmod(paths.socket, vr_system_socket_mode(paths.socket));
        /* Everyone may look; only root and group vireo may change. */
        ro_fd = vr_listen_unix(paths.ro_socket, 0666, NULL, &err);
    }
    /* libvirt's protocol: the same peer rules on its own pair. */
    int rpc_fd = lfd < 0 || (!session && ro_fd < 0) ? -1 : vr_listen_unix(paths.libvirt_socket, 0600, NULL, &err);
    int rpc_ro_fd = -1;
    if (rpc_fd >= 0 && !session) {
        chmod(paths.libvirt_socket, vr_system_socket_mode(paths.libvirt_socket));
        rpc_ro_fd = vr_listen_unix(paths.libvirt_ro_socket, 0666, NULL, &err);
    }
    vr_rpc_paths lpaths = {0};
    if (lfd < 0 || (!session && ro_fd < 0) || rpc_fd < 0 || (!session && rpc_ro_fd < 0) ||
        (libvirt_paths && vr_rpc_paths_listen(&lpaths, session, &err) < 0)) {
        fprintf(stderr, "vireod: %s\n", err);
        return 1;
    }

    /* Before any descriptor is handed out: how many each listener gets. */
    vr_fd_budget budget;
    vr_fd_budget_plan(&budget, (unsigned)header_secs, (unsigned)idle_secs);
    web_opts.limits = budget.web;
    struct event_base *base = event_base_new();
    vr_api api = {.paths = &paths, .uri = session ? "vireo:///session" : "vireo:///system",
                  .session = session, .owner = geteuid()};
    api.events = vr_events_new(base);
    vr_events_set_sampler(api.events, vr_api_sample, &api, 2000);
    char *self = realpath("/proc/self/exe", NULL);
    vr_net_config netcfg = {
        .base = base, .paths = &paths, .make_default = default_network && !session,
        .on_event = on_network_event, .users = network_users, .opaque = &api,
        .lease_hook = self, .on_lease = on_lease_event,
    };
    api.net = vr_net_driver_new(&netcfg);
    api.qemu = vr_qemu_driver_new(base, &paths, on_domain_event, &api);
    vr_qemu_set_net_hooks(api.qemu, &(vr_qemu_net_hooks){.tap_for = tap_for, .release = release_if, .replug = replug, .set_bandwidth = set_bandwidth, .opaque = &api});
    vr_qemu_set_accel_strict(api.qemu, accel_strict);
    vr_qemu_set_backup_end(api.qemu, vr_core_backup_adopted_end); /* backups re-adopted at its start */
    /* The system daemon's QEMUs do not run as root: vireo-qemu by default
     * (hermetic --root runs keep the daemon's user unless asked). */
    if (!qemu_user && !session && !root && geteuid() == 0 && getpwnam("vireo-qemu"))
        qemu_user = "vireo-qemu";
    if (qemu_user && strcmp(qemu_user, "none") != 0) {
        struct passwd *pw = getpwnam(qemu_user);
        if (!pw || geteuid() != 0) {
            fprintf(stderr, "vireod: cannot run QEMU as '%s': %s\n", qemu_user,
                    !pw ? "no such user (useradd --system vireo-qemu)" : "only root can");
            return 1;
        }
        vr_qemu_set_user(api.qemu, pw->pw_uid, pw->pw_gid);
        qemu_gid = pw->pw_gid;
        vr_log_info("QEMU runs as %s (uid %d) with its seccomp sandbox", qemu_user, (int)pw->pw_uid);
    }
    api.jobs = vr_jobs_new();
    api.hosts = vr_remote_hosts_new(base, &paths);
    api.secrets = vr_secret_driver_new(&paths);
    api.storage = vr_storage_driver_new(base, &paths);
    vr_storage_set_qemu_group(api.storage, qemu_gid);
    vr_storage_set_user_fn(api.storage, image_user, &api);
    vr_storage_set_event_fn(api.storage, on_pool_event, &api);
    vr_storage_set_secret_fn(api.storage, secret_value, &api);
    vr_qemu_set_volume_resolver(api.qemu, resolve_volume, &api);
    vr_qemu_set_secret_fn(api.qemu, secret_value, &api);
    vr_qemu_autostart(api.qemu);
    vr_api_backup_resume(&api); /* bundles a previous daemon began: finished by this one */
    vr_api_images_resume(&api); /* image jobs whose helper outlived a previous daemon */
    vr_web *web = web_on ? vr_web_start(base, &web_opts, &api, &err) : NULL;
    if (web_on && !web) {
        fprintf(stderr, "vireod: %s\n", err);
        return 1;
    }
    vr_http *http = vr_http_start(base, lfd, vr_api_handle, &api,
                                  &(vr_http_opts){.name = "api", .limits = budget.api}, &err);
    vr_api api_ro = api;
    api_ro.read_only = true;
    vr_http *http_ro = http && ro_fd >= 0 ? vr_http_start(base, ro_fd, vr_api_handle, &api_ro,
                                                          &(vr_http_opts){.name = "read-only", .limits = budget.ro},
                                                          &err)
                                          : NULL;
    if (!http || (ro_fd >= 0 && !http_ro)) {
        fprintf(stderr, "vireod: %s\n", err);
        return 1;
    }
    vr_rpc *rpc = vr_rpc_start(base, rpc_fd, &api, false, "libvirt-sock", &budget.rpc);
    vr_rpc *rpc_ro =
        rpc_ro_fd >= 0 ? vr_rpc_start(base, rpc_ro_fd, &api, true, "libvirt-sock-ro", &budget.rpc_ro) : NULL;
    vr_events_listen(api.events, vr_rpc_event, rpc);
    if (rpc_ro)
        vr_events_listen(api.events, vr_rpc_event, rpc_ro);
    vr_rpc_paths_serve(&lpaths, base, &api, &budget);
    idle_state idle = {.api = &api, .http = http, .http_ro = http_ro, .rpc = rpc, .rpc_ro = rpc_ro,
                       .lpaths = &lpaths, .web = web, .timeout = timeout};
    struct event *idle_timer = NULL;
    if (timeout) {
        idle_timer = event_new(base, -1, EV_PERSIST, on_idle_check, &idle);
        struct timeval tv = {.tv_sec = 1};
        event_add(idle_timer, &tv);
    }
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    event_add(sigterm, NULL);
    event_add(sigint, NULL);
    vr_log_info("vireod %s serving %s on %s (libvirt's protocol on %s)", VIREO_VERSION, api.uri, paths.socket,
                paths.libvirt_socket);
    for (size_t i = 0; i < lpaths.n; i++)
        vr_log_info("libvirt's protocol also on %s (--libvirt-paths)", lpaths.path[i]);

    event_base_dispatch(base);

    /* Image jobs go on without us, as the guests do; the next daemon
     * takes them back. */
    vr_core_image_leave_all();

    /* Subscribers and consoles go first: they hold upgraded connections
     * the HTTP server must still be there to close. */
    vr_rpc_paths_stop(&lpaths);
    vr_rpc_stop(rpc_ro);
    vr_rpc_stop(rpc);
    vr_remote_hosts_free(api.hosts);
    vr_events_free(api.events);
    vr_qemu_driver_free(api.qemu);
    vr_net_driver_free(api.net);
    vr_storage_driver_free(api.storage);
    vr_secret_driver_free(api.secrets);
    vr_jobs_free(api.jobs);
    if (idle_timer)
        event_free(idle_timer);
    vr_web_stop(web);
    vr_http_stop(http_ro);
    vr_http_stop(http);
    if (paths.ro_socket)
        unlink(paths.ro_socket);
    if (paths.libvirt_ro_socket)
        unlink(paths.libvirt_ro_socket);
    unlink(paths.libvirt_socket);
    unlink(paths.socket);
    event_free(sigterm);
    event_free(sigint);
    event_base_free(base);
    vr_paths_free(&paths);
    free(abs_root);
    free(self);
    return 0;
}
