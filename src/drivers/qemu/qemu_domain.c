/* Domains in the definition store (src/registry: CONFIG/qemu/NAME.xml,
 * autostart links, lookup, duplicates) and what is the QEMU driver's own:
 * transient domains, redefinition while running, per-run directories. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_checkpoint.h"
#include "conf/domain_template.h"
#include "conf/names.h"
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_console.h"
#include "drivers/qemu/qemu_process.h"
#include "drivers/qemu/qemu_snapshot.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "conf/stored_form.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "registry/registry.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *vr_qemu_log_path(const vr_domain *dom)
{
    return vr_asprintf("%s/%s.log", dom->drv->log_dir, dom->def->name);
}

char *vr_qemu_serial_log_path(const vr_domain *dom)
{
    return vr_asprintf("%s/%s-serial0.log", dom->drv->log_dir, dom->def->name);
}

static vr_domain *new_domain(vr_qemu_driver *drv, vr_domain_def *def, bool persistent)
{
    vr_domain *dom = vr_calloc(1, sizeof(*dom));
    dom->drv = drv;
    dom->def = def;
    dom->persistent = persistent;
    dom->state = VR_DOM_SHUTOFF;
    dom->reason = "unknown";
    dom->id = -1;
    vr_qemu_managed_save_check(dom);
    vr_qemu_nvram_record_load(dom);
    return dom;
}

void vr_qemu_domain_remove(vr_qemu_driver *drv, vr_domain *dom)
{
    vr_registry_remove(drv->reg, dom->def->name);
    vr_domain_def_free(dom->def);
    vr_domain_def_free(dom->next);
    vr_qemu_taps_clear(dom);
    vr_qemu_grants_clear(dom);
    vr_qemu_notices_clear(dom);
    vr_qemu_io_errors_clear(dom);
    free(dom->runtime_dir);
    free(dom->job);
    free(dom->fw_loader);
    free(dom->fw_nvram);
    free(dom);
}

vr_domain *const *vr_qemu_domains(const vr_qemu_driver *drv, size_t *n)
{
    return (vr_domain *const *)vr_registry_list(drv->reg, n);
}

vr_domain *vr_qemu_lookup(vr_qemu_driver *drv, const char *key)
{
    vr_domain *dom = vr_registry_lookup(drv->reg, key);
    if (dom)
        return dom;
    /* Running ids are the driver's, not the store's: few domains run. */
    char *end;
    long id = strtol(key, &end, 10);
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(drv, &n);
    if (*key && !*end && id > 0)
        for (size_t i = 0; i < n; i++)
            if (doms[i]->id == id)
                return doms[i];
    return NULL;
}

vr_err vr_qemu_domain_save(vr_qemu_driver *drv, const vr_domain_def *def, char **err)
{
    return vr_registry_save(drv->reg, def, err);
}

void vr_qemu_domain_set_config(vr_domain *dom, vr_domain_def *def)
{
    if (dom->state != VR_DOM_SHUTOFF || dom->starting) {
        vr_domain_def_free(dom->next);
        dom->next = def;
    } else {
        vr_domain_def_free(dom->def);
        dom->def = def;
    }
}

vr_err vr_qemu_domain_add(vr_qemu_driver *drv, const char *xml, bool persistent, bool adopted,
                          vr_domain **out, char **err)
{
    /* A re-adopted domain's definition is what its QEMU runs: no new
     * root ports there. */
    vr_domain_def *def = adopted ? vr_domain_def_parse(xml, strlen(xml), err)
                                 : vr_domain_def_parse_new(xml, strlen(xml), err);
    if (!def)
        return VR_ERR_INVALID;
    void *same = NULL;
    vr_err saved = vr_registry_check(drv->reg, def, persistent, &same, err);
    vr_domain *same_name = same;
    if (saved == VR_OK && persistent)
        saved = vr_qemu_domain_save(drv, def, err);
    if (saved != VR_OK) {
        vr_domain_def_free(def);
        return saved;
    }
    vr_domain *dom = same_name;
    if (dom) {
        /* A redefinition: a running domain keeps its live definition
         * until it stops. */
        vr_qemu_domain_set_config(dom, def);
        dom->persistent = true;
    } else {
        dom = new_domain(drv, def, persistent);
        vr_registry_add(drv->reg, dom, def);
    }
    if (persistent)
        vr_qemu_emit(dom, "defined", same_name ? "updated" : "added");
    *out = dom;
    return VR_OK;
}

