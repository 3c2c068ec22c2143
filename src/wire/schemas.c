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
    D("managed_save", VR_WIRE_BOOL, managed_save),
    D("template", VR_WIRE_BOOL, is_template),
    VR_WIRE_STRV_FIELD(vireo_domain, "notices", notices, n_notices),
    D("firmware_changed", VR_WIRE_BOOL, firmware_changed),
    D("agent_connected", VR_WIRE_BOOL, agent_connected),
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

static const vr_wire_field dhcp_range_fields[] = {
    VR_WIRE_FIELD(vireo_dhcp_range, "start", VR_WIRE_STR, start),
    VR_WIRE_FIELD(vireo_dhcp_range, "end", VR_WIRE_STR, end),
};
const vr_wire_schema vr_wire_dhcp_range = VR_WIRE_SCHEMA(vireo_dhcp_range, "dhcp range", dhcp_range_fields);

static const vr_wire_field dhcp_host_fields[] = {
    VR_WIRE_FIELD(vireo_dhcp_host, "mac", VR_WIRE_STR, mac),
    VR_WIRE_FIELD(vireo_dhcp_host, "name", VR_WIRE_STR, name),
    VR_WIRE_FIELD(vireo_dhcp_host, "ip", VR_WIRE_STR, ip),
};
static const vr_wire_schema dhcp_host = VR_WIRE_SCHEMA(vireo_dhcp_host, "dhcp host", dhcp_host_fields);

/* Keys a network may not have are left out rather than null: no <ip>,
 * no address; a bridge not of Vireo's, no STP facts; a listing, no
 * warning (only a start's answer carries it). */
#define N(key, kind, member) VR_WIRE_FIELD(vireo_network, key, kind, member)
#define N_OMIT(key, kind, member, none) VR_WIRE_OMIT(vireo_network, key, kind, member, none)
static const vr_wire_field network_fields[] = {
    N("name", VR_WIRE_STR, name),
    VR_WIRE_CHARS_FIELD(vireo_network, "uuid", uuid),
    N("active", VR_WIRE_BOOL, active),
    N("persistent", VR_WIRE_BOOL, persistent),
    N("autostart", VR_WIRE_BOOL, autostart),
    N("forward", VR_WIRE_STR, forward),
    N("bridge", VR_WIRE_STR, bridge), /* null for macvtap networks */
    {.key = "devices", .kind = VR_WIRE_STRV, .off = offsetof(vireo_network, devices), /* macvtap only */
     .count_off = offsetof(vireo_network, n_devices), .omit = true},
    N_OMIT("stp", VR_WIRE_TRIBOOL, stp, -1),
    N_OMIT("forward_delay_ms", VR_WIRE_INT, forward_delay_ms, -1),
    N_OMIT("address", VR_WIRE_STR, address, 0),
    N_OMIT("prefix", VR_WIRE_UINT, prefix, 0),
    VR_WIRE_LIST_FIELD(vireo_network, "dhcp", dhcp, n_dhcp, vr_wire_dhcp_range),
    VR_WIRE_LIST_FIELD(vireo_network, "dhcp_hosts", dhcp_hosts, n_dhcp_hosts, dhcp_host),
    N_OMIT("address6", VR_WIRE_STR, address6, 0),
    N_OMIT("prefix6", VR_WIRE_UINT, prefix6, 0),
    N_OMIT("warning", VR_WIRE_STR, warning, 0),
};
const vr_wire_schema vr_wire_network = VR_WIRE_SCHEMA(vireo_network, "network", network_fields);

/* A volume's backing file, an object of its own on the wire, members of
 * vireo_vol in C. */
static const vr_wire_field backing_fields[] = {
    VR_WIRE_FIELD(vireo_vol, "path", VR_WIRE_STR, backing_path),
    VR_WIRE_FIELD(vireo_vol, "format", VR_WIRE_STR, backing_format),
};
static const vr_wire_schema backing = VR_WIRE_SCHEMA(vireo_vol, "backing file", backing_fields);

