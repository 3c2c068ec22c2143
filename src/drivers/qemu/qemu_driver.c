/* Domain lifecycle on QEMU: define/undefine, start, stop, pause, and the
 * bookkeeping that follows QEMU's events and process exits. */
#include "conf/domain_device.h"
#include "drivers/qemu/qemu_driver.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_console.h"
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_process.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long destroy waits after SIGTERM before SIGKILL. */
#define DESTROY_GRACE_SECS 5

typedef struct waiter {
    struct waiter *next;
    vr_done_fn cb;
    void *opaque;
} waiter;

const char *vr_dom_state_name(vr_dom_state s)
{
    switch (s) {
    case VR_DOM_SHUTOFF: return "shut off";
    case VR_DOM_RUNNING: return "running";
    case VR_DOM_PAUSED: return "paused";
    case VR_DOM_SHUTDOWN: return "in shutdown";
    }
    return "unknown";
}

void vr_qemu_emit_facts(vr_domain *dom, const char *event, const char *detail, const vr_event_facts *facts)
{
    if (dom->drv->on_event)
        dom->drv->on_event(dom, event, detail, facts, dom->drv->event_opaque);
}

void vr_qemu_emit(vr_domain *dom, const char *event, const char *detail)
{
    vr_qemu_emit_facts(dom, event, detail, NULL);
}

/* ---- process exit and QMP events ---- */

static void finish_waiters(vr_domain *dom, vr_err code, const char *err)
{
    waiter *w = dom->waiters;
    dom->waiters = NULL;
    while (w) {
        waiter *next = w->next;
        w->cb(code, err, w->opaque);
        free(w);
        w = next;
    }
}

static void add_waiter(vr_domain *dom, vr_done_fn cb, void *opaque)
{
    waiter *w = vr_calloc(1, sizeof(*w));
    w->cb = cb;
    w->opaque = opaque;
    w->next = dom->waiters;
    dom->waiters = w;
}

/* Every interface's device goes back (macvtaps outlive QEMU); then the
 * names are forgotten. */
static void release_ifnames(vr_domain *dom)
{
    for (size_t i = 0; i < dom->n_ifnames; i++)
        if (dom->ifnames[i] && dom->drv->net.release)
            dom->drv->net.release(dom->drv->net.opaque, dom->ifnames[i]);
    vr_qemu_taps_clear(dom);
}

static void release_runtime(vr_domain *dom)
{
    /* Never reached from a QMP callback (exits come from the pid
     * watch), so the client can go now; its waiting callers hear back. */
    vr_qmp *qmp = dom->qmp;
    dom->qmp = NULL;
    vr_qmp_free(qmp, true);
    vr_console_free(dom->console);
    dom->console = NULL;
    vr_qemu_serial_stop(dom);
    vr_qemu_unplugs_end(dom, true);
    vr_pidwatch_free(dom->watch);
    dom->watch = NULL;
    if (dom->kill_timer) {
        event_free(dom->kill_timer);
        dom->kill_timer = NULL;
    }
    vr_qemu_tpm_stop(dom);
    /* QEMU is gone (or never ran): its files go back to their owners,
     * its virtiofsds and cgroup go. */
    vr_qemu_virtiofs_stop(dom);
    vr_qemu_tune_release(dom);
    vr_qemu_hostdev_release(dom);
    vr_qemu_grants_restore(dom);
    if (dom->runtime_dir) {
        vr_qemu_runtime_remove(dom);
        free(dom->runtime_dir);
        dom->runtime_dir = NULL;
    }
    release_ifnames(dom);
    dom->pid = 0;
    dom->id = -1;
    dom->started_at = 0;
    vr_qemu_notices_clear(dom);
    vr_qemu_io_errors_clear(dom);
}

