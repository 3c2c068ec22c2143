/* The serial logger's control messages (serial_logger.c is the logger,
 * qemu_serial.c the daemon's side; the unit test speaks them too).
 *
 * One message per connection to the logger's control socket, fields
 * separated by NUL bytes, answered by one line:
 *   "add\0NAME\0LOG-PATH\0" with descriptors (SCM_RIGHTS): the serial
 *       port's end, the domain's listening console socket and, when the
 *       log could be opened, the log (LOG-PATH then names it for the
 *       logger's messages; empty: not logged). Answer "ok\n" once the
 *       logger holds them, or "error: WHY\n".
 *   "stop\0NAME\0": the run ended; the logger logs what QEMU left and
 *       lets the domain go. Not answered (the sender need not wait). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define VR_SERIAL_LOGGER_MSG_MAX 4096
#define VR_SERIAL_LOGGER_FDS 3

/* The message for the logger in buf (at most VR_SERIAL_LOGGER_MSG_MAX);
 * its length, or 0 when the fields do not fit or hold a NUL. */
size_t vr_serial_logger_msg(char *buf, const char *verb, const char *name, const char *log_path);

/* Send a message and its descriptors on a connected socket; false with errno. */
bool vr_serial_logger_send(int fd, const char *msg, size_t len, const int *fds, size_t n_fds);
