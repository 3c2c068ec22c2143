#include "common/paths.h"
#include "common/file.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

void vr_paths_init(vr_paths *p, const char *root, const char *socket)
{
    const char *r = root ? root : "";
    p->root = vr_strdup(r);
    p->config_dir = vr_asprintf("%s/etc/vireo", r);
    p->state_dir = vr_asprintf("%s/var/lib/vireo", r);
    p->runtime_dir = vr_asprintf("%s/run/vireo", r);
    p->log_dir = vr_asprintf("%s/var/log/vireo", r);
    p->socket = socket ? vr_strdup(socket) : vr_asprintf("%s/vireod.sock", p->runtime_dir);
    /* Beside the full socket, where clients look for it (vireo -r, the
     * ?socket=DIR/x.sock form): DIR/vireod-ro.sock. */
    const char *slash = socket ? strrchr(socket, '/') : NULL;
    p->ro_socket = slash ? vr_asprintf("%.*s/vireod-ro.sock", (int)(slash - socket), socket)
                         : vr_asprintf("%s/vireod-ro.sock", p->runtime_dir);
    p->session = false;
}

static char *xdg(const char *var, const char *fallback)
{
    const char *v = getenv(var);
    if (v && *v == '/')
        return vr_strdup(v);
    const char *home = getenv("HOME");
    return vr_asprintf("%s/%s", home && *home ? home : "/tmp", fallback);
}

static char *session_runtime(void)
{
    const char *run = getenv("XDG_RUNTIME_DIR");
    if (run && *run == '/')
        return vr_asprintf("%s/vireo", run);
    char *cache = xdg("XDG_CACHE_HOME", ".cache");
    char *dir = vr_asprintf("%s/vireo/run", cache);
    free(cache);
    return dir;
}

char *vr_session_socket(void)
{
    char *run = session_runtime();
    char *s = vr_asprintf("%s/vireod.sock", run);
    free(run);
    return s;
}

void vr_paths_init_session(vr_paths *p, const char *socket)
{
    char *config = xdg("XDG_CONFIG_HOME", ".config"), *data = xdg("XDG_DATA_HOME", ".local/share");
    p->root = vr_strdup("");
    p->config_dir = vr_asprintf("%s/vireo", config);
    p->state_dir = vr_asprintf("%s/vireo", data);
    p->runtime_dir = session_runtime();
    p->log_dir = vr_asprintf("%s/vireo/log", data);
    p->socket = socket ? vr_strdup(socket) : vr_asprintf("%s/vireod.sock", p->runtime_dir);
    p->ro_socket = NULL;
    p->session = true;
    free(config);
    free(data);
}

int vr_paths_mkdirs(const vr_paths *p, const char **what)
{
    const char *dirs[] = {p->config_dir, p->state_dir, p->runtime_dir, p->log_dir};
    for (size_t i = 0; i < VR_ARRAY_LEN(dirs); i++) {
        /* A session's files are the user's alone. */
        int rc = vr_mkdir_p(dirs[i], p->session ? 0700 : 0755);
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
    free(p->ro_socket);
}
