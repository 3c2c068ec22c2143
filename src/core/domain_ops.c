#include "core/domain_ops.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *vr_core_domain_name(const char *xml, char **err)
{
    /* Parsed here only to learn the name; the driver parses again and
     * owns the result. */
    vr_domain_def *def = vr_domain_def_parse(xml, strlen(xml), err);
    if (!def)
        return NULL;
    char *name = vr_strdup(def->name);
    vr_domain_def_free(def);
    return name;
}

const vr_domain_def *vr_core_domain_config(const vr_domain *dom)
{
    return dom->persistent ? (dom->next ? dom->next : dom->def) : NULL;
}

void vr_core_iface_leases(vr_net_driver *net, const vr_domain *dom, size_t i, vr_lease **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const vr_interface_def *ifc = &dom->def->interfaces[i];
    vr_network *nw = ifc->type == VR_NET_NETWORK ? vr_net_lookup(net, ifc->source_network) : NULL;
    vr_lease *all;
    size_t n_all;
    if (!nw || dom->state == VR_DOM_SHUTOFF || vr_net_leases(nw, &all, &n_all) < 0)
        return;
    size_t kept = 0;
    for (size_t k = 0; k < n_all; k++) {
        if (strcasecmp(all[k].mac, ifc->mac) == 0)
            all[kept++] = all[k];
        else
            free(all[k].hostname), free(all[k].client_id);
    }
    *out = all;
    *n = kept;
}
