/* libvirt's remote protocol, one more transport of the daemon: virsh,
 * virt-manager, python3-libvirt and whatever else speaks libvirt's RPC
 * connect to libvirt-sock (and libvirt-sock-ro) beside vireod's own
 * socket. A call is decoded (rpcgen's XDR code, src/rpc/vireo_remote.x),
 * handed to the same core calls (src/core) the HTTP routes use, and its
 * result encoded back; nothing here holds behaviour of its own.
 * docs/libvirt-protocol.md lists what is served.
 *
 * rpc_server.c: sockets, framing, dispatch, errors, keepalive, events.
 * rpc_connect.c, rpc_domain.c, rpc_network.c, rpc_storage.c,
 * rpc_nodedev.c ...: the procedures, each module a table. */
#pragma once
#include "common/errors.h"
#include "core/access.h"
#include "daemon/api.h"
#include "daemon/http_guard.h"

#include <rpc/rpc.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vireo_remote.h"

typedef struct vr_rpc vr_rpc;
typedef struct vr_rpc_conn vr_rpc_conn;

/* Serve the protocol on listen_fd (taken); `read_only`: the -ro socket. */
vr_rpc *vr_rpc_start(struct event_base *base, int listen_fd, vr_api *api, bool read_only,
                     const char *name, const vr_http_limits *limits);
void vr_rpc_stop(vr_rpc *r);
unsigned vr_rpc_connections(const vr_rpc *r);
/* An event of the daemon's feed (events.c's JSON form; opaque is the
 * vr_rpc): domain (lifecycle, reboot, device added/removed), network and
 * pool (lifecycle, refresh) events go to every connection registered for
 * them. */
void vr_rpc_event(json_object *event, void *opaque);

/* libvirt's error numbers (virterror.h) that Vireo answers with. */
enum {
    VIR_ERR_INTERNAL_ERROR = 1,
    VIR_ERR_NO_SUPPORT = 3,
    VIR_ERR_INVALID_ARG = 8,
    VIR_ERR_OPERATION_FAILED = 9,
    VIR_ERR_XML_ERROR = 27,
    VIR_ERR_OPERATION_DENIED = 29,
    VIR_ERR_RPC = 39,
    VIR_ERR_NO_DOMAIN = 42,
    VIR_ERR_NO_NETWORK = 43,
    VIR_ERR_NO_STORAGE_POOL = 49,
    VIR_ERR_NO_STORAGE_VOL = 50,
    VIR_ERR_NO_NODE_DEVICE = 53,
    VIR_ERR_OPERATION_INVALID = 55,
    VIR_ERR_CONFIG_UNSUPPORTED = 67,
    VIR_ERR_NO_DOMAIN_SNAPSHOT = 72,
    VIR_ERR_OVERFLOW = 82,
    VIR_ERR_ACCESS_DENIED = 88,
    VIR_ERR_DEVICE_MISSING = 99,
    VIR_ERR_NO_DOMAIN_CHECKPOINT = 103,
};

/* What a call's objects are, for the error it may answer with: a "not
 * found" names the kind (VIR_ERR_NO_DOMAIN ...), an invalid XML document
 * is VIR_ERR_XML_ERROR, other invalid input VIR_ERR_INVALID_ARG. */
typedef enum {
    VR_RPC_DOMAIN,
    VR_RPC_NETWORK,
    VR_RPC_POOL,
    VR_RPC_VOLUME,
    VR_RPC_XML,
    VR_RPC_DEVICE, /* a domain's disk or interface: missing is VIR_ERR_DEVICE_MISSING */
    VR_RPC_SNAPSHOT,
    VR_RPC_CHECKPOINT,
    VR_RPC_NODEDEV,
    VR_RPC_OTHER,
} vr_rpc_kind;

/* One call on its way through a procedure. */
typedef struct vr_rpc_call {
    vr_rpc_conn *conn;
    vr_api *api;
    const struct vr_rpc_proc *proc;
    unsigned serial;
    void *args; /* decoded: the procedure's args type */
    void *ret;  /* zeroed: the procedure's ret type, to fill */
} vr_rpc_call;

/* A procedure's outcome: answered now (ret filled), failed (an error
 * set with vr_rpc_fail*), or later (the procedure calls vr_rpc_done). */
typedef enum { VR_RPC_OK, VR_RPC_FAILED, VR_RPC_LATER } vr_rpc_result;

typedef struct vr_rpc_proc {
    int number;
    const char *api;   /* libvirt's function, for messages: "virDomainDefineXML" */
    xdrproc_t args_xdr;
    size_t args_size;
    xdrproc_t ret_xdr;
    size_t ret_size;
    vr_rpc_result (*fn)(vr_rpc_call *c);
    vr_access access;  /* core/access.h: the read-only socket serves VR_ACCESS_READ */
} vr_rpc_proc;

