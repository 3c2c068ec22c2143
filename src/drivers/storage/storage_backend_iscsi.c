/* iscsi-direct pools: a target on a portal, reached with libiscsi (the
 * userspace initiator QEMU itself uses; no kernel initiator, no
 * /dev/sdX). Volumes are the target's LUNs: REPORT LUNS lists them,
 * INQUIRY keeps the disks, READ CAPACITY(16) sizes them. Each listing
 * logs in afresh and out again, so nothing is held while idle; the
 * portal is tried with a bounded connect first, so an unreachable one
 * fails in seconds, not after TCP's minutes. CHAP passwords come from
 * the secret store (vr_storage_set_secret_fn), never from the XML. */
#include "drivers/storage/storage_backend.h"
#include "common/dlib.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 3000
#define ISCSI_TIMEOUT_S 5

/* libiscsi, opened at a pool's first login or discovery (common/dlib.h
 * says why): the functions this file calls, typed from its headers. */
#define ISCSI_FUNCS(X)                                                                                              \
    X(iscsi_create_context) X(iscsi_destroy_context) X(iscsi_get_error) X(iscsi_set_targetname)                     \
    X(iscsi_set_session_type) X(iscsi_set_header_digest) X(iscsi_set_timeout) X(iscsi_set_initiator_username_pwd)   \
    X(iscsi_connect_sync) X(iscsi_login_sync) X(iscsi_logout_sync) X(iscsi_inquiry_sync)                            \
    X(iscsi_testunitready_sync) X(iscsi_readcapacity16_sync) X(iscsi_readcapacity10_sync) X(iscsi_reportluns_sync)  \
    X(iscsi_discovery_sync) X(iscsi_free_discovery_data) X(iscsi_read16_sync) X(iscsi_write16_sync)                 \
    X(iscsi_synchronizecache16_sync) X(scsi_datain_unmarshall) X(scsi_free_scsi_task)
VR_DLIB_LOCAL(ISCSI_FUNCS, "libiscsi7", "libiscsi.so.7");

char *vr_iscsi_portal(const char *host, unsigned port)
{
    return strchr(host, ':') ? vr_asprintf("[%s]:%u", host, port) : vr_asprintf("%s:%u", host, port);
}

static char *portal_of(const vr_pool *p)
{
    return vr_iscsi_portal(p->def->source.host, p->def->source.port);
}

vr_err vr_iscsi_reach(const char *host, unsigned port_no, const char *who, char **err)
{
    char port[16], *portal = vr_iscsi_portal(host, port_no);
    snprintf(port, sizeof(port), "%u", port_no);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc) {
        vr_set_error(err, "%s: cannot resolve the iSCSI portal %s: %s", who, portal, gai_strerror(rc));
        free(portal);
        return VR_ERR_NOT_FOUND;
    }
    int e = ETIMEDOUT;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        e = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
        if (e == EINPROGRESS) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            socklen_t len = sizeof(e);
            e = poll(&pf, 1, CONNECT_TIMEOUT_MS) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0
                    ? e
                    : ETIMEDOUT;
        }
        close(fd);
        if (e == 0)
            break;
    }
    freeaddrinfo(ai);
    if (e)
        vr_set_error(err, "%s: cannot reach the iSCSI portal %s: %s%s", who, portal, strerror(e),
                     e == ETIMEDOUT ? " (after 3 s)" : "");
    free(portal);
    return e ? VR_ERR_FAILED : VR_OK;
}

/* libiscsi's last error on one line (some end in a newline); a buffer of
 * the calling thread's own (pool-start's check runs in a worker). */
static const char *why_of(struct iscsi_context *ctx)
{
    static _Thread_local char line[512];
    snprintf(line, sizeof(line), "%s", ctx ? dl.iscsi_get_error(ctx) : "no libiscsi context");
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    vr_str_trim(line);
    return line;
}

/* The CHAP password from the pool's secret (NUL-terminated). */
static vr_err chap_password(vr_pool *p, char **pw, char **err)
{
    const vr_pool_source *s = &p->def->source;
    vr_storage_driver *drv = p->drv;
    if (!drv->secret_fn) {
        vr_set_error(err, "pool '%s': no secret store to take the CHAP password from", p->def->name);
        return VR_ERR_FAILED;
    }
    size_t len = 0;
    unsigned char *v = NULL;
    char *e = NULL;
    vr_err code = drv->secret_fn(s->secret_uuid, s->secret_usage, &v, &len, &e, drv->secret_opaque);
    if (code) {
        vr_set_error(err, "pool '%s': CHAP: %s", p->def->name, e);
        free(e);
        return code;
    }
    *pw = (char *)v; /* the store ends every value with a NUL */
    return VR_OK;
}

