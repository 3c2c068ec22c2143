/* RBD images on QEMU's own Ceph client (block-rbd, package
 * qemu-block-extra), for the two disks that name one:
 * - an image of an rbd pool: the storage driver resolves the volume to
 *     rbd://[USER@]MON[:PORT][,MON[:PORT]...]/POOL/IMAGE[?key-file=F]
 * - <disk type='network'><source protocol='rbd' name='POOL/IMAGE'> with
 *   its <host>s, <snapshot>, <config> and <auth>: the driver wrote the
 *   value of its secret (the key's bytes) to RUNTIME/DEV.cephx before
 *   the build (format=raw: QEMU encodes it for librados);
 * both become the protocol node
 *   -object secret,id=sec-DEV,file=F,format=base64
 *   -blockdev driver=rbd,pool=POOL,image=IMAGE,conf=/dev/null,
 *             server.0.host=MON,server.0.port=PORT,server.1.host=...,
 *             user=USER,auth-client-required.0=cephx,
 *             auth-client-required.1=none,key-secret=sec-DEV,node-name=file-DEV
 * (libvirt's mapping), so the cephx key is read by QEMU from a 0600
 * file, never carried on its command line, and no ceph.conf is read
 * unless <config file> names one. */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *pool, *image, *snapshot, *conf, *user, *key_file;
    bool key_raw; /* the file holds the key's bytes (else base64, as Ceph writes it) */
    char **hosts, **ports; /* ports[i] "" when not given */
    size_t n_hosts;
} rbd_spec;

static void spec_free(rbd_spec *s)
{
    for (size_t i = 0; i < s->n_hosts; i++) {
        free(s->hosts[i]);
        free(s->ports[i]);
    }
    free(s->hosts);
    free(s->ports);
    free(s->pool);
    free(s->image);
    free(s->snapshot);
    free(s->conf);
    free(s->user);
    free(s->key_file);
}

static void spec_add_host(rbd_spec *s, char *host, char *port)
{
    s->hosts = vr_realloc(s->hosts, (s->n_hosts + 1) * sizeof(*s->hosts));
    s->ports = vr_realloc(s->ports, (s->n_hosts + 1) * sizeof(*s->ports));
    s->hosts[s->n_hosts] = host;
    s->ports[s->n_hosts++] = port;
}

/* MON[:PORT] or [V6]:PORT, of `len` bytes. */
static void add_mon(rbd_spec *s, const char *mon, size_t len)
{
    char *m = vr_strndup(mon, len), *host, *port;
    const char *colon = NULL;
    if (m[0] == '[') {
        const char *end = strchr(m, ']');
        host = vr_strndup(m + 1, end ? (size_t)(end - m - 1) : strlen(m + 1));
        colon = end && end[1] == ':' ? end + 1 : NULL;
    } else {
        colon = strchr(m, ':');
        host = colon ? vr_strndup(m, (size_t)(colon - m)) : vr_strdup(m);
    }
    port = vr_strdup(colon ? colon + 1 : "");
    spec_add_host(s, host, port);
    free(m);
}

/* The node and, with cephx, its secret object before it. */
static vr_qprops *rbd_props(const vr_disk_def *d, const rbd_spec *s, vr_qprops **secret)
{
    *secret = NULL;
    char *id = s->user && s->key_file ? vr_qc_disk_secret(d, s->key_file, s->key_raw ? "raw" : "base64", secret)
                                      : NULL;
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", "rbd");
    vr_qp_str(p, "pool", s->pool);
    vr_qp_str(p, "image", s->image);
    vr_qp_str(p, "snapshot", s->snapshot);
    vr_qp_str(p, "conf", s->conf ? s->conf : "/dev/null");
    for (size_t i = 0; i < s->n_hosts; i++) {
        char *k = vr_asprintf("server.%zu.host", i);
        vr_qp_str(p, k, s->hosts[i]);
        free(k);
        if (*s->ports[i]) {
            k = vr_asprintf("server.%zu.port", i);
            vr_qp_str(p, k, s->ports[i]);
            free(k);
        }
    }
    if (id) {
        vr_qp_str(p, "user", s->user);
        vr_qp_str(p, "auth-client-required.0", "cephx");
        vr_qp_str(p, "auth-client-required.1", "none");
        vr_qp_str(p, "key-secret", id);
    } else {
        vr_qp_str(p, "auth-client-required.0", "none");
    }
    vr_qp_strf(p, "node-name", "file-%s", d->target_dev);
    free(id);
    return p;
}

vr_qprops *vr_qc_rbd_node(const vr_disk_def *d, const char *url, vr_qprops **secret, char **err)
{
    vr_qc_volume_url u;
    *secret = NULL;
    if (!vr_qc_volume_url_split(d, url, "rbd://", "rbd://MON/POOL/IMAGE", &u, err))
        return NULL;
    const char *at = memchr(u.head, '@', (size_t)(u.slash1 - u.head));
    rbd_spec s = {0};
    s.user = at ? vr_strndup(u.head, (size_t)(at - u.head)) : NULL;
    for (const char *m = at ? at + 1 : u.head; m < u.slash1;) {
        const char *comma = memchr(m, ',', (size_t)(u.slash1 - m));
        const char *end = comma ? comma : u.slash1;
        add_mon(&s, m, (size_t)(end - m));
        m = end + 1;
    }
    s.key_file = vr_qc_query_get(u.args, "key-file");
    s.pool = vr_strndup(u.slash1 + 1, (size_t)(u.slash2 - u.slash1 - 1));
    s.image = vr_strndup(u.tail, u.tail_len);
    vr_qprops *p = rbd_props(d, &s, secret);
    spec_free(&s);
    return p;
}

char *vr_qemu_disk_key_file(const char *runtime_dir, const vr_disk_def *d)
{
    const char *kind = d->protocol == VR_DISK_PROTOCOL_ISCSI ? "chap" : "cephx";
    return vr_asprintf("%s/%s.%s", runtime_dir, d->target_dev, kind);
}

vr_qprops *vr_qc_rbd_network_node(const vr_disk_def *d, const char *runtime_dir, vr_qprops **secret)
{
    const char *slash = strchr(d->source_name, '/');
    rbd_spec s = {
        .pool = vr_strndup(d->source_name, (size_t)(slash - d->source_name)),
        .image = vr_strdup(slash + 1),
        .snapshot = d->source_snapshot ? vr_strdup(d->source_snapshot) : NULL,
        .conf = d->source_config ? vr_strdup(d->source_config) : NULL,
        .user = d->auth_username ? vr_strdup(d->auth_username) : NULL,
        .key_file = d->auth_username ? vr_qemu_disk_key_file(runtime_dir, d) : NULL,
        .key_raw = true,
    };
    for (size_t i = 0; i < d->n_hosts; i++)
        spec_add_host(&s, vr_strdup(d->hosts[i].name),
                      d->hosts[i].port ? vr_asprintf("%u", d->hosts[i].port) : vr_strdup(""));
    vr_qprops *p = rbd_props(d, &s, secret);
    spec_free(&s);
    return p;
}
