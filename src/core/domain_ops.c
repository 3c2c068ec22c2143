#include "core/domain_ops.h"
#include "drivers/qemu/qemu_console.h"
#include "common/util.h"

#include <stdio.h>
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

typedef struct {
    vr_qemu_driver *drv;
    char uuid[37];
    bool secure;
    vr_core_xml_fn cb;
    void *opaque;
    size_t next;                  /* the display asked about, then the next to ask */
    int ports[VR_GRAPHICS_MAX];   /* the ports QEMU says, 0: unknown */
} live_xml;

/* A running domain's XML with its live aliases; a shut off one's as stored. */
static char *live_or_stored(const vr_domain *dom, bool secure)
{
    return dom->state == VR_DOM_SHUTOFF ? vr_qemu_xml(dom, false, secure)
                                        : vr_qemu_live_xml(dom, dom->def, secure);
}

char *vr_core_domain_xml(const vr_domain *dom, bool inactive, bool secure)
{
    return inactive ? vr_qemu_xml(dom, true, secure) : live_or_stored(dom, secure);
}

/* A display whose port QEMU picks (autoport on an address): its live
 * XML says the port it got, as libvirt's does. */
static bool port_picked(const vr_graphics_def *g)
{
    return g->autoport && g->listen_type == VR_LISTEN_ADDRESS;
}

static void on_display(const char *type, const char *host, int port, const char *err, void *opaque);

/* Ask QEMU for the next display's port; the XML when none is left. */
static void next_display(live_xml *lx, vr_domain *dom)
{
    const vr_domain_def *def = dom->def;
    while (lx->next < def->n_graphics && lx->next < VR_GRAPHICS_MAX && !port_picked(&def->graphics[lx->next]))
        lx->next++;
    if (dom->state != VR_DOM_SHUTOFF && lx->next < def->n_graphics && lx->next < VR_GRAPHICS_MAX) {
        vr_qemu_display_address(dom, (int)lx->next, on_display, lx);
        return;
    }
    vr_domain_def *copy = vr_domain_def_copy(def);
    for (size_t i = 0; i < copy->n_graphics && i < VR_GRAPHICS_MAX; i++)
        if (lx->ports[i] > 0)
            copy->graphics[i].port = lx->ports[i];
    char *xml = dom->state == VR_DOM_SHUTOFF ? live_or_stored(dom, lx->secure)
                                             : vr_qemu_live_xml(dom, copy, lx->secure);
    vr_domain_def_free(copy);
    lx->cb(xml, lx->opaque);
    free(lx);
}

static void on_display(const char *type, const char *host, int port, const char *err, void *opaque)
{
    (void)type, (void)host;
    live_xml *lx = opaque;
    vr_domain *dom = vr_qemu_lookup(lx->drv, lx->uuid);
    if (!dom) {
        lx->cb(NULL, lx->opaque);
        free(lx);
        return;
    }
    if (!err && port > 0 && lx->next < VR_GRAPHICS_MAX)
        lx->ports[lx->next] = port;
    lx->next++;
    next_display(lx, dom);
}

void vr_core_domain_live_xml(vr_domain *dom, bool secure, vr_core_xml_fn cb, void *opaque)
{
    bool ask = false;
    for (size_t i = 0; i < dom->def->n_graphics; i++)
        ask |= port_picked(&dom->def->graphics[i]);
    if (dom->state == VR_DOM_SHUTOFF || !ask) {
        cb(live_or_stored(dom, secure), opaque);
        return;
    }
    live_xml *lx = vr_calloc(1, sizeof(*lx));
    *lx = (live_xml){.drv = dom->drv, .secure = secure, .cb = cb, .opaque = opaque};
    snprintf(lx->uuid, sizeof(lx->uuid), "%s", dom->def->uuid);
    next_display(lx, dom);
}

bool vr_core_console_attach(vr_domain *dom, int fd, const char *initial, size_t n, bool history,
                            void (*closed)(void *opaque), void *opaque)
{
    if (!dom->console || dom->state == VR_DOM_SHUTOFF)
        return false;
    vr_console_attach(dom->console, fd, initial, n, history, closed, opaque);
    return true;
}
