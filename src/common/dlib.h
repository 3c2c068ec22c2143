/* Libraries loaded at first use instead of linked. Ceph's librbd and
 * librados (C++, 9 MiB with their static constructors), libosinfo
 * (GObject, glib), libiscsi (with libibverbs, librdmacm, gnutls),
 * libfdisk, libblkid and libnftables (with libnftnl, libxtables,
 * libjansson, libgmp) cost every vireod start and every CLI process
 * milliseconds and MiBs of RSS when linked, for pool kinds and networks
 * most daemons never touch: they are opened with dlopen when a feature
 * first needs them, and called through a table of pointers typed from
 * their own headers. */
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
 * missing and `package`, the Debian package that brings it. */
bool vr_dlib_open(const char *const *sonames, size_t n_sonames, const vr_dlib_sym *syms, size_t n_syms,
                  const char *package, char **err);

/* One table's libraries and what their first opening answered. A
 * static beside the table, made with VR_DLIB_INIT. */
typedef struct {
    const char *const *sonames;
    size_t n_sonames;
    const vr_dlib_sym *syms;
    size_t n_syms;
    const char *package;
    int state;   /* 0 not tried, 1 loaded, -1 failed */
    char *error; /* why it failed, kept for every later caller */
} vr_dlib;

#define VR_DLIB_INIT(sonames, syms, package)                                                                        \
    {(sonames), sizeof(sonames) / sizeof((sonames)[0]), (syms), sizeof(syms) / sizeof((syms)[0]), (package), 0,     \
     NULL}

/* Opens lib's libraries the first time any thread asks (vr_dlib_open),
 * then answers as the first time did: false with *err saying what to
 * install. */
bool vr_dlib_load(vr_dlib *lib, char **err);

/* The table's member for function F, typed from its header's prototype. */
#define VR_DLIB_MEMBER(f) __typeof__(f) *f;
/* The table entry for function F of a struct whose member is named F. */
#define VR_DLIB_SYM(table, f) {#f, (void **)&(table).f}

/* A library several files call, in its header: the type T of its table,
 * a member for each function FUNCS(X) names (typed from the library's
 * header, included before), the table itself, filled by `load`, and
 * `bool load(char **err)`, which opens the library once per process (any
 * thread; its .c file answers vr_dlib_load of its vr_dlib): false with
 * *err saying what to install. Calls are table.FUNCTION(...). */
#define VR_DLIB_EXTERN(FUNCS, T, table, load)                                                                       \
    typedef struct {                                                                                                \
        FUNCS(VR_DLIB_MEMBER)                                                                                       \
    } T;                                                                                                            \
    extern T table;                                                                                                 \
    bool load(char **err)

/* A library only one file calls: `dl`, a static table with a member for
 * each function FUNCS(X) names (typed from the library's header,
 * included before), and `dl_lib`, which vr_dlib_load(&dl_lib, err) opens
 * from the sonames that follow `package`. Calls are dl.FUNCTION(...). */
#define VR_DLIB_LOCAL(FUNCS, package, ...)                                                                          \
    static struct {                                                                                                 \
        FUNCS(VR_DLIB_MEMBER)                                                                                       \
    } dl;                                                                                                           \
    static const vr_dlib_sym dl_syms[] = {FUNCS(VR_DLIB_LOCAL_SYM)};                                                \
    static const char *const dl_sonames[] = {__VA_ARGS__};                                                          \
    static vr_dlib dl_lib = VR_DLIB_INIT(dl_sonames, dl_syms, package)
#define VR_DLIB_LOCAL_SYM(f) VR_DLIB_SYM(dl, f),

#endif
