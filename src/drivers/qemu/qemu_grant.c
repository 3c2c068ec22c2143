/* Files handed to QEMU's own user, and given back. The system daemon
 * runs QEMU as vireo-qemu and chowns to it what a run writes: its run
 * directory, its writable disks, its NVRAM. Every QEMU of the host
 * shares that uid, so a file left with it after its domain stopped is
 * writable by every other guest's QEMU, and a user's image in their home
 * is no longer theirs. So each file's owner and mode before the hand-over
 * are remembered, and put back when the run ends, however it ends.
 *
 * Where the memory lives: RUNTIME/qemu/NAME/owners, beside the run's
 * other state, rather than in extended attributes on the files as
 * libvirt does (trusted.libvirt.security.dac and a reference count).
 * The run directory lives exactly as long as the run and is what a
 * restarted daemon re-adopts from already; xattrs need a filesystem that
 * keeps trusted.* (NFS does not), leave marks in users' files, and need a
 * count kept in step by hand. One event loop here knows every running
 * domain's records, so "another domain still uses it" is a look at
 * theirs. The file is JSON because paths may hold any byte but NUL. */
#include "drivers/qemu/qemu_domain.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OWNERS "owners"

struct vr_qemu_grant {
    char *path;
    dev_t dev;
    ino_t ino;
    uid_t uid; /* before the hand-over: what is given back */
    gid_t gid;
    mode_t mode; /* a chown by root drops set-user-ID: kept to restore */
    uid_t to_uid; /* QEMU's user then: given back only while it still owns it */
    gid_t to_gid;
};

/* A file handed over or given back is opened O_PATH: never for reading,
 * so a device node (a VFIO group, which one process at a time may open)
 * or a FIFO sees no open; its owner changes through the fd all the same. */
static int open_path(const char *path)
{
    return open(path, O_PATH | O_CLOEXEC);
}

/* fchmod refuses an O_PATH fd; its /proc/self/fd link does not. */
static int chmod_path(int fd, mode_t mode)
{
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    return chmod(proc, mode);
}

static void grants_free(struct vr_qemu_grant *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(g[i].path);
    free(g);
}

void vr_qemu_grants_clear(vr_domain *dom)
{
    grants_free(dom->grants, dom->n_grants);
    dom->grants = NULL;
    dom->n_grants = 0;
}

/* The running domain other than self that was also handed this file. */
static const vr_domain *held_elsewhere(const vr_qemu_driver *drv, const vr_domain *self, dev_t dev,
                                       ino_t ino, const struct vr_qemu_grant **rec)
{
    size_t n;
    vr_domain *const *doms = vr_qemu_domains(drv, &n);
    for (size_t i = 0; i < n; i++) {
        const vr_domain *d = doms[i];
        for (size_t k = 0; d != self && k < d->n_grants; k++) {
            if (d->grants[k].dev == dev && d->grants[k].ino == ino) {
                *rec = &d->grants[k];
                return d;
            }
        }
    }
    return NULL;
}

/* ---- the record on disk ---- */

static void add_num(json_object *o, const char *key, int64_t v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

static int save(const vr_domain *dom)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < dom->n_grants; i++) {
        const struct vr_qemu_grant *g = &dom->grants[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string(g->path));
        add_num(o, "dev", (int64_t)g->dev);
        add_num(o, "ino", (int64_t)g->ino);
        add_num(o, "uid", g->uid);
        add_num(o, "gid", g->gid);
        add_num(o, "mode", g->mode);
        add_num(o, "qemu_uid", g->to_uid);
        add_num(o, "qemu_gid", g->to_gid);
        json_object_array_add(a, o);
    }
    const char *s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *path = vr_asprintf("%s/" OWNERS, dom->runtime_dir);
    int rc = vr_file_write_atomic(path, s, strlen(s), 0600);
    free(path);
    json_object_put(a);
    return rc;
}

static bool get_num(json_object *o, const char *key, int64_t *out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    *out = json_object_get_int64(v);
    return true;
}

