/* API: block jobs on a running disk's chain (blockcommit, blockpull,
 * blockcopy, blockjob), as virsh runs them (docs/api.md, "Block jobs").
 * Decoding only: the work is vr_core_block_job_start and the QEMU
 * driver's job calls. */
#include "daemon/api.h"
#include "core/blockchain_ops.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* The body's booleans that are job flags. */
static const struct {
    const char *key;
    unsigned flag;
} job_flags[] = {
    {"active", VR_BJ_ACTIVE}, {"shallow", VR_BJ_SHALLOW}, {"pivot", VR_BJ_PIVOT},
    {"finish", VR_BJ_FINISH}, {"wait", VR_BJ_WAIT}, {"reuse_external", VR_BJ_REUSE_EXTERNAL},
    {"blockdev", VR_BJ_BLOCKDEV},
};

/* POST domains/NAME/blockcommit {"disk", "top", "base", "active", "shallow", "pivot", "wait"},
 * POST domains/NAME/blockpull {"disk", "wait"},
 * POST domains/NAME/blockcopy {"disk", "dest", "format", "shallow", "reuse_external", "blockdev",
 * "pivot", "finish", "wait"}: the answer comes once the job runs, or with "wait" once it is done
 * (ready, for a copy or an active commit without "pivot"/"finish"). */
static void block_job(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    if (!body)
        return;
    const char *op = c->seg[2];
    vr_block_job_kind kind = strcmp(op, "blockcopy") == 0   ? VR_BLOCK_COPY
                             : strcmp(op, "blockpull") == 0 ? VR_BLOCK_PULL
                                                            : VR_BLOCK_COMMIT;
    vr_block_job_params p = {0};
    const char *disk = NULL;
    int rc = vr_api_str(c, body, "disk", &disk);
    if (rc > 0 && (vr_api_str(c, body, "top", &p.top) < 0 || vr_api_str(c, body, "base", &p.base) < 0 ||
                   vr_api_str(c, body, "dest", &p.dest) < 0 || vr_api_str(c, body, "format", &p.format) < 0))
        rc = -1;
    for (size_t i = 0; i < sizeof(job_flags) / sizeof(job_flags[0]); i++)
        if (vr_api_bool(body, job_flags[i].key))
            p.flags |= job_flags[i].flag;
    if (rc == 0 || (rc > 0 && kind == VR_BLOCK_COPY && !p.dest))
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"disk\": TARGET%s}",
                           kind == VR_BLOCK_COPY ? ", \"dest\": PATH" : "");
    else if (rc > 0)
        vr_core_block_job_start(dom, disk, kind, &p, vr_api_domain_done, vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

typedef struct {
    vr_req *req;
} job_ctx;

static void on_job(vr_err code, json_object *ret, const char *err, void *opaque)
{
    job_ctx *j = opaque;
    if (code != VR_OK) {
        vr_api_reply_err(j->req, code, err);
    } else {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "job", json_object_get(ret));
        vr_req_reply_json(j->req, 200, o);
    }
    free(j);
}

/* GET domains/NAME/blockjob?disk=TARGET: {"job": QUERY-JOBS-ENTRY|null}. */
static void job_query(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    const char *disk = vr_req_query(c->req, "disk");
    if (!disk) {
        vr_req_reply_error(c->req, 400, "invalid", "name the disk: ?disk=TARGET");
        return;
    }
    job_ctx *j = vr_calloc(1, sizeof(*j));
    j->req = c->req;
    vr_req_defer(c->req);
    vr_qemu_block_job_query(dom, disk, false, on_job, j);
}

/* POST domains/NAME/blockjob/pivot|abort {"disk"}: answers once the job ended. */
static void job_end(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    const char *disk = NULL;
    if (!body)
        return;
    if (vr_api_need_str(c, body, "disk", &disk, "expected {\"disk\": TARGET}"))
        (strcmp(c->seg[3], "pivot") == 0 ? vr_qemu_block_job_pivot : vr_qemu_block_job_abort)(
            dom, disk, vr_api_domain_done, vr_api_pend(c, dom->def->name));
    json_object_put(body);
}

const vr_api_route vr_api_blockjob_routes[] = {
    {"POST", "domains/*/blockcommit", block_job},
    {"POST", "domains/*/blockpull", block_job},
    {"POST", "domains/*/blockcopy", block_job},
    {"GET", "domains/*/blockjob", job_query, VR_API_READ},
    {"POST", "domains/*/blockjob/abort", job_end},
    {"POST", "domains/*/blockjob/pivot", job_end},
    {0},
};
