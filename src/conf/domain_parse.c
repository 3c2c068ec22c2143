/* Step 1 of parsing: the XML tree into a vr_domain_def.
 *
 * Each element is read by one function that knows its attributes and
 * children; anything else is refused on the spot with the line number.
 * Defaults that depend only on the element itself (a disk's bus from
 * its target name, an input's bus from its type) are set here; those
 * that need the whole domain are step 2 (domain_defaults.c). */
#include "conf/domain_parse.h"
#include "conf/cpulist.h"
#include "conf/domain_tune_priv.h"
#include "conf/names.h"
#include "conf/units.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------- */

int vr_parse_duplicate(const xmlNode *n, char **err)
{
    return vr_xml_error(n, err, "duplicate <%s>", (const char *)n->name);
}

/* Text of a leaf element without attributes. */
int vr_parse_leaf_text(vr_parse_state *st, const xmlNode *n, bool trim, char **out)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0)
        return -1;
    return vr_xml_text(n, trim, out, st->err);
}

int vr_parse_abs_path(vr_parse_state *st, const xmlNode *n, const char *what, const char *path)
{
    if (path[0] != '/')
        return vr_xml_error(n, st->err, "%s '%s' must be an absolute path", what, path);
    return 0;
}

/* Text of an element holding an absolute path (attributes are the
 * caller's to check). */
static int path_text(vr_parse_state *st, const xmlNode *n, char **out)
{
    char *s;
    if (vr_xml_text(n, true, &s, st->err) < 0)
        return -1;
    char *what = vr_asprintf("<%s>", (const char *)n->name);
    int rc = vr_parse_abs_path(st, n, what, s);
    free(what);
    if (rc < 0) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* The same for an element without attributes. */
int vr_parse_path_leaf(vr_parse_state *st, const xmlNode *n, char **out)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0)
        return -1;
    return path_text(st, n, out);
}

/* pc, q35, pc-i440fx-N.N[.N], pc-q35-N.N[.N] */
static bool valid_machine(const char *m)
{
    if (strcmp(m, "pc") == 0 || strcmp(m, "q35") == 0)
        return true;
    const char *v;
    if (vr_str_starts(m, "pc-i440fx-"))
        v = m + strlen("pc-i440fx-");
    else if (vr_str_starts(m, "pc-q35-"))
        v = m + strlen("pc-q35-");
    else
        return false;
    int parts = 0;
    while (*v) {
        if (!isdigit((unsigned char)*v))
            return false;
        while (isdigit((unsigned char)*v))
            v++;
        parts++;
        if (*v == '.')
            v++;
        else if (*v)
            return false;
    }
    return parts >= 2 && v[-1] != '.';
}

/* ---- top-level scalars -------------------------------------------------- */

static int parse_name(vr_parse_state *st, const xmlNode *n)
{
    char *s;
    if (vr_parse_leaf_text(st, n, false, &s) < 0)
        return -1;
    st->def->name = s;
    return vr_xml_name_check(n, VR_NAME_DOMAIN, s, st->err);
}

static int parse_uuid(vr_parse_state *st, const xmlNode *n)
{
    char *s;
    if (vr_parse_leaf_text(st, n, true, &s) < 0)
        return -1;
    return vr_xml_uuid_take(n, s, st->def->uuid, st->err);
}

static int parse_title(vr_parse_state *st, const xmlNode *n)
{
    char *s;
    if (vr_parse_leaf_text(st, n, false, &s) < 0)
        return -1;
    if (strchr(s, '\n')) {
        free(s);
        return vr_xml_error(n, st->err, "<title> must be a single line");
    }
    st->def->title = s;
    return 0;
}

static int parse_description(vr_parse_state *st, const xmlNode *n)
{
    return vr_parse_leaf_text(st, n, false, &st->def->description);
}

/* <metadata> belongs to the applications that wrote it: kept as the
 * serialized element, namespace declarations included, and written
 * back untouched. */
static char *serialize(const xmlNode *n)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *copy = xmlDocCopyNode((xmlNode *)n, doc, 1);
    xmlDocSetRootElement(doc, copy);
    xmlBuffer *buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, copy, 0, 0);
    char *s = vr_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return s;
}

static int parse_metadata(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0)
        return -1;
    st->def->metadata = serialize(n);
    return 0;
}

int vr_parse_kept(vr_parse_state *st, const xmlNode *n, const char *reason)
{
    vr_domain_def *def = st->def;
    for (size_t i = 0; i < def->n_kept; i++)
        if (strcmp(def->kept[i].name, (const char *)n->name) == 0)
            return vr_parse_duplicate(n, st->err);
    vr_kept_def *k = VR_PUSH(def->kept, def->n_kept);
    k->xml = serialize(n);
    k->name = vr_strdup((const char *)n->name);
    k->reason = vr_strdup(reason);
    k->line = vr_xml_line(n);
    return 0;
}

