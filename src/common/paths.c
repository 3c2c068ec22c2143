#include "common/paths.h"
#include "common/file.h"
#include "common/util.h"

#include <stdlib.h>

void vr_paths_init(vr_paths *p, const char *root, const char *socket)
{
    const char *r = root ? root : "";
    p->root = vr_strdup(r);
    p->config_dir = vr_asprintf("%s/etc/vireo", r);
    p->state_dir = vr_asprintf("%s/var/lib/vireo", r);
    p->runtime_dir = vr_asprintf("%s/run/vireo", r);
    p->log_dir = vr_asprintf("%s/var/log/vireo", r);
    p->socket = socket ? vr_strdup(socket) : vr_asprintf("%s/vireod.sock", p->runtime_dir);
}

int vr_paths_mkdirs(const vr_paths *p, const char **what)
{
    const char *dirs[] = {p->config_dir, p->state_dir, p->runtime_dir, p->log_dir};
    for (size_t i = 0; i < VR_ARRAY_LEN(dirs); i++) {
        int rc = vr_mkdir_p(dirs[i], 0755);
        if (rc < 0) {
            *what = dirs[i];
            return rc;
        }
    }
    return 0;
}

void vr_paths_free(vr_paths *p)
{
    free(p->root);
    free(p->config_dir);
    free(p->state_dir);
    free(p->runtime_dir);
    free(p->log_dir);
    free(p->socket);
}