vr_err vr_qemu_define(vr_qemu_driver *drv, const char *xml, vr_domain **out, char **err)
{
    return vr_qemu_domain_add(drv, xml, true, false, out, err);
}

/* Files the domain's disks point at, for undefine --remove-all-storage:
 * image files and volumes, never CD-ROMs (ISOs are shared) nor devices. */
static void remove_storage(vr_qemu_driver *drv, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_disks; i++) {
        const vr_disk_def *d = &def->disks[i];
        if (d->type == VR_DISK_BLOCK || d->device != VR_DISK_DEVICE_DISK)
            continue;
        char *path = vr_qemu_disk_path(drv, d, NULL);
        if (!path)
            continue;
        if (unlink(path) == 0)
            vr_log_info("domain %s: removed %s", def->name, path);
        else if (errno != ENOENT)
            vr_log_warn("domain %s: cannot remove %s: %s", def->name, path, strerror(errno));
        free(path);
    }
}

vr_err vr_qemu_undefine(vr_domain *dom, unsigned flags, char **err)
{
    vr_qemu_driver *drv = dom->drv;
    bool remove_all_storage = flags & VR_QEMU_UNDEFINE_STORAGE;
    if (!dom->persistent) {
        vr_set_error(err, "domain '%s' is transient; use destroy to end it", dom->def->name);
        return VR_ERR_CONFLICT;
    }
    /* The image would outlive the domain it belongs to (virsh refuses too). */
    if (vr_qemu_managed_save_check(dom)) {
        if (!(flags & VR_QEMU_UNDEFINE_MANAGED_SAVE)) {
            vr_set_error(err, "domain '%s' has a managed save image; remove it with managedsave-remove, or "
                              "undefine with --managed-save", dom->def->name);
            return VR_ERR_CONFLICT;
        }
        vr_err code = vr_qemu_managed_save_remove(dom, err);
        if (code != VR_OK)
            return code;
    }
    bool active = dom->state != VR_DOM_SHUTOFF || dom->starting;
    if (active && remove_all_storage) {
        vr_set_error(err, "domain '%s' is running; destroy it before removing its storage",
                     dom->def->name);
        return VR_ERR_CONFLICT;
    }
    vr_err nv = vr_qemu_nvram_undefine_check(dom, flags, err);
    if (nv != VR_OK)
        return nv;
    if (vr_registry_delete(drv->reg, dom->def->name, err) != VR_OK)
        return VR_ERR_FAILED;
    dom->autostart = false;
    if (remove_all_storage)
        remove_storage(drv, dom->def);
    vr_qemu_nvram_undefine(dom, flags, active);
    dom->keep_tpm = flags & VR_QEMU_UNDEFINE_KEEP_TPM;
    if (!active && dom->def->tpm && !dom->keep_tpm)
        vr_qemu_tpm_remove_state(drv, dom->def);
    vr_qemu_checkpoint_forget_all(drv, dom->def->name);
    vr_qemu_emit(dom, "undefined", "removed");
    if (active) {
        /* Like libvirt: a running domain lives on as a transient one. */
        dom->persistent = false;
        vr_domain_def_free(dom->next);
        dom->next = NULL;
    } else {
        vr_qemu_domain_remove(drv, dom);
    }
    return VR_OK;
}

vr_err vr_qemu_set_autostart(vr_domain *dom, bool on, char **err)
{
    if (!dom->persistent) {
        vr_set_error(err, "domain '%s' is transient; define it to autostart it", dom->def->name);
        return VR_ERR_CONFLICT;
    }
    vr_err code = vr_registry_set_autostart(dom->drv->reg, dom->def->name, on, err);
    if (code == VR_OK)
        dom->autostart = on;
    return code;
}