/* <memory unit='MiB'>512</memory> -> KiB, rounded up like libvirt. */
static int memory_kib(vr_parse_state *st, const xmlNode *n, unsigned long long *kib, char **shown)
{
    if (vr_xml_check_attrs(n, ATTRS("unit"), st->err) < 0)
        return -1;
    char *text, *unit = vr_xml_attr(n, "unit");
    if (vr_xml_text(n, true, &text, st->err) < 0) {
        free(unit);
        return -1;
    }
    *shown = unit ? vr_asprintf("<%s unit='%s'>%s</%s>", (const char *)n->name, unit, text,
                                (const char *)n->name)
                  : vr_asprintf("<%s>%s</%s>", (const char *)n->name, text,
                                (const char *)n->name);
    unsigned long long value, bytes;
    int rc = 0;
    char *e = NULL;
    if (!vr_xml_parse_ull(text, 0, ~0ULL, 10, &value)) {
        rc = vr_xml_error(n, st->err, "%s: '%s' is not a number", *shown, text);
    } else if (vr_units_to_bytes(value, unit, 1024, *shown, &bytes, &e) < 0) {
        rc = vr_xml_error(n, st->err, "%s", e);
    } else {
        *kib = bytes / 1024 + (bytes % 1024 != 0);
    }
    free(e);
    free(text);
    free(unit);
    if (rc < 0) {
        free(*shown);
        *shown = NULL;
    }
    return rc;
}

static int memory_range(vr_parse_state *st, const xmlNode *n, unsigned long long kib,
                        const char *shown)
{
    if (kib < VR_MIN_MEMORY_KIB)
        return vr_xml_error(n, st->err, "%s is less than the minimum of 1 MiB", shown);
    if (kib > VR_MAX_MEMORY_KIB)
        return vr_xml_error(n, st->err, "%s is more than the maximum of 16 TiB", shown);
    return 0;
}

static int parse_memory(vr_parse_state *st, const xmlNode *n)
{
    char *shown;
    if (memory_kib(st, n, &st->def->memory_kib, &shown) < 0)
        return -1;
    int rc = memory_range(st, n, st->def->memory_kib, shown);
    free(shown);
    st->have_memory = true;
    st->memory_line = vr_xml_line(n);
    return rc;
}

static int parse_current_memory(vr_parse_state *st, const xmlNode *n)
{
    char *shown;
    if (memory_kib(st, n, &st->def->current_memory_kib, &shown) < 0)
        return -1;
    int rc = memory_range(st, n, st->def->current_memory_kib, shown);
    free(shown);
    st->have_current = true;
    st->current_line = vr_xml_line(n);
    return rc;
}

static int parse_vcpu(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, ATTRS("placement", "cpuset", "current"), st->err) < 0)
        return -1;
    int i;
    /* auto asks numad for a placement; Vireo places nothing, so only
     * static (the CPUs cpuset gives, or all) is honoured. */
    if (vr_xml_attr_enum(n, "placement", ATTRS("static"), &i, st->err) < 0)
        return -1;
    unsigned long long current = 0;
    if (vr_xml_attr_uint(n, "current", 1, VR_MAX_VCPUS, &current, st->err) < 0)
        return -1;
    st->def->vcpus_current = (unsigned)current;
    char *cpuset = vr_xml_attr(n, "cpuset");
    if (cpuset && !vr_cpulist_valid(cpuset)) {
        vr_xml_error(n, st->err, "<vcpu cpuset='%s'> is not a CPU list (like 0-3,6,^2)", cpuset);
        free(cpuset);
        return -1;
    }
    st->def->cpuset = cpuset;
    char *text;
    if (vr_xml_text(n, true, &text, st->err) < 0)
        return -1;
    unsigned long long v;
    int rc = 0;
    if (!vr_xml_parse_ull(text, 1, VR_MAX_VCPUS, 10, &v))
        rc = vr_xml_error(n, st->err, "<vcpu>%s</vcpu>: expected a number from 1 to %d", text,
                          VR_MAX_VCPUS);
    else
        st->def->vcpus = (unsigned)v;
    if (rc == 0 && st->def->vcpus_current > st->def->vcpus)
        rc = vr_xml_error(n, st->err, "<vcpu current='%u'> is more than the maximum of %u vCPUs",
                          st->def->vcpus_current, st->def->vcpus);
    free(text);
    return rc;
}

/* <maxMemory slots='N' unit=...>: the memory hot-plug limit, given to
 * QEMU as slots and maxmem; memory devices to plug are not supported. */
