/* A UEFI domain's variable store (NVRAM) through its life: picked and
 * made before a start, refused or removed or kept at undefine (virsh's
 * --nvram / --keep-nvram), moved by domrename, copied by clone. The
 * store is STATE/qemu/nvram/NAME_VARS.fd unless the XML names another. */
#include "drivers/qemu/qemu_domain.h"
#include "drivers/qemu/qemu_firmware.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *vr_qemu_nvram_dir(const vr_qemu_driver *drv)
{
    return vr_asprintf("%s/qemu/nvram", drv->paths->state_dir);
}

static char *default_path(const vr_qemu_driver *drv, const char *name)
{
    char *dir = vr_qemu_nvram_dir(drv);
    char *p = vr_asprintf("%s/%s_VARS.fd", dir, name);
    free(dir);
    return p;
}

/* STATE/qemu/nvram/UUID.loader: "LOADER\nNVRAM\n", the loader the
 * NVRAM last ran with, written at each start; by uuid, so a rename keeps
 * it (its NVRAM's new path differs: no question until the next start). */
static char *record_path(const vr_domain *dom)
{
    char *dir = vr_qemu_nvram_dir(dom->drv);
    char *p = vr_asprintf("%s/%s.loader", dir, dom->def->uuid);
    free(dir);
    return p;
}

static void record_set(vr_domain *dom, const char *loader, const char *nvram)
{
    free(dom->fw_loader);
    free(dom->fw_nvram);
    dom->fw_loader = loader ? vr_strdup(loader) : NULL;
    dom->fw_nvram = nvram ? vr_strdup(nvram) : NULL;
}

/* UEFI domains only: a daemon with thousands of BIOS ones opens nothing. */
static bool uefi(const vr_os_def *os)
{
    return (os->firmware && strcmp(os->firmware, "efi") == 0) || os->loader.type == VR_LOADER_PFLASH;
}

void vr_qemu_nvram_record_load(vr_domain *dom)
{
    record_set(dom, NULL, NULL);
    if (!uefi(&dom->def->os))
        return;
    char *p = record_path(dom);
    char *text = vr_file_read(p, NULL);
    char *nl = text ? strchr(text, '\n') : NULL;
    char *end = nl ? strchr(nl + 1, '\n') : NULL;
    if (end) {
        *nl = *end = '\0';
        record_set(dom, text, nl + 1);
    }
    free(text);
    free(p);
}

static void record_save(vr_domain *dom)
{
    const vr_os_def *os = &dom->def->os;
    if (!os->nvram || !os->loader.path)
        return;
    if (dom->fw_loader && strcmp(dom->fw_loader, os->loader.path) == 0 && strcmp(dom->fw_nvram, os->nvram) == 0)
        return;
    /* The NVRAM itself may live elsewhere (<nvram> names any path). */
    char *dir = vr_qemu_nvram_dir(dom->drv);
    int rc = vr_mkdir_p(dir, 0755);
    free(dir);
    char *p = record_path(dom);
    char *text = vr_asprintf("%s\n%s\n", os->loader.path, os->nvram);
    if (rc == 0)
        rc = vr_file_write_atomic(p, text, strlen(text), 0600);
    if (rc < 0)
        vr_log_warn("domain %s: cannot write %s: %s", dom->def->name, p, strerror(-rc));
    record_set(dom, os->loader.path, os->nvram);
    free(text);
    free(p);
}

void vr_qemu_nvram_record_forget(vr_domain *dom)
{
    char *p = record_path(dom); /* (not read if the domain was BIOS at load) */
    unlink(p);
    free(p);
    record_set(dom, NULL, NULL);
}

bool vr_qemu_firmware_changed(const vr_domain *dom)
{
    const vr_os_def *os = &(dom->next ? dom->next : dom->def)->os;
    if (!uefi(os))
        return false;
    bool efi = os->firmware && strcmp(os->firmware, "efi") == 0;
    /* No <nvram> (BIOS and back to UEFI drops it): the start names ours. */
    char *ours = os->nvram ? NULL : default_path(dom->drv, dom->def->name);
    const char *nvram = os->nvram ? os->nvram : ours;
    bool changed;
    if (!os->loader.path)
        changed = efi && vr_path_exists(nvram);
    else
        changed = dom->fw_loader && strcmp(dom->fw_nvram, nvram) == 0 &&
                  strcmp(dom->fw_loader, os->loader.path) != 0;
    free(ours);
    return changed;
}