char *vr_qemu_xml(const vr_domain *dom, bool inactive, bool secure)
{
    const vr_domain_def *def = inactive && dom->next ? dom->next : dom->def;
    return vr_domain_def_format_public(def, secure);
}

/* ---- per-run files ---- */

int vr_qemu_runtime_prepare(vr_domain *dom, char **err)
{
    dom->runtime_dir = vr_asprintf("%s/%s", dom->drv->runtime_dir, dom->def->name);
    vr_qemu_runtime_remove_stale(dom->runtime_dir);
    int rc = vr_mkdir_p(dom->runtime_dir, 0700);
    if (rc < 0) {
        vr_set_error(err, "cannot create %s: %s", dom->runtime_dir, strerror(-rc));
        return -1;
    }
    /* What a restarted daemon needs to re-adopt this run, transient
     * domains included: the live definition and the id. */
    rc = vr_qemu_runtime_save_def(dom);
    char *id = vr_asprintf("%d %d\n", dom->id, dom->persistent ? 1 : 0);
    char *path = vr_asprintf("%s/id", dom->runtime_dir);
    if (rc == 0)
        rc = vr_file_write_atomic(path, id, strlen(id), 0600);
    free(path);
    free(id);
    if (rc < 0) {
        vr_set_error(err, "cannot write the run state of '%s': %s", dom->def->name, strerror(-rc));
        return -1;
    }
    return 0;
}

int vr_qemu_runtime_save_def(vr_domain *dom)
{
    char *xml = vr_domain_def_format(dom->def);
    char *path = vr_asprintf("%s/domain.xml", dom->runtime_dir);
    int rc = vr_file_write_atomic(path, xml, strlen(xml), 0600);
    free(path);
    free(xml);
    return rc;
}

void vr_qemu_runtime_remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = vr_asprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

void vr_qemu_runtime_remove(vr_domain *dom)
{
    vr_qemu_runtime_remove_stale(dom->runtime_dir);
}

void vr_qemu_taps_save(vr_domain *dom)
{
    vr_strbuf b = {0};
    for (size_t i = 0; i < dom->n_ifnames; i++)
        vr_strbuf_addf(&b, "%s\n", dom->ifnames[i] ? dom->ifnames[i] : "-");
    char *path = vr_asprintf("%s/taps", dom->runtime_dir);
    vr_file_write_atomic(path, b.s ? b.s : "", b.len, 0600);
    free(path);
    vr_strbuf_free(&b);
}

void vr_qemu_taps_load(vr_domain *dom)
{
    char *path = vr_asprintf("%s/taps", dom->runtime_dir);
    char *text = vr_file_read(path, NULL);
    free(path);
    vr_qemu_taps_clear(dom);
    dom->n_ifnames = dom->def->n_interfaces;
    dom->ifnames = vr_calloc(dom->n_ifnames ? dom->n_ifnames : 1, sizeof(char *));
    char *save = NULL;
    size_t i = 0;
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l && i < dom->n_ifnames; l = strtok_r(NULL, "\n", &save), i++)
        dom->ifnames[i] = strcmp(l, "-") ? vr_strdup(l) : NULL;
    free(text);
}

void vr_qemu_taps_clear(vr_domain *dom)
{
    for (size_t i = 0; i < dom->n_ifnames; i++)
        free(dom->ifnames[i]);
    free(dom->ifnames);
    dom->ifnames = NULL;
    dom->n_ifnames = 0;
}

void vr_qemu_log_command(const char *log, char *const argv[])
{
    vr_strbuf b = {0};
    time_t now = time(NULL);
    struct tm tm;
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
    vr_strbuf_addf(&b, "%s: starting:", when);
    for (size_t i = 0; argv[i]; i++)
        vr_strbuf_addf(&b, " %s", argv[i]);
    vr_strbuf_add(&b, "\n");
    FILE *f = fopen(log, "ae");
    if (f) {
        fputs(b.s, f);
        fclose(f);
    }
    vr_strbuf_free(&b);
}

