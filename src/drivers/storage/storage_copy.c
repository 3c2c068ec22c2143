/* Copies: `qemu-img convert -p` beside the event loop into a hidden
 * temporary, renamed into place when it succeeded. While one runs, its
 * source and destination are busy: neither can be deleted, and no
 * volume can be created under the destination's name. */
#include "drivers/storage/storage_backend.h"
#include "drivers/storage/storage_img.h"
#include "conf/names.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vr_storage_copy {
    vr_storage_driver *drv;
    vr_pool *pool;          /* the destination's pool, if any: kept busy */
    const char *made;       /* its refresh event's detail once the copy is in place */
    char *src, *dst, *tmp;
    vr_img_proc *proc;
    bool cancelled;
    bool in_place;          /* dst is a network image written in place: no temporary */
    char *dst_name;         /* ... and its volume's name in `pool` */
    /* A copy into a new RBD image first waits for the image, made beside
     * the loop (vr_storage_vol_create_async: the monitor may take
     * seconds): the pool it goes into, its source as spec holds it
     * (strings owned), and a creation that answered before the call
     * that asked for it returned (sync). */
    bool creating, sync, answered;
    vr_pool *into;
    vr_copy_spec source;
    vr_err sync_code;
    char *sync_err;
    vr_copy_progress_fn progress;
    vr_copy_done_fn done;
    void *opaque;
};

static vr_pool *pool_of(vr_storage_driver *drv, const char *path)
{
    size_t n_pools;
    vr_pool *const *pools = vr_storage_pools(drv, &n_pools);
    for (size_t i = 0; i < n_pools; i++) {
        const char *dir = pools[i]->def->target_path;
        if (!dir)
            continue; /* iscsi-direct: no directory */
        size_t len = strlen(dir);
        if (strncmp(path, dir, len) == 0 && path[len] == '/' && !strchr(path + len + 1, '/'))
            return pools[i];
    }
    return NULL;
}

/* A new file in a pool is a refresh event of that pool, named by the
 * file's name (a volume's name is its file name). */
static void announce_volume(vr_pool *p, const char *detail, const char *volume)
{
    if (p)
        vr_storage_emit(p, "refresh", detail, volume);
}

static void announce(vr_pool *p, const char *detail, const char *path)
{
    announce_volume(p, detail, strrchr(path, '/') + 1);
}

/* Remove an RBD image made for a copy that did not happen. */
static void drop_image(vr_pool *p, const char *name)
{
    char *err = NULL;
    if (vr_pool_backend_of(p)->delete_vol(p, &(vr_vol_info){.name = (char *)name}, &err))
        vr_log_warn("storage: %s", err);
    free(err);
}

static void on_progress(double pct, void *opaque)
{
    vr_storage_copy *c = opaque;
    if (c->progress)
        c->progress(pct, c->opaque);
}

static void finish(vr_storage_copy *c, vr_err code, const char *err)
{
    vr_storage_busy_del(&c->drv->busy_src, &c->drv->n_src, c->src);
    vr_storage_busy_del(&c->drv->busy_dst, &c->drv->n_dst, c->dst);
    if (c->pool)
        c->pool->busy--;
    c->done(code, err, c->opaque);
    free(c->src);
    free(c->dst);
    free(c->tmp);
    free(c->dst_name);
    free(c);
}

static void on_exit_img(const char *err, void *opaque)
{
    vr_storage_copy *c = opaque;
    c->proc = NULL;
    if (err || c->cancelled) {
        if (c->tmp)
            unlink(c->tmp);
        if (c->in_place) /* the image made for the copy goes again */
            drop_image(c->pool, c->dst_name);
        char *msg = c->cancelled ? vr_asprintf("the copy of %s to %s was cancelled", c->src, c->dst)
                                 : vr_asprintf("cannot copy %s to %s: %s", c->src, c->dst, err);
        vr_log_warn("storage: %s", msg);
        finish(c, c->cancelled ? VR_ERR_CONFLICT : VR_ERR_FAILED, msg);
        free(msg);
        return;
    }
    char *cerr = NULL;
    if (c->in_place) {
        vr_log_info("storage: copied into %s/%s", c->pool->def->name, c->dst_name);
        announce_volume(c->pool, c->made, c->dst_name);
        if (c->progress)
            c->progress(100, c->opaque);
        finish(c, VR_OK, NULL);
        return;
    }
    chmod(c->tmp, 0600);
    if (vr_storage_commit(c->tmp, c->dst, false, &cerr) < 0) {
        finish(c, VR_ERR_CONFLICT, cerr);
        free(cerr);
        return;
    }
    vr_log_info("storage: copied %s to %s", c->src, c->dst);
    announce(c->pool, c->made, c->dst);
    if (c->progress)
        c->progress(100, c->opaque);
    finish(c, VR_OK, NULL);
}

