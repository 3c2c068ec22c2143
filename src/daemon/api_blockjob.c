/* API: block jobs on external snapshot chains (blockcommit, blockpull,
 * blockjob), as virsh runs them (docs/api.md, "Block jobs"). */
#include "daemon/api.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* POST domains/NAME/blockcommit {"disk", "active", "pivot"},
 * POST domains/NAME/blockpull {"disk"}: the answer comes when done. */
static void block_job(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    json_object *body = dom ? vr_api_body_json(c) : NULL;
    if (!body)
        return;
    const char *disk = NULL;
    bool commit = strcmp(c->seg[2], "blockcommit") == 0;
    int rc = vr_api_str(c, body, "disk", &disk);
    if (rc == 0)
        vr_req_reply_error(c->req, 400, "invalid", "expected {\"disk\": TARGET%s}",
                           commit ? ", \"active\": true, \"pivot\": true" : "");
    else if (rc > 0 && commit && !(vr_api_bool(body, "active") && vr_api_bool(body, "pivot")))
        vr_req_reply_error(c->req, 422, "unsupported", "only the active layer's commit with pivot is supported "
                           "(blockcommit --active --pivot): the whole chain into its bottom image");
    else if (rc > 0)
        vr_qemu_block_job(dom, disk, commit ? VR_BLOCK_COMMIT_ACTIVE : VR_BLOCK_PULL, vr_api_domain_done,
                          vr_api_pend(c, dom->def->name));
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

/* GET domains/NAME/blockjob?disk=TARGET: {"job": QUERY-JOBS-ENTRY|null};
 * POST domains/NAME/blockjob/abort {"disk"}. */
static void job_query(vr_api_call *c)
{
    vr_domain *dom = vr_api_find_domain(c);
    if (!dom)
        return;
    bool abort = c->n > 3;
    const char *disk = abort ? NULL : vr_req_query(c->req, "disk");
    json_object *body = abort ? vr_api_body_json(c) : NULL;
    if (abort && (!body || vr_api_str(c, body, "disk", &disk) < 0)) {
        json_object_put(body);
        return;
    }
    if (!disk) {
        vr_req_reply_error(c->req, 400, "invalid", "name the disk: ?disk=TARGET (or {\"disk\": TARGET})");
    } else {
        job_ctx *j = vr_calloc(1, sizeof(*j));
        j->req = c->req;
        vr_req_defer(c->req);
        vr_qemu_block_job_query(dom, disk, abort, on_job, j);
    }
    json_object_put(body);
}

const vr_api_route vr_api_blockjob_routes[] = {
    {"POST", "domains/*/blockcommit", block_job},
    {"POST", "domains/*/blockpull", block_job},
    {"GET", "domains/*/blockjob", job_query, VR_API_READ},
    {"POST", "domains/*/blockjob/abort", job_query},
    {0},
};
