/* vireo install: virt-install's job, with its flags. A new domain from
 * an ISO (--cdrom), an install tree or ISO (--location), the network
 * (--pxe), existing disks (--import) or a kernel (--boot kernel=),
 * optionally with a cloud-init NoCloud seed.
 *
 * The daemon plans the install, once, for every client
 * (POST /v1/install, src/core/install_ops.c): this command sends it the
 * options as given and renders what comes back. In order:
 *
 *   1. a dry run: the daemon checks everything -- the os variant, the
 *      name, pools, volumes, networks, files -- and answers the plan
 *      (--print-xml and --dry-run stop here);
 *   2. what only this machine has goes into the plan's volumes: the
 *      cloud-init seed, the installer's kernel and initrd of a
 *      --location (uploads, with a progress bar); to a remote daemon,
 *      the local media go first, before the plan (install_carry.c);
 *   3. the install itself: the daemon makes the disks, defines and
 *      starts the domain, and starts the installed system when the
 *      installer powers off; on a failure it removes what it made, and
 *      this command removes what it uploaded;
 *   4. the console or the wait, as virt-install. */
#include "cli/cli.h"
#include "cli/install.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "install/install_kv.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the command line ---- */

static bool is_int(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static int read_cmdline(int argc, char **argv, vr_install_opts *o)
{
    /* Options that repeat (--disk, --network, --boot) or take an optional
     * value (--wait, --print-xml, --cloud-init) are taken out before the
     * generic parser, which keeps one value per option. */
    char **rest = vr_calloc((size_t)argc + 1, sizeof(*rest));
    o->disks = vr_calloc((size_t)argc + 1, sizeof(*o->disks));
    o->networks = vr_calloc((size_t)argc + 1, sizeof(*o->networks));
    o->boots = vr_calloc((size_t)argc + 1, sizeof(*o->boots));
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) {
            while (i < argc)
                rest[nrest++] = argv[i++];
            break;
        }
        if (vr_str_starts(a, "--disk=")) {
            o->disks[o->n_disks++] = a + 7;
        } else if (strcmp(a, "--disk") == 0) {
            if (!next) {
                free(rest);
                return vr_cli_usage(&vr_cmd_install, "option '--disk' needs a value");
            }
            o->disks[o->n_disks++] = argv[++i];
        } else if (vr_str_starts(a, "--boot=")) {
            o->boots[o->n_boots++] = a + 7;
        } else if (strcmp(a, "--boot") == 0) {
            if (!next) {
                free(rest);
                return vr_cli_usage(&vr_cmd_install, "option '--boot' needs a value");
            }
            o->boots[o->n_boots++] = argv[++i];
        } else if (vr_str_starts(a, "--network=")) {
            o->networks[o->n_networks++] = a + 10;
        } else if (strcmp(a, "--network") == 0 || strcmp(a, "-w") == 0) {
            if (!next) {
                free(rest);
                return vr_cli_usage(&vr_cmd_install, "option '--network' needs a value");
            }
            o->networks[o->n_networks++] = argv[++i];
        } else if (strcmp(a, "--wait") == 0 || vr_str_starts(a, "--wait=")) {
            const char *v = a[6] == '=' ? a + 7 : next && is_int(next) ? argv[++i] : "-1";
            if (!is_int(v)) {
                free(rest);
                return vr_cli_usage(&vr_cmd_install, "--wait takes minutes (a whole number; -1 waits for good)");
            }
            o->wait_set = true;
            o->wait_min = strtol(v, NULL, 10);
        } else if (strcmp(a, "--print-xml") == 0 || vr_str_starts(a, "--print-xml=")) {
            const char *v = a[11] == '=' ? a + 12
                : next && (strcmp(next, "1") == 0 || strcmp(next, "2") == 0 || strcmp(next, "all") == 0)
                ? argv[++i]
                : "all";
            if (strcmp(v, "1") && strcmp(v, "2") && strcmp(v, "all")) {
                free(rest);
                return vr_cli_usage(&vr_cmd_install,
                                    "--print-xml takes 1 (the install phase), 2 (the "
                                    "final definition) or all");
            }
            o->print_xml = true;
            o->print_step = strcmp(v, "all") == 0 ? 0 : atoi(v);
        } else if (strcmp(a, "--cloud-init") == 0 || vr_str_starts(a, "--cloud-init=")) {
            o->cloud_init_set = true;
            o->cloud_init = a[12] == '=' ? a + 13 : next && next[0] != '-' ? argv[++i] : "";
        } else {
            rest[nrest++] = argv[i];
        }
    }
    bool has_mem = false, has_ram = false;
    const char *ram = NULL, *osinfo = NULL, *install_boot = NULL;
    const vr_opt opts[] = {
        {"name", true, NULL, &o->name},
        {"n", true, NULL, &o->name},
        {"memory", true, &has_mem, &o->memory},
        {"ram", true, &has_ram, &ram},
        {"r", true, &has_ram, &ram},
        {"vcpus", true, NULL, &o->vcpus},
        {"os-variant", true, NULL, &o->os_variant},
        {"osinfo", true, NULL, &osinfo},
        {"cdrom", true, NULL, &o->cdrom},
        {"c", true, NULL, &o->cdrom},
        {"location", true, NULL, &o->location},
        {"l", true, NULL, &o->location},
        {"import", false, &o->import, NULL},
        {"pxe", false, &o->pxe, NULL},
        {"install", true, NULL, &install_boot},
        {"extra-args", true, NULL, &o->extra_args},
        {"x", true, NULL, &o->extra_args},
        {"graphics", true, NULL, &o->graphics},
        {"nographics", false, &o->nographics, NULL},
        {"console", false, &o->console, NULL},
        {"noautoconsole", false, &o->noautoconsole, NULL},
        {"autoconsole", true, NULL, &o->autoconsole},
        {"dry-run", false, &o->dry_run, NULL},
        {"autostart", false, &o->autostart, NULL},
        {"noreboot", false, &o->noreboot, NULL},
        {"machine", true, NULL, &o->machine},
        {"virt-type", true, NULL, &o->virt_type},
        {"cpu", true, NULL, &o->cpu},
        {"uuid", true, NULL, &o->uuid},
        {"u", true, NULL, &o->uuid},
        {"connect", true, NULL, &o->connect},
        {"title", true, NULL, &o->title},
        {"tpm", true, NULL, &o->tpm},
        {0},
    };
    size_t npos;
    int r = vr_cli_parse(&vr_cmd_install, nrest, rest, opts, NULL, 0, 0, &npos);
    free(rest);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : -1;
    if (!has_mem && has_ram)
        o->memory = ram;
    if (osinfo && !o->os_variant)
        o->os_variant = osinfo;
    if (install_boot)
        return vr_cli_usage(&vr_cmd_install,
                            "--install is not supported; use --boot kernel=,initrd= or --location");
    if (o->nographics)
        o->graphics = "none";
    return VR_EXIT_OK;
}