static int parse_max_memory(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, ATTRS("slots", "unit"), st->err) < 0)
        return -1;
    unsigned long long slots;
    int rc = vr_xml_attr_uint(n, "slots", 1, 255, &slots, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<maxMemory> needs slots");
    xmlNode *copy = xmlCopyNode((xmlNode *)n, 1);
    xmlUnsetProp(copy, BAD_CAST "slots");
    unsigned long long kib;
    char *shown = NULL;
    rc = memory_kib(st, copy, &kib, &shown);
    xmlFreeNode(copy);
    free(shown);
    if (rc < 0)
        return -1;
    st->def->max_memory_kib = kib;
    st->def->max_memory_slots = (unsigned)slots;
    st->max_memory_line = vr_xml_line(n);
    return 0;
}

static int parse_lifecycle(vr_parse_state *st, const xmlNode *n, vr_lifecycle_action *out)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0)
        return -1;
    int i;
    if (vr_xml_text_enum(n, vr_lifecycle_names, &i, st->err) < 0)
        return -1;
    *out = (vr_lifecycle_action)i;
    return 0;
}

static int parse_on_poweroff(vr_parse_state *st, const xmlNode *n)
{
    return parse_lifecycle(st, n, &st->def->on_poweroff);
}
static int parse_on_reboot(vr_parse_state *st, const xmlNode *n)
{
    return parse_lifecycle(st, n, &st->def->on_reboot);
}
static int parse_on_crash(vr_parse_state *st, const xmlNode *n)
{
    return parse_lifecycle(st, n, &st->def->on_crash);
}

/* ---- <os> ---------------------------------------------------------------- */

static int parse_os_type(vr_parse_state *st, const xmlNode *n)
{
    vr_os_def *os = &st->def->os;
    if (vr_xml_check_attrs(n, ATTRS("arch", "machine"), st->err) < 0)
        return -1;
    int i, rc;
    /* i686: a 32-bit x86 guest (qemu-system-i386, see qemu_command.c). */
    if ((rc = vr_xml_attr_enum(n, "arch", ATTRS("x86_64", "i686"), &i, st->err)) < 0)
        return -1;
    char *machine = vr_xml_attr(n, "machine");
    if (machine && !valid_machine(machine)) {
        vr_xml_error(n, st->err, "<type machine='%s'> is not supported by Vireo (supported: pc, "
                     "q35, pc-i440fx-*, pc-q35-*)", machine);
        free(machine);
        return -1;
    }
    os->machine = machine;
    os->arch = vr_strdup(rc && i == 1 ? "i686" : "x86_64");
    return vr_xml_text_enum(n, ATTRS("hvm"), &i, st->err) < 0 ? -1 : 0;
}

