/* libvireo: jobs, and waiting for one. */
#include "client/client.h"
#include "common/util.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

VR_CLIENT_WIRE_CLEAR(vireo_job, vr_wire_job, vireo_job_clear)
VR_CLIENT_WIRE_LIST_FREE(vireo_job, vr_wire_job, vireo_job_list_free)

int vireo_job_list(vireo_conn *c, vireo_job **out, size_t *n)
{
    return vr_client_get_objects(c, "/v1/jobs", "jobs", &vr_wire_job, (void **)out, n);
}

static int job_call(vireo_conn *c, const char *method, int id, vireo_job *out)
{
    char *path = vr_asprintf("/v1/jobs/%d", id);
    int rc = vr_client_call_into(c, method, path, NULL, NULL, &vr_wire_job, out);
    free(path);
    return rc;
}

int vireo_job_get(vireo_conn *c, int id, vireo_job *out) { return job_call(c, "GET", id, out); }
int vireo_job_cancel(vireo_conn *c, int id) { return job_call(c, "DELETE", id, NULL); }

int vireo_job_wait(vireo_conn *c, int id, vireo_job_progress_fn progress, void *opaque, vireo_job *out)
{
    for (;;) {
        vireo_job j;
        if (vireo_job_get(c, id, &j) < 0)
            return -1;
        if (progress)
            progress(&j, opaque);
        if (strcmp(j.state, "running") != 0) {
            int rc = strcmp(j.state, "completed") == 0 ? 0 : -1;
            if (rc < 0)
                vr_client_set_error(c, j.error_code ? j.error_code : "failed", "%s",
                                    j.error ? j.error : "the job failed");
            if (out)
                *out = j;
            else
                vireo_job_clear(&j);
            return rc;
        }
        vireo_job_clear(&j);
        /* Polling is cheap on a local socket; 5 times a second keeps a
         * progress bar lively. */
        nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
    }
}
