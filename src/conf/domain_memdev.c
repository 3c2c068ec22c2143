/* <memory model='dimm'>: memory the guest gets as a pc-dimm, at boot or
 * hot-plugged, within <maxMemory slots>. As in libvirt, <memory> counts
 * the DIMMs too (QEMU's -m size is <memory> less the DIMMs), sizes are
 * whole 2 MiB (rounded up), and each DIMM has a slot, the lowest free one
 * when the XML gives none. */
#include "conf/domain_device.h"
#include "conf/domain_tune_priv.h"
#include "conf/units.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIMM_ALIGN_KIB 2048ULL

static int parse_size(vr_parse_state *st, const xmlNode *n, vr_memdev_def *m)
{
    if (m->size_kib)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("unit"), st->err) < 0)
        return -1;
    char *text, *unit = vr_xml_attr(n, "unit"), *e = NULL;
    if (vr_xml_text(n, true, &text, st->err) < 0) {
        free(unit);
        return -1;
    }
    unsigned long long v, bytes;
    int rc = 0;
    if (!vr_xml_parse_ull(text, 1, ~0ULL, 10, &v))
        rc = vr_xml_error(n, st->err, "<size>%s</size> is not a number", text);
    else if (vr_units_to_bytes(v, unit, 1024, "<memory model='dimm'><size>", &bytes, &e) < 0)
        rc = vr_xml_error(n, st->err, "%s", e);
    else if (bytes / 1024 > VR_MAX_MEMORY_KIB)
        rc = vr_xml_error(n, st->err, "<size>%s</size> is more than the maximum of 16 TiB", text);
    else
        m->size_kib = (bytes / 1024 + DIMM_ALIGN_KIB - 1) / DIMM_ALIGN_KIB * DIMM_ALIGN_KIB;
    free(e);
    free(text);
    free(unit);
    return rc;
}

static int parse_target(vr_parse_state *st, const xmlNode *n, vr_memdev_def *m)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    bool have_node = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "size")) {
            rc = parse_size(st, c, m);
        } else if (vr_xml_is(c, "node")) {
            char *text;
            unsigned long long v;
            rc = have_node ? vr_parse_duplicate(c, st->err) : vr_parse_leaf_text(st, c, true, &text);
            if (rc == 0) {
                if (!vr_xml_parse_ull(text, 0, 255, 10, &v))
                    rc = vr_xml_error(c, st->err, "<node>%s</node> is not a NUMA node number", text);
                m->node = (unsigned)v;
                free(text);
            }
            have_node = true;
        } else {
            rc = vr_xml_unsupported(c, st->err);
        }
        if (rc < 0)
            return -1;
    }
    if (!m->size_kib)
        return vr_xml_error(n, st->err, "<memory model='dimm'><target> needs a <size>");
    return 0;
}