/* Each module's table, ending with an entry whose fn is NULL. */
/* The served procedure `number` (a QEMU program's at VR_RPC_QEMU_PROC(n))
 * of every table the server dispatches from, or NULL. */
const vr_rpc_proc *vr_rpc_find_proc(int number);
extern const vr_rpc_proc vr_rpc_connect_procs[];
extern const vr_rpc_proc vr_rpc_domain_procs[];
extern const vr_rpc_proc vr_rpc_network_procs[];
extern const vr_rpc_proc vr_rpc_storage_procs[];
extern const vr_rpc_proc vr_rpc_snapshot_procs[];
extern const vr_rpc_proc vr_rpc_checkpoint_procs[];
extern const vr_rpc_proc vr_rpc_stats_procs[];
extern const vr_rpc_proc vr_rpc_stream_procs[];
extern const vr_rpc_proc vr_rpc_guest_procs[];
extern const vr_rpc_proc vr_rpc_save_procs[];
extern const vr_rpc_proc vr_rpc_block_procs[];
extern const vr_rpc_proc vr_rpc_vcpu_procs[];
extern const vr_rpc_proc vr_rpc_nodedev_procs[];
/* Procedure n of libvirt's QEMU program (virsh qemu-monitor-command,
 * qemu-agent-command) in the tables, above every remote procedure. */
#define VR_RPC_QEMU_PROC(n) (0x10000 + (n))

/* A table entry: procedure number, libvirt's function, args and ret
 * types (void for none), handler, its access by name: READ, WRITE,
 * CONSOLE or GUEST (VR_ACCESS_*; a name, so that an entry written with
 * the old bool fails to build instead of meaning another access). */
