/* domif-setlink and domif-getlink, as virsh: an interface's link state
 * (<link state='down'/>: the guest sees no carrier), named by its tap
 * (domiflist's Interface) or its MAC. */
#include "cli/cli.h"
#include "conf/domain_conf.h"
#include "conf/domain_device.h"
#include "vireo/vireo.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int run_domif_setlink(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_domif_setlink;
    const char *pos[3] = {0};
    bool config = false;
    const vr_opt opts[] = {{"config", false, &config, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, 3, 3, &rc);
    if (!c)
        return rc;
    if (strcmp(pos[2], "up") != 0 && strcmp(pos[2], "down") != 0) {
        vireo_disconnect(c);
        return vr_cli_usage(cmd, "the state is up or down, not '%s'", pos[2]);
    }
    /* virsh: live on a running domain, the definition with --config */
    int r = vireo_domain_set_link(c, pos[0], pos[1], strcmp(pos[2], "down") == 0,
                                  config ? VIREO_AFFECT_CONFIG : 0);
    if (r == 0)
        printf("Device updated successfully\n");
    rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

/* The MAC of the interface whose tap is `iface`, else `iface` itself. */
static const char *mac_of(vireo_conn *c, const char *dom, const char *iface, char mac[32])
{
    vireo_interface *ifs = NULL;
    size_t n = 0;
    snprintf(mac, 32, "%s", iface);
    if (vireo_domain_interfaces(c, dom, &ifs, &n) == 0)
        for (size_t i = 0; i < n; i++)
            if (ifs[i].interface && strcmp(ifs[i].interface, iface) == 0)
                snprintf(mac, 32, "%s", ifs[i].mac);
    vireo_interface_list_free(ifs, n);
    return mac;
}

static int run_domif_getlink(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_domif_getlink;
    const char *pos[2] = {0};
    bool config = false;
    const vr_opt opts[] = {{"config", false, &config, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    char *xml = vireo_domain_xml(c, pos[0], config ? VIREO_XML_INACTIVE : 0), *err = NULL, mac[32];
    vr_domain_def *def = xml ? vr_domain_def_parse(xml, strlen(xml), &err) : NULL;
    int i = def ? vr_domain_def_find_interface(def, mac_of(c, pos[0], pos[1], mac)) : -1;
    for (size_t k = 0; def && i < 0 && k < def->n_interfaces; k++)
        if (def->interfaces[k].target_dev && strcmp(def->interfaces[k].target_dev, pos[1]) == 0)
            i = (int)k;
    if (!xml) {
        rc = vr_cli_fail(c);
    } else if (!def) {
        rc = vr_cli_error("cannot read the domain's XML: %s", err);
    } else if (i < 0) {
        rc = vr_cli_error("domain '%s' has no interface %s (domiflist shows them)", pos[0], pos[1]);
    } else {
        printf("%s %s\n", pos[1], def->interfaces[i].link_down ? "down" : "up");
        rc = VR_EXIT_OK;
    }
    vr_domain_def_free(def);
    free(err);
    free(xml);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_domif_setlink = {
    "domif-setlink", "Set an interface's link up or down (the guest sees its carrier come or go).",
    "DOMAIN INTERFACE up|down [--config]", run_domif_setlink};
const vr_command vr_cmd_domif_getlink = {
    "domif-getlink", "Show an interface's link state (INTERFACE: its tap, as domiflist shows, or its MAC).",
    "DOMAIN INTERFACE [--config]", run_domif_getlink};
