/* The definition store: hash tables by name and uuid (uthash), a sorted
 * array for listings, and the files under CONFIG/<dir>. */
#include "registry/registry.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"
#include "conf/uuid.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

typedef struct entry {
    void *obj;
    char *name;
    char uuid[VR_UUID_STRLEN]; /* canonical; "" for kinds without one */
    UT_hash_handle hn, hu;
} entry;

struct vr_registry {
    const vr_conf_kind *kind;
    char *dir, *autostart_dir;
    bool first;
    entry *by_name, *by_uuid; /* uthash heads */
    entry **sorted;           /* by name */
    void **objs;              /* the same order, for vr_registry_list */
    size_t n;
};

vr_registry *vr_registry_new(const vr_conf_kind *kind, const char *config_root, const char *dir,
                             int leftover_depth)
{
    vr_registry *r = vr_calloc(1, sizeof(*r));
    r->kind = kind;
    r->dir = vr_asprintf("%s/%s", config_root, dir);
    r->autostart_dir = vr_asprintf("%s/autostart", r->dir);
    r->first = !vr_path_exists(r->dir);
    /* A kind known by its uuid alone has no autostart. */
    const char *mk = kind->keyed_by_uuid ? r->dir : r->autostart_dir;
    int rc = vr_mkdir_p(mk, VR_REGISTRY_DIR_MODE);
    if (rc < 0)
        vr_log_error("cannot create %s: %s", mk, strerror(-rc));
    /* Made by an older Vireo with a laxer mode: only the daemon reads it. */
    chmod(r->dir, VR_REGISTRY_DIR_MODE);
    vr_file_remove_leftovers(r->dir, leftover_depth);
    return r;
}

void vr_registry_free(vr_registry *r)
{
    if (!r)
        return;
    HASH_CLEAR(hu, r->by_uuid);
    HASH_CLEAR(hn, r->by_name);
    for (size_t i = 0; i < r->n; i++) {
        free(r->sorted[i]->name);
        free(r->sorted[i]);
    }
    free(r->sorted);
    free(r->objs);
    free(r->dir);
    free(r->autostart_dir);
    free(r);
}

bool vr_registry_first_start(const vr_registry *r) { return r->first; }
const char *vr_registry_dir(const vr_registry *r) { return r->dir; }

/* ---- the index ---- */

static entry *find_name(const vr_registry *r, const char *name)
{
    entry *e = NULL;
    HASH_FIND(hn, r->by_name, name, strlen(name), e);
    return e;
}

static entry *find_uuid(const vr_registry *r, const char *uuid)
{
    char canon[VR_UUID_STRLEN];
    if (!uuid || !vr_uuid_canonical(uuid, canon))
        return NULL;
    entry *e = NULL;
    HASH_FIND(hu, r->by_uuid, canon, strlen(canon), e);
    return e;
}