static int parse_os_boot(vr_parse_state *st, const xmlNode *n)
{
    vr_os_def *os = &st->def->os;
    if (vr_xml_check_attrs(n, ATTRS("dev"), st->err) < 0 || vr_xml_check_empty(n, st->err) < 0)
        return -1;
    int i;
    int rc = vr_xml_attr_enum(n, "dev", vr_boot_dev_names, &i, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<boot> needs a dev");
    for (size_t k = 0; k < os->n_boot_devs; k++)
        if (os->boot_devs[k] == (vr_boot_dev)i)
            return vr_xml_error(n, st->err, "<boot dev='%s'> is given twice", vr_boot_dev_names[i]);
    os->boot_devs[os->n_boot_devs++] = (vr_boot_dev)i;
    return 0;
}

static int parse_loader(vr_parse_state *st, const xmlNode *n)
{
    vr_os_def *os = &st->def->os;
    bool secure = false;
    int rc_secure;
    if (vr_xml_check_attrs(n, ATTRS("readonly", "type", "secure"), st->err) < 0)
        return -1;
    if (vr_xml_attr_bool(n, "readonly", "yes", "no", &os->loader.readonly, st->err) < 0 ||
        (rc_secure = vr_xml_attr_bool(n, "secure", "yes", "no", &secure, st->err)) < 0)
        return -1;
    if (rc_secure)
        os->loader.secure = secure ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
    int t;
    int rc = vr_xml_attr_enum(n, "type", ATTRS("pflash", "rom"), &t, st->err);
    if (rc < 0)
        return -1;
    /* No type: libvirt maps the file like -bios does. */
    os->loader.type = rc ? (vr_loader_type)(t + 1) : VR_LOADER_ROM;
    return path_text(st, n, &os->loader.path);
}

static int parse_nvram(vr_parse_state *st, const xmlNode *n)
{
    vr_os_def *os = &st->def->os;
    if (vr_xml_check_attrs(n, ATTRS("template"), st->err) < 0)
        return -1;
    char *tmpl = vr_xml_attr(n, "template");
    if (tmpl) {
        os->nvram_template = tmpl;
        if (vr_parse_abs_path(st, n, "<nvram template>", tmpl) < 0)
            return -1;
    }
    char *text;
    if (vr_xml_text(n, true, &text, st->err) < 0)
        return -1;
    if (!*text) {
        free(text);
        return vr_xml_error(n, st->err, "<nvram> needs the path of the variable store");
    }
    os->nvram = text;
    return vr_parse_abs_path(st, n, "<nvram>", text);
}

static int parse_bootmenu(vr_parse_state *st, const xmlNode *n)
{
    vr_os_def *os = &st->def->os;
    if (os->bootmenu)
        return vr_parse_duplicate(n, st->err);
    bool on;
    unsigned long long ms;
    int rc;
    if (vr_xml_check_attrs(n, ATTRS("enable", "timeout"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0 ||
        (rc = vr_xml_attr_bool(n, "enable", "yes", "no", &on, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<bootmenu> needs enable='yes' or 'no'");
    os->bootmenu = on ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
    if ((rc = vr_xml_attr_uint(n, "timeout", 0, 65535, &ms, st->err)) < 0)
        return -1;
    os->bootmenu_timeout = rc ? (unsigned)ms : 0;
    return 0;
}

static int parse_bios(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, ATTRS("useserial"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    return vr_xml_attr_bool(n, "useserial", "yes", "no", &st->def->os.bios_useserial, st->err) < 0
               ? -1 : 0;
}

/* <smbios mode>: host (the host's own tables) would need reading the
 * host's DMI, which Vireo does not; emulate is QEMU's own, sysinfo the
 * <sysinfo> element's. */
static int parse_smbios(vr_parse_state *st, const xmlNode *n)
{
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("mode"), st->err) < 0 || vr_xml_check_empty(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "mode", vr_smbios_mode_names + 1, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<smbios> needs mode='emulate' or 'sysinfo'");
    st->def->os.smbios = (vr_smbios_mode)(i + 1);
    return 0;
}

static int parse_os(vr_parse_state *st, const xmlNode *n)
{
    vr_os_def *os = &st->def->os;
    if (vr_xml_check_attrs(n, ATTRS("firmware"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int fw;
    if (vr_xml_attr_enum(n, "firmware", ATTRS("efi", "bios"), &fw, st->err) < 0)
        return -1;
    os->firmware = vr_xml_attr(n, "firmware");
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "type"))
            rc = os->arch ? vr_parse_duplicate(c, st->err) : parse_os_type(st, c);
        else if (vr_xml_is(c, "boot"))
            rc = parse_os_boot(st, c);
        else if (vr_xml_is(c, "kernel"))
            rc = os->kernel ? vr_parse_duplicate(c, st->err)
                            : vr_parse_path_leaf(st, c, &os->kernel);
        else if (vr_xml_is(c, "initrd"))
            rc = os->initrd ? vr_parse_duplicate(c, st->err)
                            : vr_parse_path_leaf(st, c, &os->initrd);
        else if (vr_xml_is(c, "cmdline"))
            rc = os->cmdline ? vr_parse_duplicate(c, st->err)
                             : vr_parse_leaf_text(st, c, false, &os->cmdline);
        else if (vr_xml_is(c, "loader"))
            rc = os->loader.path ? vr_parse_duplicate(c, st->err) : parse_loader(st, c);
        else if (vr_xml_is(c, "nvram"))
            rc = os->nvram ? vr_parse_duplicate(c, st->err) : parse_nvram(st, c);
        else if (vr_xml_is(c, "firmware"))
            rc = vr_parse_os_firmware(st, c);
        else if (vr_xml_is(c, "bootmenu"))
            rc = parse_bootmenu(st, c);
        else if (vr_xml_is(c, "bios"))
            rc = parse_bios(st, c);
        else if (vr_xml_is(c, "smbios"))
            rc = os->smbios ? vr_parse_duplicate(c, st->err) : parse_smbios(st, c);
        else
            rc = vr_xml_unsupported(c, st->err);
        if (rc < 0)
            return -1;
    }
    if (!os->arch)
        return vr_xml_error(n, st->err, "<os> needs <type>hvm</type>");
    if ((os->initrd || os->cmdline) && !os->kernel)
        return vr_xml_error(n, st->err, "<initrd> and <cmdline> need a <kernel>");
    if (os->nvram && os->loader.type != VR_LOADER_PFLASH)
        return vr_xml_error(n, st->err, "<nvram> needs a <loader type='pflash'>");
    return 0;
}

/* ---- <features>, <cpu>, <clock>, <pm>, <seclabel> ------------------------ */

int vr_parse_flag(vr_parse_state *st, const xmlNode *n, bool *out)
{
    if (*out)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_empty(n, st->err) < 0)
        return -1;
    *out = true;
    return 0;
}

/* <X state='on|off'/> */
static int parse_state(vr_parse_state *st, const xmlNode *n, vr_tristate *out)
{
    bool on = false;
    int rc;
    if (vr_xml_check_attrs(n, ATTRS("state"), st->err) < 0 || vr_xml_check_empty(n, st->err) < 0 ||
        (rc = vr_xml_attr_bool(n, "state", "on", "off", &on, st->err)) < 0)
        return -1;
    /* <smm/> alone means on, as in libvirt. */
    *out = rc == 0 || on ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
    return 0;
}

/* <kvm><hidden state='on'/></kvm>: the KVM signature hidden from the
 * guest (QEMU's kvm=off). */
static int parse_kvm(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "hidden"))
            return vr_xml_unsupported(c, st->err);
        if (st->def->features.kvm_hidden)
            return vr_parse_duplicate(c, st->err);
        if (parse_state(st, c, &st->def->features.kvm_hidden) < 0)
            return -1;
    }
    return 0;
}

static int parse_features(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "acpi")) {
            rc = vr_parse_flag(st, c, &def->features.acpi);
        } else if (vr_xml_is(c, "apic")) {
            rc = vr_parse_flag(st, c, &def->features.apic);
        } else if (vr_xml_is(c, "pae")) {
            rc = vr_parse_flag(st, c, &def->features.pae);
        } else if (vr_xml_is(c, "vmport")) {
            bool on = false;
            if (def->features.vmport)
                rc = vr_parse_duplicate(c, st->err);
            else if (vr_xml_check_attrs(c, ATTRS("state"), st->err) < 0 ||
                     vr_xml_check_empty(c, st->err) < 0)
                rc = -1;
            else if ((rc = vr_xml_attr_bool(c, "state", "on", "off", &on, st->err)) == 0)
                rc = vr_xml_error(c, st->err, "<vmport> needs state='on' or 'off'");
            if (rc > 0) {
                def->features.vmport = on ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
                rc = 0;
            }
        } else if (vr_xml_is(c, "ioapic")) {
            rc = vr_parse_ioapic(st, c);
        } else if (vr_xml_is(c, "smm")) {
            rc = def->features.smm ? vr_parse_duplicate(c, st->err)
                                   : parse_state(st, c, &def->features.smm);
        } else if (vr_xml_is(c, "kvm")) {
            rc = def->features.kvm_hidden ? vr_parse_duplicate(c, st->err) : parse_kvm(st, c);
        } else if (vr_xml_is(c, "hyperv")) {
            rc = vr_parse_hyperv(st, c);
        } else {
            rc = vr_xml_unsupported(c, st->err);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int parse_topology(vr_parse_state *st, const xmlNode *n)
{
    vr_cpu_def *cpu = &st->def->cpu;
    if (cpu->sockets)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("sockets", "dies", "cores", "threads"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    const char *names[] = {"sockets", "dies", "cores", "threads"};
    unsigned *fields[] = {&cpu->sockets, &cpu->dies, &cpu->cores, &cpu->threads};
    for (int i = 0; i < 4; i++) {
        unsigned long long v;
        int rc = vr_xml_attr_uint(n, names[i], 1, VR_MAX_VCPUS, &v, st->err);
        if (rc < 0)
            return -1;
        if (rc == 0 && i != 1)
            return vr_xml_error(n, st->err, "<topology> needs %s", names[i]);
        *fields[i] = rc ? (unsigned)v : 1;
    }
    return 0;
}

static int parse_cpu_model(vr_parse_state *st, const xmlNode *n)
{
    vr_cpu_def *cpu = &st->def->cpu;
    if (cpu->model)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("fallback"), st->err) < 0)
        return -1;
    int i, rc = vr_xml_attr_enum(n, "fallback", ATTRS("allow", "forbid"), &i, st->err);
    if (rc < 0)
        return -1;
    cpu->fallback_forbid = rc && i == 1;
    char *model;
    if (vr_xml_text(n, true, &model, st->err) < 0)
        return -1;
    cpu->model = model;
    if (!*model || strpbrk(model, ", =")) {
        vr_xml_error(n, st->err, "<model>%s</model> is not a CPU model name", model);
        return -1;
    }
    return 0;
}

static int parse_cpu_feature(vr_parse_state *st, const xmlNode *n)
{
    vr_cpu_def *cpu = &st->def->cpu;
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("policy", "name"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "policy", vr_feature_policy_names, &i, st->err)) < 0)
        return -1;
    char *name = vr_xml_attr(n, "name");
    if (!name || !*name || strpbrk(name, ", =+")) {
        rc = vr_xml_error(n, st->err, "<feature> needs the name of a CPU feature");
        free(name);
        return rc;
    }
    for (size_t k = 0; k < cpu->n_features; k++)
        if (strcmp(cpu->features[k].name, name) == 0) {
            free(name);
            return vr_xml_error(n, st->err, "<feature name='%s'> is given twice",
                                cpu->features[k].name);
        }
    vr_cpu_feature *f = VR_PUSH(cpu->features, cpu->n_features);
    f->name = name;
    f->policy = rc ? (vr_feature_policy)i : VR_FEATURE_REQUIRE;
    return 0;
}

