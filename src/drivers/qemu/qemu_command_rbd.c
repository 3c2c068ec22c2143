/* An image of an rbd pool on QEMU's own Ceph client (block-rbd, package
 * qemu-block-extra): the storage driver resolves the volume to
 *   rbd://[USER@]MON[:PORT]/POOL/IMAGE[?key-file=F]
 * and this turns it into the protocol node
 *   -object secret,id=sec-DEV,file=F,format=base64
 *   -blockdev driver=rbd,pool=POOL,image=IMAGE,server.0.host=MON,
 *             server.0.port=PORT,user=USER,auth-client-required.0=cephx,
 *             key-secret=sec-DEV,node-name=file-DEV
 * so the cephx key is read by QEMU from a 0600 file, never carried on its
 * command line, and no ceph.conf is read (conf=/dev/null). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MON[:PORT] or [V6]:PORT -> host and port ("" when none). */
static void split_mon(const char *mon, char **host, char **port)
{
    const char *colon = NULL;
    if (mon[0] == '[') {
        const char *end = strchr(mon, ']');
        *host = vr_strndup(mon + 1, end ? (size_t)(end - mon - 1) : strlen(mon + 1));
        colon = end && end[1] == ':' ? end + 1 : NULL;
    } else {
        colon = strchr(mon, ':');
        *host = colon ? vr_strndup(mon, (size_t)(colon - mon)) : vr_strdup(mon);
    }
    *port = vr_strdup(colon ? colon + 1 : "");
}

vr_qprops *vr_qc_rbd_node(cmd *c, const vr_disk_def *d, const char *url)
{
    const char *rest = url + strlen("rbd://");
    const char *at = strchr(rest, '@'), *slash1 = strchr(rest, '/'), *query = strchr(rest, '?');
    if (at && slash1 && at > slash1)
        at = NULL;
    const char *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
    if (!slash1 || !slash2 || (query && query < slash2)) {
        vr_qc_fail(c, "disk %s: '%s' is not an rbd://MON/POOL/IMAGE volume", d->target_dev, url);
        return NULL;
    }
    char *user = at ? vr_strndup(rest, (size_t)(at - rest)) : NULL;
    const char *mon_start = at ? at + 1 : rest;
    char *mon = vr_strndup(mon_start, (size_t)(slash1 - mon_start)), *host, *port;
    split_mon(mon, &host, &port);
    char *keyfile = vr_qc_query_get(query ? query + 1 : NULL, "key-file");
    bool auth = user && keyfile;
    if (auth) {
        char *id = vr_asprintf("sec-%s", d->target_dev);
        vr_qc_secret_object(c, id, keyfile, "base64");
        free(id);
    }
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", "rbd");
    vr_qp_strf(p, "pool", "%.*s", (int)(slash2 - slash1 - 1), slash1 + 1);
    if (query)
        vr_qp_strf(p, "image", "%.*s", (int)(query - slash2 - 1), slash2 + 1);
    else
        vr_qp_str(p, "image", slash2 + 1);
    vr_qp_str(p, "conf", "/dev/null");
    vr_qp_str(p, "server.0.host", host);
    if (*port)
        vr_qp_str(p, "server.0.port", port);
    if (auth) {
        vr_qp_str(p, "user", user);
        vr_qp_str(p, "auth-client-required.0", "cephx");
        vr_qp_strf(p, "key-secret", "sec-%s", d->target_dev);
    } else {
        vr_qp_str(p, "auth-client-required.0", "none");
    }
    vr_qp_strf(p, "node-name", "file-%s", d->target_dev);
    free(user);
    free(mon);
    free(host);
    free(port);
    free(keyfile);
    return p;
}
