/* What kind of event each line of the daemon's feed is, by libvirt's
 * name for it (virsh event's 'lifecycle', 'reboot', 'tunable' ...): the
 * feed's `type`, which `vireo event` prints and filters on as virsh
 * prints and filters libvirt's events. */
#pragma once

/* libvirt's event name of the feed's (kind, event): "lifecycle" for a
 * domain's started, "reboot" for its rebooted, "device-removal-failed"
 * ...; the feed's own event name for the few libvirt has no event for
 * (a domain's "notice", a network's "lease"). Never NULL. */
const char *vr_core_event_type(const char *kind, const char *event);
