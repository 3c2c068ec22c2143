#include "daemon/rpc_paths.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/events.h"
#include "daemon/listen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VR_LIBVIRT_BOOT_DIR "/var/lib/libvirt/boot"

/* The directory of libvirt's sockets for this daemon (free()). */
static char *socket_dir(bool session)
{
    if (!session)
        return vr_strdup("/run/libvirt");
    const char *run = getenv("XDG_RUNTIME_DIR");
    if (run && *run == '/')
        return vr_asprintf("%s/libvirt", run);
    const char *home = getenv("HOME");
    return vr_asprintf("%s/.cache/libvirt", home && *home ? home : "/");
}

int vr_rpc_paths_listen(vr_rpc_paths *lp, bool session, char **err)
{
    memset(lp, 0, sizeof(*lp));
    char *dir = socket_dir(session);
    if (vr_mkdir_p(dir, session ? 0700 : 0755) < 0) {
        vr_set_error(err, "cannot create %s for libvirt's sockets", dir);
        free(dir);
        return -1;
    }
    /* libvirtd's socket and the modular daemon's (virtqemud), each with
     * its read-only twin on the system daemon. */
    static const struct {
        const char *name;
        bool ro;
    } socks[] = {{"libvirt-sock", false}, {"libvirt-sock-ro", true}, {"virtqemud-sock", false},
                 {"virtqemud-sock-ro", true}};
    for (size_t i = 0; i < VR_ARRAY_LEN(socks); i++) {
        if (session && socks[i].ro)
            continue;
        char *path = vr_asprintf("%s/%s", dir, socks[i].name);
        int fd = vr_listen_unix(path, socks[i].ro ? 0666 : 0600, "a libvirt daemon", err);
        if (fd == VR_LISTEN_TAKEN) {
            char *why = vr_asprintf("%s: stop it (systemctl stop libvirtd virtqemud, and their .socket units) or "
                                    "start vireod without --libvirt-paths", *err);
            free(*err);
            *err = why;
        }
        if (fd < 0) {
            free(path);
            for (size_t k = 0; k < lp->n; k++) {
                close(lp->fd[k]);
                unlink(lp->path[k]);
                free(lp->path[k]);
            }
            lp->n = 0;
            free(dir);
            return -1;
        }
        if (!session && !socks[i].ro)
            chmod(path, vr_system_socket_mode(path));
        lp->fd[lp->n] = fd;
        lp->path[lp->n++] = path;
    }
    free(dir);
    /* libvirt's clients' scratch directory, which libvirt's packages make:
     * virt-install puts a cloud-init ISO or an install kernel there, or
     * (remote, over qemu+ssh) uploads them into a "boot-scratch" pool it
     * defines on it and starts without building. */
    if (!session && vr_mkdir_p(VR_LIBVIRT_BOOT_DIR, 0711) < 0)
        vr_log_warn("cannot create %s (virt-install's boot-scratch pool): %s", VR_LIBVIRT_BOOT_DIR, strerror(errno));
    return 0;
}

void vr_rpc_paths_serve(vr_rpc_paths *lp, struct event_base *base, vr_api *api, const vr_fd_budget *budget)
{
    for (size_t i = 0; i < lp->n; i++) {
        bool ro = vr_str_ends(lp->path[i], "-ro");
        const char *name = strrchr(lp->path[i], '/') + 1;
        lp->rpc[i] = vr_rpc_start(base, lp->fd[i], api, ro, name, ro ? &budget->rpc_ro : &budget->rpc);
        vr_events_listen(api->events, vr_rpc_event, lp->rpc[i]);
    }
}

unsigned vr_rpc_paths_connections(const vr_rpc_paths *lp)
{
    unsigned n = 0;
    for (size_t i = 0; i < lp->n; i++)
        n += vr_rpc_connections(lp->rpc[i]);
    return n;
}

void vr_rpc_paths_stop(vr_rpc_paths *lp)
{
    for (size_t i = 0; i < lp->n; i++) {
        vr_rpc_stop(lp->rpc[i]);
        unlink(lp->path[i]);
        free(lp->path[i]);
    }
    lp->n = 0;
}