static void on_interrupt(int sig)
{
    (void)sig;
    vr_install_interrupted = 1;
}

/* ---- the uploads into the plan's volumes ---- */

/* The plan's volume of this role, or NULL. */
static const vireo_install_volume *plan_volume(const vr_install_ctx *x, const char *role)
{
    for (size_t i = 0; i < x->plan.n_volumes; i++)
        if (strcmp(x->plan.volumes[i].role, role) == 0)
            return &x->plan.volumes[i];
    return NULL;
}

static int make_tmpdir(vr_install_ctx *x)
{
    char *err = NULL;
    if (x->tmpdir || (x->tmpdir = vr_install_tmpdir(&err)))
        return VR_EXIT_OK;
    int rc = vr_install_fail("%s", err);
    free(err);
    return rc;
}

/* What only this machine has, into the volumes the plan named for it;
 * the request then names them. */
static int upload_media(vr_install_ctx *x)
{
    int rc;
    const vireo_install_volume *seed = plan_volume(x, "seed");
    if (x->cloud_init && seed) {
        if ((rc = make_tmpdir(x)))
            return rc;
        char *err = NULL;
        char *iso = vr_asprintf("%s/seed.iso", x->tmpdir);
        if (vr_cloudinit_seed(&x->ci, x->plan.name, x->plan.uuid, iso, &err) < 0) {
            rc = vr_install_fail("%s", err);
            free(err);
            free(iso);
            return rc;
        }
        rc = vr_install_upload(x, seed->pool, seed->name, iso, "the cloud-init seed", NULL);
        unlink(iso);
        free(iso);
        if (rc)
            return rc;
        x->req.seed_volume = vr_strdup(seed->name);
    }
    const vireo_install_volume *kv = plan_volume(x, "kernel"), *iv = plan_volume(x, "initrd");
    if (x->location && kv && iv) {
        if (vr_install_interrupted)
            return vr_install_fail("interrupted");
        char *kernel, *initrd;
        if (x->location_iso) {
            char *err = NULL;
            if ((rc = make_tmpdir(x)))
                return rc;
            if (vr_iso_extract(x->location, &x->tree, x->tmpdir, &err) < 0) {
                rc = vr_install_fail("%s", err);
                free(err);
                return rc;
            }
            kernel = vr_asprintf("%s/kernel", x->tmpdir);
            initrd = vr_asprintf("%s/initrd", x->tmpdir);
        } else {
            kernel = vr_asprintf("%s/%s", x->location, x->tree.kernel);
            initrd = vr_asprintf("%s/%s", x->location, x->tree.initrd);
        }
        rc = vr_install_upload(x, kv->pool, kv->name, kernel, "the installer's kernel", NULL);
        if (!rc && !vr_install_interrupted)
            rc = vr_install_upload(x, iv->pool, iv->name, initrd, "the installer's initrd", NULL);
        free(kernel);
        free(initrd);
        if (rc)
            return rc;
        x->req.install_kernel = vr_strdup(kv->path);
        x->req.install_initrd = vr_strdup(iv->path);
    }
    return vr_install_interrupted ? vr_install_fail("interrupted") : VR_EXIT_OK;
}

