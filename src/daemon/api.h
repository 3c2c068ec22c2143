/* The /v1 API: routes requests to the drivers and turns their results
 * into JSON. docs/api.md documents every endpoint. */
#pragma once
#include "daemon/events.h"
#include "daemon/http.h"
#include "drivers/qemu/qemu_driver.h"

typedef struct {
    vr_qemu_driver *qemu;
    vr_events *events;
    const vr_paths *paths;
    const char *uri; /* the URI this daemon serves */
} vr_api;

void vr_api_handle(vr_req *req, void *opaque);
/* The domain's public JSON form (lists and dominfo share it). */
json_object *vr_api_domain_json(const vr_domain *dom);