static void on_qemu_exit(void *opaque)
{
    vr_domain *dom = opaque;
    const char *event, *reason;
    /* The pid watch may fire before the monitor's last lines are read:
     * read them first, they tell a shutdown from a crash. */
    vr_qmp_drain(dom->qmp);
    if (dom->saved) {
        event = "stopped";
        reason = "saved";
    } else if (dom->destroying) {
        event = "stopped";
        reason = "destroyed";
    } else if (dom->shutdown_event || dom->watchdog_poweroff) {
        /* the guest powered off, or its watchdog did it (QEMU's exit) */
        event = "stopped";
        reason = "shutdown";
    } else {
        event = "crashed";
        reason = "crashed";
    }
    vr_log_info("domain %s: QEMU (pid %d) exited: %s", dom->def->name, (int)dom->pid, reason);
    release_runtime(dom);
    dom->state = VR_DOM_SHUTOFF;
    dom->reason = reason;
    dom->destroying = dom->shutdown_event = dom->rebooting = dom->saved = dom->watchdog_poweroff = false;
    dom->agent_connected = false;
    if (dom->next) {
        vr_domain_def_free(dom->def);
        dom->def = dom->next;
        dom->next = NULL;
    }
    vr_qemu_emit(dom, event, reason);
    finish_waiters(dom, VR_OK, NULL);
    vr_qemu_restart_check(dom, reason);
    /* A transient domain's TPM state is as transient as it (libvirt's
     * rule), unless undefined with --keep-tpm while it ran. */
    if (!dom->persistent && dom->def->tpm && !dom->keep_tpm)
        vr_qemu_tpm_remove_state(dom->drv, dom->def);
    vr_qemu_nvram_stopped(dom);
    if (!dom->persistent)
        vr_qemu_domain_remove(dom->drv, dom);
}

/* A virtio-serial port opened or closed by the guest: when it is the
 * guest agent's channel (its id is channelN, N its index), the agent
 * connected or went away (libvirt's agent-lifecycle event). */
static void agent_port_change(vr_domain *dom, json_object *data)
{
    json_object *id = NULL, *open = NULL;
    if (!data || !json_object_object_get_ex(data, "id", &id) || !json_object_object_get_ex(data, "open", &open))
        return;
    const char *text = json_object_get_string(id);
    char *end = NULL;
    unsigned long i = vr_str_starts(text, "channel") ? strtoul(text + 7, &end, 10) : ULONG_MAX;
    if (!end || *end || i >= dom->def->n_channels || !dom->def->channels[i].target_name ||
        strcmp(dom->def->channels[i].target_name, "org.qemu.guest_agent.0") != 0)
        return;
    dom->agent_connected = json_object_get_boolean(open);
    vr_qemu_emit(dom, "agent", dom->agent_connected ? "connected" : "disconnected");
}

static void on_qmp_event(const char *event, json_object *data, void *opaque)
{
    vr_domain *dom = opaque;
    if (strcmp(event, "SHUTDOWN") == 0) {
        /* Our own "quit" makes a second SHUTDOWN (host-qmp-quit): the
         * first one told the story. */
        if (dom->shutdown_event)
            return;

        json_object *g = NULL;
        bool guest = data && json_object_object_get_ex(data, "guest", &g) && json_object_get_boolean(g);
        if (dom->rebooting) {
            /* A reboot asked through ACPI: QEMU stayed up (-no-shutdown),
             * so reset and run the same process again. */
            dom->rebooting = false;
            vr_qmp_command(dom->qmp, "system_reset", NULL, NULL, NULL);
            vr_qmp_command(dom->qmp, "cont", NULL, NULL, NULL);
            vr_qemu_emit(dom, "rebooted", "guest");
            return;
        }
        dom->shutdown_event = true;
        dom->state = VR_DOM_SHUTDOWN;
        /* Our own destroy's SIGTERM makes one too (host-signal): the
         * "stopped (destroyed)" that follows tells that story, as libvirt's
         * destroy emits only its stopped event. QEMU still gets its quit:
         * with -no-shutdown a SIGTERM only pauses it. */
        if (!dom->destroying)
            vr_qemu_emit(dom, "shutdown", guest ? "guest" : "host");
        /* The guest powered off; QEMU waits (-no-shutdown): end it. */
        vr_qmp_command(dom->qmp, "quit", NULL, NULL, NULL);
    } else if (strcmp(event, "STOP") == 0) {
        if (dom->shutdown_event || dom->state != VR_DOM_RUNNING)
            return;
        dom->state = VR_DOM_PAUSED;
        dom->reason = "user";
        vr_qemu_emit(dom, "suspended", "paused");
    } else if (strcmp(event, "RESUME") == 0) {
        if (dom->state != VR_DOM_PAUSED)
            return;
        dom->state = VR_DOM_RUNNING;
        dom->reason = "unpaused";
        vr_qemu_io_errors_clear(dom); /* cont resets QEMU's io-status */
        vr_qemu_emit(dom, "resumed", "unpaused");
    } else if (strcmp(event, "RESET") == 0) {
        vr_qemu_emit(dom, "rebooted", "reset");
    } else if (strcmp(event, "DEVICE_DELETED") == 0) {
        vr_qemu_device_deleted(dom, data);
    } else if (strcmp(event, "DEVICE_UNPLUG_GUEST_ERROR") == 0) {
        vr_qemu_device_unplug_error(dom, data);
    } else if (strcmp(event, "VSERPORT_CHANGE") == 0) {
        agent_port_change(dom, data);
    } else if (vr_qemu_more_event(dom, event, data)) {
        /* watchdog, I/O error, graphics (qemu_events.c) */
    } else if (strcmp(event, "RTC_CHANGE") == 0) {
        /* the guest set its clock: libvirt's rtc-change, the offset from UTC in seconds */
        json_object *off = NULL;
        char detail[32];
        snprintf(detail, sizeof(detail), "%lld",
                 data && json_object_object_get_ex(data, "offset", &off) ? (long long)json_object_get_int64(off) : 0LL);
        vr_qemu_emit(dom, "rtc-change", detail);
    }
}