#define V(key, kind, member) VR_WIRE_FIELD(vireo_vol, key, kind, member)
static const vr_wire_field vol_fields[] = {
    V("name", VR_WIRE_STR, name),
    V("pool", VR_WIRE_STR, pool),
    V("path", VR_WIRE_STR, path),
    V("type", VR_WIRE_STR, type),
    V("format", VR_WIRE_STR, format),
    V("capacity", VR_WIRE_U64, capacity),
    V("allocation", VR_WIRE_U64, allocation),
    VR_WIRE_GROUP_FIELD("backing", backing), /* null for a volume without one */
    V("used_by", VR_WIRE_STR, used_by),
};
const vr_wire_schema vr_wire_vol = VR_WIRE_SCHEMA(vireo_vol, "volume", vol_fields);

static const vr_wire_name families[] = {{4, "ipv4"}, {6, "ipv6"}, {0, NULL}};

#define L(key, kind, member) VR_WIRE_FIELD(vireo_lease, key, kind, member)
static const vr_wire_field lease_fields[] = {
    L("network", VR_WIRE_STR, network),
    L("expiry", VR_WIRE_I64, expiry), /* unix time; 0: never */
    VR_WIRE_CHARS_FIELD(vireo_lease, "mac", mac),
    VR_WIRE_ENUM_FIELD(vireo_lease, "type", family, families),
    VR_WIRE_CHARS_FIELD(vireo_lease, "ip", ip),
    L("prefix", VR_WIRE_UINT, prefix),
    L("hostname", VR_WIRE_STR, hostname),
    L("client_id", VR_WIRE_STR, client_id),
};
const vr_wire_schema vr_wire_lease = VR_WIRE_SCHEMA(vireo_lease, "lease", lease_fields);

#define I(key, kind, member) VR_WIRE_FIELD(vireo_interface, key, kind, member)
static const vr_wire_field interface_fields[] = {
    I("interface", VR_WIRE_STR, interface), /* the tap or macvtap; null when none */
    I("type", VR_WIRE_STR, type),
    I("source", VR_WIRE_STR, source),
    I("model", VR_WIRE_STR, model),
    VR_WIRE_CHARS_FIELD(vireo_interface, "mac", mac),
    VR_WIRE_LIST_FIELD(vireo_interface, "addresses", addresses, n_addresses, vr_wire_lease),
};
const vr_wire_schema vr_wire_interface = VR_WIRE_SCHEMA(vireo_interface, "interface", interface_fields);

#define S(key, kind, member) VR_WIRE_FIELD(vireo_snapshot, key, kind, member)
static const vr_wire_field snapshot_fields[] = {
    S("name", VR_WIRE_STR, name),
    S("description", VR_WIRE_STR, description),
    S("state", VR_WIRE_STR, state), /* the domain's when taken */
    S("parent", VR_WIRE_STR, parent),
    S("creation_time", VR_WIRE_I64, creation_time),
    S("current", VR_WIRE_BOOL, current),
};
const vr_wire_schema vr_wire_snapshot = VR_WIRE_SCHEMA(vireo_snapshot, "snapshot", snapshot_fields);

#define C(key, kind, member) VR_WIRE_FIELD(vireo_checkpoint, key, kind, member)
static const vr_wire_field checkpoint_fields[] = {
    C("name", VR_WIRE_STR, name),
    C("description", VR_WIRE_STR, description),
    C("parent", VR_WIRE_STR, parent),
    C("creation_time", VR_WIRE_I64, creation_time),
    VR_WIRE_STRV_FIELD(vireo_checkpoint, "disks", disks, n_disks), /* those with a bitmap */
};
const vr_wire_schema vr_wire_checkpoint = VR_WIRE_SCHEMA(vireo_checkpoint, "checkpoint", checkpoint_fields);

/* A job's error: an object of its own on the wire, two members here. */
static const vr_wire_field job_error_fields[] = {
    VR_WIRE_FIELD(vireo_job, "code", VR_WIRE_STR, error_code),
    VR_WIRE_FIELD(vireo_job, "message", VR_WIRE_STR, error),
};
static const vr_wire_schema job_error = VR_WIRE_SCHEMA(vireo_job, "job error", job_error_fields);

