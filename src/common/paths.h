/* Where vireod keeps things. Every path derives from one root so that
 * `vireod --root DIR` is hermetic: tests and benchmarks run side by side
 * without touching the host's /etc, /var or /run. */
#pragma once
#include <stdbool.h>

typedef struct {
    char *root;        /* "" for the real system, else the --root DIR */
    char *config_dir;  /* ROOT/etc/vireo: persistent definitions */
    char *state_dir;   /* ROOT/var/lib/vireo: images, caches */
    char *runtime_dir; /* ROOT/run/vireo: sockets, pidfiles, live state */
    char *log_dir;     /* ROOT/var/log/vireo */
    char *socket;      /* the API socket */
    char *ro_socket;   /* the read-only socket (system only), or NULL */
    char *libvirt_socket;    /* libvirt's protocol, beside the API socket: DIR/libvirt-sock */
    char *libvirt_ro_socket; /* its read-only socket (system only): DIR/libvirt-sock-ro, or NULL */
    bool session;      /* a user's own daemon (vireo:///session) */
} vr_paths;

/* Fill paths for a root ("" or NULL = the system). socket may be NULL
 * for the default RUNTIME/vireod.sock. */
void vr_paths_init(vr_paths *p, const char *root, const char *socket);
/* A user's session daemon: XDG paths ($XDG_CONFIG_HOME/vireo,
 * $XDG_DATA_HOME/vireo, $XDG_RUNTIME_DIR/vireo), no read-only socket. */
void vr_paths_init_session(vr_paths *p, const char *socket);
/* Where the session daemon of the calling user listens. */
char *vr_session_socket(void);

/* Make every directory; returns 0 or -errno with *what naming it. */
int vr_paths_mkdirs(const vr_paths *p, const char **what);
void vr_paths_free(vr_paths *p);
