/* find-storage-pool-sources TYPE [SRCSPEC] and find-storage-pool-sources-as
 * TYPE [HOST] [PORT] [--initiator IQN]: libvirt's <sources> XML of what
 * could be a pool here (blank disks; an iSCSI portal's targets; a Ceph
 * cluster's RBD pools); and
 * pool-capabilities, the pool types this host serves. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_sources(vireo_conn *c, const char *type, const char *spec)
{
    return vr_cli_print_text(c, vireo_find_pool_sources(c, type, spec));
}

static int run_find(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_find_pool_sources, argc, argv, NULL, pos, 1, 2, &rc);
    if (!c)
        return rc;
    char *spec = pos[1] ? vr_cli_read_file(pos[1]) : NULL;
    if (pos[1] && !spec) {
        vireo_disconnect(c);
        return VR_EXIT_FAIL;
    }
    rc = print_sources(c, pos[0], spec);
    free(spec);
    return rc;
}

static int run_find_as(vr_cli *cli, int argc, char **argv)
{
    const char *pos[3] = {0}, *initiator = NULL;
    const vr_opt opts[] = {{"initiator", true, NULL, &initiator}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_find_pool_sources_as, argc, argv, opts, pos, 1, 3, &rc);
    if (!c)
        return rc;
    char *spec = NULL;
    if (pos[1]) {
        char *init = initiator ? vr_asprintf("<initiator><iqn name='%s'/></initiator>", initiator) : vr_strdup("");
        spec = vr_asprintf("<source><host name='%s'%s%s%s/>%s</source>", pos[1], pos[2] ? " port='" : "",
                           pos[2] ? pos[2] : "", pos[2] ? "'" : "", init);
        free(init);
    }
    rc = print_sources(c, pos[0], spec);
    free(spec);
    return rc;
}

static int run_capabilities(vr_cli *cli, int argc, char **argv)
{
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_pool_capabilities, argc, argv, NULL, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    return vr_cli_print_text(c, vireo_pool_capabilities(c));
}

const vr_command vr_cmd_pool_capabilities = {"pool-capabilities",
                                             "Pool types this host serves, with their formats (libvirt's XML).", "",
                                             run_capabilities};
const vr_command vr_cmd_find_pool_sources = {
    "find-storage-pool-sources",
    "Pool sources found here (disk: blank disks; iscsi-direct: a portal's targets; rbd: a Ceph cluster's RBD pools).",
    "disk|iscsi-direct|rbd [SRCSPEC-FILE]", run_find};
const vr_command vr_cmd_find_pool_sources_as = {
    "find-storage-pool-sources-as", "The same, the portal (or a Ceph monitor, without cephx) given as HOST [PORT].",
    "disk|iscsi-direct|rbd [HOST] [PORT] [--initiator IQN]", run_find_as};
