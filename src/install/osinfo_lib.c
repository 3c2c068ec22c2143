/* libosinfo at first use: see osinfo_lib.h. */
#include "install/osinfo_lib.h"
#include "common/dlib.h"
#include "common/util.h"

#include <stdlib.h>

vr_osinfo_lib vr_osi;

bool vr_osinfo_lib_load(char **err)
{
    static int state; /* 0 not tried, 1 loaded, -1 failed */
    static char *load_error;
    if (!state) {
        static const char *const sonames[] = {"libosinfo-1.0.so.0", "libgobject-2.0.so.0", "libglib-2.0.so.0"};
#define VR_OSINFO_SYM(f) VR_DLIB_SYM(vr_osi, f),
        const vr_dlib_sym syms[] = {VR_OSINFO_FUNCS(VR_OSINFO_SYM)};
#undef VR_OSINFO_SYM
        state = vr_dlib_open(sonames, VR_ARRAY_LEN(sonames), syms, VR_ARRAY_LEN(syms), "libosinfo-1.0-0",
                             &load_error)
                    ? 1
                    : -1;
    }
    if (state < 0)
        vr_set_error(err, "%s", load_error);
    return state > 0;
}