static void on_qmp_closed(void *opaque)
{
    /* The process exit (pidfd) is what ends a domain; a closed monitor
     * only tells us QEMU is on its way out. */
    (void)opaque;
}

/* Connect monitor and console of a QEMU that is up, and watch its pid. */
int vr_qemu_attach_process(vr_domain *dom, pid_t pid, char **err)
{
    dom->pid = pid;
    dom->watch = vr_pidwatch_new(dom->drv->base, pid, on_qemu_exit, dom);
    if (!dom->watch) {
        vr_set_error(err, "QEMU (pid %d) exited right after starting; see %s", (int)pid,
                     vr_qemu_log_path(dom));
        return -1;
    }
    char *qmp_path = vr_asprintf("%s/qmp.sock", dom->runtime_dir);
    dom->qmp = vr_qmp_connect(dom->drv->base, qmp_path, on_qmp_event, on_qmp_closed, dom, err);
    free(qmp_path);
    if (!dom->qmp)
        return -1;
    dom->console = vr_qemu_serial_console(dom, pid);
    return 0;
}

/* ---- start ---- */

typedef struct {
    vr_domain *dom;
    bool paused, incoming;
    vr_done_fn cb;
    void *opaque;
} start_ctx;

static void start_failed(vr_domain *dom, const char *err)
{
    vr_log_warn("domain %s: start failed: %s", dom->def->name, err);
    if (dom->watch)
        vr_pidwatch_kill(dom->watch, SIGKILL);
    vr_qemu_serial_discard_empty(dom);
    release_runtime(dom);
    dom->starting = false;
    dom->state = VR_DOM_SHUTOFF;
    dom->reason = "failed";
}

static void start_done(start_ctx *c)
{
    vr_domain *dom = c->dom;
    vr_qemu_emit(dom, "started", "booted");
    for (size_t i = 0; i < dom->n_notices; i++)
        vr_qemu_emit(dom, "notice", dom->notices[i]);
    if (c->paused)
        vr_qemu_emit(dom, "suspended", "paused");
    c->cb(VR_OK, NULL, c->opaque);
    free(c);
}

static void on_spawned(pid_t pid, const char *err, void *opaque)
{
    start_ctx *c = opaque;
    vr_domain *dom = c->dom;
    char *aerr = NULL;
    if (pid <= 0 || vr_qemu_attach_process(dom, pid, &aerr) < 0) {
        const char *why = err ? err : aerr;
        start_failed(dom, why);
        c->cb(VR_ERR_FAILED, why, c->opaque);
        free(aerr);
        vr_qemu_nvram_stopped(dom);
        if (!dom->persistent)
            vr_qemu_domain_remove(dom->drv, dom);
        free(c);
        return;
    }
    dom->starting = false;
    dom->state = c->paused ? VR_DOM_PAUSED : VR_DOM_RUNNING;
    dom->reason = c->paused ? "user" : "booted";
    dom->started_at = time(NULL);
    vr_log_info("domain %s: started (pid %d, id %d)", dom->def->name, (int)pid, dom->id);
    vr_qemu_balloon_at_start(dom);
    vr_qemu_links_at_start(dom);
    if (!c->incoming && vr_qemu_iotune_wanted(dom->def)) {
        /* QMP answers in order: the throttles are in place when the
         * guest runs its first instruction. */
        vr_qemu_iotune_at_start(dom);
        if (!c->paused)
            vr_qmp_command(dom->qmp, "cont", NULL, NULL, NULL);
    } else if (c->incoming) {
        vr_qemu_iotune_at_start(dom);
    }
    vr_qemu_tune_apply(dom);
    start_done(c);
}

