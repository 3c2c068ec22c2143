/* Other hosts the web UI manages through this daemon (virt-manager's
 * connections, Cockpit's host switcher): each is a vireo+ssh:// URI
 * reached with a key this daemon holds, over one ssh process that
 * forwards a local socket to the remote vireod's (as `vireo -c
 * vireo+ssh://` does, but started without blocking the event loop and
 * started again while the host is unreachable). The browser talks only
 * to this daemon; api_hosts.c forwards its requests through the tunnel.
 * The list is kept in CONFIG/hosts.json, the key in CONFIG/hosts/. */
#pragma once
#include "common/paths.h"

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>

typedef struct vr_remote_hosts vr_remote_hosts;

typedef enum { VR_HOST_CONNECTING, VR_HOST_CONNECTED, VR_HOST_UNREACHABLE } vr_host_state;

vr_remote_hosts *vr_remote_hosts_new(struct event_base *base, const vr_paths *paths);
void vr_remote_hosts_free(vr_remote_hosts *rh);

/* {"name","uri","state","error"} of every host, sorted by name. */
json_object *vr_remote_hosts_json(vr_remote_hosts *rh);
/* One host's object, or NULL when there is no such host. */
json_object *vr_remote_host_json(vr_remote_hosts *rh, const char *name);
/* The daemon's public key (one authorized_keys line), made on first
 * use; NULL with *err when ssh-keygen cannot make it. */
char *vr_remote_hosts_public_key(vr_remote_hosts *rh, char **err);

/* Add a host (saved, and its tunnel started) or remove one (its tunnel
 * stopped). 0, or -1 with *err and *status (400, 404, 409). */
int vr_remote_hosts_add(vr_remote_hosts *rh, const char *name, const char *uri, int *status, char **err);
int vr_remote_hosts_remove(vr_remote_hosts *rh, const char *name, int *status, char **err);

/* Where a connected host's daemon answers now (the tunnel's local
 * socket): NULL with *err (no such host, or why it is unreachable). */
const char *vr_remote_host_socket(vr_remote_hosts *rh, const char *name, int *status, char **err);