/* qemu-img convert for c (its src, dst and tmp set) as spec says, beside
 * the loop; its source and destination busy and its pool held while it
 * runs. 0, or -1 with *err. */
static int copy_spawn(vr_storage_copy *c, const vr_copy_spec *spec, char **err)
{
    vr_storage_driver *drv = c->drv;
    bool in_place = spec->dst_opts || spec->dst_made;
    char *tmp = c->tmp;
    /* A network image's key reaches qemu-img as a secret object read
     * from its 0600 file, never on the command line. */
    char *src_sec = spec->src_secret ? vr_asprintf("secret,id=sec-src,file=%s,format=%s", spec->src_secret,
                                                   spec->src_secret_raw ? "raw" : "base64")
                                     : NULL;
    char *dst_sec = spec->dst_secret ? vr_asprintf("secret,id=sec-dst,file=%s,format=base64", spec->dst_secret) : NULL;
    const char *argv[24];
    size_t a = 0;
    argv[a++] = "qemu-img";
    argv[a++] = "convert";
    argv[a++] = "-p";
    if (spec->force_share)
        argv[a++] = "-U";
    if (src_sec) {
        argv[a++] = "--object";
        argv[a++] = src_sec;
    }
    if (dst_sec) {
        argv[a++] = "--object";
        argv[a++] = dst_sec;
    }
    if (spec->src_opts) {
        argv[a++] = "--image-opts";
    } else {
        argv[a++] = "-f";
        argv[a++] = spec->src_format == VR_VOL_QCOW2 ? "qcow2" : "raw";
    }
    if (spec->dst_opts) {
        argv[a++] = "-n";
        argv[a++] = "--target-image-opts";
    } else if (in_place) {
        argv[a++] = "-n";
        argv[a++] = "-O";
        argv[a++] = "raw";
    } else {
        argv[a++] = "-O";
        argv[a++] = spec->dst_format == VR_VOL_QCOW2 ? "qcow2" : "raw";
    }
    argv[a++] = c->src;
    argv[a++] = tmp ? tmp : c->dst;
    argv[a] = NULL;
    c->proc = vr_img_spawn(drv->base, (char *const *)argv, on_progress, on_exit_img, c, err);
    free(src_sec);
    free(dst_sec);
    if (!c->proc)
        return -1;
    vr_storage_busy_add(&drv->busy_src, &drv->n_src, spec->src);
    vr_storage_busy_add(&drv->busy_dst, &drv->n_dst, spec->dst);
    c->pool = spec->dst_pool ? spec->dst_pool : pool_of(drv, spec->dst);
    c->in_place = in_place;
    c->dst_name = spec->dst_name ? vr_strdup(spec->dst_name) : NULL;
    c->made = "volume-created";
    if (c->pool)
        c->pool->busy++;
    vr_log_info("storage: copying %s to %s", spec->src, spec->dst);
    return 0;
}

