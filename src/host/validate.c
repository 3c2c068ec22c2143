#include "host/validate.h"
#include "host/resources.h"
#include "common/file.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GiB (1024ull * 1024 * 1024)
/* The course's lab host: 8 GB RAM, 4 cores, 100 GB of disk. */
#define REC_MEM (8 * GiB)
#define REC_CORES 4
#define REC_DISK (100ull * 1000 * 1000 * 1000)

const char *vr_check_status_name(vr_check_status s)
{
    switch (s) {
    case VR_CHECK_PASS: return "PASS";
    case VR_CHECK_WARN: return "WARN";
    case VR_CHECK_FAIL: return "FAIL";
    }
    return "?";
}

static vr_check *add(vr_checklist *l, const char *id, const char *title, vr_check_status st)
{
    l->v = vr_realloc(l->v, (l->n + 1) * sizeof(*l->v));
    vr_check *c = &l->v[l->n++];
    *c = (vr_check){.id = id, .title = title, .status = st};
    return c;
}

void vr_check_clear(vr_check *c)
{
    free(c->detail);
    free(c->hint);
    json_object_put(c->params);
    c->detail = c->hint = NULL;
    c->params = NULL;
}

void vr_checklist_free(vr_checklist *l)
{
    for (size_t i = 0; i < l->n; i++)
        vr_check_clear(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ---- the verdicts' codes (see vr_check): every English detail and
 * hint below is set beside its code, with the values it names ---- */

static void coded(vr_check *k, const char *code, const char *hint_code, json_object *params)
{
    k->code = code;
    k->hint_code = hint_code;
    k->params = params;
}

/* {"key":value,…} from NULL-ended pairs (the values are taken). */
static json_object *params(const char *key, ...)
{
    json_object *o = json_object_new_object();
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *))
        json_object_object_add(o, k, va_arg(ap, json_object *));
    va_end(ap);
    return o;
}

static json_object *str(const char *s) { return s ? json_object_new_string(s) : NULL; }

/* A number written as the English text writes it (its decimals), so
 * both forms say the same. */
static json_object *num(double v, int decimals)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    return json_object_new_double_s(strtod(buf, NULL), buf);
}

static bool intel(const vr_cpuinfo *c) { return strcmp(c->vendor, "GenuineIntel") == 0; }
static bool amd(const vr_cpuinfo *c)
{
    return strcmp(c->vendor, "AuthenticAMD") == 0 || strcmp(c->vendor, "HygonGenuine") == 0;
}

static void check_cpu(const vr_host_facts *f, vr_checklist *l)
{
    const vr_cpuinfo *c = &f->cpu;
    if (!f->cpu_ok) {
        vr_check *k = add(l, "cpu.virt", "CPU virtualization extensions", VR_CHECK_WARN);
        k->detail = vr_strdup("could not read /proc/cpuinfo");
        k->hint = vr_strdup("mount /proc, then run host-validate again");
        coded(k, "cpu.unreadable", "mount-proc", NULL);
        return;
    }
    const char *model = c->model[0] ? c->model : c->vendor;
    if (c->vmx || c->svm) {
        vr_check *k = add(l, "cpu.virt", "CPU virtualization extensions", VR_CHECK_PASS);
        const char *ext = c->vmx ? "Intel VT-x" : "AMD-V", *flag = c->vmx ? "vmx" : "svm";
        k->detail = vr_asprintf("%s (%s, %s)", ext, flag, model);
        coded(k, "cpu.virt", NULL, params("ext", str(ext), "flag", str(flag), "model", str(model), NULL));
        return;
    }
    vr_check *k = add(l, "cpu.virt", "CPU virtualization extensions", VR_CHECK_WARN);
    const char *ext = intel(c) ? "Intel VT-x" : amd(c) ? "AMD-V (SVM)" : "VT-x/AMD-V";
    json_object *p = params("model", str(model), "ext", str(ext), NULL);
    if (c->hypervisor) {
        k->detail = vr_asprintf("no vmx/svm flag: this host is itself a virtual machine (%s)", model);
        k->hint = vr_asprintf("enable nested virtualization of %s on the outer hypervisor for "
                              "hardware speed; until then VMs run under TCG emulation", ext);
        coded(k, "cpu.in-vm", "cpu-nested-outer", p);
    } else {
        /* Since Linux 5.6 the kernel clears the flag when the firmware
         * locked virtualization off, so a missing flag on bare metal
         * usually means the BIOS/UEFI setting. */
        k->detail = vr_asprintf("no vmx/svm flag on %s: the CPU lacks it or the firmware disabled it",
                                model);
        k->hint = vr_asprintf("enable %s in the BIOS/UEFI setup (often under CPU or Security); "
                              "until then VMs run under TCG emulation", ext);
        coded(k, "cpu.virt-off", "cpu-firmware", p);
    }
}