static void pw_free(char *pw)
{
    if (pw) {
        explicit_bzero(pw, strlen(pw));
        free(pw);
    }
}

/* Connect and log in with the definition and the CHAP password (NULL:
 * none) alone, so that a worker thread can run it; NULL with *err. */
static struct iscsi_context *login_def(const vr_pool_def *def, const char *pw, vr_err *code, char **err)
{
    const vr_pool_source *s = &def->source;
    char *portal = vr_iscsi_portal(s->host, s->port);
    struct iscsi_context *ctx = NULL;
    char *who = vr_asprintf("pool '%s'", def->name);
    *code = vr_dlib_load(&dl_lib, err) ? vr_iscsi_reach(s->host, s->port, who, err) : VR_ERR_FAILED;
    free(who);
    if (*code)
        goto out;
    ctx = dl.iscsi_create_context(s->initiator);
    if (!ctx) {
        vr_set_error(err, "pool '%s': libiscsi cannot make a context", def->name);
        *code = VR_ERR_FAILED;
        goto out;
    }
    dl.iscsi_set_targetname(ctx, s->device);
    dl.iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
    dl.iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C);
    dl.iscsi_set_timeout(ctx, ISCSI_TIMEOUT_S);
    if (pw)
        dl.iscsi_set_initiator_username_pwd(ctx, s->auth_user, pw);
    if (dl.iscsi_connect_sync(ctx, portal) != 0 || dl.iscsi_login_sync(ctx) != 0) {
        const char *why = why_of(ctx);
        bool auth = strstr(why, "uthentication") || strstr(why, "CHAP");
        vr_set_error(err, "pool '%s': login to %s at %s refused: %s%s", def->name, s->device, portal, why,
                     auth ? s->auth_user ? " (check the CHAP user and the value of its secret)"
                                         : " (the target wants CHAP: <auth type='chap'>)"
                          : "");
        *code = auth ? VR_ERR_DENIED : VR_ERR_FAILED;
        dl.iscsi_destroy_context(ctx);
        ctx = NULL;
    }
out:
    free(portal);
    return ctx;
}

static struct iscsi_context *login(vr_pool *p, vr_err *code, char **err)
{
    char *pw = NULL;
    if (p->def->source.auth_user && (*code = chap_password(p, &pw, err)))
        return NULL;
    struct iscsi_context *ctx = login_def(p->def, pw, code, err);
    pw_free(pw);
    return ctx;
}

static void logout(struct iscsi_context *ctx)
{
    dl.iscsi_logout_sync(ctx);
    dl.iscsi_destroy_context(ctx);
}

static bool is_disk(struct iscsi_context *ctx, int lun)
{
    struct scsi_task *t = dl.iscsi_inquiry_sync(ctx, lun, 0, 0, 64);
    struct scsi_inquiry_standard *inq = t && t->status == SCSI_STATUS_GOOD ? dl.scsi_datain_unmarshall(t) : NULL;
    bool disk = inq && inq->qualifier == SCSI_INQUIRY_PERIPHERAL_QUALIFIER_CONNECTED &&
                inq->device_type == SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS;
    if (t)
        dl.scsi_free_scsi_task(t);
    return disk;
}

/* READ CAPACITY(16), or (10) for targets without it: the size in bytes
 * and (block: optional) of one block. A fresh session first gets a
 * UNIT ATTENTION: TEST UNIT READY takes it. */
static unsigned long long geometry_of(struct iscsi_context *ctx, int lun, uint32_t *block)
{
    struct scsi_task *t = dl.iscsi_testunitready_sync(ctx, lun);
    if (t)
        dl.scsi_free_scsi_task(t);
    t = dl.iscsi_readcapacity16_sync(ctx, lun);
    struct scsi_readcapacity16 *rc = t && t->status == SCSI_STATUS_GOOD ? dl.scsi_datain_unmarshall(t) : NULL;
    unsigned long long bytes = rc ? (rc->returned_lba + 1) * rc->block_length : 0;
    uint32_t bl = rc ? rc->block_length : 0;
    if (t)
        dl.scsi_free_scsi_task(t);
    if (!bytes) {
        t = dl.iscsi_readcapacity10_sync(ctx, lun, 0, 0);
        struct scsi_readcapacity10 *r10 = t && t->status == SCSI_STATUS_GOOD ? dl.scsi_datain_unmarshall(t) : NULL;
        bytes = r10 ? ((unsigned long long)r10->lba + 1) * r10->block_size : 0;
        bl = r10 ? r10->block_size : 0;
        if (t)
            dl.scsi_free_scsi_task(t);
    }
    if (block)
        *block = bl;
    return bytes;
}

