/* The OS variants `vireo install --os-variant` knows: libosinfo's
 * database (Debian's osinfo-db, the one `osinfo-query os` and
 * virt-install read), turned once into a flat table of the defaults
 * that matter when making a VM -- memory, vCPUs, disk size, machine,
 * virtio or not, UEFI required. The rules are virt-install's
 * (virtinst/osdict.py): virtio when the OS lists virtio-block, q35 when
 * it lists the q35 chipset (and virtio 1.0 if it has virtio-net at
 * all), UEFI when it supports EFI and not BIOS (and always for win11),
 * memory/vCPUs/disk from <recommended>, else <minimum>.
 *
 * Debian 12's osinfo-db (0.20221130) predates Debian 12 itself, so
 * data/osinfo holds a few entries in osinfo-db's own format for newer
 * releases; each loads only when the system's database lacks its
 * short-id, so a newer osinfo-db wins. "generic" is virt-install's own
 * variant (not in the database) and is built in here too. */
#include "install/install_plan.h"
#include "install/osinfo_lib.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One entry plus what only this file needs: every short-id it answers
 * to and its release date (newest first among equally close matches). */
typedef struct {
    vr_osinfo os;
    char **short_ids;
    char *released;
    OsinfoOs *handle; /* the database's; NULL for "generic" */
} entry;

static OsinfoLoader *loader; /* kept: the entries' handles live in it */
static entry *table;
static vr_osinfo *flat; /* table's vr_osinfo side by side, for vr_osinfo_all */
static size_t n_table;

static const vr_osinfo generic = {"generic", "Generic or unknown OS (emulated devices)", NULL, VR_OS_OTHER, 0,
                                  1024, 1, 10, "pc", false, false};

static bool has_device(OsinfoDeviceList *all, const char *const *ids)
{
    bool found = false;
    for (const char *const *id = ids; *id && !found; id++)
        found = vr_osi.osinfo_list_find_by_id(OSINFO_LIST(all), *id) != NULL;
    return found;
}

static const char *const virtio_block[] = {"http://pcisig.com/pci/1af4/1001", "http://pcisig.com/pci/1af4/1042",
                                           NULL};
static const char *const virtio_net[] = {"http://pcisig.com/pci/1af4/1000", "http://pcisig.com/pci/1af4/1041",
                                         NULL};
static const char *const virtio1_net[] = {"http://pcisig.com/pci/1af4/1041", NULL};
static const char *const q35[] = {"http://qemu.org/chipset/x86/q35", NULL};

/* Firmware `type` ("efi", "bios") for x86_64: supported, or `dflt` when
 * the OS does not say. */
static bool firmware_supported(OsinfoFirmwareList *l, const char *type, bool dflt)
{
    for (gint i = 0; i < vr_osi.osinfo_list_get_length(OSINFO_LIST(l)); i++) {
        OsinfoFirmware *f = OSINFO_FIRMWARE(vr_osi.osinfo_list_get_nth(OSINFO_LIST(l), i));
        if (strcmp(vr_osi.osinfo_firmware_get_architecture(f), "x86_64") == 0 &&
            strcmp(vr_osi.osinfo_firmware_get_firmware_type(f), type) == 0)
            return vr_osi.osinfo_firmware_is_supported(f);
    }
    return dflt;
}

/* A resource for x86_64 (or "all"), from one list; 0 when not given. */
static gint64 resource(OsinfoResourcesList *l, gint64 (*get)(OsinfoResources *))
{
    gint64 best = 0;
    for (gint i = 0; i < vr_osi.osinfo_list_get_length(OSINFO_LIST(l)); i++) {
        OsinfoResources *r = OSINFO_RESOURCES(vr_osi.osinfo_list_get_nth(OSINFO_LIST(l), i));
        const char *arch = vr_osi.osinfo_resources_get_architecture(r);
        gint64 v = get(r);
        if (v <= 0)
            continue;
        if (strcmp(arch, "x86_64") == 0)
            return v;
        if (strcmp(arch, "all") == 0)
            best = v;
    }
    return best;
}

static gint64 n_cpus(OsinfoResources *r)
{
    return vr_osi.osinfo_resources_get_n_cpus(r);
}

/* <recommended>, else <minimum> (virt-install doubles the minimum; a
 * TCG host has no RAM to spare, and Windows 11's 4 GiB is what it
 * checks for), else `dflt`. */
static unsigned recommended(OsinfoResourcesList *rec, OsinfoResourcesList *min, gint64 (*get)(OsinfoResources *),
                            gint64 unit, unsigned dflt)
{
    gint64 v = resource(rec, get);
    if (!v)
        v = resource(min, get);
    return v ? (unsigned)(v / unit) : dflt;
}

