/* Domain capabilities XML (domain_caps.h): QEMU's own lists, asked once
 * per daemon, filtered through what Vireo's XML subset honours. */
#include "core/domain_caps.h"
#include "drivers/qemu/qemu_firmware.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "core/host_info.h"
#include "host/resources.h"
#include "host/vfio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `-cpu help` of QEMU 7.2 is about 12 KiB, `-device help` about 20 KiB. */
#define HELP_MAX (256u * 1024)
/* Where QEMU's packages install their firmware descriptors (QEMU's
 * docs/interop/firmware.json). */
#define MAX_LOADERS 16

/* One QEMU answer, read once: QEMU does not change under the daemon. */
typedef struct {
    bool probed;
    char *text; /* NULL when QEMU could not be asked */
} probe;

static const char *probe_text(probe *p, const char *binary, const char *option)
{
    if (!p->probed) {
        p->probed = true;
        char *argv[] = {(char *)binary, (char *)option, "help", NULL}, *out = NULL;
        if (vr_tool_run(argv, HELP_MAX, &out) == 0)
            p->text = out;
        else
            free(out);
    }
    return p->text;
}

/* Does `-device help` list the device model? Lines read
 * `name "virtio-rng-pci", bus PCI, ...`. */
static bool has_device(const char *binary, const char *model)
{
    static probe devices;
    const char *text = probe_text(&devices, binary, "-device");
    char *needle = vr_asprintf("name \"%s\"", model);
    bool found = text && strstr(text, needle);
    free(needle);
    return found;
}

/* QEMU's named CPU models (`x86 Broadwell-v1  Intel Core ...`), not the
 * host/max/base pseudo models, which the modes above name. */
char **vr_domain_caps_cpu_models(const char *binary, size_t *n)
{
    static probe cpus;
    const char *text = probe_text(&cpus, binary ? binary : VR_HOST_QEMU, "-cpu");
    char **models = NULL;
    *n = 0;
    for (const char *line = text ? text : ""; *line; line += strcspn(line, "\n"), line += *line == '\n') {
        char arch[16], model[128];
        if (sscanf(line, "%15s %127s", arch, model) != 2 || strcmp(arch, "x86") != 0 ||
            strcmp(model, "host") == 0 || strcmp(model, "max") == 0 || strcmp(model, "base") == 0)
            continue;
        models = vr_realloc(models, (*n + 1) * sizeof(*models));
        models[(*n)++] = vr_strdup(model);
    }
    return models;
}

static void cpu_models(vr_strbuf *b, const char *binary)
{
    size_t n;
    char **models = vr_domain_caps_cpu_models(binary, &n);
    for (size_t i = 0; i < n; i++) {
        vr_strbuf_addf(b, "      <model usable='unknown' vendor='unknown'>%s</model>\n", models[i]);
        free(models[i]);
    }
    free(models);
}

/* The UEFI firmware images the installed descriptors name (OVMF's CODE
 * files), with whether any of them is for Secure Boot: read by the QEMU
 * driver's descriptor parser, the one a start picks from. */
static size_t firmware_loaders(char *loaders[MAX_LOADERS], bool *secure)
{
    *secure = false;
    vr_qemu_firmware_list l;
    vr_qemu_firmware_load(NULL, &l);
    size_t n = 0;
    for (size_t i = 0; i < l.n && n < MAX_LOADERS; i++) {
        const vr_qemu_firmware *fw = &l.fw[i];
        if (!fw->uefi || !fw->executable)
            continue;
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(loaders[k], fw->executable) == 0;
        if (!dup)
            loaders[n++] = vr_strdup(fw->executable);
        *secure |= fw->secure_boot;
    }
    vr_qemu_firmware_list_free(&l);
    return n;
}

static void enum_values(vr_strbuf *b, const char *indent, const char *name, const char *const *values, size_t n)
{
    vr_strbuf_addf(b, "%s<enum name='%s'>\n", indent, name);
    for (size_t i = 0; i < n; i++)
        if (values[i])
            vr_strbuf_addf(b, "%s  <value>%s</value>\n", indent, values[i]);
    vr_strbuf_addf(b, "%s</enum>\n", indent);
}
#define ENUM(b, indent, name, ...)                                                                                     \
    do {                                                                                                               \
        const char *const vals_[] = {__VA_ARGS__};                                                                     \
        enum_values((b), (indent), (name), vals_, VR_ARRAY_LEN(vals_));                                                \
    } while (0)

