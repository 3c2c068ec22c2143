#include "common/errors.h"

#include <string.h>

static const struct {
    vr_err err;
    const char *code;
    int status;
} table[] = {
    {VR_OK, "ok", 200},
    {VR_ERR_INVALID, "invalid", 400},
    {VR_ERR_DENIED, "denied", 403},
    {VR_ERR_NOT_FOUND, "not_found", 404},
    {VR_ERR_CONFLICT, "conflict", 409},
    {VR_ERR_UNSUPPORTED, "unsupported", 422},
    {VR_ERR_FAILED, "failed", 500},
};

const char *vr_err_code(vr_err e)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].err == e)
            return table[i].code;
    return "failed";
}

int vr_err_http_status(vr_err e)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].err == e)
            return table[i].status;
    return 500;
}

vr_err vr_err_from_code(const char *code)
{
    for (size_t i = 0; code && i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].code, code) == 0)
            return table[i].err;
    return VR_ERR_FAILED;
}
