/* rbd pools: a pool of a Ceph cluster, reached with librados and
 * librbd (the libraries QEMU's own rbd driver uses; no rbd CLI, no
 * kernel rbd map). Volumes are the pool's RBD images. Each operation
 * connects afresh and shuts down again, as libvirt's backend does, so
 * nothing is held while idle; the connect is bounded (CONNECT_TIMEOUT_S)
 * so an unreachable monitor fails in seconds. The cephx key comes from
 * the secret store (usage type ceph, vr_storage_set_secret_fn), never
 * from the XML; no /etc/ceph file is read: the monitor, the user and the
 * key are set on the handle. The libraries are opened at the first
 * connect (ceph_lib.h). */
#include "drivers/storage/storage_backend.h"
#include "drivers/storage/ceph_lib.h"
#include "common/file.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_S "5"
#define OP_TIMEOUT_S "30"
/* vol-clone's snapshot on the source image (protected while clones of it exist). */
#define CLONE_SNAP_PREFIX "vireo-clone-"

typedef struct {
    rados_t cluster;
    rados_ioctx_t io;
} rbd_conn;

/* "HOST" or "HOST:PORT" ([v6]:PORT) of every monitor, comma-separated,
 * as Ceph's mon_host takes them (and the rbd:// URL of rbd_qemu_path). */
static char *mon_host(const vr_pool_source *s)
{
    vr_strbuf b = {0};
    for (size_t i = 0; i <= s->n_more_hosts; i++) {
        const char *host = i ? s->more_hosts[i - 1].name : s->host;
        unsigned port = i ? s->more_hosts[i - 1].port : s->port;
        const char *sep = i ? "," : "";
        if (!port)
            vr_strbuf_addf(&b, "%s%s", sep, host);
        else
            vr_strbuf_addf(&b, strchr(host, ':') ? "%s[%s]:%u" : "%s%s:%u", sep, host, port);
    }
    return vr_strbuf_take(&b);
}