vr_accel vr_kvm_verdict(const vr_cpuinfo *cpu, bool cpu_ok, const vr_kvm_probe *p, vr_check *out)
{
    *out = (vr_check){.id = "kvm.usable", .title = "KVM usable for full guests"};
    bool hw = cpu_ok && (cpu->vmx || cpu->svm);
    switch (p->status) {
    case VR_KVM_ABSENT:
        out->status = VR_CHECK_WARN;
        out->detail = vr_strdup("/dev/kvm is missing; VMs will run under TCG emulation");
        out->hint = vr_strdup(hw ? "load the module: modprobe kvm_intel (or kvm_amd)"
                                 : "enable VT-x/AMD-V first (see the CPU line)");
        coded(out, "kvm.absent", hw ? "load-kvm-module" : "enable-virt-first", NULL);
        return VR_ACCEL_TCG;
    case VR_KVM_NO_ACCESS:
        out->status = VR_CHECK_WARN;
        out->detail = vr_asprintf("cannot open /dev/kvm (%s); VMs will run under TCG emulation",
                                  strerror(p->err));
        out->hint = vr_strdup("add your user to group kvm (usermod -aG kvm USER) and log in again");
        coded(out, "kvm.no-access", "join-kvm-group", params("error", str(strerror(p->err)), NULL));
        return VR_ACCEL_TCG;
    case VR_KVM_BAD_API:
        out->status = VR_CHECK_WARN;
        out->detail = vr_asprintf("/dev/kvm speaks API %d, not 12; VMs will run under TCG emulation",
                                  p->api_version);
        out->hint = vr_strdup("update the kernel");
        coded(out, "kvm.bad-api", "update-kernel", params("api", json_object_new_int(p->api_version), NULL));
        return VR_ACCEL_TCG;
    case VR_KVM_SETUP_FAILED:
    case VR_KVM_RUN_FAILED:
        out->status = VR_CHECK_WARN;
        if (p->status == VR_KVM_RUN_FAILED && p->step && strcmp(p->step, "KVM_RUN exit") == 0) {
            out->detail = vr_asprintf("KVM not usable for full guests here: a test guest stopped "
                                      "with exit reason %d; VMs will run under TCG emulation",
                                      p->exit_reason);
            coded(out, "kvm.test-exit", "check-dmesg",
                  params("exit_reason", json_object_new_int(p->exit_reason), NULL));
        } else {
            const char *step = p->step ? p->step : "probe";
            out->detail = vr_asprintf("KVM not usable for full guests here: %s failed (%s); "
                                      "VMs will run under TCG emulation", step, strerror(p->err));
            coded(out, "kvm.probe-failed", "check-dmesg",
                  params("step", str(step), "error", str(strerror(p->err)), NULL));
        }
        out->hint = vr_strdup("check dmesg for kvm errors; TCG works meanwhile, only slower");
        return VR_ACCEL_TCG;
    case VR_KVM_RAN:
        break;
    }
    double rate = p->elapsed_ms > 0 ? (double)p->iterations / (p->elapsed_ms / 1e3) : 0;
    if (vr_kvm_probe_fast(p) && hw) {
        out->status = VR_CHECK_PASS;
        out->detail = vr_asprintf("a test guest ran at hardware speed (%.0f M loops/s)", rate / 1e6);
        coded(out, "kvm.hardware", NULL, params("mloops", num(rate / 1e6, 0), NULL));
        return VR_ACCEL_KVM;
    }
    out->status = VR_CHECK_WARN;
    bool nested = cpu_ok && cpu->hypervisor;
    const char *hint_code = nested ? "nested-outer" : "firmware";
    if (!vr_kvm_probe_fast(p)) {
        double slower = 5e8 / (rate > 0 ? rate : 1);
        out->detail = vr_asprintf("KVM not usable for full guests here; VMs will run under TCG "
                                  "emulation (/dev/kvm ran a test guest at %.2f M loops/s, about "
                                  "%.0fx slower than hardware virtualization)", rate / 1e6, slower);
        coded(out, "kvm.slow", hint_code, params("mloops", num(rate / 1e6, 2), "slower", num(slower, 0), NULL));
    } else {
        out->detail = vr_strdup("KVM not usable for full guests here; VMs will run under TCG "
                                "emulation (/dev/kvm works but the CPU shows no vmx/svm, so it "
                                "is a paravirtual KVM that stops on instructions full guests use)");
        coded(out, "kvm.paravirtual", hint_code, NULL);
    }
    out->hint = vr_strdup(nested ? "enable nested virtualization on the outer hypervisor"
                                 : "enable VT-x/AMD-V in the BIOS/UEFI setup");
    return VR_ACCEL_TCG;
}

