/* librados and librbd at first use: see ceph_lib.h. */
#include "drivers/storage/ceph_lib.h"
#include "common/dlib.h"
#include "common/util.h"

#include <pthread.h>
#include <stdlib.h>

vr_ceph_lib vr_ceph;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char *load_error;

static void load(void)
{
    static const char *const sonames[] = {"librados.so.2", "librbd.so.1"};
#define VR_CEPH_SYM(f) VR_DLIB_SYM(vr_ceph, f),
    const vr_dlib_sym syms[] = {VR_CEPH_FUNCS(VR_CEPH_SYM)};
#undef VR_CEPH_SYM
    loaded = vr_dlib_open(sonames, VR_ARRAY_LEN(sonames), syms, VR_ARRAY_LEN(syms), "librbd1 and librados2",
                          &load_error);
}

bool vr_ceph_load(char **err)
{
    pthread_once(&once, load);
    if (!loaded)
        vr_set_error(err, "%s", load_error);
    return loaded;
}