static char *key_base64(const unsigned char *v, size_t len)
{
    char *b64 = vr_malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
    base64_encode_raw(b64, len, v);
    b64[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
    return b64;
}

/* The cephx key, base64 as Ceph writes it (the secret store keeps the
 * decoded bytes, as libvirt's does: virsh secret-set-value takes the
 * output of `ceph auth get-key`). NULL with *err. */
static char *ceph_key(vr_pool *p, vr_err *code, char **err)
{
    const vr_pool_source *s = &p->def->source;
    vr_storage_driver *drv = p->drv;
    if (!drv->secret_fn) {
        vr_set_error(err, "pool '%s': no secret store to take the cephx key from", p->def->name);
        *code = VR_ERR_FAILED;
        return NULL;
    }
    unsigned char *v = NULL;
    size_t len = 0;
    char *e = NULL;
    if ((*code = drv->secret_fn(s->secret_uuid, s->secret_usage, &v, &len, &e, drv->secret_opaque))) {
        vr_set_error(err, "pool '%s': cephx key: %s", p->def->name, e);
        free(e);
        return NULL;
    }
    char *b64 = key_base64(v, len);
    explicit_bzero(v, len);
    free(v);
    return b64;
}

static void key_free(char *k)
{
    if (k) {
        explicit_bzero(k, strlen(k));
        free(k);
    }
}

/* Why a connect failed, with what to do about it. */
static const char *connect_hint(int rc)
{
    switch (-rc) {
    case EACCES:
    case EPERM:
        return " (check the user and the value of its secret: vireo secret-set-value UUID $(ceph auth get-key "
               "client.USER))";
    case ETIMEDOUT:
        return " (after " CONNECT_TIMEOUT_S " s: is the monitor's address right, and is it running?)";
    default:
        return "";
    }
}

static void conn_close(rbd_conn *c)
{
    if (c->io)
        vr_ceph.rados_ioctx_destroy(c->io);
    if (c->cluster)
        vr_ceph.rados_shutdown(c->cluster);
    c->io = NULL;
    c->cluster = NULL;
}

/* Connect to the cluster of the source's monitors with the key (NULL:
 * no cephx); `who` starts the messages ("pool 'NAME'"). */
static vr_err cluster_connect(const vr_pool_source *s, const char *who, const char *key, rbd_conn *c, char **err)
{
    memset(c, 0, sizeof(*c));
    if (!vr_ceph_load(err))
        return VR_ERR_UNSUPPORTED;
    char *mon = mon_host(s);
    int rc = vr_ceph.rados_create(&c->cluster, s->auth_user ? s->auth_user : "admin");
    const char *step = "rados_create";
    /* Nothing from /etc/ceph: every setting the client needs is here. */
    const struct {
        const char *k, *v;
    } conf[] = {
        {"mon_host", mon},
        {"auth_client_required", key ? "cephx" : "none"},
        {"keyring", ""},
        {"client_mount_timeout", CONNECT_TIMEOUT_S},
        {"rados_mon_op_timeout", OP_TIMEOUT_S},
        {"rados_osd_op_timeout", OP_TIMEOUT_S},
        {"log_to_stderr", "false"},
        {"err_to_stderr", "false"},
        {"log_file", ""},
        {"ms_bind_ipv6", strchr(s->host, ':') ? "true" : "false"},
    };
    for (size_t i = 0; rc == 0 && i < VR_ARRAY_LEN(conf); i++) {
        step = conf[i].k;
        rc = vr_ceph.rados_conf_set(c->cluster, conf[i].k, conf[i].v);
    }
    if (rc == 0 && key) {
        step = "key";
        rc = vr_ceph.rados_conf_set(c->cluster, "key", key);
    }
    if (rc == 0) {
        step = "connect";
        rc = vr_ceph.rados_connect(c->cluster);
    }
    if (rc < 0) {
        if (strcmp(step, "connect") == 0)
            vr_set_error(err, "%s: cannot connect to the Ceph monitor %s as client.%s: %s%s", who, mon,
                         s->auth_user ? s->auth_user : "admin", strerror(-rc), connect_hint(rc));
        else
            vr_set_error(err, "%s: librados refused the setting %s: %s", who, step, strerror(-rc));
        conn_close(c);
    }
    free(mon);
    if (rc < 0)
        return -rc == EACCES || -rc == EPERM ? VR_ERR_DENIED : VR_ERR_FAILED;
    return VR_OK;
}

/* Connect with the definition and the key alone, so that a worker
 * thread can run it, and open the pool's ioctx. */
static vr_err conn_open_def(const vr_pool_def *def, const char *key, rbd_conn *c, char **err)
{
    const vr_pool_source *s = &def->source;
    char *who = vr_asprintf("pool '%s'", def->name);
    vr_err e = cluster_connect(s, who, key, c, err);
    free(who);
    if (e)
        return e;
    char *mon = mon_host(s);
    int rc = vr_ceph.rados_ioctx_create(c->cluster, s->name, &c->io);
    if (rc < 0) {
        c->io = NULL;
        vr_set_error(err, "pool '%s': the Ceph pool '%s' on %s %s%s", def->name, s->name, mon,
                     rc == -ENOENT ? "does not exist" : "cannot be opened: ",
                     rc == -ENOENT ? " (create it on the cluster: ceph osd pool create NAME; rbd pool init NAME)"
                                   : strerror(-rc));
        free(mon);
        conn_close(c);
        return rc == -ENOENT ? VR_ERR_NOT_FOUND : VR_ERR_FAILED;
    }
    free(mon);
    return VR_OK;
}

static vr_err conn_open(vr_pool *p, rbd_conn *c, char **err)
{
    vr_err code = VR_OK;
    char *key = NULL;
    memset(c, 0, sizeof(*c));
    if (p->def->source.auth_user && !(key = ceph_key(p, &code, err)))
        return code;
    code = conn_open_def(p->def, key, c, err);
    key_free(key);
    return code;
}

static vr_err def_failed(const vr_pool_def *def, const char *what, const char *name, int rc, char **err)
{
    if (rc == -EEXIST) {
        vr_set_error(err, "volume '%s' already exists in pool '%s'", name, def->name);
        return VR_ERR_CONFLICT;
    }
    vr_set_error(err, "pool '%s': %s of RBD image '%s' failed: %s", def->name, what, name, strerror(-rc));
    return rc == -ENOENT ? VR_ERR_NOT_FOUND : rc == -EBUSY ? VR_ERR_CONFLICT : VR_ERR_FAILED;
}

static vr_err rbd_failed(vr_pool *p, const char *what, const char *name, int rc, char **err)
{
    return def_failed(p->def, what, name, rc, err);
}

/* How clients and qemu_command name an image: rbd:POOL/IMAGE, as
 * qemu-img names it (the monitor and the key are the pool's). */
static char *image_path(const vr_pool_def *def, const char *name)
{
    return vr_asprintf("rbd:%s/%s", def->source.name, name);
}

/* The image as a volume of the pool `def` (no users: a worker may ask). */
static bool image_stat(const vr_pool_def *def, rbd_conn *c, const char *name, vr_vol_info *v)
{
    rbd_image_t img;
    if (vr_ceph.rbd_open_read_only(c->io, name, &img, NULL) < 0)
        return false;
    rbd_image_info_t info;
    int rc = vr_ceph.rbd_stat(img, &info, sizeof(info));
    vr_ceph.rbd_close(img);
    if (rc < 0)
        return false;
    memset(v, 0, sizeof(*v));
    v->name = vr_strdup(name);
    v->pool = vr_strdup(def->name);
    v->path = image_path(def, name);
    v->format = VR_VOL_RAW;
    v->block = false;
    v->capacity = info.size;
    /* Images are thin: librbd's diff walk would say how much is written
     * but reads every object's map; libvirt reports the size too. */
    v->allocation = info.size;
    return true;
}

static bool image_info(vr_pool *p, rbd_conn *c, const char *name, vr_vol_info *v, bool users)
{
    if (!image_stat(p->def, c, name, v))
        return false;
    v->used_by = users ? vr_storage_user_of(p->drv, v->path) : NULL;
    return true;
}

static vr_err images(vr_pool *p, vr_vol_info **out, size_t *n, bool users, char **err)
{
    rbd_conn c;
    vr_err e = conn_open(p, &c, err);
    if (e)
        return e;
    size_t max = 64;
    rbd_image_spec_t *specs = NULL;
    int rc;
    for (;;) {
        specs = vr_realloc(specs, max * sizeof(*specs));
        rc = vr_ceph.rbd_list2(c.io, specs, &max);
        if (rc != -ERANGE)
            break;
    }
    if (rc < 0) {
        free(specs);
        conn_close(&c);
        vr_set_error(err, "pool '%s': listing the RBD images of '%s' failed: %s", p->def->name,
                     p->def->source.name, strerror(-rc));
        return VR_ERR_FAILED;
    }
    vr_vol_info *vols = vr_calloc(max ? max : 1, sizeof(*vols));
    size_t count = 0;
    for (size_t i = 0; i < max; i++) {
        if (image_info(p, &c, specs[i].name, &vols[count], users))
            count++; /* one removed between the list and the open is gone */
    }
    vr_ceph.rbd_image_spec_list_cleanup(specs, max);
    free(specs);
    conn_close(&c);
    *out = vols;
    *n = count;
    return VR_OK;
}

static vr_err images_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err) { return images(p, out, n, true, err); }

