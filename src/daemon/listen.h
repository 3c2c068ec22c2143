/* Listening unix sockets for the daemon's transports. */
#pragma once
#include <sys/types.h>

/* Bind and listen on path with mode. A socket file nobody answers on is
 * a leftover (of a killed daemon) and is replaced; one that answers is
 * an error naming `who` is there (NULL: "another vireod"): VR_LISTEN_TAKEN
 * with *err; other failures -1 with *err. */
#define VR_LISTEN_TAKEN (-2)
int vr_listen_unix(const char *path, mode_t mode, const char *who, char **err);
/* The system sockets' mode: group vireo may use them (chown'd), or with
 * no such group root alone. */
mode_t vr_system_socket_mode(const char *path);