void vr_qemu_set_user(vr_qemu_driver *drv, uid_t uid, gid_t gid)
{
    drv->qemu_as = (vr_qemu_identity){.uid = uid, .gid = gid};
    /* Let it reach its own run directory and log, not list the others. */
    if (uid) {
        chmod(drv->runtime_dir, 0711);
        chmod(drv->log_dir, 0711);
    }
}

char **vr_qemu_argv_finish(const vr_qemu_driver *drv, char **argv)
{
    size_t n = 0;
    bool has = false;
    for (; argv[n]; n++)
        has |= strcmp(argv[n], "-no-shutdown") == 0;
    if (has)
        return argv;
    /* QEMU stays up when the guest powers off, so the driver sees the
     * SHUTDOWN event and decides: quit, or reset for a reboot. */
    argv = vr_realloc(argv, (n + 4) * sizeof(*argv));
    argv[n++] = vr_strdup("-no-shutdown");
    if (drv->qemu_as.uid) {
        /* seccomp: no obsolete syscalls, no resource control. QEMU 7.2's
         * elevateprivileges=deny and spawn=deny stop -daemonize itself
         * (it forks and calls setsid); privileges are dropped before exec
         * instead, so there is nothing to elevate from. */
        argv[n++] = vr_strdup("-sandbox");
        argv[n++] = vr_strdup("on,obsolete=deny,resourcecontrol=deny");
    }
    argv[n] = NULL;
    return argv;
}

/* ---- loading ---- */

static void *adopt_definition(void *def, bool autostart, void *opaque)
{
    vr_domain *dom = new_domain(opaque, def, true);
    dom->autostart = autostart;
    return dom;
}

static void on_autostart_done(vr_err code, const char *err, void *opaque)
{
    char *name = opaque;
    if (code != VR_OK)
        vr_log_error("autostart of domain %s failed: %s", name, err);
    free(name);
}

vr_qemu_driver *vr_qemu_driver_new(struct event_base *base, const vr_paths *paths,
                                   vr_event_fn on_event, void *opaque)
{
    vr_qemu_driver *drv = vr_calloc(1, sizeof(*drv));
    drv->base = base;
    drv->paths = paths;
    drv->on_event = on_event;
    drv->event_opaque = opaque;
    drv->next_id = 1;
    /* Definitions, autostart links and snapshots (qemu/snapshot/NAME). */
    drv->reg = vr_registry_new(&vr_conf_domain, paths->config_dir, "qemu", 2);
    drv->runtime_dir = vr_asprintf("%s/qemu", paths->runtime_dir);
    drv->log_dir = vr_asprintf("%s/qemu", paths->log_dir);
    const char *dirs[] = {drv->runtime_dir, drv->log_dir};
    for (size_t i = 0; i < VR_ARRAY_LEN(dirs); i++) {
        int rc = vr_mkdir_p(dirs[i], 0700);
        if (rc < 0)
            vr_log_error("cannot create %s: %s", dirs[i], strerror(-rc));
    }
    /* Run directories (NAME/). */
    vr_file_remove_leftovers(drv->runtime_dir, 1);
    vr_registry_load(drv->reg, NULL, adopt_definition, drv);
    vr_qemu_adopt_all(drv);
    vr_qemu_logs_prune(drv);
    return drv;
}

void vr_qemu_autostart(vr_qemu_driver *drv)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_domain *dom = doms[i];
        if (dom->autostart && dom->state == VR_DOM_SHUTOFF)
            vr_qemu_start(dom, false, on_autostart_done, vr_strdup(dom->def->name));
    }
}

