/* Libraries loaded at first use instead of linked. Ceph's librbd and
 * librados (C++, 9 MiB with their static constructors) and libosinfo
 * (GObject, glib) cost every vireod start and every CLI process tens of
 * milliseconds and MiBs of RSS when linked, for features most hosts never
 * touch: they are opened with dlopen when a feature first needs them, and
 * called through a table of pointers typed from their own headers. */
#ifndef VR_COMMON_DLIB_H
#define VR_COMMON_DLIB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name; /* the symbol */
    void **slot;      /* where its address goes */
} vr_dlib_sym;

/* Opens each of `sonames` (RTLD_NOW | RTLD_LOCAL, kept open for the
 * process's life) and fills every slot from them, searching them in
 * order. False with *err naming the library or the symbol that was
 * missing and `package`, the Debian package that brings it. Callers
 * serialise (pthread_once) and remember the answer. */
bool vr_dlib_open(const char *const *sonames, size_t n_sonames, const vr_dlib_sym *syms, size_t n_syms,
                  const char *package, char **err);

/* The table entry for function F of a struct whose member is named F. */
#define VR_DLIB_SYM(table, f) {#f, (void **)&(table).f}

#endif
