/* The TPM emulator of a domain: Debian's swtpm, one per running domain
 * with <tpm><backend type='emulator'>, as libvirt runs it.
 *
 * Its state (the TPM's keys and NVRAM) lives in STATE/qemu/swtpm/UUID/
 * for as long as the domain is defined, made by `swtpm_setup --tpm2` (no
 * --tpm2 for version='1.2') at the first start. Each start runs `swtpm socket --daemon --terminate`
 * with its control socket and pidfile in the run directory, before
 * QEMU: QEMU connects to the socket, and swtpm ends by itself when that
 * connection closes (QEMU exited, however). The run's end stops it too,
 * by its pidfile, in case QEMU never connected. swtpm outlives the
 * daemon like QEMU does; a restarted daemon finds it by the same
 * pidfile (vr_qemu_tpm_adopt). Both run as QEMU's user when the daemon
 * has one, which then owns the state directory. */
#include "drivers/qemu/qemu_domain.h"
#include "common/child.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *vr_qemu_swtpm_dir(const vr_qemu_driver *drv, const char *uuid)
{
    return vr_asprintf("%s/qemu/swtpm/%s", drv->paths->state_dir, uuid);
}

static char *log_path(const vr_domain *dom)
{
    return vr_asprintf("%s/%s-swtpm.log", dom->drv->log_dir, dom->def->name);
}

/* Run argv to its end, output to `log`, as QEMU's user; its exit code,
 * or -1 when it could not run. swtpm_setup takes about 0.7 s, once per
 * domain; swtpm --daemon returns once its socket listens (ms). */
static int run_wait(const vr_qemu_driver *drv, char *const argv[], const char *log)
{
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_LOG, .log = log, .log_mode = 0600,
                       .uid = drv->qemu_as.uid, .gid = drv->qemu_as.gid};
    vr_child_result r;
    if (vr_child_run_or_warn(&s, &r) < 0)
        return -1;
    return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
}

/* The state directory and what is in it to QEMU's user (kept: the
 * state is the domain's, not the host's). */
static void give_state(const vr_qemu_driver *drv, const char *dir)
{
    if (!drv->qemu_as.uid)
        return;
    if (chown(dir, drv->qemu_as.uid, drv->qemu_as.gid) < 0)
        vr_log_warn("cannot give %s to QEMU's user: %s", dir, strerror(errno));
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        char *p = vr_asprintf("%s/%s", dir, e->d_name);
        if (lchown(p, drv->qemu_as.uid, drv->qemu_as.gid) < 0)
            vr_log_warn("cannot give %s to QEMU's user: %s", p, strerror(errno));
        free(p);
    }
    if (d)
        closedir(d);
}

/* swtpm's state file: tpm2-00.permall for a TPM 2.0, tpm-00.permall
 * for a 1.2. */
static bool state_made(const char *dir, bool v12)
{
    char *p = vr_asprintf("%s/%s-00.permall", dir, v12 ? "tpm" : "tpm2");
    bool made = vr_path_exists(p);
    free(p);
    return made;
}

static int fail_run(const vr_domain *dom, const char *what, int rc, const char *log, char **err)
{
    if (rc == 127)
        vr_set_error(err, "domain '%s' cannot start: its TPM needs %s, which is not installed "
                          "(apt-get install swtpm swtpm-tools)", dom->def->name, what);
    else
        vr_set_error(err, "domain '%s' cannot start: %s failed (exit %d); see %s", dom->def->name,
                     what, rc, log);
    return -1;
}

/* A start that waits for its TPM: swtpm_setup runs on the event loop
 * (it takes from 0.7 s to seconds; every other client is served
 * meanwhile), then swtpm itself is started (ms) and `done` is called. */
/* swtpm_setup takes 1-2 s here; one that hangs ends the start rather
 * than leaving the domain starting for ever. */
#define SETUP_TIMEOUT_MS (120 * 1000)

typedef struct {
    vr_domain *dom;
    char *dir, *log;
    struct timespec t0;
    vr_qemu_tpm_done_fn done;
    void *opaque;
} setup_ctx;

static void setup_ctx_free(setup_ctx *c)
{
    free(c->dir);
    free(c->log);
    free(c);
}

/* swtpm itself, on its made state; `done` told the outcome. */
static void start_swtpm(vr_domain *dom, const char *dir, const char *log, vr_qemu_tpm_done_fn done,
                        void *opaque)
{
    const vr_tpm_def *t = dom->def->tpm;
    /* swtpm's version flag: --tpm2, or none for a TPM 1.2. */
    const char *version = t->v12 ? NULL : "--tpm2";
    char *state = vr_asprintf("dir=%s,mode=0600", dir);
    char *ctrl = vr_asprintf("type=unixio,path=%s/swtpm.sock,mode=0600", dom->runtime_dir);
    char *logopt = vr_asprintf("file=%s,level=1", log);
    char *pid = vr_asprintf("file=%s/swtpm.pid", dom->runtime_dir);
    char *sw[] = {"swtpm", "socket", "--tpmstate", state, "--ctrl", ctrl, "--log", logopt,
                  "--pid", pid, "--daemon", "--terminate", (char *)version, NULL};
    int rc = run_wait(dom->drv, sw, log);
    free(state);
    free(ctrl);
    free(logopt);
    free(pid);
    char *err = NULL;
    if (rc != 0)
        fail_run(dom, "swtpm", rc, log, &err);
    done(dom, err, opaque);
    free(err);
}

