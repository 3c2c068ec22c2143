/* save, restore and managedsave: a domain's whole state (RAM and devices)
 * to a file and back, through QEMU's migration stream.
 *
 * The file is Vireo's own format (docs/storage.md, "Save images"), the
 * same idea as libvirt's save image header: a text header, the live
 * domain XML the stream belongs to, zeros up to DATA_ALIGN, then QEMU's
 * migration stream:
 *
 *     VIREO-SAVE-IMAGE 1
 *     state: running|paused      (how restore leaves the domain)
 *     xml-length: N
 *     data-offset: M
 *     <blank line>, the XML, zeros to offset M, QEMU's stream
 *
 * Save stops the vCPUs, hands QEMU the file (getfd + migrate "fd:"),
 * follows query-migrate (the job domjobinfo shows), and when QEMU is done
 * ends it: the domain is shut off (saved). Restore starts QEMU with
 * -incoming defer and the saved XML as its live definition, feeds it
 * the stream (migrate-incoming "fd:") and resumes it. Disks are not in
 * the file: they must not change between save and restore, as with
 * libvirt. A managed save is the same file in STATE/qemu/save/NAME.save,
 * which `start` resumes and then removes. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "VIREO-SAVE-IMAGE 1\n"
#define DATA_ALIGN 4096
#define HEADER_MAX (1024 * 1024) /* XML included */
#define POLL_MS 50

typedef struct {
    vr_qemu_driver *drv;
    char *name;
    char *path;
    int fd;
    bool restore;
    bool was_running;      /* save: resume when it fails */
    bool paused;           /* restore: leave it paused */
    bool managed;
    unsigned long long data_offset;
    char *failure;         /* restore: the message, told once QEMU is gone */
    struct event *timer;
    vr_done_fn cb;
    void *opaque;
} save_ctx;

char *vr_qemu_managed_save_path(const vr_domain *dom)
{
    return vr_asprintf("%s/qemu/save/%s.save", dom->drv->paths->state_dir, dom->def->name);
}

bool vr_qemu_has_managed_save(const vr_domain *dom)
{
    return dom->managed_save;
}

bool vr_qemu_managed_save_check(vr_domain *dom)
{
    char *p = vr_qemu_managed_save_path(dom);
    dom->managed_save = access(p, F_OK) == 0;
    free(p);
    return dom->managed_save;
}

vr_err vr_qemu_managed_save_remove(vr_domain *dom, char **err)
{
    char *p = vr_qemu_managed_save_path(dom);
    vr_err code = VR_OK;
    if (unlink(p) < 0) {
        code = errno == ENOENT ? VR_ERR_NOT_FOUND : VR_ERR_FAILED;
        vr_set_error(err, errno == ENOENT ? "domain '%s' has no managed save image"
                                          : "cannot remove the managed save image of domain '%s': %m",
                     dom->def->name);
    }
    free(p);
    vr_qemu_managed_save_check(dom);
    return code;
}

static void ctx_free(save_ctx *c)
{
    if (c->timer)
        event_free(c->timer);
    if (c->fd >= 0)
        close(c->fd);
    free(c->name);
    free(c->path);
    free(c->failure);
    free(c);
}

void vr_qemu_job_end(vr_qemu_driver *drv, const char *name)
{
    vr_domain *dom = vr_qemu_lookup(drv, name);
    if (dom) {
        free(dom->job);
        dom->job = NULL;
    }
}

static void finish(save_ctx *c, vr_err code, const char *err)
{
    /* A managed save made, or a managed restore done: the image is there, or gone. */
    vr_domain *dom = c->managed ? vr_qemu_lookup(c->drv, c->name) : NULL;
    if (dom)
        vr_qemu_managed_save_check(dom);
    vr_qemu_job_end(c->drv, c->name);
    c->cb(code, err, c->opaque);
    ctx_free(c);
}

void vr_qemu_job_start(vr_domain *dom, const char *operation)
{
    dom->job = vr_calloc(1, sizeof(*dom->job));
    dom->job->operation = operation;
    clock_gettime(CLOCK_MONOTONIC, &dom->job->started);
}

