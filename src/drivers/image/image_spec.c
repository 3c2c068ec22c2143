/* The helper's instructions: one JSON object that vireod wrote after it
 * checked the request (names, paths, running domains). The helper still
 * refuses what it cannot do, with the same one-line errors. */
#include "drivers/image/image.h"

#include <string.h>

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static bool flag(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static json_object *array(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array)
               ? v
               : NULL;
}

int img_spec_parse(const char *path, img_spec *s)
{
    memset(s, 0, sizeof(*s));
    json_object *o = json_object_from_file(path);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return img_fail("cannot read the instructions in %s", path);
    }
    s->json = o;
    s->op = str(o, "op");
    s->input = str(o, "input");
    s->input_format = str(o, "input_format");
    s->output = str(o, "output");
    s->format = str(o, "format");
    s->result_file = str(o, "result_file");
    s->cache_dir = str(o, "cache_dir");
    s->job_dir = str(o, "job_dir");
    s->force = flag(o, "force");
    s->compress = flag(o, "compress");
    s->in_place = flag(o, "in_place");
    s->tcg = flag(o, "tcg");
    json_object *v;
    if (json_object_object_get_ex(o, "size", &v))
        s->size = (uint64_t)json_object_get_int64(v);
    s->os = str(o, "os");
    s->expand = str(o, "expand");
    s->hostname = str(o, "hostname");
    s->root_password = str(o, "root_password");
    s->timezone = str(o, "timezone");
    s->ssh_keys = array(o, "ssh_keys");
    s->install = array(o, "install");
    s->run = array(o, "run");
    s->firstboot = array(o, "firstboot");
    s->operations = array(o, "operations");
    s->disks = array(o, "disks");
    if (!s->op)
        return img_fail("the instructions in %s name no operation", path);
    return 0;
}
