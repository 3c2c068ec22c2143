/* Firmware by descriptor: QEMU's firmware JSON files read with json-c,
 * the UEFI firmware picked by machine and features like libvirt's
 * qemu_firmware.c, and each domain's variable store (NVRAM) made from
 * the template its firmware names. */
#include "drivers/qemu/qemu_firmware.h"
#include "common/file.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const default_dirs[] = {"/etc/qemu/firmware", "/usr/share/qemu/firmware", NULL};

static void fw_free(vr_qemu_firmware *f)
{
    free(f->descriptor);
    free(f->description);
    free(f->executable);
    free(f->nvram_template);
    for (size_t i = 0; i < f->n_machines; i++)
        free(f->machines[i]);
    free(f->machines);
}

void vr_qemu_firmware_list_free(vr_qemu_firmware_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        fw_free(&l->fw[i]);
    free(l->fw);
    l->fw = NULL;
    l->n = 0;
}

static const char *str_at(json_object *o, const char *a, const char *b)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, a, &v))
        return NULL;
    if (b && !json_object_object_get_ex(v, b, &v))
        return NULL;
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool array_has(json_object *o, const char *key, const char *want)
{
    json_object *a = NULL;
    if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(a, i));
        if (s && strcmp(s, want) == 0)
            return true;
    }
    return false;
}

/* One descriptor; false when it is not x86_64 flash firmware (or bad). */
static bool parse_descriptor(const char *path, vr_qemu_firmware *f)
{
    json_object *o = json_object_from_file(path);
    if (!o) {
        vr_log_warn("firmware descriptor %s: not JSON, skipped", path);
        return false;
    }
    memset(f, 0, sizeof(*f));
    json_object *mapping = NULL, *targets = NULL;
    const char *device = str_at(o, "mapping", "device");
    json_object_object_get_ex(o, "mapping", &mapping);
    const char *exe = mapping ? str_at(mapping, "executable", "filename") : NULL;
    if (!device || strcmp(device, "flash") != 0 || !exe ||
        !json_object_object_get_ex(o, "targets", &targets) ||
        !json_object_is_type(targets, json_type_array)) {
        json_object_put(o);
        return false;
    }
    for (size_t i = 0; i < json_object_array_length(targets); i++) {
        json_object *t = json_object_array_get_idx(targets, i), *m = NULL;
        const char *arch = str_at(t, "architecture", NULL);
        if (!arch || strcmp(arch, "x86_64") != 0 || !json_object_object_get_ex(t, "machines", &m))
            continue;
        for (size_t k = 0; k < json_object_array_length(m); k++) {
            const char *g = json_object_get_string(json_object_array_get_idx(m, k));
            if (!g)
                continue;
            f->machines = vr_realloc(f->machines, (f->n_machines + 1) * sizeof(char *));
            f->machines[f->n_machines++] = vr_strdup(g);
        }
    }
    if (!f->n_machines) {
        json_object_put(o);
        return false;
    }
    f->descriptor = vr_strdup(path);
    const char *d = str_at(o, "description", NULL);
    f->description = vr_strdup(d ? d : "");
    f->executable = vr_strdup(exe);
    const char *tmpl = str_at(mapping, "nvram-template", "filename");
    f->nvram_template = tmpl ? vr_strdup(tmpl) : NULL;
    f->uefi = array_has(o, "interface-types", "uefi");
    f->secure_boot = array_has(o, "features", "secure-boot");
    f->enrolled_keys = array_has(o, "features", "enrolled-keys");
    f->requires_smm = array_has(o, "features", "requires-smm");
    json_object_put(o);
    return true;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void vr_qemu_firmware_load(const char *const *dirs, vr_qemu_firmware_list *out)
{
    const char *env = getenv("VIREO_FIRMWARE_DIR");
    const char *env_dirs[] = {env, NULL};
    if (!dirs)
        dirs = env && *env ? env_dirs : default_dirs;
    out->fw = NULL;
    out->n = 0;
    /* Every name once, from the first dir that has it. */
    char **names = NULL;
    size_t n = 0;
    for (const char *const *dir = dirs; *dir; dir++) {
        DIR *d = opendir(*dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!vr_str_ends(e->d_name, ".json"))
                continue;
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = strcmp(names[i], e->d_name) == 0;
            if (seen)
                continue;
            names = vr_realloc(names, (n + 1) * sizeof(char *));
            names[n++] = vr_asprintf("%s/%s", e->d_name, *dir); /* sorts by file name */
        }
        if (d)
            closedir(d);
    }
    qsort(names, n, sizeof(char *), cmp_name);
    for (size_t i = 0; i < n; i++) {
        char *slash = strchr(names[i], '/');
        *slash = '\0';
        char *path = vr_asprintf("%s/%s", slash + 1, names[i]);
        struct stat st;
        vr_qemu_firmware f;
        if (stat(path, &st) == 0 && st.st_size > 0 && parse_descriptor(path, &f)) {
            out->fw = vr_realloc(out->fw, (out->n + 1) * sizeof(*out->fw));
            out->fw[out->n++] = f;
        }
        free(path);
        free(names[i]);
    }
    free(names);
}

