/* vireo backup DOMAIN DIR [--incremental PREV], vireo backup-restore DIR (virsh's restore is a save image's): the
 * definition, disks and NVRAM of a domain (a running one's disks by a push backup) copied to a directory and back (what the
 * course does with dumpxml and vol-download). DIR is on the daemon's
 * host; a relative one is taken from the current directory. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *absolute(const char *dir)
{
    char cwd[PATH_MAX];
    if (dir[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return vr_strdup(dir);
    return vr_asprintf("%s/%s", cwd, dir);
}

/* Wait for the job; print `done` (one line) when it completed. */
static int follow(vireo_conn *c, int id, const char *label, const char *done)
{
    int rc = id < 0 ? vr_cli_fail(c) : vr_cli_wait_job(c, id, label, NULL);
    if (rc == VR_EXIT_OK)
        puts(done);
    vireo_disconnect(c);
    return rc;
}

/* The newest "backup" job of the domain begun at `since` or later, or -1
 * (the list's own failure: -2). */
static int find_backup_job(vireo_conn *c, const char *domain, long long since, long long *started)
{
    vireo_job *jobs = NULL;
    size_t n = 0;
    if (vireo_job_list(c, &jobs, &n) < 0)
        return -2;
    int id = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(jobs[i].kind, "backup") == 0 && jobs[i].target && strcmp(jobs[i].target, domain) == 0 &&
            jobs[i].started_at >= since) {
            id = jobs[i].id;
            *started = jobs[i].started_at;
        }
    vireo_job_list_free(jobs, n);
    return id;
}

/* vireo backup's wait. A daemon restart cuts the job it follows (job ids
 * start again in the new daemon; one of the same id is another job): a
 * running domain's bundle is finished by the restarted daemon as a job
 * of its own, found here by kind, domain and start time, and followed. */
static int follow_backup(vireo_conn *c, int id, const char *domain, const char *dir, const char *done)
{
    if (id < 0)
        return vr_cli_fail(c);
    long long started = -1;
    int rc = VR_EXIT_FAIL;
    for (;;) {
        vireo_job j;
        bool lost = vireo_job_get(c, id, &j) < 0;
        if (!lost && started < 0)
            started = j.started_at;
        if (!lost && (j.started_at != started || strcmp(j.kind, "backup") != 0)) {
            vireo_job_clear(&j);
            lost = true;
        }
        if (lost) {
            vr_cli_progress_end();
            /* back within a minute: a restart, not a stop */
            int next = -2;
            for (int i = 0; i < 300 && next == -2; i++) {
                if ((next = find_backup_job(c, domain, started, &started)) == -2)
                    nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
            }
            if (next == -2)
                return vr_cli_fail(c);
            if (next < 0)
                return vr_cli_error("vireod restarted and is not finishing the backup of '%s': %s holds no "
                                    "backup (no backup.json); run vireo backup again into a new directory",
                                    domain, dir);
            fprintf(stderr, "vireo: vireod restarted; it finishes the backup as its job %d\n", next);
            id = next;
            continue;
        }
        vr_cli_progress("Backing up", j.progress);
        if (strcmp(j.state, "running") != 0) {
            vr_cli_progress_end();
            if (strcmp(j.state, "completed") == 0) {
                puts(done);
                rc = VR_EXIT_OK;
            } else {
                rc = vr_cli_error("error: %s", j.error ? j.error : "the backup failed");
            }
            vireo_job_clear(&j);
            return rc;
        }
        vireo_job_clear(&j);
        nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
    }
}

static int run_backup(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *since = NULL;
    const vr_opt opts[] = {{"incremental", true, NULL, &since}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_backup, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    char *dir = absolute(pos[1]), *base = since ? absolute(since) : NULL;
    char *done = base ? vr_asprintf("Domain '%s' backed up to %s (the changes since %s)", pos[0], dir, base)
                      : vr_asprintf("Domain '%s' backed up to %s", pos[0], dir);
    rc = follow_backup(c, vireo_domain_backup_incremental(c, pos[0], dir, base), pos[0], dir, done);
    vireo_disconnect(c);
    free(done);
    free(base);
    free(dir);
    return rc;
}

static int run_restore(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_backup_restore, argc, argv, NULL, pos, 1, 1, &rc);
    if (!c)
        return rc;
    char *dir = absolute(pos[0]), *done = vr_asprintf("Domain restored from %s", dir);
    rc = follow(c, vireo_domain_backup_restore(c, dir), "Restoring", done);
    free(done);
    free(dir);
    return rc;
}

const vr_command vr_cmd_backup = {
    "backup",
    "Copy a domain's definition, disks and NVRAM into a directory (a running one's disks live, in one instant).",
    "DOMAIN DIR [--incremental PREVIOUS_DIR]",
    run_backup,
};
const vr_command vr_cmd_backup_restore = {
    "backup-restore",
    "Define a backed-up domain again, its files copied back where they were.",
    "DIR",
    run_restore,
};
