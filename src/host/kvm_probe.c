#include "host/kvm_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* 100000 iterations: ~0.1 ms on hardware, ~150 ms on the slow case. */
#define PROBE_ITERATIONS 100000u
#define GUEST_MEM 0x10000
#define CODE_AT 0x1000

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void fail(vr_kvm_probe *out, vr_kvm_probe_status st, const char *step)
{
    out->status = st;
    out->err = errno;
    out->step = step;
}

/* A setup step of the probe: false when it went well (`ok`), else true
 * with the probe failed at `step` (errno its reason). */
static bool step_failed(vr_kvm_probe *out, bool ok, const char *step)
{
    if (!ok)
        fail(out, VR_KVM_SETUP_FAILED, step);
    return !ok;
}

void vr_kvm_probe_run(const char *dev, vr_kvm_probe *out)
{
    memset(out, 0, sizeof(*out));
    int kvm = -1, vm = -1, cpu = -1;
    void *mem = MAP_FAILED;
    struct kvm_run *run = MAP_FAILED;
    int run_size = 0;

    kvm = open(dev, O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        fail(out, errno == ENOENT ? VR_KVM_ABSENT : VR_KVM_NO_ACCESS, "open");
        return;
    }
    out->api_version = ioctl(kvm, KVM_GET_API_VERSION, 0);
    if (out->api_version != KVM_API_VERSION) {
        fail(out, VR_KVM_BAD_API, "KVM_GET_API_VERSION");
        goto done;
    }
    if (step_failed(out, (vm = ioctl(kvm, KVM_CREATE_VM, 0)) >= 0, "KVM_CREATE_VM") ||
        step_failed(out,
                    (mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) !=
                        MAP_FAILED,
                    "mmap"))
        goto done;
    /* Real mode:  mov ecx, N ; again: dec ecx ; jnz again ; hlt */
    uint8_t code[] = {0x66, 0xb9, 0, 0, 0, 0, 0x66, 0x49, 0x75, 0xfc, 0xf4};
    uint32_t n = PROBE_ITERATIONS;
    memcpy(code + 2, &n, sizeof(n));
    memcpy((uint8_t *)mem + CODE_AT, code, sizeof(code));
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
        .userspace_addr = (uint64_t)(uintptr_t)mem,
    };
    struct kvm_sregs sregs;
    if (step_failed(out, ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) >= 0, "KVM_SET_USER_MEMORY_REGION") ||
        step_failed(out, (cpu = ioctl(vm, KVM_CREATE_VCPU, 0)) >= 0, "KVM_CREATE_VCPU") ||
        step_failed(out, (run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) > 0, "KVM_GET_VCPU_MMAP_SIZE") ||
        step_failed(out, (run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0)) != MAP_FAILED,
                    "mmap vcpu") ||
        step_failed(out, ioctl(cpu, KVM_GET_SREGS, &sregs) >= 0, "KVM_GET_SREGS"))
        goto done;
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    struct kvm_regs regs = {.rip = CODE_AT, .rflags = 0x2};
    if (step_failed(out, ioctl(cpu, KVM_SET_SREGS, &sregs) >= 0, "KVM_SET_SREGS") ||
        step_failed(out, ioctl(cpu, KVM_SET_REGS, &regs) >= 0, "KVM_SET_REGS"))
        goto done;
    double t0 = now_ms();
    int rc = ioctl(cpu, KVM_RUN, 0);
    out->elapsed_ms = now_ms() - t0;
    if (rc < 0) {
        fail(out, VR_KVM_RUN_FAILED, "KVM_RUN");
        goto done;
    }
    out->exit_reason = (int)run->exit_reason;
    if (run->exit_reason != KVM_EXIT_HLT) {
        out->status = VR_KVM_RUN_FAILED;
        out->step = "KVM_RUN exit";
        goto done;
    }
    out->iterations = PROBE_ITERATIONS;
    out->status = VR_KVM_RAN;
done:
    if (run != MAP_FAILED)
        munmap(run, (size_t)run_size);
    if (mem != MAP_FAILED)
        munmap(mem, GUEST_MEM);
    if (cpu >= 0)
        close(cpu);
    if (vm >= 0)
        close(vm);
    close(kvm);
}

bool vr_kvm_probe_fast(const vr_kvm_probe *p)
{
    if (p->status != VR_KVM_RAN || p->iterations == 0)
        return false;
    double secs = p->elapsed_ms / 1e3;
    if (secs <= 0)
        return true; /* too fast to measure is fast */
    return (double)p->iterations / secs >= VR_KVM_MIN_ITER_PER_SEC;
}
