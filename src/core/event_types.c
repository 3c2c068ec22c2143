#include "core/event_types.h"

#include <stddef.h>
#include <string.h>

/* Domain events other than lifecycle ones: the feed's name, libvirt's. */
static const struct {
    const char *event, *type;
} domain_types[] = {
    {"rebooted", "reboot"},
    {"device-added", "device-added"},
    {"device-removed", "device-removed"},
    {"device-removal-failed", "device-removal-failed"},
    {"agent", "agent-lifecycle"},
    {"block-job", "block-job"},
    {"tunable", "tunable"},
    {"metadata-changed", "metadata-change"},
    {"rtc-change", "rtc-change"},
    {"watchdog", "watchdog"},
    {"io-error", "io-error"},
    {"io-error-reason", "io-error-reason"},
    {"graphics", "graphics"},
    {"backup", "job-completed"},
    {"notice", "notice"},
};

const char *vr_core_event_type(const char *kind, const char *event)
{
    if (strcmp(kind, "domain") == 0) {
        for (size_t i = 0; i < sizeof(domain_types) / sizeof(domain_types[0]); i++)
            if (strcmp(domain_types[i].event, event) == 0)
                return domain_types[i].type;
    } else if (strcmp(event, "lease") == 0 || strcmp(event, "refresh") == 0) {
        return event; /* a network's lease (Vireo's own), a pool's refresh */
    }
    return "lifecycle";
}
