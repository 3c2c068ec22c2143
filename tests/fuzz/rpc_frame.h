/* One libvirt RPC message as a client puts it on the wire: the length
 * word, the header, the body encoded by rpcgen's XDR functions
 * (src/rpc/vireo_remote.x). For the rpc fuzz target's liveness probe and
 * its seed generator (rpc_seeds.c). */
#pragma once
#include <rpc/rpc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vireo_remote.h"

/* libvirt's procedure numbers the probe and the seeds use. */
enum {
    FZ_PROC_CONNECT_OPEN = 1,
    FZ_PROC_CONNECT_CLOSE = 2,
    FZ_PROC_CONNECT_GET_TYPE = 3,
    FZ_PROC_DOMAIN_GET_XML_DESC = 14,
    FZ_PROC_DOMAIN_GET_INFO = 16,
    FZ_PROC_DOMAIN_LOOKUP_BY_NAME = 23,
    FZ_PROC_NETWORK_LOOKUP_BY_NAME = 46,
    FZ_PROC_CONNECT_SUPPORTS_FEATURE = 60,
    FZ_PROC_AUTH_LIST = 66,
    FZ_PROC_NODE_NUM_OF_DEVICES = 111,
    FZ_PROC_NODE_DEVICE_GET_XML_DESC = 114,
    FZ_PROC_NODE_DEVICE_GET_PARENT = 115,
    FZ_PROC_DOMAIN_GET_STATE = 212,
    FZ_PROC_CONNECT_LIST_ALL_DOMAINS = 273,
    FZ_PROC_CONNECT_LIST_ALL_NODE_DEVICES = 285,
    FZ_PROC_DOMAIN_DEFINE_XML_FLAGS = 350,
};

/* VIR_CONNECT_RO: what `virsh -r` passes to virConnectOpen. */
#define FZ_CONNECT_RO 1u

/* A call (prog VRP_REMOTE_PROGRAM, type VRP_CALL) of `proc` with `serial`,
 * its arguments encoded by `args_xdr` (NULL: none), appended to buf at
 * *len (buf holds cap bytes). False if it does not fit or encode. */
bool fz_rpc_call(uint8_t *buf, size_t cap, size_t *len, int proc, unsigned serial, xdrproc_t args_xdr,
                 void *args);
/* A keepalive PING (prog VRP_KEEPALIVE_PROGRAM, type VRP_MESSAGE). */
bool fz_rpc_ping(uint8_t *buf, size_t cap, size_t *len);