static bool rbd_describe(vr_pool *p, const char *name, vr_vol_info *v, bool users)
{
    rbd_conn c;
    char *e = NULL;
    if (conn_open(p, &c, &e)) {
        vr_log_warn("%s", e);
        free(e);
        return false;
    }
    bool found = image_info(p, &c, name, v, users);
    conn_close(&c);
    return found;
}

static vr_err rbd_check(vr_pool *p, char **err)
{
    (void)p;
    (void)err;
    return VR_OK; /* every operation connects, and says what fails */
}

/* pool-start: the monitor answers, the key is accepted, the pool is
 * there. At the daemon's start the secret store is wired after the
 * pools load: a cephx pool then starts unchecked (see iscsi_start). */
static vr_err rbd_start(vr_pool *p, char **err)
{
    if (p->def->source.auth_user && !p->drv->secret_fn) {
        vr_log_info("pool %s: started; the Ceph pool %s is checked at its first use", p->def->name,
                    p->def->source.name);
        return VR_OK;
    }
    rbd_conn c;
    vr_err e = conn_open(p, &c, err);
    conn_close(&c);
    return e;
}

/* pool-start's check beside the loop: connect and open the Ceph pool
 * on what storage_driver.c copied for the worker. */
static vr_err rbd_check_run(const vr_pool_def *def, const unsigned char *secret, size_t len, char **err)
{
    if (def->source.auth_user && !secret)
        return VR_OK; /* the daemon's own start: see rbd_start */
    char *key = secret ? key_base64(secret, len) : NULL;
    rbd_conn conn;
    vr_err e = conn_open_def(def, key, &conn, err);
    conn_close(&conn);
    key_free(key);
    return e;
}

