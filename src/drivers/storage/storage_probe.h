/* What an image file is, read from its first bytes the way QEMU and
 * libvirt probe it: qcow2 by its header (virtual size, backing file and
 * its format from the header extension), iso by the ISO 9660 signature,
 * anything else raw. Reading headers costs no child process, so listing
 * a pool of many volumes stays fast. */
#pragma once
#include "conf/storage_conf.h"

#include <stdbool.h>
#include <stddef.h>

/* Enough of the file's start for every probe below. */
#define VR_PROBE_BYTES 65536

typedef struct {
    vr_vol_format format;
    unsigned long long virtual_size; /* qcow2 only; 0 otherwise */
    char *backing;                   /* qcow2 backing file as written, or NULL */
    bool backing_format_known;
    vr_vol_format backing_format;    /* from the header extension */
} vr_probe;

/* Probe a buffer holding the first `len` bytes of an image. Returns 0,
 * or -1 with *err for a qcow2 header that is damaged. */
int vr_probe_buffer(const unsigned char *buf, size_t len, vr_probe *out, char **err);
/* Probe a file: format, capacity and allocation as pool listings show
 * them (capacity = virtual size for qcow2, file size otherwise;
 * allocation = blocks on disk). A relative backing file is made
 * absolute against the image's directory. */
int vr_probe_file(const char *path, vr_probe *out, unsigned long long *capacity,
                  unsigned long long *allocation, char **err);
void vr_probe_clear(vr_probe *p);
