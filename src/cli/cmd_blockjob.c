/* blockcommit, blockpull, blockcopy and blockjob on a running disk's
 * chain, with virsh's options and messages. Without --wait a job is
 * started and left running (blockjob --info follows it, --pivot and
 * --abort end it); with --wait the daemon answers once it is done, and
 * --verbose draws its progress meanwhile, read over a second connection
 * (the first one waits for the answer). */
#include "cli/cli.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* QEMU's job type as virsh labels it. */
static const char *job_label(const char *type, bool active)
{
    if (strcmp(type, "mirror") == 0)
        return "Block Copy";
    if (strcmp(type, "stream") == 0)
        return "Block Pull";
    return active ? "Active Block Commit" : "Block Commit";
}

/* The disk's job: its label and percent done, false when it has none. */
static bool job_progress(vireo_conn *c, const char *dom, const char *disk, bool active, const char **label,
                         double *percent, bool *ok)
{
    char *s = vireo_domain_block_job_json(c, dom, disk);
    json_object *o = s ? json_tokener_parse(s) : NULL, *job = NULL, *v = NULL;
    *ok = o != NULL;
    bool has = o && json_object_object_get_ex(o, "job", &job) && job;
    if (has) {
        long long cur = json_object_object_get_ex(job, "current-progress", &v) ? json_object_get_int64(v) : 0;
        long long tot = json_object_object_get_ex(job, "total-progress", &v) ? json_object_get_int64(v) : 0;
        const char *st = json_object_object_get_ex(job, "status", &v) ? json_object_get_string(v) : "";
        *label = job_label(json_object_object_get_ex(job, "type", &v) ? json_object_get_string(v) : "", active);
        *percent = strcmp(st, "ready") == 0 ? 100 : tot ? (double)cur * 100 / (double)tot : 0;
    }
    json_object_put(o);
    free(s);
    return has;
}

typedef struct {
    vireo_conn *c;
    const char *dom, *disk, *label;
    bool active;
    volatile bool stop;
} watch_ctx;

static void *watch(void *arg)
{
    watch_ctx *w = arg;
    struct timespec tick = {.tv_nsec = 250 * 1000 * 1000};
    while (!w->stop) {
        const char *label = w->label;
        double pct = 0;
        bool ok;
        if (job_progress(w->c, w->dom, w->disk, w->active, &label, &pct, &ok))
            vr_cli_progress(label, pct);
        nanosleep(&tick, NULL);
    }
    return NULL;
}

/* Start the job; with --wait, wait (drawing progress with --verbose). */
static int run_job(vr_cli *cli, const char *op, const char *dom, const char *disk, const vireo_block_job_params *p,
                   bool verbose, const char *label, const char *started, const char *done)
{
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    watch_ctx w = {.dom = dom, .disk = disk, .label = label, .active = p->flags & VIREO_BLOCK_JOB_ACTIVE};
    pthread_t t;
    bool watching = verbose && (p->flags & VIREO_BLOCK_JOB_WAIT) && (w.c = vr_cli_connect(cli)) &&
                    pthread_create(&t, NULL, watch, &w) == 0;
    int r = vireo_domain_block_job_start(c, dom, op, disk, p);
    if (watching) {
        w.stop = true;
        pthread_join(t, NULL);
        if (r == 0)
            vr_cli_progress(label, 100);
        vr_cli_progress_end();
    }
    if (w.c)
        vireo_disconnect(w.c);
    if (r == 0)
        printf("%s\n", p->flags & VIREO_BLOCK_JOB_WAIT ? done : started);
    r = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return r;
}

/* Parse a job command's arguments: -1 to go on, else the exit status. */
static int parse_job(const vr_command *cmd, int argc, char **argv, const vr_opt *opts, const char **pos,
                     const char *const *path)
{
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (!*path)
        return vr_cli_usage(cmd, "missing the disk (TARGET, as vda)");
    return -1;
}

static int run_blockcommit(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_blockcommit;
    const char *pos[1] = {0}, *path = NULL;
    bool has_path = false, has_top = false, has_base = false, active = false, pivot = false, wait = false,
         verbose = false, shallow = false;
    vireo_block_job_params p = {0};
    const vr_opt opts[] = {{"path", true, &has_path, &path, true}, {"wait", false, &wait, NULL},
                           {"verbose", false, &verbose, NULL}, {"active", false, &active, NULL},
                           {"pivot", false, &pivot, NULL}, {"shallow", false, &shallow, NULL},
                           {"top", true, &has_top, &p.top}, {"base", true, &has_base, &p.base}, {0}};
    int r = parse_job(cmd, argc, argv, opts, pos, &path);
    if (r >= 0)
        return r;
    /* virsh: --pivot is an active commit waited for */
    active = active || pivot;
    wait = wait || pivot;
    if (shallow && p.base)
        return vr_cli_usage(cmd, "--shallow and --base exclude each other (--shallow is the layer under --top)");
    if (verbose && !wait)
        return vr_cli_usage(cmd, "--verbose needs --wait (or --pivot)");
    p.flags = (active ? VIREO_BLOCK_JOB_ACTIVE : 0) | (pivot ? VIREO_BLOCK_JOB_PIVOT : 0) |
              (wait ? VIREO_BLOCK_JOB_WAIT : 0) | (shallow ? VIREO_BLOCK_JOB_SHALLOW : 0);
    return run_job(cli, "blockcommit", pos[0], path, &p, verbose, active ? "Active Block Commit" : "Block Commit",
                   "Block Commit started",
                   pivot ? "Successfully pivoted" : active ? "Now in synchronized phase" : "Commit complete");
}