static void check_kvm(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *k = add(l, "kvm.device", "/dev/kvm present and accessible", VR_CHECK_PASS);
    if (f->kvm.status == VR_KVM_ABSENT) {
        k->status = VR_CHECK_WARN;
        k->detail = vr_strdup("missing");
        k->hint = vr_strdup("modprobe kvm_intel or kvm_amd (needs VT-x/AMD-V)");
        coded(k, "kvm.device-missing", "modprobe-kvm", NULL);
    } else if (f->kvm.status == VR_KVM_NO_ACCESS) {
        k->status = VR_CHECK_WARN;
        k->detail = vr_asprintf("present, but %s", strerror(f->kvm.err));
        k->hint = vr_strdup("add your user to group kvm (usermod -aG kvm USER) and log in again");
        coded(k, "kvm.device-denied", "join-kvm-group", params("error", str(strerror(f->kvm.err)), NULL));
    } else if (f->kvm_module) {
        k->detail = vr_strdup(f->kvm_module);
        coded(k, "kvm.device-module", NULL, params("module", str(f->kvm_module), NULL));
    } else {
        k->detail = vr_strdup("present");
        coded(k, "kvm.device-present", NULL, NULL);
    }
    vr_check v;
    vr_kvm_verdict(&f->cpu, f->cpu_ok, &f->kvm, &v);
    *add(l, v.id, v.title, v.status) = v;

    if (f->kvm_module && (strcmp(f->kvm_module, "kvm_intel") == 0 ||
                          strcmp(f->kvm_module, "kvm_amd") == 0)) {
        vr_check *n = add(l, "kvm.nested", "Nested virtualization", VR_CHECK_PASS);
        json_object *p = params("module", str(f->kvm_module), NULL);
        if (f->nested == 1) {
            n->detail = vr_asprintf("enabled in %s: your VMs can run VMs", f->kvm_module);
            coded(n, "kvm.nested-on", NULL, p);
        } else {
            n->status = VR_CHECK_WARN;
            n->detail = vr_asprintf("disabled in %s: VMs cannot run KVM themselves", f->kvm_module);
            n->hint = vr_asprintf("only needed for labs inside VMs: echo 'options %s nested=1' > "
                                  "/etc/modprobe.d/%s.conf, then reload the module",
                                  f->kvm_module, f->kvm_module);
            coded(n, "kvm.nested-off", "nested-module", p);
        }
    }
}

/* The bridge probe's reasons that have a code of their own; any other
 * is named in the `why` value. */
static const char *bridge_code(const char *why_code, bool refused)
{
    static const struct {
        const char *why, *code;
    } codes[] = {
        {"refused", "bridge.refused"},
        {"not-root", "bridge.untested-not-root"},
        {"no-ip-tool", "bridge.untested-no-ip-tool"},
        {"no-netns", "bridge.untested-no-netns"},
    };
    for (size_t i = 0; why_code && i < VR_ARRAY_LEN(codes); i++)
        if (strcmp(codes[i].why, why_code) == 0)
            return codes[i].code;
    return refused ? "bridge.unavailable" : "bridge.untested";
}