static void close_fds(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
}

/* A tap for every interface of type network or bridge, in order. */
static int open_taps(vr_domain *dom, int **fds, size_t *n, char **err)
{
    const vr_domain_def *def = dom->def;
    dom->ifnames = vr_calloc(def->n_interfaces ? def->n_interfaces : 1, sizeof(char *));
    dom->n_ifnames = def->n_interfaces;
    for (size_t i = 0; i < def->n_interfaces; i++) {
        const vr_interface_def *ifc = &def->interfaces[i];
        if (ifc->type == VR_NET_USER)
            continue;
        if (!dom->drv->net.tap_for) {
            vr_set_error(err, "interface %zu of domain '%s' needs a virtual network, and this daemon "
                              "has none (use <interface type='user'>)", i, def->name);
            goto fail;
        }
        char *ifname = NULL;
        int fd = dom->drv->net.tap_for(dom->drv->net.opaque, ifc, &ifname, err);
        if (fd < 0)
            goto fail;
        *fds = vr_realloc(*fds, (*n + 1) * sizeof(**fds));
        (*fds)[(*n)++] = fd;
        dom->ifnames[i] = ifname;
    }
    vr_qemu_taps_save(dom);
    return 0;
fail:
    close_fds(*fds, *n);
    *fds = NULL;
    *n = 0;
    release_ifnames(dom);
    return -1;
}

void vr_qemu_set_net_hooks(vr_qemu_driver *drv, const vr_qemu_net_hooks *hooks)
{
    drv->net = *hooks;
    for (size_t i = 0; i < drv->n_stale_ifnames; i++) {
        if (drv->net.release)
            drv->net.release(drv->net.opaque, drv->stale_ifnames[i]);
        free(drv->stale_ifnames[i]);
    }
    free(drv->stale_ifnames);
    drv->stale_ifnames = NULL;
    drv->n_stale_ifnames = 0;
}

char *vr_qemu_network_users(vr_qemu_driver *drv, const char *network)
{
    vr_strbuf b = {0};
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(drv, &n);
    for (size_t i = 0; i < n; i++) {
        const vr_domain *dom = doms[i];
        if (dom->state == VR_DOM_SHUTOFF && !dom->starting)
            continue;
        for (size_t k = 0; k < dom->def->n_interfaces; k++) {
            const vr_interface_def *ifc = &dom->def->interfaces[k];
            if (ifc->type == VR_NET_NETWORK && strcmp(ifc->source_network, network) == 0) {
                vr_strbuf_addf(&b, "%s%s", b.len ? ", " : "", dom->def->name);
                break;
            }
        }
    }
    return b.s;
}

/* A start that failed before QEMU ran: undone, its caller told. */
static void launch_failed(start_ctx *c, vr_err code, char *err)
{
    start_failed(c->dom, err);
    c->cb(code, err, c->opaque);
    free(err);
    free(c);
}

static void start_launch(vr_domain *dom, const char *tpm_err, void *opaque);

void vr_qemu_start(vr_domain *dom, bool paused, vr_done_fn cb, void *opaque)
{
    vr_qemu_start_flags(dom, paused ? VR_QEMU_START_PAUSED : 0, cb, opaque);
}