/* ---- the header ---- */

static int write_header(int fd, const char *xml, bool paused, unsigned long long *data_offset)
{
    size_t xl = strlen(xml);
    /* The header's own length depends on the offset's digits: size it
     * with the widest offset, then pad. */
    size_t head = strlen(MAGIC) + 64 + xl;
    unsigned long long off = (head + DATA_ALIGN - 1) / DATA_ALIGN * DATA_ALIGN;
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "%sstate: %s\nxml-length: %zu\ndata-offset: %llu\n\n", MAGIC, paused ? "paused" : "running",
                   xl, off);
    vr_strbuf_addn(&b, xml, xl);
    char *pad = vr_calloc(1, off - b.len);
    size_t padlen = off - b.len;
    int rc = vr_write_all(fd, b.s, b.len, false) < 0 || vr_write_all(fd, pad, padlen, false) < 0 ? -1 : 0;
    free(pad);
    free(b.s);
    *data_offset = off;
    return rc;
}

/* The XML and the state of a save image; NULL with *err when `fd` holds
 * no image of ours. */
static char *read_header(int fd, const char *path, bool *paused, unsigned long long *data_offset, char **err)
{
    char buf[256] = {0};
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    size_t xl = 0;
    char state[16] = "";
    unsigned long long off = 0;
    int consumed = 0;
    if (n < (ssize_t)strlen(MAGIC) || strncmp(buf, MAGIC, strlen(MAGIC)) != 0 ||
        sscanf(buf + strlen(MAGIC), "state: %15s\nxml-length: %zu\ndata-offset: %llu\n\n%n", state, &xl, &off,
               &consumed) != 3 ||
        consumed == 0 || xl == 0 || xl > HEADER_MAX || off < strlen(MAGIC) + (size_t)consumed + xl ||
        (strcmp(state, "running") != 0 && strcmp(state, "paused") != 0)) {
        vr_set_error(err, "%s is not a Vireo save image (made by 'vireo save' or managedsave)", path);
        return NULL;
    }
    char *xml = vr_calloc(1, xl + 1);
    if (pread(fd, xml, xl, (off_t)(strlen(MAGIC) + (size_t)consumed)) != (ssize_t)xl) {
        vr_set_error(err, "the save image %s is cut short", path);
        free(xml);
        return NULL;
    }
    *paused = strcmp(state, "paused") == 0;
    *data_offset = off;
    return xml;
}

/* ---- following QEMU's migration ---- */

static void poll_later(save_ctx *c);

static void stream_failed(save_ctx *c, vr_domain *dom, const char *why);

/* The domain once QEMU answered a step, or NULL after ending the
 * operation (QEMU refused the step, or went away). */
static vr_domain *answered(save_ctx *c, const char *error)
{
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (error || !dom || !dom->qmp) {
        stream_failed(c, dom, error ? error : "QEMU exited");
        return NULL;
    }
    return dom;
}


static void on_query(json_object *ret, const char *error, void *opaque);

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    save_ctx *c = arg;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (!dom || !dom->qmp) {
        stream_failed(c, dom, "QEMU exited");
        return;
    }
    if (dom->job && dom->job->abort) {
        dom->job->abort = false;
        vr_qmp_command(dom->qmp, c->restore ? "quit" : "migrate_cancel", NULL, NULL, NULL);
    }
    vr_qmp_command(dom->qmp, "query-migrate", NULL, on_query, c);
}

static void poll_later(save_ctx *c)
{
    if (!c->timer)
        c->timer = evtimer_new(c->drv->base, on_tick, c);
    struct timeval tv = {.tv_usec = POLL_MS * 1000};
    evtimer_add(c->timer, &tv);
}

static unsigned long long member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? (unsigned long long)json_object_get_int64(v) : 0;
}

static void on_saved_gone(vr_err code, const char *err, void *opaque)
{
    save_ctx *c = opaque;
    vr_log_info("domain %s: saved to %s", c->name, c->path);
    finish(c, VR_OK, NULL);
}

static void on_restored(json_object *ret, const char *error, void *opaque);