#define VR_RPC_PROC(num, api_name, args_t, ret_t, handler, access)                                     \
    {(num), (api_name), (xdrproc_t)xdr_##args_t, sizeof(args_t), (xdrproc_t)xdr_##ret_t, sizeof(ret_t), \
     (handler), VR_ACCESS_##access}
/* libvirt's name for a procedure vireod does not serve, if known
 * (rpc_unserved.c), else NULL: for the log. */
const char *vr_rpc_unserved_name(int number);

/* libvirt's typed parameters (virTypedParameterType), built one by one;
 * each takes `field` (allocated). The array goes into a ret's params. */
enum { VR_TP_INT = 1, VR_TP_UINT = 2, VR_TP_LLONG = 3, VR_TP_ULLONG = 4, VR_TP_DOUBLE = 5, VR_TP_BOOLEAN = 6,
       VR_TP_STRING = 7 };
typedef struct {
    vrp_typed_param *val;
    unsigned len, cap;
} vr_rpc_params;
vrp_typed_value *vr_rpc_param_add(vr_rpc_params *p, int type, char *field);
/* v < 0 (unknown) adds nothing. */
void vr_rpc_param_ull(vr_rpc_params *p, char *field, long long v);
void vr_rpc_param_uint(vr_rpc_params *p, char *field, unsigned v);
void vr_rpc_param_int(vr_rpc_params *p, char *field, int v);
void vr_rpc_param_bool(vr_rpc_params *p, char *field, bool v);
void vr_rpc_param_str(vr_rpc_params *p, char *field, const char *v);

/* `void` for calls without arguments or results. */
typedef struct { char unused; } vrp_void;
bool_t xdr_vrp_void(XDR *xdrs, vrp_void *v);

/* Errors: the message is the whole text clients print. */
vr_rpc_result vr_rpc_fail(vr_rpc_call *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A Vireo error (a driver's code and message) as libvirt's. */
vr_rpc_result vr_rpc_fail_vr(vr_rpc_call *c, vr_err code, const char *msg, vr_rpc_kind kind);
/* A driver call's outcome: VR_RPC_OK, or its error; err is freed. Call the
 * driver first (into a variable): C leaves argument order open. */
vr_rpc_result vr_rpc_outcome(vr_rpc_call *c, vr_err code, char *err, vr_rpc_kind kind);
/* Finish a call that answered VR_RPC_LATER: with its ret filled when
 * code is VR_OK, else with the error. The call is freed. */
void vr_rpc_done(vr_rpc_call *c, vr_err code, const char *msg, vr_rpc_kind kind);
/* The answer (when VR_OK) also hands this descriptor to the client
 * (REPLY_WITH_FDS; taken: closed once sent, or with the call). */
void vr_rpc_pass_fd(vr_rpc_call *c, int fd);
/* A descriptor the call brought (CALL_WITH_FDS: virDomainOpenGraphics'
 * socket), taken (the caller closes it), or -1 when it brought none. */
int vr_rpc_take_fd(vr_rpc_call *c);
/* Is the call's connection still there (a client may leave while a
 * deferred call runs)? */
bool vr_rpc_call_alive(const vr_rpc_call *c);

/* The connection's peer (SO_PEERCRED) and its event registrations. */
uid_t vr_rpc_peer_uid(const vr_rpc_conn *conn);
bool vr_rpc_read_only(const vr_rpc_conn *conn);
/* May the call's connection do what `access` is (a procedure whose
 * access depends on its arguments)? False after failing the call with
 * libvirt's "read only access prevents ...". */
bool vr_rpc_access_ok(vr_rpc_call *c, vr_access access);
void vr_rpc_set_open(vr_rpc_conn *conn);
/* Register for events of domains, networks or pools: libvirt's event id
 * of that kind (filter: the object's uuid, or NULL for all); returns the
 * callback id, or -1 when the connection holds too many. */
/* Node devices and secrets: registrations that nothing sends to (the
 * protocol lists none of either). */
typedef enum { VR_RPC_EV_DOMAIN, VR_RPC_EV_NETWORK, VR_RPC_EV_POOL, VR_RPC_EV_NODEDEV, VR_RPC_EV_SECRET } vr_rpc_ev_kind;
int vr_rpc_events_add(vr_rpc_conn *conn, vr_rpc_ev_kind kind, int event_id, const unsigned char *uuid);
bool vr_rpc_events_remove(vr_rpc_conn *conn, vr_rpc_ev_kind kind, int callback_id);

/* ---- streams (consoles, volume upload and download) ----
 *
 * After a stream procedure's reply, its data flows as messages of type
 * STREAM with the call's procedure and serial: CONTINUE carries bytes
 * (an empty one is the end of the sender's data), the client's OK asks
 * the server to finish and is answered with OK or an error, ERROR
 * aborts. STREAM_HOLE carries a run
 * of zeros by its length (sparse volumes). */
typedef struct vr_rpc_stream vr_rpc_stream;
typedef struct {
    /* The client's bytes (and holes: NULL buf, n zero bytes). */
    void (*data)(vr_rpc_stream *s, void *opaque, const char *buf, size_t n);
    /* The client is done sending: answer with vr_rpc_stream_finished. */
    void (*finish)(vr_rpc_stream *s, void *opaque);
    /* The client aborted or left, or the stream failed: release
     * everything; the stream is gone when this returns. */
    void (*abort)(void *opaque);
    /* Room in the connection's output again (pacing a download);
     * optional. Also called once the call's reply has gone. */
    void (*writable)(vr_rpc_stream *s, void *opaque);
} vr_rpc_stream_ops;

/* Open the call's stream (before answering it VR_RPC_OK). */
vr_rpc_stream *vr_rpc_stream_open(vr_rpc_call *c, const vr_rpc_stream_ops *ops, void *opaque);
void vr_rpc_stream_send(vr_rpc_stream *s, const char *buf, size_t n);
void vr_rpc_stream_send_hole(vr_rpc_stream *s, long long length);
/* Our side is at its end: the client finishes next. */
void vr_rpc_stream_eof(vr_rpc_stream *s);
/* Answer the client's finish (OK, or the error) and close the stream. */
void vr_rpc_stream_finished(vr_rpc_stream *s, vr_err code, const char *msg);
/* Fail the stream from our side (STREAM ERROR); abort runs. */
void vr_rpc_stream_fail(vr_rpc_stream *s, vr_err code, const char *msg);
/* Is the connection's output below the pacing mark? */
bool vr_rpc_stream_room(const vr_rpc_stream *s);
struct event_base *vr_rpc_stream_base(const vr_rpc_stream *s);

/* A pair of listing filter bits (ACTIVE/INACTIVE, AUTOSTART/NO_AUTOSTART
 * ...): does an object whose fact is `value` pass? Neither bit: yes. */
bool vr_rpc_filter(unsigned flags, unsigned yes, unsigned no, bool value);

/* A domain's snapshots or checkpoints as a tree: each a name and its
 * parent's (NULL for a root). */
typedef struct {
    const char *name, *parent;
} vr_rpc_moment;
/* Has `name` no children? */
bool vr_rpc_moment_leaf(const vr_rpc_moment *m, size_t n, const char *name);
/* Is m[i] under `ancestor`: its child, or with any_depth a descendant? */
bool vr_rpc_moment_under(const vr_rpc_moment *m, size_t n, size_t i, const char *ancestor, bool any_depth);
/* A snapshot's or checkpoint's wire object: its name and domain d's (copies). */
void vr_rpc_moment_wire(vrp_snap *out, const vrp_dom *d, const char *name);

/* The procedures snapshots and checkpoints share (rpc_moments.c): one
 * call's view of a domain's list of either, loaded by the kind's own
 * driver call. libvirt gives both the same listing bits for roots (with
 * a parent: every depth) and leaves. */
enum { VR_RPC_MOMENT_ROOTS = 1, VR_RPC_MOMENT_LEAVES = 4, VR_RPC_MOMENT_NO_LEAVES = 8 };
typedef struct vr_rpc_moments vr_rpc_moments;
typedef struct {
    const char *what; /* "snapshot", "checkpoint": in messages */
    int no_such;      /* libvirt's error for a name not there */
    unsigned list_flags; /* every listing flag of the kind's */
    /* The domain's list, oldest first (a parent before its children),
     * into m->list (the driver's array), m->n and m->tree. */
    vr_err (*load)(vr_rpc_moments *m, char **err);
    void (*unload)(vr_rpc_moments *m);
    /* The kind's own listing filters beyond roots and leaves; NULL: none. */
    bool (*passes)(const vr_rpc_moments *m, size_t i, unsigned flags);
} vr_rpc_moment_kind;
struct vr_rpc_moments {
    const vr_rpc_moment_kind *kind;
    vr_domain *dom;
    void *list;          /* the driver's array of definitions */
    vr_rpc_moment *tree; /* their names and parents, in the list's order */
    size_t n;
};
/* Load the domain's list, its flags checked against `allowed`: false
 * after answering. *m to vr_rpc_moments_unload either way. */
bool vr_rpc_moments_load(vr_rpc_call *c, const vr_rpc_moment_kind *k, const vrp_dom *d, unsigned flags,
                         unsigned allowed, vr_rpc_moments *m);
void vr_rpc_moments_unload(vr_rpc_moments *m);
/* The same, and the index of the one `w` names into *at; false after answering. */
bool vr_rpc_moments_load_named(vr_rpc_call *c, const vr_rpc_moment_kind *k, const vrp_snap *w, unsigned flags,
                               unsigned allowed, vr_rpc_moments *m, size_t *at);
/* Those passing the listing flags; `parent`: only its children (with
 * ROOTS its descendants). Fills wire objects of domain d into out and
 * names into names (at most max) when given; returns the count. */
int vr_rpc_moments_select(const vr_rpc_moments *m, const char *parent, unsigned f, const vrp_dom *d, vrp_snap *out,
                          char **names, int max);
/* The answer naming one of domain d's: {name, domain}. */
vr_rpc_result vr_rpc_moment_reply(vr_rpc_call *c, const vrp_dom *d, const char *name);
/* A create's XML over vireod's limit: false after answering. */
bool vr_rpc_moment_xml_fits(vr_rpc_call *c, const vr_rpc_moment_kind *k, const char *xml);
/* A call naming one (w), flags checked against `allowed`: fill's
 * answer for m->tree[at], after answering the load's error otherwise. */
typedef vr_rpc_result (*vr_rpc_moment_fill)(vr_rpc_call *c, const vr_rpc_moments *m, size_t at, const vrp_snap *w);
vr_rpc_result vr_rpc_moments_answer(vr_rpc_call *c, const vr_rpc_moment_kind *k, const vrp_snap *w, unsigned flags,
                                    unsigned allowed, vr_rpc_moment_fill fill);
/* The procedures themselves: ListAll*, ListAllChildren, LookupByName, GetParent. */
vr_rpc_result vr_rpc_moments_list_all(vr_rpc_call *c, const vr_rpc_moment_kind *k);
vr_rpc_result vr_rpc_moments_list_all_children(vr_rpc_call *c, const vr_rpc_moment_kind *k);
vr_rpc_result vr_rpc_moments_lookup(vr_rpc_call *c, const vr_rpc_moment_kind *k);
vr_rpc_result vr_rpc_moments_parent(vr_rpc_call *c, const vr_rpc_moment_kind *k);

/* Does the domain pass virConnectListAllDomains' filter flags (also
 * virConnectGetAllDomainStats')? */
bool vr_rpc_dom_matches(vr_domain *dom, unsigned flags);
/* libvirt's state and reason numbers for the domain's. */
void vr_rpc_dom_state(const vr_domain *dom, int *state, int *reason);
/* A call's flags outside `allowed`: false after failing the call. */
bool vr_rpc_flags_ok(vr_rpc_call *c, unsigned flags, unsigned allowed);

/* Wire forms of Vireo's objects (strings are copies, freed with the ret). */
void vr_rpc_dom_wire(vrp_dom *out, const vr_domain *dom);
void vr_rpc_uuid_wire(vrp_uuid out, const char *uuid_text);
void vr_rpc_uuid_text(const vrp_uuid in, char out[37]);
/* The domain a call names (by uuid, as libvirt's daemon does), or NULL
 * after answering VIR_ERR_NO_DOMAIN. */
vr_domain *vr_rpc_find_domain(vr_rpc_call *c, const vrp_dom *d);
