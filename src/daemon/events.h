/* Lifecycle events, streamed to every subscribed client as JSON lines
 * over an upgraded connection (GET /v1/events). */
#pragma once
#include "daemon/http.h"

#include <event2/event.h>
#include <json-c/json.h>

typedef struct vr_events vr_events;

vr_events *vr_events_new(struct event_base *base);
void vr_events_free(vr_events *ev);
/* Send one event (taken) to every subscriber. */
void vr_events_publish(vr_events *ev, json_object *event);
/* Handle GET /v1/events: upgrade and subscribe. */
void vr_events_subscribe(vr_events *ev, vr_req *req);
