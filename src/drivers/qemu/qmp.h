/* A QMP client on the daemon's event loop. One per running domain: it
 * connects to QEMU's monitor socket, negotiates capabilities, sends
 * commands with ids and matches the answers, and passes events on. */
#pragma once
#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>

typedef struct vr_qmp vr_qmp;

/* `ret` is borrowed (NULL when QEMU answered an error: `error` says it). */
typedef void (*vr_qmp_reply_fn)(json_object *ret, const char *error, void *opaque);
typedef void (*vr_qmp_event_fn)(const char *event, json_object *data, void *opaque);
/* The monitor closed: QEMU exited or is exiting. */
typedef void (*vr_qmp_closed_fn)(void *opaque);

/* Connect (the socket exists once `qemu -daemonize` returned). Commands
 * sent before the greeting is in are queued. NULL + *err on failure. */
vr_qmp *vr_qmp_connect(struct event_base *base, const char *path, vr_qmp_event_fn on_event,
                       vr_qmp_closed_fn on_closed, void *opaque, char **err);

/* Send a command; `args` (may be NULL) is taken. cb may be NULL. If the
 * monitor closes first, cb gets error "QEMU exited". */
void vr_qmp_command(vr_qmp *q, const char *cmd, json_object *args, vr_qmp_reply_fn cb, void *opaque);

/* The same with `fd` passed along (SCM_RIGHTS), for commands that take
 * one (getfd). QEMU gets its own copy; the caller closes `fd`. -1 with
 * *err (and cb never called) when it cannot be sent now. */
int vr_qmp_command_fd(vr_qmp *q, const char *cmd, json_object *args, int fd, vr_qmp_reply_fn cb,
                      void *opaque, char **err);

/* Handle what QEMU wrote before it exited and the loop has not read yet
 * (its last events: a SHUTDOWN, a watchdog's poweroff), at once. */
void vr_qmp_drain(vr_qmp *q);

/* Close. With notify, commands still waiting get their callback with
 * error "QEMU exited" first (so every caller hears back); without, they
 * are dropped (daemon shutdown, when nobody is left to answer). Never
 * call it from inside one of this client's own callbacks. */
void vr_qmp_free(vr_qmp *q, bool notify);