/* As libvirt: pool-build of an rbd pool does nothing but is refused with
 * the reason (libvirt's backend has no build: the pool is made on the
 * cluster). */
static vr_err rbd_build(vr_pool *p, unsigned flags, char **err)
{
    (void)flags;
    vr_set_error(err, "pool '%s' is an rbd pool: Vireo does not create Ceph pools (on the cluster: ceph osd pool "
                      "create %s; rbd pool init %s), then pool-start",
                 p->def->name, p->def->source.name, p->def->source.name);
    return VR_ERR_UNSUPPORTED;
}

static vr_err pool_remove(vr_pool *p, char **err)
{
    vr_set_error(err, "pool '%s' is an rbd pool: Vireo does not delete Ceph pools (pool-undefine forgets the "
                      "definition; the cluster keeps '%s')",
                 p->def->name, p->def->source.name);
    return VR_ERR_UNSUPPORTED;
}

static void rbd_stats(vr_pool *p, vr_pool_stats *st, size_t *n_volumes)
{
    rbd_conn c;
    char *e = NULL;
    if (conn_open(p, &c, &e)) {
        vr_log_warn("%s", e);
        free(e);
        return;
    }
    struct rados_cluster_stat_t cs;
    struct rados_pool_stat_t ps;
    int rc = vr_ceph.rados_cluster_stat(c.cluster, &cs);
    if (rc == 0) {
        st->capacity = cs.kb * 1024ULL;
        st->available = cs.kb_avail * 1024ULL;
    } else {
        vr_log_warn("pool %s: the cluster's sizes are unknown: %s", p->def->name, strerror(-rc));
    }
    if (vr_ceph.rados_ioctx_pool_stat(c.io, &ps) == 0)
        st->allocation = ps.num_bytes;
    if (n_volumes) {
        size_t max = 0;
        rc = vr_ceph.rbd_list2(c.io, NULL, &max);
        *n_volumes = rc == 0 || rc == -ERANGE ? max : 0;
    }
    conn_close(&c);
}

static int create_image(rbd_conn *c, const char *name, uint64_t size)
{
    int order = 0;
    /* layering: clones (vol-clone) need it; QEMU's rbd driver takes it. */
    return vr_ceph.rbd_create2(c->io, name, size, RBD_FEATURE_LAYERING, &order);
}

/* What an rbd pool's volumes cannot be, refused before any connect. */
static vr_err create_refused(const vr_pool_def *def, const vr_vol_def *vol, const char *backing, char **err)
{
    if (!backing && vol->format == VR_VOL_RAW)
        return VR_OK;
    vr_set_error(err, "pool '%s' is an rbd pool: its volumes are raw RBD images (no %s)", def->name,
                 backing ? "backing store; vol-clone makes a Ceph clone" : "qcow2 or iso format");
    return VR_ERR_INVALID;
}

