/* libvireo internals shared by its files. */
#pragma once
#include "vireo/vireo.h"

#include <curl/curl.h>
#include <json-c/json.h>

struct vireo_conn {
    char *uri;
    char *socket;
    CURL *curl;          /* one handle, so the connection is reused */
    char *error;
    char *error_code;
};

void vr_client_set_error(vireo_conn *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A call whose answer is JSON: returns the parsed body on 2xx (caller
 * puts it), NULL with the error set otherwise. */
json_object *vr_client_json(vireo_conn *c, const char *method, const char *path, const char *body,
                            const char *content_type);

/* Set the connection's error from an error answer's body:
 * {"error":{"code","message"}}, or a generic line naming the status. */
void vr_client_error_from_body(vireo_conn *c, int status, const char *body);

/* A path segment escaped for URLs. */
char *vr_client_escape(vireo_conn *c, const char *s);

/* The socket a URI names, or NULL with *err. */
char *vr_uri_socket(const char *uri, char **canonical, char **err);