static unsigned long long capacity_of(struct iscsi_context *ctx, int lun) { return geometry_of(ctx, lun, NULL); }

/* How QEMU and clients name a LUN: iscsi://HOST:PORT/IQN/LUN. */
static char *lun_url(const vr_pool *p, int lun)
{
    char *portal = portal_of(p);
    char *u = vr_asprintf("iscsi://%s/%s/%d", portal, p->def->source.device, lun);
    free(portal);
    return u;
}

/* REPORT LUNS; NULL with *err (the task is freed, the session ended). */
static struct scsi_reportluns_list *report_luns(struct iscsi_context *ctx, const vr_pool_def *def,
                                                struct scsi_task **task, char **err)
{
    struct scsi_task *t = dl.iscsi_reportluns_sync(ctx, 0, 16384);
    struct scsi_reportluns_list *list = t && t->status == SCSI_STATUS_GOOD ? dl.scsi_datain_unmarshall(t) : NULL;
    if (!list) {
        vr_set_error(err, "pool '%s': REPORT LUNS failed on %s: %s", def->name, def->source.device, why_of(ctx));
        if (t)
            dl.scsi_free_scsi_task(t);
        logout(ctx);
    }
    *task = t;
    return list;
}

static vr_err luns(vr_pool *p, vr_vol_info **out, size_t *n, bool users, char **err)
{
    vr_err code;
    struct iscsi_context *ctx = login(p, &code, err);
    if (!ctx)
        return code;
    struct scsi_task *t;
    struct scsi_reportluns_list *list = report_luns(ctx, p->def, &t, err);
    if (!list)
        return VR_ERR_FAILED;
    vr_vol_info *vols = NULL;
    size_t count = 0;
    for (uint32_t i = 0; i < list->num; i++) {
        int lun = list->luns[i];
        if (!is_disk(ctx, lun))
            continue; /* the target's controller (LUN 0 on tgt), tapes ... */
        vols = vr_realloc(vols, (count + 1) * sizeof(*vols));
        vr_vol_info *v = &vols[count++];
        memset(v, 0, sizeof(*v));
        v->name = vr_asprintf("unit:0:0:%d", lun);
        v->pool = vr_strdup(p->def->name);
        v->path = lun_url(p, lun);
        v->format = VR_VOL_RAW;
        v->block = true;
        v->capacity = v->allocation = capacity_of(ctx, lun);
        v->used_by = users ? vr_storage_user_of(p->drv, v->path) : NULL;
    }
    dl.scsi_free_scsi_task(t);
    logout(ctx);
    *out = vols;
    *n = count;
    return VR_OK;
}

static vr_err iscsi_list(vr_pool *p, vr_vol_info **out, size_t *n, char **err)
{
    return luns(p, out, n, true, err);
}

static bool iscsi_describe(vr_pool *p, const char *name, vr_vol_info *v, bool users)
{
    vr_vol_info *list = NULL;
    size_t n = 0;
    char *e = NULL;
    if (luns(p, &list, &n, users, &e)) {
        vr_log_warn("%s", e);
        free(e);
        return false;
    }
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (!found && strcmp(list[i].name, name) == 0) {
            *v = list[i];
            memset(&list[i], 0, sizeof(list[i]));
            found = true;
        }
    }
    vr_vol_info_list_free(list, n);
    return found;
}

static vr_err iscsi_check(vr_pool *p, char **err)
{
    (void)p;
    (void)err;
    return VR_OK; /* every listing logs in, and says what fails */
}

/* pool-start: the portal answers, the login works, the LUNs list. At
 * the daemon's start the secret store is wired after the pools load: a
 * CHAP pool then starts unchecked, and its first listing says what
 * fails. */
static vr_err iscsi_start(vr_pool *p, char **err)
{
    if (p->def->source.auth_user && !p->drv->secret_fn) {
        vr_log_info("pool %s: started; the login to %s is checked at its first use", p->def->name,
                    p->def->source.device);
        return VR_OK;
    }
    vr_vol_info *list = NULL;
    size_t n = 0;
    vr_err e = luns(p, &list, &n, false, err);
    vr_vol_info_list_free(list, n);
    return e;
}