/* Descriptors name versioned machines ("pc-q35-*"); the aliases q35 and
 * pc are QEMU 7.2's newest of each. */
static const char *versioned(const char *machine)
{
    if (!machine || strcmp(machine, "pc") == 0)
        return "pc-i440fx-7.2";
    if (strcmp(machine, "q35") == 0)
        return "pc-q35-7.2";
    return machine;
}

static bool runs_on(const vr_qemu_firmware *f, const char *machine)
{
    for (size_t i = 0; i < f->n_machines; i++)
        if (fnmatch(f->machines[i], versioned(machine), 0) == 0)
            return true;
    return false;
}

static bool fits(bool has, vr_tristate want)
{
    return want == VR_TRISTATE_DEFAULT || has == (want == VR_TRISTATE_ON);
}

const vr_qemu_firmware *vr_qemu_firmware_pick(const vr_qemu_firmware_list *l, const char *machine,
                                              vr_tristate secure_boot, vr_tristate enrolled_keys,
                                              char **err)
{
    for (size_t i = 0; i < l->n; i++) {
        const vr_qemu_firmware *f = &l->fw[i];
        if (f->uefi && runs_on(f, machine) && fits(f->secure_boot, secure_boot) &&
            fits(f->enrolled_keys, enrolled_keys))
            return f;
    }
    vr_strbuf b = {0};
    for (size_t i = 0; i < l->n; i++)
        vr_strbuf_addf(&b, "%s%s (%s%s)", b.len ? ", " : "", l->fw[i].executable,
                       l->fw[i].secure_boot ? "secure-boot" : "no secure-boot",
                       l->fw[i].enrolled_keys ? ", enrolled-keys" : "");
    char *have = vr_strbuf_take(&b);
    vr_set_error(err, "no UEFI firmware for machine '%s'%s%s%s: %s", machine ? machine : "pc",
                 secure_boot ? (secure_boot == VR_TRISTATE_ON ? " with secure-boot" : " without secure-boot") : "",
                 enrolled_keys ? (enrolled_keys == VR_TRISTATE_ON ? " with enrolled-keys" : " without enrolled-keys") : "",
                 secure_boot == VR_TRISTATE_ON && !vr_str_starts(versioned(machine), "pc-q35-")
                     ? " (Secure Boot needs SMM, which only machine 'q35' has)" : "",
                 have && *have ? have : "no firmware descriptors in /usr/share/qemu/firmware "
                                        "(apt-get install ovmf)");
    free(have);
    return NULL;
}

const vr_qemu_firmware *vr_qemu_firmware_by_path(const vr_qemu_firmware_list *l, const char *path)
{
    for (size_t i = 0; path && i < l->n; i++)
        if (strcmp(l->fw[i].executable, path) == 0)
            return &l->fw[i];
    return NULL;
}

