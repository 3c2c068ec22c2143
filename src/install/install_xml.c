/* The domain XML of an install plan, in the shape virt-install writes:
 * the install phase boots the install media once (on_reboot destroy,
 * so the installer's final reboot ends the run), the final definition
 * boots the disk. Only elements of Vireo's XML subset are written
 * (docs/xml-domain.md); everything a define completes (uuid, MACs, PCI
 * addresses, controllers) is left to the daemon. */
#include "install/install_plan.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

char *vr_xml_escape(const char *s)
{
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "");
    for (; s && *s; s++) {
        switch (*s) {
        case '&': vr_strbuf_add(&b, "&amp;"); break;
        case '<': vr_strbuf_add(&b, "&lt;"); break;
        case '>': vr_strbuf_add(&b, "&gt;"); break;
        case '\'': vr_strbuf_add(&b, "&apos;"); break;
        case '"': vr_strbuf_add(&b, "&quot;"); break;
        default: vr_strbuf_addn(&b, s, 1);
        }
    }
    return vr_strbuf_take(&b);
}

bool vr_install_two_phase(const vr_install_plan *p)
{
    return p->source == VR_SRC_CDROM || p->source == VR_SRC_LOCATION || p->source == VR_SRC_PXE;
}

bool vr_install_is_q35(const char *machine)
{
    return strcmp(machine, "q35") == 0 || vr_str_starts(machine, "pc-q35");
}

const char *vr_install_cdrom_bus(const char *machine)
{
    return vr_install_is_q35(machine) ? "sata" : "ide";
}

const char *vr_install_disk_bus(const vr_osinfo *os, const char *machine)
{
    if (os->virtio || os->family == VR_OS_LINUX)
        return "virtio";
    return vr_install_cdrom_bus(machine);
}

const char *vr_install_nic_model(const vr_osinfo *os, const char *machine)
{
    if (os->virtio)
        return "virtio";
    return os->family == VR_OS_WINDOWS && vr_install_is_q35(machine) ? "e1000e" : "e1000";
}

int vr_install_platform(vr_install_plan *p, char **err)
{
    const vr_osinfo *os = p->os;
    bool windows = os->family == VR_OS_WINDOWS;
    p->uefi |= os->uefi;
    /* A Windows that boots UEFI by default is Windows 11: its setup
     * checks for Secure Boot and a TPM 2.0. */
    p->secure_boot = p->tpm = windows && os->uefi;
    p->hyperv = windows;
    if (p->secure_boot && !vr_install_is_q35(p->machine)) {
        *err = vr_asprintf("%s needs Secure Boot, which needs SMM, which machine '%s' does not have; "
                           "use --machine q35", os->name, p->machine);
        return -1;
    }
    return 0;
}

int vr_install_assign_targets(vr_install_plan *p, char **err)
{
    unsigned nvd = 0, nsd = 0, nhd = 0;
    for (size_t i = 0; i < p->n_disks; i++) {
        vr_idisk *d = &p->disks[i];
        unsigned *cnt = strcmp(d->bus, "virtio") == 0 ? &nvd : strcmp(d->bus, "ide") == 0 ? &nhd : &nsd;
        const char *prefix = cnt == &nvd ? "vd" : cnt == &nhd ? "hd" : "sd";
        if (*cnt >= 26 || (cnt == &nhd && *cnt >= 4)) {
            *err = vr_asprintf("too many disks on bus %s", d->bus);
            return -1;
        }
        free(d->target);
        d->target = vr_asprintf("%s%c", prefix, 'a' + (*cnt)++);
    }
    return 0;
}

vr_idisk *vr_install_add_disk(vr_install_plan *p)
{
    p->disks = vr_realloc(p->disks, (p->n_disks + 1) * sizeof(*p->disks));
    vr_idisk *d = &p->disks[p->n_disks++];
    *d = (vr_idisk){0};
    return d;
}

static void free_idisk(vr_idisk *d)
{
    free(d->pool);
    free(d->volume);
    free(d->path);
    free(d->format);
    free(d->backing);
    free(d->copy_from);
    free(d->copy_format);
    free(d->bus);
    free(d->target);
    free(d->cache);
    free(d->discard);
}

void vr_install_plan_clear(vr_install_plan *p)
{
    for (size_t i = 0; i < p->n_disks; i++)
        free_idisk(&p->disks[i]);
    free(p->disks);
    for (size_t i = 0; i < p->n_nics; i++) {
        free(p->nics[i].type);
        free(p->nics[i].source);
        free(p->nics[i].model);
        free(p->nics[i].mac);
    }
    free(p->nics);
    free(p->virt_type);
    free(p->machine);
    free(p->cpu_mode);
    free(p->kernel);
    free(p->initrd);
    free(p->cmdline);
    free(p->loader);
    free(p->nvram);
    free(p->nvram_template);
    free(p->vnc_listen);
}