static void check_bridge(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *b = add(l, "net.bridge", "Bridge support for virtual networks", VR_CHECK_PASS);
    if (f->bridge == 1) {
        b->detail = vr_strdup("the kernel makes bridges (tested in a private namespace)");
        coded(b, "bridge.works", NULL, NULL);
        return;
    }
    b->status = VR_CHECK_WARN;
    json_object *p = f->bridge_why ? params("why", str(f->bridge_why), NULL) : NULL;
    if (f->bridge == 0) {
        b->detail = vr_strdup(f->bridge_why ? f->bridge_why : "bridges unavailable");
        b->hint = vr_strdup("modprobe bridge; without it only user-mode networking works");
        coded(b, bridge_code(f->bridge_why_code, true), "modprobe-bridge", p);
    } else {
        b->detail = vr_asprintf("not tested: %s", f->bridge_why ? f->bridge_why : "unknown");
        b->hint = vr_strdup("run host-validate as root to test it");
        coded(b, bridge_code(f->bridge_why_code, false), "root-test", p);
    }
}

static void check_kernel(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *t = add(l, "net.tun", "/dev/net/tun for guest network taps", VR_CHECK_PASS);
    if (f->tun == 1) {
        t->detail = vr_strdup("present");
        coded(t, "tun.present", NULL, NULL);
    } else {
        t->status = VR_CHECK_WARN;
        t->detail = vr_strdup(f->tun == 0 ? "missing" : "present but not accessible");
        t->hint = vr_strdup(f->tun == 0 ? "modprobe tun; without it guests only get user-mode networking"
                                        : "run as root for bridged and NAT networks");
        coded(t, f->tun == 0 ? "tun.missing" : "tun.denied", f->tun == 0 ? "modprobe-tun" : "root-networks",
              NULL);
    }
    check_bridge(f, l);

    vr_check *c = add(l, "cgroup.v2", "cgroup v2 controllers cpu and memory", VR_CHECK_PASS);
    const char *ctl = f->cgroup_controllers ? f->cgroup_controllers : "";
    char *padded = vr_asprintf(" %s ", ctl);
    bool cpu = strstr(padded, " cpu ") != NULL, mem = strstr(padded, " memory ") != NULL;
    free(padded);
    if (cpu && mem) {
        c->detail = vr_asprintf("cgroup v2: %s", ctl);
        coded(c, "cgroup.ok", NULL, params("controllers", str(ctl), NULL));
    } else {
        c->status = VR_CHECK_WARN;
        c->detail = vr_asprintf("%s%s%s missing from cgroup v2 (%s)", cpu ? "" : "cpu",
                                !cpu && !mem ? " and " : "", mem ? "" : "memory",
                                f->cgroup_version == 2 ? "unified hierarchy"
                                                       : "host runs cgroup v1 or hybrid");
        c->hint = vr_strdup("boot with systemd.unified_cgroup_hierarchy=1 to get per-VM CPU "
                            "and memory limits; VMs run without them");
        json_object *missing = json_object_new_array();
        if (!cpu)
            json_object_array_add(missing, str("cpu"));
        if (!mem)
            json_object_array_add(missing, str("memory"));
        coded(c, f->cgroup_version == 2 ? "cgroup.missing" : "cgroup.missing-v1", "unified-cgroup",
              params("missing", missing, NULL));
    }
}

typedef struct {
    const char *id, *title;
    vr_check_status missing;  /* the status when it is not there */
    const char *pkg, *why, *missing_code;
} tool_check;

static void check_tool(vr_checklist *l, const tool_check *t, const char *version)
{
    vr_check *k = add(l, t->id, t->title, version ? VR_CHECK_PASS : t->missing);
    if (version) {
        k->detail = vr_strdup(version);
        coded(k, "tool.found", NULL, params("version", str(version), NULL));
    } else {
        k->detail = vr_asprintf("not found on PATH; %s", t->why);
        k->hint = vr_asprintf("apt-get install %s (or: make deps)", t->pkg);
        coded(k, t->missing_code, "apt-install", params("package", str(t->pkg), NULL));
    }
}