static vr_os_family family_of(OsinfoOs *os)
{
    const char *f = vr_osi.osinfo_os_get_family(os);
    if (!f)
        return VR_OS_OTHER;
    if (strcmp(f, "winnt") == 0 || strcmp(f, "win9x") == 0 || strcmp(f, "win16") == 0)
        return VR_OS_WINDOWS;
    return strcmp(f, "linux") == 0 ? VR_OS_LINUX : VR_OS_OTHER;
}

/* The names of every OS, at load: cheap, and all a lookup or the close
 * matches need. */
static void add_entry(OsinfoOs *os)
{
    GList *ids = vr_osi.osinfo_product_get_short_id_list(OSINFO_PRODUCT(os));
    if (!ids)
        return; /* not nameable on a command line */
    entry *e = &table[n_table++];
    size_t n = vr_osi.g_list_length(ids), k = 0;
    e->short_ids = vr_calloc(n + 1, sizeof(char *));
    for (GList *l = ids; l; l = l->next)
        e->short_ids[k++] = vr_strdup(l->data);
    vr_osi.g_list_free(ids);
    const char *date = vr_osi.osinfo_product_get_release_date_string(OSINFO_PRODUCT(os));
    e->released = vr_strdup(date ? date : "");
    e->handle = os;
    e->os.id = e->short_ids[0];
}

/* The defaults of one OS, the first time they are asked for (walking
 * the devices and resources of all 800 OSes costs half a second). */
static void fill(entry *e)
{
    OsinfoOs *os = e->handle;
    if (!os || e->os.name)
        return;
    vr_osinfo *o = &e->os;
    const char *name = vr_osi.osinfo_product_get_name(OSINFO_PRODUCT(os));
    o->name = vr_strdup(name ? name : o->id);
    o->osinfo = vr_strdup(vr_osi.osinfo_entity_get_id(OSINFO_ENTITY(os)));
    o->family = family_of(os);
    OsinfoResourcesList *min = vr_osi.osinfo_os_get_minimum_resources(os);
    OsinfoResourcesList *rec = vr_osi.osinfo_os_get_recommended_resources(os);
    o->min_mib = (unsigned)(resource(min, vr_osi.osinfo_resources_get_ram) >> 20);
    o->mem_mib = recommended(rec, min, vr_osi.osinfo_resources_get_ram, 1 << 20, generic.mem_mib);
    o->vcpus = recommended(rec, min, n_cpus, 1, generic.vcpus);
    o->disk_gib = recommended(rec, min, vr_osi.osinfo_resources_get_storage, 1 << 30, generic.disk_gib);
    vr_osi.g_object_unref(min);
    vr_osi.g_object_unref(rec);
    OsinfoDeviceList *devs = vr_osi.osinfo_os_get_all_devices(os, NULL);
    o->virtio = has_device(devs, virtio_block);
    bool q35_ok = has_device(devs, q35) && (!has_device(devs, virtio_net) || has_device(devs, virtio1_net));
    vr_osi.g_object_unref(devs);
    o->machine = q35_ok ? "q35" : "pc";
    OsinfoFirmwareList *fw = vr_osi.osinfo_os_get_complete_firmware_list(os, NULL);
    o->uefi = (firmware_supported(fw, "efi", false) && !firmware_supported(fw, "bios", true)) ||
              strcmp(o->id, "win11") == 0;
    vr_osi.g_object_unref(fw);
    flat[e - table] = *o;
}

static bool short_id_known(OsinfoDb *db, const char *id)
{
    OsinfoOsList *all = vr_osi.osinfo_db_get_os_list(db);
    bool found = false;
    for (gint i = 0; i < vr_osi.osinfo_list_get_length(OSINFO_LIST(all)) && !found; i++) {
        GList *ids = vr_osi.osinfo_product_get_short_id_list(OSINFO_PRODUCT(vr_osi.osinfo_list_get_nth(OSINFO_LIST(all), i)));
        for (GList *l = ids; l && !found; l = l->next)
            found = strcmp(l->data, id) == 0;
        vr_osi.g_list_free(ids);
    }
    vr_osi.g_object_unref(all);
    return found;
}

/* Vireo's supplement (data/osinfo): installed beside the program, or the
 * source tree's when run from a build directory. One directory per OS,
 * named by its short-id (libosinfo loads directories, not files). */
