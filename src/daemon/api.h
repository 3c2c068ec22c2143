/* The /v1 API: routes requests to the core (src/core) and turns their
 * results into JSON. docs/api.md documents every endpoint. */
#pragma once
#include "core/access.h"
#include "daemon/events.h"
#include "daemon/http.h"
#include "common/errors.h"
#include "common/paths.h"
#include "conf/storage_conf.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

/* The QEMU driver and its domains are opaque here: a route reaches them
 * through the core (src/core), whose headers it includes. */
typedef struct vr_qemu_driver vr_qemu_driver;
typedef struct vr_domain vr_domain;
struct vr_net_driver;
struct vr_storage_driver;
struct vr_secret_driver;
struct vr_jobs;
struct vr_web_auth;
struct vr_remote_hosts;

typedef struct {
    vr_qemu_driver *qemu;
    struct vr_net_driver *net;
    struct vr_storage_driver *storage;
    struct vr_secret_driver *secrets;
    struct vr_jobs *jobs;   /* long operations (copies, clones) clients poll */
    vr_events *events;
    const vr_paths *paths;
    const char *uri; /* the URI this daemon serves */
    bool read_only;  /* the read-only socket: GET only, no consoles */
    bool session;    /* a user's own daemon: only that user may connect */
    uid_t owner;     /* the daemon's user */
    bool web;        /* the TCP listener (vireod --web): every request needs the web token */
    struct vr_web_auth *web_auth; /* the web token (web_auth.c), or NULL without --web */
    const char *web_url;          /* where the web UI is served, or NULL */
    struct vr_remote_hosts *hosts; /* other hosts the web UI manages (remote_hosts.c), or NULL */
} vr_api;

void vr_api_handle(vr_req *req, void *opaque);
/* May this connection do what `access` declares? False after answering
 * 403 (the read-only socket). For a route whose parameters ask more than
 * the route declares (GET …/interfaces?source=agent). */
bool vr_api_allowed(const vr_api *api, vr_req *req, vr_access access);

/* One request on its way through a route. */
typedef struct {
    vr_api *api;
    vr_req *req;
    char **seg; /* path segments after /v1 */
    size_t n;
} vr_api_call;

/* A route: method and pattern (segments after /v1, '*' matches one).
 * Each API module (api_host.c, api_domains.c, ...) exports a table
 * ending with an entry whose method is NULL. */
/* What a route may do, declared beside it: core/access.h's one rule
 * (the read-only socket, vireod-ro.sock or vireo -r, serves VR_API_READ
 * routes only), under the routes' names. */
typedef vr_access vr_api_access;
#define VR_API_WRITE VR_ACCESS_WRITE     /* changes something: the default */
#define VR_API_READ VR_ACCESS_READ       /* only reads */
#define VR_API_CONSOLE VR_ACCESS_CONSOLE /* attaches to a console that takes input (serial, VNC) */
#define VR_API_GUEST VR_ACCESS_GUEST     /* asks the guest's agent: read-write only, as libvirt */

/* One line per route: method, path pattern ("*" is one segment),
 * handler, access, and the largest body it takes (0: VR_API_BODY_SMALL). */
typedef struct {
    const char *method;
    const char *pattern;
    void (*fn)(vr_api_call *c);
    vr_api_access access;
    size_t max_body;
} vr_api_route;

/* Request bodies: XML definitions of domains, networks and pools may be
 * large (metadata, many devices); every other body (JSON, a volume's or
 * a DHCP host's XML) is small. A larger body is answered 413 before any
 * parsing, naming the limit (api.c holds the table of larger ones;
 * docs/api.md lists them per endpoint). */
#define VR_API_BODY_SMALL (64u * 1024)
#define VR_API_BODY_DEFINITION (256u * 1024)

/* Every table, in the order the router tries them, ending with NULL. */
extern const vr_api_route *const vr_api_route_tables[];
extern const vr_api_route vr_api_host_routes[];
extern const vr_api_route vr_api_domain_routes[];
extern const vr_api_route vr_api_storage_routes[];  /* pools, volumes, jobs */
extern const vr_api_route vr_api_secret_routes[];   /* secrets and their values (api_secrets.c) */
extern const vr_api_route vr_api_snapshot_routes[]; /* domains/NAME/snapshots */
extern const vr_api_route vr_api_clone_routes[];    /* domains/NAME/clone */
extern const vr_api_route vr_api_network_routes[];
extern const vr_api_route vr_api_web_routes[];      /* login, logout, web/token (web_auth.c) */
extern const vr_api_route vr_api_vnc_routes[];      /* domains/NAME/vnc (api_vnc.c) */
extern const vr_api_route vr_api_disk_routes[];     /* domains/NAME/disks (api_disks.c) */
extern const vr_api_route vr_api_device_routes[];   /* hot-plug, media, blockresize, vcpus (api_devices.c) */
extern const vr_api_route vr_api_guest_routes[];   /* send-key, screenshot, reset, pm, monitor (api_guest.c) */
extern const vr_api_route vr_api_save_routes[];    /* save, restore, managedsave, job (api_save.c) */
extern const vr_api_route vr_api_desc_routes[];    /* domains/NAME/description (api_desc.c) */
extern const vr_api_route vr_api_blockjob_routes[]; /* blockcommit, blockpull, blockjob (api_blockjob.c) */
extern const vr_api_route vr_api_install_routes[];  /* install, os-variants (the web wizard) */
extern const vr_api_route vr_api_image_routes[];    /* images/OP, domains/NAME/template (api_images.c) */
extern const vr_api_route vr_api_backup_routes[];   /* domains/NAME/backup, restore (api_backup.c) */
/* At the start: the backup bundles a previous daemon left running, finished as jobs (api_backup.c). */
void vr_api_backup_resume(vr_api *api);
void vr_api_images_resume(vr_api *api); /* image jobs a previous daemon left (api_images.c) */
extern const vr_api_route vr_api_host_list_routes[]; /* hosts: other hosts (api_hosts.c) */
/* hosts/NAME/api/v1/…: the request forwarded to that host (api_hosts.c). */
void vr_api_hosts_forward(vr_api_call *c);
extern const vr_api_route vr_api_agent_routes[];    /* domains/NAME/agent (api_agent.c) */