static void check_resources(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *m = add(l, "host.memory", "Host memory (course: 8 GB)", VR_CHECK_PASS);
    double gib = (double)f->mem_bytes / (double)GiB;
    int small = (int)(gib * 2) > 0 ? (int)(gib * 2) - 1 : 0, large = (int)(gib / 2) > 0 ? (int)(gib / 2) - 1 : 0;
    m->detail = vr_asprintf("%.1f GiB: room for about %d guests without a desktop (512 MiB), "
                            "%d with one (2 GiB)", gib, small, large);
    if (f->mem_bytes < REC_MEM) {
        m->status = VR_CHECK_WARN;
        m->hint = vr_strdup("8 GB is recommended for a lab host; give guests 512 MB without a "
                            "desktop, 1-2 GB with one, 2 GB for Windows");
    }
    coded(m, "host.memory", m->hint ? "memory-advice" : NULL,
          params("gib", num(gib, 1), "small", json_object_new_int(small), "large", json_object_new_int(large),
                 NULL));
    vr_check *c = add(l, "host.cores", "Host CPU cores (course: 4)", VR_CHECK_PASS);
    c->detail = vr_asprintf("%d", f->cores);
    if (f->cores < REC_CORES) {
        c->status = VR_CHECK_WARN;
        c->hint = vr_strdup("4 cores are recommended; give each guest no more vCPUs than cores");
    }
    coded(c, "host.cores", c->hint ? "cores-advice" : NULL, params("cores", json_object_new_int(f->cores), NULL));
    vr_check *d = add(l, "host.disk", "Free disk for images (course: 100 GB)", VR_CHECK_PASS);
    const char *at = f->disk_path ? f->disk_path : "?";
    d->detail = vr_asprintf("%.0f GB free at %s", (double)f->disk_free / 1e9, at);
    if (f->disk_free < REC_DISK) {
        d->status = VR_CHECK_WARN;
        d->hint = vr_strdup("100 GB is recommended for ISOs and disk images; qcow2 disks only "
                            "use what the guest writes");
    }
    coded(d, "host.disk", d->hint ? "disk-advice" : NULL,
          params("gb", num((double)f->disk_free / 1e9, 0), "path", str(at), NULL));
}

/* Another firewall's forward chain that drops what NAT and routed
 * networks send out (firewall.c). Judged against the bridges of Vireo's
 * active networks; with none yet, any dropping chain will hit the first. */
static const vr_fw_block *first_block(const vr_host_facts *f, const char **bridge, size_t *count)
{
    const vr_fw_block *first = NULL;
    *count = 0;
    for (size_t i = 0; i < f->fw.n; i++) {
        const vr_fw_block *b = &f->fw.blocks[i];
        const char *hit = f->fw.n_bridges ? NULL : "BRIDGE";
        for (size_t k = 0; k < f->fw.n_bridges && !hit; k++)
            if (!vr_fw_block_lets(b, f->fw.bridges[k]))
                hit = f->fw.bridges[k];
        if (!hit)
            continue;
        if (!first) {
            first = b;
            *bridge = hit;
        }
        (*count)++;
    }
    return first;
}

static void check_firewall(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *k = add(l, "net.firewall", "Other firewalls let NAT networks' traffic through", VR_CHECK_PASS);
    if (f->firewall != 1) {
        const char *why = f->firewall_why ? f->firewall_why : "unknown";
        k->status = VR_CHECK_WARN;
        k->detail = vr_asprintf("not tested: %s", why);
        k->hint = vr_strdup("run host-validate as root to test it");
        coded(k, "firewall.untested", "root-test", params("why", str(why), NULL));
        return;
    }
    const char *bridge = NULL;
    size_t count;
    const vr_fw_block *b = first_block(f, &bridge, &count);
    if (!b) {
        k->detail = vr_strdup(f->fw.n ? "the forward chains that drop traffic accept the bridges of "
                                        "Vireo's networks"
                                      : "no forward chain outside Vireo's drops traffic");
        coded(k, f->fw.n ? "firewall.bridges-accepted" : "firewall.open", NULL, NULL);
        return;
    }
    k->status = VR_CHECK_WARN;
    char *what = vr_fw_block_what(b), *fix = vr_fw_block_fix(b, bridge);
    k->detail = vr_asprintf("%s: it drops what guests on NAT and routed networks send out%s", what,
                            count > 1 ? " (and other chains do too: run again after the fix)" : "");
    k->hint = vr_asprintf("to accept %s's traffic: %s%s", bridge, fix,
                          f->fw.n_bridges ? "" : " (BRIDGE: the network's bridge, vireo net-info NAME shows it)");
    coded(k, b->policy_drop ? "firewall.forward-drop" : "firewall.forward-reject",
          b->iptables ? "firewall-accept-iptables" : "firewall-accept-nft",
          params("family", str(b->family), "table", str(b->table), "chain", str(b->chain),
                 "rule_handle", b->policy_drop ? NULL : json_object_new_int64(b->rule_handle),
                 "bridge", str(bridge), "command", str(fix), "more", json_object_new_int((int)count - 1), NULL));
    free(what);
    free(fix);
}