/* pool-start's check beside the loop: the same login and REPORT LUNS
 * as iscsi_start, on what storage_driver.c copied for the worker. */
static vr_err iscsi_check_run(const vr_pool_def *def, const unsigned char *secret, size_t len, char **err)
{
    (void)len;
    if (def->source.auth_user && !secret)
        return VR_OK; /* the daemon's own start: see iscsi_start */
    vr_err code;
    struct iscsi_context *ctx = login_def(def, (const char *)secret, &code, err);
    if (!ctx)
        return code;
    struct scsi_task *t;
    if (!report_luns(ctx, def, &t, err))
        return VR_ERR_FAILED;
    dl.scsi_free_scsi_task(t);
    logout(ctx);
    return VR_OK;
}

static vr_err nothing(vr_pool *p, char **err)
{
    (void)p;
    (void)err;
    return VR_OK;
}

static vr_err iscsi_build(vr_pool *p, unsigned flags, char **err)
{
    (void)flags;
    return nothing(p, err); /* as libvirt: the target is made on the storage side */
}

static vr_err on_target(vr_pool *p, const char *what, const char *name, char **err)
{
    vr_set_error(err, "pool '%s' is an iscsi-direct pool: LUNs are %s on the target (%s), not by Vireo%s%s",
                 p->def->name, what, p->def->source.device, name ? "; volume " : "", name ? name : "");
    return VR_ERR_INVALID;
}

static vr_err iscsi_remove(vr_pool *p, char **err) { return on_target(p, "removed", NULL, err); }

static vr_err iscsi_create_vol(vr_pool *p, const vr_vol_def *def, const char *backing, char **err)
{
    (void)backing;
    return on_target(p, "made", def->name, err);
}

static vr_err iscsi_delete_vol(vr_pool *p, const vr_vol_info *v, char **err)
{
    return on_target(p, "removed", v->name, err);
}

static vr_err iscsi_resize_vol(vr_pool *p, const vr_vol_info *v, unsigned long long capacity, bool shrink,
                               char **err)
{
    (void)capacity;
    (void)shrink;
    return on_target(p, "resized", v->name, err);
}

static void iscsi_stats(vr_pool *p, vr_pool_stats *st, size_t *n_volumes)
{
    vr_vol_info *list = NULL;
    size_t n = 0;
    char *e = NULL;
    if (luns(p, &list, &n, false, &e)) {
        free(e);
        return;
    }
    for (size_t i = 0; i < n; i++)
        st->capacity += list[i].capacity;
    st->allocation = st->capacity;
    if (n_volumes)
        *n_volumes = n;
    vr_vol_info_list_free(list, n);
}

/* The pool's CHAP password in RUNTIME/storage/POOL.chap (0600), for
 * QEMU's -object secret,file=. Removed when the pool stops. */
static char *chap_file(const vr_pool *p)
{
    return vr_asprintf("%s/%s.chap", p->drv->runtime_dir, p->def->name);
}

/* The CHAP password written to chap_file (*file: its path), or *file
 * NULL when the pool logs in without CHAP. */
static vr_err write_chap_file(vr_pool *p, char **file, char **err)
{
    *file = NULL;
    if (!p->def->source.auth_user)
        return VR_OK;
    char *pw = NULL;
    vr_err e = chap_password(p, &pw, err);
    if (e)
        return e;
    char *path = chap_file(p);
    int rc = vr_storage_write_secret(p->drv, path, pw, strlen(pw));
    pw_free(pw);
    if (rc < 0) {
        vr_set_error(err, "pool '%s': cannot write %s: %s", p->def->name, path, strerror(-rc));
        free(path);
        return VR_ERR_FAILED;
    }
    *file = path;
    return VR_OK;
}

static vr_err iscsi_qemu_path(vr_pool *p, const vr_vol_info *v, char **out, char **err)
{
    const vr_pool_source *s = &p->def->source;
    char *file = NULL;
    vr_err e = write_chap_file(p, &file, err);
    if (e)
        return e;
    if (!file)
        *out = vr_asprintf("%s?initiator-name=%s", v->path, s->initiator);
    else
        *out = vr_asprintf("%s?initiator-name=%s&user=%s&password-file=%s", v->path, s->initiator, s->auth_user,
                           file);
    free(file);
    return VR_OK;
}