static void on_query(json_object *ret, const char *error, void *opaque)
{
    save_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    json_object *st = NULL, *ram = NULL, *desc = NULL;
    if (error || !dom) {
        stream_failed(c, dom, error ? error : "the domain went away");
        return;
    }
    json_object_object_get_ex(ret, "status", &st);
    json_object_object_get_ex(ret, "ram", &ram);
    const char *status = st ? json_object_get_string(st) : "none";
    if (dom->job) {
        dom->job->processed = member(ram, "transferred");
        dom->job->remaining = member(ram, "remaining");
        dom->job->total = member(ram, "total");
    }
    if (strcmp(status, "completed") == 0) {
        if (c->restore) {
            if (c->paused)
                on_restored(NULL, NULL, c);
            else
                vr_qmp_command(dom->qmp, "cont", NULL, on_restored, c);
            return;
        }
        /* On disk before QEMU goes: a crash now still leaves the image. */
        if (fdatasync(c->fd) < 0) {
            stream_failed(c, dom, strerror(errno));
            return;
        }
        dom->saved = true;
        vr_qemu_destroy(dom, on_saved_gone, c);
        return;
    }
    if (strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0) {
        json_object_object_get_ex(ret, "error-desc", &desc);
        stream_failed(c, dom, strcmp(status, "cancelled") == 0 ? "cancelled (domjobabort)"
                              : desc                         ? json_object_get_string(desc)
                                                             : "QEMU's migration stream failed");
        return;
    }
    poll_later(c);
}

static void on_restore_dead(vr_err code, const char *err, void *opaque)
{
    save_ctx *c = opaque;
    finish(c, VR_ERR_FAILED, c->failure);
}

static void stream_failed(save_ctx *c, vr_domain *dom, const char *why)
{
    char *m = vr_asprintf("%s of domain '%s' failed: %s", c->restore ? "restore" : "save", c->name, why);
    vr_log_warn("%s", m);
    if (!c->restore) {
        /* Nothing is lost: the domain runs on as before, the file goes. */
        unlink(c->path);
        if (dom && dom->qmp && c->was_running)
            vr_qmp_command(dom->qmp, "cont", NULL, NULL, NULL);
        finish(c, VR_ERR_FAILED, m);
        free(m);
        return;
    }
    /* A half-restored QEMU is of no use: it goes, the image stays. */
    if (dom && dom->state != VR_DOM_SHUTOFF) {
        c->failure = m;
        vr_qemu_destroy(dom, on_restore_dead, c);
        return;
    }
    finish(c, VR_ERR_FAILED, m);
    free(m);
}

/* ---- save ---- */

static void on_migrate(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    save_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    poll_later(c);
}

static void on_getfd(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    save_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    json_object *a = json_object_new_object();
    const char *fdname = c->restore ? "vireo-restore" : "vireo-save";
    char *uri = vr_asprintf("fd:%s", fdname);
    json_object_object_add(a, "uri", json_object_new_string(uri));
    free(uri);
    vr_qmp_command(dom->qmp, c->restore ? "migrate-incoming" : "migrate", a, on_migrate, c);
}

static void send_fd(save_ctx *c, vr_domain *dom)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, "fdname", json_object_new_string(c->restore ? "vireo-restore" : "vireo-save"));
    char *err = NULL;
    if (vr_qmp_command_fd(dom->qmp, "getfd", a, c->fd, on_getfd, c, &err) < 0) {
        stream_failed(c, dom, err);
        free(err);
    }
}

static void on_stopped(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    save_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    send_fd(c, dom);
}

static vr_err save_check(vr_domain *dom, const char *what, char **err)
{
    if (dom->state == VR_DOM_SHUTOFF || dom->starting || !dom->qmp) {
        vr_set_error(err, "domain '%s' is not running; only a running or paused domain can be %s", dom->def->name,
                     what);
        return VR_ERR_CONFLICT;
    }
    if (dom->job) {
        vr_set_error(err, "domain '%s' has a %s job running; wait for it or end it with domjobabort",
                     dom->def->name, dom->job->operation);
        return VR_ERR_CONFLICT;
    }
    return VR_OK;
}

