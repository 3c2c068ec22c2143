/* The four macvtap modes, shared by a domain's <interface type='direct'>
 * (<source mode=...>) and a network's <forward mode=...>: how a guest's
 * macvtap device talks to the other guests on the same host NIC. */
#pragma once

typedef enum {
    VR_MACVTAP_VEPA,        /* every frame goes out to the switch (libvirt's default) */
    VR_MACVTAP_BRIDGE,      /* guests on the same NIC talk to each other directly */
    VR_MACVTAP_PRIVATE,     /* guests on the same NIC never talk to each other */
    VR_MACVTAP_PASSTHROUGH, /* the guest owns the NIC: one guest per device */
} vr_macvtap_mode;

/* "vepa", "bridge", "private", "passthrough", NULL: index = mode. */
extern const char *const vr_macvtap_mode_names[];