/* ---- the install's job: progress, and a cancel on Ctrl+C ---- */

typedef struct {
    vr_install_ctx *x;
    int id;
    bool cancel_asked;
    char *step;        /* the last step shown */
    int tenth;         /* ... and the last tenth of the way, without a terminal */
} job_view;

/* A bar on stderr when it is a terminal, labelled with what happens
 * now; else a plain line on stdout for each new step and each tenth of
 * the way while it runs (stderr keeps the one line of an error). */
static void on_job(const vireo_job *j, void *opaque)
{
    job_view *v = opaque;
    if (vr_install_interrupted && !v->cancel_asked) {
        v->cancel_asked = true;
        fprintf(stderr, "\nvireo: stopping the install (what it made is removed)\n");
        if (vireo_job_cancel(v->x->c, v->id) < 0)
            fprintf(stderr, "vireo: warning: %s\n", vireo_last_error(v->x->c));
    }
    const char *step = j->step ? j->step : "";
    int tenth = (int)(j->progress / 10);
    bool new_step = !v->step || strcmp(v->step, step) != 0;
    if (isatty(STDERR_FILENO)) {
        if (new_step && v->step)
            vr_cli_progress_end();
        const char *into = strstr(step, " into ");
        char *label = into ? vr_asprintf("Copying %s", strrchr(into, '/') ? strrchr(into, '/') + 1 : into + 6)
                           : vr_strdup(step);
        vr_cli_progress(label, j->progress);
        free(label);
    } else if (*step && strcmp(j->state, "running") == 0 && (new_step || tenth != v->tenth)) {
        printf("[%5.1f%%] %s\n", j->progress, step);
        fflush(stdout);
    }
    v->tenth = tenth;
    if (new_step) {
        free(v->step);
        v->step = vr_strdup(step);
    }
}