static char *header_xml(const char *old_xml, const char *xml, char **err);

void vr_qemu_save(vr_domain *dom, const char *path, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_qemu_save_xml(dom, path, NULL, flags, cb, opaque);
}

void vr_qemu_save_xml(vr_domain *dom, const char *path, const char *xml_in, unsigned flags, vr_done_fn cb,
                      void *opaque)
{
    char *err = NULL;
    bool managed = flags & VR_SAVE_MANAGED;
    vr_err code = save_check(dom, managed ? "managed-saved" : "saved", &err);
    /* Everything, passwords too: restore runs from it. save --xml: checked first. */
    char *xml = code == VR_OK ? vr_qemu_xml(dom, false, true) : NULL;
    if (xml && xml_in) {
        char *given = header_xml(xml, xml_in, &err);
        free(xml);
        xml = given;
        code = given ? VR_OK : VR_ERR_INVALID;
    }
    if (code == VR_OK && managed && !dom->persistent) {
        vr_set_error(&err, "domain '%s' is transient; a managed save needs a persistent domain (use save FILE)",
                     dom->def->name);
        code = VR_ERR_CONFLICT;
    }
    char *mpath = managed ? vr_qemu_managed_save_path(dom) : NULL;
    if (code == VR_OK && managed) {
        char *dir = vr_asprintf("%s/qemu/save", dom->drv->paths->state_dir);
        int rc = vr_mkdir_p(dir, 0700);
        if (rc < 0) {
            vr_set_error(&err, "cannot make %s: %s", dir, strerror(-rc));
            code = VR_ERR_FAILED;
        }
        free(dir);
    }
    int fd = -1;
    if (code == VR_OK) {
        path = managed ? mpath : path;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            vr_set_error(&err, "cannot create the save image %s: %m", path);
            code = errno == ENOENT || errno == EISDIR ? VR_ERR_INVALID : VR_ERR_FAILED;
        }
    }
    save_ctx *c = NULL;
    if (code == VR_OK) {
        c = vr_calloc(1, sizeof(*c));
        *c = (save_ctx){.drv = dom->drv, .name = vr_strdup(dom->def->name), .path = vr_strdup(path), .fd = fd,
                        .was_running = dom->state == VR_DOM_RUNNING, .managed = managed, .cb = cb,
                        .opaque = opaque};
        bool paused = flags & VR_SAVE_PAUSED ? true : flags & VR_SAVE_RUNNING ? false : dom->state == VR_DOM_PAUSED;
        if (write_header(fd, xml, paused, &c->data_offset) < 0) {
            vr_set_error(&err, "cannot write the save image %s: %m", path);
            code = VR_ERR_FAILED;
            unlink(path);
            ctx_free(c);
        }
    } else if (fd >= 0) {
        close(fd);
    }
    free(xml);
    free(mpath);
    if (code != VR_OK) {
        if (managed)
            vr_qemu_managed_save_check(dom);
        cb(code, err, opaque);
        free(err);
        return;
    }
    vr_qemu_job_start(dom, "save");
    /* A still guest makes a consistent image, and the stream ends at once. */
    if (c->was_running)
        vr_qmp_command(dom->qmp, "stop", NULL, on_stopped, c);
    else
        send_fd(c, dom);
}

/* ---- restore ---- */

static void on_restored(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    save_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    dom->reason = "restored";
    if (c->managed)
        unlink(c->path);
    vr_log_info("domain %s: restored from %s", c->name, c->path);
    finish(c, VR_OK, NULL);
}

static void on_monitor_ready(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    save_ctx *c = opaque;
    vr_domain *dom = answered(c, error);
    if (!dom)
        return;
    if (lseek(c->fd, (off_t)c->data_offset, SEEK_SET) < 0) {
        stream_failed(c, dom, strerror(errno));
        return;
    }
    send_fd(c, dom);
}