#define J(key, kind, member) VR_WIRE_FIELD(vireo_job, key, kind, member)
static const vr_wire_field job_fields[] = {
    J("id", VR_WIRE_INT, id),
    J("kind", VR_WIRE_STR, kind),
    J("target", VR_WIRE_STR, target),
    J("state", VR_WIRE_STR, state),
    J("progress", VR_WIRE_DOUBLE, progress), /* percent of the whole job */
    J("step", VR_WIRE_STR, step),
    J("started_at", VR_WIRE_I64, started_at),
    VR_WIRE_OPT(vireo_job, "finished_at", VR_WIRE_I64, finished_at, 0),
    VR_WIRE_GROUP_FIELD("error", job_error), /* null unless failed or cancelled */
    J("result", VR_WIRE_JSON, result),       /* what a completed job made */
};
const vr_wire_schema vr_wire_job = VR_WIRE_SCHEMA(vireo_job, "job", job_fields);

#define IR(key, kind, member) VR_WIRE_FIELD(vireo_install_request, key, kind, member)
static const vr_wire_field install_request_fields[] = {
    IR("name", VR_WIRE_STR, name),
    IR("memory", VR_WIRE_STR, memory),
    IR("vcpus", VR_WIRE_STR, vcpus),
    IR("os_variant", VR_WIRE_STR, os_variant),
    IR("cdrom", VR_WIRE_STR, cdrom),
    IR("cdrom_volume", VR_WIRE_STR, cdrom_volume),
    IR("location", VR_WIRE_BOOL, location),
    IR("install_kernel", VR_WIRE_STR, install_kernel),
    IR("install_initrd", VR_WIRE_STR, install_initrd),
    IR("location_iso", VR_WIRE_STR, location_iso),
    IR("location_volume", VR_WIRE_STR, location_volume),
    IR("extra_args", VR_WIRE_STR, extra_args),
    IR("import", VR_WIRE_BOOL, import),
    IR("pxe", VR_WIRE_BOOL, pxe),
    VR_WIRE_STRV_FIELD(vireo_install_request, "disks", disks, n_disks),
    VR_WIRE_STRV_FIELD(vireo_install_request, "networks", networks, n_networks),
    VR_WIRE_STRV_FIELD(vireo_install_request, "boots", boots, n_boots),
    IR("graphics", VR_WIRE_STR, graphics),
    IR("machine", VR_WIRE_STR, machine),
    IR("virt_type", VR_WIRE_STR, virt_type),
    IR("cpu", VR_WIRE_STR, cpu),
    IR("uuid", VR_WIRE_STR, uuid),
    IR("title", VR_WIRE_STR, title),
    IR("tpm", VR_WIRE_STR, tpm),
    IR("cloud_init", VR_WIRE_BOOL, cloud_init),
    IR("seed_volume", VR_WIRE_STR, seed_volume),
    IR("drivers", VR_WIRE_BOOL, drivers),
    IR("noreboot", VR_WIRE_BOOL, noreboot),
    IR("autostart", VR_WIRE_BOOL, autostart),
    IR("no_start", VR_WIRE_BOOL, no_start),
    IR("dry_run", VR_WIRE_BOOL, dry_run),
    IR("job", VR_WIRE_BOOL, job),
};
const vr_wire_schema vr_wire_install_request =
    VR_WIRE_SCHEMA(vireo_install_request, "install request", install_request_fields);

#define IV(key, kind, member) VR_WIRE_FIELD(vireo_install_volume, key, kind, member)
static const vr_wire_field install_volume_fields[] = {
    IV("role", VR_WIRE_STR, role),
    IV("pool", VR_WIRE_STR, pool),
    IV("name", VR_WIRE_STR, name),
    IV("path", VR_WIRE_STR, path),
    IV("capacity", VR_WIRE_U64, capacity),
    IV("format", VR_WIRE_STR, format),
    IV("backing", VR_WIRE_STR, backing),
    IV("copy_from", VR_WIRE_STR, copy_from),
};
static const vr_wire_schema install_volume = VR_WIRE_SCHEMA(vireo_install_volume, "install volume", install_volume_fields);