/* The install made by the daemon as a job, followed to its end. */
static int run_job(vr_install_ctx *x)
{
    job_view v = {.x = x, .tenth = -1};
    v.id = vireo_install_start(x->c, &x->req);
    if (v.id < 0)
        return vr_cli_fail(x->c);
    vireo_job j = {0};
    int r = vireo_job_wait(x->c, v.id, on_job, &v, &j);
    if (isatty(STDERR_FILENO) && v.step)
        vr_cli_progress_end();
    free(v.step);
    int rc = VR_EXIT_OK;
    if (r < 0) {
        rc = vr_cli_fail(x->c);
    } else {
        /* The result: {"domain", "uuid", "install": the plan as made}. */
        vireo_install_plan made = {0};
        json_object *o = j.result ? json_tokener_parse(j.result) : NULL, *plan = NULL;
        if (o && json_object_object_get_ex(o, "install", &plan))
            vr_wire_from_json(&vr_wire_install_plan, plan, &made);
        x->plan.restart = made.restart;
        vireo_install_plan_clear(&made);
        json_object_put(o);
    }
    vireo_job_clear(&j);
    return rc;
}

/* ---- after the start: console, waiting, the second boot ---- */

/* Its state, and the reason; *id: the run (-1 when shut off). */
static char *domain_state(vireo_conn *c, const char *name, char **reason, int *id)
{
    vireo_domain d = {0};
    if (vireo_domain_get(c, name, &d) < 0)
        return NULL;
    char *state = vr_strdup(d.state);
    if (reason)
        *reason = vr_strdup(d.reason ? d.reason : "");
    if (id)
        *id = d.id;
    vireo_domain_clear(&d);
    return state;
}

/* Wait for "shut off"; limit_s < 0: for good. 0 when it stopped (or,
 * when the daemon restarts the installed system, runs again: another
 * run than id0, after a clean shutdown), 1 at the time limit, 2 when
 * interrupted, -1 on an error. */
static int wait_shutoff(vireo_conn *c, const char *name, int id0, long limit_s, char **reason)
{
    vireo_stream *ev = vireo_events_open(c);
    if (!ev)
        return vr_cli_fail(c), -1;
    /* Ctrl+C stops the waiting (the console may have taken SIGINT over). */
    struct sigaction sa = {.sa_handler = on_interrupt};
    sigaction(SIGINT, &sa, NULL);
    time_t start = time(NULL);
    bool tty = isatty(STDERR_FILENO);
    int rc = -1;
    char buf[4096];
    for (;;) {
        char *why = NULL;
        int id = -1;
        char *state = domain_state(c, name, &why, &id);
        if (!state) {
            vr_cli_fail(c);
            break;
        }
        bool off = strcmp(state, "shut off") == 0;
        free(state);
        if (id0 >= 0 && id >= 0 && id != id0) {
            free(why);
            *reason = vr_strdup("shutdown");
            rc = 0;
            break;
        }
        if (off) {
            *reason = why;
            rc = 0;
            break;
        }
        free(why);
        long elapsed = (long)(time(NULL) - start);
        if (limit_s >= 0 && elapsed >= limit_s) {
            rc = 1;
            break;
        }
        if (vr_install_interrupted) {
            rc = 2;
            break;
        }
        if (tty) {
            fprintf(stderr, "\rWaiting for the installation to finish: %ld:%02ld", elapsed / 60, elapsed % 60);
            if (limit_s >= 0)
                fprintf(stderr, " (limit %ld min)", limit_s / 60);
            fflush(stderr);
        }
        struct pollfd pf = {.fd = vireo_stream_fd(ev), .events = POLLIN};
        if (vireo_stream_pending(ev) == 0 && poll(&pf, 1, 1000) <= 0)
            continue;
        if (vireo_stream_read(ev, buf, sizeof(buf)) <= 0) {
            fprintf(stderr, "vireo: error: lost the event stream\n");
            break;
        }
    }
    if (tty)
        fprintf(stderr, "\r\033[K");
    vireo_stream_close(ev);
    return rc;
}

static void print_vnc(const vr_install_ctx *x)
{
    const vireo_install_plan *p = &x->plan;
    const char *listen = p->vnc_listen ? p->vnc_listen : "127.0.0.1";
    if (p->vnc_port > 0)
        printf("Graphical console: VNC at %s:%d; vireo starts no viewer: connect one (e.g. remote-viewer "
               "vnc://%s:%d)\n",
               listen, p->vnc_port, listen, p->vnc_port);
    else
        printf("Graphical console: VNC on %s, the first free display from :0 (port 5900); vireo starts no "
               "viewer: connect one (e.g. remote-viewer vnc://%s:5900)\n",
               listen, listen);
    fflush(stdout);
}

