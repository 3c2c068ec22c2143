/* libvireo: jobs, and waiting for one. */
#include "client/client.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *str(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static char *dup_or_null(const char *s) { return s ? vr_strdup(s) : NULL; }

static void job_from(json_object *o, vireo_job *j)
{
    memset(j, 0, sizeof(*j));
    json_object *v = NULL;
    j->id = json_object_object_get_ex(o, "id", &v) ? json_object_get_int(v) : 0;
    j->kind = vr_strdup(str(o, "kind"));
    j->target = vr_strdup(str(o, "target"));
    j->state = vr_strdup(str(o, "state"));
    j->step = dup_or_null(str(o, "step"));
    j->progress = json_object_object_get_ex(o, "progress", &v) ? json_object_get_double(v) : 0;
    if (json_object_object_get_ex(o, "error", &v) && v) {
        j->error = dup_or_null(str(v, "message"));
        j->error_code = dup_or_null(str(v, "code"));
    }
    if (json_object_object_get_ex(o, "result", &v) && v)
        j->result = vr_strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

void vireo_job_clear(vireo_job *j)
{
    if (!j)
        return;
    free(j->kind);
    free(j->target);
    free(j->state);
    free(j->step);
    free(j->error);
    free(j->error_code);
    free(j->result);
    memset(j, 0, sizeof(*j));
}

void vireo_job_list_free(vireo_job *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vireo_job_clear(&list[i]);
    free(list);
}

int vireo_job_list(vireo_conn *c, vireo_job **out, size_t *n)
{
    json_object *o = vr_client_json(c, "GET", "/v1/jobs", NULL, NULL), *arr = NULL;
    if (!o)
        return -1;
    json_object_object_get_ex(o, "jobs", &arr);
    size_t len = arr ? json_object_array_length(arr) : 0;
    *out = vr_calloc(len ? len : 1, sizeof(**out));
    for (size_t i = 0; i < len; i++)
        job_from(json_object_array_get_idx(arr, i), &(*out)[i]);
    *n = len;
    json_object_put(o);
    return 0;
}

static int job_call(vireo_conn *c, const char *method, int id, vireo_job *out)
{
    char *path = vr_asprintf("/v1/jobs/%d", id);
    json_object *o = vr_client_json(c, method, path, NULL, NULL);
    free(path);
    if (!o)
        return -1;
    if (out)
        job_from(o, out);
    json_object_put(o);
    return 0;
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
