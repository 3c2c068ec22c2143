/* The secret store (secret_driver.h): the definitions in the store
 * every driver shares (src/registry, a kind known by its uuid alone);
 * the values here. */
#include "drivers/secret/secret_driver.h"
#include "registry/registry.h"
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
    vr_registry *reg; /* CONFIG/secrets: UUID.xml */
};

/* CONFIG/secrets/UUID.value: a value apart from its definition. */
static char *value_file(const vr_secret_driver *d, const char *uuid)
{
    return vr_asprintf("%s/%s.value", vr_registry_dir(d->reg), uuid);
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

static vr_secret *secret_new(vr_secret_def *def)
{
    vr_secret *s = vr_calloc(1, sizeof(*s));
    s->def = def;
    return s;
}

vr_secret *const *vr_secrets(vr_secret_driver *drv, size_t *n)
{
    return (vr_secret *const *)vr_registry_list(drv->reg, n);
}

vr_secret *vr_secret_lookup(vr_secret_driver *drv, const char *uuid)
{
    return vr_registry_lookup(drv->reg, uuid);
}

vr_secret *vr_secret_lookup_usage(vr_secret_driver *drv, vr_secret_usage usage, const char *id)
{
    size_t n;
    vr_secret *const *all = vr_secrets(drv, &n);
    for (size_t i = 0; i < n; i++) {
        const vr_secret_def *d = all[i]->def;
        if (d->usage == usage && usage != VR_SECRET_USAGE_NONE && strcmp(d->usage_id, id) == 0)
            return all[i];
    }
    return NULL;
}

vr_err vr_secret_define(vr_secret_driver *drv, const char *xml, vr_secret **out, char **err)
{
    vr_secret_def *def = vr_secret_def_parse(xml, strlen(xml), err);
    if (!def)
        return VR_ERR_INVALID;
    void *held = NULL;
    vr_err code = vr_registry_check(drv->reg, def, true, &held, err);
    if (code != VR_OK) {
        vr_secret_def_free(def);
        return code;
    }
    vr_secret *same = held;
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
    /* Ephemeral secrets are never written. */
    if (!def->ephemeral && (code = vr_registry_save(drv->reg, def, err)) != VR_OK) {
        vr_secret_def_free(def);
        return code;
    }
    if (same) {
        vr_secret_def_free(same->def);
        same->def = def;
    } else {
        same = secret_new(def);
        vr_registry_add(drv->reg, same, def);
    }
    vr_log_info("secret %s defined", def->uuid);
    *out = same;
    return VR_OK;
}

vr_err vr_secret_undefine(vr_secret_driver *drv, vr_secret *s, char **err)
{
    char *val = value_file(drv, s->def->uuid);
    /* The value first: a definition without one is harmless. */
    if (unlink(val) < 0 && errno != ENOENT) {
        vr_set_error(err, "cannot remove the value of secret %s (%s): %s", s->def->uuid, val, strerror(errno));
        free(val);
        return VR_ERR_FAILED;
    }
    free(val);
    vr_err code = vr_registry_delete(drv->reg, s->def->uuid, err);
    if (code)
        return code;
    vr_log_info("secret %s undefined", s->def->uuid);
    vr_registry_remove(drv->reg, s->def->uuid);
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
        char *path = value_file(drv, s->def->uuid);
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
    char *path = value_file(drv, s->def->uuid);
    *value = (unsigned char *)vr_file_read(path, len);
    int e = errno;
    free(path);
    if (!*value) {
        vr_set_error(err, "cannot read the value of secret %s: %s", s->def->uuid, strerror(e));
        return VR_ERR_FAILED;
    }
    return VR_OK;
}

/* A definition the store loaded: its value is in UUID.value, if set. */
static void *adopt(void *def, bool autostart, void *opaque)
{
    (void)autostart;
    vr_secret *s = secret_new(def);
    char *val = value_file(opaque, s->def->uuid);
    s->has_value = vr_path_exists(val);
    free(val);
    return s;
}

vr_secret_driver *vr_secret_driver_new(const vr_paths *paths)
{
    vr_secret_driver *drv = vr_calloc(1, sizeof(*drv));
    drv->reg = vr_registry_new(&vr_conf_secret, paths->config_dir, "secrets", 0);
    vr_registry_load(drv->reg, NULL, adopt, drv);
    return drv;
}

void vr_secret_driver_free(vr_secret_driver *drv)
{
    if (!drv)
        return;
    size_t n;
    vr_secret *const *all = vr_secrets(drv, &n);
    for (size_t i = 0; i < n; i++)
        secret_free(all[i]);
    vr_registry_free(drv->reg);
    free(drv);
}
