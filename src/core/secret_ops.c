#include "core/secret_ops.h"
#include "common/util.h"

#include <nettle/base64.h>
#include <stdlib.h>
#include <string.h>

vr_err vr_core_secret_set_base64(vr_secret_driver *drv, vr_secret *s, const char *b64, char **err)
{
    size_t len = strlen(b64), cap = BASE64_DECODE_LENGTH(len) + 1, n = BASE64_DECODE_LENGTH(len);
    unsigned char *value = vr_malloc(cap);
    struct base64_decode_ctx ctx;
    base64_decode_init(&ctx);
    if (!base64_decode_update(&ctx, &n, value, len, b64) || !base64_decode_final(&ctx)) {
        vr_secret_value_free(value, cap);
        vr_set_error(err, "the secret value must be base64 (\"value\": \"...\")");
        return VR_ERR_INVALID;
    }
    vr_err code = vr_secret_set_value(drv, s, value, n, err);
    vr_secret_value_free(value, n);
    return code;
}

vr_err vr_core_secret_get_base64(vr_secret_driver *drv, vr_secret *s, char **b64, char **err)
{
    unsigned char *value = NULL;
    size_t n = 0;
    *b64 = NULL;
    vr_err code = vr_secret_get_value(drv, s, true, &value, &n, err);
    if (code)
        return code;
    *b64 = vr_malloc(BASE64_ENCODE_RAW_LENGTH(n) + 1);
    base64_encode_raw(*b64, n, value);
    (*b64)[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
    vr_secret_value_free(value, n);
    return VR_OK;
}

void vr_core_secret_base64_free(char *b64)
{
    if (!b64)
        return;
    explicit_bzero(b64, strlen(b64));
    free(b64);
}
