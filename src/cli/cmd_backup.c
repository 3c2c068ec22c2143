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
    rc = follow(c, vireo_domain_backup_incremental(c, pos[0], dir, base), "Backing up", done);
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
