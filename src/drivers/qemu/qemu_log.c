/* The domains' log files in LOG/qemu: NAME.log (QEMU's command line and
 * stderr) and NAME-serial0.log (the first serial port). Each is rotated
 * when its domain starts and it is over VR_QEMU_LOG_MAX: the previous
 * one is kept as NAME.log.1, older ones go. Logs of domains that are no
 * longer defined are removed when the daemon starts. */
#include "drivers/qemu/qemu_domain.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void rotate(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || st.st_size <= VR_QEMU_LOG_MAX)
        return;
    char *old = vr_asprintf("%s.1", path);
    if (rename(path, old) < 0)
        vr_log_warn("cannot rotate %s: %s", path, strerror(errno));
    free(old);
}

void vr_qemu_logs_rotate(const vr_domain *dom)
{
    char *log = vr_qemu_log_path(dom), *serial = vr_qemu_serial_log_path(dom);
    rotate(log);
    rotate(serial);
    free(log);
    free(serial);
}

/* A domain of that very name (lookup also takes uuids and ids). */
static bool known(vr_qemu_driver *drv, const char *name)
{
    vr_domain *dom = vr_qemu_lookup(drv, name);
    return dom && strcmp(dom->def->name, name) == 0;
}

/* The domain a log file belongs to: FILE is NAME.log, NAME-serial0.log,
 * or either with ".1". */
static bool owned(vr_qemu_driver *drv, const char *file)
{
    char *base = vr_strdup(file);
    size_t len = strlen(base);
    if (vr_str_ends(base, ".1"))
        base[len -= 2] = '\0';
    bool mine = false;
    if (vr_str_ends(base, ".log")) {
        base[len -= 4] = '\0';
        mine = known(drv, base);
        if (!mine && vr_str_ends(base, "-serial0")) {
            base[len - 8] = '\0';
            mine = known(drv, base);
        }
    } else {
        mine = true; /* not a domain's log: not ours to remove */
    }
    free(base);
    return mine;
}

void vr_qemu_logs_prune(vr_qemu_driver *drv)
{
    DIR *d = opendir(drv->log_dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_type != DT_REG || owned(drv, e->d_name))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            vr_log_info("removed %s/%s: no domain of that name is defined", drv->log_dir, e->d_name);
    }
    closedir(d);
}