static vr_err rbd_create_vol(vr_pool *p, const vr_vol_def *def, const char *backing, char **err)
{
    vr_err e = create_refused(p->def, def, backing, err);
    rbd_conn c;
    if (e || (e = conn_open(p, &c, err)))
        return e;
    int rc = create_image(&c, def->name, def->capacity);
    conn_close(&c);
    return rc < 0 ? rbd_failed(p, "creation", def->name, rc, err) : VR_OK;
}

/* vol-create beside the loop: a monitor that does not answer keeps a
 * worker waiting its CONNECT_TIMEOUT_S, not every client. */
static vr_err rbd_create_vol_run(const vr_pool_def *def, const unsigned char *secret, size_t len,
                                 const vr_vol_def *vol, const char *backing, vr_vol_info *out, char **err)
{
    vr_err e = create_refused(def, vol, backing, err);
    if (e)
        return e;
    if (def->source.auth_user && !secret) {
        vr_set_error(err, "pool '%s': no secret store to take the cephx key from", def->name);
        return VR_ERR_FAILED;
    }
    char *key = secret ? key_base64(secret, len) : NULL;
    rbd_conn c;
    e = conn_open_def(def, key, &c, err);
    key_free(key);
    if (e)
        return e;
    int rc = create_image(&c, vol->name, vol->capacity);
    if (rc < 0)
        e = def_failed(def, "creation", vol->name, rc, err);
    else if (!image_stat(def, &c, vol->name, out))
        *out = (vr_vol_info){.name = vr_strdup(vol->name), .pool = vr_strdup(def->name),
                             .path = image_path(def, vol->name), .format = VR_VOL_RAW, .capacity = vol->capacity,
                             .allocation = vol->capacity};
    conn_close(&c);
    return e;
}

/* Remove the image's own vol-clone snapshots that no clone uses any more;
 * -EBUSY when a clone still depends on it. */
static int drop_clone_snaps(rbd_image_t img)
{
    int max = 16, n;
    rbd_snap_info_t *snaps = NULL;
    for (;;) {
        snaps = vr_realloc(snaps, (size_t)max * sizeof(*snaps));
        n = vr_ceph.rbd_snap_list(img, snaps, &max);
        if (n != -ERANGE)
            break;
    }
    int rc = n < 0 ? n : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (!vr_str_starts(snaps[i].name, CLONE_SNAP_PREFIX))
            continue;
        int prot = 0;
        vr_ceph.rbd_snap_is_protected(img, snaps[i].name, &prot);
        if (prot && (rc = vr_ceph.rbd_snap_unprotect(img, snaps[i].name)) < 0)
            break; /* -EBUSY: a clone of it still exists */
        rc = vr_ceph.rbd_snap_remove(img, snaps[i].name);
    }
    if (n >= 0)
        vr_ceph.rbd_snap_list_end(snaps);
    free(snaps);
    return rc;
}

static vr_err rbd_delete_vol(vr_pool *p, const vr_vol_info *v, char **err)
{
    rbd_conn c;
    vr_err e = conn_open(p, &c, err);
    if (e)
        return e;
    rbd_image_t img;
    int rc = vr_ceph.rbd_open(c.io, v->name, &img, NULL);
    if (rc == 0) {
        rc = drop_clone_snaps(img);
        vr_ceph.rbd_close(img);
    }
    if (rc == -EBUSY) {
        vr_set_error(err, "pool '%s': volume '%s' has clones (vol-clone made them from it): delete those first",
                     p->def->name, v->name);
        conn_close(&c);
        return VR_ERR_CONFLICT;
    }
    if (rc == 0)
        rc = vr_ceph.rbd_remove(c.io, v->name);
    conn_close(&c);
    return rc < 0 ? rbd_failed(p, "removal", v->name, rc, err) : VR_OK;
}