/* QEMU's block-NAME module (qemu-block-extra), which network pools'
 * volumes need in guests: `pool_can` what the pool does without it,
 * `volumes` what guests use with it. Check ids and codes are kept by
 * pointer: literals only. */
static void qemu_module_check(vr_checklist *l, bool found, const char *name, const char *title,
                              const char *pool_can, const char *volumes)
{
    bool rbd = strcmp(name, "rbd") == 0;
    vr_check *k = add(l, rbd ? "storage.rbd" : "storage.iscsi", title, found ? VR_CHECK_PASS : VR_CHECK_WARN);
    if (found) {
        k->detail = vr_asprintf("block-%s module found: guests can use %s", name, volumes);
        coded(k, rbd ? "storage.rbd-ok" : "storage.iscsi-ok", NULL, NULL);
    } else {
        k->detail = vr_asprintf("QEMU's block-%s module is missing: %s, but no guest can use them", name, pool_can);
        k->hint = vr_strdup("apt-get install qemu-block-extra (or: make deps)");
        coded(k, rbd ? "storage.rbd-missing" : "storage.iscsi-missing", "apt-install",
              params("package", str("qemu-block-extra"), NULL));
    }
}

/* Which storage pool kinds this host can serve, and why not. */
static void check_storage(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *k = add(l, "storage.disk", "disk and fs pools (partition tables, mounts)",
                      f->root ? VR_CHECK_PASS : VR_CHECK_WARN);
    if (f->root) {
        k->detail = vr_strdup("dir, fs and disk pools can be served");
        coded(k, "storage.block-ok", NULL, NULL);
    } else {
        k->detail = vr_strdup("not root: only dir pools can be served (writing partition tables and "
                              "mounting need root)");
        k->hint = vr_strdup("use the system daemon (vireo:///system, vireod as root) for disk and fs pools");
        coded(k, "storage.not-root", "system-daemon", NULL);
    }
    k = add(l, "storage.mkfs", "mkfs for fs pools (ext4, xfs)",
            f->mkfs_ext4 && f->mkfs_xfs ? VR_CHECK_PASS : VR_CHECK_WARN);
    if (f->mkfs_ext4 && f->mkfs_xfs) {
        k->detail = vr_strdup("mkfs.ext4 and mkfs.xfs found");
        coded(k, "storage.mkfs-ok", NULL, NULL);
    } else {
        const char *pkg = !f->mkfs_ext4 ? "e2fsprogs" : "xfsprogs";
        k->detail = vr_asprintf("%s not found: pool-build cannot make that file system (existing ones still "
                                "mount)", !f->mkfs_ext4 ? "mkfs.ext4" : "mkfs.xfs");
        k->hint = vr_asprintf("apt-get install %s (or: make deps)", pkg);
        coded(k, "storage.mkfs-missing", "apt-install", params("package", str(pkg), NULL));
    }
    qemu_module_check(l, f->qemu_iscsi, "iscsi", "QEMU's iSCSI client (iscsi-direct pools)",
                      "iscsi-direct pools list their LUNs", "iscsi-direct LUNs");
    qemu_module_check(l, f->qemu_rbd, "rbd", "QEMU's Ceph client (rbd pools)",
                      "rbd pools list and make their images", "RBD images of rbd pools");
}