void vr_qemu_driver_free(vr_qemu_driver *drv)
{
    if (!drv)
        return;
    /* QEMUs keep running: the next daemon re-adopts them. */
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(drv, &n);
    for (size_t i = 0; i < n; i++) {
        vr_domain *dom = doms[i];
        vr_qmp_free(dom->qmp, false);
        vr_qemu_unplugs_end(dom, false);
        vr_console_free(dom->console);
        vr_pidwatch_free(dom->watch);
        if (dom->kill_timer)
            event_free(dom->kill_timer);
        vr_domain_def_free(dom->def);
        vr_domain_def_free(dom->next);
        vr_qemu_taps_clear(dom);
        vr_qemu_grants_clear(dom); /* memory only: the next daemon loads them */
        vr_qemu_notices_clear(dom);
        vr_qemu_io_errors_clear(dom); /* the next daemon asks QEMU again */
        free(dom->job); /* a backup's: the next daemon re-adopts it from its record */
        free(dom->runtime_dir);
        free(dom->fw_loader);
        free(dom->fw_nvram);
        free(dom);
    }
    for (size_t i = 0; i < drv->n_stale_ifnames; i++)
        free(drv->stale_ifnames[i]);
    free(drv->stale_ifnames);
    vr_registry_free(drv->reg);
    free(drv->runtime_dir);
    free(drv->log_dir);
    free(drv);
}

/* ---- checks before a start ---- */

static vr_err need_file(const char *path, int mode, const char *what, const char *name, char **err)
{
    if (access(path, mode) == 0)
        return VR_OK;
    vr_set_error(err, "%s %s of domain '%s' %s: %s", what, path, name,
                 errno == ENOENT ? "does not exist" : "cannot be used", strerror(errno));
    return VR_ERR_INVALID;
}

void vr_qemu_set_backup_end(vr_qemu_driver *drv, vr_qemu_backup_end_fn fn)
{
    drv->backup_end = fn;
}

void vr_qemu_set_volume_resolver(vr_qemu_driver *drv, vr_qemu_volume_fn fn, void *opaque)
{
    drv->resolve_volume = fn;
    drv->resolve_opaque = opaque;
}

/* A volume disk gets its file (and, when the XML left the format at the
 * default raw, the volume's format) from the storage driver at each
 * start: a volume may have been replaced since the last one. */
static vr_err resolve_volume(vr_qemu_driver *drv, const char *name, vr_disk_def *d, char **err)
{
    if (!drv->resolve_volume) {
        vr_set_error(err, "disk %s of domain '%s' names volume '%s' in pool '%s', and no storage "
                          "driver is running", d->target_dev, name, d->source_volume, d->source_pool);
        return VR_ERR_UNSUPPORTED;
    }
    char *path = NULL, *e = NULL;
    vr_disk_format fmt = VR_DISK_RAW;
    vr_err code = drv->resolve_volume(d->source_pool, d->source_volume, &path, &fmt, &e,
                                      drv->resolve_opaque);
    if (code != VR_OK) {
        vr_set_error(err, "disk %s of domain '%s': %s", d->target_dev, name, e);
        free(e);
        return code;
    }
    if (fmt != d->format) {
        /* qcow2 shown to a guest as raw would hand it the image's own
         * metadata: only the default (raw) is overridden by the volume. */
        if (d->format == VR_DISK_RAW) {
            d->format = fmt;
        } else {
            vr_set_error(err, "disk %s of domain '%s' says <driver type='qcow2'/>, but volume '%s' "
                              "in pool '%s' is raw", d->target_dev, name, d->source_volume,
                         d->source_pool);
            free(path);
            return VR_ERR_INVALID;
        }
    }
    free(d->resolved_path);
    d->resolved_path = path;
    return VR_OK;
}

char *vr_qemu_disk_path(vr_qemu_driver *drv, const vr_disk_def *d, char **err)
{
    if (d->type != VR_DISK_VOLUME)
        return d->source_path ? vr_strdup(d->source_path) : NULL;
    if (d->resolved_path)
        return vr_strdup(d->resolved_path);
    if (!drv->resolve_volume) {
        vr_set_error(err, "volume '%s' of pool '%s' cannot be resolved: no storage driver",
                     d->source_volume, d->source_pool);
        return NULL;
    }
    char *path = NULL;
    vr_disk_format fmt;
    if (drv->resolve_volume(d->source_pool, d->source_volume, &path, &fmt, err,
                            drv->resolve_opaque) != VR_OK)
        return NULL;
    return path;
}