/* The daemon restarts the installed system as soon as the installer
 * has stopped: wait for it (a minute at most). */
static int wait_running(vireo_conn *c, const char *name)
{
    for (int i = 0; i < 600; i++) {
        char *state = domain_state(c, name, NULL, NULL);
        if (!state)
            return vr_cli_fail(c);
        bool running = strcmp(state, "running") == 0;
        free(state);
        if (running)
            return VR_EXIT_OK;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return vr_install_fail("domain '%s' was not started again after its install; start it with: vireo start %s",
                           name, name);
}

static int follow(vr_install_ctx *x)
{
    vr_install_opts *o = x->o;
    const char *name = x->plan.name;
    bool two = x->plan.install_phase;
    bool text = false, graphical = false;
    if (o->autoconsole && strcmp(o->autoconsole, "text") && strcmp(o->autoconsole, "graphical") &&
        strcmp(o->autoconsole, "none"))
        return vr_install_fail("--autoconsole %s: text, graphical or none", o->autoconsole);
    bool autocon = !o->noautoconsole && !(o->autoconsole && strcmp(o->autoconsole, "none") == 0) &&
        !(o->wait_set && o->wait_min == 0);
    if (o->console || (autocon && o->autoconsole && strcmp(o->autoconsole, "text") == 0))
        text = true;
    else if (autocon)
        x->plan.vnc ? (graphical = true) : (text = true);
    bool waiting = o->wait_set && o->wait_min != 0;
    long limit = waiting && o->wait_min > 0 ? o->wait_min * 60 : -1;
    time_t start = time(NULL);
    bool install_phase = two;
    for (;;) {
        int w;
        char *reason = NULL;
        if (text) {
            int r = vr_cli_console(x->cli, x->c, name, true);
            if (r != VR_EXIT_OK)
                return r;
            char *state = domain_state(x->c, name, &reason, NULL);
            if (!state)
                return vr_cli_fail(x->c);
            bool off = strcmp(state, "shut off") == 0;
            /* Without a terminal the console only ends with the guest
             * (there is no Ctrl+] to leave it): QEMU is on its way out. */
            bool going = strcmp(state, "in shutdown") == 0 || !isatty(STDIN_FILENO);
            free(state);
            if (off) {
                w = 0;
            } else if (going) {
                free(reason);
                reason = NULL;
                w = wait_shutoff(x->c, name, install_phase ? x->dom_id : -1, 60, &reason);
            } else {
                free(reason);
                reason = NULL;
                if (!waiting) {
                    printf("Domain installation still in progress. Reconnect with: vireo console %s\n", name);
                    return VR_EXIT_OK;
                }
                long left = limit < 0 ? -1 : limit - (long)(time(NULL) - start);
                w = wait_shutoff(x->c, name, install_phase ? x->dom_id : -1, left < 0 && limit >= 0 ? 0 : left,
                                 &reason);
            }
        } else if (graphical || waiting) {
            if (graphical)
                print_vnc(x);
            const char *what = install_phase ? "the installation to finish" : "the domain to shut down";
            if (!waiting || limit < 0)
                printf("Waiting for %s (Ctrl+C stops waiting; the domain keeps running)\n", what);
            else
                printf("Waiting up to %ld minutes for %s\n", o->wait_min, what);
            fflush(stdout);
            long left = limit < 0 ? -1 : limit - (long)(time(NULL) - start);
            w = wait_shutoff(x->c, name, install_phase ? x->dom_id : -1, left < 0 && limit >= 0 ? 0 : left,
                             &reason);
        } else {
            if (install_phase)
                printf("Domain installation in progress. Watch it with: vireo console %s\n", name);
            else
                printf("Domain '%s' is running. Its console: vireo console %s\n", name, name);
            return VR_EXIT_OK;
        }
        if (w < 0)
            return VR_EXIT_FAIL;
        if (w == 1)
            return vr_install_fail(
                "the installation did not finish within %ld minutes; domain '%s' is still running", o->wait_min,
                name);
        if (w == 2) {
            printf("\nStopped waiting; domain '%s' keeps running (vireo console %s)\n", name, name);
            return VR_EXIT_FAIL;
        }
        bool clean = reason && strcmp(reason, "shutdown") == 0;
        if (!clean) {
            int rc = vr_install_fail(
                "domain '%s' was %s before the installation finished; start it again with: vireo start %s", name,
                reason && *reason ? reason : "stopped", name);
            free(reason);
            return rc;
        }
        free(reason);
        printf("Domain creation completed.\n");
        if (!install_phase)
            return VR_EXIT_OK;
        if (!x->plan.restart) {
            printf("You can restart the domain with: vireo start %s\n", name);
            return VR_EXIT_OK;
        }
        /* The daemon starts the installed system (its restart rule). */
        printf("Restarting guest.\n");
        fflush(stdout);
        if (wait_running(x->c, name) != VR_EXIT_OK)
            return VR_EXIT_FAIL;
        install_phase = false;
        if (!text)
            return VR_EXIT_OK;
        waiting = false;
    }
}

/* ---- the command ---- */

static int print_xml(vr_install_ctx *x)
{
    bool two = x->plan.install_phase;
    int step = x->o->print_step;
    if (!two && step == 1) {
        fprintf(stderr, "vireo: error: --print-xml 1: this install has one phase only; use --print-xml\n");
        return VR_EXIT_FAIL;
    }
    if (two && step != 2)
        fputs(x->plan.xml_install, stdout);
    if (!two || step != 1)
        fputs(x->plan.xml_final, stdout);
    return VR_EXIT_OK;
}

static int create(vr_install_ctx *x)
{
    vireo_install_plan *p = &x->plan;
    vr_install_opts *o = x->o;
    struct sigaction sa = {.sa_handler = on_interrupt, .sa_flags = SA_RESTART}, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int rc = upload_media(x);
    for (size_t i = 0; rc == VR_EXIT_OK && i < p->n_volumes; i++) {
        const vireo_install_volume *v = &p->volumes[i];
        if (strcmp(v->role, "disk") != 0)
            continue;
        char human[32];
        if (v->copy_from)
            printf("Copying %s into '%s' (%s, %s) in pool '%s'\n", v->copy_from, v->name,
                   vr_cli_size(v->capacity, human), v->format, v->pool);
        else
            printf("Allocating '%s' (%s%s) in pool '%s'\n", v->name, v->capacity ? vr_cli_size(v->capacity, human) : "",
                   v->backing ? v->capacity ? ", over a backing file" : "over a backing file" : "", v->pool);
    }
    for (size_t i = 0; rc == VR_EXIT_OK && i < p->n_networks_started; i++)
        printf("Starting network '%s'\n", p->networks_started[i]);
    if (rc == VR_EXIT_OK && !vr_install_interrupted) {
        printf("Creating domain '%s' (%s, %s, %s, %llu MiB, %u vCPU%s)\n", p->name, p->virt_type, p->machine,
               p->os_variant, p->memory_mib, p->vcpus, p->vcpus == 1 ? "" : "s");
        fflush(stdout);
        /* The same plan again, now made: the uuid the seed carries, the uploads. */
        x->req.dry_run = false;
        free(x->req.uuid);
        x->req.uuid = vr_strdup(p->uuid);
        rc = run_job(x);
    } else if (rc == VR_EXIT_OK) {
        rc = vr_install_fail("interrupted");
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rc != VR_EXIT_OK) {
        vr_install_rollback(x);
        return rc;
    }
    /* From here the domain exists: nothing is undone. */
    printf("Domain '%s' started\n", p->name);
    char *state = domain_state(x->c, p->name, NULL, &x->dom_id);
    free(state);
    /* QEMU read the installer's kernel and initrd at start; the final
     * definition does not need them. */
    for (size_t i = 0; i < x->n_made; i++)
        if (strstr(x->made[i].name, "-install-kernel") || strstr(x->made[i].name, "-install-initrd"))
            vireo_vol_delete(x->c, x->made[i].pool, x->made[i].name);
    if (o->autostart)
        printf("Domain '%s' marked as autostarted\n", p->name);
    fflush(stdout);
    vr_install_interrupted = 0;
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &old_int);
    rc = follow(x);
    sigaction(SIGINT, &old_int, NULL);
    return rc;
}