/* A value when QEMU has the device that carries it, else left out. */
static const char *if_device(const char *binary, const char *model, const char *value)
{
    return has_device(binary, model) ? value : NULL;
}

static void os_section(vr_strbuf *b)
{
    char *loaders[MAX_LOADERS];
    bool secure;
    size_t n = firmware_loaders(loaders, &secure);
    vr_strbuf_add(b, "  <os supported='yes'>\n");
    ENUM(b, "    ", "firmware", "bios", n ? "efi" : NULL);
    vr_strbuf_add(b, "    <loader supported='yes'>\n");
    for (size_t i = 0; i < n; i++) {
        vr_strbuf_addf(b, "      <value>%s</value>\n", loaders[i]);
        free(loaders[i]);
    }
    ENUM(b, "      ", "type", "rom", "pflash");
    ENUM(b, "      ", "readonly", "yes", "no");
    /* A loader with secure='yes' is refused at start (docs/xml-domain.md)
     * even where a Secure Boot build is installed. */
    ENUM(b, "      ", "secure", "no");
    (void)secure;
    vr_strbuf_add(b, "    </loader>\n  </os>\n");
}

static void cpu_section(vr_strbuf *b, const char *binary, bool kvm)
{
    vr_strbuf_add(b, "  <cpu>\n");
    /* Under TCG host-passthrough runs as `-cpu max` (there is no host CPU
     * to pass through), with a notice at start: still honoured. */
    vr_strbuf_add(b, "    <mode name='host-passthrough' supported='yes'>\n");
    ENUM(b, "      ", "hostPassthroughMigratable", "off");
    vr_strbuf_add(b, "    </mode>\n    <mode name='maximum' supported='yes'>\n");
    ENUM(b, "      ", "maximumMigratable", "off");
    vr_strbuf_add(b, "    </mode>\n");
    /* host-model is -cpu host under KVM and -cpu max under TCG; no
     * model is computed from the host's CPUID, so none is claimed. */
    vr_strbuf_addf(b, "    <mode name='host-model' supported='%s'/>\n", kvm ? "yes" : "no");
    vr_strbuf_add(b, "    <mode name='custom' supported='yes'>\n");
    cpu_models(b, binary);
    vr_strbuf_add(b, "    </mode>\n  </cpu>\n");
}

static void devices_section(vr_strbuf *b, const char *binary)
{
    const char *d = "      ";
    vr_strbuf_add(b, "  <devices>\n    <disk supported='yes'>\n");
    ENUM(b, d, "diskDevice", "disk", "cdrom");
    ENUM(b, d, "bus", "ide", if_device(binary, "virtio-scsi-pci", "scsi"), "virtio", "sata");
    ENUM(b, d, "model", "virtio");
    vr_strbuf_add(b, "    </disk>\n    <graphics supported='yes'>\n");
    ENUM(b, d, "type", "vnc", if_device(binary, "qxl-vga", "spice"));
    vr_strbuf_add(b, "    </graphics>\n    <video supported='yes'>\n");
    ENUM(b, d, "modelType", if_device(binary, "VGA", "vga"), if_device(binary, "cirrus-vga", "cirrus"),
         if_device(binary, "qxl-vga", "qxl"), if_device(binary, "virtio-vga", "virtio"),
         if_device(binary, "bochs-display", "bochs"), if_device(binary, "ramfb", "ramfb"), "none");
    /* Host devices: USB ones through QEMU's usb-host; PCI ones through
     * vfio-pci only where the host has an IOMMU (elsewhere a start is
     * refused with that reason: not offered, so no wizard picks them). */
    vr_strbuf_add(b, "    </video>\n");
    bool usb = has_device(binary, "usb-host");
    bool pci = has_device(binary, "vfio-pci") && !vr_vfio_no_iommu(VR_SYSFS);
    if (usb || pci) {
        vr_strbuf_add(b, "    <hostdev supported='yes'>\n");
        ENUM(b, d, "mode", "subsystem");
        vr_strbuf_add(b, "      <enum name='startupPolicy'/>\n");
        ENUM(b, d, "subsysType", usb ? "usb" : NULL, pci ? "pci" : NULL);
        vr_strbuf_add(b, "      <enum name='capsType'/>\n");
        ENUM(b, d, "pciBackend", pci ? "vfio" : NULL);
        vr_strbuf_add(b, "    </hostdev>\n");
    } else {
        vr_strbuf_add(b, "    <hostdev supported='no'/>\n");
    }
    bool rng = has_device(binary, "virtio-rng-pci");
    vr_strbuf_addf(b, "    <rng supported='%s'>\n", rng ? "yes" : "no");
    if (rng) {
        ENUM(b, d, "model", "virtio");
        ENUM(b, d, "backendModel", "random", "builtin");
    }
    vr_strbuf_add(b, "    </rng>\n    <filesystem supported='no'/>\n    <tpm supported='no'/>\n");
    bool redir = has_device(binary, "usb-redir");
    vr_strbuf_addf(b, "    <redirdev supported='%s'>\n", redir ? "yes" : "no");
    if (redir)
        ENUM(b, d, "bus", "usb");
    vr_strbuf_add(b, "    </redirdev>\n    <channel supported='yes'>\n");
    ENUM(b, d, "type", "unix", if_device(binary, "qxl-vga", "spicevmc"));
    vr_strbuf_add(b, "    </channel>\n  </devices>\n");
}