void vr_qemu_set_secret_fn(vr_qemu_driver *drv, vr_qemu_secret_fn fn, void *opaque)
{
    drv->secret_fn = fn;
    drv->secret_opaque = opaque;
}

/* The cephx key or CHAP password of a network disk with <auth>: checked,
 * and with `dom` written to its key file. */
static vr_err disk_key(vr_qemu_driver *drv, vr_domain *dom, const char *name, const vr_disk_def *d, char **err)
{
    if (d->type != VR_DISK_NETWORK || !d->auth_username)
        return VR_OK;
    const char *which = d->secret_uuid ? "uuid" : "usage";
    const char *id = d->secret_uuid ? d->secret_uuid : d->secret_usage;
    bool iscsi = d->protocol == VR_DISK_PROTOCOL_ISCSI;
    const char *what = iscsi ? "CHAP password" : "cephx key";
    if (!drv->secret_fn) {
        vr_set_error(err, "disk %s of domain '%s' takes its %s from the secret with %s '%s', and no "
                          "secret store is running", d->target_dev, name, what, which, id);
        return VR_ERR_UNSUPPORTED;
    }
    unsigned char *v = NULL;
    size_t len = 0;
    char *e = NULL;
    vr_err code = drv->secret_fn(d->secret_uuid, d->secret_usage, &v, &len, &e, drv->secret_opaque);
    if (code != VR_OK && iscsi) {
        vr_set_error(err, "disk %s of domain '%s': the CHAP password of user '%s': %s (define it: vireo "
                          "secret-define with <usage type='iscsi'>, then vireo secret-set-value UUID PASSWORD)",
                     d->target_dev, name, d->auth_username, e);
        free(e);
        return code;
    }
    if (code != VR_OK) {
        vr_set_error(err, "disk %s of domain '%s': the cephx key of client.%s: %s (define it: vireo secret-define, "
                          "then vireo secret-set-value UUID $(ceph auth get-key client.%s))",
                     d->target_dev, name, d->auth_username, e, d->auth_username);
        free(e);
        return code;
    }
    if (dom) {
        char *file = vr_qemu_disk_key_file(dom->runtime_dir, d);
        if (vr_qemu_write_secret_file(dom, file, v, len, what, err) < 0)
            code = VR_ERR_FAILED;
        free(file);
    }
    explicit_bzero(v, len);
    free(v);
    return code;
}

int vr_qemu_disk_key_write(vr_domain *dom, const vr_disk_def *d, char **err)
{
    return disk_key(dom->drv, dom, dom->def->name, d, err) == VR_OK ? 0 : -1;
}

int vr_qemu_disk_keys_write(vr_domain *dom, char **err)
{
    for (size_t i = 0; i < dom->def->n_disks; i++)
        if (disk_key(dom->drv, dom, dom->def->name, &dom->def->disks[i], err) != VR_OK)
            return -1;
    return 0;
}

vr_err vr_qemu_disk_preflight(vr_qemu_driver *drv, const char *name, vr_disk_def *d, char **err)
{
    vr_err e;
    if (d->type == VR_DISK_NETWORK)
        return disk_key(drv, NULL, name, d, err); /* QEMU reaches the monitors or the portal itself */
    if (d->type == VR_DISK_VOLUME && (e = resolve_volume(drv, name, d, err)))
        return e;
    const char *path = d->type == VR_DISK_VOLUME ? d->resolved_path : d->source_path;
    if (!path || vr_str_starts(path, "iscsi://") || vr_str_starts(path, "rbd://"))
        return VR_OK; /* an empty CD-ROM drive; a LUN or an RBD image QEMU reaches itself */
    char *what = vr_asprintf("disk %s image", d->target_dev);
    e = need_file(path, d->readonly ? R_OK : R_OK | W_OK, what, name, err);
    free(what);
    return e;
}