static bool parse_one(json_object *o, struct vr_qemu_grant *g)
{
    json_object *p = NULL;
    int64_t v[7];
    static const char *const keys[] = {"dev", "ino", "uid", "gid", "mode", "qemu_uid", "qemu_gid"};
    if (!json_object_object_get_ex(o, "path", &p) || !json_object_is_type(p, json_type_string))
        return false;
    for (size_t i = 0; i < VR_ARRAY_LEN(keys); i++)
        if (!get_num(o, keys[i], &v[i]))
            return false;
    *g = (struct vr_qemu_grant){.path = vr_strdup(json_object_get_string(p)), .dev = (dev_t)v[0],
                                .ino = (ino_t)v[1], .uid = (uid_t)v[2], .gid = (gid_t)v[3],
                                .mode = (mode_t)v[4], .to_uid = (uid_t)v[5], .to_gid = (gid_t)v[6]};
    return true;
}

/* The records of the run in DIR; none when it handed nothing over. */
static struct vr_qemu_grant *load(const char *dir, const char *name, size_t *n)
{
    *n = 0;
    char *path = vr_asprintf("%s/" OWNERS, dir);
    char *text = vr_file_read(path, NULL);
    if (!text) {
        if (errno != ENOENT)
            vr_log_warn("domain %s: cannot read %s: %s; the files QEMU's user was given stay its "
                        "own, chown them back by hand", name, path, strerror(errno));
        free(path);
        return NULL;
    }
    json_object *a = json_tokener_parse(text);
    struct vr_qemu_grant *g = NULL;
    if (!json_object_is_type(a, json_type_array)) {
        vr_log_warn("domain %s: %s is unreadable; the files QEMU's user was given stay its own, "
                    "chown them back by hand", name, path);
    } else if (json_object_array_length(a)) {
        size_t len = json_object_array_length(a);
        g = vr_calloc(len, sizeof(*g));
        for (size_t i = 0; i < len; i++) {
            if (parse_one(json_object_array_get_idx(a, i), &g[*n]))
                (*n)++;
            else
                vr_log_warn("domain %s: entry %zu of %s is unreadable; its file stays with QEMU's "
                            "user, chown it back by hand", name, i, path);
        }
    }
    json_object_put(a);
    free(text);
    free(path);
    return g;
}

void vr_qemu_grants_load(vr_domain *dom)
{
    vr_qemu_grants_clear(dom);
    dom->grants = load(dom->runtime_dir, dom->def->name, &dom->n_grants);
}

/* ---- hand over ---- */

/* Remember FD's file (once per run), write the record down, and only
 * then chown: a daemon that dies in between still knows the owner. A
 * file another running domain was handed already keeps that domain's
 * record of the owner, not QEMU's user it has now. */
static int hand_over(vr_domain *dom, const char *path, int fd, const char *what, char **err)
{
    const vr_qemu_identity *as = &dom->drv->qemu_as;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        vr_set_error(err, "cannot give %s %s to QEMU's user: %s", what, path, strerror(errno));
        return -1;
    }
    bool known = false;
    for (size_t i = 0; i < dom->n_grants && !known; i++)
        known = dom->grants[i].dev == st.st_dev && dom->grants[i].ino == st.st_ino;
    if (!known) {
        struct vr_qemu_grant g = {.path = vr_strdup(path), .dev = st.st_dev, .ino = st.st_ino,
                                  .uid = st.st_uid, .gid = st.st_gid, .mode = st.st_mode & 07777,
                                  .to_uid = as->uid, .to_gid = as->gid};
        const struct vr_qemu_grant *other = NULL;
        if (held_elsewhere(dom->drv, dom, st.st_dev, st.st_ino, &other)) {
            g.uid = other->uid;
            g.gid = other->gid;
            g.mode = other->mode;
        }
        dom->grants = vr_realloc(dom->grants, (dom->n_grants + 1) * sizeof(*dom->grants));
        dom->grants[dom->n_grants++] = g;
        int rc = save(dom);
        if (rc < 0) {
            vr_set_error(err, "cannot record the owner of %s in %s/" OWNERS ": %s", path,
                         dom->runtime_dir, strerror(-rc));
            return -1;
        }
    }
    if (fchownat(fd, "", as->uid, as->gid, AT_EMPTY_PATH) < 0) {
        vr_set_error(err, "cannot give %s %s to QEMU's user: %s", what, path, strerror(errno));
        return -1;
    }
    return 0;
}

