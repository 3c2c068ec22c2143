/* API: the host (facts, host-validate, live CPU and memory use), the
 * version, the event feed. */
#include "daemon/api.h"
#include "config.h"
#include "common/file.h"
#include "common/util.h"
#include "core/domain_caps.h"
#include "core/host_info.h"
#include "core/host_pci.h"
#include "core/host_sysinfo.h"
#include "core/host_usb.h"
#include "core/nodedev.h"
#include "host/resources.h"
#include "host/validate.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void get_version(vr_api_call *c)
{
    vireo_version v = {.version = VIREO_VERSION, .api = "v1", .hypervisor = "QEMU"};
    vr_req_reply_json(c->req, 200, vr_wire_to_json(&vr_wire_version, &v));
}

static void get_host(vr_api_call *c)
{
    vr_host_info h;
    vr_host_info_get(c->api->qemu, &h);
    char *types[] = {"qemu", "kvm"};
    /* A borrowed view: the strings stay h's and the api's. */
    vireo_host v = {.hostname = h.hostname, .uri = (char *)c->api->uri, .arch = h.arch, .kernel = h.kernel,
                    .cpus = h.cpus, .memory_kib = h.memory_kib, .accelerator = h.kvm ? "kvm" : "tcg",
                    .domain_types = types, .n_domain_types = h.kvm ? 2 : 1,
                    .pci_passthrough_refused = (char *)vr_host_pci_assign_refusal()};
    vr_req_reply_json(c->req, 200, vr_wire_to_json(&vr_wire_host, &v));
}

/* GET /v1/host/domain-capabilities[?virttype=&machine=&arch=&emulator=]:
 * libvirt's <domainCapabilities> document (core/domain_caps.h). */
static void get_domain_capabilities(vr_api_call *c)
{
    char *xml = NULL, *err = NULL;
    vr_err code = vr_domain_caps_xml(c->api->qemu, vr_req_query(c->req, "emulator"), vr_req_query(c->req, "arch"),
                                     vr_req_query(c->req, "machine"), vr_req_query(c->req, "virttype"), &xml, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_text(c->req, 200, "application/xml", xml);
    free(err);
}

/* GET /v1/host/sysinfo: libvirt's <sysinfo type='smbios'> of this host. */
static void get_sysinfo(vr_api_call *c)
{
    vr_req_reply_text(c->req, 200, "application/xml", vr_host_sysinfo_xml(VR_HOST_DMI_DIR, VR_HOST_CPUINFO));
}

/* GET /v1/host/usb-devices: virsh nodedev-list --cap usb_device, with
 * "none" saying why when the list is empty. */
static void usb_row(size_t i, void *items, void *out)
{
    *(vireo_usb_device *)out = ((vireo_usb_device *)items)[i];
}

static void get_usb_devices(vr_api_call *c)
{
    vireo_usb_device *devs;
    size_t n;
    const char *why;
    vr_host_usb_devices(VR_HOST_USB_DIR, &devs, &n, &why);
    if (!n) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "usb_devices", json_object_new_array());
        json_object_object_add(o, "none", json_object_new_string(why));
        vr_req_reply_json(c->req, 200, o);
        return;
    }
    vr_api_reply_list(c, &vr_wire_usb_device, "usb_devices", n, usb_row, devs, false);
    vr_wire_array_free(&vr_wire_usb_device, devs, n);
}

/* GET /v1/nodedevs[?cap=CAP[,CAP...]]: virsh nodedev-list, the devices
 * the libvirt protocol lists, with a list's facts (core/nodedev.h). */
static void nodedev_row(size_t i, void *items, void *out)
{
    *(vireo_nodedev *)out = ((vireo_nodedev *)items)[i];
}

