/* The guest agent through the daemon: POST /v1/domains/KEY/agent. */
#include "client/client.h"
#include "common/util.h"

#include <stdlib.h>

char *vireo_domain_agent_json(vireo_conn *c, const char *key, const char *command, int timeout)
{
    json_object *cmd = json_tokener_parse(command);
    if (!cmd || !json_object_is_type(cmd, json_type_object)) {
        json_object_put(cmd);
        vr_client_set_error(c, "invalid", "the guest agent command is not a JSON object: %s", command);
        return NULL;
    }
    json_object *b = json_object_new_object();
    json_object_object_add(b, "command", cmd);
    if (timeout > 0)
        json_object_object_add(b, "timeout", json_object_new_int(timeout));
    char *k = vr_client_escape(c, key);
    char *path = vr_asprintf("/v1/domains/%s/agent", k);
    json_object *o = vr_client_json(c, "POST", path, json_object_to_json_string(b), "application/json");
    free(path);
    free(k);
    json_object_put(b);
    json_object *ret = NULL;
    char *out = NULL;
    if (o) {
        json_object_object_get_ex(o, "return", &ret);
        out = vr_strdup(ret ? json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN) : "null");
    }
    json_object_put(o);
    return out;
}
