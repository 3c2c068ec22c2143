/* A domain's serial console as the daemon holds it: one connection, to
 * the domain's serial logger (which replays its last 64 KiB first) or,
 * for a QEMU started before the logger, to QEMU's serial socket; a ring
 * of recent output, for the latter the serial log, and any number of
 * attached clients. What a client types goes to the guest; what the
 * guest prints goes to every client (and is appended to the log when
 * one is given). Logging what is read (rather than QEMU's logfile=,
 * which writes a character again each time the socket was full and the
 * UART retried it) means each byte once. */
#pragma once
#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct vr_console vr_console;
typedef void (*vr_console_closed_fn)(void *opaque);
typedef void (*vr_console_gone_fn)(void *opaque);

/* NULL when the socket cannot be reached (err says why). `log`: the
 * file the output is appended to (made 0600), or NULL. `gone` (or NULL)
 * is called once when the other end closes, after the clients were
 * closed; it may free the console. */
vr_console *vr_console_open(struct event_base *base, const char *socket_path, const char *log,
                            vr_console_gone_fn gone, void *opaque, char **err);
/* Detach every client (their closed callbacks run) and disconnect. */
void vr_console_free(vr_console *c);

/* Attach a client socket. `initial` are bytes it already sent. With
 * history, the ring's content is sent first. closed runs once when the
 * client leaves or the console goes away; the fd is not closed here. */
void vr_console_attach(vr_console *c, int fd, const char *initial, size_t n, bool history,
                       vr_console_closed_fn closed, void *opaque);
size_t vr_console_clients(const vr_console *c);
