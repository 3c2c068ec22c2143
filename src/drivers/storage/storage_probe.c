/* Image headers. qcow2 (docs/interop/qcow2.txt in QEMU): big-endian
 * header with the virtual size at 24, the backing file name at
 * (offset 8, length 16), and header extensions after the header, one of
 * which (0xe2792aca) names the backing file's format. */
#include "drivers/storage/storage_probe.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QCOW2_EXT_BACKING_FORMAT 0xe2792acaU

static unsigned long long be(const unsigned char *p, int n)
{
    unsigned long long v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

void vr_probe_clear(vr_probe *p)
{
    free(p->backing);
    memset(p, 0, sizeof(*p));
}

static int qcow2(const unsigned char *buf, size_t len, vr_probe *out, char **err)
{
    if (len < 72) {
        vr_set_error(err, "qcow2 header is truncated");
        return -1;
    }
    unsigned version = (unsigned)be(buf + 4, 4);
    if (version != 2 && version != 3) {
        vr_set_error(err, "qcow2 version %u is not supported", version);
        return -1;
    }
    out->format = VR_VOL_QCOW2;
    out->virtual_size = be(buf + 24, 8);
    unsigned long long boff = be(buf + 8, 8), blen = be(buf + 16, 4);
    if (boff) {
        if (blen == 0 || blen > 1023 || boff + blen > len) {
            vr_set_error(err, "qcow2 backing file name lies outside the header");
            return -1;
        }
        out->backing = vr_strndup((const char *)buf + boff, (size_t)blen);
    }
    size_t pos = version == 3 && len >= 104 ? (size_t)be(buf + 100, 4) : 72;
    /* Extensions: type, length, data padded to 8 bytes; type 0 ends. */
    while (pos + 8 <= len) {
        unsigned type = (unsigned)be(buf + pos, 4);
        size_t elen = (size_t)be(buf + pos + 4, 4);
        if (type == 0 || pos + 8 + elen > len)
            break;
        if (type == QCOW2_EXT_BACKING_FORMAT) {
            char *f = vr_strndup((const char *)buf + pos + 8, elen);
            out->backing_format_known = vr_vol_format_parse(f, &out->backing_format);
            free(f);
        }
        pos += 8 + ((elen + 7) & ~(size_t)7);
    }
    return 0;
}

int vr_probe_buffer(const unsigned char *buf, size_t len, vr_probe *out, char **err)
{
    memset(out, 0, sizeof(*out));
    out->format = VR_VOL_RAW;
    if (len >= 4 && memcmp(buf, "QFI\xfb", 4) == 0)
        return qcow2(buf, len, out, err);
    /* ISO 9660: the primary volume descriptor at sector 16 of 2048. */
    if (len >= 32769 + 5 && memcmp(buf + 32769, "CD001", 5) == 0)
        out->format = VR_VOL_ISO;
    return 0;
}

int vr_probe_file(const char *path, vr_probe *out, unsigned long long *capacity,
                  unsigned long long *allocation, char **err)
{
    memset(out, 0, sizeof(*out));
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        vr_set_error(err, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unsigned char *buf = vr_malloc(VR_PROBE_BYTES);
    size_t got = 0;
    while (got < VR_PROBE_BYTES) {
        ssize_t r = pread(fd, buf + got, VR_PROBE_BYTES - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    char *e = NULL;
    int rc = vr_probe_buffer(buf, got, out, &e);
    free(buf);
    if (rc < 0) {
        vr_set_error(err, "%s: %s", path, e);
        free(e);
        return -1;
    }
    if (out->backing && out->backing[0] != '/') {
        char *copy = vr_strdup(path);
        char *abs = vr_asprintf("%s/%s", dirname(copy), out->backing);
        free(copy);
        free(out->backing);
        out->backing = abs;
    }
    if (capacity)
        *capacity = out->format == VR_VOL_QCOW2 ? out->virtual_size : (unsigned long long)st.st_size;
    if (allocation)
        *allocation = (unsigned long long)st.st_blocks * 512;
    return 0;
}