vr_storage_copy *vr_storage_copy_start(vr_storage_driver *drv, const vr_copy_spec *spec,
                                       vr_copy_progress_fn progress, vr_copy_done_fn done,
                                       void *opaque, vr_err *code, char **err)
{
    struct stat st;
    bool in_place = spec->dst_opts || spec->dst_made;
    if (spec->dst[0] != '/' && !spec->dst_opts) {
        vr_set_error(err, "the copy's destination %s must be an absolute path", spec->dst);
        *code = VR_ERR_INVALID;
        return NULL;
    }
    if ((!in_place && lstat(spec->dst, &st) == 0) ||
        vr_storage_busy_has(drv->busy_dst, drv->n_dst, spec->dst)) {
        vr_set_error(err, "%s already exists; Vireo never overwrites an image with a copy", spec->dst);
        *code = VR_ERR_CONFLICT;
        return NULL;
    }
    if (!spec->src_opts && access(spec->src, R_OK) < 0) {
        vr_set_error(err, "cannot read %s: %s", spec->src, strerror(errno));
        *code = VR_ERR_NOT_FOUND;
        return NULL;
    }
    char *tmp = in_place ? NULL : vr_storage_tmp_near(spec->dst, NULL, err);
    if (!tmp && !in_place) {
        *code = VR_ERR_FAILED;
        return NULL;
    }
    vr_storage_copy *c = vr_calloc(1, sizeof(*c));
    c->drv = drv;
    c->src = vr_strdup(spec->src);
    c->dst = vr_strdup(spec->dst);
    c->tmp = tmp;
    c->progress = progress;
    c->done = done;
    c->opaque = opaque;
    if (copy_spawn(c, spec, err) < 0) {
        if (tmp)
            unlink(tmp);
        free(c->src);
        free(c->dst);
        free(c->tmp);
        free(c);
        *code = VR_ERR_FAILED;
        return NULL;
    }
    return c;
}

void vr_storage_copy_cancel(vr_storage_copy *c)
{
    if (c->creating) {
        c->cancelled = true; /* the image goes once it is made */
        return;
    }
    if (c->proc && !c->cancelled) {
        c->cancelled = true;
        vr_img_kill(c->proc);
    }
}

static void on_cloned_now(evutil_socket_t fd, short what, void *opaque)
{
    (void)fd;
    (void)what;
    vr_storage_copy *c = opaque;
    announce_volume(c->pool, c->made, c->dst);
    if (c->progress)
        c->progress(100, c->opaque);
    finish(c, VR_OK, NULL);
}

/* rbd: a Ceph clone (snapshot, protect, clone) is made at once; its job
 * ends on the loop's next turn, as a copy's would, so the caller holds
 * the job before it finishes. */
static vr_storage_copy *rbd_clone_job(vr_pool *p, const char *name, const char *new_name,
                                      vr_copy_progress_fn progress, vr_copy_done_fn done, void *opaque,
                                      vr_err *code, char **err)
{
    if ((*code = vr_rbd_clone(p, name, new_name, err)))
        return NULL;
    vr_storage_copy *c = vr_calloc(1, sizeof(*c));
    c->drv = p->drv;
    c->pool = p;
    p->busy++;
    c->made = "volume-cloned";
    c->src = vr_strdup(name);
    c->dst = vr_strdup(new_name);
    c->progress = progress;
    c->done = done;
    c->opaque = opaque;
    event_base_once(p->drv->base, -1, EV_TIMEOUT, on_cloned_now, c, NULL);
    return c;
}

vr_storage_copy *vr_storage_vol_clone(vr_pool *p, const char *name, const char *new_name,
                                      vr_copy_progress_fn progress, vr_copy_done_fn done,
                                      void *opaque, vr_err *code, char **err)
{
    vr_vol_info v;
    char *dst = NULL;
    if ((*code = vr_storage_vol_get(p, name, &v, err)))
        return NULL;
    if (p->def->type == VR_POOL_RBD) {
        vr_storage_copy *c = NULL;
        if (v.used_by) {
            vr_set_error(err, "volume '%s' is in use by running domain '%s'; a clone now would not be "
                              "consistent (shut it down first)", name, v.used_by);
            *code = VR_ERR_CONFLICT;
        } else {
            c = rbd_clone_job(p, name, new_name, progress, done, opaque, code, err);
        }
        vr_vol_info_clear(&v);
        return c;
    }
    if ((*code = vr_pool_vol_path(p, new_name, &dst, err))) {
        vr_vol_info_clear(&v);
        return NULL;
    }
    vr_storage_copy *c = NULL;
    if (v.used_by && v.format != VR_VOL_ISO) {
        vr_set_error(err, "volume '%s' is in use by running domain '%s'; a copy now would not be "
                          "consistent (shut it down, or pause it and use vireo clone)", name, v.used_by);
        *code = VR_ERR_CONFLICT;
    } else {
        struct stat st;
        if (lstat(dst, &st) == 0 || vr_storage_busy_has(p->drv->busy_dst, p->drv->n_dst, dst)) {
            vr_set_error(err, "volume '%s' already exists in pool '%s'", new_name, p->def->name);
            *code = VR_ERR_CONFLICT;
        } else {
            vr_vol_format f = v.format == VR_VOL_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW;
            vr_copy_spec spec = {.src = v.path, .src_format = f, .dst = dst, .dst_format = f};
            c = vr_storage_copy_start(p->drv, &spec, progress, done, opaque, code, err);
            if (c)
                c->made = "volume-cloned";
        }
    }
    free(dst);
    vr_vol_info_clear(&v);
    return c;
}

