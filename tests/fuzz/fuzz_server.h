/* The API of a vireod inside the fuzzing process: the daemon's own
 * drivers over a private --root in $TMPDIR (no default network, nothing
 * started), a domain, a network and a pool from tests/fixtures defined,
 * and http.c (libmicrohttpd) serving a handler on a unix socket. A fuzz
 * input travels the real path: bytes on a socket, MHD's parsing, the
 * route table, the handler. Made once per process (LLVMFuzzerInitialize).
 * The same drivers can serve libvirt's protocol instead (fz_rpc_start). */
#pragma once
#include "daemon/api.h"

#include <stddef.h>
#include <stdint.h>

/* handler NULL: vr_api_handle (the daemon's router). read_only: the API
 * as served on the read-only socket (GET only), the one every local user
 * may reach. */
void fz_server_start(vr_http_handler handler, bool read_only);
/* The fixture domain's ("minimal") uuid. */
#define FZ_DOMAIN_UUID "6f1b0c3e-2a4d-4e8f-9b7a-5c3d2e1f0a9b"
vr_api *fz_server_api(void);

/* One answer: its status, and whether Vireo's code gave it (a JSON
 * body) or libmicrohttpd did (its own HTML pages for requests it
 * refuses before any handler runs, e.g. 505 for "HTTP/0.1"). */
typedef struct {
    int status;
    bool vireo;
} fz_answer;

/* Send `len` raw bytes as one client connection, run the daemon's loop
 * until the answers are complete or nothing moves any more, close.
 * Fills up to max answers; returns how many came. */
size_t fz_server_roundtrip(const uint8_t *bytes, size_t len, fz_answer *ans, size_t max);

/* Abort (a finding) if Vireo answered a 5xx: the API answers bad input
 * with a 4xx, never an internal error. */
void fz_expect_no_5xx(const fz_answer *ans, size_t n, size_t len);

/* libvirt's remote protocol (rpc_server.c) as vireod serves it on
 * libvirt-sock-ro: every call that changes something is refused, so no
 * input starts QEMU or makes a bridge. */
void fz_rpc_start(void);
/* A new client connection to it (non-blocking), and how many
 * connections the server holds. */
int fz_rpc_connect(void);
unsigned fz_rpc_connections(void);

/* Send what the socket takes of bytes[*sent..len) (non-blocking);
 * true if something went. A refusal (the server closed) counts it all
 * sent: the reading side tells what happened. */
bool fz_send_some(int fd, const uint8_t *bytes, size_t len, size_t *sent);

/* One non-blocking turn of the daemon's event loop. */
void fz_server_turn(void);
