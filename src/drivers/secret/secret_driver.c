/* The secret store (secret_driver.h). */
#include "drivers/secret/secret_driver.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct vr_secret_driver {
    char *dir; /* CONFIG/secrets */
    vr_secret **list;
    size_t n;
};

static char *file_of(const vr_secret_driver *d, const char *uuid, const char *ext)
{
    return vr_asprintf("%s/%s.%s", d->dir, uuid, ext);
}

char *vr_secret_what(const vr_secret *s)
{
    if (s->def->usage == VR_SECRET_USAGE_NONE)
        return vr_asprintf("secret %s", s->def->uuid);
    return vr_asprintf("secret %s (%s '%s')", s->def->uuid, vr_secret_usage_name(s->def->usage),
                       s->def->usage_id);
}

void vr_secret_value_free(unsigned char *value, size_t len)
{
    if (!value)
        return;
    explicit_bzero(value, len);
    free(value);
}

static void secret_free(vr_secret *s)
{
    vr_secret_def_free(s->def);
    vr_secret_value_free(s->mem_value, s->mem_len);
    free(s);
}

static int cmp(const void *a, const void *b)
{
    return strcmp((*(vr_secret *const *)a)->def->uuid, (*(vr_secret *const *)b)->def->uuid);
}

static vr_secret *insert(vr_secret_driver *d, vr_secret_def *def)
{
    vr_secret *s = vr_calloc(1, sizeof(*s));
    s->def = def;
    d->list = vr_realloc(d->list, (d->n + 1) * sizeof(*d->list));
    d->list[d->n++] = s;
    qsort(d->list, d->n, sizeof(*d->list), cmp);
    return s;
}

vr_secret *const *vr_secrets(vr_secret_driver *drv, size_t *n)
{
    *n = drv->n;
    return drv->list;
}

vr_secret *vr_secret_lookup(vr_secret_driver *drv, const char *uuid)
{
    for (size_t i = 0; i < drv->n; i++)
        if (strcasecmp(drv->list[i]->def->uuid, uuid) == 0)
            return drv->list[i];
    return NULL;
}

vr_secret *vr_secret_lookup_usage(vr_secret_driver *drv, vr_secret_usage usage, const char *id)
{
    for (size_t i = 0; i < drv->n; i++) {
        const vr_secret_def *d = drv->list[i]->def;
        if (d->usage == usage && usage != VR_SECRET_USAGE_NONE && strcmp(d->usage_id, id) == 0)
            return drv->list[i];
    }
    return NULL;
}

vr_err vr_secret_define(vr_secret_driver *drv, const char *xml, vr_secret **out, char **err)
{
    vr_secret_def *def = vr_secret_def_parse(xml, strlen(xml), err);
    if (!def)
        return VR_ERR_INVALID;
    vr_secret *same = vr_secret_lookup(drv, def->uuid);
    vr_secret *clash = def->usage ? vr_secret_lookup_usage(drv, def->usage, def->usage_id) : NULL;
    if (clash && clash != same) {
        vr_set_error(err, "secret %s already has usage %s '%s'; undefine it or pick another usage", clash->def->uuid,
                     vr_secret_usage_name(def->usage), def->usage_id);
        vr_secret_def_free(def);
        return VR_ERR_CONFLICT;
    }
    if (same && same->def->ephemeral != def->ephemeral) {
        vr_set_error(err, "secret %s is %sephemeral; undefine it before changing that", def->uuid,
                     same->def->ephemeral ? "" : "not ");
        vr_secret_def_free(def);
        return VR_ERR_CONFLICT;
    }
    if (!def->ephemeral) {
        char *path = file_of(drv, def->uuid, "xml"), *text = vr_secret_def_format(def);
        int rc = vr_file_write_atomic(path, text, strlen(text), 0600);
        free(text);
        free(path);
        if (rc < 0) {
            vr_set_error(err, "cannot store secret %s: %s", def->uuid, strerror(-rc));
            vr_secret_def_free(def);
            return VR_ERR_FAILED;
        }
    }
    if (same) {
        vr_secret_def_free(same->def);
        same->def = def;
    } else {
        same = insert(drv, def);
    }
    vr_log_info("secret %s defined", def->uuid);
    *out = same;
    return VR_OK;
}

