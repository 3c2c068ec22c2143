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
/* An in-process listener (another transport: the libvirt protocol's
 * connections) sees every event too, before the subscribers do. */
typedef void (*vr_events_listener_fn)(json_object *event, void *opaque);
void vr_events_listen(vr_events *ev, vr_events_listener_fn fn, void *opaque);
/* Handle GET /v1/events: upgrade and subscribe. With `samples`, the
 * subscriber also gets the sampler's line (kind "stats") at once and
 * then every period: the web VM list draws its CPU graphs and addresses
 * from it, one line for all domains instead of a request per VM. */
void vr_events_subscribe(vr_events *ev, vr_req *req, bool samples);
/* What builds a sample line (a new object, taken), and how often. The
 * timer runs only while some subscriber wants samples. */
typedef json_object *(*vr_events_sample_fn)(void *opaque);
void vr_events_set_sampler(vr_events *ev, vr_events_sample_fn fn, void *opaque, int period_ms);
/* Send a sample at once to those who asked for samples (a lease changed:
 * the VM list's address column follows without waiting a period). */
void vr_events_sample_now(vr_events *ev);
