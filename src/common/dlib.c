/* dlopen at first use: see dlib.h. */
#include "common/dlib.h"
#include "common/util.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

static void close_all(void **handles, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (handles[i])
            dlclose(handles[i]);
}

bool vr_dlib_open(const char *const *sonames, size_t n_sonames, const vr_dlib_sym *syms, size_t n_syms,
                  const char *package, char **err)
{
    void *handles[8] = {0};
    if (n_sonames > VR_ARRAY_LEN(handles)) {
        vr_set_error(err, "internal: too many libraries for one table");
        return false;
    }
    for (size_t i = 0; i < n_sonames; i++) {
        if (!(handles[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL))) {
            const char *why = dlerror();
            vr_set_error(err, "cannot load %s (install Debian's %s): %s", sonames[i], package,
                         why ? why : "not found");
            close_all(handles, i);
            return false;
        }
    }
    for (size_t s = 0; s < n_syms; s++) {
        void *addr = NULL;
        for (size_t i = 0; i < n_sonames && !addr; i++)
            addr = dlsym(handles[i], syms[s].name);
        if (!addr) {
            vr_set_error(err, "%s lacks %s (a newer %s is needed)", sonames[0], syms[s].name, package);
            close_all(handles, n_sonames);
            return false;
        }
        *syms[s].slot = addr;
    }
    return true;
}

/* One lock for every table: a library is opened once per process, and
 * the rare first callers of two tables at once wait a few ms. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

bool vr_dlib_load(vr_dlib *lib, char **err)
{
    pthread_mutex_lock(&load_lock);
    if (!lib->state)
        lib->state = vr_dlib_open(lib->sonames, lib->n_sonames, lib->syms, lib->n_syms, lib->package, &lib->error)
                         ? 1
                         : -1;
    bool ok = lib->state > 0;
    if (!ok)
        vr_set_error(err, "%s", lib->error);
    pthread_mutex_unlock(&load_lock);
    return ok;
}