vr_err vr_qemu_preflight(vr_domain *dom, char **err)
{
    const vr_domain_def *def = dom->def;
    if (vr_domain_def_is_template(def)) {
        vr_set_error(err, "domain '%s' is a template: it does not start (its disks are the bases of "
                          "linked clones); make a VM from it with vireo clone --from-template %s "
                          "--name NEW", def->name, def->name);
        return VR_ERR_CONFLICT;
    }
    if (!vr_qemu_plan_accel(dom->drv, def, NULL, NULL, err))
        return VR_ERR_UNSUPPORTED;
    vr_err e = vr_qemu_preflight_xml(dom, err);
    if (e != VR_OK)
        return e;
    if (def->os.kernel && (e = need_file(def->os.kernel, R_OK, "kernel", def->name, err)))
        return e;
    if (def->os.initrd && (e = need_file(def->os.initrd, R_OK, "initrd", def->name, err)))
        return e;
    if (def->os.loader.path && (e = need_file(def->os.loader.path, R_OK, "firmware", def->name, err)))
        return e;
    if (def->os.nvram_template && !vr_path_exists(def->os.nvram ? def->os.nvram : "") &&
        (e = need_file(def->os.nvram_template, R_OK, "NVRAM template", def->name, err)))
        return e;
    for (size_t i = 0; i < def->n_disks; i++)
        if ((e = vr_qemu_disk_preflight(dom->drv, def->name, &dom->def->disks[i], err)))
            return e;
    for (size_t i = 0; i < def->n_disks; i++)
        if ((e = vr_qemu_disk_check_shared(dom, &def->disks[i], false, err)))
            return e;
    if (def->emulator && access(def->emulator, X_OK) != 0) {
        vr_set_error(err, "emulator %s of domain '%s' cannot be run: %s", def->emulator, def->name,
                     strerror(errno));
        return VR_ERR_INVALID;
    }
    return VR_OK;
}

/* ---- domrename ---- */

/* A shut-off persistent domain takes a new name: its definition file,
 * its autostart link and its snapshots' metadata move together. The new
 * name goes through the parser (a definition is stored only in a form
 * that parses back); the new file is written before the old one goes,
 * and every step is undone if a later one fails. */
/* domrename's metadata directories: snapshots, checkpoints. */
enum { N_META = 2 };

static void unmove_meta(char *const *old_meta, char *const *new_meta, const bool *moved)
{
    for (size_t i = 0; i < N_META; i++)
        if (moved[i])
            rename(new_meta[i], old_meta[i]);
}