vr_err vr_storage_overlay(vr_storage_driver *drv, const char *backing, vr_vol_format backing_format,
                          const char *dst, char **err)
{
    struct stat st;
    if (lstat(dst, &st) == 0 || vr_storage_busy_has(drv->busy_dst, drv->n_dst, dst)) {
        vr_set_error(err, "%s already exists; Vireo never overwrites an image", dst);
        return VR_ERR_CONFLICT;
    }
    char *tmp = vr_storage_tmp_near(dst, NULL, err);
    if (!tmp)
        return VR_ERR_FAILED;
    const char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", "-b", backing, "-F",
                          backing_format == VR_VOL_QCOW2 ? "qcow2" : "raw", tmp, NULL};
    char *ierr = NULL;
    vr_err e = VR_OK;
    if (vr_img_run((char *const *)argv, NULL, &ierr) < 0) {
        vr_set_error(err, "cannot create an overlay of %s: %s", backing, ierr);
        free(ierr);
        unlink(tmp);
        e = VR_ERR_FAILED;
    } else if (vr_storage_commit(tmp, dst, false, err) < 0) {
        e = VR_ERR_CONFLICT;
    } else {
        announce(pool_of(drv, dst), "volume-created", dst);
    }
    free(tmp);
    return e;
}

/* The copy's source: a local file or /dev node as it is, an RBD image or
 * an iSCSI LUN as qemu-img's option string with its key file. */
static vr_err clone_source(vr_pool *p, const vr_vol_info *v, vr_copy_spec *spec, char **opts, char **key,
                           char **err)
{
    bool lun = p->def->type == VR_POOL_ISCSI_DIRECT;
    if (p->def->type != VR_POOL_RBD && !lun) {
        spec->src = v->path;
        spec->src_format = v->format == VR_VOL_QCOW2 ? VR_VOL_QCOW2 : VR_VOL_RAW;
        return VR_OK;
    }
    vr_err e = lun ? vr_iscsi_img_opts(p, v, "sec-src", opts, key, err)
                   : vr_rbd_img_opts(p, v->name, "sec-src", opts, key, err);
    spec->src_secret_raw = lun;
    spec->src = *opts;
    spec->src_opts = true;
    spec->src_secret = *key;
    spec->src_format = VR_VOL_RAW;
    return e;
}

/* The copy's destination: a new file of a dir/fs pool (the source's
 * format), or a new disk partition of (at least) the source's size, made
 * now and written in place (a new RBD image: clone_into_rbd). */