void vr_qemu_start_flags(vr_domain *dom, unsigned flags, vr_done_fn cb, void *opaque)
{
    bool paused = flags & VR_QEMU_START_PAUSED;
    char *err = NULL;
    if (dom->state != VR_DOM_SHUTOFF || dom->starting) {
        cb(VR_ERR_CONFLICT, dom->starting ? "domain is already starting" : "domain is already running",
           opaque);
        return;
    }
    dom->reset_nvram = flags & VR_QEMU_START_RESET_NVRAM;
    /* A restore's start (qemu_save.c) takes the saved state; any other
     * start of a domain with a managed save image resumes that state. */
    bool incoming = dom->incoming;
    dom->incoming = false;
    if (!incoming && vr_qemu_managed_save_check(dom)) {
        vr_qemu_managed_restore(dom, paused, cb, opaque);
        return;
    }
    vr_err code = vr_qemu_preflight(dom, &err);
    if (code == VR_OK && vr_qemu_firmware_prepare(dom, &err) < 0)
        code = VR_ERR_INVALID;
    if (code != VR_OK) {
        cb(code, err, opaque);
        free(err);
        return;
    }
    vr_qemu_notices_clear(dom);
    dom->accel = vr_qemu_plan_accel(dom->drv, dom->def, &dom->notices, &dom->n_notices, &err);
    for (size_t i = 0; i < dom->n_notices; i++)
        vr_log_warn("domain %s: %s", dom->def->name, dom->notices[i]);
    dom->starting = true;
    dom->id = dom->drv->next_id++;
    vr_qemu_logs_rotate(dom);
    start_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (start_ctx){.dom = dom, .paused = paused, .incoming = incoming, .cb = cb, .opaque = opaque};
    if (vr_qemu_runtime_prepare(dom, &err) < 0 || vr_qemu_grant_files(dom, &err) < 0 ||
        vr_qemu_hostdev_prepare(dom, &err) < 0 || vr_qemu_disk_keys_write(dom, &err) < 0) {
        launch_failed(c, VR_ERR_FAILED, err);
        return;
    }
    /* The TPM's first start runs swtpm_setup for seconds: the start goes
     * on from its end (start_launch), the loop serves others meanwhile. */
    vr_qemu_tpm_start(dom, start_launch, c);
}

/* The rest of a start once its TPM is there (or failed): QEMU launched. */
static void start_launch(vr_domain *dom, const char *tpm_err, void *opaque)
{
    start_ctx *c = opaque;
    char *err = NULL;
    if (tpm_err) {
        launch_failed(c, VR_ERR_FAILED, vr_strdup(tpm_err));
        return;
    }
    int spice_port;
    char *secrets[VR_GRAPHICS_MAX] = {0};
    char *tls_dir = vr_qemu_spice_tls_dir(dom, &err);
    if (err || vr_qemu_virtiofs_start(dom, &err) < 0 ||
        vr_qemu_graphics_prepare(dom, &spice_port, secrets, &err) < 0) {
        free(tls_dir);
        for (size_t i = 0; i < VR_GRAPHICS_MAX; i++)
            free(secrets[i]);
        launch_failed(c, VR_ERR_FAILED, err);
        return;
    }
    char *pidfile = vr_asprintf("%s/qemu.pid", dom->runtime_dir);
    vr_qemu_runtime rt = {
        .emulator = NULL,
        .accel = dom->accel,
        .runtime_dir = dom->runtime_dir,
        .pidfile = pidfile,
        .start_paused = c->paused, /* and when a disk is throttled (on_spawned) */
        .incoming = c->incoming,
        .spice_port = spice_port,
        .spice_tls_dir = tls_dir,
        .graphics_secrets = {secrets[0], secrets[1]},
        /* vsock auto: 3 and up (0-2 are the hypervisor's and the host's),
         * unique among this daemon's running domains by their ids. */
        .vsock_cid = 2 + (unsigned)dom->id,
    };
    int *fds = NULL;
    size_t n_fds = 0;
    char **argv = NULL;
    bool fds_made = open_taps(dom, &fds, &n_fds, &err) == 0;
    /* The serial logger holds port 0 before QEMU runs: its socket is one
     * more fd QEMU inherits, after the taps. */
    int serial_fd = -1;
    if (fds_made && vr_qemu_serial_start(dom, &serial_fd, &err) < 0) {
        close_fds(fds, n_fds);
        fds_made = false;
    } else if (fds_made) {
        rt.n_tap_fds = n_fds;
        if (serial_fd >= 0) {
            fds = vr_realloc(fds, (n_fds + 1) * sizeof(*fds));
            fds[n_fds++] = serial_fd;
            rt.serial_fd = serial_fd;
        }
        rt.tap_fds = fds;
        argv = vr_qemu_build_argv(dom->def, &rt, &err);
        if (!argv)
            close_fds(fds, n_fds);
    }
    for (size_t i = 0; i < VR_GRAPHICS_MAX; i++)
        free(secrets[i]);
    free(tls_dir);
    if (!argv) {
        free(pidfile);
        launch_failed(c, fds_made ? VR_ERR_INVALID : VR_ERR_FAILED, err);
        return;
    }
    argv = vr_qemu_argv_finish(dom->drv, argv);
    char *log = vr_qemu_log_path(dom);
    vr_qemu_log_command(log, argv);
    cpu_set_t cpus;
    bool pinned = dom->def->cpuset != NULL;
    if (pinned && vr_qemu_cpuset(dom->def->cpuset, "<vcpu cpuset", &cpus, NULL) < 0)
        pinned = false; /* preflight checked it */
    int rc = vr_qemu_spawn(dom->drv->base, argv, log, pidfile, fds, n_fds, &dom->drv->qemu_as,
                           pinned ? &cpus : NULL, on_spawned, c, &err);
    /* QEMU has its copies now (or failed): the taps live as long as it. */
    close_fds(fds, n_fds);
    free(log);
    free(pidfile);
    vr_qemu_argv_free(argv);
    if (rc < 0)
        launch_failed(c, VR_ERR_FAILED, err);
}

