/* A LUN of an iscsi-direct pool on QEMU's own iSCSI client (block-iscsi,
 * package qemu-block-extra): the storage driver resolves the volume to
 *   iscsi://HOST:PORT/IQN/LUN?initiator-name=IQN[&user=U&password-file=F]
 * and this turns it into the protocol node
 *   -object secret,id=sec-DEV,file=F,format=raw
 *   -blockdev driver=iscsi,transport=tcp,portal=..,target=..,lun=..,
 *             initiator-name=..,user=U,password-secret=sec-DEV,node-name=file-DEV
 * so the password is read by QEMU from a 0600 file, never carried on
 * its command line. */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *vr_qc_query_get(const char *query, const char *key)
{
    size_t n = strlen(key);
    for (const char *q = query; q && *q;) {
        const char *end = strchr(q, '&');
        if (strncmp(q, key, n) == 0 && q[n] == '=')
            return end ? vr_strndup(q + n + 1, (size_t)(end - q - n - 1)) : vr_strdup(q + n + 1);
        q = end ? end + 1 : NULL;
    }
    return NULL;
}

void vr_qc_iscsi_node(cmd *c, const vr_disk_def *d, const char *url, const char *opts)
{
    const char *rest = url + strlen("iscsi://");
    const char *slash1 = strchr(rest, '/'), *query = strchr(rest, '?');
    const char *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
    if (!slash1 || !slash2 || (query && query < slash2)) {
        vr_qc_fail(c, "disk %s: '%s' is not an iscsi://HOST:PORT/IQN/LUN volume", d->target_dev, url);
        return;
    }
    char *portal = vr_strndup(rest, (size_t)(slash1 - rest));
    char *target = vr_strndup(slash1 + 1, (size_t)(slash2 - slash1 - 1));
    char *lun = query ? vr_strndup(slash2 + 1, (size_t)(query - slash2 - 1)) : vr_strdup(slash2 + 1);
    char *initiator = vr_qc_query_get(query ? query + 1 : NULL, "initiator-name");
    char *user = vr_qc_query_get(query ? query + 1 : NULL, "user");
    char *pwfile = vr_qc_query_get(query ? query + 1 : NULL, "password-file");
    char auth[512] = "";
    if (user && pwfile) {
        vr_qc_opt(c, "-object", "secret,id=sec-%s,file=%s,format=raw", d->target_dev, pwfile);
        snprintf(auth, sizeof(auth), ",user=%s,password-secret=sec-%s", user, d->target_dev);
    }
    vr_qc_opt(c, "-blockdev", "driver=iscsi,transport=tcp,portal=%s,target=%s,lun=%s%s%s%s,node-name=file-%s%s",
              portal, target, lun, initiator ? ",initiator-name=" : "", initiator ? initiator : "", auth,
              d->target_dev, opts);
    free(portal);
    free(target);
    free(lun);
    free(initiator);
    free(user);
    free(pwfile);
}