static int run_opts(vr_cli *cli, vr_install_opts *o)
{
    if (o->connect)
        cli->uri = o->connect;
    if (o->os_variant && strcmp(o->os_variant, "list") == 0)
        return vr_cli_os_variants(cli, NULL, NULL);
    if (!o->name)
        return vr_cli_usage(&vr_cmd_install, "--name NAME is required");
    vr_install_ctx x = {.cli = cli, .o = o, .dom_id = -1};
    x.c = vr_cli_connect(cli);
    if (!x.c)
        return VR_EXIT_FAIL;
    int rc = vr_install_make_request(&x);
    /* Local media a remote daemon lacks go there first (install_carry.c);
     * a failure or Ctrl+C removes what was uploaded. */
    struct sigaction sa = {.sa_handler = on_interrupt, .sa_flags = SA_RESTART}, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    x.no_upload = o->print_xml || o->dry_run;
    if (rc == VR_EXIT_OK && (rc = vr_install_carry(&x)))
        vr_install_rollback(&x);
    if (rc == VR_EXIT_OK && vireo_install(x.c, &x.req, &x.plan) < 0) {
        rc = vr_cli_fail(x.c);
        vr_install_rollback(&x);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rc == VR_EXIT_OK) {
        for (size_t i = 0; i < x.plan.n_warnings; i++)
            fprintf(stderr, "vireo: %s\n", x.plan.warnings[i]);
        if (o->print_xml)
            rc = print_xml(&x);
        if (o->dry_run && rc == VR_EXIT_OK)
            printf("Dry run completed successfully\n");
        else if (!o->print_xml && !o->dry_run)
            rc = create(&x);
    }
    vr_install_ctx_clear(&x);
    vireo_disconnect(x.c);
    return rc;
}

