/* The schema of each resource on the wire (wire.h): the structs are
 * libvireo's public ones. Adding a field: a member in vireo.h, one line
 * in schemas.c, the key in docs/api.md (test_wire checks it), and the
 * daemon's view (src/core/views.c) fills it. */
#pragma once
#include "wire/wire.h"

extern const vr_wire_schema vr_wire_domain; /* vireo_domain */
extern const vr_wire_schema vr_wire_pool;   /* vireo_pool */
extern const vr_wire_schema vr_wire_network;    /* vireo_network */
extern const vr_wire_schema vr_wire_dhcp_range; /* vireo_dhcp_range, inside a network */
extern const vr_wire_schema vr_wire_vol;        /* vireo_vol */
extern const vr_wire_schema vr_wire_interface;  /* vireo_interface: a domain's, with its addresses */
extern const vr_wire_schema vr_wire_job;        /* vireo_job */
extern const vr_wire_schema vr_wire_snapshot;   /* vireo_snapshot */
extern const vr_wire_schema vr_wire_checkpoint; /* vireo_checkpoint */
extern const vr_wire_schema vr_wire_lease;      /* vireo_lease: a DHCP lease (or a neighbour entry) */
extern const vr_wire_schema vr_wire_install_request; /* vireo_install_request: POST /v1/install */
extern const vr_wire_schema vr_wire_install_plan;    /* vireo_install_plan: its answer */
extern const vr_wire_schema vr_wire_version;       /* vireo_version: GET /v1/version */
extern const vr_wire_schema vr_wire_host;          /* vireo_host: GET /v1/host */
extern const vr_wire_schema vr_wire_host_stats;    /* vireo_host_stats: GET /v1/host/stats */
extern const vr_wire_schema vr_wire_nodedev;       /* vireo_nodedev: GET /v1/nodedevs */
extern const vr_wire_schema vr_wire_usb_device;    /* vireo_usb_device: GET /v1/host/usb-devices */
extern const vr_wire_schema vr_wire_event;         /* vireo_event: a line of GET /v1/events */
extern const vr_wire_schema vr_wire_sample_domain; /* vireo_sample_domain: in the feed's stats line */
extern const vr_wire_schema vr_wire_block_iotune;  /* vireo_block_iotune: GET /v1/domains/NAME/blkdeviotune */
extern const vr_wire_schema vr_wire_os_variant;    /* vireo_os_variant: GET /v1/os-variants */
extern const vr_wire_schema vr_wire_link;          /* vireo_link: GET /v1/domains/NAME/link */
extern const vr_wire_schema vr_wire_bandwidth;     /* vireo_bandwidth: one direction of PUT/GET …/iftune */
extern const vr_wire_schema vr_wire_iftune;        /* vireo_iftune: GET /v1/domains/NAME/iftune */
extern const vr_wire_schema vr_wire_sched;         /* vireo_sched: PUT/GET /v1/domains/NAME/schedinfo */
extern const vr_wire_schema vr_wire_fs_info;       /* vireo_fs_info: GET /v1/domains/NAME/fsinfo */
extern const vr_wire_schema vr_wire_secret;        /* vireo_secret: GET /v1/secrets */
extern const vr_wire_schema vr_wire_vcpu_count;    /* vireo_vcpu_count: GET /v1/domains/NAME/vcpus */
extern const vr_wire_schema vr_wire_vcpu;          /* vireo_vcpu: one thread of vcpuinfo */
extern const vr_wire_schema vr_wire_vcpu_info;     /* vireo_vcpu_info: GET /v1/domains/NAME/vcpuinfo's return */
extern const vr_wire_schema vr_wire_iothread;      /* vireo_iothread: one of iothreadinfo */
extern const vr_wire_schema vr_wire_iothread_info; /* vireo_iothread_info: GET …/iothreadinfo's return */
