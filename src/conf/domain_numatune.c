/* <numatune>: the host NUMA nodes the guest's memory comes from.
 * <memory mode nodeset> for all of it, <memnode cellid mode nodeset>
 * for one guest cell (<cpu><numa><cell>). libvirt's forms and checks;
 * the QEMU driver puts them on the memory backends as host-nodes and
 * policy (qemu_command_memory.c). placement='auto' asks numad, which
 * Vireo does not run: refused with what to give instead. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

const char *const vr_numatune_mode_names[] = {"strict", "preferred", "interleave", "restrictive", NULL};

/* mode (strict when absent) and nodeset of <memory> or <memnode>. */
static int mode_and_nodeset(vr_parse_state *st, const xmlNode *n, vr_numatune_mode *mode, char **nodeset)
{
    int m = 0;
    if (vr_xml_attr_enum(n, "mode", vr_numatune_mode_names, &m, st->err) < 0)
        return -1;
    *mode = (vr_numatune_mode)m;
    char *placement = vr_xml_attr(n, "placement");
    bool automatic = placement && strcmp(placement, "auto") == 0;
    bool bad = placement && !automatic && strcmp(placement, "static") != 0;
    free(placement);
    if (automatic)
        return vr_xml_error(n, st->err, "<%s placement='auto'> asks numad for the nodes, which Vireo does "
                            "not run; give nodeset='...' (the host's nodes: /sys/devices/system/node)",
                            (const char *)n->name);
    if (bad)
        return vr_xml_error(n, st->err, "<%s placement> is 'static' or 'auto'", (const char *)n->name);
    *nodeset = vr_xml_attr(n, "nodeset");
    if (!*nodeset)
        return vr_xml_error(n, st->err, "<%s> needs nodeset='...' (host NUMA nodes, as 0 or 0-1)",
                            (const char *)n->name);
    if (!vr_cpulist_valid(*nodeset))
        return vr_xml_error(n, st->err, "<%s nodeset='%s'> is not a node list (as 0-1,3)", (const char *)n->name,
                            *nodeset);
    return 0;
}

int vr_parse_numatune(vr_parse_state *st, const xmlNode *n)
{
    vr_numatune *t = &st->def->numatune;
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    t->present = true;
    t->line = vr_xml_line(n);
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "memory")) {
            if (t->memory)
                return vr_parse_duplicate(c, st->err);
            t->memory = true;
            if (vr_xml_check_attrs(c, ATTRS("mode", "nodeset", "placement"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0 || mode_and_nodeset(st, c, &t->mode, &t->nodeset) < 0)
                return -1;
        } else if (vr_xml_is(c, "memnode")) {
            vr_memnode *m = VR_PUSH(t->memnodes, t->n_memnodes);
            unsigned long long id;
            int rc;
            if (vr_xml_check_attrs(c, ATTRS("cellid", "mode", "nodeset"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0 ||
                (rc = vr_xml_attr_uint(c, "cellid", 0, 255, &id, st->err)) < 0)
                return -1;
            if (rc == 0)
                return vr_xml_error(c, st->err, "<memnode> needs cellid='N' (a <cell id> of <cpu><numa>)");
            m->cellid = (unsigned)id;
            if (mode_and_nodeset(st, c, &m->mode, &m->nodeset) < 0)
                return -1;
            for (size_t i = 0; i + 1 < t->n_memnodes; i++)
                if (t->memnodes[i].cellid == m->cellid)
                    return vr_xml_error(c, st->err, "<memnode cellid='%u'> given twice", m->cellid);
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    return 0;
}

/* libvirt's checks across elements: each memnode names a guest cell. */
int vr_domain_numatune_complete(const vr_domain_def *def, char **err)
{
    const vr_numatune *t = &def->numatune;
    for (size_t i = 0; i < t->n_memnodes; i++) {
        const vr_memnode *m = &t->memnodes[i];
        bool found = false;
        for (size_t c = 0; c < def->n_numa_cells && !found; c++)
            found = def->numa_cells[c].id == m->cellid;
        if (!found)
            return vr_dom_error(t->line, err, "<memnode cellid='%u'>: the domain has no <cpu><numa><cell id='%u'>",
                                m->cellid, m->cellid);
        if (m->mode == VR_NUMATUNE_RESTRICTIVE && t->memory && t->mode != VR_NUMATUNE_RESTRICTIVE)
            return vr_dom_error(t->line, err, "<memnode cellid='%u' mode='restrictive'> needs <memory "
                                "mode='restrictive'> too (libvirt's rule)", m->cellid);
    }
    return 0;
}

const vr_memnode *vr_numatune_cell(const vr_domain_def *def, unsigned cellid)
{
    for (size_t i = 0; i < def->numatune.n_memnodes; i++)
        if (def->numatune.memnodes[i].cellid == cellid)
            return &def->numatune.memnodes[i];
    return NULL;
}

void vr_format_numatune(xmlNode *root, const vr_domain_def *def)
{
    const vr_numatune *t = &def->numatune;
    if (!t->present)
        return;
    xmlNode *n = vr_xml_new_child(root, "numatune");
    if (t->memory) {
        xmlNode *m = vr_xml_new_child(n, "memory");
        vr_xml_new_prop(m, "mode", vr_numatune_mode_names[t->mode]);
        vr_xml_new_prop(m, "nodeset", t->nodeset);
    }
    for (size_t i = 0; i < t->n_memnodes; i++) {
        xmlNode *m = vr_xml_new_child(n, "memnode");
        vr_xml_new_propf(m, "cellid", "%u", t->memnodes[i].cellid);
        vr_xml_new_prop(m, "mode", vr_numatune_mode_names[t->memnodes[i].mode]);
        vr_xml_new_prop(m, "nodeset", t->memnodes[i].nodeset);
    }
}

void vr_domain_numatune_free(vr_domain_def *def)
{
    free(def->numatune.nodeset);
    for (size_t i = 0; i < def->numatune.n_memnodes; i++)
        free(def->numatune.memnodes[i].nodeset);
    free(def->numatune.memnodes);
}