/* Helpers for route handlers. */
bool vr_api_flag(const vr_req *r, const char *key); /* ?key, ?key=1|true|yes */
void vr_api_reply_err(vr_req *r, vr_err code, const char *msg);
json_object *vr_api_ok(void);
/* The domain named by the path's second segment (domains/NAME/...),
 * or NULL after answering 404. */
vr_domain *vr_api_find_domain(vr_api_call *c);
/* A deferred answer about the domain `name` (the request waits): the
 * opaque for vr_api_domain_done, which answers with the domain's JSON
 * form on success (vr_api_ok when it is gone), else the error. */
void *vr_api_pend(vr_api_call *c, const char *name);
void vr_api_domain_done(vr_err code, const char *err, void *opaque);
/* Answer a list of n objects of the wire schema s under `key`, written
 * straight from the schema (no json-c tree for thousands); ?rows=1 asks
 * for the compact form libvireo reads (wire.h). view(i, items, out)
 * fills element i's view (a zeroed struct of the schema); `owned`: the
 * view owns its strings (vr_wire_clear after writing). */
struct vr_wire_schema;
void vr_api_reply_list(vr_api_call *c, const struct vr_wire_schema *s, const char *key, size_t n,
                       void (*view)(size_t i, void *items, void *out), void *items, bool owned);
/* The same for a request answered later (a deferred route's callback). */
void vr_api_reply_list_to(vr_req *req, const struct vr_wire_schema *s, const char *key, size_t n,
                          void (*view)(size_t i, void *items, void *out), void *items, bool owned);
/* The domain's public JSON form (lists and dominfo share it). */
json_object *vr_api_domain_json(const vr_domain *dom);

/* The DHCP leases (objects with mac, ip, prefix, ...) the interface
 * dom->def->interfaces[i] holds now; empty when shut off or not on a
 * Vireo network (api_networks.c). */
json_object *vr_api_iface_leases(vr_api *api, const vr_domain *dom, size_t i);
/* The events feed's periodic sample (api_sample.c); opaque is the vr_api. */
json_object *vr_api_sample(void *api);

/* JSON bodies (api_json.c). Members: 1 when present, 0 when absent,
 * -1 after answering 400 (wrong type, a NUL inside a string). */
json_object *vr_api_body_json(vr_api_call *c); /* NULL after answering 400 */
/* The domain a route names and (body not NULL) its JSON body, which the
 * caller puts; NULL after answering. */
vr_domain *vr_api_domain_body(vr_api_call *c, json_object **body);
/* The body as XML text for the conf parsers: not empty ("no WHAT XML in
 * the request body"), nothing after a NUL byte. NULL after answering 400. */
const char *vr_api_body_xml(vr_api_call *c, const char *what);
int vr_api_str(vr_api_call *c, json_object *o, const char *key, const char **out);
/* A string member the call cannot do without: true, or false after
 * answering 400 (`expected` says the body's shape when it is absent). */
bool vr_api_need_str(vr_api_call *c, json_object *o, const char *key, const char **out, const char *expected);
bool vr_api_bool(json_object *o, const char *key);
/* A size: a number of bytes, or a string with virsh's units ("10G"). */
int vr_api_size(vr_api_call *c, json_object *o, const char *key, unsigned long long *out);
int vr_api_obj(vr_api_call *c, json_object *o, const char *key, json_object **out); /* an object */
/* A whole number in [lo, hi]. */
int vr_api_uint(vr_api_call *c, json_object *o, const char *key, unsigned long long lo, unsigned long long hi,
                unsigned long long *out);

/* The members of the wire schema s in o, each checked against its kind
 * first (a string, a whole number in its type's range, a boolean; the
 * same 400 answers as above), then read into out (vr_wire_from_json:
 * absent ones empty; vr_wire_clear frees it): 1, or -1 after answering. */
int vr_api_wire(vr_api_call *c, json_object *o, const struct vr_wire_schema *s, void *out);

/* The decoding the routes do past these helpers, callable on their own
 * (tests/fuzz/fuzz_api_json.c drives them with every body shape): each
 * returns its result or false/NULL after answering 4xx. */
/* POST pools/NAME/volumes with a JSON body (vol-create-as). */
vr_vol_def *vr_api_vol_json(vr_api_call *c, json_object *o, const char **backing);
/* POST install: the request read and checked against this host (the
 * name, OS variant, source files, pool, volume, network), nothing made. */
bool vr_api_install_check(vr_api_call *c, json_object *o);