static int parse_dimm_address(vr_parse_state *st, const xmlNode *n, vr_memdev_def *m, bool *given)
{
    if (*given)
        return vr_parse_duplicate(n, st->err);
    *given = true;
    if (vr_xml_check_attrs(n, ATTRS("type", "slot", "base"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    int t;
    if (vr_xml_attr_enum(n, "type", ATTRS("dimm"), &t, st->err) <= 0)
        return vr_xml_error(n, st->err, "<memory model='dimm'> takes <address type='dimm'>");
    unsigned long long v;
    int rc = vr_xml_attr_uint(n, "slot", 0, 254, &v, st->err);
    if (rc < 0)
        return -1;
    if (rc)
        m->slot = (unsigned)v;
    if ((rc = vr_xml_attr_uint(n, "base", 1, ~0ULL, &v, st->err)) < 0)
        return -1;
    if (rc)
        m->base = v;
    return 0;
}

/* <alias name='dimmN'>, as the live XML gives it back; ua-... is refused
 * (domain_parse_devices.c) like any user alias. */
static int parse_alias(vr_parse_state *st, const xmlNode *n, vr_memdev_def *m)
{
    if (m->alias != VR_UNSET)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("name"), st->err) < 0 || vr_xml_check_empty(n, st->err) < 0)
        return -1;
    char *name = vr_xml_attr(n, "name");
    int rc = vr_memdev_alias_number(name, &m->alias);
    if (rc < 0)
        vr_xml_error(n, st->err, "<alias name='%s'>: a DIMM's alias is dimmN (user aliases are not "
                     "kept by Vireo; leave the alias out)", name ? name : "");
    free(name);
    return rc;
}

int vr_memdev_alias_number(const char *name, unsigned *n)
{
    unsigned long long v;
    if (!name || strncmp(name, "dimm", 4) != 0 || !vr_xml_parse_ull(name + 4, 0, 254, 10, &v))
        return -1;
    *n = (unsigned)v;
    return 0;
}

int vr_parse_memdev(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (vr_xml_check_attrs(n, ATTRS("model", "access", "discard"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i;
    if (vr_xml_attr_enum(n, "model", ATTRS("dimm"), &i, st->err) <= 0)
        return vr_xml_error(n, st->err, "<memory> needs model='dimm' (nvdimm, virtio-mem and "
                            "virtio-pmem are not supported by Vireo)");
    /* A DIMM's memory is the domain's: shared when the domain's is. */
    char *access = vr_xml_attr(n, "access"), *discard = vr_xml_attr(n, "discard");
    int rc = 0;
    if (access || discard)
        rc = vr_xml_error(n, st->err, "<memory model='dimm' %s=...> is not supported by Vireo (a "
                          "DIMM shares the domain's <memoryBacking>)", access ? "access" : "discard");
    free(access);
    free(discard);
    if (rc < 0)
        return -1;
    vr_memdev_def *m = VR_PUSH(def->memdevs, def->n_memdevs);
    m->line = vr_xml_line(n);
    m->slot = VR_UNSET;
    m->alias = VR_UNSET;
    bool have_target = false, have_addr = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "target"))
            rc = have_target ? vr_parse_duplicate(c, st->err) : parse_target(st, c, m);
        else if (vr_xml_is(c, "address"))
            rc = parse_dimm_address(st, c, m, &have_addr);
        else if (vr_xml_is(c, "alias"))
            rc = parse_alias(st, c, m);
        else
            rc = vr_xml_unsupported(c, st->err);
        have_target |= vr_xml_is(c, "target");
        if (rc < 0)
            return -1;
    }
    if (!have_target)
        return vr_xml_error(n, st->err, "<memory model='dimm'> needs a <target><size>");
    return 0;
}

/* The element on its own, parsed as in a definition; 0 on success. */
static int parse_element(const xmlNode *n, vr_memdev_def *out, char **err)
{
    vr_domain_def one = {0};
    vr_parse_state st = {.def = &one, .err = err};
    int rc = vr_parse_memdev(&st, n);
    if (rc == 0)
        *out = one.memdevs[0];
    free(one.memdevs);
    return rc;
}

unsigned long long vr_memdev_element_kib(const xmlNode *n)
{
    vr_memdev_def m;
    char *err = NULL;
    unsigned long long kib = parse_element(n, &m, &err) == 0 ? m.size_kib : 0;
    free(err);
    return kib;
}

int vr_memdev_find_element(const vr_domain_def *def, const xmlNode *n, size_t *index, char **err)
{
    vr_memdev_def want;
    if (parse_element(n, &want, err) < 0)
        return -1;
    int found = -1, matches = 0;
    for (size_t i = 0; i < def->n_memdevs; i++) {
        const vr_memdev_def *m = &def->memdevs[i];
        bool hit = want.alias != VR_UNSET  ? m->alias == want.alias
                   : want.slot != VR_UNSET ? m->slot == want.slot
                                           : m->size_kib == want.size_kib && m->node == want.node;
        if (hit) {
            found = (int)i;
            matches++;
        }
    }
    if (matches > 1)
        vr_set_error(err, "domain '%s' has %d DIMMs of %llu KiB on node %u: name one by its "
                     "<alias name='dimmN'/> (see dumpxml)", def->name, matches, want.size_kib, want.node);
    else if (!matches)
        vr_set_error(err, "domain '%s' has no such DIMM (dumpxml lists its <memory model='dimm'> "
                     "elements with their <alias>)", def->name);
    if (matches != 1)
        return -1;
    *index = (size_t)found;
    return 0;
}

/* An unset number: the lowest not in used[], which takes it. */
static void lowest_free(unsigned *v, unsigned char used[static 256])
{
    if (*v != VR_UNSET)
        return;
    unsigned s = 0;
    while (used[s])
        s++;
    *v = s;
    used[s] = 1;
}

int vr_domain_def_find_memdev(const vr_domain_def *def, const char *alias)
{
    unsigned a;
    if (vr_memdev_alias_number(alias, &a) < 0)
        return -1;
    for (size_t i = 0; i < def->n_memdevs; i++)
        if (def->memdevs[i].alias == a)
            return (int)i;
    return -1;
}

unsigned long long vr_domain_dimm_kib(const vr_domain_def *def)
{
    unsigned long long sum = 0;
    for (size_t i = 0; i < def->n_memdevs; i++)
        sum += def->memdevs[i].size_kib;
    return sum;
}

int vr_domain_memdevs_complete(vr_domain_def *def, char **err)
{
    if (!def->n_memdevs)
        return 0;
    const vr_memdev_def *first = &def->memdevs[0];
    if (!def->max_memory_kib)
        return vr_dom_error(first->line, err, "<memory model='dimm'> needs <maxMemory slots=...> "
                            "(the room QEMU keeps for memory devices)");
    if (def->n_memdevs > def->max_memory_slots)
        return vr_dom_error(def->memdevs[def->max_memory_slots].line, err, "%zu DIMMs, and "
                            "<maxMemory slots='%u'>", def->n_memdevs, def->max_memory_slots);
    unsigned long long dimms = vr_domain_dimm_kib(def);
    if (def->memory_kib <= dimms)
        return vr_dom_error(first->line, err, "<memory> (%llu KiB) counts the DIMMs (%llu KiB) "
                            "and must be more than them", def->memory_kib, dimms);
    if (def->memory_kib > def->max_memory_kib)
        return vr_dom_error(first->line, err, "<memory> with the DIMMs is %llu KiB, more than "
                            "<maxMemory> (%llu KiB)", def->memory_kib, def->max_memory_kib);
    unsigned nodes = def->n_numa_cells ? (unsigned)def->n_numa_cells : 1;
    unsigned char used[256] = {0}, aliases[256] = {0};
    for (size_t i = 0; i < def->n_memdevs; i++) {
        const vr_memdev_def *m = &def->memdevs[i];
        if (m->node >= nodes)
            return vr_dom_error(m->line, err, "<memory model='dimm'><node>%u</node>: the guest "
                                "has %u NUMA node%s (from 0; <cpu><numa> gives more)", m->node,
                                nodes, nodes > 1 ? "s" : "");
        if (m->alias != VR_UNSET && aliases[m->alias]++)
            return vr_dom_error(m->line, err, "<alias name='dimm%u'> is used twice", m->alias);
        if (m->slot == VR_UNSET)
            continue;
        if (m->slot >= def->max_memory_slots)
            return vr_dom_error(m->line, err, "<address type='dimm' slot='%u'>: <maxMemory> has "
                                "slots 0 to %u", m->slot, def->max_memory_slots - 1);
        if (used[m->slot]++)
            return vr_dom_error(m->line, err, "<address type='dimm' slot='%u'> is used twice",
                                m->slot);
    }
    for (size_t i = 0; i < def->n_memdevs; i++) {
        vr_memdev_def *m = &def->memdevs[i];
        lowest_free(&m->slot, used);
        lowest_free(&m->alias, aliases);
    }
    return 0;
}

void vr_format_memdevs(xmlNode *devs, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_memdevs; i++) {
        const vr_memdev_def *m = &def->memdevs[i];
        xmlNode *n = vr_xml_new_child(devs, "memory");
        vr_xml_new_prop(n, "model", "dimm");
        xmlNode *t = vr_xml_new_child(n, "target");
        char num[32];
        snprintf(num, sizeof(num), "%llu", m->size_kib);
        vr_xml_new_prop(vr_xml_new_text_child(t, "size", num), "unit", "KiB");
        snprintf(num, sizeof(num), "%u", m->node);
        vr_xml_new_text_child(t, "node", num);
        vr_xml_new_propf(vr_xml_new_child(n, "alias"), "name", "dimm%u", m->alias);
        xmlNode *a = vr_xml_new_child(n, "address");
        vr_xml_new_prop(a, "type", "dimm");
        vr_xml_new_propf(a, "slot", "%u", m->slot);
        if (m->base)
            vr_xml_new_propf(a, "base", "0x%llx", m->base);
    }
}
