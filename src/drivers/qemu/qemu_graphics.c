/* What a run's displays need from the driver before QEMU starts: a free
 * TCP port for SPICE with autoport (QEMU's -spice takes no port range,
 * unlike -vnc's to=; libvirt picks the port the same way), and the
 * graphics password in a file only QEMU's user can read, so that it
 * never shows on QEMU's command line. */
#include "drivers/qemu/qemu_domain.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SPICE_PORT_MIN 5900
#define SPICE_PORT_MAX 65535

/* Can `port` be bound on `addr` now? */
static bool port_free(const char *addr, int port)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        len = sizeof(*in4);
    } else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof(*in6);
    } else {
        return false;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    bool ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
    close(fd);
    return ok;
}

int vr_qemu_write_secret_file(vr_domain *dom, const char *path, const void *data, size_t len, const char *what,
                              char **err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    const vr_qemu_identity *as = &dom->drv->qemu_as;
    if (fd < 0 || write(fd, data, len) != (ssize_t)len ||
        (as->uid != 0 && fchown(fd, as->uid, as->gid) < 0)) {
        vr_set_error(err, "cannot write the %s file %s: %s", what, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int write_secret(vr_domain *dom, size_t i, const char *passwd, char **path, char **err)
{
    *path = vr_asprintf("%s/graphics%zu.secret", dom->runtime_dir, i);
    return vr_qemu_write_secret_file(dom, *path, passwd, strlen(passwd), "graphics password", err);
}

int vr_qemu_graphics_prepare(vr_domain *dom, int *spice_port, char *secrets[VR_GRAPHICS_MAX], char **err)
{
    const vr_domain_def *def = dom->def;
    *spice_port = 0;
    for (size_t i = 0; i < VR_GRAPHICS_MAX; i++)
        secrets[i] = NULL;
    for (size_t i = 0; i < def->n_graphics && i < VR_GRAPHICS_MAX; i++)
        if (def->graphics[i].passwd && write_secret(dom, i, def->graphics[i].passwd, &secrets[i], err) < 0)
            return -1;
    int si = vr_domain_def_graphics_index(def, VR_GRAPHICS_SPICE);
    const vr_graphics_def *g = si >= 0 ? &def->graphics[si] : NULL;
    if (!g || !g->autoport || g->listen_type != VR_LISTEN_ADDRESS)
        return 0;
    for (int p = SPICE_PORT_MIN; p <= SPICE_PORT_MAX; p++)
        if (port_free(g->listen, p)) {
            *spice_port = p;
            return 0;
        }
    vr_set_error(err, "no free TCP port from %d up on %s for the SPICE display of domain '%s'",
                 SPICE_PORT_MIN, g->listen, dom->def->name);
    return -1;
}

/* SPICE over TLS: libvirt's spice_tls_x509_cert_dir default,
 * /etc/pki/libvirt-spice, under the daemon's root (vireod --root keeps
 * it hermetic), holding the three files QEMU's x509-dir reads. */
char *vr_qemu_spice_tls_dir(const vr_domain *dom, char **err)
{
    const vr_domain_def *def = dom->def;
    *err = NULL;
    int si = vr_domain_def_graphics_index(def, VR_GRAPHICS_SPICE);
    if (si < 0 || def->graphics[si].tls_port <= 0)
        return NULL;
    char *dir = vr_asprintf("%s/etc/pki/libvirt-spice", dom->drv->paths->root);
    static const char *const files[] = {"ca-cert.pem", "server-cert.pem", "server-key.pem"};
    for (size_t i = 0; i < VR_ARRAY_LEN(files); i++) {
        char *p = vr_asprintf("%s/%s", dir, files[i]);
        bool there = access(p, R_OK) == 0;
        free(p);
        if (!there) {
            vr_set_error(err, "domain '%s' cannot start: <graphics type='spice' tlsPort='%d'>: SPICE over TLS "
                              "needs ca-cert.pem, server-cert.pem and server-key.pem in %s (libvirt's "
                              "spice_tls_x509_cert_dir), and %s is missing; put them there or leave tlsPort out",
                         def->name, def->graphics[si].tls_port, dir, files[i]);
            free(dir);
            return NULL;
        }
    }
    return dir;
}