static void on_started(vr_err code, const char *err, void *opaque)
{
    save_ctx *c = opaque;
    vr_domain *dom = vr_qemu_lookup(c->drv, c->name);
    if (code != VR_OK || !dom) {
        /* The saved live definition was the run's: the persistent one is back. */
        if (dom && dom->state == VR_DOM_SHUTOFF && dom->next) {
            vr_domain_def_free(dom->def);
            dom->def = dom->next;
            dom->next = NULL;
        }
        char *m = vr_asprintf("restore of domain '%s' failed: %s", c->name, err ? err : "it went away");
        finish(c, code != VR_OK ? code : VR_ERR_FAILED, m);
        free(m);
        return;
    }
    vr_qemu_job_start(dom, "restore");
    /* The fd travels on its own (getfd): the monitor must be up and idle,
     * which its first answer proves. */
    vr_qmp_command(dom->qmp, "query-status", NULL, on_monitor_ready, c);
}

static void restore_fd(vr_qemu_driver *drv, int fd, const char *path, const char *xml_in, unsigned flags,
                       bool managed, vr_domain *known, vr_done_fn cb, void *opaque)
{
    char *err = NULL;
    bool paused = false;
    unsigned long long off = 0;
    vr_err code = VR_ERR_INVALID;
    char *xml = read_header(fd, path, &paused, &off, &err);
    if (xml && xml_in) {
        /* restore --xml: the given definition in place of the image's, checked */
        char *given = header_xml(xml, xml_in, &err);
        free(xml);
        xml = given;
    }
    vr_domain_def *def = xml ? vr_domain_def_parse(xml, strlen(xml), &err) : NULL;
    vr_domain *dom = def ? vr_qemu_lookup(drv, def->name) : NULL;
    if (!def) {
        /* said */
    } else if (known && dom != known) {
        vr_set_error(&err, "the managed save image %s is of another domain ('%s')", path, def->name);
    } else if (dom && strcasecmp(dom->def->uuid, def->uuid) != 0) {
        vr_set_error(&err, "the image is of domain '%s' with uuid %s, but the domain of that name has uuid %s",
                     def->name, def->uuid, dom->def->uuid);
        code = VR_ERR_CONFLICT;
    } else if (dom && (dom->state != VR_DOM_SHUTOFF || dom->starting)) {
        vr_set_error(&err, "domain '%s' is running; destroy it first to restore it from %s", def->name, path);
        code = VR_ERR_CONFLICT;
    } else if (!dom && vr_qemu_lookup(drv, def->uuid)) {
        vr_set_error(&err, "uuid %s of the image is used by domain '%s'", def->uuid,
                     vr_qemu_lookup(drv, def->uuid)->def->name);
        code = VR_ERR_CONFLICT;
    } else {
        code = VR_OK;
    }
    if (code == VR_OK && !dom) {
        /* Not defined (any more): it comes back as a transient domain. */
        /* Adopted: the image holds exactly the devices its QEMU had. */
        code = vr_qemu_domain_add(drv, xml, false, true, &dom, &err);
        vr_domain_def_free(def);
    } else if (code == VR_OK) {
        /* The image's live definition runs; the persistent one is kept for later. */
        if (dom->persistent) {
            vr_domain_def_free(dom->next);
            dom->next = dom->def;
        } else {
            vr_domain_def_free(dom->def);
        }
        dom->def = def;
    } else {
        vr_domain_def_free(def);
    }
    free(xml);
    if (code != VR_OK) {
        close(fd);
        cb(code, err, opaque);
        free(err);
        return;
    }
    save_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (save_ctx){.drv = drv, .name = vr_strdup(dom->def->name), .path = vr_strdup(path), .fd = fd,
                    .restore = true, .managed = managed, .data_offset = off, .cb = cb, .opaque = opaque,
                    .paused = flags & VR_SAVE_PAUSED ? true : flags & VR_SAVE_RUNNING ? false : paused};
    dom->incoming = true;
    vr_qemu_start(dom, true, on_started, c);
}

void vr_qemu_restore(vr_qemu_driver *drv, const char *path, unsigned flags, vr_done_fn cb, void *opaque)
{
    vr_qemu_restore_xml(drv, path, NULL, flags, cb, opaque);
}