void vr_qemu_create(vr_qemu_driver *drv, const char *xml, bool paused, vr_done_fn cb, void *opaque)
{
    char *err = NULL;
    vr_domain *dom = NULL;
    vr_err code = vr_qemu_domain_add(drv, xml, false, false, &dom, &err);
    if (code != VR_OK) {
        cb(code, err, opaque);
        free(err);
        return;
    }
    vr_qemu_start(dom, paused, cb, opaque);
}

/* ---- stop, pause ---- */

static bool running(const vr_domain *dom)
{
    return dom->state != VR_DOM_SHUTOFF && dom->pid > 0;
}

vr_err vr_qemu_shutdown(vr_domain *dom, char **err)
{
    if (!running(dom)) {
        vr_set_error(err, "domain '%s' is not running", dom->def->name);
        return VR_ERR_CONFLICT;
    }
    /* ACPI power button: the guest decides; state changes arrive as events. */
    vr_qmp_command(dom->qmp, "system_powerdown", NULL, NULL, NULL);
    return VR_OK;
}

vr_err vr_qemu_reboot(vr_domain *dom, char **err)
{
    if (!running(dom)) {
        vr_set_error(err, "domain '%s' is not running", dom->def->name);
        return VR_ERR_CONFLICT;
    }
    dom->rebooting = true;
    vr_qmp_command(dom->qmp, "system_powerdown", NULL, NULL, NULL);
    return VR_OK;
}

static void on_kill_timer(evutil_socket_t fd, short what, void *arg)
{
    vr_domain *dom = arg;
    if (dom->watch) {
        vr_log_warn("domain %s: QEMU ignored SIGTERM for %d s, killing it", dom->def->name,
                    DESTROY_GRACE_SECS);
        vr_pidwatch_kill(dom->watch, SIGKILL);
    }
}

void vr_qemu_destroy(vr_domain *dom, vr_done_fn cb, void *opaque)
{
    if (!running(dom)) {
        char *err = vr_asprintf("domain '%s' is not running", dom->def->name);
        cb(VR_ERR_CONFLICT, err, opaque);
        free(err);
        return;
    }
    add_waiter(dom, cb, opaque);
    if (dom->destroying)
        return;
    dom->destroying = true;
    vr_pidwatch_kill(dom->watch, SIGTERM);
    dom->kill_timer = evtimer_new(dom->drv->base, on_kill_timer, dom);
    struct timeval tv = {.tv_sec = DESTROY_GRACE_SECS};
    evtimer_add(dom->kill_timer, &tv);
}

typedef struct {
    vr_done_fn cb;
    void *opaque;
} qmp_ctx;

static void on_qmp_done(json_object *ret, const char *error, void *opaque)
{
    qmp_ctx *c = opaque;
    c->cb(error ? VR_ERR_FAILED : VR_OK, error, c->opaque);
    free(c);
}

static void simple_qmp(vr_domain *dom, const char *cmd, vr_dom_state want, const char *wrong,
                       vr_done_fn cb, void *opaque)
{
    if (!running(dom) || dom->state != want) {
        char *err = vr_asprintf("domain '%s' is %s", dom->def->name, wrong);
        cb(VR_ERR_CONFLICT, err, opaque);
        free(err);
        return;
    }
    qmp_ctx *c = vr_calloc(1, sizeof(*c));
    c->cb = cb;
    c->opaque = opaque;
    vr_qmp_command(dom->qmp, cmd, NULL, on_qmp_done, c);
}

