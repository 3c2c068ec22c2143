/* Re-adoption: QEMUs outlive the daemon. At start the daemon walks
 * RUNTIME/qemu/NAME/ and takes back every domain whose QEMU still runs,
 * and notes the ones that ended while it was away. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_process.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The guest agent's port as the guest left it: a restarted daemon saw
 * none of the VSERPORT_CHANGE events of the run so far, so it asks
 * whether the guest has the agent's channel (chardev qga0) open. */
static void on_chardevs(json_object *ret, const char *error, void *opaque)
{
    vr_domain *dom = opaque;
    (void)error;
    size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(ret, i), *label = NULL, *open = NULL;
        if (json_object_object_get_ex(c, "label", &label) && !strcmp(json_object_get_string(label), "qga0") &&
            json_object_object_get_ex(c, "frontend-open", &open))
            dom->agent_connected = json_object_get_boolean(open);
    }
}

static void on_status(json_object *ret, const char *error, void *opaque)
{
    vr_domain *dom = opaque;
    json_object *st = NULL;
    if (!ret || !json_object_object_get_ex(ret, "status", &st))
        return;
    const char *s = json_object_get_string(st);
    if (strcmp(s, "paused") == 0 || strcmp(s, "prelaunch") == 0) {
        dom->state = VR_DOM_PAUSED;
        dom->reason = "user";
    } else if (strcmp(s, "io-error") == 0) {
        dom->state = VR_DOM_PAUSED;
        dom->reason = "I/O error";
        vr_qemu_io_errors_reread(dom);
    } else if (strcmp(s, "watchdog") == 0) {
        dom->state = VR_DOM_PAUSED;
        dom->reason = "watchdog";
    } else if (strcmp(s, "shutdown") == 0) {
        /* The guest powered off while nobody watched; QEMU waited
         * (-no-shutdown). Finish the job. */
        dom->shutdown_event = true;
        dom->state = VR_DOM_SHUTDOWN;
        vr_qmp_command(dom->qmp, "quit", NULL, NULL, NULL);
    }
}

/* Returns false when the run ended while the daemon was away: its
 * directory is the caller's to clean up. */
