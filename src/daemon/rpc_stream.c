/* libvirt protocol: procedures whose data flows as a stream. */
#include "daemon/rpc.h"

const vr_rpc_proc vr_rpc_stream_procs[] = {
    {0},
};