void vr_qemu_restore_xml(vr_qemu_driver *drv, const char *path, const char *xml, unsigned flags, vr_done_fn cb,
                         void *opaque)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char *m = vr_asprintf("cannot open the save image %s: %s", path, strerror(errno));
        cb(errno == ENOENT ? VR_ERR_NOT_FOUND : VR_ERR_FAILED, m, opaque);
        free(m);
        return;
    }
    restore_fd(drv, fd, path, xml, flags, false, NULL, cb, opaque);
}

void vr_qemu_managed_restore(vr_domain *dom, bool paused, vr_done_fn cb, void *opaque)
{
    char *path = vr_qemu_managed_save_path(dom);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char *m = vr_asprintf("cannot open the managed save image %s: %s", path, strerror(errno));
        cb(VR_ERR_FAILED, m, opaque);
        free(m);
    } else {
        restore_fd(dom->drv, fd, path, NULL, paused ? VR_SAVE_PAUSED : 0, true, dom, cb, opaque);
    }
    free(path);
}

/* ---- domjobinfo, domjobabort ---- */

json_object *vr_qemu_job_info(const vr_domain *dom)
{
    json_object *o = json_object_new_object();
    const struct vr_qemu_job *j = dom->job;
    json_object_object_add(o, "type", json_object_new_string(j ? "unbounded" : "none"));
    if (!j)
        return o;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (now.tv_sec - j->started.tv_sec) * 1000LL + (now.tv_nsec - j->started.tv_nsec) / 1000000;
    json_object_object_add(o, "operation", json_object_new_string(j->operation));
    json_object_object_add(o, "elapsed_ms", json_object_new_int64(ms));
    if (j->pull) {
        /* a pull backup moves no data itself: what its scratch files hold */
        json_object_object_add(o, "mode", json_object_new_string("pull"));
        json_object_object_add(o, "disk_temp_used", json_object_new_int64((int64_t)j->temp_used));
        json_object_object_add(o, "disk_temp_total", json_object_new_int64((int64_t)j->temp_total));
        return o;
    }
    json_object_object_add(o, "data_processed", json_object_new_int64((int64_t)j->processed));
    json_object_object_add(o, "data_remaining", json_object_new_int64((int64_t)j->remaining));
    json_object_object_add(o, "data_total", json_object_new_int64((int64_t)j->total));
    return o;
}

vr_err vr_qemu_job_abort(vr_domain *dom, char **err)
{
    if (!dom->job) {
        vr_set_error(err, "domain '%s' has no job running (domjobinfo shows the running save, restore or backup)",
                     dom->def->name);
        return VR_ERR_CONFLICT;
    }
    dom->job->abort = true;
    return VR_OK;
}

/* ---- the XML of a save image: save --xml, restore --xml, save-image-* ---- */

/* `xml` may stand for `was` in a save image: the same domain and the
 * same machine as QEMU saved it (a stream only loads into the devices it
 * came from); paths, names of media, descriptions may change, as
 * libvirt's ABI check allows. The parsed definition, or NULL with *err. */
static vr_domain_def *xml_compatible(const vr_domain_def *was, const char *xml, char **err)
{
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), err);
    if (!def)
        return NULL;
    const char *differs = NULL;
    if (strcmp(def->name, was->name) != 0 || strcasecmp(def->uuid, was->uuid) != 0)
        differs = "its name or uuid";
    else if (strcmp(def->os.machine, was->os.machine) != 0 || strcmp(def->os.arch, was->os.arch) != 0)
        differs = "its machine type";
    else if (def->vcpus != was->vcpus || def->memory_kib != was->memory_kib)
        differs = "its vCPUs or memory";
    else if (def->n_disks != was->n_disks || def->n_interfaces != was->n_interfaces)
        differs = "its number of disks or interfaces";
    for (size_t i = 0; !differs && i < def->n_disks; i++)
        if (strcmp(def->disks[i].target_dev, was->disks[i].target_dev) != 0 ||
            def->disks[i].bus != was->disks[i].bus || def->disks[i].device != was->disks[i].device)
            differs = "a disk's target, bus or device";
    for (size_t i = 0; !differs && i < def->n_interfaces; i++)
        if (strcasecmp(def->interfaces[i].mac, was->interfaces[i].mac) != 0 ||
            def->interfaces[i].model != was->interfaces[i].model)
            differs = "an interface's MAC or model";
    if (differs) {
        vr_set_error(err, "the XML changes %s; a save image runs only on the devices it was saved from (disk "
                          "paths, descriptions and metadata may change)", differs);
        vr_domain_def_free(def);
        return NULL;
    }
    return def;
}

