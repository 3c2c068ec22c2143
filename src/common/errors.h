/* Error kinds shared by drivers, the API and libvireo. The API sends the
 * kind as a string code with an HTTP status; libvireo maps it back. */
#pragma once

typedef enum {
    VR_OK = 0,
    VR_ERR_INVALID,     /* 400: bad input (XML, names, sizes) */
    VR_ERR_DENIED,      /* 403: the peer may not do this */
    VR_ERR_NOT_FOUND,   /* 404: no such object */
    VR_ERR_CONFLICT,    /* 409: wrong state (already running, in use, exists) */
    VR_ERR_UNSUPPORTED, /* 422: understood but outside what Vireo supports */
    VR_ERR_FAILED,      /* 500: the operation failed (QEMU, the system) */
} vr_err;

const char *vr_err_code(vr_err e);   /* "not_found" ... */
int vr_err_http_status(vr_err e);
vr_err vr_err_from_code(const char *code);