vr_err vr_iscsi_img_opts(vr_pool *p, const vr_vol_info *v, const char *secret_id, char **opts, char **pw_file,
                         char **err)
{
    const vr_pool_source *s = &p->def->source;
    vr_err e = write_chap_file(p, pw_file, err);
    if (e)
        return e;
    const char *lun = strrchr(v->path, '/');
    char *portal = portal_of(p);
    char *auth = *pw_file ? vr_asprintf(",file.user=%s,file.password-secret=%s", s->auth_user, secret_id)
                          : vr_strdup("");
    *opts = vr_asprintf("driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=%s,file.target=%s,"
                        "file.lun=%s,file.initiator-name=%s%s",
                        portal, s->device, lun ? lun + 1 : "0", s->initiator, auth);
    free(auth);
    free(portal);
    return VR_OK;
}

static vr_err iscsi_stop(vr_pool *p, char **err)
{
    (void)err;
    char *file = chap_file(p);
    unlink(file);
    free(file);
    return VR_OK;
}

vr_err vr_iscsi_discover(const char *host, unsigned port, const char *initiator, char ***iqns, size_t *n,
                         char **err)
{
    *iqns = NULL;
    *n = 0;
    if (!vr_dlib_load(&dl_lib, err))
        return VR_ERR_FAILED;
    vr_err e = vr_iscsi_reach(host, port, "find-storage-pool-sources", err);
    if (e)
        return e;
    char *portal = vr_iscsi_portal(host, port);
    struct iscsi_context *ctx = dl.iscsi_create_context(initiator);
    struct iscsi_discovery_address *da = NULL;
    if (ctx) {
        dl.iscsi_set_session_type(ctx, ISCSI_SESSION_DISCOVERY);
        dl.iscsi_set_timeout(ctx, ISCSI_TIMEOUT_S);
    }
    if (!ctx || dl.iscsi_connect_sync(ctx, portal) != 0 || dl.iscsi_login_sync(ctx) != 0 ||
        !(da = dl.iscsi_discovery_sync(ctx))) {
        vr_set_error(err, "find-storage-pool-sources: SendTargets discovery on %s failed: %s", portal,
                     why_of(ctx));
        e = VR_ERR_FAILED;
    }
    for (struct iscsi_discovery_address *a = da; a; a = a->next) {
        *iqns = vr_realloc(*iqns, (*n + 1) * sizeof(**iqns));
        (*iqns)[(*n)++] = vr_strdup(a->target_name);
    }
    if (da)
        dl.iscsi_free_discovery_data(ctx, da);
    if (ctx) {
        if (!e)
            dl.iscsi_logout_sync(ctx);
        dl.iscsi_destroy_context(ctx);
    }
    free(portal);
    return e;
}

/* vol-upload and vol-download of a LUN: READ(16) and WRITE(16) through
 * libiscsi's synchronous calls, in whole blocks. A download reads from
 * offset 0 in chunks; an upload's bytes come in whatever sizes the
 * client sends, in order, so the part of a block not yet complete waits
 * in `tail` and is written once the block fills, or at the end over the
 * LUN's own bytes (read, merged, written). */
typedef struct {
    vr_vol_io io; /* first: the pointer to it is the pointer to this */
    struct iscsi_context *ctx;
    int lun;
    uint32_t block;
    unsigned char *tail;      /* one block */
    size_t tail_len;          /* bytes of it held */
    unsigned long long tail_off; /* the block's offset (aligned) */
} lun_io;

static int lun_rw(lun_io *l, bool write, unsigned char *buf, size_t n, unsigned long long off)
{
    struct scsi_task *t = write ? dl.iscsi_write16_sync(l->ctx, l->lun, off / l->block, buf, (uint32_t)n, (int)l->block,
                                                     0, 0, 0, 0, 0)
                                : dl.iscsi_read16_sync(l->ctx, l->lun, off / l->block, (uint32_t)n, (int)l->block, 0, 0,
                                                    0, 0, 0);
    bool ok = t && t->status == SCSI_STATUS_GOOD && (write || t->datain.size >= (int)n);
    if (ok && !write)
        memcpy(buf, t->datain.data, n);
    if (t)
        dl.scsi_free_scsi_task(t);
    if (!ok)
        vr_log_warn("iscsi: %s of %zu bytes at %llu failed: %s", write ? "WRITE(16)" : "READ(16)", n, off,
                    dl.iscsi_get_error(l->ctx));
    return ok ? 0 : -EIO;
}

