#include "core/host_info.h"
#include "common/file.h"
#include "common/util.h"
#include "conf/cpulist.h"
#include "core/host_sysinfo.h"
#include "host/resources.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

bool vr_host_memory_stats(vr_host_memory *out)
{
    char *meminfo = vr_file_read("/proc/meminfo", NULL);
    if (!meminfo)
        return false;
    out->total = vr_meminfo_kib(meminfo, "MemTotal");
    out->free = vr_meminfo_kib(meminfo, "MemFree");
    out->buffers = vr_meminfo_kib(meminfo, "Buffers");
    out->cached = vr_meminfo_kib(meminfo, "Cached");
    free(meminfo);
    return out->total > 0;
}

bool vr_host_cpu_stats(int cpu, vr_host_cpu_times *out)
{
    char *text = vr_file_read("/proc/stat", NULL), want[32];
    if (!text)
        return false;
    snprintf(want, sizeof(want), cpu < 0 ? "cpu " : "cpu%d ", cpu);
    const char *line = NULL;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, want, strlen(want)) == 0) {
            line = p + strlen(want);
            break;
        }
    /* user nice system idle iowait irq softirq, in clock ticks. */
    unsigned long long t[7] = {0};
    bool ok = line && sscanf(line, "%llu %llu %llu %llu %llu %llu %llu", &t[0], &t[1], &t[2], &t[3], &t[4], &t[5],
                             &t[6]) == 7;
    free(text);
    long hz = sysconf(_SC_CLK_TCK);
    if (!ok || hz <= 0)
        return false;
    unsigned long long ns = 1000000000ULL / (unsigned long long)hz;
    *out = (vr_host_cpu_times){.kernel = (t[2] + t[5] + t[6]) * ns, .user = (t[0] + t[1]) * ns,
                               .idle = t[3] * ns, .iowait = t[4] * ns};
    return true;
}

/* `-machine help` of QEMU 7.2 is about 4 KiB. */
#define MACHINE_HELP_MAX (64u * 1024)

static unsigned cpu_mhz(void)
{
    char *text = vr_file_read("/proc/cpuinfo", NULL);
    const char *p = text ? strstr(text, "cpu MHz") : NULL;
    double mhz = 0;
    if (p && (p = strchr(p, ':')))
        mhz = strtod(p + 1, NULL);
    free(text);
    return mhz > 0 && mhz < 1e6 ? (unsigned)(mhz + 0.5) : 0;
}

void vr_host_info_get(vr_qemu_driver *qemu, vr_host_info *out)
{
    memset(out, 0, sizeof(*out));
    gethostname(out->hostname, sizeof(out->hostname) - 1);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(out->arch, sizeof(out->arch), "%s", u.machine);
        snprintf(out->kernel, sizeof(out->kernel), "%s", u.release);
    }
    out->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    out->memory_kib = (unsigned long long)pages * (unsigned long long)psize / 1024;
    out->mhz = cpu_mhz();
    out->kvm = vr_qemu_kvm_usable(qemu);
}

unsigned long long vr_host_free_memory(void)
{
    char *meminfo = vr_file_read("/proc/meminfo", NULL);
    unsigned long long kib = vr_meminfo_kib(meminfo, "MemFree");
    free(meminfo);
    return kib * 1024;
}

/* QEMU's machine types: "name description", an alias saying
 * "(alias of CANONICAL)". The help text is read once per daemon: QEMU
 * does not change under it. */