/* Connect and open one image of the pool for writing. */
static vr_err open_image(vr_pool *p, rbd_conn *c, const char *name, rbd_image_t *img, char **err)
{
    vr_err e = conn_open(p, c, err);
    if (e)
        return e;
    int rc = vr_ceph.rbd_open(c->io, name, img, NULL);
    if (rc < 0) {
        conn_close(c);
        return rbd_failed(p, "opening", name, rc, err);
    }
    return VR_OK;
}

static vr_err rbd_resize_vol(vr_pool *p, const vr_vol_info *v, unsigned long long capacity, bool shrink,
                             char **err)
{
    (void)shrink; /* the driver refused a shrink without --shrink */
    rbd_conn c;
    rbd_image_t img;
    vr_err e = open_image(p, &c, v->name, &img, err);
    if (e)
        return e;
    int rc = vr_ceph.rbd_resize(img, capacity);
    vr_ceph.rbd_close(img);
    conn_close(&c);
    return rc < 0 ? rbd_failed(p, "resize", v->name, rc, err) : VR_OK;
}

/* vol-wipe: zeros over the whole image (librbd deallocates what it
 * can, so a wiped image is thin again). */
static vr_err rbd_wipe_vol(vr_pool *p, const vr_vol_info *v, char **err)
{
    rbd_conn c;
    rbd_image_t img;
    vr_err e = open_image(p, &c, v->name, &img, err);
    if (e)
        return e;
    uint64_t size = 0;
    ssize_t rc = vr_ceph.rbd_get_size(img, &size);
    if (rc == 0 && size)
        rc = vr_ceph.rbd_write_zeroes(img, 0, size, 0, 0);
    vr_ceph.rbd_close(img);
    conn_close(&c);
    return rc < 0 ? rbd_failed(p, "wipe", v->name, (int)rc, err) : VR_OK;
}

vr_err vr_rbd_clone(vr_pool *p, const char *name, const char *new_name, char **err)
{
    rbd_conn c;
    rbd_image_t img;
    vr_err e = open_image(p, &c, name, &img, err);
    if (e)
        return e;
    char *snap = vr_asprintf(CLONE_SNAP_PREFIX "%s", new_name);
    const char *step = "snapshot";
    int rc = vr_ceph.rbd_snap_create(img, snap);
    if (rc == 0) {
        step = "snapshot protection";
        rc = vr_ceph.rbd_snap_protect(img, snap);
    }
    if (rc == 0) {
        int order = 0;
        step = "clone";
        rc = vr_ceph.rbd_clone(c.io, name, snap, c.io, new_name, RBD_FEATURE_LAYERING, &order);
    }
    if (rc < 0 && strcmp(step, "snapshot") != 0) { /* nothing left half-way */
        vr_ceph.rbd_snap_unprotect(img, snap);
        vr_ceph.rbd_snap_remove(img, snap);
    }
    vr_ceph.rbd_close(img);
    conn_close(&c);
    free(snap);
    if (rc == -EEXIST) {
        vr_set_error(err, "pool '%s': volume '%s' exists already", p->def->name, new_name);
        return VR_ERR_CONFLICT;
    }
    return rc < 0 ? rbd_failed(p, step, name, rc, err) : VR_OK;
}

/* The pool's cephx key in RUNTIME/storage/POOL.cephx (0600, base64 as
 * Ceph writes it), for QEMU's -object secret,file=,format=base64 and
 * qemu-img's key-secret. Removed when the pool stops. */
static char *key_file(const vr_pool *p)
{
    return vr_asprintf("%s/%s.cephx", p->drv->runtime_dir, p->def->name);
}

/* Write the pool's key to key_file(p); *file NULL without cephx. */
static vr_err write_key(vr_pool *p, char **file, char **err)
{
    *file = NULL;
    if (!p->def->source.auth_user)
        return VR_OK;
    vr_err code = VR_OK;
    char *key = ceph_key(p, &code, err);
    if (!key)
        return code;
    char *f = key_file(p);
    int rc = vr_storage_write_secret(p->drv, f, key, strlen(key));
    key_free(key);
    if (rc < 0) {
        vr_set_error(err, "pool '%s': cannot write %s: %s", p->def->name, f, strerror(-rc));
        free(f);
        return VR_ERR_FAILED;
    }
    *file = f;
    return VR_OK;
}

