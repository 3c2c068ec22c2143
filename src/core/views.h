/* The daemon's objects as the wire structs (wire/schemas.h): what every
 * transport encodes. A view borrows: its strings point into the object
 * and stay valid until the object changes; never vireo_*_clear a view. */
#pragma once
#include "drivers/network/network_driver.h"
#include "drivers/qemu/qemu_driver.h"
#include "conf/checkpoint_conf.h"
#include "conf/snapshot_conf.h"
#include "drivers/storage/storage_driver.h"
#include "core/guest_ops.h"
#include "core/secret_ops.h"

#include <vireo/vireo.h>

void vr_core_domain_view(const vr_domain *dom, vireo_domain *out);
/* With the pool's sizes and volume count read now (statvfs, readdir). */
void vr_core_pool_view(vr_pool *p, vireo_pool *out);
/* A network's view owns its strings (its addresses are formatted for
 * it): vr_wire_clear(&vr_wire_network, out) frees them. The warning of
 * the last start is left out: only a start's answer carries it. */
void vr_core_network_view(const vr_network *net, vireo_network *out);
/* A volume as found on disk (borrowed, as the domain's and pool's). */
void vr_core_vol_view(const vr_vol_info *v, vireo_vol *out);
/* A DHCP lease of `network` (borrowed). */
void vr_core_lease_view(const char *network, const vr_lease *l, vireo_lease *out);
/* A snapshot's metadata (borrowed). */
/* A disk's <iotune> (borrowed group name). */
void vr_core_block_iotune_view(const vr_iotune *t, vireo_block_iotune *out);
/* A snapshot's metadata (borrowed). */
void vr_core_snapshot_view(const vr_snapshot_def *s, vireo_snapshot *out);
/* A checkpoint's metadata (borrowed strings; out->disks is an array of
 * its own: free(out->disks)). */
void vr_core_checkpoint_view(const vr_checkpoint_def *c, vireo_checkpoint *out);
/* A domain's interface i with its addresses: the DHCP leases its
 * network's dnsmasq holds, or with `arp` what the host's neighbour tables
 * (ARP, NDP) hold for its MAC, as leases that never expire. The view
 * owns its strings: vr_wire_clear(&vr_wire_interface, out). */
void vr_core_interface_view(vr_net_driver *net, const vr_domain *dom, size_t i, bool arp, vireo_interface *out);
/* An interface's <bandwidth> both ways, 0 where a direction is unset
 * (GET …/iftune, domiftune); and one direction given on the wire as the
 * definition's (average 0: the direction is taken away). */
void vr_core_iftune_view(const vr_interface_def *ifd, vireo_iftune *out);
void vr_core_bandwidth_rate(const vireo_bandwidth *b, vr_bandwidth_rate *out);
/* A secret's facts (never its value). */
void vr_core_secret_view(const vr_secret *s, vireo_secret *out);
/* A filesystem the guest agent reports, its disks named by the domain's targets. */
void vr_core_fs_view(const vr_guest_fs *fs, vireo_fs_info *out);
/* vcpucount's four sides (-1: the domain has no such side). */
void vr_core_vcpu_count_view(const vr_domain *dom, vireo_vcpu_count *out);
/* vcpuinfo's and iothreadinfo's answers (borrowed strings; the array is
 * the view's own: free(out->vcpus), free(out->iothreads)). */
void vr_core_vcpu_info_view(const vr_qemu_vcpus *v, vireo_vcpu_info *out);
void vr_core_iothread_info_view(const vr_qemu_iothreads *t, vireo_iothread_info *out);
