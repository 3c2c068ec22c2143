/* find-storage-pool-sources TYPE [SRCSPEC] and find-storage-pool-sources-as
 * TYPE [HOST] [PORT] [--initiator IQN] [--auth-username U --secret-uuid|usage S]: libvirt's <sources> XML of what
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

/* A value for an attribute between '': refused when it would end it. */
static bool attr_ok(const char *opt, const char *v)
{
    if (!v || !strpbrk(v, "'<>&"))
        return true;
    fprintf(stderr, "vireo: error: --%s '%s': a host, IQN, user or secret has no ' < > or &\n", opt, v);
    return false;
}

static int run_find_as(vr_cli *cli, int argc, char **argv)
{
    const char *pos[3] = {0}, *host = NULL, *port = NULL, *initiator = NULL, *user = NULL, *auth_type = NULL,
               *uuid = NULL, *usage = NULL;
    const vr_opt opts[] = {{"host", true, NULL, &host},
                           {"port", true, NULL, &port},
                           {"source-host", true, NULL, &host},
                           {"initiator", true, NULL, &initiator},
                           {"auth-type", true, NULL, &auth_type},
                           {"auth-username", true, NULL, &user},
                           {"secret-uuid", true, NULL, &uuid},
                           {"secret-usage", true, NULL, &usage},
                           {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_find_pool_sources_as, argc, argv, opts, pos, 1, 3, &rc);
    if (!c)
        return rc;
    host = host ? host : pos[1];
    port = port ? port : pos[2];
    const char *why = NULL;
    if (auth_type && strcmp(auth_type, "ceph") != 0)
        why = "--auth-type: find-storage-pool-sources-as logs in with ceph only (an rbd cluster's cephx)";
    else if ((user || uuid || usage) && strcmp(pos[0], "rbd") != 0)
        why = "--auth-username, --secret-uuid and --secret-usage are an rbd cluster's cephx user and key";
    else if ((uuid || usage) && !user)
        why = "--secret-uuid or --secret-usage needs --auth-username (the cephx user, as `ceph auth ls` names it)";
    else if (user && !!uuid == !!usage)
        why = "--auth-username needs its key's secret: --secret-uuid UUID or --secret-usage NAME (vireo secret-list)";
    else if (user && !host)
        why = "the cephx login needs a monitor: --host MON [--port PORT]";
    if (why) {
        vireo_disconnect(c);
        fprintf(stderr, "vireo: error: find-storage-pool-sources-as: %s\n", why);
        return VR_EXIT_USAGE;
    }
    if (!attr_ok("host", host) || !attr_ok("port", port) || !attr_ok("initiator", initiator) ||
        !attr_ok("auth-username", user) || !attr_ok("secret-uuid", uuid) || !attr_ok("secret-usage", usage)) {
        vireo_disconnect(c);
        return VR_EXIT_USAGE;
    }
    char *spec = NULL;
    if (host) {
        char *init = initiator ? vr_asprintf("<initiator><iqn name='%s'/></initiator>", initiator) : vr_strdup("");
        char *auth = user ? vr_asprintf("<auth type='ceph' username='%s'><secret %s='%s'/></auth>", user,
                                        uuid ? "uuid" : "usage", uuid ? uuid : usage)
                          : vr_strdup("");
        spec = vr_asprintf("<source><host name='%s'%s%s%s/>%s%s</source>", host, port ? " port='" : "",
                           port ? port : "", port ? "'" : "", init, auth);
        free(init);
        free(auth);
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
    "find-storage-pool-sources-as",
    "The same, the portal or a Ceph monitor given as HOST [PORT] (rbd with cephx: the user and its key's secret).",
    "disk|iscsi-direct|rbd [--host] [HOST] [--port] [PORT] [--source-host HOST] [--initiator IQN] [--auth-type ceph] "
    "[--auth-username USER] [--secret-uuid UUID|--secret-usage NAME]",
    run_find_as};
