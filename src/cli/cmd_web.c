/* web-token: the token for the web UI (vireod --web), read (or, with
 * --rotate, replaced) through the API on the full-access unix socket. */
#include "cli/cli.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static int run_web_token(vr_cli *cli, int argc, char **argv)
{
    bool url = false, rotate = false;
    const vr_opt opts[] = {{"url", false, &url, NULL}, {"rotate", false, &rotate, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_web_token, argc, argv, opts, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    char *body = NULL;
    int status = rotate ? vireo_call(c, "POST", "/v1/web/token/rotate", NULL, NULL, &body)
                        : vireo_call(c, "GET", "/v1/web/token", NULL, NULL, &body);
    if (status < 0) {
        free(body);
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    json_object *o = body ? json_tokener_parse(body) : NULL, *v = NULL, *e = NULL;
    if (status != 200) {
        const char *msg = o && json_object_object_get_ex(o, "error", &e) && json_object_object_get_ex(e, "message", &v)
                              ? json_object_get_string(v) : "the daemon gave no token";
        rc = vr_cli_error("error: %s", msg);
    } else if (json_object_object_get_ex(o, "token", &v)) {
        json_object *u = NULL;
        if (url && json_object_object_get_ex(o, "login_url", &u))
            printf("%s\n", json_object_get_string(u)); /* one use, 10 minutes */
        else
            printf("%s\n", json_object_get_string(v));
        rc = VR_EXIT_OK;
    } else {
        rc = vr_cli_error("error: the daemon gave no token");
    }
    json_object_put(o);
    free(body);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_web_token = {"web-token",
                                     "Print the token that logs in to the web UI (vireod --web); --rotate "
                                     "replaces it, ending every web session and login link.",
                                     "[--url] [--rotate]", run_web_token};