int vr_qemu_firmware_prepare(vr_domain *dom, char **err)
{
    char *dir = vr_qemu_nvram_dir(dom->drv);
    int rc = vr_qemu_firmware_resolve(dom->def, dir, err);
    free(dir);
    if (rc < 0)
        return -1;
    /* libvirt's way: the picked firmware and the NVRAM path become part
     * of the definition, so the next start uses the same ones. */
    if (rc == 1 && dom->persistent && vr_qemu_domain_save(dom->drv, dom->def, err) != VR_OK)
        return -1;
    if (vr_qemu_nvram_prepare(dom->def, dom->reset_nvram, err) < 0)
        return -1;
    dom->reset_nvram = false;
    record_save(dom);
    return 0;
}

vr_err vr_qemu_nvram_undefine_check(const vr_domain *dom, unsigned flags, char **err)
{
    const char *nvram = dom->def->os.nvram;
    if (!nvram || !vr_path_exists(nvram) || (flags & (VR_QEMU_UNDEFINE_NVRAM | VR_QEMU_UNDEFINE_KEEP_NVRAM)))
        return VR_OK;
    vr_set_error(err, "cannot undefine domain '%s' with nvram %s: add --nvram to remove it too, or "
                      "--keep-nvram to keep it", dom->def->name, nvram);
    return VR_ERR_CONFLICT;
}

static void remove_nvram(const vr_domain *dom)
{
    const char *nvram = dom->def->os.nvram;
    if (unlink(nvram) == 0)
        vr_log_info("domain %s: NVRAM %s removed", dom->def->name, nvram);
    else if (errno != ENOENT)
        vr_log_warn("domain %s: cannot remove NVRAM %s: %s", dom->def->name, nvram, strerror(errno));
}

/* A running domain's NVRAM is QEMU's open pflash: as libvirt, undefine
 * makes the domain transient and the file goes when it stops. */
void vr_qemu_nvram_undefine(vr_domain *dom, unsigned flags, bool active)
{
    if (!dom->def->os.nvram)
        return;
    if (active) {
        dom->remove_nvram = flags & VR_QEMU_UNDEFINE_NVRAM;
        dom->keep_nvram = flags & VR_QEMU_UNDEFINE_KEEP_NVRAM;
    } else {
        if (flags & VR_QEMU_UNDEFINE_NVRAM)
            remove_nvram(dom);
        vr_qemu_nvram_record_forget(dom);
    }
}

void vr_qemu_nvram_stopped(vr_domain *dom)
{
    if (dom->persistent || !dom->def->os.nvram)
        return;
    vr_qemu_nvram_record_forget(dom);
    if (dom->keep_nvram)
        return;
    char *ours = default_path(dom->drv, dom->def->name);
    if (dom->remove_nvram || strcmp(ours, dom->def->os.nvram) == 0)
        remove_nvram(dom);
    free(ours);
}

char *vr_qemu_nvram_renamed(const vr_qemu_driver *drv, const vr_domain_def *def, const char *new_name)
{
    char *old = default_path(drv, def->name);
    bool ours = def->os.nvram && strcmp(def->os.nvram, old) == 0;
    free(old);
    return ours ? default_path(drv, new_name) : NULL;
}

vr_err vr_qemu_nvram_clone(vr_qemu_driver *drv, const vr_domain_def *orig, vr_domain_def *copy,
                           char **err)
{
    if (!orig->os.nvram)
        return VR_OK;
    char *to = default_path(drv, copy->name);
    if (vr_path_exists(to)) {
        vr_set_error(err, "NVRAM %s of the clone '%s' exists already; remove it or choose another "
                          "name", to, copy->name);
        free(to);
        return VR_ERR_CONFLICT;
    }
    /* Never started: the clone makes its own from the template. */
    if (vr_path_exists(orig->os.nvram)) {
        char *dir = vr_qemu_nvram_dir(drv);
        int rc = vr_mkdir_p(dir, 0755);
        free(dir);
        if (rc == 0)
            rc = vr_file_copy(orig->os.nvram, to, 0600);
        if (rc < 0) {
            vr_set_error(err, "cannot copy NVRAM %s to %s: %s", orig->os.nvram, to, strerror(-rc));
            free(to);
            return VR_ERR_FAILED;
        }
    }
    free(copy->os.nvram);
    copy->os.nvram = to;
    return VR_OK;
}
