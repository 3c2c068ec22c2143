/* libvirt's typed parameters, built one by one (rpc.h): all-domain
 * statistics, guest info, the tunable event. */
#include "daemon/rpc.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

vrp_typed_value *vr_rpc_param_add(vr_rpc_params *p, int type, char *field)
{
    if (p->len == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->val = vr_realloc(p->val, p->cap * sizeof(*p->val));
    }
    vrp_typed_param *t = &p->val[p->len++];
    memset(t, 0, sizeof(*t));
    t->field = field;
    t->value.type = type;
    return &t->value;
}

void vr_rpc_param_ull(vr_rpc_params *p, char *field, long long v)
{
    if (v >= 0) /* -1: the value is unknown; libvirt leaves it out */
        vr_rpc_param_add(p, VR_TP_ULLONG, field)->vrp_typed_value_u.ul = (unsigned long long)v;
    else
        free(field);
}

void vr_rpc_param_uint(vr_rpc_params *p, char *field, unsigned v)
{
    vr_rpc_param_add(p, VR_TP_UINT, field)->vrp_typed_value_u.ui = v;
}

void vr_rpc_param_int(vr_rpc_params *p, char *field, int v)
{
    vr_rpc_param_add(p, VR_TP_INT, field)->vrp_typed_value_u.i = v;
}

void vr_rpc_param_bool(vr_rpc_params *p, char *field, bool v)
{
    vr_rpc_param_add(p, VR_TP_BOOLEAN, field)->vrp_typed_value_u.b = v;
}

void vr_rpc_param_str(vr_rpc_params *p, char *field, const char *v)
{
    vr_rpc_param_add(p, VR_TP_STRING, field)->vrp_typed_value_u.s = vr_strdup(v);
}
