/* Every resource's JSON form, one line per field, in the order the
 * answers show them. Key names are settled here: memory is memory_kib
 * (the <memory> maximum) and current_memory_kib (<currentMemory>, the
 * balloon's target), everywhere (API, libvireo, every --json). */
#include "wire/schemas.h"

#include <vireo/vireo.h>

#define D(key, kind, member) VR_WIRE_FIELD(vireo_domain, key, kind, member)
static const vr_wire_field domain_fields[] = {
    D("name", VR_WIRE_STR, name),
    VR_WIRE_CHARS_FIELD(vireo_domain, "uuid", uuid),
    VR_WIRE_OPT(vireo_domain, "id", VR_WIRE_INT, id, -1), /* null when not running */
    D("state", VR_WIRE_STR, state),
    D("reason", VR_WIRE_STR, reason),
    D("persistent", VR_WIRE_BOOL, persistent),
    D("autostart", VR_WIRE_BOOL, autostart),
    D("type", VR_WIRE_STR, type),
    D("vcpus", VR_WIRE_UINT, vcpus),
    D("vcpus_max", VR_WIRE_UINT, vcpus_max),
    D("memory_kib", VR_WIRE_U64, memory_kib),
    D("current_memory_kib", VR_WIRE_U64, current_memory_kib),
    D("title", VR_WIRE_STR, title),
    VR_WIRE_OPT(vireo_domain, "pid", VR_WIRE_INT, pid, 0),
    VR_WIRE_OPT(vireo_domain, "started_at", VR_WIRE_I64, started_at, 0),
    D("vnc", VR_WIRE_BOOL, vnc),
    D("accel", VR_WIRE_STR, accel),
    VR_WIRE_STRV_FIELD(vireo_domain, "notices", notices, n_notices),
};
const vr_wire_schema vr_wire_domain = VR_WIRE_SCHEMA(vireo_domain, "domain", domain_fields);

#define P(key, kind, member) VR_WIRE_FIELD(vireo_pool, key, kind, member)
static const vr_wire_field pool_fields[] = {
    P("name", VR_WIRE_STR, name),
    VR_WIRE_CHARS_FIELD(vireo_pool, "uuid", uuid),
    P("type", VR_WIRE_STR, type),
    P("state", VR_WIRE_STR, state),
    P("persistent", VR_WIRE_BOOL, persistent),
    P("autostart", VR_WIRE_BOOL, autostart),
    P("path", VR_WIRE_STR, path),
    P("capacity", VR_WIRE_U64, capacity),
    P("allocation", VR_WIRE_U64, allocation),
    P("available", VR_WIRE_U64, available),
    P("volumes", VR_WIRE_UINT, volumes),
};
const vr_wire_schema vr_wire_pool = VR_WIRE_SCHEMA(vireo_pool, "pool", pool_fields);
