#include "host/validate.h"
#include "host/resources.h"
#include "common/file.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
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

void vr_checklist_free(vr_checklist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].detail);
        free(l->v[i].hint);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
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
        return;
    }
    if (c->vmx || c->svm) {
        vr_check *k = add(l, "cpu.virt", "CPU virtualization extensions", VR_CHECK_PASS);
        k->detail = vr_asprintf("%s (%s, %s)", c->vmx ? "Intel VT-x" : "AMD-V",
                                c->vmx ? "vmx" : "svm", c->model[0] ? c->model : c->vendor);
        return;
    }
    vr_check *k = add(l, "cpu.virt", "CPU virtualization extensions", VR_CHECK_WARN);
    const char *ext = intel(c) ? "Intel VT-x" : amd(c) ? "AMD-V (SVM)" : "VT-x/AMD-V";
    if (c->hypervisor) {
        k->detail = vr_asprintf("no vmx/svm flag: this host is itself a virtual machine (%s)",
                                c->model[0] ? c->model : c->vendor);
        k->hint = vr_asprintf("enable nested virtualization of %s on the outer hypervisor for "
                              "hardware speed; until then VMs run under TCG emulation", ext);
    } else {
        /* Since Linux 5.6 the kernel clears the flag when the firmware
         * locked virtualization off, so a missing flag on bare metal
         * usually means the BIOS/UEFI setting. */
        k->detail = vr_asprintf("no vmx/svm flag on %s: the CPU lacks it or the firmware disabled it",
                                c->model[0] ? c->model : c->vendor);
        k->hint = vr_asprintf("enable %s in the BIOS/UEFI setup (often under CPU or Security); "
                              "until then VMs run under TCG emulation", ext);
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
        return VR_ACCEL_TCG;
    case VR_KVM_NO_ACCESS:
        out->status = VR_CHECK_WARN;
        out->detail = vr_asprintf("cannot open /dev/kvm (%s); VMs will run under TCG emulation",
                                  strerror(p->err));
        out->hint = vr_strdup("add your user to group kvm (usermod -aG kvm USER) and log in again");
        return VR_ACCEL_TCG;
    case VR_KVM_BAD_API:
        out->status = VR_CHECK_WARN;
        out->detail = vr_asprintf("/dev/kvm speaks API %d, not 12; VMs will run under TCG emulation",
                                  p->api_version);
        out->hint = vr_strdup("update the kernel");
        return VR_ACCEL_TCG;
    case VR_KVM_SETUP_FAILED:
    case VR_KVM_RUN_FAILED:
        out->status = VR_CHECK_WARN;
        if (p->status == VR_KVM_RUN_FAILED && p->step && strcmp(p->step, "KVM_RUN exit") == 0)
            out->detail = vr_asprintf("KVM not usable for full guests here: a test guest stopped "
                                      "with exit reason %d; VMs will run under TCG emulation",
                                      p->exit_reason);
        else
            out->detail = vr_asprintf("KVM not usable for full guests here: %s failed (%s); "
                                      "VMs will run under TCG emulation",
                                      p->step ? p->step : "probe", strerror(p->err));
        out->hint = vr_strdup("check dmesg for kvm errors; TCG works meanwhile, only slower");
        return VR_ACCEL_TCG;
    case VR_KVM_RAN:
        break;
    }
    double rate = p->elapsed_ms > 0 ? (double)p->iterations / (p->elapsed_ms / 1e3) : 0;
    if (vr_kvm_probe_fast(p) && hw) {
        out->status = VR_CHECK_PASS;
        out->detail = vr_asprintf("a test guest ran at hardware speed (%.0f M loops/s)", rate / 1e6);
        return VR_ACCEL_KVM;
    }
    out->status = VR_CHECK_WARN;
    if (!vr_kvm_probe_fast(p))
        out->detail = vr_asprintf("KVM not usable for full guests here; VMs will run under TCG "
                                  "emulation (/dev/kvm ran a test guest at %.2f M loops/s, about "
                                  "%.0fx slower than hardware virtualization)",
                                  rate / 1e6, 5e8 / (rate > 0 ? rate : 1));
    else
        out->detail = vr_strdup("KVM not usable for full guests here; VMs will run under TCG "
                                "emulation (/dev/kvm works but the CPU shows no vmx/svm, so it "
                                "is a paravirtual KVM that stops on instructions full guests use)");
    out->hint = vr_strdup(cpu_ok && cpu->hypervisor
                              ? "enable nested virtualization on the outer hypervisor"
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
    } else if (f->kvm.status == VR_KVM_NO_ACCESS) {
        k->status = VR_CHECK_WARN;
        k->detail = vr_asprintf("present, but %s", strerror(f->kvm.err));
        k->hint = vr_strdup("add your user to group kvm (usermod -aG kvm USER) and log in again");
    } else {
        k->detail = vr_strdup(f->kvm_module ? f->kvm_module : "present");
    }
    vr_check v;
    vr_kvm_verdict(&f->cpu, f->cpu_ok, &f->kvm, &v);
    vr_check *kv = add(l, v.id, v.title, v.status);
    kv->detail = v.detail;
    kv->hint = v.hint;

    if (f->kvm_module && (strcmp(f->kvm_module, "kvm_intel") == 0 ||
                          strcmp(f->kvm_module, "kvm_amd") == 0)) {
        vr_check *n = add(l, "kvm.nested", "Nested virtualization", VR_CHECK_PASS);
        if (f->nested == 1) {
            n->detail = vr_asprintf("enabled in %s: your VMs can run VMs", f->kvm_module);
        } else {
            n->status = VR_CHECK_WARN;
            n->detail = vr_asprintf("disabled in %s: VMs cannot run KVM themselves", f->kvm_module);
            n->hint = vr_asprintf("only needed for labs inside VMs: echo 'options %s nested=1' > "
                                  "/etc/modprobe.d/%s.conf, then reload the module",
                                  f->kvm_module, f->kvm_module);
        }
    }
}