/* Append s escaped. */
static void add_esc(vr_strbuf *b, const char *s)
{
    char *e = vr_xml_escape(s);
    vr_strbuf_add(b, e);
    free(e);
}

static void disk_xml(vr_strbuf *b, const vr_idisk *d, bool install_phase)
{
    if (d->install_only && !install_phase)
        return;
    bool empty = d->empty_after && !install_phase;
    const char *type = d->type == VR_IDISK_VOLUME ? "volume" : d->type == VR_IDISK_BLOCK ? "block" : "file";
    if (empty)
        type = "file";
    vr_strbuf_addf(b, "    <disk type='%s' device='%s'>\n", type, d->cdrom ? "cdrom" : "disk");
    if (!empty) {
        vr_strbuf_addf(b, "      <driver name='qemu' type='%s'", d->format ? d->format : "raw");
        if (d->cache)
            vr_strbuf_addf(b, " cache='%s'", d->cache);
        if (d->discard)
            vr_strbuf_addf(b, " discard='%s'", d->discard);
        vr_strbuf_add(b, "/>\n");
        if (d->type == VR_IDISK_VOLUME) {
            vr_strbuf_add(b, "      <source pool='");
            add_esc(b, d->pool);
            vr_strbuf_add(b, "' volume='");
            add_esc(b, d->volume);
            vr_strbuf_add(b, "'/>\n");
        } else {
            vr_strbuf_addf(b, "      <source %s='", d->type == VR_IDISK_BLOCK ? "dev" : "file");
            add_esc(b, d->path);
            vr_strbuf_add(b, "'/>\n");
        }
    }
    vr_strbuf_addf(b, "      <target dev='%s' bus='%s'/>\n", d->target, d->bus);
    if (d->readonly || d->cdrom)
        vr_strbuf_add(b, "      <readonly/>\n");
    vr_strbuf_add(b, "    </disk>\n");
}

static void nic_xml(vr_strbuf *b, const vr_inic *n)
{
    vr_strbuf_addf(b, "    <interface type='%s'>\n", n->type);
    if (strcmp(n->type, "network") == 0 || strcmp(n->type, "bridge") == 0) {
        vr_strbuf_addf(b, "      <source %s='", n->type);
        add_esc(b, n->source);
        vr_strbuf_add(b, "'/>\n");
    }
    if (n->mac)
        vr_strbuf_addf(b, "      <mac address='%s'/>\n", n->mac);
    vr_strbuf_addf(b, "      <model type='%s'/>\n", n->model);
    vr_strbuf_add(b, "    </interface>\n");
}