static vr_err clone_dest(vr_pool *dst, const char *new_name, const vr_vol_info *v, vr_copy_spec *spec,
                         char **target, char **err)
{
    if (dst->def->type != VR_POOL_DISK) {
        spec->dst_format = spec->src_format;
        return vr_pool_vol_path(dst, new_name, target, err);
    }
    vr_vol_info there;
    if (vr_pool_backend_of(dst)->describe(dst, new_name, &there, false)) {
        vr_vol_info_clear(&there);
        vr_set_error(err, "volume '%s' already exists in pool '%s'", new_name, dst->def->name);
        return VR_ERR_CONFLICT;
    }
    vr_vol_def def = {.name = (char *)new_name, .capacity = v->capacity, .format = VR_VOL_RAW, .mode = -1};
    vr_err e = vr_pool_backend_of(dst)->create_vol(dst, &def, NULL, err);
    if (!e) {
        if (vr_pool_backend_of(dst)->describe(dst, new_name, &there, false)) {
            *target = vr_strdup(there.path);
            vr_vol_info_clear(&there);
        } else {
            vr_set_error(err, "pool '%s': the new partition '%s' is not in the table read back", dst->def->name,
                         new_name);
            drop_image(dst, new_name);
            e = VR_ERR_FAILED;
        }
    }
    spec->dst_format = VR_VOL_RAW;
    spec->dst_made = true;
    spec->dst_pool = dst;
    spec->dst_name = new_name;
    return e;
}

/* The end of a copy into RBD that never started: the image made for it
 * goes again (made), the caller hears why; c freed. */
static void rbd_copy_fail(vr_storage_copy *c, bool made, vr_err code, const char *err)
{
    if (made)
        drop_image(c->into, c->dst_name);
    vr_log_warn("storage: the copy of %s into %s/%s: %s", c->source.src, c->into->def->name, c->dst_name, err);
    c->done(code, err, c->opaque);
    free((char *)c->source.src);
    free((char *)c->source.src_secret);
    free(c->dst_name);
    free(c);
}

/* The image is there (code VR_OK): write it in place, from the source
 * kept in c. */
static void rbd_copy_made(vr_storage_copy *c, vr_err code, const char *err)
{
    c->creating = false;
    vr_storage_busy_del(&c->drv->busy_src, &c->drv->n_src, c->source.src);
    char *target = NULL, *key = NULL, *e = NULL;
    if (code != VR_OK) {
        rbd_copy_fail(c, false, code, err);
        return;
    }
    if (c->cancelled) {
        e = vr_asprintf("the copy of %s into %s/%s was cancelled", c->source.src, c->into->def->name, c->dst_name);
        rbd_copy_fail(c, true, VR_ERR_CONFLICT, e);
    } else if ((code = vr_rbd_img_opts(c->into, c->dst_name, "sec-dst", &target, &key, &e))) {
        rbd_copy_fail(c, true, code, e);
    } else {
        vr_copy_spec spec = c->source;
        spec.dst = target;
        spec.dst_format = VR_VOL_RAW;
        spec.dst_opts = true;
        spec.dst_secret = key;
        spec.dst_pool = c->into;
        spec.dst_name = c->dst_name;
        char *name = c->dst_name;
        c->dst_name = NULL; /* copy_spawn sets its own */
        c->src = vr_strdup(spec.src);
        c->dst = vr_strdup(target);
        if (copy_spawn(c, &spec, &e) < 0) {
            free(c->src);
            free(c->dst);
            c->src = c->dst = NULL;
            c->dst_name = name;
            rbd_copy_fail(c, true, VR_ERR_FAILED, e);
        } else {
            c->made = "volume-cloned";
            free((char *)c->source.src);
            free((char *)c->source.src_secret);
            free(name);
        }
    }
    free(target);
    free(key);
    free(e);
}

static void on_rbd_image(vr_err code, const char *err, const vr_vol_info *v, void *opaque)
{
    vr_storage_copy *c = opaque;
    (void)v;
    if (c->sync) { /* answered before vr_storage_vol_create_async returned */
        c->answered = true;
        c->sync_code = code;
        c->sync_err = err ? vr_strdup(err) : NULL;
        return;
    }
    rbd_copy_made(c, code, err);
}

/* A copy into a new raw RBD image of the source's size: the image is
 * made beside the event loop (a monitor that went mute keeps only this
 * copy waiting), then written in place. A creation refused at once is
 * answered here (NULL, *code, *err); a later failure through done. */
