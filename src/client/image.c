/* libvireo: the image tools (builder, sysprep, customize, sparsify,
 * resize, template). Each call starts a job on the daemon and returns
 * its id; follow it with vireo_job_wait. */
#include "client/client.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static void add_str(json_object *o, const char *key, const char *v)
{
    if (v)
        json_object_object_add(o, key, json_object_new_string(v));
}

static void add_strs(json_object *o, const char *key, const char *const *v, size_t n)
{
    if (!n)
        return;
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(v[i]));
    json_object_object_add(o, key, a);
}

static char *body_of(const vireo_image_params *p)
{
    json_object *o = json_object_new_object();
    add_str(o, "domain", p->domain);
    add_strs(o, "add", p->add, p->n_add);
    add_str(o, "input", p->input);
    add_str(o, "output", p->output);
    add_str(o, "pool", p->pool);
    add_str(o, "volume", p->volume);
    add_str(o, "format", p->format);
    add_str(o, "os", p->os);
    add_str(o, "expand", p->expand);
    if (p->size)
        json_object_object_add(o, "size", json_object_new_int64((int64_t)p->size));
    json_object_object_add(o, "force", json_object_new_boolean(p->force));
    json_object_object_add(o, "compress", json_object_new_boolean(p->compress));
    json_object_object_add(o, "in_place", json_object_new_boolean(p->in_place));
    add_str(o, "hostname", p->hostname);
    add_str(o, "root_password", p->root_password);
    add_str(o, "timezone", p->timezone);
    if (p->n_ssh) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < p->n_ssh; i++) {
            json_object *k = json_object_new_object();
            add_str(k, "user", p->ssh_users[i]);
            add_str(k, "key", p->ssh_keys[i]);
            json_object_array_add(a, k);
        }
        json_object_object_add(o, "ssh_keys", a);
    }
    add_strs(o, "install", p->install, p->n_install);
    add_strs(o, "run", p->run, p->n_run);
    add_strs(o, "firstboot", p->firstboot, p->n_firstboot);
    add_strs(o, "operations", p->operations, p->n_operations);
    char *body = vr_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return body;
}

static int start(vireo_conn *c, const char *path, const vireo_image_params *p)
{
    static const vireo_image_params none = {0};
    char *body = body_of(p ? p : &none);
    json_object *r = vr_client_json(c, "POST", path, body, "application/json"), *id = NULL;
    free(body);
    int out = -1;
    if (r && json_object_object_get_ex(r, "id", &id))
        out = json_object_get_int(id);
    else if (r)
        vr_client_set_error(c, "failed", "the daemon's answer names no job");
    json_object_put(r);
    return out;
}

/* POST /v1/FIRST/KEY[/LAST] */
static int start_at(vireo_conn *c, const char *first, const char *key, const char *last,
                    const vireo_image_params *p)
{
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/%s/%s%s", first, k, last);
    free(k);
    int id = start(c, path, p);
    free(path);
    return id;
}

int vireo_image_start(vireo_conn *c, const char *tool, const vireo_image_params *p)
{
    return start_at(c, "images", tool, "", p);
}

int vireo_domain_template(vireo_conn *c, const char *domain, const vireo_image_params *p)
{
    return start_at(c, "domains", domain, "/template", p);
}

/* {"dir": DIR} to PATH: a backup or restore job's id. */
static int dir_call(vireo_conn *c, const char *path, const char *dir, const char *base)
{
    json_object *b = json_object_new_object(), *id = NULL;
    json_object_object_add(b, "dir", json_object_new_string(dir ? dir : ""));
    if (base)
        json_object_object_add(b, "incremental", json_object_new_string(base));
    char *body = vr_strdup(json_object_to_json_string(b));
    json_object_put(b);
    json_object *r = vr_client_json(c, "POST", path, body, "application/json");
    free(body);
    int out = r && json_object_object_get_ex(r, "id", &id) ? json_object_get_int(id) : -1;
    json_object_put(r);
    return out;
}

int vireo_domain_backup(vireo_conn *c, const char *domain, const char *dir)
{
    return vireo_domain_backup_incremental(c, domain, dir, NULL);
}

int vireo_domain_backup_incremental(vireo_conn *c, const char *domain, const char *dir, const char *base)
{
    char *k = vr_client_escape(c, domain);
    char *path = vr_asprintf("/v1/domains/%s/backup", k);
    free(k);
    int id = dir_call(c, path, dir, base);
    free(path);
    return id;
}

int vireo_domain_backup_restore(vireo_conn *c, const char *dir)
{
    return dir_call(c, "/v1/restore", dir, NULL);
}