static void check_kernel(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *t = add(l, "net.tun", "/dev/net/tun for guest network taps", VR_CHECK_PASS);
    if (f->tun == 1) {
        t->detail = vr_strdup("present");
    } else {
        t->status = VR_CHECK_WARN;
        t->detail = vr_strdup(f->tun == 0 ? "missing" : "present but not accessible");
        t->hint = vr_strdup(f->tun == 0 ? "modprobe tun; without it guests only get user-mode networking"
                                        : "run as root for bridged and NAT networks");
    }

    vr_check *b = add(l, "net.bridge", "Bridge support for virtual networks", VR_CHECK_PASS);
    if (f->bridge == 1) {
        b->detail = vr_strdup("the kernel makes bridges (tested in a private namespace)");
    } else if (f->bridge == 0) {
        b->status = VR_CHECK_WARN;
        b->detail = vr_strdup(f->bridge_why ? f->bridge_why : "bridges unavailable");
        b->hint = vr_strdup("modprobe bridge; without it only user-mode networking works");
    } else {
        b->status = VR_CHECK_WARN;
        b->detail = vr_asprintf("not tested: %s", f->bridge_why ? f->bridge_why : "unknown");
        b->hint = vr_strdup("run host-validate as root to test it");
    }

    vr_check *c = add(l, "cgroup.v2", "cgroup v2 controllers cpu and memory", VR_CHECK_PASS);
    const char *ctl = f->cgroup_controllers ? f->cgroup_controllers : "";
    char *padded = vr_asprintf(" %s ", ctl);
    bool cpu = strstr(padded, " cpu ") != NULL, mem = strstr(padded, " memory ") != NULL;
    free(padded);
    if (cpu && mem) {
        c->detail = vr_asprintf("cgroup v2: %s", ctl);
    } else {
        c->status = VR_CHECK_WARN;
        c->detail = vr_asprintf("%s%s%s missing from cgroup v2 (%s)", cpu ? "" : "cpu",
                                !cpu && !mem ? " and " : "", mem ? "" : "memory",
                                f->cgroup_version == 2 ? "unified hierarchy"
                                                       : "host runs cgroup v1 or hybrid");
        c->hint = vr_strdup("boot with systemd.unified_cgroup_hierarchy=1 to get per-VM CPU "
                            "and memory limits; VMs run without them");
    }
}