static int parse_cpu(vr_parse_state *st, const xmlNode *n)
{
    vr_cpu_def *cpu = &st->def->cpu;
    if (vr_xml_check_attrs(n, ATTRS("mode", "check", "migratable", "match"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i;
    int rc = vr_xml_attr_enum(n, "mode", vr_cpu_mode_names + 1, &i, st->err);
    if (rc < 0)
        return -1;
    cpu->mode = rc ? (vr_cpu_mode)(i + 1) : VR_CPU_NONE;
    if ((rc = vr_xml_attr_enum(n, "match", vr_cpu_match_names + 1, &i, st->err)) < 0)
        return -1;
    cpu->match = rc ? (vr_cpu_match)(i + 1) : VR_CPU_MATCH_DEFAULT;
    if ((rc = vr_xml_attr_enum(n, "check", vr_cpu_check_names + 1, &i, st->err)) < 0)
        return -1;
    cpu->check = rc ? (vr_cpu_check)(i + 1) : VR_CPU_CHECK_DEFAULT;
    bool on;
    if ((rc = vr_xml_attr_bool(n, "migratable", "on", "off", &on, st->err)) < 0)
        return -1;
    cpu->migratable = rc ? (on ? VR_TRISTATE_ON : VR_TRISTATE_OFF) : VR_TRISTATE_DEFAULT;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "topology"))
            rc = parse_topology(st, c);
        else if (vr_xml_is(c, "model"))
            rc = parse_cpu_model(st, c);
        else if (vr_xml_is(c, "feature"))
            rc = parse_cpu_feature(st, c);
        else if (vr_xml_is(c, "numa"))
            rc = vr_parse_numa(st, c);
        else
            rc = vr_xml_unsupported(c, st->err);
        if (rc < 0)
            return -1;
    }
    /* libvirt: a <model> without a mode is custom. */
    if (cpu->mode == VR_CPU_NONE && (cpu->model || cpu->n_features))
        cpu->mode = VR_CPU_CUSTOM;
    /* A custom one without <model> gets the default model (domain_defaults.c). */
    if (cpu->model && cpu->mode != VR_CPU_CUSTOM)
        return vr_xml_error(n, st->err, "<model> goes with <cpu mode='custom'>, not '%s'",
                            vr_cpu_mode_names[cpu->mode]);
    if (cpu->n_features && cpu->mode != VR_CPU_CUSTOM && cpu->mode != VR_CPU_HOST_MODEL &&
        cpu->mode != VR_CPU_HOST_PASSTHROUGH && cpu->mode != VR_CPU_MAXIMUM)
        return vr_xml_error(n, st->err, "<feature> needs a CPU mode");
    return 0;
}

