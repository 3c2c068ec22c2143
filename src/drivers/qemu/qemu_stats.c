/* domstats: CPU time from /proc, memory and block counters from QMP. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qmp.h"
#include "common/file.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    vr_domain *dom;
    json_object *out;
    vr_stats_fn cb;
    void *opaque;
} stats_ctx;

long long vr_qemu_cpu_time_ns(const vr_domain *dom)
{
    if (dom->pid <= 0)
        return -1;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)dom->pid);
    char *s = vr_file_read(path, NULL);
    if (!s)
        return -1;
    char *p = strrchr(s, ')');
    unsigned long long ut = 0, st = 0;
    /* After ")": state is field 3; utime and stime are fields 14, 15. */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) {
        free(s);
        return -1;
    }
    free(s);
    long hz = sysconf(_SC_CLK_TCK);
    return (long long)((ut + st) * (1000000000ull / (unsigned long long)(hz > 0 ? hz : 100)));
}

/* QEMU's resident memory (VmRSS) in KiB, what dommemstat calls rss;
 * -1 when unknown. */
static long long rss_kib(const vr_domain *dom)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)dom->pid);
    char *s = vr_file_read(path, NULL);
    const char *p = s ? strstr(s, "\nVmRSS:") : NULL;
    long long kib = p ? strtoll(p + strlen("\nVmRSS:"), NULL, 10) : -1;
    free(s);
    return kib;
}

static void on_balloon(json_object *ret, const char *error, void *opaque)
{
    stats_ctx *c = opaque;
    json_object *actual = NULL;
    if (ret && json_object_object_get_ex(ret, "actual", &actual))
        json_object_object_add(c->out, "memory_current_kib",
                               json_object_new_int64(json_object_get_int64(actual) / 1024));
    c->cb(c->out, NULL, c->opaque);
    json_object_put(c->out);
    free(c);
}

static void on_blockstats(json_object *ret, const char *error, void *opaque)
{
    stats_ctx *c = opaque;
    json_object *block = json_object_new_array();
    size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *dev = json_object_array_get_idx(ret, i), *name = NULL, *st = NULL, *v;
        json_object_object_get_ex(dev, "qdev", &name);
        if (!json_object_object_get_ex(dev, "stats", &st))
            continue;
        json_object *o = json_object_new_object();
        const char *qdev = name ? json_object_get_string(name) : "";
        /* qdev paths look like /machine/peripheral/vda/virtio-backend: the
         * device's id is the disk's target (qemu_command.c). */
        json_object_object_add(o, "device", json_object_new_string(qdev));
        const char *peripheral = "/machine/peripheral/";
        if (strncmp(qdev, peripheral, strlen(peripheral)) == 0) {
            const char *t = qdev + strlen(peripheral);
            json_object_object_add(o, "target", json_object_new_string_len(t, (int)strcspn(t, "/")));
        }
        static const char *keys[] = {"rd_bytes", "wr_bytes", "rd_operations", "wr_operations",
                                     "flush_operations"};
        for (size_t k = 0; k < VR_ARRAY_LEN(keys); k++)
            if (json_object_object_get_ex(st, keys[k], &v))
                json_object_object_add(o, keys[k], json_object_new_int64(json_object_get_int64(v)));
        json_object_array_add(block, o);
    }
    json_object_object_add(c->out, "block", block);
    if (error || !c->dom->qmp) {
        on_balloon(NULL, "QEMU exited", c);
        return;
    }
    vr_qmp_command(c->dom->qmp, "query-balloon", NULL, on_balloon, c);
}

/* A counter of a network interface from sysfs, or -1. */
static long long if_counter(const char *ifname, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
    FILE *f = fopen(path, "re");
    long long v = -1;
    if (f) {
        if (fscanf(f, "%lld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

/* The guest's traffic on its taps: what the tap sends is what the guest
 * receives. User-mode NICs have no tap and no counters. */
static json_object *tap_counters(const vr_domain *dom)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < dom->n_ifnames; i++) {
        const char *ifn = dom->ifnames[i];
        if (!ifn)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "interface", json_object_new_string(ifn));
        if (i < dom->def->n_interfaces)
            json_object_object_add(o, "mac", json_object_new_string(dom->def->interfaces[i].mac));
        /* The guest's rx is the tap's tx, and so on (domifstat's names). */
        static const char *const pairs[][2] = {
            {"rx_bytes", "tx_bytes"}, {"rx_packets", "tx_packets"}, {"rx_errs", "tx_errors"},
            {"rx_drop", "tx_dropped"}, {"tx_bytes", "rx_bytes"}, {"tx_packets", "rx_packets"},
            {"tx_errs", "rx_errors"}, {"tx_drop", "rx_dropped"}};
        for (size_t k = 0; k < VR_ARRAY_LEN(pairs); k++)
            json_object_object_add(o, pairs[k][0], json_object_new_int64(if_counter(ifn, pairs[k][1])));
        json_object_array_add(arr, o);
    }
    return arr;
}

typedef struct {
    vr_display_fn cb;
    void *opaque;
    bool spice;
} display_ctx;

/* query-vnc answers host and service (the port, as text); query-spice
 * host and port. */
static void on_query_display(json_object *ret, const char *error, void *opaque)
{
    display_ctx *c = opaque;
    const char *type = c->spice ? "spice" : "vnc";
    json_object *en = NULL, *host = NULL, *port = NULL;
    if (error)
        c->cb(type, NULL, 0, error, c->opaque);
    else if (!ret || !json_object_object_get_ex(ret, "enabled", &en) || !json_object_get_boolean(en) ||
             !json_object_object_get_ex(ret, c->spice ? "port" : "service", &port))
        c->cb(type, NULL, 0, c->spice ? "the domain's SPICE server listens on no TCP port"
                                      : "the domain's VNC server listens on no TCP port", c->opaque);
    else {
        json_object_object_get_ex(ret, "host", &host);
        const char *h = host ? json_object_get_string(host) : "127.0.0.1";
        /* A server on every address is reached on the loopback. */
        if (strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0)
            h = strcmp(h, "::") == 0 ? "::1" : "127.0.0.1";
        c->cb(type, h, atoi(json_object_get_string(port)), NULL, c->opaque);
    }
    free(c);
}

void vr_qemu_display_address(vr_domain *dom, int idx, vr_display_fn cb, void *opaque)
{
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || idx < 0 || (size_t)idx >= dom->def->n_graphics) {
        cb(NULL, NULL, 0, dom->state == VR_DOM_SHUTOFF ? "the domain is not running"
                                                       : "the domain has no graphical display",
           opaque);
        return;
    }
    display_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (display_ctx){.cb = cb, .opaque = opaque,
                       .spice = dom->def->graphics[idx].type == VR_GRAPHICS_SPICE};
    vr_qmp_command(dom->qmp, c->spice ? "query-spice" : "query-vnc", NULL, on_query_display, c);
}