/* Where `name` is, or goes, in the sorted array. */
static size_t position(const vr_registry *r, const char *name, bool *found)
{
    size_t lo = 0, hi = r->n;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->sorted[mid]->name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void place(vr_registry *r, entry *e)
{
    bool found;
    size_t at = position(r, e->name, &found);
    r->sorted = vr_realloc(r->sorted, (r->n + 1) * sizeof(*r->sorted));
    r->objs = vr_realloc(r->objs, (r->n + 1) * sizeof(*r->objs));
    memmove(r->sorted + at + 1, r->sorted + at, (r->n - at) * sizeof(*r->sorted));
    memmove(r->objs + at + 1, r->objs + at, (r->n - at) * sizeof(*r->objs));
    r->sorted[at] = e;
    r->objs[at] = e->obj;
    r->n++;
    HASH_ADD_KEYPTR(hn, r->by_name, e->name, strlen(e->name), e);
}

static void unplace(vr_registry *r, entry *e)
{
    bool found;
    size_t at = position(r, e->name, &found);
    if (found) {
        memmove(r->sorted + at, r->sorted + at + 1, (r->n - at - 1) * sizeof(*r->sorted));
        memmove(r->objs + at, r->objs + at + 1, (r->n - at - 1) * sizeof(*r->objs));
        r->n--;
    }
    HASH_DELETE(hn, r->by_name, e);
}

void vr_registry_add(vr_registry *r, void *obj, const void *def)
{
    entry *e = vr_calloc(1, sizeof(*e));
    e->obj = obj;
    e->name = vr_strdup(r->kind->name(def));
    const char *uuid = r->kind->uuid ? r->kind->uuid(def) : NULL;
    if (uuid && vr_uuid_canonical(uuid, e->uuid))
        HASH_ADD(hu, r->by_uuid, uuid, strlen(e->uuid), e);
    place(r, e);
}

void vr_registry_remove(vr_registry *r, const char *name)
{
    entry *e = find_name(r, name);
    if (!e)
        return;
    unplace(r, e);
    if (e->uuid[0])
        HASH_DELETE(hu, r->by_uuid, e);
    free(e->name);
    free(e);
}

void vr_registry_rename(vr_registry *r, const char *old_name, const void *new_def)
{
    entry *e = find_name(r, old_name);
    if (!e)
        return;
    unplace(r, e);
    free(e->name);
    e->name = vr_strdup(r->kind->name(new_def));
    place(r, e);
}

void *vr_registry_by_name(const vr_registry *r, const char *name)
{
    entry *e = name ? find_name(r, name) : NULL;
    return e ? e->obj : NULL;
}

void *vr_registry_by_uuid(const vr_registry *r, const char *uuid)
{
    entry *e = find_uuid(r, uuid);
    return e ? e->obj : NULL;
}

void *vr_registry_lookup(const vr_registry *r, const char *key)
{
    void *o = vr_registry_by_name(r, key);
    return o ? o : vr_registry_by_uuid(r, key);
}

void *const *vr_registry_list(const vr_registry *r, size_t *n)
{
    *n = r->n;
    return r->objs;
}

vr_err vr_registry_check(const vr_registry *r, const void *def, bool redefine, void **same, char **err)
{
    const char *name = r->kind->name(def), *uuid = r->kind->uuid ? r->kind->uuid(def) : NULL;
    entry *by_name = find_name(r, name), *by_uuid = find_uuid(r, uuid);
    *same = NULL;
    if (by_uuid && by_uuid != by_name) {
        vr_set_error(err, "uuid %s is already used by %s '%s'", by_uuid->uuid, r->kind->what, by_uuid->name);
        return VR_ERR_CONFLICT;
    }
    if (by_name && uuid && !by_uuid) {
        vr_set_error(err, "%s '%s' already exists with uuid %s", r->kind->what, name, by_name->uuid);
        return VR_ERR_CONFLICT;
    }
    if (by_name && !redefine) {
        vr_set_error(err, "%s '%s' already exists", r->kind->what, name);
        return VR_ERR_CONFLICT;
    }
    *same = by_name ? by_name->obj : NULL;
    return VR_OK;
}

/* ---- files ---- */

char *vr_registry_def_path(const vr_registry *r, const char *name)
{
    return vr_asprintf("%s/%s.xml", r->dir, name);
}

char *vr_registry_autostart_path(const vr_registry *r, const char *name)
{
    return vr_asprintf("%s/%s.xml", r->autostart_dir, name);
}

vr_err vr_registry_save(const vr_registry *r, const void *def, char **err)
{
    const char *name = r->kind->name(def);
    char *path = vr_registry_def_path(r, name);
    vr_err code = vr_conf_save(r->kind, def, name, path, err);
    free(path);
    return code;
}

vr_err vr_registry_delete(const vr_registry *r, const char *name, char **err)
{
    char *path = vr_registry_def_path(r, name), *link = vr_registry_autostart_path(r, name);
    int rc = unlink(path), e = errno;
    unlink(link);
    free(link);
    if (rc < 0 && e != ENOENT) {
        vr_set_error(err, "cannot remove %s: %s", path, strerror(e));
        free(path);
        return VR_ERR_FAILED;
    }
    free(path);
    return VR_OK;
}

vr_err vr_registry_set_autostart(const vr_registry *r, const char *name, bool on, char **err)
{
    char *link = vr_registry_autostart_path(r, name), *target = vr_registry_def_path(r, name);
    vr_err code = vr_autostart_link(link, target, on, err) < 0 ? VR_ERR_FAILED : VR_OK;
    free(link);
    free(target);
    return code;
}

bool vr_registry_autostart(const vr_registry *r, const char *name)
{
    if (r->kind->keyed_by_uuid)
        return false;
    char *link = vr_registry_autostart_path(r, name);
    bool on = vr_path_exists(link);
    free(link);
    return on;
}

void vr_registry_load(vr_registry *r, vr_registry_parse_fn parse, vr_registry_adopt_fn adopt, void *opaque)
{
    DIR *d = opendir(r->dir);
    if (!d) {
        if (errno != ENOENT)
            vr_log_error("cannot read %s: %s", r->dir, strerror(errno));
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !vr_str_ends(de->d_name, ".xml"))
            continue;
        char *path = vr_asprintf("%s/%s", r->dir, de->d_name), *err = NULL;
        char *xml = vr_file_read(path, NULL);
        int read_errno = errno;
        void *def = !xml ? NULL : parse ? parse(xml, strlen(xml), &err, opaque) : r->kind->parse(xml, strlen(xml), &err);
        const char *uuid = def && r->kind->uuid ? r->kind->uuid(def) : NULL;
        if (!def) {
            /* Kept on disk: a definition is never lost, even one a newer
             * or older Vireo cannot read. */
            vr_log_error("skipping %s: %s", path, err ? err : strerror(read_errno));
        } else if (find_name(r, r->kind->name(def)) || find_uuid(r, uuid)) {
            vr_log_error("skipping %s: its %s name or uuid is already used by another file", path,
                         r->kind->what);
            r->kind->free(def);
        } else {
            bool autostart = vr_registry_autostart(r, r->kind->name(def));
            /* def is the driver's from here on, and stays alive in obj. */
            vr_registry_add(r, adopt(def, autostart, opaque), def);
        }
        free(err);
        free(xml);
        free(path);
    }
    closedir(d);
}