static int run_blockpull(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_blockpull;
    const char *pos[1] = {0}, *path = NULL;
    bool has_path = false, wait = false, verbose = false;
    const vr_opt opts[] = {{"path", true, &has_path, &path, true}, {"wait", false, &wait, NULL},
                           {"verbose", false, &verbose, NULL}, {0}};
    int r = parse_job(cmd, argc, argv, opts, pos, &path);
    if (r >= 0)
        return r;
    if (verbose && !wait)
        return vr_cli_usage(cmd, "--verbose needs --wait");
    vireo_block_job_params p = {.flags = wait ? VIREO_BLOCK_JOB_WAIT : 0};
    return run_job(cli, "blockpull", pos[0], path, &p, verbose, "Block Pull", "Block Pull started",
                   "Pull complete");
}

static int run_blockcopy(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_blockcopy;
    const char *pos[1] = {0}, *path = NULL, *dest = NULL;
    bool b[3] = {0}, shallow = false, reuse = false, wait = false, verbose = false, pivot = false,
         finish = false, blockdev = false, transient = false;
    vireo_block_job_params p = {0};
    const vr_opt opts[] = {{"path", true, &b[0], &path, true}, {"dest", true, &b[1], &dest, true},
                           {"format", true, &b[2], &p.format}, {"shallow", false, &shallow, NULL},
                           {"reuse-external", false, &reuse, NULL}, {"wait", false, &wait, NULL},
                           {"verbose", false, &verbose, NULL}, {"pivot", false, &pivot, NULL},
                           {"finish", false, &finish, NULL}, {"blockdev", false, &blockdev, NULL},
                           {"transient-job", false, &transient, NULL}, {0}};
    int r = parse_job(cmd, argc, argv, opts, pos, &path);
    if (r >= 0)
        return r;
    if (!dest)
        return vr_cli_usage(cmd, "missing the destination (DEST)");
    if (pivot && finish)
        return vr_cli_usage(cmd, "--pivot and --finish exclude each other");
    wait = wait || pivot || finish;
    if (verbose && !wait)
        return vr_cli_usage(cmd, "--verbose needs --wait, --pivot or --finish");
    p.dest = dest;
    p.flags = (shallow ? VIREO_BLOCK_JOB_SHALLOW : 0) | (reuse ? VIREO_BLOCK_JOB_REUSE_EXTERNAL : 0) |
              (wait ? VIREO_BLOCK_JOB_WAIT : 0) | (pivot ? VIREO_BLOCK_JOB_PIVOT : 0) |
              (finish ? VIREO_BLOCK_JOB_FINISH : 0) | (blockdev ? VIREO_BLOCK_JOB_BLOCKDEV : 0);
    /* --transient-job: every job here is one (the daemon does not resume
     * a copy after its own restart), so it changes nothing. */
    return run_job(cli, "blockcopy", pos[0], path, &p, verbose, "Block Copy", "Block Copy started",
                   pivot ? "Successfully pivoted" : finish ? "Successfully copied" : "Now in mirroring phase");
}

static int run_blockjob(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_blockjob;
    const char *pos[1] = {0}, *path = NULL;
    bool has = false, info = false, abort_ = false, pivot = false;
    const vr_opt opts[] = {{"path", true, &has, &path, true}, {"info", false, &info, NULL},
                           {"abort", false, &abort_, NULL}, {"pivot", false, &pivot, NULL}, {0}};
    int r = parse_job(cmd, argc, argv, opts, pos, &path);
    if (r >= 0)
        return r;
    if (info + abort_ + pivot > 1)
        return vr_cli_usage(cmd, "--info, --abort and --pivot exclude each other");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    if (abort_ || pivot) {
        r = (pivot ? vireo_domain_block_job_pivot : vireo_domain_block_job_abort)(c, pos[0], path) < 0
                ? vr_cli_fail(c)
                : VR_EXIT_OK;
        vireo_disconnect(c);
        return r;
    }
    const char *label = NULL;
    double pct = 0;
    bool ok;
    if (job_progress(c, pos[0], path, false, &label, &pct, &ok))
        printf("%s: [%3d %%]\n", label, (int)pct);
    else if (ok)
        printf("No current block job for %s\n", path);
    r = ok ? VR_EXIT_OK : vr_cli_fail(c);
    vireo_disconnect(c);
    return r;
}

const vr_command vr_cmd_blockcommit = {
    "blockcommit",
    "Merge layers of a running disk's backing chain down: --top (default the active layer, which needs "
    "--active) into --base (default the bottom; --shallow: the next layer).",
    "DOMAIN TARGET [--top FILE] [--base FILE | --shallow] [--active] [--pivot] [--wait] [--verbose]",
    run_blockcommit};
const vr_command vr_cmd_blockpull = {
    "blockpull", "Copy a running disk's backing chain into its top image (the chain becomes one file).",
    "DOMAIN TARGET [--wait] [--verbose]", run_blockpull};
const vr_command vr_cmd_blockcopy = {
    "blockcopy",
    "Copy a running disk to DEST while the guest writes; --pivot switches the disk to the copy (in the "
    "definition too), --finish leaves a complete copy and the disk where it was.",
    "DOMAIN TARGET DEST [--shallow] [--reuse-external] [--format raw|qcow2] [--blockdev] [--wait] "
    "[--verbose] [--pivot | --finish] [--transient-job]",
    run_blockcopy};
const vr_command vr_cmd_blockjob = {
    "blockjob", "Show (--info), end (--abort) or switch to the result of (--pivot) a disk's block job.",
    "DOMAIN TARGET [--info | --abort | --pivot]", run_blockjob};
