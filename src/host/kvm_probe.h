/* A timed probe of /dev/kvm: does it run guest code at hardware speed?
 *
 * /dev/kvm being present is not enough. Some hosts (e.g. a paravirtual
 * KVM such as PVM inside a cloud VM) expose /dev/kvm without VT-x/AMD-V:
 * a real-mode loop there runs about a thousand times slower than on
 * hardware, and QEMU stops on instructions it cannot handle. So we run a
 * short counted loop in a one-vCPU VM and time it. */
#pragma once
#include <stdbool.h>

typedef enum {
    VR_KVM_ABSENT,       /* no device node */
    VR_KVM_NO_ACCESS,    /* open() refused (permissions) */
    VR_KVM_BAD_API,      /* KVM_GET_API_VERSION is not 12 */
    VR_KVM_SETUP_FAILED, /* VM/vCPU/memory set-up ioctl failed */
    VR_KVM_RUN_FAILED,   /* KVM_RUN failed or exited for another reason */
    VR_KVM_RAN,          /* the loop ran to its HLT; see elapsed_ms */
} vr_kvm_probe_status;

typedef struct {
    vr_kvm_probe_status status;
    int api_version;
    int err;                  /* errno of the failing step */
    const char *step;         /* which step failed, for messages */
    int exit_reason;          /* KVM_EXIT_* seen by KVM_RUN */
    unsigned long iterations; /* loop iterations the guest ran */
    double elapsed_ms;        /* wall time of KVM_RUN */
} vr_kvm_probe;

/* Loop iterations per second below which KVM is not "hardware speed".
 * Real VT-x/AMD-V runs the two-instruction loop at 10^8..10^9 per second;
 * the paravirtual case measured here runs it at about 7*10^5. */
#define VR_KVM_MIN_ITER_PER_SEC 2.0e7

void vr_kvm_probe_run(const char *dev, vr_kvm_probe *out);

/* Is this probe result a KVM that runs guests at hardware speed? */
bool vr_kvm_probe_fast(const vr_kvm_probe *p);
