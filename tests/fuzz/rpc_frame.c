#include "rpc_frame.h"

static bool frame(uint8_t *buf, size_t cap, size_t *len, vrp_header h, xdrproc_t body_xdr, void *body)
{
    if (*len >= cap)
        return false;
    XDR x;
    xdrmem_create(&x, (char *)buf + *len, (unsigned)(cap - *len), XDR_ENCODE);
    unsigned total = 0; /* written again below, once known */
    bool ok = xdr_u_int(&x, &total) && xdr_vrp_header(&x, &h) && (!body_xdr || body_xdr(&x, body, 0));
    total = xdr_getpos(&x);
    if (ok) {
        xdr_setpos(&x, 0);
        ok = xdr_u_int(&x, &total);
    }
    xdr_destroy(&x);
    if (ok)
        *len += total;
    return ok;
}

bool fz_rpc_call(uint8_t *buf, size_t cap, size_t *len, int proc, unsigned serial, xdrproc_t args_xdr,
                 void *args)
{
    vrp_header h = {.prog = VRP_REMOTE_PROGRAM, .vers = VRP_REMOTE_VERSION, .proc = proc, .type = VRP_CALL,
                    .serial = serial, .status = VRP_OK};
    return frame(buf, cap, len, h, args_xdr, args);
}

bool fz_rpc_ping(uint8_t *buf, size_t cap, size_t *len)
{
    vrp_header h = {.prog = VRP_KEEPALIVE_PROGRAM, .vers = VRP_KEEPALIVE_VERSION, .proc = VRP_KEEPALIVE_PING,
                    .type = VRP_MESSAGE, .serial = 0, .status = VRP_OK};
    return frame(buf, cap, len, h, NULL, NULL);
}
