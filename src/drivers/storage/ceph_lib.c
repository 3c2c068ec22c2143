/* librados and librbd at first use: see ceph_lib.h. */
#include "drivers/storage/ceph_lib.h"
#include "common/dlib.h"

vr_ceph_lib vr_ceph;

#define VR_CEPH_SYM(f) VR_DLIB_SYM(vr_ceph, f),
static const vr_dlib_sym syms[] = {VR_CEPH_FUNCS(VR_CEPH_SYM)};
static const char *const sonames[] = {"librados.so.2", "librbd.so.1"};
static vr_dlib lib = VR_DLIB_INIT(sonames, syms, "librbd1 and librados2");

bool vr_ceph_load(char **err)
{
    return vr_dlib_load(&lib, err);
}