vr_err vr_secret_undefine(vr_secret_driver *drv, vr_secret *s, char **err)
{
    char *xml = file_of(drv, s->def->uuid, "xml"), *val = file_of(drv, s->def->uuid, "value");
    vr_err code = VR_OK;
    /* The value first: a definition without one is harmless. */
    if ((unlink(val) < 0 && errno != ENOENT) || (unlink(xml) < 0 && errno != ENOENT)) {
        vr_set_error(err, "cannot remove secret %s from %s: %s", s->def->uuid, drv->dir, strerror(errno));
        code = VR_ERR_FAILED;
    }
    free(xml);
    free(val);
    if (code)
        return code;
    vr_log_info("secret %s undefined", s->def->uuid);
    for (size_t i = 0; i < drv->n; i++) {
        if (drv->list[i] == s) {
            memmove(drv->list + i, drv->list + i + 1, (drv->n - i - 1) * sizeof(*drv->list));
            drv->n--;
            break;
        }
    }
    secret_free(s);
    return VR_OK;
}

vr_err vr_secret_set_value(vr_secret_driver *drv, vr_secret *s, const unsigned char *value, size_t len,
                           char **err)
{
    if (len > VR_SECRET_VALUE_MAX) {
        vr_set_error(err, "a secret value holds at most %u bytes, this one has %zu", VR_SECRET_VALUE_MAX, len);
        return VR_ERR_INVALID;
    }
    if (s->def->ephemeral) {
        vr_secret_value_free(s->mem_value, s->mem_len);
        s->mem_value = vr_malloc(len + 1);
        memcpy(s->mem_value, value, len);
        s->mem_len = len;
    } else {
        char *path = file_of(drv, s->def->uuid, "value");
        int rc = vr_file_write_atomic(path, (const char *)value, len, 0600);
        free(path);
        if (rc < 0) {
            vr_set_error(err, "cannot store the value of secret %s: %s", s->def->uuid, strerror(-rc));
            return VR_ERR_FAILED;
        }
    }
    s->has_value = true;
    vr_log_info("secret %s: value set", s->def->uuid);
    return VR_OK;
}

vr_err vr_secret_get_value(vr_secret_driver *drv, vr_secret *s, bool for_client, unsigned char **value,
                           size_t *len, char **err)
{
    if (for_client && s->def->private_) {
        vr_set_error(err, "secret %s is private: its value can be set but not read back", s->def->uuid);
        return VR_ERR_DENIED;
    }
    if (!s->has_value) {
        char *what = vr_secret_what(s);
        vr_set_error(err, "%s has no value (vireo secret-set-value %s ...)", what, s->def->uuid);
        free(what);
        return VR_ERR_NOT_FOUND;
    }
    if (s->def->ephemeral) {
        *value = vr_malloc(s->mem_len + 1);
        memcpy(*value, s->mem_value, s->mem_len);
        (*value)[s->mem_len] = 0;
        *len = s->mem_len;
        return VR_OK;
    }
    char *path = file_of(drv, s->def->uuid, "value");
    *value = (unsigned char *)vr_file_read(path, len);
    int e = errno;
    free(path);
    if (!*value) {
        vr_set_error(err, "cannot read the value of secret %s: %s", s->def->uuid, strerror(e));
        return VR_ERR_FAILED;
    }
    return VR_OK;
}

static void load(vr_secret_driver *drv)
{
    DIR *d = opendir(drv->dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !vr_str_ends(e->d_name, ".xml"))
            continue;
        char *path = vr_asprintf("%s/%s", drv->dir, e->d_name);
        char *xml = vr_file_read(path, NULL), *err = NULL;
        vr_secret_def *def = xml ? vr_secret_def_parse(xml, strlen(xml), &err) : NULL;
        if (!def) {
            /* Kept on disk: a definition is never lost. */
            vr_log_error("skipping %s: %s", path, err ? err : strerror(errno));
        } else if (vr_secret_lookup(drv, def->uuid)) {
            vr_log_error("skipping %s: uuid already used", path);
            vr_secret_def_free(def);
        } else {
            vr_secret *s = insert(drv, def);
            char *val = file_of(drv, def->uuid, "value");
            s->has_value = vr_path_exists(val);
            free(val);
        }
        free(err);
        free(xml);
        free(path);
    }
    closedir(d);
}

vr_secret_driver *vr_secret_driver_new(const vr_paths *paths)
{
    vr_secret_driver *drv = vr_calloc(1, sizeof(*drv));
    drv->dir = vr_asprintf("%s/secrets", paths->config_dir);
    int rc = vr_mkdir_p(drv->dir, 0700);
    if (rc < 0)
        vr_log_error("cannot create %s: %s", drv->dir, strerror(-rc));
    chmod(drv->dir, 0700);
    vr_file_remove_leftovers(drv->dir, 0);
    load(drv);
    return drv;
}

void vr_secret_driver_free(vr_secret_driver *drv)
{
    if (!drv)
        return;
    for (size_t i = 0; i < drv->n; i++)
        secret_free(drv->list[i]);
    free(drv->list);
    free(drv->dir);
    free(drv);
}
