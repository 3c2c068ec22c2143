/* blockcommit, blockpull and blockjob on external snapshot chains, with
 * virsh's options. The daemon answers once a job is done, so --wait is
 * what every call does; --pivot is what blockcommit --active does. */
#include "cli/cli.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* blockcommit and blockpull: the disk is TARGET or --path; the call
 * returns when the job is done. */
static int run_chain_job(vr_cli *cli, int argc, char **argv, bool commit)
{
    const vr_command *cmd = commit ? &vr_cmd_blockcommit : &vr_cmd_blockpull;
    const char *pos[1] = {0}, *path = NULL, *top = NULL, *base = NULL;
    bool b[3] = {0}, active = false, pivot = false, wait = false, verbose = false, shallow = false;
    /* blockpull takes the first three, blockcommit all. */
    const vr_opt opts[] = {{"path", true, &b[0], &path, true}, {"wait", false, &wait, NULL},
                           {"verbose", false, &verbose, NULL}, {"active", false, &active, NULL},
                           {"pivot", false, &pivot, NULL}, {"shallow", false, &shallow, NULL},
                           {"top", true, &b[1], &top}, {"base", true, &b[2], &base}, {0}};
    const vr_opt pull_opts[] = {opts[0], opts[1], opts[2], {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, commit ? opts : pull_opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (!path)
        return vr_cli_usage(cmd, "missing the disk (TARGET, as vda)");
    if (commit && (!active || !pivot || top || base || shallow))
        return vr_cli_usage(cmd, "only --active --pivot is supported: the whole chain merged into its bottom "
                                 "image and the disk switched to it");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = commit ? vireo_domain_block_commit(c, pos[0], path) : vireo_domain_block_pull(c, pos[0], path);
    if (r == 0)
        printf("\n%s\n", commit ? "Successfully pivoted" : "Pull complete");
    r = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return r;
}

static int run_blockcommit(vr_cli *cli, int argc, char **argv) { return run_chain_job(cli, argc, argv, true); }
static int run_blockpull(vr_cli *cli, int argc, char **argv) { return run_chain_job(cli, argc, argv, false); }

static int run_blockjob(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_blockjob;
    const char *pos[1] = {0}, *path = NULL;
    bool has = false, info = false, abort_ = false;
    const vr_opt opts[] = {{"path", true, &has, &path, true}, {"info", false, &info, NULL},
                           {"abort", false, &abort_, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (!path)
        return vr_cli_usage(cmd, "missing the disk (TARGET, as vda)");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    if (abort_) {
        r = vireo_domain_block_job_abort(c, pos[0], path) < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
        vireo_disconnect(c);
        return r;
    }
    char *s = vireo_domain_block_job_json(c, pos[0], path);
    json_object *o = s ? json_tokener_parse(s) : NULL, *job = NULL, *v = NULL;
    if (!o) {
        r = vr_cli_fail(c);
    } else if (!json_object_object_get_ex(o, "job", &job) || !job) {
        printf("No current block job for %s\n", path);
        r = VR_EXIT_OK;
    } else {
        long long cur = json_object_object_get_ex(job, "current-progress", &v) ? json_object_get_int64(v) : 0;
        long long tot = json_object_object_get_ex(job, "total-progress", &v) ? json_object_get_int64(v) : 0;
        const char *type = json_object_object_get_ex(job, "type", &v) ? json_object_get_string(v) : "";
        printf("%s: [%3lld %%]\n", strcmp(type, "stream") == 0 ? "Block Pull" : "Active Block Commit",
               tot ? cur * 100 / tot : 0);
        r = VR_EXIT_OK;
    }
    json_object_put(o);
    free(s);
    vireo_disconnect(c);
    return r;
}

const vr_command vr_cmd_blockcommit = {
    "blockcommit", "Merge a running disk's external snapshot chain into its bottom image and switch to it.",
    "DOMAIN TARGET --active --pivot [--wait] [--verbose]", run_blockcommit};
const vr_command vr_cmd_blockpull = {
    "blockpull", "Copy a running disk's backing chain into its top image (the chain becomes one file).",
    "DOMAIN TARGET [--wait] [--verbose]", run_blockpull};
const vr_command vr_cmd_blockjob = {
    "blockjob", "Show (--info) or cancel (--abort) the block job running on a disk.",
    "DOMAIN TARGET [--info | --abort]", run_blockjob};