static bool adopt_one(vr_qemu_driver *drv, const char *name)
{
    bool live_run = true;
    char *dir = vr_asprintf("%s/%s", drv->runtime_dir, name);
    char *xml_path = vr_asprintf("%s/domain.xml", dir);
    char *id_path = vr_asprintf("%s/id", dir);
    char *pid_path = vr_asprintf("%s/qemu.pid", dir);
    char *xml = vr_file_read(xml_path, NULL);
    char *idtext = vr_file_read(id_path, NULL);
    char *err = NULL;
    vr_domain_def *live = xml ? vr_domain_def_parse(xml, strlen(xml), &err) : NULL;
    pid_t pid = vr_pidfile_read(pid_path);
    int id = 0, persistent = 0;
    if (idtext)
        sscanf(idtext, "%d %d", &id, &persistent);

    vr_domain *dom = NULL;
    if (live) {
        size_t n;
        vr_domain *const *all = vr_qemu_domains(drv, &n);
        for (size_t i = 0; i < n && !dom; i++)
            if (strcasecmp(all[i]->def->uuid, live->uuid) == 0)
                dom = all[i];
    }
    if (!live || pid <= 0 || !vr_qemu_pid_is_domain(pid, live->uuid)) {
        if (dom) {
            dom->reason = "unknown";
            vr_log_warn("domain %s stopped while the daemon was away", dom->def->name);
        } else {
            vr_log_warn("run state of %s left behind, removed (%s)", name,
                        live ? "its QEMU is gone" : err ? err : "unreadable");
        }
        vr_domain_def_free(live);
        live_run = false;
        goto out;
    }
    if (dom) {
        /* Running with the definition it started with; the persistent
         * one (maybe edited since) applies at the next start. */
        dom->next = dom->def;
        dom->def = live;
    } else {
        char *err2 = NULL;
        vr_err code = vr_qemu_domain_add(drv, xml, false, true, &dom, &err2);
        vr_domain_def_free(live);
        if (code != VR_OK) {
            vr_log_error("cannot re-adopt %s: %s", name, err2);
            free(err2);
            goto out;
        }
    }
    dom->runtime_dir = vr_strdup(dir);
    vr_qemu_restart_load(dom);
    vr_qemu_grants_load(dom);
    dom->id = id > 0 ? id : drv->next_id;
    if (dom->id >= drv->next_id)
        drv->next_id = dom->id + 1;
    struct stat st;
    dom->started_at = stat(pid_path, &st) == 0 ? st.st_mtime : 0;
    dom->state = VR_DOM_RUNNING;
    dom->reason = "booted";
    /* The same decision as at its start (the host has not changed);
     * under --accel strict now, a TCG run started before stays one. */
    char *nerr = NULL;
    dom->accel = vr_qemu_plan_accel(drv, dom->def, &dom->notices, &dom->n_notices, &nerr);
    if (!dom->accel)
        dom->accel = "tcg";
    free(nerr);
    vr_qemu_taps_load(dom);
    char *aerr = NULL;
    if (vr_qemu_attach_process(dom, pid, &aerr) < 0) {
        vr_log_error("cannot re-adopt %s: %s", name, aerr);
        free(aerr);
        goto out; /* the pid watch, if any, ends it */
    }
    vr_qmp_command(dom->qmp, "query-status", NULL, on_status, dom);
    vr_qmp_command(dom->qmp, "query-chardev", NULL, on_chardevs, dom);
    vr_qemu_tpm_adopt(dom);
    vr_qemu_serial_adopt(dom);
    vr_qemu_block_jobs_adopt(dom);
    vr_qemu_backup_adopt(dom);
    vr_log_info("domain %s re-adopted (pid %d, id %d)", dom->def->name, (int)pid, dom->id);
out:
    free(err);
    free(xml);
    free(idtext);
    free(dir);
    free(xml_path);
    free(id_path);
    free(pid_path);
    return live_run;
}

/* The interface devices an ended run had (its taps file): macvtaps
 * outlive QEMU, so the network driver deletes them once it is wired. */
static void keep_stale_ifnames(vr_qemu_driver *drv, const char *dir)
{
    char *path = vr_asprintf("%s/taps", dir);
    char *text = vr_file_read(path, NULL);
    free(path);
    char *save = NULL;
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
        if (strcmp(l, "-") == 0)
            continue;
        drv->stale_ifnames = vr_realloc(drv->stale_ifnames, (drv->n_stale_ifnames + 1) * sizeof(char *));
        drv->stale_ifnames[drv->n_stale_ifnames++] = vr_strdup(l);
    }
    free(text);
}

void vr_qemu_adopt_all(vr_qemu_driver *drv)
{
    DIR *d = opendir(drv->runtime_dir);
    if (!d)
        return;
    char **ended = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || adopt_one(drv, e->d_name))
            continue;
        ended = vr_realloc(ended, (n + 1) * sizeof(*ended));
        ended[n++] = vr_strdup(e->d_name);
    }
    closedir(d);
    /* Ended runs give their files back once every live one is adopted:
     * a file a live domain was handed too stays with QEMU's user. */
    for (size_t i = 0; i < n; i++) {
        char *dir = vr_asprintf("%s/%s", drv->runtime_dir, ended[i]);
        keep_stale_ifnames(drv, dir);
        vr_qemu_backup_stale(drv, dir, ended[i]);
        vr_qemu_grants_restore_dir(drv, dir, ended[i]);
        /* Its managed PCI devices back to their host drivers. */
        vr_domain *dom = vr_qemu_lookup(drv, ended[i]);
        if (dom && dom->pid <= 0)
            vr_qemu_hostdev_release(dom);
        vr_qemu_runtime_remove_stale(dir);
        free(dir);
        free(ended[i]);
    }
    free(ended);
}
