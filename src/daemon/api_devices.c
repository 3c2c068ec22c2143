/* API: a domain's devices changed, live or in its definition, as virsh
 * attach-device, detach-device (and attach-disk, detach-disk,
 * attach-interface, detach-interface), update-device, domif-setlink,
 * change-media, blockresize,
 * setvcpus and vcpucount do. Every body is JSON; "live", "config" and
 * "persistent" are virsh's flags (neither: live when running, else
 * config; persistent: config, and live when running). */
#include "daemon/api.h"
#include "core/domain_ops.h"
#include "conf/domain_device.h"
#include "core/storage_ops.h"
#include "core/views.h"
#include "wire/schemas.h"
#include "common/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned affect(const vr_domain *dom, json_object *body)
{
    unsigned f = (vr_api_bool(body, "live") ? VR_AFFECT_LIVE : 0) | (vr_api_bool(body, "config") ? VR_AFFECT_CONFIG : 0);
    if (vr_api_bool(body, "persistent"))
        f |= VR_AFFECT_CONFIG | (dom->state != VR_DOM_SHUTOFF ? VR_AFFECT_LIVE : 0);
    return f;
}

/* The driver's call on the string `key` of the body, and the flags. */
static void device_str(vr_api_call *c, const char *key, const char *expected,
                       void (*op)(vr_domain *, const char *, unsigned, vr_done_fn, void *))
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *value = NULL;
    if (vr_api_need_str(c, body, key, &value, expected))
        op(dom, value, affect(dom, body), vr_api_domain_done, vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* POST domains/NAME/devices {"xml": "<disk ...>" | "<interface ...>"}
 * (attach), POST domains/NAME/devices/update {"xml"} (update-device). */
static void device_xml(vr_api_call *c, void (*op)(vr_domain *, const char *, unsigned, vr_done_fn, void *))
{
    device_str(c, "xml", "expected {\"xml\": \"<disk>...</disk>\" or an <interface>}", op);
}

static void attach(vr_api_call *c) { device_xml(c, vr_qemu_attach_device); }
static void update(vr_api_call *c) { device_xml(c, vr_qemu_update_device); }

/* PUT domains/NAME/link {"interface": MAC|TAP, "state": "up"|"down"}: domif-setlink. */
static void set_link(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *iface = NULL, *state = NULL;
    int ri = vr_api_str(c, body, "interface", &iface);
    int rs = ri < 0 ? -1 : vr_api_str(c, body, "state", &state);
    if (rs >= 0 && (ri == 0 || rs == 0 || (strcmp(state, "up") != 0 && strcmp(state, "down") != 0)))
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"interface\": MAC or TAP, \"state\": \"up\" or "
                           "\"down\"}");
    else if (rs > 0)
        vr_qemu_set_link(dom, iface, strcmp(state, "down") == 0, affect(dom, body), vr_api_domain_done,
                         vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* One direction of domiftune, the wire's bandwidth (KiB/s and KiB);
 * average 0 (or absent) takes the direction away. 1 when given, 0 when
 * absent, -1 after answering. */
static int iftune_rate(vr_api_call *c, json_object *body, const char *key, vr_bandwidth_rate *r)
{
    json_object *o = NULL;
    vireo_bandwidth b;
    int rc = vr_api_obj(c, body, key, &o);
    if (rc <= 0 || (rc = vr_api_wire(c, o, &vr_wire_bandwidth, &b)) < 0)
        return rc;
    vr_core_bandwidth_rate(&b, r);
    return 1;
}

/* PUT domains/NAME/iftune {"interface": MAC|TAP|TARGET, "inbound": {...},
 * "outbound": {...}}: domiftune. */
static void set_iftune(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *iface = NULL;
    vr_bandwidth_rate in = {0}, out = {0};
    int ri = vr_api_str(c, body, "interface", &iface);
    int rin = ri < 0 ? -1 : iftune_rate(c, body, "inbound", &in);
    int rout = rin < 0 ? -1 : iftune_rate(c, body, "outbound", &out);
    if (rout >= 0 && ri == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"interface\": MAC or TAP, \"inbound\": "
                           "{\"average\": KiB/s, ...}, \"outbound\": {...}}");
    else if (rout >= 0)
        vr_qemu_set_iftune(dom, iface, rin ? &in : NULL, rout ? &out : NULL, affect(dom, body),
                           vr_api_domain_done, vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* PUT domains/NAME/schedinfo {"cpu_shares": N, "vcpu_period": US,
 * "vcpu_quota": US|-1, "live", "config"}: schedinfo --set, the ones
 * given (the values read back in the domain's XML, <cputune>). */
static void set_schedinfo(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    vireo_sched w;
    if (vr_api_wire(c, body, &vr_wire_sched, &w) > 0) {
        vr_qemu_sched s = {.shares = w.cpu_shares, .period = w.vcpu_period, .quota = w.vcpu_quota};
        char *err = NULL;
        vr_err code = vr_qemu_sched_set(dom, &s, affect(dom, body), &err);
        vr_api_domain_done(code, err, vr_api_pend(c, dom->def->name));
        free(err);
    }
    json_object_put(body);
}

/* GET domains/NAME/{link,iftune,schedinfo}[?config=1]: the live values
 * of a running domain, else (or ?config) the persistent definition's. */
static unsigned query_affect(vr_api_call *c) { return vr_api_flag(c->req, "config") ? VR_AFFECT_CONFIG : 0; }

/* ?interface=MAC|TAP|TARGET: that interface, or NULL after answering. */
static const vr_interface_def *query_iface(vr_api_call *c, vr_domain *dom)
{
    const char *iface = vr_req_query(c->req, "interface");
    const vr_interface_def *ifd = NULL;
    char *err = NULL;
    vr_err code = iface ? vr_qemu_iface_get(dom, iface, query_affect(c), &ifd, &err) : VR_ERR_INVALID;
    if (!iface)
        vr_req_reply_error(c->req, 400, "invalid", "name the interface: ?interface=MAC, tap or target dev");
    else if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    free(err);
    return code == VR_OK ? ifd : NULL;
}

/* The wire's link {"state": "up"|"down"}: domif-getlink. */
static void get_link(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    const vr_interface_def *ifd = dom ? query_iface(c, dom) : NULL;
    if (!ifd)
        return;
    vireo_link view = {ifd->link_down ? "down" : "up"};
    vr_req_reply_json(c->req, 200, vr_wire_to_json(&vr_wire_link, &view));
}

/* The wire's iftune: {"inbound": BANDWIDTH, "outbound": BANDWIDTH}, 0
 * where unset: domiftune with no values. */
static void get_iftune(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    const vr_interface_def *ifd = dom ? query_iface(c, dom) : NULL;
    if (!ifd)
        return;
    vireo_iftune view;
    vr_core_iftune_view(ifd, &view);
    vr_req_reply_json(c->req, 200, vr_wire_to_json(&vr_wire_iftune, &view));
}

/* The wire's schedinfo {"cpu_shares", "vcpu_period", "vcpu_quota"}:
 * schedinfo with no values. */
static void get_schedinfo(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    vr_qemu_sched s;
    char *err = NULL;
    vr_err code = vr_qemu_sched_get(dom, query_affect(c), &s, &err);
    if (code != VR_OK) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        return;
    }
    vireo_sched view = {s.shares, s.period, s.quota};
    vr_req_reply_json(c->req, 200, vr_wire_to_json(&vr_wire_sched, &view));
}

/* PUT domains/NAME/blkdeviotune {"disk": TARGET|PATH, "total_bytes_sec":
 * N, ... "group_name": "G", "live", "config"}: blkdeviotune, the values
 * given (libvirt's names, the keys of GET's answer). */
static void set_blkdeviotune(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *disk = NULL, *group = NULL;
    vr_iotune_change ch = {0};
    int rc = vr_api_str(c, body, "disk", &disk);
    json_object_object_foreach(body, k, v) {
        (void)v;
        if (rc >= 0 && vr_iotune_field_index(k) < 0 && strcmp(k, "disk") != 0 && strcmp(k, "live") != 0 &&
            strcmp(k, "config") != 0 && strcmp(k, "persistent") != 0) {
            vr_req_reply_error(c->req, 400, "invalid", "\"%s\" is not an I/O limit: libvirt's names are "
                               "total_bytes_sec ... write_iops_sec_max_length and group_name", k);
            rc = -1;
        }
    }
    for (int i = 0; i < VR_IOTUNE_COUNT && rc >= 0; i++) {
        int r = vr_api_uint(c, body, vr_iotune_names[i], 0, UINT64_MAX, &ch.t.v[i]);
        ch.given |= r > 0 ? 1u << i : 0;
        rc = r < 0 ? -1 : rc;
    }
    int rg = rc < 0 ? -1 : vr_api_str(c, body, "group_name", &group);
    ch.given |= rg > 0 ? VR_IOTUNE_GIVEN_GROUP : 0;
    ch.t.group_name = (char *)group;
    if (rg >= 0 && rc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"disk\": TARGET, \"total_bytes_sec\": N, ...}");
    else if (rg >= 0)
        vr_qemu_set_block_iotune(dom, disk, &ch, affect(dom, body), vr_api_domain_done,
                                 vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* GET domains/NAME/blkdeviotune?disk=TARGET|PATH[&config=1]: the block
 * iotune schema, libvirt's order, 0 (and "group_name": null) unset. */
static void get_blkdeviotune(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    const char *disk = vr_req_query(c->req, "disk");
    if (!disk) {
        vr_req_reply_error(c->req, 400, "invalid", "name the disk: ?disk=TARGET or its source path");
        return;
    }
    vr_iotune t;
    char *err = NULL;
    vr_err code = vr_qemu_get_block_iotune(dom, disk, query_affect(c), &t, &err);
    if (code != VR_OK) {
        vr_api_reply_err(c->req, code, err);
        free(err);
        return;
    }
    vireo_block_iotune view;
    vr_core_block_iotune_view(&t, &view);
    vr_req_reply_json(c->req, 200, vr_wire_to_json(&vr_wire_block_iotune, &view));
    free(t.group_name);
}

/* POST domains/NAME/devices/detach {"xml"} | {"disk": TARGET|PATH} |
 * {"interface": TYPE, "mac": MAC}. */
static void detach(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *xml = NULL, *disk = NULL, *type = NULL, *mac = NULL;
    int rx = vr_api_str(c, body, "xml", &xml);
    int rd = rx < 0 ? -1 : vr_api_str(c, body, "disk", &disk);
    int ri = rd < 0 ? -1 : vr_api_str(c, body, "interface", &type);
    int rm = ri < 0 ? -1 : vr_api_str(c, body, "mac", &mac);
    unsigned flags = affect(dom, body);
    void *p = NULL;
    if (rm < 0) {
        /* answered */
    } else if (rx + rd + ri != 1) {
        vr_req_reply_error(c->req, 400, "invalid", "expected one of {\"xml\": DEVICE_XML}, {\"disk\": TARGET} "
                           "or {\"interface\": TYPE, \"mac\": MAC}");
    } else {
        p = vr_api_pend(c, dom->def->name);
    }
    if (p && xml)
        vr_qemu_detach_device(dom, xml, flags, vr_api_domain_done, p);
    else if (p && disk)
        vr_qemu_detach_disk(dom, disk, flags, vr_api_domain_done, p);
    else if (p)
        vr_qemu_detach_interface(dom, type, mac, flags, vr_api_domain_done, p);
    json_object_put(body);
}

/* POST domains/NAME/devices/detach-alias {"alias": ALIAS}: virsh
 * detach-device-alias (a user alias ua-..., a DIMM's dimmN; live, also a
 * running device's id: a disk's target, nicN). */
static void detach_alias(vr_api_call *c)
{
    device_str(c, "alias", "expected {\"alias\": \"ua-NAME\"}", vr_qemu_detach_alias);
}

/* PUT domains/NAME/media {"target", "source"}: no source ejects. */
static void change_media(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *target = NULL, *source = NULL;
    int rt = vr_api_str(c, body, "target", &target);
    int rs = rt < 0 ? -1 : vr_api_str(c, body, "source", &source);
    if (rs >= 0 && rt == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"target\": \"hdc\", \"source\": PATH} "
                           "(no source ejects)");
    else if (rs >= 0)
        vr_qemu_change_media(dom, target, source, affect(dom, body), vr_api_domain_done,
                             vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* POST domains/NAME/blockresize {"disk": TARGET|PATH, "size": BYTES|"3G"}. */
static void block_resize(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    const char *disk = NULL;
    unsigned long long size = 0;
    int rd = vr_api_str(c, body, "disk", &disk);
    int rs = rd < 0 ? -1 : vr_api_size(c, body, "size", &size);
    if (rs >= 0 && (rd == 0 || rs == 0)) {
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"disk\": TARGET, \"size\": \"3G\"}");
    } else if (rs > 0) {
        /* The pool of its volume is refreshed once QEMU grew it. */
        vr_core_block_resize(c->api->qemu, c->api->storage, dom, disk, size, vr_api_domain_done,
                             vr_api_pend(c, dom->def->name));
    }
    json_object_put(body);
}

/* PUT domains/NAME/vcpus {"count", "maximum"}. */
static void set_vcpus(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    unsigned long long n = 0;
    int rc = vr_api_uint(c, body, "count", 0, UINT32_MAX, &n);
    if (rc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"count\": N}, with optional \"maximum\", "
                           "\"live\" and \"config\"");
    else if (rc > 0)
        vr_qemu_set_vcpus(dom, (unsigned)n, affect(dom, body) | (vr_api_bool(body, "maximum") ? VR_VCPU_MAXIMUM : 0),
                          vr_api_domain_done, vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* POST domains/NAME/iothreadadd, iothreaddel {"iothread": N, "live", "config"}. */
static void iothread_change(vr_api_call *c)
{
    json_object *body;
    vr_domain *dom = vr_api_domain_body(c, &body);
    if (!dom)
        return;
    unsigned long long n = 0;
    int rc = vr_api_uint(c, body, "iothread", 1, 0xffff, &n);
    if (rc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"iothread\": N}, with optional \"live\" and "
                           "\"config\"");
    else if (rc > 0)
        vr_qemu_iothread_change(dom, (unsigned)n, strcmp(c->seg[2], "iothreadadd") == 0, affect(dom, body),
                                vr_api_domain_done, vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

/* GET domains/NAME/vcpus: virsh vcpucount's four numbers; live ones
 * null when shut off, config ones null for a transient domain. */
static void get_vcpus(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    vireo_vcpu_count view;
    vr_core_vcpu_count_view(dom, &view);
    vr_req_reply_json(c->req, 200, vr_wire_to_json(&vr_wire_vcpu_count, &view));
}

const vr_api_route vr_api_device_routes[] = {
    {"POST", "domains/*/devices", attach},
    {"POST", "domains/*/devices/detach", detach},
    {"POST", "domains/*/devices/detach-alias", detach_alias, VR_API_WRITE},
    {"POST", "domains/*/devices/update", update},
    {"PUT", "domains/*/link", set_link},
    {"GET", "domains/*/link", get_link, VR_API_READ},
    {"PUT", "domains/*/iftune", set_iftune},
    {"GET", "domains/*/iftune", get_iftune, VR_API_READ},
    {"PUT", "domains/*/schedinfo", set_schedinfo},
    {"GET", "domains/*/schedinfo", get_schedinfo, VR_API_READ},
    {"PUT", "domains/*/blkdeviotune", set_blkdeviotune},
    {"GET", "domains/*/blkdeviotune", get_blkdeviotune, VR_API_READ},
    {"PUT", "domains/*/media", change_media},
    {"POST", "domains/*/blockresize", block_resize},
    {"PUT", "domains/*/vcpus", set_vcpus},
    {"POST", "domains/*/iothreadadd", iothread_change},
    {"POST", "domains/*/iothreaddel", iothread_change},
    {"GET", "domains/*/vcpus", get_vcpus, VR_API_READ},
    {0},
};