int vr_qemu_grant_files(vr_domain *dom, char **err)
{
    const vr_qemu_identity *as = &dom->drv->qemu_as;
    if (!as->uid)
        return 0;
    /* Not remembered: the run directory goes when the run ends. */
    if (chown(dom->runtime_dir, as->uid, as->gid) < 0) {
        vr_set_error(err, "cannot give %s to QEMU's user: %s", dom->runtime_dir, strerror(errno));
        return -1;
    }
    /* (The serial log is the daemon's: it writes what it reads.) */
    int rc = 0;
    /* Read-only media (ISOs, read-only disks, kernels, backing files) are
     * not handed over: QEMU's user must be able to read them as they are. */
    for (size_t i = 0; rc == 0 && i < dom->def->n_disks; i++)
        rc = vr_qemu_grant_disk(dom, &dom->def->disks[i], err);
    /* The UEFI variable store: QEMU writes the firmware's settings. */
    const char *nvram = dom->def->os.nvram;
    if (rc == 0 && nvram) {
        int fd = open_path(nvram);
        rc = hand_over(dom, nvram, fd, "NVRAM", err);
        if (fd >= 0)
            close(fd);
    }
    return rc;
}

int vr_qemu_grant_path(vr_domain *dom, const char *path, const char *what, char **err)
{
    if (!dom->drv->qemu_as.uid)
        return 0;
    int fd = open_path(path);
    int rc = hand_over(dom, path, fd, what, err);
    if (fd >= 0)
        close(fd);
    return rc;
}

int vr_qemu_grant_disk(vr_domain *dom, const vr_disk_def *d, char **err)
{
    const char *path = d->type == VR_DISK_VOLUME ? d->resolved_path : d->source_path;
    if (!dom->drv->qemu_as.uid || !path || d->readonly || d->type == VR_DISK_BLOCK || path[0] != '/')
        return 0; /* path[0] != '/': a LUN QEMU reaches over the network */
    int fd = open_path(path);
    char *what = vr_asprintf("disk %s", d->target_dev);
    int rc = hand_over(dom, path, fd, what, err);
    free(what);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* ---- give back ---- */

static void give_back_one(const struct vr_qemu_grant *g, const char *name)
{
    int fd = open_path(g->path);
    struct stat st;
    if (fd < 0 && errno == ENOENT) {
        vr_log_info("domain %s: %s is gone; no owner to give back", name, g->path);
    } else if (fd < 0 || fstat(fd, &st) < 0) {
        vr_log_warn("domain %s: cannot give %s back to uid %d gid %d: %s; chown it by hand", name,
                    g->path, (int)g->uid, (int)g->gid, strerror(errno));
    } else if (st.st_dev != g->dev || st.st_ino != g->ino) {
        vr_log_info("domain %s: %s was replaced while the domain ran; left as it is", name, g->path);
    } else if (st.st_uid != g->to_uid) {
        /* Someone chose another owner meanwhile: theirs to keep. */
        vr_log_info("domain %s: %s changed owner while the domain ran (uid %d); left as it is", name,
                    g->path, (int)st.st_uid);
    } else if (fchownat(fd, "", g->uid, g->gid, AT_EMPTY_PATH) < 0 || chmod_path(fd, g->mode) < 0) {
        vr_log_warn("domain %s: cannot give %s back to uid %d gid %d mode %04o: %s; chown it by hand",
                    name, g->path, (int)g->uid, (int)g->gid, (unsigned)g->mode, strerror(errno));
    } else {
        vr_log_debug("domain %s: %s given back to uid %d gid %d", name, g->path, (int)g->uid, (int)g->gid);
    }
    if (fd >= 0)
        close(fd);
}

/* SELF: the domain whose run ended (NULL for one found ended at start). */
static void give_back(vr_qemu_driver *drv, const vr_domain *self, const struct vr_qemu_grant *g,
                      size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const struct vr_qemu_grant *rec;
        const vr_domain *other = held_elsewhere(drv, self, g[i].dev, g[i].ino, &rec);
        if (other)
            vr_log_info("domain %s: %s stays with QEMU's user: domain %s still uses it", name,
                        g[i].path, other->def->name);
        else
            give_back_one(&g[i], name);
    }
}

void vr_qemu_grants_restore(vr_domain *dom)
{
    give_back(dom->drv, dom, dom->grants, dom->n_grants, dom->def->name);
    vr_qemu_grants_clear(dom);
}

void vr_qemu_grants_restore_dir(vr_qemu_driver *drv, const char *dir, const char *name)
{
    size_t n;
    struct vr_qemu_grant *g = load(dir, name, &n);
    give_back(drv, NULL, g, n, name);
    grants_free(g, n);
}
