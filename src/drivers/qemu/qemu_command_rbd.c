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

void vr_qc_rbd_node(cmd *c, const vr_disk_def *d, const char *url, const char *opts)
{
    const char *rest = url + strlen("rbd://");
    const char *at = strchr(rest, '@'), *slash1 = strchr(rest, '/'), *query = strchr(rest, '?');
    if (at && slash1 && at > slash1)
        at = NULL;
    const char *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
    if (!slash1 || !slash2 || (query && query < slash2)) {
        vr_qc_fail(c, "disk %s: '%s' is not an rbd://MON/POOL/IMAGE volume", d->target_dev, url);
        return;
    }
    char *user = at ? vr_strndup(rest, (size_t)(at - rest)) : NULL;
    const char *mon_start = at ? at + 1 : rest;
    char *mon = vr_strndup(mon_start, (size_t)(slash1 - mon_start)), *host, *port;
    split_mon(mon, &host, &port);
    char *pool = vr_strndup(slash1 + 1, (size_t)(slash2 - slash1 - 1));
    char *image = query ? vr_strndup(slash2 + 1, (size_t)(query - slash2 - 1)) : vr_strdup(slash2 + 1);
    char *keyfile = vr_qc_query_get(query ? query + 1 : NULL, "key-file");
    char auth[512] = "";
    if (user && keyfile) {
        vr_qc_opt(c, "-object", "secret,id=sec-%s,file=%s,format=base64", d->target_dev, keyfile);
        snprintf(auth, sizeof(auth), ",user=%s,auth-client-required.0=cephx,key-secret=sec-%s", user,
                 d->target_dev);
    } else {
        snprintf(auth, sizeof(auth), ",auth-client-required.0=none");
    }
    vr_qc_opt(c, "-blockdev", "driver=rbd,pool=%s,image=%s,conf=/dev/null,server.0.host=%s%s%s%s,node-name=file-%s%s",
              pool, image, host, *port ? ",server.0.port=" : "", port, auth, d->target_dev, opts);
    free(user);
    free(mon);
    free(host);
    free(port);
    free(pool);
    free(image);
    free(keyfile);
}