static int parse_timer(vr_parse_state *st, const xmlNode *n, unsigned *seen)
{
    vr_clock_def *clock = &st->def->clock;
    int name;
    int rc = vr_xml_attr_enum(n, "name", ATTRS("rtc", "pit", "hpet", "hypervclock"), &name,
                              st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<timer> needs a name");
    if (*seen & (1u << name))
        return vr_xml_error(n, st->err, "<timer name='%s'> is given twice",
                            name == 0 ? "rtc" : name == 1 ? "pit" : name == 2 ? "hpet"
                                                                          : "hypervclock");
    *seen |= 1u << name;
    if (vr_xml_check_empty(n, st->err) < 0)
        return -1;
    int t;
    if (name == 0) {
        if (vr_xml_check_attrs(n, ATTRS("name", "tickpolicy"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_enum(n, "tickpolicy", ATTRS("delay", "catchup"), &t, st->err)) < 0)
            return -1;
        clock->rtc_tickpolicy = rc ? (t == 0 ? VR_TICK_DELAY : VR_TICK_CATCHUP) : VR_TICK_DEFAULT;
    } else if (name == 1) {
        if (vr_xml_check_attrs(n, ATTRS("name", "tickpolicy"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_enum(n, "tickpolicy", ATTRS("delay", "discard"), &t, st->err)) < 0)
            return -1;
        clock->pit_tickpolicy = rc ? (t == 0 ? VR_TICK_DELAY : VR_TICK_DISCARD) : VR_TICK_DEFAULT;
    } else {
        if (vr_xml_check_attrs(n, ATTRS("name", "present"), st->err) < 0)
            return -1;
        bool on;
        if ((rc = vr_xml_attr_bool(n, "present", "yes", "no", &on, st->err)) < 0)
            return -1;
        vr_tristate *present = name == 2 ? &clock->hpet : &clock->hypervclock;
        *present = rc ? (on ? VR_TRISTATE_ON : VR_TRISTATE_OFF) : VR_TRISTATE_DEFAULT;
    }
    return 0;
}

static int parse_clock(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, ATTRS("offset"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i;
    int rc = vr_xml_attr_enum(n, "offset", vr_clock_offset_names, &i, st->err);
    if (rc < 0)
        return -1;
    st->def->clock.offset = rc ? (vr_clock_offset)i : VR_CLOCK_UTC;
    unsigned seen = 0;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "timer"))
            return vr_xml_unsupported(c, st->err);
        if (parse_timer(st, c, &seen) < 0)
            return -1;
    }
    return 0;
}

static int parse_pm(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        vr_tristate *t;
        if (vr_xml_is(c, "suspend-to-mem"))
            t = &st->def->pm.suspend_to_mem;
        else if (vr_xml_is(c, "suspend-to-disk"))
            t = &st->def->pm.suspend_to_disk;
        else
            return vr_xml_unsupported(c, st->err);
        if (*t)
            return vr_parse_duplicate(c, st->err);
        if (vr_xml_check_attrs(c, ATTRS("enabled"), st->err) < 0 ||
            vr_xml_check_empty(c, st->err) < 0)
            return -1;
        bool on;
        int rc = vr_xml_attr_bool(c, "enabled", "yes", "no", &on, st->err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(c, st->err, "<%s> needs enabled='yes' or 'no'",
                                (const char *)c->name);
        *t = on ? VR_TRISTATE_ON : VR_TRISTATE_OFF;
    }
    return 0;
}

/* Vireo applies no security labels, so the only truthful label is none. */
static int parse_seclabel(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, ATTRS("type"), st->err) < 0 || vr_xml_check_empty(n, st->err) < 0)
        return -1;
    int i;
    int rc = vr_xml_attr_enum(n, "type", ATTRS("none"), &i, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<seclabel> needs type='none' (Vireo applies no "
                            "security labels)");
    st->def->seclabel_none = true;
    return 0;
}