#define IP(key, kind, member) VR_WIRE_FIELD(vireo_install_plan, key, kind, member)
static const vr_wire_field install_plan_fields[] = {
    IP("install_phase", VR_WIRE_BOOL, install_phase),
    IP("restart", VR_WIRE_BOOL, restart),
    IP("name", VR_WIRE_STR, name),
    IP("uuid", VR_WIRE_STR, uuid),
    IP("os_variant", VR_WIRE_STR, os_variant),
    IP("virt_type", VR_WIRE_STR, virt_type),
    IP("machine", VR_WIRE_STR, machine),
    IP("memory_mib", VR_WIRE_U64, memory_mib),
    IP("vcpus", VR_WIRE_UINT, vcpus),
    IP("vnc", VR_WIRE_BOOL, vnc),
    IP("vnc_listen", VR_WIRE_STR, vnc_listen),
    IP("vnc_port", VR_WIRE_INT, vnc_port),
    IP("media_pool", VR_WIRE_STR, media_pool),
    VR_WIRE_LIST_FIELD(vireo_install_plan, "volumes", volumes, n_volumes, install_volume),
    VR_WIRE_STRV_FIELD(vireo_install_plan, "networks_started", networks_started, n_networks_started),
    VR_WIRE_STRV_FIELD(vireo_install_plan, "warnings", warnings, n_warnings),
    IP("xml_install", VR_WIRE_STR, xml_install),
    IP("xml_final", VR_WIRE_STR, xml_final),
};
const vr_wire_schema vr_wire_install_plan = VR_WIRE_SCHEMA(vireo_install_plan, "install plan", install_plan_fields);

static const vr_wire_field version_fields[] = {
    VR_WIRE_FIELD(vireo_version, "version", VR_WIRE_STR, version),
    VR_WIRE_FIELD(vireo_version, "api", VR_WIRE_STR, api),
    VR_WIRE_FIELD(vireo_version, "hypervisor", VR_WIRE_STR, hypervisor),
};
const vr_wire_schema vr_wire_version = VR_WIRE_SCHEMA(vireo_version, "version", version_fields);

#define H(key, kind, member) VR_WIRE_FIELD(vireo_host, key, kind, member)
static const vr_wire_field host_fields[] = {
    H("hostname", VR_WIRE_STR, hostname),
    H("uri", VR_WIRE_STR, uri),
    H("arch", VR_WIRE_STR, arch),
    H("kernel", VR_WIRE_STR, kernel),
    H("cpus", VR_WIRE_INT, cpus),
    H("memory_kib", VR_WIRE_U64, memory_kib),
    H("accelerator", VR_WIRE_STR, accelerator),
    VR_WIRE_STRV_FIELD(vireo_host, "domain_types", domain_types, n_domain_types),
    H("pci_passthrough_refused", VR_WIRE_STR, pci_passthrough_refused),
};
const vr_wire_schema vr_wire_host = VR_WIRE_SCHEMA(vireo_host, "host", host_fields);

#define ND(key, kind, member) VR_WIRE_FIELD(vireo_nodedev, key, kind, member)
static const vr_wire_field nodedev_fields[] = {
    ND("name", VR_WIRE_STR, name),
    ND("parent", VR_WIRE_STR, parent),
    VR_WIRE_STRV_FIELD(vireo_nodedev, "capabilities", capabilities, n_capabilities),
    ND("driver", VR_WIRE_STR, driver),
    ND("vendor", VR_WIRE_STR, vendor),
    ND("product", VR_WIRE_STR, product),
    VR_WIRE_OPT(vireo_nodedev, "iommu_group", VR_WIRE_INT, iommu_group, -1),
};
const vr_wire_schema vr_wire_nodedev = VR_WIRE_SCHEMA(vireo_nodedev, "nodedev", nodedev_fields);

#define UD(key, kind, member) VR_WIRE_FIELD(vireo_usb_device, key, kind, member)
static const vr_wire_field usb_device_fields[] = {
    UD("name", VR_WIRE_STR, name),
    UD("bus", VR_WIRE_UINT, bus),
    UD("device", VR_WIRE_UINT, device),
    UD("vendor_id", VR_WIRE_STR, vendor_id),
    UD("product_id", VR_WIRE_STR, product_id),
    UD("vendor", VR_WIRE_STR, vendor),
    UD("product", VR_WIRE_STR, product),
};
const vr_wire_schema vr_wire_usb_device = VR_WIRE_SCHEMA(vireo_usb_device, "usb device", usb_device_fields);