static int run(vr_cli *cli, int argc, char **argv)
{
    vr_install_opts o = {0};
    int rc = read_cmdline(argc, argv, &o);
    if (rc == 0)
        rc = run_opts(cli, &o);
    else if (rc < 0)
        rc = VR_EXIT_OK; /* --help */
    free(o.disks);
    free(o.networks);
    free(o.boots);
    return rc;
}

const vr_command vr_cmd_install = {
    "install",
    "Create a domain and install its OS (virt-install): from an ISO, a tree, PXE, a disk or a kernel.",
    "--name NAME [--memory MiB] [--vcpus N] [--os-variant ID|list]\n"
    "    (--cdrom ISO | --location TREE|ISO[,kernel=,initrd=] [--extra-args ARGS] | --pxe | --import |\n"
    "     --boot kernel=PATH[,initrd=PATH][,kernel_args=ARGS])\n"
    "    [--disk size=GiB[,pool=P][,format=qcow2|raw][,bus=B][,backing_store=F] | --disk path=FILE[,size=GiB] |\n"
    "     --disk vol=POOL/NAME | --disk copy_from=FILE|POOL/NAME[,pool=P][,format=F] |\n"
    "     --disk path=ISO,device=cdrom | --disk none]...\n"
    "    [--network network=NAME|bridge=BR|user|none[,model=virtio|e1000|rtl8139][,mac=MAC]]...\n"
    "    [--graphics vnc[,listen=ADDR][,port=N]|none] [--boot hd,cdrom,network,uefi] [--machine pc|q35]\n"
    "    [--virt-type kvm|qemu] [--cpu MODE] [--tpm emulator|none|model=tpm-crb|tpm-tis,backend.version=2.0|1.2]\n"
    "    [--cloud-init [user-data=F][,ssh-key=F][,hostname=H]\n"
    "     [,root-password-file=F][,meta-data=F][,network-config=F]] [--console | --noautoconsole]\n"
    "    [--wait [MINUTES]] [--noreboot] [--autostart] [--print-xml [1|2]] [--dry-run] [--uuid U]\n"
    "  On a vireo+ssh:// connection the ISOs, kernel, initrd and copy_from= images on this machine are\n"
    "  uploaded to the remote host's pool first (default, or the disk's pool=); a local tree is refused.",
    run,
};
