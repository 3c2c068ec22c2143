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

#include <stdlib.h>
#include <string.h>

/* Here beside its first user; the rbd node and the display take it too. */
static vr_qprops *secret_props(const char *id, const char *file, const char *format)
{
    vr_qprops *s = vr_qp_new("qom-type", "secret");
    vr_qp_str(s, "id", id);
    vr_qp_str(s, "file", file);
    vr_qp_str(s, "format", format);
    return s;
}

void vr_qc_secret_object(cmd *c, const char *id, const char *file, const char *format)
{
    vr_qc_props(c, "-object", secret_props(id, file, format));
}

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

bool vr_qc_volume_url_split(const vr_disk_def *d, const char *url, const char *scheme, const char *shape,
                            vr_qc_volume_url *u, char **err)
{
    const char *rest = url + strlen(scheme);
    const char *slash1 = strchr(rest, '/'), *query = strchr(rest, '?');
    const char *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
    if (!slash1 || !slash2 || (query && query < slash2)) {
        vr_set_error(err, "disk %s: '%s' is not an %s volume", d->target_dev, url, shape);
        return false;
    }
    *u = (vr_qc_volume_url){
        .head = rest,
        .slash1 = slash1,
        .slash2 = slash2,
        .tail = slash2 + 1,
        .tail_len = query ? (size_t)(query - slash2 - 1) : strlen(slash2 + 1),
        .args = query ? query + 1 : NULL,
    };
    return true;
}

char *vr_qc_disk_secret(const vr_disk_def *d, const char *file, const char *format, vr_qprops **secret)
{
    char *id = vr_asprintf("sec-%s", d->target_dev);
    *secret = secret_props(id, file, format);
    return id;
}

/* The node of a LUN at portal/target/lun; with user and pwfile, after
 * the secret object of its CHAP password. */
static vr_qprops *iscsi_props(const vr_disk_def *d, const char *portal, const char *target, unsigned long lun,
                              const char *initiator, const char *user, const char *pwfile, vr_qprops **secret_obj)
{
    char *secret = user && pwfile ? vr_qc_disk_secret(d, pwfile, "raw", secret_obj) : NULL;
    vr_qprops *p = vr_qp_new(NULL, NULL);
    vr_qp_str(p, "driver", "iscsi");
    vr_qp_str(p, "transport", "tcp");
    vr_qp_str(p, "portal", portal);
    vr_qp_str(p, "target", target);
    vr_qp_uint(p, "lun", lun); /* a number in QMP's JSON */
    vr_qp_str(p, "initiator-name", initiator);
    if (secret) {
        vr_qp_str(p, "user", user);
        vr_qp_str(p, "password-secret", secret);
    }
    vr_qp_strf(p, "node-name", "file-%s", d->target_dev);
    free(secret);
    return p;
}

vr_qprops *vr_qc_iscsi_node(const vr_disk_def *d, const char *url, vr_qprops **secret_obj, char **err)
{
    vr_qc_volume_url u;
    *secret_obj = NULL;
    if (!vr_qc_volume_url_split(d, url, "iscsi://", "iscsi://HOST:PORT/IQN/LUN", &u, err))
        return NULL;
    char *initiator = vr_qc_query_get(u.args, "initiator-name");
    char *user = vr_qc_query_get(u.args, "user");
    char *pwfile = vr_qc_query_get(u.args, "password-file");
    char *portal = vr_strndup(u.head, (size_t)(u.slash1 - u.head));
    char *target = vr_strndup(u.slash1 + 1, (size_t)(u.slash2 - u.slash1 - 1));
    char *lun = vr_strndup(u.tail, u.tail_len);
    vr_qprops *p = iscsi_props(d, portal, target, strtoul(lun, NULL, 10), initiator, user, pwfile, secret_obj);
    free(lun);
    free(target);
    free(portal);
    free(initiator);
    free(user);
    free(pwfile);
    return p;
}

/* <source protocol='iscsi' name='IQN[/LUN]'><host name port/> (libvirt's
 * mapping: LUN 0 without one, port 3260 by default; QEMU's own initiator
 * name without <initiator>). */
vr_qprops *vr_qc_iscsi_network_node(const vr_disk_def *d, const char *runtime_dir, vr_qprops **secret)
{
    *secret = NULL;
    const char *slash = strrchr(d->source_name, '/');
    char *target = slash ? vr_strndup(d->source_name, (size_t)(slash - d->source_name)) : vr_strdup(d->source_name);
    const vr_disk_host *h = &d->hosts[0];
    char *portal = vr_asprintf(strchr(h->name, ':') ? "[%s]:%u" : "%s:%u", h->name, h->port ? h->port : 3260);
    char *pwfile = d->auth_username ? vr_qemu_disk_key_file(runtime_dir, d) : NULL;
    vr_qprops *p = iscsi_props(d, portal, target, slash ? strtoul(slash + 1, NULL, 10) : 0, d->initiator_iqn,
                               d->auth_username, pwfile, secret);
    free(pwfile);
    free(portal);
    free(target);
    return p;
}