static void features_section(vr_strbuf *b)
{
    /* None of these is mapped to QEMU by Vireo. */
    vr_strbuf_add(b, "  <features>\n    <gic supported='no'/>\n    <vmcoreinfo supported='no'/>\n"
                     "    <genid supported='no'/>\n    <backingStoreInput supported='yes'/>\n"
                     "    <backup supported='no'/>\n    <sev supported='no'/>\n    <sgx supported='no'/>\n"
                     "    <hyperv supported='no'/>\n  </features>\n");
}

/* The machine asked for (an alias resolves to its canonical type), or
 * QEMU's default; NULL when unknown. */
static const char *pick_machine(const char *binary, const char *want)
{
    size_t n;
    const vr_host_machine *m = vr_host_machines(binary, &n);
    bool any = !want || !*want;
    for (size_t i = 0; i < n; i++)
        if (any ? m[i].is_default : strcmp(m[i].name, want) == 0)
            return m[i].canonical ? m[i].canonical : m[i].name;
    return NULL;
}

vr_err vr_domain_caps_xml(vr_qemu_driver *qemu, const char *emulator, const char *arch, const char *machine,
                          const char *virttype, char **xml, char **err)
{
    *xml = NULL;
    char *binary = vr_which(VR_HOST_QEMU);
    if (!binary) {
        vr_set_error(err, "%s is not installed (apt-get install qemu-system-x86)", VR_HOST_QEMU);
        return VR_ERR_FAILED;
    }
    vr_err code = VR_OK;
    bool kvm = vr_qemu_kvm_usable(qemu);
    const char *mach = NULL;
    if (emulator && *emulator && strcmp(emulator, binary) != 0) {
        vr_set_error(err, "emulator '%s' is not served here; vireod runs %s", emulator, binary);
        code = VR_ERR_INVALID;
    } else if (arch && *arch && strcmp(arch, "x86_64") != 0) {
        vr_set_error(err, "architecture '%s' is not served here; vireod runs x86_64 guests", arch);
        code = VR_ERR_UNSUPPORTED;
    } else if (virttype && *virttype && strcmp(virttype, "qemu") != 0 && strcmp(virttype, "kvm") != 0) {
        vr_set_error(err, "virtualization type '%s' is not served here (use qemu%s)", virttype, kvm ? " or kvm" : "");
        code = VR_ERR_UNSUPPORTED;
    } else if (virttype && strcmp(virttype, "kvm") == 0 && !kvm) {
        vr_set_error(err, "KVM is not usable on this host (see vireo host-validate); ask for virttype qemu");
        code = VR_ERR_UNSUPPORTED;
    } else if (!(mach = pick_machine(binary, machine))) {
        vr_set_error(err, "machine '%s' is not one %s offers (see virsh capabilities)", machine ? machine : "",
                     binary);
        code = VR_ERR_INVALID;
    }
    if (code != VR_OK) {
        free(binary);
        return code;
    }
    const char *type = virttype && *virttype ? virttype : kvm ? "kvm" : "qemu";
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "<domainCapabilities>\n  <path>%s</path>\n  <domain>%s</domain>\n  <machine>%s</machine>\n"
                       "  <arch>x86_64</arch>\n  <vcpu max='%d'/>\n  <iothreads supported='yes'/>\n",
                   binary, type, mach, VR_HOST_MAX_VCPUS);
    os_section(&b);
    cpu_section(&b, binary, strcmp(type, "kvm") == 0);
    vr_strbuf_add(&b, "  <memoryBacking supported='no'/>\n");
    devices_section(&b, binary);
    features_section(&b);
    vr_strbuf_add(&b, "</domainCapabilities>\n");
    free(binary);
    *xml = vr_strbuf_take(&b);
    return VR_OK;
}
