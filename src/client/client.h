/* libvireo internals shared by its files. */
#pragma once
#include "vireo/vireo.h"
#include "common/strbuf.h"
#include "wire/wire.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

struct vireo_conn {
    char *uri;
    char *socket;
    int fd;              /* the kept-alive socket to the daemon, or -1 */
    char *error;
    char *error_code;
    bool readonly;       /* connected to a read-only socket */
    pid_t ssh_pid;       /* the ssh carrying a remote connection, or 0 */
    char *ssh_dir;       /* its local socket's directory */
};

void vr_client_set_error(vireo_conn *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A connected socket to the unix socket at path, or -errno. */
int vr_client_dial(const char *path);

/* An answer's body as it arrives, piece by piece; status is the
 * answer's HTTP status. */
typedef void (*vr_client_sink)(void *ctx, int status, const char *data, size_t len);

/* The one HTTP exchange under every call (http.c), on the connection's
 * kept-alive socket: returns the status, or -1 with the error set when
 * the daemon was lost. */
int vr_client_exchange(vireo_conn *c, const char *method, const char *path, const char *body,
                       const char *content_type, vr_client_sink sink, void *ctx);

/* A fresh connection to the daemon asking for `METHOD PATH` upgraded to
 * a byte stream (`headers`: more header lines, each ending in \r\n, or
 * ""). Returns the socket once the 101 is read, the stream's first
 * bytes (read with it) in *rest; -1 with the error set otherwise (the
 * daemon's own message for an error answer, else "vireod closed CLOSED
 * PATH"). */
int vr_client_upgrade(vireo_conn *c, const char *method, const char *path, const char *headers,
                      const char *closed, vr_strbuf *rest);

/* A public struct's clear and list free (vireo.h), both through its
 * wire schema: one line each in the resource's file. */
#define VR_CLIENT_WIRE_CLEAR(T, schema, name) \
    void name(T *x) { vr_wire_clear(&(schema), x); }
#define VR_CLIENT_WIRE_LIST_FREE(T, schema, name) \
    void name(T *list, size_t n) { vr_wire_array_free(&(schema), list, n); }

/* A call whose answer is JSON: returns the parsed body on 2xx (caller
 * puts it), NULL with the error set otherwise. */
json_object *vr_client_json(vireo_conn *c, const char *method, const char *path, const char *body,
                            const char *content_type);

/* The same, its answer read through schema s into out (when given;
 * vr_wire_clear frees it): 0, or -1 with the error set. */
int vr_client_call_into(vireo_conn *c, const char *method, const char *path, const char *body,
                        const char *content_type, const vr_wire_schema *s, void *out);
/* GET path: the array under `key` of its answer read through schema s
 * into *out, *n items (vr_wire_array_free frees them): 0, or -1. */
int vr_client_get_objects(vireo_conn *c, const char *path, const char *key, const vr_wire_schema *s,
                          void **out, size_t *n);
/* Set the connection's error from an error answer's body:
 * {"error":{"code","message"}}, or a generic line naming the status. */
void vr_client_error_from_body(vireo_conn *c, int status, const char *body);

/* A GET whose 2xx answer is returned as text (XML, JSON documents);
 * NULL with the error set otherwise. */
char *vr_client_get_text(vireo_conn *c, const char *path);
/* The same for any method and body. */
char *vr_client_text(vireo_conn *c, const char *method, const char *path, const char *body,
                     const char *content_type);
/* A GET whose 2xx answer goes to sink piece by piece as it arrives
 * (a list read while it streams in); 0, or -1 with the error set. */
int vr_client_get_each(vireo_conn *c, const char *path, void (*sink)(void *ctx, const char *data, size_t len),
                       void *ctx);
/* GET PATH?rows=1: a list in the compact form (wire.h; a daemon without it
 * answers objects, read alike) into a new array of the schema's structs,
 * read as it streams in without a JSON tree per element, or through
 * json-c where an element holds objects. 0, or -1 with the error set.
 * Free with vr_wire_array_free. */
int vr_client_get_list(vireo_conn *c, const char *path, const vr_wire_schema *s, const char *key, void **out,
                       size_t *n);
/* The same for binary answers (a screenshot): *len bytes. */
char *vr_client_get_bytes(vireo_conn *c, const char *path, size_t *len);

/* METHOD /v1/domains/KEY[/WHAT] with a JSON body (or NULL); the
 * domain's JSON answer into *out when out is given. 0 or -1. */
int vr_client_domain_call(vireo_conn *c, const char *method, const char *key, const char *what,
                          const char *body, vireo_domain *out);

/* Members of an answer: a string (NULL when absent or null), a boolean. */
const char *vr_client_str(json_object *o, const char *key);
bool vr_client_flag(json_object *o, const char *key);
/* GET /v1/domains/KEY/WHAT's answer as text (free()), or NULL. */
char *vr_client_domain_text(vireo_conn *c, const char *key, const char *what);

/* A path segment escaped for URLs. */
char *vr_client_escape(vireo_conn *c, const char *s);

/* A call's flags by the names the API gives them; a list ends with {0, NULL}. */
typedef struct {
    unsigned flag;
    const char *name;
} vr_client_flag_name;
/* WHAT with NAME=1 in its query for each of the flags set, in the
 * list's order ("start?paused=1&reset_nvram=1"; WHAT itself for none);
 * free() it. */
char *vr_client_flag_query(const char *what, unsigned flags, const vr_client_flag_name *names);
/* The same flags as a JSON body, {"NAME":true,...} ("" for none). */
char *vr_client_flag_body(unsigned flags, const vr_client_flag_name *names);
/* "BASE/KEY/REST", "BASE/KEY" without rest, "BASE" without key; KEY
 * escaped for the URL. */
char *vr_client_path(vireo_conn *c, const char *base, const char *key, const char *rest);

typedef struct {
    char *canonical;      /* vireo:///system, vireo:///session, vireo+ssh://u@h:p/system|session */
    char *socket;         /* local socket, or for ssh the remote one (NULL for a remote
                           * session until vr_ssh_session_found) */
    bool explicit_socket; /* ?socket= given */
    bool session, readonly;
    bool ssh;
    char *user, *host, *keyfile;
    int port;             /* 0 = ssh's default */
    bool no_verify;
} vr_uri;

int vr_uri_parse(const char *uri, vr_uri *u, char **err);
void vr_uri_clear(vr_uri *u);
char *vr_uri_ro_socket(const char *socket);

/* Transports other than a plain local socket (client/transport.c). */
/* Start the user's session daemon (vireod --session --timeout 60) and
 * wait for its socket. */
int vr_session_spawn(const char *socket, char **err);
/* Forward a local socket to the remote daemon's over one ssh
 * connection (OpenSSH stream-local forwarding). Sets c->socket to the
 * local end. */
int vr_ssh_open(vireo_conn *c, vr_uri *u, char **err);
/* vireo+ssh://…/session: the command that prints the remote user's
 * session socket (starting the session daemon when vireo is there), and
 * its output read into u->socket (0, or -1 with *err). */
const char *vr_ssh_session_probe(void);
/* argv[n…]: -N, the -L forward of `forward` (LOCAL:REMOTE) and `target`,
 * then NULL (7 slots). */
void vr_ssh_forward_args(const char **argv, size_t n, const char *forward, const char *target);
int vr_ssh_session_found(vr_uri *u, const char *out, char **err);
void vr_ssh_close(vireo_conn *c);
/* When ssh's error file `errfile` ends with its refusal to open the
 * remote socket (sshd connects to it as the remote user), the one line
 * that says so and what to do; else NULL. */
char *vr_ssh_refusal(const char *errfile, const vr_uri *u);