static vr_storage_copy *clone_into_rbd(vr_pool *dst, const char *new_name, const vr_vol_info *v,
                                       const vr_copy_spec *src, vr_copy_progress_fn progress, vr_copy_done_fn done,
                                       void *opaque, vr_err *code, char **err)
{
    vr_storage_copy *c = vr_calloc(1, sizeof(*c));
    *c = (vr_storage_copy){.drv = dst->drv, .into = dst, .dst_name = vr_strdup(new_name), .creating = true,
                           .sync = true, .progress = progress, .done = done, .opaque = opaque};
    c->source = (vr_copy_spec){.src = vr_strdup(src->src), .src_format = src->src_format, .src_opts = src->src_opts,
                               .src_secret = src->src_secret ? vr_strdup(src->src_secret) : NULL,
                               .src_secret_raw = src->src_secret_raw};
    vr_vol_def def = {.name = (char *)new_name, .capacity = v->capacity, .format = VR_VOL_RAW, .mode = -1};
    /* the source stays while the image is made (the copy marks it again) */
    vr_storage_busy_add(&c->drv->busy_src, &c->drv->n_src, c->source.src);
    vr_storage_vol_create_async(dst, &def, NULL, on_rbd_image, c);
    c->sync = false;
    if (!c->answered)
        return c;
    vr_storage_busy_del(&c->drv->busy_src, &c->drv->n_src, c->source.src);
    /* An rbd pool answers before it returns only when it refuses (a pool
     * not ready, a bad name, no worker). */
    *code = c->sync_code ? c->sync_code : VR_ERR_FAILED;
    *err = c->sync_err;
    free((char *)c->source.src);
    free((char *)c->source.src_secret);
    free(c->dst_name);
    free(c);
    return NULL;
}

vr_storage_copy *vr_storage_vol_clone_to(vr_pool *p, const char *name, vr_pool *dst, const char *new_name,
                                         vr_copy_progress_fn progress, vr_copy_done_fn done, void *opaque,
                                         vr_err *code, char **err)
{
    if (dst == p)
        return vr_storage_vol_clone(p, name, new_name, progress, done, opaque, code, err);
    /* Files, partitions, LUNs and RBD images can be read; files, new
     * partitions and RBD images written. LUNs are made on the target. */
    bool dst_ok = vr_pool_backend_of(dst)->files || dst->def->type == VR_POOL_RBD || dst->def->type == VR_POOL_DISK;
    if (!dst_ok) {
        vr_set_error(err, "copies from a %s pool into a %s pool are not supported (from dir, fs, disk, "
                          "iscsi-direct or rbd pools into dir, fs, disk or rbd pools; LUNs are made on the target)",
                     vr_pool_type_name(p->def->type), vr_pool_type_name(dst->def->type));
        *code = VR_ERR_UNSUPPORTED;
        return NULL;
    }
    if (!vr_name_check(VR_NAME_VOLUME, new_name, err) || (*code = vr_pool_ready(dst, err))) {
        if (!*code)
            *code = VR_ERR_INVALID;
        return NULL;
    }
    vr_vol_info v;
    if ((*code = vr_storage_vol_get(p, name, &v, err)))
        return NULL;
    vr_storage_copy *c = NULL;
    char *src_opts = NULL, *src_key = NULL, *target = NULL;
    vr_copy_spec spec = {0};
    if (v.used_by && v.format != VR_VOL_ISO) {
        vr_set_error(err, "volume '%s' is in use by running domain '%s'; a copy now would not be consistent "
                          "(shut it down first)", name, v.used_by);
        *code = VR_ERR_CONFLICT;
    } else if (!(*code = clone_source(p, &v, &spec, &src_opts, &src_key, err)) && dst->def->type == VR_POOL_RBD) {
        c = clone_into_rbd(dst, new_name, &v, &spec, progress, done, opaque, code, err);
    } else if (!*code && !(*code = clone_dest(dst, new_name, &v, &spec, &target, err))) {
        spec.dst = target;
        c = vr_storage_copy_start(p->drv, &spec, progress, done, opaque, code, err);
        if (c)
            c->made = "volume-cloned";
        else if (spec.dst_opts || spec.dst_made)
            drop_image(dst, new_name);
    }
    free(src_opts);
    free(src_key);
    free(target);
    vr_vol_info_clear(&v);
    return c;
}