char *vr_install_xml(const vr_install_plan *p, bool install_phase)
{
    if (!vr_install_two_phase(p))
        install_phase = false;
    const vr_osinfo *os = p->os;
    bool windows = os->family == VR_OS_WINDOWS;
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "<domain type='%s'>\n  <name>%s</name>\n", p->virt_type, p->name);
    if (p->uuid)
        vr_strbuf_addf(&b, "  <uuid>%s</uuid>\n", p->uuid);
    if (p->title) {
        vr_strbuf_add(&b, "  <title>");
        add_esc(&b, p->title);
        vr_strbuf_add(&b, "</title>\n");
    }
    if (os->osinfo)
        vr_strbuf_addf(&b, "  <metadata>\n"
                           "    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n"
                           "      <libosinfo:os id='%s'/>\n"
                           "    </libosinfo:libosinfo>\n"
                           "  </metadata>\n", os->osinfo);
    vr_strbuf_addf(&b, "  <memory unit='MiB'>%llu</memory>\n  <currentMemory unit='MiB'>%llu</currentMemory>\n",
                   p->mem_mib, p->mem_mib);
    vr_strbuf_addf(&b, "  <vcpu>%u</vcpu>\n", p->vcpus);

    vr_strbuf_addf(&b, "  <os%s>\n    <type arch='x86_64' machine='%s'>hvm</type>\n",
                   p->uefi && !p->loader ? " firmware='efi'" : "", p->machine);
    if (p->uefi && !p->loader && p->secure_boot)
        vr_strbuf_add(&b, "    <firmware>\n      <feature enabled='yes' name='enrolled-keys'/>\n"
                          "      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n");
    if (p->loader) {
        vr_strbuf_add(&b, "    <loader readonly='yes' type='pflash'>");
        add_esc(&b, p->loader);
        vr_strbuf_add(&b, "</loader>\n");
        if (p->nvram) {
            vr_strbuf_add(&b, "    <nvram");
            if (p->nvram_template) {
                vr_strbuf_add(&b, " template='");
                add_esc(&b, p->nvram_template);
                vr_strbuf_add(&b, "'");
            }
            vr_strbuf_add(&b, ">");
            add_esc(&b, p->nvram);
            vr_strbuf_add(&b, "</nvram>\n");
        }
    }
    bool kernel = p->source == VR_SRC_KERNEL || (p->source == VR_SRC_LOCATION && install_phase);
    if (kernel) {
        vr_strbuf_add(&b, "    <kernel>");
        add_esc(&b, p->kernel);
        vr_strbuf_add(&b, "</kernel>\n");
        if (p->initrd) {
            vr_strbuf_add(&b, "    <initrd>");
            add_esc(&b, p->initrd);
            vr_strbuf_add(&b, "</initrd>\n");
        }
        if (p->cmdline && *p->cmdline) {
            vr_strbuf_add(&b, "    <cmdline>");
            add_esc(&b, p->cmdline);
            vr_strbuf_add(&b, "</cmdline>\n");
        }
    }
    if (install_phase && p->source == VR_SRC_CDROM) {
        vr_strbuf_add(&b, "    <boot dev='cdrom'/>\n    <boot dev='hd'/>\n");
    } else if (install_phase && p->source == VR_SRC_PXE) {
        vr_strbuf_add(&b, "    <boot dev='network'/>\n    <boot dev='hd'/>\n");
    } else if (!kernel) {
        if (p->boot_devs[0]) {
            for (size_t i = 0; i < 3 && p->boot_devs[i]; i++)
                vr_strbuf_addf(&b, "    <boot dev='%s'/>\n", p->boot_devs[i]);
        } else {
            vr_strbuf_add(&b, "    <boot dev='hd'/>\n");
        }
    }
    vr_strbuf_add(&b, "  </os>\n  <features>\n    <acpi/>\n    <apic/>\n");
    if (p->hyperv)
        vr_strbuf_add(&b, "    <hyperv>\n      <relaxed state='on'/>\n      <vapic state='on'/>\n"
                          "      <spinlocks state='on' retries='8191'/>\n    </hyperv>\n");
    vr_strbuf_add(&b, "  </features>\n");
    if (p->cpu_mode)
        vr_strbuf_addf(&b, "  <cpu mode='%s'/>\n", p->cpu_mode);
    vr_strbuf_addf(&b, "  <clock offset='%s'>\n"
                       "    <timer name='rtc' tickpolicy='catchup'/>\n"
                       "    <timer name='pit' tickpolicy='delay'/>\n"
                       "    <timer name='hpet' present='no'/>\n%s"
                       "  </clock>\n", windows ? "localtime" : "utc",
                   p->hyperv ? "    <timer name='hypervclock' present='yes'/>\n" : "");
    vr_strbuf_addf(&b, "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>%s</on_reboot>\n"
                       "  <on_crash>destroy</on_crash>\n", install_phase ? "destroy" : "restart");
    vr_strbuf_add(&b, "  <pm>\n    <suspend-to-mem enabled='no'/>\n    <suspend-to-disk enabled='no'/>\n  </pm>\n");

    vr_strbuf_add(&b, "  <devices>\n");
    for (size_t i = 0; i < p->n_disks; i++)
        disk_xml(&b, &p->disks[i], install_phase);
    for (size_t i = 0; i < p->n_nics; i++)
        nic_xml(&b, &p->nics[i]);
    vr_strbuf_add(&b, "    <serial type='pty'>\n      <target port='0'/>\n    </serial>\n"
                      "    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n");
    if (p->guest_agent)
        vr_strbuf_add(&b, "    <channel type='unix'>\n      <source mode='bind'/>\n"
                          "      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n");
    if (p->vnc) {
        vr_strbuf_add(&b, "    <input type='tablet' bus='usb'/>\n");
        if (p->vnc_port > 0)
            vr_strbuf_addf(&b, "    <graphics type='vnc' port='%d' autoport='no'", p->vnc_port);
        else
            vr_strbuf_add(&b, "    <graphics type='vnc' port='-1' autoport='yes'");
        if (p->vnc_listen)
            vr_strbuf_addf(&b, " listen='%s'", p->vnc_listen);
        vr_strbuf_add(&b, "/>\n");
        vr_strbuf_addf(&b, "    <video>\n      <model type='%s'/>\n    </video>\n", os->virtio ? "virtio" : "vga");
    }
    if (p->tpm)
        vr_strbuf_addf(&b, "    <tpm model='%s'>\n      <backend type='emulator' version='%s'/>\n    </tpm>\n",
                       p->tpm_tis ? "tpm-tis" : "tpm-crb", p->tpm_12 ? "1.2" : "2.0");
    vr_strbuf_addf(&b, "    <memballoon model='%s'/>\n", os->virtio ? "virtio" : "none");
    if (os->virtio)
        vr_strbuf_add(&b, "    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n"
                          "    </rng>\n");
    vr_strbuf_add(&b, "  </devices>\n</domain>\n");
    return vr_strbuf_take(&b);
}
