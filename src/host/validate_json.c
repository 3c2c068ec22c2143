/* host-validate's verdicts as JSON: one form for `vireo host-validate
 * --json` and the daemon's GET /v1/host/validate. */
#include "host/validate.h"

json_object *vr_checklist_json(const vr_checklist *l, vr_accel accel)
{
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    int counts[3] = {0};
    for (size_t i = 0; i < l->n; i++) {
        const vr_check *c = &l->v[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(c->id));
        json_object_object_add(o, "title", json_object_new_string(c->title));
        json_object_object_add(o, "status", json_object_new_string(vr_check_status_name(c->status)));
        json_object_object_add(o, "detail", c->detail ? json_object_new_string(c->detail) : NULL);
        json_object_object_add(o, "hint", c->hint ? json_object_new_string(c->hint) : NULL);
        /* The same verdict for clients that word it themselves. */
        json_object_object_add(o, "code", c->code ? json_object_new_string(c->code) : NULL);
        json_object_object_add(o, "hint_code", c->hint_code ? json_object_new_string(c->hint_code) : NULL);
        json_object_object_add(o, "params", c->params ? json_object_get(c->params) : json_object_new_object());
        json_object_array_add(arr, o);
        counts[c->status]++;
    }
    json_object_object_add(root, "checks", arr);
    json_object_object_add(root, "accelerator", json_object_new_string(accel == VR_ACCEL_KVM ? "kvm" : "tcg"));
    json_object *sum = json_object_new_object();
    json_object_object_add(sum, "pass", json_object_new_int(counts[VR_CHECK_PASS]));
    json_object_object_add(sum, "warn", json_object_new_int(counts[VR_CHECK_WARN]));
    json_object_object_add(sum, "fail", json_object_new_int(counts[VR_CHECK_FAIL]));
    json_object_object_add(root, "summary", sum);
    return root;
}