#define HS(key, kind, member) VR_WIRE_FIELD(vireo_host_stats, key, kind, member)
static const vr_wire_field host_stats_fields[] = {
    HS("cpus", VR_WIRE_INT, cpus),
    VR_WIRE_OPT(vireo_host_stats, "cpu_percent", VR_WIRE_DOUBLE, cpu_percent, -1),
    HS("cpu_window_ms", VR_WIRE_INT, cpu_window_ms),
    HS("memory_total_kib", VR_WIRE_U64, memory_total_kib),
    HS("memory_available_kib", VR_WIRE_U64, memory_available_kib),
    HS("memory_used_kib", VR_WIRE_U64, memory_used_kib),
    HS("domains_total", VR_WIRE_INT, domains_total),
    HS("domains_running", VR_WIRE_INT, domains_running),
};
const vr_wire_schema vr_wire_host_stats = VR_WIRE_SCHEMA(vireo_host_stats, "host stats", host_stats_fields);

#define EV(key, kind, member) VR_WIRE_FIELD(vireo_event, key, kind, member)
#define EV_OMIT(k, member) {.key = k, .kind = VR_WIRE_STR, .off = offsetof(vireo_event, member), .omit = true}
static const vr_wire_field event_fields[] = {
    EV("time", VR_WIRE_DOUBLE, time),
    EV("kind", VR_WIRE_STR, kind),
    EV("name", VR_WIRE_STR, name),
    EV("uuid", VR_WIRE_STR, uuid),
    EV("event", VR_WIRE_STR, event),
    EV("detail", VR_WIRE_STR, detail),
    EV_OMIT("type", type),         /* libvirt's event name (a daemon before it: none) */
    EV_OMIT("volume", volume),     /* pool refresh events */
    EV_OMIT("mac", mac),           /* lease events: mac, ip, hostname */
    EV_OMIT("ip", ip),
    EV_OMIT("hostname", hostname),
    EV_OMIT("path", path),         /* io-error(-reason): the disk's source, its device id */
    EV_OMIT("alias", alias),
    EV_OMIT("reason", reason),     /* io-error-reason */
    EV_OMIT("local_family", local_family), /* graphics: server and client addresses */
    EV_OMIT("local_node", local_node),
    EV_OMIT("local_service", local_service),
    EV_OMIT("remote_family", remote_family),
    EV_OMIT("remote_node", remote_node),
    EV_OMIT("remote_service", remote_service),
    EV_OMIT("auth", auth),
    EV_OMIT("x509_dname", x509_dname),
    EV_OMIT("sasl_username", sasl_username),
};
const vr_wire_schema vr_wire_event = VR_WIRE_SCHEMA(vireo_event, "event", event_fields);

static const vr_wire_field sample_domain_fields[] = {
    VR_WIRE_FIELD(vireo_sample_domain, "cpu_time_ns", VR_WIRE_I64, cpu_time_ns),
    VR_WIRE_FIELD(vireo_sample_domain, "vcpus", VR_WIRE_INT, vcpus),
    VR_WIRE_STRV_FIELD(vireo_sample_domain, "addresses", addresses, n_addresses),
};
const vr_wire_schema vr_wire_sample_domain =
    VR_WIRE_SCHEMA(vireo_sample_domain, "sample domain", sample_domain_fields);

/* libvirt's virDomainGetBlockIoTune order: group_name after size_iops_sec. */
#define IO(member) VR_WIRE_FIELD(vireo_block_iotune, #member, VR_WIRE_U64, member)
static const vr_wire_field block_iotune_fields[] = {
    IO(total_bytes_sec),     IO(read_bytes_sec),     IO(write_bytes_sec),
    IO(total_iops_sec),      IO(read_iops_sec),      IO(write_iops_sec),
    IO(total_bytes_sec_max), IO(read_bytes_sec_max), IO(write_bytes_sec_max),
    IO(total_iops_sec_max),  IO(read_iops_sec_max),  IO(write_iops_sec_max),
    IO(size_iops_sec),
    VR_WIRE_FIELD(vireo_block_iotune, "group_name", VR_WIRE_STR, group_name),
    IO(total_bytes_sec_max_length), IO(read_bytes_sec_max_length), IO(write_bytes_sec_max_length),
    IO(total_iops_sec_max_length),  IO(read_iops_sec_max_length),  IO(write_iops_sec_max_length),
};
const vr_wire_schema vr_wire_block_iotune = VR_WIRE_SCHEMA(vireo_block_iotune, "block iotune", block_iotune_fields);

