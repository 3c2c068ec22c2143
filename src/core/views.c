/* Filling the wire structs from the drivers' objects (views.h). */
#include "core/views.h"

#include "common/util.h"
#include "conf/domain_template.h"
#include "core/domain_ops.h"
#include "wire/schemas.h"

#include <arpa/inet.h>
#include <string.h>

void vr_core_domain_view(const vr_domain *dom, vireo_domain *out)
{
    const vr_domain_def *def = dom->def;
    memset(out, 0, sizeof(*out));
    out->name = def->name;
    memcpy(out->uuid, def->uuid, sizeof(out->uuid));
    out->id = dom->id > 0 ? dom->id : -1;
    out->state = (char *)vr_dom_state_name(dom->state);
    out->reason = (char *)dom->reason;
    out->persistent = dom->persistent;
    out->autostart = dom->autostart;
    out->type = def->type == VR_VIRT_KVM ? "kvm" : "qemu";
    out->vcpus = def->vcpus_current;
    out->vcpus_max = def->vcpus;
    out->memory_kib = def->memory_kib;
    out->current_memory_kib = def->current_memory_kib;
    out->title = def->title;
    out->pid = dom->pid > 0 ? dom->pid : 0;
    out->started_at = dom->started_at;
    out->vnc = vr_domain_def_graphics_index(def, VR_GRAPHICS_VNC) >= 0; /* the web console's */
    /* Running: what the run got; shut off: what a start would get here
     * (NULL when a start would be refused). */
    const char *accel = dom->accel;
    if (!accel && dom->state == VR_DOM_SHUTOFF)
        accel = vr_qemu_plan_accel(dom->drv, def, NULL, NULL, NULL);
    out->accel = (char *)accel;
    out->notices = dom->notices;
    out->n_notices = dom->n_notices;
    out->managed_save = vr_qemu_has_managed_save(dom);
    out->is_template = vr_domain_def_is_template(dom->next ? dom->next : def);
    out->firmware_changed = vr_qemu_firmware_changed(dom);
    out->agent_connected = dom->state != VR_DOM_SHUTOFF && dom->agent_connected;
}

void vr_core_pool_view(vr_pool *p, vireo_pool *out)
{
    vr_pool_stats st;
    size_t nvol = 0;
    vr_storage_pool_stats(p, &st, &nvol);
    memset(out, 0, sizeof(*out));
    out->name = p->def->name;
    memcpy(out->uuid, p->def->uuid, sizeof(out->uuid));
    out->type = (char *)vr_pool_type_name(p->def->type);
    out->state = p->active ? "running" : "inactive";
    out->persistent = true;
    out->autostart = p->autostart;
    out->path = p->def->target_path;
    out->capacity = st.capacity;
    out->allocation = st.allocation;
    out->available = st.available;
    out->volumes = (unsigned)nvol;
}

static char *ip4(struct in_addr a)
{
    char s[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, s, sizeof(s));
    return vr_strdup(s);
}

void vr_core_network_view(const vr_network *net, vireo_network *out)
{
    const vr_network_def *def = net->def;
    memset(out, 0, sizeof(*out));
    out->name = vr_strdup(def->name);
    memcpy(out->uuid, def->uuid, sizeof(out->uuid));
    out->active = net->active;
    out->persistent = net->persistent;
    out->autostart = net->autostart;
    out->forward = vr_strdup(vr_net_forward_name(def->forward));
    out->bridge = def->bridge ? vr_strdup(def->bridge) : NULL;
    bool stp;
    unsigned delay_cs;
    out->stp = -1;
    out->forward_delay_ms = -1;
    if (vr_net_stp_in_force(net, &stp, &delay_cs)) {
        out->stp = stp;
        out->forward_delay_ms = (int)delay_cs * 10;
    }
    if (def->ip.present) {
        out->address = ip4(def->ip.address);
        out->prefix = def->ip.prefix;
        /* [] without DHCP: one element is allocated, none counted. */
        out->dhcp = vr_calloc(def->ip.n_ranges ? def->ip.n_ranges : 1, sizeof(*out->dhcp));
        out->n_dhcp = def->ip.n_ranges;
        for (size_t i = 0; i < def->ip.n_ranges; i++) {
            out->dhcp[i].start = ip4(def->ip.ranges[i].start);
            out->dhcp[i].end = ip4(def->ip.ranges[i].end);
        }
        /* The static hosts the web UI lists and removes (net-update). */
        out->dhcp_hosts = vr_calloc(def->ip.n_hosts ? def->ip.n_hosts : 1, sizeof(*out->dhcp_hosts));
        out->n_dhcp_hosts = def->ip.n_hosts;
        for (size_t i = 0; i < def->ip.n_hosts; i++) {
            const vr_net_dhcp_host *h = &def->ip.hosts[i];
            out->dhcp_hosts[i].mac = h->mac[0] ? vr_strdup(h->mac) : NULL;
            out->dhcp_hosts[i].name = h->name ? vr_strdup(h->name) : NULL;
            out->dhcp_hosts[i].ip = ip4(h->ip);
        }
    }
    if (vr_net_is_macvtap(def)) {
        out->devices = vr_calloc(def->n_forward_ifs ? def->n_forward_ifs : 1, sizeof(char *));
        out->n_devices = def->n_forward_ifs;
        for (size_t i = 0; i < def->n_forward_ifs; i++)
            out->devices[i] = vr_strdup(def->forward_ifs[i]);
    }
    if (def->ip6.present) {
        char a6[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &def->ip6.address, a6, sizeof(a6));
        out->address6 = vr_strdup(a6);
        out->prefix6 = def->ip6.prefix;
    }
}

