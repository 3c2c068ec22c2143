/* Secret operations for the transports (the HTTP routes in
 * api_secrets.c): a value as base64 text in and out, so no transport
 * handles a secret's bytes. Define, undefine and lookups are one secret
 * driver call each, reached through this header. */
#pragma once
#include "drivers/secret/secret_driver.h"

/* Set s's value from base64 text: VR_ERR_INVALID (the value is never
 * echoed) when it is not base64. */
vr_err vr_core_secret_set_base64(vr_secret_driver *drv, vr_secret *s, const char *b64, char **err);
/* s's value as base64 text for a client (never a private secret's):
 * free with vr_core_secret_base64_free, which wipes it. */
vr_err vr_core_secret_get_base64(vr_secret_driver *drv, vr_secret *s, char **b64, char **err);
void vr_core_secret_base64_free(char *b64);
