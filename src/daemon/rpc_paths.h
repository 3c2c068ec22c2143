/* vireod --libvirt-paths: libvirt's protocol also on the paths libvirt's
 * own daemons use, so that `virsh -c qemu:///system` (and virt-manager,
 * python3-libvirt ...) with no socket option reach Vireo:
 * /run/libvirt/libvirt-sock and virtqemud-sock (each with -ro) for the
 * system daemon, $XDG_RUNTIME_DIR/libvirt/libvirt-sock and
 * virtqemud-sock for a session daemon. A path a live libvirt daemon
 * answers on is refused; a stale socket file is replaced. */
#pragma once
#include "daemon/fd_budget.h"
#include "daemon/rpc.h"

#define VR_RPC_PATHS_MAX 4

typedef struct {
    int fd[VR_RPC_PATHS_MAX];
    vr_rpc *rpc[VR_RPC_PATHS_MAX];
    char *path[VR_RPC_PATHS_MAX];
    size_t n;
} vr_rpc_paths;

/* Listen on every path, before anything else starts (none is kept when
 * one fails: -1, *err); then serve them once the drivers are up. */
int vr_rpc_paths_listen(vr_rpc_paths *lp, bool session, char **err);
void vr_rpc_paths_serve(vr_rpc_paths *lp, struct event_base *base, vr_api *api, const vr_fd_budget *budget);
unsigned vr_rpc_paths_connections(const vr_rpc_paths *lp);
/* Stop serving and remove the sockets. */
void vr_rpc_paths_stop(vr_rpc_paths *lp);