static void check_tool(vr_checklist *l, const char *id, const char *title, const char *version,
                       vr_check_status missing, const char *pkg, const char *why)
{
    vr_check *k = add(l, id, title, version ? VR_CHECK_PASS : missing);
    if (version) {
        k->detail = vr_strdup(version);
    } else {
        k->detail = vr_asprintf("not found on PATH; %s", why);
        k->hint = vr_asprintf("apt-get install %s (or: make deps)", pkg);
    }
}

static void check_resources(const vr_host_facts *f, vr_checklist *l)
{
    vr_check *m = add(l, "host.memory", "Host memory (course: 8 GB)", VR_CHECK_PASS);
    double gib = (double)f->mem_bytes / (double)GiB;
    m->detail = vr_asprintf("%.1f GiB: room for about %d guests without a desktop (512 MiB), "
                            "%d with one (2 GiB)", gib, (int)(gib * 2) > 0 ? (int)(gib * 2) - 1 : 0,
                            (int)(gib / 2) > 0 ? (int)(gib / 2) - 1 : 0);
    if (f->mem_bytes < REC_MEM) {
        m->status = VR_CHECK_WARN;
        m->hint = vr_strdup("8 GB is recommended for a lab host; give guests 512 MB without a "
                            "desktop, 1-2 GB with one, 2 GB for Windows");
    }
    vr_check *c = add(l, "host.cores", "Host CPU cores (course: 4)", VR_CHECK_PASS);
    c->detail = vr_asprintf("%d", f->cores);
    if (f->cores < REC_CORES) {
        c->status = VR_CHECK_WARN;
        c->hint = vr_strdup("4 cores are recommended; give each guest no more vCPUs than cores");
    }
    vr_check *d = add(l, "host.disk", "Free disk for images (course: 100 GB)", VR_CHECK_PASS);
    d->detail = vr_asprintf("%.0f GB free at %s", (double)f->disk_free / 1e9,
                            f->disk_path ? f->disk_path : "?");
    if (f->disk_free < REC_DISK) {
        d->status = VR_CHECK_WARN;
        d->hint = vr_strdup("100 GB is recommended for ISOs and disk images; qcow2 disks only "
                            "use what the guest writes");
    }
}

void vr_host_validate(const vr_host_facts *f, vr_checklist *out)
{
    *out = (vr_checklist){0};
    check_cpu(f, out);
    check_kvm(f, out);
    check_kernel(f, out);
    check_tool(out, "tool.qemu", "QEMU (qemu-system-x86_64)", f->qemu, VR_CHECK_FAIL,
               "qemu-system-x86", "no VM can run");
    check_tool(out, "tool.qemu-img", "qemu-img", f->qemu_img, VR_CHECK_FAIL, "qemu-utils",
               "disk images cannot be made");
    check_tool(out, "tool.dnsmasq", "dnsmasq (DHCP and DNS for networks)", f->dnsmasq,
               VR_CHECK_WARN, "dnsmasq-base", "virtual networks get no DHCP");
    check_resources(f, out);
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
    f->bridge = vr_bridge_probe(&f->bridge_why);
    f->cgroup_version = vr_cgroup_controllers(&f->cgroup_controllers);
    f->qemu = vr_tool_version("qemu-system-x86_64");
    f->qemu_img = vr_tool_version("qemu-img");
    f->dnsmasq = vr_tool_version("dnsmasq");
    char *meminfo = vr_file_read("/proc/meminfo", NULL);
    f->mem_bytes = vr_meminfo_total(meminfo);
    free(meminfo);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    f->cores = n > 0 ? (int)n : f->cpu.processors;
    if (vr_disk_free(state_dir, &f->disk_free, &f->disk_path) < 0)
        f->disk_free = 0;
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
}