/* ---- <sysinfo type='smbios'> ------------------------------------------------ */

/* The tables QEMU's -smbios fills from named fields, and their names. */
static const struct {
    const char *table;
    const char *const *names;
} smbios_tables[] = {
    {"bios", (const char *const[]){"vendor", "version", "date", "release", NULL}},
    {"system", (const char *const[]){"manufacturer", "product", "version", "serial", "uuid", "sku",
                                     "family", NULL}},
    {"baseBoard", (const char *const[]){"manufacturer", "product", "version", "serial", "asset",
                                        "location", NULL}},
    {"chassis", (const char *const[]){"manufacturer", "version", "serial", "asset", "sku", NULL}},
};

static int parse_sysinfo_table(vr_parse_state *st, const xmlNode *n, size_t t)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    for (xmlNode *e = vr_xml_first(n); e; e = vr_xml_next(e)) {
        int i, rc;
        if (!vr_xml_is(e, "entry"))
            return vr_xml_unsupported(e, st->err);
        if (vr_xml_check_attrs(e, ATTRS("name"), st->err) < 0 ||
            (rc = vr_xml_attr_enum(e, "name", smbios_tables[t].names, &i, st->err)) < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(e, st->err, "<entry> needs a name");
        char *value;
        if (vr_xml_text(e, true, &value, st->err) < 0)
            return -1;
        vr_domain_def *def = st->def;
        for (size_t k = 0; k < def->n_smbios; k++)
            if (strcmp(def->smbios[k].table, smbios_tables[t].table) == 0 &&
                strcmp(def->smbios[k].name, smbios_tables[t].names[i]) == 0) {
                free(value);
                return vr_xml_error(e, st->err, "<%s><entry name='%s'> is given twice",
                                    smbios_tables[t].table, smbios_tables[t].names[i]);
            }
        vr_smbios_entry *s = VR_PUSH(def->smbios, def->n_smbios);
        s->table = vr_strdup(smbios_tables[t].table);
        s->name = vr_strdup(smbios_tables[t].names[i]);
        s->value = value;
    }
    return 0;
}

static int parse_sysinfo(vr_parse_state *st, const xmlNode *n)
{
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("type"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", ATTRS("smbios"), &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<sysinfo> needs type='smbios'");
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        size_t t = 0;
        while (t < VR_ARRAY_LEN(smbios_tables) && !vr_xml_is(c, smbios_tables[t].table))
            t++;
        if (t == VR_ARRAY_LEN(smbios_tables))
            return vr_xml_unsupported(c, st->err);
        if (parse_sysinfo_table(st, c, t) < 0)
            return -1;
    }
    return 0;
}

/* ---- <domain> ------------------------------------------------------------- */