static void get_nodedevs(vr_api_call *c)
{
    vireo_nodedev *devs;
    size_t n;
    char *err = NULL;
    vr_err code = vr_nodedev_summaries(VR_NODEDEV_SYSFS, VR_NODEDEV_PCI_IDS, vr_req_query(c->req, "cap"), &devs,
                                       &n, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_api_reply_list(c, &vr_wire_nodedev, "nodedevs", n, nodedev_row, devs, false);
    vr_wire_array_free(&vr_wire_nodedev, devs, n);
    free(err);
}

/* GET /v1/nodedevs/NAME/xml: virsh nodedev-dumpxml, libvirt's XML. */
static void get_nodedev_xml(vr_api_call *c)
{
    char *xml = NULL, *err = NULL;
    vr_err code = vr_nodedev_xml_of(VR_NODEDEV_SYSFS, VR_NODEDEV_PCI_IDS, c->seg[1], &xml, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_text(c->req, 200, "application/xml", xml);
    free(err);
}

/* ---- GET /v1/host/validate ---- */

/* host-validate probes KVM (~0.2 s), makes a throw-away network
 * namespace and runs the tools' --version: too much for every page
 * load, so one answer serves every client for this long. */
#define VALIDATE_TTL_S 60
/* ?refresh=1 (a "check again" button) still reuses an answer this fresh. */
#define VALIDATE_MIN_S 5

static json_object *validate_cache;
static time_t validate_at;

/* "QEMU emulator version 7.2.19 (Debian …)" -> "7.2.19"; NULL if absent. */
static json_object *tool_version(const char *line)
{
    const char *v = line ? strstr(line, "version ") : NULL;
    if (!v)
        return NULL;
    v += strlen("version ");
    return json_object_new_string_len(v, (int)strcspn(v, " \t\n"));
}

static json_object *validate_now(const vr_api *api)
{
    vr_host_facts facts;
    vr_host_facts_gather(&facts, api->paths->state_dir);
    vr_checklist list;
    vr_host_validate(&facts, &list);
    vr_check verdict;
    vr_accel accel = vr_kvm_verdict(&facts.cpu, facts.cpu_ok, &facts.kvm, &verdict);
    json_object *o = vr_checklist_json(&list, accel);
    json_object_object_add(o, "accelerator_detail", verdict.detail ? json_object_new_string(verdict.detail) : NULL);
    json_object_object_add(o, "qemu_version", tool_version(facts.qemu));
    json_object_object_add(o, "checked_at", json_object_new_int64((int64_t)time(NULL)));
    vr_check_clear(&verdict);
    vr_checklist_free(&list);
    vr_host_facts_free(&facts);
    return o;
}

static void get_validate(vr_api_call *c)
{
    time_t now = time(NULL), age = now - validate_at;
    time_t ttl = vr_api_flag(c->req, "refresh") ? VALIDATE_MIN_S : VALIDATE_TTL_S;
    if (!validate_cache || age >= ttl || age < 0) {
        json_object_put(validate_cache);
        validate_cache = validate_now(c->api);
        validate_at = now;
    }
    vr_req_reply_json(c->req, 200, json_object_get(validate_cache));
}

/* ---- GET /v1/host/stats ---- */

/* CPU use is the share of non-idle time between two samples of
 * /proc/stat. The daemon keeps the last sample (the host's, shared by
 * all clients): a client that polls gets the use since the previous
 * poll (anyone's), at least MIN_WINDOW long so that two clients polling
 * at once do not get a noisy 5 ms window. With no recent sample, the
 * answer waits FIRST_WINDOW for one. */
#define MIN_WINDOW_S 1.0
#define STALE_S 30.0
#define FIRST_WINDOW_MS 250

typedef struct {
    double t; /* CLOCK_MONOTONIC seconds; 0 = no sample */
    unsigned long long busy, total;
} cpu_sample;

static cpu_sample cpu_prev;
static double cpu_pct = -1, cpu_window;

static cpu_sample cpu_read(void)
{
    cpu_sample s = {0};
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return s;
    /* cpu user nice system idle iowait irq softirq steal (guest time is in user). */
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                   &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 4)
        return s;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s.t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    for (int i = 0; i < 8; i++)
        s.total += v[i];
    s.busy = s.total - v[3] - v[4];
    return s;
}

/* Move the window on to `now` and compute the use over it. */
static void cpu_advance(cpu_sample now)
{
    if (now.t == 0)
        return;
    if (cpu_prev.t != 0 && now.total > cpu_prev.total) {
        cpu_pct = 100.0 * (double)(now.busy - cpu_prev.busy) / (double)(now.total - cpu_prev.total);
        cpu_window = now.t - cpu_prev.t;
    }
    cpu_prev = now;
}

static void reply_stats(vr_api *api, vr_req *req)
{
    char *meminfo = vr_file_read("/proc/meminfo", NULL);
    uint64_t total = vr_meminfo_kib(meminfo, "MemTotal"), avail = vr_meminfo_kib(meminfo, "MemAvailable");
    free(meminfo);
    size_t n, running = 0;
    vr_domain *const *doms = vr_qemu_domains(api->qemu, &n);
    for (size_t i = 0; i < n; i++)
        running += doms[i]->state != VR_DOM_SHUTOFF;
    vireo_host_stats st = {.cpus = (int)sysconf(_SC_NPROCESSORS_ONLN), .cpu_percent = cpu_pct < 0 ? -1 : cpu_pct,
                           .cpu_window_ms = (int)(cpu_window * 1000 + 0.5), .memory_total_kib = total,
                           .memory_available_kib = avail, .memory_used_kib = total - (avail < total ? avail : total),
                           .domains_total = (int)n, .domains_running = (int)running};
    vr_req_reply_json(req, 200, vr_wire_to_json(&vr_wire_host_stats, &st));
}

typedef struct {
    vr_api *api;
    vr_req *req;
} stats_wait;

static void on_first_window(evutil_socket_t fd, short what, void *arg)
{
    stats_wait *w = arg;
    cpu_sample now = cpu_read();
    /* Another request may have moved the window meanwhile. */
    if (now.t - cpu_prev.t >= FIRST_WINDOW_MS / 2000.0)
        cpu_advance(now);
    reply_stats(w->api, w->req);
    free(w);
}

static void get_stats(vr_api_call *c)
{
    cpu_sample now = cpu_read();
    if (cpu_prev.t == 0 || now.t - cpu_prev.t > STALE_S) {
        cpu_prev = now;
        stats_wait *w = vr_calloc(1, sizeof(*w));
        w->api = c->api;
        w->req = c->req;
        struct timeval tv = {.tv_sec = 0, .tv_usec = FIRST_WINDOW_MS * 1000};
        vr_req_defer(c->req);
        event_base_once(vr_qemu_base(c->api->qemu), -1, EV_TIMEOUT, on_first_window, w, &tv);
        return;
    }
    if (now.t - cpu_prev.t >= MIN_WINDOW_S)
        cpu_advance(now);
    reply_stats(c->api, c->req);
}

/* POST /v1/host/pci-devices/NAME/detach|reattach: virsh nodedev-detach
 * and nodedev-reattach (core/host_pci.h). {"ok":true} when done. */
static void post_pci_device(vr_api_call *c)
{
    char *err = NULL;
    vr_err code = vr_host_pci_detach(c->api->qemu, c->seg[2], strcmp(c->seg[3], "reattach") == 0, &err);
    if (code != VR_OK)
        vr_api_reply_err(c->req, code, err);
    else
        vr_req_reply_json(c->req, 200, vr_api_ok());
    free(err);
}

static void get_events(vr_api_call *c)
{
    vr_events_subscribe(c->api->events, c->req, vr_api_flag(c->req, "stats"));
}

const vr_api_route vr_api_host_routes[] = {
    {"GET", "version", get_version, VR_API_READ},
    {"GET", "host", get_host, VR_API_READ},
    {"GET", "host/validate", get_validate, VR_API_READ},
    {"GET", "host/domain-capabilities", get_domain_capabilities, VR_API_READ},
    {"GET", "host/sysinfo", get_sysinfo, VR_API_READ},
    {"GET", "host/usb-devices", get_usb_devices, VR_API_READ},
    {"GET", "nodedevs", get_nodedevs, VR_API_READ},
    {"GET", "nodedevs/*/xml", get_nodedev_xml, VR_API_READ},
    {"POST", "host/pci-devices/*/detach", post_pci_device},
    {"POST", "host/pci-devices/*/reattach", post_pci_device},
    {"GET", "host/stats", get_stats, VR_API_READ},
    {"GET", "events", get_events, VR_API_READ},
    {0},
};