void vr_core_vol_view(const vr_vol_info *v, vireo_vol *out)
{
    memset(out, 0, sizeof(*out));
    out->name = v->name;
    out->pool = v->pool;
    out->path = v->path;
    out->type = v->block ? "block" : "file";
    out->format = (char *)vr_vol_format_name(v->format);
    out->capacity = v->capacity;
    out->allocation = v->allocation;
    out->backing_path = v->backing;
    out->backing_format = v->backing ? (char *)vr_vol_format_name(v->backing_format) : NULL;
    out->used_by = v->used_by;
}

void vr_core_lease_view(const char *network, const vr_lease *l, vireo_lease *out)
{
    memset(out, 0, sizeof(*out));
    out->network = (char *)network;
    out->expiry = l->expiry;
    memcpy(out->mac, l->mac, sizeof(out->mac));
    memcpy(out->ip, l->ip, sizeof(out->ip));
    out->prefix = l->prefix;
    out->family = (unsigned)l->family;
    out->hostname = l->hostname;
    out->client_id = l->client_id;
}

void vr_core_block_iotune_view(const vr_iotune *t, vireo_block_iotune *out)
{
    *out = (vireo_block_iotune){.group_name = t->group_name};
    for (size_t i = 0; i < vr_wire_block_iotune.n_fields; i++) {
        const vr_wire_field *f = &vr_wire_block_iotune.fields[i];
        int k = vr_iotune_field_index(f->key);
        if (k >= 0 && k < VR_IOTUNE_COUNT)
            vr_wire_set_int(f, out, (long long)t->v[k]);
    }
}

void vr_core_snapshot_view(const vr_snapshot_def *s, vireo_snapshot *out)
{
    memset(out, 0, sizeof(*out));
    out->name = s->name;
    out->description = s->description;
    out->state = (char *)vr_snap_state_name(s->state);
    out->parent = s->parent;
    out->creation_time = s->creation_time;
    out->current = s->current;
}

void vr_core_checkpoint_view(const vr_checkpoint_def *c, vireo_checkpoint *out)
{
    memset(out, 0, sizeof(*out));
    out->name = c->name;
    out->description = c->description;
    out->parent = c->parent;
    out->creation_time = c->creation_time;
    out->disks = vr_calloc(c->n_disks + 1, sizeof(char *));
    for (size_t i = 0; i < c->n_disks; i++)
        if (c->disks[i].bitmap)
            out->disks[out->n_disks++] = c->disks[i].name;
}

static char *dup_or_null(const char *s) { return s ? vr_strdup(s) : NULL; }

/* An owned copy of a lease view, for views that own their strings. */
static void lease_copy(const char *network, const vr_lease *l, vireo_lease *out)
{
    vr_core_lease_view(network, l, out);
    out->network = dup_or_null(out->network);
    out->hostname = dup_or_null(out->hostname);
    out->client_id = dup_or_null(out->client_id);
}

static void neighbour_addresses(vr_net_driver *drv, const vr_domain *dom, const vr_interface_def *ifc,
                                vireo_interface *out)
{
    vr_network *net = ifc->type == VR_NET_NETWORK ? vr_net_lookup(drv, ifc->source_network) : NULL;
    vr_neighbour *nb;
    size_t n;
    if (!net || dom->state == VR_DOM_SHUTOFF || vr_net_neighbours(net, ifc->mac, &nb, &n) < 0)
        return;
    out->addresses = vr_calloc(n ? n : 1, sizeof(*out->addresses));
    for (size_t k = 0; k < n; k++) {
        bool v6 = nb[k].family == AF_INET6;
        vr_lease l = {.family = v6 ? 6 : 4, .prefix = v6 ? net->def->ip6.prefix : net->def->ip.prefix};
        snprintf(l.mac, sizeof(l.mac), "%s", ifc->mac);
        snprintf(l.ip, sizeof(l.ip), "%s", nb[k].ip);
        lease_copy(net->def->name, &l, &out->addresses[k]);
    }
    out->n_addresses = n;
    free(nb);
}

