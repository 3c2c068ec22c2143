/* libosinfo at first use: see osinfo_lib.h. */
#include "install/osinfo_lib.h"
#include "common/dlib.h"

vr_osinfo_lib vr_osi;

#define VR_OSINFO_SYM(f) VR_DLIB_SYM(vr_osi, f),
static const vr_dlib_sym syms[] = {VR_OSINFO_FUNCS(VR_OSINFO_SYM)};
static const char *const sonames[] = {"libosinfo-1.0.so.0", "libgobject-2.0.so.0", "libglib-2.0.so.0"};
static vr_dlib lib = VR_DLIB_INIT(sonames, syms, "libosinfo-1.0-0");

bool vr_osinfo_lib_load(char **err)
{
    return vr_dlib_load(&lib, err);
}