/* `xml` checked against the definition in `old_xml`, formatted whole
 * (passwords too) for an image's header; NULL with *err. */
static char *header_xml(const char *old_xml, const char *xml, char **err)
{
    vr_domain_def *was = vr_domain_def_parse(old_xml, strlen(old_xml), err);
    vr_domain_def *def = was ? xml_compatible(was, xml, err) : NULL;
    char *out = def ? vr_domain_def_format(def) : NULL;
    vr_domain_def_free(was);
    vr_domain_def_free(def);
    return out;
}

/* The image at `path` opened with `mode` (*fd) and its header's XML;
 * NULL with *code and *err (the file closed). */
static char *open_image(const char *path, int mode, int *fd, bool *paused, unsigned long long *off, vr_err *code,
                        char **err)
{
    *fd = open(path, mode | O_CLOEXEC);
    if (*fd < 0) {
        vr_set_error(err, "cannot open the save image %s: %s", path, strerror(errno));
        *code = errno == ENOENT ? VR_ERR_NOT_FOUND : VR_ERR_FAILED;
        return NULL;
    }
    char *xml = read_header(*fd, path, paused, off, err);
    if (!xml) {
        close(*fd);
        *code = VR_ERR_INVALID;
    }
    return xml;
}

vr_err vr_qemu_save_image_xml(const char *path, bool secure, char **xml, char **err)
{
    int fd;
    bool paused;
    unsigned long long off;
    vr_err code = VR_ERR_INVALID;
    char *raw = open_image(path, O_RDONLY, &fd, &paused, &off, &code, err);
    *xml = NULL;
    if (!raw)
        return code;
    close(fd);
    vr_domain_def *def = raw ? vr_domain_def_parse(raw, strlen(raw), err) : NULL;
    *xml = def ? vr_domain_def_format_public(def, secure) : NULL;
    vr_domain_def_free(def);
    free(raw);
    return *xml ? VR_OK : VR_ERR_INVALID;
}

vr_err vr_qemu_save_image_define(const char *path, const char *xml, unsigned flags, char **err)
{
    int fd;
    bool paused;
    unsigned long long off;
    vr_err code = VR_ERR_INVALID;
    char *old = open_image(path, O_RDWR, &fd, &paused, &off, &code, err);
    if (!old)
        return code;
    char *new_xml = header_xml(old, xml, err);
    code = new_xml ? VR_OK : VR_ERR_INVALID;
    if (code == VR_OK) {
        paused = flags & VR_SAVE_PAUSED ? true : flags & VR_SAVE_RUNNING ? false : paused;
        vr_strbuf b = {0};
        vr_strbuf_addf(&b, "%sstate: %s\nxml-length: %zu\ndata-offset: %llu\n\n", MAGIC,
                       paused ? "paused" : "running", strlen(new_xml), off);
        vr_strbuf_add(&b, new_xml);
        /* The stream stays where it is: the new header must fit before it. */
        if (b.len > off) {
            vr_set_error(err, "the new XML does not fit in the header of %s (%zu bytes, %llu there)", path, b.len,
                         off);
            code = VR_ERR_INVALID;
        } else {
            char *pad = vr_calloc(1, off - b.len + 1);
            if (pwrite(fd, b.s, b.len, 0) != (ssize_t)b.len ||
                pwrite(fd, pad, off - b.len, (off_t)b.len) != (ssize_t)(off - b.len) || fsync(fd) < 0) {
                vr_set_error(err, "cannot write the header of %s: %s", path, strerror(errno));
                code = VR_ERR_FAILED;
            }
            free(pad);
        }
        free(b.s);
    }
    close(fd);
    free(old);
    free(new_xml);
    return code;
}