vr_err vr_qemu_rename(vr_domain *dom, const char *new_name, char **err)
{
    vr_qemu_driver *drv = dom->drv;
    const char *old = dom->def->name;
    if (!dom->persistent) {
        vr_set_error(err, "domain '%s' is transient; only a defined domain can be renamed", old);
        return VR_ERR_CONFLICT;
    }
    if (dom->state != VR_DOM_SHUTOFF || dom->starting) {
        vr_set_error(err, "domain '%s' is running; shut it down before renaming it", old);
        return VR_ERR_CONFLICT;
    }
    if (vr_qemu_managed_save_check(dom)) {
        vr_set_error(err, "domain '%s' has a managed save image (of its old name); start it or run "
                          "managedsave-remove before renaming it", old);
        return VR_ERR_CONFLICT;
    }
    if (!vr_name_check(VR_NAME_DOMAIN, new_name, err))
        return VR_ERR_INVALID;
    if (strcmp(old, new_name) == 0) {
        vr_set_error(err, "domain '%s' already has that name", old);
        return VR_ERR_INVALID;
    }
    if (vr_registry_by_name(drv->reg, new_name)) {
        vr_set_error(err, "domain '%s' already exists; choose another name", new_name);
        return VR_ERR_CONFLICT;
    }
    vr_domain_def *copy = vr_domain_def_copy(dom->def);
    free(copy->name);
    copy->name = vr_strdup(new_name);
    /* NVRAM at its default place moves with the name (NAME_VARS.fd). */
    char *new_nvram = vr_qemu_nvram_renamed(drv, dom->def, new_name);
    if (new_nvram) {
        free(copy->os.nvram);
        copy->os.nvram = vr_strdup(new_nvram);
    }
    char *xml = vr_domain_def_format(copy);
    vr_domain_def_free(copy);
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), err);
    free(xml);
    if (!def)
        return VR_ERR_INVALID;
    char *old_path = vr_registry_def_path(drv->reg, old), *new_path = vr_registry_def_path(drv->reg, new_name);
    char *old_link = vr_registry_autostart_path(drv->reg, old);
    char *new_link = vr_registry_autostart_path(drv->reg, new_name);
    /* The snapshots' and checkpoints' metadata move with the name. */
    char *old_meta[N_META] = {vr_qemu_snapshot_dir(drv, old), vr_qemu_checkpoint_dir(drv, old)};
    char *new_meta[N_META] = {vr_qemu_snapshot_dir(drv, new_name), vr_qemu_checkpoint_dir(drv, new_name)};
    bool moved[N_META] = {false};
    vr_err code = VR_ERR_FAILED;
    if (new_nvram && vr_path_exists(new_nvram)) {
        vr_set_error(err, "NVRAM %s is in the way of the new name; remove it or choose another name",
                     new_nvram);
        code = VR_ERR_CONFLICT;
        goto out;
    }
    for (size_t i = 0; i <= N_META; i++) {
        const char *in_way = i == N_META ? new_path : new_meta[i];
        if (vr_path_exists(in_way)) {
            vr_set_error(err, "%s is in the way of the new name; remove it or choose another name", in_way);
            code = VR_ERR_CONFLICT;
            goto out;
        }
    }
    if (vr_qemu_domain_save(drv, def, err) < 0)
        goto out;
    for (size_t i = 0; i < N_META; i++) {
        if (rename(old_meta[i], new_meta[i]) == 0) {
            moved[i] = true;
        } else if (errno != ENOENT) {
            vr_set_error(err, "cannot move the %s metadata of '%s' to %s: %s", i ? "checkpoint" : "snapshot", old,
                         new_meta[i], strerror(errno));
            unmove_meta(old_meta, new_meta, moved);
            unlink(new_path);
            goto out;
        }
    }
    if (dom->autostart && vr_autostart_link(new_link, new_path, true, err) < 0) {
        unmove_meta(old_meta, new_meta, moved);
        unlink(new_path);
        goto out;
    }
    if (new_nvram && rename(dom->def->os.nvram, new_nvram) < 0 && errno != ENOENT) {
        vr_set_error(err, "cannot move NVRAM %s to %s: %s", dom->def->os.nvram, new_nvram,
                     strerror(errno));
        if (dom->autostart)
            vr_autostart_link(new_link, new_path, false, NULL);
        unmove_meta(old_meta, new_meta, moved);
        unlink(new_path);
        goto out;
    }
    vr_autostart_link(old_link, old_path, false, NULL);
    if (unlink(old_path) < 0)
        vr_log_warn("domain %s: cannot remove %s after the rename: %s", new_name, old_path, strerror(errno));
    vr_log_info("domain %s renamed to %s", old, new_name);
    vr_qemu_emit(dom, "undefined", "renamed");
    vr_registry_rename(drv->reg, old, def);
    vr_domain_def_free(dom->def);
    dom->def = def;
    def = NULL;
    vr_qemu_managed_save_check(dom); /* the new name's */
    vr_qemu_emit(dom, "defined", "renamed");
    code = VR_OK;
out:
    vr_domain_def_free(def);
    free(old_path);
    free(new_path);
    free(old_link);
    free(new_link);
    for (size_t i = 0; i < N_META; i++) {
        free(old_meta[i]);
        free(new_meta[i]);
    }
    free(new_nvram);
    return code;
}