typedef struct {
    vr_done_fn cb;
    void *opaque;
} add_client_ctx;

static void on_add_client(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    add_client_ctx *c = opaque;
    char *msg = error ? vr_asprintf("QEMU did not take the display's client: %s", error) : NULL;
    c->cb(error ? VR_ERR_FAILED : VR_OK, msg, c->opaque);
    free(msg);
    free(c);
}

/* getfd answered: the descriptor named fdname is QEMU's; add_client
 * takes it (and on failure it stays there until QEMU exits: closefd). */
typedef struct {
    add_client_ctx *ctx;
    vr_domain *dom;
    char *fdname;
    json_object *args;
} getfd_ctx;

static void on_graphics_getfd(json_object *ret, const char *error, void *opaque)
{
    (void)ret;
    getfd_ctx *g = opaque;
    if (error) {
        char *msg = vr_asprintf("QEMU did not take the client's socket: %s", error);
        g->ctx->cb(VR_ERR_FAILED, msg, g->ctx->opaque);
        free(msg);
        free(g->ctx);
        json_object_put(g->args);
    } else {
        vr_qmp_command(g->dom->qmp, "add_client", g->args, on_add_client, g->ctx);
    }
    free(g->fdname);
    free(g);
}

void vr_qemu_display_add_client(vr_domain *dom, int idx, int fd, bool skipauth, vr_done_fn cb, void *opaque)
{
    static unsigned serial;
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp || idx < 0 || (size_t)idx >= dom->def->n_graphics) {
        char *msg = dom->state == VR_DOM_SHUTOFF || !dom->qmp
                        ? vr_asprintf("domain '%s' is not running; start it first", dom->def->name)
                        : vr_asprintf("domain '%s' has %zu graphical display(s); no idx %d", dom->def->name,
                                      dom->def->n_graphics, idx);
        cb(dom->state == VR_DOM_SHUTOFF || !dom->qmp ? VR_ERR_CONFLICT : VR_ERR_INVALID, msg, opaque);
        free(msg);
        return;
    }
    getfd_ctx *g = vr_calloc(1, sizeof(*g));
    g->ctx = vr_calloc(1, sizeof(*g->ctx));
    *g->ctx = (add_client_ctx){.cb = cb, .opaque = opaque};
    g->dom = dom;
    /* A name of its own per call: a second getfd of the same name would
     * close the first's descriptor before its add_client ran. */
    g->fdname = vr_asprintf("vireo-graphics-%u", ++serial);
    g->args = json_object_new_object();
    json_object_object_add(g->args, "protocol",
                           json_object_new_string(dom->def->graphics[idx].type == VR_GRAPHICS_SPICE ? "spice" : "vnc"));
    json_object_object_add(g->args, "fdname", json_object_new_string(g->fdname));
    json_object_object_add(g->args, "skipauth", json_object_new_boolean(skipauth));
    json_object *a = json_object_new_object();
    json_object_object_add(a, "fdname", json_object_new_string(g->fdname));
    char *err = NULL;
    if (vr_qmp_command_fd(dom->qmp, "getfd", a, fd, on_graphics_getfd, g, &err) < 0) {
        cb(VR_ERR_FAILED, err, opaque);
        free(err);
        json_object_put(g->args);
        free(g->ctx);
        free(g->fdname);
        free(g);
    }
}

void vr_qemu_stats(vr_domain *dom, vr_stats_fn cb, void *opaque)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "state", json_object_new_string(vr_dom_state_name(dom->state)));
    json_object_object_add(o, "vcpus", json_object_new_int((int)dom->def->vcpus_current));
    json_object_object_add(o, "memory_max_kib", json_object_new_int64((int64_t)dom->def->memory_kib));
    json_object_object_add(o, "memory_current_kib",
                           json_object_new_int64((int64_t)dom->def->current_memory_kib));
    if (dom->state == VR_DOM_SHUTOFF || !dom->qmp) {
        cb(o, NULL, opaque);
        json_object_put(o);
        return;
    }
    json_object_object_add(o, "cpu_time_ns", json_object_new_int64(vr_qemu_cpu_time_ns(dom)));
    json_object_object_add(o, "memory_rss_kib", json_object_new_int64(rss_kib(dom)));
    json_object_object_add(o, "net", tap_counters(dom));
    stats_ctx *c = vr_calloc(1, sizeof(*c));
    *c = (stats_ctx){.dom = dom, .out = o, .cb = cb, .opaque = opaque};
    vr_qmp_command(dom->qmp, "query-blockstats", NULL, on_blockstats, c);
}