/* Each may appear once. <devices> is read last, whatever its place in
 * the document, because device defaults depend on the machine type. */
static const struct {
    const char *name;
    vr_parse_fn fn;
} domain_parsers[] = {
    {"name", parse_name},
    {"uuid", parse_uuid},
    {"title", parse_title},
    {"description", parse_description},
    {"metadata", parse_metadata},
    {"memory", parse_memory},
    {"maxMemory", parse_max_memory},
    {"currentMemory", parse_current_memory},
    {"memoryBacking", vr_parse_memory_backing},
    {"sysinfo", parse_sysinfo},
    {"vcpu", parse_vcpu},
    {"iothreads", vr_parse_iothreads},
    {"iothreadids", vr_parse_iothreadids},
    {"cputune", vr_parse_cputune},
    {"numatune", vr_parse_numatune},
    {"os", parse_os},
    {"features", parse_features},
    {"cpu", parse_cpu},
    {"clock", parse_clock},
    {"on_poweroff", parse_on_poweroff},
    {"on_reboot", parse_on_reboot},
    {"on_crash", parse_on_crash},
    {"pm", parse_pm},
    {"seclabel", parse_seclabel},
    {"devices", vr_parse_devices},
};

int vr_domain_parse_tree(const xmlNode *root, vr_domain_def *def, char **err)
{
    vr_parse_state st = {.def = def, .err = err};
    int t;
    if (vr_xml_check_attrs(root, ATTRS("type"), err) < 0 || vr_xml_check_no_text(root, err) < 0)
        return -1;
    int rc = vr_xml_attr_enum(root, "type", vr_virt_type_names, &t, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(root, err, "<domain> needs type='kvm' or type='qemu'");
    def->type = (vr_virt_type)t;
    def->vcpus = 1;
    def->on_poweroff = VR_LIFECYCLE_DESTROY;
    def->on_reboot = VR_LIFECYCLE_RESTART;
    def->on_crash = VR_LIFECYCLE_DESTROY;

    const xmlNode *seen[VR_ARRAY_LEN(domain_parsers)] = {0};
    for (xmlNode *c = vr_xml_first(root); c; c = vr_xml_next(c)) {
        size_t i = 0;
        while (i < VR_ARRAY_LEN(domain_parsers) && !vr_xml_is(c, domain_parsers[i].name))
            i++;
        if (i == VR_ARRAY_LEN(domain_parsers))
            return vr_xml_unsupported(c, err);
        if (seen[i])
            return vr_parse_duplicate(c, err);
        seen[i] = c;
    }
    for (size_t i = 0; i < VR_ARRAY_LEN(domain_parsers); i++)
        if (seen[i] && domain_parsers[i].fn != vr_parse_devices &&
            domain_parsers[i].fn(&st, seen[i]) < 0)
            return -1;

    if (!def->name)
        return vr_xml_error(root, err, "<domain> needs a <name>");
    if (!st.have_memory)
        return vr_xml_error(root, err, "<domain> needs a <memory>");
    if (!def->os.arch)
        return vr_xml_error(root, err, "<domain> needs <os><type>hvm</type></os>");
    if (!def->os.machine)
        def->os.machine = vr_strdup(VR_DEFAULT_MACHINE);
    const vr_cpu_def *cpu = &def->cpu;
    if (cpu->sockets && cpu->sockets * cpu->dies * cpu->cores * cpu->threads != def->vcpus) {
        size_t i = 0;
        while (domain_parsers[i].fn != parse_cpu)
            i++;
        return vr_xml_error(seen[i], err, "<topology> gives %u sockets x %u dies x %u cores x "
                            "%u threads = %u vCPUs, but <vcpu> is %u", cpu->sockets, cpu->dies,
                            cpu->cores, cpu->threads,
                            cpu->sockets * cpu->dies * cpu->cores * cpu->threads, def->vcpus);
    }
    if (!def->vcpus_current)
        def->vcpus_current = def->vcpus;
    /* QEMU wants room above the start size when it is given slots. */
    if (def->max_memory_kib && def->max_memory_kib <= def->memory_kib)
        return vr_dom_error(st.max_memory_line, err, "<maxMemory> (%llu KiB) must be more than "
                            "<memory> (%llu KiB)", def->max_memory_kib, def->memory_kib);
    if (!st.have_current)
        def->current_memory_kib = def->memory_kib;
    else if (def->current_memory_kib > def->memory_kib)
        return vr_dom_error(st.current_line, err, "<currentMemory> (%llu KiB) is more than "
                            "<memory> (%llu KiB)", def->current_memory_kib, def->memory_kib);

    size_t devices = VR_ARRAY_LEN(domain_parsers) - 1;
    if (seen[devices] && vr_parse_devices(&st, seen[devices]) < 0)
        return -1;
    return 0;
}
