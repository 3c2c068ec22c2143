#include "core/network_ops.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

vr_network *vr_core_net_by_uuid(vr_net_driver *drv, const char *uuid)
{
    size_t n;
    vr_network *const *nets = vr_net_list(drv, &n);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(nets[i]->def->uuid, uuid) == 0)
            return nets[i];
    return NULL;
}

vr_network *vr_core_net_by_name(vr_net_driver *drv, const char *name)
{
    vr_network *net = vr_net_lookup(drv, name);
    return net && strcmp(net->def->name, name) == 0 ? net : NULL;
}

void vr_core_net_leases(const vr_network *net, const char *mac, vr_lease **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    vr_lease *l;
    size_t count;
    if (vr_net_leases(net, &l, &count) < 0)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (mac && strcasecmp(mac, l[i].mac) != 0) {
            free(l[i].hostname);
            free(l[i].client_id);
            continue;
        }
        l[kept++] = l[i];
    }
    *out = l;
    *n = kept;
}