#define OV(key, kind, member) VR_WIRE_FIELD(vireo_os_variant, key, kind, member)
static const vr_wire_field os_variant_fields[] = {
    OV("id", VR_WIRE_STR, id),
    OV("name", VR_WIRE_STR, name),
    OV("family", VR_WIRE_STR, family),
    OV("memory_mib", VR_WIRE_UINT, memory_mib),
    OV("min_memory_mib", VR_WIRE_UINT, min_memory_mib),
    OV("vcpus", VR_WIRE_UINT, vcpus),
    OV("disk_gib", VR_WIRE_UINT, disk_gib),
    OV("uefi", VR_WIRE_BOOL, uefi),
    OV("secure_boot", VR_WIRE_BOOL, secure_boot),
    OV("machine", VR_WIRE_STR, machine),
    OV("virtio", VR_WIRE_BOOL, virtio),
};
const vr_wire_schema vr_wire_os_variant = VR_WIRE_SCHEMA(vireo_os_variant, "os variant", os_variant_fields);

/* An interface's link state (domif-getlink). */
static const vr_wire_field link_fields[] = {
    VR_WIRE_FIELD(vireo_link, "state", VR_WIRE_STR, state), /* "up" or "down" */
};
const vr_wire_schema vr_wire_link = VR_WIRE_SCHEMA(vireo_link, "link", link_fields);

/* One direction of an interface's <bandwidth> (KiB/s, burst KiB): what
 * PUT …/iftune takes for each direction given and GET …/iftune answers
 * for both. */
#define BW(key, member) VR_WIRE_FIELD(vireo_bandwidth, key, VR_WIRE_U64, member)
static const vr_wire_field bandwidth_fields[] = {
    BW("average", average),
    BW("peak", peak),
    BW("burst", burst),
    BW("floor", floor), /* inbound only: 0 outbound */
};
const vr_wire_schema vr_wire_bandwidth = VR_WIRE_SCHEMA(vireo_bandwidth, "bandwidth", bandwidth_fields);

static const vr_wire_field iftune_fields[] = {
    VR_WIRE_STRUCT_FIELD(vireo_iftune, "inbound", inbound, vr_wire_bandwidth),
    VR_WIRE_STRUCT_FIELD(vireo_iftune, "outbound", outbound, vr_wire_bandwidth),
};
const vr_wire_schema vr_wire_iftune = VR_WIRE_SCHEMA(vireo_iftune, "iftune", iftune_fields);

/* <cputune>'s CPU bandwidth as libvirt's scheduler parameters: PUT (0:
 * not given) and GET …/schedinfo. */
static const vr_wire_field sched_fields[] = {
    VR_WIRE_FIELD(vireo_sched, "cpu_shares", VR_WIRE_U64, cpu_shares),
    VR_WIRE_FIELD(vireo_sched, "vcpu_period", VR_WIRE_U64, vcpu_period),
    VR_WIRE_FIELD(vireo_sched, "vcpu_quota", VR_WIRE_I64, vcpu_quota), /* -1: no limit */
};
const vr_wire_schema vr_wire_sched = VR_WIRE_SCHEMA(vireo_sched, "schedinfo", sched_fields);

/* A filesystem the guest agent reports mounted (domfsinfo). */
static const vr_wire_field fs_info_fields[] = {
    VR_WIRE_FIELD(vireo_fs_info, "mountpoint", VR_WIRE_STR, mountpoint),
    VR_WIRE_FIELD(vireo_fs_info, "name", VR_WIRE_STR, name),
    VR_WIRE_FIELD(vireo_fs_info, "type", VR_WIRE_STR, type),
    VR_WIRE_STRV_FIELD(vireo_fs_info, "targets", targets, n_targets), /* the domain's disks under it */
};
const vr_wire_schema vr_wire_fs_info = VR_WIRE_SCHEMA(vireo_fs_info, "guest filesystem", fs_info_fields);