int vr_qemu_firmware_resolve(vr_domain_def *def, const char *nvram_dir, char **err)
{
    vr_os_def *os = &def->os;
    bool efi = os->firmware && strcmp(os->firmware, "efi") == 0;
    if (!efi && os->loader.type != VR_LOADER_PFLASH)
        return 0;
    vr_qemu_firmware_list l;
    vr_qemu_firmware_load(NULL, &l);
    int changed = 0;
    const vr_qemu_firmware *f = NULL;
    if (efi && !os->loader.path) {
        /* <loader secure='yes'> alone asks for Secure Boot too. */
        vr_tristate sb = os->fw_secure_boot ? os->fw_secure_boot : os->loader.secure;
        char *why = NULL;
        f = vr_qemu_firmware_pick(&l, os->machine, sb, os->fw_enrolled_keys, &why);
        if (!f) {
            vr_set_error(err, "domain '%s' cannot start: <os firmware='efi'>: %s", def->name, why);
            free(why);
            vr_qemu_firmware_list_free(&l);
            return -1;
        }
        os->loader.path = vr_strdup(f->executable);
        os->loader.type = VR_LOADER_PFLASH;
        os->loader.readonly = true;
        os->loader.secure = f->secure_boot ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
        /* What was picked, as libvirt writes it back. */
        os->fw_secure_boot = f->secure_boot ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
        os->fw_enrolled_keys = f->enrolled_keys ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
        changed = 1;
    } else {
        f = vr_qemu_firmware_by_path(&l, os->loader.path);
    }
    if (os->loader.secure == VR_TRISTATE_ON && !vr_domain_def_is_q35(def)) {
        vr_set_error(err, "domain '%s' cannot start: Secure Boot (<loader secure='yes'>) needs "
                          "SMM, which machine '%s' does not have; use machine 'q35'", def->name,
                     os->machine ? os->machine : "pc");
        vr_qemu_firmware_list_free(&l);
        return -1;
    }
    if (f && f->requires_smm && def->features.smm != VR_TRISTATE_ON) {
        if (def->features.smm == VR_TRISTATE_OFF) {
            vr_set_error(err, "domain '%s' cannot start: firmware %s needs SMM, and <smm "
                              "state='off'/> turns it off; remove <smm> or pick another firmware",
                         def->name, f->executable);
            vr_qemu_firmware_list_free(&l);
            return -1;
        }
        def->features.smm = VR_TRISTATE_ON;
        changed = 1;
    }
    /* A writable flash needs no variable store of its own (a read-only
     * code flash does); libvirt's rule. */
    if (!os->nvram && os->loader.readonly) {
        os->nvram = vr_asprintf("%s/%s_VARS.fd", nvram_dir, def->name);
        changed = 1;
    }
    if (os->nvram && !os->nvram_template && f && f->nvram_template) {
        os->nvram_template = vr_strdup(f->nvram_template);
        changed = 1;
    }
    vr_qemu_firmware_list_free(&l);
    return changed;
}

int vr_qemu_nvram_prepare(const vr_domain_def *def, bool reset, char **err)
{
    const vr_os_def *os = &def->os;
    if (!os->nvram || (!reset && vr_path_exists(os->nvram)))
        return 0;
    if (!os->nvram_template) {
        vr_set_error(err, "domain '%s' cannot start: its NVRAM %s %s and <nvram> names no template "
                          "to make it from; add template='/usr/share/OVMF/OVMF_VARS_4M.fd'",
                     def->name, os->nvram, reset ? "is to be reset" : "does not exist");
        return -1;
    }
    char *dir = vr_strdup(os->nvram);
    *strrchr(dir, '/') = '\0';
    int rc = vr_mkdir_p(dir, 0755);
    free(dir);
    if (rc == 0)
        rc = vr_file_copy(os->nvram_template, os->nvram, 0600);
    if (rc < 0) {
        vr_set_error(err, "domain '%s' cannot start: cannot make its NVRAM %s from %s: %s",
                     def->name, os->nvram, os->nvram_template, strerror(-rc));
        return -1;
    }
    vr_log_info("domain %s: NVRAM %s made from %s", def->name, os->nvram, os->nvram_template);
    return 0;
}