static ssize_t lun_pread(vr_vol_io *io, void *buf, size_t n, unsigned long long off)
{
    lun_io *l = (lun_io *)io;
    if (off % l->block || n % l->block)
        return -EINVAL; /* the transfer reads whole chunks from 0 */
    int rc = lun_rw(l, false, buf, n, off);
    return rc < 0 ? rc : (ssize_t)n;
}

static ssize_t lun_pwrite(vr_vol_io *io, const void *buf, size_t n, unsigned long long off)
{
    lun_io *l = (lun_io *)io;
    const unsigned char *b = buf;
    size_t left = n;
    if (off != l->tail_off + l->tail_len)
        return -EINVAL; /* an upload writes in order */
    /* Fill the waiting block first. */
    if (l->tail_len) {
        size_t take = l->block - l->tail_len < left ? l->block - l->tail_len : left;
        memcpy(l->tail + l->tail_len, b, take);
        l->tail_len += take;
        b += take;
        left -= take;
        if (l->tail_len < l->block)
            return (ssize_t)n;
        int rc = lun_rw(l, true, l->tail, l->block, l->tail_off);
        if (rc < 0)
            return rc;
        l->tail_off += l->block;
        l->tail_len = 0;
    }
    size_t whole = left - left % l->block;
    if (whole) {
        int rc = lun_rw(l, true, (unsigned char *)b, whole, l->tail_off);
        if (rc < 0)
            return rc;
        l->tail_off += whole;
    }
    memcpy(l->tail, b + whole, left - whole);
    l->tail_len = left - whole;
    return (ssize_t)n;
}

static int lun_zero(vr_vol_io *io, unsigned long long off, unsigned long long n)
{
    static const unsigned char zeros[64 * 1024];
    while (n) {
        size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
        ssize_t w = lun_pwrite(io, zeros, k, off);
        if (w < 0)
            return (int)w;
        off += k;
        n -= k;
    }
    return 0;
}

/* The end of an upload: a last partial block over the LUN's own bytes. */
static int lun_flush(vr_vol_io *io)
{
    lun_io *l = (lun_io *)io;
    if (l->tail_len) {
        unsigned char *old = vr_malloc(l->block);
        int rc = lun_rw(l, false, old, l->block, l->tail_off);
        if (rc == 0) {
            memcpy(old, l->tail, l->tail_len);
            rc = lun_rw(l, true, old, l->block, l->tail_off);
        }
        free(old);
        if (rc < 0)
            return rc;
        l->tail_off += l->block;
        l->tail_len = 0;
    }
    struct scsi_task *t = dl.iscsi_synchronizecache16_sync(l->ctx, l->lun, 0, 0, 0, 0);
    if (t)
        dl.scsi_free_scsi_task(t);
    return 0;
}

static void lun_close(vr_vol_io *io)
{
    lun_io *l = (lun_io *)io;
    logout(l->ctx);
    free(l->tail);
    free(l);
}

static vr_vol_io *iscsi_open_io(vr_pool *p, const vr_vol_info *v, bool write, char **err)
{
    (void)write;
    const char *slash = strrchr(v->path, '/');
    vr_err code = VR_OK;
    struct iscsi_context *ctx = login(p, &code, err);
    if (!ctx)
        return NULL;
    lun_io *l = vr_calloc(1, sizeof(*l));
    l->io = (vr_vol_io){lun_pread, lun_pwrite, lun_zero, lun_flush, lun_close};
    l->ctx = ctx;
    l->lun = slash ? atoi(slash + 1) : 0;
    if (!geometry_of(ctx, l->lun, &l->block) || !l->block || l->block > 65536) {
        vr_set_error(err, "pool '%s': LUN %d of %s answers no usable capacity", p->def->name, l->lun,
                     p->def->source.device);
        logout(ctx);
        free(l);
        return NULL;
    }
    l->tail = vr_malloc(l->block);
    return &l->io;
}

const vr_pool_backend vr_backend_iscsi_direct = {
    .files = false,
    .check = iscsi_check,
    .build = iscsi_build,
    .start = iscsi_start,
    .stop = iscsi_stop,
    .remove = iscsi_remove,
    .stats = iscsi_stats,
    .list = iscsi_list,
    .describe = iscsi_describe,
    .create_vol = iscsi_create_vol,
    .delete_vol = iscsi_delete_vol,
    .resize_vol = iscsi_resize_vol,
    .qemu_path = iscsi_qemu_path,
    .open_io = iscsi_open_io,
    .check_run = iscsi_check_run,
};