#define SE(key, kind, member) VR_WIRE_FIELD(vireo_secret, key, kind, member)
static const vr_wire_field secret_fields[] = {
    VR_WIRE_CHARS_FIELD(vireo_secret, "uuid", uuid),
    SE("usage_type", VR_WIRE_STR, usage_type),
    SE("usage_id", VR_WIRE_STR, usage_id),
    SE("description", VR_WIRE_STR, description),
    SE("ephemeral", VR_WIRE_BOOL, ephemeral),
    SE("private", VR_WIRE_BOOL, private_),
    SE("has_value", VR_WIRE_BOOL, has_value),
};
const vr_wire_schema vr_wire_secret = VR_WIRE_SCHEMA(vireo_secret, "secret", secret_fields);

/* vcpucount's four sides: null where the domain has none (live ones
 * when shut off). */
#define VC(key, member) VR_WIRE_OPT(vireo_vcpu_count, key, VR_WIRE_INT, member, -1)
static const vr_wire_field vcpu_count_fields[] = {
    VC("maximum_config", maximum_config),
    VC("maximum_live", maximum_live),
    VC("current_config", current_config),
    VC("current_live", current_live),
};
const vr_wire_schema vr_wire_vcpu_count = VR_WIRE_SCHEMA(vireo_vcpu_count, "vcpu count", vcpu_count_fields);

/* vcpuinfo: each vCPU's thread, where it ran last (null: the thread is
 * gone) and where it may run. */
static const vr_wire_field vcpu_fields[] = {
    VR_WIRE_FIELD(vireo_vcpu, "vcpu", VR_WIRE_UINT, vcpu),
    VR_WIRE_FIELD(vireo_vcpu, "thread", VR_WIRE_I64, thread),
    VR_WIRE_OPT(vireo_vcpu, "cpu", VR_WIRE_INT, cpu, -1),
    VR_WIRE_FIELD(vireo_vcpu, "state", VR_WIRE_STR, state),
    VR_WIRE_OPT(vireo_vcpu, "cpu_time_ns", VR_WIRE_I64, cpu_time_ns, -1),
    VR_WIRE_FIELD(vireo_vcpu, "affinity", VR_WIRE_STR, affinity),
};
const vr_wire_schema vr_wire_vcpu = VR_WIRE_SCHEMA(vireo_vcpu, "vcpu", vcpu_fields);

static const vr_wire_field vcpu_info_fields[] = {
    VR_WIRE_LIST_FIELD(vireo_vcpu_info, "vcpus", vcpus, n_vcpus, vr_wire_vcpu),
    VR_WIRE_FIELD(vireo_vcpu_info, "emulator_affinity", VR_WIRE_STR, emulator_affinity),
    VR_WIRE_FIELD(vireo_vcpu_info, "host_cpus", VR_WIRE_INT, host_cpus),
};
const vr_wire_schema vr_wire_vcpu_info = VR_WIRE_SCHEMA(vireo_vcpu_info, "vcpu info", vcpu_info_fields);

/* iothreadinfo: thread null for the definition's iothreads. */
static const vr_wire_field iothread_fields[] = {
    VR_WIRE_FIELD(vireo_iothread, "id", VR_WIRE_UINT, id),
    VR_WIRE_OPT(vireo_iothread, "thread", VR_WIRE_I64, thread, 0),
    VR_WIRE_FIELD(vireo_iothread, "affinity", VR_WIRE_STR, affinity),
};
const vr_wire_schema vr_wire_iothread = VR_WIRE_SCHEMA(vireo_iothread, "iothread", iothread_fields);

static const vr_wire_field iothread_info_fields[] = {
    VR_WIRE_LIST_FIELD(vireo_iothread_info, "iothreads", iothreads, n_iothreads, vr_wire_iothread),
    VR_WIRE_FIELD(vireo_iothread_info, "host_cpus", VR_WIRE_INT, host_cpus),
};
const vr_wire_schema vr_wire_iothread_info = VR_WIRE_SCHEMA(vireo_iothread_info, "iothread info",
                                                            iothread_info_fields);