void vr_host_validate(const vr_host_facts *f, vr_checklist *out)
{
    *out = (vr_checklist){0};
    check_cpu(f, out);
    check_kvm(f, out);
    check_kernel(f, out);
    check_firewall(f, out);
    static const tool_check qemu = {"tool.qemu", "QEMU (qemu-system-x86_64)", VR_CHECK_FAIL,
                                    "qemu-system-x86", "no VM can run", "tool.qemu-missing"};
    static const tool_check qemu_img = {"tool.qemu-img", "qemu-img", VR_CHECK_FAIL, "qemu-utils",
                                        "disk images cannot be made", "tool.qemu-img-missing"};
    static const tool_check dnsmasq = {"tool.dnsmasq", "dnsmasq (DHCP and DNS for networks)",
                                       VR_CHECK_WARN, "dnsmasq-base", "virtual networks get no DHCP",
                                       "tool.dnsmasq-missing"};
    check_tool(out, &qemu, f->qemu);
    check_tool(out, &qemu_img, f->qemu_img);
    check_tool(out, &dnsmasq, f->dnsmasq);
    check_resources(f, out);
    check_storage(f, out);
}

/* QEMU's module directory holds block-iscsi.so and block-rbd.so when
 * qemu-block-extra is installed (Debian's, and the usual other places). */
static bool qemu_block_module(const char *name)
{
    static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu/qemu", "/usr/lib64/qemu", "/usr/lib/qemu"};
    for (size_t i = 0; i < VR_ARRAY_LEN(dirs); i++) {
        char *p = vr_asprintf("%s/block-%s.so", dirs[i], name);
        bool there = access(p, R_OK) == 0;
        free(p);
        if (there)
            return true;
    }
    return false;
}

static bool on_path(const char *prog)
{
    char *p = vr_which(prog);
    bool found = p != NULL;
    free(p);
    return found;
}

static int tun_state(void)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
    return errno == ENOENT ? 0 : -1;
}

void vr_host_facts_gather(vr_host_facts *f, const char *state_dir)
{
    *f = (vr_host_facts){0};
    f->cpu_ok = vr_cpuinfo_read(&f->cpu) == 0;
    const char *dev = getenv("VIREO_KVM_DEVICE");
    vr_kvm_probe_run(dev ? dev : "/dev/kvm", &f->kvm);
    f->kvm_module = vr_kvm_module(&f->nested);
    f->tun = tun_state();
    f->bridge = vr_bridge_probe(&f->bridge_why, &f->bridge_why_code);
    f->cgroup_version = vr_cgroup_controllers(&f->cgroup_controllers);
    f->qemu = vr_tool_version("qemu-system-x86_64");
    f->qemu_img = vr_tool_version("qemu-img");
    f->dnsmasq = vr_tool_version("dnsmasq");
    f->root = geteuid() == 0;
    f->mkfs_ext4 = on_path("mkfs.ext4");
    f->mkfs_xfs = on_path("mkfs.xfs");
    f->qemu_iscsi = qemu_block_module("iscsi");
    f->qemu_rbd = qemu_block_module("rbd");
    char *meminfo = vr_file_read("/proc/meminfo", NULL);
    f->mem_bytes = vr_meminfo_total(meminfo);
    free(meminfo);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    f->cores = n > 0 ? (int)n : f->cpu.processors;
    if (vr_disk_free(state_dir, &f->disk_free, &f->disk_path) < 0)
        f->disk_free = 0;
    if (geteuid() != 0) {
        f->firewall_why = vr_strdup("only root can read the nftables ruleset");
    } else {
        char *err = NULL;
        f->firewall = vr_fw_scan_live(&f->fw, &err) == 0 ? 1 : 0;
        f->firewall_why = err;
    }
}

void vr_host_facts_free(vr_host_facts *f)
{
    free(f->kvm_module);
    free(f->bridge_why);
    free(f->cgroup_controllers);
    free(f->qemu);
    free(f->qemu_img);
    free(f->dnsmasq);
    free(f->disk_path);
    free(f->firewall_why);
    vr_fw_scan_free(&f->fw);
}