void vr_qemu_suspend(vr_domain *dom, vr_done_fn cb, void *opaque)
{
    simple_qmp(dom, "stop", VR_DOM_RUNNING,
               dom->state == VR_DOM_PAUSED ? "already paused" : "not running", cb, opaque);
}

void vr_qemu_resume(vr_domain *dom, vr_done_fn cb, void *opaque)
{
    simple_qmp(dom, "cont", VR_DOM_PAUSED, running(dom) ? "not paused" : "not running", cb, opaque);
}

static bool same_file(const char *a, const struct stat *sb)
{
    struct stat sa;
    return a && stat(a, &sa) == 0 && sa.st_dev == sb->st_dev && sa.st_ino == sb->st_ino;
}

/* Storage on the network, as the in-use check compares it: the
 * protocol, the RBD image (POOL/IMAGE) or the LUN (IQN/LUN), and the
 * monitors or portals it is reached at (host names: a cluster or a
 * target named at two hosts is one when they share one; ports aside). */
typedef struct {
    bool rbd; /* else iSCSI */
    char *name;
    char **hosts;
    size_t n_hosts;
} net_id;

static void net_id_free(net_id *id)
{
    for (size_t i = 0; i < id->n_hosts; i++)
        free(id->hosts[i]);
    free(id->hosts);
    free(id->name);
}

/* HOST, HOST:PORT or [V6]:PORT: the host. */
static void net_id_host(net_id *id, const char *h, size_t len)
{
    const char *end = len && h[0] == '[' ? memchr(h, ']', len) : NULL;
    const char *colon = end || !len ? NULL : memchr(h, ':', len);
    const char *from = end ? h + 1 : h;
    size_t n = end ? (size_t)(end - from) : colon ? (size_t)(colon - h) : len;
    if (!n)
        return;
    id->hosts = vr_realloc(id->hosts, (id->n_hosts + 1) * sizeof(*id->hosts));
    id->hosts[id->n_hosts++] = vr_strndup(from, n);
}

/* What QEMU is given for a volume on the network (its storage driver's
 * path): rbd://[USER@]MON[,MON...]/POOL/IMAGE[?...],
 * iscsi://HOST:PORT/IQN/LUN[?...], or rbd:POOL/IMAGE. false: a local
 * path. */
static bool url_id(const char *url, net_id *id)
{
    *id = (net_id){0};
    if (!url)
        return false;
    bool rbd = vr_str_starts(url, "rbd:");
    const char *rest = vr_str_starts(url, "rbd://") ? url + 6 : vr_str_starts(url, "iscsi://") ? url + 8 : NULL;
    if (!rest && rbd) {
        const char *q = strchr(url + 4, '?');
        id->rbd = true;
        id->name = q ? vr_strndup(url + 4, (size_t)(q - url - 4)) : vr_strdup(url + 4);
        return true;
    }
    if (!rest)
        return false;
    const char *q = strchr(rest, '?');
    size_t n = q ? (size_t)(q - rest) : strlen(rest);
    const char *slash = memchr(rest, '/', n);
    if (!slash)
        return false;
    id->rbd = rbd;
    id->name = vr_strndup(slash + 1, n - (size_t)(slash + 1 - rest));
    const char *at = memchr(rest, '@', (size_t)(slash - rest));
    for (const char *m = at ? at + 1 : rest; m < slash;) {
        const char *comma = memchr(m, ',', (size_t)(slash - m));
        const char *e = comma ? comma : slash;
        net_id_host(id, m, (size_t)(e - m));
        m = e + 1;
    }
    return true;
}

/* The network storage disk d is (a <disk type='network'>, or a volume of
 * an rbd or iscsi-direct pool once resolved); false: none. */