/* What QEMU opens (qemu_command_rbd.c reads it back):
 *   rbd://[USER@]MON[:PORT]/POOL/IMAGE[?key-file=F] */
static vr_err rbd_qemu_path(vr_pool *p, const vr_vol_info *v, char **out, char **err)
{
    const vr_pool_source *s = &p->def->source;
    char *file = NULL;
    vr_err code = write_key(p, &file, err);
    if (code)
        return code;
    char *mon = mon_host(s);
    *out = file ? vr_asprintf("rbd://%s@%s/%s/%s?key-file=%s", s->auth_user, mon, s->name, v->name, file)
                : vr_asprintf("rbd://%s/%s/%s", mon, s->name, v->name);
    free(file);
    free(mon);
    return VR_OK;
}

vr_err vr_rbd_img_opts(vr_pool *p, const char *image, const char *secret_id, char **opts, char **key_file,
                       char **err)
{
    const vr_pool_source *s = &p->def->source;
    vr_err code = write_key(p, key_file, err);
    if (code)
        return code;
    vr_strbuf b = {0};
    for (size_t i = 0; i <= s->n_more_hosts; i++) {
        unsigned port = i ? s->more_hosts[i - 1].port : s->port;
        vr_strbuf_addf(&b, "%sfile.server.%zu.host=%s", i ? "," : "", i, i ? s->more_hosts[i - 1].name : s->host);
        if (port)
            vr_strbuf_addf(&b, ",file.server.%zu.port=%u", i, port);
    }
    char *servers = vr_strbuf_take(&b);
    char *auth = *key_file ? vr_asprintf(",file.user=%s,file.auth-client-required.0=cephx,file.key-secret=%s",
                                         s->auth_user, secret_id)
                           : vr_strdup(",file.auth-client-required.0=none");
    *opts = vr_asprintf("driver=raw,file.driver=rbd,file.pool=%s,file.image=%s,file.conf=/dev/null,%s%s", s->name,
                        image, servers, auth);
    free(servers);
    free(auth);
    return VR_OK;
}

static vr_err rbd_stop(vr_pool *p, char **err)
{
    (void)err;
    char *file = key_file(p);
    unlink(file);
    free(file);
    return VR_OK;
}

/* vol-upload and vol-download: the image through librbd. */
typedef struct {
    vr_vol_io io; /* first: the pointer to it is the pointer to this */
    rbd_conn conn;
    rbd_image_t img;
} rbd_io;

static ssize_t io_pread(vr_vol_io *io, void *buf, size_t n, unsigned long long off)
{
    return vr_ceph.rbd_read(((rbd_io *)io)->img, off, n, buf);
}

static ssize_t io_pwrite(vr_vol_io *io, const void *buf, size_t n, unsigned long long off)
{
    return vr_ceph.rbd_write(((rbd_io *)io)->img, off, n, buf);
}

static int io_zero(vr_vol_io *io, unsigned long long off, unsigned long long n)
{
    ssize_t rc = vr_ceph.rbd_write_zeroes(((rbd_io *)io)->img, off, n, 0, 0);
    return rc < 0 ? (int)rc : 0;
}

static int io_flush(vr_vol_io *io) { return vr_ceph.rbd_flush(((rbd_io *)io)->img); }

static void io_close(vr_vol_io *io)
{
    rbd_io *r = (rbd_io *)io;
    vr_ceph.rbd_close(r->img);
    conn_close(&r->conn);
    free(r);
}

