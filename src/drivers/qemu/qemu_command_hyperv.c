/* <features><hyperv> and <timer name='hypervclock'> on QEMU's -cpu as
 * hv-* properties, libvirt's mapping (libvirt 9's newer ones too:
 * hv-emsr-bitmap, hv-xmm-input, hv-tlbflush-direct/-ext). Under TCG
 * QEMU 7.2 takes every one but hv-vpindex ("kernel doesn't allow setting HyperV VP_INDEX")
 * and hv-passthrough (the host's set, which only KVM has): those two are
 * left out, and the start says so in one notice (qemu_accel.c). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>

/* QEMU's property per vr_hyperv_feature. */
static const char *const props[VR_HV_COUNT] = {
    [VR_HV_RELAXED] = "hv-relaxed",     [VR_HV_VAPIC] = "hv-vapic",
    [VR_HV_SPINLOCKS] = "hv-spinlocks", [VR_HV_VPINDEX] = "hv-vpindex",
    [VR_HV_RUNTIME] = "hv-runtime",     [VR_HV_SYNIC] = "hv-synic",
    [VR_HV_STIMER] = "hv-stimer",       [VR_HV_RESET] = "hv-reset",
    [VR_HV_VENDOR_ID] = "hv-vendor-id", [VR_HV_FREQUENCIES] = "hv-frequencies",
    [VR_HV_REENLIGHTENMENT] = "hv-reenlightenment",
    [VR_HV_TLBFLUSH] = "hv-tlbflush",   [VR_HV_IPI] = "hv-ipi",
    [VR_HV_EVMCS] = "hv-evmcs",         [VR_HV_AVIC] = "hv-avic",
    [VR_HV_EMSR_BITMAP] = "hv-emsr-bitmap", [VR_HV_XMM_INPUT] = "hv-xmm-input",
};

/* A sub-feature's property (hv-stimer-direct, hv-tlbflush-direct,
 * hv-tlbflush-ext), when given. */
static void sub_prop(vr_qprops *cpu, const char *prop, vr_tristate t)
{
    if (t)
        vr_qp_bool(cpu, prop, t == VR_TRISTATE_ON);
}

static bool kvm_only(int f)
{
    return f == VR_HV_VPINDEX;
}

char *vr_qemu_hyperv_left_out(const vr_domain_def *def, bool kvm)
{
    const vr_hyperv_def *hv = &def->features.hyperv;
    if (kvm || !hv->present)
        return NULL;
    vr_strbuf b = {0};
    if (hv->passthrough)
        vr_strbuf_add(&b, "mode='passthrough'");
    for (int f = 0; f < VR_HV_COUNT; f++)
        if (kvm_only(f) && hv->state[f] == VR_TRISTATE_ON)
            vr_strbuf_addf(&b, "%s<%s>", b.len ? ", " : "", vr_hyperv_feature_names[f]);
    return vr_strbuf_take(&b);
}

void vr_qc_hyperv(cmd *c, vr_qprops *cpu)
{
    const vr_hyperv_def *hv = &c->def->features.hyperv;
    bool clock = c->def->clock.hypervclock != VR_TRISTATE_DEFAULT;
    if (!hv->present && !clock)
        return;
    /* No <cpu>: QEMU's default model, named so properties can follow. */
    if (!vr_qp_has_head(cpu))
        vr_qp_head(cpu, "model", "qemu64");
    if (clock)
        vr_qp_bool(cpu, "hv-time", c->def->clock.hypervclock == VR_TRISTATE_ON);
    if (!hv->present)
        return;
    if (hv->passthrough && c->kvm)
        vr_qp_bool(cpu, "hv-passthrough", true);
    for (int f = 0; f < VR_HV_COUNT; f++) {
        bool on = hv->state[f] == VR_TRISTATE_ON;
        if (!hv->state[f] || (!c->kvm && kvm_only(f)))
            continue;
        /* These two take a value; off is QEMU's default for both. */
        if (f == VR_HV_SPINLOCKS || f == VR_HV_VENDOR_ID) {
            if (f == VR_HV_SPINLOCKS && on)
                vr_qp_strf(cpu, "hv-spinlocks", "0x%x", hv->spinlock_retries);
            else if (on)
                vr_qp_str(cpu, "hv-vendor-id", hv->vendor_id);
        } else {
            vr_qp_bool(cpu, props[f], on);
        }
        if (f == VR_HV_STIMER)
            sub_prop(cpu, "hv-stimer-direct", hv->stimer_direct);
        if (f == VR_HV_TLBFLUSH) {
            sub_prop(cpu, "hv-tlbflush-direct", hv->tlbflush_direct);
            sub_prop(cpu, "hv-tlbflush-ext", hv->tlbflush_extended);
        }
    }
}
