/* <memory model='dimm'>: memory the guest gets as a pc-dimm, at boot or
 * hot-plugged, within <maxMemory slots>. As in libvirt, <memory> counts
 * the DIMMs too (QEMU's -m size is <memory> less the DIMMs), sizes are
 * whole 2 MiB (rounded up), and each DIMM has a slot, the lowest free one
 * when the XML gives none. */
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
    bool have_target = false, have_addr = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "target"))
            rc = have_target ? vr_parse_duplicate(c, st->err) : parse_target(st, c, m);
        else if (vr_xml_is(c, "address"))
            rc = parse_dimm_address(st, c, m, &have_addr);
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

unsigned long long vr_memdev_element_kib(const xmlNode *n)
{
    vr_domain_def one = {0};
    char *err = NULL;
    vr_parse_state st = {.def = &one, .err = &err};
    unsigned long long kib = vr_parse_memdev(&st, n) == 0 ? one.memdevs[0].size_kib : 0;
    free(one.memdevs);
    free(err);
    return kib;
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
    unsigned char used[256] = {0};
    for (size_t i = 0; i < def->n_memdevs; i++) {
        const vr_memdev_def *m = &def->memdevs[i];
        if (m->node >= nodes)
            return vr_dom_error(m->line, err, "<memory model='dimm'><node>%u</node>: the guest "
                                "has %u NUMA node%s (from 0; <cpu><numa> gives more)", m->node,
                                nodes, nodes > 1 ? "s" : "");
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
        if (m->slot != VR_UNSET)
            continue;
        unsigned s = 0;
        while (used[s])
            s++;
        m->slot = s;
        used[s] = 1;
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
        xmlNode *a = vr_xml_new_child(n, "address");
        vr_xml_new_prop(a, "type", "dimm");
        vr_xml_new_propf(a, "slot", "%u", m->slot);
        if (m->base)
            vr_xml_new_propf(a, "base", "0x%llx", m->base);
    }
}