vr_host_machine *vr_host_machines(const char *binary, size_t *n)
{
    static vr_host_machine *cache;
    static size_t n_cache;
    static bool probed;
    if (probed) {
        *n = n_cache;
        return cache;
    }
    probed = true;
    char *argv[] = {(char *)binary, "-machine", "help", NULL}, *out = NULL;
    if (vr_tool_run(argv, MACHINE_HELP_MAX, &out) != 0) {
        free(out);
        *n = 0;
        return NULL;
    }
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[128];
        if (vr_str_starts(line, "Supported machines") || sscanf(line, "%127s", name) != 1 ||
            strcmp(name, "none") == 0)
            continue;
        const char *alias = strstr(line, "(alias of ");
        cache = vr_realloc(cache, (n_cache + 1) * sizeof(*cache));
        cache[n_cache].name = vr_strdup(name);
        cache[n_cache].canonical = alias ? vr_strndup(alias + 10, strcspn(alias + 10, ")")) : NULL;
        cache[n_cache].is_default = strstr(line, "(default)") != NULL;
        n_cache++;
    }
    free(out);
    *n = n_cache;
    return cache;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void prop(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

char *vr_host_capabilities_xml(vr_qemu_driver *qemu, char **err)
{
    char *binary = vr_which(VR_HOST_QEMU);
    if (!binary) {
        vr_set_error(err, "%s is not installed (apt-get install qemu-system-x86)", VR_HOST_QEMU);
        return NULL;
    }
    vr_host_info info;
    vr_host_info_get(qemu, &info);
    size_t n;
    const vr_host_machine *m = vr_host_machines(binary, &n);

    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "capabilities");
    xmlDocSetRootElement(doc, root);
    xmlNodePtr host = child(root, "host", NULL);
    xmlNodePtr cpu = child(host, "cpu", NULL);
    child(cpu, "arch", info.arch);
    xmlNodePtr topo = child(cpu, "topology", NULL);
    char num[32];
    prop(topo, "sockets", "1");
    prop(topo, "dies", "1");
    snprintf(num, sizeof(num), "%d", info.cpus);
    prop(topo, "cores", num);
    prop(topo, "threads", "1");
    child(host, "power_management", NULL);
    /* No security driver confines QEMU beyond its own user and seccomp. */
    xmlNodePtr sec = child(host, "secmodel", NULL);
    child(sec, "model", "none");
    child(sec, "doi", "0");

    xmlNodePtr guest = child(root, "guest", NULL);
    child(guest, "os_type", "hvm");
    xmlNodePtr arch = child(guest, "arch", NULL);
    prop(arch, "name", "x86_64");
    child(arch, "wordsize", "64");
    child(arch, "emulator", binary);
    snprintf(num, sizeof(num), "%d", VR_HOST_MAX_VCPUS);
    for (size_t i = 0; i < n; i++) {
        xmlNodePtr mach = child(arch, "machine", m[i].name);
        if (m[i].canonical)
            prop(mach, "canonical", m[i].canonical);
        prop(mach, "maxCpus", num);
    }
    prop(child(arch, "domain", NULL), "type", "qemu");
    if (info.kvm)
        prop(child(arch, "domain", NULL), "type", "kvm");
    xmlNodePtr feat = child(guest, "features", NULL);
    const char *features[] = {"acpi", "apic"};
    for (size_t i = 0; i < VR_ARRAY_LEN(features); i++) {
        xmlNodePtr f = child(feat, features[i], NULL);
        prop(f, "default", "on");
        prop(f, "toggle", "yes");
    }

    free(binary);
    return vr_host_xml_text(doc);
}

unsigned vr_host_cpu_map(unsigned char *online, unsigned max, unsigned *n_online)
{
    char *present = vr_file_read("/sys/devices/system/cpu/present", NULL);
    char *on = vr_file_read("/sys/devices/system/cpu/online", NULL);
    unsigned n = 0;
    unsigned long lo, hi;
    bool exclude;
    const char *p = present ? vr_str_trim(present) : NULL;
    if (p && vr_cpulist_valid(p))
        while (vr_cpulist_next(&p, &lo, &hi, &exclude))
            if (!exclude && hi + 1 > n)
                n = (unsigned)hi + 1;
    memset(online, 0, max);
    *n_online = 0;
    if (on && vr_cpulist_valid(vr_str_trim(on))) {
        vr_cpulist_bits(vr_str_trim(on), online, max);
        for (unsigned i = 0; i < max; i++)
            *n_online += online[i];
    }
    free(present);
    free(on);
    return n;
}
