/* The OS variants `vireo install --os-variant` knows: a small built-in
 * table (no libosinfo database) with the defaults that matter when
 * making a VM -- memory, vCPUs, disk size, machine, and whether the OS
 * has virtio drivers. Linux gets virtio devices on q35; Windows gets
 * emulated SATA and e1000 (its installer has no virtio drivers unless a
 * virtio-win ISO is attached) and at least 2 GiB. The `osinfo` ids are
 * libosinfo's, written into the domain's <metadata> as virt-install
 * does, so tools that read them recognise the guest. */
#include "install/install_plan.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define LINUX(id, name, osinfo, min, mem, cpus, disk) \
    {id, name, osinfo, VR_OS_LINUX, min, mem, cpus, disk, "q35", true, false}

static const vr_osinfo table[] = {
    {"generic", "Generic or unknown OS (emulated devices)", NULL, VR_OS_OTHER, 128, 1024, 1, 10, "pc",
     false, false},
    LINUX("linux2022", "Generic Linux, 2022 or later", "http://libosinfo.org/linux/2022", 256, 2048, 2, 20),
    LINUX("debian13", "Debian 13 (trixie)", "http://debian.org/debian/13", 256, 1024, 1, 20),
    LINUX("debian12", "Debian 12 (bookworm)", "http://debian.org/debian/12", 256, 1024, 1, 20),
    LINUX("debian11", "Debian 11 (bullseye)", "http://debian.org/debian/11", 256, 1024, 1, 20),
    LINUX("debian10", "Debian 10 (buster)", "http://debian.org/debian/10", 256, 1024, 1, 20),
    LINUX("ubuntu24.04", "Ubuntu 24.04 LTS (Noble Numbat)", "http://ubuntu.com/ubuntu/24.04", 1024, 2048, 2, 25),
    LINUX("ubuntu22.04", "Ubuntu 22.04 LTS (Jammy Jellyfish)", "http://ubuntu.com/ubuntu/22.04", 1024, 2048, 2, 25),
    LINUX("ubuntu20.04", "Ubuntu 20.04 LTS (Focal Fossa)", "http://ubuntu.com/ubuntu/20.04", 1024, 2048, 2, 25),
    LINUX("fedora", "Fedora (the latest known: 41)", "http://fedoraproject.org/fedora/41", 1536, 2048, 2, 20),
    LINUX("fedora41", "Fedora Linux 41", "http://fedoraproject.org/fedora/41", 1536, 2048, 2, 20),
    LINUX("fedora40", "Fedora Linux 40", "http://fedoraproject.org/fedora/40", 1536, 2048, 2, 20),
    LINUX("centos-stream9", "CentOS Stream 9", "http://centos.org/centos-stream/9", 1536, 2048, 2, 20),
    LINUX("almalinux9", "AlmaLinux 9", "http://almalinux.org/almalinux/9", 1536, 2048, 2, 20),
    LINUX("rocky9", "Rocky Linux 9", "http://rockylinux.org/rocky/9", 1536, 2048, 2, 20),
    LINUX("opensuse15.6", "openSUSE Leap 15.6", "http://opensuse.org/opensuse/15.6", 1024, 2048, 2, 20),
    LINUX("archlinux", "Arch Linux", "http://archlinux.org/archlinux/rolling", 512, 2048, 2, 20),
    LINUX("alpine", "Alpine Linux (the latest known: 3.20)", "http://alpinelinux.org/alpinelinux/3.20", 128, 512, 1, 8),
    LINUX("alpinelinux3.20", "Alpine Linux 3.20", "http://alpinelinux.org/alpinelinux/3.20", 128, 512, 1, 8),
    {"win11", "Microsoft Windows 11", "http://microsoft.com/win/11", VR_OS_WINDOWS, 4096, 4096, 2, 64, "q35",
     false, true},
    {"win10", "Microsoft Windows 10", "http://microsoft.com/win/10", VR_OS_WINDOWS, 2048, 4096, 2, 64, "q35",
     false, false},
    {"win2k22", "Microsoft Windows Server 2022", "http://microsoft.com/win/2k22", VR_OS_WINDOWS, 2048, 4096, 2,
     64, "q35", false, false},
};

const vr_osinfo *vr_osinfo_find(const char *id)
{
    for (size_t i = 0; i < VR_ARRAY_LEN(table); i++)
        if (strcasecmp(table[i].id, id) == 0)
            return &table[i];
    return NULL;
}

const vr_osinfo *vr_osinfo_all(size_t *n)
{
    *n = VR_ARRAY_LEN(table);
    return table;
}

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = vr_calloc(lb + 1, sizeof(*row));
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

/* Length of the common leading letters ("centos9" and "centos-stream9": 6). */
static size_t common_letters(const char *a, const char *b)
{
    size_t n = 0;
    while (a[n] && b[n] && isalpha((unsigned char)a[n]) &&
           tolower((unsigned char)a[n]) == tolower((unsigned char)b[n]))
        n++;
    return n;
}

char *vr_osinfo_close_matches(const char *id)
{
    size_t score[VR_ARRAY_LEN(table)];
    for (size_t i = 0; i < VR_ARRAY_LEN(table); i++) {
        size_t d = distance(id, table[i].id);
        size_t p = common_letters(id, table[i].id);
        score[i] = d <= 3 || p >= 3 ? d : (size_t)-1;
    }
    vr_strbuf b = {0};
    size_t shown = 0;
    for (size_t d = 0; d < 64 && shown < 5; d++)
        for (size_t i = 0; i < VR_ARRAY_LEN(table) && shown < 5; i++)
            if (score[i] == d) {
                vr_strbuf_addf(&b, "%s%s", shown ? ", " : "", table[i].id);
                shown++;
            }
    if (!shown)
        return NULL;
    return vr_strbuf_take(&b);
}

void vr_osinfo_print(FILE *out)
{
    fprintf(out, " %-16s %-42s %-8s %-6s %s\n", "Variant", "Name", "Memory", "Disk", "Devices");
    for (int i = 0; i < 88; i++)
        fputc('-', out);
    fputc('\n', out);
    for (size_t i = 0; i < VR_ARRAY_LEN(table); i++) {
        const vr_osinfo *o = &table[i];
        char mem[16], disk[16];
        snprintf(mem, sizeof(mem), "%u MiB", o->mem_mib);
        snprintf(disk, sizeof(disk), "%u G", o->disk_gib);
        fprintf(out, " %-16s %-42s %-8s %-6s %s %s%s\n", o->id, o->name, mem, disk, o->machine,
                o->virtio ? "virtio" : o->family == VR_OS_WINDOWS ? "sata+e1000" : "ide+e1000",
                o->uefi ? " uefi" : "");
    }
}