static void load_supplement(void)
{
    const char *dirs[] = {VIREO_DATADIR "/osinfo", VIREO_SOURCE_ROOT "/data/osinfo"};
    for (size_t d = 0; d < VR_ARRAY_LEN(dirs); d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (de->d_name[0] == '.' || short_id_known(vr_osi.osinfo_loader_get_db(loader), de->d_name))
                continue;
            char *path = vr_asprintf("%s/%s", dirs[d], de->d_name);
            vr_osi.osinfo_loader_process_path(loader, path, NULL);
            free(path);
        }
        closedir(dir);
        return;
    }
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->os.id, ((const entry *)b)->os.id);
}

static void load(void)
{
    if (table)
        return;
    char *err = NULL;
    if (!vr_osinfo_lib_load(&err)) {
        /* Installs still work with "generic" (and name the variants they
         * cannot find); the log says why the rest are missing. */
        vr_log_warn("OS variants: %s; only 'generic' is known", err);
        free(err);
        table = vr_calloc(1, sizeof(*table));
        table[n_table++].os = generic;
        flat = vr_calloc(n_table, sizeof(*flat));
        flat[0] = generic;
        return;
    }
    loader = vr_osi.osinfo_loader_new();
    /* Errors here are files of the database that do not parse; the rest
     * still loads, as osinfo-query does. */
    vr_osi.osinfo_loader_process_default_path(loader, NULL);
    load_supplement();
    OsinfoOsList *all = vr_osi.osinfo_db_get_os_list(vr_osi.osinfo_loader_get_db(loader));
    gint n = vr_osi.osinfo_list_get_length(OSINFO_LIST(all));
    table = vr_calloc((size_t)n + 1, sizeof(*table));
    table[n_table++].os = generic;
    for (gint i = 0; i < n; i++)
        add_entry(OSINFO_OS(vr_osi.osinfo_list_get_nth(OSINFO_LIST(all), i)));
    vr_osi.g_object_unref(all);
    /* The loader (and so every OsinfoOs a handle points at) is kept for
     * the life of the process: fill() reads it later. */
    qsort(table + 1, n_table - 1, sizeof(*table), by_id);
    flat = vr_calloc(n_table, sizeof(*flat));
    for (size_t i = 0; i < n_table; i++)
        flat[i] = table[i].os;
}

static entry *find(const char *id)
{
    load();
    for (size_t i = 0; i < n_table; i++) {
        if (strcasecmp(table[i].os.id, id) == 0 || (table[i].os.osinfo && strcmp(table[i].os.osinfo, id) == 0))
            return &table[i];
        for (char **s = table[i].short_ids; s && *s; s++)
            if (strcasecmp(*s, id) == 0)
                return &table[i];
    }
    return NULL;
}

const vr_osinfo *vr_osinfo_find(const char *id)
{
    entry *e = find(id);
    if (!e)
        return NULL;
    fill(e);
    return &flat[e - table];
}

const vr_osinfo *vr_osinfo_all(size_t *n)
{
    load();
    for (size_t i = 0; i < n_table; i++)
        fill(&table[i]);
    *n = n_table;
    return flat;
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

/* The version at the end of a short-id ("centos-stream9": "9"). */
static const char *version_of(const char *id)
{
    const char *v = id + strlen(id);
    while (v > id && (isdigit((unsigned char)v[-1]) || v[-1] == '.'))
        v--;
    return v;
}

typedef struct {
    size_t score;
    const entry *e;
} candidate;

/* Closest first; among equals the newest release first. */
static int by_score(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return strcmp(y->e->released, x->e->released);
}

char *vr_osinfo_close_matches(const char *id)
{
    load();
    candidate *c = vr_calloc(n_table, sizeof(*c));
    size_t n = 0;
    for (size_t i = 0; i < n_table; i++) {
        const char *cand = table[i].os.id;
        size_t d = distance(id, cand);
        bool kin = common_letters(id, cand) >= 3;
        /* The same name's version under a longer name ("centos9" for
         * "centos-stream9") is as close as a one-letter slip. */
        if (kin && *version_of(id) && strcmp(version_of(id), version_of(cand)) == 0 && d > 1)
            d = 1;
        if (d <= 3 || kin)
            c[n++] = (candidate){d, &table[i]};
    }
    qsort(c, n, sizeof(*c), by_score);
    vr_strbuf b = {0};
    for (size_t i = 0; i < n && i < 5; i++)
        vr_strbuf_addf(&b, "%s%s", i ? ", " : "", c[i].e->os.id);
    free(c);
    return n ? vr_strbuf_take(&b) : NULL;
}