static void on_setup_done(const vr_child_result *r, void *opaque)
{
    setup_ctx *c = opaque;
    vr_domain *dom = c->dom;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (long)((t1.tv_sec - c->t0.tv_sec) * 1000 + (t1.tv_nsec - c->t0.tv_nsec) / 1000000);
    int rc = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
    if (r->timed_out || rc == -1) {
        char *why = vr_child_failure("swtpm_setup", NULL, r, SETUP_TIMEOUT_MS);
        char *err = vr_asprintf("domain '%s' cannot start: %s; see %s", dom->def->name, why, c->log);
        c->done(dom, err, c->opaque);
        free(why);
        free(err);
    } else if (rc != 0) {
        char *err = NULL;
        fail_run(dom, "swtpm_setup", rc, c->log, &err);
        c->done(dom, err, c->opaque);
        free(err);
    } else {
        vr_log_info("domain %s: TPM %s state made in %s (swtpm_setup took %ld ms)", dom->def->name,
                    dom->def->tpm->v12 ? "1.2" : "2.0", c->dir, ms);
        start_swtpm(dom, c->dir, c->log, c->done, c->opaque);
    }
    setup_ctx_free(c);
}

void vr_qemu_tpm_start(vr_domain *dom, vr_qemu_tpm_done_fn done, void *opaque)
{
    const vr_tpm_def *t = dom->def->tpm;
    if (!t || t->backend != VR_TPM_EMULATOR) {
        done(dom, NULL, opaque);
        return;
    }
    vr_qemu_driver *drv = dom->drv;
    char *err = NULL;
    char *dir = vr_qemu_swtpm_dir(drv, dom->def->uuid);
    char *log = log_path(dom);
    /* The parents only traversable (swtpm may run as QEMU's user), the
     * state itself private. */
    char *parent = vr_strdup(dir);
    *strrchr(parent, '/') = '\0';
    int rc = vr_mkdir_p(parent, 0711);
    free(parent);
    if (rc == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
        rc = -errno;
    if (rc < 0) {
        vr_set_error(&err, "domain '%s' cannot start: cannot create its TPM state %s: %s",
                     dom->def->name, dir, strerror(-rc));
        goto fail;
    }
    give_state(drv, dir);
    /* swtpm opens its log itself, as QEMU's user. */
    int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (lfd >= 0 && drv->qemu_as.uid && fchown(lfd, drv->qemu_as.uid, drv->qemu_as.gid) < 0)
        vr_log_warn("cannot give %s to QEMU's user: %s", log, strerror(errno));
    if (lfd >= 0)
        close(lfd);
    if (state_made(dir, t->v12)) {
        start_swtpm(dom, dir, log, done, opaque);
        free(dir);
        free(log);
        return;
    }
    /* No certificates: swtpm_localca would keep a CA in the host's
     * /var/lib/swtpm-localca, outside Vireo's root. */
    char *setup[] = {"swtpm_setup", "--tpmstate", dir, "--createek", "--not-overwrite", "--config", "/dev/null",
                     "--lock-nvram", t->v12 ? NULL : "--tpm2", NULL};
    vr_child_spec s = {.argv = setup, .out = VR_CHILD_OUT_LOG, .log = log, .log_mode = 0600,
                       .uid = drv->qemu_as.uid, .gid = drv->qemu_as.gid,
                       .new_session = true, .timeout_ms = SETUP_TIMEOUT_MS};
    setup_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (setup_ctx){.dom = dom, .dir = dir, .log = log, .done = done, .opaque = opaque};
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
    vr_child *child = vr_child_start(drv->base, &s, NULL, on_setup_done, c, &err);
    if (!child) {
        free(c);
        goto fail;
    }
    vr_log_info("domain %s: swtpm_setup (pid %d) making its TPM state", dom->def->name,
                (int)vr_child_pid(child));
    return;
fail:
    done(dom, err, opaque);
    free(err);
    free(dir);
    free(log);
}

/* swtpm's pid from the run directory, when it is still that swtpm. */
static pid_t running_swtpm(const vr_domain *dom, const char *run_dir)
{
    char *path = vr_asprintf("%s/swtpm.pid", run_dir);
    pid_t pid = vr_pidfile_read(path);
    free(path);
    if (pid <= 0)
        return 0;
    char *dir = vr_qemu_swtpm_dir(dom->drv, dom->def->uuid);
    char *arg = vr_asprintf("dir=%s,mode=0600", dir);
    bool ours = vr_qemu_pid_is_domain(pid, arg);
    free(arg);
    free(dir);
    return ours ? pid : 0;
}

void vr_qemu_tpm_adopt(vr_domain *dom)
{
    if (!dom->def->tpm || dom->def->tpm->backend != VR_TPM_EMULATOR)
        return;
    pid_t pid = running_swtpm(dom, dom->runtime_dir);
    if (pid)
        vr_log_info("domain %s: swtpm (pid %d) re-adopted", dom->def->name, (int)pid);
    else
        vr_log_warn("domain %s: its swtpm is gone; the guest's TPM no longer answers",
                    dom->def->name);
}

void vr_qemu_tpm_stop(vr_domain *dom)
{
    if (!dom->runtime_dir || !dom->def->tpm || dom->def->tpm->backend != VR_TPM_EMULATOR)
        return;
    pid_t pid = running_swtpm(dom, dom->runtime_dir);
    if (pid && kill(pid, SIGTERM) == 0)
        vr_log_info("domain %s: swtpm (pid %d) stopped", dom->def->name, (int)pid);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = vr_asprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

void vr_qemu_tpm_remove_state(vr_qemu_driver *drv, const vr_domain_def *def)
{
    char *dir = vr_qemu_swtpm_dir(drv, def->uuid);
    if (vr_path_exists(dir)) {
        remove_tree(dir);
        vr_log_info("domain %s: TPM state %s removed", def->name, dir);
    }
    free(dir);
}