static bool disk_net_id(const vr_disk_def *d, net_id *id)
{
    if (d->type != VR_DISK_NETWORK)
        return url_id(d->type == VR_DISK_VOLUME ? d->resolved_path : NULL, id);
    *id = (net_id){.rbd = d->protocol == VR_DISK_PROTOCOL_RBD};
    if (vr_disk_protocol_is_web(d->protocol))
        return false; /* read-only, and anyone's to read */
    if (!d->source_name)
        return false;
    /* libvirt's iSCSI name without a LUN is LUN 0 */
    id->name = !id->rbd && !strchr(d->source_name, '/') ? vr_asprintf("%s/0", d->source_name)
                                                         : vr_strdup(d->source_name);
    for (size_t i = 0; i < d->n_hosts; i++)
        net_id_host(id, d->hosts[i].name, strlen(d->hosts[i].name));
    return true;
}

static bool net_id_same(const net_id *a, const net_id *b)
{
    if (a->rbd != b->rbd || strcmp(a->name, b->name) != 0)
        return false;
    if (!a->n_hosts || !b->n_hosts)
        return true; /* one reached as Ceph's configuration says: the same, to be safe */
    for (size_t i = 0; i < a->n_hosts; i++)
        for (size_t k = 0; k < b->n_hosts; k++)
            if (strcasecmp(a->hosts[i], b->hosts[k]) == 0)
                return true;
    return false;
}

/* Does the disk name the same storage as `key` (network) or as the file
 * stat'ed into `st`? */
static bool holds(vr_qemu_driver *drv, const vr_disk_def *d, const net_id *key, const struct stat *st)
{
    if (key) {
        net_id other;
        bool hit = disk_net_id(d, &other) && net_id_same(key, &other);
        net_id_free(&other);
        return hit;
    }
    char *p = vr_qemu_disk_path(drv, d, NULL);
    bool hit = same_file(p, st);
    free(p);
    return hit;
}

/* The first running (or starting) domain with a disk on that storage. */
static vr_domain *find_holder(vr_qemu_driver *drv, const net_id *key, const struct stat *st,
                              const vr_disk_def **disk)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_domain *dom = doms[i];
        if (dom->state == VR_DOM_SHUTOFF && !dom->starting)
            continue;
        for (size_t k = 0; k < dom->def->n_disks; k++) {
            if (holds(drv, &dom->def->disks[k], key, st)) {
                if (disk)
                    *disk = &dom->def->disks[k];
                return dom;
            }
        }
    }
    return NULL;
}

vr_domain *vr_qemu_disk_holder(vr_qemu_driver *drv, const char *path, const vr_disk_def **disk)
{
    struct stat st;
    net_id key;
    bool net = url_id(path, &key);
    vr_domain *dom = net || (path && stat(path, &st) == 0) ? find_holder(drv, net ? &key : NULL, &st, disk) : NULL;
    net_id_free(&key);
    return dom;
}

vr_err vr_qemu_disk_check_shared(vr_domain *dom, const vr_disk_def *d, bool files, char **err)
{
    const vr_disk_def *other = NULL;
    vr_domain *holder = NULL;
    net_id id;
    char *what = NULL;
    if (disk_net_id(d, &id)) {
        holder = find_holder(dom->drv, &id, NULL, &other);
        what = vr_asprintf("%s %s", id.rbd ? "RBD image" : "iSCSI LUN", id.name);
    } else if (files && d->type != VR_DISK_NETWORK && vr_disk_def_source(d)) {
        holder = vr_qemu_disk_holder(dom->drv, vr_disk_def_source(d), &other);
        what = vr_strdup(vr_disk_def_source(d));
    }
    net_id_free(&id);
    vr_err code = VR_OK;
    if (holder == dom) {
        vr_set_error(err, "%s is already disk %s of domain '%s'", what, other->target_dev, dom->def->name);
        code = VR_ERR_CONFLICT;
    } else if (holder && !(d->shareable && other->shareable) && !(d->readonly && other->readonly)) {
        vr_set_error(err, "%s is in use by running domain '%s' (disk %s); both must mark it shareable "
                          "(<shareable/>, --mode shareable) to share it",
                     what, holder->def->name, other->target_dev);
        code = VR_ERR_CONFLICT;
    }
    free(what);
    return code;
}

char *vr_qemu_path_user(vr_qemu_driver *drv, const char *path)
{
    vr_domain *dom = vr_qemu_disk_holder(drv, path, NULL);
    return dom ? vr_strdup(dom->def->name) : NULL;
}

struct event_base *vr_qemu_base(vr_qemu_driver *drv) { return drv->base; }
const vr_paths *vr_qemu_paths(vr_qemu_driver *drv) { return drv->paths; }