static vr_vol_io *rbd_open_io(vr_pool *p, const vr_vol_info *v, bool write, char **err)
{
    rbd_io *r = vr_calloc(1, sizeof(*r));
    r->io = (vr_vol_io){io_pread, io_pwrite, io_zero, io_flush, io_close};
    vr_err e = conn_open(p, &r->conn, err);
    int rc = 0;
    if (!e && (rc = write ? vr_ceph.rbd_open(r->conn.io, v->name, &r->img, NULL)
                          : vr_ceph.rbd_open_read_only(r->conn.io, v->name, &r->img, NULL)) < 0) {
        e = rbd_failed(p, "opening", v->name, rc, err);
        conn_close(&r->conn);
    }
    if (e) {
        free(r);
        return NULL;
    }
    return &r->io;
}

const vr_pool_backend vr_backend_rbd = {
    .files = false,
    .check = rbd_check,
    .build = rbd_build,
    .start = rbd_start,
    .stop = rbd_stop,
    .remove = pool_remove,
    .stats = rbd_stats,
    .list = images_list,
    .describe = rbd_describe,
    .create_vol = rbd_create_vol,
    .create_vol_run = rbd_create_vol_run,
    .delete_vol = rbd_delete_vol,
    .resize_vol = rbd_resize_vol,
    .wipe_vol = rbd_wipe_vol,
    .qemu_path = rbd_qemu_path,
    .open_io = rbd_open_io,
    .check_run = rbd_check_run,
};

/* Is the Ceph pool tagged for RBD (rbd pool init)? */
static bool is_rbd_pool(rados_t cluster, const char *name)
{
    rados_ioctx_t io;
    if (vr_ceph.rados_ioctx_create(cluster, name, &io) < 0)
        return false;
    char apps[256];
    size_t len = sizeof(apps);
    bool rbd = false;
    if (vr_ceph.rados_application_list(io, apps, &len) == 0)
        for (const char *a = apps; a < apps + len && *a; a += strlen(a) + 1)
            rbd |= strcmp(a, "rbd") == 0;
    vr_ceph.rados_ioctx_destroy(io);
    return rbd;
}

vr_err vr_rbd_spec_key(vr_storage_driver *drv, const vr_pool_source *spec, char **key, char **err)
{
    *key = NULL;
    if (!spec->auth_user)
        return VR_OK;
    unsigned char *v = NULL;
    size_t len = 0;
    char *e = NULL;
    vr_err code = drv->secret_fn ? drv->secret_fn(spec->secret_uuid, spec->secret_usage, &v, &len, &e,
                                                  drv->secret_opaque)
                                 : VR_ERR_FAILED;
    if (code) {
        vr_set_error(err, "find-storage-pool-sources rbd: the cephx key of client.%s: %s", spec->auth_user,
                     e ? e : "no secret store is running");
        free(e);
        return code;
    }
    *key = key_base64(v, len);
    explicit_bzero(v, len);
    free(v);
    return VR_OK;
}

void vr_rbd_key_free(char *key) { key_free(key); }

vr_err vr_rbd_find_pools(const vr_pool_source *spec, const char *key, char ***names, size_t *n, char **err)
{
    const char *who = "find-storage-pool-sources rbd";
    *names = NULL;
    *n = 0;
    rbd_conn c;
    vr_err e = cluster_connect(spec, who, key, &c, err);
    if (e)
        return e;
    size_t cap = 1024;
    char *buf = NULL;
    int rc;
    for (;;) {
        buf = vr_realloc(buf, cap);
        rc = vr_ceph.rados_pool_list(c.cluster, buf, cap);
        if (rc < 0 || (size_t)rc <= cap)
            break;
        cap = (size_t)rc;
    }
    if (rc < 0) {
        vr_set_error(err, "%s: listing the cluster's pools failed: %s", who, strerror(-rc));
        e = VR_ERR_FAILED;
    }
    for (const char *p = buf; rc >= 0 && p < buf + rc && *p; p += strlen(p) + 1) {
        if (!is_rbd_pool(c.cluster, p))
            continue; /* .mgr, cephfs's, rgw's: not RBD */
        *names = vr_realloc(*names, (*n + 1) * sizeof(**names));
        (*names)[(*n)++] = vr_strdup(p);
    }
    free(buf);
    conn_close(&c);
    return e;
}