void vr_core_interface_view(vr_net_driver *net, const vr_domain *dom, size_t i, bool arp, vireo_interface *out)
{
    const vr_interface_def *ifc = &dom->def->interfaces[i];
    memset(out, 0, sizeof(*out));
    out->interface = dup_or_null(i < dom->n_ifnames ? dom->ifnames[i] : NULL);
    out->type = vr_strdup(vr_net_type_name(ifc->type));
    out->source = dup_or_null(vr_interface_source(ifc));
    out->model = vr_strdup(vr_net_model_name(ifc->model));
    snprintf(out->mac, sizeof(out->mac), "%s", ifc->mac);
    if (arp) {
        neighbour_addresses(net, dom, ifc, out);
    } else {
        vr_lease *l;
        size_t n;
        vr_core_iface_leases(net, dom, i, &l, &n);
        out->addresses = vr_calloc(n ? n : 1, sizeof(*out->addresses));
        for (size_t k = 0; k < n; k++)
            lease_copy(ifc->source_network, &l[k], &out->addresses[k]);
        out->n_addresses = n;
        vr_leases_free(l, n);
    }
    /* Always a list, [] when there is nothing. */
    if (!out->addresses)
        out->addresses = vr_calloc(1, sizeof(*out->addresses));
}

static void bandwidth_view(const vr_bandwidth_rate *r, vireo_bandwidth *out)
{
    *out = r->set ? (vireo_bandwidth){r->average, r->peak, r->burst, r->floor} : (vireo_bandwidth){0};
}

void vr_core_iftune_view(const vr_interface_def *ifd, vireo_iftune *out)
{
    bandwidth_view(&ifd->bandwidth.in, &out->inbound);
    bandwidth_view(&ifd->bandwidth.out, &out->outbound);
}

void vr_core_bandwidth_rate(const vireo_bandwidth *b, vr_bandwidth_rate *out)
{
    *out = (vr_bandwidth_rate){.set = b->average != 0, b->average, b->peak, b->burst, b->floor};
}

void vr_core_secret_view(const vr_secret *s, vireo_secret *out)
{
    const vr_secret_def *d = s->def;
    memset(out, 0, sizeof(*out));
    memcpy(out->uuid, d->uuid, sizeof(out->uuid));
    out->usage_type = (char *)vr_secret_usage_name(d->usage);
    out->usage_id = d->usage_id;
    out->description = d->description;
    out->ephemeral = d->ephemeral;
    out->private_ = d->private_;
    out->has_value = s->has_value;
}

void vr_core_fs_view(const vr_guest_fs *fs, vireo_fs_info *out)
{
    *out = (vireo_fs_info){fs->mountpoint, fs->name, fs->type, fs->targets, fs->n_targets};
}

void vr_core_vcpu_count_view(const vr_domain *dom, vireo_vcpu_count *out)
{
    bool live = dom->state != VR_DOM_SHUTOFF;
    const vr_domain_def *cfg = vr_core_domain_config(dom);
    *out = (vireo_vcpu_count){cfg ? (int)cfg->vcpus : -1, live ? (int)dom->def->vcpus : -1,
                              cfg ? (int)cfg->vcpus_current : -1, live ? (int)dom->def->vcpus_current : -1};
}

void vr_core_vcpu_info_view(const vr_qemu_vcpus *v, vireo_vcpu_info *out)
{
    *out = (vireo_vcpu_info){.vcpus = vr_calloc(v->n + 1, sizeof(*out->vcpus)), .n_vcpus = v->n,
                             .emulator_affinity = v->emulator_affinity, .host_cpus = v->host_cpus};
    for (size_t i = 0; i < v->n; i++)
        out->vcpus[i] = (vireo_vcpu){v->v[i].vcpu,        v->v[i].thread, v->v[i].cpu,
                                     (char *)(v->paused ? "paused" : "running"),
                                     v->v[i].cpu_time_ns, v->v[i].affinity};
}

void vr_core_iothread_info_view(const vr_qemu_iothreads *t, vireo_iothread_info *out)
{
    *out = (vireo_iothread_info){.iothreads = vr_calloc(t->n + 1, sizeof(*out->iothreads)), .n_iothreads = t->n,
                                 .host_cpus = t->host_cpus};
    for (size_t i = 0; i < t->n; i++)
        out->iothreads[i] = (vireo_iothread){t->v[i].id, t->v[i].thread, t->v[i].affinity};
}
