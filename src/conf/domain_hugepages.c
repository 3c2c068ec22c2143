/* <memoryBacking><hugepages>: the guest's RAM in huge pages -- the
 * host's default size (<hugepages/>), or the one <page size unit> names,
 * for the guest cells its nodeset lists (all when none). One size per
 * domain: Vireo backs each cell with one kind of page. The QEMU driver
 * asks memfd for hugetlb pages of that size and checks before a start
 * that the host has them reserved (qemu_tune.c). */
#include "conf/domain_tune_priv.h"
#include "conf/units.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static int parse_page(vr_parse_state *st, const xmlNode *c, vr_memory_backing *mb)
{
    unsigned long long size, bytes;
    if (mb->hugepage_kib)
        return vr_xml_error(c, st->err, "a second <page>: Vireo backs the guest with one huge page size; "
                            "give one <page size> (and its nodeset)");
    if (vr_xml_check_attrs(c, ATTRS("size", "unit", "nodeset"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
        return -1;
    int rc = vr_xml_attr_uint(c, "size", 1, ~0ULL, &size, st->err);
    if (rc <= 0)
        return rc < 0 ? -1 : vr_xml_error(c, st->err, "<page> needs size='N' (and unit, KiB by default)");
    char *unit = vr_xml_attr(c, "unit"), *e = NULL;
    rc = vr_units_to_bytes(size, unit, 1024, "<page size>", &bytes, &e);
    free(unit);
    if (rc < 0) {
        vr_xml_error(c, st->err, "%s", e);
        free(e);
        return -1;
    }
    /* x86's huge pages are 2 MiB and 1 GiB; any power of two of 64 KiB
     * or more is taken here and checked against the host at start. */
    if (bytes < 65536 || (bytes & (bytes - 1)))
        return vr_xml_error(c, st->err, "<page size='%llu'> is no huge page size (x86: 2048 KiB or 1 GiB)", size);
    mb->hugepage_kib = bytes / 1024;
    mb->hugepage_nodeset = vr_xml_attr(c, "nodeset");
    if (mb->hugepage_nodeset && !vr_cpulist_valid(mb->hugepage_nodeset))
        return vr_xml_error(c, st->err, "<page nodeset='%s'> is not a list of guest NUMA cells (as 0-1)",
                            mb->hugepage_nodeset);
    return 0;
}

int vr_parse_hugepages(vr_parse_state *st, const xmlNode *n, vr_memory_backing *mb)
{
    if (mb->hugepages)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    mb->hugepages = true;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "page"))
            return vr_xml_unsupported(c, st->err);
        if (parse_page(st, c, mb) < 0)
            return -1;
    }
    return 0;
}

/* A page nodeset names guest cells (libvirt's check). */
int vr_domain_hugepages_complete(const vr_domain_def *def, char **err)
{
    const char *p = def->mem_backing.hugepage_nodeset;
    unsigned long lo, hi;
    bool exclude;
    while (p && vr_cpulist_next(&p, &lo, &hi, &exclude)) {
        for (unsigned long id = lo; id <= hi && !exclude; id++) {
            bool found = false;
            for (size_t c = 0; c < def->n_numa_cells && !found; c++)
                found = def->numa_cells[c].id == id;
            if (!found)
                return vr_dom_error(def->mem_backing.line, err, "<hugepages><page nodeset='%s'>: the domain has "
                                    "no <cpu><numa><cell id='%lu'>", def->mem_backing.hugepage_nodeset, id);
        }
    }
    return 0;
}

void vr_format_hugepages(xmlNode *backing, const vr_memory_backing *mb)
{
    xmlNode *h = vr_xml_new_child(backing, "hugepages");
    if (!mb->hugepage_kib)
        return;
    xmlNode *p = vr_xml_new_child(h, "page");
    vr_xml_new_propf(p, "size", "%llu", mb->hugepage_kib);
    vr_xml_new_prop(p, "unit", "KiB");
    if (mb->hugepage_nodeset)
        vr_xml_new_prop(p, "nodeset", mb->hugepage_nodeset);
}

/* Whether guest cell `cellid` (-1: RAM outside cells) is in huge pages. */
bool vr_domain_cell_hugepages(const vr_domain_def *def, int cellid)
{
    const vr_memory_backing *mb = &def->mem_backing;
    if (!mb->hugepages)
        return false;
    if (!mb->hugepage_nodeset || cellid < 0)
        return true;
    const char *p = mb->hugepage_nodeset;
    unsigned long lo, hi;
    bool exclude, in = false;
    while (vr_cpulist_next(&p, &lo, &hi, &exclude))
        if ((unsigned long)cellid >= lo && (unsigned long)cellid <= hi)
            in = !exclude;
    return in;
}
