/* The operating systems vireo builder knows (image_os.c). */
#pragma once

typedef struct {
    const char *name, *description;
    const char *suite;
    const char *mirror;          /* NULL: the host's Debian mirror */
    const char *components;
    const char *keyring;
    const char *kernel;          /* the kernel package: virtio drivers built in */
    const char *security_path;   /* the security archive beside the mirror, or NULL */
    const char *security_suite;
} img_os;

const img_os *img_os_find(const char *name);
/* malloc'ed URLs. */
char *img_os_mirror(const img_os *os);
char *img_os_security_mirror(const img_os *os);
/* NULL when it can be built here, else why not (malloc'ed). */
char *img_os_check(const img_os *os);
